/* alert.c - alert lines: Falco's JSON alert fields, so falcosidekick and the
 * tools built for Falco can take Vigil's alerts as they are. */
#include <stdio.h>
#include <string.h>
#include "alert.h"
#include "event_json.h"

static size_t append(char *out, size_t pos, size_t outsz, const char *s, size_t n)
{
	if (pos + 1 >= outsz)
		return pos;
	if (n > outsz - 1 - pos)
		n = outsz - 1 - pos;
	memcpy(out + pos, s, n);
	out[pos + n] = '\0';
	return pos + n;
}

size_t vigil_alert_output(const struct vigil_rule *rule, struct vigil_eval_ctx *ctx, char *out,
			  size_t outsz)
{
	size_t pos = 0;
	char val[1024];

	if (outsz == 0)
		return 0;
	out[0] = '\0';
	for (size_t i = 0; i < rule->nout_parts; i++) {
		const struct vigil_output_part *p = &rule->out_parts[i];
		struct vigil_value v;
		size_t n;

		if (!p->is_field) {
			pos = append(out, pos, outsz, p->text, strlen(p->text));
			continue;
		}
		n = vigil_value_format(&v, vigil_field_get(ctx, &p->field, &v), val, sizeof(val));
		pos = append(out, pos, outsz, val, n);
	}
	return pos;
}

static void write_output_field(struct jsonw *w, struct vigil_eval_ctx *ctx,
			       const struct vigil_output_part *p)
{
	struct vigil_value v;
	char val[1024];

	if (!vigil_field_get(ctx, &p->field, &v)) {
		jsonw_null(w, p->text);
		return;
	}
	if (v.type == VIGIL_FT_INT) {
		jsonw_int(w, p->text, v.num);
	} else if (v.type == VIGIL_FT_BOOL) {
		jsonw_bool(w, p->text, v.num != 0);
	} else {
		vigil_value_format(&v, true, val, sizeof(val));
		jsonw_str(w, p->text, val);
	}
}

/* Whether a field appears among the first n output parts (one key each). */
static bool seen_before(const struct vigil_rule *rule, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (rule->out_parts[i].is_field && strcmp(rule->out_parts[i].text, name) == 0)
			return true;
	return false;
}

/* Falco's output line: "HH:MM:SS.nnnnnnnnn: Priority message". */
static void write_output(const struct vigil_rule *rule, struct vigil_eval_ctx *ctx,
			 const char *time, struct jsonw *w)
{
	char msg[4096], line[4200];

	vigil_alert_output(rule, ctx, msg, sizeof(msg));
	snprintf(line, sizeof(line), "%.18s: %s %s", time + 11, vigil_priority_name(rule->priority),
		 msg);
	jsonw_str(w, "output", line);
}

size_t vigil_alert_to_json(const struct vigil_rule *rule, struct vigil_eval_ctx *ctx,
			   const char *hostname, struct jsonw *w)
{
	uint64_t real = ctx->ev->hdr->ts_mono + (uint64_t)ctx->mono_to_real_ns;
	char time[48];

	vigil_format_time(real, time, sizeof(time));
	jsonw_begin(w);
	jsonw_str(w, "time", time);
	jsonw_str(w, "rule", rule->name);
	jsonw_str(w, "priority", vigil_priority_name(rule->priority));
	write_output(rule, ctx, time, w);
	jsonw_object_begin(w, "output_fields");
	if (!seen_before(rule, rule->nout_parts, "evt.time"))
		jsonw_uint(w, "evt.time", real);
	for (size_t i = 0; i < rule->nout_parts; i++)
		if (rule->out_parts[i].is_field && !seen_before(rule, i, rule->out_parts[i].text))
			write_output_field(w, ctx, &rule->out_parts[i]);
	jsonw_close(w);
	jsonw_array_begin(w, "tags");
	for (size_t i = 0; i < rule->ntags; i++)
		jsonw_elem_str(w, rule->tags[i]);
	jsonw_close(w);
	jsonw_str(w, "hostname", hostname);
	jsonw_str(w, "source", "syscall");
	return jsonw_end(w);
}
