/* bpfstat.c - what the benchmark reads from the kernel about a monitor.
 *
 * usage:
 *   bpfstat progs PID...    one line per BPF program those processes hold (a
 *                           program fd or a link fd): id, name (the full name
 *                           from BTF where the program has one), run_cnt,
 *                           run_time_ns, tab-separated. The same numbers as
 *                           `bpftool prog show --json`; they count only while
 *                           BPF statistics are on.
 *   bpfstat stats-map PID   the id of Vigil's counters map: the per-CPU array
 *                           "stats" that PID holds.
 *   bpfstat counters ID     that map's counters summed over CPUs:
 *                           "emitted dropped filtered" (filtered: opens the
 *                           kernel dropped by design, "-" on a Vigil without
 *                           that counter); no /proc scan: cheap enough to read
 *                           around every workload run.
 *   bpfstat cpu [--top] PID...
 *                           on-CPU nanoseconds of those processes, all their
 *                           threads and (without --top) all their descendants
 *                           (schedstat: the precise form of utime+stime).
 *   bpfstat nprogs          the number of BPF programs loaded on the machine.
 *   bpfstat stats-on        turns BPF run-time statistics on (BPF_ENABLE_STATS,
 *                           the same switch as kernel.bpf_stats_enabled=1) until
 *                           a SIGTERM or SIGINT; the kernel turns
 *                           them off again when the holder exits, however it
 *                           exits.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#define MAX_IDS	 4096
#define MAX_PIDS 65536

/* Reads "KEY:\tVALUE" from /proc/PID/fdinfo/FD; 0 when absent. */
static unsigned long fdinfo_value(int pid, const char *fd, const char *key)
{
	char path[320], line[256];
	size_t klen = strlen(key);
	unsigned long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtoul(line + klen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* The ids of the BPF objects (KIND: "prog" or "map") PID holds fds of. */
static size_t collect_ids(int pid, bool prog, uint32_t *ids, size_t n, size_t max)
{
	char path[64], target[128], link[320];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return n;
	while ((de = readdir(d)) && n < max) {
		ssize_t len;
		uint32_t id;
		bool dup = false;

		if (de->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", path, de->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (prog && strcmp(target, "anon_inode:bpf-prog") &&
		    strcmp(target, "anon_inode:bpf_link"))
			continue;
		if (!prog && strcmp(target, "anon_inode:bpf-map"))
			continue;
		id = (uint32_t)fdinfo_value(pid, de->d_name, prog ? "prog_id" : "map_id");
		if (!id)
			continue;
		for (size_t i = 0; i < n; i++)
			dup |= ids[i] == id;
		if (!dup)
			ids[n++] = id;
	}
	closedir(d);
	return n;
}

/* The program's full name: BTF's name of its main function where it has
 * BTF, else the kernel's copy (cut to 15 characters). */
static void prog_name(int fd, const struct bpf_prog_info *info, char *buf, size_t size)
{
	struct bpf_func_info finfo = {0};
	struct bpf_prog_info again = {0};
	__u32 len = sizeof(again);
	const struct btf_type *t;
	struct btf *btf;

	snprintf(buf, size, "%s", info->name[0] ? info->name : "-");
	if (!info->btf_id || !info->nr_func_info)
		return;
	again.nr_func_info = 1;
	again.func_info_rec_size = sizeof(finfo);
	again.func_info = (uintptr_t)&finfo;
	if (bpf_obj_get_info_by_fd(fd, &again, &len))
		return;
	btf = btf__load_from_kernel_by_id(info->btf_id);
	if (!btf)
		return;
	t = btf__type_by_id(btf, finfo.type_id);
	if (t && t->name_off)
		snprintf(buf, size, "%s", btf__name_by_offset(btf, t->name_off));
	btf__free(btf);
}

static int cmd_progs(int argc, char **argv)
{
	static uint32_t ids[MAX_IDS];
	size_t n = 0;

	for (int i = 0; i < argc; i++)
		n = collect_ids(atoi(argv[i]), true, ids, n, MAX_IDS);
	for (size_t i = 0; i < n; i++) {
		struct bpf_prog_info info = {0};
		__u32 len = sizeof(info);
		char name[128];
		int fd = bpf_prog_get_fd_by_id(ids[i]);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			prog_name(fd, &info, name, sizeof(name));
			printf("%u\t%s\t%llu\t%llu\n", info.id, name,
			       (unsigned long long)info.run_cnt,
			       (unsigned long long)info.run_time_ns);
		}
		close(fd);
	}
	return 0;
}

static bool is_stats_map(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return !bpf_obj_get_info_by_fd(fd, info, &len) && !strcmp(info->name, "stats") &&
	       info->type == BPF_MAP_TYPE_PERCPU_ARRAY && info->value_size >= 16;
}

static int cmd_stats_map(int pid)
{
	static uint32_t ids[MAX_IDS];
	size_t n = collect_ids(pid, false, ids, 0, MAX_IDS);

	for (size_t i = 0; i < n; i++) {
		struct bpf_map_info info;
		int fd = bpf_map_get_fd_by_id(ids[i]);
		bool found;

		if (fd < 0)
			continue;
		found = is_stats_map(fd, &info);
		close(fd);
		if (found) {
			printf("%u\n", ids[i]);
			return 0;
		}
	}
	fprintf(stderr, "bpfstat: no Vigil stats map in process %d\n", pid);
	return 1;
}

static int cmd_counters(uint32_t id)
{
	unsigned long long emitted = 0, dropped = 0, filtered = 0;
	int ncpus = libbpf_num_possible_cpus();
	struct bpf_map_info info;
	int fd = bpf_map_get_fd_by_id(id);
	__u32 key = 0;
	uint64_t *vals = NULL;
	size_t stride;
	int rc = 1;

	if (fd < 0 || ncpus <= 0 || !is_stats_map(fd, &info))
		goto out;
	stride = (info.value_size + 7) / 8;
	vals = calloc((size_t)ncpus, stride * 8);
	if (!vals || bpf_map_lookup_elem(fd, &key, vals))
		goto out;
	for (int c = 0; c < ncpus; c++) {
		emitted += vals[(size_t)c * stride];
		dropped += vals[(size_t)c * stride + 1];
		if (stride > 4)
			filtered += vals[(size_t)c * stride + 4];
	}
	if (stride > 4)
		printf("%llu %llu %llu\n", emitted, dropped, filtered);
	else
		printf("%llu %llu -\n", emitted, dropped);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "bpfstat: map %u is not Vigil's stats map\n", id);
	free(vals);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int cmd_nprogs(void)
{
	__u32 id = 0;
	long n = 0;

	while (!bpf_prog_get_next_id(id, &id))
		n++;
	printf("%ld\n", n);
	return 0;
}

static unsigned long long task_cpu_ns(int pid)
{
	char path[64], line[128];
	unsigned long long sum = 0;
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char file[384];
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s/schedstat", path, de->d_name);
		f = fopen(file, "r");
		if (!f)
			continue;
		if (fgets(line, sizeof(line), f))
			sum += strtoull(line, NULL, 10);
		fclose(f);
	}
	closedir(d);
	return sum;
}

static int parent_of(int pid)
{
	char path[64], buf[512], *p;
	int ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		sscanf(p + 2, "%*c %d", &ppid);
	fclose(f);
	return ppid;
}

/* Adds the children of known processes found in one pass over /proc;
 * returns the new count. */
static size_t add_children(int *pids, size_t n)
{
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d)
		return n;
	while ((de = readdir(d)) && n < MAX_PIDS) {
		int pid, ppid;
		bool known = false;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		for (size_t i = 0; i < n; i++)
			known |= pids[i] == pid;
		if (known)
			continue;
		ppid = parent_of(pid);
		for (size_t i = 0; i < n && ppid; i++)
			if (pids[i] == ppid) {
				pids[n++] = pid;
				break;
			}
	}
	closedir(d);
	return n;
}

static int cmd_cpu(int argc, char **argv)
{
	static int pids[MAX_PIDS];
	bool top = argc > 0 && !strcmp(argv[0], "--top");
	unsigned long long sum = 0;
	size_t n = 0, before;

	for (int i = top ? 1 : 0; i < argc && n < MAX_PIDS; i++)
		pids[n++] = atoi(argv[i]);
	/* Descendants: until a pass finds no new child of a known process. */
	if (!top) {
		do {
			before = n;
			n = add_children(pids, n);
		} while (n != before);
	}
	for (size_t i = 0; i < n; i++)
		sum += task_cpu_ns(pids[i]);
	printf("%llu\n", sum);
	return 0;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int cmd_stats_on(void)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigset_t block, old;
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	if (fd < 0) {
		fprintf(stderr, "bpfstat: BPF_ENABLE_STATS: %s\n", strerror(-fd));
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	printf("stats on\n");
	fflush(stdout);
	while (!stop)
		sigsuspend(&old);
	close(fd);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: bpfstat progs PID... | stats-map PID | counters MAP_ID |\n"
			"               cpu [--top] PID... | nprogs | stats-on\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "progs") && argc > 2)
		return cmd_progs(argc - 2, argv + 2);
	if (!strcmp(argv[1], "stats-map") && argc == 3)
		return cmd_stats_map(atoi(argv[2]));
	if (!strcmp(argv[1], "counters") && argc == 3)
		return cmd_counters((uint32_t)strtoul(argv[2], NULL, 10));
	if (!strcmp(argv[1], "nprogs") && argc == 2)
		return cmd_nprogs();
	if (!strcmp(argv[1], "cpu") && argc > 2)
		return cmd_cpu(argc - 2, argv + 2);
	if (!strcmp(argv[1], "stats-on") && argc == 2)
		return cmd_stats_on();
	return usage();
}
