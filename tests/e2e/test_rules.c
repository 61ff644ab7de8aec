/* test_rules.c - the default detection rules (rules/vigil_rules.yaml), end to end.
 *
 * Every default rule has a test rule_<short name> that performs the real
 * action on this kernel in a child process and waits for the alert of the
 * shared `vigil run` agent (default rules, alerts on stdout): the rule name,
 * the priority, a MITRE technique tag and the key output_fields are asserted.
 * Alerts have no top-level proc.pid: they are matched on the rule name and
 * output_fields.proc.pid, or a unique marker in output_fields.
 *
 * How the actions are made safe: files go to the test's own temp dir, or to
 * uniquely named files removed afterwards (below /etc, /usr/bin, /var/log,
 * a fake home /home/vigil-e2e-...); fake tools are copies of /bin/true (run
 * with argv[0] "true" so a busybox copy runs its true applet); network only
 * to loopback; non-root steps after setresuid(65534); "container" steps in a
 * docker-style cgroup v2 group (container.id != host); kernel files are
 * opened for writing but never written.
 *
 * Controls check that benign actions raise no alert: an alert "barrier" (a
 * program run from the temp dir) proves the agent got past them first, the
 * ring buffer being in event order. Evasion tests reach /etc/shadow through a
 * symlink, "..", and /proc/self/fd, and run a renamed copy from /tmp.
 * Then `vigil check` (default rules, a broken file) and SIGHUP reload with an
 * agent of the test's own.
 *
 * Some tests need a process with a given name or executable that makes one
 * syscall: they run this binary through a symlink or a copy as
 * `vigil-e2e --act ACTION ...` (rule_act_main).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <grp.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "tests.h"

extern char **environ;

/* ---- rule names (exactly as in rules/vigil_rules.yaml) -------------------- */

#define R_SHELL_SERVICE	 "Shell Spawned By Non-Shell Service"
#define R_SHELL_CTR	 "Shell Spawned In Container"
#define R_TERM_SHELL	 "Terminal Shell In Container"
#define R_REVSHELL	 "Reverse Shell"
#define R_SHELL_CONNECT	 "Shell Made Network Connection"
#define R_EXEC_TMP	 "Execution From Temporary Directory"
#define R_MEMFD_EXEC	 "Fileless Execution From Memfd"
#define R_MEMFD_CREATE	 "Memfd Created By Interpreter Or Temporary Program"
#define R_HIDDEN	 "Hidden File Executed"
#define R_MASQ		 "Process Masquerading As System Daemon"
#define R_LD_PRELOAD_ENV "Process Started With LD_PRELOAD"
#define R_SHADOW	 "Read Shadow File"
#define R_SSH_KEY	 "Read SSH Private Key"
#define R_CLOUD		 "Read Cloud Or Kubernetes Credentials"
#define R_PROC_MEM	 "Read Memory Or Environment Of Another Process"
#define R_BIN_DIR	 "Write Below Binary Directory"
#define R_ETC		 "Write Below Etc"
#define R_AUTH_KEYS	 "Modify SSH Authorized Keys"
#define R_CRON		 "Modify Cron Configuration"
#define R_SYSTEMD	 "Modify Systemd Unit"
#define R_LD_SO_PRELOAD	 "Modify Dynamic Linker Preload"
#define R_SUDOERS	 "Modify Sudoers"
#define R_ACCOUNTS	 "Modify Account Files"
#define R_SHELL_RC	 "Modify Shell Configuration"
#define R_PAM		 "Modify PAM Configuration"
#define R_SETID		 "Set Setuid Or Setgid Bit"
#define R_KHOOK		 "Write To Kernel Hook File"
#define R_LOG_CLEAR	 "Clear Log Files"
#define R_HISTORY	 "Shell History Tampering"
#define R_AUDIT		 "Audit Rules Cleared Or Changed"
#define R_FIREWALL	 "Firewall Rules Flushed"
#define R_PRIV_ESC	 "Privilege Escalation To Root"
#define R_PTRACE	 "Ptrace Attach To Process"
#define R_KMOD		 "Kernel Module Load"
#define R_BPF		 "BPF Program Loaded By Unexpected Process"
#define R_USERNS	 "Unprivileged User Namespace Created"
#define R_MOUNT		 "Mount In Container"
#define R_SOCK		 "Container Runtime Socket Connection From Container"
#define R_PKG		 "Package Manager In Container"
#define R_DRIFT_CREATE	 "Container Drift Executable Created"
#define R_DRIFT_EXEC	 "Container Drift New Executable Run"
#define R_PORT		 "Connection To Suspicious Port"
#define R_NETCAT	 "Netcat Or Socat Launched"
#define R_SCANNER	 "Network Scanner Or Sniffer Launched"

#define NOBODY	    65534
#define CHECK_MS    60000	   /* `vigil check` runs (the VM is an emulated CPU) */
#define DRIFT_NS    600000000000LL /* the drift rule's window: 10 minutes */
#define PATHLEN	    (PATH_MAX + 256)
#define CLEANUP_MAX 16

/* ---- paths, copies, clean-up ------------------------------------------------ */

/* This binary, resolved (what proc.exepath of a test child is). */
static const char *self_exe(void)
{
	static char path[PATH_MAX];

	if (!path[0] && !realpath("/proc/self/exe", path))
		snprintf(path, sizeof(path), "/proc/self/exe");
	return path;
}

/* /bin/true and /bin/sh as the kernel resolves them (busybox in the VM). */
static const char *true_exe(void)
{
	static char path[PATH_MAX];

	return path[0] ? path : real("/bin/true", path, sizeof(path));
}

static const char *sh_exe(void)
{
	static char path[PATH_MAX];

	return path[0] ? path : real("/bin/sh", path, sizeof(path));
}

/* A per-test marker, unique in this run. */
static const char *marker(struct tctx *t, char *out, size_t outlen)
{
	snprintf(out, outlen, "vigil-e2e-%d-%s", getpid(), t->name);
	return out;
}

static int copy_file(const char *src, const char *dst, mode_t mode)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
	char buf[65536];
	ssize_t n;

	if (in < 0)
		return -1;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			goto done;
	rc = out >= 0 && n == 0 && fchmod(out, mode) == 0 ? 0 : -1;
done:
	close(in);
	if (out >= 0)
		close(out);
	return rc;
}

/* tmpdir/name, a copy of src with mode 0755; NULL (test failed) on error. */
static const char *copy_to_tmp(struct tctx *t, const char *src, const char *name, char *out,
			       size_t outlen)
{
	pjoin(out, outlen, t->tmpdir, name);
	if (copy_file(src, out, 0755) == 0)
		return out;
	tfail(t, "copying %s to %s: %s", src, out, strerror(errno));
	return NULL;
}

/* A fake tool: /bin/true copied to tmpdir/name. */
static const char *fake_tool(struct tctx *t, const char *name, char *out, size_t outlen)
{
	return copy_to_tmp(t, true_exe(), name, out, outlen);
}

/* tmpdir/name, a symlink to this binary (its processes are named name). */
static const char *self_link(struct tctx *t, const char *name, char *out, size_t outlen)
{
	pjoin(out, outlen, t->tmpdir, name);
	if (symlink(self_exe(), out) == 0)
		return out;
	tfail(t, "symlink %s: %s", out, strerror(errno));
	return NULL;
}

static char cleanup[CLEANUP_MAX][PATHLEN];
static int ncleanup;

/* path is removed (a whole tree) at the end of the test, latest first. */
static void defer_rm(const char *path)
{
	if (ncleanup < CLEANUP_MAX)
		snprintf(cleanup[ncleanup++], PATHLEN, "%s", path);
}

static void run_cleanup(void)
{
	while (ncleanup > 0)
		rm_tree(cleanup[--ncleanup]);
}

/* mkdir -p; what it creates is removed at the end of the test. */
static bool ensure_dir(struct tctx *t, const char *path)
{
	char buf[PATHLEN];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1;; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) == 0)
			defer_rm(buf);
		else if (errno != EEXIST) {
			tfail(t, "mkdir %s: %s", buf, strerror(errno));
			return false;
		}
		if (last)
			return true;
		*p = '/';
	}
}

/* A home directory of a user that does not exist: /home/vigil-e2e-PID-TEST,
 * with sub (".ssh", ".aws"...) below it when sub is not NULL. */
static bool fake_home(struct tctx *t, const char *sub, char *out, size_t outlen)
{
	char home[PATHLEN];

	snprintf(home, sizeof(home), "/home/vigil-e2e-%d-%s", getpid(), t->name);
	if (!ensure_dir(t, home))
		return false;
	if (snprintf(out, outlen, "%s%s%s", home, sub ? "/" : "", sub ? sub : "") >= (int)outlen) {
		tfail(t, "path too long");
		return false;
	}
	return !sub || ensure_dir(t, out);
}

static bool write_text(struct tctx *t, const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	bool ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);

	if (fd >= 0)
		close(fd);
	if (!ok)
		tfail(t, "writing %s: %s", path, strerror(errno));
	return ok;
}

/* ---- containers: docker-style cgroup v2 groups -------------------------------- */

struct ctr {
	char top[PATHLEN];
	char mid[PATHLEN + 16];
	char leaf[PATHLEN + 100];
	char id[65];
};

/* 64 hex digits, different for every group of this run. */
static void container_id(char *out)
{
	static unsigned gen;
	unsigned long long x =
	    (unsigned long long)now_realtime_ns() ^ ((unsigned long long)getpid() << 32);

	x += ++gen * 0x9e3779b97f4a7c15ULL;
	for (int i = 0; i < 4; i++) {
		x ^= x >> 31;
		x *= 0xd6e8feb86659fd93ULL;
		x ^= x >> 29;
		snprintf(out + 16 * i, 17, "%016llx", x);
	}
}

static void rmdir_wait(const char *path)
{
	int64_t end = mono_ms() + 2000;

	while (rmdir(path) < 0 && errno == EBUSY && mono_ms() < end)
		sched_yield();
}

static void ctr_remove(struct ctr *c)
{
	rmdir_wait(c->leaf);
	rmdir_wait(c->mid);
	rmdir_wait(c->top);
}

/* <cgroup2>/vigil-e2e-rules-PID/docker/<id>. False (skipped or failed) when
 * it cannot be made. */
static bool ctr_make(struct tctx *t, struct ctr *c)
{
	char mnt[1024];

	if (!cgroup2_mount(mnt, sizeof(mnt))) {
		tskip(t, "no cgroup2 mount in /proc/self/mountinfo: cannot fake a container");
		return false;
	}
	container_id(c->id);
	snprintf(c->top, sizeof(c->top), "%s/vigil-e2e-rules-%d", mnt, getpid());
	snprintf(c->mid, sizeof(c->mid), "%s/docker", c->top);
	snprintf(c->leaf, sizeof(c->leaf), "%s/%s", c->mid, c->id);
	if ((mkdir(c->top, 0755) < 0 && errno != EEXIST) ||
	    (mkdir(c->mid, 0755) < 0 && errno != EEXIST) || mkdir(c->leaf, 0755) < 0) {
		tfail(t, "mkdir %s: %s", c->leaf, strerror(errno));
		ctr_remove(c);
		return false;
	}
	return true;
}

/* The short id container.id must show. */
static const char *ctr_short(const struct ctr *c, char *out)
{
	memcpy(out, c->id, 12);
	out[12] = '\0';
	return out;
}

static bool ctr_join(struct tctx *t, const struct ctr *c, pid_t pid)
{
	char procs[PATHLEN + 120], buf[32];

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", c->leaf);
	snprintf(buf, sizeof(buf), "%d", pid);
	if (write_file(procs, buf) == 0)
		return true;
	tfail(t, "moving %d into %s: %s", pid, c->leaf, strerror(errno));
	return false;
}

/* ---- children ---------------------------------------------------------------- */

struct gate {
	int (*fn)(void *);
	void *arg;
	int rfd, wfd;
};

static int gate_main(void *p)
{
	struct gate *g = p;
	char c;

	close(g->wfd);
	if (read(g->rfd, &c, 1) != 1)
		return 125;
	close(g->rfd);
	return g->fn(g->arg);
}

/* Starts fn(arg) in a child; with c, the child first waits until it has been
 * moved into the container's group. Returns the pid or -1 (test failed). */
static pid_t start_child(struct tctx *t, const struct ctr *c, int (*fn)(void *), void *arg)
{
	struct gate g = {fn, arg, -1, -1};
	int p[2];
	pid_t pid;

	if (!c)
		return spawn(t, fn, arg);
	if (pipe2(p, O_CLOEXEC) < 0) {
		tfail(t, "pipe: %s", strerror(errno));
		return -1;
	}
	g.rfd = p[0];
	g.wfd = p[1];
	pid = spawn(t, gate_main, &g);
	close(p[0]);
	if (pid > 0 && (!ctr_join(t, c, pid) || write(p[1], "x", 1) != 1)) {
		kill_reap(pid);
		pid = -1;
	}
	close(p[1]);
	return pid;
}

static void child_failed(struct tctx *t, int status)
{
	int code = exit_code(status);

	if (status < 0)
		tfail(t, "the child did not finish in time");
	else if (code < 126)
		tfail(t, "the child failed: %s (exit %d)", strerror(code), code);
	else
		tfail(t, "the child failed (exit %d)", code);
}

/* Runs fn(arg) in a child (in container c, or on the host when c is NULL),
 * reaps it and requires exit status 0. Returns its pid, or -1 (failed). */
static pid_t run_child(struct tctx *t, const struct ctr *c, int (*fn)(void *), void *arg)
{
	pid_t pid = start_child(t, c, fn, arg);
	int st;

	if (pid < 0)
		return -1;
	st = reap(pid, EVENT_TIMEOUT_MS);
	if (st == 0)
		return pid;
	child_failed(t, st);
	return -1;
}

/* Child actions: 0 on success, else an errno value (the exit status). */

struct xopen {
	const char *path;
	int flags;
	mode_t mode;
	bool unlink_after; /* remove the file again (unlinkat) */
};

static int act_open(void *p)
{
	const struct xopen *o = p;
	int fd = open(o->path, o->flags | O_CLOEXEC, o->mode);

	if (fd < 0)
		return errno;
	close(fd);
	if (o->unlink_after && syscall(SYS_unlinkat, AT_FDCWD, o->path, 0) < 0)
		return errno;
	return 0;
}

struct xexec {
	const char *path;
	const char *const *argv;
	int in_fd, out_fd;   /* dup'ed to 0 and 1 when > 0; else 0 is kept, 1 is /dev/null */
	bool new_session;    /* setsid(): no controlling terminal */
	const char *preload; /* LD_PRELOAD value */
};

static int act_exec(void *p)
{
	const struct xexec *x = p;
	int null = open("/dev/null", O_RDWR);

	if (x->new_session)
		setsid();
	if (x->in_fd > 0)
		dup2(x->in_fd, STDIN_FILENO);
	dup2(x->out_fd > 0 ? x->out_fd : null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	if (x->preload)
		setenv("LD_PRELOAD", x->preload, 1);
	execv(x->path, (char *const *)x->argv);
	return 127;
}

/* Drops to uid/gid 65534 (all three ids). */
static int become_nobody(void)
{
	if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
	    setresuid(NOBODY, NOBODY, NOBODY) < 0)
		return errno;
	return 0;
}

/* ---- alerts ---------------------------------------------------------------- */

struct amatch {
	const char *rule; /* NULL: any rule */
	pid_t pid;	  /* output_fields.proc.pid, 0: any */
	const char *key;  /* a string output field ... */
	const char *val;  /* ... with this value */
};

static json_t *ofields(json_t *alert)
{
	return json_object_get(alert, "output_fields");
}

static bool amatch_pred(json_t *a, void *ctx)
{
	const struct amatch *m = ctx;
	const char *rule = ev_str(a, "rule"), *v;
	json_t *of = ofields(a);
	long long pid;

	if (!json_is_object(of) || !rule || (m->rule && strcmp(rule, m->rule)))
		return false;
	if (m->pid && (!ev_int(of, "proc.pid", &pid) || pid != m->pid))
		return false;
	if (m->key && (!(v = ev_str(of, m->key)) || strcmp(v, m->val)))
		return false;
	return true;
}

struct seen {
	const struct amatch *m;
	char list[700];
};

/* For a failed wait: the alerts of the same pid or the same rule. */
static void seen_alert(json_t *a, void *ctx)
{
	struct seen *s = ctx;
	struct amatch near_pid = {.pid = s->m->pid}, near_rule = {.rule = s->m->rule};
	const char *rule = ev_str(a, "rule");
	long long pid = 0;
	size_t len = strlen(s->list);
	char buf[2048];

	if (!(s->m->pid && amatch_pred(a, &near_pid)) && !amatch_pred(a, &near_rule))
		return;
	ev_int(ofields(a), "proc.pid", &pid);
	if (len < sizeof(s->list) - 80)
		snprintf(s->list + len, sizeof(s->list) - len, "%s\"%s\"(pid %lld)",
			 len ? ", " : "", rule ? rule : "?", pid);
	ev_dump(a, buf, sizeof(buf));
	diag("  seen: %s", buf);
}

/* Waits for an alert matching m among the agent's lines since the test
 * began; fails the test (listing the near misses) when none comes. */
static json_t *wait_alert(struct tctx *t, const struct amatch *m)
{
	struct seen s = {.m = m};
	json_t *a;

	if (!t->agent) {
		tfail(t, "no rules agent");
		return NULL;
	}
	a = agent_find(t->agent, t->from, amatch_pred, (void *)m,
		       t->failed_waits ? SHORT_TIMEOUT_MS : EVENT_TIMEOUT_MS);
	if (a)
		return a;
	t->failed_waits++;
	agent_foreach(t->agent, t->from, seen_alert, &s);
	if (!agent_alive(t->agent))
		tfail(t, "the rules agent exited");
	tfail(t, "no \"%s\" alert for pid %d%s%s%s%s (related alerts: %s)",
	      m->rule ? m->rule : "any", m->pid, m->key ? " with " : "", m->key ? m->key : "",
	      m->key ? "=" : "", m->val ? m->val : "", s.list[0] ? s.list : "none");
	return NULL;
}

/* What every alert of a test is checked for. */
struct want {
	const char *prio; /* "Warning"... */
	const char *tag;  /* a MITRE technique id among the tags */
	const char *name; /* proc.name (NULL: not checked) */
	const char *exe;  /* proc.exepath (NULL: not checked) */
	const char *cid;  /* container.id, NULL: "host" */
	long long uid;	  /* user.uid */
};

static bool has_tag(json_t *a, const char *tag)
{
	json_t *tags = json_object_get(a, "tags"), *v;
	size_t i;

	json_array_foreach(tags, i, v)
	{
		if (json_is_string(v) && !strcmp(json_string_value(v), tag))
			return true;
	}
	return false;
}

static void expect_alert(struct tctx *t, json_t *a, const struct want *w)
{
	json_t *of = ofields(a);
	const char *out = ev_str(a, "output");

	expect_str(t, a, "priority", w->prio);
	expect_str(t, a, "source", "syscall");
	expect_true(t, has_tag(a, w->tag), "tags lack %s", w->tag);
	expect_true(t, out && strstr(out, w->prio), "output does not name the priority %s",
		    w->prio);
	if (w->name)
		expect_str(t, of, "proc.name", w->name);
	if (w->exe)
		expect_str(t, of, "proc.exepath", w->exe);
	expect_str(t, of, "container.id", w->cid ? w->cid : "host");
	expect_int(t, of, "user.uid", w->uid);
}

/* Waits for the alert described by m and checks it against w. */
static json_t *got(struct tctx *t, struct amatch m, struct want w)
{
	json_t *a = wait_alert(t, &m);

	if (a)
		expect_alert(t, a, &w);
	return a;
}

/* The alert of rule for pid (0: any) ... */
static struct amatch am(const char *rule, pid_t pid)
{
	return (struct amatch){.rule = rule, .pid = pid};
}

/* ... that also has output field key equal to val. */
static struct amatch am_kv(const char *rule, pid_t pid, const char *key, const char *val)
{
	return (struct amatch){.rule = rule, .pid = pid, .key = key, .val = val};
}

/* Wanted: priority, tag, proc.name and proc.exepath of a host root process. */
static struct want wt(const char *prio, const char *tag, const char *name, const char *exe)
{
	return (struct want){.prio = prio, .tag = tag, .name = name, .exe = exe};
}

/* ... in container cid ... */
static struct want wt_in(struct want w, const char *cid)
{
	w.cid = cid;
	return w;
}

/* ... of user uid. */
static struct want wt_uid(struct want w, long long uid)
{
	w.uid = uid;
	return w;
}

static void expect_of(struct tctx *t, json_t *a, const char *key, const char *val)
{
	if (a)
		expect_str(t, ofields(a), key, val);
}

static void expect_of_int(struct tctx *t, json_t *a, const char *key, long long val)
{
	if (a)
		expect_int(t, ofields(a), key, val);
}

/* Runs a fresh copy of /bin/true from the temp dir and waits for its
 * R_EXEC_TMP alert: every event before this call has been evaluated. */
static bool alert_barrier(struct tctx *t)
{
	static const char *const argv[] = {"true", NULL};
	char path[PATHLEN];
	struct xexec x = {.path = path, .argv = argv};
	json_t *a;
	pid_t pid;

	if (!fake_tool(t, "vigil-barrier", path, sizeof(path)))
		return false;
	pid = run_child(t, NULL, act_exec, &x);
	if (pid < 0)
		return false;
	a = wait_alert(t, &(struct amatch){.rule = R_EXEC_TMP, .pid = pid});
	json_decref(a);
	unlink(path);
	return a != NULL;
}

static void list_alert(json_t *a, void *ctx)
{
	char *out = ctx;
	size_t len = strlen(out);

	if (len < 400)
		snprintf(out + len, 512 - len, "%s\"%s\"", len ? ", " : "", ev_str(a, "rule"));
}

/* After a barrier: pid raised no alert at all. */
static void expect_no_alert(struct tctx *t, pid_t pid, const char *what)
{
	struct amatch m = {.pid = pid};
	char list[512] = "";

	if (!alert_barrier(t))
		return;
	if (!agent_count(t->agent, t->from, amatch_pred, &m))
		return;
	agent_foreach(t->agent, t->from, list_alert, list);
	tfail(t, "%s (pid %d) raised alerts: %s", what, pid, list);
}

/* ---- the helper run under other names: `vigil-e2e --act ACTION ...` ------- */

/* spawn PATH ARGV0 ARGS...: runs PATH as a child and waits for it. */
static int act_main_spawn(char **argv)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		execv(argv[0], argv + 1);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 126;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 125;
}

/* connect IPV4 PORT: one TCP connection. */
static int act_main_connect(const char *ip, int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || inet_pton(AF_INET, ip, &sa.sin_addr) != 1)
		return 2;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return errno;
	close(fd);
	return 0;
}

int rule_act_main(int argc, char **argv)
{
	if (!strcmp(argv[0], "true"))
		return 0;
	if (!strcmp(argv[0], "spawn") && argc >= 3)
		return act_main_spawn(argv + 1);
	if (!strcmp(argv[0], "memfd") && argc == 2)
		return memfd_create(argv[1], MFD_CLOEXEC) < 0 ? errno : 0;
	if (!strcmp(argv[0], "connect") && argc == 3)
		return act_main_connect(argv[1], atoi(argv[2]));
	fprintf(stderr, "vigil-e2e --act: unknown action %s\n", argv[0]);
	return 2;
}

/* ---- loopback sockets --------------------------------------------------------- */

/* A TCP listener on 127.0.0.1:port (0: any); its port in *port. -1 on error. */
static int tcp_listen(int *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(*port)};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

/* Accepts one connection within the deadline; the peer's port in *peer. */
static int tcp_accept(int lfd, int *peer)
{
	struct pollfd p = {lfd, POLLIN, 0};
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd;

	if (poll(&p, 1, EVENT_TIMEOUT_MS) != 1)
		return -1;
	fd = accept4(lfd, (struct sockaddr *)&sa, &len, SOCK_CLOEXEC);
	if (fd >= 0)
		*peer = ntohs(sa.sin_port);
	return fd;
}

static int tcp_connect(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int act_connect(void *p)
{
	int fd = tcp_connect(*(int *)p);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* ==== execution: shells ====================================================== */

/* A process named "nginx" (this binary through a symlink) runs `sh -c` with
 * no terminal; in container c when it is not NULL. */
static pid_t shell_under_nginx(struct tctx *t, const struct ctr *c, const char *mark)
{
	char link[PATHLEN];
	const char *argv[] = {"nginx", "--act",	 "spawn", "/bin/sh", "sh",
			      "-c",    "exit 0", mark,	  NULL};
	struct xexec x = {.path = link, .argv = argv, .new_session = true};

	if (!self_link(t, "nginx", link, sizeof(link)))
		return -1;
	return run_child(t, c, act_exec, &x);
}

void test_rule_shell_from_service(struct tctx *t)
{
	char mark[256], cmd[512];
	json_t *a;

	marker(t, mark, sizeof(mark));
	if (shell_under_nginx(t, NULL, mark) < 0)
		return;
	snprintf(cmd, sizeof(cmd), "sh -c exit 0 %s", mark);
	a = got(t, am_kv(R_SHELL_SERVICE, 0, "proc.cmdline", cmd),
		wt("Warning", "T1059.004", "sh", sh_exe()));
	expect_of(t, a, "proc.pname", "nginx");
	expect_of(t, a, "proc.pexepath", self_exe());
	json_decref(a);
}

void test_rule_shell_in_container(struct tctx *t)
{
	char mark[256], cmd[512], id[13];
	struct ctr c;
	json_t *a;

	if (!ctr_make(t, &c))
		return;
	marker(t, mark, sizeof(mark));
	if (shell_under_nginx(t, &c, mark) >= 0) {
		snprintf(cmd, sizeof(cmd), "sh -c exit 0 %s", mark);
		a = got(t, am_kv(R_SHELL_CTR, 0, "proc.cmdline", cmd),
			wt_in(wt("Warning", "T1059.004", "sh", sh_exe()), ctr_short(&c, id)));
		expect_of(t, a, "proc.pname", "nginx");
		expect_of(t, a, "container.runtime", "docker");
		json_decref(a);
	}
	ctr_remove(&c);
}

/* In a new session, makes a pty's slave the controlling terminal and stdio. */
static int act_tty_exec(void *p)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY), s;

	setsid();
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0)
		return errno;
	s = open(ptsname(m), O_RDWR);
	if (s < 0 || ioctl(s, TIOCSCTTY, 0) < 0)
		return errno;
	dup2(s, STDIN_FILENO);
	dup2(s, STDOUT_FILENO);
	dup2(s, STDERR_FILENO);
	execv("/bin/sh", (char *const *)p); /* the master stays open: no hangup */
	return 127;
}

void test_rule_terminal_shell_container(struct tctx *t)
{
	char mark[256], cmd[512], id[13];
	const char *argv[] = {"sh", "-c", "exit 0", mark, NULL};
	struct ctr c;
	long long tty = 0;
	json_t *a;

	if (!ctr_make(t, &c))
		return;
	marker(t, mark, sizeof(mark));
	if (run_child(t, &c, act_tty_exec, argv) >= 0) {
		snprintf(cmd, sizeof(cmd), "sh -c exit 0 %s", mark);
		a = got(t, am_kv(R_TERM_SHELL, 0, "proc.cmdline", cmd),
			wt_in(wt("Notice", "T1609", "sh", sh_exe()), ctr_short(&c, id)));
		if (a)
			expect_true(t, ev_int(ofields(a), "proc.tty", &tty) && tty != 0,
				    "proc.tty is not a terminal (%lld)", tty);
		json_decref(a);
	}
	ctr_remove(&c);
}

/* Connects to 127.0.0.1:port, makes the socket stdin and stdout, runs sh. */
struct xrevshell {
	int port;
	const char *mark;
};

static int act_revshell(void *p)
{
	const struct xrevshell *r = p;
	const char *argv[] = {"sh", "-c", "read line", r->mark, NULL};
	int fd = tcp_connect(r->port);

	if (fd < 0)
		return errno;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	execv("/bin/sh", (char *const *)argv);
	return 127;
}

void test_rule_reverse_shell(struct tctx *t)
{
	char mark[256], name[128];
	struct xrevshell r = {0, marker(t, mark, sizeof(mark))};
	int lfd = tcp_listen(&r.port), cfd = -1, peer = 0;
	json_t *a = NULL;
	pid_t pid;

	if (lfd < 0) {
		tfail(t, "listen on 127.0.0.1: %s", strerror(errno));
		return;
	}
	pid = start_child(t, NULL, act_revshell, &r);
	if (pid > 0 && (cfd = tcp_accept(lfd, &peer)) < 0)
		tfail(t, "the shell never connected");
	if (cfd >= 0) {
		a = got(t, am(R_REVSHELL, pid), wt("Critical", "T1059.004", "sh", sh_exe()));
		snprintf(name, sizeof(name), "127.0.0.1:%d->127.0.0.1:%d", peer, r.port);
		expect_of(t, a, "proc.stdin.type", "ipv4");
		expect_of(t, a, "proc.stdout.type", "ipv4");
		expect_of(t, a, "proc.stdin.name", name);
		close(cfd); /* the shell reads EOF and exits */
	}
	if (pid > 0 && reap(pid, EVENT_TIMEOUT_MS) < 0)
		tfail(t, "the shell did not exit");
	json_decref(a);
	close(lfd);
}

void test_rule_shell_connect(struct tctx *t)
{
	char link[PATHLEN], port_s[16], name[128];
	const char *argv[] = {"bash", "--act", "connect", "127.0.0.1", port_s, NULL};
	struct xexec x = {.path = link, .argv = argv};
	int port = 0, lfd = tcp_listen(&port), cfd, peer = 0;
	json_t *a;
	pid_t pid;

	if (lfd < 0) {
		tfail(t, "listen on 127.0.0.1: %s", strerror(errno));
		return;
	}
	snprintf(port_s, sizeof(port_s), "%d", port);
	pid = self_link(t, "bash", link, sizeof(link)) ? run_child(t, NULL, act_exec, &x) : -1;
	cfd = pid > 0 ? tcp_accept(lfd, &peer) : -1;
	if (cfd >= 0) {
		snprintf(name, sizeof(name), "127.0.0.1:%d->127.0.0.1:%d", peer, port);
		a = got(t, am(R_SHELL_CONNECT, pid), wt("Warning", "T1095", "bash", self_exe()));
		expect_of(t, a, "fd.name", name);
		json_decref(a);
		close(cfd);
	} else if (pid > 0) {
		tfail(t, "no connection accepted");
	}
	close(lfd);
}

/* ==== execution: where binaries come from ======================================= */

/* Runs path (argv[0] "true" plus args) and returns the pid, -1 on failure. */
static pid_t run_tool(struct tctx *t, const struct ctr *c, const char *path,
		      const char *const *args)
{
	const char *argv[8] = {"true"};
	struct xexec x = {.path = path, .argv = argv};

	for (int i = 0; args && args[i] && i < 6; i++)
		argv[i + 1] = args[i];
	return run_child(t, c, act_exec, &x);
}

/* Makes tmpdir/name a copy of /bin/true and runs it with args in c. */
static pid_t fake_run(struct tctx *t, const struct ctr *c, const char *name,
		      const char *const *args, char *path, size_t pathlen)
{
	if (!fake_tool(t, name, path, pathlen))
		return -1;
	return run_tool(t, c, path, args);
}

void test_rule_exec_tmp(struct tctx *t)
{
	char path[PATHLEN];
	static const char *const args[] = {"--from-tmp", NULL};
	pid_t pid = fake_run(t, NULL, "payload", args, path, sizeof(path));
	json_t *a;

	if (pid < 0)
		return;
	a = got(t, am(R_EXEC_TMP, pid), wt("Warning", "T1204.002", "payload", path));
	expect_of(t, a, "proc.cmdline", "payload --from-tmp");
	json_decref(a);
}

static int act_memfd_exec(void *p)
{
	static const char *const argv[] = {"true", NULL};
	int fd = memfd_create((const char *)p, 0), in = open(true_exe(), O_RDONLY | O_CLOEXEC);
	char buf[65536];
	ssize_t n;

	if (fd < 0 || in < 0)
		return errno;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, n) != n)
			return errno;
	syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	return errno;
}

void test_rule_memfd_exec(struct tctx *t)
{
	const char *name = "vigil-e2e-payload";
	char want[128];
	pid_t pid = run_child(t, NULL, act_memfd_exec, (void *)name);
	const char *exe;
	json_t *a;

	if (pid < 0)
		return;
	/* the kernel names the task after the file: "memfd:" + name, 15 chars */
	a = got(t, am(R_MEMFD_EXEC, pid), wt("Critical", "T1620", "memfd:vigil-e2e", NULL));
	if (!a)
		return;
	snprintf(want, sizeof(want), "/memfd:%s", name); /* d_path adds " (deleted)" */
	exe = ev_str(ofields(a), "proc.exepath");
	expect_true(t, exe && !strncmp(exe, want, strlen(want)),
		    "proc.exepath \"%s\" does not start with %s", exe ? exe : "(missing)", want);
	json_decref(a);
}

void test_rule_memfd_create(struct tctx *t)
{
	char path[PATHLEN];
	const char *argv[] = {"loader", "--act", "memfd", "vigil-e2e-stage2", NULL};
	struct xexec x = {.path = path, .argv = argv};
	json_t *a;
	pid_t pid;

	if (!copy_to_tmp(t, self_exe(), "loader", path, sizeof(path)))
		return;
	pid = run_child(t, NULL, act_exec, &x);
	if (pid < 0)
		return;
	a = got(t, am(R_MEMFD_CREATE, pid), wt("Warning", "T1620", "loader", path));
	expect_of(t, a, "evt.arg.name", "vigil-e2e-stage2");
	json_decref(a);
}

void test_rule_hidden_exec(struct tctx *t)
{
	char path[PATHLEN];
	pid_t pid = fake_run(t, NULL, ".vigil-hidden", NULL, path, sizeof(path));

	if (pid >= 0)
		json_decref(
		    got(t, am(R_HIDDEN, pid), wt("Warning", "T1564.001", ".vigil-hidden", path)));
}

void test_rule_masquerade(struct tctx *t)
{
	char path[PATHLEN];
	static const char *const args[] = {"-D", NULL};
	pid_t pid = fake_run(t, NULL, "sshd", args, path, sizeof(path));

	if (pid >= 0)
		json_decref(got(t, am(R_MASQ, pid), wt("Error", "T1036.005", "sshd", path)));
}

void test_rule_ld_preload_env(struct tctx *t)
{
	char mark[256], lib[PATHLEN];
	const char *argv[] = {"sh", "-c", "read line", marker(t, mark, sizeof(mark)), NULL};
	struct xexec x = {.path = "/bin/sh", .argv = argv, .preload = lib};
	int p[2];
	json_t *a;
	pid_t pid;

	pjoin(lib, sizeof(lib), t->tmpdir, "libhook.so");
	if (pipe2(p, O_CLOEXEC) < 0) {
		tfail(t, "pipe: %s", strerror(errno));
		return;
	}
	x.in_fd = p[0];
	pid = start_child(t, NULL, act_exec, &x); /* blocks reading the pipe */
	close(p[0]);
	a = pid > 0 ? got(t, am(R_LD_PRELOAD_ENV, pid), wt("Notice", "T1574.006", "sh", sh_exe()))
		    : NULL;
	expect_of(t, a, "proc.env[LD_PRELOAD]", lib);
	json_decref(a);
	close(p[1]);
	if (pid > 0 && reap(pid, EVENT_TIMEOUT_MS) < 0)
		tfail(t, "the shell did not exit");
}

/* ==== credential access ========================================================= */

/* A child opens path read-only; returns its pid. */
static pid_t child_reads(struct tctx *t, const char *path)
{
	struct xopen o = {.path = path, .flags = O_RDONLY};

	return run_child(t, NULL, act_open, &o);
}

/* The common shape of a file-read alert of a test child. */
static void expect_read_alert(struct tctx *t, const char *rule, const char *tag, pid_t pid,
			      const char *file)
{
	json_t *a;

	if (pid < 0)
		return;
	a = got(t, am(rule, pid), wt("Warning", tag, "vigil-e2e", self_exe()));
	expect_of(t, a, "fd.name", file);
	json_decref(a);
}

void test_rule_read_shadow(struct tctx *t)
{
	expect_read_alert(t, R_SHADOW, "T1003.008", child_reads(t, "/etc/shadow"), "/etc/shadow");
}

/* A file in a fake home with the given content. */
static bool home_file(struct tctx *t, const char *sub, const char *name, const char *text,
		      char *out, size_t outlen)
{
	char dir[PATHLEN];

	if (!fake_home(t, sub, dir, sizeof(dir)))
		return false;
	if (snprintf(out, outlen, "%s/%s", dir, name) >= (int)outlen) {
		tfail(t, "path too long");
		return false;
	}
	return !text || write_text(t, out, text);
}

void test_rule_read_ssh_key(struct tctx *t)
{
	char key[PATHLEN];

	if (home_file(t, ".ssh", "id_ed25519", "not a key\n", key, sizeof(key)))
		expect_read_alert(t, R_SSH_KEY, "T1552.004", child_reads(t, key), key);
	run_cleanup();
}

void test_rule_read_cloud_creds(struct tctx *t)
{
	char f[PATHLEN];

	if (home_file(t, ".aws", "credentials", "[default]\n", f, sizeof(f)))
		expect_read_alert(t, R_CLOUD, "T1552.001", child_reads(t, f), f);
	run_cleanup();
}

static int act_pause(void *p)
{
	(void)p;
	for (;;)
		pause();
	return 0;
}

static int act_read_proc(void *p)
{
	pid_t victim = *(pid_t *)p;
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/environ", victim);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno;
	close(fd);
	snprintf(path, sizeof(path), "/proc/%d/mem", victim);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno;
	close(fd);
	return 0;
}

void test_rule_proc_mem(struct tctx *t)
{
	pid_t victim = spawn(t, act_pause, NULL), pid;
	char env[64], mem[64];
	json_t *a;

	if (victim < 0)
		return;
	pid = run_child(t, NULL, act_read_proc, &victim);
	kill_reap(victim);
	if (pid < 0)
		return;
	snprintf(env, sizeof(env), "/proc/%d/environ", victim);
	snprintf(mem, sizeof(mem), "/proc/%d/mem", victim);
	a = got(t, am_kv(R_PROC_MEM, pid, "fd.name", env),
		wt("Warning", "T1003.007", "vigil-e2e", self_exe()));
	json_decref(a);
	a = got(t, am_kv(R_PROC_MEM, pid, "fd.name", mem),
		wt("Warning", "T1055", "vigil-e2e", self_exe()));
	json_decref(a);
}

/* ==== persistence: files ======================================================== */

/* A child creates path (O_CREAT|O_EXCL) and removes it again; the creation
 * must raise rule's alert. */
static void create_and_expect(struct tctx *t, const char *rule, const char *prio, const char *tag,
			      const char *path)
{
	struct xopen o = {
	    .path = path, .flags = O_WRONLY | O_CREAT | O_EXCL, .mode = 0644, .unlink_after = true};
	pid_t pid = run_child(t, NULL, act_open, &o);
	json_t *a;

	if (pid < 0)
		return;
	a = got(t, am_kv(rule, pid, "evt.type", "openat"), wt(prio, tag, "vigil-e2e", self_exe()));
	expect_of(t, a, "fd.name", path);
	json_decref(a);
	a = got(t, am_kv(rule, pid, "evt.type", "unlinkat"),
		wt(prio, tag, "vigil-e2e", self_exe()));
	expect_of(t, a, "fd.name", path);
	json_decref(a);
}

/* A child opens an existing (or new) path for appending, writing nothing. */
static void append_and_expect(struct tctx *t, const char *rule, const char *prio, const char *tag,
			      const char *path)
{
	struct xopen o = {.path = path, .flags = O_WRONLY | O_CREAT | O_APPEND, .mode = 0644};
	pid_t pid = run_child(t, NULL, act_open, &o);
	json_t *a;

	if (pid < 0)
		return;
	a = got(t, am(rule, pid), wt(prio, tag, "vigil-e2e", self_exe()));
	expect_of(t, a, "fd.name", path);
	json_decref(a);
}

void test_rule_write_bin_dir(struct tctx *t)
{
	char path[PATHLEN];

	snprintf(path, sizeof(path), "/usr/bin/vigil-e2e-%d-probe", getpid());
	create_and_expect(t, R_BIN_DIR, "Error", "T1554", path);
	unlink(path);
}

void test_rule_write_etc(struct tctx *t)
{
	char path[PATHLEN];

	snprintf(path, sizeof(path), "/etc/vigil-e2e-%d.conf", getpid());
	create_and_expect(t, R_ETC, "Warning", "T1543", path);
	unlink(path);
}

void test_rule_ssh_authorized_keys(struct tctx *t)
{
	char path[PATHLEN];

	if (home_file(t, ".ssh", "authorized_keys", NULL, path, sizeof(path)))
		append_and_expect(t, R_AUTH_KEYS, "Warning", "T1098.004", path);
	run_cleanup();
}

/* dir/name created and removed by a child (dir made first if missing). */
static void create_in(struct tctx *t, const char *dir, const char *name, const char *rule,
		      const char *prio, const char *tag)
{
	char path[PATHLEN];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (ensure_dir(t, dir))
		create_and_expect(t, rule, prio, tag, path);
	unlink(path);
	run_cleanup();
}

void test_rule_cron(struct tctx *t)
{
	char name[64];

	snprintf(name, sizeof(name), "vigil-e2e.%d", getpid()); /* a dot: cron ignores it */
	create_in(t, "/etc/cron.d", name, R_CRON, "Warning", "T1053.003");
}

void test_rule_systemd_unit(struct tctx *t)
{
	char name[64];

	snprintf(name, sizeof(name), "vigil-e2e-%d.service", getpid());
	create_in(t, "/etc/systemd/system", name, R_SYSTEMD, "Warning", "T1543.002");
}

void test_rule_ld_so_preload(struct tctx *t)
{
	const char *path = "/etc/ld.so.preload";
	bool existed = access(path, F_OK) == 0;

	append_and_expect(t, R_LD_SO_PRELOAD, "Critical", "T1574.006", path);
	if (!existed)
		unlink(path);
}

void test_rule_sudoers(struct tctx *t)
{
	char name[64];

	snprintf(name, sizeof(name), "vigil-e2e.%d", getpid()); /* a dot: sudo ignores it */
	create_in(t, "/etc/sudoers.d", name, R_SUDOERS, "Error", "T1548.003");
}

void test_rule_account_files(struct tctx *t)
{
	struct amatch etc;
	struct xopen o = {.path = "/etc/passwd", .flags = O_WRONLY | O_APPEND};
	pid_t pid = run_child(t, NULL, act_open, &o);
	json_t *a;

	if (pid < 0)
		return;
	a = got(t, am(R_ACCOUNTS, pid), wt("Error", "T1136.001", "vigil-e2e", self_exe()));
	expect_of(t, a, "fd.name", "/etc/passwd");
	json_decref(a);
	/* the generic rule leaves the file to this one (it would have come first) */
	etc = am(R_ETC, pid);
	expect_true(t, !agent_count(t->agent, t->from, amatch_pred, &etc), "\"%s\" alerted too",
		    R_ETC);
}

void test_rule_shell_rc(struct tctx *t)
{
	char path[PATHLEN];

	if (home_file(t, NULL, ".bashrc", NULL, path, sizeof(path)))
		append_and_expect(t, R_SHELL_RC, "Warning", "T1546.004", path);
	run_cleanup();
}

void test_rule_pam(struct tctx *t)
{
	char name[64];

	snprintf(name, sizeof(name), "vigil-e2e-%d", getpid());
	create_in(t, "/etc/pam.d", name, R_PAM, "Error", "T1556.003");
}

static int act_chmod_suid(void *p)
{
	return chmod((const char *)p, 04755) < 0 ? errno : 0;
}

void test_rule_setuid_bit(struct tctx *t)
{
	char path[PATHLEN];
	json_t *a;
	pid_t pid;

	pjoin(path, sizeof(path), t->tmpdir, "rootshell");
	if (!write_text(t, path, "#!/bin/sh\n"))
		return;
	pid = run_child(t, NULL, act_chmod_suid, path);
	if (pid < 0)
		return;
	a = got(t, am(R_SETID, pid), wt("Error", "T1548.001", "vigil-e2e", self_exe()));
	expect_of(t, a, "fd.name", path);
	expect_of(t, a, "evt.arg.mode", "04755");
	json_decref(a);
}

void test_rule_kernel_hook(struct tctx *t)
{
	struct xopen o = {.path = "/proc/sys/kernel/core_pattern",
			  .flags = O_WRONLY}; /* never written */
	pid_t pid = run_child(t, NULL, act_open, &o);
	json_t *a;

	if (pid < 0)
		return;
	a = got(t, am(R_KHOOK, pid), wt("Critical", "T1611", "vigil-e2e", self_exe()));
	expect_of(t, a, "fd.name", o.path);
	json_decref(a);
}

/* ==== defense evasion ============================================================ */

static int act_truncate(void *p)
{
	return truncate((const char *)p, 0) < 0 ? errno : 0;
}

void test_rule_log_clear(struct tctx *t)
{
	char path[PATHLEN];
	json_t *a;
	pid_t pid;

	snprintf(path, sizeof(path), "/var/log/vigil-e2e-%d.log", getpid());
	if (!ensure_dir(t, "/var/log") || !write_text(t, path, "evidence\n"))
		goto out;
	defer_rm(path);
	pid = run_child(t, NULL, act_truncate, path);
	if (pid < 0)
		goto out;
	a = got(t, am(R_LOG_CLEAR, pid), wt("Error", "T1070.002", "vigil-e2e", self_exe()));
	expect_of(t, a, "fd.name", path);
	expect_of(t, a, "evt.type", "truncate");
	json_decref(a);
out:
	run_cleanup();
}

static int act_symlink_null(void *p)
{
	return symlink("/dev/null", (const char *)p) < 0 ? errno : 0;
}

void test_rule_history_tamper(struct tctx *t)
{
	char path[PATHLEN];
	json_t *a;
	pid_t pid;

	if (!home_file(t, NULL, ".bash_history", NULL, path, sizeof(path)))
		goto out;
	pid = run_child(t, NULL, act_symlink_null, path);
	if (pid < 0)
		goto out;
	a = got(t, am(R_HISTORY, pid), wt("Warning", "T1070.003", "vigil-e2e", self_exe()));
	expect_of(t, a, "fd.name", path);
	expect_of(t, a, "evt.arg.target", "/dev/null");
	json_decref(a);
out:
	run_cleanup();
}

/* A fake tool named name run with args; its alert of rule has this cmdline. */
static void fake_tool_alert(struct tctx *t, const struct ctr *c, const char *name,
			    const char *const *args, const char *rule, const char *prio,
			    const char *tag, const char *cmdline)
{
	char path[PATHLEN], id[13];
	pid_t pid = fake_run(t, c, name, args, path, sizeof(path));
	json_t *a;

	if (pid < 0)
		return;
	a = got(t, am(rule, pid), wt_in(wt(prio, tag, name, path), c ? ctr_short(c, id) : NULL));
	expect_of(t, a, "proc.cmdline", cmdline);
	json_decref(a);
}

void test_rule_audit_tamper(struct tctx *t)
{
	static const char *const args[] = {"-D", NULL};

	fake_tool_alert(t, NULL, "auditctl", args, R_AUDIT, "Error", "T1562.012", "auditctl -D");
}

void test_rule_firewall_flush(struct tctx *t)
{
	static const char *const args[] = {"-F", "INPUT", NULL};

	fake_tool_alert(t, NULL, "iptables", args, R_FIREWALL, "Warning", "T1562.004",
			"iptables -F INPUT");
}

/* ==== privilege escalation and kernel ============================================ */

/* A setuid-root program's state (real uid nobody, saved uid root), then
 * setuid(0): the effective uid becomes 0. */
static int act_setuid_root(void *p)
{
	(void)p;
	if (setresuid(NOBODY, NOBODY, 0) < 0)
		return errno;
	return setuid(0) < 0 ? errno : 0;
}

void test_rule_priv_esc_root(struct tctx *t)
{
	pid_t pid = run_child(t, NULL, act_setuid_root, NULL);
	json_t *a;

	if (pid < 0)
		return;
	a = got(t, am_kv(R_PRIV_ESC, pid, "evt.type", "setuid"),
		wt_uid(wt("Critical", "T1068", "vigil-e2e", self_exe()), NOBODY));
	expect_of(t, a, "evt.arg.old_uid", "65534");
	expect_of_int(t, a, "user.euid", 0);
	json_decref(a);
}

void test_rule_ptrace_attach(struct tctx *t)
{
	pid_t pid = spawn(t, act_pause, NULL);
	char target[16];
	json_t *a;
	int st;

	if (pid < 0)
		return;
	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) < 0) {
		tfail(t, "PTRACE_ATTACH: %s", strerror(errno));
		kill_reap(pid);
		return;
	}
	waitpid(pid, &st, __WALL);
	kill_reap(pid);
	snprintf(target, sizeof(target), "%d", pid);
	a = got(t, am_kv(R_PTRACE, getpid(), "evt.arg.pid", target),
		wt("Warning", "T1055.008", "vigil-e2e", self_exe()));
	expect_of(t, a, "evt.arg.request", "PTRACE_ATTACH");
	json_decref(a);
}

static int act_finit_module(void *p)
{
	int fd = open((const char *)p, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	syscall(SYS_finit_module, fd, "", 0); /* fails: not a module */
	return 0;
}

/* The rules agent reported the module syscalls as unavailable. */
static bool module_hooks_missing(struct tctx *t, char *why, size_t whylen)
{
	char err[8192];
	const char *na;

	agent_stderr(t->agent, err, sizeof(err));
	na = strstr(err, "not attached:");
	if (!na || !strstr(na, "finit_module"))
		return false;
	snprintf(why, whylen, "%.*s", (int)strcspn(na, "\n"), na);
	return true;
}

void test_rule_kernel_module(struct tctx *t)
{
	char path[PATHLEN], why[600];
	json_t *a;
	pid_t pid;

	pjoin(path, sizeof(path), t->tmpdir, "rootkit.ko");
	if (!write_text(t, path, "not an ELF module\n"))
		return;
	pid = run_child(t, NULL, act_finit_module, path);
	if (pid < 0)
		return;
	if (module_hooks_missing(t, why, sizeof(why))) {
		tskip(t, "no finit_module hook on this kernel (no module support), vigil says: %s",
		      why);
		return;
	}
	a = got(t, am(R_KMOD, pid), wt("Error", "T1547.006", "vigil-e2e", self_exe()));
	expect_of(t, a, "evt.type", "finit_module");
	expect_of(t, a, "fd.name", path);
	json_decref(a);
}

/* Loads `r0 = 0; exit` as a socket filter named vigil_e2e. */
static int act_bpf_load(void *p)
{
	struct bpf_insn prog[] = {
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
	    {.code = BPF_JMP | BPF_EXIT},
	};
	union bpf_attr attr;
	int fd;

	(void)p;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (unsigned long)prog;
	attr.insn_cnt = 2;
	attr.license = (unsigned long)"GPL";
	snprintf(attr.prog_name, sizeof(attr.prog_name), "vigil_e2e");
	fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

void test_rule_bpf_load(struct tctx *t)
{
	pid_t pid = run_child(t, NULL, act_bpf_load, NULL);
	json_t *a;

	if (pid < 0)
		return;
	a = got(t, am(R_BPF, pid), wt("Warning", "T1014", "vigil-e2e", self_exe()));
	expect_of(t, a, "evt.arg.prog_name", "vigil_e2e");
	expect_of(t, a, "evt.arg.prog_type", "1"); /* BPF_PROG_TYPE_SOCKET_FILTER */
	json_decref(a);
}

#define USERNS_REFUSED 200 /* + errno: the kernel does not allow it */

static int act_userns(void *p)
{
	int rc = become_nobody();

	(void)p;
	if (rc)
		return rc;
	if (unshare(CLONE_NEWUSER) < 0)
		return errno == EPERM || errno == EINVAL || errno == ENOSPC || errno == EUSERS
			   ? USERNS_REFUSED + (errno & 0x1f)
			   : errno;
	return 0;
}

void test_rule_userns(struct tctx *t)
{
	pid_t pid = start_child(t, NULL, act_userns, NULL);
	int st = pid > 0 ? reap(pid, EVENT_TIMEOUT_MS) : -1;
	json_t *a;

	if (pid < 0)
		return;
	if (exit_code(st) >= USERNS_REFUSED && exit_code(st) < USERNS_REFUSED + 32) {
		tskip(t, "unprivileged unshare(CLONE_NEWUSER) refused by this kernel: %s",
		      strerror(exit_code(st) - USERNS_REFUSED));
		return;
	}
	if (st != 0) {
		child_failed(t, st);
		return;
	}
	a = got(t, am(R_USERNS, pid),
		wt_uid(wt("Notice", "T1068", "vigil-e2e", self_exe()), NOBODY));
	if (a)
		expect_flags(t, ofields(a), "evt.arg.flags", "CLONE_NEWUSER", true);
	json_decref(a);
}

/* ==== containers ================================================================= */

static int act_mount_proc(void *p)
{
	const char *dir = p;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return errno;
	if (mount("proc", dir, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return errno;
	return umount2(dir, MNT_DETACH) < 0 ? errno : 0;
}

void test_rule_container_mount(struct tctx *t)
{
	char dir[PATHLEN], id[13];
	struct ctr c;
	json_t *a;
	pid_t pid;

	pjoin(dir, sizeof(dir), t->tmpdir, "hostproc");
	if (mkdir(dir, 0755) < 0) {
		tfail(t, "mkdir %s: %s", dir, strerror(errno));
		return;
	}
	if (!ctr_make(t, &c))
		return;
	pid = run_child(t, &c, act_mount_proc, dir);
	if (pid > 0) {
		a = got(t, am(R_MOUNT, pid),
			wt_in(wt("Critical", "T1611", "vigil-e2e", self_exe()), ctr_short(&c, id)));
		expect_of(t, a, "evt.arg.fstype", "proc");
		expect_of(t, a, "evt.arg.source", "proc");
		expect_of(t, a, "fd.name", dir);
		json_decref(a);
	}
	ctr_remove(&c);
}

static int act_unix_connect(void *p)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", (const char *)p);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return errno;
	close(fd);
	return 0;
}

void test_rule_runtime_socket(struct tctx *t)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char id[13];
	struct ctr c;
	json_t *a;
	pid_t pid;

	pjoin(sa.sun_path, sizeof(sa.sun_path), t->tmpdir, "docker.sock");
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 4) < 0) {
		tfail(t, "unix listener %s: %s", sa.sun_path, strerror(errno));
		goto out;
	}
	if (!ctr_make(t, &c))
		goto out;
	pid = run_child(t, &c, act_unix_connect, sa.sun_path);
	if (pid > 0) {
		a = got(t, am(R_SOCK, pid),
			wt_in(wt("Critical", "T1611", "vigil-e2e", self_exe()), ctr_short(&c, id)));
		expect_of(t, a, "fd.name", sa.sun_path);
		json_decref(a);
	}
	ctr_remove(&c);
out:
	if (lfd >= 0)
		close(lfd);
}

void test_rule_pkg_mgr_container(struct tctx *t)
{
	static const char *const args[] = {"install", "-y", "nmap", NULL};
	struct ctr c;

	if (!ctr_make(t, &c))
		return;
	fake_tool_alert(t, &c, "apt-get", args, R_PKG, "Notice", "T1105",
			"apt-get install -y nmap");
	ctr_remove(&c);
}

void test_rule_drift_create(struct tctx *t)
{
	char path[PATHLEN], id[13];
	struct xopen o = {.path = path, .flags = O_WRONLY | O_CREAT | O_EXCL, .mode = 0755};
	struct ctr c;
	json_t *a;
	pid_t pid;

	pjoin(path, sizeof(path), t->tmpdir, "dropped-tool");
	if (!ctr_make(t, &c))
		return;
	pid = run_child(t, &c, act_open, &o);
	if (pid > 0) {
		a = got(t, am(R_DRIFT_CREATE, pid),
			wt_in(wt("Warning", "T1105", "vigil-e2e", self_exe()), ctr_short(&c, id)));
		expect_of(t, a, "fd.name", path);
		expect_of(t, a, "evt.arg.mode", "0755");
		json_decref(a);
	}
	ctr_remove(&c);
}

void test_rule_drift_exec(struct tctx *t)
{
	char path[PATHLEN], id[13];
	long long d = -1;
	struct ctr c;
	json_t *a;
	pid_t pid;

	if (!ctr_make(t, &c))
		return;
	/* written just now, after the "container" started */
	pid = fake_run(t, &c, "fresh-tool", NULL, path, sizeof(path));
	if (pid > 0) {
		a = got(t, am(R_DRIFT_EXEC, pid),
			wt_in(wt("Error", "T1204.002", "fresh-tool", path), ctr_short(&c, id)));
		if (a)
			expect_true(
			    t,
			    ev_int(ofields(a), "proc.exe_ino.ctime_duration_proc_start", &d) &&
				d >= 0 && d < DRIFT_NS,
			    "proc.exe_ino.ctime_duration_proc_start %lld not in [0, %lld)", d,
			    DRIFT_NS);
		json_decref(a);
	}
	ctr_remove(&c);
}

/* ==== network ==================================================================== */

void test_rule_suspicious_port(struct tctx *t)
{
	static const int ports[] = {4444, 5555, 6666, 7777, 31337, 1337, 3333, 14444, 45700};
	int lfd = -1, port = 0, cfd, peer = 0;
	char name[128];
	json_t *a;
	pid_t pid;

	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]) && lfd < 0; i++) {
		port = ports[i];
		lfd = tcp_listen(&port);
	}
	if (lfd < 0) {
		tskip(t, "every suspicious port is in use on 127.0.0.1");
		return;
	}
	pid = run_child(t, NULL, act_connect, &port);
	cfd = pid > 0 ? tcp_accept(lfd, &peer) : -1;
	if (cfd >= 0) {
		snprintf(name, sizeof(name), "127.0.0.1:%d->127.0.0.1:%d", peer, port);
		a = got(t, am(R_PORT, pid), wt("Warning", "T1571", "vigil-e2e", self_exe()));
		expect_of(t, a, "fd.name", name);
		expect_of_int(t, a, "fd.rport", port);
		json_decref(a);
		close(cfd);
	} else if (pid > 0) {
		tfail(t, "no connection accepted");
	}
	close(lfd);
}

void test_rule_netcat(struct tctx *t)
{
	static const char *const args[] = {"-lvp", "4444", NULL};

	fake_tool_alert(t, NULL, "nc", args, R_NETCAT, "Warning", "T1105", "nc -lvp 4444");
}

void test_rule_net_scanner(struct tctx *t)
{
	static const char *const args[] = {"-sS", "127.0.0.1", NULL};

	fake_tool_alert(t, NULL, "nmap", args, R_SCANNER, "Notice", "T1046", "nmap -sS 127.0.0.1");
}

/* ==== controls: benign actions raise nothing ===================================== */

/* Runs path with args (stdout to /dev/null) and requires that no alert names
 * its pid. */
static void run_benign(struct tctx *t, const char *path, const char *const *argv, bool must_work)
{
	struct xexec x = {.path = path, .argv = argv};
	pid_t pid = start_child(t, NULL, act_exec, &x);
	int st = pid > 0 ? reap(pid, EVENT_TIMEOUT_MS) : -1;

	if (pid < 0)
		return;
	if (must_work && st != 0)
		child_failed(t, st);
	expect_no_alert(t, pid, argv[0]);
}

void test_rule_benign_cat_hostname(struct tctx *t)
{
	static const char *const argv[] = {"cat", "/etc/hostname", NULL};

	run_benign(t, "/bin/cat", argv, false); /* the VM has no /etc/hostname: still benign */
}

void test_rule_benign_dpkg_version(struct tctx *t)
{
	static const char *const argv[] = {"dpkg", "--version", NULL};

	if (access("/usr/bin/dpkg", X_OK) < 0) {
		tskip(t, "no /usr/bin/dpkg here");
		return;
	}
	run_benign(t, "/usr/bin/dpkg", argv, false);
}

static int act_read_self(void *p)
{
	static const char *const paths[] = {"/proc/self/environ", "/proc/self/mem",
					    "/proc/thread-self/environ"};

	(void)p;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		int fd = open(paths[i], O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return errno;
		close(fd);
	}
	return 0;
}

void test_rule_benign_self_proc(struct tctx *t)
{
	pid_t pid = run_child(t, NULL, act_read_self, NULL);

	if (pid > 0)
		expect_no_alert(t, pid, "reading its own /proc/self/{environ,mem}");
}

void test_rule_benign_shadow_tool(struct tctx *t)
{
	static const char *const argv[] = {"passwd", "-S", "root", NULL};
	char exe[PATH_MAX];

	real("/usr/bin/passwd", exe, sizeof(exe));
	if (access(exe, X_OK) < 0 || strstr(exe, "busybox")) {
		tskip(t, "no shadow-utils passwd here (%s)", exe);
		return;
	}
	run_benign(t, "/usr/bin/passwd", argv, true); /* reads /etc/shadow */
}

/* An alert of any rule naming path (fd.name or evt.arg.newpath) below prefix. */
static bool names_prefix(json_t *a, void *ctx)
{
	const char *prefix = ctx, *v;
	json_t *of = ofields(a);

	return ((v = ev_str(of, "fd.name")) && !strncmp(v, prefix, strlen(prefix))) ||
	       ((v = ev_str(of, "evt.arg.newpath")) && !strncmp(v, prefix, strlen(prefix)));
}

/* Runs argv (argv[0] a path) to completion; false (reason in the test) on failure. */
static bool run_ok(struct tctx *t, const char *const *argv, bool *locked)
{
	static struct capture c;

	c = (struct capture){.argv = argv, .timeout_ms = CHECK_MS};
	run_capture(&c);
	if (c.status == 0)
		return true;
	if (locked && (*locked = strstr(c.err, "lock") != NULL))
		return false; /* the caller skips */
	tfail(t, "%s %s: status 0x%x: %.300s", argv[0], argv[1], c.status, c.err);
	return false;
}

/* A package holding one file below /usr/bin, installed and purged by dpkg:
 * package maintenance does not raise the binary-directory rule. */
static bool build_probe_deb(struct tctx *t, const char *deb)
{
	char root[PATHLEN], dir[PATHLEN + 16], file[PATHLEN + 64], ctl[PATHLEN + 32];
	const char *argv[] = {
	    "/usr/bin/dpkg-deb", "--build", "--root-owner-group", root, deb, NULL};

	pjoin(root, sizeof(root), t->tmpdir, "pkg");
	snprintf(dir, sizeof(dir), "%s/DEBIAN", root);
	snprintf(ctl, sizeof(ctl), "%s/control", dir);
	snprintf(file, sizeof(file), "%s/usr/bin/vigil-e2e-probe", root);
	if (!ensure_dir(t, dir) || !ensure_dir(t, file) || rmdir(file) < 0)
		return false;
	if (!write_text(t, ctl,
			"Package: vigil-e2e-probe\nVersion: 1.0\nArchitecture: all\n"
			"Maintainer: Vigil e2e <root@localhost>\n"
			"Description: Vigil e2e test package\n one file below /usr/bin\n"))
		return false;
	if (copy_file(true_exe(), file, 0755) < 0) {
		tfail(t, "copy to %s: %s", file, strerror(errno));
		return false;
	}
	return run_ok(t, argv, NULL);
}

void test_rule_benign_dpkg_install(struct tctx *t)
{
	char deb[PATHLEN], exe[PATH_MAX];
	const char *inst[] = {"/usr/bin/dpkg", "-i", deb, NULL};
	const char *purge[] = {"/usr/bin/dpkg", "-P", "vigil-e2e-probe", NULL};
	bool locked = false;
	size_t n;

	real("/usr/bin/dpkg", exe, sizeof(exe));
	if (access(exe, X_OK) < 0 || strstr(exe, "busybox") || access("/usr/bin/dpkg-deb", X_OK)) {
		tskip(t, "no Debian dpkg/dpkg-deb here (%s)", exe);
		return;
	}
	pjoin(deb, sizeof(deb), t->tmpdir, "vigil-e2e-probe.deb");
	if (build_probe_deb(t, deb) && run_ok(t, inst, &locked)) {
		run_ok(t, purge, NULL);
		if (alert_barrier(t) &&
		    (n = agent_count(t->agent, t->from, names_prefix, "/usr/bin/vigil-e2e-probe")))
			tfail(t,
			      "dpkg installing/removing /usr/bin/vigil-e2e-probe raised %zu alerts",
			      n);
	} else if (locked) {
		tskip(t, "the dpkg database is locked by another process");
	}
	run_cleanup();
}

/* ==== evasions: the rules still fire ============================================= */

struct xopen_at {
	const char *dir;  /* chdir here first (NULL: no) */
	const char *path; /* then open this */
	bool via_proc_fd; /* path is opened O_PATH, then reopened as /proc/self/fd/N */
};

static int act_open_evasive(void *p)
{
	const struct xopen_at *o = p;
	char buf[64];
	int fd;

	if (o->dir && chdir(o->dir) < 0)
		return errno;
	if (!o->via_proc_fd) {
		fd = open(o->path, O_RDONLY | O_CLOEXEC);
	} else {
		int pfd = open(o->path, O_PATH | O_CLOEXEC);

		if (pfd < 0)
			return errno;
		snprintf(buf, sizeof(buf), "/proc/self/fd/%d", pfd);
		fd = open(buf, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* The shadow alert of pid, reached through the path the caller gave. */
static void expect_shadow_via(struct tctx *t, pid_t pid, const char *given)
{
	json_t *a;

	if (pid < 0)
		return;
	a = got(t, am_kv(R_SHADOW, pid, "fd.nameraw", given),
		wt("Warning", "T1003.008", "vigil-e2e", self_exe()));
	expect_of(t, a, "fd.name", "/etc/shadow");
	json_decref(a);
}

void test_rule_evasion_shadow_symlink(struct tctx *t)
{
	char link[PATHLEN];
	struct xopen_at o = {.path = link};

	pjoin(link, sizeof(link), t->tmpdir, "notes.txt");
	if (symlink("/etc/shadow", link) < 0) {
		tfail(t, "symlink: %s", strerror(errno));
		return;
	}
	expect_shadow_via(t, run_child(t, NULL, act_open_evasive, &o), link);
}

void test_rule_evasion_shadow_dotdot(struct tctx *t)
{
	char rel[PATHLEN] = "";
	struct xopen_at o = {.dir = t->tmpdir, .path = rel};

	for (const char *p = t->tmpdir; *p; p++) /* one ".." per component */
		if (*p == '/')
			strcat(rel, "../");
	strcat(rel, "etc/shadow");
	expect_shadow_via(t, run_child(t, NULL, act_open_evasive, &o), rel);
}

void test_rule_evasion_shadow_proc_fd(struct tctx *t)
{
	struct xopen_at o = {.path = "/etc/shadow", .via_proc_fd = true};
	pid_t pid = run_child(t, NULL, act_open_evasive, &o);
	struct amatch m = am(R_SHADOW, pid);
	json_t *a;

	if (pid < 0)
		return;
	/* the reopen's fd number is the O_PATH fd: the lowest free, 3 here */
	a = got(t, am(R_SHADOW, pid), wt("Warning", "T1003.008", "vigil-e2e", self_exe()));
	expect_of(t, a, "fd.name", "/etc/shadow");
	if (a) {
		const char *given = ev_str(ofields(a), "fd.nameraw");

		expect_true(t, given && !strncmp(given, "/proc/self/fd/", 14),
			    "fd.nameraw \"%s\" is not the /proc/self/fd reopen",
			    given ? given : "(missing)");
	}
	json_decref(a);
	/* the O_PATH open reads nothing and is not reported */
	expect_true(t, alert_barrier(t) && agent_count(t->agent, t->from, amatch_pred, &m) == 1,
		    "expected exactly one \"%s\" alert for pid %d", R_SHADOW, pid);
}

void test_rule_evasion_exec_renamed(struct tctx *t)
{
	char path[PATHLEN];
	pid_t pid = fake_run(t, NULL, "update-notifier", NULL, path, sizeof(path));

	if (pid >= 0)
		json_decref(got(t, am(R_EXEC_TMP, pid),
				wt("Warning", "T1204.002", "update-notifier", path)));
}

/* ==== vigil check ================================================================ */

/* "N rules loaded, M skipped" in text: true with n and m filled. */
static bool loaded_line(const char *text, long *n, long *m)
{
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (sscanf(p, "%ld rules loaded, %ld skipped", n, m) == 2)
			return true;
	return false;
}

static bool has_diag(const char *text, const char *kind)
{
	char needle[32];

	snprintf(needle, sizeof(needle), ": %s: ", kind);
	return strstr(text, needle) != NULL;
}

void test_rule_check_default(struct tctx *t)
{
	static struct capture c;
	const char *argv[] = {vigil_path(), "check", NULL};
	char all[sizeof(c.out) + sizeof(c.err)];
	long n = -1, m = -1;

	c = (struct capture){.argv = argv, .timeout_ms = CHECK_MS};
	run_capture(&c);
	snprintf(all, sizeof(all), "%s%s", c.out, c.err);
	expect_true(t, c.status == 0, "vigil check exited with status 0x%x: %.300s", c.status, all);
	if (!expect_true(t, loaded_line(all, &n, &m), "no \"N rules loaded, M skipped\": %.300s",
			 all))
		return;
	expect_true(t, n >= 30, "only %ld default rules loaded", n);
	expect_true(t, m == 0, "%ld default rules skipped: %.500s", m, all);
	expect_true(t, !has_diag(all, "error") && !has_diag(all, "skipped"),
		    "diagnostics on the default rules: %.500s", all);
	tnote(t, "%ld rules loaded, %ld skipped", n, m);
}

void test_rule_check_broken(struct tctx *t)
{
	static struct capture c;
	static const char text[] = "- rule: Broken Rule\n"
				   "  desc: a rule whose condition does not parse\n"
				   "  output: broken (pid=%proc.pid)\n"
				   "  priority: WARNING\n"
				   "  condition: evt.type = openat and and fd.name = /x\n";
	char path[PATHLEN], where[PATHLEN + 8], all[sizeof(c.out) + sizeof(c.err)];
	const char *argv[] = {vigil_path(), "check", "-r", path, NULL};

	pjoin(path, sizeof(path), t->tmpdir, "broken.yaml");
	if (!write_text(t, path, text))
		return;
	c = (struct capture){.argv = argv, .timeout_ms = CHECK_MS};
	run_capture(&c);
	snprintf(all, sizeof(all), "%s%s", c.out, c.err);
	snprintf(where, sizeof(where), "%s:5:", path);
	expect_true(t, c.status >= 0 && exit_code(c.status) == 1,
		    "vigil check -r broken exited %d, not 1: %.300s", exit_code(c.status), all);
	expect_true(t, strstr(all, where) && has_diag(all, "error"),
		    "no \"%s...: error:\" line: %.500s", where, all);
}

/* ==== SIGHUP reload ============================================================== */

static bool write_rule(struct tctx *t, const char *path, const char *name, const char *cond)
{
	char text[2 * PATHLEN];

	snprintf(text, sizeof(text),
		 "- rule: %s\n"
		 "  desc: e2e reload test rule\n"
		 "  condition: %s\n"
		 "  output: %s fired (file=%%fd.name pid=%%proc.pid proc=%%proc.name "
		 "exe=%%proc.exepath uid=%%user.uid container=%%container.id)\n"
		 "  priority: NOTICE\n"
		 "  tags: [e2e]\n",
		 name, cond, name);
	return write_text(t, path, text);
}

/* Waits until stderr holds more than `before` copies of needle. */
static bool wait_stderr(struct agent *a, const char *needle, int before)
{
	static char err[65536];
	int64_t end = mono_ms() + EVENT_TIMEOUT_MS;

	while (mono_ms() < end && agent_alive(a)) {
		int n = 0;

		agent_stderr(a, err, sizeof(err));
		for (const char *p = err; (p = strstr(p, needle)); p++)
			n++;
		if (n > before)
			return true;
		sleep_ms(10);
	}
	return false;
}

static void expect_reload_alert(struct tctx *t, const char *rule, pid_t pid, const char *file)
{
	json_t *a;

	if (pid < 0)
		return;
	a = got(t, am(rule, pid), wt("Notice", "e2e", "vigil-e2e", self_exe()));
	expect_of(t, a, "fd.name", file);
	json_decref(a);
}

static void reload_steps(struct tctx *t, struct agent *a, const char *rules, const char *fa,
			 const char *fb)
{
	char cond[PATHLEN + 64];
	struct amatch old;
	pid_t pa, pb;

	expect_reload_alert(t, "E2E Reload A", child_reads(t, fa), fa);
	snprintf(cond, sizeof(cond), "evt.type in (open, openat, openat2) and fd.name = %s", fb);
	if (tfailed(t) || !write_rule(t, rules, "E2E Reload B", cond))
		return;
	kill(agent_pid(a), SIGHUP);
	if (!expect_true(t, wait_stderr(a, "rules reloaded", 0), "no \"rules reloaded\" line"))
		return;
	pa = child_reads(t, fa); /* rule A is gone ... */
	pb = child_reads(t, fb); /* ... and B fires (after A would have) */
	expect_reload_alert(t, "E2E Reload B", pb, fb);
	old = am("E2E Reload A", pa);
	expect_true(t, pa > 0 && !agent_count(a, t->from, amatch_pred, &old),
		    "the replaced rule still alerted");
	if (tfailed(t) || !write_rule(t, rules, "E2E Reload Broken", "evt.type = openat and and"))
		return;
	kill(agent_pid(a), SIGHUP);
	expect_true(t, wait_stderr(a, "reload failed", 0), "no \"reload failed\" line");
	expect_true(t, wait_stderr(a, rules, 0), "the reload error does not name %s", rules);
	expect_reload_alert(t, "E2E Reload B", child_reads(t, fb), fb); /* still in force */
}

void test_rule_sighup_reload(struct tctx *t)
{
	char rules[PATHLEN], fa[PATHLEN], fb[PATHLEN], cond[PATHLEN + 64], err[1024];
	const char *argv[] = {"run", "-r", rules, NULL};
	struct agent *a;
	int st;

	pjoin(rules, sizeof(rules), t->tmpdir, "rules.yaml");
	pjoin(fa, sizeof(fa), t->tmpdir, "trigger-a");
	pjoin(fb, sizeof(fb), t->tmpdir, "trigger-b");
	snprintf(cond, sizeof(cond), "evt.type in (open, openat, openat2) and fd.name = %s", fa);
	if (!write_text(t, fa, "a\n") || !write_text(t, fb, "b\n") ||
	    !write_rule(t, rules, "E2E Reload A", cond))
		return;
	a = agent_start_argv(argv, STORE_ALL, err, sizeof(err));
	if (!a || agent_wait_ready(a, READY_TIMEOUT_MS, err, sizeof(err))) {
		tfail(t, "agent with -r %s: %s", rules, err);
		agent_free(a);
		return;
	}
	t->agent = a;
	t->from = agent_seq(a);
	reload_steps(t, a, rules, fa, fb);
	st = agent_stop(a, SIGINT, STOP_TIMEOUT_MS);
	expect_true(t, st == 0, "the agent's exit status is 0x%x, not 0", st);
	t->agent = NULL;
	agent_free(a);
}

/* ---- the in-kernel read filter -------------------------------------------------- */

/* A rule set whose only read rule watches one file under /tmp: read-only
 * opens elsewhere (here /proc/self/stat) are dropped in the kernel and
 * counted as kernel_filtered; the watched file still alerts. */
void test_rule_kernel_read_filter(struct tctx *t)
{
	char rules[PATHLEN], watched[PATHLEN], cond[PATHLEN + 64], err[1024];
	const char *argv[] = {"run", "-r", rules, NULL};
	long long filtered = 0;
	struct agent *a;
	json_t *stats;
	enum { READS = 2000 };

	pjoin(rules, sizeof(rules), t->tmpdir, "rules.yaml");
	pjoin(watched, sizeof(watched), t->tmpdir, "watched");
	snprintf(cond, sizeof(cond), "evt.type in (open, openat, openat2) and fd.name = %s",
		 watched);
	if (!write_text(t, watched, "w\n") || !write_rule(t, rules, "E2E Read Filter", cond))
		return;
	a = agent_start_argv(argv, STORE_ALL, err, sizeof(err));
	if (!a || agent_wait_ready(a, READY_TIMEOUT_MS, err, sizeof(err))) {
		tfail(t, "agent with -r %s: %s", rules, err);
		agent_free(a);
		return;
	}
	t->agent = a;
	t->from = agent_seq(a);
	agent_stderr(a, err, sizeof(err));
	expect_true(t, strstr(err, "kernel read filter") != NULL,
		    "the agent did not turn the read filter on: %.300s", err);
	for (int i = 0; i < READS; i++)
		close(open("/proc/self/stat", O_RDONLY | O_CLOEXEC));
	expect_reload_alert(t, "E2E Read Filter", child_reads(t, watched), watched);
	agent_stop(a, SIGINT, STOP_TIMEOUT_MS);
	agent_stderr(a, err, sizeof(err));
	stats = parse_stats_line(err);
	if (!stats || !json_is_integer(json_object_get(stats, "kernel_filtered")))
		tfail(t, "no kernel_filtered count in the stats line: %.300s", err);
	else
		filtered = json_integer_value(json_object_get(stats, "kernel_filtered"));
	expect_true(t, filtered >= READS, "kernel_filtered is %lld, fewer than the %d reads",
		    filtered, READS);
	tnote(t, "kernel_filtered=%lld", filtered);
	json_decref(stats);
	t->agent = NULL;
	agent_free(a);
}
