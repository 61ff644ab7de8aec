/* rule_cond.c - the Falco condition language: evaluation of a resolved
 * condition against an event (no allocation), and the event types a
 * condition can match. Parsing is in rule_cond_parse.c, resolution in
 * rule_cond_resolve.c.
 *
 * Semantics (checked against Falco's libsinsp):
 *  - An absent field makes every comparison false, `!=` and `exists`
 *    included: libsinsp returns false as soon as extraction fails. So
 *    `fd.sip != 127.0.0.1` does not match an event without a socket, while
 *    `not fd.sip = 127.0.0.1` does.
 *  - Multi-valued fields (proc.aname without index, fd.ip, fd.port, fd.net):
 *    the comparison holds when it holds for one of the values, except `!=`,
 *    which holds when no value is equal (and there is at least one value).
 *    That is Falco's rule for fd.ip/fd.port/fd.net ("either endpoint" for
 *    `=`, "both endpoints differ" for `!=`). For the ancestor fields Falco
 *    applies `!=` ancestor by ancestor (true when any differs: nearly always);
 *    we use the same rule as fd.ip, so `proc.aname != sshd` means "sshd is not
 *    an ancestor".
 *  - Strings: `=`/`!=` exact, `<`... lexicographic (bytes), `contains`,
 *    `icontains` (ASCII case-folding), `startswith`, `endswith`; `glob` is
 *    fnmatch(3) with no flags (`*` matches `/`, as in Falco); `regex` is POSIX
 *    ERE, unanchored (regexec finds a match anywhere); `in` is equality with
 *    one item; `intersects` splits the value on blanks and holds when one
 *    word is an item; `pmatch` holds when an item is the value or a parent
 *    directory of it, compared component by component (empty components
 *    ignored; an item's component may be a glob, as Falco >= 0.36 allows).
 *    `bcontains`/`bstartswith` take hex.
 *  - INT/BOOL compare as int64 (BOOL operands: true/false/1/0). IP fields
 *    compare addresses (an operand may also be a CIDR, then it must contain
 *    the address); IPNET fields (fd.net...) take CIDRs, a bare address being
 *    /32 or /128. IPv4 operands match IPv4-mapped IPv6 values and back.
 *  - glob and regex need a NUL-terminated copy of the value: values longer
 *    than COPY_MAX - 1 bytes never match them.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "event_types.h"
#include "rule_cond_int.h"

#define COPY_MAX      8192 /* stack copy of a value for glob/regex */
#define COMPONENT_MAX 256

/* ------------------------------------------------------------ evaluation */

static bool str_eq(const char *s, size_t len, const struct vigil_operand *o)
{
	return len == o->len && memcmp(s, o->text, len) == 0;
}

static int str_cmp(const char *s, size_t len, const struct vigil_operand *o)
{
	int r = memcmp(s, o->text, len < o->len ? len : o->len);

	if (r)
		return r;
	return len < o->len ? -1 : len > o->len;
}

static bool ci_contains(const char *h, size_t hl, const char *n, size_t nl)
{
	for (size_t i = 0; i + nl <= hl; i++) {
		size_t k = 0;

		while (k < nl && tolower((unsigned char)h[i + k]) == tolower((unsigned char)n[k]))
			k++;
		if (k == nl)
			return true;
	}
	return false;
}

static bool has_prefix(const char *s, size_t len, const void *p, size_t plen)
{
	return len >= plen && memcmp(s, p, plen) == 0;
}

static bool has_suffix(const char *s, size_t len, const char *p, size_t plen)
{
	return len >= plen && memcmp(s + len - plen, p, plen) == 0;
}

static int operand_cmp(const char *s, size_t len, const struct vigil_operand *o)
{
	if (len != o->len)
		return len < o->len ? -1 : 1;
	return memcmp(s, o->text, len);
}

static bool any_eq(const struct vigil_cond *c, const char *s, size_t len)
{
	if (c->sorted) {
		size_t lo = 0, hi = c->nvals;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int r = operand_cmp(s, len, &c->vals[mid]);

			if (r == 0)
				return true;
			if (r < 0)
				hi = mid;
			else
				lo = mid + 1;
		}
		return false;
	}
	for (size_t i = 0; i < c->nvals; i++)
		if (str_eq(s, len, &c->vals[i]))
			return true;
	return false;
}

/* `intersects` on a string: one of its blank-separated words is an item. */
static bool words_meet(const struct vigil_cond *c, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t j;

		while (i < len && isspace((unsigned char)s[i]))
			i++;
		for (j = i; j < len && !isspace((unsigned char)s[j]); j++)
			;
		if (j > i && any_eq(c, s + i, j - i))
			return true;
		i = j;
	}
	return false;
}

/* Next '/'-separated non-empty component of s[0..len) from *i. */
static bool next_component(const char *s, size_t len, size_t *i, const char **c, size_t *clen)
{
	while (*i < len && s[*i] == '/')
		(*i)++;
	if (*i >= len)
		return false;
	*c = s + *i;
	while (*i < len && s[*i] != '/')
		(*i)++;
	*clen = (size_t)(s + *i - *c);
	return true;
}

static bool component_match(const char *pat, size_t plen, const char *s, size_t len)
{
	char p[COMPONENT_MAX], v[COMPONENT_MAX];

	if (!memchr(pat, '*', plen) && !memchr(pat, '?', plen) && !memchr(pat, '[', plen))
		return plen == len && memcmp(pat, s, len) == 0;
	if (plen >= sizeof(p) || len >= sizeof(v))
		return false;
	memcpy(p, pat, plen);
	p[plen] = '\0';
	memcpy(v, s, len);
	v[len] = '\0';
	return fnmatch(p, v, 0) == 0;
}

/* The path is the prefix or lies below it, component by component. */
static bool path_under(const char *path, size_t len, const struct vigil_operand *o)
{
	size_t pi = 0, xi = 0, cl, xl;
	const char *cp, *xp;

	for (;;) {
		if (!next_component(o->text, o->len, &xi, &xp, &xl))
			return true;
		if (!next_component(path, len, &pi, &cp, &cl))
			return false;
		if (!component_match(xp, xl, cp, cl))
			return false;
	}
}

static bool any_path_under(const struct vigil_cond *c, const char *s, size_t len)
{
	for (size_t i = 0; i < c->nvals; i++)
		if (path_under(s, len, &c->vals[i]))
			return true;
	return false;
}

/* glob and regex need a C string. */
static bool match_cstr(const struct vigil_cond *c, enum vigil_cmp_op op, const char *s, size_t len)
{
	char buf[COPY_MAX];

	if (len >= sizeof(buf) || memchr(s, '\0', len))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (op == VIGIL_OP_GLOB)
		return fnmatch(c->vals[0].text, buf, 0) == 0;
	return c->re && regexec(c->re, buf, 0, NULL, 0) == 0;
}

static bool match_str(const struct vigil_cond *c, enum vigil_cmp_op op, const char *s, size_t len)
{
	const struct vigil_operand *o = &c->vals[0];

	if (!s)
		s = "";
	if (op == VIGIL_OP_EXISTS)
		return true;
	if (op == VIGIL_OP_IN)
		return any_eq(c, s, len);
	if (op == VIGIL_OP_INTERSECTS)
		return words_meet(c, s, len);
	if (op == VIGIL_OP_PMATCH)
		return any_path_under(c, s, len);
	if (c->nvals < 1)
		return false;
	switch (op) {
	case VIGIL_OP_EQ:
		return str_eq(s, len, o);
	case VIGIL_OP_NE:
		return !str_eq(s, len, o);
	case VIGIL_OP_LT:
		return str_cmp(s, len, o) < 0;
	case VIGIL_OP_LE:
		return str_cmp(s, len, o) <= 0;
	case VIGIL_OP_GT:
		return str_cmp(s, len, o) > 0;
	case VIGIL_OP_GE:
		return str_cmp(s, len, o) >= 0;
	case VIGIL_OP_CONTAINS:
		return o->len == 0 || memmem(s, len, o->text, o->len) != NULL;
	case VIGIL_OP_ICONTAINS:
		return ci_contains(s, len, o->text, o->len);
	case VIGIL_OP_BCONTAINS:
		return o->bytes && (o->nbytes == 0 || memmem(s, len, o->bytes, o->nbytes));
	case VIGIL_OP_STARTSWITH:
		return has_prefix(s, len, o->text, o->len);
	case VIGIL_OP_BSTARTSWITH:
		return o->bytes && has_prefix(s, len, o->bytes, o->nbytes);
	case VIGIL_OP_ENDSWITH:
		return has_suffix(s, len, o->text, o->len);
	case VIGIL_OP_GLOB:
	case VIGIL_OP_REGEX:
		return match_cstr(c, op, s, len);
	default:
		return false;
	}
}

static bool match_num(const struct vigil_cond *c, enum vigil_cmp_op op, int64_t n)
{
	if (op == VIGIL_OP_EXISTS)
		return true;
	if (op == VIGIL_OP_IN || op == VIGIL_OP_INTERSECTS) {
		for (size_t i = 0; i < c->nvals; i++)
			if (c->vals[i].num == n)
				return true;
		return false;
	}
	if (c->nvals < 1)
		return false;
	switch (op) {
	case VIGIL_OP_EQ:
		return n == c->vals[0].num;
	case VIGIL_OP_NE:
		return n != c->vals[0].num;
	case VIGIL_OP_LT:
		return n < c->vals[0].num;
	case VIGIL_OP_LE:
		return n <= c->vals[0].num;
	case VIGIL_OP_GT:
		return n > c->vals[0].num;
	case VIGIL_OP_GE:
		return n >= c->vals[0].num;
	default:
		return false;
	}
}

/* IPv4 as IPv4-mapped IPv6, so that both families compare alike. */
static bool ip16(const uint8_t *ip, uint8_t len, uint8_t out[16])
{
	if (len == 16) {
		memcpy(out, ip, 16);
		return true;
	}
	if (len != 4)
		return false;
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	memcpy(out + 12, ip, 4);
	return true;
}

static bool cidr_contains(const struct vigil_operand *o, const struct vigil_value *v)
{
	uint8_t a[16], net[16];
	unsigned bits = o->ip_len == 4 ? o->prefix + 96u : o->prefix;
	unsigned full = bits / 8, rest = bits % 8;

	if (!ip16(v->ip, v->ip_len, a) || !ip16(o->ip, o->ip_len, net))
		return false;
	if (memcmp(a, net, full) != 0)
		return false;
	if (!rest)
		return true;
	return ((a[full] ^ net[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

static bool match_ip(const struct vigil_cond *c, enum vigil_cmp_op op, const struct vigil_value *v)
{
	if (op == VIGIL_OP_EXISTS)
		return true;
	if (op == VIGIL_OP_EQ || op == VIGIL_OP_IN || op == VIGIL_OP_INTERSECTS) {
		size_t n = op == VIGIL_OP_EQ && c->nvals ? 1 : c->nvals;

		for (size_t i = 0; i < n; i++)
			if (cidr_contains(&c->vals[i], v))
				return true;
		return false;
	}
	if (op == VIGIL_OP_NE)
		return c->nvals >= 1 && !cidr_contains(&c->vals[0], v);
	return false;
}

static bool value_num(const struct vigil_value *v, int64_t *n)
{
	char buf[32];

	if (v->type != VIGIL_FT_STRING) {
		*n = v->num;
		return v->type == VIGIL_FT_INT || v->type == VIGIL_FT_BOOL;
	}
	if (!v->str || v->len >= sizeof(buf))
		return false;
	memcpy(buf, v->str, v->len);
	buf[v->len] = '\0';
	return rc_parse_int(buf, n) || rc_parse_bool(buf, n);
}

/* A non-string value compared as a string: rendered on the stack. */
static bool match_as_str(const struct vigil_cond *c, enum vigil_cmp_op op,
			 const struct vigil_value *v)
{
	char buf[INET6_ADDRSTRLEN + 1];
	int n;

	if (v->type == VIGIL_FT_IP || v->type == VIGIL_FT_IPNET) {
		if (!inet_ntop(v->ip_len == 4 ? AF_INET : AF_INET6, v->ip, buf, sizeof(buf)))
			return false;
		n = (int)strlen(buf);
	} else if (v->type == VIGIL_FT_BOOL) {
		n = snprintf(buf, sizeof(buf), "%s", v->num ? "true" : "false");
	} else {
		n = snprintf(buf, sizeof(buf), "%lld", (long long)v->num);
	}
	return match_str(c, op, buf, (size_t)n);
}

/* One value against the node's operands, for operator op (the field's
 * declared type decides how; a value of another type is converted). */
static bool match_value(const struct vigil_cond *c, enum vigil_cmp_op op, enum vigil_ftype t,
			const struct vigil_value *v)
{
	int64_t n;

	switch (t) {
	case VIGIL_FT_INT:
	case VIGIL_FT_BOOL:
		return value_num(v, &n) && match_num(c, op, n);
	case VIGIL_FT_IP:
	case VIGIL_FT_IPNET:
		if (v->type != VIGIL_FT_IP && v->type != VIGIL_FT_IPNET)
			return false;
		return match_ip(c, op, v);
	default:
		if (v->type != VIGIL_FT_STRING)
			return match_as_str(c, op, v);
		return match_str(c, op, v->str, v->len);
	}
}

/* Any value matches; `!=`: at least one value and none is equal. */
static bool eval_multi(const struct vigil_cond *c, struct vigil_eval_ctx *ctx, enum vigil_ftype t)
{
	struct vigil_value v;
	bool any = false;

	for (size_t n = 0; vigil_field_get_nth(ctx, &c->field, n, &v); n++) {
		if (c->op != VIGIL_OP_NE) {
			if (match_value(c, c->op, t, &v))
				return true;
			continue;
		}
		if (match_value(c, VIGIL_OP_EQ, t, &v))
			return false;
		any = true;
	}
	return any;
}

static bool eval_cmp(const struct vigil_cond *c, struct vigil_eval_ctx *ctx)
{
	enum vigil_ftype t = field_type(&c->field);
	struct vigil_value v;

	if (c->by_type) {
		uint32_t type = ctx->ev->hdr->type;

		return type < VIGIL_EVT_MAX && (c->type_true[type / 64] >> (type % 64) & 1);
	}
	if (vigil_field_is_multi(&c->field)) {
		if (c->op == VIGIL_OP_EXISTS)
			return vigil_field_get_nth(ctx, &c->field, 0, &v);
		return eval_multi(c, ctx, t);
	}
	if (!vigil_field_get(ctx, &c->field, &v))
		return false;
	return c->op == VIGIL_OP_EXISTS || match_value(c, c->op, t, &v);
}

bool vigil_cond_eval(const struct vigil_cond *c, struct vigil_eval_ctx *ctx)
{
	if (!c)
		return false;
	switch (c->kind) {
	case VIGIL_N_AND:
		return vigil_cond_eval(c->a, ctx) && vigil_cond_eval(c->b, ctx);
	case VIGIL_N_OR:
		return vigil_cond_eval(c->a, ctx) || vigil_cond_eval(c->b, ctx);
	case VIGIL_N_NOT:
		return !vigil_cond_eval(c->a, ctx);
	case VIGIL_N_CMP:
		return eval_cmp(c, ctx);
	case VIGIL_N_TRUE:
		return true;
	default:
		return false; /* FALSE, or a macro left unresolved */
	}
}

/* ----------------------------------------------------------- event types */

#define TSET_WORDS ((VIGIL_EVT_MAX + 63) / 64)

struct tset {
	uint64_t w[TSET_WORDS];
};

static void tset_fill(struct tset *s, bool all)
{
	memset(s, 0, sizeof(*s));
	if (!all)
		return;
	for (unsigned t = 1; t < VIGIL_EVT_MAX; t++)
		s->w[t / 64] |= 1ull << (t % 64);
}

static void tset_add(struct tset *s, unsigned t)
{
	s->w[t / 64] |= 1ull << (t % 64);
}

static bool tset_has(const struct tset *s, unsigned t)
{
	return s->w[t / 64] >> (t % 64) & 1;
}

static bool is_evt_type(const struct vigil_cond *c)
{
	const struct vigil_field_def *def = vigil_field_def(c->field.id);

	return def && def->name && def->type == VIGIL_FT_STRING &&
	       strcmp(def->name, "evt.type") == 0 && !vigil_field_is_multi(&c->field);
}

/* evt.type is always present and single-valued, so a comparison on it is
 * decided by the type's name alone: evaluate it against every name. */
static void cmp_types(const struct vigil_cond *c, struct tset *may_true, struct tset *may_false)
{
	tset_fill(may_true, false);
	tset_fill(may_false, false);
	for (unsigned t = 1; t < VIGIL_EVT_MAX; t++) {
		const char *name = vigil_type_name(t);

		if (!name || match_str(c, c->op, name, strlen(name)))
			tset_add(may_true, t);
		if (!name || !match_str(c, c->op, name, strlen(name)))
			tset_add(may_false, t);
	}
}

/* For each node: the types for which it may be true, and may be false. */
static void node_types(const struct vigil_cond *c, struct tset *t, struct tset *f)
{
	struct tset at, af, bt, bf;

	switch (c->kind) {
	case VIGIL_N_AND:
	case VIGIL_N_OR:
		node_types(c->a, &at, &af);
		node_types(c->b, &bt, &bf);
		for (size_t i = 0; i < TSET_WORDS; i++) {
			bool conj = c->kind == VIGIL_N_AND;

			t->w[i] = conj ? at.w[i] & bt.w[i] : at.w[i] | bt.w[i];
			f->w[i] = conj ? af.w[i] | bf.w[i] : af.w[i] & bf.w[i];
		}
		return;
	case VIGIL_N_NOT:
		node_types(c->a, f, t);
		return;
	case VIGIL_N_TRUE:
	case VIGIL_N_FALSE:
		tset_fill(t, c->kind == VIGIL_N_TRUE);
		tset_fill(f, c->kind == VIGIL_N_FALSE);
		return;
	case VIGIL_N_CMP:
		if (is_evt_type(c) && (c->op != VIGIL_OP_REGEX || c->re)) {
			cmp_types(c, t, f);
			return;
		}
		break;
	default:
		break;
	}
	tset_fill(t, true);
	tset_fill(f, true);
}

/* Precomputes every evt.type comparison into a bit set (no string compare
 * per event). Regexes must be compiled first, hence after resolve. */
void rc_decide_by_type(struct vigil_cond *c)
{
	struct tset t, f;

	if (!c)
		return;
	if (c->kind == VIGIL_N_CMP && is_evt_type(c) && c->op != VIGIL_OP_EXISTS &&
	    (c->op != VIGIL_OP_REGEX || c->re)) {
		cmp_types(c, &t, &f);
		memcpy(c->type_true, t.w, sizeof(c->type_true));
		c->by_type = true;
		return;
	}
	rc_decide_by_type(c->a);
	rc_decide_by_type(c->b);
}

void vigil_cond_event_types(const struct vigil_cond *c, bool types[VIGIL_EVT_MAX])
{
	struct tset t, f;

	if (c)
		node_types(c, &t, &f);
	else
		tset_fill(&t, true);
	types[VIGIL_EVT_NONE] = false;
	for (unsigned i = 1; i < VIGIL_EVT_MAX; i++)
		types[i] = tset_has(&t, i);
}

/* ---------------------------------------------------------- simplify */

#define SORT_MIN_VALS 6

static int vals_order(const void *a, const void *b)
{
	const struct vigil_operand *x = a, *y = b;

	return operand_cmp(x->text, x->len, y);
}

/* Long `in` lists on strings are searched by bisection. */
static void sort_in_list(struct vigil_cond *c)
{
	if (c->op != VIGIL_OP_IN && c->op != VIGIL_OP_INTERSECTS)
		return;
	if (field_type(&c->field) != VIGIL_FT_STRING || c->nvals < SORT_MIN_VALS)
		return;
	qsort(c->vals, c->nvals, sizeof(c->vals[0]), vals_order);
	c->sorted = true;
}

/* For the types in `types`: 1 always true, 0 always false, -1 depends. */
static int constant_on(const struct vigil_cond *c, const bool types[VIGIL_EVT_MAX])
{
	bool any_true = false, any_false = false;

	if (c->kind == VIGIL_N_TRUE)
		return 1;
	if (c->kind == VIGIL_N_FALSE)
		return 0;
	if (c->kind != VIGIL_N_CMP || !c->by_type)
		return -1;
	for (unsigned t = 1; t < VIGIL_EVT_MAX; t++) {
		if (!types[t])
			continue;
		if (c->type_true[t / 64] >> (t % 64) & 1)
			any_true = true;
		else
			any_false = true;
	}
	return any_true && any_false ? -1 : any_true;
}

static struct vigil_cond *make_const(struct vigil_cond *c, bool value)
{
	struct vigil_cond *k = calloc(1, sizeof(*k));

	if (!k)
		return c; /* keep the equivalent original */
	k->kind = value ? VIGIL_N_TRUE : VIGIL_N_FALSE;
	k->line = c->line;
	k->col = c->col;
	vigil_cond_free(c);
	return k;
}

/* Returns the other child of a binary node after freeing the node and the
 * child that was folded away. */
static struct vigil_cond *keep_child(struct vigil_cond *c, bool keep_b)
{
	struct vigil_cond *kept = keep_b ? c->b : c->a;

	if (keep_b)
		c->b = NULL;
	else
		c->a = NULL;
	vigil_cond_free(c);
	return kept;
}

struct vigil_cond *vigil_cond_simplify(struct vigil_cond *c, const bool types[VIGIL_EVT_MAX])
{
	int k, ka, kb;

	if (!c)
		return NULL;
	if (c->kind == VIGIL_N_CMP)
		sort_in_list(c);
	k = constant_on(c, types);
	if (k >= 0 && c->kind == VIGIL_N_CMP)
		return make_const(c, k);
	switch (c->kind) {
	case VIGIL_N_NOT:
		c->a = vigil_cond_simplify(c->a, types);
		ka = constant_on(c->a, types);
		return ka >= 0 ? make_const(c, !ka) : c;
	case VIGIL_N_AND:
	case VIGIL_N_OR:
		c->a = vigil_cond_simplify(c->a, types);
		c->b = vigil_cond_simplify(c->b, types);
		ka = constant_on(c->a, types);
		kb = constant_on(c->b, types);
		/* the absorbing value decides; the neutral one disappears */
		if (c->kind == VIGIL_N_AND ? (ka == 0 || kb == 0) : (ka == 1 || kb == 1))
			return make_const(c, c->kind == VIGIL_N_OR);
		if (ka >= 0)
			return keep_child(c, true);
		if (kb >= 0)
			return keep_child(c, false);
		return c;
	default:
		return c;
	}
}

/* ------------------------------------------------------- read interest */

static bool field_is(const struct vigil_cond *c, const char *name)
{
	const struct vigil_field_def *def = vigil_field_def(c->field.id);

	return def && def->name && strcmp(def->name, name) == 0;
}

static bool has_glob_chars(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[' || s[i] == '\\')
			return true;
	return false;
}

/* The first component of an absolute literal that fixes it: "etc" for
 * "/etc/shadow". A prefix ("startswith /et") does not fix it, nor a glob. */
static bool literal_top(const struct vigil_operand *o, enum vigil_cmp_op op, char *out)
{
	const char *end;
	size_t n;

	if (o->len < 2 || o->text[0] != '/')
		return false;
	end = memchr(o->text + 1, '/', o->len - 1);
	if (!end && op == VIGIL_OP_STARTSWITH)
		return false;
	n = (size_t)((end ? end : o->text + o->len) - (o->text + 1));
	if (n == 0 || has_glob_chars(o->text + 1, n))
		return false;
	if (n > VIGIL_DIR_NAME_MAX - 1)
		n = VIGIL_DIR_NAME_MAX - 1;
	memset(out, 0, VIGIL_DIR_NAME_MAX);
	memcpy(out, o->text + 1, n);
	return true;
}

static bool set_add(struct vigil_dirset *set, const char *dir)
{
	for (size_t i = 0; i < set->n; i++)
		if (memcmp(set->dirs[i], dir, VIGIL_DIR_NAME_MAX) == 0)
			return true;
	if (set->n == set->max)
		return false;
	memcpy(set->dirs[set->n++], dir, VIGIL_DIR_NAME_MAX);
	return true;
}

static enum vigil_reads cmp_reads(const struct vigil_cond *c, struct vigil_dirset *set)
{
	char top[VIGIL_DIR_NAME_MAX];

	/* these need O_WRONLY/O_RDWR or O_CREAT/O_TMPFILE, which the kernel
	 * filter always lets through */
	if ((field_is(c, "evt.is_open_write") || field_is(c, "evt.is_open_exec") ||
	     field_is(c, "evt.is_open_create")) &&
	    c->op == VIGIL_OP_EQ && c->nvals == 1 && c->vals[0].num == 1)
		return VIGIL_READS_NONE;
	if (!field_is(c, "fd.name") && !field_is(c, "fd.directory"))
		return VIGIL_READS_ANY;
	if (c->op != VIGIL_OP_EQ && c->op != VIGIL_OP_STARTSWITH && c->op != VIGIL_OP_IN &&
	    c->op != VIGIL_OP_PMATCH && c->op != VIGIL_OP_GLOB)
		return VIGIL_READS_ANY;
	if (c->nvals == 0)
		return VIGIL_READS_ANY;
	for (size_t i = 0; i < c->nvals; i++)
		if (!literal_top(&c->vals[i], c->op, top) || !set_add(set, top))
			return VIGIL_READS_ANY;
	return VIGIL_READS_DIRS;
}

enum vigil_reads vigil_cond_reads(const struct vigil_cond *c, struct vigil_dirset *set)
{
	enum vigil_reads a, b;

	if (!c)
		return VIGIL_READS_ANY;
	switch (c->kind) {
	case VIGIL_N_FALSE:
		return VIGIL_READS_NONE;
	case VIGIL_N_CMP:
		return cmp_reads(c, set);
	case VIGIL_N_AND:
		/* either side's limit holds for the whole; unused dirs only widen */
		a = vigil_cond_reads(c->a, set);
		if (a == VIGIL_READS_NONE)
			return a;
		b = vigil_cond_reads(c->b, set);
		if (b == VIGIL_READS_NONE)
			return b;
		return a == VIGIL_READS_DIRS || b == VIGIL_READS_DIRS ? VIGIL_READS_DIRS
								      : VIGIL_READS_ANY;
	case VIGIL_N_OR:
		a = vigil_cond_reads(c->a, set);
		b = vigil_cond_reads(c->b, set);
		if (a == VIGIL_READS_ANY || b == VIGIL_READS_ANY)
			return VIGIL_READS_ANY;
		return a == VIGIL_READS_DIRS || b == VIGIL_READS_DIRS ? VIGIL_READS_DIRS
								      : VIGIL_READS_NONE;
	default: /* TRUE, NOT: no limit derived */
		return VIGIL_READS_ANY;
	}
}
