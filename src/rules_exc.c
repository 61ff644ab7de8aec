/* rules_exc.c - rule exceptions: reading them (`exceptions:` of a rule,
 * appended to by later items) and the condition each one excludes.
 *
 * Each exception with values adds "and not (...)" to its rule (compiled in
 * rules_compile.c): a single field (`fields: f`) takes its values as one
 * set, "f in (v1, v2)" (comps default: in), a list of fields takes tuples,
 * "(f1 = a and f2 = b) or (...)" (comps default: =); values are written bare
 * when plain words (so they may name lists), else quoted.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "rules_int.h"

/* ------------------------------------------------------------------------ */
/* Reading and freeing                                                       */

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

static void exc_val_free(struct exc_val *v)
{
	free(v->s);
	rl_free_strs(v->list, v->nlist);
}

static void exc_free(struct exc_def *x)
{
	free(x->name);
	rl_free_strs(x->fields, x->nfields);
	rl_free_strs(x->comps, x->nfields);
	for (size_t i = 0; i < x->nrows; i++) {
		for (size_t j = 0; j < x->rows[i].n; j++)
			exc_val_free(&x->rows[i].v[j]);
		free(x->rows[i].v);
	}
	free(x->rows);
}

void rl_exc_free_all(struct rule_def *d)
{
	for (size_t i = 0; i < d->nexc; i++)
		exc_free(&d->exc[i]);
	free(d->exc);
	d->exc = NULL;
	d->nexc = d->capexc = 0;
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
		v->s = rl_xstrdup(sval(n));
		return 0;
	}
	if (n->type == YAML_SEQUENCE_NODE && list_op(comp)) {
		v->is_list = true;
		return rl_want_strs(ld, n, "values", item, &v->list, &v->nlist);
	}
	ERR(ld, npos(ld, n), item, "exception value must be a string%s",
	    list_op(comp) ? " or a list of strings" : "");
	return -1;
}

static int read_exc_row(struct ld *ld, struct exc_def *x, const yaml_node_t *n, const char *item)
{
	struct exc_row row = {NULL, 0};
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
	row.v = rl_xcalloc(want, sizeof(*row.v));
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
		x->fields = rl_xcalloc(1, sizeof(char *));
		x->fields[0] = rl_xstrdup(sval(fields));
	} else if (rl_want_strs(ld, fields, "fields", item, &x->fields, &x->nfields)) {
		return -1;
	}
	if (!x->nfields) {
		ERR(ld, npos(ld, fields), item, "exception '%s' has no fields", x->name);
		return -1;
	}
	x->comps = rl_xcalloc(x->nfields, sizeof(char *));
	if (!comps || is_null(comps)) {
		for (size_t i = 0; i < x->nfields; i++)
			x->comps[i] = rl_xstrdup(x->single ? "in" : "=");
	} else if (x->single && is_scalar(comps)) {
		x->comps[0] = rl_xstrdup(sval(comps));
	} else if (x->single || comps->type != YAML_SEQUENCE_NODE || seq_len(comps) != x->nfields) {
		ERR(ld, npos(ld, comps), item, "exception '%s': 'comps' must match 'fields' (%zu)",
		    x->name, x->nfields);
		return -1;
	} else {
		for (size_t i = 0; i < x->nfields; i++) {
			const yaml_node_t *c = seq_at(ld, comps, i);

			if (!rl_want_str(ld, c, "comps", item))
				return -1;
			x->comps[i] = rl_xstrdup(sval(c));
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
	d->exc = rl_grow(d->exc, &d->capexc, d->nexc + 1, sizeof(*d->exc));
	x = &d->exc[d->nexc];
	memset(x, 0, sizeof(*x));
	x->name = rl_xstrdup(sval(name));
	x->pos = npos(ld, n);
	if (read_exc_shape(ld, x, fields, comps, item)) {
		exc_free(x);
		return;
	}
	d->nexc++;
	read_exc_rows(ld, x, values, item);
}

void rl_read_exceptions(struct ld *ld, struct rule_def *d, const yaml_node_t *n, bool append)
{
	if (!append)
		rl_exc_free_all(d);
	if (is_null(n))
		return;
	if (n->type != YAML_SEQUENCE_NODE) {
		ERR(ld, npos(ld, n), d->r->name, "'exceptions' must be a sequence");
		return;
	}
	for (size_t i = 0; i < seq_len(n); i++)
		read_exception(ld, d, seq_at(ld, n, i), append);
}

/* ------------------------------------------------------------------------ */
/* The condition an exception excludes                                       */

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

	rl_sb_putn(b, &q, 1);
	for (size_t i = 0; i < n; i++) {
		if (v[i] == q || v[i] == '\\')
			rl_sb_putn(b, "\\", 1);
		rl_sb_putn(b, &v[i], 1);
	}
	rl_sb_putn(b, &q, 1);
}

/* A value quoted by the author ('"a b"') is the text inside the quotes and
 * never a list name; its backslashes are taken literally. */
static void put_value(struct sbuf *b, const char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
		put_quoted(b, v + 1, n - 2);
	else if (plain_word(v))
		rl_sb_puts(b, v);
	else
		put_quoted(b, v, n);
}

static void put_list(struct sbuf *b, char *const *v, size_t n)
{
	rl_sb_puts(b, "(");
	for (size_t i = 0; i < n; i++) {
		if (i)
			rl_sb_puts(b, ", ");
		put_value(b, v[i]);
	}
	rl_sb_puts(b, ")");
}

static void put_cmp(struct sbuf *b, const char *field, const char *op, const struct exc_val *v)
{
	rl_sb_puts(b, field);
	rl_sb_puts(b, " ");
	rl_sb_puts(b, op);
	rl_sb_puts(b, " ");
	if (v->is_list)
		put_list(b, v->list, v->nlist);
	else if (list_op(op))
		put_list(b, &v->s, 1); /* "(name)": may be a list's name */
	else
		put_value(b, v->s);
}

/* The condition an exception excludes: "f in (a, b)" for a single field,
 * "(f1 c1 v1 and f2 c2 v2) or (...)" for tuples. NULL when no values. */
char *rl_exc_text(const struct exc_def *x)
{
	struct sbuf b = {0};

	if (!x->nrows)
		return NULL;
	if (x->single && list_op(x->comps[0])) {
		rl_sb_puts(&b, x->fields[0]);
		rl_sb_puts(&b, " ");
		rl_sb_puts(&b, x->comps[0]);
		rl_sb_puts(&b, " (");
		for (size_t i = 0; i < x->nrows; i++) {
			if (i)
				rl_sb_puts(&b, ", ");
			put_value(&b, x->rows[i].v[0].s);
		}
		rl_sb_puts(&b, ")");
		return b.s;
	}
	for (size_t i = 0; i < x->nrows; i++) {
		rl_sb_puts(&b, i ? " or (" : "(");
		for (size_t j = 0; j < x->rows[i].n; j++) {
			if (j)
				rl_sb_puts(&b, " and ");
			put_cmp(&b, x->fields[j], x->comps[j], &x->rows[i].v[j]);
		}
		rl_sb_puts(&b, ")");
	}
	return b.s;
}
