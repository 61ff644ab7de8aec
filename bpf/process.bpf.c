// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* process.bpf.c - exec (resolved exe, argv, cwd), fork/clone, process exit. */
#include "vigil.bpf.h"
#include "path.bpf.h"
#include "syscall.bpf.h"

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

/* The exec type (execve or execveat) and its arguments come from the
 * syscall that led here, saved at its entry. */
static __always_inline struct inflight *exec_syscall(__u32 old_tid, __u32 *type)
{
	struct inflight *in = bpf_map_lookup_elem(&inflight, &old_tid);

	*type = in && in->type == VIGIL_EVT_EXECVEAT ? VIGIL_EVT_EXECVEAT : VIGIL_EVT_EXECVE;
	return in;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_sched_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct inflight *in;
	struct ebuf *b;
	struct file *file;
	__u32 type;

	if (is_self())
		return 0;
	in = exec_syscall(old_pid, &type);
	if (!is_wanted(type))
		return 0;
	b = start_event(type, 0, true);
	if (!b)
		return 0;
	if (in)
		copy_args(b, in);
	file = BPF_CORE_READ(bprm, file);
	if (file)
		add_path(b, VIGIL_F_EXE, &file->f_path);
	add_kernel_str(b, VIGIL_F_NAMERAW, BPF_CORE_READ(bprm, filename));
	add_argv(b);
	add_cwd(b, VIGIL_F_CWD);
	submit_event(b);
	return 0;
}

/* A successful exec is reported by sched_process_exec; failures here. */
static __always_inline void emit_exec_failure(struct inflight *in, __u32 type, long ret,
					      int path_arg, int dirfd_arg)
{
	const char *upath = (const char *)in->args[path_arg & 7];
	struct ebuf *b;

	if (ret >= 0 || !(b = start_event(type, ret, true)))
		return;
	copy_args(b, in);
	add_user_str(b, VIGIL_F_NAMERAW, upath);
	add_base_dir(b, VIGIL_F_DIRPATH,
		     dirfd_arg < 0 ? AT_FDCWD_VALUE : (long)in->args[dirfd_arg & 7], upath);
	add_cwd(b, VIGIL_F_CWD);
	submit_event(b);
}

/* The saved arguments also tell sched_process_exec which syscall it was. */
STATEFUL_SENSOR(execve, VIGIL_EVT_EXECVE, 3, (void)in,
		emit_exec_failure(in, VIGIL_EVT_EXECVE, ret, 0, -1))
STATEFUL_SENSOR(execveat, VIGIL_EVT_EXECVEAT, 5, (void)in,
		emit_exec_failure(in, VIGIL_EVT_EXECVEAT, ret, 1, 0))

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
