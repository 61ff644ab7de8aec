/* pathutil.c - absolute paths from dentry components and lexical joins. */
#include <stdbool.h>
#include <string.h>
#include "pathutil.h"

static size_t append(char *out, size_t pos, size_t outsz, const char *s, size_t n)
{
	if (pos >= outsz - 1)
		return pos;
	if (n > outsz - 1 - pos)
		n = outsz - 1 - pos;
	memcpy(out + pos, s, n);
	return pos + n;
}

size_t vigil_path_from_components(const char *comps, size_t len, char *out, size_t outsz)
{
	const char *starts[256];
	size_t count = 0, pos = 0;
	size_t i = 0;

	if (outsz == 0)
		return 0;
	while (i < len && count < sizeof(starts) / sizeof(starts[0])) {
		size_t n = strnlen(comps + i, len - i);

		if (n > 0)
			starts[count++] = comps + i;
		i += n + 1;
	}
	if (count == 0)
		pos = append(out, pos, outsz, "/", 1);
	while (count > 0) {
		const char *c = starts[--count];
		size_t n = strnlen(c, len - (size_t)(c - comps));

		pos = append(out, pos, outsz, "/", 1);
		pos = append(out, pos, outsz, c, n);
	}
	out[pos] = '\0';
	return pos;
}

/* Removes the last component of out[0..pos), never going above "/". */
static size_t pop_component(const char *out, size_t pos)
{
	while (pos > 1 && out[pos - 1] != '/')
		pos--;
	if (pos > 1)
		pos--;
	return pos;
}

struct resolver {
	char *out;
	size_t pos, outsz;
	bool cut; /* the output filled up: what follows is dropped, so that a later
		   * ".." cannot pop into a component that was only partly written */
};

static void put(struct resolver *r, const char *s, size_t n)
{
	if (r->cut)
		return;
	if (n > r->outsz - 1 - r->pos) {
		n = r->outsz - 1 - r->pos;
		r->cut = true;
	}
	memcpy(r->out + r->pos, s, n);
	r->pos += n;
}

static void push_segments(struct resolver *r, const char *s)
{
	while (*s && !r->cut) {
		const char *end = strchrnul(s, '/');
		size_t n = (size_t)(end - s);

		if (n == 2 && s[0] == '.' && s[1] == '.') {
			r->pos = pop_component(r->out, r->pos);
		} else if (n > 0 && !(n == 1 && s[0] == '.')) {
			if (r->pos > 1)
				put(r, "/", 1);
			put(r, s, n);
		}
		s = *end ? end + 1 : end;
	}
}

static size_t resolve_into(const char *dir, const char *raw, char *out, size_t outsz)
{
	struct resolver r = {.out = out, .pos = 0, .outsz = outsz};

	if (outsz < 2) {
		if (outsz)
			out[0] = '\0';
		return 0;
	}
	if (raw[0] != '/' && !dir) {
		put(&r, raw, strlen(raw));
		out[r.pos] = '\0';
		return r.pos;
	}
	out[r.pos++] = '/';
	if (raw[0] != '/')
		push_segments(&r, dir);
	push_segments(&r, raw);
	out[r.pos] = '\0';
	return r.pos;
}

/* Resolves in full first, then cuts: a short output is always a prefix of
 * the whole answer (a later ".." must not pop into a half-written name). */
size_t vigil_path_resolve(const char *dir, const char *raw, char *out, size_t outsz)
{
	char full[2 * 4096 + 2];
	size_t n;

	if (outsz == 0)
		return 0;
	n = resolve_into(dir, raw, full, sizeof(full));
	if (n > outsz - 1)
		n = outsz - 1;
	memcpy(out, full, n);
	out[n] = '\0';
	return n;
}
