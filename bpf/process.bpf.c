// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* process.bpf.c - exec (resolved exe, argv, cwd), fork/clone, process exit. */
#include "vigil.bpf.h"
#include "path.bpf.h"

static __always_inline void add_argv(struct ebuf *b)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	unsigned long start = BPF_CORE_READ(task, mm, arg_start);
	unsigned long end = BPF_CORE_READ(task, mm, arg_end);
	struct vigil_field *f;
	__u32 len;

	if (end <= start)
		return;
	f = field_begin(b, VIGIL_F_ARGV, VIGIL_K_BYTES, VIGIL_ARGV_MAX);
	if (!f)
		return;
	len = end - start;
	if (len >= VIGIL_ARGV_MAX) {
		len = VIGIL_ARGV_MAX - 1;
		f->flags |= VIGIL_PATH_TRUNCATED;
	}
	if (bpf_probe_read_user(&b->data[(b->off + FIELD_HDR_SIZE) & EVENT_MASK],
				len & (VIGIL_ARGV_MAX - 1), (void *)start)) {
		count_read_error();
		return;
	}
	field_end(b, f, len);
}

/* The exec type (execve or execveat) comes from the syscall that led here. */
static __always_inline __u32 exec_type(__u32 old_tid)
{
	struct inflight *in = bpf_map_lookup_elem(&inflight, &old_tid);

	if (in && in->type == VIGIL_EVT_EXECVEAT)
		return VIGIL_EVT_EXECVEAT;
	return VIGIL_EVT_EXECVE;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_sched_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 type;
	struct ebuf *b;
	struct file *file;

	if (is_self())
		return 0;
	type = exec_type(old_pid);
	if (!is_wanted(type))
		return 0;
	b = start_event(type, 0, true);
	if (!b)
		return 0;
	file = BPF_CORE_READ(bprm, file);
	if (file)
		add_path(b, VIGIL_F_EXE, &file->f_path);
	add_kernel_str(b, VIGIL_F_NAMERAW, BPF_CORE_READ(bprm, filename));
	add_argv(b);
	add_cwd(b, VIGIL_F_CWD);
	submit_event(b);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int enter_execve(struct trace_event_raw_sys_enter *ctx)
{
	stash_args(ctx, VIGIL_EVT_EXECVE, 3);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_execveat")
int enter_execveat(struct trace_event_raw_sys_enter *ctx)
{
	stash_args(ctx, VIGIL_EVT_EXECVEAT, 5);
	return 0;
}

/* A successful exec was reported by sched_process_exec; report failures here. */
static __always_inline void exit_exec(struct trace_event_raw_sys_exit *ctx, __u32 type,
				      int path_arg, int dirfd_arg)
{
	struct inflight *in = saved_args(type);
	struct ebuf *b;
	const char *upath;

	if (!in)
		return;
	if (ctx->ret < 0 && (b = start_event(type, ctx->ret, true))) {
		copy_args(b, in);
		upath = (const char *)in->args[path_arg & 7];
		add_user_str(b, VIGIL_F_NAMERAW, upath);
		add_base_dir(b, VIGIL_F_DIRPATH, dirfd_arg < 0 ? AT_FDCWD_VALUE
							     : (long)in->args[dirfd_arg & 7],
			     upath);
		add_cwd(b, VIGIL_F_CWD);
		submit_event(b);
	}
	drop_saved_args();
}

SEC("tracepoint/syscalls/sys_exit_execve")
int exit_execve(struct trace_event_raw_sys_exit *ctx)
{
	exit_exec(ctx, VIGIL_EVT_EXECVE, 0, -1);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_execveat")
int exit_execveat(struct trace_event_raw_sys_exit *ctx)
{
	exit_exec(ctx, VIGIL_EVT_EXECVEAT, 1, 0);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_sched_fork, struct task_struct *parent, struct task_struct *child)
{
	struct vigil_event_hdr *h;
	struct ebuf *b;
	__u32 child_tid, child_pid;

	if (!is_wanted(VIGIL_EVT_CLONE) || is_self())
		return 0;
	child_tid = BPF_CORE_READ(child, pid);
	child_pid = BPF_CORE_READ(child, tgid);
	b = start_event(VIGIL_EVT_CLONE, child_tid, true);
	if (!b)
		return 0;
	h = event_hdr(b);
	h->args[VIGIL_CLONE_ARG_CHILD_TID] = child_tid;
	h->args[VIGIL_CLONE_ARG_CHILD_PID] = child_pid;
	h->args[VIGIL_CLONE_ARG_IS_THREAD] = child_tid != child_pid;
	submit_event(b);
	return 0;
}

/* Reported once per process: when its last thread exits. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_sched_exit, struct task_struct *p)
{
	struct ebuf *b;
	int code;

	if (!is_wanted(VIGIL_EVT_PROCEXIT) || is_self())
		return 0;
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	code = BPF_CORE_READ(p, exit_code);
	b = start_event(VIGIL_EVT_PROCEXIT, code, true);
	if (!b)
		return 0;
	event_hdr(b)->args[VIGIL_EXIT_ARG_CODE] = code;
	submit_event(b);
	return 0;
}
