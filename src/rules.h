/* rules.h - Falco-format rule files: load, refine, compile, evaluate.
 *
 * Files hold a YAML sequence of items: `list`, `macro`, `rule` (plus
 * `required_engine_version`, `required_plugin_versions`, accepted). Later
 * files refine earlier ones: `append: true` or `override: {key: append|replace}`
 * on lists, macros and rules; a rule redefined without either replaces it.
 * Rules with `source` other than syscall are skipped with a warning.
 * Compilation inlines macros, expands lists, turns exceptions into
 * "and not (...)" clauses and indexes rules by the event types they can match.
 */
#ifndef VIGIL_RULES_H
#define VIGIL_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "rule_cond.h"
#include "vigil_abi.h"

enum vigil_priority {
	VIGIL_PRIO_EMERGENCY,
	VIGIL_PRIO_ALERT,
	VIGIL_PRIO_CRITICAL,
	VIGIL_PRIO_ERROR,
	VIGIL_PRIO_WARNING,
	VIGIL_PRIO_NOTICE,
	VIGIL_PRIO_INFORMATIONAL,
	VIGIL_PRIO_DEBUG,
};

/* "Emergency", "Alert", ... as Falco prints them. */
const char *vigil_priority_name(enum vigil_priority p);
/* Case-insensitive; accepts "INFO" and "informational". -1 when unknown. */
int vigil_priority_parse(const char *s);

/* One piece of a rule's output: literal text or a %field. */
struct vigil_output_part {
	bool is_field;
	char *text;		      /* literal, or the field's name as written */
	struct vigil_field_ref field; /* when is_field */
};

struct vigil_rule {
	char *name;
	char *desc;
	char *condition_text; /* after appends, before compilation */
	char *output;
	enum vigil_priority priority;
	char **tags;
	size_t ntags;
	bool enabled;
	char *file; /* where it was (last) defined */
	int line;
	struct vigil_cond *cond; /* compiled: macros inlined, exceptions added */
	bool types[VIGIL_EVT_MAX];
	struct vigil_output_part *out_parts;
	size_t nout_parts;
};

/* Diagnostics from loading and compiling: every problem, with its place. */
enum vigil_diag_kind { VIGIL_DIAG_ERROR, VIGIL_DIAG_WARNING, VIGIL_DIAG_SKIPPED };

struct vigil_diag_entry {
	enum vigil_diag_kind kind;
	char *file;
	int line, col; /* 0 when unknown */
	char *item;    /* rule/macro/list name, or NULL */
	char *msg;
};

struct vigil_diag {
	struct vigil_diag_entry *v;
	size_t n, cap;
	size_t errors, warnings, skipped;
};

void vigil_diag_free(struct vigil_diag *d);
/* One line per entry: "FILE:LINE:COL: error|warning|skipped: [item] msg";
 * LINE and COL are left out when unknown (0), [item] when there is none. */
void vigil_diag_print(const struct vigil_diag *d, FILE *out);

struct vigil_ruleset;

/* Loads rule files in order. A path that is a directory loads its *.yaml and
 * *.yml files in name order. Returns a compiled ruleset even when some rules
 * were skipped; NULL when this call added an error to diag (all are there). */
struct vigil_ruleset *vigil_ruleset_load(const char *const *paths, size_t npaths,
					 struct vigil_diag *diag);

/* Same, from YAML already in memory (the embedded default rules). */
struct vigil_ruleset *vigil_ruleset_load_buffer(const char *name, const char *yaml, size_t len,
						struct vigil_diag *diag);

void vigil_ruleset_free(struct vigil_ruleset *rs);

size_t vigil_ruleset_count(const struct vigil_ruleset *rs); /* enabled rules loaded */
const struct vigil_rule *vigil_ruleset_rule(const struct vigil_ruleset *rs, size_t i);

/* The union of event types any enabled rule can match: pushed to the kernel. */
void vigil_ruleset_event_types(const struct vigil_ruleset *rs, bool types[VIGIL_EVT_MAX]);

/* The in-kernel read filter for these rules: true and dirs filled when every
 * rule on open types either needs a write or limits fd.name to known
 * top-level directories; false when read-only opens must all be reported. */
bool vigil_ruleset_read_dirs(const struct vigil_ruleset *rs, struct vigil_dirset *set);

typedef void (*vigil_match_fn)(const struct vigil_rule *rule, struct vigil_eval_ctx *ctx,
			       void *arg);

/* Evaluates the rules indexed under the event's type, in file order; calls fn
 * for each match. Returns the number of matches. */
size_t vigil_ruleset_eval(const struct vigil_ruleset *rs, struct vigil_eval_ctx *ctx,
			  vigil_match_fn fn, void *arg);

#endif /* VIGIL_RULES_H */
