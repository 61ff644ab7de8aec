/* mitigation_alert.c - a virtual patch hit (a VIGIL_EVT_POLICY record of
 * area VIGIL_PA_MITIGATION) as an alert line: the mitigation, its CVEs,
 * what was done (block, killed, audit), who decided (`--mitigate` or a
 * policy), the process context and the object the exploit step touched.
 *
 * Record args: [policy | slot << 8, area, action, mitigation id, detail,
 * aux]; detail and aux per mitigation as bpf/mitigate.bpf.h writes them. */
#include <stdio.h>
#include <string.h>
#include "event_json.h"
#include "mitigations.h"
#include "policy_alert.h"

struct hit {
	const struct vigil_mitigation *m;
	const struct vigil_policy *policy; /* NULL: --mitigate */
	unsigned action;
	uint64_t detail, aux;
	char object[1200];
};

static void describe_object(struct hit *h, const struct vigil_event *ev)
{
	const char *name = ev->name ? ev->name : NULL;

	switch (h->m->id) {
	case VIGIL_MIT_DCCP_SOCKET:
	case VIGIL_MIT_SCTP_SOCKET:
	case VIGIL_MIT_TIPC_SOCKET:
	case VIGIL_MIT_RDS_SOCKET:
	case VIGIL_MIT_AF_ALG_SOCKET:
	case VIGIL_MIT_AF_PACKET_UNPRIVILEGED:
		snprintf(h->object, sizeof(h->object), "socket(family %u, type %u, protocol %u)",
			 (unsigned)(h->detail >> 32), (unsigned)h->aux,
			 (unsigned)(h->detail & 0xffffffff));
		return;
	case VIGIL_MIT_USERNS:
		snprintf(h->object, sizeof(h->object), "a new user namespace");
		return;
	case VIGIL_MIT_IO_URING:
		snprintf(h->object, sizeof(h->object), "io_uring_setup");
		return;
	case VIGIL_MIT_UNPRIVILEGED_BPF:
		snprintf(h->object, sizeof(h->object), "bpf command %u", (unsigned)h->detail);
		return;
	case VIGIL_MIT_UNPRIVILEGED_PERF_EVENT:
		snprintf(h->object, sizeof(h->object), "perf_event_open");
		return;
	case VIGIL_MIT_MODULE_AUTOLOAD:
		snprintf(h->object, sizeof(h->object), "module request %s",
			 ev->data ? ev->data : "?");
		return;
	case VIGIL_MIT_OVERLAYFS_USERNS:
		snprintf(h->object, sizeof(h->object), "overlay mount on %s", name ? name : "?");
		return;
	case VIGIL_MIT_EMPTY_ARGV:
		snprintf(h->object, sizeof(h->object), "exec of %s with an empty argv",
			 name ? name : "a program");
		return;
	default:
		snprintf(h->object, sizeof(h->object), "%s", name ? name : "?");
	}
}

static void write_object(struct jsonw *w, const struct hit *h, const struct vigil_event *ev)
{
	if (ev->name)
		jsonw_str(w, "fd.name", ev->name);
	if (ev->fstype)
		jsonw_str(w, "fs.type", ev->fstype);
	switch (h->m->id) {
	case VIGIL_MIT_DCCP_SOCKET:
	case VIGIL_MIT_SCTP_SOCKET:
	case VIGIL_MIT_TIPC_SOCKET:
	case VIGIL_MIT_RDS_SOCKET:
	case VIGIL_MIT_AF_ALG_SOCKET:
	case VIGIL_MIT_AF_PACKET_UNPRIVILEGED:
		jsonw_uint(w, "socket.family", h->detail >> 32);
		jsonw_uint(w, "socket.type", h->aux);
		jsonw_uint(w, "socket.protocol", h->detail & 0xffffffff);
		break;
	case VIGIL_MIT_PROC_MEM_WRITE:
		jsonw_uint(w, "target.pid", h->detail);
		break;
	case VIGIL_MIT_UNPRIVILEGED_BPF:
		jsonw_uint(w, "bpf.cmd", h->detail);
		break;
	case VIGIL_MIT_MODULE_AUTOLOAD:
		jsonw_str(w, "module", ev->data ? ev->data : "");
		break;
	default:
		break;
	}
}

static const char *mode_of(const struct hit *h)
{
	if (h->policy)
		return h->policy->mode == VIGIL_POL_AUDIT ? "audit" : "enforce";
	return h->action == VIGIL_PACT_AUDIT ? "audit" : "enforce";
}

static const char *done_verb(unsigned action)
{
	return action == VIGIL_PACT_BLOCK    ? "blocked"
	       : action == VIGIL_PACT_KILLED ? "killed the process for"
					     : "audited";
}

static bool read_hit(struct hit *h, const struct vigil_event *ev,
		     const struct vigil_pol_compiled *const slots[2])
{
	const __u64 *a = ev->hdr->args;
	unsigned pol = a[0] & 0xff, slot = (a[0] >> 8) & 1;

	memset(h, 0, sizeof(*h));
	if (a[3] >= vigil_nmitigations)
		return false;
	h->m = &vigil_mitigations[a[3]];
	h->action = (unsigned)a[2];
	h->detail = a[4];
	h->aux = a[5];
	if (pol < VIGIL_POL_MAX && slots[slot])
		h->policy = slots[slot]->pol[pol];
	describe_object(h, ev);
	return true;
}

size_t vigil_mitigation_alert_to_json(const struct vigil_event *ev,
				      const struct vigil_pol_compiled *const slots[2],
				      struct vigil_eval_ctx *ctx, const char *hostname,
				      struct jsonw *w)
{
	uint64_t real = ev->hdr->ts_mono + (uint64_t)ctx->mono_to_real_ns;
	char time[48], line[2048], rule[96], comm[VIGIL_COMM_LEN + 1];
	const char *by;
	struct hit h;

	if (!read_hit(&h, ev, slots))
		return 0;
	by = h.policy ? h.policy->name : "--mitigate";
	memcpy(comm, ev->hdr->comm, VIGIL_COMM_LEN);
	comm[VIGIL_COMM_LEN] = '\0';
	vigil_format_time(real, time, sizeof(time));
	snprintf(rule, sizeof(rule), "Mitigation %s", h.m->name);
	snprintf(line, sizeof(line),
		 "%.18s: %s Vigil mitigation %s (%s%s) %s %s (proc=%s pid=%u uid=%u by=%s)",
		 time + 11, h.action == VIGIL_PACT_AUDIT ? "Warning" : "Critical", h.m->name,
		 h.m->cves[0] ? h.m->cves[0] : "no CVE",
		 h.m->cves[0] && h.m->cves[1] ? ", ..." : "", done_verb(h.action), h.object, comm,
		 ev->hdr->pid, ev->hdr->uid, by);
	jsonw_begin(w);
	jsonw_str(w, "time", time);
	jsonw_str(w, "rule", rule);
	jsonw_str(w, "priority", h.action == VIGIL_PACT_AUDIT ? "Warning" : "Critical");
	jsonw_str(w, "output", line);
	jsonw_object_begin(w, "output_fields");
	jsonw_uint(w, "evt.time", real);
	vigil_policy_alert_context(w, ctx);
	write_object(w, &h, ev);
	jsonw_close(w);
	jsonw_array_begin(w, "tags");
	jsonw_elem_str(w, "mitigation");
	for (size_t i = 0; h.m->cves[i]; i++)
		jsonw_elem_str(w, h.m->cves[i]);
	jsonw_close(w);
	jsonw_str(w, "hostname", hostname);
	jsonw_str(w, "source", "vigil_mitigation");
	jsonw_str(w, "mitigation", h.m->name);
	jsonw_array_begin(w, "cves");
	for (size_t i = 0; h.m->cves[i]; i++)
		jsonw_elem_str(w, h.m->cves[i]);
	jsonw_close(w);
	jsonw_str(w, "area", "mitigation");
	jsonw_str(w, "action", vigil_policy_action_name(h.action));
	jsonw_str(w, "mode", mode_of(&h));
	jsonw_str(w, "policy", by);
	if (h.policy)
		jsonw_str(w, "policy_file", h.policy->file);
	return jsonw_end(w);
}
