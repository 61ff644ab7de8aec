// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* enforce_fallback.bpf.c - enforcement where BPF LSM is off.
 *
 * Network rules stay synchronous through cgroup socket hooks on the root
 * cgroup (connect/bind are refused with EPERM before they happen). For
 * exec, opens, ptrace, module loads, bpf() and mount the only lever is to
 * kill the process at the syscall tracepoint: the operation may already
 * have happened, so these are reported as VIGIL_PACT_KILLED, never as
 * blocks. Capabilities, signals and the other file operations need BPF LSM.
 */
#include "policy.bpf.h"

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

SEC("cgroup/sock_create")
int fb_sock_create(struct bpf_sock *ctx)
{
	struct verdict v;

	if (!family_verdict(ctx->family, ctx->protocol, &v))
		return 1;
	report_plain(&v, VIGIL_PA_NETWORK, 2, (__u64)ctx->family << 32 | ctx->protocol);
	return v.action == VIGIL_PACT_BLOCK ? 0 : 1;
}

SEC("tracepoint/syscalls/sys_enter_socket")
int fb_socket(struct trace_event_raw_sys_enter *ctx)
{
	__u32 family = ctx->args[0], protocol = ctx->args[2];
	struct verdict v;

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

static __always_inline void open_verdict(long fd)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct vigil_pol_conf *c;
	struct verdict v;
	struct file *file;
	struct ebuf *b;
	__u32 slot, acc;
	__u64 tmask;

	if (fd < 0)
		return;
	tmask = current_policies(&c, &slot, VIGIL_PA_FILE);
	if (!tmask)
		return;
	file = fd_file(t, fd);
	if (!file)
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
	kill_area(VIGIL_PA_BPF, ctx->args[0]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_mount")
int fb_mount(struct trace_event_raw_sys_enter *ctx)
{
	kill_area(VIGIL_PA_MOUNT, ctx->args[3]);
	return 0;
}
