/* main.c - vigil end-to-end test suite: the test table and the runner.
 *
 * Usage: vigil-e2e [-l] [-k SUBSTRING]...
 *   -l            list the test names and exit
 *   -k SUBSTRING  run only tests whose name contains SUBSTRING (repeatable)
 *        vigil-e2e --act ACTION ARGS...  (the rule tests' helper, test_rules.c)
 *        vigil-e2e --act mit ID DIR SUID  (a mitigation trigger, test_mitigate.c)
 *        vigil-e2e --inv-act ACTION ARGS...  (the inventory tests' helper)
 * Environment: VIGIL (agent binary, default /usr/bin/vigil),
 *              VIGIL_KERNEL_EXPECT (host|vm, what `vigil probe` must report),
 *              VIGIL_E2E_DUMP (set: print each test's events on stderr).
 *
 * Output (parsed by tests/vm/run.sh): one line per test, PASS <name>,
 * FAIL <name>: <reason> or SKIP <name>: <reason>, then
 * SUMMARY kernel=<uname -r> passed=N failed=N skipped=N. Diagnostics go to
 * stderr as lines starting with "# ". Exit status 0 iff no test failed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include "tests.h"

/* Which shared agent a test uses: false (none), true (`run --events`) or
 * RULES_AGENT (`run`: the default rules, alerts). */
#define RULES_AGENT 2

struct test {
	const char *name;
	void (*fn)(struct tctx *t);
	int shared; /* false, true or RULES_AGENT */
};

static const struct test tests[] = {
    /* command line, no shared agent */
    {"probe_matches_kernel", test_probe_matches_kernel, false},
    {"cli_version", test_cli_version, false},
    {"cli_help", test_cli_help, false},
    {"cli_bad_filter", test_cli_bad_filter, false},
    {"cli_bad_output", test_cli_bad_output, false},
    {"cli_not_root", test_cli_not_root, false},
    /* process */
    {"exec_args", test_exec_args, true},
    {"event_header", test_event_header, true},
    {"exec_symlink", test_exec_symlink, true},
    {"exec_enoent", test_exec_enoent, true},
    {"exec_path_lookup", test_exec_path_lookup, true},
    {"execveat", test_execveat, true},
    {"clone_fork", test_clone_fork, true},
    {"clone_thread", test_clone_thread, true},
    {"procexit_code", test_procexit_code, true},
    {"procexit_signal", test_procexit_signal, true},
    {"procexit_multithread", test_procexit_multithread, true},
    /* files */
    {"openat_dirfd_create", test_openat_dirfd_create, true},
    {"open_symlink", test_open_symlink, true},
    {"open_proc_fd", test_open_proc_fd, true},
    {"open_enoent", test_open_enoent, true},
    {"open_creat", test_open_creat, true},
    {"openat2", test_openat2, true},
    {"unlinkat", test_unlinkat, true},
    {"unlink_cwd", test_unlink_cwd, true},
    {"renameat", test_renameat, true},
    {"rename_cwd", test_rename_cwd, true},
    {"mkdir", test_mkdir, true},
    {"chmod", test_chmod, true},
    {"fchmodat", test_fchmodat, true},
    {"chown", test_chown, true},
    {"symlink", test_symlink, true},
    {"link", test_link, true},
    {"truncate", test_truncate, true},
    /* network */
    {"tcp4_connect_accept", test_tcp4_connect_accept, true},
    {"tcp6_connect_accept", test_tcp6_connect_accept, true},
    {"udp4_connect", test_udp4_connect, true},
    {"unix_connect", test_unix_connect, true},
    /* credentials */
    {"setuid", test_setuid, true},
    {"setuid_eperm", test_setuid_eperm, true},
    {"setresuid", test_setresuid, true},
    {"setgid", test_setgid, true},
    /* namespaces and kernel */
    {"unshare_pid_mnt", test_unshare_pid_mnt, true},
    {"setns", test_setns, true},
    {"mount_tmpfs", test_mount_tmpfs, true},
    {"memfd_create", test_memfd_create, true},
    {"kill", test_kill, true},
    {"ptrace_attach", test_ptrace_attach, true},
    {"bpf_cmd", test_bpf_cmd, true},
    {"cgroup_container", test_cgroup_container, true},
/* clang-format off */
    /* detection rules: the default rules (one shared `vigil run`), then rule files */
#define RULE_ENTRY(n) {"rule_" #n, test_rule_##n, RULES_AGENT},
    RULE_TEST_LIST(RULE_ENTRY)
#undef RULE_ENTRY
    /* clang-format on */
    {"rule_check_default", test_rule_check_default, false},
    {"rule_check_broken", test_rule_check_broken, false},
    {"rule_sighup_reload", test_rule_sighup_reload, false},
    {"rule_kernel_read_filter", test_rule_kernel_read_filter, false},
    /* agents of their own */
    {"filter_openat", test_filter_openat, false},
    {"syscall_hooks_auto", test_syscall_hooks_auto, false},
    {"syscall_hooks_tracepoint", test_syscall_hooks_tracepoint, false},
    {"syscall_hooks_fexit", test_syscall_hooks_fexit, false},
    {"output_file", test_output_file, false},
    {"sigint_backpressure", test_sigint_backpressure, false},
    {"flood_accounting", test_flood_accounting, false},
    {"mmap_exec_event", test_mmap_exec_event, false},
    {"inventory_real", test_inventory_real, false},
    {"inventory_chroot", test_inventory_chroot, false},
    {"inventory_bad_state_dir", test_inventory_bad_state_dir, false},
    {"enforce_check", test_enforce_check, false},
    {"enforce_file", test_enforce_file, false},
    {"enforce_file_audit", test_enforce_file_audit, false},
    {"enforce_exec", test_enforce_exec, false},
    {"enforce_exec_audit", test_enforce_exec_audit, false},
    {"enforce_allowlist", test_enforce_allowlist, false},
    {"enforce_network", test_enforce_network, false},
    {"enforce_network_audit", test_enforce_network_audit, false},
    {"enforce_fallback_network", test_enforce_fallback_network, false},
    {"enforce_fallback_kill", test_enforce_fallback_kill, false},
    {"enforce_kernel_areas", test_enforce_kernel_areas, false},
    {"enforce_caps_signals", test_enforce_caps_signals, false},
    {"enforce_reload", test_enforce_reload, false},
    {"enforce_toctou", test_enforce_toctou, false},
    {"enforce_io_uring", test_enforce_io_uring, false},
    {"enforce_self_protect", test_enforce_self_protect, false},
    {"enforce_persist", test_enforce_persist, false},
    {"mitigate_cli", test_mitigate_cli, false},
    {"mitigate_enforce", test_mitigate_enforce, false},
    {"mitigate_audit", test_mitigate_audit, false},
    {"mitigate_off", test_mitigate_off, false},
    {"mitigate_policy_exempt", test_mitigate_policy_exempt, false},
    /* last: stops the shared agent */
    {"agent_clean_shutdown", test_agent_clean_shutdown, true},
};

#define NTESTS (sizeof(tests) / sizeof(tests[0]))

static struct agent *shared;
static bool shared_tried;
static char shared_err[1024];
static struct agent *rules;
static bool rules_tried;
static char rules_err[1024];
static int passed, failed, skipped;

struct agent *shared_agent(void)
{
	return shared;
}

/* Starts the shared agent once; returns it or NULL (shared_err says why). */
static struct agent *get_shared(void)
{
	int64_t t0;

	if (shared_tried)
		return shared;
	shared_tried = true;
	t0 = mono_ms();
	shared = agent_start(NULL, STORE_TRACKED, shared_err, sizeof(shared_err));
	if (shared && agent_wait_ready(shared, READY_TIMEOUT_MS, shared_err, sizeof(shared_err))) {
		agent_free(shared);
		shared = NULL;
	}
	if (shared)
		diag("shared agent pid %d ready after %lld ms", agent_pid(shared),
		     (long long)(mono_ms() - t0));
	else
		diag("shared agent failed: %s", shared_err);
	return shared;
}

/* Starts the shared rules agent (`vigil run`: default rules, alerts on
 * stdout) once; returns it or NULL (rules_err says why). */
static struct agent *get_rules(void)
{
	static const char *const argv[] = {"run", NULL};
	int64_t t0;

	if (rules_tried)
		return rules;
	rules_tried = true;
	t0 = mono_ms();
	rules = agent_start_argv(argv, STORE_ALL, rules_err, sizeof(rules_err));
	if (rules && agent_wait_ready(rules, READY_TIMEOUT_MS, rules_err, sizeof(rules_err))) {
		agent_free(rules);
		rules = NULL;
	}
	if (rules)
		diag("rules agent pid %d ready after %lld ms", agent_pid(rules),
		     (long long)(mono_ms() - t0));
	else
		diag("rules agent failed: %s", rules_err);
	return rules;
}

static bool selected(const char *name, char **keys, int nkeys)
{
	if (!nkeys)
		return true;
	for (int i = 0; i < nkeys; i++)
		if (strstr(name, keys[i]))
			return true;
	return false;
}

/* Reasons are one line: newlines become " | ". */
static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

static void report(struct tctx *t)
{
	one_line(t->reason);
	switch (t->status) {
	case T_PASS:
		passed++;
		if (t->note[0])
			printf("PASS %s (%s)\n", t->name, t->note);
		else
			printf("PASS %s\n", t->name);
		break;
	case T_FAIL:
		failed++;
		printf("FAIL %s: %s\n", t->name, t->reason[0] ? t->reason : "failed");
		break;
	case T_SKIP:
		skipped++;
		printf("SKIP %s: %s\n", t->name, t->reason);
		break;
	}
	fflush(stdout);
}

static void dump_one(json_t *ev, void *ctx)
{
	char buf[8192];

	ev_dump(ev, buf, sizeof(buf));
	diag("%s: %s", (const char *)ctx, buf);
}

static void run_one(const struct test *tc)
{
	struct tctx t = {.name = tc->name, .status = T_PASS};
	char dir[256];
	int64_t t0 = mono_ms();

	snprintf(dir, sizeof(dir), "/tmp/vigil-e2e-%d-%s", getpid(), tc->name);
	rm_tree(dir);
	if (mkdir(dir, 0755) < 0) {
		tfail(&t, "mkdir %s: %s", dir, strerror(errno));
		report(&t);
		return;
	}
	real(dir, t.tmpdir, sizeof(t.tmpdir));
	if (tc->shared == true) {
		t.agent = get_shared();
		if (!t.agent)
			tfail(&t, "shared agent: %s", shared_err);
		else if (!agent_alive(t.agent))
			tfail(&t, "shared agent is no longer running");
	} else if (tc->shared == RULES_AGENT) {
		t.agent = get_rules();
		if (!t.agent)
			tfail(&t, "rules agent: %s", rules_err);
		else if (!agent_alive(t.agent))
			tfail(&t, "rules agent is no longer running");
	}
	if (t.status == T_PASS) {
		t.from = agent_seq(t.agent);
		tc->fn(&t);
		if (t.agent && getenv("VIGIL_E2E_DUMP"))
			agent_foreach(t.agent, t.from, dump_one, (void *)tc->name);
	}
	rm_tree(dir);
	diag("%s took %lld ms", tc->name, (long long)(mono_ms() - t0));
	report(&t);
}

static void usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [-l] [-k SUBSTRING]...\n", argv0);
}

int main(int argc, char **argv)
{
	char *keys[64];
	int nkeys = 0, opt;
	bool list = false;
	struct utsname u;

	/* started with an empty argv (test_mitigate.c's empty-argv trigger) */
	if (argc < 1 || !argv[0] || !argv[0][0])
		return MIT_EMPTY_ARGV_RAN;
	if (argc > 2 && !strcmp(argv[1], "--act") && !strcmp(argv[2], "mit"))
		return mit_act_main(argc - 3, argv + 3);
	if (argc > 2 && !strcmp(argv[1], "--act"))
		return rule_act_main(argc - 2, argv + 2);
	if (argc > 2 && !strcmp(argv[1], "--inv-act"))
		return inventory_act_main(argc - 2, argv + 2);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	while ((opt = getopt(argc, argv, "lk:h")) != -1) {
		if (opt == 'l') {
			list = true;
		} else if (opt == 'k' && nkeys < 64) {
			keys[nkeys++] = optarg;
		} else {
			usage(argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (list) {
		for (size_t i = 0; i < NTESTS; i++)
			printf("%s\n", tests[i].name);
		return 0;
	}
	diag("vigil binary: %s", vigil_path());
	for (size_t i = 0; i < NTESTS; i++)
		if (selected(tests[i].name, keys, nkeys))
			run_one(&tests[i]);
	if (shared) {
		agent_stop(shared, SIGINT, STOP_TIMEOUT_MS);
		agent_free(shared);
		shared = NULL;
	}
	if (rules) {
		agent_stop(rules, SIGINT, STOP_TIMEOUT_MS);
		agent_free(rules);
		rules = NULL;
	}
	uname(&u);
	printf("SUMMARY kernel=%s passed=%d failed=%d skipped=%d\n", u.release, passed, failed,
	       skipped);
	return failed ? 1 : 0;
}

/* Lets agent_clean_shutdown drop the shared agent after stopping it. */
void shared_agent_forget(void)
{
	agent_free(shared);
	shared = NULL;
}
