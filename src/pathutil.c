/* pathutil.c - absolute paths from dentry components and lexical joins. */
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

static size_t push_segments(const char *s, char *out, size_t pos, size_t outsz)
{
	while (*s) {
		const char *end = strchrnul(s, '/');
		size_t n = (size_t)(end - s);

		if (n == 0 || (n == 1 && s[0] == '.')) {
			/* nothing */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			pos = pop_component(out, pos);
		} else {
			if (pos > 1)
				pos = append(out, pos, outsz, "/", 1);
			pos = append(out, pos, outsz, s, n);
		}
		s = *end ? end + 1 : end;
	}
	return pos;
}

size_t vigil_path_resolve(const char *dir, const char *raw, char *out, size_t outsz)
{
	size_t pos;

	if (outsz < 2) {
		if (outsz)
			out[0] = '\0';
		return 0;
	}
	out[0] = '/';
	pos = 1;
	if (raw[0] != '/') {
		if (!dir) {
			pos = append(out, 0, outsz, raw, strlen(raw));
			out[pos] = '\0';
			return pos;
		}
		pos = push_segments(dir, out, pos, outsz);
	}
	pos = push_segments(raw, out, pos, outsz);
	out[pos] = '\0';
	return pos;
}
