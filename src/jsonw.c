/* jsonw.c - escapes and writes JSON members into a fixed buffer. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "jsonw.h"

/* Room kept for closing everything ("]}...}\n") whatever happens. */
#define TAIL (JSONW_MAX_DEPTH + 3)

void jsonw_init(struct jsonw *w, char *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->first = true;
	w->overflow = false;
	w->depth = 0;
}

static bool room(struct jsonw *w, size_t n)
{
	if (w->len + n + TAIL > w->cap) {
		w->overflow = true;
		return false;
	}
	return true;
}

static void put(struct jsonw *w, const char *s, size_t n)
{
	if (n == 0)
		return;
	if (!room(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void putc_(struct jsonw *w, char c)
{
	put(w, &c, 1);
}

void jsonw_begin(struct jsonw *w)
{
	w->len = 0;
	w->first = true;
	w->overflow = false;
	w->depth = 0;
	putc_(w, '{');
}

size_t jsonw_end(struct jsonw *w)
{
	while (w->depth > 0)
		w->buf[w->len++] = w->closers[--w->depth];
	w->buf[w->len++] = '}';
	w->buf[w->len++] = '\n';
	w->buf[w->len] = '\0';
	return w->len;
}

/* Writes a quoted string; when the buffer fills up the string is cut at a
 * character boundary of the output and still closed, so the line stays valid. */
static void put_escaped(struct jsonw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	if (!room(w, 2))
		return;
	w->buf[w->len++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char piece[6];
		size_t k;

		if (c == '"' || c == '\\') {
			piece[0] = '\\';
			piece[1] = (char)c;
			k = 2;
		} else if (c == '\n' || c == '\t') {
			piece[0] = '\\';
			piece[1] = c == '\n' ? 'n' : 't';
			k = 2;
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(piece, "\\u00", 4);
			piece[4] = hex[c >> 4];
			piece[5] = hex[c & 15];
			k = 6;
		} else {
			piece[0] = (char)c;
			k = 1;
		}
		if (!room(w, k + 1))
			break;
		memcpy(w->buf + w->len, piece, k);
		w->len += k;
	}
	w->buf[w->len++] = '"'; /* room for it was checked with each piece */
}

/* Writes `,"key":` and returns false when even that does not fit. */
static bool key(struct jsonw *w, const char *prefix, const char *k)
{
	size_t plen = prefix ? strlen(prefix) : 0, klen = strlen(k);

	if (!room(w, plen + klen + 4 + 32))
		return false;
	if (!w->first)
		putc_(w, ',');
	w->first = false;
	putc_(w, '"');
	put(w, prefix, plen);
	put(w, k, klen);
	put(w, "\":", 2);
	return true;
}

/* Invalid UTF-8 is kept byte for byte: consumers see what the kernel saw. */
void jsonw_strn(struct jsonw *w, const char *k, const char *val, size_t n)
{
	if (!val || !key(w, NULL, k))
		return;
	put_escaped(w, val, n);
}

void jsonw_str(struct jsonw *w, const char *k, const char *val)
{
	if (val)
		jsonw_strn(w, k, val, strlen(val));
}

static void put_num(struct jsonw *w, const char *prefix, const char *k, const char *fmt, uint64_t v)
{
	char num[32];
	int n;

	if (!key(w, prefix, k))
		return;
	n = snprintf(num, sizeof(num), fmt, v);
	put(w, num, (size_t)n);
}

void jsonw_int(struct jsonw *w, const char *k, int64_t val)
{
	put_num(w, NULL, k, "%" PRId64, (uint64_t)val);
}

void jsonw_uint(struct jsonw *w, const char *k, uint64_t val)
{
	put_num(w, NULL, k, "%" PRIu64, val);
}

void jsonw_bool(struct jsonw *w, const char *k, bool val)
{
	if (!key(w, NULL, k))
		return;
	put(w, val ? "true" : "false", val ? 4 : 5);
}

void jsonw_arg_str(struct jsonw *w, const char *name, const char *val)
{
	if (!val || !key(w, "evt.arg.", name))
		return;
	put_escaped(w, val, strlen(val));
}

void jsonw_arg_int(struct jsonw *w, const char *name, int64_t val)
{
	put_num(w, "evt.arg.", name, "%" PRId64, (uint64_t)val);
}

void jsonw_arg_uint(struct jsonw *w, const char *name, uint64_t val)
{
	put_num(w, "evt.arg.", name, "%" PRIu64, val);
}

void jsonw_raw(struct jsonw *w, const char *k, const char *json)
{
	if (!room(w, strlen(k) + 4 + strlen(json)) || !key(w, NULL, k))
		return;
	put(w, json, strlen(json));
}

void jsonw_null(struct jsonw *w, const char *k)
{
	if (key(w, NULL, k))
		put(w, "null", 4);
}

static void open_container(struct jsonw *w, const char *k, char open, char close)
{
	if (w->depth == JSONW_MAX_DEPTH || !key(w, NULL, k)) {
		w->overflow = true;
		return;
	}
	putc_(w, open);
	w->firsts[w->depth] = w->first;
	w->closers[w->depth++] = close;
	w->first = true;
}

void jsonw_object_begin(struct jsonw *w, const char *k)
{
	open_container(w, k, '{', '}');
}

void jsonw_array_begin(struct jsonw *w, const char *k)
{
	open_container(w, k, '[', ']');
}

void jsonw_close(struct jsonw *w)
{
	if (w->depth == 0)
		return;
	w->depth--;
	w->buf[w->len++] = w->closers[w->depth]; /* room reserved by TAIL */
	w->first = w->firsts[w->depth];
}

void jsonw_elem_str(struct jsonw *w, const char *val)
{
	if (!room(w, strlen(val) + 8))
		return;
	if (!w->first)
		putc_(w, ',');
	w->first = false;
	put_escaped(w, val, strlen(val));
}
