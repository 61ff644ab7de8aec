/* rules.c - Falco-format rule files: load, refine, compile, evaluate.
 *
 * This file has what the stages share (allocation, diagnostics, priorities,
 * the definitions' lookup and freeing), the compiled ruleset with its index
 * by event type and its evaluation, and the entry points. The stages:
 * rules_read.c reads every file into definitions (lists, macros, rules, by
 * name, in file order; later items refine earlier ones), rules_exc.c reads
 * and writes out exceptions, rules_compile.c compiles once every file is
 * read, rules_pos.c maps places in assembled conditions back to the files.
 *
 * Every problem goes to struct vigil_diag with file, line and column. An
 * error inside a condition is mapped back through the YAML scalar (block
 * scalars, folded lines, pieces appended from other files) to where it is
 * written. Loading goes on after an error, to report them all.
 *
 * Allocation failures while loading abort (rl_xmalloc...): loading happens at
 * start and on SIGHUP, never per event. Evaluation allocates nothing.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "rules_int.h"

/* ------------------------------------------------------------------------ */
/* Allocation and strings                                                    */

void rl_oom(void)
{
	fputs("vigil: out of memory while loading rules\n", stderr);
	abort();
}

void *rl_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		rl_oom();
	return p;
}

void *rl_xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p)
		rl_oom();
	return p;
}

void *rl_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		rl_oom();
	return p;
}

char *rl_xstrndup(const char *s, size_t n)
{
	char *d = rl_xmalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *rl_xstrdup(const char *s)
{
	return s ? rl_xstrndup(s, strlen(s)) : NULL;
}

char *rl_xstrdup_trim(const char *s)
{
	size_t n;

	s += strspn(s, " \t\r\n");
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return rl_xstrndup(s, n);
}

void *rl_grow(void *v, size_t *cap, size_t need, size_t sz)
{
	if (need <= *cap)
		return v;
	*cap = *cap ? *cap * 2 : 8;
	if (*cap < need)
		*cap = need;
	return rl_xrealloc(v, *cap * sz);
}

void rl_free_strs(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void rl_sb_putn(struct sbuf *b, const char *s, size_t n)
{
	b->s = rl_grow(b->s, &b->cap, b->len + n + 1, 1);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void rl_sb_puts(struct sbuf *b, const char *s)
{
	rl_sb_putn(b, s, strlen(s));
}

/* ------------------------------------------------------------------------ */
/* Diagnostics and priorities                                                */

static void diag_vadd(struct vigil_diag *d, enum vigil_diag_kind kind, const char *file, int line,
		      int col, const char *item, const char *fmt, va_list ap)
{
	struct vigil_diag_entry e = {kind, rl_xstrdup(file), line, col, rl_xstrdup(item), NULL};

	if (vasprintf(&e.msg, fmt, ap) < 0)
		rl_oom();
	PUSH(d->v, d->n, d->cap, e);
	if (kind == VIGIL_DIAG_ERROR)
		d->errors++;
	else if (kind == VIGIL_DIAG_WARNING)
		d->warnings++;
	else
		d->skipped++;
}

void rl_diag_add(struct vigil_diag *d, enum vigil_diag_kind kind, const char *file, int line,
		 int col, const char *item, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, kind, file, line, col, item, fmt, ap);
	va_end(ap);
}

void rl_diag_at(struct ld *ld, enum vigil_diag_kind kind, struct pos p, const char *item,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(ld->diag, kind, p.f ? p.f->name : NULL, p.line, p.col, item, fmt, ap);
	va_end(ap);
}

void vigil_diag_free(struct vigil_diag *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].item);
		free(d->v[i].msg);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

void vigil_diag_print(const struct vigil_diag *d, FILE *out)
{
	static const char *const kinds[] = {"error", "warning", "skipped"};

	for (size_t i = 0; i < d->n; i++) {
		const struct vigil_diag_entry *e = &d->v[i];

		fputs(e->file ? e->file : "<rules>", out);
		if (e->line > 0)
			fprintf(out, ":%d", e->line);
		if (e->line > 0 && e->col > 0)
			fprintf(out, ":%d", e->col);
		fprintf(out, ": %s: ", kinds[e->kind]);
		if (e->item)
			fprintf(out, "[%s] ", e->item);
		fprintf(out, "%s\n", e->msg);
	}
}

static const char *const prio_names[] = {
    [VIGIL_PRIO_EMERGENCY] = "Emergency",
    [VIGIL_PRIO_ALERT] = "Alert",
    [VIGIL_PRIO_CRITICAL] = "Critical",
    [VIGIL_PRIO_ERROR] = "Error",
    [VIGIL_PRIO_WARNING] = "Warning",
    [VIGIL_PRIO_NOTICE] = "Notice",
    [VIGIL_PRIO_INFORMATIONAL] = "Informational",
    [VIGIL_PRIO_DEBUG] = "Debug",
};

const char *vigil_priority_name(enum vigil_priority p)
{
	if ((unsigned)p >= ARRAY_SIZE(prio_names))
		return "Unknown";
	return prio_names[p];
}

int vigil_priority_parse(const char *s)
{
	if (!s)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(prio_names); i++)
		if (strcasecmp(s, prio_names[i]) == 0)
			return (int)i;
	if (strcasecmp(s, "info") == 0)
		return VIGIL_PRIO_INFORMATIONAL;
	return -1;
}

/* ------------------------------------------------------------------------ */
/* Definitions: lookup and freeing                                           */

struct list_def *rl_find_list(const struct ld *ld, const char *name)
{
	for (size_t i = 0; i < ld->nlists; i++)
		if (strcmp(ld->lists[i]->name, name) == 0)
			return ld->lists[i];
	return NULL;
}

struct macro_def *rl_find_macro(const struct ld *ld, const char *name)
{
	for (size_t i = 0; i < ld->nmacros; i++)
		if (strcmp(ld->macros[i]->name, name) == 0)
			return ld->macros[i];
	return NULL;
}

static void list_free(struct list_def *l)
{
	free(l->name);
	rl_free_strs(l->items, l->n);
	rl_free_strs(l->exp, l->nexp);
	free(l);
}

static void macro_free(struct macro_def *m)
{
	free(m->name);
	rl_text_free(&m->cond);
	vigil_cond_free(m->tree);
	free(m->why);
	free(m);
}

static void rule_free(struct vigil_rule *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->desc);
	free(r->condition_text);
	free(r->output);
	rl_free_strs(r->tags, r->ntags);
	free(r->file);
	vigil_cond_free(r->cond);
	for (size_t i = 0; i < r->nout_parts; i++)
		free(r->out_parts[i].text);
	free(r->out_parts);
	free(r);
}

void rl_rule_def_clear(struct rule_def *d)
{
	char *name = d->r->name;

	d->r->name = NULL;
	rule_free(d->r);
	rl_text_free(&d->cond);
	rl_text_free(&d->output);
	rl_exc_free_all(d);
	memset(d, 0, sizeof(*d));
	d->r = rl_xcalloc(1, sizeof(*d->r));
	d->r->name = name;
	d->r->enabled = true;
	d->r->priority = VIGIL_PRIO_DEBUG;
	d->warn_evttypes = true;
}

static void rule_def_free(struct rule_def *d)
{
	if (!d->ok)
		rule_free(d->r);
	rl_text_free(&d->cond);
	rl_text_free(&d->output);
	rl_exc_free_all(d);
	free(d);
}

static void ld_free(struct ld *ld)
{
	for (size_t i = 0; i < ld->nlists; i++)
		list_free(ld->lists[i]);
	for (size_t i = 0; i < ld->nmacros; i++)
		macro_free(ld->macros[i]);
	for (size_t i = 0; i < ld->nrules; i++)
		rule_def_free(ld->rules[i]);
	for (size_t i = 0; i < ld->nfiles; i++) {
		free(ld->files[i]->name);
		free(ld->files[i]->buf);
		free(ld->files[i]);
	}
	free(ld->lists);
	free(ld->macros);
	free(ld->rules);
	free(ld->files);
}

/* ------------------------------------------------------------------------ */
/* The ruleset                                                               */

/* One index entry: a rule and its condition specialised to that one event
 * type (evt.type tests folded away), so each event only pays for what can
 * still differ between events of its type. */
struct index_entry {
	const struct vigil_rule *rule;
	struct vigil_cond *cond;
};

struct vigil_ruleset {
	struct vigil_rule **rules; /* enabled, compiled, in file order */
	size_t n;
	bool types[VIGIL_EVT_MAX];
	struct index_entry *index; /* by type: index[start[t] .. start[t + 1]) */
	size_t start[VIGIL_EVT_MAX + 1];
};

static struct vigil_cond *specialise(const struct vigil_rule *r, int type)
{
	bool only[VIGIL_EVT_MAX] = {0};
	struct vigil_cond *c = vigil_cond_clone(r->cond);

	if (!c)
		rl_oom();
	only[type] = true;
	return vigil_cond_simplify(c, only);
}

static void build_index(struct vigil_ruleset *rs)
{
	size_t fill[VIGIL_EVT_MAX] = {0}, total = 0;

	for (int t = 0; t < VIGIL_EVT_MAX; t++) {
		rs->start[t] = total;
		for (size_t i = 0; i < rs->n; i++)
			total += rs->rules[i]->types[t];
	}
	rs->start[VIGIL_EVT_MAX] = total;
	rs->index = rl_xcalloc(total ? total : 1, sizeof(*rs->index));
	for (size_t i = 0; i < rs->n; i++) {
		for (int t = 0; t < VIGIL_EVT_MAX; t++) {
			struct index_entry *e;

			if (!rs->rules[i]->types[t])
				continue;
			e = &rs->index[rs->start[t] + fill[t]++];
			e->rule = rs->rules[i];
			e->cond = specialise(rs->rules[i], t);
			rs->types[t] = true;
		}
	}
}

static struct vigil_ruleset *build(struct ld *ld)
{
	struct vigil_ruleset *rs = rl_xcalloc(1, sizeof(*rs));

	rs->rules = rl_xcalloc(ld->nrules, sizeof(*rs->rules));
	for (size_t i = 0; i < ld->nrules; i++)
		if (ld->rules[i]->ok)
			rs->rules[rs->n++] = ld->rules[i]->r;
	build_index(rs);
	return rs;
}

void vigil_ruleset_free(struct vigil_ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++)
		rule_free(rs->rules[i]);
	for (size_t i = 0; i < rs->start[VIGIL_EVT_MAX]; i++)
		vigil_cond_free(rs->index[i].cond);
	free(rs->rules);
	free(rs->index);
	free(rs);
}

size_t vigil_ruleset_count(const struct vigil_ruleset *rs)
{
	return rs ? rs->n : 0;
}

const struct vigil_rule *vigil_ruleset_rule(const struct vigil_ruleset *rs, size_t i)
{
	return rs && i < rs->n ? rs->rules[i] : NULL;
}

bool vigil_ruleset_read_dirs(const struct vigil_ruleset *rs, struct vigil_dirset *set)
{
	static const int open_types[] = {VIGIL_EVT_OPEN, VIGIL_EVT_OPENAT, VIGIL_EVT_OPENAT2};

	set->n = 0;
	if (!rs)
		return false;
	for (size_t k = 0; k < sizeof(open_types) / sizeof(open_types[0]); k++) {
		int t = open_types[k];

		for (size_t i = rs->start[t]; i < rs->start[t + 1]; i++)
			if (vigil_cond_reads(rs->index[i].cond, set) == VIGIL_READS_ANY)
				return false;
	}
	return true;
}

void vigil_ruleset_event_types(const struct vigil_ruleset *rs, bool types[VIGIL_EVT_MAX])
{
	for (int t = 0; t < VIGIL_EVT_MAX; t++)
		types[t] = rs && rs->types[t];
}

size_t vigil_ruleset_eval(const struct vigil_ruleset *rs, struct vigil_eval_ctx *ctx,
			  vigil_match_fn fn, void *arg)
{
	uint32_t t;
	size_t hits = 0;

	if (!rs || !ctx->ev || !ctx->ev->hdr)
		return 0;
	t = ctx->ev->hdr->type;
	if (t >= VIGIL_EVT_MAX)
		return 0;
	for (size_t i = rs->start[t]; i < rs->start[t + 1]; i++) {
		const struct index_entry *e = &rs->index[i];

		if (!vigil_cond_eval(e->cond, ctx))
			continue;
		hits++;
		if (fn)
			fn(e->rule, ctx, arg);
	}
	return hits;
}

/* ------------------------------------------------------------------------ */
/* Entry points                                                              */

/* Compiles what was read; the ruleset, or NULL when there was an error. */
static struct vigil_ruleset *finish(struct ld *ld, size_t errors_before)
{
	struct vigil_ruleset *rs = NULL;

	rl_compile(ld);
	if (ld->diag->errors == errors_before)
		rs = build(ld);
	else
		for (size_t i = 0; i < ld->nrules; i++)
			ld->rules[i]->ok = false; /* freed with the definitions */
	ld_free(ld);
	return rs;
}

struct vigil_ruleset *vigil_ruleset_load(const char *const *paths, size_t npaths,
					 struct vigil_diag *diag)
{
	struct vigil_diag local = {0};
	struct ld ld = {.diag = diag ? diag : &local};
	size_t before = ld.diag->errors;
	struct vigil_ruleset *rs;

	for (size_t i = 0; i < npaths; i++)
		rl_load_path(&ld, paths[i]);
	rs = finish(&ld, before);
	vigil_diag_free(&local);
	return rs;
}

struct vigil_ruleset *vigil_ruleset_load_buffer(const char *name, const char *yaml, size_t len,
						struct vigil_diag *diag)
{
	struct vigil_diag local = {0};
	struct ld ld = {.diag = diag ? diag : &local};
	size_t before = ld.diag->errors;
	struct vigil_ruleset *rs;

	rl_load_text(&ld, name ? name : "<buffer>", rl_xstrndup(yaml ? yaml : "", yaml ? len : 0),
		     yaml ? len : 0);
	rs = finish(&ld, before);
	vigil_diag_free(&local);
	return rs;
}
