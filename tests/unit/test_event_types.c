/* test_event_types.c - unit tests for src/event_types.c: the type table
 * (names, families, argument descriptors), name lookups, and
 * vigil_parse_type_list with type names, family names, "all" and errors
 * that name the offending word (empty words included).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "event_types.h"

/* Which types a family holds, written out independently of the table. */
static const uint32_t process_types[] = {
    VIGIL_EVT_EXECVE,
    VIGIL_EVT_EXECVEAT,
    VIGIL_EVT_CLONE,
    VIGIL_EVT_PROCEXIT,
};
static const uint32_t cred_types[] = {
    VIGIL_EVT_SETUID,	 VIGIL_EVT_SETGID,    VIGIL_EVT_SETREUID, VIGIL_EVT_SETREGID,
    VIGIL_EVT_SETRESUID, VIGIL_EVT_SETRESGID, VIGIL_EVT_CAPSET,
};
static const uint32_t net_types[] = {
    VIGIL_EVT_SOCKET,  VIGIL_EVT_CONNECT, VIGIL_EVT_ACCEPT,
    VIGIL_EVT_ACCEPT4, VIGIL_EVT_BIND,	  VIGIL_EVT_LISTEN,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void assert_wanted_exactly(const bool wanted[VIGIL_EVT_MAX], const uint32_t *types, size_t n)
{
	for (uint32_t t = 0; t < VIGIL_EVT_MAX; t++) {
		bool want = false;

		for (size_t i = 0; i < n; i++)
			want |= types[i] == t;
		if (wanted[t] != want)
			fail_msg("type %u (%s): wanted=%d, expected %d", t, vigil_type_name(t),
				 wanted[t], want);
	}
}

static void assert_wanted_range(const bool wanted[VIGIL_EVT_MAX], uint32_t first, uint32_t last)
{
	for (uint32_t t = 0; t < VIGIL_EVT_MAX; t++)
		if (wanted[t] != (t >= first && t <= last))
			fail_msg("type %u (%s): wanted=%d", t, vigil_type_name(t), wanted[t]);
}

static int parse(const char *list, bool wanted[VIGIL_EVT_MAX], const char **bad)
{
	memset(wanted, 0, VIGIL_EVT_MAX * sizeof(bool));
	*bad = NULL;
	return vigil_parse_type_list(list, wanted, bad);
}

/* Every type 1..MAX-1 is described, named uniquely, and found by name. */
static void test_table_complete(void **state)
{
	(void)state;
	for (uint32_t t = 1; t < VIGIL_EVT_MAX; t++) {
		const struct vigil_type_desc *d = vigil_type_desc(t);

		if (!d)
			fail_msg("type %u has no descriptor", t);
		assert_non_null(d->name);
		assert_true(d->name[0] != '\0');
		assert_string_equal(vigil_type_name(t), d->name);
		assert_int_equal(vigil_type_by_name(d->name), t);
		assert_true(d->family < VIGIL_FAM_COUNT);
		for (uint32_t u = 1; u < t; u++)
			assert_string_not_equal(vigil_type_name(u), d->name);
	}
}

/* Argument descriptors: valid index and format, unique names, packed. */
static void test_table_args(void **state)
{
	(void)state;
	for (uint32_t t = 1; t < VIGIL_EVT_MAX; t++) {
		const struct vigil_type_desc *d = vigil_type_desc(t);
		bool ended = false;

		for (int i = 0; i < VIGIL_TYPE_MAX_ARGS; i++) {
			const struct vigil_arg_desc *a = &d->args[i];

			if (!a->name) {
				ended = true;
				continue;
			}
			if (ended)
				fail_msg("%s: argument %d after a hole", d->name, i);
			assert_true(a->index < VIGIL_MAX_ARGS);
			assert_true(a->fmt > VIGIL_AF_NONE && a->fmt <= VIGIL_AF_MAP_FLAGS);
			for (int j = 0; j < i; j++)
				assert_string_not_equal(d->args[j].name, a->name);
		}
		if (d->fd_in_ret && d->fd_in_arg0)
			fail_msg("%s: fd both in ret and in args[0]", d->name);
		/* fd_in_arg0 types show that argument under some name */
		if (d->fd_in_arg0)
			assert_int_equal(d->args[0].index, 0);
	}
}

static void test_out_of_range(void **state)
{
	(void)state;
	assert_null(vigil_type_desc(VIGIL_EVT_NONE));
	assert_null(vigil_type_desc(VIGIL_EVT_MAX));
	assert_null(vigil_type_desc(UINT32_MAX));
	assert_string_equal(vigil_type_name(VIGIL_EVT_NONE), "unknown");
	assert_string_equal(vigil_type_name(VIGIL_EVT_MAX), "unknown");
	assert_string_equal(vigil_type_name(9999), "unknown");
	assert_int_equal(vigil_type_by_name("nope"), VIGIL_EVT_NONE);
	assert_int_equal(vigil_type_by_name(""), VIGIL_EVT_NONE);
	assert_int_equal(vigil_type_by_name("OPENAT"), VIGIL_EVT_NONE);
	assert_int_equal(vigil_type_by_name("openat "), VIGIL_EVT_NONE);
	assert_int_equal(vigil_type_by_name("unknown"), VIGIL_EVT_NONE);
	assert_int_equal(vigil_type_by_name("file"), VIGIL_EVT_NONE);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(vigil_type_name(VIGIL_EVT_EXECVE), "execve");
	assert_string_equal(vigil_type_name(VIGIL_EVT_PROCEXIT), "procexit");
	assert_string_equal(vigil_type_name(VIGIL_EVT_OPENAT2), "openat2");
	assert_string_equal(vigil_type_name(VIGIL_EVT_ACCEPT4), "accept4");
	assert_string_equal(vigil_type_name(VIGIL_EVT_INIT_MODULE), "init_module");
	assert_string_equal(vigil_type_name(VIGIL_EVT_MEMFD_CREATE), "memfd_create");
	assert_string_equal(vigil_type_name(VIGIL_EVT_TGKILL), "tgkill");
	assert_int_equal(vigil_type_by_name("connect"), VIGIL_EVT_CONNECT);
	assert_int_equal(vigil_type_by_name("umount2"), VIGIL_EVT_UMOUNT2);
	assert_int_equal(vigil_type_by_name("setresgid"), VIGIL_EVT_SETRESGID);
}

static void test_families(void **state)
{
	(void)state;
	assert_string_equal(vigil_family_name(VIGIL_FAM_PROCESS), "process");
	assert_string_equal(vigil_family_name(VIGIL_FAM_CRED), "cred");
	assert_string_equal(vigil_family_name(VIGIL_FAM_FILE), "file");
	assert_string_equal(vigil_family_name(VIGIL_FAM_NET), "network");
	assert_string_equal(vigil_family_name(VIGIL_FAM_KERNEL), "kernel");
	assert_string_equal(vigil_family_name(VIGIL_FAM_COUNT), "unknown");
	/* the enum is grouped by family, in this order */
	for (uint32_t t = 1; t < VIGIL_EVT_MAX; t++) {
		uint8_t f = vigil_type_desc(t)->family;

		if (t <= VIGIL_EVT_PROCEXIT)
			assert_int_equal(f, VIGIL_FAM_PROCESS);
		else if (t <= VIGIL_EVT_CAPSET)
			assert_int_equal(f, VIGIL_FAM_CRED);
		else if (t <= VIGIL_EVT_FTRUNCATE)
			assert_int_equal(f, VIGIL_FAM_FILE);
		else if (t <= VIGIL_EVT_LISTEN)
			assert_int_equal(f, VIGIL_FAM_NET);
		else if (t == VIGIL_EVT_MMAP) /* appended: a file mapped for execution */
			assert_int_equal(f, VIGIL_FAM_FILE);
		else
			assert_int_equal(f, VIGIL_FAM_KERNEL);
	}
}

static void test_openat_desc(void **state)
{
	const struct vigil_type_desc *d = vigil_type_desc(VIGIL_EVT_OPENAT);

	(void)state;
	assert_string_equal(d->name, "openat");
	assert_int_equal(d->family, VIGIL_FAM_FILE);
	assert_true(d->fd_in_ret);
	assert_false(d->fd_in_arg0);
	assert_int_equal(d->path2, VIGIL_P2_NONE);
	assert_null(d->data_name);
	assert_string_equal(d->args[0].name, "dirfd");
	assert_int_equal(d->args[0].index, 0);
	assert_int_equal(d->args[0].fmt, VIGIL_AF_FD);
	assert_string_equal(d->args[1].name, "flags");
	assert_int_equal(d->args[1].index, 2);
	assert_int_equal(d->args[1].fmt, VIGIL_AF_OPEN_FLAGS);
	assert_string_equal(d->args[2].name, "mode");
	assert_int_equal(d->args[2].index, 3);
	assert_int_equal(d->args[2].fmt, VIGIL_AF_OCTAL);
	assert_null(d->args[3].name);
}

static void test_other_descs(void **state)
{
	const struct vigil_type_desc *d;

	(void)state;
	d = vigil_type_desc(VIGIL_EVT_CONNECT);
	assert_int_equal(d->family, VIGIL_FAM_NET);
	assert_true(d->fd_in_arg0);
	assert_false(d->fd_in_ret);
	assert_string_equal(d->args[0].name, "fd");

	d = vigil_type_desc(VIGIL_EVT_CLONE);
	assert_string_equal(d->args[0].name, "child_tid");
	assert_int_equal(d->args[0].index, VIGIL_CLONE_ARG_CHILD_TID);
	assert_string_equal(d->args[1].name, "child_pid");
	assert_int_equal(d->args[1].index, VIGIL_CLONE_ARG_CHILD_PID);

	assert_int_equal(vigil_type_desc(VIGIL_EVT_RENAMEAT2)->path2, VIGIL_P2_NEWPATH);
	assert_int_equal(vigil_type_desc(VIGIL_EVT_LINKAT)->path2, VIGIL_P2_NEWPATH);
	assert_int_equal(vigil_type_desc(VIGIL_EVT_SYMLINK)->path2, VIGIL_P2_LINK);
	assert_int_equal(vigil_type_desc(VIGIL_EVT_MOUNT)->path2, VIGIL_P2_MOUNT);
	assert_string_equal(vigil_type_desc(VIGIL_EVT_MEMFD_CREATE)->data_name, "name");
	assert_string_equal(vigil_type_desc(VIGIL_EVT_BPF)->data_name, "prog_name");
	assert_string_equal(vigil_type_desc(VIGIL_EVT_INIT_MODULE)->data_name, "params");
	assert_true(vigil_type_desc(VIGIL_EVT_SOCKET)->fd_in_ret);
	assert_int_equal(vigil_type_desc(VIGIL_EVT_UNSHARE)->args[0].fmt, VIGIL_AF_CLONE_FLAGS);
	assert_int_equal(vigil_type_desc(VIGIL_EVT_CAPSET)->args[0].fmt, VIGIL_AF_CAPS);
}

static void test_parse_types(void **state)
{
	bool wanted[VIGIL_EVT_MAX];
	const char *bad;
	static const uint32_t two[] = {VIGIL_EVT_OPENAT, VIGIL_EVT_CONNECT};
	static const uint32_t one[] = {VIGIL_EVT_EXECVE};

	(void)state;
	assert_int_equal(parse("openat,connect", wanted, &bad), 0);
	assert_wanted_exactly(wanted, two, COUNT(two));
	assert_int_equal(parse("execve", wanted, &bad), 0);
	assert_wanted_exactly(wanted, one, COUNT(one));
	/* duplicates are harmless */
	assert_int_equal(parse("connect,openat,openat", wanted, &bad), 0);
	assert_wanted_exactly(wanted, two, COUNT(two));
}

/* The list adds to wanted[]: what was already set stays set. */
static void test_parse_accumulates(void **state)
{
	bool wanted[VIGIL_EVT_MAX] = {false};
	const char *bad = NULL;
	static const uint32_t two[] = {VIGIL_EVT_KILL, VIGIL_EVT_OPENAT};

	(void)state;
	wanted[VIGIL_EVT_KILL] = true;
	assert_int_equal(vigil_parse_type_list("openat", wanted, &bad), 0);
	assert_wanted_exactly(wanted, two, COUNT(two));
}

static void test_parse_families(void **state)
{
	bool wanted[VIGIL_EVT_MAX];
	const char *bad;
	uint32_t both[COUNT(process_types) + COUNT(cred_types)];

	(void)state;
	assert_int_equal(parse("process", wanted, &bad), 0);
	assert_wanted_exactly(wanted, process_types, COUNT(process_types));
	assert_int_equal(parse("cred", wanted, &bad), 0);
	assert_wanted_exactly(wanted, cred_types, COUNT(cred_types));
	assert_int_equal(parse("network", wanted, &bad), 0);
	assert_wanted_exactly(wanted, net_types, COUNT(net_types));
	assert_int_equal(parse("file", wanted, &bad), 0);
	assert_wanted_range(wanted, VIGIL_EVT_OPEN, VIGIL_EVT_FTRUNCATE);
	assert_int_equal(parse("kernel", wanted, &bad), 0);
	assert_wanted_range(wanted, VIGIL_EVT_PTRACE, VIGIL_EVT_TGKILL);
	memcpy(both, process_types, sizeof(process_types));
	memcpy(both + COUNT(process_types), cred_types, sizeof(cred_types));
	assert_int_equal(parse("process,cred", wanted, &bad), 0);
	assert_wanted_exactly(wanted, both, COUNT(both));
	/* families and types mixed */
	assert_int_equal(parse("network,openat", wanted, &bad), 0);
	assert_true(wanted[VIGIL_EVT_OPENAT]);
	assert_true(wanted[VIGIL_EVT_ACCEPT4]);
	assert_false(wanted[VIGIL_EVT_OPENAT2]);
	assert_false(wanted[VIGIL_EVT_EXECVE]);
}

static void test_parse_all(void **state)
{
	bool wanted[VIGIL_EVT_MAX];
	const char *bad;

	(void)state;
	/* everything but mmap, which is printed only when named */
	assert_int_equal(parse("all", wanted, &bad), 0);
	assert_false(wanted[VIGIL_EVT_MMAP]);
	wanted[VIGIL_EVT_MMAP] = true;
	assert_wanted_range(wanted, 1, VIGIL_EVT_MAX - 1);
	assert_int_equal(parse("file,all", wanted, &bad), 0);
	assert_false(wanted[VIGIL_EVT_MMAP]);
	assert_false(wanted[VIGIL_EVT_NONE]);
	assert_int_equal(parse("file", wanted, &bad), 0);
	assert_false(wanted[VIGIL_EVT_MMAP]);
	assert_int_equal(parse("mmap,all", wanted, &bad), 0);
	assert_wanted_range(wanted, 1, VIGIL_EVT_MAX - 1);
	assert_int_equal(parse("all,mmap", wanted, &bad), 0);
	assert_wanted_range(wanted, 1, VIGIL_EVT_MAX - 1);
}

static void check_bad(const char *list, const char *want_bad)
{
	bool wanted[VIGIL_EVT_MAX];
	const char *bad;

	if (parse(list, wanted, &bad) != -EINVAL)
		fail_msg("\"%s\" was accepted", list);
	if (!bad)
		fail_msg("\"%s\": no bad word reported", list);
	assert_string_equal(bad, want_bad);
}

static void test_parse_errors(void **state)
{
	(void)state;
	check_bad("bogus", "bogus");
	check_bad("openat,bogus,connect", "bogus");
	check_bad("openat,connect,bogus", "bogus");
	check_bad("net", "net");
	check_bad("Openat", "Openat");
	check_bad("ALL", "ALL");
	check_bad("unknown", "unknown");
	/* words are not trimmed */
	check_bad("openat, connect", " connect");
	check_bad("openat ", "openat ");
}

static void test_parse_empty_words(void **state)
{
	(void)state;
	check_bad("openat,,connect", "");
	check_bad("", "");
	check_bad(",", "");
	check_bad(",openat", "");
	check_bad("openat,", "");
}

/* A word longer than the internal buffer is still rejected, and the report
 * is a bounded prefix of it. */
static void test_parse_long_word(void **state)
{
	char list[300];
	bool wanted[VIGIL_EVT_MAX];
	const char *bad;

	(void)state;
	memset(list, 'x', sizeof(list) - 1);
	list[sizeof(list) - 1] = '\0';
	assert_int_equal(parse(list, wanted, &bad), -EINVAL);
	assert_non_null(bad);
	assert_true(strlen(bad) > 0 && strlen(bad) < 64);
	assert_memory_equal(bad, list, strlen(bad));

	/* a valid type name followed by many more letters is not that type */
	memcpy(list, "openat", 6);
	assert_int_equal(parse(list, wanted, &bad), -EINVAL);
	assert_false(wanted[VIGIL_EVT_OPENAT]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_complete),    cmocka_unit_test(test_table_args),
	    cmocka_unit_test(test_out_of_range),      cmocka_unit_test(test_names),
	    cmocka_unit_test(test_families),	      cmocka_unit_test(test_openat_desc),
	    cmocka_unit_test(test_other_descs),	      cmocka_unit_test(test_parse_types),
	    cmocka_unit_test(test_parse_accumulates), cmocka_unit_test(test_parse_families),
	    cmocka_unit_test(test_parse_all),	      cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_parse_empty_words), cmocka_unit_test(test_parse_long_word),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
