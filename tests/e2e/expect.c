/* expect.c - test results and event checks: failing/skipping a test with a
 * reason, reading fields of an event, matching events against an ev_match,
 * and the expect_* assertions that report "key: expected X, got Y" and dump
 * the offending event once on stderr.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"

/* ---- field access -------------------------------------------------------- */

const char *ev_str(json_t *ev, const char *key)
{
	return json_string_value(json_object_get(ev, key));
}

bool ev_int(json_t *ev, const char *key, long long *out)
{
	json_t *v = json_object_get(ev, key);

	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return true;
}

void ev_dump(json_t *ev, char *out, size_t outlen)
{
	char *s;

	if (!ev) {
		snprintf(out, outlen, "missing");
		return;
	}
	s = json_dumps(ev, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
	snprintf(out, outlen, "%s", s ? s : "?");
	free(s);
}

/* ---- test results -------------------------------------------------------- */

static void vappend(char *buf, size_t cap, const char *sep, const char *fmt, va_list ap)
{
	size_t len = strlen(buf);

	if (len && len + strlen(sep) < cap) {
		strcpy(buf + len, sep);
		len += strlen(sep);
	}
	if (len < cap)
		vsnprintf(buf + len, cap - len, fmt, ap);
}

void tfail(struct tctx *t, const char *fmt, ...)
{
	va_list ap;

	if (t->status != T_FAIL)
		t->reason[0] = '\0';
	t->status = T_FAIL;
	va_start(ap, fmt);
	vappend(t->reason, sizeof(t->reason), "; ", fmt, ap);
	va_end(ap);
}

void tskip(struct tctx *t, const char *fmt, ...)
{
	va_list ap;

	if (t->status == T_FAIL)
		return;
	t->status = T_SKIP;
	t->reason[0] = '\0';
	va_start(ap, fmt);
	vappend(t->reason, sizeof(t->reason), "", fmt, ap);
	va_end(ap);
}

void tnote(struct tctx *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->note, sizeof(t->note), fmt, ap);
	va_end(ap);
}

/* ---- matching ------------------------------------------------------------ */

static bool str_field_is(json_t *ev, const char *key, const char *want)
{
	const char *v = ev_str(ev, key);

	return v && !strcmp(v, want);
}

static bool int_field_is(json_t *ev, const char *key, long long want)
{
	long long v;

	return ev_int(ev, key, &v) && v == want;
}

bool ev_matches(json_t *ev, const struct ev_match *m)
{
	if (m->type && !str_field_is(ev, "evt.type", m->type))
		return false;
	if (m->pid && !int_field_is(ev, "proc.pid", m->pid))
		return false;
	if (m->res && !str_field_is(ev, "evt.res", m->res))
		return false;
	if (m->skey && !str_field_is(ev, m->skey, m->sval))
		return false;
	if (m->ikey && !int_field_is(ev, m->ikey, m->ival))
		return false;
	if (m->ikey2 && !int_field_is(ev, m->ikey2, m->ival2))
		return false;
	return true;
}

void ev_match_desc(const struct ev_match *m, char *out, size_t outlen)
{
	size_t n = 0;

	n += snprintf(out + n, outlen - n, "%s event", m->type ? m->type : "any");
	if (m->pid && n < outlen)
		n += snprintf(out + n, outlen - n, " proc.pid=%d", m->pid);
	if (m->res && n < outlen)
		n += snprintf(out + n, outlen - n, " evt.res=%s", m->res);
	if (m->skey && n < outlen)
		n += snprintf(out + n, outlen - n, " %s=\"%s\"", m->skey, m->sval);
	if (m->ikey && n < outlen)
		n += snprintf(out + n, outlen - n, " %s=%lld", m->ikey, m->ival);
	if (m->ikey2 && n < outlen)
		snprintf(out + n, outlen - n, " %s=%lld", m->ikey2, m->ival2);
}

/* ---- assertions ---------------------------------------------------------- */

static void dump_once(struct tctx *t, json_t *ev)
{
	char buf[8192];

	if (t->dumped == ev)
		return;
	t->dumped = ev;
	ev_dump(ev, buf, sizeof(buf));
	diag("%s: event: %s", t->name, buf);
}

static void field_repr(json_t *ev, const char *key, char *out, size_t outlen)
{
	json_t *v = json_object_get(ev, key);

	if (!v)
		snprintf(out, outlen, "(missing)");
	else
		ev_dump(v, out, outlen);
}

bool expect_str(struct tctx *t, json_t *ev, const char *key, const char *exp)
{
	char got[512];

	if (str_field_is(ev, key, exp))
		return true;
	field_repr(ev, key, got, sizeof(got));
	tfail(t, "%s: expected \"%s\", got %s", key, exp, got);
	dump_once(t, ev);
	return false;
}

bool expect_int(struct tctx *t, json_t *ev, const char *key, long long exp)
{
	char got[512];

	if (int_field_is(ev, key, exp))
		return true;
	field_repr(ev, key, got, sizeof(got));
	tfail(t, "%s: expected %lld, got %s", key, exp, got);
	dump_once(t, ev);
	return false;
}

bool expect_uint_any(struct tctx *t, json_t *ev, const char *key, long long a, long long b)
{
	char got[512];

	if (int_field_is(ev, key, a) || int_field_is(ev, key, b))
		return true;
	field_repr(ev, key, got, sizeof(got));
	tfail(t, "%s: expected %lld (or %lld), got %s", key, a, b, got);
	dump_once(t, ev);
	return false;
}

bool expect_bool(struct tctx *t, json_t *ev, const char *key, bool exp)
{
	json_t *v = json_object_get(ev, key);
	char got[512];

	if (json_is_boolean(v) && json_is_true(v) == exp)
		return true;
	field_repr(ev, key, got, sizeof(got));
	tfail(t, "%s: expected %s, got %s", key, exp ? "true" : "false", got);
	dump_once(t, ev);
	return false;
}

bool expect_absent(struct tctx *t, json_t *ev, const char *key)
{
	char got[512];

	if (!json_object_get(ev, key))
		return true;
	field_repr(ev, key, got, sizeof(got));
	tfail(t, "%s: expected absent, got %s", key, got);
	dump_once(t, ev);
	return false;
}

/* True when the '|'-separated list has token tok. */
static bool has_token(const char *list, const char *tok, size_t toklen)
{
	const char *p = list;

	while (p && *p) {
		const char *e = strchr(p, '|');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == toklen && !strncmp(p, tok, n))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

static size_t count_tokens(const char *list)
{
	size_t n = *list ? 1 : 0;

	for (const char *p = list; *p; p++)
		n += *p == '|';
	return n;
}

bool expect_flags(struct tctx *t, json_t *ev, const char *key, const char *want, bool exact)
{
	const char *v = ev_str(ev, key);
	const char *p = want;
	bool ok = v != NULL;
	char got[512];

	while (ok && *p) {
		const char *e = strchr(p, '|');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		ok = has_token(v, p, n);
		p = e ? e + 1 : p + n;
	}
	if (ok && exact)
		ok = count_tokens(v) == count_tokens(want);
	if (ok)
		return true;
	field_repr(ev, key, got, sizeof(got));
	tfail(t, "%s: expected %s\"%s\", got %s", key, exact ? "" : "flags including ", want, got);
	dump_once(t, ev);
	return false;
}

bool expect_true(struct tctx *t, bool cond, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	if (cond)
		return true;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tfail(t, "%s", buf);
	return false;
}
