/* test_cred.c - credential change events: setuid (success and EPERM),
 * setresuid, setgid. A root child changes its ids with raw syscalls; the event
 * carries the requested ids, the ids before the call (evt.arg.old_*) and, in
 * the header, the ids after it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "tests.h"

static int child_setuid(void *p)
{
	(void)p;
	return syscall(SYS_setuid, 65534) < 0 ? 1 : 0;
}

static int child_setuid_eperm(void *p)
{
	(void)p;
	if (syscall(SYS_setresuid, 65534, 65534, 65534) < 0)
		return 2;
	return syscall(SYS_setuid, 0) == 0 || errno != EPERM ? 1 : 0;
}

static int child_setresuid(void *p)
{
	(void)p;
	return syscall(SYS_setresuid, 1001, 1002, 1003) < 0 ? 1 : 0;
}

static int child_setgid(void *p)
{
	(void)p;
	return syscall(SYS_setgid, 4321) < 0 ? 1 : 0;
}

/* Runs fn in a child and requires exit status 0. */
static pid_t run_child(struct tctx *t, int (*fn)(void *))
{
	pid_t pid = spawn(t, fn, NULL);
	int st;

	if (pid < 0)
		return -1;
	st = reap(pid, EVENT_TIMEOUT_MS);
	if (st != 0)
		tfail(t, "child failed (status 0x%x)", st);
	return pid;
}

void test_setuid(struct tctx *t)
{
	pid_t pid = run_child(t, child_setuid);
	json_t *ev;

	if (pid < 0 || !(ev = WAIT_EV(t, .type = "setuid", .pid = pid)))
		return;
	expect_int(t, ev, "evt.arg.uid", 65534);
	expect_int(t, ev, "evt.arg.old_uid", 0);
	expect_int(t, ev, "evt.arg.old_euid", 0);
	expect_int(t, ev, "user.uid", 65534);
	expect_int(t, ev, "user.euid", 65534);
	expect_str(t, ev, "evt.res", "SUCCESS");
	expect_int(t, ev, "evt.rawres", 0);
	json_decref(ev);
}

void test_setuid_eperm(struct tctx *t)
{
	pid_t pid = run_child(t, child_setuid_eperm);
	json_t *ev;

	if (pid < 0)
		return;
	ev = WAIT_EV(t, .type = "setresuid", .pid = pid);
	if (ev) {
		expect_int(t, ev, "evt.arg.ruid", 65534);
		expect_int(t, ev, "evt.arg.euid", 65534);
		expect_int(t, ev, "evt.arg.suid", 65534);
	}
	json_decref(ev);
	ev = WAIT_EV(t, .type = "setuid", .pid = pid);
	if (!ev)
		return;
	expect_str(t, ev, "evt.res", "EPERM");
	expect_int(t, ev, "evt.rawres", -EPERM);
	expect_int(t, ev, "evt.arg.uid", 0);
	expect_int(t, ev, "evt.arg.old_uid", 65534);
	expect_int(t, ev, "user.uid", 65534);
	expect_int(t, ev, "user.euid", 65534);
	json_decref(ev);
}

void test_setresuid(struct tctx *t)
{
	pid_t pid = run_child(t, child_setresuid);
	json_t *ev;

	if (pid < 0 || !(ev = WAIT_EV(t, .type = "setresuid", .pid = pid)))
		return;
	expect_int(t, ev, "evt.arg.ruid", 1001);
	expect_int(t, ev, "evt.arg.euid", 1002);
	expect_int(t, ev, "evt.arg.suid", 1003);
	expect_int(t, ev, "evt.arg.old_uid", 0);
	expect_int(t, ev, "evt.arg.old_euid", 0);
	expect_int(t, ev, "user.uid", 1001);
	expect_int(t, ev, "user.euid", 1002);
	expect_str(t, ev, "evt.res", "SUCCESS");
	json_decref(ev);
}

void test_setgid(struct tctx *t)
{
	pid_t pid = run_child(t, child_setgid);
	json_t *ev;

	if (pid < 0 || !(ev = WAIT_EV(t, .type = "setgid", .pid = pid)))
		return;
	expect_int(t, ev, "evt.arg.gid", 4321);
	expect_int(t, ev, "evt.arg.old_gid", 0);
	expect_int(t, ev, "evt.arg.old_egid", 0);
	expect_int(t, ev, "group.gid", 4321);
	expect_int(t, ev, "group.egid", 4321);
	expect_int(t, ev, "user.uid", 0);
	expect_str(t, ev, "evt.res", "SUCCESS");
	json_decref(ev);
}
