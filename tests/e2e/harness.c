/* harness.c - runs the vigil agent under test and collects its JSON events.
 *
 * One reader thread per agent pipe: stdout lines are parsed with jansson and
 * kept in a bounded, seq-numbered store (only events of tracked pids unless the
 * agent was started with STORE_ALL); stderr is kept as a bounded tail and
 * scanned for the `ready` line. Tests wait on a condition variable with a
 * deadline; nothing here sleeps for a fixed time to let events arrive.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "harness.h"

#define STORE_MAX    20000 /* events kept per agent; the oldest quarter goes first */
#define TRACK_MAX    65536
#define ERRBUF_MAX   65536
#define LINE_MAX_LEN (1 << 20)
#define IGNORE_MAX   64

struct stored {
	uint64_t seq;
	json_t *ev;
};

struct agent {
	pid_t pid;
	int out_fd;
	int err_fd;
	pthread_t out_thr;
	pthread_t err_thr;
	bool out_started;
	bool err_started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum agent_store store;
	struct stored *evs; /* evs[i].seq == evs[0].seq + i */
	size_t nevs;
	uint64_t next_seq;
	pid_t *tracked;
	size_t ntracked;
	char *skip; /* lines containing this are not parsed */
	bool paused;
	bool out_eof;
	bool err_eof;
	bool ready;
	bool reaped;
	int status;
	char errbuf[ERRBUF_MAX];
	size_t errlen;
	uint64_t lines;
	uint64_t bad_lines;
};

/* pids of every agent this process started: their own events are never kept */
static pid_t ignored[IGNORE_MAX];
static int nignored;
static pthread_mutex_t ignored_lock = PTHREAD_MUTEX_INITIALIZER;

static void deadline_ts(struct timespec *ts, int timeout_ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += timeout_ms / 1000;
	ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* ---- tracked pids -------------------------------------------------------- */

static bool is_ignored(pid_t pid)
{
	bool r = false;

	pthread_mutex_lock(&ignored_lock);
	for (int i = 0; i < nignored && !r; i++)
		r = ignored[i] == pid;
	pthread_mutex_unlock(&ignored_lock);
	return r;
}

void agent_ignore_pid(pid_t pid)
{
	pthread_mutex_lock(&ignored_lock);
	if (nignored < IGNORE_MAX)
		ignored[nignored++] = pid;
	pthread_mutex_unlock(&ignored_lock);
}

/* Called with a->lock held. */
static bool is_tracked(struct agent *a, pid_t pid)
{
	for (size_t i = 0; i < a->ntracked; i++)
		if (a->tracked[i] == pid)
			return true;
	return false;
}

/* Called with a->lock held. */
static void track_locked(struct agent *a, pid_t pid)
{
	if (pid <= 0 || is_tracked(a, pid) || a->ntracked >= TRACK_MAX)
		return;
	a->tracked[a->ntracked++] = pid;
}

void agent_track(struct agent *a, pid_t pid)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	track_locked(a, pid);
	pthread_mutex_unlock(&a->lock);
}

/* ---- the reader threads -------------------------------------------------- */

/* Decides, with a->lock held, whether ev is kept; updates the tracked set. */
static bool keep_event(struct agent *a, json_t *ev)
{
	long long pid = 0, ppid = 0, child = 0;
	const char *type = ev_str(ev, "evt.type");

	ev_int(ev, "proc.pid", &pid);
	ev_int(ev, "proc.ppid", &ppid);
	if (is_ignored((pid_t)pid))
		return false;
	if (a->store == STORE_TRACKED) {
		if (!is_tracked(a, (pid_t)pid)) {
			if (!is_tracked(a, (pid_t)ppid))
				return false;
			track_locked(a, (pid_t)pid);
		}
	}
	if (type && !strcmp(type, "clone") && ev_int(ev, "evt.arg.child_pid", &child))
		track_locked(a, (pid_t)child);
	return true;
}

/* Called with a->lock held. */
static void store_event(struct agent *a, json_t *ev)
{
	if (a->nevs == STORE_MAX) {
		size_t drop = STORE_MAX / 4;

		for (size_t i = 0; i < drop; i++)
			json_decref(a->evs[i].ev);
		memmove(a->evs, a->evs + drop, (a->nevs - drop) * sizeof(*a->evs));
		a->nevs -= drop;
	}
	a->evs[a->nevs].seq = a->next_seq++;
	a->evs[a->nevs].ev = ev;
	a->nevs++;
}

static void handle_line(struct agent *a, char *line, size_t len)
{
	json_error_t jerr;
	json_t *ev;
	bool skip;

	while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
		line[--len] = '\0';
	if (!len)
		return;
	pthread_mutex_lock(&a->lock);
	a->lines++;
	skip = a->skip && strstr(line, a->skip);
	pthread_mutex_unlock(&a->lock);
	if (skip)
		return;
	ev = json_loadb(line, len, 0, &jerr);
	if (!json_is_object(ev)) {
		json_decref(ev);
		pthread_mutex_lock(&a->lock);
		if (a->bad_lines++ < 3)
			diag("agent %d: stdout line is not a JSON object: %.200s", a->pid, line);
		pthread_mutex_unlock(&a->lock);
		return;
	}
	pthread_mutex_lock(&a->lock);
	if (keep_event(a, ev)) {
		store_event(a, ev);
		pthread_cond_broadcast(&a->cond);
	} else {
		json_decref(ev);
	}
	pthread_mutex_unlock(&a->lock);
}

static void wait_unpaused(struct agent *a)
{
	pthread_mutex_lock(&a->lock);
	while (a->paused)
		pthread_cond_wait(&a->cond, &a->lock);
	pthread_mutex_unlock(&a->lock);
}

static void *out_reader(void *arg)
{
	struct agent *a = arg;
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);

	while (buf) {
		ssize_t n;
		char *start, *nl;

		if (len + 4096 > cap) {
			char *nb = cap < LINE_MAX_LEN ? realloc(buf, cap * 2) : NULL;

			if (!nb) { /* an absurdly long line: drop it */
				len = 0;
				continue;
			}
			buf = nb;
			cap *= 2;
		}
		wait_unpaused(a);
		n = read(a->out_fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
		start = buf;
		while ((nl = memchr(start, '\n', buf + len - start))) {
			*nl = '\0';
			handle_line(a, start, nl - start);
			start = nl + 1;
		}
		len -= start - buf;
		memmove(buf, start, len);
	}
	if (buf && len) {
		buf[len] = '\0';
		handle_line(a, buf, len);
	}
	free(buf);
	pthread_mutex_lock(&a->lock);
	a->out_eof = true;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

/* True when line (len bytes) contains "ready" as a whole word. */
static bool line_says_ready(const char *line, size_t len)
{
	for (size_t i = 0; i + 5 <= len; i++) {
		if (strncasecmp(line + i, "ready", 5))
			continue;
		if (i > 0 && isalpha((unsigned char)line[i - 1]))
			continue;
		if (i + 5 < len && isalpha((unsigned char)line[i + 5]))
			continue;
		return true;
	}
	return false;
}

bool text_says_ready(const char *text)
{
	while (text && *text) {
		size_t n = strcspn(text, "\n");

		if (text[n] == '\n' && line_says_ready(text, n))
			return true;
		text += n + (text[n] == '\n');
	}
	return false;
}

/* Called with a->lock held: appends to the bounded stderr tail. */
static void err_append(struct agent *a, const char *s, size_t n)
{
	if (n >= ERRBUF_MAX / 2) {
		s += n - ERRBUF_MAX / 2;
		n = ERRBUF_MAX / 2;
	}
	if (a->errlen + n >= ERRBUF_MAX) {
		size_t drop = a->errlen - ERRBUF_MAX / 2;

		memmove(a->errbuf, a->errbuf + drop, a->errlen - drop);
		a->errlen -= drop;
	}
	memcpy(a->errbuf + a->errlen, s, n);
	a->errlen += n;
	a->errbuf[a->errlen] = '\0';
}

static void *err_reader(void *arg)
{
	struct agent *a = arg;
	char line[8192];
	size_t llen = 0;
	char buf[4096];
	ssize_t n;

	while ((n = read(a->err_fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		pthread_mutex_lock(&a->lock);
		err_append(a, buf, n);
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n' && llen < sizeof(line) - 1) {
				line[llen++] = buf[i];
				continue;
			}
			if (buf[i] == '\n') {
				if (line_says_ready(line, llen))
					a->ready = true;
				llen = 0;
			}
		}
		pthread_cond_broadcast(&a->cond);
		pthread_mutex_unlock(&a->lock);
	}
	pthread_mutex_lock(&a->lock);
	if (line_says_ready(line, llen))
		a->ready = true;
	a->err_eof = true;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

/* ---- agent lifecycle ----------------------------------------------------- */

static void child_exec_agent(const char *const *argv, int out_w, int err_w)
{
	int devnull = open("/dev/null", O_RDONLY);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (devnull >= 0)
		dup2(devnull, STDIN_FILENO);
	dup2(out_w, STDOUT_FILENO);
	dup2(err_w, STDERR_FILENO);
	execv(argv[0], (char *const *)argv);
	dprintf(STDERR_FILENO, "vigil-e2e: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static struct agent *agent_alloc(enum agent_store store)
{
	struct agent *a = calloc(1, sizeof(*a));
	pthread_condattr_t ca;

	if (!a)
		return NULL;
	a->evs = calloc(STORE_MAX, sizeof(*a->evs));
	a->tracked = calloc(TRACK_MAX, sizeof(*a->tracked));
	if (!a->evs || !a->tracked) {
		free(a->evs);
		free(a->tracked);
		free(a);
		return NULL;
	}
	a->store = store;
	a->out_fd = a->err_fd = -1;
	a->tracked[a->ntracked++] = getpid();
	pthread_mutex_init(&a->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&a->cond, &ca);
	pthread_condattr_destroy(&ca);
	return a;
}

static bool has_arg(const char *const *argv, const char *arg)
{
	for (; *argv; argv++)
		if (!strcmp(*argv, arg))
			return true;
	return false;
}

struct agent *agent_start(const char *const *args, enum agent_store store, char *err, size_t errlen)
{
	const char *argv[64];
	int n = 0;

	argv[n++] = "run";
	argv[n++] = "--events";
	for (int i = 0; args && args[i] && n < 62; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return agent_start_argv(argv, store, err, errlen);
}

struct agent *agent_start_argv(const char *const *args, enum agent_store store, char *err,
			       size_t errlen)
{
	const char *argv[64];
	int out[2], errp[2], n = 0;
	struct agent *a;

	argv[n++] = vigil_path();
	for (int i = 0; args && args[i] && n < 62; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (n > 1 && !strcmp(argv[1], "run") && !has_arg(argv, "--state-dir") &&
	    !has_arg(argv, "--no-inventory"))
		argv[n++] = "--no-inventory";
	argv[n] = NULL;

	a = agent_alloc(store);
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		agent_free(a);
		return NULL;
	}
	a->pid = fork();
	if (a->pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(out[0]), close(out[1]), close(errp[0]), close(errp[1]);
		agent_free(a);
		return NULL;
	}
	if (a->pid == 0)
		child_exec_agent(argv, out[1], errp[1]);
	agent_ignore_pid(a->pid);
	close(out[1]);
	close(errp[1]);
	a->out_fd = out[0];
	a->err_fd = errp[0];
	a->out_started = !pthread_create(&a->out_thr, NULL, out_reader, a);
	a->err_started = !pthread_create(&a->err_thr, NULL, err_reader, a);
	return a;
}

pid_t agent_pid(const struct agent *a)
{
	return a ? a->pid : -1;
}

/* Reaps the agent if it exited. Called with a->lock held. */
static void poll_exit_locked(struct agent *a)
{
	int st;

	if (a->reaped || a->pid <= 0)
		return;
	if (waitpid(a->pid, &st, WNOHANG) == a->pid) {
		a->reaped = true;
		a->status = st;
	}
}

bool agent_alive(struct agent *a)
{
	bool alive;

	pthread_mutex_lock(&a->lock);
	poll_exit_locked(a);
	alive = !a->reaped && !a->out_eof;
	pthread_mutex_unlock(&a->lock);
	return alive;
}

/* Last bytes of the agent's stderr, newlines shown as '|'. Called with a->lock held. */
static void err_tail(struct agent *a, char *out, size_t outlen)
{
	size_t n = a->errlen < outlen - 1 ? a->errlen : outlen - 1;

	memcpy(out, a->errbuf + a->errlen - n, n);
	out[n] = '\0';
	for (char *p = out; *p; p++)
		if (*p == '\n')
			*p = '|';
}

static void describe_exit(struct agent *a, char *out, size_t outlen)
{
	char tail[500];

	poll_exit_locked(a);
	err_tail(a, tail, sizeof(tail));
	if (a->reaped && WIFEXITED(a->status))
		snprintf(out, outlen, "agent exited with status %d; stderr: %s",
			 WEXITSTATUS(a->status), tail);
	else if (a->reaped && WIFSIGNALED(a->status))
		snprintf(out, outlen, "agent killed by signal %d; stderr: %s", WTERMSIG(a->status),
			 tail);
	else
		snprintf(out, outlen, "agent closed stdout; stderr: %s", tail);
}

int agent_wait_ready(struct agent *a, int timeout_ms, char *err, size_t errlen)
{
	struct timespec dl;
	int rc = 0;

	deadline_ts(&dl, timeout_ms);
	pthread_mutex_lock(&a->lock);
	while (!a->ready) {
		if (a->err_eof || a->out_eof) {
			describe_exit(a, err, errlen);
			rc = -1;
			break;
		}
		if (pthread_cond_timedwait(&a->cond, &a->lock, &dl) == ETIMEDOUT && !a->ready) {
			char tail[500];

			err_tail(a, tail, sizeof(tail));
			snprintf(err, errlen, "no 'ready' line on stderr within %d s; stderr: %s",
				 timeout_ms / 1000, tail);
			rc = -1;
			break;
		}
	}
	pthread_mutex_unlock(&a->lock);
	return rc;
}

static void join_reader(pthread_t thr, bool started)
{
	struct timespec dl;

	if (!started)
		return;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 5;
	if (pthread_timedjoin_np(thr, NULL, &dl))
		pthread_detach(thr); /* someone else holds the pipe open: leak the thread */
}

int agent_stop(struct agent *a, int sig, int timeout_ms)
{
	int64_t end = mono_ms() + timeout_ms;
	int rc = -1;

	pthread_mutex_lock(&a->lock);
	poll_exit_locked(a);
	if (!a->reaped)
		kill(a->pid, sig);
	while (!a->reaped && mono_ms() < end) {
		pthread_mutex_unlock(&a->lock);
		sleep_ms(2);
		pthread_mutex_lock(&a->lock);
		poll_exit_locked(a);
	}
	if (!a->reaped) {
		kill(a->pid, SIGKILL);
		if (waitpid(a->pid, &a->status, 0) == a->pid)
			a->reaped = true;
	} else {
		rc = a->status;
	}
	a->paused = false; /* the reader must drain the pipe to EOF */
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	join_reader(a->out_thr, a->out_started);
	join_reader(a->err_thr, a->err_started);
	a->out_started = a->err_started = false;
	return rc;
}

void agent_free(struct agent *a)
{
	if (!a)
		return;
	if (a->pid > 0 && !a->reaped)
		agent_stop(a, SIGKILL, 5000);
	join_reader(a->out_thr, a->out_started);
	join_reader(a->err_thr, a->err_started);
	if (a->out_fd >= 0)
		close(a->out_fd);
	if (a->err_fd >= 0)
		close(a->err_fd);
	for (size_t i = 0; i < a->nevs; i++)
		json_decref(a->evs[i].ev);
	free(a->evs);
	free(a->tracked);
	free(a->skip);
	free(a);
}

uint64_t agent_seq(struct agent *a)
{
	uint64_t s;

	if (!a)
		return 0;
	pthread_mutex_lock(&a->lock);
	s = a->next_seq;
	pthread_mutex_unlock(&a->lock);
	return s;
}

uint64_t agent_lines(struct agent *a)
{
	uint64_t n;

	pthread_mutex_lock(&a->lock);
	n = a->lines;
	pthread_mutex_unlock(&a->lock);
	return n;
}

void agent_skip_lines(struct agent *a, const char *substr)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	free(a->skip);
	a->skip = substr ? strdup(substr) : NULL;
	pthread_mutex_unlock(&a->lock);
}

void agent_pause_reading(struct agent *a, bool paused)
{
	pthread_mutex_lock(&a->lock);
	a->paused = paused;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
}

int agent_pipe_bytes(struct agent *a)
{
	int n = 0;

	if (ioctl(a->out_fd, FIONREAD, &n) < 0)
		return -1;
	return n;
}

uint64_t agent_bad_lines(struct agent *a)
{
	uint64_t n;

	pthread_mutex_lock(&a->lock);
	n = a->bad_lines;
	pthread_mutex_unlock(&a->lock);
	return n;
}

void agent_stderr(struct agent *a, char *out, size_t outlen)
{
	pthread_mutex_lock(&a->lock);
	snprintf(out, outlen, "%s", a->errbuf);
	pthread_mutex_unlock(&a->lock);
}

/* ---- searching the store ------------------------------------------------- */

/* Index of the first stored event with seq >= from. Called with a->lock held. */
static size_t first_index(struct agent *a, uint64_t from)
{
	if (!a->nevs || from <= a->evs[0].seq)
		return 0;
	if (from - a->evs[0].seq >= a->nevs)
		return a->nevs;
	return from - a->evs[0].seq;
}

json_t *agent_find(struct agent *a, uint64_t from, ev_pred_fn pred, void *ctx, int timeout_ms)
{
	struct timespec dl;
	json_t *found = NULL;
	uint64_t scan = from;

	deadline_ts(&dl, timeout_ms);
	pthread_mutex_lock(&a->lock);
	for (;;) {
		for (size_t i = first_index(a, scan); i < a->nevs && !found; i++)
			if (pred(a->evs[i].ev, ctx))
				found = json_incref(a->evs[i].ev);
		scan = a->next_seq;
		if (found || a->out_eof)
			break;
		if (pthread_cond_timedwait(&a->cond, &a->lock, &dl) == ETIMEDOUT) {
			for (size_t i = first_index(a, scan); i < a->nevs && !found; i++)
				if (pred(a->evs[i].ev, ctx))
					found = json_incref(a->evs[i].ev);
			break;
		}
	}
	pthread_mutex_unlock(&a->lock);
	return found;
}

size_t agent_count(struct agent *a, uint64_t from, ev_pred_fn pred, void *ctx)
{
	size_t n = 0;

	pthread_mutex_lock(&a->lock);
	for (size_t i = first_index(a, from); i < a->nevs; i++)
		n += pred(a->evs[i].ev, ctx);
	pthread_mutex_unlock(&a->lock);
	return n;
}

void agent_foreach(struct agent *a, uint64_t from, void (*fn)(json_t *ev, void *ctx), void *ctx)
{
	pthread_mutex_lock(&a->lock);
	for (size_t i = first_index(a, from); i < a->nevs; i++)
		fn(a->evs[i].ev, ctx);
	pthread_mutex_unlock(&a->lock);
}

static bool match_pred(json_t *ev, void *ctx)
{
	return ev_matches(ev, ctx);
}

struct seen_ctx {
	const struct ev_match *m;
	char list[512];
	size_t n;
	int dumped;
};

/* Collects, for a failed wait, what the same pid (or the same type) did. */
static void seen_one(json_t *ev, void *ctx)
{
	struct seen_ctx *s = ctx;
	struct ev_match near = {.pid = s->m->pid, .type = s->m->pid ? NULL : s->m->type};
	const char *type = ev_str(ev, "evt.type");
	const char *res = ev_str(ev, "evt.res");
	size_t len = strlen(s->list);

	if (!near.pid && !near.type)
		return;
	if (!ev_matches(ev, &near))
		return;
	s->n++;
	if (len < sizeof(s->list) - 64)
		snprintf(s->list + len, sizeof(s->list) - len, "%s%s(%s)", len ? "," : "",
			 type ? type : "?", res ? res : "?");
	if (s->m->type && type && !strcmp(type, s->m->type) && s->dumped < 3) {
		char buf[4096];

		ev_dump(ev, buf, sizeof(buf));
		diag("  near miss: %s", buf);
		s->dumped++;
	}
}

/* After a wait timed out, later waits of the same test, and every wait once
 * the agent proved silent (not one line), are short: a broken agent must not
 * make the suite run for an hour. */
static bool silent_agent;

static int wait_timeout(struct tctx *t)
{
	if (silent_agent && agent_lines(t->agent) == 0)
		return 500;
	return t->failed_waits ? SHORT_TIMEOUT_MS : EVENT_TIMEOUT_MS;
}

json_t *wait_ev(struct tctx *t, const struct ev_match *m)
{
	struct seen_ctx seen = {.m = m};
	char desc[512], why[1024];
	int timeout = wait_timeout(t);
	json_t *ev;

	if (!t->agent) {
		tfail(t, "no agent");
		return NULL;
	}
	ev = agent_find(t->agent, t->from, match_pred, (void *)m, timeout);
	if (ev)
		return ev;
	t->failed_waits++;
	silent_agent |= agent_lines(t->agent) == 0;
	ev_match_desc(m, desc, sizeof(desc));
	diag("%s: waiting for %s failed", t->name, desc);
	agent_foreach(t->agent, t->from, seen_one, &seen);
	if (!agent_alive(t->agent)) {
		pthread_mutex_lock(&t->agent->lock);
		describe_exit(t->agent, why, sizeof(why));
		pthread_mutex_unlock(&t->agent->lock);
		tfail(t, "no %s: %s", desc, why);
		return NULL;
	}
	tfail(t, "no %s within %.1f s (%zu related events seen%s%s)", desc, timeout / 1000.0,
	      seen.n, seen.n ? ": " : "", seen.list);
	return NULL;
}

struct marker {
	char path[128];
	pid_t pid;
};

static bool marker_pred(json_t *ev, void *ctx)
{
	struct marker *mk = ctx;
	struct ev_match m = {
	    .type = "openat", .pid = mk->pid, .skey = "fd.nameraw", .sval = mk->path};

	return ev_matches(ev, &m);
}

int agent_sync(struct tctx *t, struct agent *a)
{
	static unsigned gen;
	cpu_set_t old, one;
	struct marker mk[64];
	int n = 0, rc = 0;

	if (sched_getaffinity(0, sizeof(old), &old) < 0)
		CPU_ZERO(&old);
	for (int cpu = 0; cpu < CPU_SETSIZE && n < 64; cpu++) {
		int fd;

		if (CPU_COUNT(&old) && !CPU_ISSET(cpu, &old))
			continue;
		if (!CPU_COUNT(&old) && cpu > 0)
			break;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		sched_setaffinity(0, sizeof(one), &one);
		mk[n].pid = getpid();
		snprintf(mk[n].path, sizeof(mk[n].path), "/tmp/vigil-e2e-sync-%d-%u-%d", getpid(),
			 gen++, cpu);
		fd = open(mk[n].path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
		n++;
	}
	if (CPU_COUNT(&old))
		sched_setaffinity(0, sizeof(old), &old);
	for (int i = 0; i < n; i++) {
		json_t *ev = agent_find(a, 0, marker_pred, &mk[i], EVENT_TIMEOUT_MS);

		if (!ev) {
			tfail(t, "sync marker openat %s never arrived", mk[i].path);
			rc = -1;
			break;
		}
		json_decref(ev);
	}
	return rc;
}
