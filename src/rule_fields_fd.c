/* rule_fields_fd.c - extraction of the file and socket fields: fd.* (the
 * fd, its type, name, directory; for sockets the endpoints, client and
 * server, protocol and family) and fs.path.* (the paths of file syscalls),
 * as the event JSON gives them.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "format.h"
#include "rule_fields_int.h"
#include "sockends.h"

/* ---- sockets ---- */

static bool is_accept(uint32_t type)
{
	return type == VIGIL_EVT_ACCEPT || type == VIGIL_EVT_ACCEPT4;
}

/* "ip:port" for raw bytes (read from /proc/net), via the shared endpoint form. */
size_t rf_ip_port_str(int family, const uint8_t *addr, unsigned port, char *out, size_t sz)
{
	struct vigil_endpoint e = {.family = (unsigned)family, .port = port, .set = true};

	memcpy(e.addr, addr, family == AF_INET6 ? 16 : 4);
	return vigil_endpoint_str(&e, out, sz);
}

/* The two ends of the event's socket and who is client and server. Holds
 * pointers to itself: use in place. */
struct sockview {
	unsigned family; /* 0: not a socket event */
	struct vigil_endpoint local, remote;
	const struct vigil_endpoint *client, *server; /* NULL: role unknown */
	bool servsock;				      /* listen, bind: only a server end */
};

static void sock_view(const struct vigil_event *ev, struct sockview *s)
{
	const struct vigil_type_desc *d = vigil_type_desc(ev->hdr->type);
	uint32_t type = ev->hdr->type;
	uint64_t domain;

	memset(s, 0, sizeof(*s));
	if (!d || d->family != VIGIL_FAM_NET)
		return;
	vigil_socket_ends(ev, &s->local, &s->remote);
	s->family =
	    ev->sock ? ev->sock->family : (s->local.set ? s->local.family : s->remote.family);
	if (!s->family && rf_raw_arg(ev, "domain", &domain))
		s->family = (unsigned)domain;
	if (s->family != AF_INET && s->family != AF_INET6)
		return;
	if (is_accept(type) && s->remote.set) {
		s->client = &s->remote;
		s->server = &s->local;
	} else if (type == VIGIL_EVT_CONNECT && s->remote.set) {
		s->client = &s->local;
		s->server = &s->remote;
	} else if ((type == VIGIL_EVT_LISTEN || type == VIGIL_EVT_BIND) && s->local.set) {
		s->server = &s->local;
		s->servsock = true;
	}
}

static const struct vigil_endpoint *sock_end(const struct sockview *s, int role, size_t nth)
{
	switch (role) {
	case R_CLIENT:
		return s->client;
	case R_SERVER:
		return s->server;
	case R_LOCAL:
		return &s->local;
	case R_REMOTE:
		return &s->remote;
	default: /* R_ANY: client then server */
		if (s->servsock)
			return nth == 0 ? s->server : NULL;
		if (!s->client || !s->server || nth > 1)
			return NULL;
		return nth == 0 ? s->client : s->server;
	}
}

static const struct vigil_endpoint *ip_end(const struct fget *g, struct sockview *s)
{
	const struct vigil_endpoint *e;

	sock_view(g->c->ev, s);
	e = sock_end(s, g->which, g->multi ? g->nth : 0);
	if (!e || !e->set || (e->family != AF_INET && e->family != AF_INET6))
		return NULL;
	return e;
}

bool rf_get_sock_ip(const struct fget *g, struct vigil_value *out)
{
	struct sockview s;
	const struct vigil_endpoint *e = ip_end(g, &s);

	if (!e)
		return false;
	out->ip_len = e->family == AF_INET6 ? 16 : 4;
	memcpy(out->ip, e->addr, out->ip_len);
	return true;
}

bool rf_get_sock_port(const struct fget *g, struct vigil_value *out)
{
	struct sockview s;
	const struct vigil_endpoint *e = ip_end(g, &s);

	return e && val_int(out, e->port);
}

/* fd.name of a socket event, as the event JSON writes it. */
static bool sock_name(const struct fget *g, struct vigil_value *out)
{
	bool accepted = is_accept(hdr_of(g)->type);
	const struct vigil_endpoint *client, *server, *e;
	char a[64], b[64];
	struct sockview s;

	sock_view(g->c->ev, &s);
	if (s.family == AF_UNIX) {
		e = s.remote.set ? &s.remote : &s.local;
		return e->set && e->family == AF_UNIX &&
		       rf_scratch_printf(g->c, out, "%s", e->path);
	}
	if (s.family != AF_INET && s.family != AF_INET6)
		return false;
	client = accepted ? &s.remote : &s.local;
	server = accepted ? &s.local : &s.remote;
	if (s.remote.set) {
		vigil_endpoint_str(client, a, sizeof(a));
		vigil_endpoint_str(server, b, sizeof(b));
		return rf_scratch_printf(g->c, out, "%s->%s", a, b);
	}
	if (!s.local.set)
		return false;
	vigil_endpoint_str(&s.local, a, sizeof(a));
	return rf_scratch_printf(g->c, out, "%s", a);
}

/* ---- fd.* and fs.path.* ---- */

enum fdkind {
	FK_NONE,
	FK_FILE,
	FK_DIR,
	FK_IPV4,
	FK_IPV6,
	FK_UNIX,
	FK_NETLINK,
	FK_MEMFD,
	FK_BPF,
	FK_OTHER
};

static const char *const fdkind_type[] = {
    [FK_FILE] = "file",	  [FK_DIR] = "directory", [FK_IPV4] = "ipv4",
    [FK_IPV6] = "ipv6",	  [FK_UNIX] = "unix",	  [FK_NETLINK] = "netlink",
    [FK_MEMFD] = "memfd", [FK_BPF] = "bpf",	  [FK_OTHER] = "unknown",
};
static const char *const fdkind_char[] = {
    [FK_FILE] = "f",	[FK_DIR] = "d",	  [FK_IPV4] = "4", [FK_IPV6] = "6",  [FK_UNIX] = "u",
    [FK_NETLINK] = "n", [FK_MEMFD] = "m", [FK_BPF] = "b",  [FK_OTHER] = "o",
};

static enum fdkind sock_kind(const struct vigil_event *ev)
{
	struct sockview s;

	sock_view(ev, &s);
	switch (s.family) {
	case 0:
		return FK_NONE;
	case AF_INET:
		return FK_IPV4;
	case AF_INET6:
		return FK_IPV6;
	case AF_UNIX:
		return FK_UNIX;
	case AF_NETLINK:
		return FK_NETLINK;
	default:
		return FK_OTHER;
	}
}

static enum fdkind fd_kind(const struct vigil_event *ev)
{
	const struct vigil_type_desc *d = vigil_type_desc(ev->hdr->type);
	uint64_t flags = 0;

	if (!d)
		return FK_NONE;
	switch (ev->hdr->type) {
	case VIGIL_EVT_MEMFD_CREATE:
		return FK_MEMFD;
	case VIGIL_EVT_BPF:
		return FK_BPF;
	default:
		break;
	}
	switch (d->family) {
	case VIGIL_FAM_NET:
		return sock_kind(ev);
	case VIGIL_FAM_FILE:
		if (is_open(ev->hdr->type) && rf_raw_arg(ev, "flags", &flags) &&
		    (flags & O_DIRECTORY) && ev->hdr->ret >= 0)
			return FK_DIR;
		return FK_FILE;
	case VIGIL_FAM_KERNEL:
		return d->fd_in_arg0 || d->fd_in_ret ? FK_FILE : FK_NONE;
	default:
		return FK_NONE;
	}
}

static bool is_exec(uint32_t type)
{
	return type == VIGIL_EVT_EXECVE || type == VIGIL_EVT_EXECVEAT;
}

/* The object's path as the event JSON gives it (fd.name / fd.nameraw). */
static const char *event_path(const struct vigil_event *ev, bool raw)
{
	const struct vigil_type_desc *d = vigil_type_desc(ev->hdr->type);
	uint32_t type = ev->hdr->type;

	if (!d || d->family == VIGIL_FAM_NET || type == VIGIL_EVT_CLONE ||
	    type == VIGIL_EVT_PROCEXIT)
		return NULL;
	if (is_exec(type)) /* the process itself changed; a failed exec names the file */
		return ev->hdr->ret < 0 ? (raw ? ev->nameraw : ev->name) : NULL;
	if (d->path2 == VIGIL_P2_LINK || d->path2 == VIGIL_P2_MOUNT)
		return raw ? ev->targetraw : ev->target;
	return raw ? ev->nameraw : ev->name;
}

static bool fd_num(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_type_desc *d = desc_of(g);
	const struct vigil_event_hdr *h = hdr_of(g);

	if (!d)
		return false;
	if (d->fd_in_ret)
		return val_int(out, h->ret >= 0 ? h->ret : -1);
	return d->fd_in_arg0 && val_int(out, (int32_t)h->args[0]);
}

/* As Falco: the directory of a file ("/" for a name without one); a
 * directory is its own. */
static bool fd_directory(const struct fget *g, const char *name, enum fdkind k,
			 struct vigil_value *out)
{
	const char *slash = strrchr(name, '/');
	size_t len = strlen(name);

	if (k == FK_DIR)
		return val_str(out, name);
	if (!slash || slash == name)
		return val_str(out, "/");
	if ((size_t)(slash - name) == len - 1)
		return val_str(out, name);
	return rf_scratch_put(g->c, name, (size_t)(slash - name), out);
}

static bool fd_filename(const char *name, struct vigil_value *out)
{
	const char *slash = strrchr(name, '/');

	if (!slash)
		return val_str(out, "/");
	return val_str(out, slash[1] ? slash + 1 : name);
}

static bool fd_file(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_event *ev = g->c->ev;
	enum fdkind k = fd_kind(ev);
	const char *name = event_path(ev, false);

	if ((k != FK_FILE && k != FK_DIR) || !name)
		return false;
	if (g->which == FD_DIRECTORY)
		return fd_directory(g, name, k, out);
	return k == FK_FILE && fd_filename(name, out);
}

static bool fd_sock(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_event *ev = g->c->ev;
	uint32_t type = ev->hdr->type;
	struct sockview s;

	sock_view(ev, &s);
	if (!s.family)
		return false;
	switch (g->which) {
	case FD_L4PROTO:
		return val_str(out, vigil_l4proto_name(s.family, ev->sock ? ev->sock->type : 0,
						       ev->sock ? ev->sock->protocol : 0));
	case FD_SOCKFAMILY:
		return val_str(out, vigil_sockfamily_name(s.family));
	case FD_IS_SERVER:
		if (type == VIGIL_EVT_CONNECT)
			return val_int(out, false);
		return (is_accept(type) || type == VIGIL_EVT_LISTEN || type == VIGIL_EVT_BIND) &&
		       val_int(out, true);
	default: /* FD_CONNECTED */
		return val_int(out, (type == VIGIL_EVT_CONNECT || is_accept(type)) &&
					ev->hdr->ret >= 0 && s.remote.set);
	}
}

bool rf_get_fd(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_event *ev = g->c->ev;
	const struct vigil_type_desc *d = desc_of(g);
	enum fdkind k;

	switch (g->which) {
	case FD_NUM:
		return fd_num(g, out);
	case FD_TYPE:
	case FD_TYPECHAR:
		k = fd_kind(ev);
		if (k == FK_NONE)
			return false;
		return val_str(out, g->which == FD_TYPE ? fdkind_type[k] : fdkind_char[k]);
	case FD_NAME:
		if (d && d->family == VIGIL_FAM_NET)
			return sock_name(g, out);
		return val_str(out, event_path(ev, false));
	case FD_NAMERAW:
		return val_str(out, event_path(ev, true));
	case FD_DIRECTORY:
	case FD_FILENAME:
		return fd_file(g, out);
	default:
		return fd_sock(g, out);
	}
}

bool rf_get_fspath(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_event *ev = g->c->ev;
	const struct vigil_type_desc *d = desc_of(g);
	bool two = d && d->path2 != VIGIL_P2_NONE;

	if (!d || (d->family != VIGIL_FAM_FILE && d->family != VIGIL_FAM_KERNEL))
		return false;
	switch (g->which) {
	case FS_NAME:
		return val_str(out, event_path(ev, false));
	case FS_NAMERAW:
		return val_str(out, event_path(ev, true));
	case FS_SOURCE: /* symlink and mount: the caller's string is the source */
		if (d->path2 == VIGIL_P2_LINK || d->path2 == VIGIL_P2_MOUNT)
			return val_str(out, ev->nameraw);
		return two && val_str(out, ev->name);
	case FS_SOURCERAW:
		return two && val_str(out, ev->nameraw);
	case FS_TARGET:
		return two && val_str(out, ev->target);
	default: /* FS_TARGETRAW */
		return two && val_str(out, ev->targetraw);
	}
}
