/* loader.h - opens, loads and attaches the sensor families (BPF skeletons),
 * sharing one ring buffer, filter and counters between them. */
#ifndef VIGIL_LOADER_H
#define VIGIL_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vigil_abi.h"

/* How syscalls are hooked: tracepoints everywhere, or fentry/fexit on the
 * syscall functions where the kernel allows trampolines (cheaper). */
enum vigil_syscall_hooks {
	VIGIL_HOOKS_AUTO = 0,
	VIGIL_HOOKS_TRACEPOINT,
	VIGIL_HOOKS_FEXIT,
};

struct vigil_loader_opts {
	bool wanted[VIGIL_EVT_MAX]; /* types the kernel side emits */
	uint32_t ringbuf_bytes;	    /* power of two, >= page size */
	bool verbose;		    /* libbpf's own messages on stderr */
	enum vigil_syscall_hooks hooks;
};

struct vigil_load_report {
	enum vigil_syscall_hooks hooks; /* what was used (never AUTO) */
	unsigned attached;		/* programs attached */
	unsigned unavailable;		/* programs this kernel lacks the hook for */
	unsigned failed;		/* programs that failed to load or attach */
	char missing[1024];		/* "hook (reason), ..." of the last two kinds */
};

struct vigil_sensors;

/* Loads and attaches what the running kernel supports. On a fatal error
 * returns a negative errno, writes the reason to err, and leaves nothing
 * loaded or attached. */
int vigil_sensors_start(struct vigil_sensors **out, const struct vigil_loader_opts *opts,
			struct vigil_load_report *report, char *err, size_t errsz);

int vigil_sensors_ringbuf_fd(const struct vigil_sensors *s);

/* The fd of one of the shared maps ("events", "stats", "scratch"...). */
int vigil_sensors_map_fd(const struct vigil_sensors *s, const char *name);

struct bpf_object;
struct bpf_link;

/* Calls cb for the id of every map of obj (kind 1; obj may be NULL) and of
 * every link (kind 2). */
void vigil_bpf_object_ids(struct bpf_object *obj, struct bpf_link *const *links, int nlinks,
			  void (*cb)(void *arg, int kind, uint32_t id), void *arg);

/* Calls cb for every map (kind 1) and link (kind 2) id the sensors own. */
void vigil_sensors_ids(const struct vigil_sensors *s, void (*cb)(void *arg, int kind, uint32_t id),
		       void *arg);

/* Changes which types the kernel emits, without reloading. */
int vigil_sensors_set_wanted(struct vigil_sensors *s, const bool wanted[VIGIL_EVT_MAX]);

/* The in-kernel read filter: when on, successful read-only opens are only
 * reported below these top-level directories (NUL-padded names). */
int vigil_sensors_set_read_dirs(struct vigil_sensors *s, char (*dirs)[VIGIL_DIR_KEY_LEN], size_t n,
				bool on);

/* Fills per_cpu[0..n) with the kernel counters; returns the CPU count or <0. */
int vigil_sensors_read_stats(const struct vigil_sensors *s, struct vigil_stats *per_cpu,
			     int max_cpus);

/* Detaches every program; maps stay readable (final drain and counters). */
void vigil_sensors_detach(struct vigil_sensors *s);

/* Detaches and unloads everything. */
void vigil_sensors_stop(struct vigil_sensors *s);

const char *vigil_hooks_name(enum vigil_syscall_hooks h);

/* Mounts tracefs (needed to attach syscall tracepoints) if it is missing. */
int vigil_ensure_tracefs(void);

#endif /* VIGIL_LOADER_H */
