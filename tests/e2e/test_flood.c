/* test_flood.c - loss accounting under load: an agent with a tiny ring buffer
 * (--filter openat --ring-buffer-kb 64 --output FILE) while the test makes a
 * bounded burst of 50,000 openat+close calls. The agent must survive, stop
 * cleanly on SIGINT, and its stats must account for every event: generated ==
 * delivered + dropped, and the test's delivered openats plus all drops cover
 * the 50,000 it made.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests.h"

#define FLOOD_N 50000

/* Counts output lines that are the test's openat of path. */
static long long count_delivered(struct tctx *t, const char *out, const char *path)
{
	FILE *f = fopen(out, "re");
	char *line = NULL;
	size_t cap = 0;
	long long n = 0, bad = 0;

	if (!f) {
		tfail(t, "open %s: %s", out, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		json_t *ev;
		struct ev_match m = {
		    .type = "openat", .pid = getpid(), .skey = "fd.nameraw", .sval = path};

		if (!strstr(line, path))
			continue;
		ev = json_loads(line, 0, NULL);
		if (!json_is_object(ev))
			bad++;
		else if (ev_matches(ev, &m))
			n++;
		json_decref(ev);
	}
	free(line);
	fclose(f);
	if (bad)
		tfail(t, "%lld lines of %s are not JSON objects", bad, out);
	return n;
}

/* Lets the shared agent (which sees the burst too) catch up without parsing
 * the burst's lines, so the tests after this one start from a drained pipe. */
static void drain_shared(struct tctx *t)
{
	struct agent *shared = shared_agent();
	struct tctx sync = {.name = t->name, .agent = shared};

	if (!shared || !agent_alive(shared))
		return;
	if (agent_sync(&sync, shared))
		diag("%s: the shared agent did not catch up: %s", t->name, sync.reason);
}

static void burst(const char *path, int *failures)
{
	for (int i = 0; i < FLOOD_N; i++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			(*failures)++;
		else
			close(fd);
	}
}

void test_flood_accounting(struct tctx *t)
{
	char out[1024], src[1024];
	const char *args[] = {"--filter", "openat", "--ring-buffer-kb", "64", "--output",
			      out,	  NULL};
	long long mine = -1;
	struct agent *a;
	struct stats s;
	int fd, failures = 0;
	bool alive, ok;

	pjoin(out, sizeof(out), t->tmpdir, "flood.jsonl");
	pjoin(src, sizeof(src), t->tmpdir, "flood-src");
	fd = open(src, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0) {
		tfail(t, "create %s: %s", src, strerror(errno));
		return;
	}
	close(fd);
	a = start_own(t, args);
	if (!a)
		return;
	agent_skip_lines(shared_agent(), src);
	burst(src, &failures);
	alive = agent_alive(a) && kill(agent_pid(a), 0) == 0;
	if (!alive)
		tfail(t, "the agent died during the burst");
	if (failures)
		tfail(t, "%d of the %d opens failed", failures, FLOOD_N);
	ok = stop_and_check(t, a, SIGINT, &s);
	drain_shared(t);
	agent_skip_lines(shared_agent(), NULL);
	if (ok)
		check_written(t, out, count_lines(out), &s, false);
	mine = count_delivered(t, out, src);
	if (mine >= 0) {
		expect_true(t, mine <= FLOOD_N,
			    "%lld openat events of the test delivered, more than %d", mine,
			    FLOOD_N);
		expect_true(
		    t, mine + s.dropped >= FLOOD_N,
		    "delivered for the test %lld + dropped %lld < %d: events lost unaccounted",
		    mine, s.dropped, FLOOD_N);
	}
	if (tfailed(t))
		tfail(t, "generated=%lld delivered=%lld dropped=%lld test_delivered=%lld",
		      s.generated, s.delivered, s.dropped, mine);
	else
		tnote(t, "generated=%lld delivered=%lld dropped=%lld test_delivered=%lld",
		      s.generated, s.delivered, s.dropped, mine);
	agent_free(a);
}
