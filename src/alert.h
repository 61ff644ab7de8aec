/* alert.h - a matched rule as one JSON line in Falco's alert shape:
 * time, rule, priority, output, output_fields, tags, hostname, source. */
#ifndef VIGIL_ALERT_H
#define VIGIL_ALERT_H

#include <stddef.h>
#include "jsonw.h"
#include "rules.h"

/* Writes the alert into w (begin..end); returns the line length. */
size_t vigil_alert_to_json(const struct vigil_rule *rule, struct vigil_eval_ctx *ctx,
			   const char *hostname, struct jsonw *w);

/* The rule's output with every %field substituted ("<NA>" when absent). */
size_t vigil_alert_output(const struct vigil_rule *rule, struct vigil_eval_ctx *ctx, char *out,
			  size_t outsz);

#endif /* VIGIL_ALERT_H */
