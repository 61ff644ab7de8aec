/* test_file.c - file events: the open family (kernel-resolved fd.name through
 * dirfds, "..", symlinks and /proc/self/fd, flags and mode strings, failures)
 * and path operations (unlink, rename, mkdir, chmod, chown, symlink, link,
 * truncate) with their lexically resolved absolute paths and arguments.
 *
 * Each test works in its own t->tmpdir (already realpath'd). Syscalls are
 * made with syscall(2) where libc could pick a different one (rename vs
 * renameat2...), so evt.type is known. cwd-relative calls run in a child that
 * chdir()s, so the test process keeps its cwd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "tests.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

/* Creates an empty file; fails the test on error. */
static bool touch(struct tctx *t, const char *dir, const char *name)
{
	char p[1024];
	int fd = open(pjoin(p, sizeof(p), dir, name), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);

	if (fd < 0) {
		tfail(t, "create %s: %s", p, strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

static bool mkdir_in(struct tctx *t, const char *dir, const char *name)
{
	char p[1024];

	if (mkdir(pjoin(p, sizeof(p), dir, name), 0755) < 0 && errno != EEXIST) {
		tfail(t, "mkdir %s: %s", p, strerror(errno));
		return false;
	}
	return true;
}

static int open_dir(struct tctx *t)
{
	int fd = open(t->tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		tfail(t, "open %s: %s", t->tmpdir, strerror(errno));
	return fd;
}

/* Waits for an event of the test process with the given type and fd.nameraw. */
static json_t *wait_raw(struct tctx *t, const char *type, const char *raw)
{
	return WAIT_EV(t, .type = type, .pid = getpid(), .skey = "fd.nameraw", .sval = raw);
}

/* A child that chdir()s somewhere and makes one path syscall. */
struct cwd_op {
	const char *cwd;
	long nr;
	const char *a;
	const char *b;
};

static int child_cwd_op(void *p)
{
	const struct cwd_op *op = p;

	if (chdir(op->cwd) < 0)
		return 100;
	return syscall(op->nr, op->a, op->b) < 0 ? 1 : 0;
}

void test_openat_dirfd_create(struct tctx *t)
{
	char want[1024];
	json_t *ev;
	int dfd, fd;

	if (!mkdir_in(t, t->tmpdir, "sub") || (dfd = open_dir(t)) < 0)
		return;
	fd = openat(dfd, "sub/../f.txt", O_CREAT | O_WRONLY, 0640);
	if (fd < 0) {
		tfail(t, "openat: %s", strerror(errno));
		close(dfd);
		return;
	}
	real(pjoin(want, sizeof(want), t->tmpdir, "f.txt"), want, sizeof(want));
	ev = wait_raw(t, "openat", "sub/../f.txt");
	if (ev) {
		expect_str(t, ev, "fd.name", want);
		expect_int(t, ev, "fd.num", fd);
		expect_int(t, ev, "evt.rawres", fd);
		expect_str(t, ev, "evt.res", "SUCCESS");
		expect_flags(t, ev, "evt.arg.flags", "O_WRONLY|O_CREAT", true);
		expect_str(t, ev, "evt.arg.mode", "0640");
		expect_int(t, ev, "evt.arg.dirfd", dfd);
		expect_int(t, ev, "proc.tid", gettid());
	}
	json_decref(ev);
	close(fd);
	close(dfd);
}

void test_open_symlink(struct tctx *t)
{
	char link[1024], target[1024], dirlink[1024], dlink[1024], inner[1024];
	json_t *ev;
	int fd, fd2;

	pjoin(link, sizeof(link), t->tmpdir, "link");
	pjoin(target, sizeof(target), t->tmpdir, "target.txt");
	pjoin(dirlink, sizeof(dirlink), t->tmpdir, "dirlink");
	pjoin(dlink, sizeof(dlink), t->tmpdir, "dirlink/inner.txt");
	pjoin(inner, sizeof(inner), t->tmpdir, "realdir/inner.txt");
	if (!touch(t, t->tmpdir, "target.txt") || !mkdir_in(t, t->tmpdir, "realdir") ||
	    !touch(t, t->tmpdir, "realdir/inner.txt"))
		return;
	if (symlink("target.txt", link) < 0 || symlink("realdir", dirlink) < 0) {
		tfail(t, "symlink: %s", strerror(errno));
		return;
	}
	fd = open(link, O_RDONLY);
	fd2 = open(dlink, O_RDONLY);
	if (fd < 0 || fd2 < 0) {
		tfail(t, "open: %s", strerror(errno));
		goto out;
	}
	ev = wait_raw(t, "openat", link);
	if (ev) {
		expect_str(t, ev, "fd.name", target);
		expect_int(t, ev, "fd.num", fd);
		expect_flags(t, ev, "evt.arg.flags", "O_RDONLY", true);
		expect_int(t, ev, "evt.arg.dirfd", AT_FDCWD);
	}
	json_decref(ev);
	ev = wait_raw(t, "openat", dlink);
	if (ev)
		expect_str(t, ev, "fd.name", inner);
	json_decref(ev);
out:
	if (fd >= 0)
		close(fd);
	if (fd2 >= 0)
		close(fd2);
}

void test_open_proc_fd(struct tctx *t)
{
	char target[1024], via[64];
	json_t *ev;
	int fd, fd2;

	if (!touch(t, t->tmpdir, "t.txt"))
		return;
	pjoin(target, sizeof(target), t->tmpdir, "t.txt");
	fd = open(target, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		tfail(t, "open: %s", strerror(errno));
		return;
	}
	snprintf(via, sizeof(via), "/proc/self/fd/%d", fd);
	fd2 = open(via, O_RDONLY);
	if (fd2 < 0) {
		tfail(t, "open %s: %s", via, strerror(errno));
		close(fd);
		return;
	}
	ev = wait_raw(t, "openat", via);
	if (ev) {
		expect_str(t, ev, "fd.name", target);
		expect_int(t, ev, "fd.num", fd2);
	}
	json_decref(ev);
	close(fd2);
	close(fd);
}

void test_open_enoent(struct tctx *t)
{
	char want[1024];
	json_t *ev;
	int dfd = open_dir(t);

	if (dfd < 0)
		return;
	if (openat(dfd, "nope/../missing.txt", O_RDONLY) >= 0 || errno != ENOENT)
		tfail(t, "openat of a missing file did not fail with ENOENT");
	pjoin(want, sizeof(want), t->tmpdir, "missing.txt");
	ev = wait_raw(t, "openat", "nope/../missing.txt");
	if (ev) {
		expect_str(t, ev, "evt.res", "ENOENT");
		expect_int(t, ev, "evt.rawres", -ENOENT);
		expect_str(t, ev, "fd.name", want);
		expect_int(t, ev, "evt.arg.dirfd", dfd);
	}
	json_decref(ev);
	close(dfd);
}

void test_open_creat(struct tctx *t)
{
	char c[1024], o[1024];
	json_t *ev;
	int cfd, ofd;

	pjoin(c, sizeof(c), t->tmpdir, "c.txt");
	pjoin(o, sizeof(o), t->tmpdir, "o.txt");
	cfd = syscall(SYS_creat, c, 0600);
	ofd = syscall(SYS_open, o, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (cfd < 0 || ofd < 0) {
		tfail(t, "creat/open: %s", strerror(errno));
		goto out;
	}
	ev = wait_raw(t, "creat", c);
	if (ev) {
		expect_str(t, ev, "fd.name", c);
		expect_int(t, ev, "fd.num", cfd);
		expect_str(t, ev, "evt.arg.mode", "0600");
	}
	json_decref(ev);
	ev = wait_raw(t, "open", o);
	if (ev) {
		expect_str(t, ev, "fd.name", o);
		expect_int(t, ev, "fd.num", ofd);
		expect_flags(t, ev, "evt.arg.flags", "O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC", true);
		expect_str(t, ev, "evt.arg.mode", "0644");
	}
	json_decref(ev);
out:
	if (cfd >= 0)
		close(cfd);
	if (ofd >= 0)
		close(ofd);
}

void test_openat2(struct tctx *t)
{
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_BENEATH};
	char want[1024];
	json_t *ev;
	int dfd, fd;

	if (!mkdir_in(t, t->tmpdir, "sub") || !touch(t, t->tmpdir, "o2.txt") ||
	    (dfd = open_dir(t)) < 0)
		return;
	fd = syscall(SYS_openat2, dfd, "sub/../o2.txt", &how, sizeof(how));
	if (fd < 0) {
		if (errno == ENOSYS)
			tskip(t, "openat2: ENOSYS");
		else
			tfail(t, "openat2: %s", strerror(errno));
		close(dfd);
		return;
	}
	pjoin(want, sizeof(want), t->tmpdir, "o2.txt");
	ev = wait_raw(t, "openat2", "sub/../o2.txt");
	if (ev) {
		expect_str(t, ev, "fd.name", want);
		expect_int(t, ev, "fd.num", fd);
		expect_flags(t, ev, "evt.arg.flags", "O_RDONLY|O_CLOEXEC", true);
		expect_int(t, ev, "evt.arg.dirfd", dfd);
	}
	json_decref(ev);
	close(fd);
	close(dfd);
}

void test_unlinkat(struct tctx *t)
{
	char f[1024], d[1024];
	json_t *ev;
	int dfd;

	if (!touch(t, t->tmpdir, "u.txt") || !mkdir_in(t, t->tmpdir, "ud") ||
	    (dfd = open_dir(t)) < 0)
		return;
	if (unlinkat(dfd, "u.txt", 0) < 0 || unlinkat(dfd, "ud", AT_REMOVEDIR) < 0)
		tfail(t, "unlinkat: %s", strerror(errno));
	ev = wait_raw(t, "unlinkat", "u.txt");
	if (ev) {
		expect_str(t, ev, "fd.name", pjoin(f, sizeof(f), t->tmpdir, "u.txt"));
		expect_int(t, ev, "evt.arg.dirfd", dfd);
		expect_str(t, ev, "evt.res", "SUCCESS");
	}
	json_decref(ev);
	ev = wait_raw(t, "unlinkat", "ud");
	if (ev)
		expect_str(t, ev, "fd.name", pjoin(d, sizeof(d), t->tmpdir, "ud"));
	json_decref(ev);
	close(dfd);
}

void test_unlink_cwd(struct tctx *t)
{
	struct cwd_op op = {.cwd = t->tmpdir, .nr = SYS_unlink, .a = "sub/../u2.txt"};
	char want[1024];
	json_t *ev;
	pid_t pid;

	if (!mkdir_in(t, t->tmpdir, "sub") || !touch(t, t->tmpdir, "u2.txt"))
		return;
	pid = spawn(t, child_cwd_op, &op);
	if (pid < 0)
		return;
	if (reap(pid, EVENT_TIMEOUT_MS) != 0)
		tfail(t, "unlink in the child failed");
	ev = WAIT_EV(t, .type = "unlink", .pid = pid);
	if (ev) {
		expect_str(t, ev, "fd.name", pjoin(want, sizeof(want), t->tmpdir, "u2.txt"));
		expect_str(t, ev, "fd.nameraw", "sub/../u2.txt");
		expect_str(t, ev, "evt.res", "SUCCESS");
	}
	json_decref(ev);
}

void test_renameat(struct tctx *t)
{
	char a[1024], b[1024], c[1024];
	json_t *ev;
	int dfd;

	if (!touch(t, t->tmpdir, "a.txt") || !mkdir_in(t, t->tmpdir, "sub") ||
	    (dfd = open_dir(t)) < 0)
		return;
	pjoin(a, sizeof(a), t->tmpdir, "a.txt");
	pjoin(b, sizeof(b), t->tmpdir, "sub/b.txt");
	pjoin(c, sizeof(c), t->tmpdir, "c.txt");
	if (syscall(SYS_renameat, dfd, "a.txt", dfd, "sub/b.txt") < 0 ||
	    syscall(SYS_renameat2, dfd, "sub/b.txt", AT_FDCWD, c, RENAME_NOREPLACE) < 0)
		tfail(t, "renameat: %s", strerror(errno));
	ev = wait_raw(t, "renameat", "a.txt");
	if (ev) {
		expect_str(t, ev, "fd.name", a);
		expect_str(t, ev, "evt.arg.newpath", b);
		expect_str(t, ev, "evt.arg.newpathraw", "sub/b.txt");
		expect_str(t, ev, "evt.res", "SUCCESS");
	}
	json_decref(ev);
	ev = wait_raw(t, "renameat2", "sub/b.txt");
	if (ev) {
		expect_str(t, ev, "fd.name", b);
		expect_str(t, ev, "evt.arg.newpath", c);
		expect_str(t, ev, "evt.arg.newpathraw", c);
	}
	json_decref(ev);
	close(dfd);
}

void test_rename_cwd(struct tctx *t)
{
	char sub[1024], want[1024];
	struct cwd_op op = {.cwd = sub, .nr = SYS_rename, .a = "../r1.txt", .b = "r2.txt"};
	json_t *ev;
	pid_t pid;

	if (!mkdir_in(t, t->tmpdir, "sub") || !touch(t, t->tmpdir, "r1.txt"))
		return;
	pjoin(sub, sizeof(sub), t->tmpdir, "sub");
	pid = spawn(t, child_cwd_op, &op);
	if (pid < 0)
		return;
	if (reap(pid, EVENT_TIMEOUT_MS) != 0)
		tfail(t, "rename in the child failed");
	ev = WAIT_EV(t, .type = "rename", .pid = pid);
	if (ev) {
		expect_str(t, ev, "fd.name", pjoin(want, sizeof(want), t->tmpdir, "r1.txt"));
		expect_str(t, ev, "fd.nameraw", "../r1.txt");
		expect_str(t, ev, "evt.arg.newpath", pjoin(want, sizeof(want), sub, "r2.txt"));
		expect_str(t, ev, "evt.arg.newpathraw", "r2.txt");
	}
	json_decref(ev);
}

void test_mkdir(struct tctx *t)
{
	char d1[1024], d2[1024];
	json_t *ev;
	int dfd = open_dir(t);

	if (dfd < 0)
		return;
	pjoin(d1, sizeof(d1), t->tmpdir, "d1");
	pjoin(d2, sizeof(d2), t->tmpdir, "d1/d2");
	if (syscall(SYS_mkdir, d1, 0750) < 0 || mkdirat(dfd, "d1/d2", 0700) < 0)
		tfail(t, "mkdir: %s", strerror(errno));
	if (syscall(SYS_mkdir, d1, 0755) == 0 || errno != EEXIST)
		tfail(t, "second mkdir did not fail with EEXIST");
	ev = WAIT_EV(t, .type = "mkdir", .pid = getpid(), .skey = "evt.arg.mode", .sval = "0750");
	if (ev) {
		expect_str(t, ev, "fd.name", d1);
		expect_str(t, ev, "fd.nameraw", d1);
		expect_str(t, ev, "evt.res", "SUCCESS");
	}
	json_decref(ev);
	ev = WAIT_EV(t, .type = "mkdir", .pid = getpid(), .res = "EEXIST");
	if (ev) {
		expect_str(t, ev, "fd.name", d1);
		expect_str(t, ev, "evt.arg.mode", "0755");
		expect_int(t, ev, "evt.rawres", -EEXIST);
	}
	json_decref(ev);
	ev = wait_raw(t, "mkdirat", "d1/d2");
	if (ev) {
		expect_str(t, ev, "fd.name", d2);
		expect_str(t, ev, "evt.arg.mode", "0700");
		expect_int(t, ev, "evt.arg.dirfd", dfd);
	}
	json_decref(ev);
	close(dfd);
}

void test_chmod(struct tctx *t)
{
	char f[1024];
	json_t *ev;
	int fd;

	if (!touch(t, t->tmpdir, "f"))
		return;
	pjoin(f, sizeof(f), t->tmpdir, "f");
	fd = open(f, O_RDONLY | O_CLOEXEC);
	if (syscall(SYS_chmod, f, 0604) < 0 || fd < 0 || fchmod(fd, 0640) < 0)
		tfail(t, "chmod: %s", strerror(errno));
	ev = wait_raw(t, "chmod", f);
	if (ev) {
		expect_str(t, ev, "fd.name", f);
		expect_str(t, ev, "evt.arg.mode", "0604");
		expect_str(t, ev, "evt.res", "SUCCESS");
	}
	json_decref(ev);
	ev = WAIT_EV(t, .type = "fchmod", .pid = getpid());
	if (ev) {
		expect_str(t, ev, "evt.arg.mode", "0640");
		expect_str(t, ev, "evt.res", "SUCCESS");
	}
	json_decref(ev);
	if (fd >= 0)
		close(fd);
}

void test_fchmodat(struct tctx *t)
{
	char f[1024];
	json_t *ev;
	int dfd;

	if (!touch(t, t->tmpdir, "f") || !mkdir_in(t, t->tmpdir, "sub") || (dfd = open_dir(t)) < 0)
		return;
	if (syscall(SYS_fchmodat, dfd, "sub/../f", 02755) < 0)
		tfail(t, "fchmodat: %s", strerror(errno));
	ev = wait_raw(t, "fchmodat", "sub/../f");
	if (ev) {
		expect_str(t, ev, "fd.name", pjoin(f, sizeof(f), t->tmpdir, "f"));
		expect_str(t, ev, "evt.arg.mode", "02755");
		expect_int(t, ev, "evt.arg.dirfd", dfd);
	}
	json_decref(ev);
	close(dfd);
}

void test_chown(struct tctx *t)
{
	char f[1024], l[1024];
	json_t *ev;
	int dfd, fd = -1;

	if (!touch(t, t->tmpdir, "f") || (dfd = open_dir(t)) < 0)
		return;
	pjoin(f, sizeof(f), t->tmpdir, "f");
	pjoin(l, sizeof(l), t->tmpdir, "l");
	if (symlink("f", l) < 0 || syscall(SYS_chown, f, 1234, 5678) < 0 ||
	    fchownat(dfd, "f", 4321, 8765, 0) < 0 || syscall(SYS_lchown, l, 11, 12) < 0 ||
	    (fd = open(f, O_RDONLY | O_CLOEXEC)) < 0 || fchown(fd, 21, 22) < 0)
		tfail(t, "chown: %s", strerror(errno));
	ev = wait_raw(t, "chown", f);
	if (ev) {
		expect_str(t, ev, "fd.name", f);
		expect_int(t, ev, "evt.arg.uid", 1234);
		expect_int(t, ev, "evt.arg.gid", 5678);
	}
	json_decref(ev);
	ev = wait_raw(t, "fchownat", "f");
	if (ev) {
		expect_str(t, ev, "fd.name", f);
		expect_int(t, ev, "evt.arg.uid", 4321);
		expect_int(t, ev, "evt.arg.gid", 8765);
		expect_int(t, ev, "evt.arg.dirfd", dfd);
	}
	json_decref(ev);
	ev = wait_raw(t, "lchown", l);
	if (ev) {
		expect_str(t, ev, "fd.name", l);
		expect_int(t, ev, "evt.arg.uid", 11);
		expect_int(t, ev, "evt.arg.gid", 12);
	}
	json_decref(ev);
	ev = WAIT_EV(t, .type = "fchown", .pid = getpid());
	if (ev) {
		expect_int(t, ev, "evt.arg.uid", 21);
		expect_int(t, ev, "evt.arg.gid", 22);
	}
	json_decref(ev);
	if (fd >= 0)
		close(fd);
	close(dfd);
}

void test_symlink(struct tctx *t)
{
	char sl[1024], sl2[1024];
	json_t *ev;
	int dfd;

	if (!mkdir_in(t, t->tmpdir, "sub") || (dfd = open_dir(t)) < 0)
		return;
	pjoin(sl, sizeof(sl), t->tmpdir, "sl");
	pjoin(sl2, sizeof(sl2), t->tmpdir, "sub/sl2");
	if (syscall(SYS_symlink, "some/target", sl) < 0 || symlinkat("../x", dfd, "sub/sl2") < 0)
		tfail(t, "symlink: %s", strerror(errno));
	ev = WAIT_EV(t, .type = "symlink", .pid = getpid(), .skey = "evt.arg.target",
		     .sval = "some/target");
	if (ev) {
		expect_str(t, ev, "fd.name", sl);
		expect_str(t, ev, "evt.res", "SUCCESS");
	}
	json_decref(ev);
	ev = WAIT_EV(t, .type = "symlinkat", .pid = getpid(), .skey = "evt.arg.target",
		     .sval = "../x");
	if (ev)
		expect_str(t, ev, "fd.name", sl2);
	json_decref(ev);
	close(dfd);
}

void test_link(struct tctx *t)
{
	char f[1024], hl[1024], hl2[1024];
	json_t *ev;
	int dfd;

	if (!touch(t, t->tmpdir, "f") || !mkdir_in(t, t->tmpdir, "sub") || (dfd = open_dir(t)) < 0)
		return;
	pjoin(f, sizeof(f), t->tmpdir, "f");
	pjoin(hl, sizeof(hl), t->tmpdir, "hl");
	pjoin(hl2, sizeof(hl2), t->tmpdir, "sub/hl2");
	if (syscall(SYS_link, f, hl) < 0 || linkat(dfd, "f", dfd, "sub/hl2", 0) < 0)
		tfail(t, "link: %s", strerror(errno));
	ev = wait_raw(t, "link", f);
	if (ev) {
		expect_str(t, ev, "fd.name", f);
		expect_str(t, ev, "evt.arg.newpath", hl);
		expect_str(t, ev, "evt.arg.newpathraw", hl);
		expect_str(t, ev, "evt.res", "SUCCESS");
	}
	json_decref(ev);
	ev = wait_raw(t, "linkat", "f");
	if (ev) {
		expect_str(t, ev, "fd.name", f);
		expect_str(t, ev, "evt.arg.newpath", hl2);
		expect_str(t, ev, "evt.arg.newpathraw", "sub/hl2");
	}
	json_decref(ev);
	close(dfd);
}

void test_truncate(struct tctx *t)
{
	char f[1024];
	json_t *ev;
	int fd;

	if (!touch(t, t->tmpdir, "f"))
		return;
	pjoin(f, sizeof(f), t->tmpdir, "f");
	fd = open(f, O_WRONLY | O_CLOEXEC);
	if (syscall(SYS_truncate, f, 12345) < 0 || fd < 0 || ftruncate(fd, 77) < 0)
		tfail(t, "truncate: %s", strerror(errno));
	ev = wait_raw(t, "truncate", f);
	if (ev) {
		expect_str(t, ev, "fd.name", f);
		expect_int(t, ev, "evt.arg.length", 12345);
		expect_str(t, ev, "evt.res", "SUCCESS");
	}
	json_decref(ev);
	ev = WAIT_EV(t, .type = "ftruncate", .pid = getpid());
	if (ev)
		expect_int(t, ev, "evt.arg.length", 77);
	json_decref(ev);
	if (fd >= 0)
		close(fd);
}
