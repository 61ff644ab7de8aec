/* policy_alert.h - enforcement decisions as alert lines. */
#ifndef VIGIL_POLICY_ALERT_H
#define VIGIL_POLICY_ALERT_H

#include <stddef.h>
#include "decode.h"
#include "jsonw.h"
#include "policy_compile.h"
#include "rule_fields.h"

/* "process", "file", ..., "self" (self-protection), "mitigation". */
const char *vigil_policy_area_name(unsigned area);
/* "allow", "audit", "block", "killed". */
const char *vigil_policy_action_name(unsigned action);

/* One VIGIL_EVT_POLICY record as an alert; slots are the compiled sets the
 * record's slot number refers to. ctx must be set for ev (process, cgroup). */
size_t vigil_policy_alert_to_json(const struct vigil_event *ev,
				  const struct vigil_pol_compiled *const slots[2],
				  struct vigil_eval_ctx *ctx, const char *hostname,
				  struct jsonw *w);

/* The process context fields of every decision alert (proc.*, user.*,
 * container.id), into the open output_fields object. */
void vigil_policy_alert_context(struct jsonw *w, struct vigil_eval_ctx *ctx);

/* A mitigation hit (area VIGIL_PA_MITIGATION) as an alert naming the
 * mitigation and its CVEs (mitigation_alert.c). */
size_t vigil_mitigation_alert_to_json(const struct vigil_event *ev,
				      const struct vigil_pol_compiled *const slots[2],
				      struct vigil_eval_ctx *ctx, const char *hostname,
				      struct jsonw *w);

#endif /* VIGIL_POLICY_ALERT_H */
