/* loader.c - skeleton lifecycle for the sensor families.
 *
 * The process family is loaded first and owns the shared maps (ring buffer,
 * counters, filter, in-flight syscalls, scratch); every other family reuses
 * their fds. A program is loaded only when its event type is wanted and its
 * hook exists on this kernel; a failing program is reported, not fatal.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "event_types.h"
#include "loader.h"
#include "probe.h"
#include "cred.skel.h"
#include "file.skel.h"
#include "inventory.skel.h"
#include "kernel.skel.h"
#include "net.skel.h"
#include "process.skel.h"

#define MAX_LINKS 192
#define TRACEFS	  "/sys/kernel/tracing"

struct family {
	const char *name;
	void *skel;
	struct bpf_object *obj;
	void (*destroy)(void *skel);
};

struct vigil_sensors {
	struct family fams[6];
	int nfams;
	struct bpf_link *links[MAX_LINKS];
	int nlinks;
	int wanted_fd, stats_fd, ringbuf_fd, read_dirs_fd;
};

#define FAMILY_OPS(fam)                                                                            \
	static struct bpf_object *open_##fam(void **skel)                                          \
	{                                                                                          \
		struct vigil_##fam *s = vigil_##fam##__open();                                     \
		if (!s)                                                                            \
			return NULL;                                                               \
		s->rodata->self_pid = getpid();                                                    \
		*skel = s;                                                                         \
		return s->obj;                                                                     \
	}                                                                                          \
	static void destroy_##fam(void *skel)                                                      \
	{                                                                                          \
		vigil_##fam##__destroy(skel);                                                      \
	}

FAMILY_OPS(process)
FAMILY_OPS(cred)
FAMILY_OPS(file)
FAMILY_OPS(net)
FAMILY_OPS(kernel)
FAMILY_OPS(inventory)

static const struct {
	const char *name;
	struct bpf_object *(*open)(void **skel);
	void (*destroy)(void *skel);
} family_table[] = {
    {"process", open_process, destroy_process}, {"cred", open_cred, destroy_cred},
    {"file", open_file, destroy_file},		{"net", open_net, destroy_net},
    {"kernel", open_kernel, destroy_kernel},	{"inventory", open_inventory, destroy_inventory},
};

#define SHARED_MAPS                                                                                \
	{                                                                                          \
		"events", "stats", "wanted", "inflight", "scratch", "read_dirs"                    \
	}

int vigil_ensure_tracefs(void)
{
	struct stat st;

	if (stat(TRACEFS "/events", &st) == 0 || stat("/sys/kernel/debug/tracing/events", &st) == 0)
		return 0;
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY)
		return -errno;
	return 0;
}

/* The event type a program reports: enter_X/exit_X name the syscall. */
static uint32_t program_type(const char *prog)
{
	const char *sys = NULL;

	if (strcmp(prog, "handle_sched_exec") == 0)
		return VIGIL_EVT_EXECVE;
	if (strcmp(prog, "handle_sched_fork") == 0)
		return VIGIL_EVT_CLONE;
	if (strcmp(prog, "handle_sched_exit") == 0)
		return VIGIL_EVT_PROCEXIT;
	if (strcmp(prog, "handle_exec_interp") == 0)
		return VIGIL_EVT_MMAP;
	if (strncmp(prog, "enter_", 6) == 0)
		sys = prog + 6;
	else if (strncmp(prog, "exit_", 5) == 0)
		sys = prog + 5;
	else if (strncmp(prog, "fentry_", 7) == 0)
		sys = prog + 7;
	else if (strncmp(prog, "fexit_", 6) == 0)
		sys = prog + 6;
	if (!sys)
		return VIGIL_EVT_NONE;
	if (strcmp(sys, "umount") == 0)
		return VIGIL_EVT_UMOUNT2;
	return vigil_type_by_name(sys);
}

static bool program_wanted(const char *prog, const bool wanted[VIGIL_EVT_MAX])
{
	uint32_t type = program_type(prog);

	if (type == VIGIL_EVT_EXECVE || type == VIGIL_EVT_EXECVEAT)
		return wanted[VIGIL_EVT_EXECVE] || wanted[VIGIL_EVT_EXECVEAT];
	return type != VIGIL_EVT_NONE && wanted[type];
}

static enum vigil_syscall_hooks program_hooks(const char *prog)
{
	if (strncmp(prog, "fentry_", 7) == 0 || strncmp(prog, "fexit_", 6) == 0)
		return VIGIL_HOOKS_FEXIT;
	if (strncmp(prog, "enter_", 6) == 0 || strncmp(prog, "exit_", 5) == 0)
		return VIGIL_HOOKS_TRACEPOINT;
	return VIGIL_HOOKS_AUTO; /* not a syscall hook: always used */
}

static bool tracepoint_exists(const char *tp)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), TRACEFS "/events/syscalls/%s", tp);
	if (stat(path, &st) == 0)
		return true;
	snprintf(path, sizeof(path), "/sys/kernel/debug/tracing/events/syscalls/%s", tp);
	return stat(path, &st) == 0;
}

/* Syscall hooks exist only for syscalls this kernel has: a tracepoint
 * directory, or a __x64_sys_* function in the kernel's BTF. */
static bool hook_exists(const struct bpf_program *prog, const struct btf *vmlinux)
{
	const char *sec = bpf_program__section_name(prog);
	const char *tp = "tracepoint/syscalls/", *fn;

	if (strncmp(sec, tp, strlen(tp)) == 0)
		return tracepoint_exists(sec + strlen(tp));
	fn = strchr(sec, '/');
	if (fn && program_hooks(bpf_program__name(prog)) == VIGIL_HOOKS_FEXIT)
		return vmlinux && btf__find_by_name_kind(vmlinux, fn + 1, BTF_KIND_FUNC) >= 0;
	return true;
}

const char *vigil_hooks_name(enum vigil_syscall_hooks h)
{
	return h == VIGIL_HOOKS_FEXIT	     ? "fexit"
	       : h == VIGIL_HOOKS_TRACEPOINT ? "tracepoint"
					     : "auto";
}

static void note_missing(struct vigil_load_report *r, const char *prog, const char *why)
{
	size_t n = strlen(r->missing);

	snprintf(r->missing + n, sizeof(r->missing) - n, "%s%s (%s)", n ? ", " : "", prog, why);
}

/* Decides autoload per program; returns how many will load. */
static int select_programs(struct bpf_object *obj, const struct vigil_loader_opts *opts,
			   const struct btf *vmlinux, struct vigil_load_report *r)
{
	struct bpf_program *prog;
	int n = 0;

	bpf_object__for_each_program(prog, obj)
	{
		const char *name = bpf_program__name(prog);
		enum vigil_syscall_hooks kind = program_hooks(name);
		bool on = program_wanted(name, opts->wanted) &&
			  (kind == VIGIL_HOOKS_AUTO || kind == r->hooks);

		if (on && !hook_exists(prog, vmlinux)) {
			r->unavailable++;
			note_missing(r, name, "no such tracepoint on this kernel");
			on = false;
		}
		bpf_program__set_autoload(prog, on);
		n += on;
	}
	return n;
}

static int share_maps(struct bpf_object *owner, struct bpf_object *obj)
{
	static const char *const names[] = SHARED_MAPS;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct bpf_map *src = bpf_object__find_map_by_name(owner, names[i]);
		struct bpf_map *dst = bpf_object__find_map_by_name(obj, names[i]);
		int err;

		if (!src || !dst)
			return -ENOENT;
		err = bpf_map__reuse_fd(dst, bpf_map__fd(src));
		if (err)
			return err;
	}
	return 0;
}

static int size_owner_maps(struct bpf_object *owner, const struct vigil_loader_opts *opts)
{
	int cpus = libbpf_num_possible_cpus();
	int err;

	if (cpus <= 0)
		return cpus ? cpus : -EINVAL;
	err = bpf_map__set_max_entries(bpf_object__find_map_by_name(owner, "scratch"), cpus);
	if (!err && opts->ringbuf_bytes)
		err = bpf_map__set_max_entries(bpf_object__find_map_by_name(owner, "events"),
					       opts->ringbuf_bytes);
	return err;
}

static int load_families(struct vigil_sensors *s, const struct vigil_loader_opts *opts,
			 const struct btf *vmlinux, struct vigil_load_report *r,
			 struct bpf_object **ownerp, char *err, size_t errsz)
{
	struct bpf_object *owner = NULL;
	int rc;

	for (size_t i = 0; i < sizeof(family_table) / sizeof(family_table[0]); i++) {
		struct family *f = &s->fams[s->nfams];

		f->name = family_table[i].name;
		f->destroy = family_table[i].destroy;
		f->obj = family_table[i].open(&f->skel);
		if (!f->obj) {
			snprintf(err, errsz, "cannot open the %s sensors: %s", f->name,
				 strerror(errno));
			return -errno;
		}
		s->nfams++;
		/* The owner always loads (it creates the shared maps); others only
		 * when one of their programs is wanted. */
		if (select_programs(f->obj, opts, vmlinux, r) == 0 && owner) {
			f->destroy(f->skel);
			s->nfams--;
			continue;
		}
		rc = owner ? share_maps(owner, f->obj) : size_owner_maps(f->obj, opts);
		if (!rc)
			rc = bpf_object__load(f->obj);
		if (rc) {
			snprintf(err, errsz, "cannot load the %s sensors: %s", f->name,
				 strerror(-rc));
			return rc;
		}
		if (!owner)
			owner = f->obj;
	}
	*ownerp = owner;
	return 0;
}

static int open_and_load(struct vigil_sensors *s, const struct vigil_loader_opts *opts,
			 struct vigil_load_report *r, char *err, size_t errsz)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	struct bpf_object *owner = NULL;
	int rc;

	rc = load_families(s, opts, vmlinux, r, &owner, err, errsz);
	btf__free(vmlinux);
	if (rc)
		return rc;
	s->wanted_fd = bpf_map__fd(bpf_object__find_map_by_name(owner, "wanted"));
	s->stats_fd = bpf_map__fd(bpf_object__find_map_by_name(owner, "stats"));
	s->ringbuf_fd = bpf_map__fd(bpf_object__find_map_by_name(owner, "events"));
	s->read_dirs_fd = bpf_map__fd(bpf_object__find_map_by_name(owner, "read_dirs"));
	return 0;
}

static void attach_all(struct vigil_sensors *s, struct vigil_load_report *r)
{
	for (int i = 0; i < s->nfams; i++) {
		struct bpf_program *prog;

		bpf_object__for_each_program(prog, s->fams[i].obj)
		{
			struct bpf_link *link;
			char why[64];

			if (!bpf_program__autoload(prog))
				continue;
			link = bpf_program__attach(prog);
			if (!link || s->nlinks == MAX_LINKS) {
				snprintf(why, sizeof(why), "attach failed: %s", strerror(errno));
				note_missing(r, bpf_program__name(prog), why);
				r->failed++;
				bpf_link__destroy(link);
				continue;
			}
			s->links[s->nlinks++] = link;
			r->attached++;
		}
	}
}

int vigil_sensors_set_wanted(struct vigil_sensors *s, const bool wanted[VIGIL_EVT_MAX])
{
	for (uint32_t t = 0; t < VIGIL_EVT_MAX; t++) {
		uint32_t on = wanted[t];

		if (bpf_map_update_elem(s->wanted_fd, &t, &on, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* Empties the map, then fills it; the all-zero key (filter on) goes last so
 * that no open is dropped while the list is incomplete. */
int vigil_sensors_set_read_dirs(struct vigil_sensors *s, char (*dirs)[VIGIL_DIR_KEY_LEN], size_t n,
				bool on)
{
	char key[VIGIL_DIR_KEY_LEN], next[VIGIL_DIR_KEY_LEN];
	uint8_t one = 1;

	memset(key, 0, sizeof(key));
	bpf_map_delete_elem(s->read_dirs_fd, key);
	while (bpf_map_get_next_key(s->read_dirs_fd, NULL, next) == 0)
		bpf_map_delete_elem(s->read_dirs_fd, next);
	if (!on)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (bpf_map_update_elem(s->read_dirs_fd, dirs[i], &one, BPF_ANY))
			return -errno;
	return bpf_map_update_elem(s->read_dirs_fd, key, &one, BPF_ANY) ? -errno : 0;
}

int vigil_sensors_start(struct vigil_sensors **out, const struct vigil_loader_opts *opts,
			struct vigil_load_report *report, char *err, size_t errsz)
{
	struct vigil_sensors *s = calloc(1, sizeof(*s));
	int rc;

	memset(report, 0, sizeof(*report));
	report->hooks = opts->hooks;
	if (!s) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	if (report->hooks != VIGIL_HOOKS_TRACEPOINT) {
		bool fentry = vigil_probe_fentry();

		if (report->hooks == VIGIL_HOOKS_FEXIT && !fentry) {
			snprintf(err, errsz,
				 "fexit syscall hooks are not available on this kernel (BPF "
				 "trampolines refused); use --syscall-hooks tracepoint or auto");
			free(s);
			return -ENOTSUP;
		}
		report->hooks = fentry ? VIGIL_HOOKS_FEXIT : VIGIL_HOOKS_TRACEPOINT;
	}
	rc = open_and_load(s, opts, report, err, errsz);
	if (!rc && (rc = vigil_sensors_set_wanted(s, opts->wanted)))
		snprintf(err, errsz, "cannot set the event filter: %s", strerror(-rc));
	if (rc) {
		vigil_sensors_stop(s);
		return rc;
	}
	attach_all(s, report);
	if (report->attached == 0) {
		snprintf(err, errsz, "no sensor could be attached: %s", report->missing);
		vigil_sensors_stop(s);
		return -ENOTSUP;
	}
	*out = s;
	return 0;
}

int vigil_sensors_map_fd(const struct vigil_sensors *s, const char *name)
{
	struct bpf_map *m = s->nfams ? bpf_object__find_map_by_name(s->fams[0].obj, name) : NULL;

	return m ? bpf_map__fd(m) : -ENOENT;
}

void vigil_bpf_object_ids(struct bpf_object *obj, struct bpf_link *const *links, int nlinks,
			  void (*cb)(void *arg, int kind, uint32_t id), void *arg)
{
	struct bpf_map *m;

	for (m = obj ? bpf_object__next_map(obj, NULL) : NULL; m;
	     m = bpf_object__next_map(obj, m)) {
		struct bpf_map_info info = {0};
		uint32_t len = sizeof(info);

		if (bpf_map__fd(m) >= 0 && !bpf_obj_get_info_by_fd(bpf_map__fd(m), &info, &len))
			cb(arg, 1, info.id);
	}
	for (int i = 0; i < nlinks; i++) {
		struct bpf_link_info info = {0};
		uint32_t len = sizeof(info);

		if (!bpf_obj_get_info_by_fd(bpf_link__fd(links[i]), &info, &len))
			cb(arg, 2, info.id);
	}
}

void vigil_sensors_ids(const struct vigil_sensors *s, void (*cb)(void *arg, int kind, uint32_t id),
		       void *arg)
{
	for (int i = 0; i < s->nfams; i++)
		vigil_bpf_object_ids(s->fams[i].obj, NULL, 0, cb, arg);
	vigil_bpf_object_ids(NULL, s->links, s->nlinks, cb, arg);
}

int vigil_sensors_ringbuf_fd(const struct vigil_sensors *s)
{
	return s->ringbuf_fd;
}

int vigil_sensors_read_stats(const struct vigil_sensors *s, struct vigil_stats *per_cpu,
			     int max_cpus)
{
	int cpus = libbpf_num_possible_cpus();
	uint32_t zero = 0;
	struct vigil_stats *vals;

	if (cpus <= 0)
		return -EINVAL;
	vals = calloc((size_t)cpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(s->stats_fd, &zero, vals)) {
		free(vals);
		return -errno;
	}
	if (cpus > max_cpus)
		cpus = max_cpus;
	memcpy(per_cpu, vals, (size_t)cpus * sizeof(*vals));
	free(vals);
	return cpus;
}

#define DETACH_THREADS 8

struct detach_job {
	struct bpf_link **links;
	int first, step, n;
};

static void *detach_some(void *arg)
{
	struct detach_job *j = arg;

	for (int i = j->first; i < j->n; i += j->step)
		bpf_link__destroy(j->links[i]);
	return NULL;
}

/* Each detach waits for an RCU grace period; doing them from several threads
 * lets the waits overlap (100 links: ~5 s in series, well under 1 s so). */
void vigil_sensors_detach(struct vigil_sensors *s)
{
	struct detach_job jobs[DETACH_THREADS];
	pthread_t tids[DETACH_THREADS];
	bool started[DETACH_THREADS] = {0};

	for (int i = 0; i < DETACH_THREADS; i++) {
		jobs[i] = (struct detach_job){s->links, i, DETACH_THREADS, s->nlinks};
		started[i] = pthread_create(&tids[i], NULL, detach_some, &jobs[i]) == 0;
		if (!started[i])
			detach_some(&jobs[i]);
	}
	for (int i = 0; i < DETACH_THREADS; i++)
		if (started[i])
			pthread_join(tids[i], NULL);
	s->nlinks = 0;
}

void vigil_sensors_stop(struct vigil_sensors *s)
{
	if (!s)
		return;
	vigil_sensors_detach(s);
	for (int i = s->nfams - 1; i >= 0; i--)
		s->fams[i].destroy(s->fams[i].skel);
	free(s);
}
