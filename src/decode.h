/* decode.h - one ring-buffer record to a struct vigil_event.
 *
 * Strings point into the record itself or into a caller-owned decode buffer
 * (paths are rebuilt there): nothing is allocated.
 */
#ifndef VIGIL_DECODE_H
#define VIGIL_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vigil_abi.h"

#define VIGIL_DECODED_PATH_MAX (VIGIL_PATH_MAX + VIGIL_STR_MAX + 2)

struct vigil_event {
	const struct vigil_event_hdr *hdr;
	const char *name;      /* fd.name: absolute path of the object, or NULL */
	const char *nameraw;   /* the caller's string */
	const char *target;    /* second path, absolute */
	const char *targetraw; /* second path as passed */
	const char *exe;       /* exec: resolved executable */
	const char *cwd;
	const char *argv; /* NUL-separated */
	uint32_t argv_len;
	const char *data;
	const char *fstype;
	const uint8_t *sockaddr;
	uint32_t sockaddr_len;
	const struct vigil_sockinfo *sock;
	const struct vigil_execinfo *execinfo;
	const uint8_t *netaddr; /* policy events: family, 0, port (BE), 16 address bytes */
	bool truncated;		/* a path or argv was cut short in the kernel */
};

struct vigil_decode_buf {
	char name[VIGIL_DECODED_PATH_MAX];
	char target[VIGIL_DECODED_PATH_MAX];
	char dir[VIGIL_DECODED_PATH_MAX];
	char targetdir[VIGIL_DECODED_PATH_MAX];
	char exe[VIGIL_DECODED_PATH_MAX];
	char cwd[VIGIL_DECODED_PATH_MAX];
};

/* Returns 0, or -EINVAL when the record is malformed (nothing is trusted:
 * every length is checked against size). */
int vigil_event_decode(const void *data, size_t size, struct vigil_event *ev,
		       struct vigil_decode_buf *buf);

#endif /* VIGIL_DECODE_H */
