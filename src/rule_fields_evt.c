/* rule_fields_evt.c - extraction of the fields of the event itself: evt.*
 * (type, time, result, open flags...), its arguments (evt.arg.*,
 * evt.rawarg.*, evt.args) rendered as the event JSON renders them, and
 * container.* from the event's cgroup.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "event_json.h"
#include "format.h"
#include "rule_fields_int.h"

#define EXEC_BITS 0111

/* ---- event arguments ---- */

static const struct vigil_arg_desc *arg_by_name(const struct vigil_type_desc *d, const char *name)
{
	for (int i = 0; d && i < VIGIL_TYPE_MAX_ARGS && d->args[i].name; i++)
		if (strcmp(d->args[i].name, name) == 0)
			return &d->args[i];
	return NULL;
}

bool rf_raw_arg(const struct vigil_event *ev, const char *name, uint64_t *v)
{
	const struct vigil_arg_desc *a = arg_by_name(vigil_type_desc(ev->hdr->type), name);

	if (!a)
		return false;
	*v = ev->hdr->args[a->index];
	return true;
}

/* An argument as the event JSON shows it (numbers in decimal). */
static size_t render_arg(const struct vigil_arg_desc *a, uint64_t v, char *out, size_t outsz)
{
	int n;

	switch (a->fmt) {
	case VIGIL_AF_INT:
	case VIGIL_AF_FD:
		n = snprintf(out, outsz, "%d", (int32_t)v);
		break;
	case VIGIL_AF_LONG:
		n = snprintf(out, outsz, "%lld", (long long)v);
		break;
	case VIGIL_AF_UINT:
		n = snprintf(out, outsz, "%u", (uint32_t)v);
		break;
	default:
		return vigil_format_arg(a->fmt, v, out, outsz);
	}
	return n < 0 ? 0 : (size_t)n;
}

static int64_t arg_signed(const struct vigil_arg_desc *a, uint64_t v)
{
	switch (a->fmt) {
	case VIGIL_AF_INT:
	case VIGIL_AF_FD:
		return (int32_t)v;
	case VIGIL_AF_UINT:
		return (uint32_t)v;
	default:
		return (int64_t)v;
	}
}

static bool put_arg(struct vigil_eval_ctx *c, const struct vigil_arg_desc *a, uint64_t v,
		    struct vigil_value *out)
{
	size_t avail, n;
	char *p = rf_scratch_avail(c, &avail);

	if (!avail)
		return false;
	n = render_arg(a, v, p, avail);
	if (n + 1 >= avail)
		return false;
	return rf_scratch_keep(c, p, n, out);
}

/* ---- evt.* ---- */

static const char *category_of(uint32_t type, const struct vigil_type_desc *d)
{
	switch (type) {
	case VIGIL_EVT_KILL:
	case VIGIL_EVT_TKILL:
	case VIGIL_EVT_TGKILL:
		return "signal";
	case VIGIL_EVT_MEMFD_CREATE:
	case VIGIL_EVT_MMAP:
		return "memory";
	case VIGIL_EVT_INIT_MODULE:
	case VIGIL_EVT_FINIT_MODULE:
	case VIGIL_EVT_BPF:
		return "system";
	case VIGIL_EVT_MOUNT:
	case VIGIL_EVT_UMOUNT2:
		return "file";
	case VIGIL_EVT_PTRACE:
	case VIGIL_EVT_UNSHARE:
	case VIGIL_EVT_SETNS:
		return "process";
	default:
		break;
	}
	switch (d ? d->family : VIGIL_FAM_COUNT) {
	case VIGIL_FAM_PROCESS:
		return "process";
	case VIGIL_FAM_CRED:
		return "user";
	case VIGIL_FAM_FILE:
		return "file";
	case VIGIL_FAM_NET:
		return "net";
	default:
		return "other";
	}
}

static bool has_ret(const struct vigil_event_hdr *h)
{
	return h->flags & VIGIL_HDR_HAS_RET;
}

/* procexit carries the exit status and clone the child's tid: both "succeed". */
static bool ret_is_status(const struct vigil_event_hdr *h)
{
	return h->type == VIGIL_EVT_PROCEXIT || h->type == VIGIL_EVT_CLONE;
}

static bool get_res(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_event_hdr *h = hdr_of(g);
	char tmp[24];

	if (!has_ret(h))
		return false;
	if (ret_is_status(h))
		return val_str(out, "SUCCESS");
	return rf_scratch_printf(g->c, out, "%s", vigil_errno_name(h->ret, tmp, sizeof(tmp)));
}

static bool get_time(const struct fget *g, struct vigil_value *out)
{
	char buf[48];

	vigil_format_time(hdr_of(g)->ts_mono + (uint64_t)g->c->mono_to_real_ns, buf, sizeof(buf));
	return rf_scratch_printf(g->c, out, "%s", buf);
}

/* Flags and mode of the open family; false for other events. */
static bool open_args(const struct vigil_event *ev, uint64_t *flags, uint64_t *mode)
{
	*flags = 0;
	*mode = 0;
	if (ev->hdr->type == VIGIL_EVT_CREAT) {
		*flags = O_WRONLY | O_CREAT | O_TRUNC;
		rf_raw_arg(ev, "mode", mode);
		return true;
	}
	if (!is_open(ev->hdr->type))
		return false;
	rf_raw_arg(ev, "flags", flags);
	rf_raw_arg(ev, "mode", mode);
	return true;
}

static bool creates(uint64_t flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

/* As Falco: read/write only for the open syscalls, exec also for creat. */
static bool get_open_kind(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_event *ev = g->c->ev;
	uint64_t flags, mode, acc;
	bool is_o = open_args(ev, &flags, &mode);
	bool creat = ev->hdr->type == VIGIL_EVT_CREAT;

	acc = flags & O_ACCMODE;
	switch (g->which) {
	case E_OPEN_READ: /* an O_PATH open cannot read (its access bits are ignored) */
		return val_int(out, is_o && !creat && !(flags & O_PATH) &&
					(acc == O_RDONLY || acc == O_RDWR));
	case E_OPEN_WRITE:
		return val_int(out, is_o && !creat && (acc == O_WRONLY || acc == O_RDWR));
	case E_OPEN_EXEC:
		return val_int(out, is_o && (creat || creates(flags)) && (mode & EXEC_BITS));
	default: /* E_OPEN_CREATE */
		if (is_o && (flags & O_TMPFILE) == O_TMPFILE)
			return val_int(out, ev->hdr->ret >= 0);
		if (is_o && (flags & O_CREAT))
			return false;
		return val_int(out, false);
	}
}

static bool get_evt_args(const struct fget *g, struct vigil_value *out);

bool rf_get_evt(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_event_hdr *h = hdr_of(g);
	int64_t real = (int64_t)h->ts_mono + g->c->mono_to_real_ns;

	switch (g->which) {
	case E_NUM:
		return val_int(out, (int64_t)g->c->evt_num);
	case E_TIME:
		return get_time(g, out);
	case E_RAWTIME:
		return val_int(out, real);
	case E_TYPE:
		return val_str(out, vigil_type_name(h->type));
	case E_DIR:
		if (g->multi && g->nth > 1)
			return false;
		return val_str(out, g->multi && g->nth == 1 ? ">" : "<");
	case E_CATEGORY:
		return val_str(out, category_of(h->type, desc_of(g)));
	case E_SOURCE:
		return val_str(out, "syscall");
	case E_HOSTNAME:
		return val_str(out, g->c->hostname);
	case E_RES:
		return get_res(g, out);
	case E_RAWRES:
		return has_ret(h) && val_int(out, h->ret);
	case E_FAILED:
		return has_ret(h) && val_int(out, !ret_is_status(h) && h->ret < 0);
	case E_ASYNC:
		return val_int(out, false);
	case E_ARGS:
		return get_evt_args(g, out);
	case E_TRUNCATED:
		return val_int(out, g->c->ev->truncated);
	default:
		return get_open_kind(g, out);
	}
}

/* ---- evt.arg.* ---- */

/* Arguments the JSON encoder adds besides the type's table, in its order. */
static const char *const special_names[] = {
    "filename", "kind",	  "status", "exit_code", "signal",  "core",
    "flags",	"target", "source", "fstype",	 "newpath", "newpathraw",
};

static bool special_exit(const struct fget *g, const char *name, struct vigil_value *out)
{
	uint32_t status = (uint32_t)hdr_of(g)->args[VIGIL_EXIT_ARG_CODE];
	unsigned sig = status & 0x7f;

	if (!strcmp(name, "status"))
		return rf_scratch_printf(g->c, out, "%u", status);
	if (!strcmp(name, "exit_code"))
		return rf_scratch_printf(g->c, out, "%u", sig ? 0 : (status >> 8) & 0xff);
	if (!strcmp(name, "signal"))
		return rf_scratch_printf(g->c, out, "%u", sig);
	if (!strcmp(name, "core"))
		return val_str(out, status & 0x80 ? "true" : "false");
	return false;
}

static bool special_path2(const struct fget *g, const char *name, struct vigil_value *out)
{
	const struct vigil_event *ev = g->c->ev;

	switch (desc_of(g)->path2) {
	case VIGIL_P2_LINK:
		return !strcmp(name, "target") && val_str(out, ev->nameraw);
	case VIGIL_P2_MOUNT:
		if (!strcmp(name, "source"))
			return val_str(out, ev->nameraw);
		return !strcmp(name, "fstype") && val_str(out, ev->fstype);
	case VIGIL_P2_NEWPATH:
		if (!strcmp(name, "newpath"))
			return val_str(out, ev->target);
		return !strcmp(name, "newpathraw") && val_str(out, ev->targetraw);
	default:
		return false;
	}
}

/* The arguments the event JSON shows that are not in the type's table. */
static bool special_arg(const struct fget *g, const char *name, struct vigil_value *out)
{
	const struct vigil_event *ev = g->c->ev;
	const struct vigil_type_desc *d = desc_of(g);

	if (d->data_name && !strcmp(name, d->data_name))
		return val_str(out, ev->data);
	switch (ev->hdr->type) {
	case VIGIL_EVT_EXECVE:
	case VIGIL_EVT_EXECVEAT:
		return !strcmp(name, "filename") && val_str(out, ev->nameraw);
	case VIGIL_EVT_CLONE:
		return !strcmp(name, "kind") &&
		       val_str(out,
			       ev->hdr->args[VIGIL_CLONE_ARG_IS_THREAD] ? "thread" : "process");
	case VIGIL_EVT_PROCEXIT:
		return special_exit(g, name, out);
	case VIGIL_EVT_CREAT:
		if (!strcmp(name, "flags"))
			return val_str(out, "O_WRONLY|O_CREAT|O_TRUNC");
		break;
	default:
		break;
	}
	return special_path2(g, name, out);
}

/* Falco's names for path arguments (evt.arg.path, evt.arg.oldpath...). */
static bool alias_arg(const struct fget *g, const char *name, struct vigil_value *out)
{
	const struct vigil_event *ev = g->c->ev;
	const struct vigil_type_desc *d = desc_of(g);

	if (d->family != VIGIL_FAM_FILE && d->family != VIGIL_FAM_KERNEL)
		return false;
	if (d->path2 == VIGIL_P2_LINK)
		return !strcmp(name, "linkpath") && val_str(out, ev->target);
	if (d->path2 == VIGIL_P2_MOUNT) {
		if (!strcmp(name, "dev"))
			return val_str(out, ev->nameraw);
		if (!strcmp(name, "dir"))
			return val_str(out, ev->target);
		return !strcmp(name, "type") && val_str(out, ev->fstype);
	}
	if (!strcmp(name, "name") || !strcmp(name, "path") || !strcmp(name, "pathname") ||
	    !strcmp(name, "filename") || !strcmp(name, "oldpath"))
		return val_str(out, ev->name);
	return false;
}

bool rf_get_evt_arg(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_type_desc *d = desc_of(g);
	const struct vigil_event_hdr *h = hdr_of(g);
	const struct vigil_arg_desc *a;
	const char *name = g->ref->key;

	if (!d)
		return false;
	if (g->ref->index >= 0) {
		if (g->ref->index >= VIGIL_TYPE_MAX_ARGS || !d->args[g->ref->index].name)
			return false;
		a = &d->args[g->ref->index];
		return put_arg(g->c, a, h->args[a->index], out);
	}
	a = arg_by_name(d, name);
	if (a)
		return put_arg(g->c, a, h->args[a->index], out);
	return special_arg(g, name, out) || alias_arg(g, name, out);
}

bool rf_get_evt_rawarg(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_type_desc *d = desc_of(g);
	const struct vigil_arg_desc *a = NULL;

	if (!d)
		return false;
	if (g->ref->index >= 0 && g->ref->index < VIGIL_TYPE_MAX_ARGS)
		a = d->args[g->ref->index].name ? &d->args[g->ref->index] : NULL;
	else if (g->ref->index < 0)
		a = arg_by_name(d, g->ref->key);
	return a && val_int(out, arg_signed(a, hdr_of(g)->args[a->index]));
}

struct strbuf {
	char *p;
	size_t len, size;
};

static void sb_add(struct strbuf *b, const char *name, const char *val, size_t vlen)
{
	int n = snprintf(b->p + b->len, b->size - b->len, "%s%s=%.*s", b->len ? " " : "", name,
			 (int)vlen, val);

	if (n > 0 && (size_t)n < b->size - b->len)
		b->len += (size_t)n;
}

static bool get_evt_args(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_type_desc *d = desc_of(g);
	const struct vigil_event_hdr *h = hdr_of(g);
	char buf[2 * VIGIL_STR_MAX], val[512];
	struct strbuf b = {buf, 0, sizeof(buf)};
	size_t mark = g->c->scratch_used;
	struct vigil_value v;

	if (!d)
		return false;
	buf[0] = '\0';
	for (int i = 0; i < VIGIL_TYPE_MAX_ARGS && d->args[i].name; i++) {
		size_t n = render_arg(&d->args[i], h->args[d->args[i].index], val, sizeof(val));

		sb_add(&b, d->args[i].name, val, n < sizeof(val) ? n : sizeof(val) - 1);
	}
	for (size_t i = 0; i < sizeof(special_names) / sizeof(special_names[0]); i++) {
		if (!arg_by_name(d, special_names[i]) && special_arg(g, special_names[i], &v))
			sb_add(&b, special_names[i], v.str, v.len);
		g->c->scratch_used = mark;
	}
	if (d->data_name && special_arg(g, d->data_name, &v))
		sb_add(&b, d->data_name, v.str, v.len);
	return rf_scratch_put(g->c, buf, b.len, out);
}

/* ---- containers ---- */

bool rf_get_container(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_cgroup_info *cg = g->c->cgroup;
	const struct vigil_container_ref *ct;

	if (!cg)
		return false;
	ct = cg->container.id[0] ? &cg->container : NULL;
	switch (g->which) {
	case C_ID:
		if (!ct)
			return val_str(out, "host");
		return rf_scratch_put(g->c, ct->id, strnlen(ct->id, VIGIL_CONTAINER_SHORT_ID_LEN),
				      out);
	case C_FULL_ID:
		return val_str(out, ct ? ct->id : "host");
	case C_NAME:
		return !ct && val_str(out, "host");
	case C_TYPE:
		return val_str(out, ct ? ct->runtime : "host");
	default: /* C_INFO */
		return rf_scratch_printf(g->c, out, "container_id=%.*s",
					 ct ? VIGIL_CONTAINER_SHORT_ID_LEN : 4,
					 ct ? ct->id : "host");
	}
}
