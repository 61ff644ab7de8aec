// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* file.bpf.c - open family, and path operations (unlink, rename, chmod, chown,
 * mkdir, symlink, link, truncate).
 *
 * Opens report the path of the file really opened (from the new fd's struct
 * file) as VIGIL_F_NAME and the caller's string as VIGIL_F_NAMERAW. Path
 * operations report the caller's strings plus, for relative ones, the kernel's
 * view of the directory they resolve in (cwd or dirfd); user space joins them.
 */
#include "vigil.bpf.h"
#include "path.bpf.h"
#include "syscall.bpf.h"

/* open_how from openat2 is read from user memory into args[2..4]. */
static __always_inline void read_open_how(struct ebuf *b, struct inflight *in)
{
	struct open_how how = {};
	struct vigil_event_hdr *h = event_hdr(b);

	if (bpf_probe_read_user(&how, sizeof(how), (void *)in->args[2]))
		return;
	h->args[2] = how.flags;
	h->args[3] = how.mode;
	h->args[4] = how.resolve;
}

#define O_ACCMODE_BITS 3
#define O_WRITE_INTENT (00000100 | 00001000 | 020000000) /* O_CREAT, O_TRUNC, O_TMPFILE */

/* The open's flags before the record is built (openat2: from open_how). */
static __always_inline __u64 open_flags(struct inflight *in, __u32 type)
{
	struct open_how how = {};

	if (type == VIGIL_EVT_OPEN)
		return in->args[1];
	if (type == VIGIL_EVT_OPENAT2) {
		bpf_probe_read_user(&how, sizeof(how), (void *)in->args[2]);
		return how.flags;
	}
	return in->args[2];
}

/* A successful read-only open is dropped when the rules asked for it: only
 * opens below the top-level directories listed in read_dirs can match a
 * rule about reads (user space derives the list from the rules). Decided
 * before anything is built, with a walk that copies one name. */
static __always_inline bool read_open_wanted(__u64 flags, long fd)
{
	struct task_struct *task;
	struct dir_key key = {};
	struct vigil_stats *s;
	struct file *file;

	if ((flags & O_ACCMODE_BITS) != 0 || (flags & O_WRITE_INTENT))
		return true;
	if (!bpf_map_lookup_elem(&read_dirs, &key))
		return true; /* filter off */
	task = (struct task_struct *)bpf_get_current_task();
	file = fd_file(task, fd);
	if (!file)
		return true;
	top_dir_name(&file->f_path, key.name, sizeof(key.name));
	if (key.name[0] && bpf_map_lookup_elem(&read_dirs, &key))
		return true;
	s = cpu_stats();
	if (s)
		s->filtered++;
	return false;
}

static __always_inline void emit_open(struct inflight *in, __u32 type, long ret, int dirfd_arg,
				      int path_arg)
{
	const char *upath = (const char *)in->args[path_arg & 7];
	struct ebuf *b;
	long dirfd;

	if (ret >= 0 && type != VIGIL_EVT_CREAT && !read_open_wanted(open_flags(in, type), ret))
		return;
	b = start_event(type, ret, true);
	if (!b)
		return;
	copy_args(b, in);
	if (type == VIGIL_EVT_OPENAT2)
		read_open_how(b, in);
	if (ret >= 0) {
		add_fd_path(b, VIGIL_F_NAME, ret);
	} else {
		dirfd = dirfd_arg == NO_ARG ? AT_FDCWD_VALUE : (long)in->args[dirfd_arg & 7];
		add_base_dir(b, VIGIL_F_DIRPATH, dirfd, upath);
	}
	add_user_str(b, VIGIL_F_NAMERAW, upath);
	submit_event(b);
}

#define OPEN_SYSCALL(name, type, nargs, dirfd_arg, path_arg)                                       \
	SYSCALL_SENSOR(name, type, nargs, emit_open(in, type, ret, dirfd_arg, path_arg))

OPEN_SYSCALL(open, VIGIL_EVT_OPEN, 3, NO_ARG, 0)
OPEN_SYSCALL(openat, VIGIL_EVT_OPENAT, 4, 0, 1)
OPEN_SYSCALL(openat2, VIGIL_EVT_OPENAT2, 4, 0, 1)
OPEN_SYSCALL(creat, VIGIL_EVT_CREAT, 2, NO_ARG, 0)

/* ARGS(dirfd_a, path_a, dirfd_b, path_b, fd, data, fstype) */
SIMPLE_SYSCALL(unlink, VIGIL_EVT_UNLINK, 1, ARGS(NO_ARG, 0, NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(unlinkat, VIGIL_EVT_UNLINKAT, 3, ARGS(0, 1, NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(rename, VIGIL_EVT_RENAME, 2, ARGS(NO_ARG, 0, NO_ARG, 1, NO_ARG, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(renameat, VIGIL_EVT_RENAMEAT, 4, ARGS(0, 1, 2, 3, NO_ARG, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(renameat2, VIGIL_EVT_RENAMEAT2, 5, ARGS(0, 1, 2, 3, NO_ARG, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(chmod, VIGIL_EVT_CHMOD, 2, ARGS(NO_ARG, 0, NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(fchmod, VIGIL_EVT_FCHMOD, 2, ARGS(NO_ARG, NO_ARG, NO_ARG, NO_ARG, 0, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(fchmodat, VIGIL_EVT_FCHMODAT, 3, ARGS(0, 1, NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(chown, VIGIL_EVT_CHOWN, 3, ARGS(NO_ARG, 0, NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(lchown, VIGIL_EVT_LCHOWN, 3, ARGS(NO_ARG, 0, NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(fchown, VIGIL_EVT_FCHOWN, 3, ARGS(NO_ARG, NO_ARG, NO_ARG, NO_ARG, 0, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(fchownat, VIGIL_EVT_FCHOWNAT, 5, ARGS(0, 1, NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(mkdir, VIGIL_EVT_MKDIR, 2, ARGS(NO_ARG, 0, NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(mkdirat, VIGIL_EVT_MKDIRAT, 3, ARGS(0, 1, NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(symlink, VIGIL_EVT_SYMLINK, 2, ARGS(NO_BASE, 0, NO_ARG, 1, NO_ARG, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(symlinkat, VIGIL_EVT_SYMLINKAT, 3, ARGS(NO_BASE, 0, 1, 2, NO_ARG, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(link, VIGIL_EVT_LINK, 2, ARGS(NO_ARG, 0, NO_ARG, 1, NO_ARG, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(linkat, VIGIL_EVT_LINKAT, 5, ARGS(0, 1, 2, 3, NO_ARG, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(truncate, VIGIL_EVT_TRUNCATE, 2,
	       ARGS(NO_ARG, 0, NO_ARG, NO_ARG, NO_ARG, NO_ARG, NO_ARG))
SIMPLE_SYSCALL(ftruncate, VIGIL_EVT_FTRUNCATE, 2,
	       ARGS(NO_ARG, NO_ARG, NO_ARG, NO_ARG, 0, NO_ARG, NO_ARG))
