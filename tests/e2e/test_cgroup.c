/* test_cgroup.c - cgroup and container attribution: a child moved into a fresh
 * cgroup v2 group shaped like docker's (<mnt>/vigil-e2e-<pid>/docker/<64 hex>)
 * execs /bin/true; its event must carry that group's id (the directory's
 * inode), the short container id and the runtime. The groups are removed
 * afterwards whatever happened.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "tests.h"

static int child_wait_exec(void *p)
{
	static const char *const argv[] = {"true", NULL};
	int fd = *(int *)p;
	char c;

	if (read(fd, &c, 1) != 1)
		return 3;
	execv("/bin/true", (char *const *)argv);
	return 127;
}

/* 64 lowercase hex digits, different per run. */
static void make_id(char *out)
{
	unsigned long long x = (unsigned long long)getpid() * 0x9e3779b97f4a7c15ULL ^
			       (unsigned long long)now_realtime_ns();

	for (int i = 0; i < 4; i++) {
		x ^= x >> 30;
		x *= 0xbf58476d1ce4e5b9ULL;
		x ^= x >> 27;
		x *= 0x94d049bb133111ebULL;
		x ^= x >> 31;
		snprintf(out + i * 16, 17, "%016llx", x);
	}
}

/* rmdir, retrying while the kernel still sees the group as busy. */
static void rmdir_retry(const char *path)
{
	int64_t end = mono_ms() + 2000;

	while (rmdir(path) < 0 && errno == EBUSY && mono_ms() < end)
		sched_yield();
}

void test_cgroup_container(struct tctx *t)
{
	char mnt[1024], top[1200], docker[1300], leaf[1400], procs[1500], id[65], buf[32];
	int go[2] = {-1, -1};
	struct stat st;
	json_t *ev;
	pid_t pid = -1, child;

	if (!cgroup2_mount(mnt, sizeof(mnt))) {
		tskip(t, "no cgroup2 mount in /proc/self/mountinfo");
		return;
	}
	make_id(id);
	snprintf(top, sizeof(top), "%s/vigil-e2e-%d", mnt, getpid());
	snprintf(docker, sizeof(docker), "%s/docker", top);
	snprintf(leaf, sizeof(leaf), "%s/%s", docker, id);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", leaf);
	if (mkdir(top, 0755) < 0 || mkdir(docker, 0755) < 0 || mkdir(leaf, 0755) < 0) {
		tfail(t, "mkdir under %s: %s", mnt, strerror(errno));
		goto out;
	}
	if (stat(leaf, &st) < 0 || pipe2(go, O_CLOEXEC) < 0) {
		tfail(t, "stat/pipe: %s", strerror(errno));
		goto out;
	}
	pid = spawn(t, child_wait_exec, &go[0]);
	if (pid < 0)
		goto out;
	snprintf(buf, sizeof(buf), "%d", pid);
	if (write_file(procs, buf) < 0) {
		tfail(t, "writing %s to %s: %s", buf, procs, strerror(errno));
		goto out;
	}
	if (write(go[1], "x", 1) != 1 || reap(pid, EVENT_TIMEOUT_MS) != 0)
		tfail(t, "the child in the cgroup failed");
	child = pid;
	pid = -1;
	ev = WAIT_EV(t, .type = "execve", .pid = child, .res = "SUCCESS");
	if (!ev)
		goto out;
	id[12] = '\0';
	expect_int(t, ev, "cgroup.id", (long long)st.st_ino);
	expect_str(t, ev, "container.id", id);
	expect_str(t, ev, "container.runtime", "docker");
	expect_str(t, ev, "proc.name", "true");
	json_decref(ev);
out:
	if (pid > 0)
		kill_reap(pid);
	if (go[0] >= 0)
		close(go[0]), close(go[1]);
	rmdir_retry(leaf);
	rmdir_retry(docker);
	rmdir_retry(top);
}
