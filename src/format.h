/* format.h - symbolic names for syscall arguments (flags, enums, errnos). */
#ifndef VIGIL_FORMAT_H
#define VIGIL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "event_types.h"

/* True when fmt renders as a JSON number rather than a string. */
bool vigil_arg_is_number(enum vigil_arg_fmt fmt);

/* Renders a string-valued argument ("O_RDONLY|O_CLOEXEC", "0644", ...). */
size_t vigil_format_arg(enum vigil_arg_fmt fmt, uint64_t v, char *out, size_t outsz);

/* "SUCCESS" for res >= 0, else the errno name ("ENOENT"), or "E<n>". */
const char *vigil_errno_name(int64_t res, char *tmp, size_t tmpsz);

/* "ip", "unix", ... (Falco's fd.sockfamily) and "tcp", "udp", ... (fd.l4proto). */
const char *vigil_sockfamily_name(unsigned family);
const char *vigil_l4proto_name(unsigned family, unsigned type, unsigned protocol);

#endif /* VIGIL_FORMAT_H */
