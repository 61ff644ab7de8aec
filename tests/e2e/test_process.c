/* test_process.c - process lifecycle events: execve/execveat (arguments,
 * resolved executable, symlinks, PATH lookup, failures), the common event
 * header, clone (process and thread) and procexit (exit code, signal, once per
 * multi-threaded process).
 *
 * Only /bin/sh and /bin/true are executed: both exist on Debian and in the
 * busybox VM, where they are links to busybox (expectations use realpath()).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "tests.h"

extern char **environ;

struct exec_spec {
	const char *path;
	const char *const *argv;
	const char *cwd;      /* chdir here first, if set */
	const char *env_path; /* PATH for execvp, if set */
	bool use_path;	      /* execvp(path) instead of execv */
};

static int child_exec(void *p)
{
	const struct exec_spec *e = p;

	if (e->cwd && chdir(e->cwd) < 0)
		return 100;
	if (e->env_path)
		setenv("PATH", e->env_path, 1);
	if (e->use_path)
		execvp(e->path, (char *const *)e->argv);
	else
		execv(e->path, (char *const *)e->argv);
	return 127;
}

static void own_comm(char *out, size_t outlen)
{
	if (read_file("/proc/self/comm", out, outlen) < 0)
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

void test_exec_args(struct tctx *t)
{
	static const char *const argv[] = {"/bin/sh", "-c", "exit 0", "x1", "y2", NULL};
	struct exec_spec spec = {.path = "/bin/sh", .argv = argv, .cwd = t->tmpdir};
	char exe[4096];
	json_t *ev = NULL;
	pid_t pid;

	real("/bin/sh", exe, sizeof(exe));
	pid = spawn(t, child_exec, &spec);
	if (pid < 0)
		return;
	ev = WAIT_EV(t, .type = "execve", .pid = pid, .res = "SUCCESS");
	if (!ev)
		goto out;
	expect_str(t, ev, "proc.exepath", exe);
	expect_str(t, ev, "proc.exe", "/bin/sh");
	expect_str(t, ev, "proc.args", "-c exit 0 x1 y2");
	expect_str(t, ev, "proc.cmdline", "sh -c exit 0 x1 y2");
	expect_str(t, ev, "proc.name", "sh");
	expect_str(t, ev, "evt.arg.filename", "/bin/sh");
	expect_str(t, ev, "proc.cwd", t->tmpdir);
	expect_int(t, ev, "proc.ppid", getpid());
	expect_int(t, ev, "evt.rawres", 0);
out:
	json_decref(ev);
	reap(pid, EVENT_TIMEOUT_MS);
}

/* Checks evt.time is RFC 3339 UTC with 9 fractional digits and equals evt.rawtime. */
static void check_time(struct tctx *t, json_t *ev, int64_t lo, int64_t hi)
{
	const char *s = ev_str(ev, "evt.time");
	long long raw = 0;
	struct tm tm = {0};
	char frac[16] = "", z[4] = "";
	long long ns;

	if (!ev_int(ev, "evt.rawtime", &raw)) {
		expect_int(t, ev, "evt.rawtime", lo);
		return;
	}
	expect_true(t, raw >= lo && raw <= hi,
		    "evt.rawtime %lld outside the test's window [%lld, %lld]", raw, (long long)lo,
		    (long long)hi);
	if (!s || strlen(s) != 30 ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%9[0-9]%1s", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, frac, z) != 8 ||
	    strlen(frac) != 9 || strcmp(z, "Z")) {
		expect_str(t, ev, "evt.time", "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ");
		return;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	ns = (long long)timegm(&tm) * 1000000000LL + atoll(frac);
	expect_true(t, ns == raw, "evt.time %s is %lld ns, evt.rawtime is %lld", s, ns, raw);
}

void test_event_header(struct tctx *t)
{
	static const char *const argv[] = {"true", NULL};
	struct exec_spec spec = {.path = "/bin/true", .argv = argv, .cwd = t->tmpdir};
	char comm[64], lbuf[32];
	long long loginuid = -1;
	unsigned long long cg = own_cgroup_id();
	int64_t lo, hi;
	json_t *ev = NULL;
	pid_t pid;

	own_comm(comm, sizeof(comm));
	if (read_file("/proc/self/loginuid", lbuf, sizeof(lbuf)) > 0)
		loginuid = atoll(lbuf);
	lo = now_realtime_ns();
	pid = spawn(t, child_exec, &spec);
	if (pid < 0)
		return;
	reap(pid, EVENT_TIMEOUT_MS);
	hi = now_realtime_ns();
	ev = WAIT_EV(t, .type = "execve", .pid = pid, .res = "SUCCESS");
	if (!ev)
		return;
	check_time(t, ev, lo, hi);
	expect_int(t, ev, "proc.tid", pid);
	expect_int(t, ev, "proc.ppid", getpid());
	expect_int(t, ev, "proc.vpid", pid);
	expect_str(t, ev, "proc.name", "true");
	expect_str(t, ev, "proc.pname", comm);
	expect_int(t, ev, "user.uid", getuid());
	expect_int(t, ev, "user.euid", geteuid());
	expect_int(t, ev, "group.gid", getgid());
	expect_int(t, ev, "group.egid", getegid());
	if (loginuid == 4294967295LL || loginuid == -1)
		expect_uint_any(t, ev, "user.loginuid", -1, 4294967295LL);
	else
		expect_int(t, ev, "user.loginuid", loginuid);
	expect_int(t, ev, "proc.pidns", ns_inode(0, "pid"));
	expect_int(t, ev, "proc.mntns", ns_inode(0, "mnt"));
	expect_int(t, ev, "proc.netns", ns_inode(0, "net"));
	if (cg)
		expect_int(t, ev, "cgroup.id", cg);
	else
		tfail(t, "cannot find this process's cgroup v2 directory");
	expect_str(t, ev, "container.id", "host");
	expect_absent(t, ev, "container.runtime");
	json_decref(ev);
}

void test_exec_symlink(struct tctx *t)
{
	static const char *const argv[] = {"sh", "-c", "exit 0", NULL};
	char link[512], exe[4096];
	struct exec_spec spec = {.path = link, .argv = argv};
	json_t *ev = NULL;
	pid_t pid;

	real("/bin/sh", exe, sizeof(exe));
	pjoin(link, sizeof(link), t->tmpdir, "mysh");
	if (symlink("/bin/sh", link) < 0) {
		tfail(t, "symlink: %s", strerror(errno));
		return;
	}
	pid = spawn(t, child_exec, &spec);
	if (pid < 0)
		return;
	ev = WAIT_EV(t, .type = "execve", .pid = pid, .res = "SUCCESS");
	if (ev) {
		expect_str(t, ev, "proc.exepath", exe);
		expect_str(t, ev, "evt.arg.filename", link);
		expect_str(t, ev, "proc.exe", "sh");
		expect_str(t, ev, "proc.name", "mysh");
		expect_str(t, ev, "proc.args", "-c exit 0");
	}
	json_decref(ev);
	reap(pid, EVENT_TIMEOUT_MS);
}

void test_exec_enoent(struct tctx *t)
{
	static const char *const argv[] = {"nothere", "a", NULL};
	char path[512];
	struct exec_spec spec = {.path = path, .argv = argv};
	json_t *ev = NULL;
	pid_t pid;
	int st;

	pjoin(path, sizeof(path), t->tmpdir, "nothere");
	pid = spawn(t, child_exec, &spec);
	if (pid < 0)
		return;
	st = reap(pid, EVENT_TIMEOUT_MS);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 127)
		tfail(t, "child did not fail its exec (status 0x%x)", st);
	ev = WAIT_EV(t, .type = "execve", .pid = pid, .skey = "evt.arg.filename", .sval = path);
	if (!ev)
		return;
	expect_str(t, ev, "evt.res", "ENOENT");
	expect_int(t, ev, "evt.rawres", -ENOENT);
	json_decref(ev);
}

void test_exec_path_lookup(struct tctx *t)
{
	static const char *const argv[] = {"true", NULL};
	char envpath[600], miss[600], exe[4096];
	struct exec_spec spec = {
	    .path = "true", .argv = argv, .env_path = envpath, .use_path = true};
	json_t *ev = NULL;
	pid_t pid;

	real("/bin/true", exe, sizeof(exe));
	snprintf(envpath, sizeof(envpath), "%s/nobin:/bin", t->tmpdir);
	snprintf(miss, sizeof(miss), "%s/nobin/true", t->tmpdir);
	pid = spawn(t, child_exec, &spec);
	if (pid < 0)
		return;
	ev = WAIT_EV(t, .type = "execve", .pid = pid, .skey = "evt.arg.filename", .sval = miss);
	if (ev)
		expect_str(t, ev, "evt.res", "ENOENT");
	json_decref(ev);
	ev = WAIT_EV(t, .type = "execve", .pid = pid, .res = "SUCCESS");
	if (ev) {
		expect_str(t, ev, "evt.arg.filename", "/bin/true");
		expect_str(t, ev, "proc.exepath", exe);
		expect_str(t, ev, "proc.exe", "true");
		expect_str(t, ev, "proc.name", "true");
		expect_str(t, ev, "proc.args", "");
	}
	json_decref(ev);
	reap(pid, EVENT_TIMEOUT_MS);
}

static int child_execveat(void *p)
{
	static const char *const argv[] = {"true", "v1", NULL};

	syscall(SYS_execveat, *(int *)p, "true", argv, environ, 0);
	return 127;
}

void test_execveat(struct tctx *t)
{
	char exe[4096], name[64];
	json_t *ev = NULL;
	pid_t pid;
	int dfd = open("/bin", O_PATH | O_DIRECTORY); /* inherited by the child */

	if (dfd < 0) {
		tfail(t, "open /bin: %s", strerror(errno));
		return;
	}
	real("/bin/true", exe, sizeof(exe));
	pid = spawn(t, child_execveat, &dfd);
	close(dfd);
	if (pid < 0)
		return;
	ev = WAIT_EV(t, .type = "execveat", .pid = pid);
	if (ev) {
		expect_str(t, ev, "evt.res", "SUCCESS");
		expect_str(t, ev, "proc.exepath", exe);
		/* The kernel's name for what it executed: dirfd and path joined. */
		snprintf(name, sizeof(name), "/dev/fd/%d/true", dfd);
		expect_str(t, ev, "evt.arg.filename", name);
		expect_int(t, ev, "evt.arg.dirfd", dfd);
		expect_str(t, ev, "proc.args", "v1");
	}
	json_decref(ev);
	reap(pid, EVENT_TIMEOUT_MS);
}

static int child_return0(void *p)
{
	(void)p;
	return 0;
}

void test_clone_fork(struct tctx *t)
{
	json_t *ev = NULL;
	pid_t pid = spawn(t, child_return0, NULL);

	if (pid < 0)
		return;
	reap(pid, EVENT_TIMEOUT_MS);
	ev = WAIT_EV(t, .type = "clone", .pid = getpid(), .ikey = "evt.arg.child_pid", .ival = pid);
	if (!ev)
		return;
	expect_str(t, ev, "evt.arg.kind", "process");
	expect_int(t, ev, "evt.arg.child_tid", pid);
	expect_int(t, ev, "evt.rawres", pid);
	expect_str(t, ev, "evt.res", "SUCCESS");
	expect_int(t, ev, "proc.tid", getpid());
	json_decref(ev);
}

static void *thread_tid(void *p)
{
	*(pid_t *)p = gettid();
	return NULL;
}

void test_clone_thread(struct tctx *t)
{
	pthread_t th;
	pid_t tid = 0;
	json_t *ev;

	if (pthread_create(&th, NULL, thread_tid, &tid)) {
		tfail(t, "pthread_create failed");
		return;
	}
	pthread_join(th, NULL);
	ev = WAIT_EV(t, .type = "clone", .pid = getpid(), .ikey = "evt.arg.child_tid", .ival = tid);
	if (!ev)
		return;
	expect_str(t, ev, "evt.arg.kind", "thread");
	expect_int(t, ev, "evt.arg.child_pid", getpid());
	expect_int(t, ev, "evt.rawres", tid);
	expect_str(t, ev, "evt.res", "SUCCESS");
	json_decref(ev);
}

static int child_exit7(void *p)
{
	(void)p;
	return 7;
}

void test_procexit_code(struct tctx *t)
{
	json_t *ev;
	pid_t pid = spawn(t, child_exit7, NULL);
	int st;

	if (pid < 0)
		return;
	st = reap(pid, EVENT_TIMEOUT_MS);
	ev = WAIT_EV(t, .type = "procexit", .pid = pid);
	if (!ev)
		return;
	expect_int(t, ev, "evt.arg.status", st);
	expect_int(t, ev, "evt.rawres", st);
	expect_int(t, ev, "evt.arg.exit_code", 7);
	expect_int(t, ev, "evt.arg.signal", 0);
	expect_bool(t, ev, "evt.arg.core", false);
	json_decref(ev);
}

static int child_pause(void *p)
{
	(void)p;
	for (;;)
		pause();
	return 0;
}

void test_procexit_signal(struct tctx *t)
{
	json_t *ev;
	pid_t pid = spawn(t, child_pause, NULL);
	int st;

	if (pid < 0)
		return;
	kill(pid, SIGKILL);
	st = reap(pid, EVENT_TIMEOUT_MS);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
		tfail(t, "child status 0x%x, not killed by SIGKILL", st);
	ev = WAIT_EV(t, .type = "procexit", .pid = pid);
	if (!ev)
		return;
	expect_int(t, ev, "evt.arg.signal", SIGKILL);
	expect_int(t, ev, "evt.arg.status", SIGKILL);
	expect_bool(t, ev, "evt.arg.core", false);
	json_decref(ev);
}

static int release_fd = -1; /* read end of the pipe the worker thread waits on */

static void *worker_exit5(void *p)
{
	char c;

	(void)p;
	while (read(release_fd, &c, 1) < 0 && errno == EINTR)
		;
	exit(5);
}

/* The main thread exits alone; the worker thread exits the process later. */
static int child_leader_first(void *p)
{
	pthread_t th;

	close(*(int *)p); /* the write end: only the parent may release the worker */
	if (pthread_create(&th, NULL, worker_exit5, NULL))
		return 99;
	syscall(SYS_exit, 0);
	return 98;
}

/* Waits until the thread group leader pid is a zombie (its thread exited). */
static bool wait_leader_zombie(pid_t pid)
{
	int64_t end = mono_ms() + EVENT_TIMEOUT_MS;
	char path[64], buf[512];
	bool zombie = false;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd >= 0 && !zombie && mono_ms() < end) {
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		char *rp;

		buf[n > 0 ? n : 0] = '\0';
		rp = strrchr(buf, ')');
		zombie = rp && rp[1] == ' ' && rp[2] == 'Z';
		if (!zombie)
			usleep(1000);
	}
	if (fd >= 0)
		close(fd);
	return zombie;
}

static bool procexit_of(json_t *ev, void *ctx)
{
	struct ev_match m = {.type = "procexit", .pid = *(pid_t *)ctx};

	return ev_matches(ev, &m);
}

void test_procexit_multithread(struct tctx *t)
{
	int p[2];
	json_t *ev = NULL;
	pid_t pid;
	size_t n;

	if (pipe2(p, O_CLOEXEC) < 0) {
		tfail(t, "pipe: %s", strerror(errno));
		return;
	}
	release_fd = p[0];
	pid = spawn(t, child_leader_first, &p[1]);
	close(p[0]);
	if (pid < 0)
		goto out;
	if (!wait_leader_zombie(pid))
		tfail(t, "the child's main thread did not exit");
	close(p[1]);
	p[1] = -1;
	reap(pid, EVENT_TIMEOUT_MS);
	ev = WAIT_EV(t, .type = "procexit", .pid = pid);
	if (!ev)
		goto out;
	expect_int(t, ev, "evt.arg.exit_code", 5);
	expect_int(t, ev, "evt.arg.signal", 0);
	if (agent_sync(t, t->agent) == 0) {
		n = agent_count(t->agent, t->from, procexit_of, &pid);
		expect_true(t, n == 1, "%zu procexit events for pid %d, expected 1", n, pid);
	}
out:
	if (p[1] >= 0)
		close(p[1]);
	json_decref(ev);
}
