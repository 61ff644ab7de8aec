/* util.c - helpers shared by the e2e tests: clocks, diagnostics, small file
 * and path helpers, namespace and cgroup lookups, and child processes
 * (spawn/reap with deadlines, running a command with its output captured).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "harness.h"

/* ---- small utilities ----------------------------------------------------- */

int64_t now_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

void diag(const char *fmt, ...)
{
	char msg[8192], out[12288];
	size_t n = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* every line "# "-prefixed, so no text of the agent can pose as a result line */
	for (const char *p = msg; *p && n + 4 < sizeof(out); p++) {
		if (p == msg || p[-1] == '\n') {
			out[n++] = '#';
			out[n++] = ' ';
		}
		out[n++] = *p;
	}
	while (n && out[n - 1] == '\n')
		n--;
	out[n++] = '\n';
	fflush(stdout);
	if (write(STDERR_FILENO, out, n) < 0)
		return;
}

bool str_has_ci(const char *hay, const char *needle)
{
	return hay && strcasestr(hay, needle) != NULL;
}

const char *real(const char *path, char *out, size_t outlen)
{
	char buf[PATH_MAX];

	snprintf(out, outlen, "%s", realpath(path, buf) ? buf : path);
	return out;
}

unsigned long long own_cgroup_id(void)
{
	char mnt[1024], line[4096], path[PATH_MAX + 1100];
	struct stat st;
	FILE *f;
	bool ok = false;

	if (!cgroup2_mount(mnt, sizeof(mnt)))
		return 0;
	f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return 0;
	while (!ok && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(path, sizeof(path), "%s%s", mnt, line + 3);
		ok = stat(path, &st) == 0;
	}
	fclose(f);
	return ok ? st.st_ino : 0;
}

const char *pjoin(char *out, size_t outlen, const char *dir, const char *name)
{
	snprintf(out, outlen, "%s/%s", dir, name);
	return out;
}

int write_file(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, data, strlen(data));
	close(fd);
	return n == (ssize_t)strlen(data) ? 0 : -1;
}

long long count_lines(const char *path)
{
	FILE *f = fopen(path, "re");
	long long n = 0;
	int c;

	if (!f)
		return -1;
	while ((c = getc_unlocked(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

int read_file(const char *path, char *out, size_t outlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, out, outlen - 1);
	close(fd);
	if (n < 0)
		return -1;
	out[n] = '\0';
	return (int)n;
}

unsigned long long ns_inode(pid_t pid, const char *name)
{
	char path[64];
	struct stat st;

	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, name);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	if (stat(path, &st) < 0)
		return 0;
	return st.st_ino;
}

/* Undoes mountinfo's octal escapes (\040 for a space...) in place. */
static void unescape_octal(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

bool cgroup2_mount(char *out, size_t outlen)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char mnt[4096], fstype[256];
		char *sep = strstr(line, " - ");

		if (!sep || sscanf(sep + 3, "%255s", fstype) != 1 || strcmp(fstype, "cgroup2"))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		unescape_octal(mnt);
		snprintf(out, outlen, "%s", mnt);
		found = true;
	}
	fclose(f);
	return found;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void rm_tree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

const char *vigil_path(void)
{
	static char path[4096];
	const char *env;

	if (path[0])
		return path;
	env = getenv("VIGIL");
	if (!env || !*env)
		env = "/usr/bin/vigil";
	if (!realpath(env, path))
		snprintf(path, sizeof(path), "%s", env);
	return path;
}

/* ---- processes ----------------------------------------------------------- */

pid_t spawn(struct tctx *t, int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid < 0) {
		tfail(t, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(fn(arg));
	}
	agent_track(t->agent, pid);
	return pid;
}

int reap(pid_t pid, int timeout_ms)
{
	int64_t end = mono_ms() + timeout_ms;
	int st;

	if (pid <= 0)
		return -1;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return st;
		if (r < 0 && errno != EINTR)
			return -1;
		if (mono_ms() >= end)
			break;
		sleep_ms(2);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int session_members(pid_t sid, char *out, size_t outlen)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	out[0] = '\0';
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char path[300], buf[1024], *rp;
		int session = 0;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if (read_file(path, buf, sizeof(buf)) <= 0 || !(rp = strrchr(buf, ')')))
			continue;
		/* after "comm)": state ppid pgrp session */
		if (sscanf(rp + 1, " %*c %*d %*d %d", &session) != 1 || session != sid)
			continue;
		if (n++ < 8 && strlen(out) + 32 < outlen)
			snprintf(out + strlen(out), outlen - strlen(out), "%s%s", *out ? "," : "",
				 de->d_name);
	}
	closedir(d);
	return n;
}

void kill_reap(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void drain(int fd, char *buf, size_t cap, size_t *len, bool *eof)
{
	char tmp[4096];
	ssize_t n = read(fd, tmp, sizeof(tmp));

	if (n <= 0) {
		if (n == 0 || (errno != EINTR && errno != EAGAIN))
			*eof = true;
		return;
	}
	if (*len + 1 < cap) {
		size_t k = (size_t)n < cap - 1 - *len ? (size_t)n : cap - 1 - *len;

		memcpy(buf + *len, tmp, k);
		*len += k;
		buf[*len] = '\0';
	}
}

static void capture_child(const struct capture *c, int out_w, int err_w, int status_w)
{
	int devnull = open("/dev/null", O_RDONLY);
	int e;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setsid(); /* anything it leaves behind is findable by session id */
	if (devnull >= 0)
		dup2(devnull, STDIN_FILENO);
	dup2(out_w, STDOUT_FILENO);
	dup2(err_w, STDERR_FILENO);
	if (c->as_nobody && (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)) {
		e = errno;
		if (write(status_w, &e, sizeof(e)) < 0)
			_exit(126);
		_exit(126);
	}
	execv(c->argv[0], (char *const *)c->argv);
	e = errno;
	if (write(status_w, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* Reads both pipes until EOF, the deadline, or (stop_on_ready) a ready line. */
static void capture_loop(struct capture *c, int ofd, int efd, int64_t end)
{
	size_t olen = 0, elen = 0;
	bool oeof = false, eeof = false;

	while ((!oeof || !eeof) && mono_ms() < end) {
		struct pollfd p[2] = {{ofd, POLLIN, 0}, {efd, POLLIN, 0}};
		int left = (int)(end - mono_ms());

		if (poll(p, 2, left > 0 ? left : 0) <= 0)
			continue;
		if (!oeof && p[0].revents)
			drain(ofd, c->out, sizeof(c->out), &olen, &oeof);
		if (!eeof && p[1].revents)
			drain(efd, c->err, sizeof(c->err), &elen, &eeof);
		if (c->stop_on_ready && text_says_ready(c->err)) {
			c->got_ready = true;
			kill(c->pid, SIGTERM);
			end = mono_ms() + STOP_TIMEOUT_MS;
			c->stop_on_ready = false;
		}
	}
}

int run_capture(struct capture *c)
{
	int o[2], e[2], s[2];
	int64_t end = mono_ms() + c->timeout_ms, left;

	c->out[0] = c->err[0] = '\0';
	c->exec_errno = 0;
	c->got_ready = false;
	c->status = -1;
	if (pipe2(o, O_CLOEXEC) < 0 || pipe2(e, O_CLOEXEC) < 0 || pipe2(s, O_CLOEXEC) < 0) {
		snprintf(c->err, sizeof(c->err), "pipe: %s", strerror(errno));
		return -1;
	}
	c->pid = fork();
	if (c->pid == 0)
		capture_child(c, o[1], e[1], s[1]);
	close(o[1]), close(e[1]), close(s[1]);
	if (c->pid < 0) {
		close(o[0]), close(e[0]), close(s[0]);
		snprintf(c->err, sizeof(c->err), "fork: %s", strerror(errno));
		return -1;
	}
	agent_ignore_pid(c->pid);
	capture_loop(c, o[0], e[0], end);
	left = end - mono_ms();
	c->status = reap(c->pid, left > 0 ? (int)left : 0);
	if (read(s[0], &c->exec_errno, sizeof(c->exec_errno)) != sizeof(c->exec_errno))
		c->exec_errno = 0;
	close(o[0]), close(e[0]), close(s[0]);
	return c->status;
}
