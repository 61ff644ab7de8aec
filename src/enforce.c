/* enforce.c - loading the enforcement programs and keeping their policy
 * maps current.
 *
 * Policies live twice in the maps (slot 0 and 1). An update compiles the new
 * set into the slot not in use, flips pol_state.slot in one map write, waits
 * for programs still reading the old slot to finish, then empties it.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "container.h"
#include "enforce.h"
#include "enforce.skel.h"
#include "enforce_fallback.skel.h"
#include "probe.h"

#define MAX_LINKS 64

static const char *const shared_maps[] = {"events", "stats", "scratch"};
static const char *const policy_maps[] = {"pol_state",	"pol_conf", "pol_obj",
					  "pol_cgroup", "pol_net4", "pol_net6",
					  "pol_ports",	"pol_task", "pol_own"};

struct vigil_enforcer {
	struct vigil_enforce_opts opts;
	bool lsm;
	struct vigil_enforce *lsm_skel;
	struct vigil_enforce_fallback *fb_skel;
	struct bpf_object *obj;
	struct bpf_link *links[MAX_LINKS];
	const char *link_names[MAX_LINKS];
	int nlinks;
	int cgroup_fd;
	int state_fd, conf_fd, obj_fd, cg_fd, net4_fd, net6_fd, ports_fd, own_fd;
	struct vigil_pol_compiled slots[VIGIL_POL_SLOTS];
	unsigned active;
	uint32_t gen;
	struct vigil_pol_conf base; /* agent identity, copied into every slot */
	bool took_over;		    /* an earlier agent's pins were found */
	struct bpf_program *lazy;   /* lsm_file_permission: attached once dirty-pipe is on */
	uint64_t lsm_hooks_missing; /* mitigations whose LSM hooks this kernel lacks */
	bool pinned;
	char describe[512];
	char pin_dir[256];
};

static int map_fd(struct vigil_enforcer *e, const char *name)
{
	return bpf_map__fd(bpf_object__find_map_by_name(e->obj, name));
}

static int share_sensor_maps(struct bpf_object *obj, struct vigil_sensors *s)
{
	for (size_t i = 0; i < sizeof(shared_maps) / sizeof(shared_maps[0]); i++) {
		int fd = vigil_sensors_map_fd(s, shared_maps[i]);
		int err =
		    fd < 0
			? fd
			: bpf_map__reuse_fd(bpf_object__find_map_by_name(obj, shared_maps[i]), fd);

		if (err)
			return err;
	}
	return 0;
}

static void set_self_pid(struct vigil_enforcer *e)
{
	if (e->lsm_skel)
		e->lsm_skel->rodata->self_pid = getpid();
	else
		e->fb_skel->rodata->self_pid = getpid();
}

static int open_objects(struct vigil_enforcer *e)
{
	if (e->lsm) {
		e->lsm_skel = vigil_enforce__open();
		e->obj = e->lsm_skel ? e->lsm_skel->obj : NULL;
	} else {
		e->fb_skel = vigil_enforce_fallback__open();
		e->obj = e->fb_skel ? e->fb_skel->obj : NULL;
	}
	if (!e->obj)
		return -errno;
	set_self_pid(e);
	return 0;
}

/* Fallback hooks for syscalls this kernel lacks (open/creat on some
 * architectures) are left out. */
static void skip_missing_tracepoints(struct vigil_enforcer *e)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, e->obj)
	{
		const char *sec = bpf_program__section_name(prog);
		const char *tp = "tracepoint/syscalls/";
		char path[256];
		struct stat st;

		if (strncmp(sec, tp, strlen(tp)) != 0)
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/tracing/events/syscalls/%s",
			 sec + strlen(tp));
		if (stat(path, &st) != 0)
			bpf_program__set_autoload(prog, false);
	}
}

/* BPF LSM hooks (and BTF tracepoints) this kernel lacks, e.g. userns_create
 * before Linux 6.1, are left out; the mitigations needing them say so. */
static void skip_missing_hooks(struct vigil_enforcer *e)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, e->obj)
	{
		const char *sec = bpf_program__section_name(prog);

		if (strncmp(sec, "lsm/", 4) == 0 &&
		    libbpf_find_vmlinux_btf_id(sec + 4, BPF_LSM_MAC) < 0)
			bpf_program__set_autoload(prog, false);
		if (strcmp(bpf_program__name(prog), "lsm_file_permission") == 0)
			e->lazy = prog;
	}
}

static bool prog_loaded(const struct vigil_enforcer *e, const char *name)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(e->obj, name);

	return prog && bpf_program__autoload(prog);
}

static struct bpf_link *attach_one(struct vigil_enforcer *e, struct bpf_program *prog)
{
	if (bpf_program__type(prog) == BPF_PROG_TYPE_CGROUP_SOCK_ADDR ||
	    bpf_program__type(prog) == BPF_PROG_TYPE_CGROUP_SOCK)
		return bpf_program__attach_cgroup(prog, e->cgroup_fd);
	return bpf_program__attach(prog);
}

static int attach_programs(struct vigil_enforcer *e, char *err, size_t errsz)
{
	struct bpf_program *prog;

	if (!e->lsm) {
		struct vigil_cgroups *cg = vigil_cgroups_new(NULL);
		const char *root =
		    cg && vigil_cgroups_mount(cg)[0] ? vigil_cgroups_mount(cg) : NULL;

		e->cgroup_fd = root ? open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
		vigil_cgroups_free(cg);
		if (e->cgroup_fd < 0) {
			snprintf(err, errsz, "no cgroup v2 hierarchy for the network fallback: %s",
				 root ? strerror(errno) : "cgroup2 is not mounted");
			return -ENOENT;
		}
	}
	bpf_object__for_each_program(prog, e->obj)
	{
		struct bpf_link *link;

		if (!bpf_program__autoload(prog) || prog == e->lazy)
			continue;
		link = attach_one(e, prog);
		if (!link || e->nlinks == MAX_LINKS) {
			snprintf(err, errsz, "cannot attach %s: %s", bpf_program__name(prog),
				 strerror(errno));
			bpf_link__destroy(link);
			return -EINVAL;
		}
		e->link_names[e->nlinks] = bpf_program__name(prog);
		e->links[e->nlinks++] = link;
	}
	return 0;
}

static void take_fds(struct vigil_enforcer *e)
{
	e->state_fd = map_fd(e, "pol_state");
	e->conf_fd = map_fd(e, "pol_conf");
	e->obj_fd = map_fd(e, "pol_obj");
	e->cg_fd = map_fd(e, "pol_cgroup");
	e->net4_fd = map_fd(e, "pol_net4");
	e->net6_fd = map_fd(e, "pol_net6");
	e->ports_fd = map_fd(e, "pol_ports");
	e->own_fd = map_fd(e, "pol_own");
}

/* The initial namespaces: init's (the agent may run in a container with the
 * host's pid namespace), else the agent's own. */
static uint32_t ns_inum(const char *ns)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/1/ns/%s", ns);
	if (stat(path, &st) == 0)
		return (uint32_t)st.st_ino;
	snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
	return stat(path, &st) == 0 ? (uint32_t)st.st_ino : 0;
}

static void set_identity(struct vigil_enforcer *e)
{
	struct stat st;

	e->base.agent_tgid = getpid();
	e->base.agent_parent = getppid();
	e->base.mit.init_userns = ns_inum("user");
	e->base.mit.init_mntns = ns_inum("mnt");
	if (stat("/proc/self/exe", &st) == 0) {
		e->base.agent_dev = (uint32_t)st.st_dev;
		e->base.agent_ino = st.st_ino;
	}
}

static void own_id(void *arg, int kind, uint32_t id)
{
	struct vigil_enforcer *e = arg;
	uint64_t key = (uint64_t)kind << 32 | id;
	uint8_t one = 1;

	bpf_map_update_elem(e->own_fd, &key, &one, BPF_ANY);
}

/* Every map and link of the agent, so that no other process may take them
 * for writing or detach them. */
static void register_own_ids(struct vigil_enforcer *e, struct vigil_sensors *s)
{
	vigil_sensors_ids(s, own_id, e);
	vigil_bpf_object_ids(e->obj, e->links, e->nlinks, own_id, e);
}

static void describe(struct vigil_enforcer *e, const char *why)
{
	if (e->lsm)
		snprintf(e->describe, sizeof(e->describe),
			 "BPF LSM: every area enforced in the kernel before the operation "
			 "(bprm_check_security, file_open, path_*, socket_*, capable, "
			 "ptrace_access_check, kernel_read_file, kernel_load_data, bpf, bpf_map, "
			 "sb_mount, task_kill)");
	else
		snprintf(e->describe, sizeof(e->describe),
			 "no BPF LSM (%s): network blocked synchronously by cgroup socket hooks; "
			 "exec, open, ptrace, module load, bpf and mount enforced by killing the "
			 "process at the syscall (reported as killed); capabilities, signals, "
			 "file delete/rename/chmod/chown/create and self-protection not enforced",
			 why);
}

static int write_conf(struct vigil_enforcer *e, unsigned slot, const struct vigil_pol_conf *c)
{
	return bpf_map_update_elem(e->conf_fd, &slot, c, BPF_ANY) ? -errno : 0;
}

static int set_active_slot(struct vigil_enforcer *e, unsigned slot)
{
	struct vigil_pol_state st = {.slot = slot};
	uint32_t zero = 0;

	return bpf_map_update_elem(e->state_fd, &zero, &st, BPF_ANY) ? -errno : 0;
}

/* ---- --persist: pins, and taking over from an earlier agent ---- */

static void pin_path(struct vigil_enforcer *e, char *out, size_t n, const char *kind,
		     const char *name)
{
	snprintf(out, n, "%s/%s_%s", e->pin_dir, kind, name);
}

static void remove_pins(const char *dir)
{
	struct dirent *d;
	char path[512];
	DIR *dp = opendir(dir);

	if (!dp)
		return;
	while ((d = readdir(dp)))
		if (d->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
			unlink(path);
		}
	closedir(dp);
	rmdir(dir);
}

static int pin_all(struct vigil_enforcer *e)
{
	struct bpf_map *m;
	char path[512];
	struct stat st;

	if (mkdir(e->pin_dir, 0700) && errno != EEXIST)
		return -errno;
	for (int i = 0; i < e->nlinks; i++) {
		pin_path(e, path, sizeof(path), "link", e->link_names[i]);
		if (bpf_link__pin(e->links[i], path))
			return -errno;
	}
	for (size_t i = 0; i < sizeof(policy_maps) / sizeof(policy_maps[0]); i++) {
		m = bpf_object__find_map_by_name(e->obj, policy_maps[i]);
		pin_path(e, path, sizeof(path), "map", policy_maps[i]);
		if (bpf_map__pin(m, path))
			return -errno;
	}
	if (stat(e->pin_dir, &st) == 0) {
		e->base.pin_dir_dev = (uint32_t)st.st_dev;
		e->base.pin_dir_ino = st.st_ino;
	}
	return 0;
}

/* An earlier agent's pins are removed (detaching its programs) once ours
 * enforce; ours are pinned after that. */
static void replace_old_pins(struct vigil_enforcer *e)
{
	struct stat st;
	int rc;

	if (e->took_over) {
		remove_pins(e->pin_dir);
		if (stat(e->pin_dir, &st) == 0)
			fprintf(
			    stderr,
			    "vigil: warning: cannot remove the earlier agent's pins in %s: %s\n",
			    e->pin_dir, strerror(errno));
		else
			fprintf(stderr, "vigil: took over from the enforcement left pinned by an "
					"earlier agent\n");
		e->took_over = false;
	}
	if (e->opts.persist && !e->pinned) {
		rc = pin_all(e);
		e->pinned = true;
		if (rc)
			fprintf(stderr,
				"vigil: warning: cannot pin the enforcement programs in %s: %s\n",
				e->pin_dir, strerror(-rc));
	}
}

/* ---- start / stop ---- */

/* libbpf's messages while loading, so that a refusal (the verifier's log)
 * can be shown when loading fails. */
static char load_log[8192];
static size_t load_log_len;

static int capture_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static char line[65536];
	const char *p = line;
	int n;

	if (level == LIBBPF_DEBUG)
		return 0;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n <= 0)
		return 0;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if ((size_t)n > sizeof(load_log) / 2) { /* a verifier log: its end says why */
		p = line + n - sizeof(load_log) / 2;
		n = sizeof(load_log) / 2;
	}
	if (load_log_len + (size_t)n >= sizeof(load_log)) {
		/* keep the tail: the verifier's verdict is at the end */
		size_t keep = sizeof(load_log) / 2;

		memmove(load_log, load_log + load_log_len - keep, keep);
		load_log_len = keep;
	}
	memcpy(load_log + load_log_len, p, (size_t)n);
	load_log_len += (size_t)n;
	load_log[load_log_len] = '\0';
	return 0;
}

static int load_object(struct vigil_enforcer *e)
{
	libbpf_print_fn_t old = libbpf_set_print(capture_print);
	int rc;

	load_log_len = 0;
	load_log[0] = '\0';
	rc = bpf_object__load(e->obj);
	libbpf_set_print(old);
	if (rc) {
		const char *tail = load_log_len > 1500 ? load_log + load_log_len - 1500 : load_log;

		fprintf(stderr, "vigil: the kernel refused the enforcement programs:\n%s", tail);
	}
	return rc;
}

static int load_and_attach(struct vigil_enforcer *e, struct vigil_sensors *s, char *err,
			   size_t errsz)
{
	int rc = open_objects(e);

	if (rc) {
		snprintf(err, errsz, "cannot open the enforcement programs: %s", strerror(-rc));
		return rc;
	}
	if (!e->lsm) {
		skip_missing_tracepoints(e);
	} else {
		skip_missing_hooks(e);
		e->lsm_hooks_missing = vigil_probe_mitigations_without_lsm_hook();
	}
	rc = share_sensor_maps(e->obj, s);
	if (!rc)
		rc = load_object(e);
	if (rc) {
		snprintf(err, errsz, "cannot load the enforcement programs: %s", strerror(-rc));
		return rc;
	}
	take_fds(e);
	set_identity(e);
	/* The maps start empty: slot 0 active, nothing selected. */
	rc = write_conf(e, 0, &e->base) ?: write_conf(e, 1, &e->base) ?: set_active_slot(e, 0);
	if (rc) {
		snprintf(err, errsz, "cannot initialise the policy maps: %s", strerror(-rc));
		return rc;
	}
	return attach_programs(e, err, errsz);
}

int vigil_enforcer_start(struct vigil_enforcer **out, struct vigil_sensors *sensors,
			 const struct vigil_enforce_opts *opts, char *err, size_t errsz)
{
	struct vigil_enforcer *e = calloc(1, sizeof(*e));
	char why[128] = "";
	int rc;

	if (!e) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	e->opts = *opts;
	e->cgroup_fd = -1;
	snprintf(e->pin_dir, sizeof(e->pin_dir), "%s",
		 opts->pin_dir ? opts->pin_dir : VIGIL_PIN_DIR);
	e->lsm = vigil_probe_lsm(why, sizeof(why));
	describe(e, why);
	/* An earlier agent's pins (--persist) are taken over by any agent. */
	{
		struct stat st;

		e->took_over = stat(e->pin_dir, &st) == 0;
	}
	rc = load_and_attach(e, sensors, err, errsz);
	if (rc) {
		vigil_enforcer_stop(e);
		return rc;
	}
	register_own_ids(e, sensors);
	*out = e;
	return 0;
}

bool vigil_enforcer_has_lsm(const struct vigil_enforcer *e)
{
	return e->lsm;
}

const char *vigil_enforcer_describe(const struct vigil_enforcer *e)
{
	return e->describe;
}

const struct vigil_pol_compiled *vigil_enforcer_slot(const struct vigil_enforcer *e, unsigned slot)
{
	return slot < VIGIL_POL_SLOTS ? &e->slots[slot] : NULL;
}

/* After a persist exit no live process may pass for the agent. */
static void forget_agent(struct vigil_enforcer *e)
{
	for (unsigned s = 0; s < VIGIL_POL_SLOTS; s++) {
		struct vigil_pol_conf c;

		if (bpf_map_lookup_elem(e->conf_fd, &s, &c))
			continue;
		c.agent_tgid = 0;
		c.agent_parent = 0;
		write_conf(e, s, &c);
	}
}

void vigil_enforcer_stop(struct vigil_enforcer *e)
{
	if (!e)
		return;
	if (e->opts.persist && e->obj && e->nlinks) {
		forget_agent(e);
		for (int i = 0; i < e->nlinks; i++)
			bpf_link__disconnect(e->links[i]);
	}
	for (int i = 0; i < e->nlinks; i++)
		bpf_link__destroy(e->links[i]);
	if (e->lsm_skel)
		vigil_enforce__destroy(e->lsm_skel);
	if (e->fb_skel)
		vigil_enforce_fallback__destroy(e->fb_skel);
	if (e->cgroup_fd >= 0)
		close(e->cgroup_fd);
	for (unsigned s = 0; s < VIGIL_POL_SLOTS; s++)
		vigil_pol_compiled_free(&e->slots[s]);
	free(e);
}

/* ---- applying a policy set ---- */

static int write_objs(struct vigil_enforcer *e, unsigned slot, const struct vigil_pol_compiled *c,
		      bool remove)
{
	for (size_t i = 0; i < c->nobjs; i++) {
		struct vigil_pol_obj_key k = c->objs[i].key;

		k.slot_kind = slot << 8 | (k.slot_kind & 0xff);
		if (remove)
			bpf_map_delete_elem(e->obj_fd, &k);
		else if (bpf_map_update_elem(e->obj_fd, &k, &c->objs[i].val, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int write_cgroups(struct vigil_enforcer *e, unsigned slot,
			 const struct vigil_pol_compiled *c, bool remove)
{
	for (size_t i = 0; i < c->ncgs; i++) {
		struct vigil_pol_cg_key k = {.cgid = c->cgs[i].cgid, .slot = slot};

		if (remove)
			bpf_map_delete_elem(e->cg_fd, &k);
		else if (bpf_map_update_elem(e->cg_fd, &k, &c->cgs[i].val, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int write_nets(struct vigil_enforcer *e, unsigned slot, const struct vigil_pol_compiled *c,
		      bool remove)
{
	for (size_t i = 0; i < c->nnets; i++) {
		const struct vigil_pol_net_entry *n = &c->nets[i];
		int fd = n->family == AF_INET ? e->net4_fd : e->net6_fd;
		union {
			struct vigil_pol_net4_key v4;
			struct vigil_pol_net6_key v6;
		} k;

		memset(&k, 0, sizeof(k));
		k.v4.prefixlen = 8 + n->prefix;
		k.v4.slot = slot;
		memcpy(n->family == AF_INET ? k.v4.addr : k.v6.addr, n->addr,
		       n->family == AF_INET ? 4 : 16);
		if (remove)
			bpf_map_delete_elem(fd, &k);
		else if (bpf_map_update_elem(fd, &k, &n->rules, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int write_ports(struct vigil_enforcer *e, unsigned slot, const struct vigil_pol_compiled *c,
		       bool remove)
{
	uint64_t zero = 0;

	if (!c->ports)
		return 0;
	for (uint32_t p = 0; p < 65536; p++) {
		uint32_t k = slot * 65536 + p;

		if (!c->ports[p])
			continue;
		if (bpf_map_update_elem(e->ports_fd, &k, remove ? &zero : &c->ports[p], BPF_ANY))
			return -errno;
	}
	return 0;
}

static int write_slot(struct vigil_enforcer *e, unsigned slot, const struct vigil_pol_compiled *c,
		      bool remove)
{
	return write_objs(e, slot, c, remove) ?: write_cgroups(e, slot, c, remove)
		       ?: write_nets(e, slot, c, remove) ?: write_ports(e, slot, c, remove);
}

static bool any_enforcing(const struct vigil_pol_compiled *c)
{
	return c->conf.enforce != 0 || c->conf.mit.all_enforce != 0;
}

/* Programs that read the old slot before the flip finish within an RCU
 * grace period; a short sleep covers it with a wide margin. */
static void wait_for_readers(void)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 50 * 1000 * 1000};

	nanosleep(&ts, NULL);
}

static void fill_identity(struct vigil_enforcer *e, struct vigil_pol_conf *c)
{
	c->agent_tgid = e->base.agent_tgid;
	c->agent_parent = e->base.agent_parent;
	c->agent_dev = e->base.agent_dev;
	c->agent_ino = e->base.agent_ino;
	c->pin_dir_dev = e->base.pin_dir_dev;
	c->pin_dir_ino = e->base.pin_dir_ino;
	c->mit.init_userns = e->base.mit.init_userns;
	c->mit.init_mntns = e->base.mit.init_mntns;
}

/* `--mitigate` on top of the policies' `mitigations:`; the ones that cannot
 * work here stay off (the agent said so at start). */
static void fill_mitigations(struct vigil_enforcer *e, struct vigil_pol_conf *c)
{
	uint64_t usable = 0;
	const char *why;

	for (unsigned id = 0; id < VIGIL_MIT_COUNT; id++)
		if (vigil_enforcer_mitigation_mode(e, id, &why))
			usable |= UINT64_C(1) << id;
	c->mit.all = e->opts.mitigate & usable;
	c->mit.all_enforce = e->opts.mitigate_audit ? 0 : c->mit.all;
	c->mit.any = (c->mit.any | c->mit.all) & usable;
}

/* dirty-pipe's hook runs on every read and write: attached only once a
 * configuration turns it on (and then left attached). */
static int attach_lazy(struct vigil_enforcer *e, const struct vigil_pol_conf *c)
{
	struct bpf_link *link;

	if (!e->lazy || !bpf_program__autoload(e->lazy) ||
	    !(c->mit.any & (UINT64_C(1) << VIGIL_MIT_DIRTY_PIPE)))
		return 0;
	if (e->nlinks == MAX_LINKS)
		return -E2BIG;
	link = bpf_program__attach(e->lazy);
	if (!link)
		return -errno;
	e->link_names[e->nlinks] = bpf_program__name(e->lazy);
	e->links[e->nlinks++] = link;
	e->lazy = NULL;
	return 0;
}

const char *vigil_enforcer_mitigation_mode(const struct vigil_enforcer *e, unsigned id,
					   const char **why)
{
	*why = NULL;
	if (id >= VIGIL_MIT_COUNT) {
		*why = "unknown mitigation";
		return NULL;
	}
	if (id == VIGIL_MIT_SETUID_LOADER_ENV)
		return "kill (at exec)";
	if (e->lsm) {
		if (e->lsm_hooks_missing & (UINT64_C(1) << id)) {
			*why = "this kernel's BPF LSM lacks the hook";
			return NULL;
		}
		return "enforce (BPF LSM)";
	}
	if (id == VIGIL_MIT_MODULE_AUTOLOAD) {
		*why = "needs BPF LSM";
		return NULL;
	}
	if (id == VIGIL_MIT_DCCP_SOCKET || id == VIGIL_MIT_SCTP_SOCKET)
		return "enforce (cgroup hook)";
	if (id == VIGIL_MIT_IO_URING && !prog_loaded(e, "fb_io_uring_setup")) {
		*why = "this kernel has no io_uring_setup tracepoint";
		return NULL;
	}
	return "kill (no BPF LSM)";
}

int vigil_enforcer_apply(struct vigil_enforcer *e, const struct vigil_policy_set *ps,
			 struct vigil_diag *diag)
{
	unsigned next = e->active ^ 1, old = e->active;
	struct vigil_pol_compiled c;
	int rc;

	if (vigil_pol_compile(ps, NULL, &c, diag)) {
		vigil_pol_compiled_free(&c);
		return -EINVAL;
	}
	fill_identity(e, &c.conf);
	fill_mitigations(e, &c.conf);
	c.conf.gen = ++e->gen;
	if (e->opts.self_protect && (any_enforcing(&c) || e->opts.persist))
		c.conf.flags |= VIGIL_POL_PROTECT_SELF;
	rc = attach_lazy(e, &c.conf);
	if (rc) {
		vigil_pol_compiled_free(&c);
		return rc;
	}
	rc = write_slot(e, next, &c, false) ?: write_conf(e, next, &c.conf) ?: set_active_slot(e, next);
	if (rc) {
		write_slot(e, next, &c, true);
		vigil_pol_compiled_free(&c);
		return rc;
	}
	e->active = next;
	vigil_pol_compiled_free(&e->slots[next]);
	e->slots[next] = c;
	wait_for_readers();
	write_slot(e, old, &e->slots[old], true);
	if (e->took_over || (e->opts.persist && !e->pinned)) {
		replace_old_pins(e);
		fill_identity(e, &e->slots[next].conf);
		write_conf(e, next, &e->slots[next].conf);
	}
	return 0;
}
