/* test_net.c - network events on loopback: socket, bind, listen, connect and
 * accept/accept4 over TCP (IPv4 and IPv6 ::1), UDP connect, and unix stream
 * sockets. Both ends run in the test process; addresses and ports in the
 * events are compared with getsockname() of the real sockets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include "tests.h"

union addr {
	struct sockaddr sa;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
	struct sockaddr_un un;
};

/* Loopback address of family af with port. */
static socklen_t loopback(union addr *a, int af, unsigned port)
{
	memset(a, 0, sizeof(*a));
	if (af == AF_INET6) {
		a->in6.sin6_family = AF_INET6;
		a->in6.sin6_addr = in6addr_loopback;
		a->in6.sin6_port = htons(port);
		return sizeof(a->in6);
	}
	a->in4.sin_family = AF_INET;
	a->in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a->in4.sin_port = htons(port);
	return sizeof(a->in4);
}

/* Binds fd to loopback on an explicit free port (so the bind event has it). */
static int bind_free_port(int fd, int af, unsigned *port)
{
	unsigned base = 20000 + (getpid() * 7 + (unsigned)mono_ms()) % 30000;

	for (unsigned i = 0; i < 200; i++) {
		union addr a;
		socklen_t len = loopback(&a, af, base + i);

		if (bind(fd, &a.sa, len) == 0) {
			*port = base + i;
			return 0;
		}
		if (errno != EADDRINUSE)
			return -1;
	}
	return -1;
}

static unsigned local_port(int fd)
{
	union addr a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, &a.sa, &len) < 0)
		return 0;
	return ntohs(a.sa.sa_family == AF_INET6 ? a.in6.sin6_port : a.in4.sin_port);
}

static void endpoint(char *out, size_t outlen, int af, unsigned port)
{
	if (af == AF_INET6)
		snprintf(out, outlen, "[::1]:%u", port);
	else
		snprintf(out, outlen, "127.0.0.1:%u", port);
}

/* fd.* fields of a connected IP socket seen from one side. */
static void expect_tuple(struct tctx *t, json_t *ev, int af, const char *proto, unsigned cport,
			 unsigned sport, bool server_side)
{
	const char *ip = af == AF_INET6 ? "::1" : "127.0.0.1";
	char c[64], s[64], name[160];

	endpoint(c, sizeof(c), af, cport);
	endpoint(s, sizeof(s), af, sport);
	snprintf(name, sizeof(name), "%s->%s", c, s);
	expect_str(t, ev, "fd.name", name);
	expect_str(t, ev, "fd.cip", ip);
	expect_int(t, ev, "fd.cport", cport);
	expect_str(t, ev, "fd.sip", ip);
	expect_int(t, ev, "fd.sport", sport);
	expect_str(t, ev, "fd.lip", ip);
	expect_int(t, ev, "fd.lport", server_side ? sport : cport);
	expect_str(t, ev, "fd.rip", ip);
	expect_int(t, ev, "fd.rport", server_side ? cport : sport);
	expect_str(t, ev, "fd.l4proto", proto);
	expect_str(t, ev, "fd.sockfamily", "ip");
}

/* Events of the test process since the test started, by type. */
static json_t *wait_mine(struct tctx *t, const char *type)
{
	return WAIT_EV(t, .type = type, .pid = getpid(), .res = "SUCCESS");
}

static void tcp_test(struct tctx *t, int af)
{
	const char *dom = af == AF_INET6 ? "AF_INET6" : "AF_INET";
	int lfd, cfd = -1, afd = -1;
	unsigned sport, cport;
	char bound[64];
	union addr a;
	socklen_t len;
	json_t *ev;

	lfd = socket(af, SOCK_STREAM, 0);
	if (lfd < 0 && af == AF_INET6 && errno == EAFNOSUPPORT) {
		tskip(t, "no IPv6 in this kernel");
		return;
	}
	if (lfd < 0) {
		tfail(t, "socket(%s): %s", dom, strerror(errno));
		return;
	}
	if (bind_free_port(lfd, af, &sport) < 0) {
		if (af == AF_INET6 && (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT))
			tskip(t, "::1 is not configured (%s)", strerror(errno));
		else
			tfail(t, "bind: %s", strerror(errno));
		goto out;
	}
	if (listen(lfd, 7) < 0 || (cfd = socket(af, SOCK_STREAM, 0)) < 0) {
		tfail(t, "listen/socket: %s", strerror(errno));
		goto out;
	}
	len = loopback(&a, af, sport);
	if (connect(cfd, &a.sa, len) < 0) {
		tfail(t, "connect: %s", strerror(errno));
		goto out;
	}
	cport = local_port(cfd);
	if (af == AF_INET6)
		afd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	else
		afd = syscall(SYS_accept, lfd, NULL, NULL);
	if (afd < 0) {
		tfail(t, "accept: %s", strerror(errno));
		goto out;
	}
	endpoint(bound, sizeof(bound), af, sport);

	ev = WAIT_EV(t, .type = "socket", .pid = getpid(), .ikey = "evt.rawres", .ival = lfd);
	if (ev) {
		expect_str(t, ev, "evt.arg.domain", dom);
		expect_str(t, ev, "evt.arg.type", "SOCK_STREAM");
		expect_int(t, ev, "evt.arg.proto", 0);
		expect_int(t, ev, "fd.num", lfd);
	}
	json_decref(ev);
	ev = wait_mine(t, "bind");
	if (ev) {
		expect_str(t, ev, "fd.name", bound);
		expect_int(t, ev, "fd.num", lfd);
	}
	json_decref(ev);
	ev = wait_mine(t, "listen");
	if (ev) {
		expect_str(t, ev, "fd.name", bound);
		expect_int(t, ev, "evt.arg.backlog", 7);
		expect_int(t, ev, "fd.num", lfd);
	}
	json_decref(ev);
	ev = wait_mine(t, "connect");
	if (ev) {
		expect_tuple(t, ev, af, "tcp", cport, sport, false);
		expect_int(t, ev, "fd.num", cfd);
	}
	json_decref(ev);
	ev = wait_mine(t, af == AF_INET6 ? "accept4" : "accept");
	if (ev) {
		expect_tuple(t, ev, af, "tcp", cport, sport, true);
		expect_int(t, ev, "fd.num", afd);
		expect_int(t, ev, "evt.rawres", afd);
	}
	json_decref(ev);
out:
	if (afd >= 0)
		close(afd);
	if (cfd >= 0)
		close(cfd);
	close(lfd);
}

void test_tcp4_connect_accept(struct tctx *t)
{
	tcp_test(t, AF_INET);
}

void test_tcp6_connect_accept(struct tctx *t)
{
	tcp_test(t, AF_INET6);
}

void test_udp4_connect(struct tctx *t)
{
	int sfd = socket(AF_INET, SOCK_DGRAM, 0), cfd = -1;
	unsigned sport, cport;
	union addr a;
	socklen_t len;
	json_t *ev;

	if (sfd < 0 || bind_free_port(sfd, AF_INET, &sport) < 0 ||
	    (cfd = socket(AF_INET, SOCK_DGRAM, 0)) < 0) {
		tfail(t, "udp socket/bind: %s", strerror(errno));
		goto out;
	}
	len = loopback(&a, AF_INET, sport);
	if (connect(cfd, &a.sa, len) < 0) {
		tfail(t, "connect: %s", strerror(errno));
		goto out;
	}
	cport = local_port(cfd);
	ev = WAIT_EV(t, .type = "socket", .pid = getpid(), .ikey = "evt.rawres", .ival = cfd);
	if (ev) {
		expect_str(t, ev, "evt.arg.domain", "AF_INET");
		expect_str(t, ev, "evt.arg.type", "SOCK_DGRAM");
	}
	json_decref(ev);
	ev = wait_mine(t, "connect");
	if (ev) {
		expect_tuple(t, ev, AF_INET, "udp", cport, sport, false);
		expect_int(t, ev, "fd.num", cfd);
	}
	json_decref(ev);
out:
	if (cfd >= 0)
		close(cfd);
	if (sfd >= 0)
		close(sfd);
}

void test_unix_connect(struct tctx *t)
{
	int sfd = socket(AF_UNIX, SOCK_STREAM, 0), cfd = -1;
	union addr a = {.un = {.sun_family = AF_UNIX}};
	char path[sizeof(a.un.sun_path)];
	json_t *ev;

	if (strlen(t->tmpdir) + 6 >= sizeof(path)) {
		tskip(t, "temp dir path too long for a unix socket");
		goto out;
	}
	pjoin(path, sizeof(path), t->tmpdir, "sock");
	memcpy(a.un.sun_path, path, strlen(path) + 1);
	if (sfd < 0 || bind(sfd, &a.sa, sizeof(a.un)) < 0 || listen(sfd, 3) < 0 ||
	    (cfd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 || connect(cfd, &a.sa, sizeof(a.un)) < 0) {
		tfail(t, "unix socket setup: %s", strerror(errno));
		goto out;
	}
	ev = WAIT_EV(t, .type = "socket", .pid = getpid(), .ikey = "evt.rawres", .ival = sfd);
	if (ev)
		expect_str(t, ev, "evt.arg.domain", "AF_UNIX");
	json_decref(ev);
	ev = wait_mine(t, "bind");
	if (ev) {
		expect_str(t, ev, "fd.name", path);
		expect_str(t, ev, "fd.sockfamily", "unix");
	}
	json_decref(ev);
	ev = wait_mine(t, "connect");
	if (ev) {
		expect_str(t, ev, "fd.name", path);
		expect_str(t, ev, "fd.sockfamily", "unix");
		expect_int(t, ev, "fd.num", cfd);
	}
	json_decref(ev);
out:
	if (cfd >= 0)
		close(cfd);
	if (sfd >= 0)
		close(sfd);
}
