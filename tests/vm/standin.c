// Stand-in for build/vigil and build/tests/vigil-e2e, used only to test the VM runner
// (tests/vm/selftest.sh builds it into build/vm/standin/). Not part of Vigil.
//
// Run as "vigil probe --json": prints a small JSON object.
// Run as anything else: behaves like the e2e suite, checking the guest environment the VM
// runner promises (mounts, BPF LSM, users, loopback, bpf(2), $VIGIL) and speaking the suite's
// protocol: PASS/FAIL/SKIP lines, then SUMMARY kernel=... passed=N failed=N skipped=N.
// STANDIN_MODE (compile time): 0 normal, 1 add a failing test, 2 hang, 3 empty suite.
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <net/if.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef STANDIN_MODE
#define STANDIN_MODE 0
#endif
#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static int passed, failed, skipped;

static void pass(const char *n) { printf("PASS %s\n", n), passed++; }
static void fail(const char *n, const char *why) { printf("FAIL %s: %s\n", n, why), failed++; }
static void skip(const char *n, const char *why) { printf("SKIP %s: %s\n", n, why), skipped++; }
static void check(const char *n, int ok, const char *why) { ok ? pass(n) : fail(n, why); }

static int fs_is(const char *path, long magic)
{
	struct statfs s;
	return statfs(path, &s) == 0 && (long)s.f_type == magic;
}

static int file_has(const char *path, const char *word)
{
	char buf[4096] = {0};
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return strstr(buf, word) != NULL;
}

static int run_ok(char *const argv[])
{
	pid_t p = fork();
	if (p == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	int st;
	return p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int bpf_load_socket_filter(void)
{
	struct bpf_insn prog[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (unsigned long)prog;
	a.insn_cnt = 2;
	a.license = (unsigned long)"GPL";
	int fd = syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

static int lo_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM, 0), ok;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	ok = s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP);
	if (s >= 0)
		close(s);
	return ok;
}

int main(int argc, char **argv)
{
	const char *me = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	struct utsname u;
	uname(&u);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (strcmp(me, "vigil") == 0) {
		if (argc >= 2 && strcmp(argv[1], "probe") == 0) {
			printf("{\"standin\":true,\"kernel\":\"%s\",\"bpf_lsm\":%s,\"btf\":%s}\n", u.release,
			       file_has("/sys/kernel/security/lsm", "bpf") ? "true" : "false",
			       access("/sys/kernel/btf/vmlinux", R_OK) == 0 ? "true" : "false");
			return 0;
		}
		fprintf(stderr, "standin vigil: unsupported arguments\n");
		return 2;
	}

	if (STANDIN_MODE != 3) {
		const char *v = getenv("VIGIL"), *k = getenv("VIGIL_KERNEL_EXPECT");
		check("env_vigil", v && strcmp(v, "/usr/bin/vigil") == 0, "VIGIL not /usr/bin/vigil");
		check("env_kernel_expect", k && strcmp(k, "vm") == 0, "VIGIL_KERNEL_EXPECT not vm");
		check("lsm_has_bpf", file_has("/sys/kernel/security/lsm", "bpf"), "bpf not in lsm");
		check("btf_present", access("/sys/kernel/btf/vmlinux", R_OK) == 0, "no BTF");
		check("mount_proc", fs_is("/proc", PROC_SUPER_MAGIC), "/proc");
		check("mount_securityfs", fs_is("/sys/kernel/security", SECURITYFS_MAGIC), "securityfs");
		check("mount_tracefs", fs_is("/sys/kernel/tracing", TRACEFS_MAGIC), "tracefs");
		check("mount_bpffs", fs_is("/sys/fs/bpf", BPF_FS_MAGIC), "bpffs");
		check("mount_cgroup2", fs_is("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC), "cgroup2");
		check("mount_tmp", fs_is("/tmp", TMPFS_MAGIC), "/tmp not tmpfs");
		struct passwd *pw = getpwnam("nobody");
		check("user_nobody", pw && pw->pw_uid == 65534, "getpwnam(nobody)");
		check("loopback_up", lo_up(), "lo not up");
		check("bpf_prog_load", bpf_load_socket_filter(), strerror(errno));
		char *t[] = {"/bin/true", NULL}, *e[] = {"/usr/bin/env", NULL};
		check("exec_true", run_ok(t), "/bin/true");
		check("exec_env", run_ok(e), "/usr/bin/env");
		char *p[] = {"/usr/bin/vigil", "probe", "--json", NULL};
		check("vigil_probe", run_ok(p), "vigil probe --json failed");
		skip("example_skip", "stand-in");
		for (int i = 1; i < argc; i++)
			printf("PASS arg_%s\n", argv[i]), passed++;
	}
	if (STANDIN_MODE == 1)
		fail("deliberate_failure", "stand-in built to fail");
	if (STANDIN_MODE == 2) {
		printf("standin: hanging now\n");
		for (;;)
			pause();
	}
	printf("SUMMARY kernel=%s passed=%d failed=%d skipped=%d\n", u.release, passed, failed, skipped);
	return failed ? 1 : 0;
}
