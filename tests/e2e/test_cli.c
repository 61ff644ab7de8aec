/* test_cli.c - the agent's command line: `probe --json` against the kernel
 * it runs on, `version`, `--help`, rejected input (unknown --filter type,
 * unwritable --output, not root), --filter, --output, and a clean shutdown
 * with the final `vigil: stats` line. Also the stats parsing shared with
 * test_flood.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include "tests.h"

#define CLI_TIMEOUT_MS 60000
#define OUTBUF	       65536

struct cli_run {
	int status;
	int exec_errno;
	char out[OUTBUF];
	char err[OUTBUF];
};

/* Runs `$VIGIL args...`; fails the test when it did not finish in time. */
static bool cli(struct tctx *t, struct cli_run *r, bool as_nobody, const char *const *args)
{
	const char *argv[32];
	int n = 0;

	argv[n++] = vigil_path();
	for (int i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	r->status = run_capture(argv, as_nobody, CLI_TIMEOUT_MS, r->out, sizeof(r->out), r->err,
				sizeof(r->err), &r->exec_errno);
	if (r->status == -1) {
		tfail(t, "`vigil %s` did not exit within %d s (killed); stderr: %.300s", args[0],
		      CLI_TIMEOUT_MS / 1000, r->err);
		return false;
	}
	return true;
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* ---- probe --------------------------------------------------------------- */

static void expect_probe_bool(struct tctx *t, json_t *o, const char *key, int want)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_boolean(v)) {
		tfail(t, "probe: \"%s\" is not a boolean", key);
		return;
	}
	if (want >= 0 && json_is_true(v) != want)
		tfail(t, "probe: \"%s\" is %s, expected %s", key,
		      json_is_true(v) ? "true" : "false", want ? "true" : "false");
}

void test_probe_matches_kernel(struct tctx *t)
{
	static const char *const args[] = {"probe", "--json", NULL};
	static const char *const any[] = {"bpf_lsm_compiled", "cgroup_sock_addr", "uprobe"};
	static const char *const must[] = {"btf", "ringbuf", "tracepoint", "raw_tp", "tp_btf"};
	struct cli_run *r = calloc(1, sizeof(*r));
	const char *expect = getenv("VIGIL_KERNEL_EXPECT");
	char lsm[512];
	struct utsname u;
	json_error_t jerr;
	json_t *o = NULL;
	int vm;

	if (!r || !cli(t, r, false, args))
		goto out;
	if (!expect || !*expect || !strcmp(expect, "host")) {
		vm = 0;
	} else if (!strcmp(expect, "vm")) {
		vm = 1;
	} else {
		tfail(t, "VIGIL_KERNEL_EXPECT=%s is neither host nor vm", expect);
		goto out;
	}
	if (exit_code(r->status) != 0)
		tfail(t, "exit status %d; stderr: %.300s", exit_code(r->status), r->err);
	o = json_loads(r->out, 0, &jerr);
	if (!json_is_object(o)) {
		tfail(t, "stdout is not one JSON object (%s): %.300s", jerr.text, r->out);
		goto out;
	}
	uname(&u);
	if (!json_is_string(json_object_get(o, "kernel")) ||
	    strcmp(json_string_value(json_object_get(o, "kernel")), u.release))
		tfail(t, "probe: \"kernel\" is not \"%s\"", u.release);
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		expect_probe_bool(t, o, must[i], 1);
	for (size_t i = 0; i < sizeof(any) / sizeof(any[0]); i++)
		expect_probe_bool(t, o, any[i], vm && i == 0 ? 1 : -1);
	expect_probe_bool(t, o, "fentry", vm);
	expect_probe_bool(t, o, "lsm_active", vm);
	/* independent of the environment variable: BPF LSM programs can only be
	 * active when "bpf" is among the kernel's active LSMs */
	if (read_file("/sys/kernel/security/lsm", lsm, sizeof(lsm)) > 0 && !strstr(lsm, "bpf") &&
	    json_is_true(json_object_get(o, "lsm_active")))
		tfail(t, "probe: lsm_active is true but /sys/kernel/security/lsm is %s", lsm);
	if (json_is_boolean(json_object_get(o, "btf")) &&
	    json_is_true(json_object_get(o, "btf")) !=
		(access("/sys/kernel/btf/vmlinux", R_OK) == 0))
		tfail(t, "probe: btf disagrees with /sys/kernel/btf/vmlinux");
	if (!tfailed(t))
		tnote(t, "%s", r->out[0] ? strtok(r->out, "\n") : "");
out:
	json_decref(o);
	free(r);
}

/* ---- version, help ------------------------------------------------------- */

void test_cli_version(struct tctx *t)
{
	static const char *const args[] = {"version", NULL};
	struct cli_run *r = calloc(1, sizeof(*r));

	if (!r || !cli(t, r, false, args))
		goto out;
	if (exit_code(r->status) != 0)
		tfail(t, "exit status %d; stderr: %.300s", exit_code(r->status), r->err);
	if (!r->out[0])
		tfail(t, "nothing on stdout");
	else
		tnote(t, "%s", strtok(r->out, "\n"));
out:
	free(r);
}

void test_cli_help(struct tctx *t)
{
	static const char *const args[] = {"--help", NULL};
	struct cli_run *r = calloc(1, sizeof(*r));
	char *all;

	if (!r || !cli(t, r, false, args))
		goto out;
	if (exit_code(r->status) != 0)
		tfail(t, "exit status %d", exit_code(r->status));
	if (asprintf(&all, "%s\n%s", r->out, r->err) < 0)
		goto out;
	if (!strstr(all, "run") || !strstr(all, "probe"))
		tfail(t, "help text does not mention both `run` and `probe`: %.300s", all);
	free(all);
out:
	free(r);
}

/* ---- rejected input ------------------------------------------------------ */

/* Runs `vigil run --events ARGS`; requires a non-zero exit and want in stderr. */
static void expect_rejected(struct tctx *t, const char *const *args, const char *want)
{
	const char *argv[16] = {"run", "--events"};
	struct cli_run *r = calloc(1, sizeof(*r));
	int n = 2;

	for (int i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (!r || !cli(t, r, false, argv))
		goto out;
	if (exit_code(r->status) == 0)
		tfail(t, "`%s %s` exited 0", args[0], args[1]);
	if (!strstr(r->err, want))
		tfail(t, "stderr of `%s %s` does not name %s: %.300s", args[0], args[1], want,
		      r->err);
out:
	free(r);
}

void test_cli_bad_filter(struct tctx *t)
{
	static const char *const a1[] = {"--filter", "nosuchtype", NULL};
	static const char *const a2[] = {"--filter", "openat,nosuchtype2", NULL};

	expect_rejected(t, a1, "nosuchtype");
	expect_rejected(t, a2, "nosuchtype2");
}

void test_cli_bad_output(struct tctx *t)
{
	static const char *const a[] = {"--output", "/nonexistent-dir/x", NULL};

	expect_rejected(t, a, "/nonexistent-dir/x");
}

void test_cli_not_root(struct tctx *t)
{
	static const char *const args[] = {"run", "--events", NULL};
	struct cli_run *r = calloc(1, sizeof(*r));

	if (!r || !cli(t, r, true, args))
		goto out;
	if (r->exec_errno) {
		tskip(t, "cannot exec %s as uid 65534: %s", vigil_path(), strerror(r->exec_errno));
		goto out;
	}
	if (exit_code(r->status) == 0)
		tfail(t, "exited 0 as uid 65534");
	if (!str_has_ci(r->err, "root") && !str_has_ci(r->err, "permission") &&
	    !str_has_ci(r->err, "permitted"))
		tfail(t, "stderr mentions neither root nor permission: %.300s", r->err);
out:
	free(r);
}

/* ---- stats --------------------------------------------------------------- */

json_t *parse_stats_line(const char *text)
{
	const char *p = text, *last = NULL;
	char line[8192];
	size_t n;

	while (p && *p) {
		if (!strncmp(p, "vigil: stats ", 13))
			last = p + 13;
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	if (!last)
		return NULL;
	n = strcspn(last, "\n");
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, last, n);
	line[n] = '\0';
	return json_loads(line, 0, NULL);
}

bool check_stats(struct tctx *t, json_t *st, long long *gen, long long *del, long long *drop)
{
	long long sum_em = 0, sum_drop = 0;
	json_t *cpus = json_object_get(st, "cpus"), *c;
	size_t i;

	if (!json_is_object(st)) {
		tfail(t, "no parsable `vigil: stats {...}` line on stderr");
		return false;
	}
	if (!ev_int(st, "generated", gen) || !ev_int(st, "delivered", del) ||
	    !ev_int(st, "dropped", drop)) {
		tfail(t, "stats lack integer generated/delivered/dropped");
		return false;
	}
	if (*gen != *del + *drop)
		tfail(t, "stats: generated %lld != delivered %lld + dropped %lld", *gen, *del,
		      *drop);
	if (!json_is_array(cpus) || !json_array_size(cpus)) {
		tfail(t, "stats: \"cpus\" is not a non-empty array");
		return false;
	}
	json_array_foreach(cpus, i, c)
	{
		long long cpu, em, dr;

		if (!ev_int(c, "cpu", &cpu) || !ev_int(c, "emitted", &em) ||
		    !ev_int(c, "dropped", &dr)) {
			tfail(t, "stats: cpus[%zu] lacks integer cpu/emitted/dropped", i);
			return false;
		}
		sum_em += em;
		sum_drop += dr;
	}
	if (sum_drop != *drop)
		tfail(t, "stats: per-cpu dropped sum %lld != dropped %lld", sum_drop, *drop);
	if (sum_em != *gen && sum_em != *del)
		tfail(
		    t,
		    "stats: per-cpu emitted sum %lld is neither generated %lld nor delivered %lld",
		    sum_em, *gen, *del);
	return !tfailed(t);
}

bool stop_and_check(struct tctx *t, struct agent *a, int sig, long long *gen, long long *del,
		    long long *drop)
{
	char *err = malloc(OUTBUF);
	int64_t t0 = mono_ms();
	int st = agent_stop(a, sig, STOP_TIMEOUT_MS);
	json_t *stats;
	bool ok;

	diag("%s: agent stopped %lld ms after signal %d", t->name, (long long)(mono_ms() - t0),
	     sig);
	if (!err)
		return false;
	agent_stderr(a, err, OUTBUF);
	if (st == -1)
		tfail(t, "agent did not exit within %d s of signal %d", STOP_TIMEOUT_MS / 1000,
		      sig);
	else if (exit_code(st) != 0)
		tfail(t, "agent exit status %d after signal %d", exit_code(st), sig);
	stats = parse_stats_line(err);
	ok = check_stats(t, stats, gen, del, drop);
	if (!ok)
		diag("%s: agent stderr tail: %s", t->name,
		     strlen(err) > 1000 ? err + strlen(err) - 1000 : err);
	json_decref(stats);
	free(err);
	return ok && !tfailed(t);
}

/* ---- own agents: --filter, --output, shutdown ---------------------------- */

struct agent *start_own(struct tctx *t, const char *const *args)
{
	char err[1024];
	struct agent *a = agent_start(args, STORE_TRACKED, err, sizeof(err));

	if (!a) {
		tfail(t, "agent: %s", err);
		return NULL;
	}
	if (agent_wait_ready(a, READY_TIMEOUT_MS, err, sizeof(err))) {
		tfail(t, "agent: %s", err);
		agent_free(a);
		return NULL;
	}
	return a;
}

struct not_openat {
	int n;
	char first[128];
	pid_t child;
	int child_exec;
};

static void count_not_openat(json_t *ev, void *ctx)
{
	struct not_openat *c = ctx;
	const char *type = ev_str(ev, "evt.type");
	long long pid = 0;

	ev_int(ev, "proc.pid", &pid);
	if (type && (!strcmp(type, "execve") || !strcmp(type, "execveat")) && pid == c->child)
		c->child_exec++;
	if (type && !strcmp(type, "openat"))
		return;
	if (!c->n++)
		snprintf(c->first, sizeof(c->first), "%s", type ? type : "(no evt.type)");
}

static int child_exec_true(void *p)
{
	static const char *const argv[] = {"true", NULL};

	(void)p;
	execv("/bin/true", (char *const *)argv);
	return 127;
}

void test_filter_openat(struct tctx *t)
{
	static const char *const args[] = {"--filter", "openat", NULL};
	struct not_openat c = {0};
	char marker[1024];
	long long g, d, x;
	json_t *ev;
	int fd;

	t->agent = start_own(t, args);
	if (!t->agent)
		return;
	t->from = 0;
	c.child = spawn(t, child_exec_true, NULL);
	if (c.child < 0)
		goto out;
	reap(c.child, EVENT_TIMEOUT_MS);
	pjoin(marker, sizeof(marker), t->tmpdir, "filter-marker");
	fd = open(marker, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	ev = WAIT_EV(t, .type = "openat", .pid = getpid(), .skey = "fd.nameraw", .sval = marker);
	json_decref(ev);
	if (!ev || agent_sync(t, t->agent))
		goto out;
	agent_foreach(t->agent, 0, count_not_openat, &c);
	if (c.child_exec)
		tfail(t, "%d execve events of the child %d got through --filter openat",
		      c.child_exec, c.child);
	if (c.n)
		tfail(t, "%d events other than openat got through (first: %s)", c.n, c.first);
out:
	stop_and_check(t, t->agent, SIGINT, &g, &d, &x);
	agent_free(t->agent);
	t->agent = NULL;
}

struct file_hit {
	const char *needle;
	pid_t pid;
	bool found;
	char bad[256];
};

/* Looks for the marker's openat line in the output file. */
static bool scan_output(const char *path, struct file_hit *h)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return false;
	while (!h->found && getline(&line, &cap, f) > 0) {
		json_t *ev;
		long long pid = 0;

		if (!strstr(line, h->needle))
			continue;
		ev = json_loads(line, 0, NULL);
		if (!json_is_object(ev)) {
			snprintf(h->bad, sizeof(h->bad), "unparsable line: %.200s", line);
		} else if (!ev_str(ev, "evt.type") || strcmp(ev_str(ev, "evt.type"), "openat") ||
			   !ev_int(ev, "proc.pid", &pid) || pid != h->pid) {
			snprintf(h->bad, sizeof(h->bad), "wrong type/pid: %.200s", line);
		} else {
			h->found = true;
		}
		json_decref(ev);
	}
	free(line);
	fclose(f);
	return h->found;
}

void test_output_file(struct tctx *t)
{
	char out[1024], marker[1024];
	const char *args[] = {"--output", out, NULL};
	struct file_hit h = {.needle = marker, .pid = getpid()};
	struct agent *a;
	long long g, d, x;
	int64_t end;
	int fd;

	pjoin(out, sizeof(out), t->tmpdir, "events.jsonl");
	pjoin(marker, sizeof(marker), t->tmpdir, "output-marker");
	a = start_own(t, args);
	if (!a)
		return;
	fd = open(marker, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	end = mono_ms() + EVENT_TIMEOUT_MS;
	while (!scan_output(out, &h) && mono_ms() < end)
		usleep(20 * 1000);
	if (!h.found && agent_alive(a)) {
		stop_and_check(t, a, SIGTERM, &g, &d, &x);
		if (scan_output(out, &h))
			tfail(t, "the event reached %s only when the agent stopped (not flushed)",
			      out);
		else
			tfail(t, "no openat of %s in %s (%s)", marker, out,
			      h.bad[0] ? h.bad : "no line names it");
	} else {
		if (!h.found)
			tfail(t, "agent died before writing the event");
		stop_and_check(t, a, SIGTERM, &g, &d, &x);
	}
	if (agent_lines(a))
		tfail(t, "%llu event lines went to stdout despite --output",
		      (unsigned long long)agent_lines(a));
	agent_free(a);
}

void test_agent_clean_shutdown(struct tctx *t)
{
	long long g, d, x;

	if (!agent_alive(t->agent))
		tfail(t, "the shared agent died during the run");
	else if (stop_and_check(t, t->agent, SIGINT, &g, &d, &x))
		tnote(t, "generated=%lld delivered=%lld dropped=%lld", g, d, x);
	shared_agent_forget();
	t->agent = NULL;
}
