// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* probe.bpf.c - tiny programs `vigil probe` loads one at a time to learn what
 * this kernel really allows. All are optional ("?"); none does any work. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} probe_rb SEC(".maps");

SEC("?tracepoint/syscalls/sys_enter_getppid")
int probe_tracepoint(void *ctx)
{
	return 0;
}

SEC("?raw_tp/sys_enter")
int probe_raw_tp(void *ctx)
{
	return 0;
}

SEC("?tp_btf/sched_process_exec")
int BPF_PROG(probe_tp_btf, struct task_struct *p)
{
	return 0;
}

SEC("?fentry/do_unlinkat")
int BPF_PROG(probe_fentry)
{
	return 0;
}

SEC("?lsm/file_open")
int BPF_PROG(probe_lsm, struct file *file)
{
	return 0;
}

SEC("?cgroup/connect4")
int probe_cgroup_connect4(struct bpf_sock_addr *ctx)
{
	return 1;
}

SEC("?uprobe")
int probe_uprobe(void *ctx)
{
	return 0;
}

SEC("?tracepoint/syscalls/sys_enter_getppid")
int probe_ringbuf(void *ctx)
{
	bpf_ringbuf_output(&probe_rb, &ctx, sizeof(ctx), 0);
	return 0;
}
