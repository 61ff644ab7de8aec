// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cred.bpf.c - credential changes: set*uid, set*gid, capset, with old and new ids.
 *
 * args[0..2] are the syscall's own arguments; args[3..5] hold the ids before
 * the call (real, effective, saved). The header carries the ids after it.
 * capset: args[2..3] new effective/permitted, args[4..5] old ones.
 */
#include "vigil.bpf.h"
#include "syscall.bpf.h"

enum id_kind { UIDS, GIDS, CAPS };

static __always_inline void save_old_ids(struct inflight *in, enum id_kind kind)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	const struct cred *cred = BPF_CORE_READ(task, cred);

	if (kind == UIDS) {
		in->args[3] = BPF_CORE_READ(cred, uid.val);
		in->args[4] = BPF_CORE_READ(cred, euid.val);
		in->args[5] = BPF_CORE_READ(cred, suid.val);
	} else if (kind == GIDS) {
		in->args[3] = BPF_CORE_READ(cred, gid.val);
		in->args[4] = BPF_CORE_READ(cred, egid.val);
		in->args[5] = BPF_CORE_READ(cred, sgid.val);
	} else {
		bpf_core_read(&in->args[4], sizeof(__u64), &cred->cap_effective);
		bpf_core_read(&in->args[5], sizeof(__u64), &cred->cap_permitted);
	}
}

static __always_inline void emit_cred(struct inflight *in, __u32 type, long ret, enum id_kind kind)
{
	struct ebuf *b = start_event(type, ret, true);
	struct task_struct *task;
	const struct cred *cred;

	if (!b)
		return;
	copy_args(b, in);
	if (kind == CAPS) {
		task = (struct task_struct *)bpf_get_current_task();
		cred = BPF_CORE_READ(task, cred);
		bpf_core_read(&event_hdr(b)->args[2], sizeof(__u64), &cred->cap_effective);
		bpf_core_read(&event_hdr(b)->args[3], sizeof(__u64), &cred->cap_permitted);
	}
	submit_event(b);
}

#define CRED_SYSCALL(name, type, nargs, kind)                                                      \
	STATEFUL_SENSOR(name, type, nargs, save_old_ids(in, kind), emit_cred(in, type, ret, kind))

CRED_SYSCALL(setuid, VIGIL_EVT_SETUID, 1, UIDS)
CRED_SYSCALL(setreuid, VIGIL_EVT_SETREUID, 2, UIDS)
CRED_SYSCALL(setresuid, VIGIL_EVT_SETRESUID, 3, UIDS)
CRED_SYSCALL(setgid, VIGIL_EVT_SETGID, 1, GIDS)
CRED_SYSCALL(setregid, VIGIL_EVT_SETREGID, 2, GIDS)
CRED_SYSCALL(setresgid, VIGIL_EVT_SETRESGID, 3, GIDS)
CRED_SYSCALL(capset, VIGIL_EVT_CAPSET, 2, CAPS)
