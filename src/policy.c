/* policy.c - enforcement policies: names of areas and actions, freeing, and
 * what the reading files share (policy_int.h): diagnostics at YAML nodes and
 * accessors that check a value's type with an error naming the key.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "policy_int.h"

static const char *const area_names[VIGIL_AREA_MAX] = {
    [VIGIL_AREA_PROCESS] = "process", [VIGIL_AREA_FILE] = "file",
    [VIGIL_AREA_NETWORK] = "network", [VIGIL_AREA_CAPABILITIES] = "capabilities",
    [VIGIL_AREA_PTRACE] = "ptrace",   [VIGIL_AREA_KERNEL_MODULE] = "kernel_module",
    [VIGIL_AREA_BPF] = "bpf",	      [VIGIL_AREA_MOUNT] = "mount",
    [VIGIL_AREA_SIGNAL] = "signal",
};

const char *vigil_area_name(enum vigil_pol_area a)
{
	return (unsigned)a < VIGIL_AREA_MAX ? area_names[a] : "unknown";
}

const char *vigil_action_name(enum vigil_pol_action a)
{
	switch (a) {
	case VIGIL_ACT_NONE:
		return "none";
	case VIGIL_ACT_ALLOW:
		return "allow";
	case VIGIL_ACT_AUDIT:
		return "audit";
	case VIGIL_ACT_BLOCK:
		return "block";
	}
	return "unknown";
}

/* ------------------------------------------------------------------------ */
/* Freeing                                                                   */

static void strlist_free(struct vigil_strlist *l)
{
	rl_free_strs(l->v, l->n);
}

static void selector_free(struct vigil_pol_selector *s)
{
	strlist_free(&s->container_ids);
	strlist_free(&s->container_names);
	strlist_free(&s->container_images);
	strlist_free(&s->exe_paths);
	strlist_free(&s->cgroups);
}

static void rule_free(struct vigil_pol_rule *r)
{
	strlist_free(&r->paths);
	strlist_free(&r->dirs);
	strlist_free(&r->parents);
	free(r->cidrs);
	free(r->ports);
	free(r->families);
}

static void policy_free(struct vigil_policy *p)
{
	free(p->name);
	free(p->file);
	free(p->description);
	selector_free(&p->selector);
	selector_free(&p->exempt);
	for (size_t i = 0; i < p->nrules; i++)
		rule_free(&p->rules[i]);
	free(p->rules);
	strlist_free(&p->mitigations);
}

void vigil_policies_free(struct vigil_policy_set *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->n; i++)
		policy_free(&ps->v[i]);
	free(ps->v);
	free(ps);
}

/* ------------------------------------------------------------------------ */
/* Diagnostics                                                               */

static void pl_vdiag(struct pl *pl, enum vigil_diag_kind kind, const yaml_node_t *n,
		     const char *what, const char *fmt, va_list ap)
{
	int line = n ? (int)n->start_mark.line + 1 : 0;
	int col = n ? (int)n->start_mark.column + 1 : 0;
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0)
		rl_oom();
	rl_diag_add(pl->diag, kind, pl->file, line, col, pl->item, "%s%s%s", what ? what : "",
		    what ? ": " : "", msg);
	free(msg);
}

void pl_err(struct pl *pl, const yaml_node_t *n, const char *what, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pl_vdiag(pl, VIGIL_DIAG_ERROR, n, what, fmt, ap);
	va_end(ap);
}

void pl_warn(struct pl *pl, const yaml_node_t *n, const char *what, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pl_vdiag(pl, VIGIL_DIAG_WARNING, n, what, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------------ */
/* YAML nodes                                                                */

yaml_node_t *pl_node(const struct pl *pl, int id)
{
	return yaml_document_get_node(pl->doc, id);
}

const char *pl_kind(const yaml_node_t *n)
{
	if (n->type == YAML_SEQUENCE_NODE)
		return "a sequence";
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	return "a scalar";
}

char *pl_join(const char *const *words, size_t n, const char *and_or)
{
	struct sbuf b = {0};

	rl_sb_puts(&b, "");
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && i + 1 == n && and_or) {
			rl_sb_puts(&b, " ");
			rl_sb_puts(&b, and_or);
			rl_sb_puts(&b, " ");
		} else if (i > 0) {
			rl_sb_puts(&b, ", ");
		}
		rl_sb_puts(&b, words[i]);
	}
	return b.s;
}

/* A scalar with a NUL inside ("\0" in double quotes) would be cut short. */
static bool has_nul(const yaml_node_t *n)
{
	return strlen(sval(n)) != n->data.scalar.length;
}

static int key_index(const char *key, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(key, names[i]) == 0)
			return (int)i;
	return -1;
}

int pl_map(struct pl *pl, const yaml_node_t *map, const char *what, const char *const *names,
	   size_t n, yaml_node_t **vals)
{
	yaml_node_t *keys[32] = {0};
	int errors = 0;

	if (n > ARRAY_SIZE(keys))
		abort(); /* a table of keys longer than any this loader has */

	memset(vals, 0, n * sizeof(*vals));
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = pl_node(pl, p->key);
		int i = is_scalar(k) ? key_index(sval(k), names, n) : -1;

		if (!is_scalar(k)) {
			pl_err(pl, k, what, "keys must be strings, not %s", pl_kind(k));
		} else if (i < 0) {
			char *expected = pl_join(names, n, NULL);

			pl_err(pl, k, what, "unknown key '%s' (expected %s)", sval(k), expected);
			free(expected);
		} else if (vals[i]) {
			pl_err(pl, k, what, "duplicate key '%s' (first at line %d)", sval(k),
			       (int)keys[i]->start_mark.line + 1);
		} else {
			keys[i] = k;
			vals[i] = pl_node(pl, p->value);
			continue;
		}
		errors++;
	}
	return errors;
}

size_t pl_list(struct pl *pl, const yaml_node_t *v, const char *what, const char *key)
{
	size_t n, bad = 0;

	if (is_null(v) || (v->type == YAML_SEQUENCE_NODE && seq_len(v) == 0)) {
		pl_err(pl, v, what, "'%s' is empty: list at least one entry", key);
		return 0;
	}
	if (v->type == YAML_MAPPING_NODE) {
		pl_err(pl, v, what, "'%s' must be a list, not a mapping", key);
		return 0;
	}
	n = v->type == YAML_SCALAR_NODE ? 1 : seq_len(v);
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *e = pl_list_at(pl, v, i);

		if (!is_scalar(e))
			pl_err(pl, e, what, "'%s' entries must be strings, not %s", key,
			       pl_kind(e));
		else if (is_null(e))
			pl_err(pl, e, what, "'%s' has an empty entry", key);
		else if (has_nul(e))
			pl_err(pl, e, what, "'%s' entry contains a NUL character", key);
		else
			continue;
		bad++;
	}
	return bad ? 0 : n;
}

yaml_node_t *pl_list_at(const struct pl *pl, const yaml_node_t *v, size_t i)
{
	if (v->type == YAML_SCALAR_NODE)
		return (yaml_node_t *)v;
	return pl_node(pl, v->data.sequence.items.start[i]);
}

const char *pl_str(struct pl *pl, const yaml_node_t *v, const char *what, const char *key)
{
	if (!is_scalar(v)) {
		pl_err(pl, v, what, "'%s' must be a string, not %s", key, pl_kind(v));
		return NULL;
	}
	if (has_nul(v)) {
		pl_err(pl, v, what, "'%s' contains a NUL character", key);
		return NULL;
	}
	return sval(v);
}

int pl_bool(struct pl *pl, const yaml_node_t *v, const char *what, const char *key)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};

	for (size_t i = 0; is_scalar(v) && i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(sval(v), yes[i]) == 0)
			return 1;
		if (strcasecmp(sval(v), no[i]) == 0)
			return 0;
	}
	if (is_scalar(v))
		pl_err(pl, v, what, "'%s' must be true or false, not '%s'", key, sval(v));
	else
		pl_err(pl, v, what, "'%s' must be true or false, not %s", key, pl_kind(v));
	return -1;
}

int pl_word(struct pl *pl, const yaml_node_t *v, const char *what, const char *key,
	    const char *const *words, size_t n)
{
	const char *s = pl_str(pl, v, what, key);
	char *expected;

	if (!s)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(s, words[i]) == 0)
			return (int)i;
	expected = pl_join(words, n, "or");
	if (is_null(v))
		pl_err(pl, v, what, "'%s' has no value (expected %s)", key, expected);
	else
		pl_err(pl, v, what, "unknown %s '%s' (expected %s)", key, s, expected);
	free(expected);
	return -1;
}

size_t vigil_policies_enforcing(const struct vigil_policy_set *ps)
{
	size_t n = 0;

	for (size_t i = 0; ps && i < ps->n; i++)
		n += ps->v[i].mode == VIGIL_POL_ENFORCE;
	return n;
}
