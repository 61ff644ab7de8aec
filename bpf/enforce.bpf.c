// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* enforce.bpf.c - BPF LSM programs: mandatory access control from the
 * policies in policy.bpf.h's maps, and the agent's self-protection.
 *
 * Every decision is made on kernel objects the hook receives (the file
 * being opened, the binary being executed, the kernel's copy of a socket
 * address), never on user memory, so a racing thread cannot change what
 * was checked. A hook returns -EPERM to block; blocks and audits are
 * reported as VIGIL_EVT_POLICY records.
 */
#include "mitigate.bpf.h"

#define PTRACE_MODE_ATTACH 0x02
#define CAP_OPT_NOAUDIT	   0x2
#define EINVAL		   22
#define MAY_READ	   0x4
#define PERF_SECURITY_OPEN 0

static __always_inline int verdict_ret(const struct verdict *v)
{
	return v->action == VIGIL_PACT_BLOCK ? -EPERM : 0;
}

static __always_inline bool is_agent_process(struct vigil_pol_conf *c)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct dentry *exe;

	if ((__u32)BPF_CORE_READ(t, tgid) == c->agent_tgid)
		return true;
	exe = task_exe_dentry(t);
	return exe && dentry_ino(exe) == c->agent_ino &&
	       encode_dev(dentry_dev(exe)) == c->agent_dev;
}

static __always_inline void report_path(const struct verdict *v, __u32 area, __u64 detail,
					const struct path *path)
{
	struct ebuf *b = start_decision(v, area, detail, 0);

	if (!b)
		return;
	add_path(b, VIGIL_F_NAME, path);
	submit_event(b);
}

/* An object named by its directory and its own (maybe negative) dentry. */
static __always_inline void report_dir_entry(const struct verdict *v, __u32 area, __u64 detail,
					     const struct path *dir, struct dentry *d)
{
	struct ebuf *b = start_decision(v, area, detail, 0);

	if (!b)
		return;
	add_path(b, VIGIL_F_DIRPATH, dir);
	add_kernel_str(b, VIGIL_F_NAMERAW, BPF_CORE_READ(d, d_name.name));
	submit_event(b);
}

static __always_inline void self_block(struct verdict *v, __u32 slot)
{
	v->action = VIGIL_PACT_BLOCK;
	v->pol = 0xff;
	v->rule = 0;
	v->slot = slot;
}

/* ---- mitigations ---- */

/* The error a mitigation's decision returns: `err` when it blocks. Audits
 * and blocks are reported with the object the caller passes. */
static __always_inline int mit_ret(const struct verdict *v, int err)
{
	return v->action == VIGIL_PACT_BLOCK ? -err : 0;
}

/* A mitigation without an object to report: decided and reported. */
static __always_inline int mitigate(__u32 id, __u64 detail, __u64 aux, int err)
{
	struct vigil_pol_conf *c;
	struct verdict v;
	__u32 slot;

	c = mit_conf(id, &slot);
	if (!c || !mit_decide(c, slot, id, &v))
		return 0;
	report_mitigation(&v, detail, aux);
	return mit_ret(&v, err);
}

/* The system call the current task is in (x86-64 numbers), from its user
 * registers; -1 where unknown. */
static __always_inline long current_syscall(void)
{
#ifdef __TARGET_ARCH_x86
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());

	return regs ? (long)BPF_CORE_READ(regs, orig_ax) : -1;
#else
	return -1;
#endif
}

/* empty-argv: argc 0 as the kernel counted it (before Linux 5.18, which
 * substitutes an empty argv[0]), or a NULL argv / argv[0] in the caller's
 * execve/execveat arguments. */
static __always_inline bool exec_with_empty_argv(struct linux_binprm *bprm)
{
#ifdef __TARGET_ARCH_x86
	struct pt_regs *regs;
	long nr = current_syscall();
	const void *argv, *arg0 = NULL;

	if (BPF_CORE_READ(bprm, argc) == 0)
		return true;
	if (nr != NR_EXECVE && nr != NR_EXECVEAT)
		return false;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	argv = (const void *)(nr == NR_EXECVE ? BPF_CORE_READ(regs, si) : BPF_CORE_READ(regs, dx));
	if (!argv)
		return true;
	return bpf_probe_read_user(&arg0, sizeof(arg0), argv) == 0 && !arg0;
#else
	return BPF_CORE_READ(bprm, argc) == 0;
#endif
}

static __always_inline int mitigate_empty_argv(struct linux_binprm *bprm)
{
	struct vigil_pol_conf *c;
	struct verdict v;
	struct file *file;
	__u32 slot;

	c = mit_conf(VIGIL_MIT_EMPTY_ARGV, &slot);
	if (!c || !exec_with_empty_argv(bprm) || !mit_decide(c, slot, VIGIL_MIT_EMPTY_ARGV, &v))
		return 0;
	file = BPF_CORE_READ(bprm, file);
	report_mitigation_path(&v, 0, &file->f_path);
	return mit_ret(&v, EINVAL);
}

/* proc-mem-write and release-agent, on the file being opened. */
static __always_inline int mitigate_open(struct vigil_pol_conf *c, __u32 slot, struct file *file)
{
	struct verdict v;
	int id = open_mitigation(c, file);

	if (id < 0 || !mit_decide(c, slot, id, &v))
		return 0;
	report_mitigation_path(&v, open_mitigation_detail(id, file), &file->f_path);
	return mit_ret(&v, EPERM);
}

/* overlayfs-userns: an overlay mount from inside a user namespace. */
static __always_inline int mitigate_overlay_mount(const char *type, const struct path *path)
{
	struct vigil_pol_conf *c;
	struct verdict v;
	struct ebuf *b;
	char fs[8] = {};
	__u32 slot;

	c = mit_conf(VIGIL_MIT_OVERLAYFS_USERNS, &slot);
	if (!c || !type || bpf_probe_read_kernel_str(fs, sizeof(fs), type) != 8 ||
	    !has_prefix(fs, "overlay", 8) || !outside_init_userns(c) ||
	    !mit_decide(c, slot, VIGIL_MIT_OVERLAYFS_USERNS, &v))
		return 0;
	if ((b = start_mitigation(&v, 0, 0))) {
		add_path(b, VIGIL_F_NAME, path);
		add_kernel_str(b, VIGIL_F_FSTYPE, type);
		submit_event(b);
	}
	return mit_ret(&v, EPERM);
}

SEC("lsm/userns_create")
int BPF_PROG(lsm_userns_create, const struct cred *cred)
{
	if (BPF_CORE_READ(cred, euid.val) == 0)
		return 0;
	return mitigate(VIGIL_MIT_USERNS, 0, 0, EPERM);
}

/* io-uring: the LSM of these kernels has no hook for creating a ring, but
 * io_uring_setup creates a kernel AF_UNIX socket (before Linux 6.7) and
 * an anonymous inode (newer kernels) for it: refused while the caller is in
 * io_uring_setup, before the ring has a file descriptor. */
static __always_inline int mitigate_io_uring(void)
{
	__u32 slot;

	if (!mit_conf(VIGIL_MIT_IO_URING, &slot) || current_syscall() != NR_IO_URING_SETUP)
		return 0;
	return mitigate(VIGIL_MIT_IO_URING, 0, 0, EPERM);
}

SEC("lsm/inode_init_security_anon")
int BPF_PROG(lsm_anon_inode, struct inode *inode, const struct qstr *name,
	     const struct inode *context_inode)
{
	return mitigate_io_uring();
}

/* dirty-pipe: the read check of splice(2) from a file into a pipe. Attached
 * only while dirty-pipe is on (it runs for every read and write). */
SEC("lsm/file_permission")
int BPF_PROG(lsm_file_permission, struct file *file, int mask)
{
	struct vigil_pol_conf *c;
	struct verdict v;
	struct pt_regs *regs;
	struct file *out;
	__u32 slot;

	if (!(mask & MAY_READ))
		return 0;
	c = mit_conf(VIGIL_MIT_DIRTY_PIPE, &slot);
	if (!c || current_syscall() != NR_SPLICE)
		return 0;
#ifdef __TARGET_ARCH_x86
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	out = fd_file(cur_task(), (int)BPF_CORE_READ(regs, dx));
#else
	out = NULL;
#endif
	if (!is_page_cache_splice(file, out) || !mit_decide(c, slot, VIGIL_MIT_DIRTY_PIPE, &v))
		return 0;
	report_mitigation_path(&v, 0, &file->f_path);
	return mit_ret(&v, EPERM);
}

SEC("lsm/perf_event_open")
int BPF_PROG(lsm_perf_event_open, struct perf_event_attr *attr, int type)
{
	if (type != PERF_SECURITY_OPEN || !caller_unprivileged())
		return 0;
	return mitigate(VIGIL_MIT_UNPRIVILEGED_PERF_EVENT, BPF_CORE_READ(attr, type),
			BPF_CORE_READ(attr, config), EPERM);
}

SEC("lsm/kernel_module_request")
int BPF_PROG(lsm_module_request, char *kmod_name)
{
	struct vigil_pol_conf *c;
	struct verdict v;
	struct ebuf *b;
	__u32 slot;

	c = mit_conf(VIGIL_MIT_MODULE_AUTOLOAD, &slot);
	if (!c || !caller_unprivileged() || !mit_decide(c, slot, VIGIL_MIT_MODULE_AUTOLOAD, &v))
		return 0;
	if ((b = start_mitigation(&v, 0, 0))) {
		add_kernel_str(b, VIGIL_F_DATA, kmod_name);
		submit_event(b);
	}
	return mit_ret(&v, EPERM);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(lsm_exec_done, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	check_setuid_loader_env(p, bprm);
	return 0;
}

/* ---- process ---- */

SEC("lsm/bprm_check_security")
int BPF_PROG(lsm_exec, struct linux_binprm *bprm)
{
	struct vigil_pol_conf *c;
	struct verdict v;
	struct file *file;
	__u64 tmask;
	__u32 slot;
	int ret = mitigate_empty_argv(bprm);

	if (ret)
		return ret;
	tmask = current_policies(&c, &slot, VIGIL_PA_PROCESS);
	if (!tmask)
		return 0;
	file = BPF_CORE_READ(bprm, file);
	decide(c, slot, tmask, VIGIL_PA_PROCESS,
	       exec_rules(c, slot, file, bpf_get_current_task_btf()), &v);
	if (v.action >= VIGIL_PACT_AUDIT)
		report_path(&v, VIGIL_PA_PROCESS, VIGIL_PACC_EXEC, &file->f_path);
	return verdict_ret(&v);
}

/* ---- file ---- */

SEC("lsm/file_open")
int BPF_PROG(lsm_file_open, struct file *file)
{
	struct vigil_pol_conf *c;
	struct verdict v;
	__u64 tmask;
	__u32 slot, acc;
	int ret;

	c = pol_current(&slot);
	if (!c)
		return 0;
	if ((c->mit.any & OPEN_MITIGATIONS) && (ret = mitigate_open(c, slot, file)))
		return ret;
	tmask = area_policies(c, slot, VIGIL_PA_FILE);
	if (!tmask)
		return 0;
	acc = open_access(file);
	decide_file(c, slot, tmask, BPF_CORE_READ(file, f_path.dentry),
		    BPF_CORE_READ(file, f_path.mnt), acc, &v);
	if (v.action >= VIGIL_PACT_AUDIT)
		report_path(&v, VIGIL_PA_FILE, acc, &file->f_path);
	return verdict_ret(&v);
}

/* A path hook on an entry of directory `dir`. */
static __always_inline int check_dir_entry(const struct path *dir, struct dentry *d, __u32 acc)
{
	struct vigil_pol_conf *c;
	struct verdict v;
	__u64 tmask;
	__u32 slot;

	tmask = current_policies(&c, &slot, VIGIL_PA_FILE);
	if (!tmask)
		return 0;
	decide_file(c, slot, tmask, d, BPF_CORE_READ(dir, mnt), acc, &v);
	if (v.action >= VIGIL_PACT_AUDIT)
		report_dir_entry(&v, VIGIL_PA_FILE, acc, dir, d);
	return verdict_ret(&v);
}

static __always_inline int check_path(const struct path *path, __u32 acc)
{
	struct vigil_pol_conf *c;
	struct verdict v;
	__u64 tmask;
	__u32 slot;

	tmask = current_policies(&c, &slot, VIGIL_PA_FILE);
	if (!tmask)
		return 0;
	decide_file(c, slot, tmask, BPF_CORE_READ(path, dentry), BPF_CORE_READ(path, mnt), acc, &v);
	if (v.action >= VIGIL_PACT_AUDIT)
		report_path(&v, VIGIL_PA_FILE, acc, path);
	return verdict_ret(&v);
}

/* The --persist pins may only be removed by the agent. */
static __always_inline int protect_pins(const struct path *dir)
{
	struct vigil_pol_conf *c;
	struct verdict v;
	struct dentry *d;
	__u32 slot;

	c = pol_current(&slot);
	if (!c || !(c->flags & VIGIL_POL_PROTECT_SELF) || !c->pin_dir_ino)
		return 0;
	d = BPF_CORE_READ(dir, dentry);
	if (dentry_ino(d) != c->pin_dir_ino || encode_dev(dentry_dev(d)) != c->pin_dir_dev ||
	    is_agent_process(c))
		return 0;
	self_block(&v, slot);
	report_path(&v, VIGIL_PA_SELF, VIGIL_PA_FILE, dir);
	return -EPERM;
}

SEC("lsm/path_unlink")
int BPF_PROG(lsm_unlink, const struct path *dir, struct dentry *dentry)
{
	return protect_pins(dir) ?: check_dir_entry(dir, dentry, VIGIL_PACC_DELETE);
}

SEC("lsm/path_rmdir")
int BPF_PROG(lsm_rmdir, const struct path *dir, struct dentry *dentry)
{
	return check_dir_entry(dir, dentry, VIGIL_PACC_DELETE);
}

SEC("lsm/path_rename")
int BPF_PROG(lsm_rename, const struct path *old_dir, struct dentry *old_dentry,
	     const struct path *new_dir, struct dentry *new_dentry)
{
	return protect_pins(old_dir) ?: check_dir_entry(old_dir, old_dentry, VIGIL_PACC_RENAME)
				    ?: check_dir_entry(new_dir, new_dentry, VIGIL_PACC_RENAME);
}

SEC("lsm/path_mknod")
int BPF_PROG(lsm_mknod, const struct path *dir, struct dentry *dentry)
{
	return check_dir_entry(dir, dentry, VIGIL_PACC_CREATE);
}

SEC("lsm/path_mkdir")
int BPF_PROG(lsm_mkdir, const struct path *dir, struct dentry *dentry)
{
	return check_dir_entry(dir, dentry, VIGIL_PACC_CREATE);
}

SEC("lsm/path_symlink")
int BPF_PROG(lsm_symlink, const struct path *dir, struct dentry *dentry)
{
	return check_dir_entry(dir, dentry, VIGIL_PACC_CREATE);
}

SEC("lsm/path_link")
int BPF_PROG(lsm_link, struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry)
{
	return check_dir_entry(new_dir, new_dentry, VIGIL_PACC_CREATE);
}

SEC("lsm/path_chmod")
int BPF_PROG(lsm_chmod, const struct path *path)
{
	return check_path(path, VIGIL_PACC_CHMOD);
}

SEC("lsm/path_chown")
int BPF_PROG(lsm_chown, const struct path *path)
{
	return check_path(path, VIGIL_PACC_CHOWN);
}

SEC("lsm/path_truncate")
int BPF_PROG(lsm_truncate, const struct path *path)
{
	return check_path(path, VIGIL_PACC_WRITE);
}

/* ---- network ---- */

static __always_inline int check_net(struct socket *sock, const struct net_obj *o, bool egress,
				     const struct sockaddr *kaddr, int addrlen)
{
	struct vigil_pol_conf *c;
	struct verdict v;
	struct ebuf *b;
	__u64 tmask;
	__u32 slot;

	tmask = current_policies(&c, &slot, VIGIL_PA_NETWORK);
	if (!tmask)
		return 0;
	decide(c, slot, tmask, VIGIL_PA_NETWORK, net_rules(c, slot, o, egress), &v);
	if (v.action >= VIGIL_PACT_AUDIT &&
	    (b = start_decision(&v, VIGIL_PA_NETWORK, egress, o->port))) {
		if (kaddr)
			add_kernel_sockaddr(b, kaddr, addrlen);
		submit_event(b);
	}
	return verdict_ret(&v);
}

static __always_inline int check_sockaddr(struct socket *sock, struct sockaddr *address,
					  int addrlen, bool egress)
{
	struct net_obj o = {};

	if (!net_obj_from_sockaddr(&o, address))
		return 0;
	o.proto = BPF_CORE_READ(sock, sk, sk_protocol);
	return check_net(sock, &o, egress, address, addrlen);
}

SEC("lsm/socket_connect")
int BPF_PROG(lsm_connect, struct socket *sock, struct sockaddr *address, int addrlen)
{
	return check_sockaddr(sock, address, addrlen, true);
}

SEC("lsm/socket_bind")
int BPF_PROG(lsm_bind, struct socket *sock, struct sockaddr *address, int addrlen)
{
	return check_sockaddr(sock, address, addrlen, false);
}

SEC("lsm/socket_listen")
int BPF_PROG(lsm_listen, struct socket *sock)
{
	struct sock *sk = BPF_CORE_READ(sock, sk);
	struct net_obj o = {};

	o.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	o.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	o.proto = BPF_CORE_READ(sk, sk_protocol);
	if (o.family == AF_INET)
		bpf_probe_read_kernel(o.addr, 4, &sk->__sk_common.skc_rcv_saddr);
	else if (o.family == AF_INET6)
		bpf_probe_read_kernel(o.addr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
	else
		return 0;
	return check_net(sock, &o, false, NULL, 0);
}

SEC("lsm/socket_create")
int BPF_PROG(lsm_socket_create, int family, int type, int protocol, int kern)
{
	struct vigil_pol_conf *c;
	struct verdict v;
	__u64 tmask;
	__u32 slot;
	int mit;

	if (kern)
		return family == AF_UNIX ? mitigate_io_uring() : 0;
	mit = socket_mitigation(family, type, protocol);
	if (mit >= 0 && (mit = mitigate(mit, (__u64)family << 32 | (__u32)protocol, type, EPERM)))
		return mit;
	tmask = current_policies(&c, &slot, VIGIL_PA_NETWORK);
	if (!tmask)
		return 0;
	decide(c, slot, tmask, VIGIL_PA_NETWORK, c->fam_rules[family & 63], &v);
	if (v.action >= VIGIL_PACT_AUDIT)
		report_plain(&v, VIGIL_PA_NETWORK, 2, (__u64)family << 32 | (__u32)protocol);
	return verdict_ret(&v);
}

/* ---- capabilities, ptrace, modules, bpf, mount, signals ---- */

SEC("lsm/capable")
int BPF_PROG(lsm_capable, const struct cred *cred, struct user_namespace *ns, int cap,
	     unsigned int opts)
{
	struct vigil_pol_conf *c;
	struct verdict v;
	__u64 tmask;
	__u32 slot;

	tmask = current_policies(&c, &slot, VIGIL_PA_CAPABILITIES);
	if (!tmask)
		return 0;
	decide(c, slot, tmask, VIGIL_PA_CAPABILITIES, c->cap_rules[cap & 63], &v);
	if (v.action >= VIGIL_PACT_AUDIT && !(opts & CAP_OPT_NOAUDIT))
		report_plain(&v, VIGIL_PA_CAPABILITIES, cap, 0);
	return verdict_ret(&v);
}

/* Decides an area whose every rule matches (ptrace, modules, bpf, mount). */
static __always_inline int check_area(__u32 area, __u64 detail, __u64 aux)
{
	struct vigil_pol_conf *c;
	struct verdict v;
	__u64 tmask;
	__u32 slot;

	tmask = current_policies(&c, &slot, area);
	if (!tmask)
		return 0;
	decide(c, slot, tmask, area, c->any_obj[area], &v);
	if (v.action >= VIGIL_PACT_AUDIT)
		report_plain(&v, area, detail, aux);
	return verdict_ret(&v);
}

SEC("lsm/ptrace_access_check")
int BPF_PROG(lsm_ptrace, struct task_struct *child, unsigned int mode)
{
	struct vigil_pol_conf *c;
	struct verdict v;
	__u32 slot, target = BPF_CORE_READ(child, tgid);

	if (!(mode & PTRACE_MODE_ATTACH))
		return 0;
	c = pol_current(&slot);
	if (c && (c->flags & VIGIL_POL_PROTECT_SELF) && target == c->agent_tgid &&
	    !is_agent_process(c)) {
		self_block(&v, slot);
		report_plain(&v, VIGIL_PA_SELF, VIGIL_PA_PTRACE, target);
		return -EPERM;
	}
	return check_area(VIGIL_PA_PTRACE, mode, target);
}

SEC("lsm/kernel_read_file")
int BPF_PROG(lsm_kernel_read_file, struct file *file, enum kernel_read_file_id id)
{
	if (id != bpf_core_enum_value(enum kernel_read_file_id, READING_MODULE))
		return 0;
	return check_area(VIGIL_PA_KERNEL_MODULE, 1, 0);
}

SEC("lsm/kernel_load_data")
int BPF_PROG(lsm_kernel_load_data, enum kernel_load_data_id id)
{
	if (id != bpf_core_enum_value(enum kernel_load_data_id, LOADING_MODULE))
		return 0;
	return check_area(VIGIL_PA_KERNEL_MODULE, 0, 0);
}

static __always_inline bool own_object(__u32 kind, __u32 id)
{
	__u64 key = (__u64)kind << 32 | id;

	return bpf_map_lookup_elem(&pol_own, &key) != NULL;
}

static __always_inline __u32 link_id_of_fd(__u32 fd)
{
	struct file *f = fd_file(bpf_get_current_task_btf(), fd);
	struct bpf_link *link;

	if (!f)
		return 0;
	link = BPF_CORE_READ(f, private_data);
	return link ? BPF_CORE_READ(link, id) : 0;
}

/* Another process detaching, replacing or taking one of the agent's links. */
static __always_inline bool touches_own_link(int cmd, union bpf_attr *attr)
{
	__u32 id = 0;

	if (cmd == BPF_LINK_DETACH)
		id = link_id_of_fd(BPF_CORE_READ(attr, link_detach.link_fd));
	else if (cmd == BPF_LINK_UPDATE)
		id = link_id_of_fd(BPF_CORE_READ(attr, link_update.link_fd));
	else if (cmd == BPF_LINK_GET_FD_BY_ID)
		id = BPF_CORE_READ(attr, link_id);
	return id && own_object(2, id);
}

SEC("lsm/bpf")
int BPF_PROG(lsm_bpf, int cmd, union bpf_attr *attr, unsigned int size)
{
	struct vigil_pol_conf *c;
	struct verdict v;
	__u32 slot;
	int ret;

	c = pol_current(&slot);
	if (c && (c->flags & VIGIL_POL_PROTECT_SELF) && touches_own_link(cmd, attr) &&
	    !is_agent_process(c)) {
		self_block(&v, slot);
		report_plain(&v, VIGIL_PA_SELF, VIGIL_PA_BPF, cmd);
		return -EPERM;
	}
	if (c && (c->mit.any & (1ull << VIGIL_MIT_UNPRIVILEGED_BPF)) && caller_unprivileged() &&
	    (ret = mitigate(VIGIL_MIT_UNPRIVILEGED_BPF, cmd, 0, EPERM)))
		return ret;
	return check_area(VIGIL_PA_BPF, cmd, 0);
}

/* A write-capable fd on one of the agent's maps (by id or from a pin). */
SEC("lsm/bpf_map")
int BPF_PROG(lsm_bpf_map, struct bpf_map *map, fmode_t fmode)
{
	struct vigil_pol_conf *c;
	struct verdict v;
	__u32 slot, id;

	c = pol_current(&slot);
	if (!c || !(c->flags & VIGIL_POL_PROTECT_SELF) || !(fmode & FMODE_WRITE))
		return 0;
	id = BPF_CORE_READ(map, id);
	if (!own_object(1, id) || is_agent_process(c))
		return 0;
	self_block(&v, slot);
	report_plain(&v, VIGIL_PA_SELF, VIGIL_PA_BPF, (__u64)1 << 32 | id);
	return -EPERM;
}

SEC("lsm/sb_mount")
int BPF_PROG(lsm_mount, const char *dev_name, const struct path *path, const char *type,
	     unsigned long flags)
{
	struct vigil_pol_conf *c;
	struct verdict v;
	struct ebuf *b;
	__u64 tmask;
	__u32 slot;
	int ret = mitigate_overlay_mount(type, path);

	if (ret)
		return ret;
	tmask = current_policies(&c, &slot, VIGIL_PA_MOUNT);
	if (!tmask)
		return 0;
	decide(c, slot, tmask, VIGIL_PA_MOUNT, c->any_obj[VIGIL_PA_MOUNT], &v);
	if (v.action >= VIGIL_PACT_AUDIT && (b = start_decision(&v, VIGIL_PA_MOUNT, flags, 0))) {
		add_path(b, VIGIL_F_NAME, path);
		add_kernel_str(b, VIGIL_F_FSTYPE, type);
		add_kernel_str(b, VIGIL_F_DATA, dev_name);
		submit_event(b);
	}
	return verdict_ret(&v);
}

/* Signals to the agent: only from itself, its parent (the service manager
 * that started it) and init. */
static __always_inline bool signal_to_agent_refused(struct vigil_pol_conf *c, __u32 target)
{
	__u32 sender = bpf_get_current_pid_tgid() >> 32;

	return (c->flags & VIGIL_POL_PROTECT_SELF) && target == c->agent_tgid &&
	       sender != c->agent_tgid && sender != c->agent_parent && sender != 1;
}

SEC("lsm/task_kill")
int BPF_PROG(lsm_task_kill, struct task_struct *p, struct kernel_siginfo *info, int sig)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 target = BPF_CORE_READ(p, tgid), slot;
	struct vigil_pol_conf *c;
	struct verdict v;
	__u64 pols;

	/* SEND_SIG_PRIV: the kernel itself, not a process. */
	if (sig == 0 || (unsigned long)info == 1 || target == (__u32)BPF_CORE_READ(t, tgid))
		return 0;
	c = pol_current(&slot);
	if (!c)
		return 0;
	if (signal_to_agent_refused(c, target)) {
		self_block(&v, slot);
		report_plain(&v, VIGIL_PA_SELF, VIGIL_PA_SIGNAL, (__u64)sig << 32 | target);
		return -EPERM;
	}
	/* The target's policies protect it from processes they do not govern. */
	pols = task_policies(c, slot, p);
	if (!(pols & c->area_pols[VIGIL_PA_SIGNAL]))
		return 0;
	pols &= ~task_policies(c, slot, t);
	decide(c, slot, pols, VIGIL_PA_SIGNAL, c->sig_rules[(__u32)sig & 63], &v);
	if (v.action >= VIGIL_PACT_AUDIT)
		report_plain(&v, VIGIL_PA_SIGNAL, sig, target);
	return verdict_ret(&v);
}
