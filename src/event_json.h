/* event_json.h - one decoded event as one line of JSON (Falco field names). */
#ifndef VIGIL_EVENT_JSON_H
#define VIGIL_EVENT_JSON_H

#include <stdint.h>
#include "container.h"
#include "decode.h"
#include "jsonw.h"
#include "proctable.h"

struct vigil_json_ctx {
	struct vigil_proctable *procs;
	struct vigil_cgroups *cgroups;
	int64_t mono_to_real_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC at start */
};

/* Writes the event into w (begin..end). Returns the line length. */
size_t vigil_event_to_json(const struct vigil_json_ctx *ctx, const struct vigil_event *ev,
			   struct jsonw *w);

/* RFC 3339 UTC with nanoseconds: 2026-11-25T11:42:46.123456789Z */
void vigil_format_time(uint64_t real_ns, char *out, size_t outsz);

#endif /* VIGIL_EVENT_JSON_H */
