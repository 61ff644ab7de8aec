/* floor.c - loads floor.bpf.c's empty programs on the given syscalls.
 *
 * usage: floor SYSCALL...
 *   attaches floor_enter/floor_exit to syscalls:sys_enter_X/sys_exit_X for
 *   each SYSCALL the kernel has (others are listed and skipped), and the
 *   sched_process_exec/fork/exit programs; prints
 *   "floor: ready (N programs attached, M syscalls missing)" on stderr, then
 *   waits for SIGINT or SIGTERM and detaches.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

#define MAX_LINKS 1024

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static int tracepoint_exists(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/syscalls/%s", name);
	return access(path, F_OK) == 0;
}

int main(int argc, char **argv)
{
	static struct bpf_link *links[MAX_LINKS];
	struct sigaction sa = {.sa_handler = on_signal};
	struct bpf_program *sched[3];
	sigset_t block, old;
	struct floor_bpf *skel;
	int n = 0, missing = 0, rc = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: floor SYSCALL...\n");
		return 2;
	}
	libbpf_set_print(quiet);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	skel = floor_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "floor: cannot load: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 1; i < argc && n + 2 <= MAX_LINKS; i++) {
		char enter[128], exit_[128];

		snprintf(enter, sizeof(enter), "sys_enter_%s", argv[i]);
		snprintf(exit_, sizeof(exit_), "sys_exit_%s", argv[i]);
		if (!tracepoint_exists(enter) || !tracepoint_exists(exit_)) {
			fprintf(stderr, "floor: no tracepoint for %s\n", argv[i]);
			missing++;
			continue;
		}
		links[n] =
		    bpf_program__attach_tracepoint(skel->progs.floor_enter, "syscalls", enter);
		if (!links[n])
			goto fail;
		n++;
		links[n] =
		    bpf_program__attach_tracepoint(skel->progs.floor_exit, "syscalls", exit_);
		if (!links[n])
			goto fail;
		n++;
	}
	sched[0] = skel->progs.floor_sched_exec;
	sched[1] = skel->progs.floor_sched_fork;
	sched[2] = skel->progs.floor_sched_exit;
	for (int i = 0; i < 3 && n < MAX_LINKS; i++) {
		links[n] = bpf_program__attach(sched[i]);
		if (!links[n])
			goto fail;
		n++;
	}
	fprintf(stderr, "floor: ready (%d programs attached, %d syscalls missing)\n", n, missing);
	while (!stop)
		sigsuspend(&old);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "floor: attach failed: %s\n", strerror(errno));
out:
	for (int i = 0; i < n; i++)
		bpf_link__destroy(links[i]);
	floor_bpf__destroy(skel);
	return rc;
}
