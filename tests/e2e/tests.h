/* tests.h - the e2e test functions (one per named test) and helpers shared by
 * the test files. The table that runs them is in main.c.
 */
#ifndef VIGIL_E2E_TESTS_H
#define VIGIL_E2E_TESTS_H

#include "harness.h"

/* The agent shared by most tests (NULL when not started). */
struct agent *shared_agent(void);

/* test_process.c */
void test_exec_args(struct tctx *t);
void test_event_header(struct tctx *t);
void test_exec_symlink(struct tctx *t);
void test_exec_enoent(struct tctx *t);
void test_exec_path_lookup(struct tctx *t);
void test_execveat(struct tctx *t);
void test_clone_fork(struct tctx *t);
void test_clone_thread(struct tctx *t);
void test_procexit_code(struct tctx *t);
void test_procexit_signal(struct tctx *t);
void test_procexit_multithread(struct tctx *t);

/* test_file.c */
void test_openat_dirfd_create(struct tctx *t);
void test_open_symlink(struct tctx *t);
void test_open_proc_fd(struct tctx *t);
void test_open_enoent(struct tctx *t);
void test_open_creat(struct tctx *t);
void test_openat2(struct tctx *t);
void test_unlinkat(struct tctx *t);
void test_unlink_cwd(struct tctx *t);
void test_renameat(struct tctx *t);
void test_rename_cwd(struct tctx *t);
void test_mkdir(struct tctx *t);
void test_chmod(struct tctx *t);
void test_fchmodat(struct tctx *t);
void test_chown(struct tctx *t);
void test_symlink(struct tctx *t);
void test_link(struct tctx *t);
void test_truncate(struct tctx *t);

/* test_net.c */
void test_tcp4_connect_accept(struct tctx *t);
void test_tcp6_connect_accept(struct tctx *t);
void test_udp4_connect(struct tctx *t);
void test_unix_connect(struct tctx *t);

/* test_cred.c */
void test_setuid(struct tctx *t);
void test_setuid_eperm(struct tctx *t);
void test_setresuid(struct tctx *t);
void test_setgid(struct tctx *t);

/* test_ns.c */
void test_unshare_pid_mnt(struct tctx *t);
void test_setns(struct tctx *t);
void test_mount_tmpfs(struct tctx *t);
void test_memfd_create(struct tctx *t);
void test_kill(struct tctx *t);
void test_ptrace_attach(struct tctx *t);
void test_bpf_cmd(struct tctx *t);

/* test_enforce.c: policies (vigil run -p), BPF LSM and fallbacks */
void test_enforce_check(struct tctx *t);
void test_enforce_file(struct tctx *t);
void test_enforce_file_audit(struct tctx *t);
void test_enforce_exec(struct tctx *t);
void test_enforce_exec_audit(struct tctx *t);
void test_enforce_allowlist(struct tctx *t);
void test_enforce_network(struct tctx *t);
void test_enforce_network_audit(struct tctx *t);
void test_enforce_fallback_network(struct tctx *t);
void test_enforce_fallback_kill(struct tctx *t);
void test_enforce_kernel_areas(struct tctx *t);
void test_enforce_caps_signals(struct tctx *t);
void test_enforce_reload(struct tctx *t);
void test_enforce_toctou(struct tctx *t);
void test_enforce_io_uring(struct tctx *t);
void test_enforce_self_protect(struct tctx *t);
void test_enforce_persist(struct tctx *t);

/* test_mitigate.c: virtual patches (--mitigate, `mitigations:` in policies) */
void test_mitigate_enforce(struct tctx *t);
void test_mitigate_audit(struct tctx *t);
void test_mitigate_off(struct tctx *t);
void test_mitigate_policy_exempt(struct tctx *t);
void test_mitigate_cli(struct tctx *t);
/* `vigil-e2e --act mit ID DIR SUID`: one mitigation trigger, run by this binary
 * under another name (an exempt copy). */
int mit_act_main(int argc, char **argv);
/* Exit status of vigil-e2e started with no argv[0] (the empty-argv trigger). */
#define MIT_EMPTY_ARGV_RAN 150

/* test_cgroup.c */
void test_cgroup_container(struct tctx *t);

/* test_rules.c: one test per default rule (rule_<short name>, run against the
 * shared `vigil run` agent), controls that must not alert, evasion attempts
 * that must still alert; then `vigil check` and SIGHUP reload with agents of
 * their own. X(name) for each test using the shared rules agent. */
#define RULE_TEST_LIST(X)                                                                          \
	X(shell_from_service)                                                                      \
	X(shell_in_container)                                                                      \
	X(terminal_shell_container)                                                                \
	X(reverse_shell)                                                                           \
	X(shell_connect)                                                                           \
	X(exec_tmp)                                                                                \
	X(memfd_exec)                                                                              \
	X(memfd_create)                                                                            \
	X(hidden_exec)                                                                             \
	X(masquerade)                                                                              \
	X(ld_preload_env)                                                                          \
	X(read_shadow)                                                                             \
	X(read_ssh_key)                                                                            \
	X(read_cloud_creds)                                                                        \
	X(proc_mem)                                                                                \
	X(write_bin_dir)                                                                           \
	X(write_etc)                                                                               \
	X(ssh_authorized_keys)                                                                     \
	X(cron)                                                                                    \
	X(systemd_unit)                                                                            \
	X(ld_so_preload)                                                                           \
	X(sudoers)                                                                                 \
	X(account_files)                                                                           \
	X(shell_rc)                                                                                \
	X(pam)                                                                                     \
	X(setuid_bit)                                                                              \
	X(kernel_hook)                                                                             \
	X(log_clear)                                                                               \
	X(history_tamper)                                                                          \
	X(audit_tamper)                                                                            \
	X(firewall_flush)                                                                          \
	X(priv_esc_root)                                                                           \
	X(ptrace_attach)                                                                           \
	X(kernel_module)                                                                           \
	X(bpf_load)                                                                                \
	X(userns)                                                                                  \
	X(container_mount)                                                                         \
	X(runtime_socket)                                                                          \
	X(pkg_mgr_container)                                                                       \
	X(drift_create)                                                                            \
	X(drift_exec)                                                                              \
	X(suspicious_port)                                                                         \
	X(netcat)                                                                                  \
	X(net_scanner)                                                                             \
	X(benign_cat_hostname)                                                                     \
	X(benign_dpkg_version)                                                                     \
	X(benign_self_proc)                                                                        \
	X(benign_shadow_tool)                                                                      \
	X(benign_dpkg_install)                                                                     \
	X(evasion_shadow_symlink)                                                                  \
	X(evasion_shadow_dotdot)                                                                   \
	X(evasion_shadow_proc_fd)                                                                  \
	X(evasion_exec_renamed)

#define RULE_TEST_DECL(n) void test_rule_##n(struct tctx *t);
RULE_TEST_LIST(RULE_TEST_DECL)
#undef RULE_TEST_DECL
void test_rule_check_default(struct tctx *t);
void test_rule_check_broken(struct tctx *t);
void test_rule_sighup_reload(struct tctx *t);
void test_rule_kernel_read_filter(struct tctx *t);
/* `vigil-e2e --act ACTION ARGS...`: what a test runs under another name. */
int rule_act_main(int argc, char **argv);

/* test_cli.c */
void test_probe_matches_kernel(struct tctx *t);
void test_cli_version(struct tctx *t);
void test_cli_help(struct tctx *t);
void test_cli_bad_filter(struct tctx *t);
void test_cli_bad_output(struct tctx *t);
void test_cli_not_root(struct tctx *t);

/* test_agent.c */
void test_filter_openat(struct tctx *t);

/* test_hooks.c */
void test_syscall_hooks_auto(struct tctx *t);
void test_syscall_hooks_tracepoint(struct tctx *t);
void test_syscall_hooks_fexit(struct tctx *t);
void test_output_file(struct tctx *t);
void test_sigint_backpressure(struct tctx *t);
void test_agent_clean_shutdown(struct tctx *t);

/* test_inventory.c: mmap events and the runtime inventory */
void test_mmap_exec_event(struct tctx *t);
void test_inventory_real(struct tctx *t);
void test_inventory_chroot(struct tctx *t);
void test_inventory_bad_state_dir(struct tctx *t);
/* `vigil-e2e --inv-act map FILE...|pause`: what those tests run after exec. */
int inventory_act_main(int argc, char **argv);

/* test_flood.c */
void test_flood_accounting(struct tctx *t);

/* main.c: forgets the shared agent after a test stopped it. */
void shared_agent_forget(void);

/* The agent's final counters (`vigil: stats {...}` on stderr). */
struct stats {
	long long generated;
	long long delivered;
	long long dropped;
};

/* Parses the last "vigil: stats {...}" line of stderr_text; NULL if absent. */
json_t *parse_stats_line(const char *stderr_text);
/* Checks the stats object's shape, generated == delivered + dropped and the
 * per-CPU sums; fills s. Returns false (and fails the test) on a problem. */
bool check_stats(struct tctx *t, json_t *stats, struct stats *s);
/* Starts an agent of the test's own with extra args and waits for ready. */
struct agent *start_own(struct tctx *t, const char *const *args);
/* Stops an agent with sig (0: already signalled); requires exit 0, only
 * complete JSON lines on stdout and a consistent stats line. Returns whether
 * the stats were there and consistent (s is filled then). */
bool stop_and_check(struct tctx *t, struct agent *a, int sig, struct stats *s);
/* lines written to where must equal delivered when the agent prints every
 * event (prints_all), and can never exceed it. */
void check_written(struct tctx *t, const char *where, long long lines, const struct stats *s,
		   bool prints_all);

#endif /* VIGIL_E2E_TESTS_H */
