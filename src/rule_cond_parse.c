/* rule_cond_parse.c - the Falco condition language's scanner and
 * recursive-descent parser: text to a tree (grammar in rule_cond.h), with
 * the place and token of the first error.
 *
 * Lexical rules (as Falco's filter parser): `and`, `or`, `not` and the word
 * operators are case-sensitive whole words (`not(` is fine); a word with a dot
 * or a `[arg]` is a field, handed to vigil_field_parse; a bare identifier is a
 * macro; a value is a quoted string ('...' or "...", escapes \b \f \n \r \t
 * \\ \/ \" \', anything else is an error) or a bare word running up to blank,
 * `)` or `,`. `in`, `intersects` and `pmatch` take "(a, b, ...)" or one list
 * name. Lines and columns are 1-based; a tab is one column.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rule_cond_int.h"

#define PARSE_DEPTH_MAX 200 /* nested parentheses and `not`s */
#define FIELD_TOKEN_MAX 256

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

void rc_err_set(struct vigil_cond_error *err, int line, int col, const char *tok, size_t toklen,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, line, col, tok, toklen, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------ tree nodes */

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
	t = rc_memdup0(sc->s + sc->i, n);
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
	if (rc_compile_operand(field_type(&c->field), c->op, o, msg, sizeof(msg)) == 0)
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
	if (rc_operand_push(&c->vals, &c->nvals, t, len, quoted) < 0) {
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

		if (rc_compile_regex(c, msg, sizeof(msg)) < 0) {
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
	if (!c || !(c->ident = rc_memdup0(p, n))) {
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
