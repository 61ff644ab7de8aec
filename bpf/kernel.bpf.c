// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* kernel.bpf.c - what touches the kernel or isolation: ptrace, module loads,
 * bpf(), mount/umount, unshare/setns, memfd_create, kill/tkill/tgkill.
 */
#include "vigil.bpf.h"
#include "syscall.bpf.h"

#define BPF_PROG_LOAD_CMD 5
/* UAPI offsets in union bpf_attr for BPF_PROG_LOAD (stable ABI). */
#define BPF_ATTR_PROG_NAME_OFF 48

/* bpf(BPF_PROG_LOAD): the program type into args[3], its name as DATA. */
static __always_inline void emit_bpf(struct inflight *in, long ret)
{
	struct ebuf *b = start_event(VIGIL_EVT_BPF, ret, true);
	__u32 prog_type = 0;
	const char *attr;

	if (!b)
		return;
	copy_args(b, in);
	attr = (const char *)in->args[1];
	event_hdr(b)->args[3] = 0;
	if (in->args[0] == BPF_PROG_LOAD_CMD && attr) {
		if (!bpf_probe_read_user(&prog_type, sizeof(prog_type), attr))
			event_hdr(b)->args[3] = prog_type;
		add_user_str(b, VIGIL_F_DATA, attr + BPF_ATTR_PROG_NAME_OFF);
	}
	submit_event(b);
}

SYSCALL_SENSOR(bpf, VIGIL_EVT_BPF, 3, emit_bpf(in, ret))

/* ARGS(dirfd_a, path_a, dirfd_b, path_b, fd, data, fstype) */
SIMPLE_SYSCALL(ptrace, VIGIL_EVT_PTRACE, 4,
	       ARGS(NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(init_module, VIGIL_EVT_INIT_MODULE, 3,
	       ARGS(NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG, 2, NO_ARG))
SIMPLE_SYSCALL(finit_module, VIGIL_EVT_FINIT_MODULE, 3,
	       ARGS(NO_ARG, NO_ARG, NO_ARG, NO_ARG, 0, 1, NO_ARG))
SIMPLE_SYSCALL(mount, VIGIL_EVT_MOUNT, 5, ARGS(NO_BASE, 0, NO_ARG, 1, NO_ARG, NO_ARG, 2))
SIMPLE_SYSCALL(umount, VIGIL_EVT_UMOUNT2, 2,
	       ARGS(NO_ARG, 0, NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(unshare, VIGIL_EVT_UNSHARE, 1,
	       ARGS(NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(setns, VIGIL_EVT_SETNS, 2, ARGS(NO_ARG, NO_ARG, NO_ARG, NO_ARG, 0, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(memfd_create, VIGIL_EVT_MEMFD_CREATE, 2,
	       ARGS(NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG, 0, NO_ARG))
SIMPLE_SYSCALL(kill, VIGIL_EVT_KILL, 2,
	       ARGS(NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(tkill, VIGIL_EVT_TKILL, 2,
	       ARGS(NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(tgkill, VIGIL_EVT_TGKILL, 3,
	       ARGS(NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG))
