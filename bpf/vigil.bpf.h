/* vigil.bpf.h - maps and event-building helpers shared by every sensor family.
 *
 * Each family is its own BPF object and skeleton; user space creates the shared
 * maps once and hands the same fds to every skeleton (bpf_map__reuse_fd), so
 * all families write into one ring buffer and read one filter.
 */
#ifndef VIGIL_BPF_H
#define VIGIL_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "vigil_abi.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define EVENT_MASK     (VIGIL_EVENT_MAX - 1)
#define AT_FDCWD_VALUE -100
#define FIELD_HDR_SIZE ((__u32)sizeof(struct vigil_field))

/* Per-CPU scratch where a record is assembled before one copy into the ring. */
struct ebuf {
	__u32 off; /* bytes used so far */
	__u32 pad;
	__u8 data[2 * VIGIL_EVENT_MAX];
};

/* Syscall arguments saved at sys_enter, consumed at sys_exit. */
struct inflight {
	__u64 args[VIGIL_MAX_ARGS];
	__u32 type;
	__u32 aux[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, VIGIL_RINGBUF_BYTES);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_stats);
} stats SEC(".maps");

/* wanted[type] != 0: the event type is delivered. Array lookups are inlined. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VIGIL_EVT_MAX);
	__type(key, __u32);
	__type(value, __u32);
} wanted SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, __u32);
	__type(value, struct inflight);
} inflight SEC(".maps");

/* Top-level directories whose read-only opens some rule can match; see
 * read_open_wanted in file.bpf.c. Empty: every open is reported. */
struct dir_key {
	char name[VIGIL_DIR_KEY_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct dir_key);
	__type(value, __u8);
} read_dirs SEC(".maps");

/* One slot per CPU (a per-CPU array cannot hold values this large); the
 * loader sizes it to the number of possible CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ebuf);
} scratch SEC(".maps");

/* The agent's own thread-group id: its own syscalls are not reported. */
const volatile __u32 self_pid = 0;

static __always_inline bool is_wanted(__u32 type)
{
	__u32 *on = bpf_map_lookup_elem(&wanted, &type);

	return on && *on;
}

static __always_inline struct vigil_stats *cpu_stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&stats, &zero);
}

static __always_inline __u32 current_tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

static __always_inline bool is_self(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == self_pid;
}

/* Syscall arguments from a tracepoint. Only the syscall's own nargs are
 * read: a tracepoint program may not read past the end of its event, or
 * attaching it fails with EACCES. */
static __always_inline bool args_from_tp(struct inflight *in, struct trace_event_raw_sys_enter *ctx,
					 __u32 type, int nargs)
{
	if (!is_wanted(type) || is_self())
		return false;
	in->type = type;
	if (nargs > 0)
		in->args[0] = ctx->args[0];
	if (nargs > 1)
		in->args[1] = ctx->args[1];
	if (nargs > 2)
		in->args[2] = ctx->args[2];
	if (nargs > 3)
		in->args[3] = ctx->args[3];
	if (nargs > 4)
		in->args[4] = ctx->args[4];
	if (nargs > 5)
		in->args[5] = ctx->args[5];
	return true;
}

/* Syscall arguments from the pt_regs a __x64_sys_* function receives. */
static __always_inline bool args_from_regs(struct inflight *in, const struct pt_regs *regs,
					   __u32 type)
{
	if (!is_wanted(type) || is_self())
		return false;
	in->type = type;
	in->args[0] = BPF_CORE_READ(regs, di);
	in->args[1] = BPF_CORE_READ(regs, si);
	in->args[2] = BPF_CORE_READ(regs, dx);
	in->args[3] = BPF_CORE_READ(regs, r10);
	in->args[4] = BPF_CORE_READ(regs, r8);
	in->args[5] = BPF_CORE_READ(regs, r9);
	return true;
}

/* Entry side of a syscall whose exit needs them: keeps the arguments. */
static __always_inline struct inflight *save_args(const struct inflight *in)
{
	__u32 tid = current_tid();

	bpf_map_update_elem(&inflight, &tid, in, BPF_ANY);
	return bpf_map_lookup_elem(&inflight, &tid);
}

/* sys_exit side: the saved arguments, or NULL when the syscall was not wanted. */
static __always_inline struct inflight *saved_args(__u32 type)
{
	struct inflight *in;
	__u32 tid;

	if (!is_wanted(type))
		return NULL;
	tid = current_tid();
	in = bpf_map_lookup_elem(&inflight, &tid);
	if (!in || in->type != type)
		return NULL;
	return in;
}

static __always_inline void drop_saved_args(void)
{
	__u32 tid = current_tid();

	bpf_map_delete_elem(&inflight, &tid);
}

static __always_inline struct vigil_event_hdr *event_hdr(struct ebuf *b)
{
	return (struct vigil_event_hdr *)b->data;
}

static __always_inline __u32 task_ns_inum_pid(struct task_struct *task, __u32 *vpid)
{
	struct pid *pid = BPF_CORE_READ(task, group_leader, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid upid = {};

	bpf_core_read(&upid, sizeof(upid), &pid->numbers[level & 31]);
	*vpid = upid.nr;
	return BPF_CORE_READ(upid.ns, ns.inum);
}

static __always_inline void fill_hdr(struct vigil_event_hdr *h, __u32 type, __s64 ret, bool has_ret)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	const struct cred *cred = BPF_CORE_READ(task, cred);
	__u64 id = bpf_get_current_pid_tgid();

	h->type = type;
	h->ts_mono = bpf_ktime_get_ns();
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->ret = ret;
	h->flags = has_ret ? VIGIL_HDR_HAS_RET : 0;
	h->tid = (__u32)id;
	h->pid = id >> 32;
	h->ppid = BPF_CORE_READ(task, real_parent, tgid);
	h->uid = BPF_CORE_READ(cred, uid.val);
	h->gid = BPF_CORE_READ(cred, gid.val);
	h->euid = BPF_CORE_READ(cred, euid.val);
	h->egid = BPF_CORE_READ(cred, egid.val);
	h->loginuid = (__u32)-1;
	if (bpf_core_field_exists(task->loginuid))
		h->loginuid = BPF_CORE_READ(task, loginuid.val);
	h->pidns = task_ns_inum_pid(task, &h->vpid);
	h->mntns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	h->netns = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
	h->pad = 0;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

/* Starts a record in the per-CPU scratch buffer. args start zeroed. */
static __always_inline struct ebuf *start_event(__u32 type, __s64 ret, bool has_ret)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct ebuf *b = bpf_map_lookup_elem(&scratch, &cpu);
	struct vigil_event_hdr *h;

	if (!b)
		return NULL;
	h = event_hdr(b);
	fill_hdr(h, type, ret, has_ret);
	for (int i = 0; i < VIGIL_MAX_ARGS; i++)
		h->args[i] = 0;
	b->off = sizeof(struct vigil_event_hdr);
	return b;
}

static __always_inline void copy_args(struct ebuf *b, struct inflight *in)
{
	struct vigil_event_hdr *h = event_hdr(b);

	for (int i = 0; i < VIGIL_MAX_ARGS; i++)
		h->args[i] = in->args[i];
}

/* Reserves a field header at the current offset when `max` payload bytes fit. */
static __always_inline struct vigil_field *field_begin(struct ebuf *b, __u8 id, __u8 kind,
						       __u32 max)
{
	__u32 off = b->off;
	struct vigil_field *f;

	if (off > VIGIL_EVENT_MAX - FIELD_HDR_SIZE - max)
		return NULL;
	f = (struct vigil_field *)&b->data[off & EVENT_MASK];
	f->id = id;
	f->kind = kind;
	f->flags = 0;
	f->pad = 0;
	f->len = 0;
	return f;
}

static __always_inline void field_end(struct ebuf *b, struct vigil_field *f, __u32 len)
{
	f->len = len;
	b->off += FIELD_HDR_SIZE + ((len + 7) & ~7u);
}

static __always_inline void count_read_error(void)
{
	struct vigil_stats *s = cpu_stats();

	if (s)
		s->read_errors++;
}

static __always_inline void add_user_str(struct ebuf *b, __u8 id, const void *uptr)
{
	struct vigil_field *f;
	long n;

	if (!uptr)
		return;
	f = field_begin(b, id, VIGIL_K_STR, VIGIL_STR_MAX);
	if (!f)
		return;
	n = bpf_probe_read_user_str(&b->data[(b->off + FIELD_HDR_SIZE) & EVENT_MASK], VIGIL_STR_MAX,
				    uptr);
	if (n <= 0) {
		count_read_error();
		return;
	}
	field_end(b, f, n);
}

static __always_inline void add_kernel_str(struct ebuf *b, __u8 id, const void *kptr)
{
	struct vigil_field *f;
	long n;

	if (!kptr)
		return;
	f = field_begin(b, id, VIGIL_K_STR, VIGIL_STR_MAX);
	if (!f)
		return;
	n = bpf_probe_read_kernel_str(&b->data[(b->off + FIELD_HDR_SIZE) & EVENT_MASK],
				      VIGIL_STR_MAX, kptr);
	if (n <= 0)
		return;
	field_end(b, f, n);
}

/* Copies a fixed-size user structure (a sockaddr); `len` is what the caller
 * claimed, kept as the field length when smaller. */
static __always_inline void add_user_sockaddr(struct ebuf *b, __u8 id, const void *uptr, __u32 len)
{
	struct vigil_field *f;

	if (!uptr || len == 0)
		return;
	f = field_begin(b, id, VIGIL_K_BYTES, VIGIL_SOCKADDR_MAX);
	if (!f)
		return;
	if (bpf_probe_read_user(&b->data[(b->off + FIELD_HDR_SIZE) & EVENT_MASK],
				VIGIL_SOCKADDR_MAX, uptr) &&
	    bpf_probe_read_user(&b->data[(b->off + FIELD_HDR_SIZE) & EVENT_MASK], 16, uptr)) {
		count_read_error();
		return;
	}
	field_end(b, f, len < VIGIL_SOCKADDR_MAX ? len : VIGIL_SOCKADDR_MAX);
}

/* Copies the record into the ring; counts it as emitted or dropped. Wakes the
 * reader only once enough data is waiting; user space also polls on a timer. */
static __always_inline void submit_event(struct ebuf *b)
{
	struct vigil_stats *s = cpu_stats();
	__u32 size = b->off;
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (size > VIGIL_EVENT_MAX)
		size = VIGIL_EVENT_MAX;
	event_hdr(b)->size = size;
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= VIGIL_WAKEUP_BYTES)
		flags = BPF_RB_FORCE_WAKEUP;
	if (bpf_ringbuf_output(&events, b->data, size, flags)) {
		if (s)
			s->dropped++;
		return;
	}
	if (s)
		s->emitted++;
}

#endif /* VIGIL_BPF_H */
