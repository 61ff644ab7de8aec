/* policy.bpf.h - enforcement policy maps and the decision shared by the BPF
 * LSM programs (enforce.bpf.c) and the fallbacks for kernels without BPF LSM
 * (enforce_fallback.bpf.c).
 *
 * A decision: which policies govern the task (selector minus exemptions,
 * cached per process), which rules of the area match the object (map
 * lookups on kernel objects only, never on user memory), then per policy the
 * first matching rule or its default, and over policies the strongest action
 * (block > audit > allow). Policies in audit mode never block.
 */
#ifndef VIGIL_POLICY_BPF_H
#define VIGIL_POLICY_BPF_H

#include "path.bpf.h"

#define EPERM		 1
#define MAX_DIR_DEPTH	 32
#define MAX_CGROUP_DEPTH 16
#define SIGKILL		 9
#define AF_INET		 2
#define AF_INET6	 10
#define IPPROTO_TCP	 6
#define IPPROTO_UDP	 17

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_pol_state);
} pol_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VIGIL_POL_SLOTS);
	__type(key, __u32);
	__type(value, struct vigil_pol_conf);
} pol_conf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct vigil_pol_obj_key);
	__type(value, struct vigil_pol_obj_val);
} pol_obj SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct vigil_pol_cg_key);
	__type(value, struct vigil_pol_cg_val);
} pol_cgroup SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vigil_pol_net4_key);
	__type(value, __u64);
} pol_net4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vigil_pol_net6_key);
	__type(value, __u64);
} pol_net6 SEC(".maps");

/* slot * 65536 + port -> network rules naming that port */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VIGIL_POL_SLOTS * 65536);
	__type(key, __u32);
	__type(value, __u64);
} pol_ports SEC(".maps");

/* The policies governing a process, cached: valid while the policy
 * generation, the cgroup and the executable are the same. */
struct pol_task {
	__u64 mask;
	__u64 cgid;
	__u64 exe_ino;
	__u32 gen;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct pol_task);
} pol_task SEC(".maps");

/* Ids of the agent's own BPF maps and links (type << 32 | id): other
 * processes may not get them for writing (self-protection). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u8);
} pol_own SEC(".maps");

struct verdict {
	__u8 action; /* VIGIL_PACT_* taken */
	__u8 pol;
	__u8 rule; /* VIGIL_POL_DEFAULT_RULE when the default decided */
	__u8 slot;
};

static __always_inline struct vigil_pol_conf *pol_current(__u32 *slot)
{
	__u32 zero = 0, s;
	struct vigil_pol_state *st = bpf_map_lookup_elem(&pol_state, &zero);

	if (!st)
		return NULL;
	s = st->slot & 1;
	*slot = s;
	return bpf_map_lookup_elem(&pol_conf, &s);
}

static __always_inline __u32 dentry_dev(struct dentry *d)
{
	return BPF_CORE_READ(d, d_sb, s_dev);
}

static __always_inline __u64 dentry_ino(struct dentry *d)
{
	return BPF_CORE_READ(d, d_inode, i_ino);
}

/* s_dev is MKDEV(major, minor) inside the kernel; stat's st_dev is
 * new_encode_dev() of it. Compare in the stat form. */
static __always_inline __u32 encode_dev(__u32 kdev)
{
	__u32 major = kdev >> 20, minor = kdev & 0xfffff;

	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

struct obj_match {
	__u64 file, proc, parent, sel, exempt;
};

static __always_inline void obj_lookup(struct vigil_pol_obj_key *k, struct obj_match *m)
{
	struct vigil_pol_obj_val *v = bpf_map_lookup_elem(&pol_obj, k);

	if (!v)
		return;
	m->file |= v->file_rules;
	m->proc |= v->proc_rules;
	m->parent |= v->parent_rules;
	m->sel |= v->sel;
	m->exempt |= v->exempt;
}

static __always_inline void obj_key(struct vigil_pol_obj_key *k, __u32 slot, __u32 kind,
				    struct dentry *d)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->slot_kind = slot << 8 | kind;
	k->dev = encode_dev(dentry_dev(d));
	k->ino = dentry_ino(d);
}

struct dir_walk {
	struct vigil_pol_obj_key key;
	struct obj_match *m;
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	__u32 slot;
};

/* One step of the walk towards the root: the directory (or the object) is
 * looked up as a VIGIL_PK_DIR key; at a mount root the walk continues on
 * the mount point when the mount is known. */
static long dir_step(__u32 i, struct dir_walk *w)
{
	struct dentry *d = w->dentry;
	struct dentry *parent = BPF_CORE_READ(d, d_parent);
	struct vfsmount *vfsmnt = w->vfsmnt; /* locals: no CO-RE relocation into dir_walk */
	struct mount *mnt = w->mnt, *mnt_parent;

	if (BPF_CORE_READ(d, d_inode)) {
		obj_key(&w->key, w->slot, VIGIL_PK_DIR, d);
		obj_lookup(&w->key, w->m);
	}
	if (vfsmnt && d == BPF_CORE_READ(vfsmnt, mnt_root)) {
		mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
		if (mnt == mnt_parent)
			return 1;
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = mnt_parent;
		w->vfsmnt = (struct vfsmount *)((void *)mnt_parent +
						bpf_core_field_offset(struct mount, mnt));
		return 0;
	}
	if (d == parent)
		return 1;
	w->dentry = parent;
	return 0;
}

/* Every key naming the object `d` (which may be a negative dentry: a file
 * about to be created). vfsmnt may be NULL (inode hooks): the directory walk
 * then stays on d's own filesystem. */
static __always_inline void match_object(struct vigil_pol_conf *c, __u32 slot, struct dentry *d,
					 struct vfsmount *vfsmnt, struct obj_match *m)
{
	struct dir_walk w = {.m = m, .dentry = d, .vfsmnt = vfsmnt, .slot = slot};
	struct dentry *parent;
	__u32 kinds = c->kinds;

	if (!d)
		return;
	parent = BPF_CORE_READ(d, d_parent);
	if ((kinds & (1 << VIGIL_PK_INODE)) && BPF_CORE_READ(d, d_inode)) {
		obj_key(&w.key, slot, VIGIL_PK_INODE, d);
		obj_lookup(&w.key, m);
	}
	if (parent && parent != d && (kinds & (1 << VIGIL_PK_NAME))) {
		obj_key(&w.key, slot, VIGIL_PK_NAME, parent);
		bpf_probe_read_kernel_str(w.key.name, sizeof(w.key.name),
					  BPF_CORE_READ(d, d_name.name));
		obj_lookup(&w.key, m);
	}
	if (parent && parent != d && (kinds & (1 << VIGIL_PK_PARENT))) {
		obj_key(&w.key, slot, VIGIL_PK_PARENT, parent);
		obj_lookup(&w.key, m);
	}
	if (kinds & (1 << VIGIL_PK_DIR)) {
		if (vfsmnt)
			w.mnt = real_mount(vfsmnt);
		bpf_loop(MAX_DIR_DEPTH, dir_step, &w, 0);
	}
}

static __always_inline struct dentry *task_exe_dentry(struct task_struct *t)
{
	return BPF_CORE_READ(t, mm, exe_file, f_path.dentry);
}

static __always_inline __u64 task_cgroup_id(struct task_struct *t)
{
	return BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
}

struct cg_walk {
	struct cgroup *cg;
	struct vigil_pol_cg_key key;
	__u64 sel, exempt;
};

/* The task's cgroup and its ancestors: a selector on a cgroup covers its
 * whole subtree (containers nest their own groups). */
static long cg_step(__u32 i, struct cg_walk *w)
{
	struct cgroup *cg = w->cg;
	struct vigil_pol_cg_val *v;

	if (!cg)
		return 1;
	w->key.cgid = BPF_CORE_READ(cg, kn, id);
	v = bpf_map_lookup_elem(&pol_cgroup, &w->key);
	if (v) {
		w->sel |= v->sel;
		w->exempt |= v->exempt;
	}
	w->cg = (struct cgroup *)BPF_CORE_READ(cg, self.parent);
	return 0;
}

static __always_inline bool is_agent_task(struct vigil_pol_conf *c, struct task_struct *t)
{
	return (__u32)BPF_CORE_READ(t, tgid) == c->agent_tgid;
}

/* The policies governing task t (a bit per policy). */
static __always_inline __u64 task_policies(struct vigil_pol_conf *c, __u32 slot,
					   struct task_struct *t)
{
	struct cg_walk w = {};
	struct obj_match m = {};
	struct dentry *exe;
	struct pol_task *pt, fresh = {};
	__u32 tgid;

	if (!c->active || !t || is_agent_task(c, t))
		return 0;
	tgid = BPF_CORE_READ(t, tgid);
	exe = task_exe_dentry(t);
	fresh.cgid = task_cgroup_id(t);
	fresh.exe_ino = exe ? dentry_ino(exe) : 0;
	fresh.gen = c->gen;
	pt = bpf_map_lookup_elem(&pol_task, &tgid);
	if (pt && pt->gen == fresh.gen && pt->cgid == fresh.cgid && pt->exe_ino == fresh.exe_ino)
		return pt->mask;
	w.key.slot = slot;
	w.cg = BPF_CORE_READ(t, cgroups, dfl_cgrp);
	bpf_loop(MAX_CGROUP_DEPTH, cg_step, &w, 0);
	if (exe)
		match_object(c, slot, exe, NULL, &m);
	fresh.mask = (c->host | w.sel | m.sel) & ~(w.exempt | m.exempt) & c->active;
	bpf_map_update_elem(&pol_task, &tgid, &fresh, BPF_ANY);
	return fresh.mask;
}

static __always_inline __u32 lowest_bit(__u64 x)
{
	__u32 n = 0;

	x &= -x;
	if (x & 0xffffffff00000000ull)
		n += 32;
	if (x & 0xffff0000ffff0000ull)
		n += 16;
	if (x & 0xff00ff00ff00ff00ull)
		n += 8;
	if (x & 0xf0f0f0f0f0f0f0f0ull)
		n += 4;
	if (x & 0xccccccccccccccccull)
		n += 2;
	if (x & 0xaaaaaaaaaaaaaaaaull)
		n += 1;
	return n;
}

/* Keeps the strongest action; a block by an audit-mode policy is an audit. */
static __always_inline void consider(struct vigil_pol_conf *c, struct verdict *v, __u8 act,
				     __u32 pol, __u32 rule)
{
	if (act == VIGIL_PACT_BLOCK && !(c->enforce & (1ull << (pol & 63))))
		act = VIGIL_PACT_AUDIT;
	if (act <= v->action)
		return;
	v->action = act;
	v->pol = pol;
	v->rule = rule;
}

struct decide_ctx {
	struct vigil_pol_conf *c;
	struct verdict *v;
	__u64 matched, undecided;
	__u32 area;
};

/* One rule, in order: the first matching rule of each policy decides for
 * it. Under bpf_loop: verified once, not once per rule. */
static long decide_step(__u32 r, struct decide_ctx *d)
{
	struct vigil_pol_conf *c = d->c;
	__u32 area = d->area, pol, ri = r & (VIGIL_POL_RULES - 1);

	if (!d->matched)
		return 1;
	if (!(d->matched & (1ull << ri)))
		return 0;
	d->matched &= ~(1ull << ri);
	if (area >= VIGIL_POL_AREAS)
		return 1;
	pol = c->rule_pol[area][ri] & 63;
	if (!(d->undecided & (1ull << pol)))
		return 0;
	d->undecided &= ~(1ull << pol);
	consider(c, d->v, c->rule_act[area][ri], pol, ri);
	return 0;
}

/* Per governing policy: its first matching rule of the area decides, else
 * its default. */
static __always_inline void decide(struct vigil_pol_conf *c, __u32 slot, __u64 tmask, __u32 area,
				   __u64 matched, struct verdict *v)
{
	struct decide_ctx d = {.c = c, .v = v, .area = area};
	__u64 pols;

	v->action = VIGIL_PACT_NONE;
	v->slot = slot;
	if (area >= VIGIL_POL_AREAS)
		return;
	pols = tmask & c->area_pols[area];
	if (!pols)
		return;
	d.undecided = pols;
	d.matched = matched & c->area_rules[area];
	if (d.matched)
		bpf_loop(VIGIL_POL_RULES, decide_step, &d, 0);
	d.undecided &= c->default_block[area];
	if (d.undecided)
		consider(c, v, VIGIL_PACT_BLOCK, lowest_bit(d.undecided), VIGIL_POL_DEFAULT_RULE);
}

/* Starts the record of a decision: header, then args
 * [policy | slot << 8, area, action, rule, detail, aux]. */
static __always_inline struct ebuf *start_decision(const struct verdict *v, __u32 area,
						   __u64 detail, __u64 aux)
{
	struct ebuf *b = start_event(VIGIL_EVT_POLICY, 0, false);
	struct vigil_event_hdr *h;

	if (!b)
		return NULL;
	h = event_hdr(b);
	h->args[0] = v->pol | (__u64)v->slot << 8;
	h->args[1] = area;
	h->args[2] = v->action;
	h->args[3] = v->rule;
	h->args[4] = detail;
	h->args[5] = aux;
	return b;
}

/* A kernel sockaddr (LSM hooks get the kernel's own copy). */
static __always_inline void add_kernel_sockaddr(struct ebuf *b, const void *kaddr, __u32 len)
{
	struct vigil_field *f = field_begin(b, VIGIL_F_SOCKADDR, VIGIL_K_BYTES, VIGIL_SOCKADDR_MAX);

	if (!f || !kaddr)
		return;
	if (len > 28)
		len = 28;
	if (bpf_probe_read_kernel(&b->data[(b->off + FIELD_HDR_SIZE) & EVENT_MASK], 28, kaddr))
		return;
	field_end(b, f, len);
}

/* The policies governing the current task that list `area`: 0 without
 * touching the task cache when no policy does (most hooks fire for every
 * process). current_policies also looks the active configuration up. */
static __always_inline __u64 area_policies(struct vigil_pol_conf *c, __u32 slot, __u32 area)
{
	if (!c || area >= VIGIL_POL_AREAS || !c->area_pols[area])
		return 0;
	return task_policies(c, slot, (struct task_struct *)bpf_get_current_task()) &
	       c->area_pols[area];
}

static __always_inline __u64 current_policies(struct vigil_pol_conf **cp, __u32 *slot, __u32 area)
{
	*cp = pol_current(slot);
	return area_policies(*cp, *slot, area);
}

static __always_inline void report_plain(const struct verdict *v, __u32 area, __u64 detail,
					 __u64 aux)
{
	struct ebuf *b = start_decision(v, area, detail, aux);

	if (b)
		submit_event(b);
}

/* Process rules matching an exec of `file` by task t: the program run,
 * and the executable of t's parent. */
static __always_inline __u64 exec_rules(struct vigil_pol_conf *c, __u32 slot, struct file *file,
					struct task_struct *t)
{
	struct obj_match m = {}, pm = {};

	match_object(c, slot, BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt),
		     &m);
	match_object(c, slot, task_exe_dentry(BPF_CORE_READ(t, real_parent)), NULL, &pm);
	return (m.proc | c->any_obj[VIGIL_PA_PROCESS]) & (pm.parent | c->any_parent);
}

/* ---- file ---- */

#define FMODE_READ  0x1
#define FMODE_WRITE 0x2
#define FMODE_EXEC  0x20
#define O_TRUNC	    01000

static __always_inline __u64 file_rules_for(struct vigil_pol_conf *c, __u32 acc)
{
	__u64 m = 0;

	for (int i = 0; i < VIGIL_PACC_BITS; i++)
		if (acc & (1u << i))
			m |= c->file_acc_rules[i];
	return m;
}

/* Decides access `acc` to the object d (on mount vfsmnt, may be NULL) for
 * the policies tmask (from current_policies for the file area). */
static __always_inline void decide_file(struct vigil_pol_conf *c, __u32 slot, __u64 tmask,
					struct dentry *d, struct vfsmount *vfsmnt, __u32 acc,
					struct verdict *v)
{
	struct obj_match m = {};

	match_object(c, slot, d, vfsmnt, &m);
	decide(c, slot, tmask, VIGIL_PA_FILE,
	       (m.file | c->any_obj[VIGIL_PA_FILE]) & file_rules_for(c, acc), v);
}

/* What an open file allows: exec (the kernel opening a binary), or read
 * and/or write (truncation counts as writing). */
static __always_inline __u32 open_access(struct file *file)
{
	__u32 mode = BPF_CORE_READ(file, f_mode);
	__u32 acc = 0;

	if (mode & FMODE_EXEC)
		return VIGIL_PACC_EXEC;
	if (mode & FMODE_READ)
		acc |= VIGIL_PACC_READ;
	if ((mode & FMODE_WRITE) || (BPF_CORE_READ(file, f_flags) & O_TRUNC))
		acc |= VIGIL_PACC_WRITE;
	return acc;
}

/* ---- network ---- */

struct net_obj {
	__u16 family; /* AF_INET or AF_INET6 (v4-mapped v6 becomes v4) */
	__u16 port;   /* host order */
	__u8 addr[16];
	__u8 proto; /* IPPROTO_* */
};

static __always_inline __u64 net_addr_rules(__u32 slot, const struct net_obj *o)
{
	__u64 *v;

	if (o->family == AF_INET) {
		struct vigil_pol_net4_key k = {.prefixlen = 8 + 32, .slot = slot};

		__builtin_memcpy(k.addr, o->addr, 4);
		v = bpf_map_lookup_elem(&pol_net4, &k);
	} else {
		struct vigil_pol_net6_key k = {.prefixlen = 8 + 128, .slot = slot};

		__builtin_memcpy(k.addr, o->addr, 16);
		v = bpf_map_lookup_elem(&pol_net6, &k);
	}
	return v ? *v : 0;
}

static __always_inline __u64 net_rules(struct vigil_pol_conf *c, __u32 slot,
				       const struct net_obj *o, bool egress)
{
	__u32 pk = slot * 65536 + o->port;
	__u64 *ports = bpf_map_lookup_elem(&pol_ports, &pk);
	__u64 m = c->net_addr_rules & (egress ? c->net_egress : c->net_ingress);

	m &= (ports ? *ports : 0) | c->net_any_port;
	m &= net_addr_rules(slot, o) | c->net_any_addr;
	if (o->proto == IPPROTO_TCP)
		m &= c->net_tcp | c->net_anyproto;
	else if (o->proto == IPPROTO_UDP)
		m &= c->net_udp | c->net_anyproto;
	else
		m &= c->net_anyproto;
	return m;
}

/* Reads a sockaddr_in / sockaddr_in6 the kernel holds. */
static __always_inline bool net_obj_from_sockaddr(struct net_obj *o, const struct sockaddr *sa)
{
	__u16 family = BPF_CORE_READ(sa, sa_family);

	if (family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		o->family = AF_INET;
		o->port = bpf_ntohs(BPF_CORE_READ(in, sin_port));
		bpf_probe_read_kernel(o->addr, 4, &in->sin_addr);
		return true;
	}
	if (family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		__u8 a[16];

		o->port = bpf_ntohs(BPF_CORE_READ(in6, sin6_port));
		bpf_probe_read_kernel(a, 16, &in6->sin6_addr);
		if (((__u64 *)a)[0] == 0 && ((__u32 *)a)[2] == bpf_htonl(0xffff)) {
			o->family = AF_INET;
			__builtin_memcpy(o->addr, &a[12], 4);
		} else {
			o->family = AF_INET6;
			__builtin_memcpy(o->addr, a, 16);
		}
		return true;
	}
	return false;
}

#endif /* VIGIL_POLICY_BPF_H */
