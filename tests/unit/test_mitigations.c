/* test_mitigations.c - unit tests for src/mitigations.c and the output of
 * src/mitigations_cmd.c: the catalogue's shape (fixed names and ids, kebab
 * case, every field filled, well-formed CVE ids and URLs), name lists, CVE
 * lookups, availability for feature combinations, the text and JSON output,
 * and that docs/mitigations.md covers every entry and CVE.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <cmocka.h>

#include "mitigations.h"
#include "vigil_abi.h"
#include "probe.h"

/* The names are part of the interface (policy files, --mitigate) and their
 * position is the bit in the kernel's mask: both must never change. */
static const char *const fixed_names[] = {
    "userns",		"io-uring",
    "empty-argv",	"proc-mem-write",
    "dccp-socket",	"sctp-socket",
    "tipc-socket",	"rds-socket",
    "af-alg-socket",	"af-packet-unprivileged",
    "release-agent",	"dirty-pipe",
    "overlayfs-userns", "setuid-loader-env",
    "unprivileged-bpf", "unprivileged-perf-event",
    "module-autoload",
};
#define NFIXED (sizeof(fixed_names) / sizeof(fixed_names[0]))

static size_t count(const char *const *v, size_t max)
{
	size_t n = 0;

	while (n < max && v[n])
		n++;
	return n;
}

static bool is_kebab(const char *s)
{
	if (!*s || *s == '-')
		return false;
	for (const char *p = s; *p; p++) {
		if (*p == '-') {
			if (p[1] == '-' || p[1] == '\0')
				return false;
		} else if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p)) {
			return false;
		}
	}
	return true;
}

/* CVE-YYYY-NNNN with 4 or more digits in the sequence number. */
static bool is_cve_id(const char *s)
{
	size_t n = 0;

	if (strncmp(s, "CVE-", 4) != 0)
		return false;
	for (int i = 4; i < 8; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	if (s[8] != '-')
		return false;
	for (s += 9; isdigit((unsigned char)*s); s++)
		n++;
	return *s == '\0' && n >= 4;
}

static void test_fixed_names_and_ids(void **state)
{
	(void)state;
	assert_int_equal(vigil_nmitigations, NFIXED);
	assert_true(vigil_nmitigations <= 64);
	for (size_t i = 0; i < NFIXED; i++) {
		const struct vigil_mitigation *m = vigil_mitigation_find(fixed_names[i]);

		assert_non_null(m);
		assert_int_equal(m->id, i);
		assert_ptr_equal(m, &vigil_mitigations[i]);
	}
	for (size_t i = 0; i < vigil_nmitigations; i++)
		assert_int_equal(vigil_mitigations[i].id, i);
}

static void test_names_unique_kebab(void **state)
{
	(void)state;
	for (size_t i = 0; i < vigil_nmitigations; i++) {
		assert_true(is_kebab(vigil_mitigations[i].name));
		for (size_t j = i + 1; j < vigil_nmitigations; j++)
			assert_string_not_equal(vigil_mitigations[i].name,
						vigil_mitigations[j].name);
	}
	assert_false(is_kebab("Userns"));
	assert_false(is_kebab("io--uring"));
	assert_false(is_kebab("-x"));
	assert_false(is_kebab("io_uring"));
	assert_null(vigil_mitigation_find("USERNS"));
	assert_null(vigil_mitigation_find(""));
	assert_null(vigil_mitigation_find(NULL));
}

static void assert_text(const char *s)
{
	assert_non_null(s);
	assert_true(strlen(s) > 3);
}

static void test_fields_filled(void **state)
{
	(void)state;
	for (size_t i = 0; i < vigil_nmitigations; i++) {
		const struct vigil_mitigation *m = &vigil_mitigations[i];
		size_t nrefs = count(m->refs, VIGIL_MIT_MAX_REFS);
		size_t ncves = count(m->cves, VIGIL_MIT_MAX_CVES);

		assert_text(m->title);
		assert_text(m->primitive);
		assert_text(m->hook);
		assert_text(m->mechanism);
		assert_text(m->fallback_text);
		assert_text(m->side_effects);
		assert_non_null(m->error);
		assert_true(strcmp(m->error, "EPERM") == 0 || strcmp(m->error, "EINVAL") == 0 ||
			    strcmp(m->error, "killed (SIGKILL)") == 0);
		/* NULL-terminated arrays: the last slot is always free. */
		assert_true(nrefs >= 1 && nrefs < VIGIL_MIT_MAX_REFS);
		assert_true(ncves >= 1 && ncves < VIGIL_MIT_MAX_CVES);
		for (size_t j = 0; j < nrefs; j++)
			assert_true(strncmp(m->refs[j], "https://", 8) == 0);
		for (size_t j = 0; j < ncves; j++) {
			assert_true(is_cve_id(m->cves[j]));
			for (size_t k = j + 1; k < ncves; k++)
				assert_string_not_equal(m->cves[j], m->cves[k]);
		}
		/* The fallback text says what the fallback does. */
		switch (m->fallback) {
		case VIGIL_FALLBACK_KILL:
			assert_non_null(strstr(m->fallback_text, "killed"));
			break;
		case VIGIL_FALLBACK_CGROUP:
			assert_non_null(strstr(m->fallback_text, "cgroup"));
			break;
		case VIGIL_FALLBACK_NONE:
			break;
		}
	}
	assert_false(is_cve_id("CVE-2021-403"));
	assert_false(is_cve_id("cve-2021-4034"));
	assert_true(is_cve_id("CVE-2017-1000366"));
}

static void test_mechanisms(void **state)
{
	(void)state;
	/* The mechanisms the kernel side implements, per mitigation. */
	assert_int_equal(vigil_mitigation_find("userns")->mech, VIGIL_MECH_LSM);
	assert_int_equal(vigil_mitigation_find("io-uring")->mech, VIGIL_MECH_LSM);
	assert_int_equal(vigil_mitigation_find("empty-argv")->mech, VIGIL_MECH_LSM);
	assert_string_equal(vigil_mitigation_find("empty-argv")->error, "EINVAL");
	assert_int_equal(vigil_mitigation_find("dirty-pipe")->mech, VIGIL_MECH_LSM);
	/* The kernel side's ids (vigil_abi.h) are the catalogue's. */
	assert_int_equal(vigil_mitigation_find("userns")->id, VIGIL_MIT_USERNS);
	assert_int_equal(vigil_mitigation_find("dirty-pipe")->id, VIGIL_MIT_DIRTY_PIPE);
	assert_int_equal(vigil_mitigation_find("module-autoload")->id, VIGIL_MIT_MODULE_AUTOLOAD);
	assert_int_equal(vigil_nmitigations, VIGIL_MIT_COUNT);
	assert_int_equal(vigil_mitigation_find("dccp-socket")->fallback, VIGIL_FALLBACK_CGROUP);
	assert_int_equal(vigil_mitigation_find("sctp-socket")->fallback, VIGIL_FALLBACK_CGROUP);
	assert_int_equal(vigil_mitigation_find("tipc-socket")->fallback, VIGIL_FALLBACK_KILL);
	assert_int_equal(vigil_mitigation_find("setuid-loader-env")->mech, VIGIL_MECH_EXEC_KILL);
	assert_string_equal(vigil_mitigation_find("setuid-loader-env")->error, "killed (SIGKILL)");
	assert_int_equal(vigil_mitigation_find("module-autoload")->fallback, VIGIL_FALLBACK_NONE);
	assert_true(strncmp(vigil_mitigation_find("module-autoload")->fallback_text, "none", 4) ==
		    0);
	assert_string_equal(vigil_mitigation_fallback_error(vigil_mitigation_find("userns")),
			    "killed (SIGKILL)");
	assert_string_equal(vigil_mitigation_fallback_error(vigil_mitigation_find("sctp-socket")),
			    "EPERM");
	assert_string_equal(
	    vigil_mitigation_fallback_error(vigil_mitigation_find("module-autoload")), "none");
}

static void test_parse_list(void **state)
{
	uint64_t mask = 12345;
	const char *bad = "untouched";

	(void)state;
	assert_int_equal(vigil_mitigations_parse_list("userns,io-uring", &mask, &bad), 0);
	assert_true(mask == 3);
	assert_null(bad);

	assert_int_equal(
	    vigil_mitigations_parse_list(" dirty-pipe , module-autoload,", &mask, NULL), 0);
	assert_true(mask == ((1ull << 11) | (1ull << 16)));

	assert_int_equal(vigil_mitigations_parse_list("", &mask, &bad), 0);
	assert_true(mask == 0);
	assert_int_equal(vigil_mitigations_parse_list("userns,userns", &mask, NULL), 0);
	assert_true(mask == 1);

	mask = 7;
	assert_int_equal(vigil_mitigations_parse_list("userns,bogus,io-uring", &mask, &bad), -1);
	assert_non_null(bad);
	assert_string_equal(bad, "bogus");
	assert_true(mask == 7); /* untouched on error */
	assert_int_equal(vigil_mitigations_parse_list("io_uring", &mask, &bad), -1);
	assert_string_equal(bad, "io_uring");
	assert_int_equal(vigil_mitigations_parse_list("Userns", &mask, NULL), -1);

	/* A very long name is reported (cut), not overflowed. */
	char longname[300];

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(vigil_mitigations_parse_list(longname, &mask, &bad), -1);
	assert_true(strlen(bad) > 0 && strlen(bad) < 64);

	/* "all" is every mitigation, alone or with others. */
	assert_int_equal(vigil_mitigations_parse_list("all", &mask, NULL), 0);
	assert_true(mask == (1ull << vigil_nmitigations) - 1);
	assert_int_equal(vigil_mitigations_parse_list("userns, all", &mask, NULL), 0);
	assert_true(mask == vigil_mitigations_all_mask());

	/* Every name round-trips to its own bit. */
	for (size_t i = 0; i < vigil_nmitigations; i++) {
		assert_int_equal(
		    vigil_mitigations_parse_list(vigil_mitigations[i].name, &mask, NULL), 0);
		assert_true(mask == 1ull << i);
	}
}

static void test_for_cve(void **state)
{
	const struct vigil_mitigation *m;
	uint64_t mask;

	(void)state;
	m = vigil_mitigation_for_cve("CVE-2021-4034");
	assert_non_null(m);
	assert_string_equal(m->name, "empty-argv");
	m = vigil_mitigation_for_cve("CVE-2022-0847");
	assert_non_null(m);
	assert_string_equal(m->name, "dirty-pipe");
	m = vigil_mitigation_for_cve("cve-2022-0847");
	assert_non_null(m);
	assert_string_equal(m->name, "dirty-pipe");
	m = vigil_mitigation_for_cve("CVE-2022-0185");
	assert_non_null(m);
	assert_string_equal(m->name, "userns");
	assert_null(vigil_mitigation_for_cve("CVE-1999-0001"));
	assert_null(vigil_mitigation_for_cve(""));
	assert_null(vigil_mitigation_for_cve(NULL));

	/* Copy Fail is broken at three steps: AF_ALG, the splice of the
	 * read-only file into a pipe, and the algif_aead autoload. */
	mask = vigil_mitigations_mask_for_cve("CVE-2026-31431");
	assert_true(mask == ((1ull << vigil_mitigation_find("af-alg-socket")->id) |
			     (1ull << vigil_mitigation_find("dirty-pipe")->id) |
			     (1ull << vigil_mitigation_find("module-autoload")->id)));
	assert_true(vigil_mitigations_mask_for_cve("CVE-2021-4034") == 1ull << 2);
	assert_true(vigil_mitigations_mask_for_cve("CVE-1999-0001") == 0);
	assert_true(vigil_mitigations_mask_for_cve(NULL) == 0);
}

static void test_availability(void **state)
{
	const struct vigil_mitigation *userns = vigil_mitigation_find("userns");
	const struct vigil_mitigation *uring = vigil_mitigation_find("io-uring");
	const struct vigil_mitigation *dccp = vigil_mitigation_find("dccp-socket");
	const struct vigil_mitigation *env = vigil_mitigation_find("setuid-loader-env");
	const struct vigil_mitigation *mod = vigil_mitigation_find("module-autoload");
	struct vigil_features all = {0}, none = {0}, nolsm = {0}, tponly = {0};

	(void)state;
	all.lsm_active = all.fentry = all.tracepoint = all.cgroup_sock_addr = all.tp_btf = true;
	/* A usual distribution kernel: trampolines work, "bpf" is not in lsm=. */
	nolsm.fentry = nolsm.tracepoint = nolsm.cgroup_sock_addr = nolsm.tp_btf = true;
	tponly.tracepoint = true;

	assert_string_equal(vigil_mitigation_availability(userns, NULL), "unknown (run as root)");

	assert_string_equal(vigil_mitigation_availability(userns, &all), "enforce (BPF LSM)");
	/* BPF LSM on a kernel without the hook (userns_create before 6.1). */
	all.lsm_hooks_missing = 1ull << userns->id;
	assert_string_equal(vigil_mitigation_availability(userns, &all),
			    "unavailable (this kernel's BPF LSM lacks the hook)");
	assert_string_equal(vigil_mitigation_availability(dccp, &all), "enforce (BPF LSM)");
	all.lsm_hooks_missing = 0;
	assert_string_equal(vigil_mitigation_availability(uring, &all), "enforce (BPF LSM)");
	assert_string_equal(vigil_mitigation_availability(dccp, &all), "enforce (BPF LSM)");
	assert_string_equal(vigil_mitigation_availability(env, &all), "kill (sched_process_exec)");
	assert_string_equal(vigil_mitigation_availability(mod, &all), "enforce (BPF LSM)");

	assert_string_equal(vigil_mitigation_availability(userns, &nolsm), "kill (no BPF LSM)");
	assert_string_equal(vigil_mitigation_availability(uring, &nolsm), "kill (no BPF LSM)");
	assert_string_equal(vigil_mitigation_availability(dccp, &nolsm), "enforce (cgroup hook)");
	assert_string_equal(vigil_mitigation_availability(env, &nolsm),
			    "kill (sched_process_exec)");
	assert_string_equal(vigil_mitigation_availability(mod, &nolsm),
			    "unavailable (needs BPF LSM)");

	assert_string_equal(vigil_mitigation_availability(userns, &tponly), "kill (no BPF LSM)");
	assert_string_equal(vigil_mitigation_availability(uring, &tponly), "kill (no BPF LSM)");
	assert_true(strncmp(vigil_mitigation_availability(dccp, &tponly), "unavailable (", 13) ==
		    0);
	assert_string_equal(vigil_mitigation_availability(env, &tponly),
			    "unavailable (needs tp_btf)");

	for (size_t i = 0; i < vigil_nmitigations; i++) {
		const char *a = vigil_mitigation_availability(&vigil_mitigations[i], &none);

		assert_true(strncmp(a, "unavailable (", 13) == 0);
		a = vigil_mitigation_availability(&vigil_mitigations[i], &all);
		assert_true(strncmp(a, "enforce (", 9) == 0 || strncmp(a, "kill (", 6) == 0);
	}
}

/* Runs a printer into a memory buffer; the caller frees it. */
static char *capture_one(const struct vigil_mitigation *m, const struct vigil_features *f,
			 bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	vigil_mitigation_print(fp, m, f, json);
	fclose(fp);
	return buf;
}

static char *capture_list(const struct vigil_features *f, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	vigil_mitigations_print_list(fp, f, json);
	fclose(fp);
	return buf;
}

static void test_show_text(void **state)
{
	(void)state;
	for (size_t i = 0; i < vigil_nmitigations; i++) {
		const struct vigil_mitigation *m = &vigil_mitigations[i];
		char *out = capture_one(m, NULL, false);

		assert_non_null(strstr(out, m->name));
		assert_non_null(strstr(out, "unknown (run as root)"));
		assert_non_null(strstr(out, "mitigations: ["));
		for (size_t j = 0; j < VIGIL_MIT_MAX_CVES && m->cves[j]; j++)
			assert_non_null(strstr(out, m->cves[j]));
		for (size_t j = 0; j < VIGIL_MIT_MAX_REFS && m->refs[j]; j++)
			assert_non_null(strstr(out, m->refs[j]));
		/* Wrapped at 78 columns, except for lines that are one long word. */
		for (char *line = out; *line;) {
			char *nl = strchr(line, '\n');
			size_t len = nl ? (size_t)(nl - line) : strlen(line);

			if (len > 78)
				assert_null(memchr(line + 2, ' ', len - 2));
			line += len + (nl ? 1 : 0);
		}
		free(out);
	}
}

static void test_show_json(void **state)
{
	const struct vigil_mitigation *m = vigil_mitigation_find("dirty-pipe");
	struct vigil_features nolsm = {0};
	json_error_t err;
	json_t *root;
	char *out;

	(void)state;
	nolsm.fentry = nolsm.tracepoint = true;
	out = capture_one(m, &nolsm, true);
	root = json_loads(out, 0, &err);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "name")), "dirty-pipe");
	assert_int_equal(json_integer_value(json_object_get(root, "id")), 11);
	assert_string_equal(json_string_value(json_object_get(root, "available")),
			    "kill (no BPF LSM)");
	assert_string_equal(json_string_value(json_object_get(root, "error")), "EPERM");
	assert_string_equal(json_string_value(json_object_get(root, "fallback_error")),
			    "killed (SIGKILL)");
	assert_string_equal(json_string_value(json_array_get(json_object_get(root, "cves"), 0)),
			    "CVE-2022-0847");
	assert_true(json_array_size(json_object_get(root, "refs")) >= 1);
	assert_true(json_is_true(json_object_get(root, "probed")));
	json_decref(root);
	free(out);
}

static void test_list_output(void **state)
{
	struct vigil_features all = {0};
	json_error_t err;
	json_t *root, *arr;
	char *out;

	(void)state;
	out = capture_list(NULL, false);
	assert_non_null(strstr(out, "AVAILABLE HERE"));
	assert_non_null(strstr(out, "run as root"));
	for (size_t i = 0; i < vigil_nmitigations; i++)
		assert_non_null(strstr(out, vigil_mitigations[i].name));
	free(out);

	all.lsm_active = all.fentry = all.tracepoint = all.cgroup_sock_addr = all.tp_btf = true;
	snprintf(all.kernel, sizeof(all.kernel), "6.1.0-test");
	out = capture_list(&all, false);
	assert_non_null(strstr(out, "enforce (BPF LSM)"));
	assert_non_null(strstr(out, "kernel 6.1.0-test"));
	assert_null(strstr(out, "run as root"));
	free(out);

	out = capture_list(NULL, true);
	root = json_loads(out, 0, &err);
	assert_non_null(root);
	assert_true(json_is_false(json_object_get(root, "probed")));
	assert_true(json_is_null(json_object_get(root, "features")));
	arr = json_object_get(root, "mitigations");
	assert_int_equal(json_array_size(arr), vigil_nmitigations);
	for (size_t i = 0; i < vigil_nmitigations; i++) {
		json_t *o = json_array_get(arr, i);

		assert_string_equal(json_string_value(json_object_get(o, "name")),
				    vigil_mitigations[i].name);
		assert_string_equal(json_string_value(json_object_get(o, "available")),
				    "unknown (run as root)");
	}
	json_decref(root);
	free(out);
}

static void test_cmd_usage(void **state)
{
	char *help[] = {"mitigations", "--help", NULL};
	char *bad_opt[] = {"mitigations", "--bogus", NULL};
	char *no_name[] = {"mitigations", "show", NULL};
	char *unknown[] = {"mitigations", "show", "no-such-thing", NULL};
	char *extra[] = {"mitigations", "userns", NULL};
	FILE *saved_out = stdout, *saved_err = stderr;
	FILE *devnull = fopen("/dev/null", "w");

	(void)state;
	assert_non_null(devnull);
	/* None of these reach the kernel probe. */
	stdout = devnull;
	stderr = devnull;
	int rc_help = vigil_cmd_mitigations(2, help);
	int rc_bad = vigil_cmd_mitigations(2, bad_opt);
	int rc_noname = vigil_cmd_mitigations(2, no_name);
	int rc_unknown = vigil_cmd_mitigations(3, unknown);
	int rc_extra = vigil_cmd_mitigations(2, extra);
	stdout = saved_out;
	stderr = saved_err;
	fclose(devnull);
	assert_int_equal(rc_help, 0);
	assert_int_equal(rc_bad, 2);
	assert_int_equal(rc_noname, 2);
	assert_int_equal(rc_unknown, 2);
	assert_int_equal(rc_extra, 2);
}

/* docs/mitigations.md has a section per mitigation and cites every CVE. */
static void test_doc_covers_catalogue(void **state)
{
	FILE *fp = fopen("docs/mitigations.md", "r");
	char *doc;
	long len;

	(void)state;
	if (!fp)
		skip(); /* not run from the repository root */
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	len = ftell(fp);
	assert_true(len > 0);
	rewind(fp);
	doc = calloc(1, (size_t)len + 1);
	assert_non_null(doc);
	assert_int_equal(fread(doc, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	for (size_t i = 0; i < vigil_nmitigations; i++) {
		const struct vigil_mitigation *m = &vigil_mitigations[i];
		char heading[96], record[96];

		snprintf(heading, sizeof(heading), "\n### `%s`", m->name);
		assert_non_null(strstr(doc, heading));
		for (size_t j = 0; j < VIGIL_MIT_MAX_CVES && m->cves[j]; j++) {
			snprintf(record, sizeof(record), "https://www.cve.org/CVERecord?id=%s",
				 m->cves[j]);
			assert_non_null(strstr(doc, record));
		}
	}
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixed_names_and_ids), cmocka_unit_test(test_names_unique_kebab),
	    cmocka_unit_test(test_fields_filled),	cmocka_unit_test(test_mechanisms),
	    cmocka_unit_test(test_parse_list),		cmocka_unit_test(test_for_cve),
	    cmocka_unit_test(test_availability),	cmocka_unit_test(test_show_text),
	    cmocka_unit_test(test_show_json),		cmocka_unit_test(test_list_output),
	    cmocka_unit_test(test_cmd_usage),		cmocka_unit_test(test_doc_covers_catalogue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
