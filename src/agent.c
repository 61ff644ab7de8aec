/* agent.c - the event loop: kernel -> ring buffer -> decode -> process table
 * -> rules and/or event JSON -> output. One direction, no allocation per event. */
#include <bpf/libbpf.h>
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "agent.h"
#include "mitigations.h"
#include "alert.h"
#include "container.h"
#include "decode.h"
#include "event_json.h"
#include "enforce.h"
#include "event_types.h"
#include "inventory.h"
#include "inventory_feed.h"
#include "loader.h"
#include "policy_alert.h"
#include "policy_watch.h"
#include "proctable.h"

#define OUTPUT_BUFFER	   (1 << 20)
#define JSON_LINE_MAX	   (64 * 1024)
#define PROCTABLE_CAPACITY 65536
#define POLL_MS		   50
#define MAX_CPUS	   1024

struct agent {
	const struct vigil_run_opts *opts;
	FILE *out;
	struct vigil_proctable *procs;
	struct vigil_cgroups *cgroups;
	struct vigil_json_ctx json;
	struct vigil_decode_buf decode;
	struct jsonw w;
	char line[JSON_LINE_MAX];
	struct vigil_ruleset *rules;
	struct vigil_sensors *sensors;
	struct vigil_enforcer *enforcer;
	struct vigil_policy_set *policies, *old_policies; /* old: for late decisions */
	struct vigil_policy_set *pending;		  /* loaded, not yet applied */
	struct vigil_policy_watch *watch;
	struct vigil_eval_ctx eval;
	struct vigil_inv_feed *inv; /* runtime inventory; NULL when off */
	bool mmap_loaded;	    /* the mmap sensors were loaded at start */
	char hostname[256];
	uint64_t delivered; /* records read from the ring buffer */
	uint64_t written;   /* lines written out */
	uint64_t alerts;
	uint64_t malformed;
	bool output_failed;
};

static volatile sig_atomic_t stop_requested, reload_requested;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_requested = 1;
}

static int64_t mono_to_real_offset(void)
{
	struct timespec mono, real;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	return ((int64_t)real.tv_sec - mono.tv_sec) * 1000000000ll +
	       ((int64_t)real.tv_nsec - mono.tv_nsec);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void set_execinfo(struct vigil_proc *p, const struct vigil_execinfo *x)
{
	if (!p || !x)
		return;
	p->tty = x->tty;
	p->sid = x->sid;
	p->exe_flags = x->flags;
	p->exe_dev = x->exe_dev;
	p->cap_effective = x->cap_effective;
	p->cap_permitted = x->cap_permitted;
	p->cap_inheritable = x->cap_inheritable;
	p->exe_ino = x->exe_ino;
	p->exe_ctime_ns = x->exe_ctime_ns;
	p->exe_mtime_ns = x->exe_mtime_ns;
}

static void track_process(struct agent *a, const struct vigil_event *ev)
{
	const struct vigil_event_hdr *h = ev->hdr;
	char comm[VIGIL_COMM_LEN + 1];
	struct vigil_proc *p;

	switch (h->type) {
	case VIGIL_EVT_EXECVE:
	case VIGIL_EVT_EXECVEAT:
		if (h->ret != 0)
			return;
		memcpy(comm, h->comm, VIGIL_COMM_LEN);
		comm[VIGIL_COMM_LEN] = '\0';
		p = vigil_proctable_exec(a->procs, h->pid, h->ppid, ev->exe ? ev->exe : "",
					 ev->argv, ev->argv_len, ev->cwd ? ev->cwd : "", comm,
					 h->uid, h->gid, h->cgroup_id, h->ts_mono);
		set_execinfo(p, ev->execinfo);
		return;
	case VIGIL_EVT_CLONE:
		if (!h->args[VIGIL_CLONE_ARG_IS_THREAD])
			vigil_proctable_fork(a->procs, h->pid,
					     (uint32_t)h->args[VIGIL_CLONE_ARG_CHILD_PID],
					     h->ts_mono);
		return;
	default:
		return;
	}
}

static void write_line(struct agent *a, size_t n)
{
	if (a->output_failed)
		return;
	if (fwrite(a->line, 1, n, a->out) != n)
		a->output_failed = true;
	a->written++;
}

static void on_match(const struct vigil_rule *rule, struct vigil_eval_ctx *ctx, void *arg)
{
	struct agent *a = arg;

	a->alerts++;
	write_line(a, vigil_alert_to_json(rule, ctx, a->hostname, &a->w));
}

/* The evaluation context for ev: its process and cgroup, looked up once. */
static struct vigil_eval_ctx *eval_ctx_for(struct agent *a, const struct vigil_event *ev)
{
	struct vigil_eval_ctx *c = &a->eval;

	c->ev = ev;
	c->proc = vigil_proctable_get(a->procs, ev->hdr->pid);
	c->cgroup = vigil_cgroups_lookup(a->cgroups, ev->hdr->cgroup_id);
	c->evt_num++;
	vigil_eval_ctx_reset(c);
	return c;
}

static void write_policy_alert(struct agent *a, const struct vigil_event *ev)
{
	const struct vigil_pol_compiled *slots[2] = {NULL, NULL};

	if (a->enforcer) {
		slots[0] = vigil_enforcer_slot(a->enforcer, 0);
		slots[1] = vigil_enforcer_slot(a->enforcer, 1);
	}
	a->alerts++;
	write_line(a,
		   vigil_policy_alert_to_json(ev, slots, eval_ctx_for(a, ev), a->hostname, &a->w));
}

/* Exec and mmap events feed the runtime inventory. */
/* ctx: the event's process and cgroup, as the rules see them. */
static void note_inventory(struct agent *a, const struct vigil_event *ev,
			   const struct vigil_eval_ctx *ctx)
{
	struct vigil_inv_ctx c = {
	    .exe = ctx->proc ? ctx->proc->exe : NULL,
	    .container_id = ctx->cgroup->container.id,
	    .wall_ns = ev->hdr->ts_mono + a->json.mono_to_real_ns,
	};

	vigil_inv_feed_event(a->inv, ev, &c);
}

static bool inventory_type(uint32_t type)
{
	return type == VIGIL_EVT_MMAP || type == VIGIL_EVT_EXECVE || type == VIGIL_EVT_EXECVEAT;
}

static int handle_record(void *ctx, void *data, size_t size)
{
	struct agent *a = ctx;
	struct vigil_eval_ctx *eval = NULL;
	struct vigil_event ev;
	bool inventory;

	a->delivered++;
	if (vigil_event_decode(data, size, &ev, &a->decode)) {
		a->malformed++;
		return 0;
	}
	if (ev.hdr->type == VIGIL_EVT_POLICY) {
		write_policy_alert(a, &ev);
		return 0;
	}
	track_process(a, &ev);
	inventory = a->inv && inventory_type(ev.hdr->type);
	if (inventory || a->rules)
		eval = eval_ctx_for(a, &ev); /* one process and cgroup lookup for both */
	if (inventory)
		note_inventory(a, &ev, eval);
	if (a->opts->events && a->opts->output_types[ev.hdr->type])
		write_line(a, vigil_event_to_json(&a->json, &ev, &a->w));
	if (a->rules)
		vigil_ruleset_eval(a->rules, eval, on_match, a);
	if (ev.hdr->type == VIGIL_EVT_PROCEXIT)
		vigil_proctable_remove(a->procs, ev.hdr->pid);
	return 0;
}

static int open_output(struct agent *a)
{
	const char *path = a->opts->output_path;

	a->out = path ? fopen(path, "a") : stdout;
	if (!a->out) {
		fprintf(stderr, "vigil: cannot open output file %s: %s\n", path, strerror(errno));
		return -1;
	}
	setvbuf(a->out, NULL, _IOFBF, OUTPUT_BUFFER);
	return 0;
}

/* The runtime inventory (on unless --no-inventory), opened once the sensors
 * run, so that a failed start records no observed period. A state directory
 * that cannot be used does not stop the agent: it runs without the inventory
 * (the mmap sensors then stay filtered out). */
static void open_inventory(struct agent *a)
{
	const char *dir = a->opts->state_dir ? a->opts->state_dir : VIGIL_STATE_DIR_DEFAULT;
	char err[2048];

	if (a->opts->no_inventory)
		return;
	a->inv = vigil_inv_feed_open(dir, err, sizeof(err));
	if (a->inv)
		fprintf(stderr, "vigil: runtime inventory: %s/%s\n", dir, VIGIL_INVENTORY_DB);
	else
		fprintf(stderr,
			"vigil: warning: %s: running without the runtime inventory (see "
			"--state-dir, --no-inventory)\n",
			err);
}

/* Everything the loop needs besides the kernel side; fails before any BPF. */
static int agent_init(struct agent *a, const struct vigil_run_opts *opts)
{
	int seeded;

	memset(a, 0, sizeof(*a));
	a->opts = opts;
	if (open_output(a))
		return -1;
	a->procs = vigil_proctable_new(PROCTABLE_CAPACITY);
	a->cgroups = vigil_cgroups_new(NULL);
	if (!a->procs || !a->cgroups) {
		fprintf(stderr, "vigil: out of memory\n");
		return -1;
	}
	seeded = vigil_proctable_seed(a->procs, "/proc");
	if (seeded < 0)
		fprintf(stderr, "vigil: warning: cannot read /proc: %s\n", strerror(-seeded));
	a->json.procs = a->procs;
	a->json.cgroups = a->cgroups;
	a->json.mono_to_real_ns = mono_to_real_offset();
	if (gethostname(a->hostname, sizeof(a->hostname) - 1))
		snprintf(a->hostname, sizeof(a->hostname), "localhost");
	a->eval.procs = a->procs;
	a->eval.hostname = a->hostname;
	a->eval.mono_to_real_ns = a->json.mono_to_real_ns;
	jsonw_init(&a->w, a->line, sizeof(a->line));
	return 0;
}

static void agent_free(struct agent *a)
{
	if (a->out && a->out != stdout)
		fclose(a->out);
	else if (a->out)
		fflush(a->out);
	vigil_proctable_free(a->procs);
	vigil_cgroups_free(a->cgroups);
	vigil_ruleset_free(a->rules);
	vigil_policies_free(a->policies);
	vigil_policies_free(a->old_policies);
	vigil_policy_watch_free(a->watch);
	vigil_inv_feed_close(a->inv);
}

static void print_stats(struct agent *a, struct vigil_sensors *s)
{
	static struct vigil_stats per_cpu[MAX_CPUS];
	int n = vigil_sensors_read_stats(s, per_cpu, MAX_CPUS);
	uint64_t emitted = 0, dropped = 0, filtered = 0, deduped = 0;

	for (int i = 0; i < n; i++) {
		emitted += per_cpu[i].emitted;
		dropped += per_cpu[i].dropped;
		filtered += per_cpu[i].filtered;
		deduped += per_cpu[i].mmap_deduped;
	}
	fprintf(stderr,
		"vigil: stats {\"generated\":%llu,\"delivered\":%llu,\"dropped\":%llu,"
		"\"written\":%llu,\"alerts\":%llu,\"malformed\":%llu,\"kernel_filtered\":%llu,"
		"\"mmap_deduped\":%llu",
		(unsigned long long)(emitted + dropped), (unsigned long long)a->delivered,
		(unsigned long long)dropped, (unsigned long long)a->written,
		(unsigned long long)a->alerts, (unsigned long long)a->malformed,
		(unsigned long long)filtered, (unsigned long long)deduped);
	vigil_inv_feed_print_stats(a->inv, stderr);
	fprintf(stderr, ",\"cpus\":[");
	for (int i = 0; i < n; i++)
		fprintf(stderr, "%s{\"cpu\":%d,\"emitted\":%llu,\"dropped\":%llu}", i ? "," : "", i,
			(unsigned long long)per_cpu[i].emitted,
			(unsigned long long)per_cpu[i].dropped);
	fprintf(stderr, "]}\n");
}

static int verbose_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* What the kernel emits: what the rules can match, what --events prints,
 * process lifecycle (the process table needs it), and exec and mmap for the
 * runtime inventory. mmap only when one of them asks for it, also with
 * --no-kernel-filter. */
static void kernel_types(const struct agent *a, bool wanted[VIGIL_EVT_MAX])
{
	bool mmap;

	vigil_rules_kernel_types(a->rules, wanted);
	if (a->opts->events)
		for (int t = 0; t < VIGIL_EVT_MAX; t++)
			wanted[t] |= a->opts->output_types[t];
	mmap = wanted[VIGIL_EVT_MMAP] || a->inv;
	if (a->opts->no_kernel_filter)
		for (int t = 0; t < VIGIL_EVT_MAX; t++)
			wanted[t] = t != VIGIL_EVT_NONE;
	wanted[VIGIL_EVT_MMAP] = mmap;
}

/* With rules, every sensor is loaded (a reload may need any type) and the
 * kernel filter is narrowed to what the rules need; mmap is loaded only when
 * wanted at start (a rule about it added later needs a restart), or for the
 * inventory (opened once the sensors run). */
static void loaded_types(const struct agent *a, bool load[VIGIL_EVT_MAX])
{
	kernel_types(a, load);
	load[VIGIL_EVT_MMAP] |= !a->opts->no_inventory;
	if (a->opts->rules)
		for (int t = 1; t < VIGIL_EVT_MAX; t++)
			load[t] |= t != VIGIL_EVT_MMAP;
}

/* The in-kernel read filter follows the rules; with --events every event is
 * printed, so nothing may be dropped. */
static void push_read_filter(struct agent *a)
{
	static char dirs[256][VIGIL_DIR_NAME_MAX];
	struct vigil_dirset set = {.dirs = dirs, .max = 256};
	bool on = !a->opts->events && !a->opts->no_kernel_filter &&
		  vigil_ruleset_read_dirs(a->rules, &set);

	if (vigil_sensors_set_read_dirs(a->sensors, dirs, set.n, on))
		fprintf(stderr,
			"vigil: warning: cannot set the read filter: every open is reported\n");
	else if (on)
		fprintf(stderr,
			"vigil: kernel read filter: read-only opens reported below %zu "
			"top-level directories only\n",
			set.n);
}

/* SIGHUP: load the rules again; swap them in only when the new set is good.
 * The ring buffer keeps filling meanwhile, so no event is lost. */
static void reload_rules(struct agent *a)
{
	struct vigil_diag diag = {0};
	struct vigil_ruleset *rs;
	bool wanted[VIGIL_EVT_MAX];

	reload_requested = 0;
	rs = vigil_load_rule_sources(&a->opts->rule_sources, &diag, stderr);
	if (!rs) {
		fprintf(stderr, "vigil: reload failed (%zu errors): keeping the %zu rules in use\n",
			diag.errors, vigil_ruleset_count(a->rules));
		vigil_diag_free(&diag);
		return;
	}
	vigil_ruleset_free(a->rules);
	a->rules = rs;
	kernel_types(a, wanted);
	if (wanted[VIGIL_EVT_MMAP] && !a->mmap_loaded)
		fprintf(stderr, "vigil: warning: the new rules use mmap events, which were not "
				"loaded at start: they see none until the agent is restarted\n");
	vigil_sensors_set_wanted(a->sensors, wanted);
	push_read_filter(a);
	malloc_trim(0);
	fprintf(stderr, "vigil: rules reloaded: %zu rules loaded, %zu skipped\n",
		vigil_ruleset_count(rs), diag.skipped);
	vigil_diag_free(&diag);
}

/* Loads the -p sources; NULL (with every error printed) when any is bad. */
static struct vigil_policy_set *load_policies(const struct agent *a)
{
	struct vigil_diag diag = {0};
	struct vigil_policy_set *ps;

	ps = vigil_policies_load(a->opts->policy_sources.paths, a->opts->policy_sources.n, &diag);
	vigil_diag_print(&diag, stderr);
	vigil_diag_free(&diag);
	return ps;
}

static int apply_policies(struct agent *a, struct vigil_policy_set *ps)
{
	struct vigil_diag diag = {0};
	int rc = vigil_enforcer_apply(a->enforcer, ps, &diag);

	vigil_diag_print(&diag, stderr);
	vigil_diag_free(&diag);
	if (rc)
		return rc;
	vigil_policies_free(a->old_policies);
	a->old_policies = a->policies;
	a->policies = ps;
	return 0;
}

static void count_modes(const struct vigil_policy_set *ps, size_t *enforce, size_t *audit)
{
	*enforce = vigil_policies_enforcing(ps);
	*audit = (ps ? ps->n : 0) - *enforce;
}

/* SIGHUP or a changed policy file: the new set replaces the old one in one
 * step, or not at all. */
static void reload_policies(struct agent *a)
{
	struct vigil_policy_set *ps = load_policies(a);
	size_t enforce, audit;

	if (!ps || apply_policies(a, ps)) {
		vigil_policies_free(ps);
		fprintf(stderr, "vigil: policy reload failed: keeping the %zu policies in use\n",
			a->policies ? a->policies->n : 0);
		return;
	}
	count_modes(ps, &enforce, &audit);
	fprintf(stderr, "vigil: policies reloaded: %zu enforce, %zu audit\n", enforce, audit);
}

/* Runs until a stop signal; then detaches, so that the final drain and the
 * counters read afterwards cover exactly the same events. */
static int consume_loop(struct agent *a, struct ring_buffer *rb, struct vigil_sensors *s)
{
	while (!stop_requested && !a->output_failed) {
		int n = ring_buffer__poll(rb, POLL_MS);

		if (reload_requested && a->enforcer && a->opts->policy_sources.n)
			reload_policies(a);
		else if (a->watch && vigil_policy_watch_changed(a->watch))
			reload_policies(a);
		if (reload_requested && a->opts->rules)
			reload_rules(a);
		reload_requested = 0;
		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "vigil: ring buffer: %s\n", strerror(-n));
			return -1;
		}
		ring_buffer__consume(rb);
		fflush(a->out);
		if (a->inv)
			vigil_inv_feed_tick(a->inv, mono_ms());
	}
	vigil_enforcer_stop(a->enforcer);
	a->enforcer = NULL;
	vigil_sensors_detach(s);
	ring_buffer__consume(rb);
	fflush(a->out);
	vigil_inv_feed_flush(a->inv);
	if (a->output_failed)
		fprintf(stderr, "vigil: writing events failed: %s\n", strerror(errno));
	return a->output_failed ? -1 : 0;
}

/* Bad policies stop the agent before anything is loaded. */
static int load_initial_policies(struct agent *a)
{
	if (!a->opts->policy_sources.n)
		return 0;
	a->pending = load_policies(a);
	if (!a->pending)
		fprintf(stderr, "vigil: the policies have errors: not starting\n");
	return a->pending ? 0 : -1;
}

static int load_initial_rules(struct agent *a)
{
	struct vigil_diag diag = {0};

	if (!a->opts->rules)
		return 0;
	a->rules = vigil_load_rule_sources(&a->opts->rule_sources, &diag, stderr);
	if (a->rules)
		fprintf(stderr, "vigil: %zu rules loaded, %zu skipped\n",
			vigil_ruleset_count(a->rules), diag.skipped);
	else
		fprintf(stderr, "vigil: rules have %zu errors: not starting\n", diag.errors);
	vigil_diag_free(&diag);
	return a->rules ? 0 : -1;
}

/* Which mitigations are on, how they work here, and which cannot. */
static void report_mitigations(const struct agent *a)
{
	uint64_t wanted = a->opts->mitigate;
	const char *why, *mode;
	char on[1024] = "", off[512] = "";
	size_t n_on = 0, n_off = 0;

	for (size_t i = 0; a->policies && i < a->policies->n; i++)
		wanted |= a->policies->v[i].mitigation_mask;
	for (unsigned id = 0; id < VIGIL_MIT_COUNT; id++) {
		if (!(wanted & (UINT64_C(1) << id)))
			continue;
		mode = vigil_enforcer_mitigation_mode(a->enforcer, id, &why);
		if (mode)
			n_on += (size_t)snprintf(
			    on + n_on, n_on < sizeof(on) ? sizeof(on) - n_on : 0, "%s%s (%s)",
			    n_on ? ", " : "", vigil_mitigations[id].name, mode);
		else
			n_off += (size_t)snprintf(
			    off + n_off, n_off < sizeof(off) ? sizeof(off) - n_off : 0, "%s%s (%s)",
			    n_off ? ", " : "", vigil_mitigations[id].name, why);
	}
	if (n_on)
		fprintf(stderr, "vigil: mitigations on%s: %s\n",
			a->opts->mitigate_audit ? " (--mitigate in audit mode)" : "", on);
	if (n_off)
		fprintf(stderr, "vigil: warning: mitigations unavailable here, left off: %s\n",
			off);
}

static int start_enforcement(struct agent *a)
{
	struct vigil_enforce_opts eo = {.persist = a->opts->persist,
					.self_protect = !a->opts->no_self_protect,
					.mitigate = a->opts->mitigate,
					.mitigate_audit = a->opts->mitigate_audit};
	size_t enforce, audit;
	char err[512];

	if (!a->opts->policy_sources.n && !a->opts->mitigate)
		return 0;
	if (vigil_enforcer_start(&a->enforcer, a->sensors, &eo, err, sizeof(err))) {
		fprintf(stderr, "vigil: %s\n", err);
		return -1;
	}
	fprintf(stderr, "vigil: enforcement: %s\n", vigil_enforcer_describe(a->enforcer));
	if (apply_policies(a, a->pending)) {
		fprintf(stderr, "vigil: cannot apply the policies: not starting\n");
		vigil_policies_free(a->pending);
		a->pending = NULL;
		return -1;
	}
	a->pending = NULL;
	count_modes(a->policies, &enforce, &audit);
	if (a->opts->policy_sources.n)
		fprintf(stderr, "vigil: %zu policies applied (%zu enforce, %zu audit)%s\n",
			enforce + audit, enforce, audit,
			a->opts->persist ? "; pinned (--persist)" : "");
	report_mitigations(a);
	if (!a->opts->policy_sources.n)
		return 0;
	a->watch = vigil_policy_watch_new(a->opts->policy_sources.paths, a->opts->policy_sources.n);
	return 0;
}

static void install_signals(void)
{
	/* SA_RESTART: a stop signal must not cut an output write short (the
	 * loop still wakes, epoll_wait is never restarted). */
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int vigil_agent_run(const struct vigil_run_opts *opts)
{
	static struct agent a;
	struct vigil_loader_opts lo = {
	    .ringbuf_bytes = opts->ringbuf_bytes, .verbose = opts->verbose, .hooks = opts->hooks};
	struct vigil_load_report report;
	struct vigil_sensors *sensors = NULL;
	struct ring_buffer *rb = NULL;
	char err[512];
	int rc = 1;

	install_signals();
	if (agent_init(&a, opts) || load_initial_rules(&a) || load_initial_policies(&a))
		goto out;
	libbpf_set_print(opts->verbose ? verbose_print : quiet_print);
	if (vigil_ensure_tracefs())
		fprintf(stderr, "vigil: warning: tracefs is not mounted and cannot be: syscall "
				"sensors will be missing\n");
	loaded_types(&a, lo.wanted);
	a.mmap_loaded = lo.wanted[VIGIL_EVT_MMAP];
	if (vigil_sensors_start(&sensors, &lo, &report, err, sizeof(err))) {
		fprintf(stderr, "vigil: %s\n", err);
		goto out;
	}
	a.sensors = sensors;
	if (start_enforcement(&a))
		goto out;
	open_inventory(&a);
	kernel_types(&a, lo.wanted);
	vigil_sensors_set_wanted(sensors, lo.wanted);
	push_read_filter(&a);
	/* Loading (BTF, ELF, YAML) leaves ~20 MiB freed but kept by malloc. */
	malloc_trim(0);
	rb = ring_buffer__new(vigil_sensors_ringbuf_fd(sensors), handle_record, &a, NULL);
	if (!rb) {
		fprintf(stderr, "vigil: cannot map the ring buffer: %s\n", strerror(errno));
		goto out;
	}
	if (report.unavailable || report.failed)
		fprintf(stderr, "vigil: not attached: %s\n", report.missing);
	fprintf(
	    stderr,
	    "vigil: ready (%u programs attached, %u unavailable, %u failed; syscall hooks: %s)\n",
	    report.attached, report.unavailable, report.failed, vigil_hooks_name(report.hooks));
	rc = consume_loop(&a, rb, sensors) ? 1 : 0;
	print_stats(&a, sensors);
out:
	vigil_enforcer_stop(a.enforcer);
	a.enforcer = NULL;
	ring_buffer__free(rb);
	vigil_sensors_stop(sensors);
	agent_free(&a);
	return rc;
}
