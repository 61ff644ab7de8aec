/* container.h - container attribution from cgroups.
 *
 * A process's cgroup v2 id (from the kernel) is turned into its cgroup path
 * once and cached; the container id is parsed from that path. Known layouts:
 * docker, containerd (cri-containerd), cri-o, podman (libpod), in cgroupfs
 * style (/docker/<id>, /kubepods/.../<id>) and systemd style
 * (docker-<id>.scope, cri-containerd-<id>.scope, crio-<id>.scope,
 * libpod-<id>.scope, possibly followed by a nested /container leaf).
 */
#ifndef VIGIL_CONTAINER_H
#define VIGIL_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIGIL_CONTAINER_ID_LEN	     64 /* full id: 64 hex digits */
#define VIGIL_CONTAINER_SHORT_ID_LEN 12 /* what container.id shows, as Falco does */
#define VIGIL_CGROUP_PATH_MAX	     512

struct vigil_container_ref {
	char id[VIGIL_CONTAINER_ID_LEN + 1]; /* "" when not in a container */
	const char *runtime; /* "docker", "containerd", "cri-o", "podman", or NULL */
};

/* Parses a cgroup path (as in /proc/PID/cgroup, or relative to the cgroup2
 * mount). Returns true and fills ref when the path names a container. */
bool vigil_container_from_cgroup_path(const char *path, struct vigil_container_ref *ref);

struct vigil_cgroup_info {
	uint64_t id;
	char path[VIGIL_CGROUP_PATH_MAX]; /* relative to the cgroup2 root, "/" for the root */
	struct vigil_container_ref container;
	bool resolved; /* false: the id could not be mapped to a path */
};

struct vigil_cgroups;

/* mount: the cgroup2 mount point, or NULL to find it in /proc/self/mountinfo. */
struct vigil_cgroups *vigil_cgroups_new(const char *mount);
void vigil_cgroups_free(struct vigil_cgroups *c);

/* Cached lookup by cgroup id; resolves (and caches) on a miss. Never NULL. */
const struct vigil_cgroup_info *vigil_cgroups_lookup(struct vigil_cgroups *c, uint64_t id);

/* The cgroup2 mount point in use ("" when none was found). */
const char *vigil_cgroups_mount(const struct vigil_cgroups *c);

#endif /* VIGIL_CONTAINER_H */
