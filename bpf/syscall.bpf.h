/* syscall.bpf.h - the sys_enter/sys_exit pattern shared by syscall sensors.
 *
 * sys_enter saves the arguments of a wanted syscall (stash_args); sys_exit
 * builds one record with the result and the objects involved. Most syscalls
 * only differ in which arguments are paths, dirfds or fds: exit_path_op takes
 * those positions as constants and the compiler specialises it per program.
 */
#ifndef VIGIL_SYSCALL_BPF_H
#define VIGIL_SYSCALL_BPF_H

#include "vigil.bpf.h"
#include "path.bpf.h"

#define NO_ARG	-1
#define NO_BASE -2 /* the string is not resolved by the kernel (symlink content) */

static __always_inline void add_user_path(struct ebuf *b, struct inflight *in, __u8 raw_id,
					  __u8 dir_id, int dirfd_arg, int path_arg)
{
	const char *upath;
	long dirfd;

	if (path_arg == NO_ARG)
		return;
	upath = (const char *)in->args[path_arg & 7];
	add_user_str(b, raw_id, upath);
	if (dirfd_arg == NO_BASE)
		return;
	dirfd = dirfd_arg == NO_ARG ? AT_FDCWD_VALUE : (long)in->args[dirfd_arg & 7];
	add_base_dir(b, dir_id, dirfd, upath);
}

/* Which syscall arguments hold what; NO_ARG where absent. Always a constant,
 * so each program gets only the code for the fields it has. */
struct arg_spec {
	int dirfd_a, path_a; /* first path and the dirfd it is relative to */
	int dirfd_b, path_b; /* second path (rename target, link name...) */
	int fd;		     /* an fd whose file path is the object */
	int data;	     /* a user string: memfd name, module params */
	int fstype;	     /* a user string: mount's fs type */
};

#define ARGS(dirfd_a, path_a, dirfd_b, path_b, fd, data, fstype)                                   \
	((struct arg_spec){dirfd_a, path_a, dirfd_b, path_b, fd, data, fstype})

static __always_inline void emit_with_args(struct inflight *in, __u32 type, long ret,
					   struct arg_spec spec)
{
	struct ebuf *b = start_event(type, ret, true);

	if (!b)
		return;
	copy_args(b, in);
	if (spec.fd != NO_ARG)
		add_fd_path(b, VIGIL_F_NAME, (long)in->args[spec.fd & 7]);
	add_user_path(b, in, VIGIL_F_NAMERAW, VIGIL_F_DIRPATH, spec.dirfd_a, spec.path_a);
	add_user_path(b, in, VIGIL_F_TARGET, VIGIL_F_TARGETDIR, spec.dirfd_b, spec.path_b);
	if (spec.data != NO_ARG)
		add_user_str(b, VIGIL_F_DATA, (const char *)in->args[spec.data & 7]);
	if (spec.fstype != NO_ARG)
		add_user_str(b, VIGIL_F_FSTYPE, (const char *)in->args[spec.fstype & 7]);
	submit_event(b);
}

/* The syscall tracepoint pair: sys_enter keeps the arguments in `inflight`
 * (`on_enter` may add to the saved `in`), sys_exit builds the record with
 * `emit`, a statement using `in`, `type` and `ret`. */
#define TRACEPOINT_PAIR(name, type, nargs, on_enter, emit)                                         \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                                \
	int enter_##name(struct trace_event_raw_sys_enter *ctx)                                    \
	{                                                                                          \
		struct inflight args = {}, *in;                                                    \
		if (args_from_tp(&args, ctx, type, nargs) && (in = save_args(&args)))              \
			on_enter;                                                                  \
		return 0;                                                                          \
	}                                                                                          \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                                 \
	int exit_##name(struct trace_event_raw_sys_exit *ctx)                                      \
	{                                                                                          \
		struct inflight *in = saved_args(type);                                            \
		long ret = ctx->ret;                                                               \
		if (!in)                                                                           \
			return 0;                                                                  \
		emit;                                                                              \
		drop_saved_args();                                                                 \
		return 0;                                                                          \
	}

/* Three programs per syscall: the tracepoint pair, and fexit_X on
 * __x64_sys_X, which sees arguments and result at once. The loader picks
 * fexit where trampolines are allowed: no map traffic, and no
 * syscall-tracepoint slow path that every syscall of every task pays once
 * one is enabled. */
#define SYSCALL_SENSOR(name, type, nargs, emit)                                                    \
	TRACEPOINT_PAIR(name, type, nargs, (void)in, emit)                                         \
	SEC("?fexit/__x64_sys_" #name)                                                             \
	int BPF_PROG(fexit_##name, const struct pt_regs *regs, long ret)                           \
	{                                                                                          \
		struct inflight args = {}, *in = &args;                                            \
		if (args_from_regs(in, regs, type))                                                \
			emit;                                                                      \
		return 0;                                                                          \
	}

/* Syscalls whose record needs state from before the call (old credentials,
 * the exec type): the tracepoint pair, or an fentry/fexit pair, both through
 * `inflight`. */
#define STATEFUL_SENSOR(name, type, nargs, on_enter, emit)                                         \
	TRACEPOINT_PAIR(name, type, nargs, on_enter, emit)                                         \
	SEC("?fentry/__x64_sys_" #name)                                                            \
	int BPF_PROG(fentry_##name, const struct pt_regs *regs)                                    \
	{                                                                                          \
		struct inflight args = {}, *in;                                                    \
		if (args_from_regs(&args, regs, type) && (in = save_args(&args)))                  \
			on_enter;                                                                  \
		return 0;                                                                          \
	}                                                                                          \
	SEC("?fexit/__x64_sys_" #name)                                                             \
	int BPF_PROG(fexit_##name, const struct pt_regs *regs, long ret)                           \
	{                                                                                          \
		struct inflight *in = saved_args(type);                                            \
		if (!in)                                                                           \
			return 0;                                                                  \
		emit;                                                                              \
		drop_saved_args();                                                                 \
		return 0;                                                                          \
	}

#define SIMPLE_SYSCALL(name, type, nargs, spec)                                                    \
	SYSCALL_SENSOR(name, type, nargs, emit_with_args(in, type, ret, spec))

#endif /* VIGIL_SYSCALL_BPF_H */
