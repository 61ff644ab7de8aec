/* test_proctable.c - unit tests for the process table (src/proctable.c):
 * hash insert/lookup/delete, capacity limits, fork/exec semantics, argv
 * formatting, and seeding from the real /proc and from a fake procfs tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "proctable.h"

static struct vigil_proc *add(struct vigil_proctable *t, uint32_t pid)
{
	return vigil_proctable_exec(t, pid, 1, "/bin/x", "x\0", 2, "/", "x", pid * 7, pid * 11, 0,
				    0);
}

static size_t count_of(struct vigil_proctable *t)
{
	struct vigil_proctable_stats st;

	vigil_proctable_stats(t, &st);
	return st.count;
}

static uint64_t refused_of(struct vigil_proctable *t)
{
	struct vigil_proctable_stats st;

	vigil_proctable_stats(t, &st);
	return st.refused;
}

static void test_new_invalid(void **state)
{
	struct vigil_proctable *t;
	struct vigil_proctable_stats st;

	(void)state;
	errno = 0;
	assert_null(vigil_proctable_new(0));
	assert_int_equal(errno, EINVAL);
	t = vigil_proctable_new(1);
	assert_non_null(t);
	vigil_proctable_stats(t, &st);
	assert_int_equal(st.count, 0);
	assert_int_equal(st.capacity, 1);
	assert_int_equal(st.refused, 0);
	assert_null(vigil_proctable_get(t, 1));
	vigil_proctable_remove(t, 1); /* absent: no-op */
	vigil_proctable_free(t);
	vigil_proctable_free(NULL);
}

static void test_insert_get_remove_many(void **state)
{
	const uint32_t n = 5000;
	struct vigil_proctable *t = vigil_proctable_new(n);
	uint32_t pid;

	(void)state;
	assert_non_null(t);
	for (pid = 1; pid <= n; pid++)
		assert_non_null(add(t, pid * 3));
	assert_int_equal(count_of(t), n);
	for (pid = 1; pid <= n; pid++) {
		struct vigil_proc *p = vigil_proctable_get(t, pid * 3);

		assert_non_null(p);
		assert_int_equal(p->pid, pid * 3);
		assert_int_equal(p->uid, pid * 21);
		assert_null(vigil_proctable_get(t, pid * 3 + 1));
	}
	for (pid = 1; pid <= n; pid += 2)
		vigil_proctable_remove(t, pid * 3);
	assert_int_equal(count_of(t), n / 2);
	for (pid = 1; pid <= n; pid++) {
		struct vigil_proc *p = vigil_proctable_get(t, pid * 3);

		if (pid % 2) {
			assert_null(p);
		} else {
			assert_non_null(p);
			assert_int_equal(p->pid, pid * 3);
			assert_int_equal(p->gid, pid * 33);
		}
	}
	/* Freed entries are reused: refill to capacity with new pids. */
	for (pid = 1; pid <= n; pid += 2)
		assert_non_null(add(t, 1000000 + pid));
	assert_int_equal(count_of(t), n);
	assert_int_equal(refused_of(t), 0);
	for (pid = 1; pid <= n; pid += 2)
		assert_int_equal(vigil_proctable_get(t, 1000000 + pid)->uid, (1000000 + pid) * 7);
	vigil_proctable_free(t);
}

/* White-box: mirrors pid_hash() in proctable.c so that the test below can
 * build a probe chain that wraps past the last slot. If the hash changes
 * the test still holds, it just stops aiming at the wrap. */
static size_t home_slot(uint32_t pid, size_t nslots)
{
	pid ^= pid >> 16;
	pid *= 0x85ebca6bu;
	pid ^= pid >> 13;
	pid *= 0xc2b2ae35u;
	pid ^= pid >> 16;
	return pid & (nslots - 1);
}

static void find_pids_homed_at(size_t home, size_t nslots, uint32_t *out, size_t n, uint32_t from)
{
	uint32_t pid = from;
	size_t i = 0;

	while (i < n) {
		if (home_slot(pid, nslots) == home)
			out[i++] = pid;
		pid++;
	}
}

static void check_present(struct vigil_proctable *t, const uint32_t *pids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct vigil_proc *p = vigil_proctable_get(t, pids[i]);

		assert_non_null(p);
		assert_int_equal(p->pid, pids[i]);
		assert_int_equal(p->uid, pids[i] * 7);
	}
}

static void test_wraparound_chain_delete(void **state)
{
	/* capacity 8 -> 16 slots */
	struct vigil_proctable *t = vigil_proctable_new(8);
	uint32_t last[3], first[2], rest[4];

	(void)state;
	assert_non_null(t);
	find_pids_homed_at(15, 16, last, 3, 1);
	find_pids_homed_at(0, 16, first, 2, 1);
	/* Chain: slots 15,0,1 (homed at 15), 2,3 (homed at 0). */
	assert_non_null(add(t, last[0]));
	assert_non_null(add(t, last[1]));
	assert_non_null(add(t, last[2]));
	assert_non_null(add(t, first[0]));
	assert_non_null(add(t, first[1]));
	assert_non_null(add(t, 99991));
	check_present(t, last, 3);
	check_present(t, first, 2);

	/* Delete at the head of the chain: everything shifts back across the
	 * wrap and must stay reachable. */
	vigil_proctable_remove(t, last[0]);
	assert_null(vigil_proctable_get(t, last[0]));
	check_present(t, last + 1, 2);
	check_present(t, first, 2);

	/* Delete in the middle, then re-add the first and delete the tail. */
	vigil_proctable_remove(t, first[0]);
	assert_null(vigil_proctable_get(t, first[0]));
	check_present(t, last + 1, 2);
	check_present(t, first + 1, 1);
	assert_non_null(add(t, last[0]));
	vigil_proctable_remove(t, first[1]);
	check_present(t, last, 3);
	assert_null(vigil_proctable_get(t, first[1]));
	assert_int_equal(count_of(t), 4);

	/* Fill to capacity, then empty it in a different order. */
	rest[0] = first[0];
	rest[1] = first[1];
	rest[2] = 70001;
	rest[3] = 70002;
	assert_non_null(add(t, rest[0]));
	assert_non_null(add(t, rest[1]));
	assert_non_null(add(t, rest[2]));
	assert_non_null(add(t, rest[3]));
	assert_int_equal(count_of(t), 8);
	vigil_proctable_remove(t, last[1]);
	check_present(t, rest, 4);
	check_present(t, first, 2);
	vigil_proctable_remove(t, 99991);
	vigil_proctable_remove(t, last[2]);
	vigil_proctable_remove(t, last[0]);
	check_present(t, rest, 4);
	assert_int_equal(count_of(t), 4);
	vigil_proctable_free(t);
}

static uint32_t xorshift(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* Random inserts/removes against a reference model on a small table, so
 * chains are long, wrap around and are deleted from in every position. */
static void test_random_against_model(void **state)
{
	enum { CAP = 16, KEYS = 96, OPS = 200000 };
	struct vigil_proctable *t = vigil_proctable_new(CAP);
	bool live[KEYS + 1] = {false};
	size_t nlive = 0, refused = 0;
	uint32_t seed = 0x12345678;
	int op;

	(void)state;
	assert_non_null(t);
	for (op = 0; op < OPS; op++) {
		uint32_t pid = 1 + xorshift(&seed) % KEYS;
		uint32_t k;

		if (xorshift(&seed) & 1) {
			struct vigil_proc *p = add(t, pid);

			if (live[pid] || nlive < CAP) {
				assert_non_null(p);
				nlive += !live[pid];
				live[pid] = true;
			} else {
				assert_null(p);
				refused++;
			}
		} else {
			vigil_proctable_remove(t, pid);
			nlive -= live[pid];
			live[pid] = false;
		}
		assert_int_equal(count_of(t), nlive);
		for (k = 1; k <= KEYS; k++) {
			struct vigil_proc *p = vigil_proctable_get(t, k);

			if (!live[k]) {
				assert_null(p);
				continue;
			}
			assert_non_null(p);
			assert_int_equal(p->pid, k);
			assert_int_equal(p->uid, k * 7);
		}
	}
	assert_int_equal(refused_of(t), refused);
	assert_true(refused > 0);
	vigil_proctable_free(t);
}

static void test_full_refused(void **state)
{
	struct vigil_proctable *t = vigil_proctable_new(4);
	uint32_t pid;

	(void)state;
	assert_non_null(t);
	for (pid = 10; pid < 14; pid++)
		assert_non_null(add(t, pid));
	assert_null(add(t, 14));
	assert_int_equal(refused_of(t), 1);
	assert_null(vigil_proctable_fork(t, 10, 15, 1));
	assert_int_equal(refused_of(t), 2);
	assert_null(vigil_proctable_get(t, 14));
	assert_null(vigil_proctable_get(t, 15));
	/* Updating a known process still works when full. */
	assert_non_null(vigil_proctable_exec(t, 12, 1, "/bin/y", "y", 1, NULL, NULL, 0, 0, 0, 5));
	assert_string_equal(vigil_proctable_get(t, 12)->exe, "/bin/y");
	assert_int_equal(refused_of(t), 2);
	assert_int_equal(count_of(t), 4);
	vigil_proctable_remove(t, 11);
	assert_non_null(add(t, 14));
	assert_int_equal(count_of(t), 4);
	assert_int_equal(refused_of(t), 2);
	vigil_proctable_free(t);
}

static const char sh_args[] = "/bin/sh\0-c\0echo hi";

static void test_fork_copies_parent(void **state)
{
	struct vigil_proctable *t = vigil_proctable_new(16);
	struct vigil_proc *parent, *child;

	(void)state;
	assert_non_null(t);
	parent = vigil_proctable_exec(t, 100, 1, "/usr/bin/dash", sh_args, sizeof(sh_args), "/tmp",
				      "sh", 1000, 1001, 4242, 111);
	assert_non_null(parent);
	child = vigil_proctable_fork(t, 100, 200, 222);
	assert_non_null(child);
	assert_ptr_not_equal(child, parent);
	parent = vigil_proctable_get(t, 100);
	assert_int_equal(child->pid, 200);
	assert_int_equal(child->ppid, 100);
	assert_int_equal(child->start_ns, 222);
	assert_int_equal(child->uid, 1000);
	assert_int_equal(child->gid, 1001);
	assert_int_equal(child->cgroup_id, 4242);
	assert_string_equal(child->exe, "/usr/bin/dash");
	assert_string_equal(child->cwd, "/tmp");
	assert_string_equal(child->comm, "sh");
	assert_int_equal(child->args_len, sizeof(sh_args));
	assert_memory_equal(child->args, sh_args, sizeof(sh_args));
	/* The parent is untouched. */
	assert_int_equal(parent->pid, 100);
	assert_int_equal(parent->ppid, 1);
	assert_int_equal(parent->start_ns, 111);

	/* Unknown parent: a bare entry. */
	child = vigil_proctable_fork(t, 300, 301, 333);
	assert_non_null(child);
	assert_int_equal(child->pid, 301);
	assert_int_equal(child->ppid, 300);
	assert_int_equal(child->start_ns, 333);
	assert_string_equal(child->exe, "");
	assert_int_equal(child->args_len, 0);
	assert_null(vigil_proctable_get(t, 300));

	/* A stale entry under a reused pid is wiped, not merged. */
	assert_non_null(vigil_proctable_exec(t, 400, 1, "/old", "old", 3, "/", "old", 5, 5, 9, 1));
	child = vigil_proctable_fork(t, 300, 400, 444);
	assert_non_null(child);
	assert_string_equal(child->exe, "");
	assert_int_equal(child->uid, 0);
	assert_int_equal(child->cgroup_id, 0);
	assert_int_equal(child->ppid, 300);
	assert_int_equal(count_of(t), 4);
	vigil_proctable_free(t);
}

static void test_exec_replaces(void **state)
{
	static const char args2[] = "ls\0-la\0";
	struct vigil_proctable *t = vigil_proctable_new(16);
	struct vigil_proc *p;

	(void)state;
	assert_non_null(t);
	assert_non_null(vigil_proctable_exec(t, 50, 1, "/usr/bin/dash", sh_args, sizeof(sh_args),
					     "/home", "sh", 1000, 1000, 7, 10));
	assert_non_null(vigil_proctable_fork(t, 50, 51, 20));
	p = vigil_proctable_exec(t, 51, 0, "/usr/bin/ls", args2, sizeof(args2), NULL, NULL, 0, 0, 8,
				 30);
	assert_non_null(p);
	assert_int_equal(p->pid, 51);
	assert_int_equal(p->ppid, 50); /* ppid 0 keeps the known parent */
	assert_string_equal(p->exe, "/usr/bin/ls");
	assert_string_equal(p->cwd, "/home"); /* cwd NULL keeps the known cwd */
	assert_string_equal(p->comm, "ls");   /* comm NULL: basename of exe */
	assert_int_equal(p->uid, 0);
	assert_int_equal(p->gid, 0);
	assert_int_equal(p->cgroup_id, 8);
	assert_int_equal(p->start_ns, 30);
	assert_int_equal(p->args_len, sizeof(args2));
	assert_memory_equal(p->args, args2, sizeof(args2));
	/* A process never seen before is created. */
	p = vigil_proctable_exec(t, 77, 76, "/bin/true", NULL, 0, "/x", "true", 1, 2, 3, 4);
	assert_non_null(p);
	assert_int_equal(p->ppid, 76);
	assert_string_equal(p->cwd, "/x");
	assert_int_equal(p->args_len, 0);
	assert_string_equal(p->args, "");
	assert_int_equal(count_of(t), 3);
	vigil_proctable_free(t);
}

static void test_exec_truncates(void **state)
{
	struct vigil_proctable *t = vigil_proctable_new(4);
	static char big[4096];
	struct vigil_proc *p;

	(void)state;
	assert_non_null(t);
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	p = vigil_proctable_exec(t, 9, 1, big, big, sizeof(big), big, big, 0, 0, 0, 0);
	assert_non_null(p);
	assert_int_equal(strlen(p->exe), VIGIL_PROC_EXE_MAX - 1);
	assert_int_equal(strlen(p->cwd), VIGIL_PROC_CWD_MAX - 1);
	assert_int_equal(strlen(p->comm), VIGIL_PROC_COMM_MAX - 1);
	assert_int_equal(p->args_len, VIGIL_PROC_ARGS_MAX - 1);
	assert_int_equal(p->args[VIGIL_PROC_ARGS_MAX - 1], '\0');
	assert_memory_equal(p->args, big, VIGIL_PROC_ARGS_MAX - 1);
	vigil_proctable_free(t);
}

static struct vigil_proc *proc_with_args(struct vigil_proc *p, const char *args, size_t len)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->args, args, len);
	p->args_len = (uint16_t)len;
	return p;
}

static void test_format_args(void **state)
{
	struct vigil_proc p;
	char out[64];
	size_t n;

	(void)state;
	proc_with_args(&p, sh_args, sizeof(sh_args)); /* trailing NUL */
	n = vigil_proc_format_args(&p, false, out, sizeof(out));
	assert_string_equal(out, "/bin/sh -c echo hi");
	assert_int_equal(n, strlen(out));
	n = vigil_proc_format_args(&p, true, out, sizeof(out));
	assert_string_equal(out, "-c echo hi");
	assert_int_equal(n, 10);

	proc_with_args(&p, sh_args, sizeof(sh_args) - 1); /* no trailing NUL */
	vigil_proc_format_args(&p, false, out, sizeof(out));
	assert_string_equal(out, "/bin/sh -c echo hi");

	/* Truncation: always NUL-terminated, length is what was written. */
	n = vigil_proc_format_args(&p, false, out, 10);
	assert_string_equal(out, "/bin/sh -");
	assert_int_equal(n, 9);
	n = vigil_proc_format_args(&p, false, out, 8);
	assert_string_equal(out, "/bin/sh");
	assert_int_equal(n, 7);
	n = vigil_proc_format_args(&p, false, out, 1);
	assert_string_equal(out, "");
	assert_int_equal(n, 0);
	out[0] = 'z';
	assert_int_equal(vigil_proc_format_args(&p, false, out, 0), 0);
	assert_int_equal(out[0], 'z');

	/* Only argv[0]; empty; empty arguments in the middle. */
	proc_with_args(&p, "top", 4);
	assert_int_equal(vigil_proc_format_args(&p, true, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(vigil_proc_format_args(&p, false, out, sizeof(out)), 3);
	assert_string_equal(out, "top");
	proc_with_args(&p, "", 0);
	assert_int_equal(vigil_proc_format_args(&p, false, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	proc_with_args(&p, "echo\0\0b\0", 8);
	vigil_proc_format_args(&p, false, out, sizeof(out));
	assert_string_equal(out, "echo  b");
	proc_with_args(&p, "\0x", 3);
	vigil_proc_format_args(&p, false, out, sizeof(out));
	assert_string_equal(out, " x");
	vigil_proc_format_args(&p, true, out, sizeof(out));
	assert_string_equal(out, "x");

	/* A full args buffer. */
	memset(p.args, 'q', sizeof(p.args));
	p.args_len = VIGIL_PROC_ARGS_MAX - 1;
	p.args[VIGIL_PROC_ARGS_MAX - 1] = '\0';
	{
		char big[VIGIL_PROC_ARGS_MAX + 8];

		n = vigil_proc_format_args(&p, false, big, sizeof(big));
		assert_int_equal(n, VIGIL_PROC_ARGS_MAX - 1);
		assert_int_equal(strlen(big), n);
	}
}

static ssize_t slurp(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static void test_seed_real_proc(void **state)
{
	struct vigil_proctable *t = vigil_proctable_new(1 << 16);
	char exe[VIGIL_PROC_EXE_MAX] = "", cwd[PATH_MAX], comm[64], cmdline[VIGIL_PROC_ARGS_MAX];
	struct vigil_proc *p;
	ssize_t n;
	int added;

	(void)state;
	assert_non_null(t);
	added = vigil_proctable_seed(t, "/proc");
	assert_true(added > 0);
	assert_int_equal(count_of(t), (size_t)added);

	p = vigil_proctable_get(t, (uint32_t)getpid());
	assert_non_null(p);
	assert_true(readlink("/proc/self/exe", exe, sizeof(exe) - 1) > 0);
	assert_string_equal(p->exe, exe);
	assert_int_equal(p->ppid, (uint32_t)getppid());
	assert_int_equal(p->uid, getuid());
	assert_int_equal(p->gid, getgid());
	assert_int_equal(p->cgroup_id, 0);
	assert_int_equal(p->start_ns, 0);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_string_equal(p->cwd, cwd);
	assert_true(slurp("/proc/self/comm", comm, sizeof(comm)) > 0);
	comm[strcspn(comm, "\n")] = '\0';
	assert_string_equal(p->comm, comm);
	n = slurp("/proc/self/cmdline", cmdline, sizeof(cmdline));
	assert_true(n > 0);
	assert_int_equal(p->args_len, n);
	assert_memory_equal(p->args, cmdline, (size_t)n);

	/* Our parent is there too, and so is init. */
	assert_non_null(vigil_proctable_get(t, (uint32_t)getppid()));
	assert_non_null(vigil_proctable_get(t, 1));

	/* kthreadd, when visible, is a kernel thread: no exe, no args. */
	if (slurp("/proc/2/comm", comm, sizeof(comm)) > 0 && !strcmp(comm, "kthreadd\n")) {
		p = vigil_proctable_get(t, 2);
		assert_non_null(p);
		assert_string_equal(p->exe, "");
		assert_int_equal(p->args_len, 0);
		assert_int_equal(p->ppid, 0);
		assert_string_equal(p->comm, "kthreadd");
	}

	/* Seeding again refreshes, it does not duplicate. */
	assert_true(vigil_proctable_seed(t, "/proc") > 0);
	assert_non_null(vigil_proctable_get(t, (uint32_t)getpid()));
	assert_int_equal(refused_of(t), 0);
	vigil_proctable_free(t);
}

/* ---- fake procfs ---- */

static void put_file(const char *dir, const char *name, const char *data, size_t len)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void put_str(const char *dir, const char *name, const char *s)
{
	put_file(dir, name, s, strlen(s));
}

static void put_link(const char *dir, const char *name, const char *target)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(symlink(target, path), 0);
}

static void make_pid_dir(char *out, size_t outsz, const char *root, const char *name)
{
	snprintf(out, outsz, "%s/%s", root, name);
	assert_int_equal(mkdir(out, 0755), 0);
}

static const char status_fmt[] = "Name:\tx\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t%s\n"
				 "Pid:\t%s\nPPid:\t1\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n"
				 "FDSize:\t64\nGroups:\t\n";

static void put_status(const char *dir, const char *pid, unsigned int uid, unsigned int gid)
{
	char buf[512];

	/* real id first, then effective/saved/fs ids that must be ignored */
	snprintf(buf, sizeof(buf), status_fmt, pid, pid, uid, uid + 1, uid + 2, uid + 3, gid,
		 gid + 1, gid + 2, gid + 3);
	put_str(dir, "status", buf);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void test_seed_fake_procfs(void **state)
{
	static const char cmd[] = "/usr/bin/evil\0--flag\0a b\0";
	char root[] = "/tmp/vigil-fakeproc-XXXXXX", dir[PATH_MAX], big[3000];
	struct vigil_proctable *t = vigil_proctable_new(64);
	struct vigil_proc *p;

	(void)state;
	assert_non_null(t);
	assert_non_null(mkdtemp(root));

	/* A process whose comm contains ") (" and a trailing ')'. */
	make_pid_dir(dir, sizeof(dir), root, "4242");
	put_str(dir, "stat", "4242 (a) (b) c)) S 77 4242 4242 0 -1 4194560 1 0 0 0\n");
	put_status(dir, "4242", 1000, 2000);
	put_link(dir, "exe", "/usr/bin/evil");
	put_link(dir, "cwd", "/home/evil");
	put_file(dir, "cmdline", cmd, sizeof(cmd));
	put_str(dir, "cgroup", "0::/docker/abc\n");

	/* A kernel thread: no exe, no cwd, empty cmdline. */
	make_pid_dir(dir, sizeof(dir), root, "2");
	put_str(dir, "stat", "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0\n");
	put_status(dir, "2", 0, 0);
	put_str(dir, "cmdline", "");

	/* Long comm and a cmdline longer than we keep. */
	make_pid_dir(dir, sizeof(dir), root, "31337");
	put_str(dir, "stat", "31337 (a-very-long-command-name) R 4242 1 1 0\n");
	put_status(dir, "31337", 0, 0);
	memset(big, 'z', sizeof(big));
	put_file(dir, "cmdline", big, sizeof(big));
	put_link(dir, "exe", "/bin/z (deleted)");

	/* Vanished processes: no stat at all, or stat but no status. */
	make_pid_dir(dir, sizeof(dir), root, "300");
	make_pid_dir(dir, sizeof(dir), root, "400");
	put_str(dir, "stat", "400 (gone) Z 1 0\n");
	/* Garbage stat. */
	make_pid_dir(dir, sizeof(dir), root, "500");
	put_str(dir, "stat", "500 no parens\n");
	put_status(dir, "500", 0, 0);
	/* Not processes. */
	make_pid_dir(dir, sizeof(dir), root, "sys");
	make_pid_dir(dir, sizeof(dir), root, "12ab");
	put_str(root, "600", "a file, not a directory");
	put_link(root, "self", "4242");

	assert_int_equal(vigil_proctable_seed(t, root), 3);
	assert_int_equal(count_of(t), 3);

	p = vigil_proctable_get(t, 4242);
	assert_non_null(p);
	assert_string_equal(p->comm, "a) (b) c)");
	assert_int_equal(p->ppid, 77);
	assert_int_equal(p->uid, 1000);
	assert_int_equal(p->gid, 2000);
	assert_string_equal(p->exe, "/usr/bin/evil");
	assert_string_equal(p->cwd, "/home/evil");
	assert_int_equal(p->args_len, sizeof(cmd));
	assert_memory_equal(p->args, cmd, sizeof(cmd));
	assert_int_equal(p->cgroup_id, 0);
	assert_int_equal(p->start_ns, 0);

	p = vigil_proctable_get(t, 2);
	assert_non_null(p);
	assert_string_equal(p->comm, "kthreadd");
	assert_int_equal(p->ppid, 0);
	assert_string_equal(p->exe, "");
	assert_string_equal(p->cwd, "");
	assert_int_equal(p->args_len, 0);

	p = vigil_proctable_get(t, 31337);
	assert_non_null(p);
	assert_string_equal(p->comm, "a-very-long-com");
	assert_int_equal(p->ppid, 4242);
	assert_string_equal(p->exe, "/bin/z (deleted)");
	assert_int_equal(p->args_len, VIGIL_PROC_ARGS_MAX - 1);
	assert_int_equal(p->args[VIGIL_PROC_ARGS_MAX - 1], '\0');

	assert_null(vigil_proctable_get(t, 300));
	assert_null(vigil_proctable_get(t, 400));
	assert_null(vigil_proctable_get(t, 500));
	assert_null(vigil_proctable_get(t, 600));
	vigil_proctable_free(t);

	/* A full table: what does not fit is refused, and counted. */
	t = vigil_proctable_new(2);
	assert_non_null(t);
	assert_int_equal(vigil_proctable_seed(t, root), 2);
	assert_int_equal(refused_of(t), 1);
	vigil_proctable_free(t);

	assert_int_equal(nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void test_seed_missing_root(void **state)
{
	struct vigil_proctable *t = vigil_proctable_new(4);

	(void)state;
	assert_non_null(t);
	assert_int_equal(vigil_proctable_seed(t, "/nonexistent/vigil-proc"), -ENOENT);
	assert_int_equal(count_of(t), 0);
	vigil_proctable_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_new_invalid),
	    cmocka_unit_test(test_insert_get_remove_many),
	    cmocka_unit_test(test_wraparound_chain_delete),
	    cmocka_unit_test(test_random_against_model),
	    cmocka_unit_test(test_full_refused),
	    cmocka_unit_test(test_fork_copies_parent),
	    cmocka_unit_test(test_exec_replaces),
	    cmocka_unit_test(test_exec_truncates),
	    cmocka_unit_test(test_format_args),
	    cmocka_unit_test(test_seed_real_proc),
	    cmocka_unit_test(test_seed_fake_procfs),
	    cmocka_unit_test(test_seed_missing_root),
	};

	return cmocka_run_group_tests_name("proctable", tests, NULL, NULL);
}
