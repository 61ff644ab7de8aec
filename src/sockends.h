/* sockends.h - the two ends of a socket event, from the kernel's socket and
 * the caller's sockaddr: one reading shared by the event JSON and the rule
 * fields, so both always agree. */
#ifndef VIGIL_SOCKENDS_H
#define VIGIL_SOCKENDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>
#include "decode.h"

#define VIGIL_SOCK_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) + 2)

struct vigil_endpoint {
	unsigned family; /* AF_INET, AF_INET6, AF_UNIX */
	uint8_t addr[16];
	unsigned port;
	bool set;
	char path[VIGIL_SOCK_PATH_MAX]; /* unix: the path, "@name" when abstract */
};

/* The kernel socket's ends, with the caller's sockaddr for the remote end of
 * connect and the local end of bind (the kernel has not filled them when the
 * call failed). */
void vigil_socket_ends(const struct vigil_event *ev, struct vigil_endpoint *local,
		       struct vigil_endpoint *remote);

/* "1.2.3.4:80" or "[::1]:80". */
size_t vigil_endpoint_str(const struct vigil_endpoint *e, char *out, size_t outsz);

/* The address alone, in its usual text form. */
void vigil_endpoint_ip(const struct vigil_endpoint *e, char *out, size_t outsz);

#endif /* VIGIL_SOCKENDS_H */
