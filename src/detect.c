/* detect.c - rule sources for run and check. */
#include <string.h>
#include "default_rules.h"
#include "detect.h"

struct vigil_ruleset *vigil_load_rule_sources(const struct vigil_rule_sources *src,
					      struct vigil_diag *diag, FILE *diag_out)
{
	struct vigil_ruleset *rs;
	const char *yaml;
	size_t len;

	if (src->n == 0) {
		yaml = vigil_default_rules(&len);
		rs = vigil_ruleset_load_buffer("<embedded default rules>", yaml, len, diag);
	} else {
		rs = vigil_ruleset_load(src->paths, src->n, diag);
	}
	if (diag_out)
		vigil_diag_print(diag, diag_out);
	return rs;
}

void vigil_rules_kernel_types(const struct vigil_ruleset *rs, bool types[VIGIL_EVT_MAX])
{
	memset(types, 0, sizeof(bool) * VIGIL_EVT_MAX);
	if (rs)
		vigil_ruleset_event_types(rs, types);
	types[VIGIL_EVT_EXECVE] = types[VIGIL_EVT_EXECVEAT] = true;
	types[VIGIL_EVT_CLONE] = types[VIGIL_EVT_PROCEXIT] = true;
}
