/* test_event_json.c - unit tests for src/event_json.c: records are built by
 * hand (header + fields, as the kernel side lays them out), decoded with
 * vigil_event_decode, encoded with vigil_event_to_json, and the line is
 * parsed back with jansson to check exact field values: results and errno
 * names, paths, socket endpoints, exit status, clone kind, process context
 * from the process table, container id and the time format.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <linux/capability.h>
#include <cmocka.h>
#include <jansson.h>

#include "event_json.h"

/* A literal with explicit NULs, without the compiler's trailing one. */
#define LIT(s) s, sizeof(s) - 1

#define HDR_SIZE sizeof(struct vigil_event_hdr)

/* Event time: CLOCK_MONOTONIC 5.123456789 s, realtime offset chosen so that
 * the event happened at 2025-11-25T11:42:46.123456789Z. */
#define TS_MONO	     5123456789ull
#define REAL_NS	     1764070966123456789ull
#define MONO_TO_REAL ((int64_t)(REAL_NS - TS_MONO))

#define PID	  1234
#define TID	  1235
#define PPID	  1000
#define CGROUP_ID 0x7ffe0000beefull /* not a cgroup anywhere */

#define CONTAINER_ID "3f4a9c2e8b7d6a5f1e0c9b8a7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e"

struct rec {
	uint64_t words[VIGIL_EVENT_MAX / 8];
	size_t len;
};

struct fixture {
	char tmpdir[64]; /* a removed directory used as the "cgroup2 mount" */
	struct vigil_proctable *procs;
	struct vigil_cgroups *cgroups;
	struct vigil_json_ctx ctx;
	struct rec rec;
	void *copy;
	struct vigil_event ev;
	struct vigil_decode_buf buf;
	char line[65536];
	json_t *json;
	/* test_container_docker: removed by the teardown whatever happens */
	struct vigil_cgroups *real_cgroups;
	char cg_base[PATH_MAX];
	char cg_dir[PATH_MAX + 128];
};

/* The line last encoded, for failure messages. */
static const char *last_line = "";

static struct vigil_event_hdr *hdr(struct fixture *fx)
{
	return (struct vigil_event_hdr *)fx->rec.words;
}

/* A header as the kernel fills it for process 1234 ("cat"), thread 1235. */
static struct vigil_event_hdr *rec_init(struct fixture *fx, uint32_t type, int64_t ret)
{
	struct vigil_event_hdr *h = hdr(fx);

	memset(&fx->rec, 0, sizeof(fx->rec));
	fx->rec.len = HDR_SIZE;
	h->type = type;
	h->size = (uint32_t)fx->rec.len;
	h->ts_mono = TS_MONO;
	h->cgroup_id = CGROUP_ID;
	h->ret = ret;
	h->flags = VIGIL_HDR_HAS_RET;
	h->tid = TID;
	h->pid = PID;
	h->ppid = PPID;
	h->vpid = 34;
	h->uid = 1000;
	h->gid = 1001;
	h->euid = 0;
	h->egid = 2;
	h->loginuid = UINT32_MAX;
	h->pidns = 4026531836u;
	h->mntns = 4026531841u;
	h->netns = 4026531840u;
	memcpy(h->comm, "cat", 4);
	return h;
}

static void rec_field(struct fixture *fx, uint8_t id, uint8_t kind, const void *p, uint32_t len)
{
	struct vigil_field f = {.id = id, .kind = kind, .len = len};
	char *b = (char *)fx->rec.words;

	assert_true(fx->rec.len + sizeof(f) + len + 8 <= sizeof(fx->rec.words));
	memcpy(b + fx->rec.len, &f, sizeof(f));
	memcpy(b + fx->rec.len + sizeof(f), p, len);
	fx->rec.len += sizeof(f) + ((len + 7u) & ~7u);
	hdr(fx)->size = (uint32_t)fx->rec.len;
}

static void rec_str(struct fixture *fx, uint8_t id, const char *s)
{
	rec_field(fx, id, VIGIL_K_STR, s, (uint32_t)strlen(s) + 1);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct stat st;

	if (!fx)
		return -1;
	snprintf(fx->tmpdir, sizeof(fx->tmpdir), "/tmp/vigil-test-ej-XXXXXX");
	if (!mkdtemp(fx->tmpdir) || stat(fx->tmpdir, &st) < 0 || st.st_ino == CGROUP_ID)
		return -1;
	fx->procs = vigil_proctable_new(64);
	fx->cgroups = vigil_cgroups_new(fx->tmpdir);
	/* gone at once, so nothing is left behind even if a test aborts: the
	 * cache keeps its handle and never resolves anything in it */
	rmdir(fx->tmpdir);
	if (!fx->procs || !fx->cgroups)
		return -1;
	fx->ctx.procs = fx->procs;
	fx->ctx.cgroups = fx->cgroups;
	fx->ctx.mono_to_real_ns = MONO_TO_REAL;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	if (fx->cg_dir[0])
		rmdir(fx->cg_dir);
	if (fx->cg_base[0])
		rmdir(fx->cg_base);
	vigil_cgroups_free(fx->real_cgroups);
	json_decref(fx->json);
	free(fx->copy);
	vigil_cgroups_free(fx->cgroups);
	vigil_proctable_free(fx->procs);
	free(fx);
	return 0;
}

/* Decodes the record (from an exact-size heap copy), encodes it, checks the
 * line's shape and parses it. The result is owned by the fixture. */
static json_t *encode(struct fixture *fx)
{
	json_error_t err;
	struct jsonw w;
	size_t n;

	free(fx->copy);
	fx->copy = malloc(fx->rec.len);
	assert_non_null(fx->copy);
	memcpy(fx->copy, fx->rec.words, fx->rec.len);
	assert_int_equal(vigil_event_decode(fx->copy, fx->rec.len, &fx->ev, &fx->buf), 0);
	jsonw_init(&w, fx->line, sizeof(fx->line));
	n = vigil_event_to_json(&fx->ctx, &fx->ev, &w);
	assert_false(w.overflow);
	assert_int_equal(n, strlen(fx->line));
	assert_int_equal(fx->line[n - 1], '\n');
	assert_ptr_equal(strchr(fx->line, '\n'), fx->line + n - 1);
	last_line = fx->line;
	json_decref(fx->json);
	fx->json = json_loadb(fx->line, n, 0, &err);
	if (!fx->json)
		fail_msg("invalid JSON (%s): %s", err.text, fx->line);
	assert_true(json_is_object(fx->json));
	return fx->json;
}

static json_t *get(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	if (!v)
		fail_msg("missing %s in %s", k, last_line);
	return v;
}

static void expect_str(json_t *o, const char *k, const char *want)
{
	json_t *v = get(o, k);

	if (!json_is_string(v))
		fail_msg("%s is not a string", k);
	if (strcmp(json_string_value(v), want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", k, json_string_value(v), want);
}

static void expect_int(json_t *o, const char *k, long long want)
{
	json_t *v = get(o, k);

	if (!json_is_integer(v))
		fail_msg("%s is not an integer", k);
	if (json_integer_value(v) != want)
		fail_msg("%s: got %lld, want %lld", k, (long long)json_integer_value(v), want);
}

static void expect_bool(json_t *o, const char *k, bool want)
{
	json_t *v = get(o, k);

	if (!json_is_boolean(v))
		fail_msg("%s is not a boolean", k);
	if (json_is_true(v) != want)
		fail_msg("%s: got %d, want %d", k, json_is_true(v), want);
}

static void expect_absent(json_t *o, const char *k)
{
	if (json_object_get(o, k))
		fail_msg("unexpected %s", k);
}

/* No evt.arg.* member other than those listed (NULL-terminated). */
static void expect_only_args(json_t *o, ...)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v)
	{
		const char *a;
		bool listed = false;
		va_list ap;

		(void)v;
		if (strncmp(k, "evt.arg.", 8) != 0)
			continue;
		va_start(ap, o);
		while ((a = va_arg(ap, const char *)))
			listed |= strcmp(a, k + 8) == 0;
		va_end(ap);
		if (!listed)
			fail_msg("unexpected %s", k);
	}
}

static void sin_of(struct sockaddr_in *sin, const char *ip, uint16_t port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, ip, &sin->sin_addr), 1);
}

static void sockinfo_of(struct vigil_sockinfo *si, int family, int type, int proto, const char *lip,
			uint16_t lport, const char *rip, uint16_t rport)
{
	memset(si, 0, sizeof(*si));
	si->family = (uint16_t)family;
	si->type = (uint16_t)type;
	si->protocol = (uint16_t)proto;
	si->lport = lport;
	si->rport = rport;
	assert_int_equal(inet_pton(family, lip, si->laddr), 1);
	assert_int_equal(inet_pton(family, rip, si->raddr), 1);
}

static void test_time_format(void **state)
{
	char out[48];

	(void)state;
	vigil_format_time(REAL_NS, out, sizeof(out));
	assert_string_equal(out, "2025-11-25T11:42:46.123456789Z");
	vigil_format_time(0, out, sizeof(out));
	assert_string_equal(out, "1970-01-01T00:00:00.000000000Z");
	vigil_format_time(5, out, sizeof(out));
	assert_string_equal(out, "1970-01-01T00:00:00.000000005Z");
	vigil_format_time(951782400999999999ull, out, sizeof(out)); /* leap day 2000 */
	assert_string_equal(out, "2000-02-29T00:00:00.999999999Z");
	/* cut short, still terminated */
	memset(out, 'X', sizeof(out));
	vigil_format_time(REAL_NS, out, 11);
	assert_string_equal(out, "2025-11-25");
}

static void test_openat_success(void **state)
{
	struct fixture *fx = *state;
	struct vigil_event_hdr *h = rec_init(fx, VIGIL_EVT_OPENAT, 3);
	json_t *o;

	h->args[0] = (uint64_t)(int64_t)AT_FDCWD;
	h->args[1] = 0x7ffd00001000ull; /* the user pointer: not shown */
	h->args[2] = O_WRONLY | O_CREAT | O_CLOEXEC;
	h->args[3] = 0640;
	rec_field(fx, VIGIL_F_NAME, VIGIL_K_PATH, LIT("f.txt\0dir\0tmp\0"));
	rec_str(fx, VIGIL_F_NAMERAW, "f.txt");
	o = encode(fx);

	expect_str(o, "evt.type", "openat");
	expect_str(o, "evt.time", "2025-11-25T11:42:46.123456789Z");
	expect_int(o, "evt.rawtime", (long long)REAL_NS);
	expect_str(o, "evt.res", "SUCCESS");
	expect_int(o, "evt.rawres", 3);
	expect_str(o, "fd.name", "/tmp/dir/f.txt");
	expect_str(o, "fd.nameraw", "f.txt");
	expect_int(o, "fd.num", 3);
	expect_int(o, "evt.arg.dirfd", -100);
	expect_str(o, "evt.arg.flags", "O_WRONLY|O_CREAT|O_CLOEXEC");
	expect_str(o, "evt.arg.mode", "0640");
	expect_only_args(o, "dirfd", "flags", "mode", NULL);
	expect_absent(o, "evt.truncated");
	expect_absent(o, "fd.sockfamily");
}

static void test_header_process_fields(void **state)
{
	struct fixture *fx = *state;
	json_t *o;

	rec_init(fx, VIGIL_EVT_UNLINK, 0);
	rec_str(fx, VIGIL_F_NAMERAW, "/tmp/x");
	o = encode(fx);
	expect_int(o, "proc.pid", PID);
	expect_int(o, "proc.tid", TID);
	expect_int(o, "proc.ppid", PPID);
	expect_int(o, "proc.vpid", 34);
	expect_str(o, "proc.name", "cat");
	expect_int(o, "user.uid", 1000);
	expect_int(o, "user.euid", 0);
	expect_int(o, "group.gid", 1001);
	expect_int(o, "group.egid", 2);
	expect_int(o, "user.loginuid", -1);
	expect_int(o, "proc.pidns", 4026531836ll);
	expect_int(o, "proc.mntns", 4026531841ll);
	expect_int(o, "proc.netns", 4026531840ll);
	expect_int(o, "cgroup.id", (long long)CGROUP_ID);
	/* nothing known about the process or its parent */
	expect_absent(o, "proc.exepath");
	expect_absent(o, "proc.exe");
	expect_absent(o, "proc.args");
	expect_absent(o, "proc.cmdline");
	expect_absent(o, "proc.cwd");
	expect_absent(o, "proc.pname");
	expect_absent(o, "proc.pexepath");
	expect_str(o, "evt.res", "SUCCESS");
	expect_str(o, "fd.name", "/tmp/x");
	expect_absent(o, "fd.num");
}

static void test_container_host(void **state)
{
	struct fixture *fx = *state;
	json_t *o;

	rec_init(fx, VIGIL_EVT_UNLINK, 0);
	o = encode(fx);
	expect_str(o, "container.id", "host");
	expect_absent(o, "container.full_id");
	expect_absent(o, "container.runtime");
	/* cgroup id 0: the kernel could not tell */
	rec_init(fx, VIGIL_EVT_UNLINK, 0)->cgroup_id = 0;
	o = encode(fx);
	expect_str(o, "container.id", "host");
	expect_int(o, "cgroup.id", 0);
}

/* A real cgroup named like a docker scope under the host's cgroup2 mount. */
static void test_container_docker(void **state)
{
	struct fixture *fx = *state;
	struct stat st;
	json_t *o;

	fx->real_cgroups = vigil_cgroups_new(NULL);
	assert_non_null(fx->real_cgroups);
	if (!vigil_cgroups_mount(fx->real_cgroups)[0]) {
		print_message("SKIP: no cgroup2 mount\n");
		return;
	}
	snprintf(fx->cg_base, sizeof(fx->cg_base), "%s/vigil-test-ej-%d",
		 vigil_cgroups_mount(fx->real_cgroups), (int)getpid());
	if (mkdir(fx->cg_base, 0755) < 0) {
		print_message("SKIP: cannot make %s\n", fx->cg_base);
		fx->cg_base[0] = '\0';
		return;
	}
	snprintf(fx->cg_dir, sizeof(fx->cg_dir), "%s/docker-" CONTAINER_ID ".scope", fx->cg_base);
	assert_int_equal(mkdir(fx->cg_dir, 0755), 0);
	assert_int_equal(stat(fx->cg_dir, &st), 0);
	/* resolved once and cached: the cgroups can go before the encoding */
	assert_true(vigil_cgroups_lookup(fx->real_cgroups, st.st_ino)->resolved);
	assert_int_equal(rmdir(fx->cg_dir), 0);
	assert_int_equal(rmdir(fx->cg_base), 0);
	fx->cg_dir[0] = fx->cg_base[0] = '\0';
	rec_init(fx, VIGIL_EVT_UNLINK, 0)->cgroup_id = st.st_ino;
	fx->ctx.cgroups = fx->real_cgroups;
	o = encode(fx);
	expect_int(o, "cgroup.id", (long long)st.st_ino);
	expect_str(o, "container.id", "3f4a9c2e8b7d");
	expect_str(o, "container.full_id", CONTAINER_ID);
	expect_str(o, "container.runtime", "docker");
}

static void test_no_result(void **state)
{
	struct fixture *fx = *state;
	json_t *o;

	rec_init(fx, VIGIL_EVT_OPENAT, -ENOENT)->flags = 0;
	o = encode(fx);
	expect_absent(o, "evt.res");
	expect_absent(o, "evt.rawres");
	expect_str(o, "evt.type", "openat");
}

/* Failed openat: the kernel sends the raw string and the directory. */
static void test_openat_failed_resolved(void **state)
{
	struct fixture *fx = *state;
	struct vigil_event_hdr *h = rec_init(fx, VIGIL_EVT_OPENAT, -ENOENT);
	json_t *o;

	h->args[0] = 5;
	h->args[2] = O_RDONLY;
	rec_field(fx, VIGIL_F_DIRPATH, VIGIL_K_PATH, LIT("dir\0tmp\0"));
	rec_str(fx, VIGIL_F_NAMERAW, "sub/../x");
	o = encode(fx);
	expect_str(o, "evt.res", "ENOENT");
	expect_int(o, "evt.rawres", -2);
	expect_str(o, "fd.name", "/tmp/dir/x");
	expect_str(o, "fd.nameraw", "sub/../x");
	expect_absent(o, "fd.num");
	expect_int(o, "evt.arg.dirfd", 5);
	expect_str(o, "evt.arg.flags", "O_RDONLY");
	expect_str(o, "evt.arg.mode", "0000");

	h = rec_init(fx, VIGIL_EVT_OPEN, -EACCES);
	rec_str(fx, VIGIL_F_NAMERAW, "/etc//./shadow");
	o = encode(fx);
	expect_str(o, "evt.type", "open");
	expect_str(o, "evt.res", "EACCES");
	expect_int(o, "evt.rawres", -13);
	expect_str(o, "fd.name", "/etc/shadow");
	expect_str(o, "fd.nameraw", "/etc//./shadow");
	expect_absent(o, "evt.arg.dirfd");
}

static void test_creat(void **state)
{
	struct fixture *fx = *state;
	json_t *o;

	rec_init(fx, VIGIL_EVT_CREAT, 4)->args[1] = 0600;
	rec_field(fx, VIGIL_F_NAME, VIGIL_K_PATH, LIT("new\0"));
	o = encode(fx);
	expect_str(o, "evt.arg.flags", "O_WRONLY|O_CREAT|O_TRUNC");
	expect_str(o, "evt.arg.mode", "0600");
	expect_int(o, "fd.num", 4);
	expect_str(o, "fd.name", "/new");
}

static void test_fd_in_arg0(void **state)
{
	struct fixture *fx = *state;
	struct vigil_event_hdr *h = rec_init(fx, VIGIL_EVT_FCHMOD, 0);
	json_t *o;

	h->args[0] = 7;
	h->args[1] = 0100755;
	rec_field(fx, VIGIL_F_NAME, VIGIL_K_PATH, LIT("run.sh\0u\0home\0"));
	o = encode(fx);
	expect_int(o, "fd.num", 7);
	expect_int(o, "evt.arg.fd", 7);
	expect_str(o, "evt.arg.mode", "0755");
	expect_str(o, "fd.name", "/home/u/run.sh");
}

static void test_connect_ipv4(void **state)
{
	struct fixture *fx = *state;
	struct sockaddr_in sin;
	struct vigil_sockinfo si;
	json_t *o;

	rec_init(fx, VIGIL_EVT_CONNECT, 0)->args[0] = 3;
	sin_of(&sin, "127.0.0.1", 8080);
	sockinfo_of(&si, AF_INET, SOCK_STREAM, IPPROTO_TCP, "127.0.0.1", 40000, "127.0.0.1", 8080);
	rec_field(fx, VIGIL_F_SOCKADDR, VIGIL_K_BYTES, &sin, sizeof(sin));
	rec_field(fx, VIGIL_F_SOCK, VIGIL_K_BYTES, &si, sizeof(si));
	o = encode(fx);
	expect_str(o, "evt.type", "connect");
	expect_str(o, "evt.res", "SUCCESS");
	expect_str(o, "fd.name", "127.0.0.1:40000->127.0.0.1:8080");
	expect_str(o, "fd.sockfamily", "ip");
	expect_str(o, "fd.l4proto", "tcp");
	expect_str(o, "fd.typechar", "4");
	expect_str(o, "fd.lip", "127.0.0.1");
	expect_int(o, "fd.lport", 40000);
	expect_str(o, "fd.rip", "127.0.0.1");
	expect_int(o, "fd.rport", 8080);
	expect_str(o, "fd.cip", "127.0.0.1");
	expect_int(o, "fd.cport", 40000);
	expect_str(o, "fd.sip", "127.0.0.1");
	expect_int(o, "fd.sport", 8080);
	expect_int(o, "fd.num", 3);
	expect_int(o, "evt.arg.fd", 3);
	expect_absent(o, "fd.nameraw");
}

/* The caller's sockaddr names the server even when the socket has not
 * recorded its peer (non-blocking connect, refused...). */
static void test_connect_sockaddr_wins(void **state)
{
	struct fixture *fx = *state;
	struct sockaddr_in sin;
	struct vigil_sockinfo si;
	json_t *o;

	rec_init(fx, VIGIL_EVT_CONNECT, -EINPROGRESS)->args[0] = 4;
	sin_of(&sin, "10.1.2.3", 443);
	sockinfo_of(&si, AF_INET, SOCK_STREAM, 0, "192.168.1.5", 51000, "0.0.0.0", 0);
	rec_field(fx, VIGIL_F_SOCK, VIGIL_K_BYTES, &si, sizeof(si));
	rec_field(fx, VIGIL_F_SOCKADDR, VIGIL_K_BYTES, &sin, sizeof(sin));
	o = encode(fx);
	expect_str(o, "evt.res", "EINPROGRESS");
	expect_str(o, "fd.name", "192.168.1.5:51000->10.1.2.3:443");
	expect_str(o, "fd.sip", "10.1.2.3");
	expect_int(o, "fd.sport", 443);
	expect_str(o, "fd.cip", "192.168.1.5");
	expect_str(o, "fd.l4proto", "tcp");
}

static void test_connect_ipv6(void **state)
{
	struct fixture *fx = *state;
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(53)};
	struct vigil_sockinfo si;
	json_t *o;

	rec_init(fx, VIGIL_EVT_CONNECT, 0)->args[0] = 9;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", &sin6.sin6_addr), 1);
	sockinfo_of(&si, AF_INET6, SOCK_DGRAM, IPPROTO_UDP, "::1", 33333, "2001:db8::1", 53);
	rec_field(fx, VIGIL_F_SOCKADDR, VIGIL_K_BYTES, &sin6, sizeof(sin6));
	rec_field(fx, VIGIL_F_SOCK, VIGIL_K_BYTES, &si, sizeof(si));
	o = encode(fx);
	expect_str(o, "fd.name", "[::1]:33333->[2001:db8::1]:53");
	expect_str(o, "fd.typechar", "6");
	expect_str(o, "fd.sockfamily", "ip");
	expect_str(o, "fd.l4proto", "udp");
	expect_str(o, "fd.lip", "::1");
	expect_str(o, "fd.rip", "2001:db8::1");
	expect_int(o, "fd.cport", 33333);
	expect_int(o, "fd.sport", 53);
}

/* accept: only the new socket; its remote end is the client. */
static void test_accept_sockinfo_only(void **state)
{
	struct fixture *fx = *state;
	struct vigil_sockinfo si;
	json_t *o;

	rec_init(fx, VIGIL_EVT_ACCEPT, 5)->args[0] = 3;
	sockinfo_of(&si, AF_INET, SOCK_STREAM, IPPROTO_TCP, "127.0.0.1", 8080, "127.0.0.1", 40000);
	rec_field(fx, VIGIL_F_SOCK, VIGIL_K_BYTES, &si, sizeof(si));
	o = encode(fx);
	expect_str(o, "evt.type", "accept");
	expect_str(o, "fd.name", "127.0.0.1:40000->127.0.0.1:8080");
	expect_str(o, "fd.cip", "127.0.0.1");
	expect_int(o, "fd.cport", 40000);
	expect_str(o, "fd.sip", "127.0.0.1");
	expect_int(o, "fd.sport", 8080);
	expect_int(o, "fd.lport", 8080);
	expect_int(o, "fd.rport", 40000);
	expect_str(o, "fd.l4proto", "tcp");
	expect_int(o, "fd.num", 5);
	expect_int(o, "evt.arg.listen_fd", 3);

	/* accept4 likewise, with distinct addresses */
	rec_init(fx, VIGIL_EVT_ACCEPT4, 6)->args[3] = SOCK_CLOEXEC;
	sockinfo_of(&si, AF_INET, SOCK_STREAM, IPPROTO_TCP, "10.0.0.1", 22, "10.0.0.99", 50123);
	rec_field(fx, VIGIL_F_SOCK, VIGIL_K_BYTES, &si, sizeof(si));
	o = encode(fx);
	expect_str(o, "fd.name", "10.0.0.99:50123->10.0.0.1:22");
	expect_str(o, "fd.cip", "10.0.0.99");
	expect_str(o, "fd.sip", "10.0.0.1");
	expect_str(o, "fd.lip", "10.0.0.1");
	expect_str(o, "fd.rip", "10.0.0.99");
	expect_str(o, "evt.arg.flags", "0x80000");
}

/* bind: the caller's sockaddr is the local end; no peer. */
static void test_bind(void **state)
{
	struct fixture *fx = *state;
	struct sockaddr_in sin;
	json_t *o;

	rec_init(fx, VIGIL_EVT_BIND, 0)->args[0] = 3;
	sin_of(&sin, "0.0.0.0", 8080);
	rec_field(fx, VIGIL_F_SOCKADDR, VIGIL_K_BYTES, &sin, sizeof(sin));
	o = encode(fx);
	expect_str(o, "fd.name", "0.0.0.0:8080");
	expect_str(o, "fd.lip", "0.0.0.0");
	expect_int(o, "fd.lport", 8080);
	expect_str(o, "fd.sockfamily", "ip");
	expect_absent(o, "fd.rip");
	expect_absent(o, "fd.cip");
	expect_absent(o, "fd.sip");
}

static void test_unix_sockets(void **state)
{
	struct fixture *fx = *state;
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	uint32_t len;
	json_t *o;

	rec_init(fx, VIGIL_EVT_CONNECT, 0)->args[0] = 3;
	strcpy(sun.sun_path, "/run/x.sock");
	len = (uint32_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sun.sun_path) + 1);
	rec_field(fx, VIGIL_F_SOCKADDR, VIGIL_K_BYTES, &sun, len);
	o = encode(fx);
	expect_str(o, "fd.name", "/run/x.sock");
	expect_str(o, "fd.sockfamily", "unix");
	expect_str(o, "fd.l4proto", "unix");
	expect_str(o, "fd.typechar", "u");
	expect_absent(o, "fd.lip");
	expect_absent(o, "fd.rip");

	/* abstract: leading NUL shown as '@', length from the sockaddr */
	rec_init(fx, VIGIL_EVT_CONNECT, 0)->args[0] = 3;
	memset(sun.sun_path, 0, sizeof(sun.sun_path));
	memcpy(sun.sun_path, "\0abc", 4);
	len = (uint32_t)(offsetof(struct sockaddr_un, sun_path) + 4);
	rec_field(fx, VIGIL_F_SOCKADDR, VIGIL_K_BYTES, &sun, len);
	o = encode(fx);
	expect_str(o, "fd.name", "@abc");

	/* a full-length path with no NUL */
	rec_init(fx, VIGIL_EVT_BIND, 0)->args[0] = 3;
	memset(sun.sun_path, 'p', sizeof(sun.sun_path));
	rec_field(fx, VIGIL_F_SOCKADDR, VIGIL_K_BYTES, &sun, sizeof(sun));
	o = encode(fx);
	assert_int_equal(strlen(json_string_value(get(o, "fd.name"))), sizeof(sun.sun_path));
}

/* Sockaddrs too short for their family are not read past their length. */
static void test_short_sockaddr(void **state)
{
	struct fixture *fx = *state;
	struct sockaddr_in sin;
	json_t *o;

	rec_init(fx, VIGIL_EVT_CONNECT, 0)->args[0] = 3;
	sin_of(&sin, "1.2.3.4", 80);
	rec_field(fx, VIGIL_F_SOCKADDR, VIGIL_K_BYTES, &sin, 8);
	o = encode(fx);
	expect_absent(o, "fd.name");
	expect_absent(o, "fd.sockfamily");
	expect_int(o, "fd.num", 3);
}

static void test_procexit(void **state)
{
	struct fixture *fx = *state;
	json_t *o;

	rec_init(fx, VIGIL_EVT_PROCEXIT, 7 << 8)->args[VIGIL_EXIT_ARG_CODE] = 7 << 8;
	o = encode(fx);
	expect_str(o, "evt.type", "procexit");
	expect_str(o, "evt.res", "SUCCESS");
	expect_int(o, "evt.arg.status", 7 << 8);
	expect_int(o, "evt.arg.exit_code", 7);
	expect_int(o, "evt.arg.signal", 0);
	expect_bool(o, "evt.arg.core", false);
	expect_absent(o, "fd.name");

	/* killed by SIGKILL */
	rec_init(fx, VIGIL_EVT_PROCEXIT, 9)->args[VIGIL_EXIT_ARG_CODE] = 9;
	o = encode(fx);
	expect_str(o, "evt.res", "SUCCESS");
	expect_int(o, "evt.arg.exit_code", 0);
	expect_int(o, "evt.arg.signal", 9);
	expect_bool(o, "evt.arg.core", false);

	/* SIGABRT with a core dump */
	rec_init(fx, VIGIL_EVT_PROCEXIT, 0x86)->args[VIGIL_EXIT_ARG_CODE] = 0x86;
	o = encode(fx);
	expect_int(o, "evt.arg.exit_code", 0);
	expect_int(o, "evt.arg.signal", 6);
	expect_bool(o, "evt.arg.core", true);

	/* exit(255) */
	rec_init(fx, VIGIL_EVT_PROCEXIT, 0xff00)->args[VIGIL_EXIT_ARG_CODE] = 0xff00;
	o = encode(fx);
	expect_int(o, "evt.arg.exit_code", 255);
	expect_int(o, "evt.arg.signal", 0);
	expect_only_args(o, "status", "exit_code", "signal", "core", NULL);
}

static void test_clone_kind(void **state)
{
	struct fixture *fx = *state;
	struct vigil_event_hdr *h;
	json_t *o;

	h = rec_init(fx, VIGIL_EVT_CLONE, 2001);
	h->args[VIGIL_CLONE_ARG_CHILD_TID] = 2001;
	h->args[VIGIL_CLONE_ARG_CHILD_PID] = PID;
	h->args[VIGIL_CLONE_ARG_IS_THREAD] = 1;
	o = encode(fx);
	expect_str(o, "evt.type", "clone");
	expect_str(o, "evt.res", "SUCCESS");
	expect_int(o, "evt.rawres", 2001);
	expect_str(o, "evt.arg.kind", "thread");
	expect_int(o, "evt.arg.child_tid", 2001);
	expect_int(o, "evt.arg.child_pid", PID);

	h = rec_init(fx, VIGIL_EVT_CLONE, 3000);
	h->args[VIGIL_CLONE_ARG_CHILD_TID] = 3000;
	h->args[VIGIL_CLONE_ARG_CHILD_PID] = 3000;
	h->args[VIGIL_CLONE_ARG_IS_THREAD] = 0;
	o = encode(fx);
	expect_str(o, "evt.arg.kind", "process");
	expect_int(o, "evt.arg.child_pid", 3000);
	expect_only_args(o, "kind", "child_tid", "child_pid", NULL);
	expect_absent(o, "fd.name");
}

static void test_known_process(void **state)
{
	struct fixture *fx = *state;
	static const char argv[] = "cat\0-n\0/etc/passwd";
	static const char pargv[] = "bash\0-c\0cat -n /etc/passwd";
	json_t *o;

	assert_non_null(vigil_proctable_exec(fx->procs, PPID, 1, "/usr/bin/bash", pargv,
					     sizeof(pargv), "/root", "bash", 0, 0, 0, 1));
	assert_non_null(vigil_proctable_exec(fx->procs, PID, PPID, "/usr/bin/cat", argv,
					     sizeof(argv), "/home/u", "cat", 1000, 1001, 0, 2));
	rec_init(fx, VIGIL_EVT_OPENAT, 3);
	rec_field(fx, VIGIL_F_NAME, VIGIL_K_PATH, LIT("passwd\0etc\0"));
	o = encode(fx);
	expect_str(o, "proc.name", "cat");
	expect_str(o, "proc.exepath", "/usr/bin/cat");
	expect_str(o, "proc.exe", "cat");
	expect_str(o, "proc.args", "-n /etc/passwd");
	expect_str(o, "proc.cmdline", "cat -n /etc/passwd");
	expect_str(o, "proc.cwd", "/home/u");
	expect_str(o, "proc.pname", "bash");
	expect_str(o, "proc.pexepath", "/usr/bin/bash");
	expect_str(o, "fd.name", "/etc/passwd");
}

/* Parent known, process itself not: parent fields only. A process with no
 * arguments has an empty proc.args and a cmdline that is just its name. */
static void test_partly_known_process(void **state)
{
	struct fixture *fx = *state;
	json_t *o;

	assert_non_null(vigil_proctable_exec(fx->procs, PPID, 1, "/usr/sbin/sshd", "sshd", 5, "/",
					     NULL, 0, 0, 0, 1));
	rec_init(fx, VIGIL_EVT_UNLINK, 0);
	o = encode(fx);
	expect_absent(o, "proc.exepath");
	expect_absent(o, "proc.cmdline");
	expect_str(o, "proc.pname", "sshd");
	expect_str(o, "proc.pexepath", "/usr/sbin/sshd");

	assert_non_null(vigil_proctable_exec(fx->procs, PID, PPID, "/usr/bin/cat", "cat", 4, "/",
					     "cat", 0, 0, 0, 2));
	o = encode(fx);
	expect_str(o, "proc.args", "");
	expect_str(o, "proc.cmdline", "cat");
	expect_str(o, "proc.exe", "cat");
}

/* A comm of exactly 16 bytes has no NUL in the record. */
static void test_comm_full_length(void **state)
{
	struct fixture *fx = *state;
	json_t *o;

	memcpy(rec_init(fx, VIGIL_EVT_UNLINK, 0)->comm, "abcdefghijklmnop", VIGIL_COMM_LEN);
	o = encode(fx);
	expect_str(o, "proc.name", "abcdefghijklmnop");
}

static void test_execve(void **state)
{
	struct fixture *fx = *state;
	static const char argv[] = "ls\0-l";
	json_t *o;

	rec_init(fx, VIGIL_EVT_EXECVE, 0);
	rec_field(fx, VIGIL_F_EXE, VIGIL_K_PATH, LIT("ls\0bin\0usr\0"));
	rec_field(fx, VIGIL_F_ARGV, VIGIL_K_STR, argv, sizeof(argv));
	rec_str(fx, VIGIL_F_NAMERAW, "/bin/ls");
	o = encode(fx);
	expect_str(o, "evt.type", "execve");
	expect_str(o, "evt.arg.filename", "/bin/ls");
	expect_absent(o, "fd.name");
	expect_only_args(o, "filename", NULL);

	/* failed: the path that could not be run is the object */
	rec_init(fx, VIGIL_EVT_EXECVE, -ENOENT);
	rec_field(fx, VIGIL_F_DIRPATH, VIGIL_K_PATH, LIT("u\0home\0"));
	rec_str(fx, VIGIL_F_NAMERAW, "./nope");
	o = encode(fx);
	expect_str(o, "evt.res", "ENOENT");
	expect_str(o, "evt.arg.filename", "./nope");
	expect_str(o, "fd.name", "/home/u/nope");
}

static void test_rename_newpath(void **state)
{
	struct fixture *fx = *state;
	struct vigil_event_hdr *h = rec_init(fx, VIGIL_EVT_RENAMEAT, 0);
	json_t *o;

	h->args[0] = (uint64_t)(int64_t)AT_FDCWD;
	h->args[2] = 8;
	rec_str(fx, VIGIL_F_NAMERAW, "a.txt");
	rec_field(fx, VIGIL_F_DIRPATH, VIGIL_K_PATH, LIT("src\0"));
	rec_str(fx, VIGIL_F_TARGET, "../dst/b.txt");
	rec_field(fx, VIGIL_F_TARGETDIR, VIGIL_K_PATH, LIT("x\0src\0"));
	o = encode(fx);
	expect_str(o, "fd.name", "/src/a.txt");
	expect_str(o, "fd.nameraw", "a.txt");
	expect_str(o, "evt.arg.newpath", "/src/dst/b.txt");
	expect_str(o, "evt.arg.newpathraw", "../dst/b.txt");
	expect_int(o, "evt.arg.olddirfd", -100);
	expect_int(o, "evt.arg.newdirfd", 8);
}

/* symlink: the link is the object, the first string its content. */
static void test_symlink(void **state)
{
	struct fixture *fx = *state;
	json_t *o;

	rec_init(fx, VIGIL_EVT_SYMLINK, 0);
	rec_str(fx, VIGIL_F_NAMERAW, "../etc/shadow");
	rec_str(fx, VIGIL_F_TARGET, "lnk");
	rec_field(fx, VIGIL_F_TARGETDIR, VIGIL_K_PATH, LIT("tmp\0"));
	o = encode(fx);
	expect_str(o, "fd.name", "/tmp/lnk");
	expect_str(o, "fd.nameraw", "lnk");
	expect_str(o, "evt.arg.target", "../etc/shadow");
	expect_absent(o, "evt.arg.newpath");
}

static void test_mount(void **state)
{
	struct fixture *fx = *state;
	json_t *o;

	rec_init(fx, VIGIL_EVT_MOUNT, 0)->args[3] = MS_BIND | MS_REC;
	rec_str(fx, VIGIL_F_NAMERAW, "/dev/sda1");
	rec_str(fx, VIGIL_F_TARGET, "/mnt/../mnt/data/");
	rec_str(fx, VIGIL_F_FSTYPE, "ext4");
	o = encode(fx);
	expect_str(o, "fd.name", "/mnt/data");
	expect_str(o, "fd.nameraw", "/mnt/../mnt/data/");
	expect_str(o, "evt.arg.source", "/dev/sda1");
	expect_str(o, "evt.arg.fstype", "ext4");
	expect_str(o, "evt.arg.flags", "MS_BIND|MS_REC");
}

static void test_kernel_family_args(void **state)
{
	struct fixture *fx = *state;
	struct vigil_event_hdr *h;
	json_t *o;

	rec_init(fx, VIGIL_EVT_MEMFD_CREATE, 9)->args[1] = 1;
	rec_str(fx, VIGIL_F_DATA, "payload");
	o = encode(fx);
	expect_str(o, "evt.arg.name", "payload");
	expect_str(o, "evt.arg.flags", "MFD_CLOEXEC");
	expect_int(o, "fd.num", 9);

	rec_init(fx, VIGIL_EVT_UNSHARE, 0)->args[0] = CLONE_NEWNS | CLONE_NEWUSER;
	o = encode(fx);
	expect_str(o, "evt.arg.flags", "CLONE_NEWNS|CLONE_NEWUSER");
	expect_only_args(o, "flags", NULL);

	h = rec_init(fx, VIGIL_EVT_KILL, -ESRCH);
	h->args[0] = (uint64_t)-1;
	h->args[1] = 9;
	o = encode(fx);
	expect_str(o, "evt.res", "ESRCH");
	expect_int(o, "evt.arg.pid", -1);
	expect_int(o, "evt.arg.sig", 9);

	h = rec_init(fx, VIGIL_EVT_CAPSET, 0);
	h->args[2] = 1ull << CAP_SYS_ADMIN;
	h->args[3] = (1ull << CAP_NET_ADMIN) | (1ull << CAP_SYS_ADMIN);
	o = encode(fx);
	expect_str(o, "evt.arg.cap_effective", "CAP_SYS_ADMIN");
	expect_str(o, "evt.arg.cap_permitted", "CAP_NET_ADMIN|CAP_SYS_ADMIN");

	h = rec_init(fx, VIGIL_EVT_SETUID, 0);
	h->args[0] = 0;
	h->args[3] = 1000;
	o = encode(fx);
	expect_int(o, "evt.arg.uid", 0);
	expect_int(o, "evt.arg.old_uid", 1000);
}

static void test_truncated_flag(void **state)
{
	struct fixture *fx = *state;
	struct vigil_field *f;
	json_t *o;

	rec_init(fx, VIGIL_EVT_OPENAT, 3);
	rec_field(fx, VIGIL_F_NAME, VIGIL_K_PATH, LIT("leaf\0mid\0"));
	f = (struct vigil_field *)((char *)fx->rec.words + HDR_SIZE);
	f->flags = VIGIL_PATH_TRUNCATED;
	o = encode(fx);
	expect_bool(o, "evt.truncated", true);
	expect_str(o, "fd.name", "/mid/leaf");
}

/* Whatever bytes a path holds come back intact through the JSON. */
static void test_path_escaping(void **state)
{
	struct fixture *fx = *state;
	json_t *o;

	rec_init(fx, VIGIL_EVT_UNLINK, 0);
	rec_field(fx, VIGIL_F_NAME, VIGIL_K_PATH, LIT("a\"b\\c\nd\te\x01\0dir\0"));
	o = encode(fx);
	expect_str(o, "fd.name", "/dir/a\"b\\c\nd\te\x01");
}

static void test_unknown_type(void **state)
{
	struct fixture *fx = *state;
	json_t *o;

	rec_init(fx, 999, 0);
	rec_str(fx, VIGIL_F_NAMERAW, "/x");
	o = encode(fx);
	expect_str(o, "evt.type", "unknown");
	expect_str(o, "evt.res", "SUCCESS");
	expect_str(o, "proc.name", "cat");
	expect_only_args(o, NULL);
	expect_absent(o, "fd.name");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_time_format),
	    cmocka_unit_test_setup_teardown(test_openat_success, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_header_process_fields, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_container_host, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_container_docker, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_result, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_openat_failed_resolved, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_creat, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fd_in_arg0, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_connect_ipv4, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_connect_sockaddr_wins, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_connect_ipv6, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_accept_sockinfo_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bind, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unix_sockets, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_short_sockaddr, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_procexit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clone_kind, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_known_process, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_partly_known_process, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_comm_full_length, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_execve, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rename_newpath, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_symlink, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mount, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kernel_family_args, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_truncated_flag, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_path_escaping, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_type, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
