/* decode.c - parses the variable fields of a record (see vigil_abi.h). */
#include <errno.h>
#include <string.h>
#include "decode.h"
#include "pathutil.h"

/* A STR payload must hold its terminating NUL within len. */
static const char *payload_str(const struct vigil_field *f, const char *p)
{
	if (f->len == 0 || memchr(p, '\0', f->len) == NULL)
		return NULL;
	return p;
}

static const char *payload_path(const struct vigil_field *f, const char *p, char *out, size_t outsz)
{
	static const char deleted[] = " (deleted)";
	size_t n;

	if (f->kind == VIGIL_K_STR)
		return payload_str(f, p);
	n = vigil_path_from_components(p, f->len, out, outsz);
	if ((f->flags & VIGIL_PATH_DELETED) && n + sizeof(deleted) <= outsz)
		memcpy(out + n, deleted, sizeof(deleted));
	return out;
}

static void take_field(struct vigil_event *ev, struct vigil_decode_buf *buf,
		       const struct vigil_field *f, const char *p, const char **dir,
		       const char **targetdir)
{
	if (f->flags & VIGIL_PATH_TRUNCATED)
		ev->truncated = true;
	switch (f->id) {
	case VIGIL_F_NAME:
		ev->name = payload_path(f, p, buf->name, sizeof(buf->name));
		break;
	case VIGIL_F_NAMERAW:
		ev->nameraw = payload_str(f, p);
		break;
	case VIGIL_F_DIRPATH:
		*dir = payload_path(f, p, buf->dir, sizeof(buf->dir));
		break;
	case VIGIL_F_TARGET:
		ev->targetraw = payload_str(f, p);
		break;
	case VIGIL_F_TARGETDIR:
		*targetdir = payload_path(f, p, buf->targetdir, sizeof(buf->targetdir));
		break;
	case VIGIL_F_EXE:
		ev->exe = payload_path(f, p, buf->exe, sizeof(buf->exe));
		break;
	case VIGIL_F_CWD:
		ev->cwd = payload_path(f, p, buf->cwd, sizeof(buf->cwd));
		break;
	case VIGIL_F_ARGV:
		ev->argv = p;
		ev->argv_len = f->len;
		break;
	case VIGIL_F_SOCKADDR:
		ev->sockaddr = (const uint8_t *)p;
		ev->sockaddr_len = f->len;
		break;
	case VIGIL_F_SOCK:
		if (f->len >= sizeof(struct vigil_sockinfo))
			ev->sock = (const struct vigil_sockinfo *)p;
		break;
	case VIGIL_F_EXECINFO:
		if (f->len >= sizeof(struct vigil_execinfo))
			ev->execinfo = (const struct vigil_execinfo *)p;
		break;
	case VIGIL_F_FSTYPE:
		ev->fstype = payload_str(f, p);
		break;
	case VIGIL_F_DATA:
		ev->data = payload_str(f, p);
		break;
	case VIGIL_F_NET_ADDR:
		if (f->len >= 20)
			ev->netaddr = (const uint8_t *)p;
		break;
	default:
		break; /* a newer kernel side may add fields: skip */
	}
}

/* Relative strings become absolute against the directory the kernel saw. */
static const char *resolve_raw(const char *raw, const char *dir, char *out, size_t outsz)
{
	if (!raw)
		return NULL;
	if (raw[0] != '/' && !dir)
		return raw;
	vigil_path_resolve(dir, raw, out, outsz);
	return out;
}

int vigil_event_decode(const void *data, size_t size, struct vigil_event *ev,
		       struct vigil_decode_buf *buf)
{
	const char *base = data;
	const char *dir = NULL, *targetdir = NULL;
	size_t off = sizeof(struct vigil_event_hdr);

	memset(ev, 0, sizeof(*ev));
	if (size < off)
		return -EINVAL;
	ev->hdr = data;
	if (ev->hdr->size > size || ev->hdr->size < off)
		return -EINVAL;
	size = ev->hdr->size;
	while (off + sizeof(struct vigil_field) <= size) {
		const struct vigil_field *f = (const struct vigil_field *)(base + off);
		size_t next = off + sizeof(*f) + ((f->len + 7u) & ~7u);

		if (f->len > size - off - sizeof(*f))
			return -EINVAL;
		take_field(ev, buf, f, base + off + sizeof(*f), &dir, &targetdir);
		off = next;
	}
	if (!ev->name)
		ev->name = resolve_raw(ev->nameraw, dir, buf->name, sizeof(buf->name));
	ev->target = resolve_raw(ev->targetraw, targetdir, buf->target, sizeof(buf->target));
	return 0;
}
