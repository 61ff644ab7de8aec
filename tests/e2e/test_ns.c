/* test_ns.c - isolation and kernel-facing events: unshare into new pid+mount
 * namespaces (and the namespaced view of a process started there), setns,
 * mount of a tmpfs in a private mount namespace, memfd_create, kill, ptrace
 * attach and bpf(2) commands.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "tests.h"

/* ---- unshare(CLONE_NEWPID|CLONE_NEWNS) ---------------------------------- */

struct ns_pipes {
	int report[2];	/* child -> test: the grandchild's pid */
	int release[2]; /* test -> grandchild: go ahead and exec */
};

static int grandchild(struct ns_pipes *p)
{
	static const char *const argv[] = {"true", NULL};
	char c;

	if (read(p->release[0], &c, 1) != 1)
		_exit(3);
	execv("/bin/true", (char *const *)argv);
	_exit(127);
}

static int child_unshare(void *arg)
{
	struct ns_pipes *p = arg;
	pid_t gc;
	int st;

	close(p->report[0]);
	close(p->release[1]);
	if (unshare(CLONE_NEWPID | CLONE_NEWNS) < 0) {
		gc = -errno;
		if (write(p->report[1], &gc, sizeof(gc)) < 0)
			return 1;
		return 1;
	}
	gc = fork();
	if (gc == 0)
		grandchild(p);
	if (write(p->report[1], &gc, sizeof(gc)) != sizeof(gc) || gc < 0)
		return 2;
	if (waitpid(gc, &st, 0) != gc)
		return 3;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 4;
}

/* Reads the grandchild pid (or -errno) with a deadline; 0 on timeout. */
static pid_t read_report(int fd)
{
	struct pollfd pfd = {fd, POLLIN, 0};
	pid_t gc = 0;

	if (poll(&pfd, 1, EVENT_TIMEOUT_MS) == 1 && read(fd, &gc, sizeof(gc)) != sizeof(gc))
		gc = 0;
	return gc;
}

static void check_ns_exec(struct tctx *t, pid_t child, pid_t gc, unsigned long long pidns,
			  unsigned long long mntns)
{
	char exe[4096];
	json_t *ev = WAIT_EV(t, .type = "execve", .pid = gc, .res = "SUCCESS");

	if (!ev)
		return;
	expect_int(t, ev, "proc.vpid", 1);
	expect_int(t, ev, "proc.ppid", child);
	expect_int(t, ev, "proc.pidns", pidns);
	expect_int(t, ev, "proc.mntns", mntns);
	expect_true(t, pidns != ns_inode(0, "pid"), "grandchild pid namespace is the test's own");
	expect_true(t, mntns != ns_inode(0, "mnt"), "grandchild mount namespace is the test's own");
	expect_str(t, ev, "proc.exepath", real("/bin/true", exe, sizeof(exe)));
	json_decref(ev);
}

void test_unshare_pid_mnt(struct tctx *t)
{
	struct ns_pipes p;
	unsigned long long pidns, mntns;
	json_t *ev;
	pid_t pid, gc;

	if (pipe2(p.report, O_CLOEXEC) < 0 || pipe2(p.release, O_CLOEXEC) < 0) {
		tfail(t, "pipe: %s", strerror(errno));
		return;
	}
	pid = spawn(t, child_unshare, &p);
	close(p.report[1]);
	close(p.release[0]);
	gc = pid < 0 ? 0 : read_report(p.report[0]);
	if (gc <= 0) {
		if (gc == -EINVAL || gc == -EPERM)
			tskip(t, "unshare(CLONE_NEWPID|CLONE_NEWNS): %s", strerror(-gc));
		else if (pid >= 0)
			tfail(t, "the child did not report its grandchild (%d)", gc);
		goto out;
	}
	agent_track(t->agent, gc);
	pidns = ns_inode(gc, "pid");
	mntns = ns_inode(gc, "mnt");
	if (write(p.release[1], "x", 1) != 1)
		tfail(t, "release write: %s", strerror(errno));
	if (reap(pid, EVENT_TIMEOUT_MS) != 0)
		tfail(t, "the namespaced /bin/true failed");
	ev = WAIT_EV(t, .type = "unshare", .pid = pid);
	if (ev) {
		expect_flags(t, ev, "evt.arg.flags", "CLONE_NEWPID|CLONE_NEWNS", true);
		expect_str(t, ev, "evt.res", "SUCCESS");
	}
	json_decref(ev);
	check_ns_exec(t, pid, gc, pidns, mntns);
	pid = -1;
out:
	close(p.report[0]);
	close(p.release[1]);
	if (pid > 0)
		reap(pid, EVENT_TIMEOUT_MS);
}

/* ---- setns -------------------------------------------------------------- */

static int child_setns(void *p)
{
	int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	(void)p;
	if (fd < 0)
		return 2;
	return setns(fd, CLONE_NEWNET) < 0 ? 1 : 0;
}

void test_setns(struct tctx *t)
{
	pid_t pid = spawn(t, child_setns, NULL);
	json_t *ev;

	if (pid < 0)
		return;
	if (reap(pid, EVENT_TIMEOUT_MS) != 0)
		tfail(t, "setns in the child failed");
	ev = WAIT_EV(t, .type = "setns", .pid = pid);
	if (!ev)
		return;
	expect_str(t, ev, "evt.arg.nstype", "CLONE_NEWNET");
	expect_str(t, ev, "evt.res", "SUCCESS");
	json_decref(ev);
}

/* ---- mount -------------------------------------------------------------- */

static int child_mount(void *p)
{
	const char *dir = p;

	if (unshare(CLONE_NEWNS) < 0)
		return 10 + errno;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return 2;
	if (mount("vigil-e2e-src", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m") < 0)
		return 3;
	if (umount2(dir, MNT_DETACH) < 0)
		return 4;
	return 0;
}

void test_mount_tmpfs(struct tctx *t)
{
	char dir[1024];
	json_t *ev;
	pid_t pid;
	int st;

	pjoin(dir, sizeof(dir), t->tmpdir, "mnt");
	if (mkdir(dir, 0755) < 0) {
		tfail(t, "mkdir: %s", strerror(errno));
		return;
	}
	pid = spawn(t, child_mount, dir);
	if (pid < 0)
		return;
	st = reap(pid, EVENT_TIMEOUT_MS);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 10 + EPERM) {
		tskip(t, "unshare(CLONE_NEWNS): EPERM");
		return;
	}
	if (st != 0)
		tfail(t, "mount in the child failed (status 0x%x)", st);
	ev = WAIT_EV(t, .type = "mount", .pid = pid, .skey = "evt.arg.fstype", .sval = "tmpfs");
	if (ev) {
		expect_str(t, ev, "evt.arg.source", "vigil-e2e-src");
		expect_str(t, ev, "fd.name", dir);
		expect_flags(t, ev, "evt.arg.flags", "MS_NOSUID|MS_NODEV", true);
		expect_str(t, ev, "evt.res", "SUCCESS");
	}
	json_decref(ev);
	ev = WAIT_EV(t, .type = "umount2", .pid = pid);
	if (ev)
		expect_str(t, ev, "evt.res", "SUCCESS");
	json_decref(ev);
}

/* ---- memfd_create, kill, ptrace, bpf ------------------------------------ */

void test_memfd_create(struct tctx *t)
{
	int fd = memfd_create("vigil-e2e-memfd", MFD_CLOEXEC);
	json_t *ev;

	if (fd < 0) {
		tfail(t, "memfd_create: %s", strerror(errno));
		return;
	}
	ev = WAIT_EV(t, .type = "memfd_create", .pid = getpid());
	if (ev) {
		expect_str(t, ev, "evt.arg.name", "vigil-e2e-memfd");
		expect_int(t, ev, "evt.rawres", fd);
		expect_str(t, ev, "evt.res", "SUCCESS");
	}
	json_decref(ev);
	close(fd);
}

static int child_pause(void *p)
{
	(void)p;
	for (;;)
		pause();
	return 0;
}

void test_kill(struct tctx *t)
{
	pid_t pid = spawn(t, child_pause, NULL);
	json_t *ev;
	int st;

	if (pid < 0)
		return;
	if (kill(pid, SIGUSR1) < 0)
		tfail(t, "kill: %s", strerror(errno));
	st = reap(pid, EVENT_TIMEOUT_MS);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGUSR1)
		tfail(t, "child status 0x%x, not killed by SIGUSR1", st);
	ev = WAIT_EV(t, .type = "kill", .pid = getpid(), .ikey = "evt.arg.pid", .ival = pid);
	if (!ev)
		return;
	expect_int(t, ev, "evt.arg.sig", SIGUSR1);
	expect_str(t, ev, "evt.res", "SUCCESS");
	json_decref(ev);
}

void test_ptrace_attach(struct tctx *t)
{
	pid_t pid = spawn(t, child_pause, NULL);
	json_t *ev;
	int st;

	if (pid < 0)
		return;
	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) < 0) {
		if (errno == EPERM)
			tskip(t, "PTRACE_ATTACH: EPERM (yama?)");
		else
			tfail(t, "PTRACE_ATTACH: %s", strerror(errno));
		kill_reap(pid);
		return;
	}
	waitpid(pid, &st, __WALL);
	kill_reap(pid);
	ev = WAIT_EV(t, .type = "ptrace", .pid = getpid(), .ikey = "evt.arg.pid", .ival = pid);
	if (!ev)
		return;
	expect_str(t, ev, "evt.arg.request", "PTRACE_ATTACH");
	expect_str(t, ev, "evt.res", "SUCCESS");
	json_decref(ev);
}

void test_bpf_cmd(struct tctx *t)
{
	union bpf_attr attr;
	json_t *ev;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = 1;
	fd = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	if (fd < 0) {
		tfail(t, "bpf(BPF_MAP_CREATE): %s", strerror(errno));
		return;
	}
	ev = WAIT_EV(t, .type = "bpf", .pid = getpid(), .ikey = "evt.rawres", .ival = fd);
	if (ev) {
		expect_str(t, ev, "evt.arg.cmd", "BPF_MAP_CREATE");
		expect_str(t, ev, "evt.res", "SUCCESS");
	}
	json_decref(ev);
	close(fd);
}
