/* sockends.c - socket ends of network events (see sockends.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "sockends.h"

static void from_bytes(struct vigil_endpoint *e, unsigned family, const uint8_t *addr,
		       unsigned port)
{
	e->family = family;
	e->port = port;
	e->set = true;
	memcpy(e->addr, addr, family == AF_INET6 ? 16 : 4);
}

static void from_unix(struct vigil_endpoint *e, const char *p, size_t n)
{
	e->family = AF_UNIX;
	e->set = true;
	if (n > sizeof(e->path) - 2)
		n = sizeof(e->path) - 2;
	if (n > 0 && p[0] == '\0') { /* abstract socket */
		e->path[0] = '@';
		memcpy(e->path + 1, p + 1, n - 1);
		e->path[n] = '\0';
	} else {
		memcpy(e->path, p, n);
		e->path[n] = '\0';
	}
}

static void from_sockaddr(struct vigil_endpoint *e, const uint8_t *sa, uint32_t len)
{
	uint16_t family, port;

	if (len < 2)
		return;
	memcpy(&family, sa, 2);
	if (family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		memcpy(&port, sa + 2, 2);
		from_bytes(e, AF_INET, sa + 4, ntohs(port));
	} else if (family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		memcpy(&port, sa + 2, 2);
		from_bytes(e, AF_INET6, sa + 8, ntohs(port));
	} else if (family == AF_UNIX) {
		from_unix(e, (const char *)sa + 2, len - 2);
	}
}

void vigil_socket_ends(const struct vigil_event *ev, struct vigil_endpoint *local,
		       struct vigil_endpoint *remote)
{
	const struct vigil_sockinfo *si = ev->sock;
	uint32_t type = ev->hdr->type;

	memset(local, 0, sizeof(*local));
	memset(remote, 0, sizeof(*remote));
	if (si && (si->family == AF_INET || si->family == AF_INET6)) {
		from_bytes(local, si->family, si->laddr, si->lport);
		if (si->rport)
			from_bytes(remote, si->family, si->raddr, si->rport);
	}
	if (ev->sockaddr && type == VIGIL_EVT_CONNECT)
		from_sockaddr(remote, ev->sockaddr, ev->sockaddr_len);
	if (ev->sockaddr && type == VIGIL_EVT_BIND)
		from_sockaddr(local, ev->sockaddr, ev->sockaddr_len);
}

void vigil_endpoint_ip(const struct vigil_endpoint *e, char *out, size_t outsz)
{
	if (!inet_ntop(e->family == AF_INET6 ? AF_INET6 : AF_INET, e->addr, out, (socklen_t)outsz))
		out[0] = '\0';
}

size_t vigil_endpoint_str(const struct vigil_endpoint *e, char *out, size_t outsz)
{
	char ip[INET6_ADDRSTRLEN];
	int n;

	vigil_endpoint_ip(e, ip, sizeof(ip));
	n = snprintf(out, outsz, e->family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, e->port);
	return n < 0 ? 0 : (size_t)n;
}
