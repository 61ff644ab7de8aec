/* test_mitigate.c - virtual patches (`vigil run --mitigate`, `mitigations:` in
 * a policy file). For every mitigation a child performs the first step of the
 * exploits it breaks (never an exploit): unshare(CLONE_NEWUSER) as nobody,
 * io_uring_setup, an exec with an empty argv, an open of another process's
 * /proc/PID/mem for writing, a socket of a rarely used family or protocol, an
 * open of a cgroup v1 release_agent, a splice of a read-only file into a pipe,
 * an overlay mount in a user namespace, a setuid program started with a loader
 * variable, bpf() and perf_event_open as nobody, a socket that makes the
 * kernel request a module.
 *
 * Each test measures what the kernel gives without an agent first (the
 * baseline), then starts one agent and runs every trigger against it:
 *   mitigate_enforce        --mitigate all: refused with the catalogue's error
 *                           (VM: BPF LSM, fmod_ret) or killed / refused by a
 *                           cgroup hook (host fallbacks), one alert each
 *   mitigate_audit          --mitigate-mode audit: what the kernel gives, an
 *                           audit alert each
 *   mitigate_off            an unrelated enforce policy: what the kernel gives,
 *                           no mitigation alert
 *   mitigate_policy_exempt  `mitigations:` in a policy with `exempt:`: a copy of
 *                           this binary (exempt) is untouched, this binary is
 *                           blocked, alerts name the policy
 *   mitigate_cli            vigil mitigations [show] [--json], bad names in
 *                           --mitigate and in policies, what is available here
 *
 * Where the kernel cannot show a mitigation at work (no DCCP on the host, a
 * sysctl refusing before the hook, no cgroup v1), that case is skipped with
 * its reason (listed in the PASS note) and the test asserts a minimum number of
 * mitigations really exercised.
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tests.h"

extern char **environ;

#define PLEN		   (PATH_MAX + 256)
#define NOBODY		   65534
#define CLI_MS		   60000 /* one vigil command (the VM is an emulated CPU) */
#define SETUP_FAILED	   200	 /* trigger exit 200 + N (N 1..9): setup step N failed */
#define SENTINEL_PORT	   46681
#define MIN_EXERCISED_VM   16 /* of 17: every mitigation works with BPF LSM */
#define MIN_EXERCISED_HOST 12 /* no DCCP/SCTP, no module-autoload without BPF LSM */

/* ---- triggers ---------------------------------------------------------------------------- */

/* What a trigger finds in its directory: a world-readable file `readable`,
 * directories cgv1/, ovl-a/, ovl-b/, ovl-mnt/; suid is a setuid-root copy of
 * this binary ("" when the test has none). */
struct tenv {
	const char *dir;
	const char *suid;
};

/* Each returns 0 (the operation worked), an errno, MIT_EMPTY_ARGV_RAN, or
 * SETUP_FAILED + step. Run in a child, already dropped to nobody when the
 * table says so. */

static int t_userns(const struct tenv *e)
{
	(void)e;
	return unshare(CLONE_NEWUSER) ? errno : 0;
}

static int t_io_uring(const struct tenv *e)
{
	struct io_uring_params p;
	long fd;

	(void)e;
	memset(&p, 0, sizeof(p));
	fd = syscall(__NR_io_uring_setup, 4, &p);
	if (fd < 0)
		return errno;
	close((int)fd);
	return 0;
}

/* The program run is this binary again: main() exits MIT_EMPTY_ARGV_RAN
 * when it finds no argv[0] (Linux 5.18+ passes one empty string). */
static int t_empty_argv(const struct tenv *e)
{
	char *argv[] = {NULL};

	(void)e;
	execve("/proc/self/exe", argv, environ);
	return errno;
}

static int open_rc(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int t_proc_mem_write(const struct tenv *e)
{
	pid_t parent = getpid(), target;
	char path[64];
	int rc;

	(void)e;
	target = fork();
	if (target < 0)
		return SETUP_FAILED + 2;
	if (target == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		for (;;)
			pause();
	}
	snprintf(path, sizeof(path), "/proc/%d/mem", target);
	rc = open_rc(path, O_RDWR);
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
	return rc;
}

/* control: a process may always write its own memory */
static int t_proc_mem_self(const struct tenv *e)
{
	(void)e;
	return open_rc("/proc/self/mem", O_RDWR);
}

static int sock_rc(int family, int type, int proto)
{
	int s = socket(family, type, proto);

	if (s < 0)
		return errno;
	close(s);
	return 0;
}

static int t_dccp(const struct tenv *e)
{
	(void)e;
	return sock_rc(AF_INET, SOCK_DCCP, IPPROTO_DCCP);
}

static int t_sctp(const struct tenv *e)
{
	(void)e;
	return sock_rc(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
}

static int t_tipc(const struct tenv *e)
{
	(void)e;
	return sock_rc(AF_TIPC, SOCK_RDM, 0);
}

static int t_rds(const struct tenv *e)
{
	(void)e;
	return sock_rc(AF_RDS, SOCK_SEQPACKET, 0);
}

static int t_af_alg(const struct tenv *e)
{
	(void)e;
	return sock_rc(AF_ALG, SOCK_SEQPACKET, 0);
}

static int t_af_packet(const struct tenv *e)
{
	(void)e;
	return sock_rc(AF_PACKET, SOCK_RAW, 0);
}

/* A family no other mitigation covers and no test kernel registers: the
 * kernel asks for the module net-pf-5 first. */
static int t_module_autoload(const struct tenv *e)
{
	(void)e;
	return sock_rc(AF_APPLETALK, SOCK_DGRAM, 0);
}

/* A container's view: a new mount namespace with its own cgroup v1
 * hierarchy (a named one, no controller), then release_agent for writing. */
static int t_release_agent(const struct tenv *e)
{
	char mnt[PLEN], file[PLEN];

	pjoin(mnt, sizeof(mnt), e->dir, "cgv1");
	pjoin(file, sizeof(file), mnt, "release_agent");
	if (unshare(CLONE_NEWNS))
		return SETUP_FAILED + 2;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return SETUP_FAILED + 3;
	if (mount("cgroup", mnt, "cgroup", 0, "none,name=vigiltest"))
		return SETUP_FAILED + 4;
	return open_rc(file, O_WRONLY);
}

static int t_dirty_pipe(const struct tenv *e)
{
	char path[PLEN];
	int fd, p[2];
	ssize_t n;

	pjoin(path, sizeof(path), e->dir, "readable");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return SETUP_FAILED + 2;
	if (pipe2(p, O_CLOEXEC))
		return SETUP_FAILED + 3;
	n = splice(fd, NULL, p[1], NULL, 1, 0);
	return n < 0 ? errno : 0;
}

/* Root of a new user namespace (mapped to root, as `unshare -rm` does) mounts
 * overlayfs. Root may create user namespaces even under `userns`. */
static int t_overlayfs_userns(const struct tenv *e)
{
	char a[PLEN], b[PLEN], mnt[PLEN], opts[3 * PLEN];

	pjoin(a, sizeof(a), e->dir, "ovl-a");
	pjoin(b, sizeof(b), e->dir, "ovl-b");
	pjoin(mnt, sizeof(mnt), e->dir, "ovl-mnt");
	snprintf(opts, sizeof(opts), "lowerdir=%s:%s", a, b);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
		return SETUP_FAILED + 2;
	/* best effort: the mount works in the new namespace without them too */
	write_file("/proc/self/uid_map", "0 0 1\n");
	write_file("/proc/self/setgroups", "deny\n");
	write_file("/proc/self/gid_map", "0 0 1\n");
	mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	if (mount("overlay", mnt, "overlay", 0, opts))
		return errno;
	umount2(mnt, MNT_DETACH);
	return 0;
}

static int exec_suid(const struct tenv *e, char *var)
{
	char *envp[] = {var, NULL};
	char *argv[] = {(char *)e->suid, "--act", "true", NULL};

	if (!e->suid || !e->suid[0])
		return SETUP_FAILED + 2;
	execve(e->suid, argv, envp);
	return errno;
}

static int t_setuid_ld_preload(const struct tenv *e)
{
	return exec_suid(e, "LD_PRELOAD=/nonexistent/vigil-e2e.so");
}

static int t_setuid_tunables(const struct tenv *e)
{
	return exec_suid(e, "GLIBC_TUNABLES=x");
}

static int t_bpf(const struct tenv *e)
{
	union bpf_attr attr;
	long fd;

	(void)e;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = 1;
	fd = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	if (fd < 0)
		return errno;
	close((int)fd);
	return 0;
}

static int t_perf(const struct tenv *e)
{
	struct perf_event_attr attr;
	long fd;

	(void)e;
	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_SOFTWARE;
	attr.size = sizeof(attr);
	attr.config = PERF_COUNT_SW_CPU_CLOCK;
	attr.disabled = 1;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	if (fd < 0)
		return errno;
	close((int)fd);
	return 0;
}

/* ---- the table --------------------------------------------------------------------------- */

enum how {
	H_ERR,	  /* refused with the error vm_err */
	H_KILL,	  /* the process dies of SIGKILL */
	H_CGROUP, /* host: EPERM from the cgroup sock_create hook, if the kernel has the protocol */
	H_SAME,	  /* the call fails as it would anyway; only the alert tells (module-autoload) */
	H_NONE,	  /* unavailable: nothing happens, no alert */
};

/* needs: the mitigation's hook is only reached when the kernel itself would
 * let the operation through (NS_VM, NS_HOST), or only when the kernel has to
 * request a module (NS_MODREQ) */
#define NS_VM	  1u
#define NS_HOST	  2u
#define NS_MODREQ 4u

struct trig {
	const char *id;	 /* unique; `vigil-e2e --act mit ID DIR SUID` */
	const char *mit; /* NULL: a control no mitigation may touch */
	int (*fn)(const struct tenv *);
	bool nobody; /* run as uid/gid 65534 */
	enum how vm; /* with BPF LSM (the VM) */
	int vm_err;
	enum how host; /* this host: no BPF LSM, no trampolines */
	unsigned needs;
};

static const struct trig trigs[] = {
    {"ctl-proc-mem-self", NULL, t_proc_mem_self, false, H_NONE, 0, H_NONE, 0},
    {"ctl-userns-root", NULL, t_userns, false, H_NONE, 0, H_NONE, 0},
    {"userns", "userns", t_userns, true, H_ERR, EPERM, H_KILL, NS_VM},
    {"io-uring", "io-uring", t_io_uring, false, H_ERR, EPERM, H_KILL, NS_VM},
    {"empty-argv", "empty-argv", t_empty_argv, false, H_ERR, EINVAL, H_KILL, NS_VM},
    {"proc-mem-write", "proc-mem-write", t_proc_mem_write, false, H_ERR, EPERM, H_KILL,
     NS_VM | NS_HOST},
    {"dccp-socket", "dccp-socket", t_dccp, false, H_ERR, EPERM, H_CGROUP, 0},
    {"sctp-socket", "sctp-socket", t_sctp, false, H_ERR, EPERM, H_CGROUP, 0},
    {"tipc-socket", "tipc-socket", t_tipc, false, H_ERR, EPERM, H_KILL, 0},
    {"rds-socket", "rds-socket", t_rds, false, H_ERR, EPERM, H_KILL, 0},
    {"af-alg-socket", "af-alg-socket", t_af_alg, true, H_ERR, EPERM, H_KILL, 0},
    {"af-packet-unprivileged", "af-packet-unprivileged", t_af_packet, true, H_ERR, EPERM, H_KILL,
     0},
    {"release-agent", "release-agent", t_release_agent, false, H_ERR, EPERM, H_KILL,
     NS_VM | NS_HOST},
    {"dirty-pipe", "dirty-pipe", t_dirty_pipe, true, H_ERR, EPERM, H_KILL, NS_VM},
    {"overlayfs-userns", "overlayfs-userns", t_overlayfs_userns, false, H_ERR, EPERM, H_KILL, 0},
    {"setuid-ld-preload", "setuid-loader-env", t_setuid_ld_preload, true, H_KILL, 0, H_KILL,
     NS_VM | NS_HOST},
    {"setuid-glibc-tunables", "setuid-loader-env", t_setuid_tunables, true, H_KILL, 0, H_KILL,
     NS_VM | NS_HOST},
    {"unprivileged-bpf", "unprivileged-bpf", t_bpf, true, H_ERR, EPERM, H_KILL, NS_VM},
    {"unprivileged-perf-event", "unprivileged-perf-event", t_perf, true, H_ERR, EPERM, H_KILL,
     NS_VM},
    {"module-autoload", "module-autoload", t_module_autoload, true, H_SAME, 0, H_NONE,
     NS_VM | NS_MODREQ},
};

#define NTRIGS (sizeof(trigs) / sizeof(trigs[0]))

static const struct trig *trig_by_id(const char *id)
{
	for (size_t i = 0; i < NTRIGS; i++)
		if (!strcmp(trigs[i].id, id))
			return &trigs[i];
	return NULL;
}

static int drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return SETUP_FAILED + 1;
	return 0;
}

static int run_in_child(const struct trig *tr, const struct tenv *e)
{
	int rc = tr->nobody ? drop_to_nobody() : 0;

	return rc ? rc : tr->fn(e);
}

/* `vigil-e2e --act mit ID DIR SUID`: one trigger, run by whatever binary this
 * is (an exempt copy, or this one); exit status as the trigger's result. */
int mit_act_main(int argc, char **argv)
{
	const struct trig *tr = argc == 3 ? trig_by_id(argv[0]) : NULL;
	struct tenv e;

	if (!tr) {
		fprintf(stderr, "vigil-e2e --act mit: usage: ID DIR SUID|-\n");
		return 2;
	}
	e.dir = argv[1];
	e.suid = strcmp(argv[2], "-") ? argv[2] : "";
	return run_in_child(tr, &e);
}

/* ---- outcomes ---------------------------------------------------------------------------- */

static bool lsm_world(void)
{
	const char *e = getenv("VIGIL_KERNEL_EXPECT");

	return e && !strcmp(e, "vm");
}

static const char *errname(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "E?";
}

/* A wait status (or -1: timed out) in words. */
static const char *describe(int st, char *buf, size_t n)
{
	int code;

	if (st == -1) {
		snprintf(buf, n, "timed out");
		return buf;
	}
	if (WIFSIGNALED(st)) {
		snprintf(buf, n, "killed by %s", sigabbrev_np(WTERMSIG(st)) ?: "a signal");
		return buf;
	}
	code = WEXITSTATUS(st);
	if (code == 0)
		snprintf(buf, n, "success");
	else if (code == MIT_EMPTY_ARGV_RAN)
		snprintf(buf, n, "the argc-0 program ran");
	else if (code > SETUP_FAILED && code < SETUP_FAILED + 10)
		snprintf(buf, n, "setup step %d failed", code - SETUP_FAILED);
	else
		snprintf(buf, n, "%s (%d)", errname(code), code);
	return buf;
}

static bool exited_with(int st, int code)
{
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == code;
}

static bool killed(int st)
{
	return st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
}

/* The operation worked (for empty-argv: the program ran). */
static bool succeeded(int st)
{
	return exited_with(st, 0) || exited_with(st, MIT_EMPTY_ARGV_RAN);
}

static bool setup_failed(int st)
{
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) > SETUP_FAILED &&
	       WEXITSTATUS(st) < SETUP_FAILED + 10;
}

/* Runs a trigger in a child: in this process image (via NULL) or by exec'ing
 * `via --act mit ...`. Returns the wait status (-1: timed out); *pid the child. */
static int run_trig(const struct trig *tr, const struct tenv *e, const char *via, pid_t *pid)
{
	pid_t p = fork();

	if (p < 0) {
		*pid = 0;
		return -1;
	}
	if (p == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (via) {
			const char *argv[] = {
			    via, "--act", "mit", tr->id, e->dir, e->suid[0] ? e->suid : "-", NULL};

			execv(via, (char *const *)argv);
			_exit(SETUP_FAILED + 9);
		}
		_exit(run_in_child(tr, e));
	}
	*pid = p;
	return reap(p, EVENT_TIMEOUT_MS);
}

/* ---- environment: files, copies, sysctls, the catalogue -------------------------------- */

static const char *self_path(void)
{
	static char path[PATH_MAX];

	if (!path[0] && !realpath("/proc/self/exe", path))
		snprintf(path, sizeof(path), "/proc/self/exe");
	return path;
}

static bool put(struct tctx *t, const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ssize_t n = fd >= 0 ? write(fd, text, strlen(text)) : -1;

	if (fd >= 0)
		close(fd);
	if (n == (ssize_t)strlen(text) && chmod(path, mode) == 0)
		return true;
	tfail(t, "cannot write %s: %s", path, strerror(errno));
	return false;
}

static bool copy_self(struct tctx *t, const char *path, mode_t mode)
{
	char buf[65536];
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0700);
	bool ok = in >= 0 && out >= 0;
	ssize_t n;

	while (ok && (n = read(in, buf, sizeof(buf))) > 0)
		ok = write(out, buf, (size_t)n) == n;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	/* chown first: it clears the setuid bit */
	ok = ok && chown(path, 0, 0) == 0 && chmod(path, mode) == 0;
	if (!ok)
		tfail(t, "cannot copy the test binary to %s: %s", path, strerror(errno));
	return ok;
}

struct world {
	bool vm;
	json_t *cat;	 /* `vigil mitigations --json` */
	char suid[PLEN]; /* setuid copy, "" when the file system is nosuid */
	char nosuid_why[320];
	struct tenv env;
	/* sysctls changed for the test (restored by world_done) */
	char bpf_old[16], perf_old[16], userns_old[16];
	bool bpf_locked;
	bool perf_ok;
};

static void trim(char *s)
{
	s[strcspn(s, "\n")] = '\0';
}

/* Sets a sysctl, remembering the old value in old (empty: unchanged). */
static bool sysctl_set(const char *path, const char *want, char *old, size_t oldlen)
{
	char cur[16];

	old[0] = '\0';
	if (read_file(path, cur, sizeof(cur)) < 0)
		return false;
	trim(cur);
	if (!strcmp(cur, want))
		return true;
	if (write_file(path, want))
		return false;
	snprintf(old, oldlen, "%s", cur);
	return true;
}

static void sysctl_restore(const char *path, const char *old)
{
	if (old[0] && write_file(path, old))
		diag("could not restore %s to %s: %s", path, old, strerror(errno));
}

static json_t *load_catalogue(struct tctx *t)
{
	const char *argv[] = {vigil_path(), "mitigations", "--json", NULL};
	struct capture *c = calloc(1, sizeof(*c));
	json_error_t jerr;
	json_t *root = NULL;

	if (!c)
		return NULL;
	c->argv = argv;
	c->timeout_ms = CLI_MS;
	run_capture(c);
	if (exit_code(c->status) == 0)
		root = json_loads(c->out, 0, &jerr);
	if (!root || !json_is_array(json_object_get(root, "mitigations"))) {
		tfail(t, "vigil mitigations --json: exit %d, no catalogue: %.300s %.300s",
		      exit_code(c->status), c->out, c->err);
		json_decref(root);
		root = NULL;
	}
	free(c);
	return root;
}

static json_t *cat_entry(json_t *cat, const char *name)
{
	json_t *arr = json_object_get(cat, "mitigations"), *m;
	size_t i;

	json_array_foreach(arr, i, m)
	{
		const char *n = json_string_value(json_object_get(m, "name"));

		if (n && !strcmp(n, name))
			return m;
	}
	return NULL;
}

static const char *cat_str(json_t *cat, const char *name, const char *key)
{
	const char *s = json_string_value(json_object_get(cat_entry(cat, name), key));

	return s ? s : "";
}

/* Another agent enforcing on this host (or pins left by --persist) changes
 * what the kernel gives: the baseline would be meaningless. Describes it in
 * out; false when there is none. The suite's own shared agents do not
 * enforce. */
static bool foreign_enforcer(char *out, size_t n)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	struct stat st;
	bool found = false;

	if (stat("/sys/fs/bpf/vigil", &st) == 0) {
		snprintf(out, n, "/sys/fs/bpf/vigil exists (an agent ran with --persist)");
		found = true;
	}
	while (d && !found && (de = readdir(d))) {
		char path[300], cmd[4096];
		int len;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		if ((len = read_file(path, cmd, sizeof(cmd))) <= 0)
			continue;
		if (strcmp(basename(cmd), "vigil"))
			continue;
		/* arguments are NUL-separated: look at each one */
		for (int i = (int)strlen(cmd) + 1; i < len; i += (int)strlen(cmd + i) + 1) {
			if (!strcmp(cmd + i, "-p") || !strncmp(cmd + i, "--policy", 8) ||
			    !strncmp(cmd + i, "--mitigate", 10)) {
				snprintf(
				    out, n,
				    "another enforcing vigil agent runs: pid %s (%.100s %.60s)",
				    de->d_name, cmd, cmd + i);
				found = true;
				break;
			}
		}
	}
	if (d)
		closedir(d);
	return found;
}

/* Files and copies in t->tmpdir, the sysctls that let unprivileged bpf() and
 * perf_event_open reach the kernel's hooks, the catalogue. */
static bool world_init(struct tctx *t, struct world *w)
{
	char path[PLEN];
	struct statvfs sv;
	const char *dirs[] = {"cgv1", "ovl-a", "ovl-b", "ovl-mnt"};

	memset(w, 0, sizeof(*w));
	w->vm = lsm_world();
	if (foreign_enforcer(path, sizeof(path))) {
		tfail(t, "%s: mitigation tests need the host to themselves", path);
		return false;
	}
	w->env.dir = t->tmpdir;
	w->env.suid = w->suid;
	if (chmod(t->tmpdir, 0755)) {
		tfail(t, "chmod %s: %s", t->tmpdir, strerror(errno));
		return false;
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		mkdir(pjoin(path, sizeof(path), t->tmpdir, dirs[i]), 0755);
	if (!put(t, pjoin(path, sizeof(path), t->tmpdir, "readable"), "page cache\n", 0644))
		return false;
	if (statvfs(t->tmpdir, &sv) == 0 && (sv.f_flag & ST_NOSUID)) {
		snprintf(w->nosuid_why, sizeof(w->nosuid_why), "%s is on a nosuid file system",
			 t->tmpdir);
	} else {
		pjoin(w->suid, sizeof(w->suid), t->tmpdir, "suid-copy");
		if (!copy_self(t, w->suid, 04755))
			return false;
	}
	if (!(w->cat = load_catalogue(t)))
		return false;
	/* Debian's switch for unprivileged user namespaces (refuses before the LSM hook) */
	sysctl_set("/proc/sys/kernel/unprivileged_userns_clone", "1", w->userns_old,
		   sizeof(w->userns_old));
	/* 2 (the default here) can be lowered; 1 cannot be changed until reboot */
	if (read_file("/proc/sys/kernel/unprivileged_bpf_disabled", path, sizeof(path)) > 0) {
		trim(path);
		if (!strcmp(path, "1"))
			w->bpf_locked = true;
		else
			sysctl_set("/proc/sys/kernel/unprivileged_bpf_disabled", "0", w->bpf_old,
				   sizeof(w->bpf_old));
	}
	w->perf_ok = sysctl_set("/proc/sys/kernel/perf_event_paranoid", "1", w->perf_old,
				sizeof(w->perf_old));
	return true;
}

static void world_done(struct world *w)
{
	sysctl_restore("/proc/sys/kernel/unprivileged_bpf_disabled", w->bpf_old);
	sysctl_restore("/proc/sys/kernel/perf_event_paranoid", w->perf_old);
	sysctl_restore("/proc/sys/kernel/unprivileged_userns_clone", w->userns_old);
	json_decref(w->cat);
	w->cat = NULL;
}

/* ---- expectations ------------------------------------------------------------------------ */

enum mode {
	M_ENFORCE, /* the mitigation is on and blocks */
	M_AUDIT,   /* on, audit only */
	M_OFF,	   /* not on */
	M_EXEMPT,  /* on, but the process is exempt */
};

enum outcome_kind { O_SAME, O_ERR, O_KILL };

struct expect {
	enum outcome_kind kind;
	int err;
	const char *action; /* the alert's action; NULL: no alert */
};

static enum how world_how(const struct world *w, const struct trig *tr)
{
	return w->vm ? tr->vm : tr->host;
}

/* A baseline that says the trigger itself cannot run here (NULL: it can). */
static const char *base_unusable(const struct trig *tr, int base, char *buf, size_t n)
{
	char b[96];

	if (!setup_failed(base) && base != -1 && !WIFSIGNALED(base))
		return NULL;
	snprintf(buf, n, "%s: without an agent: %s", tr->id, describe(base, b, sizeof(b)));
	return buf;
}

/* Why this trigger cannot show its mitigation at work here (NULL: it can). */
static const char *why_skip(const struct world *w, const struct trig *tr, int base, char *buf,
			    size_t n)
{
	enum how h = world_how(w, tr);
	char b[96];

	if (base_unusable(tr, base, buf, n))
		return buf;
	if (!tr->mit)
		return NULL;
	if (!strcmp(tr->mit, "setuid-loader-env") && !w->suid[0]) {
		snprintf(buf, n, "%s: %.200s", tr->id, w->nosuid_why);
		return buf;
	}
	if (!strcmp(tr->mit, "setuid-loader-env") && !w->vm &&
	    !strncmp(cat_str(w->cat, tr->mit, "available"), "unavailable", 11)) {
		snprintf(buf, n, "%s: %s here", tr->id, cat_str(w->cat, tr->mit, "available"));
		return buf;
	}
	if (h == H_CGROUP && !exited_with(base, 0)) {
		snprintf(buf, n, "%s: this kernel has no such socket (%s without the mitigation)",
			 tr->mit, describe(base, b, sizeof(b)));
		return buf;
	}
	if (w->vm && !strcmp(tr->mit, "unprivileged-bpf") && w->bpf_locked) {
		snprintf(buf, n, "%s: kernel.unprivileged_bpf_disabled=1 refuses before the hook",
			 tr->mit);
		return buf;
	}
	if (w->vm && !strcmp(tr->mit, "unprivileged-perf-event") && !w->perf_ok) {
		snprintf(buf, n, "%s: cannot set kernel.perf_event_paranoid", tr->mit);
		return buf;
	}
	if ((tr->needs & NS_MODREQ) && w->vm && !exited_with(base, EAFNOSUPPORT)) {
		snprintf(buf, n, "%s: no module request here (%s without the mitigation)", tr->mit,
			 describe(base, b, sizeof(b)));
		return buf;
	}
	if ((tr->needs & (w->vm ? NS_VM : NS_HOST)) && !(tr->needs & NS_MODREQ) &&
	    !succeeded(base)) {
		snprintf(buf, n, "%s: the kernel refuses it before the hook (%s)", tr->id,
			 describe(base, b, sizeof(b)));
		return buf;
	}
	return NULL;
}

static struct expect expectation(const struct world *w, const struct trig *tr, enum mode m)
{
	enum how h = tr->mit ? world_how(w, tr) : H_NONE;

	if (m == M_OFF || m == M_EXEMPT || h == H_NONE)
		return (struct expect){O_SAME, 0, NULL};
	if (m == M_AUDIT)
		return (struct expect){O_SAME, 0, "audit"};
	switch (h) {
	case H_ERR:
		return (struct expect){O_ERR, tr->vm_err, "block"};
	case H_CGROUP:
		return (struct expect){O_ERR, EPERM, "block"};
	case H_KILL:
		return (struct expect){O_KILL, 0, "killed"};
	case H_SAME:
		return (struct expect){O_SAME, 0, "block"};
	default:
		return (struct expect){O_SAME, 0, NULL};
	}
}

static bool outcome_ok(const struct expect *x, int st, int base)
{
	switch (x->kind) {
	case O_ERR:
		return exited_with(st, x->err);
	case O_KILL:
		return killed(st);
	default:
		return st == base;
	}
}

static const char *expect_desc(const struct expect *x, int base, char *buf, size_t n)
{
	char b[96];

	if (x->kind == O_ERR)
		snprintf(buf, n, "%s", errname(x->err));
	else if (x->kind == O_KILL)
		snprintf(buf, n, "killed by KILL");
	else
		snprintf(buf, n, "%s as without the agent", describe(base, b, sizeof(b)));
	return buf;
}

/* ---- alerts ------------------------------------------------------------------------------ */

struct mit_match {
	const char *mit; /* NULL: any mitigation */
	pid_t pid;	 /* 0: any process */
};

static long long of_int(json_t *ev, const char *key)
{
	json_t *v = json_object_get(json_object_get(ev, "output_fields"), key);

	return json_is_integer(v) ? json_integer_value(v) : -1;
}

static const char *of_str(json_t *ev, const char *key)
{
	return json_string_value(json_object_get(json_object_get(ev, "output_fields"), key));
}

static bool mit_pred(json_t *ev, void *ctx)
{
	const struct mit_match *m = ctx;
	const char *src = ev_str(ev, "source"), *name = ev_str(ev, "mitigation");

	if (!src || strcmp(src, "vigil_mitigation"))
		return false;
	if (m->mit && (!name || strcmp(name, m->mit)))
		return false;
	return !m->pid || of_int(ev, "proc.pid") == m->pid;
}

struct seen {
	const struct mit_match *m;
	char list[768];
};

static void seen_one(json_t *ev, void *ctx)
{
	struct seen *s = ctx;
	struct mit_match any = {NULL, s->m->pid};
	size_t len = strlen(s->list);

	if (!mit_pred(ev, &any) || len > sizeof(s->list) - 96)
		return;
	snprintf(s->list + len, sizeof(s->list) - len, "%s%s/%s/pid %lld", len ? ", " : "",
		 ev_str(ev, "mitigation") ?: "?", ev_str(ev, "action") ?: "?",
		 of_int(ev, "proc.pid"));
}

/* The mitigation alerts for pid (pid 0: all) seen so far, as "name/action/pid". */
static const char *seen_alerts(struct tctx *t, pid_t pid, char *buf, size_t n)
{
	struct mit_match m = {NULL, pid};
	struct seen s = {.m = &m};

	agent_foreach(t->agent, t->from, seen_one, &s);
	snprintf(buf, n, "%s", s.list[0] ? s.list : "none");
	return buf;
}

static bool same_cves(json_t *got, json_t *want)
{
	size_t i, j;
	json_t *w, *g;

	if (!json_is_array(got) || !json_is_array(want) || json_array_size(got) == 0 ||
	    json_array_size(got) != json_array_size(want))
		return false;
	json_array_foreach(want, i, w)
	{
		bool found = false;

		json_array_foreach(got, j, g) found |= json_equal(g, w);
		if (!found)
			return false;
	}
	return true;
}

static bool nonempty_str(json_t *ev, const char *key)
{
	const char *s = ev_str(ev, key);

	return s && *s;
}

/* The alert's fields, as the contract says. */
static void check_alert(struct tctx *t, const struct world *w, json_t *ev, const struct trig *tr,
			const char *action, const char *mode, const char *policy, const char *exe)
{
	json_t *want = json_object_get(cat_entry(w->cat, tr->mit), "cves");
	const char *s;
	char buf[512];
	bool ok = true;

	ok &= expect_true(t, same_cves(json_object_get(ev, "cves"), want),
			  "%s: cves %s are not the catalogue's", tr->id,
			  (ev_dump(json_object_get(ev, "cves"), buf, sizeof(buf)), buf));
	s = ev_str(ev, "action");
	ok &= expect_true(t, s && !strcmp(s, action), "%s: action %s, expected %s", tr->id,
			  s ?: "missing", action);
	s = ev_str(ev, "mode");
	ok &= expect_true(t, s && !strcmp(s, mode), "%s: mode %s, expected %s", tr->id,
			  s ?: "missing", mode);
	s = ev_str(ev, "policy");
	ok &= expect_true(t, s && !strcmp(s, policy), "%s: policy %s, expected %s", tr->id,
			  s ?: "missing", policy);
	ok &= expect_true(t,
			  nonempty_str(ev, "rule") && nonempty_str(ev, "priority") &&
			      nonempty_str(ev, "output"),
			  "%s: rule, priority or output missing", tr->id);
	ok &= expect_true(t, json_is_object(json_object_get(ev, "output_fields")),
			  "%s: no output_fields", tr->id);
	s = of_str(ev, "proc.name");
	ok &= expect_true(t, s && *s, "%s: no proc.name", tr->id);
	/* after the setuid exec the process is another program, its real uid still nobody */
	if (strcmp(tr->mit, "setuid-loader-env")) {
		ok &= expect_true(t, of_int(ev, "user.uid") == (tr->nobody ? NOBODY : 0),
				  "%s: user.uid %lld, expected %d", tr->id, of_int(ev, "user.uid"),
				  tr->nobody ? NOBODY : 0);
		s = of_str(ev, "proc.exepath");
		ok &= expect_true(t, s && !strcmp(s, exe), "%s: proc.exepath %s, expected %s",
				  tr->id, s ?: "missing", exe);
	}
	if (!ok) {
		ev_dump(ev, buf, sizeof(buf));
		diag("%s: %s: alert: %s", t->name, tr->id, buf);
	}
}

/* ---- one pass of every trigger against an agent ---------------------------------------- */

struct pass {
	enum mode mode;
	const char *via;    /* exec this binary (`--act mit`); NULL: in-process */
	const char *policy; /* expected "policy" field */
	const char *exe;    /* expected proc.exepath of the triggering process */
	const struct tenv *env;
	pid_t pid[NTRIGS];
	int st[NTRIGS];
	bool ran[NTRIGS];
	bool ok[NTRIGS]; /* the outcome was the expected one */
	bool alert_seen[NTRIGS];
};

/* The baseline: every trigger without any agent. */
static void run_baseline(const struct world *w, const char *via, int base[NTRIGS])
{
	char b[96];
	pid_t pid;

	for (size_t i = 0; i < NTRIGS; i++) {
		base[i] = run_trig(&trigs[i], &w->env, via, &pid);
		diag("baseline %s: %s", trigs[i].id, describe(base[i], b, sizeof(b)));
	}
}

/* Whether a trigger takes part in a pass, and why not (skips collects the
 * reasons for the note, once each). */
static bool takes_part(struct tctx *t, const struct world *w, size_t i, const int base[NTRIGS],
		       enum mode m, char *skips, size_t skipslen)
{
	char why[256];
	const char *r = m == M_OFF ? base_unusable(&trigs[i], base[i], why, sizeof(why))
				   : why_skip(w, &trigs[i], base[i], why, sizeof(why));

	if (!r)
		return true;
	if (!strstr(skips, r) && strlen(skips) + strlen(r) + 3 < skipslen)
		snprintf(skips + strlen(skips), skipslen - strlen(skips), "%s%s",
			 *skips ? "; " : "", r);
	diag("%s: skipping %s", t->name, r);
	return false;
}

/* Runs the triggers that take part: those expected to leave no alert first,
 * so that waiting for the later alerts also covers them. */
static void run_pass(struct tctx *t, const struct world *w, struct pass *p, const int base[NTRIGS],
		     char *skips, size_t skipslen)
{
	char got[96], want[96], b[96];

	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < NTRIGS; i++) {
			struct expect x = expectation(w, &trigs[i], p->mode);

			if ((round == 0) != (x.action == NULL))
				continue;
			if (!takes_part(t, w, i, base, p->mode, skips, skipslen))
				continue;
			p->st[i] = run_trig(&trigs[i], p->env, p->via, &p->pid[i]);
			p->ran[i] = true;
			p->ok[i] = outcome_ok(&x, p->st[i], base[i]);
			diag("%s: %s: %s (without the agent: %s)", t->name, trigs[i].id,
			     describe(p->st[i], got, sizeof(got)), describe(base[i], b, sizeof(b)));
			expect_true(t, p->ok[i], "%s: expected %s, got %s", trigs[i].id,
				    expect_desc(&x, base[i], want, sizeof(want)),
				    describe(p->st[i], got, sizeof(got)));
		}
	}
}

/* Waits for each expected alert and checks it; then (everything before is
 * in) that the others left none, and that no hit gave two. Returns how many
 * distinct mitigations were seen at work. */
static int check_pass_alerts(struct tctx *t, const struct world *w, struct pass *p)
{
	const char *mode = p->mode == M_AUDIT ? "audit" : "enforce";
	char buf[1024];
	int waits_failed = 0, exercised = 0;
	bool counted[NTRIGS] = {false};

	for (size_t i = 0; i < NTRIGS; i++) {
		struct expect x = expectation(w, &trigs[i], p->mode);
		struct mit_match m = {trigs[i].mit, p->pid[i]};
		json_t *ev;

		if (!p->ran[i] || !x.action || !p->pid[i])
			continue;
		ev = agent_find(t->agent, t->from, mit_pred, &m,
				waits_failed ? SHORT_TIMEOUT_MS : EVENT_TIMEOUT_MS);
		if (!ev) {
			waits_failed++;
			tfail(t, "%s: no %s alert for pid %d (its mitigation alerts: %s)",
			      trigs[i].id, trigs[i].mit, p->pid[i],
			      seen_alerts(t, p->pid[i], buf, sizeof(buf)));
			continue;
		}
		p->alert_seen[i] = true;
		check_alert(t, w, ev, &trigs[i], x.action, mode, p->policy, p->exe);
		json_decref(ev);
	}
	for (size_t i = 0; i < NTRIGS; i++) {
		struct expect x = expectation(w, &trigs[i], p->mode);
		struct mit_match any = {NULL, p->pid[i]}, mine = {trigs[i].mit, p->pid[i]};
		size_t n;

		if (!p->ran[i] || !p->pid[i])
			continue;
		if (!x.action) {
			n = agent_count(t->agent, t->from, mit_pred, &any);
			expect_true(t, n == 0, "%s: %zu mitigation alert(s) where none was due: %s",
				    trigs[i].id, n, seen_alerts(t, p->pid[i], buf, sizeof(buf)));
			continue;
		}
		n = agent_count(t->agent, t->from, mit_pred, &mine);
		expect_true(t, n <= 1, "%s: one hit gave %zu %s alerts", trigs[i].id, n,
			    trigs[i].mit);
		if (p->alert_seen[i] && p->ok[i]) {
			/* each mitigation counts once */
			bool dup = false;

			for (size_t j = 0; j < i; j++)
				dup |= counted[j] && !strcmp(trigs[j].mit, trigs[i].mit);
			counted[i] = true;
			exercised += !dup;
		}
	}
	return exercised;
}

static struct agent *start_agent(struct tctx *t, const char *const *args, const char *what)
{
	char err[4096];
	struct agent *a = agent_start_argv(args, STORE_ALL, err, sizeof(err));

	if (!a || agent_wait_ready(a, READY_TIMEOUT_MS, err, sizeof(err))) {
		tfail(t, "agent %s: %s", what, err);
		agent_free(a);
		return NULL;
	}
	t->agent = a;
	t->from = agent_seq(a);
	return a;
}

static void stop_agent(struct tctx *t, struct agent *a)
{
	char err[8192];
	int st;

	if (!a)
		return;
	st = agent_stop(a, SIGINT, STOP_TIMEOUT_MS);
	expect_true(t, st == 0, "the agent's exit status is 0x%x, not 0", st);
	if (tfailed(t)) {
		agent_stderr(a, err, sizeof(err));
		diag("%s: agent stderr: %s", t->name, err);
	}
	t->agent = NULL;
	agent_free(a);
}

static void check_minimum(struct tctx *t, const struct world *w, int exercised, const char *skips)
{
	int min = w->vm ? MIN_EXERCISED_VM : MIN_EXERCISED_HOST;

	expect_true(t, exercised >= min, "only %d mitigations exercised (at least %d expected)%s%s",
		    exercised, min, *skips ? "; skipped: " : "", skips);
	tnote(t, "%d mitigations exercised%s%.200s", exercised, *skips ? "; skipped: " : "", skips);
}

/* A line of the agent's stderr that names the mitigation and says unavailable. */
static bool stderr_says_unavailable(struct agent *a, const char *mit)
{
	static char err[65536];
	char *line, *save = NULL;

	agent_stderr(a, err, sizeof(err));
	for (line = strtok_r(err, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strstr(line, mit) && str_has_ci(line, "unavailable"))
			return true;
	return false;
}

/* ---- the tests --------------------------------------------------------------------------- */

static void cli_mitigate(struct tctx *t, bool audit)
{
	const char *enforce_args[] = {"run", "--mitigate", "all", NULL};
	const char *audit_args[] = {"run", "--mitigate", "all", "--mitigate-mode", "audit", NULL};
	struct world w;
	struct pass p = {.mode = audit ? M_AUDIT : M_ENFORCE, .policy = "--mitigate"};
	int base[NTRIGS];
	char skips[1024] = "";
	struct agent *a;
	int exercised;

	if (!world_init(t, &w))
		goto out;
	p.env = &w.env;
	p.exe = self_path();
	run_baseline(&w, NULL, base);
	a = start_agent(t, audit ? audit_args : enforce_args,
			audit ? "--mitigate all --mitigate-mode audit" : "--mitigate all");
	if (!a)
		goto out;
	if (!w.vm && !audit)
		expect_true(t, stderr_says_unavailable(a, "module-autoload"),
			    "no stderr line says module-autoload is unavailable here");
	run_pass(t, &w, &p, base, skips, sizeof(skips));
	exercised = check_pass_alerts(t, &w, &p);
	stop_agent(t, a);
	/* the agent is gone: so are its mitigations */
	for (size_t i = 0; i < NTRIGS; i++) {
		pid_t pid;
		char got[96], b[96];
		int st;

		if (strcmp(trigs[i].id, "io-uring") && strcmp(trigs[i].id, "userns"))
			continue;
		st = run_trig(&trigs[i], &w.env, NULL, &pid);
		expect_true(t, st == base[i], "%s once the agent stopped: %s, not %s", trigs[i].id,
			    describe(st, got, sizeof(got)), describe(base[i], b, sizeof(b)));
	}
	check_minimum(t, &w, exercised, skips);
out:
	world_done(&w);
}

void test_mitigate_enforce(struct tctx *t)
{
	cli_mitigate(t, false);
}

void test_mitigate_audit(struct tctx *t)
{
	cli_mitigate(t, true);
}

static bool policy_pred(json_t *ev, void *ctx)
{
	const char *src = ev_str(ev, "source"), *pol = ev_str(ev, "policy");
	const char *area = ev_str(ev, "area");

	return src && !strcmp(src, "vigil_policy") && pol && !strcmp(pol, ctx) && area &&
	       !strcmp(area, "network");
}

static int do_connect(void *arg)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(SENTINEL_PORT)};
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), rc;

	(void)arg;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rc = connect(s, (struct sockaddr *)&sa, sizeof(sa)) ? errno : 0;
	close(s);
	return rc;
}

/* Enforcement loaded (a network policy), no mitigation: nothing changes. */
void test_mitigate_off(struct tctx *t)
{
	char pol[PLEN], text[1024], buf[1024];
	const char *args[] = {"run", "-p", pol, NULL};
	struct world w;
	struct pass p = {.mode = M_OFF, .policy = "-"};
	int base[NTRIGS], ran = 0, st;
	char skips[1024] = "";
	struct agent *a;
	json_t *ev;
	size_t n;
	pid_t pid;

	if (!world_init(t, &w))
		goto out;
	p.env = &w.env;
	pjoin(pol, sizeof(pol), t->tmpdir, "policy.yaml");
	snprintf(text, sizeof(text),
		 "name: e2e-mit-off\nmode: enforce\nselector:\n  host: true\nnetwork:\n"
		 "  - cidrs: [127.0.0.0/8]\n    ports: [%d]\n    direction: egress\n"
		 "    action: block\n",
		 SENTINEL_PORT);
	if (!put(t, pol, text, 0644))
		goto out;
	run_baseline(&w, NULL, base);
	if (!(a = start_agent(t, args, "with an enforce policy and no mitigation")))
		goto out;
	run_pass(t, &w, &p, base, skips, sizeof(skips));
	/* the policy's own block: once its alert is in, so is everything before */
	pid = fork();
	if (pid == 0)
		_exit(do_connect(NULL));
	st = reap(pid, EVENT_TIMEOUT_MS);
	expect_true(t, exited_with(st, EPERM), "the policy's connect was not refused: %s",
		    describe(st, buf, sizeof(buf)));
	ev = agent_find(a, t->from, policy_pred, (void *)"e2e-mit-off", EVENT_TIMEOUT_MS);
	expect_true(t, ev != NULL, "no alert of the policy e2e-mit-off for its blocked connect");
	json_decref(ev);
	n = agent_count(a, t->from, mit_pred, &(struct mit_match){NULL, 0});
	expect_true(t, n == 0, "%zu mitigation alerts with no mitigation on: %s", n,
		    seen_alerts(t, 0, buf, sizeof(buf)));
	for (size_t i = 0; i < NTRIGS; i++)
		ran += p.ran[i];
	expect_true(t, ran >= (int)NTRIGS - 3, "only %d of %zu triggers ran", ran, NTRIGS);
	tnote(t, "%d triggers as without the agent%s%.180s", ran, *skips ? "; skipped: " : "",
	      skips);
	stop_agent(t, a);
out:
	world_done(&w);
}

/* The names of every mitigation the table exercises, "a, b, c". */
static void mitigation_list(char *out, size_t n)
{
	out[0] = '\0';
	for (size_t i = 0; i < NTRIGS; i++) {
		if (!trigs[i].mit || strstr(out, trigs[i].mit))
			continue;
		snprintf(out + strlen(out), n - strlen(out), "%s%s", *out ? ", " : "",
			 trigs[i].mit);
	}
}

/* `mitigations:` in a policy with `exempt:`: the exempt copy is untouched,
 * this binary is blocked, alerts name the policy. */
void test_mitigate_policy_exempt(struct tctx *t)
{
	char pol[PLEN], text[4 * PLEN], names[1024], copy[PLEN], suidx[PLEN], buf[1024];
	const char *args[] = {"run", "-p", pol, NULL};
	struct world w;
	struct tenv xenv;
	struct pass ex = {.mode = M_EXEMPT, .policy = "e2e-mit-exempt"};
	struct pass in = {.mode = M_ENFORCE, .policy = "e2e-mit-exempt"};
	int base[NTRIGS], exercised;
	char skips[1024] = "";
	struct agent *a;

	if (!world_init(t, &w))
		goto out;
	pjoin(pol, sizeof(pol), t->tmpdir, "policy.yaml");
	pjoin(copy, sizeof(copy), t->tmpdir, "exempt-copy");
	pjoin(suidx, sizeof(suidx), t->tmpdir, "suid-exempt");
	mitigation_list(names, sizeof(names));
	if (!copy_self(t, copy, 0755) || (w.suid[0] && !copy_self(t, suidx, 04755)))
		goto out;
	xenv = (struct tenv){t->tmpdir, w.suid[0] ? suidx : ""};
	snprintf(text, sizeof(text),
		 "name: e2e-mit-exempt\nmode: enforce\nselector:\n  host: true\n"
		 "exempt:\n  processes:\n    paths: [%s%s%s]\nmitigations: [%s]\n",
		 copy, w.suid[0] ? ", " : "", w.suid[0] ? suidx : "", names);
	if (!put(t, pol, text, 0644))
		goto out;
	ex.env = &xenv;
	ex.via = copy;
	ex.exe = copy;
	in.env = &w.env;
	in.via = self_path();
	in.exe = self_path();
	run_baseline(&w, self_path(), base);
	if (!(a = start_agent(t, args, "with a mitigations policy")))
		goto out;
	/* the exempt copy takes part exactly where the mitigation can act */
	for (size_t i = 0; i < NTRIGS; i++) {
		char why[256], got[96], want[96];
		struct expect x = {O_SAME, 0, NULL};

		if (!trigs[i].mit || !expectation(&w, &trigs[i], M_ENFORCE).action ||
		    why_skip(&w, &trigs[i], base[i], why, sizeof(why)))
			continue;
		ex.st[i] = run_trig(&trigs[i], ex.env, ex.via, &ex.pid[i]);
		ex.ran[i] = true;
		diag("%s: exempt %s: %s", t->name, trigs[i].id,
		     describe(ex.st[i], got, sizeof(got)));
		expect_true(t, outcome_ok(&x, ex.st[i], base[i]), "exempt %s: expected %s, got %s",
			    trigs[i].id, expect_desc(&x, base[i], want, sizeof(want)),
			    describe(ex.st[i], got, sizeof(got)));
	}
	run_pass(t, &w, &in, base, skips, sizeof(skips));
	exercised = check_pass_alerts(t, &w, &in);
	/* the non-exempt alerts are in: the exempt runs' would be too */
	for (size_t i = 0; i < NTRIGS; i++) {
		size_t n;

		if (!ex.ran[i] || !ex.pid[i])
			continue;
		n = agent_count(a, t->from, mit_pred, &(struct mit_match){NULL, ex.pid[i]});
		expect_true(t, n == 0, "exempt %s: %zu alert(s): %s", trigs[i].id, n,
			    seen_alerts(t, ex.pid[i], buf, sizeof(buf)));
	}
	stop_agent(t, a);
	check_minimum(t, &w, exercised, skips);
out:
	world_done(&w);
}

/* ---- the command line -------------------------------------------------------------------- */

static struct capture *cli(const char *const *argv, bool stop_on_ready)
{
	struct capture *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->argv = argv;
	c->timeout_ms = CLI_MS;
	c->stop_on_ready = stop_on_ready;
	run_capture(c);
	return c;
}

/* `vigil run ARGS`, which must refuse to start, naming `bad`. */
static void run_refused(struct tctx *t, const char *const *argv, const char *bad)
{
	struct capture *c = cli(argv, true);
	char cmd[256] = "";

	for (int i = 1; argv[i]; i++)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " %s", argv[i]);
	if (!c)
		return;
	expect_true(t, !c->got_ready && c->status != -1 && exit_code(c->status) != 0,
		    "vigil%s: started anyway or exit 0 (exit %d)", cmd, exit_code(c->status));
	expect_true(t, strstr(c->err, bad) != NULL, "vigil%s: the error does not name %s: %.300s",
		    cmd, bad, c->err);
	free(c);
}

static bool out_has(const struct capture *c, const char *s)
{
	return strstr(c->out, s) != NULL;
}

void test_mitigate_cli(struct tctx *t)
{
	static const char *const fixed[] = {"userns",	      "io-uring",    "empty-argv",
					    "proc-mem-write", "dccp-socket", "release-agent",
					    "dirty-pipe"};
	const char *a_list[] = {vigil_path(), "mitigations", NULL};
	const char *a_show[] = {vigil_path(), "mitigations", "show", "userns", NULL};
	const char *a_cve[] = {vigil_path(), "mitigations", "show", "CVE-2021-4034", NULL};
	const char *a_showj[] = {vigil_path(), "mitigations", "show", "dirty-pipe", "--json", NULL};
	const char *a_bad[] = {vigil_path(), "mitigations", "show", "nosuch-mitigation", NULL};
	const char *r_bad[] = {vigil_path(), "run", "--mitigate", "nosuch-mitigation", NULL};
	const char *r_bad2[] = {vigil_path(), "run", "--mitigate", "userns,nosuch-two", NULL};
	const char *r_mode[] = {vigil_path(),	   "run",   "--mitigate", "userns",
				"--mitigate-mode", "bogus", NULL};
	char badp[PLEN], goodp[PLEN], buf[PLEN + 16];
	const char *c_bad[] = {vigil_path(), "check", "-p", badp, NULL};
	const char *c_good[] = {vigil_path(), "check", "-p", goodp, NULL};
	bool vm = lsm_world();
	struct capture *c;
	json_t *cat, *arr, *m, *root;
	json_error_t jerr;
	size_t i;

	/* --json: the catalogue, complete */
	if (!(cat = load_catalogue(t)))
		return;
	arr = json_object_get(cat, "mitigations");
	expect_true(t, json_array_size(arr) >= 12, "only %zu mitigations", json_array_size(arr));
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		expect_true(t, cat_entry(cat, fixed[i]) != NULL, "no mitigation %s", fixed[i]);
	for (i = 0; i < NTRIGS; i++)
		expect_true(t, !trigs[i].mit || cat_entry(cat, trigs[i].mit),
			    "the catalogue has no %s", trigs[i].mit ?: "");
	json_array_foreach(arr, i, m)
	{
		const char *name = json_string_value(json_object_get(m, "name"));
		const char *avail = json_string_value(json_object_get(m, "available"));

		expect_true(t, name && json_array_size(json_object_get(m, "cves")) > 0 && avail,
			    "entry %zu: no name, cves or availability", i);
	}
	/* what it says is available here is what the other tests find */
	for (i = 0; i < NTRIGS; i++) {
		const struct trig *tr = &trigs[i];
		enum how h = vm ? tr->vm : tr->host;
		const char *avail = tr->mit ? cat_str(cat, tr->mit, "available") : "";
		const char *want = h == H_KILL ? "kill" : h == H_NONE ? "unavailable" : "enforce";

		if (!tr->mit)
			continue;
		if (!vm && !strcmp(tr->mit, "setuid-loader-env") &&
		    !strncmp(avail, "unavailable", 11))
			continue; /* no tp_btf here: mitigate_enforce skips it */
		expect_true(t, !strncmp(avail, want, strlen(want)),
			    "%s: available here \"%s\", expected %s... on the %s", tr->mit, avail,
			    want, vm ? "VM (BPF LSM)" : "host (no BPF LSM)");
	}
	/* the table */
	if ((c = cli(a_list, false))) {
		expect_true(t, exit_code(c->status) == 0, "vigil mitigations: exit %d",
			    exit_code(c->status));
		json_array_foreach(arr, i, m)
		{
			const char *name = json_string_value(json_object_get(m, "name"));

			expect_true(t, name && out_has(c, name),
				    "vigil mitigations does not list %s", name ?: "?");
		}
		free(c);
	}
	/* show NAME: every CVE of it */
	if ((c = cli(a_show, false))) {
		json_t *cv;

		expect_true(t, exit_code(c->status) == 0 && out_has(c, "userns"),
			    "mitigations show userns: exit %d: %.200s", exit_code(c->status),
			    c->out);
		json_array_foreach(json_object_get(cat_entry(cat, "userns"), "cves"), i, cv)
		    expect_true(t, out_has(c, json_string_value(cv)),
				"mitigations show userns does not name %s", json_string_value(cv));
		free(c);
	}
	/* show CVE: the mitigation that covers it */
	if ((c = cli(a_cve, false))) {
		expect_true(t, exit_code(c->status) == 0 && out_has(c, "empty-argv"),
			    "mitigations show CVE-2021-4034: exit %d, no empty-argv: %.200s",
			    exit_code(c->status), c->out);
		free(c);
	}
	if ((c = cli(a_showj, false))) {
		root = exit_code(c->status) == 0 ? json_loads(c->out, 0, &jerr) : NULL;
		expect_true(t, root && json_is_object(root),
			    "mitigations show dirty-pipe --json: exit %d, not JSON: %.200s",
			    exit_code(c->status), c->out);
		if (root) {
			expect_true(
			    t,
			    json_equal(json_object_get(root, "cves"),
				       json_object_get(cat_entry(cat, "dirty-pipe"), "cves")),
			    "show --json and the list disagree on dirty-pipe's CVEs");
			json_decref(root);
		}
		free(c);
	}
	if ((c = cli(a_bad, false))) {
		expect_true(t, exit_code(c->status) != 0 && strstr(c->err, "nosuch-mitigation"),
			    "mitigations show nosuch-mitigation: exit %d, stderr %.200s",
			    exit_code(c->status), c->err);
		free(c);
	}
	/* vigil run refuses unknown names and modes */
	run_refused(t, r_bad, "nosuch-mitigation");
	run_refused(t, r_bad2, "nosuch-two");
	run_refused(t, r_mode, "bogus");
	/* vigil check -p: an unknown name is an error at its line; mitigations alone are a policy
	 */
	pjoin(badp, sizeof(badp), t->tmpdir, "bad-mit.yaml");
	pjoin(goodp, sizeof(goodp), t->tmpdir, "only-mit.yaml");
	if (put(t, badp,
		"name: bad-mit\nmode: enforce\nselector:\n  host: true\n"
		"mitigations: [userns, nosuch-mitigation]\n",
		0644) &&
	    (c = cli(c_bad, false))) {
		snprintf(buf, sizeof(buf), "%s:5:", badp);
		expect_true(t, exit_code(c->status) != 0, "check of mitigations: [nosuch] exits 0");
		expect_true(t,
			    (strstr(c->out, buf) || strstr(c->err, buf)) &&
				(strstr(c->out, "nosuch-mitigation") ||
				 strstr(c->err, "nosuch-mitigation")),
			    "check does not report %s... nosuch-mitigation: %.300s %.300s", buf,
			    c->out, c->err);
		free(c);
	}
	if (put(t, goodp,
		"name: only-mit\nmode: audit\nselector:\n  host: true\n"
		"exempt:\n  processes:\n    paths: [/usr/bin/true]\n"
		"mitigations: [userns, io-uring, dirty-pipe]\n",
		0644) &&
	    (c = cli(c_good, false))) {
		expect_true(t, exit_code(c->status) == 0,
			    "check of a policy with only mitigations: exit %d: %.300s %.300s",
			    exit_code(c->status), c->out, c->err);
		free(c);
	}
	json_decref(cat);
}
