/* mitigate.bpf.h - virtual patches (src/mitigations.c's catalogue) on the
 * enforcement machinery: which mitigations govern the current task, and the
 * checks shared by the BPF LSM programs (enforce.bpf.c) and the fallbacks
 * (enforce_fallback.bpf.c).
 *
 * A mitigation is on for every process (`--mitigate`, with its own mode) or
 * for the processes a policy governs (`mitigations:` in a policy, with that
 * policy's mode, selector and exemptions). Every hook tests mit.any first:
 * one array lookup when no mitigation is on.
 */
#ifndef VIGIL_MITIGATE_BPF_H
#define VIGIL_MITIGATE_BPF_H

#include "policy.bpf.h"

#define CLONE_NEWUSER	   0x10000000
#define S_IFMT		   00170000
#define S_IFREG		   0100000
#define S_IFIFO		   0010000
#define PROC_SUPER_MAGIC   0x9fa0
#define CGROUP_SUPER_MAGIC 0x27e0eb
#define AF_UNIX		   1
#define AF_PACKET	   17
#define AF_RDS		   21
#define AF_TIPC		   30
#define AF_ALG		   38
#define SOCK_DCCP	   6
#define IPPROTO_DCCP	   33
#define IPPROTO_SCTP	   132
#define ENV_SCAN_MAX	   (1 << 20) /* strings (or 127-byte pieces) scanned */
#define ENV_PIECE	   128

/* x86-64 syscall numbers the LSM checks compare with. */
#define NR_EXECVE	  59
#define NR_SPLICE	  275
#define NR_EXECVEAT	  322
#define NR_IO_URING_SETUP 425

/* The configuration when mitigation `id` is on for some process. */
static __always_inline struct vigil_pol_conf *mit_conf(__u32 id, __u32 *slot)
{
	struct vigil_pol_conf *c = pol_current(slot);

	if (!c || !(c->mit.any & (1ull << (id & 63))))
		return NULL;
	return c;
}

/* What mitigation `id` does to the current task: v->action is
 * VIGIL_PACT_BLOCK, _AUDIT or _NONE (then false). v->pol is the deciding
 * policy, or VIGIL_POL_CMDLINE for `--mitigate`; v->rule is the id. */
static __always_inline bool mit_decide(struct vigil_pol_conf *c, __u32 slot, __u32 id,
				       struct verdict *v)
{
	__u64 bit = 1ull << (id & 63), pols;

	v->action = VIGIL_PACT_NONE;
	v->pol = VIGIL_POL_CMDLINE;
	v->rule = id;
	v->slot = slot;
	if (c->mit.all & bit)
		v->action = (c->mit.all_enforce & bit) ? VIGIL_PACT_BLOCK : VIGIL_PACT_AUDIT;
	pols = c->mit.pols[id & (VIGIL_MIT_MAX - 1)];
	if (v->action != VIGIL_PACT_BLOCK && pols) {
		pols &= task_policies(c, slot, (struct task_struct *)bpf_get_current_task());
		if (pols & c->enforce) {
			v->action = VIGIL_PACT_BLOCK;
			v->pol = lowest_bit(pols & c->enforce);
		} else if (pols && v->action == VIGIL_PACT_NONE) {
			v->action = VIGIL_PACT_AUDIT;
			v->pol = lowest_bit(pols);
		}
	}
	return v->action != VIGIL_PACT_NONE;
}

static __always_inline struct ebuf *start_mitigation(const struct verdict *v, __u64 detail,
						     __u64 aux)
{
	return start_decision(v, VIGIL_PA_MITIGATION, detail, aux);
}

static __always_inline void report_mitigation(const struct verdict *v, __u64 detail, __u64 aux)
{
	report_plain(v, VIGIL_PA_MITIGATION, detail, aux);
}

/* A decision about a file or program, reported with its path. */
static __always_inline void report_mitigation_path(const struct verdict *v, __u64 detail,
						   const struct path *path)
{
	struct ebuf *b = start_mitigation(v, detail, 0);

	if (!b)
		return;
	add_path(b, VIGIL_F_NAME, path);
	submit_event(b);
}

/* ---- facts about the caller and its objects ---- */

static __always_inline struct task_struct *cur_task(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

static __always_inline bool caller_unprivileged(void)
{
	return BPF_CORE_READ(cur_task(), cred, euid.val) != 0;
}

static __always_inline bool outside_init_userns(struct vigil_pol_conf *c)
{
	return BPF_CORE_READ(cur_task(), cred, user_ns, ns.inum) != c->mit.init_userns;
}

static __always_inline bool outside_init_mntns(struct vigil_pol_conf *c)
{
	return BPF_CORE_READ(cur_task(), nsproxy, mnt_ns, ns.inum) != c->mit.init_mntns;
}

static __always_inline __u32 file_fmt(struct file *f)
{
	return BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT;
}

static __always_inline bool dentry_named(struct dentry *d, const char *name, __u32 len)
{
	char buf[16] = {};

	if (len > sizeof(buf) - 1)
		return false;
	if (bpf_probe_read_kernel_str(buf, sizeof(buf), BPF_CORE_READ(d, d_name.name)) !=
	    (long)len + 1)
		return false;
	for (__u32 i = 0; i < len && i < sizeof(buf); i++)
		if (buf[i] != name[i])
			return false;
	return true;
}

static __always_inline unsigned long file_magic(struct file *f)
{
	return BPF_CORE_READ(f, f_inode, i_sb, s_magic);
}

/* The process a /proc/PID/mem (or /proc/PID/task/TID/mem) file belongs to:
 * its thread group id, from the pid the proc inode holds. */
static __always_inline __u32 proc_file_tgid(struct file *f)
{
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	struct proc_inode *pi = (void *)inode - bpf_core_field_offset(struct proc_inode, vfs_inode);
	struct pid *pid = BPF_CORE_READ(pi, pid);
	struct hlist_node *first;
	struct task_struct *t;

	if (!pid)
		return 0;
	first = BPF_CORE_READ(pid, tasks[0].first); /* PIDTYPE_PID */
	if (!first)
		return 0;
	t = (void *)first - bpf_core_field_offset(struct task_struct, pid_links);
	return BPF_CORE_READ(t, tgid);
}

/* proc-mem-write: `f` is another process's /proc/PID/mem opened for
 * writing. */
static __always_inline bool is_foreign_proc_mem_write(struct file *f)
{
	__u32 target;

	if (!(BPF_CORE_READ(f, f_mode) & FMODE_WRITE) || file_magic(f) != PROC_SUPER_MAGIC ||
	    !dentry_named(BPF_CORE_READ(f, f_path.dentry), "mem", 3))
		return false;
	target = proc_file_tgid(f);
	return target && target != (__u32)(bpf_get_current_pid_tgid() >> 32);
}

/* release-agent: a cgroup v1 release_agent opened for writing from outside
 * the initial mount namespace. */
static __always_inline bool is_release_agent_write(struct vigil_pol_conf *c, struct file *f)
{
	return (BPF_CORE_READ(f, f_mode) & FMODE_WRITE) && file_magic(f) == CGROUP_SUPER_MAGIC &&
	       dentry_named(BPF_CORE_READ(f, f_path.dentry), "release_agent", 13) &&
	       outside_init_mntns(c);
}

#define OPEN_MITIGATIONS (1ull << VIGIL_MIT_PROC_MEM_WRITE | 1ull << VIGIL_MIT_RELEASE_AGENT)

/* The mitigation an open of `file` hits (proc-mem-write, release-agent),
 * or -1. */
static __always_inline int open_mitigation(struct vigil_pol_conf *c, struct file *file)
{
	if ((c->mit.any & (1ull << VIGIL_MIT_PROC_MEM_WRITE)) && is_foreign_proc_mem_write(file))
		return VIGIL_MIT_PROC_MEM_WRITE;
	if ((c->mit.any & (1ull << VIGIL_MIT_RELEASE_AGENT)) && is_release_agent_write(c, file))
		return VIGIL_MIT_RELEASE_AGENT;
	return -1;
}

/* What an open mitigation's report carries: the target process of a
 * /proc/PID/mem. */
static __always_inline __u64 open_mitigation_detail(int id, struct file *file)
{
	return id == VIGIL_MIT_PROC_MEM_WRITE ? proc_file_tgid(file) : 0;
}

/* The mitigation a socket(family, type, protocol) hits, or -1. */
static __always_inline int socket_mitigation(__u32 family, __u32 type, __u32 protocol)
{
	if (family == AF_INET || family == AF_INET6) {
		if (type == SOCK_DCCP || protocol == IPPROTO_DCCP)
			return VIGIL_MIT_DCCP_SOCKET;
		if (protocol == IPPROTO_SCTP)
			return VIGIL_MIT_SCTP_SOCKET;
		return -1;
	}
	if (family == AF_TIPC)
		return VIGIL_MIT_TIPC_SOCKET;
	if (family == AF_RDS)
		return VIGIL_MIT_RDS_SOCKET;
	if (family == AF_ALG && caller_unprivileged())
		return VIGIL_MIT_AF_ALG_SOCKET;
	if (family == AF_PACKET && caller_unprivileged())
		return VIGIL_MIT_AF_PACKET_UNPRIVILEGED;
	return -1;
}

/* dirty-pipe: a non-root caller splicing from a regular file it opened
 * read-only into a pipe. */
static __always_inline bool is_page_cache_splice(struct file *in, struct file *out)
{
	return in && out && caller_unprivileged() && file_fmt(in) == S_IFREG &&
	       !(BPF_CORE_READ(in, f_mode) & FMODE_WRITE) && file_fmt(out) == S_IFIFO;
}

/* ---- setuid-loader-env ---- */

struct env_scan {
	unsigned long pos, end;
	bool found;
};

static __always_inline bool has_prefix(const char *s, const char *p, __u32 n)
{
	for (__u32 i = 0; i < n; i++)
		if (s[i] != p[i])
			return false;
	return true;
}

/* A loader variable: GLIBC_TUNABLES, LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT. */
static __always_inline bool loader_variable(const char *s)
{
	return has_prefix(s, "GLIBC_TUNABLES=", 15) || has_prefix(s, "LD_PRELOAD=", 11) ||
	       has_prefix(s, "LD_LIBRARY_PATH=", 16) || has_prefix(s, "LD_AUDIT=", 9);
}

/* One environment string, or a 127-byte piece of a longer one: every real
 * string start is examined, so padding the environment cannot hide one. */
static long env_step(__u32 i, struct env_scan *s)
{
	char buf[ENV_PIECE];
	long n;

	if (s->pos >= s->end)
		return 1;
	n = bpf_probe_read_user_str(buf, sizeof(buf), (const void *)s->pos);
	if (n <= 0)
		return 1;
	if (loader_variable(buf)) {
		s->found = true;
		return 1;
	}
	s->pos += n < ENV_PIECE ? n : ENV_PIECE - 1;
	return 0;
}

/* At sched_process_exec: a secure exec (setuid, setgid, file capabilities)
 * whose new environment sets a loader variable. The new program has not run
 * an instruction yet; its environment is in its own memory. */
static __always_inline bool is_secure_exec_with_loader_env(struct task_struct *p,
							   struct linux_binprm *bprm)
{
	struct env_scan s = {};
	struct mm_struct *mm;

	if (!BPF_CORE_READ_BITFIELD_PROBED(bprm, secureexec))
		return false;
	mm = BPF_CORE_READ(p, mm);
	s.pos = BPF_CORE_READ(mm, env_start);
	s.end = BPF_CORE_READ(mm, env_end);
	bpf_loop(ENV_SCAN_MAX, env_step, &s, 0);
	return s.found;
}

/* The exec hook of both worlds: killed before the first instruction. */
static __always_inline void check_setuid_loader_env(struct task_struct *p,
						    struct linux_binprm *bprm)
{
	struct vigil_pol_conf *c;
	struct verdict v;
	struct file *file;
	__u32 slot;

	c = mit_conf(VIGIL_MIT_SETUID_LOADER_ENV, &slot);
	if (!c || !is_secure_exec_with_loader_env(p, bprm) ||
	    !mit_decide(c, slot, VIGIL_MIT_SETUID_LOADER_ENV, &v))
		return;
	if (v.action == VIGIL_PACT_BLOCK) {
		bpf_send_signal(SIGKILL);
		v.action = VIGIL_PACT_KILLED;
	}
	file = BPF_CORE_READ(bprm, file);
	report_mitigation_path(&v, 0, &file->f_path);
}

#endif /* VIGIL_MITIGATE_BPF_H */
