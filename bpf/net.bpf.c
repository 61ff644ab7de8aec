// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* net.bpf.c - socket, connect, accept/accept4, bind, listen.
 *
 * VIGIL_F_SOCKADDR is the address the caller passed (connect, bind);
 * VIGIL_F_SOCK is what the kernel socket holds after the call (local and
 * remote address, family, type, protocol).
 */
#include "vigil.bpf.h"
#include "path.bpf.h"
#include "syscall.bpf.h"

#define AF_INET_VALUE  2
#define AF_INET6_VALUE 10

static __always_inline struct sock *fd_sock(long fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file *file = fd_file(task, fd);
	struct socket *sock;

	if (!file)
		return NULL;
	sock = BPF_CORE_READ(file, private_data);
	if (!sock || BPF_CORE_READ(sock, file) != file)
		return NULL;
	return BPF_CORE_READ(sock, sk);
}

static __always_inline void add_sock(struct ebuf *b, long fd)
{
	struct sock *sk = fd_sock(fd);
	struct vigil_sockinfo *si;
	struct vigil_field *f;

	if (!sk)
		return;
	f = field_begin(b, VIGIL_F_SOCK, VIGIL_K_BYTES, sizeof(*si));
	if (!f)
		return;
	si = (struct vigil_sockinfo *)&b->data[(b->off + FIELD_HDR_SIZE) & EVENT_MASK];
	__builtin_memset(si, 0, sizeof(*si));
	si->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	si->type = BPF_CORE_READ(sk, sk_type);
	si->protocol = BPF_CORE_READ(sk, sk_protocol);
	si->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	si->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (si->family == AF_INET_VALUE) {
		bpf_core_read(si->laddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(si->raddr, 4, &sk->__sk_common.skc_daddr);
	} else if (si->family == AF_INET6_VALUE) {
		bpf_core_read(si->laddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(si->raddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
	field_end(b, f, sizeof(*si));
}

enum sock_source { NO_SOCK, SOCK_OF_ARG0, SOCK_OF_RET };

static __always_inline void emit_net(struct inflight *in, __u32 type, long ret, bool with_sockaddr,
				     enum sock_source sock_from)
{
	struct ebuf *b = start_event(type, ret, true);

	if (!b)
		return;
	copy_args(b, in);
	if (with_sockaddr)
		add_user_sockaddr(b, VIGIL_F_SOCKADDR, (void *)in->args[1], (__u32)in->args[2]);
	if (sock_from == SOCK_OF_ARG0)
		add_sock(b, (long)in->args[0]);
	else if (sock_from == SOCK_OF_RET && ret >= 0)
		add_sock(b, ret);
	submit_event(b);
}

#define NET_SYSCALL(name, type, nargs, with_sockaddr, sock_from)                                   \
	SYSCALL_SENSOR(name, type, nargs, emit_net(in, type, ret, with_sockaddr, sock_from))

NET_SYSCALL(socket, VIGIL_EVT_SOCKET, 3, false, SOCK_OF_RET)
NET_SYSCALL(connect, VIGIL_EVT_CONNECT, 3, true, SOCK_OF_ARG0)
NET_SYSCALL(accept, VIGIL_EVT_ACCEPT, 3, false, SOCK_OF_RET)
NET_SYSCALL(accept4, VIGIL_EVT_ACCEPT4, 4, false, SOCK_OF_RET)
NET_SYSCALL(bind, VIGIL_EVT_BIND, 3, true, SOCK_OF_ARG0)
NET_SYSCALL(listen, VIGIL_EVT_LISTEN, 2, false, SOCK_OF_ARG0)
