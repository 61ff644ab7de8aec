/* container.c - container attribution from cgroups: parses container ids
 * out of cgroup paths, and maps cgroup v2 ids to paths through a fixed-size
 * cache, resolving misses with open_by_handle_at() on the cgroup2 mount (or,
 * without CAP_DAC_READ_SEARCH, by walking the cgroup2 tree).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "container.h"

#define CACHE_SIZE	4096 /* entries, a power of two */
#define CACHE_PROBE	8    /* an id lives within this many slots of its home */
#define NEGATIVE_TTL_NS 1000000000ull
#define FILEID_KERNFS	0xfe
#define SCOPE_SUFFIX	".scope"

/* ---- parsing cgroup paths ---- */

enum comp_kind {
	COMP_NONE,
	COMP_CONTAINER,
	COMP_CONMON, /* names a container id, but is its monitor, not it */
};

struct id_prefix {
	const char *prefix;
	const char *runtime;
	enum comp_kind kind;
	bool bare_ok; /* also without ".scope" (the cgroupfs driver) */
};

/* "<prefix><id>.scope" from the systemd driver; cri-o and podman also use
 * "crio-<id>" / "libpod-<id>" with the cgroupfs driver. The conmon prefixes
 * come before the prefixes they extend. */
static const struct id_prefix id_prefixes[] = {
    {"docker-", "docker", COMP_CONTAINER, false},
    {"cri-containerd-", "containerd", COMP_CONTAINER, false},
    {"crio-conmon-", NULL, COMP_CONMON, true},
    {"crio-", "cri-o", COMP_CONTAINER, true},
    {"libpod-conmon-", NULL, COMP_CONMON, true},
    {"libpod-", "podman", COMP_CONTAINER, true},
};

struct comp {
	const char *s;
	size_t len;
};

static bool comp_is(struct comp c, const char *word)
{
	return c.len == strlen(word) && !memcmp(c.s, word, c.len);
}

static bool comp_has_prefix(struct comp c, const char *prefix)
{
	size_t n = strlen(prefix);

	return c.len >= n && !memcmp(c.s, prefix, n);
}

static bool is_container_id(const char *s, size_t len)
{
	size_t i;

	if (len != VIGIL_CONTAINER_ID_LEN)
		return false;
	for (i = 0; i < len; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

/* "<id>.scope", or a bare "<id>" when bare_ok. */
static bool is_id_scope(const char *s, size_t len, bool bare_ok)
{
	size_t slen = strlen(SCOPE_SUFFIX);

	if (len == VIGIL_CONTAINER_ID_LEN + slen &&
	    !memcmp(s + VIGIL_CONTAINER_ID_LEN, SCOPE_SUFFIX, slen))
		return is_container_id(s, VIGIL_CONTAINER_ID_LEN);
	return bare_ok && is_container_id(s, len);
}

/* Runtime for a bare "<id>" component, from the components before it:
 * kubepods (k8s cgroupfs driver) is containerd, libpod_parent is podman, and
 * everything else - /docker/<id>, /actions_job/<id> (GitHub Actions runs
 * job containers with docker), /ecs/<task>/<id> (ECS on EC2 runs docker) -
 * is reported as docker, so runtime stays within the documented set. */
static const char *bare_runtime(struct comp c, const char *ctx)
{
	if (comp_has_prefix(c, "kubepods"))
		return "containerd";
	if (comp_is(c, "libpod_parent"))
		return "podman";
	if (comp_is(c, "docker"))
		return "docker";
	return ctx;
}

static enum comp_kind classify(struct comp c, const char *ctx, const char **runtime)
{
	size_t i;

	if (is_container_id(c.s, c.len)) {
		*runtime = ctx;
		return COMP_CONTAINER;
	}
	for (i = 0; i < sizeof(id_prefixes) / sizeof(id_prefixes[0]); i++) {
		const struct id_prefix *p = &id_prefixes[i];
		size_t n = strlen(p->prefix);

		if (comp_has_prefix(c, p->prefix) && is_id_scope(c.s + n, c.len - n, p->bare_ok)) {
			*runtime = p->runtime;
			return p->kind;
		}
	}
	return COMP_NONE;
}

/* "hierarchy-id:controllers:/path" (a /proc/PID/cgroup line) -> "/path". */
static const char *strip_proc_prefix(const char *path)
{
	const char *c1, *c2;

	if (path[0] == '/')
		return path;
	c1 = strchr(path, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	return c2 ? c2 + 1 : path;
}

/* The last component that names a container id decides: a conmon scope is
 * not a container, and a trailing leaf such as podman's /container is
 * skipped over. */
bool vigil_container_from_cgroup_path(const char *path, struct vigil_container_ref *ref)
{
	enum comp_kind kind = COMP_NONE;
	const char *runtime = NULL, *ctx = "docker", *last_id = NULL, *s, *end;

	if (ref) {
		ref->id[0] = '\0';
		ref->runtime = NULL;
	}
	if (!path)
		return false;
	s = strip_proc_prefix(path);
	end = s + strcspn(s, "\n");
	while (s < end) {
		struct comp c;
		const char *rt = NULL;
		enum comp_kind k;

		while (s < end && *s == '/')
			s++;
		c.s = s;
		while (s < end && *s != '/')
			s++;
		c.len = (size_t)(s - c.s);
		if (!c.len)
			break;
		k = classify(c, ctx, &rt);
		if (k != COMP_NONE) {
			kind = k;
			runtime = rt;
			/* the id is the last 64 chars before any ".scope" */
			last_id = c.s + c.len - VIGIL_CONTAINER_ID_LEN;
			if (c.len > strlen(SCOPE_SUFFIX) &&
			    !memcmp(c.s + c.len - strlen(SCOPE_SUFFIX), SCOPE_SUFFIX,
				    strlen(SCOPE_SUFFIX)))
				last_id -= strlen(SCOPE_SUFFIX);
		}
		ctx = bare_runtime(c, ctx);
	}
	if (kind != COMP_CONTAINER)
		return false;
	if (ref) {
		memcpy(ref->id, last_id, VIGIL_CONTAINER_ID_LEN);
		ref->id[VIGIL_CONTAINER_ID_LEN] = '\0';
		ref->runtime = runtime;
	}
	return true;
}

/* ---- cgroup id -> path cache ---- */

struct cache_entry {
	struct vigil_cgroup_info info;
	uint64_t stamp_ns; /* CLOCK_MONOTONIC time of the last resolution */
	bool used;
};

struct vigil_cgroups {
	char mount[PATH_MAX]; /* canonical, no trailing '/' unless "/" */
	size_t mount_len;
	int mount_fd;
	bool use_handles;		  /* cleared once open_by_handle_at proves unusable */
	struct vigil_cgroup_info unknown; /* the answer for id 0 */
	struct cache_entry cache[CACHE_SIZE];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static size_t id_hash(uint64_t id)
{
	id ^= id >> 33;
	id *= 0xff51afd7ed558ccdull;
	id ^= id >> 33;
	id *= 0xc4ceb9fe1a85ec53ull;
	id ^= id >> 33;
	return (size_t)id;
}

/* Undoes mountinfo's octal escapes (\040 for ' ', ...) in place. */
static void unescape_octal(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* One mountinfo line: "id parent maj:min root mountpoint opts... - fstype
 * source superopts". Returns 1 for a cgroup2 mount of the hierarchy root, 2
 * for a cgroup2 mount of a subtree, 0 otherwise. */
static int parse_mountinfo_line(const char *line, char *mnt, size_t mntsz)
{
	char root[PATH_MAX], point[PATH_MAX], fstype[32];
	const char *sep = strstr(line, " - ");

	if (!sep || sscanf(sep + 3, "%31s", fstype) != 1 || strcmp(fstype, "cgroup2"))
		return 0;
	if (sscanf(line, "%*s %*s %*s %4095s %4095s", root, point) != 2)
		return 0;
	unescape_octal(point);
	if (strlen(point) >= mntsz)
		return 0;
	strcpy(mnt, point);
	return strcmp(root, "/") ? 2 : 1;
}

/* The first cgroup2 mount of the hierarchy root; failing that, the first
 * cgroup2 mount at all. */
static int find_cgroup2_mount(char *out, size_t outsz)
{
	char *line = NULL, mnt[PATH_MAX];
	size_t cap = 0;
	int best = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return -errno;
	while (best != 1 && getline(&line, &cap, f) > 0) {
		int r = parse_mountinfo_line(line, mnt, sizeof(mnt));

		if (r && (!best || r < best)) {
			best = r;
			snprintf(out, outsz, "%s", mnt);
		}
	}
	free(line);
	fclose(f);
	return best ? 0 : -ENOENT;
}

static int open_mount(struct vigil_cgroups *c, const char *mount)
{
	char canon[PATH_MAX];

	if (!realpath(mount, canon))
		return -errno;
	c->mount_fd = open(canon, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->mount_fd < 0)
		return -errno;
	strcpy(c->mount, canon);
	c->mount_len = strlen(canon);
	return 0;
}

/* mount NULL: autodetect, and no cgroup2 mount is not an error (lookups
 * then never resolve). An explicit mount that cannot be opened is: NULL is
 * returned with errno set. */
struct vigil_cgroups *vigil_cgroups_new(const char *mount)
{
	char found[PATH_MAX];
	struct vigil_cgroups *c = calloc(1, sizeof(*c));
	int err;

	if (!c)
		return NULL;
	c->mount_fd = -1;
	c->use_handles = true;
	if (mount) {
		err = open_mount(c, mount);
		if (err < 0) {
			free(c);
			errno = -err;
			return NULL;
		}
	} else if (find_cgroup2_mount(found, sizeof(found)) == 0) {
		open_mount(c, found);
	}
	return c;
}

void vigil_cgroups_free(struct vigil_cgroups *c)
{
	if (!c)
		return;
	if (c->mount_fd >= 0)
		close(c->mount_fd);
	free(c);
}

const char *vigil_cgroups_mount(const struct vigil_cgroups *c)
{
	return c->mount;
}

/* An absolute path under the mount -> the path relative to it ("/" for the
 * mount itself). */
static int rel_path(const struct vigil_cgroups *c, const char *abs, char *out, size_t outsz)
{
	const char *rest = abs;

	if (c->mount_len > 1) {
		if (strncmp(abs, c->mount, c->mount_len))
			return -EXDEV;
		rest = abs + c->mount_len;
		if (*rest && *rest != '/')
			return -EXDEV;
	}
	if (!*rest)
		rest = "/";
	if (strlen(rest) >= outsz)
		return -ENAMETOOLONG;
	strcpy(out, rest);
	return 0;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* On 64-bit kernels a cgroup v2 id is its kernfs node id, which kernfs
 * accepts as an 8-byte FILEID_KERNFS file handle. */
static int resolve_by_handle(struct vigil_cgroups *c, uint64_t id, char *out, size_t outsz)
{
	union {
		struct file_handle fh;
		unsigned char raw[sizeof(struct file_handle) + sizeof(uint64_t)];
	} h;
	char link[64], abs[PATH_MAX];
	ssize_t n;
	int fd;

	memset(&h, 0, sizeof(h));
	h.fh.handle_bytes = sizeof(uint64_t);
	h.fh.handle_type = FILEID_KERNFS;
	memcpy(h.raw + offsetof(struct file_handle, f_handle), &id, sizeof(id));
	fd = open_by_handle_at(c->mount_fd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, abs, sizeof(abs) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	abs[n] = '\0';
	if (has_suffix(abs, " (deleted)"))
		return -ESTALE;
	return rel_path(c, abs, out, outsz);
}

/* nftw has no user pointer: the walk's state is per thread. */
struct walk_ctx {
	const struct vigil_cgroups *c;
	uint64_t id;
	char *out;
	size_t outsz;
	int err;
};
static __thread struct walk_ctx *walk_ctx;

static int walk_cb(const char *fpath, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag != FTW_D || (uint64_t)sb->st_ino != walk_ctx->id)
		return FTW_CONTINUE;
	walk_ctx->err = rel_path(walk_ctx->c, fpath, walk_ctx->out, walk_ctx->outsz);
	return FTW_STOP;
}

static int resolve_by_walk(struct vigil_cgroups *c, uint64_t id, char *out, size_t outsz)
{
	struct walk_ctx ctx = {c, id, out, outsz, -ENOENT};

	walk_ctx = &ctx;
	nftw(c->mount, walk_cb, 16, FTW_PHYS | FTW_MOUNT | FTW_ACTIONRETVAL);
	walk_ctx = NULL;
	return ctx.err;
}

/* The kernel's definite "no such cgroup" answers: no point walking. */
static bool handle_says_absent(int err)
{
	return err == -ESTALE || err == -ENOENT || err == -ENOTDIR;
}

static int resolve_path(struct vigil_cgroups *c, uint64_t id, char *out, size_t outsz)
{
	int err = -ENOENT;

	if (c->mount_fd < 0)
		return -ENOENT;
	if (c->use_handles) {
		err = resolve_by_handle(c, id, out, outsz);
		if (!err || handle_says_absent(err))
			return err;
		if (err == -EPERM || err == -EOPNOTSUPP || err == -ENOSYS || err == -EINVAL)
			c->use_handles = false;
	}
	return resolve_by_walk(c, id, out, outsz);
}

/* A path longer than info->path is cut (container still parsed from it
 * whole) rather than reported unresolved. */
static void resolve(struct vigil_cgroups *c, uint64_t id, struct vigil_cgroup_info *info)
{
	char path[PATH_MAX];
	size_t n;

	memset(info, 0, sizeof(*info));
	info->id = id;
	if (resolve_path(c, id, path, sizeof(path)) < 0)
		return;
	info->resolved = true;
	n = strnlen(path, sizeof(info->path) - 1);
	memcpy(info->path, path, n);
	info->path[n] = '\0';
	vigil_container_from_cgroup_path(path, &info->container);
}

/* The entry holding id, else an empty slot in its probe window, else the
 * least recently resolved entry of the window (evicted by the caller).
 * Entries are only ever overwritten, never emptied, so a lookup may stop at
 * the first empty slot. */
static struct cache_entry *cache_slot(struct vigil_cgroups *c, uint64_t id)
{
	size_t home = id_hash(id), i;
	struct cache_entry *victim = NULL;

	for (i = 0; i < CACHE_PROBE; i++) {
		struct cache_entry *e = &c->cache[(home + i) & (CACHE_SIZE - 1)];

		if (!e->used || e->info.id == id)
			return e;
		if (!victim || e->stamp_ns < victim->stamp_ns)
			victim = e;
	}
	return victim;
}

/* The returned info is valid until a later lookup evicts or refreshes it:
 * copy what must outlive the next call. */
const struct vigil_cgroup_info *vigil_cgroups_lookup(struct vigil_cgroups *c, uint64_t id)
{
	struct cache_entry *e;
	uint64_t now;

	if (!id)
		return &c->unknown;
	e = cache_slot(c, id);
	now = now_ns();
	if (e->used && e->info.id == id &&
	    (e->info.resolved || now - e->stamp_ns < NEGATIVE_TTL_NS))
		return &e->info;
	resolve(c, id, &e->info);
	e->stamp_ns = now;
	e->used = true;
	return &e->info;
}
