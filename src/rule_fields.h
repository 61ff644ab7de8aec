/* rule_fields.h - the fields rule conditions and outputs can use: one table
 * (name, type, description) and the extraction of each from an event.
 *
 * A field that Vigil cannot know for an event (no socket on an openat, no
 * Kubernetes metadata without a cluster) is "absent": every comparison on it
 * is false, `!=` and `exists` included, as in Falco (a comparison fails as
 * soon as the field cannot be extracted).
 */
#ifndef VIGIL_RULE_FIELDS_H
#define VIGIL_RULE_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "container.h"
#include "decode.h"
#include "proctable.h"

enum vigil_ftype {
	VIGIL_FT_STRING,
	VIGIL_FT_INT, /* signed 64-bit */
	VIGIL_FT_BOOL,
	VIGIL_FT_IP,	/* an address: compared to "1.2.3.4" or "::1"; fd.net etc. take CIDRs */
	VIGIL_FT_IPNET, /* fd.net, fd.snet...: the operand is a CIDR */
};

/* What follows a field name: nothing, "[N]" (proc.aname[2], evt.arg[0]) or a
 * key ("evt.arg.flags", "proc.env[HOME]"). */
enum vigil_farg {
	VIGIL_FARG_NONE = 0,
	VIGIL_FARG_INDEX, /* [N] required or allowed, see def->arg_optional */
	VIGIL_FARG_KEY,	  /* .NAME or [NAME] */
};

struct vigil_field_def {
	const char *name; /* "proc.aname" (without argument) */
	enum vigil_ftype type;
	enum vigil_farg arg;
	bool arg_optional;
	const char *desc;
};

/* A parsed field reference: table entry plus its argument. */
struct vigil_field_ref {
	uint16_t id;   /* index in the table */
	int32_t index; /* VIGIL_FARG_INDEX: N (-1 when not given) */
	char key[48];  /* VIGIL_FARG_KEY */
};

/* The value of one field for one event. Strings point into the event, the
 * process table or the context's scratch space: valid until the next event. */
struct vigil_value {
	enum vigil_ftype type;
	const char *str;
	size_t len;
	int64_t num;	/* INT, BOOL (0/1), IP port-free numbers */
	uint8_t ip[16]; /* IP: v4 in the first 4 bytes */
	uint8_t ip_len; /* 4 or 16 */
};

/* Everything a field can be computed from. One per agent, reused for every
 * event: set ev/proc/cgroup, call vigil_eval_ctx_reset, then evaluate. */
struct vigil_eval_ctx {
	const struct vigil_event *ev;
	struct vigil_proctable *procs;		/* ancestry lookups */
	const struct vigil_proc *proc;		/* the event's process, or NULL */
	const struct vigil_cgroup_info *cgroup; /* never NULL once set */
	const char *hostname;
	uint64_t evt_num;	 /* sequence number of the event */
	int64_t mono_to_real_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	size_t scratch_used;
	char scratch[16384]; /* computed strings (fd.directory, proc.aname...) */
};

/* Call after setting ev/proc/cgroup for a new event: computed values are
 * remembered per event (many rules read the same fields) until the reset. */
void vigil_eval_ctx_reset(struct vigil_eval_ctx *c);

/* The field table, for `vigil fields` and the README (markdown=true). */
void vigil_fields_print(FILE *out, bool markdown);

/* Where user.name and group.name come from (default /etc/passwd, /etc/group). */
void vigil_fields_set_id_files(const char *passwd, const char *group);

/* Table access. */
size_t vigil_field_count(void);
const struct vigil_field_def *vigil_field_def(uint16_t id);

/* Parses "proc.aname[2]", "evt.arg.flags", "evt.arg[0]", "fd.name" at the
 * start of text. Returns the number of characters consumed, or 0 with *err
 * set to a static message ("unknown field", "field needs an index"...). */
size_t vigil_field_parse(const char *text, struct vigil_field_ref *ref, const char **err);

/* Extracts the value; false when the field is absent for this event. */
bool vigil_field_get(struct vigil_eval_ctx *c, const struct vigil_field_ref *ref,
		     struct vigil_value *out);

/* Multi-valued fields: an ancestor field without an index (proc.aname,
 * proc.apid, proc.aexepath... "any ancestor", as in Falco). The comparison
 * holds when it holds for one of the values. vigil_field_get_nth returns the
 * n-th value (n from 0) and false past the last. For single-valued fields
 * n == 0 is vigil_field_get and n > 0 is false. */
bool vigil_field_is_multi(const struct vigil_field_ref *ref);
bool vigil_field_get_nth(struct vigil_eval_ctx *c, const struct vigil_field_ref *ref, size_t n,
			 struct vigil_value *out);

/* Renders a value as text for outputs (%field): strings as is, numbers in
 * decimal, bools true/false, IPs in their usual form. "<NA>" when absent. */
size_t vigil_value_format(const struct vigil_value *v, bool present, char *out, size_t outsz);

#endif /* VIGIL_RULE_FIELDS_H */
