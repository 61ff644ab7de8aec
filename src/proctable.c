/* proctable.c - the process table: a fixed pool of struct vigil_proc indexed
 * by thread-group id through an open-addressing hash (linear probing,
 * backward-shift deletion), seeded from procfs and kept current by events.
 *
 * Everything is allocated in vigil_proctable_new() with calloc, so pages of
 * the pool that are never used cost no RSS: entries are handed out from a
 * stack of released indexes first, then from the never-used tail of the pool.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proctable.h"

/* Slot indexes are stored as uint32_t (index + 1), and the hash has twice as
 * many slots as the pool: keep both comfortably inside 32 bits. */
#define PROCTABLE_CAPACITY_MAX (1u << 30)
/* /proc/PID/stat is one line well under this, even with 52 wide fields. */
#define STAT_BUF_SIZE	2048
#define STATUS_BUF_SIZE 4096

struct slot {
	uint32_t pid;
	uint32_t idx; /* pool index + 1; 0 marks an empty slot */
};

struct vigil_proctable {
	struct vigil_proc *pool;
	uint32_t *free_stack; /* pool indexes released by remove */
	size_t free_top;
	size_t fresh; /* pool[fresh..capacity) has never been handed out */
	struct slot *slots;
	size_t mask; /* number of slots - 1 */
	size_t capacity;
	size_t count;
	uint64_t refused;
};

/* murmur3 finalizer: pids are dense and sequential, spread them out. */
static size_t pid_hash(uint32_t pid)
{
	pid ^= pid >> 16;
	pid *= 0x85ebca6bu;
	pid ^= pid >> 13;
	pid *= 0xc2b2ae35u;
	pid ^= pid >> 16;
	return pid;
}

struct vigil_proctable *vigil_proctable_new(size_t capacity)
{
	struct vigil_proctable *t;
	size_t nslots = 2;

	if (!capacity || capacity > PROCTABLE_CAPACITY_MAX) {
		errno = EINVAL;
		return NULL;
	}
	while (nslots < 2 * capacity)
		nslots <<= 1;

	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->pool = calloc(capacity, sizeof(*t->pool));
	t->free_stack = calloc(capacity, sizeof(*t->free_stack));
	t->slots = calloc(nslots, sizeof(*t->slots));
	if (!t->pool || !t->free_stack || !t->slots) {
		vigil_proctable_free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->mask = nslots - 1;
	t->capacity = capacity;
	return t;
}

void vigil_proctable_free(struct vigil_proctable *t)
{
	if (!t)
		return;
	free(t->pool);
	free(t->free_stack);
	free(t->slots);
	free(t);
}

/* The slot holding pid, or the empty slot where it would go. Terminates
 * because the table is never more than half full. */
static size_t slot_find(const struct vigil_proctable *t, uint32_t pid)
{
	size_t i = pid_hash(pid) & t->mask;

	while (t->slots[i].idx && t->slots[i].pid != pid)
		i = (i + 1) & t->mask;
	return i;
}

/* Empties slot i and shifts later members of its probe chain back, so that
 * every entry stays reachable from its home slot without tombstones. */
static void slot_delete(struct vigil_proctable *t, size_t i)
{
	size_t j = i;

	for (;;) {
		size_t home;

		j = (j + 1) & t->mask;
		if (!t->slots[j].idx)
			break;
		home = pid_hash(t->slots[j].pid) & t->mask;
		/* The entry at j may fill the hole at i unless its home lies
		 * cyclically in (i, j]. */
		if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	t->slots[i].idx = 0;
	t->slots[i].pid = 0;
}

static struct vigil_proc *entry_of(struct vigil_proctable *t, size_t slot)
{
	return &t->pool[t->slots[slot].idx - 1];
}

static long pool_take(struct vigil_proctable *t)
{
	if (t->free_top)
		return t->free_stack[--t->free_top];
	if (t->fresh < t->capacity)
		return (long)t->fresh++;
	return -1;
}

/* The entry for pid: the existing one, or a new zeroed one. NULL (and one
 * more refusal) when the table is full. */
static struct vigil_proc *proc_get_or_add(struct vigil_proctable *t, uint32_t pid)
{
	size_t s = slot_find(t, pid);
	struct vigil_proc *p;
	long idx;

	if (t->slots[s].idx)
		return entry_of(t, s);
	idx = t->count < t->capacity ? pool_take(t) : -1;
	if (idx < 0) {
		t->refused++;
		return NULL;
	}
	t->slots[s].pid = pid;
	t->slots[s].idx = (uint32_t)idx + 1;
	t->count++;
	p = &t->pool[idx];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	return p;
}

struct vigil_proc *vigil_proctable_get(struct vigil_proctable *t, uint32_t pid)
{
	size_t s = slot_find(t, pid);

	return t->slots[s].idx ? entry_of(t, s) : NULL;
}

void vigil_proctable_remove(struct vigil_proctable *t, uint32_t pid)
{
	size_t s = slot_find(t, pid);

	if (!t->slots[s].idx)
		return;
	t->free_stack[t->free_top++] = t->slots[s].idx - 1;
	t->count--;
	slot_delete(t, s);
}

void vigil_proctable_stats(const struct vigil_proctable *t, struct vigil_proctable_stats *out)
{
	out->count = t->count;
	out->capacity = t->capacity;
	out->refused = t->refused;
}

/* Bounded copy, always NUL-terminated; NULL copies as "". */
static void copy_str(char *dst, size_t dstsz, const char *src)
{
	size_t n;

	if (!src) {
		dst[0] = '\0';
		return;
	}
	n = strnlen(src, dstsz - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void copy_args(struct vigil_proc *p, const char *argv, size_t argv_len)
{
	size_t n = argv ? argv_len : 0;

	if (n > sizeof(p->args) - 1)
		n = sizeof(p->args) - 1;
	if (n)
		memcpy(p->args, argv, n);
	p->args[n] = '\0';
	p->args_len = (uint16_t)n;
}

struct vigil_proc *vigil_proctable_fork(struct vigil_proctable *t, uint32_t parent_pid,
					uint32_t child_pid, uint64_t ts_ns)
{
	struct vigil_proc *parent = vigil_proctable_get(t, parent_pid);
	struct vigil_proc *child = proc_get_or_add(t, child_pid);

	if (!child)
		return NULL;
	if (parent && parent != child)
		*child = *parent;
	else if (!parent)
		memset(child, 0, sizeof(*child)); /* a stale entry from pid reuse */
	child->pid = child_pid;
	child->ppid = parent_pid;
	child->start_ns = ts_ns;
	return child;
}

/* What the kernel does when comm is not given: basename of the file. */
static void comm_from_exe(struct vigil_proc *p)
{
	const char *base = strrchr(p->exe, '/');

	copy_str(p->comm, sizeof(p->comm), base ? base + 1 : p->exe);
}

/* cwd == NULL keeps the known cwd (exec does not change it); ppid == 0 keeps
 * the known parent. */
struct vigil_proc *vigil_proctable_exec(struct vigil_proctable *t, uint32_t pid, uint32_t ppid,
					const char *exe, const char *argv, size_t argv_len,
					const char *cwd, const char *comm, uint32_t uid,
					uint32_t gid, uint64_t cgroup_id, uint64_t ts_ns)
{
	struct vigil_proc *p = proc_get_or_add(t, pid);

	if (!p)
		return NULL;
	if (ppid)
		p->ppid = ppid;
	p->uid = uid;
	p->gid = gid;
	p->cgroup_id = cgroup_id;
	p->start_ns = ts_ns;
	copy_str(p->exe, sizeof(p->exe), exe);
	if (cwd)
		copy_str(p->cwd, sizeof(p->cwd), cwd);
	copy_args(p, argv, argv_len);
	if (comm && comm[0])
		copy_str(p->comm, sizeof(p->comm), comm);
	else
		comm_from_exe(p);
	return p;
}

size_t vigil_proc_format_args(const struct vigil_proc *p, bool skip_argv0, char *out, size_t outsz)
{
	size_t len = p->args_len < sizeof(p->args) ? p->args_len : sizeof(p->args);
	const char *a = p->args;
	size_t i = 0, o = 0, argi = 0;
	bool first = true;

	if (!outsz)
		return 0;
	while (i < len && o + 1 < outsz) {
		const char *nul = memchr(a + i, '\0', len - i);
		size_t end = nul ? (size_t)(nul - a) : len;
		size_t n = end - i;

		if (!skip_argv0 || argi > 0) {
			if (!first && o + 1 < outsz)
				out[o++] = ' ';
			first = false;
			if (n > outsz - 1 - o)
				n = outsz - 1 - o;
			memcpy(out + o, a + i, n);
			o += n;
		}
		argi++;
		i = end + 1;
	}
	out[o] = '\0';
	return o;
}

/* ---- seeding from procfs ---- */

/* Reads up to size - 1 bytes of dirfd/name and NUL-terminates. Returns the
 * byte count or a negative errno. */
static ssize_t read_file_at(int dirfd, const char *name, char *buf, size_t size)
{
	size_t off = 0;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (off < size - 1) {
		ssize_t n = read(fd, buf + off, size - 1 - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			close(fd);
			return -err;
		}
		if (n == 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	buf[off] = '\0';
	return (ssize_t)off;
}

/* "pid (comm) S ppid ...": comm may itself contain ") (", so it ends at the
 * last ')'. */
static int read_stat(int dirfd, struct vigil_proc *p)
{
	char buf[STAT_BUF_SIZE];
	char *open, *close, state;
	unsigned int ppid;
	size_t n;
	ssize_t r = read_file_at(dirfd, "stat", buf, sizeof(buf));

	if (r < 0)
		return (int)r;
	open = strchr(buf, '(');
	close = strrchr(buf, ')');
	if (!open || !close || close < open)
		return -EINVAL;
	n = (size_t)(close - open - 1);
	if (n > sizeof(p->comm) - 1)
		n = sizeof(p->comm) - 1;
	memcpy(p->comm, open + 1, n);
	p->comm[n] = '\0';
	if (sscanf(close + 1, " %c %u", &state, &ppid) != 2)
		return -EINVAL;
	p->ppid = ppid;
	return 0;
}

/* Real uid and gid: the first number on the Uid: and Gid: lines. */
static int read_status(int dirfd, struct vigil_proc *p)
{
	char buf[STATUS_BUF_SIZE];
	bool have_uid = false, have_gid = false;
	char *line, *save = NULL;
	ssize_t r = read_file_at(dirfd, "status", buf, sizeof(buf));

	if (r < 0)
		return (int)r;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "Uid:", 4))
			have_uid = sscanf(line + 4, "%u", &p->uid) == 1;
		else if (!strncmp(line, "Gid:", 4))
			have_gid = sscanf(line + 4, "%u", &p->gid) == 1;
	}
	return have_uid && have_gid ? 0 : -EINVAL;
}

/* readlink, NUL-terminated; "" when there is no link (kernel threads have
 * no exe) or it cannot be read. */
static void read_link_at(int dirfd, const char *name, char *buf, size_t size)
{
	ssize_t n = readlinkat(dirfd, name, buf, size - 1);

	buf[n < 0 ? 0 : n] = '\0';
}

static void read_cmdline(int dirfd, struct vigil_proc *p)
{
	ssize_t n = read_file_at(dirfd, "cmdline", p->args, sizeof(p->args));

	if (n < 0) {
		p->args[0] = '\0';
		n = 0;
	}
	p->args_len = (uint16_t)n;
}

/* Reads one /proc/<pid> into a scratch entry first, so that a process
 * vanishing half-way never leaves (or uses up) an entry. Returns 1 when the
 * process was stored, 0 when skipped. */
static int seed_one(struct vigil_proctable *t, int rootfd, const char *name, uint32_t pid)
{
	struct vigil_proc tmp, *p;
	int ok = 0;
	int dfd = openat(rootfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0)
		return 0;
	memset(&tmp, 0, sizeof(tmp));
	tmp.pid = pid;
	if (read_stat(dfd, &tmp) < 0 || read_status(dfd, &tmp) < 0)
		goto out;
	read_link_at(dfd, "exe", tmp.exe, sizeof(tmp.exe));
	read_link_at(dfd, "cwd", tmp.cwd, sizeof(tmp.cwd));
	read_cmdline(dfd, &tmp);
	/* Gone while we read it: the empty exe/cmdline came from its death. */
	if (faccessat(dfd, "stat", F_OK, 0) < 0)
		goto out;
	p = proc_get_or_add(t, pid);
	if (p) {
		*p = tmp;
		ok = 1;
	}
out:
	close(dfd);
	return ok;
}

static bool parse_pid(const char *s, uint32_t *pid)
{
	unsigned long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*pid = (uint32_t)v;
	return v != 0;
}

/* Processes already in the table are refreshed and counted as added. */
int vigil_proctable_seed(struct vigil_proctable *t, const char *procfs_root)
{
	struct dirent *de;
	int added = 0, err;
	DIR *d = opendir(procfs_root);

	if (!d)
		return -errno;
	for (;;) {
		uint32_t pid;

		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (parse_pid(de->d_name, &pid))
			added += seed_one(t, dirfd(d), de->d_name, pid);
	}
	err = errno;
	closedir(d);
	if (err && !added)
		return -err;
	return added;
}
