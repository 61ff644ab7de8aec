/* inventory_scope.c - which scope (host, container, chroot, mount namespace)
 * a process uses files in, and its paths inside that scope.
 *
 * A process with a container id is in that container's scope. Otherwise its
 * /proc/PID/root is compared (stat: device and inode) with the host's root:
 * the same means the host (a service with a private mount namespace but the
 * host's root is the host); else readlink /proc/PID/root names a chroot
 * directory when the process shares the agent's mount namespace, and the
 * scope is "root:DIR"; a process with its own namespace and root is
 * "mntns:INODE". Results are cached per (pid, mount namespace) so a burst of
 * mmaps costs no /proc reads; an exec refreshes the entry. A process found
 * gone is cached too (with the scope guessed for it), so the rest of its
 * events cost no failed /proc lookups either. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "container.h"
#include "inventory.h"
#include "pathutil.h"

#define SCOPE_SLOTS 4096 /* (pid, mntns) -> scope, direct-mapped */
#define SCOPE_POOL  256	 /* distinct non-container scopes held */

struct scope_slot {
	uint32_t tgid, mntns;
	int idx;   /* into pool; -1 when empty */
	bool dead; /* the process was gone: idx is the pool scope guessed, -1 the host */
};

struct vigil_scope_cache {
	char procfs[256];
	char hostroot[VIGIL_INV_ROOT_MAX];
	dev_t host_dev;
	ino_t host_ino;
	uint32_t self_mntns;
	struct scope_slot slots[SCOPE_SLOTS];
	struct vigil_scope pool[SCOPE_POOL];
	size_t npool;
	struct vigil_scope tmp; /* uncached results (containers, fallbacks) */
};

static void clear_slots(struct vigil_scope_cache *c)
{
	for (size_t i = 0; i < SCOPE_SLOTS; i++) {
		c->slots[i].idx = -1;
		c->slots[i].dead = false;
	}
	c->npool = 0;
}

static uint32_t ns_inode(const char *procfs, const char *pid)
{
	char p[300];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s/ns/mnt", procfs, pid);
	if (stat(p, &st) != 0)
		return 0;
	return (uint32_t)st.st_ino;
}

struct vigil_scope_cache *vigil_scope_cache_new(const char *procfs, const char *hostroot)
{
	struct vigil_scope_cache *c = calloc(1, sizeof(*c));
	struct stat st;

	if (!c)
		return NULL;
	snprintf(c->procfs, sizeof(c->procfs), "%s", procfs ? procfs : "/proc");
	snprintf(c->hostroot, sizeof(c->hostroot), "%s", hostroot ? hostroot : "/");
	if (stat(c->hostroot, &st) == 0) {
		c->host_dev = st.st_dev;
		c->host_ino = st.st_ino;
	}
	c->self_mntns = ns_inode(c->procfs, "self");
	clear_slots(c);
	return c;
}

void vigil_scope_cache_free(struct vigil_scope_cache *c)
{
	free(c);
}

static void set_host(struct vigil_scope *s, uint32_t tgid)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "host");
	snprintf(s->kind, sizeof(s->kind), "host");
	snprintf(s->root, sizeof(s->root), "/");
	s->pid = tgid;
}

static void set_container(struct vigil_scope_cache *c, struct vigil_scope *s, uint32_t tgid,
			  uint32_t mntns, const char *id)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%.*s", (int)sizeof(s->container_id) - 1, id);
	snprintf(s->kind, sizeof(s->kind), "container");
	snprintf(s->container_id, sizeof(s->container_id), "%.*s", (int)sizeof(s->container_id) - 1,
		 id);
	snprintf(s->root, sizeof(s->root), "%s/%u/root", c->procfs, tgid);
	s->pid = tgid;
	s->mntns = mntns;
}

static struct scope_slot *slot_of(struct vigil_scope_cache *c, uint32_t tgid, uint32_t mntns)
{
	uint32_t h = tgid * 2654435761u ^ mntns * 40503u;

	return &c->slots[h % SCOPE_SLOTS];
}

/* A scope held in the pool (by name); its root and pid become the latest. */
static int intern(struct vigil_scope_cache *c, const struct vigil_scope *s)
{
	for (size_t i = 0; i < c->npool; i++) {
		if (strcmp(c->pool[i].name, s->name) == 0) {
			c->pool[i] = *s;
			return (int)i;
		}
	}
	if (c->npool == SCOPE_POOL)
		clear_slots(c);
	c->pool[c->npool] = *s;
	return (int)c->npool++;
}

/* The guess for a process that is gone (a pool index, -1 for the host) as
 * a scope marked as a fallback. */
static const struct vigil_scope *guessed(struct vigil_scope_cache *c, uint32_t tgid, int idx)
{
	if (idx >= 0 && (size_t)idx < c->npool)
		c->tmp = c->pool[idx];
	else
		set_host(&c->tmp, tgid);
	c->tmp.fallback = true;
	return &c->tmp;
}

/* The process is gone: the scope last seen for its mount namespace, or the
 * host; remembered in its slot. */
static const struct vigil_scope *fallback(struct vigil_scope_cache *c, struct scope_slot *slot,
					  uint32_t tgid, uint32_t mntns)
{
	int idx = -1;

	if (mntns && mntns != c->self_mntns) {
		for (size_t i = 0; i < c->npool && idx < 0; i++)
			if (c->pool[i].mntns == mntns && strcmp(c->pool[i].kind, "host") != 0)
				idx = (int)i;
	}
	slot->tgid = tgid;
	slot->mntns = mntns;
	slot->idx = idx;
	slot->dead = true;
	return guessed(c, tgid, idx);
}

/* Reads /proc/TGID/root into s. Returns -1 when the process is gone. */
static int probe(struct vigil_scope_cache *c, uint32_t tgid, uint32_t mntns, struct vigil_scope *s)
{
	char link[300], pid[16], target[VIGIL_INV_ROOT_MAX];
	struct stat st;
	ssize_t n;

	snprintf(pid, sizeof(pid), "%u", tgid);
	snprintf(link, sizeof(link), "%s/%u/root", c->procfs, tgid);
	if (stat(link, &st) != 0)
		return -1;
	if (st.st_dev == c->host_dev && st.st_ino == c->host_ino) {
		set_host(s, tgid);
		return 0;
	}
	if (!mntns)
		mntns = ns_inode(c->procfs, pid);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return -1;
	target[n] = '\0';
	memset(s, 0, sizeof(*s));
	s->pid = tgid;
	s->mntns = mntns;
	if ((!mntns || mntns == c->self_mntns) && target[0] == '/' && strcmp(target, "/") != 0) {
		snprintf(s->kind, sizeof(s->kind), "chroot");
		snprintf(s->root, sizeof(s->root), "%s", target);
		snprintf(s->name, sizeof(s->name), "root:%s", target);
		return 0;
	}
	snprintf(s->kind, sizeof(s->kind), "mntns");
	snprintf(s->root, sizeof(s->root), "%s", link);
	snprintf(s->name, sizeof(s->name), "mntns:%u", mntns);
	return 0;
}

const struct vigil_scope *vigil_scope_resolve(struct vigil_scope_cache *c, uint32_t tgid,
					      uint32_t mntns, const char *container_id,
					      bool refresh)
{
	struct scope_slot *slot = slot_of(c, tgid, mntns);
	bool in_container = container_id && *container_id;
	struct vigil_scope s;

	bool mine = slot->tgid == tgid && slot->mntns == mntns;

	if (!refresh && mine && slot->dead)
		return guessed(c, tgid, slot->idx);
	if (!refresh && mine && slot->idx >= 0) {
		const struct vigil_scope *hit = &c->pool[slot->idx];

		if (in_container ? strcmp(hit->container_id, container_id) == 0
				 : !hit->container_id[0])
			return hit;
	}
	if (in_container) {
		set_container(c, &s, tgid, mntns, container_id);
	} else if (probe(c, tgid, mntns, &s) != 0) {
		if (mine && slot->idx >= 0 && !slot->dead)
			return guessed(c, tgid, slot->idx);
		return fallback(c, slot, tgid, mntns);
	}
	slot->idx = intern(c, &s); /* (intern may clear every slot, this one too) */
	slot->tgid = tgid;
	slot->mntns = mntns;
	slot->dead = false;
	return &c->pool[slot->idx];
}

bool vigil_scope_pid_alive(const struct vigil_scope_cache *c, uint32_t pid)
{
	char p[300];

	snprintf(p, sizeof(p), "%s/%u", c->procfs, pid);
	return access(p, F_OK) == 0;
}

bool vigil_scope_path(const struct vigil_scope *s, const char *kpath, char *out, size_t outsz)
{
	char norm[VIGIL_INV_PATH_MAX];
	const char *p = norm;

	if (kpath[0] == '/')
		vigil_path_resolve(NULL, kpath, norm, sizeof(norm));
	else
		vigil_path_resolve("/", kpath, norm, sizeof(norm));
	if (strcmp(s->kind, "chroot") == 0) {
		size_t n = strlen(s->root);

		if (strncmp(norm, s->root, n) != 0 || (norm[n] != '/' && norm[n] != '\0'))
			return false;
		p = norm[n] ? norm + n : "/";
	}
	size_t len = strlen(p);

	if (!outsz)
		return true;
	if (len >= outsz)
		len = outsz - 1;
	memmove(out, p, len); /* (no snprintf: this runs per event) */
	out[len] = '\0';
	return true;
}

/* ------------------------------------------------------------------------ */
/* Live roots for `vigil vuln`                                               */

static bool pid_in_container(const char *procfs, const char *pid, const char *id)
{
	char p[300], line[1024];
	bool found = false;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s/cgroup", procfs, pid);
	f = fopen(p, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *path = strchr(line, ':');
		struct vigil_container_ref ref;

		path = path ? strchr(path + 1, ':') : NULL;
		if (!path)
			continue;
		path[strcspn(path, "\n")] = '\0';
		if (!vigil_container_from_cgroup_path(path + 1, &ref))
			continue;
		size_t n = strlen(id) < strlen(ref.id) ? strlen(id) : strlen(ref.id);
		found = n > 0 && strncmp(ref.id, id, n) == 0;
	}
	fclose(f);
	return found;
}

static bool pid_matches(const struct vigil_inv_scope_info *s, const char *procfs, const char *pid)
{
	if (strcmp(s->kind, "container") == 0)
		return pid_in_container(procfs, pid, s->container_id);
	return s->mntns && ns_inode(procfs, pid) == s->mntns;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int vigil_scope_live_root(const struct vigil_inv_scope_info *s, const char *procfs, char *root,
			  size_t rootsz, char *err, size_t errsz)
{
	char pid[16];
	struct dirent *de;
	DIR *d;

	if (!procfs)
		procfs = "/proc";
	if (strcmp(s->kind, "host") == 0 || strcmp(s->kind, "chroot") == 0) {
		snprintf(root, rootsz, "%s", s->root);
		return 0;
	}
	snprintf(pid, sizeof(pid), "%u", s->pid);
	if (s->pid && pid_matches(s, procfs, pid)) {
		snprintf(root, rootsz, "%s/%s/root", procfs, pid);
		return 0;
	}
	d = opendir(procfs);
	while (d && (de = readdir(d))) {
		if (all_digits(de->d_name) && pid_matches(s, procfs, de->d_name)) {
			snprintf(root, rootsz, "%s/%s/root", procfs, de->d_name);
			closedir(d);
			return 0;
		}
	}
	if (d)
		closedir(d);
	snprintf(err, errsz,
		 "scope %s: no process of it is running, so its package database cannot be "
		 "read (use --root DIR to point at a copy of its root file system)",
		 s->name);
	return -1;
}
