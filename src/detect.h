/* detect.h - where rules come from: files and directories given with -r, or
 * the default set embedded in the binary. Shared by `vigil run` and `vigil check`. */
#ifndef VIGIL_DETECT_H
#define VIGIL_DETECT_H

#include <stdio.h>
#include "rules.h"

struct vigil_rule_sources {
	const char *paths[64];
	size_t n; /* 0: the embedded default rules */
};

/* Loads the sources; prints every diagnostic to diag_out (when not NULL).
 * Returns NULL when there was any error. */
struct vigil_ruleset *vigil_load_rule_sources(const struct vigil_rule_sources *src,
					      struct vigil_diag *diag, FILE *diag_out);

/* The event types the agent must collect for these rules: the rules' union
 * plus process lifecycle (the process table needs it). */
void vigil_rules_kernel_types(const struct vigil_ruleset *rs, bool types[VIGIL_EVT_MAX]);

#endif /* VIGIL_DETECT_H */
