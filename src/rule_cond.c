/* rule_cond.c - the Falco condition language: a scanner and recursive-descent
 * parser to a tree, macro and list resolution, operand compilation, an
 * evaluator that never allocates, and the event types a condition can match.
 *
 * Lexical rules (as Falco's filter parser): `and`, `or`, `not` and the word
 * operators are case-sensitive whole words (`not(` is fine); a word with a dot
 * or a `[arg]` is a field, handed to vigil_field_parse; a bare identifier is a
 * macro; a value is a quoted string ('...' or "...", escapes \b \f \n \r \t
 * \\ \/ \" \', anything else is an error) or a bare word running up to blank,
 * `)` or `,`. `in`, `intersects` and `pmatch` take "(a, b, ...)" or one list
 * name. Lines and columns are 1-based; a tab is one column.
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
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "event_types.h"
#include "rule_cond.h"

#define PARSE_DEPTH_MAX 200 /* nested parentheses and `not`s */
#define MACRO_DEPTH_MAX 64
#define LIST_DEPTH_MAX	16
#define FIELD_TOKEN_MAX 256
#define COPY_MAX	8192 /* stack copy of a value for glob/regex */
#define COMPONENT_MAX	256

static const char *const op_names[] = {
    [VIGIL_OP_EQ] = "=",
    [VIGIL_OP_NE] = "!=",
    [VIGIL_OP_LT] = "<",
    [VIGIL_OP_LE] = "<=",
    [VIGIL_OP_GT] = ">",
    [VIGIL_OP_GE] = ">=",
    [VIGIL_OP_CONTAINS] = "contains",
    [VIGIL_OP_ICONTAINS] = "icontains",
    [VIGIL_OP_BCONTAINS] = "bcontains",
    [VIGIL_OP_STARTSWITH] = "startswith",
    [VIGIL_OP_BSTARTSWITH] = "bstartswith",
    [VIGIL_OP_ENDSWITH] = "endswith",
    [VIGIL_OP_GLOB] = "glob",
    [VIGIL_OP_IN] = "in",
    [VIGIL_OP_INTERSECTS] = "intersects",
    [VIGIL_OP_PMATCH] = "pmatch",
    [VIGIL_OP_EXISTS] = "exists",
    [VIGIL_OP_REGEX] = "regex",
};

#define N_OPS (sizeof(op_names) / sizeof(op_names[0]))

static bool is_list_op(enum vigil_cmp_op op)
{
	return op == VIGIL_OP_IN || op == VIGIL_OP_INTERSECTS || op == VIGIL_OP_PMATCH;
}

static enum vigil_ftype field_type(const struct vigil_field_ref *ref)
{
	const struct vigil_field_def *def = vigil_field_def(ref->id);

	return def ? def->type : VIGIL_FT_STRING;
}

static const char *field_name(const struct vigil_field_ref *ref)
{
	const struct vigil_field_def *def = vigil_field_def(ref->id);

	return def && def->name ? def->name : "?";
}

static const char *type_label(enum vigil_ftype t)
{
	switch (t) {
	case VIGIL_FT_INT:
		return "numeric";
	case VIGIL_FT_BOOL:
		return "boolean";
	case VIGIL_FT_IP:
		return "IP address";
	case VIGIL_FT_IPNET:
		return "network";
	default:
		return "string";
	}
}

/* Which operators a field type supports (libsinsp's rules, plus `intersects`
 * meaning `in` for single values). */
static bool op_allowed(enum vigil_ftype t, enum vigil_cmp_op op)
{
	if (op == VIGIL_OP_EXISTS || t == VIGIL_FT_STRING)
		return true;
	if (op == VIGIL_OP_EQ || op == VIGIL_OP_NE || op == VIGIL_OP_IN ||
	    op == VIGIL_OP_INTERSECTS)
		return true;
	if (t == VIGIL_FT_INT)
		return op == VIGIL_OP_LT || op == VIGIL_OP_LE || op == VIGIL_OP_GT ||
		       op == VIGIL_OP_GE;
	return false;
}

/* ---------------------------------------------------------------- errors */

static void err_vset(struct vigil_cond_error *err, int line, int col, const char *tok,
		     size_t toklen, const char *fmt, va_list ap)
{
	if (!err)
		return;
	err->line = line;
	err->col = col;
	if (toklen >= sizeof(err->token))
		toklen = sizeof(err->token) - 1;
	memcpy(err->token, tok ? tok : "", tok ? toklen : 0);
	err->token[tok ? toklen : 0] = '\0';
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

static void err_set(struct vigil_cond_error *err, int line, int col, const char *tok, size_t toklen,
		    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void err_set(struct vigil_cond_error *err, int line, int col, const char *tok, size_t toklen,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, line, col, tok, toklen, fmt, ap);
	va_end(ap);
}

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
static int operand_push(struct vigil_operand **v, size_t *n, char *text, size_t len, bool quoted)
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

static char *memdup0(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static bool parse_int(const char *s, int64_t *out)
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

static bool parse_bool(const char *s, int64_t *out)
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
	if (!isdigit((unsigned char)slash[1]) || !parse_int(slash + 1, &prefix) || prefix < 0 ||
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
 * message to msg. REGEX operands are compiled per node (compile_regex). */
static int compile_operand(enum vigil_ftype t, enum vigil_cmp_op op, struct vigil_operand *o,
			   char *msg, size_t msgsz)
{
	free(o->bytes);
	o->bytes = NULL;
	o->nbytes = 0;
	switch (t) {
	case VIGIL_FT_INT:
		if (parse_int(o->text, &o->num))
			return 0;
		snprintf(msg, msgsz, "'%s' is not a number", o->text);
		return -1;
	case VIGIL_FT_BOOL:
		if (parse_bool(o->text, &o->num))
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

static int compile_regex(struct vigil_cond *c, char *msg, size_t msgsz)
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

/* A bare word that may name a list: Falco's identifier syntax. */
static bool is_identifier(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	for (s++; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* ------------------------------------------------------------------ tree */

static struct vigil_cond *node_new(enum vigil_node_kind kind, int line, int col)
{
	struct vigil_cond *c = calloc(1, sizeof(*c));

	if (c) {
		c->kind = kind;
		c->line = line;
		c->col = col;
	}
	return c;
}

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
		d->text = memdup0(c->vals[i].text, c->vals[i].len);
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
	    (c->re && compile_regex(n, msg, sizeof(msg)) < 0)) {
		vigil_cond_free(n);
		return NULL;
	}
	return n;
}

/* --------------------------------------------------------------- scanner */

struct scan {
	const char *s;
	size_t i;
	int line, col;
	int depth;
	bool failed;
	struct vigil_cond_error *err;
};

struct spos {
	size_t i;
	int line, col;
};

static struct spos here(const struct scan *sc)
{
	return (struct spos){sc->i, sc->line, sc->col};
}

static char peek(const struct scan *sc)
{
	return sc->s[sc->i];
}

static void advance(struct scan *sc, size_t n)
{
	for (; n && sc->s[sc->i]; n--, sc->i++) {
		if (sc->s[sc->i] == '\n') {
			sc->line++;
			sc->col = 1;
		} else {
			sc->col++;
		}
	}
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_field_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.';
}

static void skip_blank(struct scan *sc)
{
	while (is_blank(peek(sc)))
		advance(sc, 1);
}

/* kw at the cursor as a whole word ("not(" counts). */
static bool at_keyword(const struct scan *sc, const char *kw)
{
	size_t n = strlen(kw);

	return strncmp(sc->s + sc->i, kw, n) == 0 && !is_field_char(sc->s[sc->i + n]);
}

/* Length of the token at s+i, for messages: one of "(),", a quoted string,
 * or a run up to a blank or one of "(),". */
static size_t token_len(const char *p)
{
	size_t n = 0;

	if (!*p)
		return 0;
	if (strchr("(),", *p))
		return 1;
	if (*p == '"' || *p == '\'') {
		for (n = 1; p[n] && p[n] != p[0]; n++)
			if (p[n] == '\\' && p[n + 1])
				n++;
		return p[n] ? n + 1 : n;
	}
	while (p[n] && !is_blank(p[n]) && !strchr("(),", p[n]))
		n++;
	return n;
}

static void fail(struct scan *sc, struct spos at, const char *tok, size_t toklen, const char *fmt,
		 ...) __attribute__((format(printf, 5, 6)));

static void fail(struct scan *sc, struct spos at, const char *tok, size_t toklen, const char *fmt,
		 ...)
{
	va_list ap;

	if (sc->failed)
		return;
	sc->failed = true;
	va_start(ap, fmt);
	err_vset(sc->err, at.line, at.col, tok, toklen, fmt, ap);
	va_end(ap);
}

/* "unexpected token 'X'" (or end of condition) at the cursor. */
static void fail_unexpected(struct scan *sc)
{
	const char *p = sc->s + sc->i;
	size_t n = token_len(p);

	if (!n)
		fail(sc, here(sc), "", 0, "unexpected end of condition");
	else
		fail(sc, here(sc), p, n, "unexpected token '%.*s'", (int)n, p);
}

static void fail_oom(struct scan *sc)
{
	fail(sc, here(sc), "", 0, "out of memory");
}

/* ---------------------------------------------------------------- values */

static int unescape(char c, char *out)
{
	static const char from[] = "bfnrt\\/";
	static const char to[] = "\b\f\n\r\t\\/";
	const char *p = c ? strchr(from, c) : NULL;

	if (p) {
		*out = to[p - from];
		return 0;
	}
	if (c == '"' || c == '\'') {
		*out = c;
		return 0;
	}
	return -1;
}

/* A quoted string at the cursor; returns its unescaped text. */
static char *lex_quoted(struct scan *sc, size_t *len)
{
	struct spos start = here(sc);
	char quote = peek(sc);
	char *buf = malloc(strlen(sc->s + sc->i) + 1);
	size_t n = 0;

	if (!buf) {
		fail_oom(sc);
		return NULL;
	}
	advance(sc, 1);
	for (;;) {
		char c = peek(sc);

		if (!c) {
			const char *p = sc->s + start.i;

			fail(sc, start, p, strlen(p), "unterminated string");
			break;
		}
		if (c == quote) {
			advance(sc, 1);
			buf[n] = '\0';
			*len = n;
			return buf;
		}
		if (c == '\\') {
			struct spos at = here(sc);
			char e = sc->s[sc->i + 1];

			if (unescape(e, &buf[n]) < 0) {
				fail(sc, at, sc->s + at.i, e ? 2 : 1,
				     "unsupported escape sequence '\\%c' in string", e ? e : ' ');
				break;
			}
			n++;
			advance(sc, 2);
			continue;
		}
		buf[n++] = c;
		advance(sc, 1);
	}
	free(buf);
	return NULL;
}

static size_t bare_len(const char *p)
{
	size_t n = 0;

	while (p[n] && !is_blank(p[n]) && p[n] != ')' && p[n] != ',')
		n++;
	return n;
}

/* One value at the cursor (already checked to start one). */
static char *lex_value(struct scan *sc, size_t *len, bool *quoted)
{
	size_t n;
	char *t;

	*quoted = peek(sc) == '"' || peek(sc) == '\'';
	if (*quoted)
		return lex_quoted(sc, len);
	n = bare_len(sc->s + sc->i);
	t = memdup0(sc->s + sc->i, n);
	if (!t) {
		fail_oom(sc);
		return NULL;
	}
	advance(sc, n);
	*len = n;
	return t;
}

/* A bare identifier (a possible list name) at the cursor, as a whole value. */
static bool at_identifier(const struct scan *sc)
{
	const char *p = sc->s + sc->i;
	size_t n = bare_len(p);

	if (!isalpha((unsigned char)p[0]) && p[0] != '_')
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '_')
			return false;
	return true;
}

static bool at_value_end(const struct scan *sc)
{
	char c = peek(sc);

	return !c || c == ')' || c == ',';
}

/* Compiles the operand just pushed, reporting at its position. A bare
 * identifier under a list operator may be a list name: left to resolve. */
static int compile_at(struct scan *sc, struct vigil_cond *c, struct spos at)
{
	struct vigil_operand *o = &c->vals[c->nvals - 1];
	char msg[192];

	if (c->op == VIGIL_OP_REGEX || c->op == VIGIL_OP_EXISTS)
		return 0;
	if (is_list_op(c->op) && !o->quoted && is_identifier(o->text))
		return 0;
	if (compile_operand(field_type(&c->field), c->op, o, msg, sizeof(msg)) == 0)
		return 0;
	fail(sc, at, sc->s + at.i, (size_t)(sc->i - at.i), "%s", msg);
	return -1;
}

static int push_value(struct scan *sc, struct vigil_cond *c)
{
	struct spos at = here(sc);
	size_t len = 0;
	bool quoted;
	char *t = lex_value(sc, &len, &quoted);

	if (!t)
		return -1;
	if (operand_push(&c->vals, &c->nvals, t, len, quoted) < 0) {
		free(t);
		fail_oom(sc);
		return -1;
	}
	return compile_at(sc, c, at);
}

/* "(a, b, ...)" after a list operator; the cursor is on '('. */
static int parse_list(struct scan *sc, struct vigil_cond *c)
{
	struct spos open = here(sc);

	c->list_syntax = true;
	advance(sc, 1);
	skip_blank(sc);
	if (peek(sc) == ')') {
		advance(sc, 1);
		return 0;
	}
	for (const char *after = "(";;) {
		skip_blank(sc);
		if (!peek(sc)) {
			fail(sc, open, "(", 1, "unbalanced parenthesis");
			return -1;
		}
		if (at_value_end(sc)) {
			fail(sc, here(sc), sc->s + sc->i, 1, "expected a value after '%s'", after);
			return -1;
		}
		if (push_value(sc, c) < 0)
			return -1;
		skip_blank(sc);
		if (peek(sc) == ')') {
			advance(sc, 1);
			return 0;
		}
		if (!peek(sc)) {
			fail(sc, open, "(", 1, "unbalanced parenthesis");
			return -1;
		}
		if (peek(sc) != ',') {
			const char *p = sc->s + sc->i;
			size_t n = token_len(p);

			fail(sc, here(sc), p, n, "expected ',' or ')' in list, got '%.*s'", (int)n,
			     p);
			return -1;
		}
		advance(sc, 1);
		after = ",";
	}
}

/* The operand(s) of c->op; the cursor is after the operator. */
static int parse_operands(struct scan *sc, struct vigil_cond *c, const char *optext, size_t oplen)
{
	struct spos at;

	if (c->op == VIGIL_OP_EXISTS)
		return 0;
	skip_blank(sc);
	at = here(sc);
	if (at_value_end(sc)) {
		const char *p = sc->s + sc->i;

		fail(sc, at, p, token_len(p), "expected a value after '%.*s'", (int)oplen, optext);
		return -1;
	}
	if (peek(sc) == '(') {
		if (is_list_op(c->op))
			return parse_list(sc, c);
		fail(sc, at, "(", 1, "expected a single value after '%.*s', not a list", (int)oplen,
		     optext);
		return -1;
	}
	if (is_list_op(c->op) && !at_identifier(sc)) {
		const char *p = sc->s + sc->i;

		fail(sc, at, p, token_len(p), "expected a list after '%.*s'", (int)oplen, optext);
		return -1;
	}
	if (push_value(sc, c) < 0)
		return -1;
	if (c->op == VIGIL_OP_REGEX) {
		char msg[192];

		if (compile_regex(c, msg, sizeof(msg)) < 0) {
			fail(sc, at, sc->s + at.i, sc->i - at.i, "%s", msg);
			return -1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------- operators */

static const char *const sym_ops[] = {"==", "!=", "<=", ">=", "=", "<", ">"};
static const enum vigil_cmp_op sym_op_vals[] = {VIGIL_OP_EQ, VIGIL_OP_NE, VIGIL_OP_LE, VIGIL_OP_GE,
						VIGIL_OP_EQ, VIGIL_OP_LT, VIGIL_OP_GT};

/* The operator at s; returns its length, 0 when there is none. */
static size_t match_op(const char *s, enum vigil_cmp_op *op)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(sym_ops) / sizeof(sym_ops[0]); i++) {
		size_t l = strlen(sym_ops[i]);

		if (strncmp(s, sym_ops[i], l) == 0) {
			*op = sym_op_vals[i];
			return l;
		}
	}
	while (isalpha((unsigned char)s[n]))
		n++;
	if (!n || is_field_char(s[n]))
		return 0;
	for (size_t i = VIGIL_OP_CONTAINS; i < N_OPS; i++) {
		if (strlen(op_names[i]) == n && strncmp(s, op_names[i], n) == 0) {
			*op = (enum vigil_cmp_op)i;
			return n;
		}
	}
	return 0;
}

static bool op_follows(const struct scan *sc)
{
	const char *p = sc->s + sc->i;
	enum vigil_cmp_op op;

	while (is_blank(*p))
		p++;
	return match_op(p, &op) > 0;
}

/* ------------------------------------------------------------------ parser */

static struct vigil_cond *parse_or(struct scan *sc, const char *after);

/* Extent of a field token: name characters, then an optional "[...]". */
static size_t field_token(struct scan *sc)
{
	const char *p = sc->s + sc->i;
	size_t n = 0;

	while (is_field_char(p[n]))
		n++;
	if (p[n] == '[') {
		size_t k = n + 1;

		while (p[k] && p[k] != ']' && !is_blank(p[k]))
			k++;
		if (p[k] != ']') {
			fail(sc, here(sc), p, k, "expected ']' after the argument of '%.*s'",
			     (int)n, p);
			return 0;
		}
		n = k + 1;
	}
	return n;
}

/* The field token of flen characters at the cursor, into ref. */
static int parse_field(struct scan *sc, size_t flen, struct vigil_field_ref *ref)
{
	const char *ftext = sc->s + sc->i, *why = NULL;
	char buf[FIELD_TOKEN_MAX];

	if (flen < sizeof(buf)) {
		memcpy(buf, ftext, flen);
		buf[flen] = '\0';
		if (vigil_field_parse(buf, ref, &why) == flen) {
			advance(sc, flen);
			return 0;
		}
	}
	fail(sc, here(sc), ftext, flen, "%s '%.*s'", why ? why : "unknown field", (int)flen, ftext);
	return -1;
}

/* The operator at the cursor, valid for the field's type; returns its length. */
static size_t parse_op(struct scan *sc, struct vigil_cond *c, const char *ftext, size_t flen)
{
	const char *p = sc->s + sc->i;
	enum vigil_ftype t = field_type(&c->field);
	size_t n = match_op(p, &c->op);

	if (!n) {
		n = token_len(p);
		if (isalpha((unsigned char)*p))
			fail(sc, here(sc), p, n, "unknown operator '%.*s'", (int)n, p);
		else
			fail(sc, here(sc), p, n, "expected an operator after '%.*s'", (int)flen,
			     ftext);
		return 0;
	}
	if (!op_allowed(t, c->op)) {
		fail(sc, here(sc), p, n, "operator '%s' does not apply to %s field '%s'",
		     op_names[c->op], type_label(t), field_name(&c->field));
		return 0;
	}
	return n;
}

/* field OP value(s), or field "exists". */
static struct vigil_cond *parse_cmp(struct scan *sc, size_t flen)
{
	const char *ftext = sc->s + sc->i, *optext;
	struct vigil_cond *c = node_new(VIGIL_N_CMP, sc->line, sc->col);
	size_t oplen;

	if (!c) {
		fail_oom(sc);
		return NULL;
	}
	if (parse_field(sc, flen, &c->field) < 0)
		goto out_free;
	skip_blank(sc);
	optext = sc->s + sc->i;
	oplen = parse_op(sc, c, ftext, flen);
	if (!oplen)
		goto out_free;
	advance(sc, oplen);
	if (parse_operands(sc, c, optext, oplen) == 0)
		return c;
out_free:
	vigil_cond_free(c);
	return NULL;
}

static struct vigil_cond *parse_word(struct scan *sc, const char *after)
{
	struct spos start = here(sc);
	const char *p = sc->s + sc->i;
	size_t n = field_token(sc);
	struct vigil_cond *c;

	if (!n)
		return NULL;
	if (memchr(p, '.', n) || memchr(p, '[', n))
		return parse_cmp(sc, n);
	if ((n == 3 && strncmp(p, "and", 3) == 0) || (n == 2 && strncmp(p, "or", 2) == 0)) {
		if (after)
			fail(sc, start, p, n, "expected a condition after '%s'", after);
		else
			fail(sc, start, p, n, "unexpected token '%.*s'", (int)n, p);
		return NULL;
	}
	advance(sc, n);
	if (op_follows(sc)) {
		fail(sc, start, p, n, "unknown field '%.*s'", (int)n, p);
		return NULL;
	}
	c = node_new(VIGIL_N_MACRO, start.line, start.col);
	if (!c || !(c->ident = memdup0(p, n))) {
		vigil_cond_free(c);
		fail_oom(sc);
		return NULL;
	}
	return c;
}

static struct vigil_cond *parse_group(struct scan *sc)
{
	struct spos open = here(sc);
	struct vigil_cond *c;

	advance(sc, 1);
	c = parse_or(sc, "(");
	if (!c)
		return NULL;
	skip_blank(sc);
	if (peek(sc) == ')') {
		advance(sc, 1);
		return c;
	}
	if (!peek(sc))
		fail(sc, open, "(", 1, "unbalanced parenthesis");
	else
		fail_unexpected(sc);
	vigil_cond_free(c);
	return NULL;
}

static struct vigil_cond *parse_primary(struct scan *sc, const char *after)
{
	char ch;

	skip_blank(sc);
	ch = peek(sc);
	if (ch == '(')
		return parse_group(sc);
	if (isalpha((unsigned char)ch) || ch == '_')
		return parse_word(sc, after);
	if ((!ch || ch == ')') && after) {
		const char *p = sc->s + sc->i;

		fail(sc, here(sc), p, token_len(p), "expected a condition after '%s'", after);
		return NULL;
	}
	if (ch == ')')
		fail(sc, here(sc), ")", 1, "unbalanced parenthesis");
	else
		fail_unexpected(sc);
	return NULL;
}

static struct vigil_cond *parse_not(struct scan *sc, const char *after)
{
	struct spos at;
	struct vigil_cond *c, *inner;

	skip_blank(sc);
	if (++sc->depth > PARSE_DEPTH_MAX) {
		fail(sc, here(sc), sc->s + sc->i, token_len(sc->s + sc->i),
		     "condition nested too deeply");
		return NULL;
	}
	at = here(sc);
	if (!at_keyword(sc, "not")) {
		c = parse_primary(sc, after);
		sc->depth--;
		return c;
	}
	advance(sc, 3);
	inner = parse_not(sc, "not");
	sc->depth--;
	if (!inner)
		return NULL;
	c = node_new(VIGIL_N_NOT, at.line, at.col);
	if (!c) {
		vigil_cond_free(inner);
		fail_oom(sc);
		return NULL;
	}
	c->a = inner;
	return c;
}

static struct vigil_cond *join(struct scan *sc, enum vigil_node_kind kind, struct spos at,
			       struct vigil_cond *a, struct vigil_cond *b)
{
	struct vigil_cond *c = node_new(kind, at.line, at.col);

	if (!c) {
		vigil_cond_free(a);
		vigil_cond_free(b);
		fail_oom(sc);
		return NULL;
	}
	c->a = a;
	c->b = b;
	return c;
}

static struct vigil_cond *parse_and(struct scan *sc, const char *after)
{
	struct vigil_cond *c = parse_not(sc, after), *r;

	while (c) {
		struct spos at;

		skip_blank(sc);
		if (!at_keyword(sc, "and"))
			break;
		at = here(sc);
		advance(sc, 3);
		r = parse_not(sc, "and");
		if (!r) {
			vigil_cond_free(c);
			return NULL;
		}
		c = join(sc, VIGIL_N_AND, at, c, r);
	}
	return c;
}

static struct vigil_cond *parse_or(struct scan *sc, const char *after)
{
	struct vigil_cond *c = parse_and(sc, after), *r;

	while (c) {
		struct spos at;

		skip_blank(sc);
		if (!at_keyword(sc, "or"))
			break;
		at = here(sc);
		advance(sc, 2);
		r = parse_and(sc, "or");
		if (!r) {
			vigil_cond_free(c);
			return NULL;
		}
		c = join(sc, VIGIL_N_OR, at, c, r);
	}
	return c;
}

struct vigil_cond *vigil_cond_parse(const char *text, struct vigil_cond_error *err)
{
	struct scan sc = {.s = text ? text : "", .line = 1, .col = 1, .err = err};
	struct vigil_cond *c;

	if (err)
		memset(err, 0, sizeof(*err));
	skip_blank(&sc);
	if (!peek(&sc)) {
		c = node_new(VIGIL_N_TRUE, 1, 1);
		if (!c)
			fail_oom(&sc);
		return c;
	}
	c = parse_or(&sc, NULL);
	if (!c)
		return NULL;
	skip_blank(&sc);
	if (!peek(&sc))
		return c;
	if (peek(&sc) == ')')
		fail(&sc, here(&sc), ")", 1, "unbalanced parenthesis");
	else
		fail_unexpected(&sc);
	vigil_cond_free(c);
	return NULL;
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
		err_set(rc->err, rc->line, rc->col, tok, strlen(tok), "in macro '%s': %s",
			rc->stack->name, msg);
	else
		err_set(rc->err, at->line, at->col, tok, strlen(tok), "%s", msg);
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
	err_set(rc->err, line, col, c->ident, strlen(c->ident), "%s", msg);
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
		if (!t || operand_push(&out->v, &out->n, t, strlen(t), true) < 0) {
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
		if (operand_push(&out.v, &out.n, o->text, o->len, o->quoted) < 0) {
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
		if (compile_regex(c, msg, sizeof(msg)) < 0)
			return rfail(rc, c, c->nvals ? c->vals[0].text : "", "%s", msg);
		return 0;
	}
	for (size_t i = 0; i < c->nvals; i++)
		if (compile_operand(t, c->op, &c->vals[i], msg, sizeof(msg)) < 0)
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

static void decide_by_type(struct vigil_cond *c);

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
		decide_by_type(*c);
	return rv;
}

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

static bool any_eq(const struct vigil_cond *c, const char *s, size_t len)
{
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
	return parse_int(buf, n) || parse_bool(buf, n);
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
static void decide_by_type(struct vigil_cond *c)
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
	decide_by_type(c->a);
	decide_by_type(c->b);
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
