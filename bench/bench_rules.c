/* bench_rules.c - cost of rule evaluation per event, in user space.
 *
 * Builds a realistic mix of decoded events (opens of ordinary and sensitive
 * files, execs, connects) once, then times, in the same process and
 * interleaved so that drift cancels: (A) the bare pipeline (decode + process
 * lookup), (B) the same plus evaluation of the default rules, (C) the same
 * plus the default rules and 100 generated rules. Reports ns per event,
 * events per second and the ratio of each to the bare run.
 *
 * usage: bench_rules [RULES_FILE] [EVENTS_PER_ROUND]
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "decode.h"
#include "rules.h"

#define ROUNDS 7
#define NGEN 100
#define MAX_EVENTS 64

struct rec {
	uint64_t words[VIGIL_EVENT_MAX / 8];
	size_t len;
};

static struct rec recs[MAX_EVENTS];
static size_t nrecs;

static struct vigil_event_hdr *rec_begin(struct rec *r, uint32_t type, int64_t ret, uint32_t pid)
{
	struct vigil_event_hdr *h = (struct vigil_event_hdr *)r->words;

	memset(r, 0, sizeof(*r));
	h->type = type;
	h->ret = ret;
	h->flags = VIGIL_HDR_HAS_RET;
	h->pid = h->tid = pid;
	h->ppid = 1;
	h->ts_mono = 1000000000ull;
	h->loginuid = (uint32_t)-1;
	snprintf(h->comm, sizeof(h->comm), "%s", pid == 100 ? "nginx" : "bash");
	r->len = sizeof(*h);
	return h;
}

static void set_size(struct rec *r)
{
	uint32_t size = (uint32_t)r->len;

	memcpy((char *)r->words + offsetof(struct vigil_event_hdr, size), &size, sizeof(size));
}

static void rec_field(struct rec *r, uint8_t id, uint8_t kind, const void *p, uint32_t len)
{
	struct vigil_field f = {.id = id, .kind = kind, .len = len};
	char *base = (char *)r->words;

	memcpy(base + r->len, &f, sizeof(f));
	memcpy(base + r->len + sizeof(f), p, len);
	r->len += sizeof(f) + ((len + 7) & ~7u);
	set_size(r);
}

/* A path as the kernel sends it: components leaf first. */
static void rec_path(struct rec *r, uint8_t id, const char *path)
{
	char comps[512];
	size_t n = 0;
	const char *end = path + strlen(path);

	while (end > path) {
		const char *start = end;

		while (start > path && start[-1] != '/')
			start--;
		memcpy(comps + n, start, (size_t)(end - start));
		n += (size_t)(end - start);
		comps[n++] = '\0';
		end = start > path ? start - 1 : start;
	}
	rec_field(r, id, VIGIL_K_PATH, comps, (uint32_t)n);
}

static void add_open(const char *path, uint64_t flags, uint32_t pid)
{
	struct rec *r = &recs[nrecs++];
	struct vigil_event_hdr *h = rec_begin(r, VIGIL_EVT_OPENAT, 3, pid);

	h->args[0] = (uint64_t)-100;
	h->args[2] = flags;
	rec_path(r, VIGIL_F_NAME, path);
	rec_field(r, VIGIL_F_NAMERAW, VIGIL_K_STR, path, (uint32_t)strlen(path) + 1);
}

static void add_exec(const char *exe, const char *argv, size_t argv_len, uint32_t pid)
{
	struct rec *r = &recs[nrecs++];

	rec_begin(r, VIGIL_EVT_EXECVE, 0, pid);
	rec_path(r, VIGIL_F_EXE, exe);
	rec_field(r, VIGIL_F_ARGV, VIGIL_K_BYTES, argv, (uint32_t)argv_len);
	rec_path(r, VIGIL_F_CWD, "/root");
}

static void add_connect(uint16_t port, uint32_t pid)
{
	struct rec *r = &recs[nrecs++];
	struct vigil_sockinfo si = {.family = 2, .type = 1, .protocol = 6, .lport = 40000,
				    .rport = port};
	uint8_t sa[16] = {2, 0, (uint8_t)(port >> 8), (uint8_t)port, 10, 0, 0, 7};

	rec_begin(r, VIGIL_EVT_CONNECT, 0, pid);
	si.laddr[0] = 10;
	si.laddr[3] = 2;
	memcpy(si.raddr, sa + 4, 4);
	rec_field(r, VIGIL_F_SOCKADDR, VIGIL_K_BYTES, sa, sizeof(sa));
	rec_field(r, VIGIL_F_SOCK, VIGIL_K_BYTES, &si, sizeof(si));
}

static void build_events(void)
{
	for (int i = 0; i < 6; i++) {
		add_open("/usr/lib/x86_64-linux-gnu/libc.so.6", 0, 100);
		add_open("/var/www/html/index.html", 0, 100);
		add_open("/var/log/nginx/access.log", 02001, 100);
		add_open("/proc/self/status", 0, 100);
	}
	add_open("/etc/shadow", 0, 200);
	add_open("/etc/passwd", 0, 200);
	if (!getenv("BENCH_NO_EXEC"))
		add_exec("/usr/bin/ls", "ls\0-l\0", 6, 200);
	if (!getenv("BENCH_NO_EXEC"))
		add_exec("/usr/bin/curl", "curl\0http://x\0", 14, 200);
	add_connect(443, 100);
	add_connect(4444, 200);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void noop(const struct vigil_rule *r, struct vigil_eval_ctx *c, void *arg)
{
	(void)r;
	(void)c;
	++*(size_t *)arg;
}

/* One timed pass over n events; rs NULL is the bare pipeline. */
static double run_pass(const struct vigil_ruleset *rs, struct vigil_eval_ctx *ctx,
		       struct vigil_proctable *procs, size_t n, size_t *matches)
{
	static struct vigil_decode_buf buf;
	struct vigil_event ev;
	double t0 = now_ns();

	for (size_t i = 0; i < n; i++) {
		const struct rec *r = &recs[i % nrecs];

		if (vigil_event_decode(r->words, r->len, &ev, &buf))
			abort();
		ctx->ev = &ev;
		ctx->proc = vigil_proctable_get(procs, ev.hdr->pid);
		if (rs) {
			vigil_eval_ctx_reset(ctx);
			vigil_ruleset_eval(rs, ctx, noop, matches);
		}
	}
	return (now_ns() - t0) / (double)n;
}

static char *generated_rules(void)
{
	static char path[] = "/tmp/vigil-bench-rules-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!f)
		return NULL;
	fprintf(f, "- list: bench_allowed\n  items: [nginx, sshd, cron, systemd]\n");
	for (int i = 0; i < NGEN; i++)
		fprintf(f,
			"- rule: Generated rule %d\n  desc: synthetic\n"
			"  condition: evt.type in (open, openat, openat2) and fd.name startswith "
			"/srv/app%d/ and not proc.name in (bench_allowed) and user.uid != %d\n"
			"  output: generated %d %%proc.name %%fd.name\n  priority: NOTICE\n",
			i, i, 1000 + i, i);
	fclose(f);
	return path;
}

static double median(double *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
			double t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

int main(int argc, char **argv)
{
	const char *rules_file = argc > 1 ? argv[1] : "rules/vigil_rules.yaml";
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 200000;
	const char *both[2] = {rules_file, NULL};
	struct vigil_diag d1 = {0}, d2 = {0};
	struct vigil_ruleset *defaults, *many;
	static struct vigil_eval_ctx ctx;
	struct vigil_proctable *procs = vigil_proctable_new(64);
	struct vigil_cgroup_info cg = {.resolved = true};
	double bare[ROUNDS], def[ROUNDS], all[ROUNDS];
	size_t matches = 0;

	both[1] = generated_rules();
	defaults = vigil_ruleset_load(both, 1, &d1);
	many = vigil_ruleset_load(both, 2, &d2);
	if (!defaults || !many || !procs) {
		vigil_diag_print(&d1, stderr);
		vigil_diag_print(&d2, stderr);
		return 1;
	}
	vigil_proctable_exec(procs, 100, 1, "/usr/sbin/nginx", "nginx\0", 6, "/", "nginx", 33, 33, 0, 0);
	vigil_proctable_exec(procs, 200, 1, "/usr/bin/bash", "bash\0", 5, "/root", "bash", 0, 0, 0, 0);
	ctx.procs = procs;
	ctx.cgroup = &cg;
	ctx.hostname = "bench";
	build_events();
	for (int r = 0; r < ROUNDS; r++) {
		bare[r] = run_pass(NULL, &ctx, procs, n, &matches);
		def[r] = run_pass(defaults, &ctx, procs, n, &matches);
		all[r] = run_pass(many, &ctx, procs, n, &matches);
	}
	double b = median(bare, ROUNDS), d = median(def, ROUNDS), a = median(all, ROUNDS);
	printf("| pipeline | rules | ns/event | events/s | ratio to bare |\n");
	printf("|---|---|---|---|---|\n");
	printf("| decode + process lookup (bare) | 0 | %.0f | %.0f | 1.00 |\n", b, 1e9 / b);
	printf("| + default rules | %zu | %.0f | %.0f | %.2f |\n", vigil_ruleset_count(defaults), d,
	       1e9 / d, d / b);
	printf("| + default and generated rules | %zu | %.0f | %.0f | %.2f |\n",
	       vigil_ruleset_count(many), a, 1e9 / a, a / b);
	printf("\nevaluation alone: %.0f ns/event with %zu rules, %.0f ns/event with %zu rules "
	       "(%zu events per pass, median of %d interleaved passes; %zu matches)\n",
	       d - b, vigil_ruleset_count(defaults), a - b, vigil_ruleset_count(many), n, ROUNDS,
	       matches);
	unlink(both[1]);
	vigil_ruleset_free(defaults);
	vigil_ruleset_free(many);
	vigil_proctable_free(procs);
	vigil_diag_free(&d1);
	vigil_diag_free(&d2);
	return 0;
}
