/* proctable.h - the process table: what Vigil knows about each live process.
 *
 * Seeded from /proc at start, then kept current from exec/fork/exit events.
 * Entries come from a pool allocated once (no allocation per event); lookups
 * are by thread-group id in an open-addressing hash.
 */
#ifndef VIGIL_PROCTABLE_H
#define VIGIL_PROCTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIGIL_PROC_EXE_MAX  512
#define VIGIL_PROC_CWD_MAX  512
#define VIGIL_PROC_ARGS_MAX 1024
#define VIGIL_PROC_COMM_MAX 16

struct vigil_proc {
	uint32_t pid;  /* thread-group id */
	uint32_t ppid; /* parent's thread-group id (0 when unknown) */
	uint32_t uid;
	uint32_t gid;
	uint64_t cgroup_id; /* cgroup v2 id, 0 when unknown */
	uint64_t start_ns;  /* CLOCK_MONOTONIC ns of the exec/fork seen, 0 if seeded */
	char comm[VIGIL_PROC_COMM_MAX];
	char exe[VIGIL_PROC_EXE_MAX]; /* resolved executable path */
	char cwd[VIGIL_PROC_CWD_MAX];
	/* argv, NUL-separated, args_len bytes (argv[0] included) */
	char args[VIGIL_PROC_ARGS_MAX];
	uint16_t args_len;
	/* From the exec event (zero when seeded from /proc or not known). */
	uint32_t tty; /* tty_nr, 0 for none */
	uint32_t sid;
	uint32_t exe_flags; /* VIGIL_EXEC_* */
	uint32_t exe_dev;
	uint64_t cap_effective;
	uint64_t cap_permitted;
	uint64_t cap_inheritable;
	uint64_t exe_ino;
	uint64_t exe_ctime_ns; /* CLOCK_REALTIME */
	uint64_t exe_mtime_ns;
};

struct vigil_proctable;

/* capacity: the most processes tracked at once; beyond it, new ones are not
 * tracked (vigil_proctable_stats reports how many were refused). */
struct vigil_proctable *vigil_proctable_new(size_t capacity);
void vigil_proctable_free(struct vigil_proctable *t);

/* Reads every /proc/<pid> under procfs_root (normally "/proc"). Returns the
 * number of processes added, or a negative errno. */
int vigil_proctable_seed(struct vigil_proctable *t, const char *procfs_root);

struct vigil_proc *vigil_proctable_get(struct vigil_proctable *t, uint32_t pid);

/* A new process: copies the parent's entry (exe, args, cwd, ids) when known. */
struct vigil_proc *vigil_proctable_fork(struct vigil_proctable *t, uint32_t parent_pid,
					uint32_t child_pid, uint64_t ts_ns);

/* A successful exec: replaces exe, args, cwd, comm and ids; creates the entry
 * when the process was not known. argv is NUL-separated, argv_len bytes. */
struct vigil_proc *vigil_proctable_exec(struct vigil_proctable *t, uint32_t pid, uint32_t ppid,
					const char *exe, const char *argv, size_t argv_len,
					const char *cwd, const char *comm, uint32_t uid,
					uint32_t gid, uint64_t cgroup_id, uint64_t ts_ns);

void vigil_proctable_remove(struct vigil_proctable *t, uint32_t pid);

struct vigil_proctable_stats {
	size_t count; /* live entries */
	size_t capacity;
	uint64_t refused; /* inserts refused because the table was full */
};
void vigil_proctable_stats(const struct vigil_proctable *t, struct vigil_proctable_stats *out);

/* argv as one space-separated string (argv[0] excluded when skip_argv0). */
size_t vigil_proc_format_args(const struct vigil_proc *p, bool skip_argv0, char *out, size_t outsz);

#endif /* VIGIL_PROCTABLE_H */
