/* test_jsonw.c - unit tests for src/jsonw.c: exact output of every member
 * kind, string escaping (quotes, backslashes, control characters), and
 * overflow of the fixed buffer, which must still leave one valid JSON
 * object (checked by parsing it back with jansson) terminated by "\n".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "jsonw.h"

#define GUARD 'X'

static char big[4096];

/* Parsed lines, freed by the teardown (also when an assertion fails). */
static json_t *held_full, *held_line;

static int release(void **state)
{
	(void)state;
	json_decref(held_full);
	json_decref(held_line);
	held_full = held_line = NULL;
	return 0;
}

/* The line minus its trailing newline, checked for shape on the way. */
static const char *body(const char *buf, size_t len)
{
	static char line[4096];

	assert_true(len >= 3);
	assert_int_equal(strlen(buf), len);
	assert_int_equal(buf[len - 1], '\n');
	assert_true(len - 1 < sizeof(line));
	memcpy(line, buf, len - 1);
	line[len - 1] = '\0';
	return line;
}

/* The result stays owned by held_line. */
static json_t *parse(const char *buf, size_t len)
{
	json_error_t err;
	json_t *o = json_loadb(buf, len, 0, &err);

	json_decref(held_line);
	held_line = o;
	if (!o)
		fail_msg("invalid JSON (%s at %d): %s", err.text, err.position, buf);
	assert_true(json_is_object(o));
	return o;
}

static void test_empty_object(void **state)
{
	struct jsonw w;
	size_t n;

	(void)state;
	jsonw_init(&w, big, sizeof(big));
	jsonw_begin(&w);
	n = jsonw_end(&w);
	assert_int_equal(n, 3);
	assert_string_equal(big, "{}\n");
	assert_false(w.overflow);
}

static void test_member_kinds(void **state)
{
	struct jsonw w;
	size_t n;

	(void)state;
	jsonw_init(&w, big, sizeof(big));
	jsonw_begin(&w);
	jsonw_str(&w, "evt.type", "openat");
	jsonw_int(&w, "i", -42);
	jsonw_int(&w, "min", INT64_MIN);
	jsonw_int(&w, "max", INT64_MAX);
	jsonw_uint(&w, "u", UINT64_MAX);
	jsonw_uint(&w, "zero", 0);
	jsonw_bool(&w, "t", true);
	jsonw_bool(&w, "f", false);
	jsonw_strn(&w, "n", "abcdef", 3);
	jsonw_raw(&w, "raw", "[1,{\"a\":2}]");
	n = jsonw_end(&w);
	assert_string_equal(body(big, n),
			    "{\"evt.type\":\"openat\",\"i\":-42,\"min\":-9223372036854775808,"
			    "\"max\":9223372036854775807,\"u\":18446744073709551615,\"zero\":0,"
			    "\"t\":true,\"f\":false,\"n\":\"abc\",\"raw\":[1,{\"a\":2}]}");
	assert_false(w.overflow);
}

static void test_arg_members(void **state)
{
	struct jsonw w;
	size_t n;

	(void)state;
	jsonw_init(&w, big, sizeof(big));
	jsonw_begin(&w);
	jsonw_arg_str(&w, "flags", "O_RDONLY");
	jsonw_arg_int(&w, "dirfd", -100);
	jsonw_arg_uint(&w, "status", 1792);
	n = jsonw_end(&w);
	assert_string_equal(body(big, n), "{\"evt.arg.flags\":\"O_RDONLY\",\"evt.arg.dirfd\":-100,"
					  "\"evt.arg.status\":1792}");
}

/* NULL strings are left out, and the commas stay right around them. */
static void test_null_values_omitted(void **state)
{
	struct jsonw w;
	size_t n;

	(void)state;
	jsonw_init(&w, big, sizeof(big));
	jsonw_begin(&w);
	jsonw_str(&w, "a", NULL);
	jsonw_arg_str(&w, "b", NULL);
	jsonw_strn(&w, "c", NULL, 4);
	jsonw_int(&w, "d", 1);
	jsonw_str(&w, "e", NULL);
	jsonw_str(&w, "f", "");
	n = jsonw_end(&w);
	assert_string_equal(body(big, n), "{\"d\":1,\"f\":\"\"}");

	jsonw_begin(&w);
	jsonw_str(&w, "a", NULL);
	n = jsonw_end(&w);
	assert_string_equal(big, "{}\n");
	assert_int_equal(n, 3);
}

static void test_escaping(void **state)
{
	static const char in[] = "a\"b\\c/d\n\t\r\b\f\x01\x1f\x7f e";
	struct jsonw w;
	json_t *o;
	size_t n;

	(void)state;
	jsonw_init(&w, big, sizeof(big));
	jsonw_begin(&w);
	jsonw_str(&w, "k", in);
	n = jsonw_end(&w);
	assert_string_equal(body(big, n), "{\"k\":\"a\\\"b\\\\c/d\\n\\t\\u000d\\u0008\\u000c"
					  "\\u0001\\u001f\\u007f e\"}");
	o = parse(big, n);
	assert_string_equal(json_string_value(json_object_get(o, "k")), in);
}

/* Every byte 1..127 survives a round trip through jansson. */
static void test_escaping_all_ascii(void **state)
{
	char in[128];
	struct jsonw w;
	json_t *o;
	size_t n;

	(void)state;
	for (int i = 1; i < 128; i++)
		in[i - 1] = (char)i;
	in[127] = '\0';
	jsonw_init(&w, big, sizeof(big));
	jsonw_begin(&w);
	jsonw_arg_str(&w, "s", in);
	n = jsonw_end(&w);
	assert_false(w.overflow);
	o = parse(big, n);
	assert_string_equal(json_string_value(json_object_get(o, "evt.arg.s")), in);
	/* the raw line itself holds no control character but its final '\n' */
	for (size_t i = 0; i + 1 < n; i++)
		assert_true((unsigned char)big[i] >= 0x20 && big[i] != 0x7f);
}

/* strn: exactly n bytes, an embedded NUL included (as \u0000). */
static void test_strn_embedded_nul(void **state)
{
	struct jsonw w;
	size_t n;

	(void)state;
	jsonw_init(&w, big, sizeof(big));
	jsonw_begin(&w);
	jsonw_strn(&w, "k", "a\0b", 3);
	jsonw_strn(&w, "e", "xyz", 0);
	n = jsonw_end(&w);
	assert_string_equal(body(big, n), "{\"k\":\"a\\u0000b\",\"e\":\"\"}");
}

/* UTF-8 passes through unchanged. */
static void test_utf8_passthrough(void **state)
{
	static const char in[] = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7";
	struct jsonw w;
	json_t *o;
	size_t n;

	(void)state;
	jsonw_init(&w, big, sizeof(big));
	jsonw_begin(&w);
	jsonw_str(&w, "k", in);
	n = jsonw_end(&w);
	assert_string_equal(body(big, n), "{\"k\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7\"}");
	o = parse(big, n);
	assert_string_equal(json_string_value(json_object_get(o, "k")), in);
}

/* One writer, many lines: begin resets length, commas and overflow. */
static void test_reuse(void **state)
{
	char small[64];
	struct jsonw w;
	size_t n;

	(void)state;
	jsonw_init(&w, small, sizeof(small));
	jsonw_begin(&w);
	jsonw_str(&w, "key",
		  "a value that is far too long for the buffer, a value that is far too "
		  "long for the buffer");
	jsonw_end(&w);
	assert_true(w.overflow);
	jsonw_begin(&w);
	assert_false(w.overflow);
	jsonw_int(&w, "a", 1);
	n = jsonw_end(&w);
	assert_false(w.overflow);
	assert_string_equal(small, "{\"a\":1}\n");
	assert_int_equal(n, 8);
}

/* Writes a typical line into cap bytes; returns the line length. */
static size_t write_line(char *buf, size_t cap, struct jsonw *w, const char *s)
{
	jsonw_init(w, buf, cap);
	jsonw_begin(w);
	jsonw_str(w, "evt.type", "openat");
	jsonw_uint(w, "proc.pid", 1234);
	jsonw_str(w, "fd.name", s);
	jsonw_bool(w, "ok", true);
	jsonw_arg_str(w, "flags", "O_WRONLY|O_CREAT");
	jsonw_raw(w, "raw", "{\"nested\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]}");
	jsonw_int(w, "last", -1);
	return jsonw_end(w);
}

/* A member kept after a cut: equal to the full one, or, for a string, a
 * cut-short prefix of it. Returns true when it is whole. */
static bool member_ok(size_t cap, const char *k, const json_t *v, const json_t *fv, const char *buf)
{
	if (json_equal(v, fv))
		return true;
	if (json_is_string(v) && json_is_string(fv) &&
	    json_string_length(v) < json_string_length(fv) &&
	    memcmp(json_string_value(v), json_string_value(fv), json_string_length(v)) == 0)
		return false;
	fail_msg("cap %zu: member %s is altered: %s", cap, k, buf);
	return false;
}

/* Checks one (possibly cut) line: inside cap, NUL-terminated, one JSON
 * object holding only members of the full line, and the overflow flag
 * telling the truth. */
static void check_line(const char *buf, size_t cap, size_t n, const struct jsonw *w,
		       const json_t *full)
{
	json_error_t err;
	size_t whole = 0;
	const char *k;
	json_t *o, *v;

	assert_true(n < cap);
	assert_int_equal(buf[n], '\0');
	assert_int_equal(strlen(buf), n);
	assert_int_equal(buf[n - 1], '\n');
	assert_int_equal(buf[cap], GUARD);
	o = held_line = json_loadb(buf, n, 0, &err);
	if (!o)
		fail_msg("cap %zu: invalid JSON (%s): %s", cap, err.text, buf);
	assert_true(json_is_object(o));
	json_object_foreach(o, k, v)
	{
		json_t *fv = json_object_get(full, k);

		if (!fv)
			fail_msg("cap %zu: unexpected key %s", cap, k);
		whole += member_ok(cap, k, v, fv, buf);
	}
	assert_int_equal(w->overflow, whole != json_object_size(full));
	json_decref(o);
	held_line = NULL;
}

static void overflow_sweep(const char *s)
{
	char buf[1024];
	struct jsonw w;
	json_t *full;
	size_t n, cap;

	n = write_line(big, sizeof(big), &w, s);
	assert_false(w.overflow);
	full = held_full = parse(big, n);
	held_line = NULL;
	assert_int_equal(json_object_size(full), 7);
	for (cap = 16; cap <= n + 64 && cap < sizeof(buf); cap++) {
		memset(buf, GUARD, sizeof(buf));
		n = write_line(buf, cap, &w, s);
		check_line(buf, cap, n, &w, full);
	}
	json_decref(full);
	held_full = NULL;
}

static void test_overflow_plain(void **state)
{
	(void)state;
	overflow_sweep("/home/user/some/rather/long/path/to/a/file/that/keeps/going.txt");
}

static void test_overflow_escapes(void **state)
{
	(void)state;
	overflow_sweep("\"quoted\"\\back\\slash\\\n\x01\x02\x03\x1f tail \t\t\t\"\"\"");
}

/* The most basic cut: one long string value in a small buffer. */
static void test_overflow_long_string(void **state)
{
	char buf[64 + 1], val[201];
	struct jsonw w;
	json_t *o;
	size_t n;

	(void)state;
	memset(val, 'a', 200);
	val[200] = '\0';
	memset(buf, GUARD, sizeof(buf));
	jsonw_init(&w, buf, 64);
	jsonw_begin(&w);
	jsonw_str(&w, "k", val);
	n = jsonw_end(&w);
	assert_true(w.overflow);
	assert_true(n < 64);
	assert_int_equal(buf[64], GUARD);
	o = json_loadb(buf, n, 0, NULL);
	if (!o)
		fail_msg("cut string member left invalid JSON: %s", buf);
	json_decref(o);
}

/* A raw value that does not fit must not leave a dangling key. */
static void test_overflow_raw(void **state)
{
	char buf[80 + 1], raw[160];
	struct jsonw w;
	json_t *o;
	size_t n;

	(void)state;
	strcpy(raw, "[");
	for (int i = 0; i < 12; i++)
		strcat(raw, i ? ",\"0123456789\"" : "\"0123456789\"");
	strcat(raw, "]");
	memset(buf, GUARD, sizeof(buf));
	jsonw_init(&w, buf, 80);
	jsonw_begin(&w);
	jsonw_raw(&w, "r", raw);
	n = jsonw_end(&w);
	assert_true(w.overflow);
	assert_true(n < 80);
	assert_int_equal(buf[80], GUARD);
	o = json_loadb(buf, n, 0, NULL);
	if (!o)
		fail_msg("raw member that did not fit left invalid JSON: %s", buf);
	json_decref(o);
}

/* The flag is set by the first member that does not fit and stays set
 * until the next begin. */
static void test_overflow_flag_sticks(void **state)
{
	char buf[128], raw[200];
	struct jsonw w;
	size_t n;

	(void)state;
	memset(raw, '1', sizeof(raw) - 1);
	raw[sizeof(raw) - 1] = '\0';
	jsonw_init(&w, buf, sizeof(buf));
	jsonw_begin(&w);
	jsonw_int(&w, "a", 1);
	assert_false(w.overflow);
	jsonw_raw(&w, "big", raw);
	assert_true(w.overflow);
	jsonw_bool(&w, "b", true);
	n = jsonw_end(&w);
	assert_true(w.overflow);
	assert_true(n < sizeof(buf));
	jsonw_begin(&w);
	assert_false(w.overflow);
	jsonw_end(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_empty_object, release),
	    cmocka_unit_test_teardown(test_member_kinds, release),
	    cmocka_unit_test_teardown(test_arg_members, release),
	    cmocka_unit_test_teardown(test_null_values_omitted, release),
	    cmocka_unit_test_teardown(test_escaping, release),
	    cmocka_unit_test_teardown(test_escaping_all_ascii, release),
	    cmocka_unit_test_teardown(test_strn_embedded_nul, release),
	    cmocka_unit_test_teardown(test_utf8_passthrough, release),
	    cmocka_unit_test_teardown(test_reuse, release),
	    cmocka_unit_test_teardown(test_overflow_plain, release),
	    cmocka_unit_test_teardown(test_overflow_escapes, release),
	    cmocka_unit_test_teardown(test_overflow_long_string, release),
	    cmocka_unit_test_teardown(test_overflow_raw, release),
	    cmocka_unit_test_teardown(test_overflow_flag_sticks, release),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
