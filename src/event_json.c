/* event_json.c - encodes events: common header, process context, then the
 * type's own fields (paths, sockets, arguments). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include "event_json.h"
#include "event_types.h"
#include "format.h"
#include "sockends.h"

void vigil_format_time(uint64_t real_ns, char *out, size_t outsz)
{
	time_t secs = (time_t)(real_ns / 1000000000ull);
	struct tm tm;
	char date[32];

	gmtime_r(&secs, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, outsz, "%s.%09lluZ", date, (unsigned long long)(real_ns % 1000000000ull));
}

static void write_header(const struct vigil_json_ctx *ctx, const struct vigil_event *ev,
			 struct jsonw *w)
{
	const struct vigil_event_hdr *h = ev->hdr;
	uint64_t real = h->ts_mono + (uint64_t)ctx->mono_to_real_ns;
	char time[48], tmp[24];

	vigil_format_time(real, time, sizeof(time));
	jsonw_str(w, "evt.type", vigil_type_name(h->type));
	jsonw_str(w, "evt.time", time);
	jsonw_uint(w, "evt.rawtime", real);
	if (h->flags & VIGIL_HDR_HAS_RET) {
		jsonw_str(w, "evt.res",
			  h->type == VIGIL_EVT_PROCEXIT || h->type == VIGIL_EVT_CLONE
			      ? "SUCCESS"
			      : vigil_errno_name(h->ret, tmp, sizeof(tmp)));
		jsonw_int(w, "evt.rawres", h->ret);
	}
}

static void write_args_string(struct jsonw *w, const char *key, const struct vigil_proc *p,
			      bool skip_argv0)
{
	char args[VIGIL_PROC_ARGS_MAX];

	vigil_proc_format_args(p, skip_argv0, args, sizeof(args));
	jsonw_str(w, key, args);
}

static void write_cmdline(struct jsonw *w, const char *name, const struct vigil_proc *p)
{
	char args[VIGIL_PROC_ARGS_MAX], line[VIGIL_PROC_ARGS_MAX + VIGIL_COMM_LEN + 2];

	vigil_proc_format_args(p, true, args, sizeof(args));
	snprintf(line, sizeof(line), "%s%s%s", name, args[0] ? " " : "", args);
	jsonw_str(w, "proc.cmdline", line);
}

static void write_process(const struct vigil_json_ctx *ctx, const struct vigil_event *ev,
			  struct jsonw *w)
{
	const struct vigil_event_hdr *h = ev->hdr;
	const struct vigil_proc *p = vigil_proctable_get(ctx->procs, h->pid);
	const struct vigil_proc *pp = vigil_proctable_get(ctx->procs, h->ppid);
	char comm[VIGIL_COMM_LEN + 1];

	memcpy(comm, h->comm, VIGIL_COMM_LEN);
	comm[VIGIL_COMM_LEN] = '\0';
	jsonw_uint(w, "proc.pid", h->pid);
	jsonw_uint(w, "proc.tid", h->tid);
	jsonw_uint(w, "proc.ppid", h->ppid);
	jsonw_uint(w, "proc.vpid", h->vpid);
	jsonw_str(w, "proc.name", comm);
	if (p) {
		jsonw_str(w, "proc.exepath", p->exe);
		jsonw_strn(w, "proc.exe", p->args, strnlen(p->args, p->args_len));
		write_args_string(w, "proc.args", p, true);
		write_cmdline(w, comm, p);
		jsonw_str(w, "proc.cwd", p->cwd);
	}
	if (pp) {
		jsonw_str(w, "proc.pname", pp->comm);
		jsonw_str(w, "proc.pexepath", pp->exe);
	}
	jsonw_uint(w, "user.uid", h->uid);
	jsonw_uint(w, "user.euid", h->euid);
	jsonw_uint(w, "group.gid", h->gid);
	jsonw_uint(w, "group.egid", h->egid);
	jsonw_int(w, "user.loginuid", (int32_t)h->loginuid);
	jsonw_uint(w, "proc.pidns", h->pidns);
	jsonw_uint(w, "proc.mntns", h->mntns);
	jsonw_uint(w, "proc.netns", h->netns);
}

static void write_container(const struct vigil_json_ctx *ctx, const struct vigil_event *ev,
			    struct jsonw *w)
{
	const struct vigil_cgroup_info *cg = vigil_cgroups_lookup(ctx->cgroups, ev->hdr->cgroup_id);

	jsonw_uint(w, "cgroup.id", ev->hdr->cgroup_id);
	if (cg->container.id[0]) {
		jsonw_strn(w, "container.id", cg->container.id, VIGIL_CONTAINER_SHORT_ID_LEN);
		jsonw_str(w, "container.full_id", cg->container.id);
		jsonw_str(w, "container.runtime", cg->container.runtime);
	} else {
		jsonw_str(w, "container.id", "host");
	}
}

static void write_args(const struct vigil_type_desc *d, const struct vigil_event_hdr *h,
		       struct jsonw *w)
{
	char val[512];

	for (int i = 0; i < VIGIL_TYPE_MAX_ARGS && d->args[i].name; i++) {
		const struct vigil_arg_desc *a = &d->args[i];
		uint64_t v = h->args[a->index];

		if (a->fmt == VIGIL_AF_INT || a->fmt == VIGIL_AF_FD)
			jsonw_arg_int(w, a->name, (int32_t)v);
		else if (a->fmt == VIGIL_AF_LONG)
			jsonw_arg_int(w, a->name, (int64_t)v);
		else if (a->fmt == VIGIL_AF_UINT)
			jsonw_arg_uint(w, a->name, (uint32_t)v);
		else {
			vigil_format_arg(a->fmt, v, val, sizeof(val));
			jsonw_arg_str(w, a->name, val);
		}
	}
}

static void write_paths(const struct vigil_type_desc *d, const struct vigil_event *ev,
			struct jsonw *w)
{
	switch (d->path2) {
	case VIGIL_P2_LINK:
		jsonw_str(w, "fd.name", ev->target);
		jsonw_str(w, "fd.nameraw", ev->targetraw);
		jsonw_arg_str(w, "target", ev->nameraw);
		return;
	case VIGIL_P2_MOUNT:
		jsonw_str(w, "fd.name", ev->target);
		jsonw_str(w, "fd.nameraw", ev->targetraw);
		jsonw_arg_str(w, "source", ev->nameraw);
		jsonw_arg_str(w, "fstype", ev->fstype);
		return;
	case VIGIL_P2_NEWPATH:
		jsonw_arg_str(w, "newpath", ev->target);
		jsonw_arg_str(w, "newpathraw", ev->targetraw);
		break;
	default:
		break;
	}
	jsonw_str(w, "fd.name", ev->name);
	jsonw_str(w, "fd.nameraw", ev->nameraw);
}

static void write_endpoint(struct jsonw *w, const char *ipkey, const char *portkey,
			   const struct vigil_endpoint *e)
{
	char ip[INET6_ADDRSTRLEN];

	if (!e->set || e->family == AF_UNIX)
		return;
	vigil_endpoint_ip(e, ip, sizeof(ip));
	jsonw_str(w, ipkey, ip);
	jsonw_uint(w, portkey, e->port);
}

static void write_socket(const struct vigil_event *ev, struct jsonw *w)
{
	struct vigil_endpoint local, remote;
	const struct vigil_endpoint *client, *server;
	bool accepted = ev->hdr->type == VIGIL_EVT_ACCEPT || ev->hdr->type == VIGIL_EVT_ACCEPT4;
	unsigned family;
	char a[64], b[64], name[160];

	vigil_socket_ends(ev, &local, &remote);
	family = ev->sock ? ev->sock->family : (local.set ? local.family : remote.family);
	if (!family)
		return;
	jsonw_str(w, "fd.sockfamily", vigil_sockfamily_name(family));
	jsonw_str(w, "fd.l4proto",
		  vigil_l4proto_name(family, ev->sock ? ev->sock->type : 0,
				     ev->sock ? ev->sock->protocol : 0));
	jsonw_str(w, "fd.typechar",
		  family == AF_INET    ? "4"
		  : family == AF_INET6 ? "6"
		  : family == AF_UNIX  ? "u"
				       : "o");
	if (family == AF_UNIX) {
		const struct vigil_endpoint *e = remote.set ? &remote : &local;

		if (e->set)
			jsonw_str(w, "fd.name", e->path);
		return;
	}
	client = accepted ? &remote : &local;
	server = accepted ? &local : &remote;
	write_endpoint(w, "fd.lip", "fd.lport", &local);
	write_endpoint(w, "fd.rip", "fd.rport", &remote);
	if (remote.set) {
		write_endpoint(w, "fd.cip", "fd.cport", client);
		write_endpoint(w, "fd.sip", "fd.sport", server);
		vigil_endpoint_str(client, a, sizeof(a));
		vigil_endpoint_str(server, b, sizeof(b));
		snprintf(name, sizeof(name), "%s->%s", a, b);
		jsonw_str(w, "fd.name", name);
	} else if (local.set) {
		vigil_endpoint_str(&local, a, sizeof(a));
		jsonw_str(w, "fd.name", a);
	}
}

static void write_exec(const struct vigil_event *ev, struct jsonw *w)
{
	jsonw_arg_str(w, "filename", ev->nameraw);
	if (ev->hdr->ret < 0) /* failed exec: the process is unchanged */
		jsonw_str(w, "fd.name", ev->name);
}

static void write_exit(const struct vigil_event_hdr *h, struct jsonw *w)
{
	uint32_t status = (uint32_t)h->args[VIGIL_EXIT_ARG_CODE];
	unsigned sig = status & 0x7f;

	jsonw_arg_uint(w, "status", status);
	jsonw_arg_uint(w, "exit_code", sig ? 0 : (status >> 8) & 0xff);
	jsonw_arg_uint(w, "signal", sig);
	jsonw_bool(w, "evt.arg.core", status & 0x80);
}

static void write_specific(const struct vigil_event *ev, struct jsonw *w)
{
	const struct vigil_event_hdr *h = ev->hdr;
	const struct vigil_type_desc *d = vigil_type_desc(h->type);

	if (!d)
		return;
	write_args(d, h, w);
	if (d->fd_in_ret && h->ret >= 0)
		jsonw_int(w, "fd.num", h->ret);
	else if (d->fd_in_arg0)
		jsonw_int(w, "fd.num", (int32_t)h->args[0]);
	if (d->data_name)
		jsonw_arg_str(w, d->data_name, ev->data);
	switch (h->type) {
	case VIGIL_EVT_EXECVE:
	case VIGIL_EVT_EXECVEAT:
		write_exec(ev, w);
		return;
	case VIGIL_EVT_CLONE:
		jsonw_arg_str(w, "kind", h->args[VIGIL_CLONE_ARG_IS_THREAD] ? "thread" : "process");
		return;
	case VIGIL_EVT_PROCEXIT:
		write_exit(h, w);
		return;
	case VIGIL_EVT_CREAT:
		jsonw_arg_str(w, "flags", "O_WRONLY|O_CREAT|O_TRUNC");
		break;
	default:
		break;
	}
	if (d->family == VIGIL_FAM_NET)
		write_socket(ev, w);
	else
		write_paths(d, ev, w);
}

size_t vigil_event_to_json(const struct vigil_json_ctx *ctx, const struct vigil_event *ev,
			   struct jsonw *w)
{
	jsonw_begin(w);
	write_header(ctx, ev, w);
	write_process(ctx, ev, w);
	write_container(ctx, ev, w);
	write_specific(ev, w);
	if (ev->truncated)
		jsonw_bool(w, "evt.truncated", true);
	return jsonw_end(w);
}
