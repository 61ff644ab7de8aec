/* path.bpf.h - absolute paths from kernel objects (struct path, struct file, fds).
 *
 * bpf_d_path is not allowed on tracepoints, so the dentry chain is walked by
 * hand, crossing mount points. Names are emitted leaf first (the order the
 * walk meets them), each NUL-terminated; user space reverses and joins them.
 * Never reads user memory: the object is the one the kernel really used.
 */
#ifndef VIGIL_PATH_BPF_H
#define VIGIL_PATH_BPF_H

#include "vigil.bpf.h"

#define NAME_BYTES 256

static __always_inline struct mount *real_mount(struct vfsmount *mnt)
{
	return (struct mount *)((void *)mnt - bpf_core_field_offset(struct mount, mnt));
}

struct walk_ctx {
	struct ebuf *b;
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	__u32 start;
	__u32 pos;
	__u32 last; /* offset of the last name written: the top-level directory */
	bool complete;
};

/* One step up the tree: emit this dentry's name, or cross to the mount's
 * parent at a mount root. Returns 1 to stop. Run under bpf_loop so the
 * verifier checks it once instead of once per depth. */
static long walk_step(__u32 i, struct walk_ctx *c)
{
	struct dentry *dentry = c->dentry;
	struct vfsmount *vfsmnt = c->vfsmnt;
	struct mount *mnt = c->mnt;
	struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
	struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	struct mount *mnt_parent;
	const unsigned char *name;
	long n;

	if (dentry == mnt_root) {
		mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
		if (mnt == mnt_parent) {
			c->complete = true;
			return 1;
		}
		c->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		c->mnt = mnt_parent;
		c->vfsmnt = (struct vfsmount *)((void *)mnt_parent +
						bpf_core_field_offset(struct mount, mnt));
		return 0;
	}
	if (c->pos - c->start > VIGIL_PATH_MAX - NAME_BYTES)
		return 1;
	name = BPF_CORE_READ(dentry, d_name.name);
	n = bpf_probe_read_kernel_str(&c->b->data[c->pos & EVENT_MASK], NAME_BYTES, name);
	if (n <= 0)
		return 1;
	c->last = c->pos;
	c->pos += n;
	c->dentry = parent;
	/* A root that is not a mount root: a pseudo file (memfd, pipe) or a
	 * disconnected dentry. Its own name is all there is, as in d_path.
	 * (Returns constants: the verifier wants a callback's 0 or 1 exactly.) */
	if (dentry == parent) {
		c->complete = true;
		return 1;
	}
	return 0;
}

/* Unhashed and not a mount root: unlinked, or never linked (a memfd);
 * d_path shows it with " (deleted)". */
static __always_inline bool is_unlinked(struct dentry *dentry, struct vfsmount *vfsmnt)
{
	return dentry != BPF_CORE_READ(vfsmnt, mnt_root) && !BPF_CORE_READ(dentry, d_hash.pprev);
}

/* Returns the buffer offset of the path's top-level name, 0 when none. */
static __always_inline __u32 add_path(struct ebuf *b, __u8 id, const struct path *path)
{
	struct walk_ctx c = {.b = b};
	struct vigil_field *f;

	c.dentry = BPF_CORE_READ(path, dentry);
	c.vfsmnt = BPF_CORE_READ(path, mnt);
	if (!c.dentry || !c.vfsmnt)
		return 0;
	c.mnt = real_mount(c.vfsmnt);
	f = field_begin(b, id, VIGIL_K_PATH, VIGIL_PATH_MAX);
	if (!f)
		return 0;
	if (is_unlinked(c.dentry, c.vfsmnt))
		f->flags |= VIGIL_PATH_DELETED;
	c.start = b->off + FIELD_HDR_SIZE;
	c.pos = c.start;
	bpf_loop(VIGIL_PATH_DEPTH, walk_step, &c, 0);
	if (!c.complete) {
		struct vigil_stats *s = cpu_stats();

		f->flags |= VIGIL_PATH_TRUNCATED;
		if (s)
			s->path_truncated++;
	}
	field_end(b, f, c.pos - c.start);
	return c.last;
}

struct top_ctx {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	struct dentry *top; /* the last dentry below the root met so far */
};

/* walk_step without copying names: only finds the top-level dentry. */
static long top_step(__u32 i, struct top_ctx *c)
{
	struct dentry *dentry = c->dentry;
	struct vfsmount *vfsmnt = c->vfsmnt;
	struct mount *mnt = c->mnt;
	struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
	struct mount *mnt_parent;

	if (dentry == BPF_CORE_READ(vfsmnt, mnt_root)) {
		mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
		if (mnt == mnt_parent)
			return 1;
		c->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		c->mnt = mnt_parent;
		c->vfsmnt = (struct vfsmount *)((void *)mnt_parent +
						bpf_core_field_offset(struct mount, mnt));
		return 0;
	}
	c->top = dentry;
	if (dentry == parent)
		return 1;
	c->dentry = parent;
	return 0;
}

/* The name of the path's top-level directory ("etc" for /etc/shadow), as
 * the full walk would emit it last; empty for the root itself. */
static __always_inline void top_dir_name(const struct path *path, char *out, __u32 size)
{
	struct top_ctx c = {};
	const unsigned char *name;
	struct dentry *top;

	c.dentry = BPF_CORE_READ(path, dentry);
	c.vfsmnt = BPF_CORE_READ(path, mnt);
	if (!c.dentry || !c.vfsmnt)
		return;
	c.mnt = real_mount(c.vfsmnt);
	bpf_loop(VIGIL_PATH_DEPTH, top_step, &c, 0);
	top = c.top; /* a local: BPF_CORE_READ must not relocate into top_ctx */
	if (!top)
		return;
	name = BPF_CORE_READ(top, d_name.name);
	bpf_probe_read_kernel_str(out, size, name);
}

static __always_inline struct file *fd_file(struct task_struct *task, long fd)
{
	struct files_struct *files = BPF_CORE_READ(task, files);
	struct fdtable *fdt = BPF_CORE_READ(files, fdt);
	unsigned int max = BPF_CORE_READ(fdt, max_fds);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;

	if (fd < 0 || fd >= max)
		return NULL;
	bpf_core_read(&file, sizeof(file), &fds[fd]);
	return file;
}

static __always_inline __u32 add_fd_path(struct ebuf *b, __u8 id, long fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file *file = fd_file(task, fd);

	return file ? add_path(b, id, &file->f_path) : 0;
}

static __always_inline void add_cwd(struct ebuf *b, __u8 id)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fs_struct *fs = BPF_CORE_READ(task, fs);

	if (fs)
		add_path(b, id, &fs->pwd);
}

/* For a relative user path, the directory it is resolved in: the dirfd's
 * directory, or the cwd for AT_FDCWD (and for the non-*at syscalls). */
static __always_inline void add_base_dir(struct ebuf *b, __u8 id, long dirfd, const char *upath)
{
	char first = 0;

	if (!upath || bpf_probe_read_user(&first, 1, upath) || first == '/')
		return;
	if ((int)dirfd == AT_FDCWD_VALUE)
		add_cwd(b, id);
	else
		add_fd_path(b, id, (int)dirfd);
}

#endif /* VIGIL_PATH_BPF_H */
