/* rules.c - Falco-format rule files: load, refine, compile, evaluate.
 *
 * Loading reads each file's YAML documents (libyaml, node tree: every node
 * keeps its line and column) into definitions: lists, macros and rules, by
 * name, in file order. Later items refine earlier ones (`append: true`,
 * `override: {key: append|replace}`); a plain redefinition replaces in place.
 * Nothing is compiled until every file is read, so items may refer to names
 * defined further down or in later files.
 *
 * Compilation: lists are expanded (lists may name lists), macros are parsed
 * and checked one by one in dependency order, then every enabled rule's
 * condition is parsed, resolved (macros inlined, lists expanded), combined
 * with its exceptions ("and not (...)"), its output split into literal text
 * and %fields, and the rule indexed under the event types it can match.
 *
 * Every problem goes to struct vigil_diag with its file, line and column:
 * errors inside a condition are mapped back through the YAML scalar (block
 * scalars, folded lines, appended pieces from other files) to the physical
 * line. Loading goes on after an error so that one run reports them all.
 *
 * Allocation failures while loading abort (xmalloc): rule loading happens at
 * start and on SIGHUP, never per event. Evaluation allocates nothing.
 *
 * Sections: diagnostics and priorities; allocation and strings; positions;
 * YAML helpers; definitions; reading items; refining rules; exceptions;
 * compilation; the ruleset; entry points.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>
#include "event_types.h"
#include "rules.h"

/* ------------------------------------------------------------------------ */
/* Allocation and strings                                                    */

static void oom(void)
{
	fputs("vigil: out of memory while loading rules\n", stderr);
	abort();
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p)
		oom();
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static char *xstrdup(const char *s)
{
	return s ? xstrndup(s, strlen(s)) : NULL;
}

/* A copy without the blanks around (folded YAML scalars end in "\n"). */
static char *xstrdup_trim(const char *s)
{
	size_t n;

	s += strspn(s, " \t\r\n");
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* Makes room for `need` elements of `sz` bytes in *v (capacity in *cap). */
static void *grow(void *v, size_t *cap, size_t need, size_t sz)
{
	if (need <= *cap)
		return v;
	*cap = *cap ? *cap * 2 : 8;
	if (*cap < need)
		*cap = need;
	return xrealloc(v, *cap * sz);
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define PUSH(v, n, cap, x)                                                                         \
	do {                                                                                       \
		(v) = grow((v), &(cap), (n) + 1, sizeof(*(v)));                                    \
		(v)[(n)++] = (x);                                                                  \
	} while (0)

static void free_strs(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* A growing string. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_putn(struct sbuf *b, const char *s, size_t n)
{
	b->s = grow(b->s, &b->cap, b->len + n + 1, 1);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

/* ------------------------------------------------------------------------ */
/* Diagnostics and priorities                                                */

static void diag_vadd(struct vigil_diag *d, enum vigil_diag_kind kind, const char *file, int line,
		      int col, const char *item, const char *fmt, va_list ap)
{
	struct vigil_diag_entry e = {kind, xstrdup(file), line, col, xstrdup(item), NULL};

	if (vasprintf(&e.msg, fmt, ap) < 0)
		oom();
	PUSH(d->v, d->n, d->cap, e);
	if (kind == VIGIL_DIAG_ERROR)
		d->errors++;
	else if (kind == VIGIL_DIAG_WARNING)
		d->warnings++;
	else
		d->skipped++;
}

static void diag_add(struct vigil_diag *d, enum vigil_diag_kind kind, const char *file, int line,
		     int col, const char *item, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, kind, file, line, col, item, fmt, ap);
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
/* Positions: from a byte of an assembled condition back to file:line:col    */

/* A loaded file, kept in memory until compilation is over. */
struct src_file {
	char *name;
	char *buf; /* NUL-terminated */
	size_t len;
};

struct pos {
	const struct src_file *f;
	int line, col; /* 1-based; 0 when unknown */
};

/* One YAML scalar that went into a text (a condition, an output). */
struct seg {
	size_t off; /* where its value starts in the text */
	const struct src_file *f;
	yaml_mark_t mark; /* the scalar node's start */
	yaml_scalar_style_t style;
};

/* A string assembled from scalars: a definition, then appends. */
struct text {
	char *s;
	size_t len;
	struct seg *segs;
	size_t nsegs, cap;
};

static void text_free(struct text *t)
{
	free(t->s);
	free(t->segs);
	memset(t, 0, sizeof(*t));
}

/* Sets (append false) or extends the text with a scalar, after a space as
 * Falco does. */
static void text_add(struct text *t, const struct src_file *f, const yaml_node_t *n, bool append)
{
	const char *v = (const char *)n->data.scalar.value;
	size_t vlen = n->data.scalar.length, off;
	struct seg s;

	if (!append)
		text_free(t);
	off = t->len ? t->len + 1 : 0;
	t->s = xrealloc(t->s, off + vlen + 1);
	if (off)
		t->s[t->len] = ' ';
	memcpy(t->s + off, v, vlen);
	t->s[off + vlen] = '\0';
	t->len = off + vlen;
	s = (struct seg){off, f, n->start_mark, n->data.scalar.style};
	PUSH(t->segs, t->nsegs, t->cap, s);
}

static const char *utf8_next(const char *p, const char *end)
{
	p++;
	while (p < end && ((unsigned char)*p & 0xc0) == 0x80)
		p++;
	return p;
}

/* The byte a libyaml mark (0-based line, column in characters) points at. */
static const char *mark_ptr(const struct src_file *f, yaml_mark_t m)
{
	const char *p = f->buf, *end = f->buf + f->len;
	size_t l = 0;

	while (l < m.line && p < end)
		if (*p++ == '\n')
			l++;
	for (size_t c = 0; c < m.column && p < end && *p != '\n'; c++)
		p = utf8_next(p, end);
	return p;
}

/* Where the n-th (from 0) non-blank character of a scalar's value is in the
 * file. Folding and indentation only change blanks, so counting the others
 * finds the place in plain, quoted and block scalars alike. */
static struct pos seg_walk(const struct seg *s, size_t n)
{
	const char *end = s->f->buf + s->f->len, *p = mark_ptr(s->f, s->mark);
	struct pos r = {s->f, (int)s->mark.line + 1, (int)s->mark.column + 1};

	if (s->style == YAML_LITERAL_SCALAR_STYLE || s->style == YAML_FOLDED_SCALAR_STYLE) {
		while (p < end && *p != '\n')
			p++;
		if (p < end)
			p++;
		r.line++;
		r.col = 1;
	} else if (s->style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		   s->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
		p++;
		r.col++;
	}
	while (p < end) {
		if (*p == '\n') {
			r.line++;
			r.col = 1;
			p++;
			continue;
		}
		if (!isspace((unsigned char)*p) && n-- == 0)
			break;
		p = utf8_next(p, end);
		r.col++;
	}
	return r;
}

static bool blank_range(const char *s, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

/* Position of byte `off` of the text (past the end: just after the last
 * character of the scalar it falls in). */
static struct pos text_pos(const struct text *t, size_t off)
{
	const struct seg *s;
	size_t end, n = 0;
	struct pos p;
	bool at_end;

	if (!t->nsegs)
		return (struct pos){0};
	s = &t->segs[0];
	for (size_t i = 1; i < t->nsegs; i++)
		if (t->segs[i].off <= off)
			s = &t->segs[i];
	end = s + 1 < t->segs + t->nsegs ? s[1].off : t->len;
	if (off > end)
		off = end;
	for (size_t i = s->off; i < off; i++)
		if (!isspace((unsigned char)t->s[i]))
			n++;
	at_end = blank_range(t->s, off, end);
	if (at_end && n == 0)
		return (struct pos){s->f, (int)s->mark.line + 1, (int)s->mark.column + 1};
	p = seg_walk(s, at_end ? n - 1 : n);
	if (at_end)
		p.col++;
	return p;
}

/* Byte offset of a 1-based line and column inside s. */
static size_t text_offset(const char *s, size_t len, int line, int col)
{
	size_t off = 0;
	int l = 1;

	while (l < line && off < len)
		if (s[off++] == '\n')
			l++;
	if (col > 1)
		off += (size_t)col - 1;
	return off < len ? off : len;
}

/* ------------------------------------------------------------------------ */
/* Definitions                                                               */

enum list_state { L_NEW, L_BUSY, L_DONE, L_FAILED };

struct list_def {
	char *name;
	char **items;
	size_t n, cap;
	struct pos pos;
	char **exp; /* compiled: names of lists replaced by their items, unquoted */
	size_t nexp, capexp;
	enum list_state state;
};

enum macro_state {
	M_NEW,	  /* not parsed yet */
	M_PARSED, /* parsed, not checked */
	M_CHECKING,
	M_OK,
	M_FAILED,  /* an error was reported (here or in a macro it uses) */
	M_UNKNOWN, /* uses a field Vigil does not know: an error only if a rule uses it */
};

struct macro_def {
	char *name;
	struct text cond;
	struct pos pos;
	struct vigil_cond *tree;
	enum macro_state state;
	struct macro_def *cause; /* M_UNKNOWN: the macro whose text has the field */
	char *why;		 /* on the cause: the message */
	struct pos why_pos;
	bool reported;
};

/* One value of an exception tuple: a scalar, or a list for `in`-like comps. */
struct exc_val {
	char *s;
	char **list;
	size_t nlist;
	bool is_list;
};

struct exc_row {
	struct exc_val *v;
	size_t n;
	struct pos pos;
};

struct exc_def {
	char *name;
	char **fields;
	char **comps;
	size_t nfields;
	bool single; /* `fields: name` rather than a list: values are one set */
	struct exc_row *rows;
	size_t nrows, caprows;
	struct pos pos;
};

struct rule_def {
	struct vigil_rule *r; /* name, desc, priority, tags, enabled, file, line */
	struct text cond, output;
	struct exc_def *exc;
	size_t nexc, capexc;
	struct pos pos;
	bool other_source; /* skipped: not a syscall rule */
	bool broken;	   /* its definition had errors (already reported) */
	bool skip_unknown; /* skip-if-unknown-filter */
	bool warn_evttypes;
	bool ok; /* compiled and kept */
};

struct ld {
	struct vigil_diag *diag;
	struct src_file **files;
	size_t nfiles, capfiles;
	struct list_def **lists;
	size_t nlists, caplists;
	struct macro_def **macros;
	size_t nmacros, capmacros;
	struct rule_def **rules;
	size_t nrules, caprules;
	/* the document being read */
	const struct src_file *f;
	yaml_document_t *doc;
	/* compilation */
	struct vigil_cond_env env;
	struct vigil_field_ref evt_type;
	bool have_evt_type;
};

static void diag_at(struct ld *ld, enum vigil_diag_kind kind, struct pos p, const char *item,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void diag_at(struct ld *ld, enum vigil_diag_kind kind, struct pos p, const char *item,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(ld->diag, kind, p.f ? p.f->name : NULL, p.line, p.col, item, fmt, ap);
	va_end(ap);
}

#define ERR(ld, p, item, ...)  diag_at(ld, VIGIL_DIAG_ERROR, p, item, __VA_ARGS__)
#define WARN(ld, p, item, ...) diag_at(ld, VIGIL_DIAG_WARNING, p, item, __VA_ARGS__)
#define SKIP(ld, p, item, ...) diag_at(ld, VIGIL_DIAG_SKIPPED, p, item, __VA_ARGS__)

static struct list_def *find_list(const struct ld *ld, const char *name)
{
	for (size_t i = 0; i < ld->nlists; i++)
		if (strcmp(ld->lists[i]->name, name) == 0)
			return ld->lists[i];
	return NULL;
}

static struct macro_def *find_macro(const struct ld *ld, const char *name)
{
	for (size_t i = 0; i < ld->nmacros; i++)
		if (strcmp(ld->macros[i]->name, name) == 0)
			return ld->macros[i];
	return NULL;
}

static struct rule_def *find_rule(const struct ld *ld, const char *name)
{
	for (size_t i = 0; i < ld->nrules; i++)
		if (strcmp(ld->rules[i]->r->name, name) == 0)
			return ld->rules[i];
	return NULL;
}

static void list_free(struct list_def *l)
{
	free(l->name);
	free_strs(l->items, l->n);
	free_strs(l->exp, l->nexp);
	free(l);
}

static void macro_free(struct macro_def *m)
{
	free(m->name);
	text_free(&m->cond);
	vigil_cond_free(m->tree);
	free(m->why);
	free(m);
}

static void exc_val_free(struct exc_val *v)
{
	free(v->s);
	free_strs(v->list, v->nlist);
}

static void exc_free(struct exc_def *x)
{
	free(x->name);
	free_strs(x->fields, x->nfields);
	free_strs(x->comps, x->nfields);
	for (size_t i = 0; i < x->nrows; i++) {
		for (size_t j = 0; j < x->rows[i].n; j++)
			exc_val_free(&x->rows[i].v[j]);
		free(x->rows[i].v);
	}
	free(x->rows);
}

static void exc_free_all(struct rule_def *d)
{
	for (size_t i = 0; i < d->nexc; i++)
		exc_free(&d->exc[i]);
	free(d->exc);
	d->exc = NULL;
	d->nexc = d->capexc = 0;
}

static void rule_free(struct vigil_rule *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->desc);
	free(r->condition_text);
	free(r->output);
	free_strs(r->tags, r->ntags);
	free(r->file);
	vigil_cond_free(r->cond);
	for (size_t i = 0; i < r->nout_parts; i++)
		free(r->out_parts[i].text);
	free(r->out_parts);
	free(r);
}

/* Empties a definition, keeping its name (and its place in the order). */
static void rule_def_clear(struct rule_def *d)
{
	char *name = d->r->name;

	d->r->name = NULL;
	rule_free(d->r);
	text_free(&d->cond);
	text_free(&d->output);
	exc_free_all(d);
	memset(d, 0, sizeof(*d));
	d->r = xcalloc(1, sizeof(*d->r));
	d->r->name = name;
	d->r->enabled = true;
	d->r->priority = VIGIL_PRIO_DEBUG;
	d->warn_evttypes = true;
}

static void rule_def_free(struct rule_def *d)
{
	if (!d->ok)
		rule_free(d->r);
	text_free(&d->cond);
	text_free(&d->output);
	exc_free_all(d);
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
/* YAML helpers                                                              */

static yaml_node_t *ynode(const struct ld *ld, int id)
{
	return yaml_document_get_node(ld->doc, id);
}

static struct pos npos(const struct ld *ld, const yaml_node_t *n)
{
	return (struct pos){ld->f, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1};
}

static const char *sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static bool is_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE;
}

/* `key:` with nothing, `~` or `null`. */
static bool is_null(const yaml_node_t *n)
{
	const char *v;

	if (!is_scalar(n) || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = sval(n);
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

static const char *node_kind(const yaml_node_t *n)
{
	if (n->type == YAML_SEQUENCE_NODE)
		return "a sequence";
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	return "a scalar";
}

static size_t seq_len(const yaml_node_t *n)
{
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static yaml_node_t *seq_at(const struct ld *ld, const yaml_node_t *n, size_t i)
{
	return ynode(ld, n->data.sequence.items.start[i]);
}

/* A string value, or NULL after an error naming the key. */
static const char *want_str(struct ld *ld, const yaml_node_t *n, const char *key, const char *item)
{
	if (is_scalar(n))
		return sval(n);
	ERR(ld, npos(ld, n), item, "'%s' must be a string, not %s", key, node_kind(n));
	return NULL;
}

static int want_bool(struct ld *ld, const yaml_node_t *n, const char *key, const char *item,
		     bool *out)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};

	for (size_t i = 0; is_scalar(n) && i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(sval(n), yes[i]) == 0)
			return *out = true, 0;
		if (strcasecmp(sval(n), no[i]) == 0)
			return *out = false, 0;
	}
	ERR(ld, npos(ld, n), item, "'%s' must be true or false", key);
	return -1;
}

/* A sequence of strings (null: none). */
static int want_strs(struct ld *ld, const yaml_node_t *n, const char *key, const char *item,
		     char ***out, size_t *nout)
{
	size_t cnt;

	*out = NULL;
	*nout = 0;
	if (is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE) {
		ERR(ld, npos(ld, n), item, "'%s' must be a sequence, not %s", key, node_kind(n));
		return -1;
	}
	cnt = seq_len(n);
	for (size_t i = 0; i < cnt; i++) {
		if (!is_scalar(seq_at(ld, n, i))) {
			ERR(ld, npos(ld, seq_at(ld, n, i)), item, "'%s' entries must be strings",
			    key);
			return -1;
		}
	}
	*out = xcalloc(cnt, sizeof(char *));
	for (size_t i = 0; i < cnt; i++)
		(*out)[i] = xstrdup(sval(seq_at(ld, n, i)));
	*nout = cnt;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Reading items                                                             */

enum key {
	K_NAME, /* list/macro/rule */
	K_ITEMS,
	K_COND,
	K_DESC,
	K_OUTPUT,
	K_PRIO,
	K_TAGS,
	K_ENABLED,
	K_EXC,
	K_SOURCE,
	K_APPEND,
	K_OVERRIDE,
	K_WARN,
	K_SKIPUF,
	K_COUNT,
};

static const char *const key_names[K_COUNT] = {
    [K_NAME] = "name",		[K_ITEMS] = "items",
    [K_COND] = "condition",	[K_DESC] = "desc",
    [K_OUTPUT] = "output",	[K_PRIO] = "priority",
    [K_TAGS] = "tags",		[K_ENABLED] = "enabled",
    [K_EXC] = "exceptions",	[K_SOURCE] = "source",
    [K_APPEND] = "append",	[K_OVERRIDE] = "override",
    [K_WARN] = "warn_evttypes", [K_SKIPUF] = "skip-if-unknown-filter",
};

#define B(k) (1u << (k))

enum kind { KIND_LIST, KIND_MACRO, KIND_RULE };

struct kind_desc {
	const char *word;
	unsigned keys;	      /* keys the item may have */
	unsigned can_append;  /* with override: append (and append: true) */
	unsigned can_replace; /* with override: replace */
	unsigned required;    /* for a new definition */
};

#define RULE_APPEND (B(K_COND) | B(K_OUTPUT) | B(K_DESC) | B(K_TAGS) | B(K_EXC))
#define REFINE_KEYS (B(K_NAME) | B(K_APPEND) | B(K_OVERRIDE) | B(K_SOURCE))

static const struct kind_desc kinds[] = {
    [KIND_LIST] = {"list", B(K_NAME) | B(K_ITEMS) | B(K_APPEND) | B(K_OVERRIDE), B(K_ITEMS),
		   B(K_ITEMS), B(K_ITEMS)},
    [KIND_MACRO] = {"macro", B(K_NAME) | B(K_COND) | B(K_APPEND) | B(K_OVERRIDE), B(K_COND),
		    B(K_COND), B(K_COND)},
    [KIND_RULE] = {"rule", B(K_COUNT) - 1, RULE_APPEND,
		   RULE_APPEND | B(K_PRIO) | B(K_ENABLED) | B(K_WARN) | B(K_SKIPUF),
		   B(K_COND) | B(K_OUTPUT) | B(K_PRIO) | B(K_DESC)},
};

/* One list/macro/rule item as written. */
struct item {
	enum kind kind;
	const char *name;
	struct pos pos;
	yaml_node_t *v[K_COUNT];
	unsigned present;
	bool refine;   /* append or override: the target must exist */
	bool toggle;   /* a rule item with only `enabled` */
	unsigned app;  /* keys whose value is appended */
	unsigned repl; /* keys whose value replaces */
};

static int key_index(const char *s)
{
	for (int k = 1; k < K_COUNT; k++)
		if (strcmp(s, key_names[k]) == 0)
			return k;
	return -1;
}

/* Collects the item's keys; unknown ones are warned about and ignored. */
static int item_keys(struct ld *ld, yaml_node_t *map, struct item *it)
{
	const struct kind_desc *kd = &kinds[it->kind];

	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = ynode(ld, p->key), *v = ynode(ld, p->value);
		int idx;

		if (!is_scalar(k)) {
			ERR(ld, npos(ld, k), it->name, "keys must be strings");
			return -1;
		}
		idx = strcmp(sval(k), kd->word) == 0 ? K_NAME : key_index(sval(k));
		if (idx < 0 || !(kd->keys & B(idx))) {
			WARN(ld, npos(ld, k), it->name, "unknown key '%s' in %s ignored", sval(k),
			     kd->word);
			continue;
		}
		if (it->present & B(idx)) {
			ERR(ld, npos(ld, k), it->name, "duplicate key '%s'", sval(k));
			return -1;
		}
		it->present |= B(idx);
		it->v[idx] = v;
	}
	return 0;
}

static int read_override(struct ld *ld, struct item *it)
{
	const struct kind_desc *kd = &kinds[it->kind];
	yaml_node_t *o = it->v[K_OVERRIDE];

	if (o->type != YAML_MAPPING_NODE) {
		ERR(ld, npos(ld, o), it->name,
		    "'override' must be a mapping of key: append|replace");
		return -1;
	}
	for (yaml_node_pair_t *p = o->data.mapping.pairs.start; p < o->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = ynode(ld, p->key), *v = ynode(ld, p->value);
		int idx = is_scalar(k) ? key_index(sval(k)) : -1;
		bool app = is_scalar(v) && !strcmp(sval(v), "append");
		bool rep = is_scalar(v) && !strcmp(sval(v), "replace");

		if (!app && !rep) {
			ERR(ld, npos(ld, v), it->name, "override values are append or replace");
			return -1;
		}
		if (idx < 0 || !((app ? kd->can_append : kd->can_replace) & B(idx))) {
			ERR(ld, npos(ld, k), it->name, "a %s's '%s' cannot be overridden with %s",
			    kd->word, is_scalar(k) ? sval(k) : "?", sval(v));
			return -1;
		}
		if (!(it->present & B(idx))) {
			ERR(ld, npos(ld, k), it->name, "override of '%s' but no '%s' given",
			    sval(k), sval(k));
			return -1;
		}
		if (app)
			it->app |= B(idx);
		else
			it->repl |= B(idx);
	}
	for (int k = 0; k < K_COUNT; k++) {
		if ((it->present & B(k)) && !(REFINE_KEYS & B(k)) &&
		    !((it->app | it->repl) & B(k))) {
			ERR(ld, npos(ld, it->v[k]), it->name,
			    "'%s' given without an override entry for it", key_names[k]);
			return -1;
		}
	}
	return 0;
}

/* Decides what the item does: define, append (legacy) or override. */
static int item_mode(struct ld *ld, struct item *it)
{
	const struct kind_desc *kd = &kinds[it->kind];
	bool append = false;

	if (it->v[K_APPEND] && want_bool(ld, it->v[K_APPEND], "append", it->name, &append))
		return -1;
	if (append && it->v[K_OVERRIDE]) {
		ERR(ld, it->pos, it->name, "'append' and 'override' cannot be used together");
		return -1;
	}
	if (it->v[K_OVERRIDE]) {
		it->refine = true;
		return read_override(ld, it);
	}
	if (!append) {
		it->repl = it->present & ~REFINE_KEYS;
		return 0;
	}
	it->refine = true;
	it->app = it->present & kd->can_append;
	for (int k = 0; k < K_COUNT; k++)
		if ((it->present & B(k)) && !((REFINE_KEYS | kd->can_append) & B(k)))
			WARN(ld, npos(ld, it->v[k]), it->name,
			     "'%s' is ignored with append: true (use override)", key_names[k]);
	return 0;
}

static const char *refine_word(const struct item *it)
{
	if (it->toggle)
		return "'enabled'";
	return it->v[K_OVERRIDE] ? "override" : "append";
}

static void apply_list(struct ld *ld, struct item *it)
{
	struct list_def *l = find_list(ld, it->name);
	char **items;
	size_t n;

	if (it->refine && !l) {
		ERR(ld, it->pos, it->name, "%s of list '%s', which is not defined", refine_word(it),
		    it->name);
		return;
	}
	if (!it->v[K_ITEMS]) {
		if (!it->refine)
			ERR(ld, it->pos, it->name, "list has no 'items'");
		return;
	}
	if (want_strs(ld, it->v[K_ITEMS], "items", it->name, &items, &n))
		return;
	if (!l) {
		l = xcalloc(1, sizeof(*l));
		l->name = xstrdup(it->name);
		PUSH(ld->lists, ld->nlists, ld->caplists, l);
	}
	if (!(it->app & B(K_ITEMS))) {
		free_strs(l->items, l->n);
		l->items = NULL;
		l->n = l->cap = 0;
		l->pos = it->pos;
	}
	for (size_t i = 0; i < n; i++)
		PUSH(l->items, l->n, l->cap, items[i]);
	free(items);
}

static void apply_macro(struct ld *ld, struct item *it)
{
	struct macro_def *m = find_macro(ld, it->name);
	yaml_node_t *c = it->v[K_COND];

	if (it->refine && !m) {
		ERR(ld, it->pos, it->name, "%s of macro '%s', which is not defined",
		    refine_word(it), it->name);
		return;
	}
	if (!c) {
		if (!it->refine)
			ERR(ld, it->pos, it->name, "macro has no 'condition'");
		return;
	}
	if (!want_str(ld, c, "condition", it->name))
		return;
	if (!m) {
		m = xcalloc(1, sizeof(*m));
		m->name = xstrdup(it->name);
		PUSH(ld->macros, ld->nmacros, ld->capmacros, m);
	}
	if (!(it->app & B(K_COND)))
		m->pos = it->pos;
	text_add(&m->cond, ld->f, c, it->app & B(K_COND));
}

/* ------------------------------------------------------------------------ */
/* Exceptions                                                                */

static const char *const cmp_ops[] = {
    "=",	"==",	    "!=",	 "<",	       "<=",	     ">",
    ">=",	"contains", "icontains", "bcontains",  "startswith", "bstartswith",
    "endswith", "glob",	    "in",	 "intersects", "pmatch",     "regex",
};

static bool list_op(const char *op)
{
	return !strcmp(op, "in") || !strcmp(op, "intersects") || !strcmp(op, "pmatch");
}

static bool known_op(const char *op)
{
	for (size_t i = 0; i < ARRAY_SIZE(cmp_ops); i++)
		if (!strcmp(op, cmp_ops[i]))
			return true;
	return false;
}

static struct exc_def *find_exc(struct rule_def *d, const char *name)
{
	for (size_t i = 0; i < d->nexc; i++)
		if (!strcmp(d->exc[i].name, name))
			return &d->exc[i];
	return NULL;
}

/* One value of a tuple: a scalar, or a sequence of scalars for list comps. */
static int read_exc_val(struct ld *ld, const yaml_node_t *n, const char *comp, const char *item,
			struct exc_val *v)
{
	memset(v, 0, sizeof(*v));
	if (is_scalar(n)) {
		v->s = xstrdup(sval(n));
		return 0;
	}
	if (n->type == YAML_SEQUENCE_NODE && list_op(comp)) {
		v->is_list = true;
		return want_strs(ld, n, "values", item, &v->list, &v->nlist);
	}
	ERR(ld, npos(ld, n), item, "exception value must be a string%s",
	    list_op(comp) ? " or a list of strings" : "");
	return -1;
}

static int read_exc_row(struct ld *ld, struct exc_def *x, const yaml_node_t *n, const char *item)
{
	struct exc_row row = {NULL, 0, npos(ld, n)};
	size_t want = x->single ? 1 : x->nfields;

	if (!x->single && (n->type != YAML_SEQUENCE_NODE || seq_len(n) != want)) {
		ERR(ld, npos(ld, n), item, "exception '%s': each value must be a list of %zu",
		    x->name, want);
		return -1;
	}
	if (x->single && !is_scalar(n)) {
		ERR(ld, npos(ld, n), item, "exception '%s': values of a single field are strings",
		    x->name);
		return -1;
	}
	row.v = xcalloc(want, sizeof(*row.v));
	for (size_t i = 0; i < want; i++) {
		const yaml_node_t *e = x->single ? n : seq_at(ld, n, i);

		if (read_exc_val(ld, e, x->comps[i], item, &row.v[row.n]))
			break;
		row.n++;
	}
	if (row.n != want) {
		for (size_t i = 0; i < row.n; i++)
			exc_val_free(&row.v[i]);
		free(row.v);
		return -1;
	}
	PUSH(x->rows, x->nrows, x->caprows, row);
	return 0;
}

static void read_exc_rows(struct ld *ld, struct exc_def *x, const yaml_node_t *vals,
			  const char *item)
{
	if (!vals || is_null(vals))
		return;
	if (vals->type != YAML_SEQUENCE_NODE) {
		ERR(ld, npos(ld, vals), item, "exception '%s': 'values' must be a sequence",
		    x->name);
		return;
	}
	for (size_t i = 0; i < seq_len(vals); i++)
		read_exc_row(ld, x, seq_at(ld, vals, i), item);
}

/* fields: a name or a list of names; comps: the same shape, defaulting to
 * `in` for a single name and `=` for each name of a list. */
static int read_exc_shape(struct ld *ld, struct exc_def *x, const yaml_node_t *fields,
			  const yaml_node_t *comps, const char *item)
{
	if (is_scalar(fields)) {
		x->single = true;
		x->nfields = 1;
		x->fields = xcalloc(1, sizeof(char *));
		x->fields[0] = xstrdup(sval(fields));
	} else if (want_strs(ld, fields, "fields", item, &x->fields, &x->nfields)) {
		return -1;
	}
	if (!x->nfields) {
		ERR(ld, npos(ld, fields), item, "exception '%s' has no fields", x->name);
		return -1;
	}
	x->comps = xcalloc(x->nfields, sizeof(char *));
	if (!comps || is_null(comps)) {
		for (size_t i = 0; i < x->nfields; i++)
			x->comps[i] = xstrdup(x->single ? "in" : "=");
	} else if (x->single && is_scalar(comps)) {
		x->comps[0] = xstrdup(sval(comps));
	} else if (x->single || comps->type != YAML_SEQUENCE_NODE || seq_len(comps) != x->nfields) {
		ERR(ld, npos(ld, comps), item, "exception '%s': 'comps' must match 'fields' (%zu)",
		    x->name, x->nfields);
		return -1;
	} else {
		for (size_t i = 0; i < x->nfields; i++) {
			const yaml_node_t *c = seq_at(ld, comps, i);

			if (!want_str(ld, c, "comps", item))
				return -1;
			x->comps[i] = xstrdup(sval(c));
		}
	}
	for (size_t i = 0; i < x->nfields; i++) {
		if (!known_op(x->comps[i])) {
			ERR(ld, npos(ld, comps), item, "exception '%s': unknown comparison '%s'",
			    x->name, x->comps[i]);
			return -1;
		}
	}
	return 0;
}

static void read_exception(struct ld *ld, struct rule_def *d, const yaml_node_t *n, bool append)
{
	const char *item = d->r->name;
	yaml_node_t *name = NULL, *fields = NULL, *comps = NULL, *values = NULL;
	struct exc_def *x;

	if (n->type != YAML_MAPPING_NODE) {
		ERR(ld, npos(ld, n), item, "an exception must be a mapping");
		return;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = ynode(ld, p->key), *v = ynode(ld, p->value);
		const char *ks = is_scalar(k) ? sval(k) : "";

		if (!strcmp(ks, "name"))
			name = v;
		else if (!strcmp(ks, "fields"))
			fields = v;
		else if (!strcmp(ks, "comps"))
			comps = v;
		else if (!strcmp(ks, "values"))
			values = v;
		else
			WARN(ld, npos(ld, k), item, "unknown exception key '%s' ignored", ks);
	}
	if (!name || !is_scalar(name) || !*sval(name)) {
		ERR(ld, npos(ld, n), item, "an exception needs a 'name'");
		return;
	}
	x = find_exc(d, sval(name));
	if (x && !append) {
		ERR(ld, npos(ld, n), item, "exception '%s' is defined twice", x->name);
		return;
	}
	if (x) {
		if (fields || comps)
			ERR(ld, npos(ld, n), item,
			    "exception '%s' exists: appending to it takes only 'values'", x->name);
		else
			read_exc_rows(ld, x, values, item);
		return;
	}
	if (!fields) {
		ERR(ld, npos(ld, n), item, "exception '%s' has no 'fields'", sval(name));
		return;
	}
	d->exc = grow(d->exc, &d->capexc, d->nexc + 1, sizeof(*d->exc));
	x = &d->exc[d->nexc];
	memset(x, 0, sizeof(*x));
	x->name = xstrdup(sval(name));
	x->pos = npos(ld, n);
	if (read_exc_shape(ld, x, fields, comps, item)) {
		exc_free(x);
		return;
	}
	d->nexc++;
	read_exc_rows(ld, x, values, item);
}

static void read_exceptions(struct ld *ld, struct rule_def *d, const yaml_node_t *n, bool append)
{
	if (!append)
		exc_free_all(d);
	if (is_null(n))
		return;
	if (n->type != YAML_SEQUENCE_NODE) {
		ERR(ld, npos(ld, n), d->r->name, "'exceptions' must be a sequence");
		return;
	}
	for (size_t i = 0; i < seq_len(n); i++)
		read_exception(ld, d, seq_at(ld, n, i), append);
}

/* Exception values go into the condition bare when they are plain words (so
 * that one may name a list, as in Falco), quoted otherwise. */
static bool plain_word(const char *v)
{
	static const char *const reserved[] = {"and", "or", "not", "exists"};

	if (!*v)
		return false;
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_./-:+@~*?", *p))
			return false;
	for (size_t i = 0; i < ARRAY_SIZE(reserved); i++)
		if (!strcmp(v, reserved[i]))
			return false;
	return !known_op(v);
}

static void put_quoted(struct sbuf *b, const char *v, size_t n)
{
	char q = memchr(v, '"', n) && !memchr(v, '\'', n) ? '\'' : '"';

	sb_putn(b, &q, 1);
	for (size_t i = 0; i < n; i++) {
		if (v[i] == q || v[i] == '\\')
			sb_putn(b, "\\", 1);
		sb_putn(b, &v[i], 1);
	}
	sb_putn(b, &q, 1);
}

/* A value quoted by the author ('"a b"') is the text inside the quotes and
 * never a list name; its backslashes are taken literally. */
static void put_value(struct sbuf *b, const char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
		put_quoted(b, v + 1, n - 2);
	else if (plain_word(v))
		sb_puts(b, v);
	else
		put_quoted(b, v, n);
}

static void put_list(struct sbuf *b, char *const *v, size_t n)
{
	sb_puts(b, "(");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_puts(b, ", ");
		put_value(b, v[i]);
	}
	sb_puts(b, ")");
}

static void put_cmp(struct sbuf *b, const char *field, const char *op, const struct exc_val *v)
{
	sb_puts(b, field);
	sb_puts(b, " ");
	sb_puts(b, op);
	sb_puts(b, " ");
	if (v->is_list)
		put_list(b, v->list, v->nlist);
	else if (list_op(op))
		put_list(b, &v->s, 1); /* "(name)": may be a list's name */
	else
		put_value(b, v->s);
}

/* The condition an exception excludes: "f in (a, b)" for a single field,
 * "(f1 c1 v1 and f2 c2 v2) or (...)" for tuples. NULL when no values. */
static char *exc_text(const struct exc_def *x)
{
	struct sbuf b = {0};

	if (!x->nrows)
		return NULL;
	if (x->single && list_op(x->comps[0])) {
		sb_puts(&b, x->fields[0]);
		sb_puts(&b, " ");
		sb_puts(&b, x->comps[0]);
		sb_puts(&b, " (");
		for (size_t i = 0; i < x->nrows; i++) {
			if (i)
				sb_puts(&b, ", ");
			put_value(&b, x->rows[i].v[0].s);
		}
		sb_puts(&b, ")");
		return b.s;
	}
	for (size_t i = 0; i < x->nrows; i++) {
		sb_puts(&b, i ? " or (" : "(");
		for (size_t j = 0; j < x->rows[i].n; j++) {
			if (j)
				sb_puts(&b, " and ");
			put_cmp(&b, x->fields[j], x->comps[j], &x->rows[i].v[j]);
		}
		sb_puts(&b, ")");
	}
	return b.s;
}

/* ------------------------------------------------------------------------ */
/* Refining rules                                                            */

static void set_tags(struct ld *ld, struct rule_def *d, const yaml_node_t *n, bool append)
{
	struct vigil_rule *r = d->r;
	char **tags;
	size_t nt, cap = r->ntags;

	if (want_strs(ld, n, "tags", r->name, &tags, &nt))
		return;
	if (!append) {
		free_strs(r->tags, r->ntags);
		r->tags = NULL;
		r->ntags = cap = 0;
	}
	for (size_t i = 0; i < nt; i++) {
		bool dup = false;

		for (size_t j = 0; j < r->ntags && !dup; j++)
			dup = !strcmp(r->tags[j], tags[i]);
		if (dup)
			free(tags[i]);
		else
			PUSH(r->tags, r->ntags, cap, tags[i]);
	}
	free(tags);
}

static void set_desc(struct ld *ld, struct rule_def *d, const yaml_node_t *n, bool append)
{
	const char *s = want_str(ld, n, "desc", d->r->name);
	char *old = d->r->desc, *joined = NULL;

	if (!s)
		return;
	if (append && old && *old && asprintf(&joined, "%s %s", old, s) < 0)
		oom();
	d->r->desc = xstrdup_trim(joined ? joined : s);
	free(joined);
	free(old);
}

static void set_priority(struct ld *ld, struct rule_def *d, const yaml_node_t *n)
{
	const char *s = want_str(ld, n, "priority", d->r->name);
	int p = vigil_priority_parse(s);

	if (s && p < 0)
		ERR(ld, npos(ld, n), d->r->name, "unknown priority '%s'", s);
	else if (s)
		d->r->priority = (enum vigil_priority)p;
}

/* Applies the item's keys to the rule: appended or replaced, as decided. */
static void rule_update(struct ld *ld, struct rule_def *d, const struct item *it)
{
	unsigned set = it->app | it->repl;
	yaml_node_t *const *v = it->v;

	if ((set & B(K_COND)) && want_str(ld, v[K_COND], "condition", it->name))
		text_add(&d->cond, ld->f, v[K_COND], it->app & B(K_COND));
	if ((set & B(K_OUTPUT)) && want_str(ld, v[K_OUTPUT], "output", it->name))
		text_add(&d->output, ld->f, v[K_OUTPUT], it->app & B(K_OUTPUT));
	if (set & B(K_DESC))
		set_desc(ld, d, v[K_DESC], it->app & B(K_DESC));
	if (set & B(K_PRIO))
		set_priority(ld, d, v[K_PRIO]);
	if (set & B(K_TAGS))
		set_tags(ld, d, v[K_TAGS], it->app & B(K_TAGS));
	if (set & B(K_ENABLED))
		want_bool(ld, v[K_ENABLED], "enabled", it->name, &d->r->enabled);
	if (set & B(K_WARN))
		want_bool(ld, v[K_WARN], "warn_evttypes", it->name, &d->warn_evttypes);
	if (set & B(K_SKIPUF))
		want_bool(ld, v[K_SKIPUF], "skip-if-unknown-filter", it->name, &d->skip_unknown);
	if (set & B(K_EXC))
		read_exceptions(ld, d, v[K_EXC], it->app & B(K_EXC));
}

/* The rule's slot: the existing one emptied (a redefinition keeps the
 * place), or a new one at the end. */
static struct rule_def *rule_slot(struct ld *ld, const struct item *it)
{
	struct rule_def *d = find_rule(ld, it->name);

	if (d) {
		rule_def_clear(d);
	} else {
		d = xcalloc(1, sizeof(*d));
		d->r = xcalloc(1, sizeof(*d->r));
		d->r->name = xstrdup(it->name);
		rule_def_clear(d);
		PUSH(ld->rules, ld->nrules, ld->caprules, d);
	}
	d->pos = it->pos;
	d->r->file = xstrdup(it->pos.f ? it->pos.f->name : NULL);
	d->r->line = it->pos.line;
	return d;
}

static void rule_refine(struct ld *ld, struct item *it, bool other_source)
{
	struct rule_def *d = find_rule(ld, it->name);

	if (!d) {
		if (!other_source)
			ERR(ld, it->pos, it->name, "%s of rule '%s', which is not defined",
			    refine_word(it), it->name);
		return;
	}
	if (d->other_source || d->broken)
		return; /* accepted: the rule is skipped, or its error already reported */
	rule_update(ld, d, it);
}

static void apply_rule(struct ld *ld, struct item *it)
{
	const char *source = NULL;
	unsigned missing;
	struct rule_def *d;

	if (it->v[K_SOURCE] && !(source = want_str(ld, it->v[K_SOURCE], "source", it->name)))
		return;
	if (source && !strcmp(source, "syscall"))
		source = NULL;
	/* Only `enabled`: switches an existing rule on or off (Falco allows it). */
	if (!it->refine && (it->present & ~B(K_SOURCE)) == (B(K_NAME) | B(K_ENABLED))) {
		it->refine = it->toggle = true;
		it->repl = B(K_ENABLED);
	}
	if (it->refine) {
		rule_refine(ld, it, source != NULL);
		return;
	}
	d = rule_slot(ld, it);
	if (source) {
		d->other_source = true;
		SKIP(ld, it->pos, it->name, "source '%s' is not supported (only syscall)", source);
		return;
	}
	missing = kinds[KIND_RULE].required & ~it->present;
	for (int k = 0; k < K_COUNT; k++)
		if (missing & B(k))
			ERR(ld, it->pos, it->name, "rule has no '%s'", key_names[k]);
	if (missing) {
		d->broken = true;
		return;
	}
	rule_update(ld, d, it);
}

/* ------------------------------------------------------------------------ */
/* Files, documents and items                                                */

static const char *const item_words[] = {"list", "macro", "rule", "required_engine_version",
					 "required_plugin_versions"};

static void read_item(struct ld *ld, yaml_node_t *n)
{
	yaml_node_t *kind_key = NULL;
	struct item it = {0};
	int kind = -1;

	if (n->type != YAML_MAPPING_NODE) {
		ERR(ld, npos(ld, n), NULL, "an item must be a mapping, not %s", node_kind(n));
		return;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = ynode(ld, p->key);

		for (int i = 0; is_scalar(k) && i < (int)ARRAY_SIZE(item_words); i++) {
			if (strcmp(sval(k), item_words[i]))
				continue;
			if (kind_key) {
				ERR(ld, npos(ld, k), NULL, "an item cannot be both '%s' and '%s'",
				    sval(kind_key), sval(k));
				return;
			}
			kind_key = k;
			kind = i;
			it.v[K_NAME] = ynode(ld, p->value);
		}
	}
	if (!kind_key) {
		yaml_node_t *k = n->data.mapping.pairs.start < n->data.mapping.pairs.top
				     ? ynode(ld, n->data.mapping.pairs.start->key)
				     : n;

		WARN(ld, npos(ld, k), NULL, "unknown item '%s' ignored",
		     is_scalar(k) ? sval(k) : "{}");
		return;
	}
	if (kind > KIND_RULE)
		return; /* required_*_version: accepted, not checked */
	it.kind = (enum kind)kind;
	it.pos = npos(ld, n);
	if (!is_scalar(it.v[K_NAME]) || !*sval(it.v[K_NAME])) {
		ERR(ld, npos(ld, it.v[K_NAME]), NULL, "a %s needs a name", item_words[kind]);
		return;
	}
	it.name = sval(it.v[K_NAME]);
	if (item_keys(ld, n, &it) || item_mode(ld, &it))
		return;
	if (it.kind == KIND_LIST)
		apply_list(ld, &it);
	else if (it.kind == KIND_MACRO)
		apply_macro(ld, &it);
	else
		apply_rule(ld, &it);
}

static void read_document(struct ld *ld, yaml_node_t *root)
{
	if (is_null(root))
		return;
	if (root->type != YAML_SEQUENCE_NODE) {
		ERR(ld, npos(ld, root), NULL,
		    "a rules file is a sequence of items (- rule: ...), not %s", node_kind(root));
		return;
	}
	for (size_t i = 0; i < seq_len(root); i++)
		read_item(ld, seq_at(ld, root, i));
}

static void yaml_error(struct ld *ld, const yaml_parser_t *p)
{
	struct pos at = {ld->f, (int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1};

	if (p->error == YAML_MEMORY_ERROR)
		oom();
	if (p->context)
		ERR(ld, at, NULL, "YAML: %s %s", p->problem ? p->problem : "error", p->context);
	else
		ERR(ld, at, NULL, "YAML: %s", p->problem ? p->problem : "error");
}

/* Takes ownership of buf (NUL-terminated, len bytes). */
static void load_text(struct ld *ld, const char *name, char *buf, size_t len)
{
	struct src_file *f = xcalloc(1, sizeof(*f));
	yaml_parser_t p;
	yaml_document_t doc;

	f->name = xstrdup(name);
	f->buf = buf;
	f->len = len;
	PUSH(ld->files, ld->nfiles, ld->capfiles, f);
	ld->f = f;
	if (!yaml_parser_initialize(&p))
		oom();
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	for (;;) {
		yaml_node_t *root;

		if (!yaml_parser_load(&p, &doc)) {
			yaml_error(ld, &p);
			break;
		}
		root = yaml_document_get_root_node(&doc);
		if (root) {
			ld->doc = &doc;
			read_document(ld, root);
			ld->doc = NULL;
		}
		yaml_document_delete(&doc);
		if (!root)
			break;
	}
	yaml_parser_delete(&p);
}

static int read_all(int fd, char **out, size_t *outlen)
{
	size_t len = 0, cap = 65536;
	char *buf = xmalloc(cap);
	ssize_t r;

	for (;;) {
		if (len + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;

			free(buf);
			errno = err;
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

static void load_file(struct ld *ld, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc, err;
	char *buf;
	size_t len;

	rc = fd < 0 ? -1 : read_all(fd, &buf, &len);
	err = errno;
	if (fd >= 0)
		close(fd);
	if (rc) {
		diag_add(ld->diag, VIGIL_DIAG_ERROR, path, 0, 0, NULL, "cannot read: %s",
			 strerror(err));
		return;
	}
	load_text(ld, path, buf, len);
}

static int yaml_name(const struct dirent *e)
{
	const char *dot = strrchr(e->d_name, '.');

	return e->d_name[0] != '.' && dot && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml"));
}

/* A directory's *.yaml and *.yml files, in name order. */
static void load_dir(struct ld *ld, const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, yaml_name, alphasort);

	if (n < 0) {
		diag_add(ld->diag, VIGIL_DIAG_ERROR, dir, 0, 0, NULL, "cannot read directory: %s",
			 strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		char *path;
		struct stat st;

		if (asprintf(&path, "%s/%s", dir, names[i]->d_name) < 0)
			oom();
		if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
			load_file(ld, path); /* a dangling link: "cannot read" */
		free(path);
		free(names[i]);
	}
	free(names);
}

static void load_path(struct ld *ld, const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		load_dir(ld, path);
	else
		load_file(ld, path);
}

/* ------------------------------------------------------------------------ */
/* Compilation: lists                                                        */

/* Falco writes items with spaces quoted inside the YAML string:
 * '"sh -c uname"'. The value is what is between the quotes. */
static char *unquote(const char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0])
		return xstrndup(s + 1, n - 2);
	return xstrdup(s);
}

static void list_expand(struct ld *ld, struct list_def *l)
{
	if (l->state != L_NEW)
		return;
	l->state = L_BUSY;
	for (size_t i = 0; i < l->n; i++) {
		struct list_def *sub = find_list(ld, l->items[i]);

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
			PUSH(l->exp, l->nexp, l->capexp, xstrdup(sub->exp[j]));
	}
	l->state = L_DONE;
}

static const struct vigil_cond always_true = {.kind = VIGIL_N_TRUE};

static const struct vigil_cond *env_macro(void *arg, const char *name)
{
	struct macro_def *m = find_macro(arg, name);

	if (!m)
		return NULL;
	return m->state == M_OK ? m->tree : &always_true; /* failures are reported apart */
}

static bool env_list(void *arg, const char *name, char *const **items, size_t *n)
{
	struct list_def *l = find_list(arg, name);

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
		return text_pos(t, 0);
	return text_pos(t, text_offset(t->s, t->len, e->line, e->col));
}

static void cond_error(struct ld *ld, enum vigil_diag_kind kind, const struct text *t,
		       const struct vigil_cond_error *e, const char *item, const char *prefix)
{
	char msg[300];

	cond_msg(e, msg, sizeof(msg));
	diag_at(ld, kind, cond_pos(t, e), item, "%s%s", prefix, msg);
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
	if (!blank_range(t->s, 0, t->len))
		return false;
	ERR(ld, text_pos(t, 0), item, "empty condition");
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
	m->why = xstrdup(msg);
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
		struct macro_def *d = find_macro(ld, deps.v[i]);

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
		oom();
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
		struct macro_def *m = find_macro(ld, refs.v[i]);

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
	struct vigil_cond *n = xcalloc(1, sizeof(*n)), *a = xcalloc(1, sizeof(*a));

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
	txt = exc_text(x);
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
	struct vigil_output_part p = {is_field, xstrndup(s, n), {0}};

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
	t = xstrndup(s, w);
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

			ERR(ld, text_pos(&d->output, i), r->name, "%s '%.*s' in output", why,
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
	sb_puts(b, b->len ? ", " : "");
	sb_puts(b, name);
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
	if (n)
		return true;
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
	r->condition_text = xstrdup(d->cond.s);
	r->output = xstrdup_trim(d->output.s);
	d->ok = true;
}

static void compile(struct ld *ld)
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

/* ------------------------------------------------------------------------ */
/* The ruleset                                                               */

struct vigil_ruleset {
	struct vigil_rule **rules; /* enabled, compiled, in file order */
	size_t n;
	bool types[VIGIL_EVT_MAX];
	const struct vigil_rule **index; /* by type: index[start[t] .. start[t + 1]) */
	size_t start[VIGIL_EVT_MAX + 1];
};

static void build_index(struct vigil_ruleset *rs)
{
	size_t fill[VIGIL_EVT_MAX] = {0}, total = 0;

	for (int t = 0; t < VIGIL_EVT_MAX; t++) {
		rs->start[t] = total;
		for (size_t i = 0; i < rs->n; i++)
			total += rs->rules[i]->types[t];
	}
	rs->start[VIGIL_EVT_MAX] = total;
	rs->index = xcalloc(total, sizeof(*rs->index));
	for (size_t i = 0; i < rs->n; i++) {
		for (int t = 0; t < VIGIL_EVT_MAX; t++) {
			if (!rs->rules[i]->types[t])
				continue;
			rs->index[rs->start[t] + fill[t]++] = rs->rules[i];
			rs->types[t] = true;
		}
	}
}

static struct vigil_ruleset *build(struct ld *ld)
{
	struct vigil_ruleset *rs = xcalloc(1, sizeof(*rs));

	rs->rules = xcalloc(ld->nrules, sizeof(*rs->rules));
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
		const struct vigil_rule *r = rs->index[i];

		if (!vigil_cond_eval(r->cond, ctx))
			continue;
		hits++;
		if (fn)
			fn(r, ctx, arg);
	}
	return hits;
}

/* ------------------------------------------------------------------------ */
/* Entry points                                                              */

/* Compiles what was read; the ruleset, or NULL when there was an error. */
static struct vigil_ruleset *finish(struct ld *ld, size_t errors_before)
{
	struct vigil_ruleset *rs = NULL;

	compile(ld);
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
		load_path(&ld, paths[i]);
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

	load_text(&ld, name ? name : "<buffer>", xstrndup(yaml ? yaml : "", yaml ? len : 0),
		  yaml ? len : 0);
	rs = finish(&ld, before);
	vigil_diag_free(&local);
	return rs;
}
