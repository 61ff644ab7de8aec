/* format.c - tables of flag and constant names for event arguments. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include "format.h"

struct flag_name {
	uint64_t bit;
	const char *name;
};

#define F(x)                                                                                       \
	{                                                                                          \
		x, #x                                                                              \
	}
#define END                                                                                        \
	{                                                                                          \
		0, NULL                                                                            \
	}

static const struct flag_name open_flags[] = {
    F(O_CREAT),
    F(O_EXCL),
    F(O_NOCTTY),
    F(O_TRUNC),
    F(O_APPEND),
    F(O_NONBLOCK),
    F(O_DSYNC),
    F(O_ASYNC),
    F(O_DIRECT),
    {0100000, "O_LARGEFILE"},
    F(O_DIRECTORY),
    F(O_NOFOLLOW),
    F(O_NOATIME),
    F(O_CLOEXEC),
    {04000000, "O_SYNC"},
    F(O_PATH),
    {020000000, "O_TMPFILE"},
    END,
};

static const struct flag_name at_flags[] = {
    {0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_REMOVEDIR"},   {0x400, "AT_SYMLINK_FOLLOW"},
    {0x800, "AT_NO_AUTOMOUNT"},	    {0x1000, "AT_EMPTY_PATH"}, END,
};

static const struct flag_name clone_flags[] = {
    {0x80, "CLONE_NEWTIME"},	  {0x200, "CLONE_FS"},		{0x400, "CLONE_FILES"},
    {0x20000, "CLONE_NEWNS"},	  {0x40000, "CLONE_SYSVSEM"},	{0x02000000, "CLONE_NEWCGROUP"},
    {0x04000000, "CLONE_NEWUTS"}, {0x08000000, "CLONE_NEWIPC"}, {0x10000000, "CLONE_NEWUSER"},
    {0x20000000, "CLONE_NEWPID"}, {0x40000000, "CLONE_NEWNET"}, END,
};

static const struct flag_name mount_flags[] = {
    {1, "MS_RDONLY"},		{2, "MS_NOSUID"},	  {4, "MS_NODEV"},
    {8, "MS_NOEXEC"},		{16, "MS_SYNCHRONOUS"},	  {32, "MS_REMOUNT"},
    {64, "MS_MANDLOCK"},	{1024, "MS_NOATIME"},	  {2048, "MS_NODIRATIME"},
    {4096, "MS_BIND"},		{8192, "MS_MOVE"},	  {16384, "MS_REC"},
    {1 << 17, "MS_UNBINDABLE"}, {1 << 18, "MS_PRIVATE"},  {1 << 19, "MS_SLAVE"},
    {1 << 20, "MS_SHARED"},	{1 << 21, "MS_RELATIME"}, END,
};

static const struct flag_name memfd_flags[] = {
    {1, "MFD_CLOEXEC"},	    {2, "MFD_ALLOW_SEALING"}, {4, "MFD_HUGETLB"},
    {8, "MFD_NOEXEC_SEAL"}, {16, "MFD_EXEC"},	      END,
};

static const struct flag_name prot_flags[] = {
    {1, "PROT_READ"},
    {2, "PROT_WRITE"},
    {4, "PROT_EXEC"},
    {8, "PROT_SEM"},
    {0x01000000, "PROT_GROWSDOWN"},
    {0x02000000, "PROT_GROWSUP"},
    END,
};

/* MAP_SHARED_VALIDATE (3) before the bits it is made of. */
static const struct flag_name map_flags[] = {
    {3, "MAP_SHARED_VALIDATE"},
    {1, "MAP_SHARED"},
    {2, "MAP_PRIVATE"},
    {0x10, "MAP_FIXED"},
    {0x20, "MAP_ANONYMOUS"},
    {0x40, "MAP_32BIT"},
    {0x100, "MAP_GROWSDOWN"},
    {0x800, "MAP_DENYWRITE"},
    {0x1000, "MAP_EXECUTABLE"},
    {0x2000, "MAP_LOCKED"},
    {0x4000, "MAP_NORESERVE"},
    {0x8000, "MAP_POPULATE"},
    {0x10000, "MAP_NONBLOCK"},
    {0x20000, "MAP_STACK"},
    {0x40000, "MAP_HUGETLB"},
    {0x80000, "MAP_SYNC"},
    {0x100000, "MAP_FIXED_NOREPLACE"},
    END,
};

static const char *const sock_domains[] = {
    [AF_UNIX] = "AF_UNIX",
    [AF_INET] = "AF_INET",
    [AF_INET6] = "AF_INET6",
    [AF_NETLINK] = "AF_NETLINK",
    [AF_PACKET] = "AF_PACKET",
    [AF_RDS] = "AF_RDS",
    [AF_CAN] = "AF_CAN",
    [AF_TIPC] = "AF_TIPC",
    [AF_BLUETOOTH] = "AF_BLUETOOTH",
    [AF_ALG] = "AF_ALG",
    [AF_VSOCK] = "AF_VSOCK",
    [44] = "AF_XDP",
    [AF_KEY] = "AF_KEY",
    [AF_APPLETALK] = "AF_APPLETALK",
    [AF_X25] = "AF_X25",
    [AF_AX25] = "AF_AX25",
    [AF_NETROM] = "AF_NETROM",
    [AF_LLC] = "AF_LLC",
    [AF_PPPOX] = "AF_PPPOX",
    [AF_ATMPVC] = "AF_ATMPVC",
    [AF_CAIF] = "AF_CAIF",
    [AF_NFC] = "AF_NFC",
    [AF_KCM] = "AF_KCM",
    [AF_QIPCRTR] = "AF_QIPCRTR",
    [AF_SMC] = "AF_SMC",
    [AF_IB] = "AF_IB",
    [AF_MPLS] = "AF_MPLS",
};

static const char *const sock_types[] = {
    [1] = "SOCK_STREAM",    [2] = "SOCK_DGRAM", [3] = "SOCK_RAW",     [4] = "SOCK_RDM",
    [5] = "SOCK_SEQPACKET", [6] = "SOCK_DCCP",	[10] = "SOCK_PACKET",
};

static const struct flag_name ptrace_reqs[] = {
    {0, "PTRACE_TRACEME"},
    {1, "PTRACE_PEEKTEXT"},
    {2, "PTRACE_PEEKDATA"},
    {3, "PTRACE_PEEKUSER"},
    {4, "PTRACE_POKETEXT"},
    {5, "PTRACE_POKEDATA"},
    {6, "PTRACE_POKEUSER"},
    {7, "PTRACE_CONT"},
    {8, "PTRACE_KILL"},
    {9, "PTRACE_SINGLESTEP"},
    {12, "PTRACE_GETREGS"},
    {13, "PTRACE_SETREGS"},
    {16, "PTRACE_ATTACH"},
    {17, "PTRACE_DETACH"},
    {24, "PTRACE_SYSCALL"},
    {0x4200, "PTRACE_SETOPTIONS"},
    {0x4201, "PTRACE_GETEVENTMSG"},
    {0x4202, "PTRACE_GETSIGINFO"},
    {0x4204, "PTRACE_GETREGSET"},
    {0x4205, "PTRACE_SETREGSET"},
    {0x4206, "PTRACE_SEIZE"},
    {0x4207, "PTRACE_INTERRUPT"},
    {0x4208, "PTRACE_LISTEN"},
    END,
};

static const char *const bpf_cmds[] = {
    "BPF_MAP_CREATE",	     "BPF_MAP_LOOKUP_ELEM",
    "BPF_MAP_UPDATE_ELEM",   "BPF_MAP_DELETE_ELEM",
    "BPF_MAP_GET_NEXT_KEY",  "BPF_PROG_LOAD",
    "BPF_OBJ_PIN",	     "BPF_OBJ_GET",
    "BPF_PROG_ATTACH",	     "BPF_PROG_DETACH",
    "BPF_PROG_TEST_RUN",     "BPF_PROG_GET_NEXT_ID",
    "BPF_MAP_GET_NEXT_ID",   "BPF_PROG_GET_FD_BY_ID",
    "BPF_MAP_GET_FD_BY_ID",  "BPF_OBJ_GET_INFO_BY_FD",
    "BPF_PROG_QUERY",	     "BPF_RAW_TRACEPOINT_OPEN",
    "BPF_BTF_LOAD",	     "BPF_BTF_GET_FD_BY_ID",
    "BPF_TASK_FD_QUERY",     "BPF_MAP_LOOKUP_AND_DELETE_ELEM",
    "BPF_MAP_FREEZE",	     "BPF_BTF_GET_NEXT_ID",
    "BPF_MAP_LOOKUP_BATCH",  "BPF_MAP_LOOKUP_AND_DELETE_BATCH",
    "BPF_MAP_UPDATE_BATCH",  "BPF_MAP_DELETE_BATCH",
    "BPF_LINK_CREATE",	     "BPF_LINK_UPDATE",
    "BPF_LINK_GET_FD_BY_ID", "BPF_LINK_GET_NEXT_ID",
    "BPF_ENABLE_STATS",	     "BPF_ITER_CREATE",
    "BPF_LINK_DETACH",	     "BPF_PROG_BIND_MAP",
};

static const char *const cap_names[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Appends "|name" pieces; unknown leftover bits as hex. */
static size_t format_flags(const struct flag_name *tbl, uint64_t v, char *out, size_t outsz,
			   const char *zero)
{
	size_t n = 0;

	out[0] = '\0';
	for (; tbl->name; tbl++) {
		if ((v & tbl->bit) != tbl->bit || tbl->bit == 0)
			continue;
		n += snprintf(out + n, n < outsz ? outsz - n : 0, "%s%s", n ? "|" : "", tbl->name);
		v &= ~tbl->bit;
	}
	if (v)
		n += snprintf(out + n, n < outsz ? outsz - n : 0, "%s0x%llx", n ? "|" : "",
			      (unsigned long long)v);
	if (n == 0 && zero)
		n = snprintf(out, outsz, "%s", zero);
	return n < outsz ? n : outsz - 1;
}

static size_t format_open_flags(uint64_t v, char *out, size_t outsz)
{
	static const char *const acc[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
	size_t n = snprintf(out, outsz, "%s", acc[v & O_ACCMODE]);

	v &= ~(uint64_t)O_ACCMODE;
	if (v && n + 1 < outsz) {
		out[n++] = '|';
		n += format_flags(open_flags, v, out + n, outsz - n, NULL);
	}
	return n;
}

static size_t format_named(const char *const *tbl, size_t count, uint64_t v, char *out,
			   size_t outsz)
{
	if (v < count && tbl[v])
		return snprintf(out, outsz, "%s", tbl[v]);
	return snprintf(out, outsz, "%llu", (unsigned long long)v);
}

static size_t format_sock_type(uint64_t v, char *out, size_t outsz)
{
	size_t n = format_named(sock_types, COUNT(sock_types), v & 0xf, out, outsz);

	if (v & SOCK_NONBLOCK)
		n += snprintf(out + n, n < outsz ? outsz - n : 0, "|SOCK_NONBLOCK");
	if (v & SOCK_CLOEXEC)
		n += snprintf(out + n, n < outsz ? outsz - n : 0, "|SOCK_CLOEXEC");
	return n;
}

static size_t format_caps(uint64_t v, char *out, size_t outsz)
{
	size_t n = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < 64; i++) {
		if (!(v & (1ull << i)))
			continue;
		if (i < COUNT(cap_names))
			n += snprintf(out + n, n < outsz ? outsz - n : 0, "%s%s", n ? "|" : "",
				      cap_names[i]);
		else
			n += snprintf(out + n, n < outsz ? outsz - n : 0, "%sCAP_%u", n ? "|" : "",
				      i);
	}
	return n < outsz ? n : outsz - 1;
}

bool vigil_arg_is_number(enum vigil_arg_fmt fmt)
{
	return fmt == VIGIL_AF_INT || fmt == VIGIL_AF_LONG || fmt == VIGIL_AF_UINT ||
	       fmt == VIGIL_AF_FD;
}

size_t vigil_format_arg(enum vigil_arg_fmt fmt, uint64_t v, char *out, size_t outsz)
{
	switch (fmt) {
	case VIGIL_AF_OCTAL:
		return snprintf(out, outsz, "0%03llo", (unsigned long long)(v & 07777));
	case VIGIL_AF_HEX:
		return snprintf(out, outsz, "0x%llx", (unsigned long long)v);
	case VIGIL_AF_OPEN_FLAGS:
		return format_open_flags(v, out, outsz);
	case VIGIL_AF_AT_FLAGS:
		return format_flags(at_flags, v, out, outsz, "0");
	case VIGIL_AF_CLONE_FLAGS:
		return format_flags(clone_flags, v, out, outsz, "0");
	case VIGIL_AF_MOUNT_FLAGS:
		return format_flags(mount_flags, v, out, outsz, "0");
	case VIGIL_AF_MEMFD_FLAGS:
		return format_flags(memfd_flags, v, out, outsz, "0");
	case VIGIL_AF_SOCK_DOMAIN:
		return format_named(sock_domains, COUNT(sock_domains), v, out, outsz);
	case VIGIL_AF_SOCK_TYPE:
		return format_sock_type(v, out, outsz);
	case VIGIL_AF_PTRACE_REQ:
		for (const struct flag_name *r = ptrace_reqs; r->name; r++)
			if (r->bit == v)
				return snprintf(out, outsz, "%s", r->name);
		return snprintf(out, outsz, "%llu", (unsigned long long)v);
	case VIGIL_AF_BPF_CMD:
		return format_named(bpf_cmds, COUNT(bpf_cmds), v, out, outsz);
	case VIGIL_AF_CAPS:
		return format_caps(v, out, outsz);
	case VIGIL_AF_PROT_FLAGS:
		return format_flags(prot_flags, v, out, outsz, "PROT_NONE");
	case VIGIL_AF_MAP_FLAGS:
		return format_flags(map_flags, v, out, outsz, "0");
	default:
		return snprintf(out, outsz, "%lld", (long long)v);
	}
}

const char *vigil_errno_name(int64_t res, char *tmp, size_t tmpsz)
{
	const char *name;

	if (res >= 0)
		return "SUCCESS";
	name = res > -4096 ? strerrorname_np((int)-res) : NULL;
	if (name)
		return name;
	snprintf(tmp, tmpsz, "E%llu", -(unsigned long long)res);
	return tmp;
}

const char *vigil_sockfamily_name(unsigned family)
{
	switch (family) {
	case AF_INET:
	case AF_INET6:
		return "ip";
	case AF_UNIX:
		return "unix";
	case AF_NETLINK:
		return "netlink";
	case AF_PACKET:
		return "packet";
	default:
		return "other";
	}
}

const char *vigil_l4proto_name(unsigned family, unsigned type, unsigned protocol)
{
	if (family == AF_UNIX)
		return "unix";
	if (family != AF_INET && family != AF_INET6)
		return "unknown";
	switch (protocol) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return "icmp";
	case IPPROTO_SCTP:
		return "sctp";
	default:
		break;
	}
	if (type == SOCK_STREAM)
		return "tcp";
	if (type == SOCK_DGRAM)
		return "udp";
	return type == SOCK_RAW ? "raw" : "unknown";
}
