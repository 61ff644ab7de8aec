// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* inventory.bpf.c - files mapped for execution, for the runtime inventory
 * (`vigil vuln`): an mmap with PROT_EXEC of a regular file (shared libraries
 * loaded by ld.so, dlopen'ed plugins), and the ELF interpreter (ld.so) that
 * the kernel maps itself at exec, without an mmap system call.
 *
 * Each process reports each file once: an LRU hash keyed by (tgid, device,
 * inode) remembers what this process image already reported. Its value names
 * the image (start time of the process and its mm), so a reused pid or an
 * exec reports again. The family is loaded only when the mmap type is wanted
 * (inventory on, or asked for by --filter or a rule).
 */
#include "vigil.bpf.h"
#include "path.bpf.h"
#include "syscall.bpf.h"

#define PROT_READ_BIT 0x1
#define PROT_EXEC_BIT 0x4
#define S_IFMT_BITS   00170000
#define S_IFREG_BITS  0100000
#define AT_NULL_ID    0
#define AT_BASE_ID    7 /* the interpreter's load address */
#define AUXV_PAIRS    28
#define MAX_ERRNO     4095

struct map_key {
	__u32 tgid;
	__u32 dev;
	__u64 ino;
};

struct map_image {
	__u64 start_time; /* the process's start (boot-time ns): a new process */
	__u64 mm;	  /* its address space: a new exec */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct map_key);
	__type(value, struct map_image);
} mapped SEC(".maps");

/* The dedupe key of file for the current process; false when the file is
 * not a regular file (a device, an anonymous inode). */
static __always_inline bool map_key_of(struct file *file, struct map_key *k, struct map_image *v)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	__u16 mode = BPF_CORE_READ(inode, i_mode);

	if ((mode & S_IFMT_BITS) != S_IFREG_BITS)
		return false;
	k->tgid = bpf_get_current_pid_tgid() >> 32;
	k->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	k->ino = BPF_CORE_READ(inode, i_ino);
	v->start_time = BPF_CORE_READ(task, group_leader, start_time);
	v->mm = (__u64)BPF_CORE_READ(task, mm);
	return true;
}

/* Whether this process image already reported the file (counted). */
static __always_inline bool already_reported(const struct map_key *k, const struct map_image *v)
{
	struct map_image *old = bpf_map_lookup_elem(&mapped, k);
	struct vigil_stats *s;

	if (!old || old->start_time != v->start_time || old->mm != v->mm)
		return false;
	s = cpu_stats();
	if (s)
		s->mmap_deduped++;
	return true;
}

/* The file of an executable mapping not yet reported, or NULL. */
static __always_inline struct file *new_exec_map(long fd, struct map_key *k, struct map_image *v)
{
	struct file *file = fd_file((struct task_struct *)bpf_get_current_task(), fd);

	if (!file || !map_key_of(file, k, v) || already_reported(k, v))
		return NULL;
	return file;
}

static __always_inline bool map_failed(long ret)
{
	return (unsigned long)ret >= (unsigned long)-MAX_ERRNO;
}

static __always_inline void emit_map(struct file *file, struct inflight *in, long ret)
{
	struct ebuf *b = start_event(VIGIL_EVT_MMAP, ret, true);

	if (!b)
		return;
	copy_args(b, in);
	add_path(b, VIGIL_F_NAME, &file->f_path);
	submit_event(b);
}

/* Exit side (or fexit): reports the map, and remembers it when it worked. A
 * failed map (noexec mount, a policy) is reported but not remembered. */
static __always_inline void finish_map(struct inflight *in, long ret)
{
	struct map_key k = {};
	struct map_image v = {};
	struct file *file = new_exec_map((long)(int)in->args[VIGIL_MMAP_ARG_FD], &k, &v);

	if (!file)
		return;
	if (!map_failed(ret))
		bpf_map_update_elem(&mapped, &k, &v, BPF_ANY);
	emit_map(file, in, ret);
}

static __always_inline bool exec_file_map(__u64 prot, __u64 fd)
{
	return (prot & PROT_EXEC_BIT) && (int)fd >= 0;
}

/* Only executable file maps are kept for the exit side: every other mmap
 * (anonymous memory, data files) costs two argument tests here. */
SEC("tracepoint/syscalls/sys_enter_mmap")
int enter_mmap(struct trace_event_raw_sys_enter *ctx)
{
	struct inflight args = {};
	struct map_key k = {};
	struct map_image v = {};

	if (!exec_file_map(ctx->args[VIGIL_MMAP_ARG_PROT], ctx->args[VIGIL_MMAP_ARG_FD]))
		return 0;
	if (!args_from_tp(&args, ctx, VIGIL_EVT_MMAP, 6))
		return 0;
	if (new_exec_map((long)(int)args.args[VIGIL_MMAP_ARG_FD], &k, &v))
		save_args(&args);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_mmap")
int exit_mmap(struct trace_event_raw_sys_exit *ctx)
{
	struct inflight *in = saved_args(VIGIL_EVT_MMAP);

	if (!in)
		return 0;
	finish_map(in, ctx->ret);
	drop_saved_args();
	return 0;
}

SEC("?fexit/__x64_sys_mmap")
int BPF_PROG(fexit_mmap, const struct pt_regs *regs, long ret)
{
	struct inflight args = {};

	if (!exec_file_map(BPF_CORE_READ(regs, dx), BPF_CORE_READ(regs, r8)))
		return 0;
	if (args_from_regs(&args, regs, VIGIL_EVT_MMAP))
		finish_map(&args, ret);
	return 0;
}

/* ---- the ELF interpreter ---------------------------------------------------- */

/* AT_BASE from the auxiliary vector the kernel saved at exec; 0 for a
 * program without an interpreter (static). */
static __always_inline __u64 interp_base(struct mm_struct *mm)
{
	__u64 id, val;

	if (!bpf_core_field_exists(mm->saved_auxv))
		return 0;
	for (int i = 0; i < AUXV_PAIRS; i++) {
		id = val = 0;
		if (bpf_core_read(&id, sizeof(id), &mm->saved_auxv[2 * i]) || id == AT_NULL_ID)
			return 0;
		if (id == AT_BASE_ID) {
			bpf_core_read(&val, sizeof(val), &mm->saved_auxv[2 * i + 1]);
			return val;
		}
	}
	return 0;
}

struct vma_file {
	__u64 file;
};

static long take_vma_file(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_file *c = data;

	c->file = (__u64)BPF_CORE_READ(vma, vm_file);
	return 0;
}

/* Runs after the exec is complete (the process family reports the exec
 * itself): the mapping at AT_BASE is the interpreter. Reported as an mmap
 * with fd -1, prot PROT_READ|PROT_EXEC, the load address as result. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_exec_interp, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct inflight in = {};
	struct vma_file c = {};
	struct map_key k = {};
	struct map_image v = {};
	struct file *file;
	__u64 base;

	if (!is_wanted(VIGIL_EVT_MMAP) || is_self())
		return 0;
	base = interp_base(BPF_CORE_READ(task, mm));
	if (!base || bpf_find_vma(task, base, take_vma_file, &c, 0) || !c.file)
		return 0;
	file = (struct file *)c.file;
	if (!map_key_of(file, &k, &v) || already_reported(&k, &v))
		return 0;
	bpf_map_update_elem(&mapped, &k, &v, BPF_ANY);
	in.args[0] = base;
	in.args[VIGIL_MMAP_ARG_PROT] = PROT_READ_BIT | PROT_EXEC_BIT;
	in.args[VIGIL_MMAP_ARG_FD] = (__u64)-1;
	emit_map(file, &in, (long)base);
	return 0;
}
