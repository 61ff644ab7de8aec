/* floor.bpf.c - empty programs: the physical floor of a BPF syscall monitor.
 *
 * The loader (floor.c) attaches floor_enter and floor_exit to the sys_enter_X
 * and sys_exit_X tracepoints of every syscall Vigil hooks, and the three
 * tp_btf programs to the scheduler tracepoints Vigil uses, so that it pays the
 * syscall-tracepoint slow path and one program call per hook, and nothing
 * else: whatever a monitor adds beyond this is its own work.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tracepoint")
int floor_enter(void *ctx)
{
	return 0;
}

SEC("tracepoint")
int floor_exit(void *ctx)
{
	return 0;
}

SEC("tp_btf/sched_process_exec")
int floor_sched_exec(void *ctx)
{
	return 0;
}

SEC("tp_btf/sched_process_fork")
int floor_sched_fork(void *ctx)
{
	return 0;
}

SEC("tp_btf/sched_process_exit")
int floor_sched_exit(void *ctx)
{
	return 0;
}
