// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* enforce_fallback.bpf.c - enforcement where BPF LSM is off.
 *
 * Network rules stay synchronous through cgroup socket hooks on the root
 * cgroup (connect/bind are refused with EPERM before they happen). For
 * exec, opens, ptrace, module loads, bpf() and mount the only lever is to
 * kill the process at the syscall tracepoint: the operation may already
 * have happened, so these are reported as VIGIL_PACT_KILLED, never as
 * blocks. Capabilities, signals and the other file operations need BPF LSM.
 * Mitigations (mitigate.bpf.h) follow the same pattern: a cgroup hook where
 * one exists (DCCP, SCTP sockets), else a kill at the syscall.
 */
#include "mitigate.bpf.h"

#define FMODE_READ    0x1
#define FMODE_WRITE   0x2
#define O_TRUNC	      01000
#define PTRACE_ATTACH 16
#define PTRACE_SEIZE  0x4206

/* A block becomes a kill; an audit stays an audit. */
static __always_inline bool kill_if_blocked(struct verdict *v)
{
	if (v->action != VIGIL_PACT_BLOCK)
		return v->action == VIGIL_PACT_AUDIT;
	bpf_send_signal(SIGKILL);
	v->action = VIGIL_PACT_KILLED;
	return true;
}

/* A mitigation hit at a syscall tracepoint: killed (or audited) and
 * reported. */
static __always_inline void mit_kill(struct vigil_pol_conf *c, __u32 slot, __u32 id, __u64 detail,
				     __u64 aux)
{
	struct verdict v;

	if (!mit_decide(c, slot, id, &v))
		return;
	kill_if_blocked(&v);
	report_mitigation(&v, detail, aux);
}

/* The same with the file concerned in the report. */
static __always_inline void mit_kill_file(struct vigil_pol_conf *c, __u32 slot, __u32 id,
					  struct file *file, __u64 detail)
{
	struct verdict v;

	if (!mit_decide(c, slot, id, &v))
		return;
	kill_if_blocked(&v);
	report_mitigation_path(&v, detail, &file->f_path);
}

/* ---- network: synchronous, through the root cgroup ---- */

static __always_inline int sock_addr_verdict(struct bpf_sock_addr *ctx, bool egress, bool v6)
{
	struct vigil_pol_conf *c;
	struct net_obj o = {};
	struct verdict v;
	struct ebuf *b;
	__u64 tmask;
	__u32 slot;

	tmask = current_policies(&c, &slot, VIGIL_PA_NETWORK);
	if (!tmask)
		return 1;
	o.family = v6 ? AF_INET6 : AF_INET;
	o.port = bpf_ntohs(ctx->user_port);
	o.proto = ctx->protocol;
	if (!v6) {
		__u32 a = ctx->user_ip4;

		__builtin_memcpy(o.addr, &a, 4);
	} else {
		__u32 a[4] = {ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2],
			      ctx->user_ip6[3]};

		if (a[0] == 0 && a[1] == 0 && a[2] == bpf_htonl(0xffff)) {
			o.family = AF_INET;
			__builtin_memcpy(o.addr, &a[3], 4);
		} else {
			__builtin_memcpy(o.addr, a, 16);
		}
	}
	decide(c, slot, tmask, VIGIL_PA_NETWORK, net_rules(c, slot, &o, egress), &v);
	if (v.action >= VIGIL_PACT_AUDIT &&
	    (b = start_decision(&v, VIGIL_PA_NETWORK, egress, o.port))) {
		struct vigil_field *f = field_begin(b, VIGIL_F_NET_ADDR, VIGIL_K_BYTES, 20);

		if (f) {
			__u8 *p = &b->data[(b->off + FIELD_HDR_SIZE) & EVENT_MASK];

			p[0] = o.family;
			p[1] = 0;
			p[2] = o.port >> 8;
			p[3] = o.port & 0xff;
			__builtin_memcpy(p + 4, o.addr, 16);
			field_end(b, f, 20);
		}
		submit_event(b);
	}
	return v.action == VIGIL_PACT_BLOCK ? 0 : 1;
}

SEC("cgroup/connect4")
int fb_connect4(struct bpf_sock_addr *ctx)
{
	return sock_addr_verdict(ctx, true, false);
}

SEC("cgroup/connect6")
int fb_connect6(struct bpf_sock_addr *ctx)
{
	return sock_addr_verdict(ctx, true, true);
}

SEC("cgroup/bind4")
int fb_bind4(struct bpf_sock_addr *ctx)
{
	return sock_addr_verdict(ctx, false, false);
}

SEC("cgroup/bind6")
int fb_bind6(struct bpf_sock_addr *ctx)
{
	return sock_addr_verdict(ctx, false, true);
}

/* Socket families: synchronous for inet sockets (cgroup sock_create runs
 * in inet_create), a kill at socket() for the other families. */
static __always_inline bool family_verdict(__u32 family, __u32 protocol, struct verdict *v)
{
	struct vigil_pol_conf *c;
	__u64 tmask;
	__u32 slot;

	v->action = VIGIL_PACT_NONE;
	tmask = current_policies(&c, &slot, VIGIL_PA_NETWORK);
	if (!tmask)
		return false;
	decide(c, slot, tmask, VIGIL_PA_NETWORK, c->fam_rules[family & 63], v);
	return v->action >= VIGIL_PACT_AUDIT;
}

/* dccp-socket, sctp-socket: refused synchronously (EPERM). */
static __always_inline bool socket_mitigated(struct bpf_sock *ctx)
{
	struct vigil_pol_conf *c;
	struct verdict v;
	__u32 slot;
	int id = socket_mitigation(ctx->family, ctx->type, ctx->protocol);

	if (id < 0 || !(c = mit_conf(id, &slot)) || !mit_decide(c, slot, id, &v))
		return false;
	report_mitigation(&v, (__u64)ctx->family << 32 | ctx->protocol, ctx->type);
	return v.action == VIGIL_PACT_BLOCK;
}

SEC("cgroup/sock_create")
int fb_sock_create(struct bpf_sock *ctx)
{
	struct verdict v;

	if (socket_mitigated(ctx))
		return 0;
	if (!family_verdict(ctx->family, ctx->protocol, &v))
		return 1;
	report_plain(&v, VIGIL_PA_NETWORK, 2, (__u64)ctx->family << 32 | ctx->protocol);
	return v.action == VIGIL_PACT_BLOCK ? 0 : 1;
}

SEC("tracepoint/syscalls/sys_enter_socket")
int fb_socket(struct trace_event_raw_sys_enter *ctx)
{
	__u32 family = ctx->args[0], protocol = ctx->args[2], type = ctx->args[1] & 0xf, slot;
	struct vigil_pol_conf *c;
	struct verdict v;
	int id = socket_mitigation(family, type, protocol);

	if (id >= 0 && family != AF_INET && family != AF_INET6 && (c = mit_conf(id, &slot)))
		mit_kill(c, slot, id, (__u64)family << 32 | protocol, type);
	if (family == AF_INET || family == AF_INET6 || !family_verdict(family, protocol, &v))
		return 0;
	kill_if_blocked(&v);
	report_plain(&v, VIGIL_PA_NETWORK, 2, (__u64)family << 32 | protocol);
	return 0;
}

/* ---- exec and opens: kill before the process uses the result ---- */

SEC("tp_btf/sched_process_exec")
int BPF_PROG(fb_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct vigil_pol_conf *c;
	struct verdict v;
	struct file *file;
	struct ebuf *b;
	__u64 tmask;
	__u32 slot;

	check_setuid_loader_env(p, bprm);
	/* p is the current task; the exec has happened, so selectors on
	 * executables see the new program here (the LSM hook sees the caller). */
	tmask = current_policies(&c, &slot, VIGIL_PA_PROCESS);
	if (!tmask)
		return 0;
	file = BPF_CORE_READ(bprm, file);
	decide(c, slot, tmask, VIGIL_PA_PROCESS, exec_rules(c, slot, file, p), &v);
	if (!kill_if_blocked(&v) || !(b = start_decision(&v, VIGIL_PA_PROCESS, VIGIL_PACC_EXEC, 0)))
		return 0;
	add_path(b, VIGIL_F_NAME, &file->f_path);
	submit_event(b);
	return 0;
}

/* proc-mem-write, release-agent: the descriptor never reaches the caller's
 * code. */
static __always_inline void mitigate_open(struct vigil_pol_conf *c, __u32 slot, struct file *file)
{
	int id = open_mitigation(c, file);

	if (id >= 0)
		mit_kill_file(c, slot, id, file, open_mitigation_detail(id, file));
}

static __always_inline void open_verdict(long fd)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct vigil_pol_conf *c;
	struct verdict v;
	struct file *file;
	struct ebuf *b;
	__u32 slot, acc;
	__u64 tmask;

	if (fd < 0 || !(c = pol_current(&slot)))
		return;
	if (!(c->mit.any & OPEN_MITIGATIONS) && !c->area_pols[VIGIL_PA_FILE])
		return;
	file = fd_file(t, fd);
	if (!file)
		return;
	if (c->mit.any & OPEN_MITIGATIONS)
		mitigate_open(c, slot, file);
	tmask = area_policies(c, slot, VIGIL_PA_FILE);
	if (!tmask)
		return;
	acc = open_access(file);
	decide_file(c, slot, tmask, BPF_CORE_READ(file, f_path.dentry),
		    BPF_CORE_READ(file, f_path.mnt), acc, &v);
	if (!kill_if_blocked(&v) || !(b = start_decision(&v, VIGIL_PA_FILE, acc, 0)))
		return;
	add_path(b, VIGIL_F_NAME, &file->f_path);
	submit_event(b);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int fb_openat(struct trace_event_raw_sys_exit *ctx)
{
	open_verdict(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int fb_openat2(struct trace_event_raw_sys_exit *ctx)
{
	open_verdict(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_open")
int fb_open(struct trace_event_raw_sys_exit *ctx)
{
	open_verdict(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_creat")
int fb_creat(struct trace_event_raw_sys_exit *ctx)
{
	open_verdict(ctx->ret);
	return 0;
}

/* ---- areas without objects: a kill at the syscall's entry ---- */

static __always_inline void kill_area(__u32 area, __u64 detail)
{
	struct vigil_pol_conf *c;
	struct verdict v;
	__u64 tmask;
	__u32 slot;

	tmask = current_policies(&c, &slot, area);
	if (!tmask)
		return;
	decide(c, slot, tmask, area, c->any_obj[area], &v);
	if (kill_if_blocked(&v))
		report_plain(&v, area, detail, 0);
}

SEC("tracepoint/syscalls/sys_enter_ptrace")
int fb_ptrace(struct trace_event_raw_sys_enter *ctx)
{
	if (ctx->args[0] == PTRACE_ATTACH || ctx->args[0] == PTRACE_SEIZE)
		kill_area(VIGIL_PA_PTRACE, ctx->args[0]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_init_module")
int fb_init_module(struct trace_event_raw_sys_enter *ctx)
{
	kill_area(VIGIL_PA_KERNEL_MODULE, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_finit_module")
int fb_finit_module(struct trace_event_raw_sys_enter *ctx)
{
	kill_area(VIGIL_PA_KERNEL_MODULE, 1);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_bpf")
int fb_bpf(struct trace_event_raw_sys_enter *ctx)
{
	struct vigil_pol_conf *c;
	__u32 slot;

	if ((c = mit_conf(VIGIL_MIT_UNPRIVILEGED_BPF, &slot)) && caller_unprivileged())
		mit_kill(c, slot, VIGIL_MIT_UNPRIVILEGED_BPF, ctx->args[0], 0);
	kill_area(VIGIL_PA_BPF, ctx->args[0]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_mount")
int fb_mount(struct trace_event_raw_sys_enter *ctx)
{
	struct vigil_pol_conf *c;
	char fs[8] = {};
	__u32 slot;

	if ((c = mit_conf(VIGIL_MIT_OVERLAYFS_USERNS, &slot)) &&
	    bpf_probe_read_user_str(fs, sizeof(fs), (const void *)ctx->args[2]) == 8 &&
	    has_prefix(fs, "overlay", 8) && outside_init_userns(c))
		mit_kill(c, slot, VIGIL_MIT_OVERLAYFS_USERNS, 0, 0);
	kill_area(VIGIL_PA_MOUNT, ctx->args[3]);
	return 0;
}

/* ---- mitigations at syscalls without a policy area ---- */

static __always_inline void userns_request(__u64 flags)
{
	struct vigil_pol_conf *c;
	__u32 slot;

	if ((flags & CLONE_NEWUSER) && caller_unprivileged() &&
	    (c = mit_conf(VIGIL_MIT_USERNS, &slot)))
		mit_kill(c, slot, VIGIL_MIT_USERNS, flags, 0);
}

SEC("tracepoint/syscalls/sys_enter_unshare")
int fb_unshare(struct trace_event_raw_sys_enter *ctx)
{
	userns_request(ctx->args[0]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_clone")
int fb_clone(struct trace_event_raw_sys_enter *ctx)
{
	userns_request(ctx->args[0]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_clone3")
int fb_clone3(struct trace_event_raw_sys_enter *ctx)
{
	__u64 flags = 0;

	/* struct clone_args starts with the flags. */
	if (bpf_probe_read_user(&flags, sizeof(flags), (const void *)ctx->args[0]) == 0)
		userns_request(flags);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_io_uring_setup")
int fb_io_uring_setup(struct trace_event_raw_sys_enter *ctx)
{
	struct vigil_pol_conf *c;
	__u32 slot;

	if ((c = mit_conf(VIGIL_MIT_IO_URING, &slot)))
		mit_kill(c, slot, VIGIL_MIT_IO_URING, ctx->args[0], 0);
	return 0;
}

/* empty-argv: argv, or argv[0], is NULL. */
static __always_inline void argv_request(const void *argv)
{
	struct vigil_pol_conf *c;
	const void *arg0 = NULL;
	__u32 slot;

	if (!(c = mit_conf(VIGIL_MIT_EMPTY_ARGV, &slot)))
		return;
	if (argv && (bpf_probe_read_user(&arg0, sizeof(arg0), argv) || arg0))
		return;
	mit_kill(c, slot, VIGIL_MIT_EMPTY_ARGV, 0, 0);
}

SEC("tracepoint/syscalls/sys_enter_execve")
int fb_execve(struct trace_event_raw_sys_enter *ctx)
{
	argv_request((const void *)ctx->args[1]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_execveat")
int fb_execveat(struct trace_event_raw_sys_enter *ctx)
{
	argv_request((const void *)ctx->args[2]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_splice")
int fb_splice(struct trace_event_raw_sys_enter *ctx)
{
	struct task_struct *t = cur_task();
	struct vigil_pol_conf *c;
	struct file *in;
	__u32 slot;

	if (!(c = mit_conf(VIGIL_MIT_DIRTY_PIPE, &slot)))
		return 0;
	in = fd_file(t, (int)ctx->args[0]);
	if (is_page_cache_splice(in, fd_file(t, (int)ctx->args[2])))
		mit_kill_file(c, slot, VIGIL_MIT_DIRTY_PIPE, in, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_perf_event_open")
int fb_perf_event_open(struct trace_event_raw_sys_enter *ctx)
{
	struct vigil_pol_conf *c;
	__u32 slot;

	if ((c = mit_conf(VIGIL_MIT_UNPRIVILEGED_PERF_EVENT, &slot)) && caller_unprivileged())
		mit_kill(c, slot, VIGIL_MIT_UNPRIVILEGED_PERF_EVENT, 0, 0);
	return 0;
}
