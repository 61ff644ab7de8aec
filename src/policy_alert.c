/* policy_alert.c - enforcement decisions (VIGIL_EVT_POLICY records) as alert
 * lines in the same shape as detection alerts: time, rule (the policy),
 * priority, output, output_fields (the process context and the object),
 * tags, hostname, source "vigil_policy", plus policy, area, action, mode. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "event_json.h"
#include "policy_alert.h"

/* The process context every decision carries. */
static const char *const context_fields[] = {
    "proc.name",    "proc.pid", "proc.ppid",	 "proc.pname",	 "proc.exepath",
    "proc.cmdline", "user.uid", "user.loginuid", "container.id", "proc.vpid",
};

static struct vigil_field_ref context_refs[sizeof(context_fields) / sizeof(context_fields[0])];
static bool refs_parsed;

static void parse_refs(void)
{
	const char *err;

	for (size_t i = 0; i < sizeof(context_fields) / sizeof(context_fields[0]); i++)
		vigil_field_parse(context_fields[i], &context_refs[i], &err);
	refs_parsed = true;
}

static const char *const area_names[] = {
    "process", "file",	"network", "capabilities", "ptrace",	 "kernel_module",
    "bpf",     "mount", "signal",  "self",	   "mitigation",
};

const char *vigil_policy_area_name(unsigned area)
{
	return area < sizeof(area_names) / sizeof(area_names[0]) ? area_names[area] : "unknown";
}

const char *vigil_policy_action_name(unsigned action)
{
	switch (action) {
	case VIGIL_PACT_ALLOW:
		return "allow";
	case VIGIL_PACT_AUDIT:
		return "audit";
	case VIGIL_PACT_BLOCK:
		return "block";
	case VIGIL_PACT_KILLED:
		return "killed";
	default:
		return "none";
	}
}

static const char *access_name(unsigned acc)
{
	static const char *const names[] = {"read",   "write",	"exec",	 "create",
					    "delete", "rename", "chmod", "chown"};

	for (unsigned i = 0; i < 8; i++)
		if (acc & (1u << i))
			return names[i];
	return "access";
}

/* "10.0.0.1:4444" from the kernel's sockaddr or the fallback's address. */
static void format_address(const struct vigil_event *ev, uint16_t port, char *out, size_t n)
{
	char ip[INET6_ADDRSTRLEN] = "";
	int family = 0;
	const uint8_t *addr = NULL;

	if (ev->sockaddr && ev->sockaddr_len >= 8) {
		family = ev->sockaddr[0] | ev->sockaddr[1] << 8;
		addr = family == AF_INET ? ev->sockaddr + 4 : ev->sockaddr + 8;
		if (family == AF_INET6 && ev->sockaddr_len < 24)
			addr = NULL;
	} else if (ev->netaddr) {
		family = ev->netaddr[0];
		addr = ev->netaddr + 4;
	}
	if (addr && (family == AF_INET || family == AF_INET6))
		inet_ntop(family, addr, ip, sizeof(ip));
	if (family == AF_INET6)
		snprintf(out, n, "[%s]:%u", ip, port);
	else
		snprintf(out, n, "%s:%u", ip, port);
}

struct decision {
	unsigned pol, slot, area, action, rule;
	uint64_t detail, aux;
	const struct vigil_policy *policy;
	const char *policy_name;
	char object[1200];
	const char *verb;
};

static void describe_tampering(struct decision *d, const struct vigil_event *ev)
{
	switch (d->detail) {
	case VIGIL_PA_PTRACE:
		snprintf(d->object, sizeof(d->object), "ptrace of pid %u", (unsigned)d->aux);
		return;
	case VIGIL_PA_BPF:
		snprintf(d->object, sizeof(d->object),
			 d->aux >> 32 ? "write access to map %u" : "bpf command %u",
			 (unsigned)d->aux);
		return;
	case VIGIL_PA_SIGNAL:
		snprintf(d->object, sizeof(d->object), "signal %u to pid %u",
			 (unsigned)(d->aux >> 32), (unsigned)d->aux);
		return;
	default:
		snprintf(d->object, sizeof(d->object), "removal of %s", ev->name ? ev->name : "?");
	}
}

static void describe_object(struct decision *d, const struct vigil_event *ev)
{
	d->verb = d->area == VIGIL_PA_FILE ? access_name((unsigned)d->detail) : "use";
	switch (d->area) {
	case VIGIL_PA_PROCESS:
		d->verb = "exec";
		/* fallthrough */
	case VIGIL_PA_FILE:
		snprintf(d->object, sizeof(d->object), "%s", ev->name ? ev->name : "<NA>");
		return;
	case VIGIL_PA_NETWORK:
		if (d->detail == 2) {
			d->verb = "socket";
			snprintf(d->object, sizeof(d->object), "family %u protocol %u",
				 (unsigned)(d->aux >> 32), (unsigned)(d->aux & 0xffffffff));
			return;
		}
		d->verb = d->detail ? "connect" : "bind/listen";
		format_address(ev, (uint16_t)d->aux, d->object, sizeof(d->object));
		return;
	case VIGIL_PA_CAPABILITIES:
		d->verb = "capability";
		snprintf(d->object, sizeof(d->object), "%u", (unsigned)d->detail);
		return;
	case VIGIL_PA_PTRACE:
		d->verb = "ptrace";
		snprintf(d->object, sizeof(d->object), "pid %u", (unsigned)d->aux);
		return;
	case VIGIL_PA_SIGNAL:
		d->verb = "signal";
		snprintf(d->object, sizeof(d->object), "signal %u to pid %u", (unsigned)d->detail,
			 (unsigned)d->aux);
		return;
	case VIGIL_PA_MOUNT:
		d->verb = "mount";
		snprintf(d->object, sizeof(d->object), "%s on %s", ev->fstype ? ev->fstype : "?",
			 ev->name ? ev->name : "?");
		return;
	case VIGIL_PA_KERNEL_MODULE:
		d->verb = "load module";
		snprintf(d->object, sizeof(d->object), "%s",
			 d->detail ? "finit_module" : "init_module");
		return;
	case VIGIL_PA_BPF:
		d->verb = "bpf";
		snprintf(d->object, sizeof(d->object), "command %u",
			 (unsigned)(d->detail & 0xffff));
		return;
	case VIGIL_PA_SELF:
		d->verb = "tamper with the agent";
		describe_tampering(d, ev);
		return;
	default:
		snprintf(d->object, sizeof(d->object), "?");
	}
}

static void read_decision(struct decision *d, const struct vigil_event *ev,
			  const struct vigil_pol_compiled *const slots[2])
{
	const __u64 *a = ev->hdr->args;
	const struct vigil_pol_compiled *c;

	memset(d, 0, sizeof(*d));
	d->pol = a[0] & 0xff;
	d->slot = (a[0] >> 8) & 1;
	d->area = (unsigned)a[1];
	d->action = (unsigned)a[2];
	d->rule = (unsigned)a[3];
	d->detail = a[4];
	d->aux = a[5];
	c = slots[d->slot];
	if (d->pol < VIGIL_POL_MAX && c)
		d->policy = c->pol[d->pol];
	d->policy_name = d->area == VIGIL_PA_SELF ? "vigil-self-protection"
			 : d->policy		  ? d->policy->name
						  : "unknown";
	describe_object(d, ev);
}

static const char *priority_of(const struct decision *d)
{
	return d->action == VIGIL_PACT_AUDIT ? "Warning" : "Critical";
}

void vigil_policy_alert_context(struct jsonw *w, struct vigil_eval_ctx *ctx)
{
	struct vigil_value v;
	char val[1024];

	if (!refs_parsed)
		parse_refs();
	for (size_t i = 0; i < sizeof(context_fields) / sizeof(context_fields[0]); i++) {
		if (!vigil_field_get(ctx, &context_refs[i], &v)) {
			jsonw_null(w, context_fields[i]);
		} else if (v.type == VIGIL_FT_INT) {
			jsonw_int(w, context_fields[i], v.num);
		} else {
			vigil_value_format(&v, true, val, sizeof(val));
			jsonw_str(w, context_fields[i], val);
		}
	}
}

static void write_object(struct jsonw *w, const struct decision *d, const struct vigil_event *ev)
{
	switch (d->area) {
	case VIGIL_PA_PROCESS:
	case VIGIL_PA_FILE:
		jsonw_str(w, "fd.name", d->object);
		break;
	case VIGIL_PA_NETWORK:
		if (d->detail == 2) {
			jsonw_uint(w, "socket.family", d->aux >> 32);
			jsonw_uint(w, "socket.protocol", d->aux & 0xffffffff);
		} else {
			jsonw_str(w, "fd.name", d->object);
			jsonw_uint(w, "fd.sport", d->aux & 0xffff);
		}
		break;
	case VIGIL_PA_CAPABILITIES:
		jsonw_uint(w, "capability", d->detail);
		break;
	case VIGIL_PA_SIGNAL:
		jsonw_uint(w, "signal", d->detail);
		jsonw_uint(w, "target.pid", d->aux);
		break;
	case VIGIL_PA_PTRACE:
		jsonw_uint(w, "target.pid", d->aux);
		break;
	case VIGIL_PA_MOUNT:
		jsonw_str(w, "fs.type", ev->fstype ? ev->fstype : "");
		jsonw_str(w, "fd.name", ev->name ? ev->name : "");
		break;
	default:
		jsonw_str(w, "object", d->object);
	}
}

static const char *done_verb(unsigned action)
{
	return action == VIGIL_PACT_BLOCK    ? "blocked"
	       : action == VIGIL_PACT_KILLED ? "killed the process for"
					     : "audited";
}

size_t vigil_policy_alert_to_json(const struct vigil_event *ev,
				  const struct vigil_pol_compiled *const slots[2],
				  struct vigil_eval_ctx *ctx, const char *hostname, struct jsonw *w)
{
	uint64_t real = ev->hdr->ts_mono + (uint64_t)ctx->mono_to_real_ns;
	char time[48], line[2048], comm[VIGIL_COMM_LEN + 1];
	struct decision d;

	if (ev->hdr->args[1] == VIGIL_PA_MITIGATION)
		return vigil_mitigation_alert_to_json(ev, slots, ctx, hostname, w);
	read_decision(&d, ev, slots);
	memcpy(comm, ev->hdr->comm, VIGIL_COMM_LEN);
	comm[VIGIL_COMM_LEN] = '\0';
	vigil_format_time(real, time, sizeof(time));
	snprintf(
	    line, sizeof(line), "%.18s: %s Vigil policy %s %s %s %s %s (proc=%s pid=%u uid=%u)",
	    time + 11, priority_of(&d), d.policy_name, done_verb(d.action),
	    vigil_policy_area_name(d.area), d.verb, d.object, comm, ev->hdr->pid, ev->hdr->uid);
	jsonw_begin(w);
	jsonw_str(w, "time", time);
	jsonw_str(w, "rule", d.policy_name);
	jsonw_str(w, "priority", priority_of(&d));
	jsonw_str(w, "output", line);
	jsonw_object_begin(w, "output_fields");
	jsonw_uint(w, "evt.time", real);
	vigil_policy_alert_context(w, ctx);
	write_object(w, &d, ev);
	jsonw_close(w);
	jsonw_array_begin(w, "tags");
	jsonw_elem_str(w, "policy");
	jsonw_elem_str(w, vigil_policy_area_name(d.area));
	jsonw_close(w);
	jsonw_str(w, "hostname", hostname);
	jsonw_str(w, "source", "vigil_policy");
	jsonw_str(w, "policy", d.policy_name);
	jsonw_str(w, "area", vigil_policy_area_name(d.area));
	jsonw_str(w, "action", vigil_policy_action_name(d.action));
	jsonw_str(w, "mode", d.policy && d.policy->mode == VIGIL_POL_AUDIT ? "audit" : "enforce");
	if (d.rule == VIGIL_POL_DEFAULT_RULE)
		jsonw_str(w, "policy_rule", "default");
	else if (d.policy && d.area < VIGIL_POL_AREAS && slots[d.slot] &&
		 slots[d.slot]->rule[d.area][d.rule & 63])
		jsonw_int(w, "policy_rule_line", slots[d.slot]->rule[d.area][d.rule & 63]->line);
	if (d.policy)
		jsonw_str(w, "policy_file", d.policy->file);
	return jsonw_end(w);
}
