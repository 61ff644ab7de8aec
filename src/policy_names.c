/* policy_names.c - the names policy files use for file access kinds,
 * capabilities, signals and socket families, and the closest known name to
 * a misspelt one for "did you mean" in errors.
 */
#include <ctype.h>
#include <linux/capability.h>
#include <signal.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include "policy_int.h"

const char *const pl_access_names[8] = {"read",	  "write",  "exec",  "create",
					"delete", "rename", "chmod", "chown"};

_Static_assert(VIGIL_ACC_CHOWN == 1 << 7 && VIGIL_ACC_ALL == (1 << 8) - 1,
	       "pl_access_names follows VIGIL_ACC_*");

struct pl_name {
	const char *name; /* with the prefix, as documented */
	int num;
};

#define N(prefix, x)                                                                               \
	{                                                                                          \
#prefix #x, prefix##x                                                              \
	}

static const struct pl_name caps[] = {
    N(CAP_, CHOWN),
    N(CAP_, DAC_OVERRIDE),
    N(CAP_, DAC_READ_SEARCH),
    N(CAP_, FOWNER),
    N(CAP_, FSETID),
    N(CAP_, KILL),
    N(CAP_, SETGID),
    N(CAP_, SETUID),
    N(CAP_, SETPCAP),
    N(CAP_, LINUX_IMMUTABLE),
    N(CAP_, NET_BIND_SERVICE),
    N(CAP_, NET_BROADCAST),
    N(CAP_, NET_ADMIN),
    N(CAP_, NET_RAW),
    N(CAP_, IPC_LOCK),
    N(CAP_, IPC_OWNER),
    N(CAP_, SYS_MODULE),
    N(CAP_, SYS_RAWIO),
    N(CAP_, SYS_CHROOT),
    N(CAP_, SYS_PTRACE),
    N(CAP_, SYS_PACCT),
    N(CAP_, SYS_ADMIN),
    N(CAP_, SYS_BOOT),
    N(CAP_, SYS_NICE),
    N(CAP_, SYS_RESOURCE),
    N(CAP_, SYS_TIME),
    N(CAP_, SYS_TTY_CONFIG),
    N(CAP_, MKNOD),
    N(CAP_, LEASE),
    N(CAP_, AUDIT_WRITE),
    N(CAP_, AUDIT_CONTROL),
    N(CAP_, SETFCAP),
    N(CAP_, MAC_OVERRIDE),
    N(CAP_, MAC_ADMIN),
    N(CAP_, SYSLOG),
    N(CAP_, WAKE_ALARM),
    N(CAP_, BLOCK_SUSPEND),
    N(CAP_, AUDIT_READ),
    N(CAP_, PERFMON),
    N(CAP_, BPF),
    N(CAP_, CHECKPOINT_RESTORE),
};

_Static_assert(ARRAY_SIZE(caps) == CAP_LAST_CAP + 1 && ARRAY_SIZE(caps) == VIGIL_POL_CAP_COUNT,
	       "every capability of linux/capability.h");

/* The kernel's numbers (x86); 32-63 are real-time signals, by number only
 * because glibc and the kernel disagree on where SIGRTMIN is. */
static const struct pl_name signals[] = {
    N(SIG, HUP),  N(SIG, INT),	N(SIG, QUIT), N(SIG, ILL),    N(SIG, TRAP),   N(SIG, ABRT),
    N(SIG, IOT),  N(SIG, BUS),	N(SIG, FPE),  N(SIG, KILL),   N(SIG, USR1),   N(SIG, SEGV),
    N(SIG, USR2), N(SIG, PIPE), N(SIG, ALRM), N(SIG, TERM),   N(SIG, STKFLT), N(SIG, CHLD),
    N(SIG, CLD),  N(SIG, CONT), N(SIG, STOP), N(SIG, TSTP),   N(SIG, TTIN),   N(SIG, TTOU),
    N(SIG, URG),  N(SIG, XCPU), N(SIG, XFSZ), N(SIG, VTALRM), N(SIG, PROF),   N(SIG, WINCH),
    N(SIG, IO),	  N(SIG, POLL), N(SIG, PWR),  N(SIG, SYS),
};

/* Every family <sys/socket.h> defines, but AF_UNSPEC and AF_MAX. */
static const struct pl_name families[] = {
    N(AF_, UNIX),     N(AF_, LOCAL),	 N(AF_, FILE),	  N(AF_, INET),	      N(AF_, AX25),
    N(AF_, IPX),      N(AF_, APPLETALK), N(AF_, NETROM),  N(AF_, BRIDGE),     N(AF_, ATMPVC),
    N(AF_, X25),      N(AF_, INET6),	 N(AF_, ROSE),	  N(AF_, DECnet),     N(AF_, NETBEUI),
    N(AF_, SECURITY), N(AF_, KEY),	 N(AF_, NETLINK), N(AF_, ROUTE),      N(AF_, PACKET),
    N(AF_, ASH),      N(AF_, ECONET),	 N(AF_, ATMSVC),  N(AF_, RDS),	      N(AF_, SNA),
    N(AF_, IRDA),     N(AF_, PPPOX),	 N(AF_, WANPIPE), N(AF_, LLC),	      N(AF_, IB),
    N(AF_, MPLS),     N(AF_, CAN),	 N(AF_, TIPC),	  N(AF_, BLUETOOTH),  N(AF_, IUCV),
    N(AF_, RXRPC),    N(AF_, ISDN),	 N(AF_, PHONET),  N(AF_, IEEE802154), N(AF_, CAIF),
    N(AF_, ALG),      N(AF_, NFC),	 N(AF_, VSOCK),	  N(AF_, KCM),	      N(AF_, QIPCRTR),
    N(AF_, SMC),      N(AF_, XDP),
#ifdef AF_MCTP
    N(AF_, MCTP),
#endif
};

#undef N

/* s without the prefix when it has it (any case). */
static const char *unprefixed(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncasecmp(s, prefix, n) == 0 ? s + n : s;
}

static int name_number(const struct pl_name *t, size_t n, const char *prefix, const char *s)
{
	s = unprefixed(s, prefix);
	for (size_t i = 0; *s && i < n; i++)
		if (strcasecmp(s, t[i].name + strlen(prefix)) == 0)
			return t[i].num;
	return -1;
}

static bool same_char(char a, char b)
{
	return tolower((unsigned char)a) == tolower((unsigned char)b);
}

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

/* Edits (insert, delete, replace, swap two neighbours) from a to b,
 * case-insensitive, for short words (longer ones are "far"). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[33][33];

	if (la > 32 || lb > 32)
		return 99;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = !same_char(a[i - 1], b[j - 1]);

			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && same_char(a[i - 1], b[j - 2]) &&
			    same_char(a[i - 2], b[j - 1]) && d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	}
	return d[la][lb];
}

/* The table's name closest to s: at most 2 edits, at most a third of
 * the word, so that a suggestion is a likely typo, not a guess. */
static const char *closest(const struct pl_name *t, size_t n, const char *prefix, const char *s)
{
	const char *best = NULL;
	size_t best_d = 3;

	s = unprefixed(s, prefix);
	for (size_t i = 0; i < n; i++) {
		size_t d = distance(s, t[i].name + strlen(prefix));

		if (d < best_d && d * 3 <= strlen(s)) {
			best = t[i].name;
			best_d = d;
		}
	}
	return best;
}

int pl_cap_number(const char *s)
{
	return name_number(caps, ARRAY_SIZE(caps), "CAP_", s);
}

const char *pl_cap_closest(const char *s)
{
	return closest(caps, ARRAY_SIZE(caps), "CAP_", s);
}

int pl_signal_number(const char *s)
{
	int num = 0;

	if (!isdigit((unsigned char)*s))
		return name_number(signals, ARRAY_SIZE(signals), "SIG", s);
	for (; isdigit((unsigned char)*s); s++)
		if (num <= 1000) /* past it: out of range all the same */
			num = num * 10 + (*s - '0');
	return *s ? -1 : num;
}

const char *pl_signal_closest(const char *s)
{
	return closest(signals, ARRAY_SIZE(signals), "SIG", s);
}

int pl_family_number(const char *s)
{
	return name_number(families, ARRAY_SIZE(families), "AF_", s);
}

const char *pl_family_closest(const char *s)
{
	return closest(families, ARRAY_SIZE(families), "AF_", s);
}
