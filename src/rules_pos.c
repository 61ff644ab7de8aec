/* rules_pos.c - texts assembled from YAML scalars (a condition, an output:
 * a definition, then its appends, maybe from other files), and the way back
 * from a byte of such a text to the file, line and column where it is
 * written, through plain, quoted, literal and folded scalars.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "rules_int.h"

void rl_text_free(struct text *t)
{
	free(t->s);
	free(t->segs);
	memset(t, 0, sizeof(*t));
}

void rl_text_add(struct text *t, const struct src_file *f, const yaml_node_t *n, bool append)
{
	const char *v = (const char *)n->data.scalar.value;
	size_t vlen = n->data.scalar.length, off;
	struct seg s;

	if (!append)
		rl_text_free(t);
	off = t->len ? t->len + 1 : 0;
	t->s = rl_xrealloc(t->s, off + vlen + 1);
	if (off)
		t->s[t->len] = ' ';
	memcpy(t->s + off, v, vlen);
	t->s[off + vlen] = '\0';
	t->len = off + vlen;
	s = (struct seg){off, f, n->start_mark, n->data.scalar.style};
	PUSH(t->segs, t->nsegs, t->cap, s);
}

static const char *utf8_next(const char *p, const char *end)
{
	p++;
	while (p < end && ((unsigned char)*p & 0xc0) == 0x80)
		p++;
	return p;
}

/* The byte a libyaml mark (0-based line, column in characters) points at. */
static const char *mark_ptr(const struct src_file *f, yaml_mark_t m)
{
	const char *p = f->buf, *end = f->buf + f->len;
	size_t l = 0;

	while (l < m.line && p < end)
		if (*p++ == '\n')
			l++;
	for (size_t c = 0; c < m.column && p < end && *p != '\n'; c++)
		p = utf8_next(p, end);
	return p;
}

/* Source bytes of the value character at p: an escape (\" in double
 * quotes, '' in single quotes) is two; an escaped line break is none (0). */
static size_t src_char(const struct seg *s, const char *p, const char *end)
{
	if (s->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE && *p == '\\' && p + 1 < end)
		return p[1] == '\n' ? 0 : 2;
	if (s->style == YAML_SINGLE_QUOTED_SCALAR_STYLE && *p == '\'' && p + 1 < end &&
	    p[1] == '\'')
		return 2;
	return 1;
}

/* Where the n-th (from 0) non-blank character of a scalar's value is in the
 * file. Folding and indentation only change blanks, so counting the others
 * finds the place in plain, quoted and block scalars alike. */
static struct pos seg_walk(const struct seg *s, size_t n)
{
	const char *end = s->f->buf + s->f->len, *p = mark_ptr(s->f, s->mark);
	struct pos r = {s->f, (int)s->mark.line + 1, (int)s->mark.column + 1};

	if (s->style == YAML_LITERAL_SCALAR_STYLE || s->style == YAML_FOLDED_SCALAR_STYLE) {
		while (p < end && *p != '\n')
			p++;
		if (p < end)
			p++;
		r.line++;
		r.col = 1;
	} else if (s->style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		   s->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
		p++;
		r.col++;
	}
	while (p < end) {
		size_t w = src_char(s, p, end);

		if (*p == '\n') {
			r.line++;
			r.col = 1;
			p++;
			continue;
		}
		if (w && !isspace((unsigned char)*p) && n-- == 0)
			break;
		if (w == 1) {
			p = utf8_next(p, end);
			r.col++;
		} else {
			p += w ? w : 1;
			r.col += w ? (int)w : 1;
		}
	}
	return r;
}

bool rl_blank_range(const char *s, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

struct pos rl_text_pos(const struct text *t, size_t off)
{
	const struct seg *s;
	size_t end, n = 0;
	struct pos p;
	bool at_end;

	if (!t->nsegs)
		return (struct pos){0};
	s = &t->segs[0];
	for (size_t i = 1; i < t->nsegs; i++)
		if (t->segs[i].off <= off)
			s = &t->segs[i];
	end = s + 1 < t->segs + t->nsegs ? s[1].off : t->len;
	if (off > end)
		off = end;
	for (size_t i = s->off; i < off; i++)
		if (!isspace((unsigned char)t->s[i]))
			n++;
	at_end = rl_blank_range(t->s, off, end);
	if (at_end && n == 0)
		return (struct pos){s->f, (int)s->mark.line + 1, (int)s->mark.column + 1};
	p = seg_walk(s, at_end ? n - 1 : n);
	if (at_end)
		p.col++;
	return p;
}

size_t rl_text_offset(const char *s, size_t len, int line, int col)
{
	size_t off = 0;
	int l = 1;

	while (l < line && off < len)
		if (s[off++] == '\n')
			l++;
	if (col > 1)
		off += (size_t)col - 1;
	return off < len ? off : len;
}
