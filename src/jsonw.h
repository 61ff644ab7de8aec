/* jsonw.h - a JSON object writer into a reusable buffer, for the per-event
 * hot path (jansson allocates per value; this writes straight into memory
 * that is reused for every event). */
#ifndef VIGIL_JSONW_H
#define VIGIL_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSONW_MAX_DEPTH 8

struct jsonw {
	char *buf;
	size_t len;
	size_t cap;
	bool first;    /* no member written yet in the current object or array */
	bool overflow; /* something did not fit: the line is cut, still valid JSON */
	int depth;     /* nested objects/arrays open inside the top object */
	char closers[JSONW_MAX_DEPTH];
	bool firsts[JSONW_MAX_DEPTH];
};

void jsonw_init(struct jsonw *w, char *buf, size_t cap);
void jsonw_begin(struct jsonw *w);
/* Closes the object and appends '\n'. Returns the line length. */
size_t jsonw_end(struct jsonw *w);

void jsonw_str(struct jsonw *w, const char *key, const char *val);
void jsonw_strn(struct jsonw *w, const char *key, const char *val, size_t n);
void jsonw_int(struct jsonw *w, const char *key, int64_t val);
void jsonw_uint(struct jsonw *w, const char *key, uint64_t val);
void jsonw_bool(struct jsonw *w, const char *key, bool val);
/* key: "evt.arg." + name */
void jsonw_arg_str(struct jsonw *w, const char *name, const char *val);
void jsonw_arg_int(struct jsonw *w, const char *name, int64_t val);
void jsonw_arg_uint(struct jsonw *w, const char *name, uint64_t val);
/* A raw JSON value (already valid JSON: an object, array or number). */
void jsonw_raw(struct jsonw *w, const char *key, const char *json);
void jsonw_null(struct jsonw *w, const char *key);

/* Nested containers; jsonw_end closes any still open. */
void jsonw_object_begin(struct jsonw *w, const char *key);
void jsonw_array_begin(struct jsonw *w, const char *key);
void jsonw_close(struct jsonw *w);
/* An array element. */
void jsonw_elem_str(struct jsonw *w, const char *val);

#endif /* VIGIL_JSONW_H */
