/* policy_read.c - reading policy files into struct vigil_policy_set.
 *
 * A file holds one policy per YAML document (`---` between them); a
 * directory stands for its *.yaml and *.yml files in name order. Each
 * policy is a mapping: name, description, mode, default and mitigations
 * (read here), selector and exempt (policy_read_select.c) and the areas'
 * rules (policy_read_rules.c). Unknown keys are errors, not warnings: a
 * misspelt key must never quietly weaken a policy. Reading goes on after an
 * error to report them all; the set is returned only when there was none.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mitigations.h"
#include "policy_int.h"

/* ------------------------------------------------------------------------ */
/* Policies                                                                  */

enum {
	P_NAME,
	P_DESCRIPTION,
	P_MODE,
	P_DEFAULT,
	P_SELECTOR,
	P_EXEMPT,
	P_MITIGATIONS,
	P_AREAS, /* then one key per area, in enum vigil_pol_area order */
	P_NKEYS = P_AREAS + VIGIL_AREA_MAX,
};

static const char *const policy_keys[P_NKEYS] = {
    "name",	     "description", "mode",  "default", "selector",	"exempt",
    "mitigations",   "process",	    "file",  "network", "capabilities", "ptrace",
    "kernel_module", "bpf",	    "mount", "signal",
};

_Static_assert(P_NKEYS == 16 && VIGIL_AREA_SIGNAL == VIGIL_AREA_MAX - 1,
	       "policy_keys lists every area");

static bool name_char_ok(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

static const struct vigil_policy *find_policy(const struct pl *pl, const char *name)
{
	for (size_t i = 0; i < pl->set->n; i++)
		if (pl->set->v[i].name && strcmp(pl->set->v[i].name, name) == 0)
			return &pl->set->v[i];
	return NULL;
}

/* The value of the first `name` key (pl_map reports any other). */
static const yaml_node_t *name_value(const struct pl *pl, const yaml_node_t *root)
{
	for (yaml_node_pair_t *kv = root->data.mapping.pairs.start;
	     kv < root->data.mapping.pairs.top; kv++) {
		const yaml_node_t *k = pl_node(pl, kv->key);

		if (is_scalar(k) && strcmp(sval(k), "name") == 0)
			return pl_node(pl, kv->value);
	}
	return NULL;
}

/* Sets p->name and the name diagnostics show; false after an error. */
static bool read_name(struct pl *pl, const yaml_node_t *root, const yaml_node_t *v,
		      struct vigil_policy *p)
{
	const struct vigil_policy *first;
	const char *s, *bad;

	if (!v) {
		pl_err(pl, root, NULL, "policy has no 'name'");
		return false;
	}
	if (!(s = pl_str(pl, v, NULL, "name")))
		return false;
	for (bad = s; *bad && name_char_ok(*bad); bad++)
		;
	if (!*s) {
		pl_err(pl, v, NULL, "'name' is empty");
	} else if (*bad) {
		pl_err(pl, v, NULL,
		       "policy name '%s' has '%c': names have only letters, digits, '_', '.' and "
		       "'-'",
		       s, *bad);
	} else if ((first = find_policy(pl, s))) {
		pl->item = s; /* lives as long as the document */
		pl_err(pl, v, NULL, "duplicate policy name '%s' (first defined at %s:%d)", s,
		       first->file, first->line);
	} else {
		p->name = rl_xstrdup(s);
		pl->item = p->name;
		return true;
	}
	return false;
}

static const char *const mode_words[] = {"enforce", "audit"};
static const char *const default_words[] = {"allow", "block"};

/* `mitigations: [NAME, ...]`: names from the catalogue, or `all`. */
static void read_mitigations(struct pl *pl, const yaml_node_t *v, struct vigil_policy *p)
{
	pl_strings(pl, v, NULL, "mitigations", &p->mitigations);
	for (size_t i = 0; i < p->mitigations.n; i++) {
		const char *name = p->mitigations.v[i];
		const struct vigil_mitigation *m = vigil_mitigation_find(name);

		if (strcmp(name, "all") == 0)
			p->mitigation_mask |= vigil_mitigations_all_mask();
		else if (m)
			p->mitigation_mask |= UINT64_C(1) << m->id;
		else
			pl_err(
			    pl, pl_list_at(pl, v, i), NULL,
			    "mitigations: unknown mitigation '%s' (`vigil mitigations` lists them)",
			    name);
	}
}

static void read_settings(struct pl *pl, yaml_node_t *const *vals, struct vigil_policy *p)
{
	const char *desc;
	int w;

	if (vals[P_DESCRIPTION] && (desc = pl_str(pl, vals[P_DESCRIPTION], NULL, "description")))
		p->description = rl_xstrdup_trim(desc);
	if (vals[P_MODE] && (w = pl_word(pl, vals[P_MODE], NULL, "mode", mode_words, 2)) >= 0)
		p->mode = w ? VIGIL_POL_AUDIT : VIGIL_POL_ENFORCE;
	if (vals[P_DEFAULT] &&
	    (w = pl_word(pl, vals[P_DEFAULT], NULL, "default", default_words, 2)) >= 0)
		p->default_action = w ? VIGIL_ACT_BLOCK : VIGIL_ACT_ALLOW;
	if (vals[P_MITIGATIONS])
		read_mitigations(pl, vals[P_MITIGATIONS], p);
}

/* A policy that does nothing is legal, but likely not what was meant. */
static void warn_idle(struct pl *pl, const yaml_node_t *root, yaml_node_t *const *vals,
		      const struct vigil_policy *p)
{
	bool any_area = false;

	for (int a = 0; a < VIGIL_AREA_MAX; a++)
		any_area |= vals[P_AREAS + a] != NULL;
	if (!any_area && !vals[P_MITIGATIONS])
		pl_warn(pl, root, NULL, "policy has no rules and no mitigations: it does nothing");
	else if (!any_area && p->default_action == VIGIL_ACT_BLOCK)
		pl_warn(
		    pl, vals[P_DEFAULT], NULL,
		    "'default: block' applies to the areas the policy lists, and it lists none");
}

/* The areas' rules, in file order (pl_map has already reported duplicate
 * keys: only the value it kept is read). */
static void read_areas(struct pl *pl, const yaml_node_t *root, yaml_node_t *const *vals,
		       struct vigil_policy *p)
{
	for (yaml_node_pair_t *kv = root->data.mapping.pairs.start;
	     kv < root->data.mapping.pairs.top; kv++) {
		yaml_node_t *k = pl_node(pl, kv->key), *v = pl_node(pl, kv->value);

		for (int a = 0; is_scalar(k) && a < VIGIL_AREA_MAX; a++)
			if (v == vals[P_AREAS + a] &&
			    strcmp(sval(k), policy_keys[P_AREAS + a]) == 0)
				pl_read_area(pl, p, (enum vigil_pol_area)a, v);
	}
}

static void read_policy(struct pl *pl, const yaml_node_t *root, struct vigil_policy *p)
{
	yaml_node_t *vals[P_NKEYS];
	size_t errors = pl->diag->errors;

	p->file = rl_xstrdup(pl->file);
	p->line = (int)root->start_mark.line + 1;
	p->mode = VIGIL_POL_ENFORCE;
	p->default_action = VIGIL_ACT_ALLOW;
	/* the name first: every message about the policy shows it */
	read_name(pl, root, name_value(pl, root), p);
	if (pl->set->n > VIGIL_POLICY_MAX && !pl->set_full) {
		pl->set_full = true;
		pl_err(pl, root, NULL, "too many policies: at most %d can be loaded at once",
		       VIGIL_POLICY_MAX);
	}
	pl_map(pl, root, NULL, policy_keys, P_NKEYS, vals);
	read_settings(pl, vals, p);
	if (vals[P_SELECTOR])
		pl_read_selector(pl, vals[P_SELECTOR], false, &p->selector);
	else
		pl_err(pl, root, NULL,
		       "policy has no 'selector' (which processes it governs, e.g. selector: "
		       "{host: true})");
	if (vals[P_EXEMPT])
		pl_read_selector(pl, vals[P_EXEMPT], true, &p->exempt);
	read_areas(pl, root, vals, p);
	if (errors == pl->diag->errors)
		warn_idle(pl, root, vals, p);
}

static struct vigil_policy *new_policy(struct pl *pl)
{
	struct vigil_policy_set *set = pl->set;

	set->v = rl_grow(set->v, &pl->cap, set->n + 1, sizeof(*set->v));
	memset(&set->v[set->n], 0, sizeof(*set->v));
	return &set->v[set->n++];
}

static void read_document(struct pl *pl, const yaml_node_t *root)
{
	if (root->type != YAML_MAPPING_NODE) {
		pl_err(pl, root, NULL,
		       "a policy must be a mapping (name: ..., selector: ...), not %s%s",
		       pl_kind(root),
		       root->type == YAML_SEQUENCE_NODE
			   ? " (separate several policies with a line '---')"
			   : "");
		return;
	}
	read_policy(pl, root, new_policy(pl));
	pl->item = NULL;
}

/* ------------------------------------------------------------------------ */
/* YAML syntax errors                                                        */

/* The byte a libyaml mark (line, column in characters) points at. */
static const char *mark_byte(const struct pl *pl, yaml_mark_t m)
{
	const char *p = pl->buf, *end = pl->buf + pl->len;

	for (size_t l = 0; l < m.line && p < end; p++)
		if (*p == '\n')
			l++;
	for (size_t c = 0; c < m.column && p < end && *p != '\n'; c++)
		for (p++; p < end && ((unsigned char)*p & 0xc0) == 0x80; p++)
			;
	return p < end ? p : NULL;
}

/* Advice for the usual causes of some syntax errors. */
static const char *syntax_hint(const struct pl *pl, yaml_mark_t m)
{
	const char *c = mark_byte(pl, m);

	/* "::1/128" in [...]: a plain scalar there cannot hold ": " or start with ':' */
	if (c && c[0] == ':' && c + 1 < pl->buf + pl->len && !isspace((unsigned char)c[1]))
		return " (in [...] lists, quote values with ':' such as IPv6 addresses: "
		       "\"::1/128\")";
	if (c && *c == '\t')
		return " (YAML does not allow tabs for indentation)";
	return "";
}

/* Line and column of a byte (reader errors give an offset, not a mark). */
static void byte_place(const struct pl *pl, size_t off, int *line, int *col)
{
	*line = *col = 1;
	for (size_t i = 0; i < off && i < pl->len; i++) {
		if (pl->buf[i] == '\n') {
			++*line;
			*col = 1;
		} else {
			++*col;
		}
	}
}

/* "YAML: PROBLEM[ CONTEXT[ (started at L:C)]][ (hint)]" at the problem. */
static void yaml_error(struct pl *pl, const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "error", *ctx = p->context;
	int line = (int)p->problem_mark.line + 1, col = (int)p->problem_mark.column + 1;
	int ctx_line = (int)p->context_mark.line + 1, ctx_col = (int)p->context_mark.column + 1;
	char started[48] = "";

	if (p->error == YAML_MEMORY_ERROR)
		rl_oom();
	if (p->error == YAML_READER_ERROR) {
		byte_place(pl, p->problem_offset, &line, &col);
		rl_diag_add(pl->diag, VIGIL_DIAG_ERROR, pl->file, line, col, NULL,
			    "YAML: %s (the file must be UTF-8)", problem);
		return;
	}
	if (ctx && (ctx_line != line || ctx_col != col))
		snprintf(started, sizeof(started), " (started at %d:%d)", ctx_line, ctx_col);
	rl_diag_add(pl->diag, VIGIL_DIAG_ERROR, pl->file, line, col, NULL, "YAML: %s%s%s%s%s",
		    problem, ctx ? " " : "", ctx ? ctx : "", started,
		    syntax_hint(pl, p->problem_mark));
}

/* ------------------------------------------------------------------------ */
/* Files and directories                                                     */

static void load_text(struct pl *pl, const char *name, const char *buf, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	size_t policies = 0;
	bool broken = false;

	pl->file = name;
	pl->buf = buf;
	pl->len = len;
	if (!yaml_parser_initialize(&parser))
		rl_oom();
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	for (;;) {
		yaml_node_t *root;

		if (!yaml_parser_load(&parser, &doc)) {
			yaml_error(pl, &parser);
			broken = true;
			break;
		}
		root = yaml_document_get_root_node(&doc);
		if (root && !is_null(root)) { /* an empty document ("---" alone) is skipped */
			pl->doc = &doc;
			read_document(pl, root);
			pl->doc = NULL;
			policies++;
		}
		yaml_document_delete(&doc);
		if (!root)
			break;
	}
	yaml_parser_delete(&parser);
	if (!broken && policies == 0)
		rl_diag_add(pl->diag, VIGIL_DIAG_ERROR, name, 0, 0, NULL, "no policy in file");
}

static void load_policy_text(void *arg, const char *path, char *text, size_t len)
{
	load_text(arg, path, text, len);
	free(text);
}

static void load_path(struct pl *pl, const char *path)
{
	if (rl_read_yaml_path(pl->diag, path, load_policy_text, pl) == 0)
		rl_diag_add(pl->diag, VIGIL_DIAG_WARNING, path, 0, 0, NULL,
			    "no policy files (*.yaml, *.yml) in directory");
}

/* ------------------------------------------------------------------------ */
/* Entry points                                                              */

static void loader_init(struct pl *pl, struct vigil_diag *diag)
{
	memset(pl, 0, sizeof(*pl));
	pl->diag = diag;
	pl->errors_before = diag->errors;
	pl->set = rl_xcalloc(1, sizeof(*pl->set));
}

/* The set, or NULL when this load reported an error. */
static struct vigil_policy_set *loader_finish(struct pl *pl, struct vigil_diag *own_diag)
{
	struct vigil_policy_set *set = pl->set;

	if (pl->diag->errors > pl->errors_before) {
		vigil_policies_free(set);
		set = NULL;
	}
	vigil_diag_free(own_diag);
	return set;
}

struct vigil_policy_set *vigil_policies_load(const char *const *paths, size_t npaths,
					     struct vigil_diag *diag)
{
	struct vigil_diag own = {0};
	struct pl pl;

	loader_init(&pl, diag ? diag : &own);
	for (size_t i = 0; i < npaths; i++)
		load_path(&pl, paths[i]);
	return loader_finish(&pl, &own);
}

struct vigil_policy_set *vigil_policies_load_buffer(const char *name, const char *yaml, size_t len,
						    struct vigil_diag *diag)
{
	struct vigil_diag own = {0};
	struct pl pl;

	loader_init(&pl, diag ? diag : &own);
	load_text(&pl, name, yaml, len);
	return loader_finish(&pl, &own);
}
