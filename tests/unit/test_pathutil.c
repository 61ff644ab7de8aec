/* test_pathutil.c - unit tests for src/pathutil.c: absolute paths from
 * leaf-first dentry components, lexical join/normalisation, and truncation
 * into small output buffers (always NUL-terminated, never past outsz).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pathutil.h"
#include "vigil_abi.h"

/* A literal with explicit NULs, without the compiler's trailing one. */
#define COMPS(s) s, sizeof(s) - 1

#define GUARD 'X'

static size_t from_comps(const char *comps, size_t len, char *out, size_t outsz)
{
	return vigil_path_from_components(comps, len, out, outsz);
}

static void check_comps(const char *comps, size_t len, const char *want)
{
	char out[256];
	size_t n = from_comps(comps, len, out, sizeof(out));

	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void check_resolve(const char *dir, const char *raw, const char *want)
{
	char out[256];
	size_t n = vigil_path_resolve(dir, raw, out, sizeof(out));

	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void test_components_basic(void **state)
{
	(void)state;
	check_comps(COMPS("f.txt\0dir\0tmp\0"), "/tmp/dir/f.txt");
	check_comps(COMPS("x\0"), "/x");
	check_comps(COMPS("passwd\0etc\0"), "/etc/passwd");
	/* names are taken byte for byte: spaces, dots, UTF-8 */
	check_comps(COMPS("a b\0..x\0caf\xc3\xa9\0"), "/caf\xc3\xa9/..x/a b");
}

static void test_components_empty(void **state)
{
	char out[8];
	size_t n;

	(void)state;
	memset(out, GUARD, sizeof(out));
	n = from_comps("", 0, out, sizeof(out));
	assert_int_equal(n, 1);
	assert_string_equal(out, "/");
	/* only empty names: still the root */
	check_comps(COMPS("\0\0\0"), "/");
}

static void test_components_skip_empty_names(void **state)
{
	(void)state;
	check_comps(COMPS("a\0\0b\0"), "/b/a");
	check_comps(COMPS("\0a\0b\0\0"), "/b/a");
}

/* The last name need not be NUL-terminated: len bounds every read (the
 * buffer is heap-allocated to exactly len bytes so ASan sees any overrun). */
static void test_components_unterminated(void **state)
{
	static const char src[] = {'l', 'e', 'a', 'f', '\0', 'r', 'o', 'o', 't'};
	char *comps = malloc(sizeof(src));
	char out[64];

	(void)state;
	assert_non_null(comps);
	memcpy(comps, src, sizeof(src));
	assert_int_equal(from_comps(comps, sizeof(src), out, sizeof(out)), 10);
	assert_string_equal(out, "/root/leaf");
	/* len cutting a name short */
	assert_int_equal(from_comps(comps, 7, out, sizeof(out)), 8);
	assert_string_equal(out, "/ro/leaf");
	free(comps);
}

static void test_components_full_depth(void **state)
{
	char comps[VIGIL_PATH_DEPTH * 4], want[VIGIL_PATH_DEPTH * 4 + 1], out[512];
	size_t len = 0, wlen = 0;
	int i;

	(void)state;
	/* leaf first: d47 ... d0, so the path reads /d0/d1/.../d47 */
	for (i = VIGIL_PATH_DEPTH - 1; i >= 0; i--)
		len += (size_t)sprintf(comps + len, "d%d", i) + 1;
	for (i = 0; i < VIGIL_PATH_DEPTH; i++)
		wlen += (size_t)sprintf(want + wlen, "/d%d", i);
	assert_int_equal(from_comps(comps, len, out, sizeof(out)), wlen);
	assert_string_equal(out, want);
}

/* Every output size from 0 up: at most outsz - 1 bytes, NUL-terminated,
 * a prefix of the full path, nothing written past outsz. */
static void test_components_truncation(void **state)
{
	static const char comps[] = "f.txt\0dir\0tmp\0";
	const char *full = "/tmp/dir/f.txt";
	char out[32];

	(void)state;
	for (size_t outsz = 0; outsz <= strlen(full) + 2; outsz++) {
		size_t n, want = outsz ? (strlen(full) < outsz - 1 ? strlen(full) : outsz - 1) : 0;

		memset(out, GUARD, sizeof(out));
		n = from_comps(comps, sizeof(comps) - 1, out, outsz);
		assert_int_equal(n, want);
		if (outsz == 0) {
			assert_int_equal(out[0], GUARD);
			continue;
		}
		assert_int_equal(out[n], '\0');
		assert_memory_equal(out, full, n);
		for (size_t i = outsz; i < sizeof(out); i++)
			assert_int_equal(out[i], GUARD);
	}
	memset(out, GUARD, sizeof(out));
	assert_int_equal(from_comps(comps, sizeof(comps) - 1, out, 8), 7);
	assert_string_equal(out, "/tmp/di");
	/* the root alone into a 1-byte buffer */
	assert_int_equal(from_comps("", 0, out, 1), 0);
	assert_string_equal(out, "");
}

static void test_resolve_join(void **state)
{
	(void)state;
	check_resolve("/tmp", "a/b", "/tmp/a/b");
	check_resolve("/tmp/dir", "sub/../x", "/tmp/dir/x");
	check_resolve("/", "etc/passwd", "/etc/passwd");
	check_resolve("/home/u", "./.bashrc", "/home/u/.bashrc");
	/* names that merely start with dots are ordinary names */
	check_resolve("/a", ".../..b/.c", "/a/.../..b/.c");
}

static void test_resolve_absolute_raw(void **state)
{
	(void)state;
	/* an absolute raw ignores dir */
	check_resolve("/ignored", "/abs/./p", "/abs/p");
	check_resolve(NULL, "/a/../b", "/b");
	check_resolve(NULL, "/", "/");
	check_resolve(NULL, "/a/b/c/../../d", "/a/d");
}

static void test_resolve_dotdot_above_root(void **state)
{
	(void)state;
	check_resolve("/", "../../x", "/x");
	check_resolve("/a", "../../..", "/");
	check_resolve("/a", "..", "/");
	check_resolve(NULL, "/../../etc/shadow", "/etc/shadow");
	check_resolve("/a/b", "../../../../c/../d", "/d");
}

static void test_resolve_slashes_and_dots(void **state)
{
	(void)state;
	check_resolve("//a///b/", "c//d/", "/a/b/c/d");
	check_resolve("/a/b", ".", "/a/b");
	check_resolve("/a/b", "", "/a/b");
	check_resolve("/a/b/", "./././", "/a/b");
	check_resolve("/", "", "/");
	check_resolve(NULL, "///", "/");
	check_resolve("/a/./b/../c", "d", "/a/c/d");
}

/* dir NULL and raw relative: raw is returned untouched. */
static void test_resolve_relative_no_dir(void **state)
{
	char out[8];

	(void)state;
	check_resolve(NULL, "rel/../x", "rel/../x");
	check_resolve(NULL, "", "");
	assert_int_equal(vigil_path_resolve(NULL, "abcdefghij", out, sizeof(out)), 7);
	assert_string_equal(out, "abcdefg");
}

static void test_resolve_small_buffers(void **state)
{
	char out[32];

	(void)state;
	memset(out, GUARD, sizeof(out));
	assert_int_equal(vigil_path_resolve("/tmp", "x", out, 0), 0);
	assert_int_equal(out[0], GUARD);
	assert_int_equal(vigil_path_resolve("/tmp", "x", out, 1), 0);
	assert_int_equal(out[0], '\0');
	assert_int_equal(out[1], GUARD);
	assert_int_equal(vigil_path_resolve("/tmp", "x", out, 2), 1);
	assert_string_equal(out, "/");
	memset(out, GUARD, sizeof(out));
	assert_int_equal(vigil_path_resolve("/tmp", "abcdef", out, 8), 7);
	assert_string_equal(out, "/tmp/ab");
	assert_int_equal(out[8], GUARD);
}

/* A truncated result must be a prefix of the full one: a ".." whose
 * component was dropped for lack of room must not pop an earlier one (the
 * result would name another file). Every outsz is tried. */
static void check_resolve_prefixes(const char *dir, const char *raw)
{
	char full[256], out[256];
	size_t flen = vigil_path_resolve(dir, raw, full, sizeof(full));

	for (size_t outsz = 1; outsz <= flen + 1; outsz++) {
		size_t n;

		memset(out, GUARD, sizeof(out));
		n = vigil_path_resolve(dir, raw, out, outsz);
		assert_true(n < outsz);
		assert_int_equal(out[n], '\0');
		assert_int_equal(strlen(out), n);
		assert_int_equal(out[outsz], GUARD);
		if (strncmp(out, full, n) != 0)
			fail_msg("resolve(\"%s\", \"%s\") into %zu bytes gave \"%s\", "
				 "not a prefix of \"%s\"",
				 dir ? dir : "(null)", raw, outsz, out, full);
	}
	assert_int_equal(vigil_path_resolve(dir, raw, out, flen + 1), flen);
	assert_string_equal(out, full);
}

static void test_resolve_truncation_is_prefix(void **state)
{
	char out[8];

	(void)state;
	check_resolve_prefixes("/tmp/dir", "sub/../x");
	check_resolve_prefixes("/usr/lib", "a/b/c/d");
	check_resolve_prefixes("/aaaa", "bb/../c");
	check_resolve_prefixes(NULL, "/var/log/../../etc/./passwd");
	/* the minimal case spelled out: full result "/aaaa/c" */
	assert_int_equal(vigil_path_resolve("/aaaa", "bb/../c", out, 6), 5);
	assert_string_equal(out, "/aaaa");
}

/* Long inputs at the decode limits: nothing overruns, result exact. */
static void test_resolve_long(void **state)
{
	char *dir = malloc(VIGIL_PATH_MAX + 1), *raw = malloc(VIGIL_STR_MAX);
	char *out = malloc(VIGIL_PATH_MAX + VIGIL_STR_MAX + 2);
	size_t n;

	(void)state;
	assert_non_null(dir);
	assert_non_null(raw);
	assert_non_null(out);
	dir[0] = '/';
	memset(dir + 1, 'd', VIGIL_PATH_MAX - 1);
	dir[VIGIL_PATH_MAX] = '\0';
	memset(raw, 'r', VIGIL_STR_MAX - 1);
	raw[VIGIL_STR_MAX - 1] = '\0';
	n = vigil_path_resolve(dir, raw, out, VIGIL_PATH_MAX + VIGIL_STR_MAX + 2);
	assert_int_equal(n, VIGIL_PATH_MAX + VIGIL_STR_MAX);
	assert_memory_equal(out, dir, VIGIL_PATH_MAX);
	assert_int_equal(out[VIGIL_PATH_MAX], '/');
	assert_memory_equal(out + VIGIL_PATH_MAX + 1, raw, VIGIL_STR_MAX - 1);
	assert_int_equal(out[n], '\0');
	free(dir);
	free(raw);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_components_basic),
	    cmocka_unit_test(test_components_empty),
	    cmocka_unit_test(test_components_skip_empty_names),
	    cmocka_unit_test(test_components_unterminated),
	    cmocka_unit_test(test_components_full_depth),
	    cmocka_unit_test(test_components_truncation),
	    cmocka_unit_test(test_resolve_join),
	    cmocka_unit_test(test_resolve_absolute_raw),
	    cmocka_unit_test(test_resolve_dotdot_above_root),
	    cmocka_unit_test(test_resolve_slashes_and_dots),
	    cmocka_unit_test(test_resolve_relative_no_dir),
	    cmocka_unit_test(test_resolve_small_buffers),
	    cmocka_unit_test(test_resolve_truncation_is_prefix),
	    cmocka_unit_test(test_resolve_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
