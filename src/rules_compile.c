/* rules_compile.c - compiling what was read (Falco's semantics unless
 * noted):
 *  - lists expand the lists they name; quoted items ('"a b"') are unquoted;
 *  - macros are parsed and checked in dependency order; one using a field
 *    Vigil does not know is an error only when an enabled rule uses it (or
 *    skips that rule, with skip-if-unknown-filter: true);
 *  - rules: disabled ones are not compiled; `source` other than syscall is
 *    skipped (refinements of them are accepted); each exception with values
 *    adds "and not (...)" (written by rules_exc.c);
 *  - outputs are split into literal text and %fields ("%proc.aname[2]",
 *    "%evt.arg.flags"); a '%' not followed by a letter is text;
 *  - a rule that can match no event type Vigil produces is skipped; one with
 *    no evt.type restriction is a warning (unless warn_evttypes: false).
 * Errors in conditions are reported where they are written (rules_pos.c).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "event_types.h"
#include "rules_int.h"

/* ------------------------------------------------------------------------ */
/* Compilation: lists                                                        */

/* Falco writes items with spaces quoted inside the YAML string:
 * '"sh -c uname"'. The value is what is between the quotes. */
static char *unquote(const char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0])
		return rl_xstrndup(s + 1, n - 2);
	return rl_xstrdup(s);
}

static void list_expand(struct ld *ld, struct list_def *l)
{
	if (l->state != L_NEW)
		return;
	l->state = L_BUSY;
	for (size_t i = 0; i < l->n; i++) {
		struct list_def *sub = rl_find_list(ld, l->items[i]);

		if (!sub) {
			PUSH(l->exp, l->nexp, l->capexp, unquote(l->items[i]));
			continue;
		}
		if (sub->state == L_BUSY) {
			ERR(ld, l->pos, l->name, "list '%s' is part of a cycle (it includes '%s')",
			    l->name, sub->name);
			l->state = L_FAILED;
			return;
		}
		list_expand(ld, sub);
		if (sub->state == L_FAILED) {
			l->state = L_FAILED;
			return;
		}
		for (size_t j = 0; j < sub->nexp; j++)
			PUSH(l->exp, l->nexp, l->capexp, rl_xstrdup(sub->exp[j]));
	}
	l->state = L_DONE;
}

static const struct vigil_cond always_true = {.kind = VIGIL_N_TRUE};

static const struct vigil_cond *env_macro(void *arg, const char *name)
{
	struct macro_def *m = rl_find_macro(arg, name);

	if (!m)
		return NULL;
	return m->state == M_OK ? m->tree : &always_true; /* failures are reported apart */
}

static bool env_list(void *arg, const char *name, char *const **items, size_t *n)
{
	struct list_def *l = rl_find_list(arg, name);

	if (!l || l->state != L_DONE)
		return false;
	*items = l->exp;
	*n = l->nexp;
	return true;
}

/* ------------------------------------------------------------------------ */
/* Compilation: conditions and macros                                        */

/* The parser's messages name the offending token already. */
static void cond_msg(const struct vigil_cond_error *e, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s", e->msg[0] ? e->msg : "invalid condition");
}

static struct pos cond_pos(const struct text *t, const struct vigil_cond_error *e)
{
	if (e->line <= 0)
		return rl_text_pos(t, 0);
	return rl_text_pos(t, rl_text_offset(t->s, t->len, e->line, e->col));
}

static void cond_error(struct ld *ld, enum vigil_diag_kind kind, const struct text *t,
		       const struct vigil_cond_error *e, const char *item, const char *prefix)
{
	char msg[300];

	cond_msg(e, msg, sizeof(msg));
	rl_diag_at(ld, kind, cond_pos(t, e), item, "%s%s", prefix, msg);
}

/* A field name (not in the table) with the argument forms of the table: the
 * token of a parse error was an unknown field, rather than bad syntax or a
 * bad argument to a known field. */
static bool unknown_field(const char *tok)
{
	struct vigil_field_ref ref;
	const char *why;

	if (!isalpha((unsigned char)tok[0]) || !strchr(tok, '.'))
		return false;
	for (const char *p = tok; *p && *p != '[' && *p != ' '; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
			return false;
	if (vigil_field_parse(tok, &ref, &why) > 0)
		return false;
	for (size_t i = 0; i < vigil_field_count(); i++) {
		const struct vigil_field_def *def = vigil_field_def((uint16_t)i);
		size_t n = strlen(def->name);

		if (!strncmp(tok, def->name, n) && (tok[n] == '\0' || tok[n] == '[' ||
						    (tok[n] == '.' && def->arg == VIGIL_FARG_KEY)))
			return false;
	}
	return true;
}

struct names {
	const char **v;
	size_t n, cap;
};

/* The macros (bare identifiers) a tree uses. */
static void macro_refs(const struct vigil_cond *c, struct names *out)
{
	for (; c; c = c->b) {
		if (c->kind == VIGIL_N_MACRO && c->ident)
			PUSH(out->v, out->n, out->cap, c->ident);
		macro_refs(c->a, out);
		if (c->kind != VIGIL_N_AND && c->kind != VIGIL_N_OR)
			break;
	}
}

/* An empty condition would be "always true": a mistake, not a wish. */
static bool empty_cond(struct ld *ld, const struct text *t, const char *item)
{
	if (!rl_blank_range(t->s, 0, t->len))
		return false;
	ERR(ld, rl_text_pos(t, 0), item, "empty condition");
	return true;
}

static void macro_parse(struct ld *ld, struct macro_def *m)
{
	struct vigil_cond_error err = {0};
	char msg[300];

	if (empty_cond(ld, &m->cond, m->name)) {
		m->state = M_FAILED;
		return;
	}
	m->tree = vigil_cond_parse(m->cond.s, &err);
	if (m->tree) {
		m->state = M_PARSED;
		return;
	}
	if (!unknown_field(err.token)) {
		cond_error(ld, VIGIL_DIAG_ERROR, &m->cond, &err, m->name, "");
		m->state = M_FAILED;
		return;
	}
	/* As in Falco, unknown fields matter only in the macros rules use. */
	cond_msg(&err, msg, sizeof(msg));
	m->why = rl_xstrdup(msg);
	m->why_pos = cond_pos(&m->cond, &err);
	m->state = M_UNKNOWN;
	m->cause = m;
}

static void macro_check(struct ld *ld, struct macro_def *m);

/* Checks the macros m uses first; m inherits their failure. */
static void macro_check_deps(struct ld *ld, struct macro_def *m)
{
	struct names deps = {0};

	macro_refs(m->tree, &deps);
	for (size_t i = 0; i < deps.n && m->state == M_CHECKING; i++) {
		struct macro_def *d = rl_find_macro(ld, deps.v[i]);

		if (!d)
			continue; /* reported by the resolver, at its place in m */
		if (d->state == M_CHECKING) {
			ERR(ld, m->pos, m->name, "macro '%s' uses itself (through '%s')", m->name,
			    d->name);
			m->state = M_FAILED;
			break;
		}
		macro_check(ld, d);
		if (d->state == M_FAILED) {
			m->state = M_FAILED;
		} else if (d->state == M_UNKNOWN) {
			m->state = M_UNKNOWN;
			m->cause = d->cause;
		}
	}
	free(deps.v);
}

static void macro_check(struct ld *ld, struct macro_def *m)
{
	struct vigil_cond_error err = {0};
	struct vigil_cond *c;

	if (m->state != M_PARSED)
		return;
	m->state = M_CHECKING;
	macro_check_deps(ld, m);
	if (m->state != M_CHECKING)
		return;
	c = vigil_cond_clone(m->tree);
	if (!c)
		rl_oom();
	if (vigil_cond_resolve(&c, &ld->env, &err) == 0) {
		m->state = M_OK;
	} else {
		cond_error(ld, VIGIL_DIAG_ERROR, &m->cond, &err, m->name, "");
		m->state = M_FAILED;
	}
	vigil_cond_free(c);
}

/* Whether every macro the rule uses can be inlined. When one uses an unknown
 * field: skipped with skip-if-unknown-filter, else an error at the macro. */
static bool rule_macros_ok(struct ld *ld, struct rule_def *d, const struct vigil_cond *c)
{
	struct names refs = {0};
	bool ok = true;

	macro_refs(c, &refs);
	for (size_t i = 0; i < refs.n && ok; i++) {
		struct macro_def *m = rl_find_macro(ld, refs.v[i]);

		if (!m || m->state == M_OK)
			continue;
		ok = false;
		if (m->state != M_UNKNOWN)
			continue;
		if (d->skip_unknown) {
			SKIP(ld, d->pos, d->r->name, "skip-if-unknown-filter: %s (macro '%s')",
			     m->cause->why, m->cause->name);
		} else if (!m->cause->reported) {
			m->cause->reported = true;
			ERR(ld, m->cause->why_pos, m->cause->name, "%s (used by rule '%s')",
			    m->cause->why, d->r->name);
		}
	}
	free(refs.v);
	return ok;
}

/* "c and not e", as the exceptions are added. */
static struct vigil_cond *and_not(struct vigil_cond *c, struct vigil_cond *e)
{
	struct vigil_cond *n = rl_xcalloc(1, sizeof(*n)), *a = rl_xcalloc(1, sizeof(*a));

	n->kind = VIGIL_N_NOT;
	n->a = e;
	a->kind = VIGIL_N_AND;
	a->a = c;
	a->b = n;
	return a;
}

/* Parses and resolves one exception's clause; reported at the exception. */
static int exc_cond(struct ld *ld, struct rule_def *d, const struct exc_def *x,
		    struct vigil_cond **out)
{
	struct vigil_cond_error err = {0};
	char msg[300], *txt;
	struct vigil_cond *c;

	*out = NULL;
	for (size_t i = 0; i < x->nfields; i++) {
		if (!unknown_field(x->fields[i]))
			continue;
		if (d->skip_unknown)
			SKIP(ld, x->pos, d->r->name,
			     "skip-if-unknown-filter: unknown field '%s' (exception '%s')",
			     x->fields[i], x->name);
		else
			ERR(ld, x->pos, d->r->name, "exception '%s': unknown field '%s'", x->name,
			    x->fields[i]);
		return -1;
	}
	txt = rl_exc_text(x);
	if (!txt)
		return 0; /* no values: nothing to exclude */
	c = vigil_cond_parse(txt, &err);
	if (c && vigil_cond_resolve(&c, &ld->env, &err) == 0) {
		free(txt);
		*out = c;
		return 0;
	}
	vigil_cond_free(c);
	cond_msg(&err, msg, sizeof(msg));
	ERR(ld, x->pos, d->r->name, "exception '%s': %s (in \"%s\")", x->name, msg, txt);
	free(txt);
	return -1;
}

/* The rule's compiled condition: its own text resolved, then each
 * exception's clause as "and not (...)". NULL after a diagnostic. */
static struct vigil_cond *rule_cond(struct ld *ld, struct rule_def *d)
{
	struct vigil_cond_error err = {0};
	struct vigil_cond *c, *e;

	if (empty_cond(ld, &d->cond, d->r->name))
		return NULL;
	c = vigil_cond_parse(d->cond.s, &err);
	if (!c) {
		if (d->skip_unknown && unknown_field(err.token))
			cond_error(ld, VIGIL_DIAG_SKIPPED, &d->cond, &err, d->r->name,
				   "skip-if-unknown-filter: ");
		else
			cond_error(ld, VIGIL_DIAG_ERROR, &d->cond, &err, d->r->name, "");
		return NULL;
	}
	if (!rule_macros_ok(ld, d, c)) {
		vigil_cond_free(c);
		return NULL;
	}
	if (vigil_cond_resolve(&c, &ld->env, &err)) {
		cond_error(ld, VIGIL_DIAG_ERROR, &d->cond, &err, d->r->name, "");
		vigil_cond_free(c);
		return NULL;
	}
	for (size_t i = 0; i < d->nexc; i++) {
		if (exc_cond(ld, d, &d->exc[i], &e)) {
			vigil_cond_free(c);
			return NULL;
		}
		if (e)
			c = and_not(c, e);
	}
	return c;
}

/* ------------------------------------------------------------------------ */
/* Compilation: outputs and event types                                      */

static void add_part(struct vigil_rule *r, size_t *cap, bool is_field, const char *s, size_t n,
		     const struct vigil_field_ref *ref)
{
	struct vigil_output_part p = {is_field, rl_xstrndup(s, n), {0}};

	if (ref)
		p.field = *ref;
	PUSH(r->out_parts, r->nout_parts, *cap, p);
}

/* The field at s ("proc.name", "proc.aname[2]"...): its length, or 0 with
 * *why set. A full stop after the name ("by %user.name.") is not part of it. */
static size_t output_field(const char *s, struct vigil_field_ref *ref, const char **why)
{
	size_t n = vigil_field_parse(s, ref, why), w = 0;
	const char *why2;
	char *t;

	if (n)
		return n;
	while (isalnum((unsigned char)s[w]) || s[w] == '.' || s[w] == '_')
		w++;
	if (w < 2 || s[w - 1] != '.')
		return 0;
	while (w > 0 && s[w - 1] == '.')
		w--;
	t = rl_xstrndup(s, w);
	n = vigil_field_parse(t, ref, &why2);
	free(t);
	return n == w ? n : 0;
}

static void trim_parts(struct vigil_rule *r)
{
	struct vigil_output_part *p;
	size_t n;

	if (r->nout_parts && !r->out_parts[0].is_field) {
		p = &r->out_parts[0];
		n = strspn(p->text, " \t\r\n");
		memmove(p->text, p->text + n, strlen(p->text + n) + 1);
	}
	if (r->nout_parts && !r->out_parts[r->nout_parts - 1].is_field) {
		p = &r->out_parts[r->nout_parts - 1];
		n = strlen(p->text);
		while (n && isspace((unsigned char)p->text[n - 1]))
			p->text[--n] = '\0';
	}
	for (size_t i = 0; i < r->nout_parts; i++) {
		if (r->out_parts[i].is_field || r->out_parts[i].text[0])
			continue;
		free(r->out_parts[i].text);
		memmove(&r->out_parts[i], &r->out_parts[i + 1],
			(r->nout_parts - i - 1) * sizeof(r->out_parts[0]));
		r->nout_parts--;
		i--;
	}
}

/* Splits the output into literal text and %fields. */
static int rule_output(struct ld *ld, struct rule_def *d)
{
	struct vigil_rule *r = d->r;
	const char *s = d->output.s ? d->output.s : "";
	size_t cap = 0, lit = 0, i = 0;
	int rc = 0;

	while (s[i]) {
		struct vigil_field_ref ref;
		const char *why = "unknown field";
		size_t n;

		if (s[i] != '%' || !isalpha((unsigned char)s[i + 1])) {
			i++;
			continue;
		}
		n = output_field(s + i + 1, &ref, &why);
		if (!n) {
			size_t w = strcspn(s + i + 1, " \t\n,;:()=\"'");

			ERR(ld, rl_text_pos(&d->output, i), r->name, "%s '%.*s' in output", why,
			    (int)w, s + i + 1);
			rc = -1;
			i++;
			continue;
		}
		if (i > lit)
			add_part(r, &cap, false, s + lit, i - lit, NULL);
		add_part(r, &cap, true, s + i + 1, n, &ref);
		i += n + 1;
		lit = i;
	}
	if (i > lit)
		add_part(r, &cap, false, s + lit, i - lit, NULL);
	trim_parts(r);
	return rc;
}

/* Adds name to the comma-separated b unless Vigil knows it or b has it. */
static void add_type_name(struct sbuf *b, const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (!name || vigil_type_by_name(name))
		return;
	for (const char *p = b->s; p && (p = strstr(p, name)); p += n)
		if ((p == b->s || p[-1] == ' ') && (p[n] == ',' || !p[n]))
			return;
	rl_sb_puts(b, b->len ? ", " : "");
	rl_sb_puts(b, name);
}

/* The names in "evt.type = x" / "evt.type in (...)" that Vigil has no type
 * for, to say why a rule matches nothing. */
static void unknown_types(const struct ld *ld, const struct vigil_cond *c, struct sbuf *b)
{
	for (; c; c = c->b) {
		if (c->kind == VIGIL_N_CMP && c->field.id == ld->evt_type.id &&
		    (c->op == VIGIL_OP_EQ || c->op == VIGIL_OP_IN)) {
			for (size_t i = 0; i < c->nvals; i++)
				add_type_name(b, c->vals[i].text);
		}
		unknown_types(ld, c->a, b);
		if (c->kind != VIGIL_N_AND && c->kind != VIGIL_N_OR)
			break;
	}
}

/* Fills the rule's types; false when it matches none Vigil produces. */
static bool rule_types(struct ld *ld, struct rule_def *d)
{
	struct vigil_rule *r = d->r;
	struct sbuf b = {0};
	size_t n = 0;

	vigil_cond_event_types(r->cond, r->types);
	r->types[VIGIL_EVT_NONE] = false;
	for (int t = 1; t < VIGIL_EVT_MAX; t++)
		n += r->types[t];
	if (n == VIGIL_EVT_MAX - 1 && d->warn_evttypes)
		WARN(ld, d->pos, r->name, "no evt.type restriction: evaluated on every event");
	if (n) {
		r->cond = vigil_cond_simplify(r->cond, r->types);
		return true;
	}
	if (ld->have_evt_type)
		unknown_types(ld, r->cond, &b);
	SKIP(ld, d->pos, r->name, "matches no event type Vigil observes%s%s%s",
	     b.len ? " (evt.type in (" : "", b.len ? b.s : "", b.len ? "))" : "");
	free(b.s);
	return false;
}

static void compile_rule(struct ld *ld, struct rule_def *d)
{
	struct vigil_rule *r = d->r;
	size_t skipped = ld->diag->skipped;
	int out_rc;

	r->cond = rule_cond(ld, d);
	if (!r->cond && ld->diag->skipped != skipped)
		return; /* skip-if-unknown-filter: the output does not matter */
	out_rc = rule_output(ld, d);
	if (!r->cond || out_rc || !rule_types(ld, d))
		return;
	r->condition_text = rl_xstrdup(d->cond.s);
	r->output = rl_xstrdup_trim(d->output.s);
	d->ok = true;
}

void rl_compile(struct ld *ld)
{
	const char *why;

	ld->env = (struct vigil_cond_env){env_macro, env_list, ld};
	ld->have_evt_type = vigil_field_parse("evt.type", &ld->evt_type, &why) > 0;
	for (size_t i = 0; i < ld->nlists; i++)
		list_expand(ld, ld->lists[i]);
	for (size_t i = 0; i < ld->nmacros; i++)
		macro_parse(ld, ld->macros[i]);
	for (size_t i = 0; i < ld->nmacros; i++)
		macro_check(ld, ld->macros[i]);
	for (size_t i = 0; i < ld->nrules; i++) {
		struct rule_def *d = ld->rules[i];

		if (!d->other_source && !d->broken && d->r->enabled)
			compile_rule(ld, d);
	}
}
