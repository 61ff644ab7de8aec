/* policy_int.h - what the files of the policy loader share, private to
 * them: the loader's state, diagnostics, YAML node accessors that check
 * types, path checks and the tables of names. The public interface is
 * policy.h.
 *
 * Files: policy.c (names of areas and actions, freeing, diagnostics and YAML
 * helpers), policy_read.c (files, documents, the policy mapping, limits
 * over the set), policy_read_select.c (selector and exempt), policy_read_rules.c
 * (rules of every area, paths), policy_read_net.c (network rules),
 * policy_names.c (access kinds, capabilities, signals and socket families
 * by name).
 *
 * Reading never stops at an error: every problem is reported with its file,
 * line and column, and the caller gets NULL when there was any.
 */
#ifndef VIGIL_POLICY_INT_H
#define VIGIL_POLICY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>
#include "policy.h"
#include "rules_int.h" /* rl_x* allocation, rl_diag_add, sval, is_scalar, is_null */

/* The loader: the set being built and the document being read. */
struct pl {
	struct vigil_diag *diag;
	size_t errors_before; /* diag->errors when loading started */
	struct vigil_policy_set *set;
	size_t cap; /* of set->v */
	size_t area_rules[VIGIL_AREA_MAX];
	bool area_full[VIGIL_AREA_MAX]; /* "too many rules" reported */
	bool set_full;			/* "too many policies" reported */
	/* the file and document being read */
	const char *file;
	const char *buf;
	size_t len;
	yaml_document_t *doc;
	const char *item; /* the policy's name for diagnostics, or NULL */
};

/* ------------------------------------------------------------------------ */
/* Diagnostics (policy.c): at the node's place (NULL: no place), "what: "
 * before the message when what is not NULL.                                 */

void pl_err(struct pl *pl, const yaml_node_t *n, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void pl_warn(struct pl *pl, const yaml_node_t *n, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ------------------------------------------------------------------------ */
/* YAML nodes (policy.c)                                                     */

yaml_node_t *pl_node(const struct pl *pl, int id);
/* "a mapping", "a sequence", "a scalar" */
const char *pl_kind(const yaml_node_t *n);

/* Reads a mapping whose keys must be among names[0..n) (n <= 32): vals[i]
 * gets the value of names[i], NULL when absent. Unknown keys, keys that are
 * not strings and duplicates are errors. Returns the number of errors. */
int pl_map(struct pl *pl, const yaml_node_t *map, const char *what, const char *const *names,
	   size_t n, yaml_node_t **vals);

/* A list key's entries: a sequence of strings, or one string for a list of
 * one. Returns how many; 0 after an error (an empty list is one). */
size_t pl_list(struct pl *pl, const yaml_node_t *v, const char *what, const char *key);
/* Entry i of a list pl_list accepted. */
yaml_node_t *pl_list_at(const struct pl *pl, const yaml_node_t *v, size_t i);

/* A string value, or NULL after an error. */
const char *pl_str(struct pl *pl, const yaml_node_t *v, const char *what, const char *key);
/* true or false (yes/no/on/off too); -1 after an error. */
int pl_bool(struct pl *pl, const yaml_node_t *v, const char *what, const char *key);
/* One of words[0..n) (case-insensitive): its index, or -1 after an error
 * "unknown KEY 'x' (expected a, b or c)". */
int pl_word(struct pl *pl, const yaml_node_t *v, const char *what, const char *key,
	    const char *const *words, size_t n);

/* "a, b or c" (and_or "or"), "a, b, c" (and_or NULL); free() it. */
char *pl_join(const char *const *words, size_t n, const char *and_or);

/* ------------------------------------------------------------------------ */
/* Paths (policy_read_rules.c)                                               */

enum pl_path_kind {
	PL_PATH_FILE, /* an executable or a file: a glob in the last component */
	PL_PATH_DIR,  /* a directory prefix: kept with a trailing '/' */
	PL_PATH_EXACT /* a cgroup: no wildcards, no trailing '/' */
};

/* The list at v as normalised paths (errors reported; nothing kept then). */
void pl_paths(struct pl *pl, const yaml_node_t *v, const char *what, const char *key,
	      enum pl_path_kind kind, struct vigil_strlist *out);
/* Whether a glob's brackets are closed. */
bool pl_glob_ok(const char *s);
/* Fills out with the list at v, as written (errors reported). */
void pl_strings(struct pl *pl, const yaml_node_t *v, const char *what, const char *key,
		struct vigil_strlist *out);

/* Looks up one list entry: a bit number, or -1 after an error about it. */
typedef int (*pl_bit_fn)(struct pl *pl, const yaml_node_t *e, const char *what, const char *key);
/* The OR of the bits of the list's entries; false after an error. */
bool pl_mask(struct pl *pl, const yaml_node_t *v, const char *what, const char *key, pl_bit_fn bit,
	     uint64_t *mask);

/* ------------------------------------------------------------------------ */
/* Selectors (policy_read_select.c)                                          */

/* `selector:` (exempt false) or `exempt:` (the same keys but host). */
void pl_read_selector(struct pl *pl, const yaml_node_t *v, bool exempt,
		      struct vigil_pol_selector *sel);

/* ------------------------------------------------------------------------ */
/* Rules (policy_read_rules.c, policy_read_net.c)                            */

/* Reads the rules of area `a` (one mapping or a sequence of them) into p. */
void pl_read_area(struct pl *pl, struct vigil_policy *p, enum vigil_pol_area a,
		  const yaml_node_t *v);

/* The network rule's keys (policy_read_net.c), in the order errors list them:
 * cidrs, ports, protocols, direction, families, action. */
enum { NET_CIDRS, NET_PORTS, NET_PROTOCOLS, NET_DIRECTION, NET_FAMILIES, NET_ACTION, NET_NKEYS };
extern const char *const pl_net_keys[NET_NKEYS];

/* Reads a rule's keys but its action (vals: the values of the area's keys,
 * NULL when absent); whether the rule names what it applies to (for the
 * warning about a rule that blocks everything). */
typedef bool (*pl_rule_reader)(struct pl *pl, struct vigil_pol_rule *r, yaml_node_t *const *vals,
			       const char *what);
bool pl_read_net_rule(struct pl *pl, struct vigil_pol_rule *r, yaml_node_t *const *vals,
		      const char *what);

/* ------------------------------------------------------------------------ */
/* Names (policy_names.c): numbers by name, case-insensitive, with or
 * without the prefix (CAP_, SIG, AF_); -1 when unknown. The closest known
 * name to a misspelt one (NULL when none is close) for "did you mean".      */

extern const char *const pl_access_names[8]; /* bit i: VIGIL_ACC_* 1 << i */
int pl_cap_number(const char *s);
const char *pl_cap_closest(const char *s);
int pl_signal_number(const char *s); /* names of signals 1-31 and numbers */
const char *pl_signal_closest(const char *s);
int pl_family_number(const char *s);
const char *pl_family_closest(const char *s);

#endif /* VIGIL_POLICY_INT_H */
