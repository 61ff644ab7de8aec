/* rule_cond_resolve.c - from a parsed condition to one ready to evaluate:
 * operands compiled for their field types (numbers, booleans, addresses and
 * CIDRs, hex, regexes), macros inlined (cycles detected), list names
 * expanded; and the trees' free and clone.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "rule_cond_int.h"

#define MACRO_DEPTH_MAX 64
#define LIST_DEPTH_MAX	16

/* -------------------------------------------------------------- operands */

static void operand_release(struct vigil_operand *o)
{
	free(o->text);
	free(o->bytes);
	memset(o, 0, sizeof(*o));
}

static void operands_free(struct vigil_operand *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		operand_release(&v[i]);
	free(v);
}

/* Appends to an array built by pushes only: its capacity is the next power
 * of two >= n (at least 4), so it grows when n reaches one. */
int rc_operand_push(struct vigil_operand **v, size_t *n, char *text, size_t len, bool quoted)
{
	struct vigil_operand *nv = *v;

	if (*n == 0 || (*n >= 4 && (*n & (*n - 1)) == 0)) {
		nv = realloc(*v, (*n ? *n * 2 : 4) * sizeof(**v));
		if (!nv)
			return -1;
		*v = nv;
	}
	memset(&nv[*n], 0, sizeof(nv[*n]));
	nv[*n].text = text;
	nv[*n].len = len;
	nv[*n].quoted = quoted;
	(*n)++;
	return 0;
}

char *rc_memdup0(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

bool rc_parse_int(const char *s, int64_t *out)
{
	const char *p = s;
	char *end;
	bool neg = false;
	unsigned long long u;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (!isdigit((unsigned char)*p))
		return false;
	errno = 0;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		u = strtoull(p + 2, &end, 16);
	else
		u = strtoull(p, &end, 10);
	if (errno || *end || (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && end == p + 2))
		return false;
	if (neg) {
		if (u > (unsigned long long)INT64_MAX + 1)
			return false;
		*out = (int64_t)(0 - u);
	} else {
		*out = (int64_t)u; /* 0x... up to 2^64-1 wraps, like a raw u64 */
	}
	return true;
}

bool rc_parse_bool(const char *s, int64_t *out)
{
	if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0)
		*out = 1;
	else if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0)
		*out = 0;
	else
		return false;
	return true;
}

/* "1.2.3.4", "::1", optionally followed by "/N" when cidr_ok. */
static bool parse_ip(struct vigil_operand *o, bool cidr_ok)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(o->text, '/');
	size_t alen = slash ? (size_t)(slash - o->text) : o->len;
	int64_t prefix;

	if (alen >= sizeof(buf) || (slash && !cidr_ok))
		return false;
	memcpy(buf, o->text, alen);
	buf[alen] = '\0';
	memset(o->ip, 0, sizeof(o->ip));
	if (inet_pton(AF_INET, buf, o->ip) == 1)
		o->ip_len = 4;
	else if (inet_pton(AF_INET6, buf, o->ip) == 1)
		o->ip_len = 16;
	else
		return false;
	o->prefix = (uint8_t)(o->ip_len * 8);
	if (!slash)
		return true;
	if (!isdigit((unsigned char)slash[1]) || !rc_parse_int(slash + 1, &prefix) || prefix < 0 ||
	    prefix > o->ip_len * 8) {
		o->ip_len = 0;
		return false;
	}
	o->prefix = (uint8_t)prefix;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_hex(struct vigil_operand *o)
{
	size_t n = o->len / 2;

	if (o->len % 2)
		return -1;
	o->bytes = malloc(n ? n : 1);
	if (!o->bytes)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(o->text[2 * i]), lo = hexval(o->text[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(o->bytes);
			o->bytes = NULL;
			return -1;
		}
		o->bytes[i] = (uint8_t)(hi << 4 | lo);
	}
	o->nbytes = n;
	return 0;
}

/* Compiles one operand for its field type and operator; on failure writes a
 * message to msg. REGEX operands are compiled per node (rc_compile_regex). */
int rc_compile_operand(enum vigil_ftype t, enum vigil_cmp_op op, struct vigil_operand *o, char *msg,
		       size_t msgsz)
{
	free(o->bytes);
	o->bytes = NULL;
	o->nbytes = 0;
	switch (t) {
	case VIGIL_FT_INT:
		if (rc_parse_int(o->text, &o->num))
			return 0;
		snprintf(msg, msgsz, "'%s' is not a number", o->text);
		return -1;
	case VIGIL_FT_BOOL:
		if (rc_parse_bool(o->text, &o->num))
			return 0;
		snprintf(msg, msgsz, "'%s' is not a boolean (true or false)", o->text);
		return -1;
	case VIGIL_FT_IP:
		if (parse_ip(o, true))
			return 0;
		snprintf(msg, msgsz, "'%s' is not an IP address", o->text);
		return -1;
	case VIGIL_FT_IPNET:
		if (parse_ip(o, true))
			return 0;
		snprintf(msg, msgsz, "'%s' is not a network (CIDR)", o->text);
		return -1;
	default:
		break;
	}
	if ((op == VIGIL_OP_BCONTAINS || op == VIGIL_OP_BSTARTSWITH) && parse_hex(o) < 0) {
		snprintf(msg, msgsz, "'%s' is not a hex string", o->text);
		return -1;
	}
	return 0;
}

int rc_compile_regex(struct vigil_cond *c, char *msg, size_t msgsz)
{
	char ebuf[96];
	int rc;

	if (c->re || c->nvals < 1)
		return 0;
	c->re = malloc(sizeof(*c->re));
	if (!c->re) {
		snprintf(msg, msgsz, "out of memory");
		return -1;
	}
	rc = regcomp(c->re, c->vals[0].text, REG_EXTENDED | REG_NOSUB);
	if (rc == 0)
		return 0;
	regerror(rc, c->re, ebuf, sizeof(ebuf));
	free(c->re);
	c->re = NULL;
	snprintf(msg, msgsz, "bad regex '%s': %s", c->vals[0].text, ebuf);
	return -1;
}

/* ------------------------------------------------------------------ tree */

void vigil_cond_free(struct vigil_cond *c)
{
	if (!c)
		return;
	vigil_cond_free(c->a);
	vigil_cond_free(c->b);
	operands_free(c->vals, c->nvals);
	if (c->re) {
		regfree(c->re);
		free(c->re);
	}
	free(c->ident);
	free(c);
}

static int clone_vals(struct vigil_cond *n, const struct vigil_cond *c)
{
	if (!c->nvals)
		return 0;
	n->vals = calloc(c->nvals, sizeof(*n->vals));
	if (!n->vals)
		return -1;
	n->nvals = c->nvals;
	for (size_t i = 0; i < c->nvals; i++) {
		struct vigil_operand *d = &n->vals[i];

		*d = c->vals[i];
		d->text = NULL;
		d->bytes = NULL;
		d->text = rc_memdup0(c->vals[i].text, c->vals[i].len);
		if (!d->text)
			return -1;
		if (c->vals[i].bytes) {
			d->bytes = malloc(c->vals[i].nbytes ? c->vals[i].nbytes : 1);
			if (!d->bytes)
				return -1;
			memcpy(d->bytes, c->vals[i].bytes, c->vals[i].nbytes);
		}
	}
	return 0;
}

struct vigil_cond *vigil_cond_clone(const struct vigil_cond *c)
{
	struct vigil_cond *n;
	char msg[192];

	if (!c)
		return NULL;
	n = malloc(sizeof(*n));
	if (!n)
		return NULL;
	*n = *c;
	n->a = n->b = NULL;
	n->vals = NULL;
	n->nvals = 0;
	n->re = NULL;
	n->ident = NULL;
	if ((c->a && !(n->a = vigil_cond_clone(c->a))) ||
	    (c->b && !(n->b = vigil_cond_clone(c->b))) || clone_vals(n, c) < 0 ||
	    (c->ident && !(n->ident = strdup(c->ident))) ||
	    (c->re && rc_compile_regex(n, msg, sizeof(msg)) < 0)) {
		vigil_cond_free(n);
		return NULL;
	}
	return n;
}

/* --------------------------------------------------------------- resolve */

struct rframe {
	const char *name;
	const struct rframe *up;
};

struct rctx {
	const struct vigil_cond_env *env;
	struct vigil_cond_error *err;
	const struct rframe *stack; /* macros being inlined, innermost first */
	int depth;
	int line, col; /* the outermost macro reference, while depth > 0 */
};

/* Errors inside an inlined macro point at its reference in the condition
 * being resolved and name the macro. */
static int rfail(struct rctx *rc, const struct vigil_cond *at, const char *tok, const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));

static int rfail(struct rctx *rc, const struct vigil_cond *at, const char *tok, const char *fmt,
		 ...)
{
	char msg[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (rc->depth > 0)
		rc_err_set(rc->err, rc->line, rc->col, tok, strlen(tok), "in macro '%s': %s",
			   rc->stack->name, msg);
	else
		rc_err_set(rc->err, at->line, at->col, tok, strlen(tok), "%s", msg);
	return -1;
}

static int resolve_node(struct vigil_cond **pp, struct rctx *rc);

static int macro_cycle(struct rctx *rc, const struct vigil_cond *c)
{
	const char *names[MACRO_DEPTH_MAX + 1];
	char msg[192];
	size_t n = 0, off;
	int line = rc->depth ? rc->line : c->line, col = rc->depth ? rc->col : c->col;

	for (const struct rframe *f = rc->stack; f && n < MACRO_DEPTH_MAX; f = f->up)
		names[n++] = f->name;
	off = (size_t)snprintf(msg, sizeof(msg), "macro cycle:");
	while (n-- > 0 && off < sizeof(msg))
		off += (size_t)snprintf(msg + off, sizeof(msg) - off, " '%s' ->", names[n]);
	if (off < sizeof(msg))
		snprintf(msg + off, sizeof(msg) - off, " '%s'", c->ident);
	rc_err_set(rc->err, line, col, c->ident, strlen(c->ident), "%s", msg);
	return -1;
}

static int resolve_macro(struct vigil_cond **pp, struct rctx *rc)
{
	struct vigil_cond *c = *pp, *copy;
	const struct vigil_cond *m = NULL;
	struct rframe frame = {c->ident, rc->stack};
	int rv;

	for (const struct rframe *f = rc->stack; f; f = f->up)
		if (strcmp(f->name, c->ident) == 0)
			return macro_cycle(rc, c);
	if (rc->depth >= MACRO_DEPTH_MAX)
		return rfail(rc, c, c->ident, "macros nested too deeply at '%s'", c->ident);
	if (rc->env && rc->env->macro)
		m = rc->env->macro(rc->env->arg, c->ident);
	if (!m)
		return rfail(rc, c, c->ident, "undefined macro '%s'", c->ident);
	copy = vigil_cond_clone(m);
	if (!copy)
		return rfail(rc, c, c->ident, "out of memory");
	if (rc->depth == 0) {
		rc->line = c->line;
		rc->col = c->col;
	}
	rc->stack = &frame;
	rc->depth++;
	rv = resolve_node(&copy, rc);
	rc->depth--;
	rc->stack = frame.up;
	if (rv < 0) {
		vigil_cond_free(copy);
		return -1;
	}
	vigil_cond_free(c);
	*pp = copy;
	return 0;
}

struct oplist {
	struct vigil_operand *v;
	size_t n;
};

/* Appends a list's items; items naming lists are expanded in turn. Expanded
 * items are marked quoted: they are literal values from now on, so a second
 * resolve does not expand them again. */
static int append_list(struct rctx *rc, const struct vigil_cond *c, const char *name,
		       struct oplist *out, int depth)
{
	const struct vigil_cond_env *env = rc->env;
	char *const *items;
	size_t n;

	if (depth > LIST_DEPTH_MAX)
		return rfail(rc, c, name, "list '%s' nests too deeply (a cycle?)", name);
	if (!env->list(env->arg, name, &items, &n))
		return 1;
	for (size_t i = 0; i < n; i++) {
		int r = append_list(rc, c, items[i], out, depth + 1);
		char *t;

		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		t = strdup(items[i]);
		if (!t || rc_operand_push(&out->v, &out->n, t, strlen(t), true) < 0) {
			free(t);
			return rfail(rc, c, name, "out of memory");
		}
	}
	return 0;
}

static int expand_lists(struct vigil_cond *c, struct rctx *rc)
{
	struct oplist out = {NULL, 0};

	for (size_t i = 0; i < c->nvals; i++) {
		struct vigil_operand *o = &c->vals[i];
		int r = 1;

		if (!o->quoted && rc->env && rc->env->list)
			r = append_list(rc, c, o->text, &out, 0);
		if (r == 1 && !c->list_syntax && !o->quoted)
			r = rfail(rc, c, o->text, "undefined list '%s'", o->text);
		if (r < 0) {
			operands_free(out.v, out.n);
			return -1;
		}
		if (r == 0) {
			operand_release(o);
			continue;
		}
		if (rc_operand_push(&out.v, &out.n, o->text, o->len, o->quoted) < 0) {
			operands_free(out.v, out.n);
			return rfail(rc, c, o->text, "out of memory");
		}
		out.v[out.n - 1] = *o;
		memset(o, 0, sizeof(*o));
	}
	operands_free(c->vals, c->nvals);
	c->vals = out.v;
	c->nvals = out.n;
	c->list_syntax = true;
	return 0;
}

static int compile_cmp(struct vigil_cond *c, struct rctx *rc)
{
	enum vigil_ftype t = field_type(&c->field);
	char msg[192];

	if (c->op == VIGIL_OP_EXISTS)
		return 0;
	if (c->op == VIGIL_OP_REGEX) {
		if (rc_compile_regex(c, msg, sizeof(msg)) < 0)
			return rfail(rc, c, c->nvals ? c->vals[0].text : "", "%s", msg);
		return 0;
	}
	for (size_t i = 0; i < c->nvals; i++)
		if (rc_compile_operand(t, c->op, &c->vals[i], msg, sizeof(msg)) < 0)
			return rfail(rc, c, c->vals[i].text, "%s", msg);
	return 0;
}

static int resolve_node(struct vigil_cond **pp, struct rctx *rc)
{
	struct vigil_cond *c = *pp;

	switch (c->kind) {
	case VIGIL_N_AND:
	case VIGIL_N_OR:
		if (resolve_node(&c->a, rc) < 0)
			return -1;
		return resolve_node(&c->b, rc);
	case VIGIL_N_NOT:
		return resolve_node(&c->a, rc);
	case VIGIL_N_MACRO:
		return resolve_macro(pp, rc);
	case VIGIL_N_CMP:
		if (is_list_op(c->op) && expand_lists(c, rc) < 0)
			return -1;
		return compile_cmp(c, rc);
	default:
		return 0;
	}
}

int vigil_cond_resolve(struct vigil_cond **c, const struct vigil_cond_env *env,
		       struct vigil_cond_error *err)
{
	struct rctx rc = {.env = env, .err = err};
	int rv;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!c || !*c)
		return 0;
	rv = resolve_node(c, &rc);
	if (rv == 0)
		rc_decide_by_type(*c);
	return rv;
}
