/* harness.h - end-to-end test harness for the vigil agent.
 *
 * Runs `vigil` as a child process, reads its JSON event lines from a pipe on a
 * reader thread, keeps the events of interest (those of the test process and
 * its descendants) in a bounded store, and lets tests wait, with a deadline,
 * for an event matching a predicate. Also: test context, result reporting,
 * field assertions that print expected vs actual, and small process/file
 * helpers shared by the test files.
 */
#ifndef VIGIL_E2E_HARNESS_H
#define VIGIL_E2E_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

#define EVENT_TIMEOUT_MS 10000 /* per awaited event */
#define SHORT_TIMEOUT_MS 2000  /* per event once a wait of the test failed */
#define READY_TIMEOUT_MS 60000 /* agent start (the VM is an emulated CPU) */
#define STOP_TIMEOUT_MS	 30000 /* agent shutdown after SIGINT/SIGTERM */
#define REASON_MAX	 2048

/* ---- the agent (harness.c) ----------------------------------------------- */

struct agent;

/* How the agent's events are kept. */
enum agent_store {
	STORE_TRACKED, /* only events of the test process and its descendants */
	STORE_ALL,     /* every event (own agents with a --filter) */
};

/* Starts `$VIGIL run --events ARGS...`. args is NULL-terminated (may be NULL).
 * Returns NULL and fills err on failure to spawn. */
struct agent *agent_start(const char *const *args, enum agent_store store, char *err,
			  size_t errlen);
/* `run` command lines get --no-inventory unless they give --state-dir or
 * --no-inventory: the runtime inventory (on by default, in /var/lib/vigil)
 * is tested by the tests that ask for it, with a state directory of their own.
 *
 * Starts `$VIGIL ARGS...` (e.g. {"run", "-r", FILE, NULL}): any command line,
 * such as an agent printing alerts instead of events. Alerts carry no top-level
 * proc.pid: use STORE_ALL and match them on their output_fields. */
struct agent *agent_start_argv(const char *const *args, enum agent_store store, char *err,
			       size_t errlen);
/* Waits for the `ready` line on stderr. 0 when ready, -1 (err filled) when the
 * agent exited or the deadline passed. */
int agent_wait_ready(struct agent *a, int timeout_ms, char *err, size_t errlen);
/* Sends sig (0: none, just wait) and waits for exit. Returns the wait status,
 * or -1 on timeout (the agent is then killed). Reading is unpaused. */
int agent_stop(struct agent *a, int sig, int timeout_ms);
void agent_free(struct agent *a);

pid_t agent_pid(const struct agent *a);
/* True while the agent process has not exited (and its stdout is open). */
bool agent_alive(struct agent *a);
/* Sequence number the next stored event will get. */
uint64_t agent_seq(struct agent *a);
/* Adds pid to the tracked set (events of tracked pids and their children are kept). */
void agent_track(struct agent *a, pid_t pid);
/* Lines containing substr (copied; NULL: none) are counted but not parsed. */
void agent_skip_lines(struct agent *a, const char *substr);
/* While paused, the reader stops reading stdout (the pipe fills up). */
void agent_pause_reading(struct agent *a, bool paused);
/* Bytes waiting in the agent's stdout pipe. */
int agent_pipe_bytes(struct agent *a);
/* Events of pid are never kept by any agent (used for the agents themselves). */
void agent_ignore_pid(pid_t pid);
/* Copies the agent's stderr so far (bounded; the tail is kept). */
void agent_stderr(struct agent *a, char *out, size_t outlen);
/* Number of non-empty stdout lines read so far, and of those that were not
 * JSON objects (e.g. a truncated line). */
uint64_t agent_lines(struct agent *a);
uint64_t agent_bad_lines(struct agent *a);

typedef bool (*ev_pred_fn)(json_t *ev, void *ctx);

/* Waits for a stored event with seq >= from that satisfies pred. Returns a new
 * reference (json_decref it) or NULL on timeout/agent exit. */
json_t *agent_find(struct agent *a, uint64_t from, ev_pred_fn pred, void *ctx, int timeout_ms);
/* Counts stored events with seq >= from satisfying pred (no waiting). */
size_t agent_count(struct agent *a, uint64_t from, ev_pred_fn pred, void *ctx);
/* Calls fn on each stored event with seq >= from (under the store lock). */
void agent_foreach(struct agent *a, uint64_t from, void (*fn)(json_t *ev, void *ctx), void *ctx);

/* ---- test context and results (expect.c) -------------------------------- */

enum tstatus { T_PASS, T_FAIL, T_SKIP };

struct tctx {
	const char *name;
	struct agent *agent; /* agent used by the event helpers */
	uint64_t from;	     /* events considered start at this seq */
	char tmpdir[256];    /* private temp dir, realpath'd */
	enum tstatus status;
	char reason[REASON_MAX];
	char note[256];	  /* appended to a PASS line */
	json_t *dumped;	  /* last event already dumped as diagnostics */
	int failed_waits; /* wait_ev timeouts so far */
};

/* Marks the test failed; the first failure starts the reason, later ones are
 * appended after "; ". */
void tfail(struct tctx *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Marks the test skipped (unless it already failed). */
void tskip(struct tctx *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tnote(struct tctx *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Diagnostic line on stderr, prefixed "# ". */
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline bool tfailed(const struct tctx *t)
{
	return t->status == T_FAIL;
}

/* ---- event matching (expect.c; wait_ev and agent_sync in harness.c) ------ */

/* An event description; unset members are not compared. pid 0 = any. */
struct ev_match {
	const char *type; /* evt.type */
	pid_t pid;	  /* proc.pid */
	const char *res;  /* evt.res */
	const char *skey; /* a string field ... */
	const char *sval; /* ... and its value */
	const char *ikey; /* an integer field ... */
	long long ival;	  /* ... and its value */
	const char *ikey2;
	long long ival2;
};

bool ev_matches(json_t *ev, const struct ev_match *m);
/* Waits for a matching event among t->agent's events since t->from; on timeout
 * fails the test with a description of what was seen. */
json_t *wait_ev(struct tctx *t, const struct ev_match *m);
#define WAIT_EV(t, ...) wait_ev((t), &(struct ev_match){__VA_ARGS__})
/* Makes the event stream advance past everything that happened before this call:
 * opens a marker path on every CPU and waits for those events. */
int agent_sync(struct tctx *t, struct agent *a);
/* One-line description of the match, for messages. */
void ev_match_desc(const struct ev_match *m, char *out, size_t outlen);

/* ---- field access and assertions (expect.c) ------------------------------ */

const char *ev_str(json_t *ev, const char *key); /* NULL when missing / not a string */
bool ev_int(json_t *ev, const char *key, long long *out);
/* Compact JSON of the event (or of one field) into out. */
void ev_dump(json_t *ev, char *out, size_t outlen);

/* Non-fatal checks: on mismatch they fail the test with "key: expected X, got Y"
 * and dump the event once to stderr. They return true on success. */
bool expect_str(struct tctx *t, json_t *ev, const char *key, const char *exp);
bool expect_int(struct tctx *t, json_t *ev, const char *key, long long exp);
bool expect_uint_any(struct tctx *t, json_t *ev, const char *key, long long a, long long b);
bool expect_bool(struct tctx *t, json_t *ev, const char *key, bool exp);
bool expect_absent(struct tctx *t, json_t *ev, const char *key);
/* "A|B|C" field has exactly (exact=true) or at least the tokens in want ("A|B"). */
bool expect_flags(struct tctx *t, json_t *ev, const char *key, const char *want, bool exact);
bool expect_true(struct tctx *t, bool cond, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- process helpers (util.c) -------------------------------------------- */

/* Forks a child running fn(arg) and exiting with its return value. The child's
 * pid is tracked by t->agent. Returns the pid or -1 (test failed). */
pid_t spawn(struct tctx *t, int (*fn)(void *), void *arg);
/* Waits for pid with a deadline; kills it (SIGKILL) when the deadline passes.
 * Returns the wait status or -1. */
int reap(pid_t pid, int timeout_ms);
/* Exit code of a wait status; 128+N when killed by signal N. */
int exit_code(int status);
/* Kills (SIGKILL) and reaps pid if it is > 0. */
void kill_reap(pid_t pid);
/* A command run with its output captured (see run_capture). */
struct capture {
	const char *const *argv; /* argv[0] is the path */
	bool as_nobody;		 /* drop to uid/gid 65534 before exec */
	bool stop_on_ready;	 /* a `ready` line on stderr ends the run (SIGTERM) */
	int timeout_ms;
	/* results */
	pid_t pid;	/* also its session id */
	int status;	/* wait status, -1 on timeout (killed) or spawn failure */
	int exec_errno; /* errno of a failed execve, 0 when exec worked */
	bool got_ready;
	char out[65536];
	char err[65536];
};

/* Runs c->argv in a new session, stdin /dev/null. Returns c->status. */
int run_capture(struct capture *c);
/* Processes still in session sid (pids listed in out); their count. */
int session_members(pid_t sid, char *out, size_t outlen);

/* ---- misc helpers (util.c) ----------------------------------------------- */

const char *vigil_path(void);
int64_t now_realtime_ns(void);
int64_t mono_ms(void);
void sleep_ms(int ms);
/* Inode of the namespace link /proc/<pid|self>/ns/<name>, 0 on error. */
unsigned long long ns_inode(pid_t pid, const char *name);
/* cgroup2 mount point from /proc/self/mountinfo; false if none. */
bool cgroup2_mount(char *out, size_t outlen);
/* path joined: dir + "/" + name into out. */
const char *pjoin(char *out, size_t outlen, const char *dir, const char *name);
int write_file(const char *path, const char *data);
/* Number of lines in a file, -1 if it cannot be read. */
long long count_lines(const char *path);
int read_file(const char *path, char *out, size_t outlen);
/* Removes a directory tree (best effort). */
void rm_tree(const char *path);
bool str_has_ci(const char *hay, const char *needle);
/* True when a line of text contains the word "ready" (the agent's start line). */
bool text_says_ready(const char *text);
/* realpath() of path into out; on failure copies path as is. */
const char *real(const char *path, char *out, size_t outlen);
/* Inode of this process's cgroup v2 directory (its cgroup.id), 0 if unknown. */
unsigned long long own_cgroup_id(void);

#endif /* VIGIL_E2E_HARNESS_H */
