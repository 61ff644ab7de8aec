/* rule_fields_int.h - what the files of the field table share, private to
 * them: the extraction request (struct fget), the selectors the table gives
 * each extractor, the extractors themselves (by family: rule_fields_evt.c,
 * rule_fields_proc.c, rule_fields_fd.c) and the helpers that put values into
 * the context's scratch space (rule_fields.c). The public interface is
 * rule_fields.h.
 */
#ifndef VIGIL_RULE_FIELDS_INT_H
#define VIGIL_RULE_FIELDS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "event_types.h"
#include "rule_fields.h"

/* One extraction: the context, the reference and the table entry's data. */
struct fget {
	struct vigil_eval_ctx *c;
	const struct vigil_field_ref *ref;
	int which;  /* the table entry's selector */
	int level;  /* process fields: 0 self, 1 parent, -1 from the argument */
	bool multi; /* asked through vigil_field_get_nth */
	size_t nth;
};

/* selectors */
enum {
	E_NUM,
	E_TIME,
	E_RAWTIME,
	E_TYPE,
	E_DIR,
	E_CATEGORY,
	E_SOURCE,
	E_HOSTNAME,
	E_RES,
	E_RAWRES,
	E_FAILED,
	E_ASYNC,
	E_ARGS,
	E_TRUNCATED,
	E_OPEN_READ,
	E_OPEN_WRITE,
	E_OPEN_EXEC,
	E_OPEN_CREATE,
};
enum {
	PA_NAME,
	PA_EXE,
	PA_EXEPATH,
	PA_ARGS,
	PA_CMDLINE,
	PA_EXELINE,
	PA_CWD,
	PA_PID,
	PA_NARGS,
	PA_LENARGS,
	PA_DURATION,
	PA_START_TS,
	PA_VPID,
};
enum {
	PS_TID,
	PS_VTID,
	PS_ISMAIN,
	PS_VPID,
	PS_TTY,
	PS_SID,
	PS_SID_LEADER,
	PS_SNAME,
	PS_SEXE,
	PS_SEXEPATH,
	PS_MEMFD,
	PS_EXE_INO,
	PS_EXE_CTIME,
	PS_EXE_MTIME,
	PS_CTIME_TO_START,
	PS_CAP_EFF,
	PS_CAP_PERM,
	PS_CAP_INH,
	PS_FALSE,
	PS_PIDNS,
	PS_MNTNS,
	PS_NETNS,
	PS_LOGINSHELL,
	PS_CGROUP_ID,
};
enum { U_UID, U_EUID, U_NAME, U_HOME, U_SHELL, U_LOGINUID, U_LOGINNAME, U_GID, U_EGID, U_GNAME };
enum {
	FD_NUM,
	FD_TYPE,
	FD_TYPECHAR,
	FD_NAME,
	FD_NAMERAW,
	FD_DIRECTORY,
	FD_FILENAME,
	FD_L4PROTO,
	FD_SOCKFAMILY,
	FD_IS_SERVER,
	FD_CONNECTED,
};
enum { R_ANY, R_CLIENT, R_SERVER, R_LOCAL, R_REMOTE };
enum { FS_NAME, FS_NAMERAW, FS_SOURCE, FS_SOURCERAW, FS_TARGET, FS_TARGETRAW };
enum { C_ID, C_FULL_ID, C_NAME, C_TYPE, C_INFO };
#define STDIO_NAME 0x10 /* with the fd number: the name instead of the type */

/* Extractors named by the table: false when the field is absent. */
bool rf_get_evt(const struct fget *g, struct vigil_value *out);
bool rf_get_evt_arg(const struct fget *g, struct vigil_value *out);
bool rf_get_evt_rawarg(const struct fget *g, struct vigil_value *out);
bool rf_get_pattr(const struct fget *g, struct vigil_value *out);
bool rf_get_pself(const struct fget *g, struct vigil_value *out);
bool rf_get_env(const struct fget *g, struct vigil_value *out);
bool rf_get_stdio(const struct fget *g, struct vigil_value *out);
bool rf_get_user(const struct fget *g, struct vigil_value *out);
bool rf_get_fd(const struct fget *g, struct vigil_value *out);
bool rf_get_sock_ip(const struct fget *g, struct vigil_value *out);
bool rf_get_sock_port(const struct fget *g, struct vigil_value *out);
bool rf_get_fspath(const struct fget *g, struct vigil_value *out);
bool rf_get_container(const struct fget *g, struct vigil_value *out);

/* Values (strings point into the event, the process table or scratch). */

static inline bool val_strn(struct vigil_value *v, const char *s, size_t n)
{
	if (!s)
		return false;
	v->str = s;
	v->len = n;
	return true;
}

static inline bool val_str(struct vigil_value *v, const char *s)
{
	return s && val_strn(v, s, strlen(s));
}

static inline bool val_int(struct vigil_value *v, int64_t n)
{
	v->num = n;
	return true;
}

static inline const struct vigil_event_hdr *hdr_of(const struct fget *g)
{
	return g->c->ev->hdr;
}

static inline const struct vigil_type_desc *desc_of(const struct fget *g)
{
	return vigil_type_desc(g->c->ev->hdr->type);
}

static inline bool is_open(uint32_t type)
{
	return type == VIGIL_EVT_OPEN || type == VIGIL_EVT_OPENAT || type == VIGIL_EVT_OPENAT2;
}

/* Scratch space (rule_fields.c): computed strings live there until the next
 * vigil_eval_ctx_reset; a value that does not fit is absent. */

/* The free space: its start, and its size in *avail. */
char *rf_scratch_avail(struct vigil_eval_ctx *c, size_t *avail);
/* Keeps n bytes written at p (the start of the free space) and a NUL. */
bool rf_scratch_keep(struct vigil_eval_ctx *c, char *p, size_t n, struct vigil_value *v);
/* A NUL-terminated copy of s[0..n) in the scratch space, or NULL. */
const char *rf_scratch_copy(struct vigil_eval_ctx *c, const char *s, size_t n);
bool rf_scratch_put(struct vigil_eval_ctx *c, const char *s, size_t n, struct vigil_value *v);
bool rf_scratch_printf(struct vigil_eval_ctx *c, struct vigil_value *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The raw value of the event's argument called name (rule_fields_evt.c). */
bool rf_raw_arg(const struct vigil_event *ev, const char *name, uint64_t *v);
/* "ip:port", "[ip6]:port" (rule_fields_fd.c). */
size_t rf_ip_port_str(int family, const uint8_t *addr, unsigned port, char *out, size_t sz);

#endif /* VIGIL_RULE_FIELDS_INT_H */
