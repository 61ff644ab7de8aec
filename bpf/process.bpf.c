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

/* Field layouts of struct inode before 6.6 and before 6.11 (CO-RE flavors). */
struct inode___pre66 {
	struct timespec64 i_ctime;
	struct timespec64 i_mtime;
} __attribute__((preserve_access_index));

struct inode___pre611 {
	struct timespec64 __i_ctime;
	struct timespec64 i_mtime;
} __attribute__((preserve_access_index));

static __always_inline void inode_times(struct inode *inode, struct vigil_execinfo *x)
{
	struct inode___pre66 *old = (void *)inode;
	struct inode___pre611 *mid = (void *)inode;

	if (bpf_core_field_exists(inode->i_ctime_sec)) {
		x->exe_ctime_ns = BPF_CORE_READ(inode, i_ctime_sec) * 1000000000ull +
				  BPF_CORE_READ(inode, i_ctime_nsec);
		x->exe_mtime_ns = BPF_CORE_READ(inode, i_mtime_sec) * 1000000000ull +
				  BPF_CORE_READ(inode, i_mtime_nsec);
	} else if (bpf_core_field_exists(mid->__i_ctime)) {
		x->exe_ctime_ns = BPF_CORE_READ(mid, __i_ctime.tv_sec) * 1000000000ull +
				  BPF_CORE_READ(mid, __i_ctime.tv_nsec);
		x->exe_mtime_ns = BPF_CORE_READ(mid, i_mtime.tv_sec) * 1000000000ull +
				  BPF_CORE_READ(mid, i_mtime.tv_nsec);
	} else {
		x->exe_ctime_ns = BPF_CORE_READ(old, i_ctime.tv_sec) * 1000000000ull +
				  BPF_CORE_READ(old, i_ctime.tv_nsec);
		x->exe_mtime_ns = BPF_CORE_READ(old, i_mtime.tv_sec) * 1000000000ull +
				  BPF_CORE_READ(old, i_mtime.tv_nsec);
	}
}

/* tty_nr as /proc/PID/stat encodes it. */
static __always_inline __u32 task_tty(struct task_struct *task)
{
	struct tty_struct *tty = BPF_CORE_READ(task, signal, tty);
	__u32 major, minor;

	if (!tty)
		return 0;
	major = BPF_CORE_READ(tty, driver, major);
	minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

static __always_inline bool is_memfd(struct file *file)
{
	char name[8] = {};

	bpf_probe_read_kernel_str(name, sizeof(name),
				  BPF_CORE_READ(file, f_path.dentry, d_name.name));
	return name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' &&
	       name[4] == 'd' && name[5] == ':';
}

static __always_inline void add_execinfo(struct ebuf *b, struct file *file)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	const struct cred *cred = BPF_CORE_READ(task, cred);
	struct vigil_execinfo *x;
	struct vigil_field *f;
	struct inode *inode;

	f = field_begin(b, VIGIL_F_EXECINFO, VIGIL_K_BYTES, sizeof(*x));
	if (!f)
		return;
	x = (struct vigil_execinfo *)&b->data[(b->off + FIELD_HDR_SIZE) & EVENT_MASK];
	__builtin_memset(x, 0, sizeof(*x));
	bpf_core_read(&x->cap_effective, sizeof(__u64), &cred->cap_effective);
	bpf_core_read(&x->cap_permitted, sizeof(__u64), &cred->cap_permitted);
	bpf_core_read(&x->cap_inheritable, sizeof(__u64), &cred->cap_inheritable);
	x->tty = task_tty(task);
	x->sid = BPF_CORE_READ(task, signal, pids[PIDTYPE_SID], numbers[0].nr);
	if (file) {
		inode = BPF_CORE_READ(file, f_inode);
		x->exe_ino = BPF_CORE_READ(inode, i_ino);
		x->exe_dev = BPF_CORE_READ(inode, i_sb, s_dev);
		inode_times(inode, x);
		if (is_memfd(file))
			x->flags |= VIGIL_EXEC_FROM_MEMFD;
	}
	field_end(b, f, sizeof(*x));
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
	add_execinfo(b, file);
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
