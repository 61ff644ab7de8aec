/* test_agent.c - the agent as a whole: --filter (only the asked-for types are
 * printed), --output FILE, clean shutdown on SIGINT/SIGTERM with a consistent
 * final `vigil: stats` line, shutdown while stdout is blocked (a full pipe),
 * and the stats parsing shared with test_flood.c.
 *
 * Accounting rule checked throughout: generated == delivered + dropped, the
 * per-CPU counters add up, and an agent that prints every event (no --filter)
 * wrote exactly `delivered` lines, each a complete JSON object.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests.h"

#define ERRCOPY 65536

/* ---- stats ----------------------------------------------------------------- */

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

/* Per-CPU counters: dropped must add up; emitted is either side's total. */
static bool check_cpus(struct tctx *t, json_t *cpus, const struct stats *s)
{
	long long sum_em = 0, sum_drop = 0;
	bool ok = true;
	json_t *c;
	size_t i;

	if (!json_is_array(cpus) || !json_array_size(cpus))
		return expect_true(t, false, "stats: \"cpus\" is not a non-empty array");
	json_array_foreach(cpus, i, c)
	{
		long long cpu, em, dr;

		if (!ev_int(c, "cpu", &cpu) || !ev_int(c, "emitted", &em) ||
		    !ev_int(c, "dropped", &dr))
			return expect_true(t, false,
					   "stats: cpus[%zu] lacks integer cpu/emitted/dropped", i);
		sum_em += em;
		sum_drop += dr;
	}
	ok &= expect_true(t, sum_drop == s->dropped,
			  "stats: per-cpu dropped sum %lld != dropped %lld", sum_drop, s->dropped);
	ok &= expect_true(t, sum_em == s->generated || sum_em == s->delivered,
			  "stats: per-cpu emitted sum %lld is neither generated %lld nor "
			  "delivered %lld",
			  sum_em, s->generated, s->delivered);
	return ok;
}

bool check_stats(struct tctx *t, json_t *st, struct stats *s)
{
	bool ok;

	if (!json_is_object(st))
		return expect_true(t, false, "no parsable `vigil: stats {...}` line on stderr");
	if (!ev_int(st, "generated", &s->generated) || !ev_int(st, "delivered", &s->delivered) ||
	    !ev_int(st, "dropped", &s->dropped))
		return expect_true(t, false, "stats lack integer generated/delivered/dropped");
	ok = expect_true(t, s->generated == s->delivered + s->dropped,
			 "stats: generated %lld != delivered %lld + dropped %lld", s->generated,
			 s->delivered, s->dropped);
	return check_cpus(t, json_object_get(st, "cpus"), s) && ok;
}

bool stop_and_check(struct tctx *t, struct agent *a, int sig, struct stats *s)
{
	char *err = malloc(ERRCOPY);
	int64_t t0 = mono_ms();
	int st = agent_stop(a, sig, STOP_TIMEOUT_MS);
	json_t *stats;
	bool ok;

	memset(s, 0, sizeof(*s));
	diag("%s: agent stopped %lld ms after the signal", t->name, (long long)(mono_ms() - t0));
	if (!err)
		return false;
	agent_stderr(a, err, ERRCOPY);
	if (st == -1)
		tfail(t, "agent did not exit within %d s of the signal", STOP_TIMEOUT_MS / 1000);
	else if (exit_code(st) != 0)
		tfail(t, "agent exit status %d on shutdown", exit_code(st));
	if (agent_bad_lines(a))
		tfail(t, "%llu stdout lines were not complete JSON objects",
		      (unsigned long long)agent_bad_lines(a));
	stats = parse_stats_line(err);
	ok = check_stats(t, stats, s);
	if (tfailed(t))
		diag("%s: agent stderr tail: %s", t->name,
		     strlen(err) > 1000 ? err + strlen(err) - 1000 : err);
	json_decref(stats);
	free(err);
	return ok;
}

void check_written(struct tctx *t, const char *where, long long lines, const struct stats *s,
		   bool prints_all)
{
	if (prints_all && lines != s->delivered)
		tfail(t, "%lld events delivered but %lld lines written to %s", s->delivered, lines,
		      where);
	else if (!prints_all && lines > s->delivered)
		tfail(t, "%lld lines written to %s, more than the %lld delivered", lines, where,
		      s->delivered);
}

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

/* ---- --filter --------------------------------------------------------------- */

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

/* Opens path (a missing file is fine: a failed openat is an event too). */
static void open_close(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
}

void test_filter_openat(struct tctx *t)
{
	static const char *const args[] = {"--filter", "openat", NULL};
	struct not_openat c = {0};
	char marker[1024];
	struct stats s;
	json_t *ev;

	t->agent = start_own(t, args);
	if (!t->agent)
		return;
	t->from = 0;
	c.child = spawn(t, child_exec_true, NULL);
	if (c.child < 0)
		goto out;
	reap(c.child, EVENT_TIMEOUT_MS);
	open_close(pjoin(marker, sizeof(marker), t->tmpdir, "filter-marker"));
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
	if (stop_and_check(t, t->agent, SIGINT, &s))
		check_written(t, "stdout", (long long)agent_lines(t->agent), &s, false);
	agent_free(t->agent);
	t->agent = NULL;
}

/* ---- --output --------------------------------------------------------------- */

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

/* Polls the file (the agent writes it, there is nothing to wait on) with a deadline. */
static bool wait_in_file(const char *path, struct file_hit *h)
{
	int64_t end = mono_ms() + EVENT_TIMEOUT_MS;

	while (!scan_output(path, h) && mono_ms() < end)
		sleep_ms(20);
	return h->found;
}

void test_output_file(struct tctx *t)
{
	char out[1024], marker[1024];
	const char *args[] = {"--output", out, NULL};
	struct file_hit h = {.needle = marker, .pid = getpid()};
	struct agent *a;
	struct stats s;
	bool alive;

	pjoin(out, sizeof(out), t->tmpdir, "events.jsonl");
	pjoin(marker, sizeof(marker), t->tmpdir, "output-marker");
	a = start_own(t, args);
	if (!a)
		return;
	open_close(marker);
	wait_in_file(out, &h);
	alive = agent_alive(a);
	if (stop_and_check(t, a, SIGTERM, &s))
		check_written(t, out, count_lines(out), &s, true);
	if (!h.found && !alive)
		tfail(t, "agent died before writing the event");
	else if (!h.found && scan_output(out, &h))
		tfail(t, "the event reached %s only when the agent stopped (not flushed)", out);
	else if (!h.found)
		tfail(t, "no openat of %s in %s (%s)", marker, out,
		      h.bad[0] ? h.bad : "no line names it");
	if (agent_lines(a))
		tfail(t, "%llu event lines went to stdout despite --output",
		      (unsigned long long)agent_lines(a));
	agent_free(a);
}

/* ---- shutdown ---------------------------------------------------------------- */

/* Waits until no signal is pending for the process (a thread has taken it). */
static bool wait_signal_taken(pid_t pid)
{
	int64_t end = mono_ms() + 5000;
	char path[64], buf[4096], *p;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	while (mono_ms() < end) {
		if (read_file(path, buf, sizeof(buf)) <= 0)
			return true; /* gone */
		p = strstr(buf, "ShdPnd:");
		if (!p || strspn(p + 7, "\t 0") == strcspn(p + 7, "\n"))
			return true;
		sleep_ms(1);
	}
	return false;
}

/* Fills the agent's stdout pipe: keeps making events while nobody reads. */
static bool fill_pipe(struct agent *a, const char *marker)
{
	int64_t end = mono_ms() + EVENT_TIMEOUT_MS;

	while (mono_ms() < end) {
		for (int i = 0; i < 200; i++)
			open_close(marker);
		if (agent_pipe_bytes(a) >= 60000)
			return true;
		sleep_ms(5);
	}
	return false;
}

void test_sigint_backpressure(struct tctx *t)
{
	char marker[1024];
	struct agent *a;
	struct stats s;

	pjoin(marker, sizeof(marker), t->tmpdir, "bp-marker");
	a = start_own(t, NULL);
	if (!a)
		return;
	agent_pause_reading(a, true);
	if (!fill_pipe(a, marker)) {
		tfail(t, "the agent's stdout pipe never filled (%d bytes)", agent_pipe_bytes(a));
		agent_pause_reading(a, false);
		goto out;
	}
	for (int i = 0; i < 2000; i++) /* a backlog behind the blocked write */
		open_close(marker);
	kill(agent_pid(a), SIGINT);
	if (!wait_signal_taken(agent_pid(a)))
		diag("%s: SIGINT still pending after 5 s", t->name);
	agent_pause_reading(a, false);
	if (stop_and_check(t, a, 0, &s)) {
		check_written(t, "stdout", (long long)agent_lines(a), &s, true);
		tnote(t, "generated=%lld delivered=%lld dropped=%lld lines=%llu", s.generated,
		      s.delivered, s.dropped, (unsigned long long)agent_lines(a));
	}
out:
	agent_free(a);
}

void test_agent_clean_shutdown(struct tctx *t)
{
	struct stats s;

	if (!agent_alive(t->agent)) {
		tfail(t, "the shared agent died during the run");
	} else if (stop_and_check(t, t->agent, SIGINT, &s)) {
		check_written(t, "stdout", (long long)agent_lines(t->agent), &s, true);
		tnote(t, "generated=%lld delivered=%lld dropped=%lld", s.generated, s.delivered,
		      s.dropped);
	}
	shared_agent_forget();
	t->agent = NULL;
}
