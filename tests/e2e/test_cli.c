/* test_cli.c - the agent's command line: `probe --json` against the kernel
 * it runs on, `version`, `--help`, and rejected input (unknown --filter type,
 * unwritable --output, not root), which must fail cleanly without leaving a
 * process behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include "tests.h"

#define CLI_TIMEOUT_MS 60000

/* Runs `$VIGIL args...`; fails the test when it did not finish in time, or,
 * with stop_on_ready, when it started up (printed ready) instead of failing. */
static bool cli(struct tctx *t, struct capture *r, bool as_nobody, bool stop_on_ready,
		const char *const *args)
{
	const char *argv[32];
	int n = 0;

	argv[n++] = vigil_path();
	for (int i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	r->argv = argv;
	r->as_nobody = as_nobody;
	r->stop_on_ready = stop_on_ready;
	r->timeout_ms = CLI_TIMEOUT_MS;
	run_capture(r);
	r->argv = NULL;
	if (r->got_ready) {
		tfail(t, "`vigil %s` started (printed ready) instead of failing", args[0]);
		return false;
	}
	if (r->status == -1) {
		tfail(t, "`vigil %s` did not exit within %d s (killed); stderr: %.300s", args[0],
		      CLI_TIMEOUT_MS / 1000, r->err);
		return false;
	}
	return true;
}

/* ---- probe --------------------------------------------------------------- */

static void expect_probe_bool(struct tctx *t, json_t *o, const char *key, int want)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_boolean(v)) {
		tfail(t, "probe: \"%s\" is not a boolean", key);
		return;
	}
	if (want >= 0 && json_is_true(v) != want)
		tfail(t, "probe: \"%s\" is %s, expected %s", key,
		      json_is_true(v) ? "true" : "false", want ? "true" : "false");
}

void test_probe_matches_kernel(struct tctx *t)
{
	static const char *const args[] = {"probe", "--json", NULL};
	static const char *const any[] = {"bpf_lsm_compiled", "cgroup_sock_addr", "uprobe"};
	static const char *const must[] = {"btf", "ringbuf", "tracepoint", "raw_tp", "tp_btf"};
	struct capture *r = calloc(1, sizeof(*r));
	const char *expect = getenv("VIGIL_KERNEL_EXPECT");
	char lsm[512];
	struct utsname u;
	json_error_t jerr;
	json_t *o = NULL;
	int vm;

	if (!r || !cli(t, r, false, false, args))
		goto out;
	if (!expect || !*expect || !strcmp(expect, "host")) {
		vm = 0;
	} else if (!strcmp(expect, "vm")) {
		vm = 1;
	} else {
		tfail(t, "VIGIL_KERNEL_EXPECT=%s is neither host nor vm", expect);
		goto out;
	}
	if (exit_code(r->status) != 0)
		tfail(t, "exit status %d; stderr: %.300s", exit_code(r->status), r->err);
	o = json_loads(r->out, 0, &jerr);
	if (!json_is_object(o)) {
		tfail(t, "stdout is not one JSON object (%s): %.300s", jerr.text, r->out);
		goto out;
	}
	uname(&u);
	if (!json_is_string(json_object_get(o, "kernel")) ||
	    strcmp(json_string_value(json_object_get(o, "kernel")), u.release))
		tfail(t, "probe: \"kernel\" is not \"%s\"", u.release);
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		expect_probe_bool(t, o, must[i], 1);
	for (size_t i = 0; i < sizeof(any) / sizeof(any[0]); i++)
		expect_probe_bool(t, o, any[i], vm && i == 0 ? 1 : -1);
	expect_probe_bool(t, o, "fentry", vm);
	expect_probe_bool(t, o, "lsm_active", vm);
	/* independent of the environment variable: BPF LSM programs can only be
	 * active when "bpf" is among the kernel's active LSMs */
	if (read_file("/sys/kernel/security/lsm", lsm, sizeof(lsm)) > 0 && !strstr(lsm, "bpf") &&
	    json_is_true(json_object_get(o, "lsm_active")))
		tfail(t, "probe: lsm_active is true but /sys/kernel/security/lsm is %s", lsm);
	if (json_is_boolean(json_object_get(o, "btf")) &&
	    json_is_true(json_object_get(o, "btf")) !=
		(access("/sys/kernel/btf/vmlinux", R_OK) == 0))
		tfail(t, "probe: btf disagrees with /sys/kernel/btf/vmlinux");
	if (!tfailed(t))
		tnote(t, "expect=%s fentry=%s lsm_active=%s", vm ? "vm" : "host",
		      json_is_true(json_object_get(o, "fentry")) ? "true" : "false",
		      json_is_true(json_object_get(o, "lsm_active")) ? "true" : "false");
out:
	json_decref(o);
	free(r);
}

/* ---- version, help ------------------------------------------------------- */

void test_cli_version(struct tctx *t)
{
	static const char *const args[] = {"version", NULL};
	struct capture *r = calloc(1, sizeof(*r));

	if (!r || !cli(t, r, false, false, args))
		goto out;
	if (exit_code(r->status) != 0)
		tfail(t, "exit status %d; stderr: %.300s", exit_code(r->status), r->err);
	if (!r->out[0])
		tfail(t, "nothing on stdout");
	else
		tnote(t, "%s", strtok(r->out, "\n"));
out:
	free(r);
}

void test_cli_help(struct tctx *t)
{
	static const char *const args[] = {"--help", NULL};
	struct capture *r = calloc(1, sizeof(*r));
	char *all;

	if (!r || !cli(t, r, false, false, args))
		goto out;
	if (exit_code(r->status) != 0)
		tfail(t, "exit status %d", exit_code(r->status));
	if (asprintf(&all, "%s\n%s", r->out, r->err) < 0)
		goto out;
	if (!strstr(all, "run") || !strstr(all, "probe"))
		tfail(t, "help text does not mention both `run` and `probe`: %.300s", all);
	free(all);
out:
	free(r);
}

/* ---- rejected input ------------------------------------------------------ */

/* A rejected run must not leave any process behind in its session. */
static void expect_no_leftovers(struct tctx *t, const struct capture *r)
{
	char pids[256];
	int n = session_members(r->pid, pids, sizeof(pids));

	if (n)
		tfail(t, "%d processes of the failed run remain (pids %s)", n, pids);
}

/* Runs `vigil run --events ARGS`; requires a non-zero exit and want in stderr. */
static void expect_rejected(struct tctx *t, const char *const *args, const char *want)
{
	const char *argv[16] = {"run", "--events"};
	struct capture *r = calloc(1, sizeof(*r));
	int n = 2;

	for (int i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (!r || !cli(t, r, false, true, argv))
		goto out;
	if (exit_code(r->status) == 0)
		tfail(t, "`%s %s` exited 0", args[0], args[1]);
	if (!strstr(r->err, want))
		tfail(t, "stderr of `%s %s` does not name %s: %.300s", args[0], args[1], want,
		      r->err);
	expect_no_leftovers(t, r);
out:
	free(r);
}

void test_cli_bad_filter(struct tctx *t)
{
	static const char *const a1[] = {"--filter", "nosuchtype", NULL};
	static const char *const a2[] = {"--filter", "openat,nosuchtype2", NULL};

	expect_rejected(t, a1, "nosuchtype");
	expect_rejected(t, a2, "nosuchtype2");
}

void test_cli_bad_output(struct tctx *t)
{
	static const char *const a[] = {"--output", "/nonexistent-dir/x", NULL};

	expect_rejected(t, a, "/nonexistent-dir/x");
}

void test_cli_not_root(struct tctx *t)
{
	static const char *const args[] = {"run", "--events", NULL};
	struct capture *r = calloc(1, sizeof(*r));

	if (!r || !cli(t, r, true, true, args))
		goto out;
	if (r->exec_errno) {
		tskip(t, "cannot exec %s as uid 65534: %s", vigil_path(), strerror(r->exec_errno));
		goto out;
	}
	if (exit_code(r->status) == 0)
		tfail(t, "exited 0 as uid 65534");
	if (!str_has_ci(r->err, "root") && !str_has_ci(r->err, "permission") &&
	    !str_has_ci(r->err, "permitted"))
		tfail(t, "stderr mentions neither root nor permission: %.300s", r->err);
	expect_no_leftovers(t, r);
out:
	free(r);
}
