/* test_enforce.c - enforcement policies (`vigil run -p`): real operations that
 * a policy must block fail with EPERM and produce a block alert; under
 * `mode: audit` they succeed and produce an audit alert. BPF LSM tests run
 * where BPF LSM is active (the VM); the fallback tests where it is not (this
 * host): cgroup hooks block connect synchronously, other areas kill.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <sys/mman.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tests.h"

#define PLEN (PATH_MAX + 256)

/* ---- helpers ---- */

static bool lsm_expected(void)
{
	const char *e = getenv("VIGIL_KERNEL_EXPECT");

	return e && strcmp(e, "vm") == 0;
}

static bool need_lsm(struct tctx *t)
{
	if (lsm_expected())
		return true;
	tskip(t, "needs BPF LSM (runs in the VM)");
	return false;
}

static bool need_fallback(struct tctx *t)
{
	if (!lsm_expected())
		return true;
	tskip(t, "tests the fallback for kernels without BPF LSM (runs on the host)");
	return false;
}

static bool put(struct tctx *t, const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n = fd >= 0 ? write(fd, text, strlen(text)) : -1;

	if (fd >= 0)
		close(fd);
	if (n == (ssize_t)strlen(text))
		return true;
	tfail(t, "cannot write %s: %s", path, strerror(errno));
	return false;
}

/* Starts `vigil run -p POLICY [extra]`; the agent becomes t->agent. */
static struct agent *start_policy_agent(struct tctx *t, const char *policy, const char *extra)
{
	const char *argv[] = {"run", "-p", policy, extra, NULL};
	char err[2048];
	struct agent *a = agent_start_argv(argv, STORE_ALL, err, sizeof(err));

	if (!a || agent_wait_ready(a, READY_TIMEOUT_MS, err, sizeof(err))) {
		tfail(t, "agent with -p %s: %s", policy, err);
		agent_free(a);
		return NULL;
	}
	t->agent = a;
	t->from = agent_seq(a);
	return a;
}

static void stop_agent(struct tctx *t, struct agent *a)
{
	int st;

	if (!a)
		return;
	st = agent_stop(a, SIGINT, STOP_TIMEOUT_MS);
	expect_true(t, st == 0, "the agent's exit status is 0x%x, not 0", st);
	t->agent = NULL;
	agent_free(a);
}

struct alert_match {
	const char *policy, *area, *action, *name;
};

static bool alert_pred(json_t *ev, void *ctx)
{
	const struct alert_match *m = ctx;
	json_t *of = json_object_get(ev, "output_fields");
	const char *name = of ? json_string_value(json_object_get(of, "fd.name")) : NULL;

	return ev_str(ev, "policy") && strcmp(ev_str(ev, "policy"), m->policy) == 0 &&
	       ev_str(ev, "area") && strcmp(ev_str(ev, "area"), m->area) == 0 &&
	       ev_str(ev, "action") && strcmp(ev_str(ev, "action"), m->action) == 0 &&
	       (!m->name || (name && strcmp(name, m->name) == 0));
}

static void expect_alert(struct tctx *t, const char *policy, const char *area, const char *action,
			 const char *name)
{
	struct alert_match m = {policy, area, action, name};
	json_t *ev = agent_find(t->agent, t->from, alert_pred, &m, EVENT_TIMEOUT_MS);

	if (!ev) {
		tfail(t, "no alert policy=%s area=%s action=%s%s%s", policy, area, action,
		      name ? " fd.name=" : "", name ? name : "");
		return;
	}
	json_decref(ev);
}

static size_t count_alerts(struct tctx *t, const char *policy, const char *area)
{
	struct alert_match m = {policy, area, "block", NULL};
	size_t n = agent_count(t->agent, t->from, alert_pred, &m);

	m.action = "audit";
	return n + agent_count(t->agent, t->from, alert_pred, &m);
}

/* Runs fn in a child; returns what it returned (an errno, 0 for success). */
static int in_child(struct tctx *t, int (*fn)(void *), void *arg)
{
	pid_t pid = spawn(t, fn, arg);
	int st;

	if (pid < 0)
		return -1;
	st = reap(pid, EVENT_TIMEOUT_MS);
	return st < 0 ? -1 : exit_code(st);
}

static void expect_errno(struct tctx *t, const char *what, int got, int want)
{
	expect_true(t, got == want, "%s: expected %s, got %s (%d)", what,
		    want ? strerror(want) : "success", got > 0 ? strerror(got) : "success", got);
}

static int do_open_read(void *arg)
{
	int fd = open(arg, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int do_open_write(void *arg)
{
	int fd = open(arg, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int do_unlink(void *arg)
{
	return unlink(arg) ? errno : 0;
}

static int do_chmod(void *arg)
{
	return chmod(arg, 0600) ? errno : 0;
}

static int do_chown(void *arg)
{
	return chown(arg, 1234, 1234) ? errno : 0;
}

static int do_exec(void *arg)
{
	char *const argv[] = {arg, "--act", "true", NULL};

	execv(arg, argv);
	return errno;
}

struct endpoint {
	int port;
	bool bind;
};

static int do_connect(void *arg)
{
	const struct endpoint *ep = arg;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(ep->port)};
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), rc;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rc = ep->bind ? bind(s, (struct sockaddr *)&sa, sizeof(sa))
		      : connect(s, (struct sockaddr *)&sa, sizeof(sa));
	rc = rc ? errno : 0;
	close(s);
	return rc;
}

/* A copy of this test binary at path, to exec (`--act true` exits 0). */
static bool copy_self(struct tctx *t, const char *path)
{
	char buf[65536];
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ssize_t n;

	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (in < 0 || out < 0)
		tfail(t, "cannot copy the test binary to %s: %s", path, strerror(errno));
	return in >= 0 && out >= 0;
}

/* ---- vigil check -p ---- */

static const char example_policy[] = "name: example-block\n"
				     "mode: enforce\n"
				     "selector:\n"
				     "  host: true\n"
				     "file:\n"
				     "  - paths: [/srv/secret.txt]\n"
				     "    dirs: [/root/.ssh/]\n"
				     "    access: [read, write]\n"
				     "    action: block\n"
				     "process:\n"
				     "  - paths: [/usr/bin/nc.openbsd]\n"
				     "    dirs: [/dev/shm/]\n"
				     "    action: block\n"
				     "network:\n"
				     "  - cidrs: [127.0.0.0/8, \"::1/128\"]\n"
				     "    ports: [4444, \"6660-6669\"]\n"
				     "    direction: egress\n"
				     "    action: block\n"
				     "ptrace:\n"
				     "  action: block\n"
				     "kernel_module:\n"
				     "  action: audit\n";

void test_enforce_check(struct tctx *t)
{
	char good[PLEN], bad[PLEN];
	const char *argv_good[] = {vigil_path(), "check", "-p", good, NULL};
	const char *argv_bad[] = {vigil_path(), "check", "-p", bad, NULL};
	struct capture c = {.timeout_ms = 20000};

	pjoin(good, sizeof(good), t->tmpdir, "example.yaml");
	pjoin(bad, sizeof(bad), t->tmpdir, "bad.yaml");
	if (!put(t, good, example_policy) ||
	    !put(t, bad,
		 "name: bad\nselector:\n  host: true\nfile:\n  - paths: [relative]\n"
		 "    acess: [read]\n    action: block\n"))
		return;
	c.argv = argv_good;
	run_capture(&c);
	expect_true(t, exit_code(c.status) == 0, "check of the example exits %d: %.500s",
		    exit_code(c.status), c.out);
	expect_true(t, strstr(c.out, "1 policies loaded") != NULL, "no count line: %.300s", c.out);
	memset(&c, 0, sizeof(c));
	c.timeout_ms = 20000;
	c.argv = argv_bad;
	run_capture(&c);
	expect_true(t, exit_code(c.status) == 1, "check of a bad policy exits %d, not 1",
		    exit_code(c.status));
	expect_true(t, strstr(c.out, "bad.yaml:5:") && strstr(c.out, "bad.yaml:6:"),
		    "errors do not name file:line of both problems: %.600s", c.out);
}

/* ---- file ---- */

static bool file_policy(struct tctx *t, const char *path, const char *mode, const char *secret,
			const char *dir)
{
	char text[4 * PLEN];

	snprintf(text, sizeof(text),
		 "name: e2e-file\nmode: %s\nselector:\n  host: true\nfile:\n"
		 "  - paths: [%s]\n    access: [read, write]\n    action: block\n"
		 "  - dirs: [%s/]\n    action: block\n",
		 mode, secret, dir);
	return put(t, path, text);
}

static void file_area(struct tctx *t, bool audit)
{
	char pol[PLEN], secret[PLEN], dir[PLEN], inside[PLEN], other[PLEN], created[PLEN];
	const char *mode = audit ? "audit" : "enforce", *act = audit ? "audit" : "block";
	int want = audit ? 0 : EPERM;
	struct agent *a;

	pjoin(pol, sizeof(pol), t->tmpdir, "policy.yaml");
	pjoin(secret, sizeof(secret), t->tmpdir, "secret.txt");
	pjoin(dir, sizeof(dir), t->tmpdir, "sdir");
	pjoin(inside, sizeof(inside), dir, "inside");
	pjoin(created, sizeof(created), dir, "created");
	pjoin(other, sizeof(other), t->tmpdir, "other.txt");
	mkdir(dir, 0755);
	if (!put(t, secret, "s\n") || !put(t, inside, "i\n") || !put(t, other, "o\n") ||
	    !file_policy(t, pol, mode, secret, dir) || !(a = start_policy_agent(t, pol, NULL)))
		return;
	expect_errno(t, "read of the protected file", in_child(t, do_open_read, secret), want);
	expect_alert(t, "e2e-file", "file", act, secret);
	expect_errno(t, "read of another file", in_child(t, do_open_read, other), 0);
	expect_errno(t, "create below the protected dir", in_child(t, do_open_write, created),
		     want);
	expect_errno(t, "chmod below the protected dir", in_child(t, do_chmod, inside), want);
	expect_errno(t, "chown below the protected dir", in_child(t, do_chown, inside), want);
	expect_errno(t, "unlink below the protected dir", in_child(t, do_unlink, inside), want);
	expect_alert(t, "e2e-file", "file", act, inside);
	stop_agent(t, a);
	expect_errno(t, "read once the agent is gone", in_child(t, do_open_read, secret), 0);
}

void test_enforce_file(struct tctx *t)
{
	if (need_lsm(t))
		file_area(t, false);
}

void test_enforce_file_audit(struct tctx *t)
{
	if (need_lsm(t))
		file_area(t, true);
}

/* ---- process ---- */

static void process_area(struct tctx *t, bool audit)
{
	char pol[PLEN], text[4 * PLEN], blocked[PLEN], bindir[PLEN], inbin[PLEN], allowed[PLEN];
	const char *act = audit ? "audit" : "block";
	int want = audit ? 0 : EACCES;
	struct agent *a;

	pjoin(pol, sizeof(pol), t->tmpdir, "policy.yaml");
	pjoin(blocked, sizeof(blocked), t->tmpdir, "blocked-prog");
	pjoin(allowed, sizeof(allowed), t->tmpdir, "allowed-prog");
	pjoin(bindir, sizeof(bindir), t->tmpdir, "bindir");
	pjoin(inbin, sizeof(inbin), bindir, "prog");
	mkdir(bindir, 0755);
	snprintf(text, sizeof(text),
		 "name: e2e-exec\nmode: %s\nselector:\n  host: true\nprocess:\n"
		 "  - paths: [%s]\n    dirs: [%s/]\n    action: block\n",
		 audit ? "audit" : "enforce", blocked, bindir);
	if (!copy_self(t, blocked) || !copy_self(t, allowed) || !copy_self(t, inbin) ||
	    !put(t, pol, text) || !(a = start_policy_agent(t, pol, NULL)))
		return;
	/* execve reports an LSM refusal of the binary as EACCES or EPERM */
	{
		int got = in_child(t, do_exec, blocked);

		expect_true(t, audit ? got == 0 : (got == EPERM || got == EACCES),
			    "exec of the blocked program: got %d (%s)", got, strerror(got));
		(void)want;
	}
	expect_alert(t, "e2e-exec", "process", act, blocked);
	{
		int got = in_child(t, do_exec, inbin);

		expect_true(t, audit ? got == 0 : (got == EPERM || got == EACCES),
			    "exec below the blocked dir: got %d", got);
	}
	expect_errno(t, "exec of another program", in_child(t, do_exec, allowed), 0);
	stop_agent(t, a);
}

void test_enforce_exec(struct tctx *t)
{
	if (need_lsm(t))
		process_area(t, false);
}

void test_enforce_exec_audit(struct tctx *t)
{
	if (need_lsm(t))
		process_area(t, true);
}

/* ---- allowlist and selectors: a policy on one cgroup ---- */

struct cg_exec {
	const char *cgroup_procs; /* NULL: stay where we are */
	const char *prog;
};

static int exec_in_cgroup(void *arg)
{
	const struct cg_exec *ce = arg;
	char pid[32];

	if (ce->cgroup_procs) {
		snprintf(pid, sizeof(pid), "%d\n", getpid());
		if (write_file(ce->cgroup_procs, pid))
			return 200;
	}
	return do_exec((void *)ce->prog);
}

void test_enforce_allowlist(struct tctx *t)
{
	char pol[PLEN], text[4 * PLEN], cgroot[PLEN], cg[PLEN + 64], procs[PLEN], allowed[PLEN],
	    other[PLEN];
	struct agent *a;
	struct cg_exec in_ok, in_other, out_other;
	int got;

	if (!need_lsm(t))
		return;
	if (!cgroup2_mount(cgroot, sizeof(cgroot))) {
		tskip(t, "no cgroup v2");
		return;
	}
	snprintf(cg, sizeof(cg), "%s/vigil-e2e-allow-%d", cgroot, getpid());
	pjoin(procs, sizeof(procs), cg, "cgroup.procs");
	pjoin(pol, sizeof(pol), t->tmpdir, "policy.yaml");
	pjoin(allowed, sizeof(allowed), t->tmpdir, "allowed");
	pjoin(other, sizeof(other), t->tmpdir, "other");
	if (mkdir(cg, 0755) && errno != EEXIST) {
		tfail(t, "mkdir %s: %s", cg, strerror(errno));
		return;
	}
	snprintf(text, sizeof(text),
		 "name: e2e-allow\nmode: enforce\ndefault: block\nselector:\n  cgroups: [%s]\n"
		 "process:\n  - paths: [%s]\n    action: allow\n",
		 cg + strlen(cgroot), allowed);
	if (!copy_self(t, allowed) || !copy_self(t, other) || !put(t, pol, text) ||
	    !(a = start_policy_agent(t, pol, NULL))) {
		rmdir(cg);
		return;
	}
	in_ok = (struct cg_exec){procs, allowed};
	in_other = (struct cg_exec){procs, other};
	out_other = (struct cg_exec){NULL, other};
	expect_errno(t, "listed program in the cgroup", in_child(t, exec_in_cgroup, &in_ok), 0);
	got = in_child(t, exec_in_cgroup, &in_other);
	expect_true(t, got == EPERM || got == EACCES, "unlisted program in the cgroup: got %d",
		    got);
	expect_alert(t, "e2e-allow", "process", "block", other);
	expect_errno(t, "unlisted program outside the cgroup",
		     in_child(t, exec_in_cgroup, &out_other), 0);
	stop_agent(t, a);
	rmdir(cg);
}

/* ---- network ---- */

static void network_area(struct tctx *t, bool audit, bool fallback)
{
	char pol[PLEN], text[4 * PLEN];
	struct endpoint blocked = {46661, false}, open_port = {46662, false}, bound = {46663, true};
	const char *act = audit ? "audit" : "block";
	int want = audit ? ECONNREFUSED : EPERM;
	struct agent *a;

	pjoin(pol, sizeof(pol), t->tmpdir, "policy.yaml");
	snprintf(text, sizeof(text),
		 "name: e2e-net\nmode: %s\nselector:\n  host: true\nnetwork:\n"
		 "  - cidrs: [127.0.0.0/8]\n    ports: [46661]\n    direction: egress\n"
		 "    action: block\n"
		 "  - ports: [\"46663-46664\"]\n    direction: ingress\n    action: block\n",
		 audit ? "audit" : "enforce");
	if (!put(t, pol, text) || !(a = start_policy_agent(t, pol, NULL)))
		return;
	expect_errno(t, "connect to the blocked port", in_child(t, do_connect, &blocked), want);
	expect_alert(t, "e2e-net", "network", act, "127.0.0.1:46661");
	expect_errno(t, "connect to another port", in_child(t, do_connect, &open_port),
		     ECONNREFUSED);
	expect_errno(t, "bind to the blocked port", in_child(t, do_connect, &bound),
		     audit ? 0 : EPERM);
	(void)fallback;
	stop_agent(t, a);
}

void test_enforce_network(struct tctx *t)
{
	if (need_lsm(t))
		network_area(t, false, false);
}

void test_enforce_network_audit(struct tctx *t)
{
	if (need_lsm(t))
		network_area(t, true, false);
}

void test_enforce_fallback_network(struct tctx *t)
{
	if (need_fallback(t))
		network_area(t, false, true);
}

/* Without BPF LSM an open is refused by killing the process at the syscall's
 * exit, before it can use the descriptor: reported as killed. */
void test_enforce_fallback_kill(struct tctx *t)
{
	char pol[PLEN], secret[PLEN], dir[PLEN];
	struct agent *a;
	pid_t pid;
	int st;

	if (!need_fallback(t))
		return;
	pjoin(pol, sizeof(pol), t->tmpdir, "policy.yaml");
	pjoin(secret, sizeof(secret), t->tmpdir, "secret.txt");
	pjoin(dir, sizeof(dir), t->tmpdir, "sdir");
	mkdir(dir, 0755);
	if (!put(t, secret, "s\n") || !file_policy(t, pol, "enforce", secret, dir) ||
	    !(a = start_policy_agent(t, pol, NULL)))
		return;
	pid = spawn(t, do_open_read, secret);
	st = pid > 0 ? reap(pid, EVENT_TIMEOUT_MS) : -1;
	expect_true(t, st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
		    "the reader was not killed (status 0x%x)", st);
	expect_alert(t, "e2e-file", "file", "killed", secret);
	expect_true(t, count_alerts(t, "e2e-file", "file") == 0,
		    "a block was reported where only a kill happened");
	stop_agent(t, a);
}

/* ---- areas without objects ---- */

static int do_ptrace_child(void *arg)
{
	pid_t child = fork();
	int rc;

	(void)arg;
	if (child == 0) {
		pause();
		_exit(0);
	}
	rc = ptrace(PTRACE_ATTACH, child, NULL, NULL) ? errno : 0;
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return rc;
}

static int do_mount(void *arg)
{
	return mount("none", arg, "tmpfs", 0, NULL) ? errno : (umount(arg), 0);
}

static int do_bpf(void *arg)
{
	union bpf_attr attr;
	long fd;

	(void)arg;
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

static int do_init_module(void *arg)
{
	static const char junk[64] = "not a module";

	(void)arg;
	return syscall(SYS_init_module, junk, sizeof(junk), "") ? errno : 0;
}

void test_enforce_kernel_areas(struct tctx *t)
{
	char pol[PLEN], mnt[PLEN];
	struct agent *a;
	int got;

	if (!need_lsm(t))
		return;
	pjoin(pol, sizeof(pol), t->tmpdir, "policy.yaml");
	pjoin(mnt, sizeof(mnt), t->tmpdir, "mnt");
	mkdir(mnt, 0755);
	if (!put(t, pol,
		 "name: e2e-kernel\nmode: enforce\nselector:\n  host: true\n"
		 "ptrace:\n  action: block\nmount:\n  action: block\nbpf:\n  action: block\n"
		 "kernel_module:\n  action: block\n") ||
	    !(a = start_policy_agent(t, pol, NULL)))
		return;
	expect_errno(t, "ptrace attach", in_child(t, do_ptrace_child, NULL), EPERM);
	expect_alert(t, "e2e-kernel", "ptrace", "block", NULL);
	expect_errno(t, "mount", in_child(t, do_mount, mnt), EPERM);
	expect_alert(t, "e2e-kernel", "mount", "block", NULL);
	expect_errno(t, "bpf map create", in_child(t, do_bpf, NULL), EPERM);
	expect_alert(t, "e2e-kernel", "bpf", "block", NULL);
	got = in_child(t, do_init_module, NULL);
	expect_errno(t, "init_module", got, EPERM);
	expect_alert(t, "e2e-kernel", "kernel_module", "block", NULL);
	stop_agent(t, a);
	got = in_child(t, do_init_module, NULL);
	expect_true(t, got != EPERM && got != 0, "init_module once the agent is gone: %d", got);
}

/* ---- capabilities and signals: policies on a cgroup ---- */

static int do_kill_target(void *arg)
{
	return kill(*(pid_t *)arg, SIGTERM) ? errno : 0;
}

void test_enforce_caps_signals(struct tctx *t)
{
	char pol[PLEN], text[4 * PLEN], cgroot[PLEN], cg[PLEN + 64], procs[PLEN], file[PLEN],
	    pid[32];
	struct agent *a;
	pid_t target;

	if (!need_lsm(t))
		return;
	if (!cgroup2_mount(cgroot, sizeof(cgroot))) {
		tskip(t, "no cgroup v2");
		return;
	}
	snprintf(cg, sizeof(cg), "%s/vigil-e2e-caps-%d", cgroot, getpid());
	pjoin(procs, sizeof(procs), cg, "cgroup.procs");
	pjoin(pol, sizeof(pol), t->tmpdir, "policy.yaml");
	pjoin(file, sizeof(file), t->tmpdir, "owned");
	mkdir(cg, 0755);
	snprintf(text, sizeof(text),
		 "name: e2e-caps\nmode: enforce\nselector:\n  cgroups: [%s]\n"
		 "capabilities:\n  - names: [CAP_CHOWN]\n    action: block\n"
		 "signal:\n  - signals: [SIGTERM]\n    action: block\n",
		 cg + strlen(cgroot));
	if (!put(t, file, "x\n") || !put(t, pol, text) || !(a = start_policy_agent(t, pol, NULL)))
		goto out;
	target = fork();
	if (target == 0) {
		snprintf(pid, sizeof(pid), "%d\n", getpid());
		if (write_file(procs, pid))
			_exit(1);
		/* in the cgroup: chown needs CAP_CHOWN (the file is not ours after this) */
		_exit(chown(file, 4321, 4321) ? (errno == EPERM ? 0 : 2) : 3);
	}
	expect_true(t, exit_code(reap(target, EVENT_TIMEOUT_MS)) == 0,
		    "chown with CAP_CHOWN blocked did not fail with EPERM");
	expect_alert(t, "e2e-caps", "capabilities", "block", NULL);
	target = fork();
	if (target == 0) {
		snprintf(pid, sizeof(pid), "%d\n", getpid());
		write_file(procs, pid);
		for (;;)
			pause();
	}
	sleep_ms(300);
	expect_errno(t, "SIGTERM to a protected process", in_child(t, do_kill_target, &target),
		     EPERM);
	expect_alert(t, "e2e-caps", "signal", "block", NULL);
	kill_reap(target);
	stop_agent(t, a);
out:
	rmdir(cg);
}

/* ---- policy updates ---- */

void test_enforce_reload(struct tctx *t)
{
	char pol[PLEN], a_file[PLEN], b_file[PLEN], text[4 * PLEN], err[4096];
	struct agent *a;
	int64_t deadline;

	if (!need_lsm(t))
		return;
	pjoin(pol, sizeof(pol), t->tmpdir, "policy.yaml");
	pjoin(a_file, sizeof(a_file), t->tmpdir, "a.txt");
	pjoin(b_file, sizeof(b_file), t->tmpdir, "b.txt");
	snprintf(text, sizeof(text),
		 "name: e2e-reload\nselector:\n  host: true\nfile:\n  - paths: [%s]\n"
		 "    action: block\n",
		 a_file);
	if (!put(t, a_file, "a\n") || !put(t, b_file, "b\n") || !put(t, pol, text) ||
	    !(a = start_policy_agent(t, pol, NULL)))
		return;
	expect_errno(t, "a before the change", in_child(t, do_open_read, a_file), EPERM);
	snprintf(text, sizeof(text),
		 "name: e2e-reload\nselector:\n  host: true\nfile:\n  - paths: [%s]\n"
		 "    action: block\n",
		 b_file);
	put(t, pol, text);
	/* the file change is noticed by inotify: no signal */
	deadline = mono_ms() + EVENT_TIMEOUT_MS;
	while (mono_ms() < deadline && in_child(t, do_open_read, b_file) == 0)
		sleep_ms(100);
	expect_errno(t, "b after the change", in_child(t, do_open_read, b_file), EPERM);
	expect_errno(t, "a after the change", in_child(t, do_open_read, a_file), 0);
	/* a bad update is refused; the running policy stays */
	put(t, pol, "name: e2e-reload\nselector:\n  host: true\nfile:\n  - pathz: [x]\n");
	kill(agent_pid(a), SIGHUP);
	deadline = mono_ms() + EVENT_TIMEOUT_MS;
	do {
		sleep_ms(100);
		agent_stderr(a, err, sizeof(err));
	} while (mono_ms() < deadline && !strstr(err, "policy reload failed"));
	expect_true(t, strstr(err, "policy reload failed") != NULL, "no refusal: %.500s", err);
	expect_errno(t, "b after a bad update", in_child(t, do_open_read, b_file), EPERM);
	stop_agent(t, a);
}

/* ---- races and io_uring ---- */

struct flipper {
	char *buf;
	const char *a, *b;
	volatile bool stop;
};

static void *flip_path(void *arg)
{
	struct flipper *f = arg;

	while (!f->stop) {
		strcpy(f->buf, f->a);
		strcpy(f->buf, f->b);
	}
	return NULL;
}

/* A second thread rewrites the path while open() runs: whatever name the
 * kernel ends up opening, the decision is about that object. */
void test_enforce_toctou(struct tctx *t)
{
	char pol[PLEN], text[4 * PLEN], allowed[PLEN], blocked[PLEN], buf[PLEN];
	struct flipper f = {.buf = buf};
	struct stat bst, st;
	int opened_blocked = 0, refused = 0, opened = 0;
	struct agent *a;
	pthread_t th;

	if (!need_lsm(t))
		return;
	pjoin(pol, sizeof(pol), t->tmpdir, "policy.yaml");
	pjoin(allowed, sizeof(allowed), t->tmpdir, "fileA");
	pjoin(blocked, sizeof(blocked), t->tmpdir, "fileB");
	snprintf(text, sizeof(text),
		 "name: e2e-toctou\nselector:\n  host: true\nfile:\n  - paths: [%s]\n"
		 "    action: block\n",
		 blocked);
	if (!put(t, allowed, "a\n") || !put(t, blocked, "b\n") || !put(t, pol, text) ||
	    stat(blocked, &bst) || !(a = start_policy_agent(t, pol, NULL)))
		return;
	f.a = allowed;
	f.b = blocked;
	strcpy(buf, allowed);
	pthread_create(&th, NULL, flip_path, &f);
	for (int i = 0; i < 20000; i++) {
		int fd = open(buf, O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			refused += errno == EPERM;
			continue;
		}
		opened++;
		if (fstat(fd, &st) == 0 && st.st_ino == bst.st_ino)
			opened_blocked++;
		close(fd);
	}
	f.stop = true;
	pthread_join(th, NULL);
	expect_true(t, opened_blocked == 0, "the blocked file was opened %d times", opened_blocked);
	expect_true(t, refused > 0 && opened > 0, "no mix of outcomes: %d refused, %d opened",
		    refused, opened);
	tnote(t, "%d opens refused, %d allowed, 0 of the blocked file", refused, opened);
	stop_agent(t, a);
}

struct uring {
	int fd;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int uring_setup(struct uring *u)
{
	struct io_uring_params p;
	void *sq, *cq;

	memset(&p, 0, sizeof(p));
	u->fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (u->fd < 0)
		return -errno;
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_CQ_RING);
	u->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || u->sqes == MAP_FAILED)
		return -ENOMEM;
	u->sq_tail = (unsigned *)((char *)sq + p.sq_off.tail);
	u->sq_mask = (unsigned *)((char *)sq + p.sq_off.ring_mask);
	u->sq_array = (unsigned *)((char *)sq + p.sq_off.array);
	u->cq_head = (unsigned *)((char *)cq + p.cq_off.head);
	u->cq_tail = (unsigned *)((char *)cq + p.cq_off.tail);
	u->cq_mask = (unsigned *)((char *)cq + p.cq_off.ring_mask);
	u->cqes = (struct io_uring_cqe *)((char *)cq + p.cq_off.cqes);
	return 0;
}

/* Submits one prepared SQE and returns its CQE result. */
static int uring_run(struct uring *u, const struct io_uring_sqe *sqe)
{
	unsigned tail = *u->sq_tail, idx = tail & *u->sq_mask, head;
	int res;

	u->sqes[idx] = *sqe;
	u->sq_array[idx] = idx;
	__atomic_store_n(u->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, u->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -errno;
	head = *u->cq_head;
	if (head == __atomic_load_n(u->cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	res = u->cqes[head & *u->cq_mask].res;
	__atomic_store_n(u->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

struct uring_job {
	const char *path;
	int port;
};

/* exit code: 0 when both operations were refused with EPERM; else which not */
static int do_uring(void *arg)
{
	const struct uring_job *j = arg;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(j->port)};
	struct io_uring_sqe sqe;
	struct uring u;
	int rc = 0, res, s;

	if (uring_setup(&u))
		return 100;
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_OPENAT;
	sqe.fd = AT_FDCWD;
	sqe.addr = (unsigned long)j->path;
	sqe.open_flags = O_RDONLY;
	res = uring_run(&u, &sqe);
	if (res != -EPERM)
		rc |= 1;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_CONNECT;
	sqe.fd = s;
	sqe.addr = (unsigned long)&sa;
	sqe.off = sizeof(sa);
	res = uring_run(&u, &sqe);
	if (res != -EPERM)
		rc |= 2;
	return rc;
}

/* io_uring requests never pass the syscall tracepoints; LSM hooks see them. */
void test_enforce_io_uring(struct tctx *t)
{
	char pol[PLEN], text[4 * PLEN], secret[PLEN];
	struct uring_job j = {.port = 46671};
	struct agent *a;
	int rc;

	if (!need_lsm(t))
		return;
	pjoin(pol, sizeof(pol), t->tmpdir, "policy.yaml");
	pjoin(secret, sizeof(secret), t->tmpdir, "secret");
	j.path = secret;
	snprintf(text, sizeof(text),
		 "name: e2e-uring\nselector:\n  host: true\nfile:\n  - paths: [%s]\n"
		 "    action: block\nnetwork:\n  - ports: [46671]\n    direction: egress\n"
		 "    action: block\n",
		 secret);
	if (!put(t, secret, "s\n") || !put(t, pol, text) || !(a = start_policy_agent(t, pol, NULL)))
		return;
	rc = in_child(t, do_uring, &j);
	if (rc == 100) {
		tskip(t, "io_uring is not available here");
	} else {
		expect_true(t, !(rc & 1), "the io_uring open was not refused with EPERM");
		expect_true(t, !(rc & 2), "the io_uring connect was not refused with EPERM");
		expect_alert(t, "e2e-uring", "file", "block", secret);
		expect_alert(t, "e2e-uring", "network", "block", "127.0.0.1:46671");
	}
	stop_agent(t, a);
}

/* ---- self-protection and --persist ---- */

static int do_kill_agent(void *arg)
{
	return kill(*(pid_t *)arg, SIGKILL) ? errno : 0;
}

static int do_ptrace_agent(void *arg)
{
	if (ptrace(PTRACE_ATTACH, *(pid_t *)arg, NULL, NULL) == 0) {
		ptrace(PTRACE_DETACH, *(pid_t *)arg, NULL, NULL);
		return 0;
	}
	return errno;
}

static long bpf_cmd(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* exit code: 0 when the agent's pol_conf map was found and could not be
 * taken for writing, and some link of the agent could not be taken. */
static int do_grab_bpf(void *arg)
{
	union bpf_attr attr;
	__u32 id = 0;
	bool found = false, link_refused = false;

	(void)arg;
	for (;;) {
		struct bpf_map_info info;
		long fd;

		memset(&attr, 0, sizeof(attr));
		attr.start_id = id;
		if (bpf_cmd(BPF_MAP_GET_NEXT_ID, &attr))
			break;
		id = attr.next_id;
		memset(&attr, 0, sizeof(attr));
		attr.map_id = id;
		attr.open_flags = BPF_F_RDONLY;
		fd = bpf_cmd(BPF_MAP_GET_FD_BY_ID, &attr);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		memset(&attr, 0, sizeof(attr));
		attr.info.bpf_fd = (__u32)fd;
		attr.info.info_len = sizeof(info);
		attr.info.info = (unsigned long)&info;
		bpf_cmd(BPF_OBJ_GET_INFO_BY_FD, &attr);
		close((int)fd);
		if (strcmp(info.name, "pol_conf") != 0)
			continue;
		memset(&attr, 0, sizeof(attr));
		attr.map_id = id;
		fd = bpf_cmd(BPF_MAP_GET_FD_BY_ID, &attr);
		if (fd >= 0)
			return 1;
		found = errno == EPERM;
	}
	for (id = 0;;) {
		long fd;

		memset(&attr, 0, sizeof(attr));
		attr.start_id = id;
		if (bpf_cmd(BPF_LINK_GET_NEXT_ID, &attr))
			break;
		id = attr.next_id;
		memset(&attr, 0, sizeof(attr));
		attr.link_id = id;
		fd = bpf_cmd(BPF_LINK_GET_FD_BY_ID, &attr);
		if (fd >= 0)
			close((int)fd);
		else if (errno == EPERM)
			link_refused = true;
	}
	return found ? (link_refused ? 0 : 3) : 2;
}

void test_enforce_self_protect(struct tctx *t)
{
	char pol[PLEN];
	struct agent *a;
	pid_t apid;

	if (!need_lsm(t))
		return;
	pjoin(pol, sizeof(pol), t->tmpdir, "policy.yaml");
	if (!put(t, pol, "name: e2e-self\nselector:\n  host: true\nptrace:\n  action: audit\n") ||
	    !(a = start_policy_agent(t, pol, NULL)))
		return;
	apid = agent_pid(a);
	expect_errno(t, "SIGKILL to the agent from another process",
		     in_child(t, do_kill_agent, &apid), EPERM);
	expect_errno(t, "ptrace of the agent", in_child(t, do_ptrace_agent, &apid), EPERM);
	expect_errno(t, "taking the agent's BPF map and links", in_child(t, do_grab_bpf, NULL), 0);
	expect_alert(t, "vigil-self-protection", "self", "block", NULL);
	expect_true(t, agent_alive(a), "the agent died");
	stop_agent(t, a); /* its parent (this test) may stop it */
}

void test_enforce_persist(struct tctx *t)
{
	char pol[PLEN], pol2[PLEN], text[4 * PLEN], secret[PLEN];
	struct agent *a;
	struct stat st;

	if (!need_lsm(t))
		return;
	pjoin(pol, sizeof(pol), t->tmpdir, "policy.yaml");
	pjoin(pol2, sizeof(pol2), t->tmpdir, "policy2.yaml");
	pjoin(secret, sizeof(secret), t->tmpdir, "secret");
	snprintf(text, sizeof(text),
		 "name: e2e-persist\nselector:\n  host: true\nfile:\n  - paths: [%s]\n"
		 "    action: block\n",
		 secret);
	if (!put(t, secret, "s\n") || !put(t, pol, text) ||
	    !put(t, pol2, "name: e2e-next\nselector:\n  host: true\nptrace:\n  action: audit\n") ||
	    !(a = start_policy_agent(t, pol, "--persist")))
		return;
	expect_errno(t, "read while the agent runs", in_child(t, do_open_read, secret), EPERM);
	stop_agent(t, a);
	expect_true(t, stat("/sys/fs/bpf/vigil", &st) == 0, "no pins in /sys/fs/bpf/vigil");
	expect_errno(t, "read after the agent exited (--persist)",
		     in_child(t, do_open_read, secret), EPERM);
	/* a new agent takes over: its own policies replace the pinned ones */
	if (!(a = start_policy_agent(t, pol2, NULL)))
		return;
	expect_errno(t, "read under the new agent", in_child(t, do_open_read, secret), 0);
	if (tfailed(t)) {
		char err[4096];

		agent_stderr(a, err, sizeof(err));
		diag("new agent's stderr: %s", err);
		diag("pins: vigil %s, vigil.old %s", stat("/sys/fs/bpf/vigil", &st) ? "no" : "yes",
		     stat("/sys/fs/bpf/vigil.old", &st) ? "no" : "yes");
	}
	stop_agent(t, a);
	expect_true(t,
		    stat("/sys/fs/bpf/vigil", &st) != 0 && stat("/sys/fs/bpf/vigil.old", &st) != 0,
		    "pins left behind after the takeover");
	expect_errno(t, "read after both agents", in_child(t, do_open_read, secret), 0);
}
