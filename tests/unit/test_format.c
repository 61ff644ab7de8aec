/* test_format.c - unit tests for src/format.c: symbolic rendering of
 * syscall arguments (open/at/clone/mount/memfd flags, octal modes, socket
 * domains and types, ptrace requests, bpf commands, capabilities), errno
 * names, socket family and L4 protocol names, and truncation into small
 * buffers. Expected names are checked against the system headers' values.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <cmocka.h>

#include "format.h"

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#define GUARD 'X'

struct sample {
	enum vigil_arg_fmt fmt;
	uint64_t v;
	const char *want;
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void check(enum vigil_arg_fmt fmt, uint64_t v, const char *want)
{
	char out[512];
	size_t n;

	memset(out, GUARD, sizeof(out));
	n = vigil_format_arg(fmt, v, out, sizeof(out));
	if (strcmp(out, want) != 0)
		fail_msg("fmt %d value %#llx: got \"%s\", want \"%s\"", fmt, (unsigned long long)v,
			 out, want);
	assert_int_equal(n, strlen(want));
}

static void check_samples(const struct sample *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		check(s[i].fmt, s[i].v, s[i].want);
}

static void test_arg_is_number(void **state)
{
	(void)state;
	assert_true(vigil_arg_is_number(VIGIL_AF_INT));
	assert_true(vigil_arg_is_number(VIGIL_AF_LONG));
	assert_true(vigil_arg_is_number(VIGIL_AF_UINT));
	assert_true(vigil_arg_is_number(VIGIL_AF_FD));
	for (int f = VIGIL_AF_OCTAL; f <= VIGIL_AF_MAP_FLAGS; f++)
		if (f != VIGIL_AF_FD)
			assert_false(vigil_arg_is_number((enum vigil_arg_fmt)f));
	assert_false(vigil_arg_is_number(VIGIL_AF_NONE));
}

static void test_open_flags(void **state)
{
	static const struct sample s[] = {
	    {VIGIL_AF_OPEN_FLAGS, O_RDONLY, "O_RDONLY"},
	    {VIGIL_AF_OPEN_FLAGS, O_WRONLY, "O_WRONLY"},
	    {VIGIL_AF_OPEN_FLAGS, O_RDWR, "O_RDWR"},
	    {VIGIL_AF_OPEN_FLAGS, O_ACCMODE, "O_ACCMODE"},
	    {VIGIL_AF_OPEN_FLAGS, O_WRONLY | O_CREAT | O_CLOEXEC, "O_WRONLY|O_CREAT|O_CLOEXEC"},
	    {VIGIL_AF_OPEN_FLAGS, O_WRONLY | O_CREAT | O_TRUNC, "O_WRONLY|O_CREAT|O_TRUNC"},
	    {VIGIL_AF_OPEN_FLAGS, O_RDWR | O_CREAT | O_EXCL | O_NOCTTY,
	     "O_RDWR|O_CREAT|O_EXCL|O_NOCTTY"},
	    {VIGIL_AF_OPEN_FLAGS, O_WRONLY | O_APPEND | O_NONBLOCK, "O_WRONLY|O_APPEND|O_NONBLOCK"},
	    {VIGIL_AF_OPEN_FLAGS, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
	     "O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC"},
	    {VIGIL_AF_OPEN_FLAGS, O_RDONLY | O_NOATIME | O_DIRECT | O_ASYNC,
	     "O_RDONLY|O_ASYNC|O_DIRECT|O_NOATIME"},
	    {VIGIL_AF_OPEN_FLAGS, O_PATH | O_CLOEXEC, "O_RDONLY|O_CLOEXEC|O_PATH"},
	    /* glibc's O_SYNC and O_TMPFILE include O_DSYNC and O_DIRECTORY */
	    {VIGIL_AF_OPEN_FLAGS, O_WRONLY | O_SYNC, "O_WRONLY|O_DSYNC|O_SYNC"},
	    {VIGIL_AF_OPEN_FLAGS, O_WRONLY | O_DSYNC, "O_WRONLY|O_DSYNC"},
	    {VIGIL_AF_OPEN_FLAGS, O_RDWR | O_TMPFILE, "O_RDWR|O_DIRECTORY|O_TMPFILE"},
	    /* unknown bits: hex, after the names */
	    {VIGIL_AF_OPEN_FLAGS, 0x80000000u, "O_RDONLY|0x80000000"},
	    {VIGIL_AF_OPEN_FLAGS, O_RDWR | O_CREAT | 0x40000000u, "O_RDWR|O_CREAT|0x40000000"},
	    /* bits above 32 are not open flags either */
	    {VIGIL_AF_OPEN_FLAGS, (1ull << 40) | O_WRONLY, "O_WRONLY|0x10000000000"},
	};

	(void)state;
	check_samples(s, COUNT(s));
}

/* The kernel's O_LARGEFILE bit (0100000 on x86) is set by 32-bit callers
 * and by libcs that always pass it; glibc defines O_LARGEFILE as 0 on
 * x86_64, so the name must come from the bit value itself. */
static void test_open_flags_largefile(void **state)
{
	(void)state;
	check(VIGIL_AF_OPEN_FLAGS, 0100000, "O_RDONLY|O_LARGEFILE");
	check(VIGIL_AF_OPEN_FLAGS, 0100000 | O_CLOEXEC | O_RDWR, "O_RDWR|O_LARGEFILE|O_CLOEXEC");
}

static void test_octal_hex(void **state)
{
	static const struct sample s[] = {
	    {VIGIL_AF_OCTAL, 0640, "0640"},
	    {VIGIL_AF_OCTAL, 0644, "0644"},
	    {VIGIL_AF_OCTAL, 0, "0000"},
	    {VIGIL_AF_OCTAL, 07, "0007"},
	    {VIGIL_AF_OCTAL, 04755, "04755"},
	    {VIGIL_AF_OCTAL, 07777, "07777"},
	    {VIGIL_AF_OCTAL, 0100644, "0644"}, /* st_mode type bits dropped */
	    {VIGIL_AF_OCTAL, UINT64_MAX, "07777"},
	    {VIGIL_AF_HEX, 0, "0x0"},
	    {VIGIL_AF_HEX, 0x1234abcd, "0x1234abcd"},
	    {VIGIL_AF_HEX, UINT64_MAX, "0xffffffffffffffff"},
	};

	(void)state;
	check_samples(s, COUNT(s));
}

static void test_default_decimal(void **state)
{
	(void)state;
	check(VIGIL_AF_INT, 42, "42");
	check(VIGIL_AF_INT, (uint64_t)-5, "-5");
	check(VIGIL_AF_LONG, (uint64_t)INT64_MIN, "-9223372036854775808");
	check(VIGIL_AF_NONE, 7, "7");
}

static void test_at_flags(void **state)
{
	static const struct sample s[] = {
	    {VIGIL_AF_AT_FLAGS, 0, "0"},
	    {VIGIL_AF_AT_FLAGS, AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW"},
	    {VIGIL_AF_AT_FLAGS, AT_REMOVEDIR, "AT_REMOVEDIR"},
	    {VIGIL_AF_AT_FLAGS, AT_SYMLINK_FOLLOW, "AT_SYMLINK_FOLLOW"},
	    {VIGIL_AF_AT_FLAGS, AT_NO_AUTOMOUNT, "AT_NO_AUTOMOUNT"},
	    {VIGIL_AF_AT_FLAGS, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
	     "AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH"},
	    {VIGIL_AF_AT_FLAGS, 0x1, "0x1"},
	    {VIGIL_AF_AT_FLAGS, AT_SYMLINK_NOFOLLOW | 0x1, "AT_SYMLINK_NOFOLLOW|0x1"},
	};

	(void)state;
	check_samples(s, COUNT(s));
}

static void test_clone_flags(void **state)
{
	static const struct sample s[] = {
	    {VIGIL_AF_CLONE_FLAGS, 0, "0"},
	    {VIGIL_AF_CLONE_FLAGS, CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET,
	     "CLONE_NEWNS|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET"},
	    {VIGIL_AF_CLONE_FLAGS, CLONE_NEWUTS | CLONE_NEWIPC, "CLONE_NEWUTS|CLONE_NEWIPC"},
	    {VIGIL_AF_CLONE_FLAGS, CLONE_NEWCGROUP, "CLONE_NEWCGROUP"},
	    {VIGIL_AF_CLONE_FLAGS, CLONE_NEWTIME, "CLONE_NEWTIME"},
	    {VIGIL_AF_CLONE_FLAGS, CLONE_FS | CLONE_FILES | CLONE_SYSVSEM,
	     "CLONE_FS|CLONE_FILES|CLONE_SYSVSEM"},
	    /* CLONE_VM is not an unshare/setns flag: hex */
	    {VIGIL_AF_CLONE_FLAGS, CLONE_VM | CLONE_NEWNS, "CLONE_NEWNS|0x100"},
	};

	(void)state;
	check_samples(s, COUNT(s));
}

static void test_mount_flags(void **state)
{
	static const struct sample s[] = {
	    {VIGIL_AF_MOUNT_FLAGS, 0, "0"},
	    {VIGIL_AF_MOUNT_FLAGS, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
	     "MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC"},
	    {VIGIL_AF_MOUNT_FLAGS, MS_BIND | MS_REC, "MS_BIND|MS_REC"},
	    {VIGIL_AF_MOUNT_FLAGS, MS_REMOUNT | MS_RDONLY, "MS_RDONLY|MS_REMOUNT"},
	    {VIGIL_AF_MOUNT_FLAGS, MS_PRIVATE | MS_REC, "MS_REC|MS_PRIVATE"},
	    {VIGIL_AF_MOUNT_FLAGS, MS_SHARED | MS_SLAVE | MS_UNBINDABLE,
	     "MS_UNBINDABLE|MS_SLAVE|MS_SHARED"},
	    {VIGIL_AF_MOUNT_FLAGS, MS_MOVE | MS_SYNCHRONOUS | MS_MANDLOCK,
	     "MS_SYNCHRONOUS|MS_MANDLOCK|MS_MOVE"},
	    {VIGIL_AF_MOUNT_FLAGS, MS_NOATIME | MS_NODIRATIME | MS_RELATIME,
	     "MS_NOATIME|MS_NODIRATIME|MS_RELATIME"},
	    {VIGIL_AF_MOUNT_FLAGS, (1u << 30) | MS_BIND, "MS_BIND|0x40000000"},
	};

	(void)state;
	check_samples(s, COUNT(s));
}

static void test_memfd_flags(void **state)
{
	static const struct sample s[] = {
	    {VIGIL_AF_MEMFD_FLAGS, 0, "0"},
	    {VIGIL_AF_MEMFD_FLAGS, MFD_CLOEXEC, "MFD_CLOEXEC"},
	    {VIGIL_AF_MEMFD_FLAGS, MFD_CLOEXEC | MFD_ALLOW_SEALING,
	     "MFD_CLOEXEC|MFD_ALLOW_SEALING"},
	    {VIGIL_AF_MEMFD_FLAGS, MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC,
	     "MFD_HUGETLB|MFD_NOEXEC_SEAL|MFD_EXEC"},
	    {VIGIL_AF_MEMFD_FLAGS, MFD_CLOEXEC | (26u << 26), "MFD_CLOEXEC|0x68000000"},
	};

	(void)state;
	check_samples(s, COUNT(s));
}

static void test_sock_domain_type(void **state)
{
	static const struct sample s[] = {
	    {VIGIL_AF_SOCK_DOMAIN, AF_UNIX, "AF_UNIX"},
	    {VIGIL_AF_SOCK_DOMAIN, AF_INET, "AF_INET"},
	    {VIGIL_AF_SOCK_DOMAIN, AF_INET6, "AF_INET6"},
	    {VIGIL_AF_SOCK_DOMAIN, AF_NETLINK, "AF_NETLINK"},
	    {VIGIL_AF_SOCK_DOMAIN, AF_PACKET, "AF_PACKET"},
	    {VIGIL_AF_SOCK_DOMAIN, AF_BLUETOOTH, "AF_BLUETOOTH"},
	    {VIGIL_AF_SOCK_DOMAIN, AF_ALG, "AF_ALG"},
	    {VIGIL_AF_SOCK_DOMAIN, AF_VSOCK, "AF_VSOCK"},
	    {VIGIL_AF_SOCK_DOMAIN, AF_MPLS, "AF_MPLS"},
	    {VIGIL_AF_SOCK_DOMAIN, 44, "AF_XDP"},
	    {VIGIL_AF_SOCK_DOMAIN, 0, "0"},
	    {VIGIL_AF_SOCK_DOMAIN, 12, "12"}, /* AF_DECnet: not in the table */
	    {VIGIL_AF_SOCK_DOMAIN, 45, "45"},
	    {VIGIL_AF_SOCK_DOMAIN, 1ull << 32 | AF_INET, "4294967298"},
	    {VIGIL_AF_SOCK_TYPE, SOCK_STREAM, "SOCK_STREAM"},
	    {VIGIL_AF_SOCK_TYPE, SOCK_DGRAM | SOCK_CLOEXEC, "SOCK_DGRAM|SOCK_CLOEXEC"},
	    {VIGIL_AF_SOCK_TYPE, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	     "SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC"},
	    {VIGIL_AF_SOCK_TYPE, SOCK_RAW, "SOCK_RAW"},
	    {VIGIL_AF_SOCK_TYPE, SOCK_SEQPACKET, "SOCK_SEQPACKET"},
	    {VIGIL_AF_SOCK_TYPE, SOCK_PACKET, "SOCK_PACKET"},
	    {VIGIL_AF_SOCK_TYPE, 7, "7"},
	};

	(void)state;
	check_samples(s, COUNT(s));
}

static void test_ptrace_requests(void **state)
{
	static const struct sample s[] = {
	    {VIGIL_AF_PTRACE_REQ, PTRACE_TRACEME, "PTRACE_TRACEME"},
	    {VIGIL_AF_PTRACE_REQ, PTRACE_PEEKDATA, "PTRACE_PEEKDATA"},
	    {VIGIL_AF_PTRACE_REQ, PTRACE_POKETEXT, "PTRACE_POKETEXT"},
	    {VIGIL_AF_PTRACE_REQ, PTRACE_CONT, "PTRACE_CONT"},
	    {VIGIL_AF_PTRACE_REQ, PTRACE_GETREGS, "PTRACE_GETREGS"},
	    {VIGIL_AF_PTRACE_REQ, PTRACE_ATTACH, "PTRACE_ATTACH"},
	    {VIGIL_AF_PTRACE_REQ, PTRACE_DETACH, "PTRACE_DETACH"},
	    {VIGIL_AF_PTRACE_REQ, PTRACE_SYSCALL, "PTRACE_SYSCALL"},
	    {VIGIL_AF_PTRACE_REQ, PTRACE_SETOPTIONS, "PTRACE_SETOPTIONS"},
	    {VIGIL_AF_PTRACE_REQ, PTRACE_GETREGSET, "PTRACE_GETREGSET"},
	    {VIGIL_AF_PTRACE_REQ, PTRACE_SEIZE, "PTRACE_SEIZE"},
	    {VIGIL_AF_PTRACE_REQ, PTRACE_INTERRUPT, "PTRACE_INTERRUPT"},
	    {VIGIL_AF_PTRACE_REQ, PTRACE_LISTEN, "PTRACE_LISTEN"},
	    {VIGIL_AF_PTRACE_REQ, 999, "999"},
	    {VIGIL_AF_PTRACE_REQ, 0x4203, "16899"},
	};

	(void)state;
	check_samples(s, COUNT(s));
}

static void test_bpf_commands(void **state)
{
	static const struct {
		uint64_t cmd;
		const char *name;
	} cmds[] = {
#define C(x) {x, #x}
	    C(BPF_MAP_CREATE),	      C(BPF_MAP_LOOKUP_ELEM),
	    C(BPF_MAP_UPDATE_ELEM),   C(BPF_MAP_DELETE_ELEM),
	    C(BPF_MAP_GET_NEXT_KEY),  C(BPF_PROG_LOAD),
	    C(BPF_OBJ_PIN),	      C(BPF_OBJ_GET),
	    C(BPF_PROG_ATTACH),	      C(BPF_PROG_DETACH),
	    C(BPF_PROG_TEST_RUN),     C(BPF_PROG_GET_NEXT_ID),
	    C(BPF_MAP_GET_NEXT_ID),   C(BPF_PROG_GET_FD_BY_ID),
	    C(BPF_MAP_GET_FD_BY_ID),  C(BPF_OBJ_GET_INFO_BY_FD),
	    C(BPF_PROG_QUERY),	      C(BPF_RAW_TRACEPOINT_OPEN),
	    C(BPF_BTF_LOAD),	      C(BPF_BTF_GET_FD_BY_ID),
	    C(BPF_TASK_FD_QUERY),     C(BPF_MAP_LOOKUP_AND_DELETE_ELEM),
	    C(BPF_MAP_FREEZE),	      C(BPF_BTF_GET_NEXT_ID),
	    C(BPF_MAP_LOOKUP_BATCH),  C(BPF_MAP_LOOKUP_AND_DELETE_BATCH),
	    C(BPF_MAP_UPDATE_BATCH),  C(BPF_MAP_DELETE_BATCH),
	    C(BPF_LINK_CREATE),	      C(BPF_LINK_UPDATE),
	    C(BPF_LINK_GET_FD_BY_ID), C(BPF_LINK_GET_NEXT_ID),
	    C(BPF_ENABLE_STATS),      C(BPF_ITER_CREATE),
	    C(BPF_LINK_DETACH),	      C(BPF_PROG_BIND_MAP),
#undef C
	};

	(void)state;
	for (size_t i = 0; i < COUNT(cmds); i++)
		check(VIGIL_AF_BPF_CMD, cmds[i].cmd, cmds[i].name);
	check(VIGIL_AF_BPF_CMD, BPF_PROG_BIND_MAP + 100, "135");
}

static void test_caps(void **state)
{
	static const struct {
		unsigned bit;
		const char *name;
	} caps[] = {
#define C(x) {x, #x}
	    C(CAP_CHOWN),
	    C(CAP_DAC_OVERRIDE),
	    C(CAP_DAC_READ_SEARCH),
	    C(CAP_FOWNER),
	    C(CAP_FSETID),
	    C(CAP_KILL),
	    C(CAP_SETGID),
	    C(CAP_SETUID),
	    C(CAP_SETPCAP),
	    C(CAP_LINUX_IMMUTABLE),
	    C(CAP_NET_BIND_SERVICE),
	    C(CAP_NET_BROADCAST),
	    C(CAP_NET_ADMIN),
	    C(CAP_NET_RAW),
	    C(CAP_IPC_LOCK),
	    C(CAP_IPC_OWNER),
	    C(CAP_SYS_MODULE),
	    C(CAP_SYS_RAWIO),
	    C(CAP_SYS_CHROOT),
	    C(CAP_SYS_PTRACE),
	    C(CAP_SYS_PACCT),
	    C(CAP_SYS_ADMIN),
	    C(CAP_SYS_BOOT),
	    C(CAP_SYS_NICE),
	    C(CAP_SYS_RESOURCE),
	    C(CAP_SYS_TIME),
	    C(CAP_SYS_TTY_CONFIG),
	    C(CAP_MKNOD),
	    C(CAP_LEASE),
	    C(CAP_AUDIT_WRITE),
	    C(CAP_AUDIT_CONTROL),
	    C(CAP_SETFCAP),
	    C(CAP_MAC_OVERRIDE),
	    C(CAP_MAC_ADMIN),
	    C(CAP_SYSLOG),
	    C(CAP_WAKE_ALARM),
	    C(CAP_BLOCK_SUSPEND),
	    C(CAP_AUDIT_READ),
	    C(CAP_PERFMON),
	    C(CAP_BPF),
	    C(CAP_CHECKPOINT_RESTORE),
#undef C
	};

	(void)state;
	for (size_t i = 0; i < COUNT(caps); i++)
		check(VIGIL_AF_CAPS, 1ull << caps[i].bit, caps[i].name);
	check(VIGIL_AF_CAPS, (1ull << CAP_NET_ADMIN) | (1ull << CAP_NET_RAW),
	      "CAP_NET_ADMIN|CAP_NET_RAW");
	check(VIGIL_AF_CAPS, (1ull << CAP_CHOWN) | (1ull << CAP_SYS_ADMIN) | (1ull << 41),
	      "CAP_CHOWN|CAP_SYS_ADMIN|CAP_41");
	check(VIGIL_AF_CAPS, 1ull << 63, "CAP_63");
}

static void test_mmap_flags(void **state)
{
	static const struct sample s[] = {
	    {VIGIL_AF_PROT_FLAGS, 0, "PROT_NONE"},
	    {VIGIL_AF_PROT_FLAGS, PROT_READ | PROT_EXEC, "PROT_READ|PROT_EXEC"},
	    {VIGIL_AF_PROT_FLAGS, PROT_READ | PROT_WRITE | PROT_EXEC | 0x100,
	     "PROT_READ|PROT_WRITE|PROT_EXEC|0x100"},
	    {VIGIL_AF_MAP_FLAGS, 0, "0"},
	    {VIGIL_AF_MAP_FLAGS, MAP_PRIVATE | MAP_DENYWRITE, "MAP_PRIVATE|MAP_DENYWRITE"},
	    {VIGIL_AF_MAP_FLAGS, MAP_PRIVATE | MAP_FIXED, "MAP_PRIVATE|MAP_FIXED"},
	    {VIGIL_AF_MAP_FLAGS, MAP_SHARED, "MAP_SHARED"},
	    {VIGIL_AF_MAP_FLAGS, MAP_SHARED_VALIDATE | MAP_SYNC, "MAP_SHARED_VALIDATE|MAP_SYNC"},
	    {VIGIL_AF_MAP_FLAGS, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
	     "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE"},
	};

	(void)state;
	check_samples(s, COUNT(s));
}

/* Small buffers: NUL-terminated, within outsz, a prefix of the full text. */
static void test_truncation(void **state)
{
	static const struct sample s[] = {
	    {VIGIL_AF_OPEN_FLAGS, O_WRONLY | O_CREAT | O_CLOEXEC | 0x80000000u, NULL},
	    {VIGIL_AF_AT_FLAGS, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 1, NULL},
	    {VIGIL_AF_CLONE_FLAGS, CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID, NULL},
	    {VIGIL_AF_MOUNT_FLAGS, MS_BIND | MS_REC | MS_RDONLY, NULL},
	    {VIGIL_AF_MEMFD_FLAGS, MFD_CLOEXEC | MFD_ALLOW_SEALING, NULL},
	    {VIGIL_AF_SOCK_TYPE, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NULL},
	    {VIGIL_AF_SOCK_DOMAIN, AF_INET6, NULL},
	    {VIGIL_AF_PTRACE_REQ, PTRACE_SEIZE, NULL},
	    {VIGIL_AF_BPF_CMD, BPF_PROG_LOAD, NULL},
	    {VIGIL_AF_CAPS, (1ull << CAP_SYS_ADMIN) | (1ull << CAP_BPF) | (1ull << 50), NULL},
	    {VIGIL_AF_OCTAL, 04755, NULL},
	    {VIGIL_AF_PROT_FLAGS, PROT_READ | PROT_EXEC, NULL},
	    {VIGIL_AF_MAP_FLAGS, MAP_PRIVATE | MAP_DENYWRITE, NULL},
	    {VIGIL_AF_HEX, 0xdeadbeef, NULL},
	    {VIGIL_AF_INT, (uint64_t)-12345, NULL},
	};

	(void)state;
	for (size_t i = 0; i < COUNT(s); i++) {
		char full[256], out[256];
		size_t len;

		vigil_format_arg(s[i].fmt, s[i].v, full, sizeof(full));
		len = strlen(full);
		for (size_t outsz = 1; outsz <= len + 1; outsz++) {
			memset(out, GUARD, sizeof(out));
			vigil_format_arg(s[i].fmt, s[i].v, out, outsz);
			if (strlen(out) >= outsz || strncmp(out, full, strlen(out)) != 0)
				fail_msg("fmt %d into %zu bytes: \"%s\" (full \"%s\")", s[i].fmt,
					 outsz, out, full);
			assert_int_equal(strlen(out), outsz - 1);
			assert_int_equal(out[outsz], GUARD);
		}
	}
}

static void test_errno_names(void **state)
{
	char tmp[32];

	(void)state;
	assert_string_equal(vigil_errno_name(0, tmp, sizeof(tmp)), "SUCCESS");
	assert_string_equal(vigil_errno_name(3, tmp, sizeof(tmp)), "SUCCESS");
	assert_string_equal(vigil_errno_name(INT64_MAX, tmp, sizeof(tmp)), "SUCCESS");
	assert_string_equal(vigil_errno_name(-ENOENT, tmp, sizeof(tmp)), "ENOENT");
	assert_string_equal(vigil_errno_name(-EPERM, tmp, sizeof(tmp)), "EPERM");
	assert_string_equal(vigil_errno_name(-EACCES, tmp, sizeof(tmp)), "EACCES");
	assert_string_equal(vigil_errno_name(-ECONNREFUSED, tmp, sizeof(tmp)), "ECONNREFUSED");
	assert_string_equal(vigil_errno_name(-EINPROGRESS, tmp, sizeof(tmp)), "EINPROGRESS");
	assert_string_equal(vigil_errno_name(-EHWPOISON, tmp, sizeof(tmp)), "EHWPOISON");
	/* no name: E<n> in the caller's buffer */
	assert_ptr_equal(vigil_errno_name(-4000, tmp, sizeof(tmp)), tmp);
	assert_string_equal(tmp, "E4000");
	assert_string_equal(vigil_errno_name(-4095, tmp, sizeof(tmp)), "E4095");
	assert_string_equal(vigil_errno_name(-5000, tmp, sizeof(tmp)), "E5000");
	assert_string_equal(vigil_errno_name(-512, tmp, sizeof(tmp)), "E512"); /* ERESTARTSYS */
	assert_string_equal(vigil_errno_name(-(INT64_C(1) << 40), tmp, sizeof(tmp)),
			    "E1099511627776");
}

/* INT64_MIN cannot be negated in int64_t: run in a child so that a UBSan
 * abort fails only this test. */
static void test_errno_int64_min(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char tmp[32];
		const char *s = vigil_errno_name(INT64_MIN, tmp, sizeof(tmp));

		_exit(strcmp(s, "E9223372036854775808") == 0 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status))
		fail_msg("vigil_errno_name(INT64_MIN) crashed (signal %d)", WTERMSIG(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("vigil_errno_name(INT64_MIN) failed in the child (exit %d: a sanitizer "
			 "report above, or the text is not \"E9223372036854775808\")",
			 WEXITSTATUS(status));
}

static void test_sockfamily(void **state)
{
	(void)state;
	assert_string_equal(vigil_sockfamily_name(AF_INET), "ip");
	assert_string_equal(vigil_sockfamily_name(AF_INET6), "ip");
	assert_string_equal(vigil_sockfamily_name(AF_UNIX), "unix");
	assert_string_equal(vigil_sockfamily_name(AF_NETLINK), "netlink");
	assert_string_equal(vigil_sockfamily_name(AF_PACKET), "packet");
	assert_string_equal(vigil_sockfamily_name(AF_BLUETOOTH), "other");
	assert_string_equal(vigil_sockfamily_name(0), "other");
}

static void test_l4proto(void **state)
{
	(void)state;
	assert_string_equal(vigil_l4proto_name(AF_INET, SOCK_STREAM, 0), "tcp");
	assert_string_equal(vigil_l4proto_name(AF_INET, SOCK_STREAM, IPPROTO_TCP), "tcp");
	assert_string_equal(vigil_l4proto_name(AF_INET6, SOCK_STREAM, 0), "tcp");
	assert_string_equal(vigil_l4proto_name(AF_INET, SOCK_DGRAM, 0), "udp");
	assert_string_equal(vigil_l4proto_name(AF_INET6, SOCK_DGRAM, IPPROTO_UDP), "udp");
	assert_string_equal(vigil_l4proto_name(AF_INET, SOCK_DGRAM, IPPROTO_ICMP), "icmp");
	assert_string_equal(vigil_l4proto_name(AF_INET, SOCK_RAW, IPPROTO_ICMP), "icmp");
	assert_string_equal(vigil_l4proto_name(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6), "icmp");
	assert_string_equal(vigil_l4proto_name(AF_INET, SOCK_STREAM, IPPROTO_SCTP), "sctp");
	assert_string_equal(vigil_l4proto_name(AF_INET, SOCK_RAW, IPPROTO_RAW), "raw");
	assert_string_equal(vigil_l4proto_name(AF_INET, SOCK_SEQPACKET, 0), "unknown");
	assert_string_equal(vigil_l4proto_name(AF_UNIX, SOCK_STREAM, 0), "unix");
	assert_string_equal(vigil_l4proto_name(AF_UNIX, SOCK_DGRAM, IPPROTO_TCP), "unix");
	assert_string_equal(vigil_l4proto_name(AF_NETLINK, SOCK_RAW, 0), "unknown");
	assert_string_equal(vigil_l4proto_name(AF_PACKET, SOCK_RAW, IPPROTO_TCP), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_arg_is_number),
	    cmocka_unit_test(test_open_flags),
	    cmocka_unit_test(test_open_flags_largefile),
	    cmocka_unit_test(test_octal_hex),
	    cmocka_unit_test(test_default_decimal),
	    cmocka_unit_test(test_at_flags),
	    cmocka_unit_test(test_clone_flags),
	    cmocka_unit_test(test_mount_flags),
	    cmocka_unit_test(test_memfd_flags),
	    cmocka_unit_test(test_sock_domain_type),
	    cmocka_unit_test(test_ptrace_requests),
	    cmocka_unit_test(test_bpf_commands),
	    cmocka_unit_test(test_caps),
	    cmocka_unit_test(test_mmap_flags),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_errno_names),
	    cmocka_unit_test(test_errno_int64_min),
	    cmocka_unit_test(test_sockfamily),
	    cmocka_unit_test(test_l4proto),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
