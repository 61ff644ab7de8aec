/* rule_fields_proc.c - extraction of the process fields: the event's
 * process and its ancestors (proc.*, proc.a*[N], from the event and the
 * process table), facts from exec (tty, session, capabilities, the
 * executable's inode), thread.* and namespaces; /proc reads for the
 * environment (proc.env) and the standard fds (proc.stdin.type...); user.*
 * and group.* from cached copies of /etc/passwd and /etc/group.
 */
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "format.h"
#include "rule_fields_int.h"

#define MAX_LINEAGE   64	    /* ancestors walked at most (cycles in stale entries) */
#define ID_MAX	      4096	    /* users (or groups) cached */
#define ID_POOL	      (1 << 16)	    /* bytes of names, homes and shells cached */
#define ID_RECHECK_NS 1000000000ull /* stat the files at most once a second */

/* ---- processes ---- */

/* One process of the event's lineage: level 0 is the event's own process
 * (its name from the event), 1 its parent, and so on. */
struct pview {
	const struct vigil_proc *p; /* NULL: level 0 without a table entry */
	const char *comm;
	uint32_t pid;
};

static const char *self_comm(struct vigil_eval_ctx *c)
{
	const char *comm = c->ev->hdr->comm;
	size_t n = strnlen(comm, VIGIL_COMM_LEN);

	return n < VIGIL_COMM_LEN ? comm : rf_scratch_copy(c, comm, n);
}

static bool lineage(struct vigil_eval_ctx *c, int level, struct pview *v)
{
	const struct vigil_event_hdr *h = c->ev->hdr;
	const struct vigil_proc *cur = c->proc;
	uint32_t next = h->ppid ? h->ppid : (cur ? cur->ppid : 0), prev = h->pid;

	if (level == 0) {
		v->p = cur;
		v->comm = self_comm(c);
		v->pid = h->pid;
		return v->comm != NULL;
	}
	if (level < 0 || level > MAX_LINEAGE || !c->procs)
		return false;
	for (int i = 0; i < level; i++) {
		if (!next || next == prev)
			return false;
		cur = vigil_proctable_get(c->procs, next);
		if (!cur)
			return false;
		prev = cur->pid;
		next = cur->ppid;
	}
	v->p = cur;
	v->comm = cur->comm;
	v->pid = cur->pid;
	return true;
}

static size_t argv0_len(const struct vigil_proc *p)
{
	size_t len = p->args_len < sizeof(p->args) ? p->args_len : sizeof(p->args);

	return strnlen(p->args, len);
}

/* "first arg1 arg2", or "first" alone without arguments. */
static bool put_line(struct vigil_eval_ctx *c, const char *first, size_t flen,
		     const struct vigil_proc *p, struct vigil_value *out)
{
	size_t avail, n;
	char *s = rf_scratch_avail(c, &avail);

	if (flen + 2 > avail)
		return false;
	memcpy(s, first, flen);
	s[flen] = ' ';
	n = vigil_proc_format_args(p, true, s + flen + 1, avail - flen - 1);
	if (flen + 1 + n + 1 >= avail)
		return false; /* possibly cut */
	return rf_scratch_keep(c, s, n ? flen + 1 + n : flen, out);
}

static bool put_args(struct vigil_eval_ctx *c, const struct vigil_proc *p, struct vigil_value *out)
{
	size_t avail, n;
	char *s = rf_scratch_avail(c, &avail);

	if (!avail)
		return false;
	n = vigil_proc_format_args(p, true, s, avail);
	if (n + 1 >= avail && n)
		return false;
	return rf_scratch_keep(c, s, n, out);
}

/* Number and total length of the arguments after argv[0]. */
static void count_args(const struct vigil_proc *p, int64_t *count, int64_t *total)
{
	size_t len = p->args_len < sizeof(p->args) ? p->args_len : sizeof(p->args);
	size_t i = argv0_len(p) + 1;

	*count = 0;
	*total = 0;
	while (i < len) {
		size_t n = strnlen(p->args + i, len - i);

		(*count)++;
		*total += (int64_t)n;
		i += n + 1;
	}
}

static bool pattr_counts(const struct pview *v, int which, struct vigil_value *out)
{
	int64_t count, total;

	count_args(v->p, &count, &total);
	return val_int(out, which == PA_NARGS ? count : total);
}

static bool pattr_time(const struct fget *g, const struct pview *v, struct vigil_value *out)
{
	uint64_t now = hdr_of(g)->ts_mono, start = v->p->start_ns;

	if (!start)
		return false;
	if (g->which == PA_START_TS)
		return val_int(out, (int64_t)start + g->c->mono_to_real_ns);
	return now >= start && val_int(out, (int64_t)(now - start));
}

/* The parent's pid in its namespace: known when the event's process is in
 * the host's pid namespace (so is its parent). */
static bool pattr_vpid(const struct fget *g, const struct pview *v, struct vigil_value *out)
{
	const struct vigil_event_hdr *h = hdr_of(g);

	return h->pid == h->vpid && val_int(out, v->pid);
}

static bool pattr_table(const struct fget *g, const struct pview *v, struct vigil_value *out)
{
	const struct vigil_proc *p = v->p;

	switch (g->which) {
	case PA_EXE:
		return val_strn(out, p->args, argv0_len(p));
	case PA_EXEPATH:
		return val_str(out, p->exe);
	case PA_ARGS:
		return put_args(g->c, p, out);
	case PA_CMDLINE:
		return put_line(g->c, v->comm, strlen(v->comm), p, out);
	case PA_EXELINE:
		return put_line(g->c, p->args, argv0_len(p), p, out);
	case PA_CWD:
		return val_str(out, p->cwd);
	case PA_NARGS:
	case PA_LENARGS:
		return pattr_counts(v, g->which, out);
	default:
		return pattr_time(g, v, out);
	}
}

static int pattr_level(const struct fget *g)
{
	if (g->level >= 0)
		return g->level;
	if (g->ref->index >= 0)
		return g->ref->index;
	return g->multi ? (int)g->nth + 1 : 0;
}

bool rf_get_pattr(const struct fget *g, struct vigil_value *out)
{
	struct pview v;

	if (g->multi && g->nth >= MAX_LINEAGE)
		return false;
	if (!lineage(g->c, pattr_level(g), &v))
		return false;
	switch (g->which) {
	case PA_NAME:
		return val_str(out, v.comm);
	case PA_PID:
		return val_int(out, v.pid);
	case PA_VPID:
		return pattr_vpid(g, &v, out);
	default:
		return v.p && pattr_table(g, &v, out);
	}
}

/* Facts from exec: the event's own when it is an exec, else the table's. */
struct xinfo {
	uint32_t tty, sid, flags;
	uint64_t cap_eff, cap_perm, cap_inh;
	uint64_t ino, ctime, mtime;
};

static bool exec_info(struct vigil_eval_ctx *c, struct xinfo *x)
{
	const struct vigil_execinfo *e = c->ev->execinfo;
	const struct vigil_proc *p = c->proc;

	if (e && c->ev->hdr->ret >= 0) {
		*x = (struct xinfo){e->tty,	      e->sid,		e->flags,
				    e->cap_effective, e->cap_permitted, e->cap_inheritable,
				    e->exe_ino,	      e->exe_ctime_ns,	e->exe_mtime_ns};
		return true;
	}
	if (!p)
		return false;
	*x = (struct xinfo){p->tty,	      p->sid,		p->exe_flags,
			    p->cap_effective, p->cap_permitted, p->cap_inheritable,
			    p->exe_ino,	      p->exe_ctime_ns,	p->exe_mtime_ns};
	return true;
}

/* The session leader: the process whose pid is the sid when the event's
 * process is in the host pid namespace, else (or when it is gone) the
 * eldest ancestor with the same sid, as Falco does. */
static bool session_leader(struct vigil_eval_ctx *c, uint32_t sid, struct pview *out)
{
	const struct vigil_event_hdr *h = c->ev->hdr;
	const struct vigil_proc *s;
	struct pview a;

	if (h->pid == h->vpid && c->procs && (s = vigil_proctable_get(c->procs, sid))) {
		*out = (struct pview){s, s->comm, s->pid};
		return true;
	}
	if (!lineage(c, 0, out))
		return false;
	for (int lvl = 1; lvl <= MAX_LINEAGE; lvl++) {
		if (!lineage(c, lvl, &a) || a.p->sid != sid)
			break;
		*out = a;
	}
	return true;
}

static bool pself_session(const struct fget *g, const struct xinfo *x, struct vigil_value *out)
{
	struct pview v;

	if (!x->sid || !session_leader(g->c, x->sid, &v))
		return false;
	if (g->which == PS_SNAME)
		return val_str(out, v.comm);
	if (!v.p)
		return false;
	if (g->which == PS_SEXE)
		return val_strn(out, v.p->args, argv0_len(v.p));
	return val_str(out, v.p->exe);
}

/* Capabilities as Falco writes them: names separated by spaces. */
static bool put_caps(struct vigil_eval_ctx *c, uint64_t caps, struct vigil_value *out)
{
	size_t avail, n;
	char *s = rf_scratch_avail(c, &avail);

	if (avail < 2)
		return false;
	n = vigil_format_arg(VIGIL_AF_CAPS, caps, s, avail);
	if (n + 1 >= avail)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '|')
			s[i] = ' ';
	return rf_scratch_keep(c, s, n, out);
}

/* capset changes the sets: its own arguments hold the new ones. */
static bool pself_caps(const struct fget *g, const struct xinfo *x, struct vigil_value *out)
{
	const struct vigil_event *ev = g->c->ev;
	uint64_t v;

	switch (g->which) {
	case PS_CAP_EFF:
		if (ev->hdr->type != VIGIL_EVT_CAPSET || !rf_raw_arg(ev, "cap_effective", &v))
			v = x->cap_eff;
		return put_caps(g->c, v, out);
	case PS_CAP_PERM:
		if (ev->hdr->type != VIGIL_EVT_CAPSET || !rf_raw_arg(ev, "cap_permitted", &v))
			v = x->cap_perm;
		return put_caps(g->c, v, out);
	default:
		return put_caps(g->c, x->cap_inh, out);
	}
}

static bool pself_ctime_to_start(const struct fget *g, const struct xinfo *x,
				 struct vigil_value *out)
{
	const struct vigil_proc *p = g->c->proc;
	int64_t start;

	if (!p || !p->start_ns || !x->ctime)
		return false;
	start = (int64_t)p->start_ns + g->c->mono_to_real_ns;
	return start >= (int64_t)x->ctime && val_int(out, start - (int64_t)x->ctime);
}

static bool pself_exec(const struct fget *g, struct vigil_value *out)
{
	struct xinfo x;

	if (!exec_info(g->c, &x))
		return false;
	switch (g->which) {
	case PS_TTY:
		return val_int(out, x.tty);
	case PS_SID:
		return x.sid && val_int(out, x.sid);
	case PS_SID_LEADER:
		return x.sid && val_int(out, x.sid == hdr_of(g)->vpid);
	case PS_SNAME:
	case PS_SEXE:
	case PS_SEXEPATH:
		return pself_session(g, &x, out);
	case PS_MEMFD:
		return val_int(out, (x.flags & VIGIL_EXEC_FROM_MEMFD) != 0);
	case PS_EXE_INO:
		return x.ino && val_int(out, (int64_t)x.ino);
	case PS_EXE_CTIME:
		return x.ctime && val_int(out, (int64_t)x.ctime);
	case PS_EXE_MTIME:
		return x.mtime && val_int(out, (int64_t)x.mtime);
	case PS_CTIME_TO_START:
		return pself_ctime_to_start(g, &x, out);
	default:
		return pself_caps(g, &x, out);
	}
}

static bool ends_with_sh(const char *s)
{
	size_t n = strlen(s);

	return n >= 2 && s[n - 2] == 's' && s[n - 1] == 'h';
}

static bool pself_loginshell(const struct fget *g, struct vigil_value *out)
{
	struct pview v;
	bool found = false;

	for (int lvl = 0; lvl <= MAX_LINEAGE && lineage(g->c, lvl, &v); lvl++) {
		if (ends_with_sh(v.comm)) {
			out->num = v.pid;
			found = true;
		}
	}
	return found;
}

bool rf_get_pself(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_event_hdr *h = hdr_of(g);

	switch (g->which) {
	case PS_TID:
		return val_int(out, h->tid);
	case PS_VTID:
		return h->tid == h->pid && val_int(out, h->vpid);
	case PS_ISMAIN:
		return val_int(out, h->tid == h->pid);
	case PS_VPID:
		return val_int(out, h->vpid);
	case PS_FALSE:
		return val_int(out, false);
	case PS_PIDNS:
		return val_int(out, h->pidns);
	case PS_MNTNS:
		return val_int(out, h->mntns);
	case PS_NETNS:
		return val_int(out, h->netns);
	case PS_CGROUP_ID:
		return val_int(out, (int64_t)h->cgroup_id);
	case PS_LOGINSHELL:
		return pself_loginshell(g, out);
	default:
		return pself_exec(g, out);
	}
}

/* ---- /proc reads: environment and standard fds ---- */

/* Reads up to size - 1 bytes of /proc/PID/name; false when it cannot be opened. */
static bool read_proc(uint32_t pid, const char *name, char *buf, size_t size, size_t *len)
{
	char path[64];
	int fd;
	ssize_t n;

	*len = 0;
	if (size < 2)
		return false;
	snprintf(path, sizeof(path), "/proc/%u/%s", pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	while (*len < size - 1 && (n = read(fd, buf + *len, size - 1 - *len)) > 0)
		*len += (size_t)n;
	close(fd);
	return true;
}

/* Finds NAME=value in a NUL-separated environment block. */
static bool env_find(const char *env, size_t len, const char *name, size_t *voff, size_t *vlen)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i < len;) {
		size_t n = strnlen(env + i, len - i);

		if (n > nl && env[i + nl] == '=' && !memcmp(env + i, name, nl)) {
			*voff = i + nl + 1;
			*vlen = n - nl - 1;
			return true;
		}
		i += n + 1;
	}
	return false;
}

bool rf_get_env(const struct fget *g, struct vigil_value *out)
{
	size_t avail, len, voff, vlen;
	char *s = rf_scratch_avail(g->c, &avail);

	if (!read_proc(hdr_of(g)->pid, "environ", s, avail, &len))
		return false;
	if (g->ref->key[0]) {
		if (!env_find(s, len, g->ref->key, &voff, &vlen))
			return rf_scratch_keep(g->c, s, 0, out); /* unset: "", as Falco */
		memmove(s, s + voff, vlen);
		return rf_scratch_keep(g->c, s, vlen, out);
	}
	while (len && s[len - 1] == '\0')
		len--;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\0')
			s[i] = ' ';
	return rf_scratch_keep(g->c, s, len, out);
}

/* Lines of a /proc file through a fixed buffer (no stdio, no allocation). */
struct lines {
	int fd;
	size_t len, pos;
	char buf[4096];
};

static char *next_line(struct lines *l)
{
	for (;;) {
		char *nl = memchr(l->buf + l->pos, '\n', l->len - l->pos);
		ssize_t n;

		if (nl) {
			char *s = l->buf + l->pos;

			*nl = '\0';
			l->pos = (size_t)(nl - l->buf) + 1;
			return s;
		}
		memmove(l->buf, l->buf + l->pos, l->len - l->pos);
		l->len -= l->pos;
		l->pos = 0;
		if (l->len == sizeof(l->buf) - 1)
			l->len = 0; /* a line longer than the buffer: dropped */
		n = read(l->fd, l->buf + l->len, sizeof(l->buf) - 1 - l->len);
		if (n > 0) {
			l->len += (size_t)n;
			continue;
		}
		if (!l->len)
			return NULL;
		l->buf[l->len] = '\0';
		l->pos = l->len;
		return l->buf;
	}
}

static void hex_addr(const char *hex, uint8_t *addr, size_t words)
{
	for (size_t w = 0; w < words; w++) {
		char word[9];
		uint32_t v;

		memcpy(word, hex + 8 * w, 8);
		word[8] = '\0';
		v = (uint32_t)strtoul(word, NULL, 16);
		memcpy(addr + 4 * w, &v, 4); /* the kernel prints the words as stored */
	}
}

/* "lip:lport->rip:rport" of the IP socket with this inode, from
 * /proc/PID/net/tcp, udp or raw (tcp6... for IPv6). */
static bool inet_sock_name(uint32_t pid, unsigned long ino, bool v6, char *out, size_t sz)
{
	static const char *const files[] = {"tcp", "udp", "raw"};
	char path[64], lhex[40], rhex[40], a[64], b[64];
	unsigned lport, rport;
	unsigned long inode;
	uint8_t la[16], ra[16];
	struct lines l;
	char *line;
	bool found = false;

	for (size_t f = 0; f < 3 && !found; f++) {
		snprintf(path, sizeof(path), "/proc/%u/net/%s%s", pid, files[f], v6 ? "6" : "");
		l.fd = open(path, O_RDONLY | O_CLOEXEC);
		if (l.fd < 0)
			continue;
		l.len = l.pos = 0;
		while (!found && (line = next_line(&l)))
			found = sscanf(line,
				       " %*u: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %*x %*s %*s %*s "
				       "%*u %*u %lu",
				       lhex, &lport, rhex, &rport, &inode) == 5 &&
				inode == ino && strlen(lhex) == (v6 ? 32u : 8u) &&
				strlen(rhex) == strlen(lhex);
		close(l.fd);
	}
	if (!found)
		return false;
	hex_addr(lhex, la, v6 ? 4 : 1);
	hex_addr(rhex, ra, v6 ? 4 : 1);
	rf_ip_port_str(v6 ? AF_INET6 : AF_INET, la, lport, a, sizeof(a));
	if (!rport) {
		snprintf(out, sz, "%s", a);
		return true;
	}
	rf_ip_port_str(v6 ? AF_INET6 : AF_INET, ra, rport, b, sizeof(b));
	snprintf(out, sz, "%s->%s", a, b);
	return true;
}

/* fd.type names for the socket families the kernel reports. */
static const char *sock_type(const char *path)
{
	char proto[32];
	ssize_t n = getxattr(path, "system.sockprotoname", proto, sizeof(proto) - 1);

	if (n <= 0)
		return "unknown";
	proto[n] = '\0';
	if (!strncmp(proto, "UNIX", 4))
		return "unix";
	if (!strncmp(proto, "NETLINK", 7))
		return "netlink";
	if (strstr(proto, "v6"))
		return "ipv6";
	if (!strncmp(proto, "TCP", 3) || !strncmp(proto, "UDP", 3) || !strncmp(proto, "RAW", 3) ||
	    !strncmp(proto, "PING", 4) || !strncmp(proto, "SCTP", 4) || !strncmp(proto, "MPTCP", 5))
		return "ipv4";
	return "unknown";
}

static const char *anon_type(const char *what)
{
	static const struct {
		const char *prefix, *type;
	} anon[] = {
	    {"[eventfd]", "event"},
	    {"[signalfd]", "signalfd"},
	    {"[eventpoll]", "eventpoll"},
	    {"inotify", "inotify"},
	    {"[timerfd]", "timerfd"},
	    {"bpf", "bpf"},
	    {"[userfaultfd]", "userfaultfd"},
	    {"[io_uring]", "io_uring"},
	    {"[pidfd]", "pidfd"},
	};

	for (size_t i = 0; i < sizeof(anon) / sizeof(anon[0]); i++)
		if (!strncmp(what, anon[i].prefix, strlen(anon[i].prefix)))
			return anon[i].type;
	return "unknown";
}

/* fd.type of what /proc/PID/fd/N (path) links to (link). */
static const char *link_type(const char *path, const char *link)
{
	struct stat st;

	if (!strncmp(link, "pipe:", 5))
		return "pipe";
	if (!strncmp(link, "socket:", 7))
		return sock_type(path);
	if (!strncmp(link, "anon_inode:", 11))
		return anon_type(link + 11);
	if (!strncmp(link, "/memfd:", 7))
		return "memfd";
	if (link[0] != '/')
		return "unknown";
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? "directory" : "file";
}

static bool stdio_name(const struct fget *g, uint32_t pid, const char *type, const char *link,
		       struct vigil_value *out)
{
	char name[160];
	unsigned long ino;

	if ((!strcmp(type, "ipv4") || !strcmp(type, "ipv6")) &&
	    sscanf(link, "socket:[%lu]", &ino) == 1 &&
	    inet_sock_name(pid, ino, type[3] == '6', name, sizeof(name)))
		return rf_scratch_printf(g->c, out, "%s", name);
	return rf_scratch_printf(g->c, out, "%s", link);
}

bool rf_get_stdio(const struct fget *g, struct vigil_value *out)
{
	uint32_t pid = hdr_of(g)->pid;
	char path[64], link[VIGIL_PATH_MAX];
	const char *type;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/fd/%d", pid, g->which & 0xf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	type = link_type(path, link);
	if (g->which & STDIO_NAME)
		return stdio_name(g, pid, type, link, out);
	return val_str(out, type);
}

/* ---- users and groups ---- */

struct id_entry {
	uint32_t id;
	uint32_t name, home, shell; /* offsets in the pool */
};

struct id_db {
	const char *path;
	bool groups;
	bool loaded;
	uint64_t checked; /* event time of the last stat */
	struct timespec mtime;
	off_t size;
	ino_t ino;
	size_t n, used;
	struct id_entry e[ID_MAX];
	char pool[ID_POOL];
};

static struct id_db users = {.path = "/etc/passwd"};
static struct id_db groups = {.path = "/etc/group", .groups = true};

/* Where the user and group names come from, e.g. the host's files seen
 * from a container ("/proc/1/root/etc/passwd"). NULL keeps the current one;
 * the strings are kept, not copied. */
void vigil_fields_set_id_files(const char *passwd, const char *group)
{
	if (passwd) {
		users.path = passwd;
		users.loaded = false;
	}
	if (group) {
		groups.path = group;
		groups.loaded = false;
	}
}

static uint32_t pool_add(struct id_db *db, const char *s)
{
	size_t n = strlen(s ? s : "") + 1;
	uint32_t off = (uint32_t)db->used;

	if (n > sizeof(db->pool) - db->used)
		return UINT32_MAX;
	memcpy(db->pool + db->used, s ? s : "", n);
	db->used += n;
	return off;
}

static void id_add(struct id_db *db, uint32_t id, const char *name, const char *home,
		   const char *shell)
{
	struct id_entry *e = &db->e[db->n];

	if (db->n == ID_MAX)
		return;
	e->id = id;
	e->name = pool_add(db, name);
	e->home = pool_add(db, home);
	e->shell = pool_add(db, shell);
	if (e->name != UINT32_MAX && e->home != UINT32_MAX && e->shell != UINT32_MAX)
		db->n++;
}

static void id_load(struct id_db *db)
{
	FILE *f = fopen(db->path, "re");
	struct passwd *pw;
	struct group *gr;

	db->n = 0;
	db->used = 0;
	if (!f)
		return;
	if (db->groups) {
		while ((gr = fgetgrent(f)))
			id_add(db, gr->gr_gid, gr->gr_name, NULL, NULL);
	} else {
		while ((pw = fgetpwent(f)))
			id_add(db, pw->pw_uid, pw->pw_name, pw->pw_dir, pw->pw_shell);
	}
	fclose(f);
}

/* Reloads when the file changed; looks at it at most once a second. */
static void id_refresh(struct id_db *db, uint64_t now)
{
	struct stat st;

	if (db->loaded && now >= db->checked && now - db->checked < ID_RECHECK_NS)
		return;
	db->checked = now;
	if (stat(db->path, &st) != 0) {
		db->n = 0;
		db->size = -1;
		db->loaded = true;
		return;
	}
	if (db->loaded && st.st_mtim.tv_sec == db->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == db->mtime.tv_nsec && st.st_size == db->size &&
	    st.st_ino == db->ino)
		return;
	id_load(db);
	db->mtime = st.st_mtim;
	db->size = st.st_size;
	db->ino = st.st_ino;
	db->loaded = true;
}

static const struct id_entry *id_find(struct id_db *db, uint32_t id, uint64_t now)
{
	id_refresh(db, now);
	for (size_t i = 0; i < db->n; i++)
		if (db->e[i].id == id)
			return &db->e[i];
	return NULL;
}

static bool user_str(const struct fget *g, uint32_t uid, int which, struct vigil_value *out)
{
	const struct id_entry *e = id_find(&users, uid, hdr_of(g)->ts_mono);

	if (!e)
		return false;
	if (which == U_HOME)
		return val_str(out, users.pool + e->home);
	if (which == U_SHELL)
		return val_str(out, users.pool + e->shell);
	return val_str(out, users.pool + e->name);
}

bool rf_get_user(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_event_hdr *h = hdr_of(g);
	const struct id_entry *e;

	switch (g->which) {
	case U_UID:
		return val_int(out, h->uid);
	case U_EUID:
		return val_int(out, h->euid);
	case U_LOGINUID:
		return val_int(out, (int32_t)h->loginuid);
	case U_LOGINNAME:
		return h->loginuid != UINT32_MAX && user_str(g, h->loginuid, U_NAME, out);
	case U_GID:
		return val_int(out, h->gid);
	case U_EGID:
		return val_int(out, h->egid);
	case U_GNAME:
		e = id_find(&groups, h->gid, h->ts_mono);
		return e && val_str(out, groups.pool + e->name);
	default:
		return user_str(g, h->uid, g->which, out);
	}
}
