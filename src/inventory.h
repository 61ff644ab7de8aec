/* inventory.h - the runtime inventory: per scope (the host, each container,
 * each chroot), the files really used for execution (executables, mapped
 * shared libraries and plugins, scripts run by interpreters), with when each
 * was first seen, by which process, and how often.
 *
 * The agent calls vigil_inventory_note() per event: it only touches an
 * in-memory set (scope lookups are cached per (pid, mount namespace)).
 * vigil_inventory_flush() writes what changed to STATE_DIR/inventory.db
 * (SQLite, one transaction) and enforces the size bounds below.
 * `vigil vuln` reads the database back with the reader functions at the end.
 *
 * Scopes (inventory_scope.c):
 *   "host"                  /proc/PID/root is the host's root ("/")
 *   CONTAINER_ID            the process is in a container (id as given)
 *   "root:/srv/rootfs"      a chroot: the path is made relative to it
 *   "mntns:4026532291"      its own mount namespace and root, no container id
 */
#ifndef VIGIL_INVENTORY_H
#define VIGIL_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIGIL_STATE_DIR_DEFAULT "/var/lib/vigil"
#define VIGIL_INVENTORY_DB	"inventory.db"

/* Bounds. Beyond VIGIL_INV_MAX_FILES_PER_SCOPE rows, a scope's files least
 * recently used (then least used) are evicted at flush; beyond
 * VIGIL_INV_MAX_SCOPES scopes or VIGIL_INV_MAX_ROWS rows in all, the scopes
 * (never "host") seen longest ago are dropped with their files. Evictions
 * are counted per scope and reported by `vigil vuln`. A row takes about 210
 * bytes on disk (2.0 MiB per 10,000 library paths): the database stays under
 * about 45 MiB. At most
 * VIGIL_INV_MEM_MAX (scope, file) pairs are held in memory between flushes;
 * past that, uses are counted as dropped. */
#define VIGIL_INV_MAX_FILES_PER_SCOPE 20000
#define VIGIL_INV_MAX_SCOPES	      256
#define VIGIL_INV_MAX_ROWS	      200000
#define VIGIL_INV_MEM_MAX	      65536

#define VIGIL_INV_NAME_MAX (VIGIL_INV_ROOT_MAX + 8) /* scope names ("root:" + a root) */
#define VIGIL_INV_ROOT_MAX 1024			    /* scope roots */
#define VIGIL_INV_PATH_MAX 4096

/* One use of a file for execution. Strings are copied; NULL is allowed for
 * every string but kind and path. */
struct vigil_inventory_use {
	const char *kind;	  /* "exec" (the executable), "map" (an mmapped
				     executable: shared library, plugin) or "script" (run
				     by an interpreter) */
	const char *path;	  /* as the kernel reported it: relative to the
				     container's root for a process in its own mount
				     namespace, host-absolute for a chrooted process */
	uint32_t pid;		  /* the kernel's pid (thread id) */
	uint32_t tgid;		  /* process id (thread-group id); 0 = same as pid */
	uint32_t mntns;		  /* mount namespace inode; 0 = unknown */
	const char *container_id; /* "" or NULL: not in a container */
	const char *exe;	  /* the process's executable */
	const char *comm;	  /* the process's name */
	uint64_t wall_ns;	  /* event time, ns since the epoch; 0 = now */
};

struct vigil_inventory;

/* Opens (creates) STATE_DIR/inventory.db, creating STATE_DIR (0700) when
 * missing. NULL state_dir means VIGIL_STATE_DIR_DEFAULT. On failure returns
 * NULL and err gets a message naming the path. */
struct vigil_inventory *vigil_inventory_open(const char *state_dir, char *err, size_t errsz);

/* Records a use (in memory; cheap). Unknown kinds and empty paths are
 * ignored (counted in the stats). */
void vigil_inventory_note(struct vigil_inventory *inv, const struct vigil_inventory_use *use);

/* Writes pending rows in one transaction and applies the bounds. Returns 0,
 * or -1 (then vigil_inventory_error() says why and the rows stay pending for
 * the next flush). */
int vigil_inventory_flush(struct vigil_inventory *inv);

/* Flushes, then closes. NULL is allowed. */
void vigil_inventory_close(struct vigil_inventory *inv);

/* The last flush error ("" when none). */
const char *vigil_inventory_error(const struct vigil_inventory *inv);

struct vigil_inventory_stats {
	uint64_t notes;	       /* uses recorded */
	uint64_t ignored;      /* unknown kind, empty or unresolvable path */
	uint64_t dropped;      /* memory bound reached */
	uint64_t fallbacks;    /* process gone before its scope was known */
	uint64_t flushes;      /* successful flushes */
	uint64_t rows_written; /* (scope, file) rows written */
	uint64_t flush_errors; /* failed flushes */
	uint64_t evicted;      /* rows evicted by the bounds */
	size_t pending;	       /* pairs with uses not yet written */
	size_t memory_entries; /* pairs held in memory */
};
void vigil_inventory_stats(const struct vigil_inventory *inv, struct vigil_inventory_stats *out);

/* For tests and tuning: other bounds than the defaults (0 keeps one). */
void vigil_inventory_set_limits(struct vigil_inventory *inv, size_t max_files_per_scope,
				size_t max_scopes, size_t max_rows);
/* For tests: the procfs and the host root used for scope resolution
 * (default "/proc" and "/"). Clears the scope cache. */
int vigil_inventory_set_roots(struct vigil_inventory *inv, const char *procfs,
			      const char *hostroot);

/* ------------------------------------------------------------------------ */
/* Scope resolution (inventory_scope.c)                                      */

struct vigil_scope {
	char name[VIGIL_INV_NAME_MAX];
	char kind[12]; /* "host", "container", "chroot", "mntns" */
	/* Where the scope's files are, seen from the host: "/" for the host,
	 * the chroot directory, or /proc/PID/root for a container or mount
	 * namespace (valid while that process lives). */
	char root[VIGIL_INV_ROOT_MAX];
	char container_id[80];
	uint32_t pid;	/* the process root was taken from */
	uint32_t mntns; /* 0 when unknown */
	bool fallback;	/* the process was gone: scope guessed (cached or host) */
};

struct vigil_scope_cache;

/* procfs NULL = "/proc"; hostroot NULL = "/". */
struct vigil_scope_cache *vigil_scope_cache_new(const char *procfs, const char *hostroot);
void vigil_scope_cache_free(struct vigil_scope_cache *c);

/* The scope of process tgid (mount namespace mntns, container id or ""/NULL).
 * Cached per (tgid, mntns); refresh re-reads /proc (an exec). The result
 * lives until the next call. Never NULL. */
const struct vigil_scope *vigil_scope_resolve(struct vigil_scope_cache *c, uint32_t tgid,
					      uint32_t mntns, const char *container_id,
					      bool refresh);

/* The kernel's path as a path inside scope s (a chroot's prefix stripped;
 * ".", ".." and repeated slashes removed). Returns false when the path is
 * not inside a chroot scope's root (it then belongs to the host). */
bool vigil_scope_path(const struct vigil_scope *s, const char *kpath, char *out, size_t outsz);

/* Whether process pid still exists. */
bool vigil_scope_pid_alive(const struct vigil_scope_cache *c, uint32_t pid);

/* ------------------------------------------------------------------------ */
/* Reading the inventory back (`vigil vuln`)                                 */

struct vigil_inv_scope_info {
	char name[VIGIL_INV_NAME_MAX];
	char kind[12];
	char root[VIGIL_INV_ROOT_MAX];
	char container_id[80];
	uint32_t pid;
	uint32_t mntns;
	uint64_t first_ns; /* observed period: first use or agent start */
	uint64_t last_ns;  /* last flush while the scope was alive */
	uint64_t files;	   /* rows held */
	uint64_t evicted;  /* rows evicted by the bounds */
	uint64_t fallbacks;
};

struct vigil_inv_file {
	char *path; /* inside the scope's root */
	char kind[8];
	uint64_t first_ns, last_ns, use_count;
	uint32_t pid; /* the first process seen using it */
	char *exe;
	char comm[32];
	bool fallback; /* the scope was guessed (the process had exited) */
};

/* Every scope, ordered by name ("host" first). Returns 0 or -1 (err). */
int vigil_inventory_scopes(const char *state_dir, struct vigil_inv_scope_info **out, size_t *n,
			   char *err, size_t errsz);
/* The scope named name, or the only one whose name starts with it (a short
 * container id). Returns 0, or -1 with err (listing the scopes known). */
int vigil_inventory_find_scope(const char *state_dir, const char *name,
			       struct vigil_inv_scope_info *out, char *err, size_t errsz);
/* The scope's files, ordered by path. */
int vigil_inventory_files(const char *state_dir, const char *scope, struct vigil_inv_file **out,
			  size_t *n, char *err, size_t errsz);
void vigil_inventory_files_free(struct vigil_inv_file *files, size_t n);

/* A root to read the scope's package database from now: "/" or the chroot
 * directory; for a container or mount namespace, /proc/PID/root of a live
 * process in it (the recorded one, else one found by container id or mount
 * namespace). Returns 0, or -1 with err when none is running. */
int vigil_scope_live_root(const struct vigil_inv_scope_info *s, const char *procfs, char *root,
			  size_t rootsz, char *err, size_t errsz);

#endif /* VIGIL_INVENTORY_H */
