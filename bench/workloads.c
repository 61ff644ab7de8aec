/* workloads.c - the timed workloads of the overhead benchmark (bench/run.sh).
 *
 * Each workload is one operation repeated in a timed loop:
 *   open_close   openat + close of an existing file, read-only
 *   open_write   openat + close of the same file, for writing (nothing written)
 *   stat         stat of the same file
 *   getpid       the getpid syscall (a cheap syscall no monitor reports)
 *   fork_exec    fork, exec /bin/true, wait
 *   tcp_connect  socket + connect + accept + close on loopback (RST close, no TIME_WAIT)
 *   compile      gcc -c of one small C file (fork, exec, opens, mmaps: a real mix)
 *
 * usage:
 *   workloads --workload NAME [--time SEC | --iterations N] [--dir DIR]
 *       prints: NAME ops=N ns=T ns_per_op=X cpu_ns=C
 *       (C: CPU time of this process and the children it waited for, user
 *       and system, over the timed loop: BPF programs run in the workload's
 *       system time, and the number is less disturbed by other processes
 *       taking the CPU than the elapsed time is)
 *   workloads --rate N --time SEC [--threads T] [--dir DIR]
 *       N open+close per second spread over T threads (default 2), paced every
 *       millisecond; the opens are for writing (as open_write), which every
 *       in-kernel filter of Vigil's default rules lets through; prints:
 *       rate target=N ops=N ns=T achieved=R
 *   workloads --sleepers N
 *       forks N children that pause, prints "sleepers ready N", waits for
 *       SIGTERM or SIGINT, then kills and reaps them
 *   workloads --list
 *
 * DIR (default: a fresh directory under /tmp, removed at exit) holds the file
 * that is opened and the C sources that are compiled.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define COMPILE_FILES 300
#define PATH_LEN      512

struct ctx {
	char dir[PATH_LEN];
	char file[PATH_LEN + 32];
	int listen_fd;
	struct sockaddr_in addr;
	unsigned long next_src;
};

struct workload {
	const char *name;
	int (*setup)(struct ctx *c);
	int (*op)(struct ctx *c);
	unsigned batch;	 /* operations between two clock reads */
	unsigned warmup; /* untimed operations first */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t tv_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000ull + (uint64_t)tv.tv_usec * 1000ull;
}

/* User + system time of this process and of the children it waited for. */
static uint64_t cpu_ns(void)
{
	struct rusage self, kids;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return tv_ns(self.ru_utime) + tv_ns(self.ru_stime) + tv_ns(kids.ru_utime) +
	       tv_ns(kids.ru_stime);
}

static void die(const char *what)
{
	fprintf(stderr, "workloads: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int setup_file(struct ctx *c)
{
	int fd;

	snprintf(c->file, sizeof(c->file), "%s/file", c->dir);
	fd = open(c->file, O_WRONLY | O_CREAT, 0644);
	if (fd < 0 || write(fd, "vigil bench\n", 12) != 12)
		return -1;
	return close(fd);
}

static int op_open_close(struct ctx *c)
{
	int fd = open(c->file, O_RDONLY);

	if (fd < 0)
		return -1;
	return close(fd);
}

static int op_open_write(struct ctx *c)
{
	int fd = open(c->file, O_WRONLY);

	if (fd < 0)
		return -1;
	return close(fd);
}

static int op_stat(struct ctx *c)
{
	struct stat st;

	return stat(c->file, &st);
}

static int op_getpid(struct ctx *c)
{
	(void)c;
	return syscall(SYS_getpid) > 0 ? 0 : -1;
}

/* fork, exec ARGV, wait; 0 when the child exited with status 0. */
static int spawn_wait(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		errno = ECHILD;
		return -1;
	}
	return 0;
}

static int op_fork_exec(struct ctx *c)
{
	char *argv[] = {"/bin/true", NULL};

	(void)c;
	return spawn_wait(argv);
}

static int setup_tcp(struct ctx *c)
{
	socklen_t len = sizeof(c->addr);
	int one = 1;

	c->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->listen_fd < 0)
		return -1;
	setsockopt(c->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&c->addr, 0, sizeof(c->addr));
	c->addr.sin_family = AF_INET;
	c->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(c->listen_fd, (struct sockaddr *)&c->addr, sizeof(c->addr)) ||
	    listen(c->listen_fd, 128) ||
	    getsockname(c->listen_fd, (struct sockaddr *)&c->addr, &len))
		return -1;
	return 0;
}

/* The client aborts (SO_LINGER 0: RST), so no TIME_WAIT socket holds an
 * ephemeral port and any number of iterations can run. */
static int op_tcp_connect(struct ctx *c)
{
	struct linger lg = {.l_onoff = 1, .l_linger = 0};
	int cfd, sfd;

	cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cfd < 0)
		return -1;
	if (connect(cfd, (struct sockaddr *)&c->addr, sizeof(c->addr))) {
		close(cfd);
		return -1;
	}
	sfd = accept(c->listen_fd, NULL, NULL);
	if (sfd < 0) {
		close(cfd);
		return -1;
	}
	setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(cfd);
	return close(sfd);
}

static const char *find_gcc(void)
{
	static const char *const cands[] = {"/usr/bin/gcc", "/usr/bin/cc", "/bin/gcc"};

	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++)
		if (access(cands[i], X_OK) == 0)
			return cands[i];
	return NULL;
}

/* COMPILE_FILES small translation units, made once per DIR. */
static int setup_compile(struct ctx *c)
{
	char path[PATH_LEN + 32];

	if (!find_gcc()) {
		errno = ENOENT;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/src", c->dir);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -1;
	for (int i = 0; i < COMPILE_FILES; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/src/u%03d.c", c->dir, i);
		if (access(path, R_OK) == 0)
			continue;
		f = fopen(path, "w");
		if (!f)
			return -1;
		fprintf(f, "#include <stdio.h>\n#include <string.h>\n\n");
		fprintf(f, "struct item%d { int key; char name[32]; double w; };\n\n", i);
		fprintf(f, "static int cmp%d(const struct item%d *a, const struct item%d *b)\n", i,
			i, i);
		fprintf(f, "{\n\treturn a->key - b->key + (int)strlen(a->name) - "
			   "(int)strlen(b->name);\n}\n\n");
		fprintf(f, "int unit%d(struct item%d *v, int n)\n{\n\tint s = 0;\n\n", i, i);
		fprintf(f,
			"\tfor (int j = 1; j < n; j++) {\n\t\tif (cmp%d(&v[j - 1], &v[j]) > 0)\n",
			i);
		fprintf(f,
			"\t\t\ts += j * %d;\n\t\tsnprintf(v[j].name, sizeof(v[j].name), "
			"\"%%d\", s);\n\t}\n\treturn s;\n}\n",
			i + 1);
		if (fclose(f))
			return -1;
	}
	return 0;
}

static int op_compile(struct ctx *c)
{
	char src[PATH_LEN + 32], obj[PATH_LEN + 32];
	char *argv[] = {(char *)find_gcc(), "-O1", "-c", "-o", obj, src, NULL};
	unsigned long i = c->next_src++ % COMPILE_FILES;

	snprintf(src, sizeof(src), "%s/src/u%03lu.c", c->dir, i);
	snprintf(obj, sizeof(obj), "%s/unit.o", c->dir);
	return spawn_wait(argv);
}

static const struct workload workloads[] = {
    {"open_close", setup_file, op_open_close, 256, 2000},
    {"open_write", setup_file, op_open_write, 256, 2000},
    {"stat", setup_file, op_stat, 256, 2000},
    {"getpid", NULL, op_getpid, 1024, 10000},
    {"fork_exec", NULL, op_fork_exec, 1, 20},
    {"tcp_connect", setup_tcp, op_tcp_connect, 16, 500},
    {"compile", setup_compile, op_compile, 1, 2},
};

#define NWORKLOADS (sizeof(workloads) / sizeof(workloads[0]))

static const struct workload *find_workload(const char *name)
{
	for (size_t i = 0; i < NWORKLOADS; i++)
		if (!strcmp(workloads[i].name, name))
			return &workloads[i];
	return NULL;
}

static void run_workload(const struct workload *w, struct ctx *c, double seconds,
			 unsigned long iterations)
{
	uint64_t limit = (uint64_t)(seconds * 1e9), start, elapsed, cpu0;
	unsigned long ops = 0;

	if (w->setup && w->setup(c))
		die(w->name);
	for (unsigned i = 0; i < w->warmup; i++)
		if (w->op(c))
			die(w->name);
	cpu0 = cpu_ns();
	start = now_ns();
	for (;;) {
		for (unsigned i = 0; i < w->batch; i++)
			if (w->op(c))
				die(w->name);
		ops += w->batch;
		elapsed = now_ns() - start;
		if (iterations ? ops >= iterations : elapsed >= limit)
			break;
	}
	printf("%s ops=%lu ns=%llu ns_per_op=%.1f cpu_ns=%llu\n", w->name, ops,
	       (unsigned long long)elapsed, (double)elapsed / (double)ops,
	       (unsigned long long)(cpu_ns() - cpu0));
}

/* --rate: each thread keeps done >= rate * elapsed, checking every 16 opens,
 * and sleeps 200 us whenever it is ahead. */
struct rate_thread {
	pthread_t tid;
	struct ctx *c;
	double rate; /* opens per second, this thread */
	uint64_t start, limit;
	unsigned long done;
};

static void *rate_main(void *arg)
{
	struct rate_thread *t = arg;
	struct timespec pause = {0, 200000};

	for (;;) {
		uint64_t el = now_ns() - t->start;
		double due = t->rate * (double)el / 1e9;

		if (el >= t->limit)
			break;
		if ((double)t->done >= due) {
			nanosleep(&pause, NULL);
			continue;
		}
		for (int i = 0; i < 16; i++)
			if (op_open_write(t->c))
				die("rate open");
		t->done += 16;
	}
	return NULL;
}

static void run_rate(struct ctx *c, double rate, double seconds, int nthreads)
{
	struct rate_thread th[64];
	unsigned long total = 0;
	uint64_t start, elapsed;

	if (setup_file(c))
		die("rate setup");
	start = now_ns();
	for (int i = 0; i < nthreads; i++) {
		th[i] = (struct rate_thread){.c = c,
					     .rate = rate / nthreads,
					     .start = start,
					     .limit = (uint64_t)(seconds * 1e9)};
		if (pthread_create(&th[i].tid, NULL, rate_main, &th[i]))
			die("pthread_create");
	}
	for (int i = 0; i < nthreads; i++) {
		pthread_join(th[i].tid, NULL);
		total += th[i].done;
	}
	elapsed = now_ns() - start;
	printf("rate target=%.0f ops=%lu ns=%llu achieved=%.0f\n", rate, total,
	       (unsigned long long)elapsed, (double)total * 1e9 / (double)elapsed);
}

static volatile sig_atomic_t stop_sleepers;

static void on_stop(int sig)
{
	(void)sig;
	stop_sleepers = 1;
}

/* Children die with the parent (PR_SET_PDEATHSIG) so none is ever left. */
static void run_sleepers(long n)
{
	struct sigaction sa = {.sa_handler = on_stop};
	pid_t *pids = calloc((size_t)n, sizeof(*pids));
	pid_t parent = getpid();
	sigset_t block, old;
	long made = 0;

	if (!pids)
		die("calloc");
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	for (; made < n && !stop_sleepers; made++) {
		pid_t pid = fork();

		if (pid < 0) {
			fprintf(stderr, "workloads: fork %ld: %s\n", made, strerror(errno));
			break;
		}
		if (pid == 0) {
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			sigprocmask(SIG_SETMASK, &old, NULL);
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(0);
			for (;;)
				pause();
		}
		pids[made] = pid;
	}
	printf("sleepers ready %ld\n", made);
	fflush(stdout);
	while (!stop_sleepers)
		sigsuspend(&old);
	for (long i = 0; i < made; i++)
		kill(pids[i], SIGKILL);
	for (long i = 0; i < made; i++)
		waitpid(pids[i], NULL, 0);
	free(pids);
	if (made < n)
		exit(1);
}

static char tmpdir_made[PATH_LEN];

static void remove_tmpdir(void)
{
	char *argv[] = {"/bin/rm", "-rf", tmpdir_made, NULL};

	if (tmpdir_made[0])
		spawn_wait(argv);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: workloads --workload NAME [--time SEC | --iterations N] [--dir DIR]\n"
		"       workloads --rate N --time SEC [--threads T] [--dir DIR]\n"
		"       workloads --sleepers N\n"
		"       workloads --list\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"workload", required_argument, NULL, 'w'},
	    {"time", required_argument, NULL, 't'},
	    {"iterations", required_argument, NULL, 'n'},
	    {"dir", required_argument, NULL, 'd'},
	    {"rate", required_argument, NULL, 'r'},
	    {"threads", required_argument, NULL, 'T'},
	    {"sleepers", required_argument, NULL, 's'},
	    {"list", no_argument, NULL, 'l'},
	    {NULL, 0, NULL, 0},
	};
	static struct ctx c = {.listen_fd = -1};
	const struct workload *w;
	const char *name = NULL, *dir = NULL;
	double seconds = 0.5, rate = 0;
	unsigned long iterations = 0;
	long sleepers = 0;
	int threads = 2, opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'w':
			name = optarg;
			break;
		case 't':
			seconds = strtod(optarg, NULL);
			break;
		case 'n':
			iterations = strtoul(optarg, NULL, 10);
			break;
		case 'd':
			dir = optarg;
			break;
		case 'r':
			rate = strtod(optarg, NULL);
			break;
		case 'T':
			threads = atoi(optarg);
			break;
		case 's':
			sleepers = strtol(optarg, NULL, 10);
			break;
		case 'l':
			for (size_t i = 0; i < NWORKLOADS; i++)
				printf("%s\n", workloads[i].name);
			return 0;
		default:
			usage();
		}
	}
	if (sleepers > 0) {
		run_sleepers(sleepers);
		return 0;
	}
	if ((!name && rate <= 0) || seconds <= 0 || threads < 1 || threads > 64)
		usage();
	if (dir) {
		snprintf(c.dir, sizeof(c.dir), "%s", dir);
		if (mkdir(c.dir, 0755) && errno != EEXIST)
			die(c.dir);
	} else {
		snprintf(c.dir, sizeof(c.dir), "/tmp/vigil-workloads.XXXXXX");
		if (!mkdtemp(c.dir))
			die("mkdtemp");
		snprintf(tmpdir_made, sizeof(tmpdir_made), "%s", c.dir);
		atexit(remove_tmpdir);
	}
	if (rate > 0) {
		run_rate(&c, rate, seconds, threads);
		return 0;
	}
	w = find_workload(name);
	if (!w) {
		fprintf(stderr, "workloads: unknown workload %s\n", name);
		return 2;
	}
	run_workload(w, &c, seconds, iterations);
	return 0;
}
