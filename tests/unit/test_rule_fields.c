/* test_rule_fields.c - unit tests for the rule fields (src/rule_fields.c):
 * parsing field references (arguments, errors, longest match), extracting
 * every family of fields from hand-built events, a process table with a
 * parent chain and hand-filled cgroup info, multi-valued ancestor and
 * address fields, /proc reads (environment, standard fds), user and group
 * names, and formatting values for outputs.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "rule_fields.h"

/* Declared in rule_fields.c (not yet in the header). */
void vigil_fields_print(FILE *out, bool markdown);
void vigil_fields_set_id_files(const char *passwd, const char *group);

#define TS_MONO	      5000000123ull
#define MONO_TO_REAL  1699999995000000000ll /* real time 1700000000.000000123 */
#define ENV_NAME      "VIGIL_TEST_ENV"
#define ENV_VALUE     "hello world"
#define CONTAINER_ID  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define CAP_CHOWN_BIT (1ull << 0)
#define CAP_ADMIN_BIT (1ull << 21)

/* ---- building events ---- */

struct evbuf {
	uint64_t words[VIGIL_EVENT_MAX / 8];
	size_t len;
};

static struct evbuf eb;
static struct vigil_event ev;
static struct vigil_decode_buf dbuf;
static struct vigil_eval_ctx ctx;
static struct vigil_proctable *procs;
static struct vigil_cgroup_info host_cg, ctr_cg;

static struct vigil_event_hdr *hdr(void)
{
	return (struct vigil_event_hdr *)eb.words;
}

static void ev_begin(uint32_t type, int64_t ret)
{
	struct vigil_event_hdr *h = hdr();

	memset(&eb, 0, sizeof(eb));
	h->type = type;
	h->ret = ret;
	h->flags = VIGIL_HDR_HAS_RET;
	h->ts_mono = TS_MONO;
	h->cgroup_id = 77;
	h->pid = h->tid = h->vpid = 300;
	h->ppid = 200;
	h->uid = h->euid = 0;
	h->gid = h->egid = 0;
	h->loginuid = UINT32_MAX;
	h->pidns = 4026531836u;
	h->mntns = 4026531832u;
	h->netns = 4026531833u;
	memcpy(h->comm, "cat", 4);
	eb.len = sizeof(*h);
}

static void ev_field(uint8_t id, uint8_t kind, const void *data, uint32_t len)
{
	struct vigil_field f = {.id = id, .kind = kind, .len = len};
	uint8_t *b = (uint8_t *)eb.words;

	memcpy(b + eb.len, &f, sizeof(f));
	memcpy(b + eb.len + sizeof(f), data, len);
	eb.len += sizeof(f) + ((len + 7u) & ~7u);
}

static void ev_str(uint8_t id, const char *s)
{
	ev_field(id, VIGIL_K_STR, s, (uint32_t)strlen(s) + 1);
}

/* Decodes the built record and points the context at it. */
static void ev_end(void)
{
	hdr()->size = (uint32_t)eb.len;
	assert_int_equal(vigil_event_decode(eb.words, eb.len, &ev, &dbuf), 0);
	ctx.ev = &ev;
	ctx.proc = vigil_proctable_get(procs, ev.hdr->pid);
	vigil_eval_ctx_reset(&ctx);
}

/* After changing the event or the context in place: a new event, as far as
 * the fields are concerned (values are remembered per event). */
static void changed(void)
{
	vigil_eval_ctx_reset(&ctx);
}

/* ---- looking fields up ---- */

static void parse_ok(const char *name, struct vigil_field_ref *ref)
{
	const char *err = NULL;
	size_t n = vigil_field_parse(name, ref, &err);

	if (n != strlen(name))
		fail_msg("%s: parsed %zu chars (%s)", name, n, err ? err : "no error");
}

static bool get(const char *name, struct vigil_value *v)
{
	struct vigil_field_ref ref;

	parse_ok(name, &ref);
	return vigil_field_get(&ctx, &ref, v);
}

static void expect_str(const char *name, const char *want)
{
	struct vigil_value v;

	if (!get(name, &v))
		fail_msg("%s: absent, want \"%s\"", name, want);
	assert_int_equal(v.type, VIGIL_FT_STRING);
	if (v.len != strlen(want) || memcmp(v.str, want, v.len) != 0)
		fail_msg("%s: got \"%.*s\", want \"%s\"", name, (int)v.len, v.str, want);
	assert_int_equal(v.str[v.len], '\0');
}

static void expect_int(const char *name, int64_t want)
{
	struct vigil_value v;

	if (!get(name, &v))
		fail_msg("%s: absent, want %lld", name, (long long)want);
	assert_int_equal(v.type, VIGIL_FT_INT);
	if (v.num != want)
		fail_msg("%s: got %lld, want %lld", name, (long long)v.num, (long long)want);
}

static void expect_bool(const char *name, bool want)
{
	struct vigil_value v;

	if (!get(name, &v))
		fail_msg("%s: absent, want %d", name, want);
	assert_int_equal(v.type, VIGIL_FT_BOOL);
	if (v.num != want)
		fail_msg("%s: got %lld, want %d", name, (long long)v.num, want);
}

static void expect_absent(const char *name)
{
	struct vigil_value v;

	if (get(name, &v))
		fail_msg("%s: present, want absent", name);
}

static void format_ip(const struct vigil_value *v, char *out, size_t outsz)
{
	vigil_value_format(v, true, out, outsz);
}

static void expect_ip(const char *name, enum vigil_ftype type, const char *want)
{
	struct vigil_value v;
	char text[64];

	if (!get(name, &v))
		fail_msg("%s: absent, want %s", name, want);
	assert_int_equal(v.type, type);
	assert_int_equal(v.ip_len, strchr(want, ':') ? 16 : 4);
	format_ip(&v, text, sizeof(text));
	if (strcmp(text, want) != 0)
		fail_msg("%s: got %s, want %s", name, text, want);
}

/* The n-th value of a multi-valued field, formatted; false past the last. */
static bool nth_text(const char *name, size_t n, char *out, size_t outsz)
{
	struct vigil_field_ref ref;
	struct vigil_value v;

	parse_ok(name, &ref);
	assert_true(vigil_field_is_multi(&ref));
	if (!vigil_field_get_nth(&ctx, &ref, n, &v))
		return false;
	vigil_value_format(&v, true, out, outsz);
	return true;
}

static void expect_nth(const char *name, size_t n, const char *want)
{
	char text[256];

	if (!nth_text(name, n, text, sizeof(text)))
		fail_msg("%s #%zu: absent, want %s", name, n, want);
	if (strcmp(text, want) != 0)
		fail_msg("%s #%zu: got %s, want %s", name, n, text, want);
}

static void expect_no_nth(const char *name, size_t n)
{
	char text[256];

	if (nth_text(name, n, text, sizeof(text)))
		fail_msg("%s #%zu: got %s, want none", name, n, text);
}

/* ---- fixtures: a process chain systemd(1) > sshd(100) > bash(200) > cat(300) ---- */

static struct vigil_proc *add_proc(uint32_t pid, uint32_t ppid, const char *exe, const char *argv,
				   size_t argv_len, const char *comm, uint32_t sid, uint64_t start)
{
	struct vigil_proc *p = vigil_proctable_exec(procs, pid, ppid, exe, argv, argv_len, "/root",
						    comm, 0, 0, 77, start);

	assert_non_null(p);
	p->sid = sid;
	return p;
}

static int setup(void **state)
{
	struct vigil_proc *cat;

	(void)state;
	procs = vigil_proctable_new(64);
	assert_non_null(procs);
	add_proc(1, 0, "/usr/lib/systemd/systemd", "/sbin/init\0splash", 18, "systemd", 1, 0);
	add_proc(100, 1, "/usr/sbin/sshd", "sshd: root", 11, "sshd", 100, 500000000);
	/* bash forked from sshd, then exec'd */
	assert_non_null(vigil_proctable_fork(procs, 100, 200, 900000000));
	add_proc(200, 100, "/usr/bin/bash", "-bash", 6, "bash", 200, 1000000000);
	cat = add_proc(300, 200, "/usr/bin/cat", "cat\0/etc/hostname\0-n", 21, "cat", 200,
		       4000000000ull);
	cat->tty = 34817;
	cat->cap_effective = CAP_CHOWN_BIT;
	cat->cap_permitted = CAP_CHOWN_BIT | CAP_ADMIN_BIT;

	host_cg.id = 1;
	strcpy(host_cg.path, "/");
	host_cg.resolved = true;
	ctr_cg.id = 77;
	strcpy(ctr_cg.path, "/system.slice/docker-" CONTAINER_ID ".scope");
	strcpy(ctr_cg.container.id, CONTAINER_ID);
	ctr_cg.container.runtime = "docker";
	ctr_cg.resolved = true;

	ctx.procs = procs;
	ctx.cgroup = &host_cg;
	ctx.hostname = "testhost";
	changed();
	ctx.evt_num = 42;
	ctx.mono_to_real_ns = MONO_TO_REAL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vigil_proctable_free(procs);
	return 0;
}

static void openat_event(uint64_t flags, uint64_t mode, int64_t ret, const char *name,
			 const char *raw)
{
	ev_begin(VIGIL_EVT_OPENAT, ret);
	hdr()->args[0] = (uint64_t)(int64_t)-100;
	hdr()->args[2] = flags;
	hdr()->args[3] = mode;
	ev_str(VIGIL_F_NAME, name);
	ev_str(VIGIL_F_NAMERAW, raw);
	ev_end();
}

/* ---- parsing ---- */

static const char *def_name(const struct vigil_field_ref *ref)
{
	return vigil_field_def(ref->id)->name;
}

static void parse_err(const char *text, const char *want_err)
{
	struct vigil_field_ref ref;
	const char *err = NULL;

	if (vigil_field_parse(text, &ref, &err) != 0)
		fail_msg("%s: parsed, want error %s", text, want_err);
	assert_non_null(err);
	assert_string_equal(err, want_err);
}

static void test_parse_names(void **state)
{
	struct vigil_field_ref ref;
	const char *err = NULL;

	(void)state;
	assert_int_equal(vigil_field_parse("proc.name=bash", &ref, &err), 9);
	assert_string_equal(def_name(&ref), "proc.name");
	assert_int_equal(ref.index, -1);
	assert_string_equal(ref.key, "");
	/* longest match among names sharing a prefix */
	parse_ok("proc.exe_ino.ctime", &ref);
	assert_string_equal(def_name(&ref), "proc.exe_ino.ctime");
	parse_ok("proc.exe_ino", &ref);
	assert_string_equal(def_name(&ref), "proc.exe_ino");
	parse_ok("proc.exe", &ref);
	assert_string_equal(def_name(&ref), "proc.exe");
	parse_ok("proc.exepath", &ref);
	assert_string_equal(def_name(&ref), "proc.exepath");
	parse_ok("fd.sip.name", &ref);
	assert_string_equal(def_name(&ref), "fd.sip.name");
	parse_ok("fd.sip", &ref);
	assert_string_equal(def_name(&ref), "fd.sip");
	parse_ok("evt.args", &ref);
	assert_string_equal(def_name(&ref), "evt.args");
	assert_int_equal(vigil_field_parse("fd.name startswith /etc", &ref, &err), 7);
	assert_int_equal(vigil_field_parse("(fd.num>=0)", &ref, &err), 0);
	parse_err("fd.sipx", "unknown field");
	parse_err("proc.nosuch", "unknown field");
	parse_err("proc", "unknown field");
	parse_err("", "unknown field");
	parse_err("proc.exepathx", "unknown field");
}

static void test_parse_arguments(void **state)
{
	struct vigil_field_ref ref;
	const char *err = NULL;

	(void)state;
	parse_ok("proc.aname[2]", &ref);
	assert_string_equal(def_name(&ref), "proc.aname");
	assert_int_equal(ref.index, 2);
	assert_false(vigil_field_is_multi(&ref));
	parse_ok("proc.aname", &ref);
	assert_int_equal(ref.index, -1);
	assert_true(vigil_field_is_multi(&ref));
	assert_int_equal(vigil_field_parse("proc.aname[3] in (a, b)", &ref, &err), 13);
	parse_ok("evt.arg.flags", &ref);
	assert_string_equal(def_name(&ref), "evt.arg");
	assert_string_equal(ref.key, "flags");
	assert_int_equal(ref.index, -1);
	parse_ok("evt.arg[1]", &ref);
	assert_int_equal(ref.index, 1);
	assert_string_equal(ref.key, "");
	parse_ok("evt.arg[flags]", &ref);
	assert_string_equal(ref.key, "flags");
	parse_ok("evt.rawarg.mode", &ref);
	assert_string_equal(def_name(&ref), "evt.rawarg");
	parse_ok("proc.env", &ref);
	assert_string_equal(ref.key, "");
	parse_ok("proc.env[HOME]", &ref);
	assert_string_equal(ref.key, "HOME");
	parse_ok("proc.env.HOME", &ref);
	assert_string_equal(ref.key, "HOME");
	parse_ok("container.mount.dest[/proc*]", &ref);
	assert_string_equal(def_name(&ref), "container.mount.dest");
	assert_string_equal(ref.key, "/proc*");
	parse_ok("k8s.pod.label.app", &ref);
	assert_string_equal(ref.key, "app");
	assert_false(vigil_field_is_multi(&ref));
	parse_ok("fd.ip", &ref);
	assert_true(vigil_field_is_multi(&ref));
	parse_ok("fd.sip", &ref);
	assert_false(vigil_field_is_multi(&ref));

	parse_err("evt.arg", "field needs an argument");
	parse_err("k8s.pod.label", "field needs an argument");
	parse_err("proc.aname[x]", "field index must be a number");
	parse_err("proc.aname[]", "field index must be a number");
	parse_err("proc.aname[2", "missing ']' after the field argument");
	parse_err("proc.name[1]", "field takes no argument");
	parse_err("evt.arg[]", "empty field argument");
	parse_err("evt.arg.", "empty field argument");
	parse_err("proc.env[AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA]",
		  "field argument too long");
}

/* Every field parses from its own name (plus an argument where needed),
 * and names are unique. */
static void test_parse_table(void **state)
{
	size_t n = vigil_field_count();

	(void)state;
	assert_true(n > 150);
	assert_null(vigil_field_def((uint16_t)n));
	for (size_t i = 0; i < n; i++) {
		const struct vigil_field_def *d = vigil_field_def((uint16_t)i);
		struct vigil_field_ref ref;
		char text[96];

		assert_non_null(d->desc);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(d->name, vigil_field_def((uint16_t)j)->name);
		if (d->arg == VIGIL_FARG_NONE || d->arg_optional)
			snprintf(text, sizeof(text), "%s", d->name);
		else
			snprintf(text, sizeof(text), "%s[%s]", d->name,
				 d->arg == VIGIL_FARG_INDEX ? "1" : "x");
		parse_ok(text, &ref);
		assert_int_equal(ref.id, i);
	}
}

/* Every field the maintained Falco rule files use is known. */
static void test_parse_falco_fields(void **state)
{
	static const char *const used[] = {
	    "evt.type",
	    "evt.dir",
	    "evt.is_open_write",
	    "evt.is_open_read",
	    "evt.is_open_exec",
	    "evt.res",
	    "evt.rawres",
	    "evt.num",
	    "evt.hostname",
	    "evt.args",
	    "evt.buffer",
	    "evt.arg.path",
	    "evt.arg.name",
	    "evt.arg.oldpath",
	    "evt.arg.newpath",
	    "evt.arg.target",
	    "evt.arg.linkpath",
	    "evt.arg.filename",
	    "evt.arg.mode",
	    "evt.arg.flags",
	    "evt.arg.uid",
	    "evt.arg.fd",
	    "evt.arg.request",
	    "evt.arg[0]",
	    "fd.typechar",
	    "fd.num",
	    "fd.name",
	    "fd.nameraw",
	    "fd.directory",
	    "fd.filename",
	    "fd.type",
	    "fd.l4proto",
	    "fd.sockfamily",
	    "fd.connected",
	    "fd.name_changed",
	    "fd.ip",
	    "fd.port",
	    "fd.net",
	    "fd.snet",
	    "fd.cnet",
	    "fd.rnet",
	    "fd.sip",
	    "fd.cip",
	    "fd.rip",
	    "fd.sport",
	    "fd.lport",
	    "fd.rport",
	    "fd.sip.name",
	    "fd.cip.name",
	    "fd.rip.name",
	    "fd.lip.name",
	    "proc.name",
	    "proc.pname",
	    "proc.aname",
	    "proc.aname[2]",
	    "proc.aexe[2]",
	    "proc.aexepath[2]",
	    "proc.duration",
	    "proc.cmdline",
	    "proc.pcmdline",
	    "proc.args",
	    "proc.exe",
	    "proc.pexe",
	    "proc.exepath",
	    "proc.pexepath",
	    "proc.tty",
	    "proc.cwd",
	    "proc.sname",
	    "proc.vpid",
	    "proc.env",
	    "proc.is_exe_upper_layer",
	    "proc.is_exe_from_memfd",
	    "proc.is_vpgid_leader",
	    "proc.exe_ino.ctime",
	    "proc.exe_ino.mtime",
	    "proc.exe_ino.ctime_duration_proc_start",
	    "user.name",
	    "user.uid",
	    "user.loginuid",
	    "user.loginname",
	    "group.gid",
	    "group.name",
	    "thread.cap_effective",
	    "thread.cap_permitted",
	    "container.id",
	    "container.name",
	    "container.info",
	    "container.image.repository",
	    "container.privileged",
	    "container.mount.dest[/proc*]",
	    "container.mount.dest[/var/run/docker.sock]",
	    "container.mounts",
	    "container.start_ts",
	    "k8s.ns.name",
	    "k8s.pod.name",
	};
	struct vigil_field_ref ref;

	(void)state;
	for (size_t i = 0; i < sizeof(used) / sizeof(used[0]); i++)
		parse_ok(used[i], &ref);
}

/* ---- evt.* ---- */

static void test_evt_fields(void **state)
{
	struct vigil_value v;

	(void)state;
	openat_event(O_RDONLY | O_CLOEXEC, 0, -2, "/etc/shadow", "../etc/shadow");
	expect_str("evt.type", "openat");
	expect_str("syscall.type", "openat");
	expect_str("evt.dir", "<");
	expect_str("evt.res", "ENOENT");
	expect_int("evt.rawres", -2);
	expect_bool("evt.failed", true);
	expect_int("evt.num", 42);
	expect_str("evt.time", "2023-11-14T22:13:20.000000123Z");
	expect_int("evt.rawtime", 1700000000000000123ll);
	expect_str("evt.hostname", "testhost");
	expect_str("evt.category", "file");
	expect_str("evt.source", "syscall");
	expect_bool("evt.is_async", false);
	expect_bool("evt.truncated", false);
	expect_str("evt.arg.flags", "O_RDONLY|O_CLOEXEC");
	expect_str("evt.arg[flags]", "O_RDONLY|O_CLOEXEC");
	expect_str("evt.arg.dirfd", "-100");
	expect_str("evt.arg[0]", "-100");
	expect_str("evt.arg[1]", "O_RDONLY|O_CLOEXEC");
	expect_str("evt.arg[2]", "0000");
	expect_absent("evt.arg[3]");
	expect_absent("evt.arg[9]");
	expect_str("evt.arg.mode", "0000");
	expect_str("evt.arg.name", "/etc/shadow"); /* Falco's name for the path */
	expect_absent("evt.arg.nosuch");
	expect_int("evt.rawarg.flags", O_RDONLY | O_CLOEXEC);
	expect_int("evt.rawarg.dirfd", -100);
	expect_int("evt.rawarg[0]", -100);
	expect_absent("evt.rawarg.nosuch");
	expect_str("evt.args", "dirfd=-100 flags=O_RDONLY|O_CLOEXEC mode=0000");
	expect_str("evt.info", "dirfd=-100 flags=O_RDONLY|O_CLOEXEC mode=0000");
	expect_absent("evt.buffer");
	expect_absent("evt.cpu");

	/* success, and an event without a return value */
	openat_event(O_RDONLY, 0, 3, "/etc/hostname", "/etc/hostname");
	expect_str("evt.res", "SUCCESS");
	expect_bool("evt.failed", false);
	hdr()->flags = 0;
	changed();
	expect_absent("evt.res");
	expect_absent("evt.rawres");
	expect_absent("evt.failed");
	ctx.hostname = NULL;
	changed();
	expect_absent("evt.hostname");
	ctx.hostname = "testhost";
	changed();
	assert_true(get("evt.type", &v));
	assert_int_equal(v.type, VIGIL_FT_STRING);
}

static void test_evt_is_open(void **state)
{
	(void)state;
	openat_event(O_RDONLY, 0, 3, "/etc/passwd", "/etc/passwd");
	expect_bool("evt.is_open_read", true);
	expect_bool("evt.is_open_write", false);
	expect_bool("evt.is_open_exec", false);
	expect_bool("evt.is_open_create", false);

	openat_event(O_WRONLY | O_CREAT | O_TRUNC, 0755, 3, "/tmp/x", "x");
	expect_bool("evt.is_open_read", false);
	expect_bool("evt.is_open_write", true);
	expect_bool("evt.is_open_exec", true);
	expect_absent("evt.is_open_create"); /* created or not: unknown */

	openat_event(O_RDWR | O_CREAT, 0644, 3, "/tmp/y", "y");
	expect_bool("evt.is_open_read", true);
	expect_bool("evt.is_open_write", true);
	expect_bool("evt.is_open_exec", false);

	/* an exec bit without O_CREAT creates nothing */
	openat_event(O_WRONLY, 0755, 3, "/tmp/z", "z");
	expect_bool("evt.is_open_exec", false);

	openat_event(O_RDWR | O_TMPFILE, 0700, 4, "/tmp", "/tmp");
	expect_bool("evt.is_open_exec", true);
	expect_bool("evt.is_open_create", true);

	/* creat: exec only, as Falco */
	ev_begin(VIGIL_EVT_CREAT, 3);
	hdr()->args[1] = 0700;
	ev_str(VIGIL_F_NAME, "/tmp/run.sh");
	ev_end();
	expect_bool("evt.is_open_exec", true);
	expect_bool("evt.is_open_read", false);
	expect_bool("evt.is_open_write", false);
	expect_str("evt.arg.flags", "O_WRONLY|O_CREAT|O_TRUNC");
	expect_str("evt.args", "mode=0700 flags=O_WRONLY|O_CREAT|O_TRUNC");
	hdr()->args[1] = 0644;
	changed();
	expect_bool("evt.is_open_exec", false);

	ev_begin(VIGIL_EVT_UNLINK, 0);
	ev_str(VIGIL_F_NAME, "/tmp/x");
	ev_end();
	expect_bool("evt.is_open_read", false);
	expect_bool("evt.is_open_write", false);
	expect_bool("evt.is_open_exec", false);
}

/* ---- fd.* for files, fs.path.* ---- */

static void test_fd_files(void **state)
{
	(void)state;
	openat_event(O_RDONLY | O_CLOEXEC, 0, -2, "/etc/shadow", "../etc/shadow");
	expect_int("fd.num", -1); /* failed: -1, as Falco's open_file_failed expects */
	expect_str("fd.name", "/etc/shadow");
	expect_str("fd.nameraw", "../etc/shadow");
	expect_str("fd.directory", "/etc");
	expect_str("fd.filename", "shadow");
	expect_str("fd.typechar", "f");
	expect_str("fd.type", "file");
	expect_str("fs.path.name", "/etc/shadow");
	expect_str("fs.path.nameraw", "../etc/shadow");
	expect_absent("fs.path.source");
	expect_absent("fd.sip");
	expect_absent("fd.l4proto");
	expect_absent("fd.connected");
	expect_absent("fd.is_server");

	openat_event(O_RDONLY, 0, 3, "/passwd", "/passwd");
	expect_int("fd.num", 3);
	expect_str("fd.directory", "/");
	expect_str("fd.filename", "passwd");

	openat_event(O_RDONLY | O_DIRECTORY, 0, 5, "/etc/ssh", "/etc/ssh");
	expect_str("fd.typechar", "d");
	expect_str("fd.type", "directory");
	expect_str("fd.directory", "/etc/ssh");
	expect_absent("fd.filename");

	ev_begin(VIGIL_EVT_FCHMOD, 0);
	hdr()->args[0] = 7;
	hdr()->args[1] = 04755;
	ev_str(VIGIL_F_NAME, "/usr/local/bin/tool");
	ev_end();
	expect_int("fd.num", 7);
	expect_str("evt.arg.fd", "7");
	expect_str("evt.arg.mode", "04755");
	expect_str("evt.arg.filename", "/usr/local/bin/tool");
	expect_str("fd.directory", "/usr/local/bin");

	/* rename: old and new paths */
	ev_begin(VIGIL_EVT_RENAME, 0);
	ev_str(VIGIL_F_NAME, "/tmp/a");
	ev_str(VIGIL_F_NAMERAW, "a");
	ev_str(VIGIL_F_TARGET, "b");
	ev_str(VIGIL_F_TARGETDIR, "/tmp");
	ev_end();
	expect_str("fd.name", "/tmp/a");
	expect_str("evt.arg.oldpath", "/tmp/a");
	expect_str("evt.arg.newpath", "/tmp/b");
	expect_str("evt.arg.newpathraw", "b");
	expect_str("fs.path.source", "/tmp/a");
	expect_str("fs.path.sourceraw", "a");
	expect_str("fs.path.target", "/tmp/b");
	expect_str("fs.path.targetraw", "b");
	expect_str("evt.args", "newpath=/tmp/b newpathraw=b");
	expect_absent("fd.num");

	/* symlink: the link is the object, the content its target */
	ev_begin(VIGIL_EVT_SYMLINKAT, 0);
	hdr()->args[1] = (uint64_t)(int64_t)-100;
	ev_str(VIGIL_F_NAMERAW, "/etc/shadow");
	ev_str(VIGIL_F_TARGET, "link");
	ev_str(VIGIL_F_TARGETDIR, "/tmp");
	ev_end();
	expect_str("fd.name", "/tmp/link");
	expect_str("fd.nameraw", "link");
	expect_str("evt.arg.target", "/etc/shadow");
	expect_str("evt.arg.linkpath", "/tmp/link");
	expect_str("fs.path.source", "/etc/shadow");
	expect_str("fs.path.target", "/tmp/link");
	expect_str("evt.args", "newdirfd=-100 target=/etc/shadow");

	ev_begin(VIGIL_EVT_MOUNT, 0);
	hdr()->args[3] = 4096;
	ev_str(VIGIL_F_NAMERAW, "/dev/sda1");
	ev_str(VIGIL_F_TARGET, "/mnt");
	ev_str(VIGIL_F_FSTYPE, "ext4");
	ev_end();
	expect_str("fd.name", "/mnt");
	expect_str("evt.arg.source", "/dev/sda1");
	expect_str("evt.arg.fstype", "ext4");
	expect_str("evt.arg.dir", "/mnt");
	expect_str("evt.arg.flags", "MS_BIND");
	expect_str("evt.category", "file");
	expect_str("evt.args", "flags=MS_BIND source=/dev/sda1 fstype=ext4");
}

/* ---- processes ---- */

static void exec_event(void)
{
	struct vigil_execinfo xi = {
	    .cap_effective = CAP_CHOWN_BIT | CAP_ADMIN_BIT,
	    .cap_permitted = CAP_CHOWN_BIT | CAP_ADMIN_BIT,
	    .exe_ino = 1234,
	    .exe_ctime_ns = 1600000000000000000ull,
	    .exe_mtime_ns = 1500000000000000000ull,
	    .tty = 34816,
	    .sid = 200,
	    .flags = VIGIL_EXEC_FROM_MEMFD,
	};

	ev_begin(VIGIL_EVT_EXECVE, 0);
	ev_str(VIGIL_F_NAMERAW, "/usr/bin/cat");
	ev_str(VIGIL_F_EXE, "/usr/bin/cat");
	ev_field(VIGIL_F_ARGV, VIGIL_K_BYTES, "cat\0/etc/hostname\0-n", 21);
	ev_str(VIGIL_F_CWD, "/root");
	ev_field(VIGIL_F_EXECINFO, VIGIL_K_BYTES, &xi, sizeof(xi));
	ev_end();
}

static void test_proc_fields(void **state)
{
	(void)state;
	exec_event();
	expect_str("proc.name", "cat");
	expect_str("proc.exe", "cat");
	expect_str("proc.exepath", "/usr/bin/cat");
	expect_str("proc.args", "/etc/hostname -n");
	expect_str("proc.cmdline", "cat /etc/hostname -n");
	expect_str("proc.exeline", "cat /etc/hostname -n");
	expect_int("proc.cmdnargs", 2);
	expect_int("proc.cmdlenargs", 15);
	expect_str("proc.cwd", "/root");
	expect_int("proc.pid", 300);
	expect_int("proc.tid", 300);
	expect_int("thread.tid", 300);
	expect_int("thread.vtid", 300);
	expect_bool("thread.ismain", true);
	expect_int("proc.vpid", 300);
	expect_int("proc.ppid", 200);
	expect_int("proc.pvpid", 200);
	expect_str("proc.pname", "bash");
	expect_str("proc.pexe", "-bash");
	expect_str("proc.pexepath", "/usr/bin/bash");
	expect_str("proc.pcmdline", "bash"); /* no arguments: the name alone */
	expect_int("proc.duration", (int64_t)(TS_MONO - 4000000000ull));
	expect_int("proc.ppid.duration", (int64_t)(TS_MONO - 1000000000ull));
	expect_int("proc.pid.ts", 4000000000ll + MONO_TO_REAL);
	expect_int("proc.ppid.ts", 1000000000ll + MONO_TO_REAL);
	expect_int("proc.loginshellid", 200);
	expect_int("proc.pidns", 4026531836ll);
	expect_int("cgroup.id", 77);
	expect_str("evt.arg.filename", "/usr/bin/cat");
	expect_str("evt.args", "filename=/usr/bin/cat");
	expect_absent("fd.name"); /* a successful exec names no file */
	expect_absent("fd.typechar");
	expect_absent("fd.num");
	expect_absent("proc.vpgid");
	expect_absent("proc.is_vpgid_leader");
	expect_absent("proc.is_exe_upper_layer");
	expect_absent("proc.is_exe_writable");
	expect_absent("proc.pidns_init_start_ts");
	expect_bool("proc.is_container_healthcheck", false);
	expect_bool("proc.is_container_liveness_probe", false);
	expect_bool("proc.is_container_readiness_probe", false);

	/* a thread of the process, in a child pid namespace */
	hdr()->tid = 301;
	hdr()->vpid = 7;
	changed();
	expect_int("proc.tid", 301);
	expect_absent("thread.vtid");
	expect_bool("thread.ismain", false);
	expect_absent("proc.pvpid");

	/* no table entry: what the event carries is still there */
	hdr()->ppid = 0;
	changed();
	ctx.proc = NULL;
	expect_str("proc.name", "cat");
	expect_int("proc.pid", 300);
	expect_absent("proc.exe");
	expect_absent("proc.cmdline");
	expect_absent("proc.pname");

	/* a 16-character comm without its NUL */
	exec_event();
	memcpy(hdr()->comm, "abcdefghijklmnop", 16);
	changed();
	expect_str("proc.name", "abcdefghijklmnop");
	expect_str("proc.aname[0]", "abcdefghijklmnop");
}

static void test_ancestors(void **state)
{
	struct vigil_field_ref ref;
	struct vigil_value v;

	(void)state;
	exec_event();
	expect_str("proc.aname[0]", "cat");
	expect_str("proc.aname[1]", "bash");
	expect_str("proc.aname[2]", "sshd");
	expect_str("proc.aname[3]", "systemd");
	expect_absent("proc.aname[4]");
	expect_absent("proc.aname[999999]");
	expect_int("proc.apid[0]", 300);
	expect_int("proc.apid[2]", 100);
	expect_str("proc.aexe[2]", "sshd: root");
	expect_str("proc.aexepath[3]", "/usr/lib/systemd/systemd");
	expect_str("proc.acmdline[3]", "systemd splash");
	expect_str("proc.acmdline[1]", "bash");

	/* without an index: every ancestor, the process itself excluded */
	expect_nth("proc.aname", 0, "bash");
	expect_nth("proc.aname", 1, "sshd");
	expect_nth("proc.aname", 2, "systemd");
	expect_no_nth("proc.aname", 3);
	expect_nth("proc.apid", 0, "200");
	expect_nth("proc.apid", 2, "1");
	expect_nth("proc.aexepath", 1, "/usr/sbin/sshd");
	expect_nth("proc.aexe", 0, "-bash");
	expect_nth("proc.acmdline", 2, "systemd splash");
	/* in outputs (vigil_field_get) the bare name is the process itself */
	expect_str("proc.aname", "cat");

	/* single-valued fields through get_nth */
	parse_ok("proc.name", &ref);
	assert_false(vigil_field_is_multi(&ref));
	assert_true(vigil_field_get_nth(&ctx, &ref, 0, &v));
	assert_int_equal(v.len, 3);
	assert_false(vigil_field_get_nth(&ctx, &ref, 1, &v));
	parse_ok("proc.aname[1]", &ref);
	assert_true(vigil_field_get_nth(&ctx, &ref, 0, &v));
	assert_string_equal(v.str, "bash");
	assert_false(vigil_field_get_nth(&ctx, &ref, 1, &v));

	/* a parent unknown to the table ends the chain */
	hdr()->ppid = 4242;
	changed();
	expect_absent("proc.pname");
	expect_absent("proc.aname[1]");
	expect_no_nth("proc.aname", 0);
	expect_absent("proc.loginshellid"); /* cat alone: no shell */
}

static void test_ancestor_cycle(void **state)
{
	struct vigil_proc *a, *b;

	(void)state;
	/* stale entries pointing at each other must not loop forever */
	a = add_proc(500, 501, "/bin/a", "a", 2, "a", 0, 1);
	b = add_proc(501, 500, "/bin/b", "b", 2, "b", 0, 1);
	assert_non_null(a);
	assert_non_null(b);
	ev_begin(VIGIL_EVT_UNLINK, 0);
	hdr()->pid = hdr()->tid = hdr()->vpid = 500;
	hdr()->ppid = 501;
	ev_end();
	expect_str("proc.aname[1]", "b");
	expect_str("proc.aname[2]", "a");
	expect_str("proc.aname[64]", "a");
	expect_absent("proc.aname[65]");
	expect_no_nth("proc.aname", 64);
	expect_nth("proc.aname", 63, "a");
	vigil_proctable_remove(procs, 500);
	vigil_proctable_remove(procs, 501);
}

static void test_exec_info(void **state)
{
	(void)state;
	exec_event(); /* the event's own execinfo wins over the table */
	expect_int("proc.tty", 34816);
	expect_int("proc.sid", 200);
	expect_bool("proc.is_sid_leader", false);
	expect_str("proc.sname", "bash");
	expect_str("proc.sid.exe", "-bash");
	expect_str("proc.sid.exepath", "/usr/bin/bash");
	expect_bool("proc.is_exe_from_memfd", true);
	expect_int("proc.exe_ino", 1234);
	expect_int("proc.exe_ino.ctime", 1600000000000000000ll);
	expect_int("proc.exe_ino.mtime", 1500000000000000000ll);
	expect_int("proc.exe_ino.ctime_duration_proc_start",
		   4000000000ll + MONO_TO_REAL - 1600000000000000000ll);
	expect_str("thread.cap_effective", "CAP_CHOWN CAP_SYS_ADMIN");
	expect_str("thread.cap_permitted", "CAP_CHOWN CAP_SYS_ADMIN");
	expect_str("thread.cap_inheritable", "");

	/* other events: the table */
	openat_event(O_RDONLY, 0, 3, "/etc/hostname", "/etc/hostname");
	expect_int("proc.tty", 34817);
	expect_str("thread.cap_effective", "CAP_CHOWN");
	expect_str("thread.cap_permitted", "CAP_CHOWN CAP_SYS_ADMIN");
	expect_bool("proc.is_exe_from_memfd", false);
	expect_absent("proc.exe_ino"); /* 0: unknown, as Falco */
	expect_absent("proc.exe_ino.ctime");
	expect_absent("proc.exe_ino.ctime_duration_proc_start");

	/* capset: the new sets are the event's */
	ev_begin(VIGIL_EVT_CAPSET, 0);
	hdr()->args[2] = CAP_ADMIN_BIT;
	hdr()->args[3] = CAP_ADMIN_BIT;
	ev_end();
	expect_str("thread.cap_effective", "CAP_SYS_ADMIN");
	expect_str("evt.arg.cap_effective", "CAP_SYS_ADMIN");

	/* the session leader of bash is bash */
	ev_begin(VIGIL_EVT_UNLINK, 0);
	hdr()->pid = hdr()->tid = hdr()->vpid = 200;
	hdr()->ppid = 100;
	memcpy(hdr()->comm, "bash", 5);
	ev_end();
	expect_bool("proc.is_sid_leader", true);
	expect_str("proc.sname", "bash");
	expect_absent("proc.vpgid");

	/* unknown sid (seeded from /proc) */
	ev_begin(VIGIL_EVT_UNLINK, 0);
	hdr()->pid = hdr()->tid = hdr()->vpid = 100;
	hdr()->ppid = 1;
	ev_end();
	vigil_proctable_get(procs, 100)->sid = 0;
	changed();
	expect_absent("proc.sid");
	expect_absent("proc.sname");
	vigil_proctable_get(procs, 100)->sid = 100;
}

/* In a pid namespace the sid is not a host pid: the leader is the eldest
 * ancestor with the same sid. */
static void test_session_in_namespace(void **state)
{
	struct vigil_proc *p;

	(void)state;
	p = add_proc(600, 1, "/usr/bin/containerd-shim", "shim", 5, "shim", 1, 1);
	p = add_proc(601, 600, "/bin/sh", "sh", 3, "sh", 7, 1);
	p = add_proc(602, 601, "/bin/sleep",
		     "sleep\0"
		     "9",
		     8, "sleep", 7, 1);
	assert_non_null(p);
	ev_begin(VIGIL_EVT_UNLINK, 0);
	hdr()->pid = hdr()->tid = 602;
	hdr()->vpid = 9;
	hdr()->ppid = 601;
	memcpy(hdr()->comm, "sleep", 6);
	ev_end();
	/* pid 7 on the host would be unrelated; the walk finds sh */
	expect_int("proc.sid", 7);
	expect_str("proc.sname", "sh");
	expect_str("proc.sid.exepath", "/bin/sh");
	expect_int("proc.loginshellid", 601);
	vigil_proctable_remove(procs, 600);
	vigil_proctable_remove(procs, 601);
	vigil_proctable_remove(procs, 602);
}

static void test_other_events(void **state)
{
	(void)state;
	ev_begin(VIGIL_EVT_PROCEXIT, 9);
	hdr()->args[VIGIL_EXIT_ARG_CODE] = 9; /* killed by SIGKILL */
	ev_end();
	expect_str("evt.res", "SUCCESS");
	expect_bool("evt.failed", false);
	expect_int("evt.rawres", 9);
	expect_str("evt.arg.status", "9");
	expect_str("evt.arg.exit_code", "0");
	expect_str("evt.arg.signal", "9");
	expect_str("evt.arg.core", "false");
	expect_str("evt.args", "status=9 exit_code=0 signal=9 core=false");
	expect_absent("fd.name");
	hdr()->args[VIGIL_EXIT_ARG_CODE] = 3 << 8;
	changed();
	expect_str("evt.arg.exit_code", "3");
	expect_str("evt.arg.signal", "0");

	ev_begin(VIGIL_EVT_CLONE, 301);
	hdr()->args[VIGIL_CLONE_ARG_CHILD_TID] = 301;
	hdr()->args[VIGIL_CLONE_ARG_CHILD_PID] = 301;
	ev_end();
	expect_str("evt.arg.kind", "process");
	expect_str("evt.arg.child_pid", "301");
	expect_str("evt.args", "child_tid=301 child_pid=301 kind=process");
	expect_str("evt.category", "process");

	ev_begin(VIGIL_EVT_MEMFD_CREATE, 3);
	hdr()->args[1] = 1;
	ev_str(VIGIL_F_DATA, "payload");
	ev_end();
	expect_str("evt.arg.name", "payload");
	expect_str("evt.arg.flags", "MFD_CLOEXEC");
	expect_str("fd.type", "memfd");
	expect_str("fd.typechar", "m");
	expect_int("fd.num", 3);
	expect_str("evt.category", "memory");
	expect_str("evt.args", "flags=MFD_CLOEXEC name=payload");

	ev_begin(VIGIL_EVT_PTRACE, 0);
	hdr()->args[0] = 16;
	hdr()->args[1] = 1234;
	ev_end();
	expect_str("evt.arg.request", "PTRACE_ATTACH");
	expect_str("evt.arg.pid", "1234");
	expect_absent("fd.typechar");
	expect_absent("evt.arg.path");

	ev_begin(VIGIL_EVT_SETUID, -1);
	hdr()->args[0] = 0;
	ev_end();
	expect_str("evt.res", "EPERM");
	expect_str("evt.arg.uid", "0");
	expect_str("evt.category", "user");
	expect_absent("evt.arg.name");

	ev_begin(VIGIL_EVT_KILL, 0);
	hdr()->args[0] = (uint64_t)(int64_t)-1;
	hdr()->args[1] = 9;
	ev_end();
	expect_str("evt.arg.pid", "-1");
	expect_int("evt.rawarg.pid", -1);
	expect_str("evt.category", "signal");
}

/* ---- sockets ---- */

static void sock_event(uint32_t type, int64_t ret, unsigned family, const char *lip, unsigned lport,
		       const char *rip, unsigned rport)
{
	struct vigil_sockinfo si = {.family = (uint16_t)family,
				    .type = SOCK_STREAM,
				    .protocol = IPPROTO_TCP,
				    .lport = (uint16_t)lport,
				    .rport = (uint16_t)rport};

	inet_pton((int)family, lip, si.laddr);
	inet_pton((int)family, rip, si.raddr);
	ev_begin(type, ret);
	hdr()->args[0] = 3;
	ev_field(VIGIL_F_SOCK, VIGIL_K_BYTES, &si, sizeof(si));
}

static void test_connect(void **state)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(443)};
	struct vigil_value v;

	(void)state;
	inet_pton(AF_INET, "93.184.216.34", &sa.sin_addr);
	sock_event(VIGIL_EVT_CONNECT, 0, AF_INET, "10.0.0.5", 40000, "93.184.216.34", 443);
	ev_field(VIGIL_F_SOCKADDR, VIGIL_K_BYTES, &sa, sizeof(sa));
	ev_end();
	expect_ip("fd.cip", VIGIL_FT_IP, "10.0.0.5");
	expect_int("fd.cport", 40000);
	expect_ip("fd.sip", VIGIL_FT_IP, "93.184.216.34");
	expect_int("fd.sport", 443);
	expect_ip("fd.lip", VIGIL_FT_IP, "10.0.0.5");
	expect_int("fd.lport", 40000);
	expect_ip("fd.rip", VIGIL_FT_IP, "93.184.216.34");
	expect_int("fd.rport", 443);
	expect_ip("fd.snet", VIGIL_FT_IPNET, "93.184.216.34");
	expect_ip("fd.cnet", VIGIL_FT_IPNET, "10.0.0.5");
	expect_ip("fd.rnet", VIGIL_FT_IPNET, "93.184.216.34");
	expect_ip("fd.lnet", VIGIL_FT_IPNET, "10.0.0.5");
	expect_str("fd.name", "10.0.0.5:40000->93.184.216.34:443");
	expect_absent("fd.nameraw");
	expect_str("fd.l4proto", "tcp");
	expect_str("fd.sockfamily", "ip");
	expect_str("fd.typechar", "4");
	expect_str("fd.type", "ipv4");
	expect_bool("fd.is_server", false);
	expect_bool("fd.connected", true);
	expect_int("fd.num", 3);
	expect_str("evt.category", "net");
	expect_absent("fd.directory");
	expect_absent("fd.sip.name");
	expect_absent("fs.path.name");
	/* either end */
	expect_nth("fd.ip", 0, "10.0.0.5");
	expect_nth("fd.ip", 1, "93.184.216.34");
	expect_no_nth("fd.ip", 2);
	expect_nth("fd.port", 0, "40000");
	expect_nth("fd.port", 1, "443");
	expect_nth("fd.net", 1, "93.184.216.34");
	assert_true(get("fd.net", &v));
	assert_int_equal(v.type, VIGIL_FT_IPNET);

	/* refused: still the addresses, not connected */
	hdr()->ret = -111;
	changed();
	expect_str("evt.res", "ECONNREFUSED");
	expect_bool("fd.connected", false);
	expect_ip("fd.sip", VIGIL_FT_IP, "93.184.216.34");

	/* no kernel socket info: the caller's address only */
	ev_begin(VIGIL_EVT_CONNECT, -115);
	hdr()->args[0] = 4;
	ev_field(VIGIL_F_SOCKADDR, VIGIL_K_BYTES, &sa, sizeof(sa));
	ev_end();
	expect_ip("fd.rip", VIGIL_FT_IP, "93.184.216.34");
	expect_absent("fd.lip");
	expect_absent("fd.cip"); /* the local end is unknown */
	expect_ip("fd.sip", VIGIL_FT_IP, "93.184.216.34");
	expect_no_nth("fd.ip", 0); /* needs both ends, as Falco's role check */
	expect_str("fd.typechar", "4");
}

static void test_accept_listen(void **state)
{
	(void)state;
	sock_event(VIGIL_EVT_ACCEPT4, 5, AF_INET, "10.0.0.5", 22, "203.0.113.9", 51000);
	ev_end();
	expect_ip("fd.cip", VIGIL_FT_IP, "203.0.113.9");
	expect_int("fd.cport", 51000);
	expect_ip("fd.sip", VIGIL_FT_IP, "10.0.0.5");
	expect_int("fd.sport", 22);
	expect_ip("fd.lip", VIGIL_FT_IP, "10.0.0.5");
	expect_ip("fd.rip", VIGIL_FT_IP, "203.0.113.9");
	expect_str("fd.name", "203.0.113.9:51000->10.0.0.5:22");
	expect_bool("fd.is_server", true);
	expect_bool("fd.connected", true);
	expect_int("fd.num", 5);
	expect_str("evt.arg.listen_fd", "3");
	expect_nth("fd.ip", 0, "203.0.113.9");
	expect_nth("fd.ip", 1, "10.0.0.5");

	/* a server socket: only the server end */
	sock_event(VIGIL_EVT_LISTEN, 0, AF_INET, "0.0.0.0", 8080, "0.0.0.0", 0);
	hdr()->args[1] = 128;
	ev_end();
	expect_ip("fd.sip", VIGIL_FT_IP, "0.0.0.0");
	expect_int("fd.sport", 8080);
	expect_absent("fd.cip");
	expect_absent("fd.cport");
	expect_absent("fd.rip");
	expect_ip("fd.lip", VIGIL_FT_IP, "0.0.0.0");
	expect_str("fd.name", "0.0.0.0:8080");
	expect_nth("fd.ip", 0, "0.0.0.0");
	expect_no_nth("fd.ip", 1);
	expect_bool("fd.is_server", true);
	expect_bool("fd.connected", false);
	expect_str("evt.arg.backlog", "128");
	expect_int("fd.num", 3);
}

static void test_ipv6_unix_socket(void **state)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct vigil_value v;
	char text[64];

	(void)state;
	sock_event(VIGIL_EVT_CONNECT, 0, AF_INET6, "::1", 40000, "2001:db8::1", 443);
	ev_end();
	expect_ip("fd.sip", VIGIL_FT_IP, "2001:db8::1");
	expect_ip("fd.cip", VIGIL_FT_IP, "::1");
	expect_str("fd.name", "[::1]:40000->[2001:db8::1]:443");
	expect_str("fd.typechar", "6");
	expect_str("fd.type", "ipv6");
	assert_true(get("fd.sip", &v));
	assert_int_equal(vigil_value_format(&v, true, text, sizeof(text)), 11);
	assert_string_equal(text, "2001:db8::1");

	strcpy(sun.sun_path, "/run/docker.sock");
	ev_begin(VIGIL_EVT_CONNECT, 0);
	hdr()->args[0] = 6;
	ev_field(VIGIL_F_SOCKADDR, VIGIL_K_BYTES, &sun,
		 (uint32_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sun.sun_path) + 1));
	ev_end();
	expect_str("fd.name", "/run/docker.sock");
	expect_str("fd.typechar", "u");
	expect_str("fd.type", "unix");
	expect_str("fd.l4proto", "unix");
	expect_str("fd.sockfamily", "unix");
	expect_absent("fd.sip");
	expect_absent("fd.sport");
	expect_no_nth("fd.ip", 0);

	/* socket(AF_PACKET, SOCK_RAW, 0): family from the arguments */
	ev_begin(VIGIL_EVT_SOCKET, 4);
	hdr()->args[0] = AF_PACKET;
	hdr()->args[1] = SOCK_RAW;
	ev_end();
	expect_str("evt.arg[0]", "AF_PACKET");
	expect_str("evt.arg.type", "SOCK_RAW");
	expect_str("fd.typechar", "o");
	expect_str("fd.sockfamily", "packet");
	expect_int("fd.num", 4);
	expect_absent("fd.name");
}

/* ---- containers ---- */

static void test_container(void **state)
{
	(void)state;
	openat_event(O_RDONLY, 0, 3, "/etc/hostname", "/etc/hostname");
	ctx.cgroup = &host_cg;
	changed();
	expect_str("container.id", "host");
	expect_str("container.full_id", "host");
	expect_str("container.name", "host");
	expect_str("container.type", "host");
	expect_str("container.info", "container_id=host");
	expect_absent("container.image.repository");
	expect_absent("container.privileged");
	expect_absent("container.mount.dest[/proc*]");
	expect_absent("k8s.ns.name");
	expect_absent("k8s.pod.label[app]");

	ctx.cgroup = &ctr_cg;
	changed();
	expect_str("container.id", "0123456789ab");
	expect_str("container.full_id", CONTAINER_ID);
	expect_absent("container.name");
	expect_str("container.type", "docker");
	expect_str("container.runtime", "docker");
	expect_str("container.info", "container_id=0123456789ab");
	expect_absent("container.image");
	expect_absent("container.start_ts");

	ctx.cgroup = NULL;
	changed();
	expect_absent("container.id");
	ctx.cgroup = &host_cg;
}

/* ---- users and groups ---- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_users(void **state)
{
	struct vigil_value v;
	char pw[] = "/tmp/vigil-passwd-XXXXXX";
	char gr[] = "/tmp/vigil-group-XXXXXX";

	(void)state;
	openat_event(O_RDONLY, 0, 3, "/etc/hostname", "/etc/hostname");
	expect_int("user.uid", 0);
	expect_int("user.euid", 0);
	expect_str("user.name", "root");
	expect_str("user.homedir", "/root");
	assert_true(get("user.shell", &v));
	assert_true(v.len > 1 && v.str[0] == '/');
	expect_str("group.name", "root");
	expect_int("group.gid", 0);
	expect_int("user.loginuid", -1);
	expect_absent("user.loginname");
	hdr()->loginuid = 0;
	changed();
	expect_int("user.loginuid", 0);
	expect_str("user.loginname", "root");
	hdr()->uid = 4242424;
	hdr()->gid = 4242424;
	changed();
	expect_absent("user.name");
	expect_absent("user.homedir");
	expect_absent("group.name");
	expect_int("user.uid", 4242424);

	/* other files, reloaded when they change */
	assert_true(mkstemp(pw) >= 0);
	assert_true(mkstemp(gr) >= 0);
	write_file(pw, "alice:x:1000:1000:Alice:/home/alice:/bin/zsh\n");
	write_file(gr, "staff:x:1000:\n");
	vigil_fields_set_id_files(pw, gr);
	hdr()->uid = 1000;
	hdr()->gid = 1000;
	changed();
	expect_str("user.name", "alice");
	expect_str("user.homedir", "/home/alice");
	expect_str("user.shell", "/bin/zsh");
	expect_str("group.name", "staff");
	write_file(pw, "bob:x:1000:1000:Bob:/home/bob:/bin/sh\n");
	changed();
	expect_str("user.name", "alice"); /* looked at once a second at most */
	hdr()->ts_mono += 2000000000ull;
	changed();
	expect_str("user.name", "bob");
	unlink(pw);
	hdr()->ts_mono += 2000000000ull;
	changed();
	expect_absent("user.name");
	unlink(gr);
	vigil_fields_set_id_files("/etc/passwd", "/etc/group");
	hdr()->uid = 0;
	changed();
	expect_str("user.name", "root");
}

/* ---- /proc reads ---- */

static void self_event(void)
{
	ev_begin(VIGIL_EVT_UNLINK, 0);
	hdr()->pid = hdr()->tid = hdr()->vpid = (uint32_t)getpid();
	hdr()->ppid = (uint32_t)getppid();
	ev_end();
}

static void test_env(void **state)
{
	struct vigil_value v;

	(void)state;
	self_event();
	expect_str("proc.env[" ENV_NAME "]", ENV_VALUE);
	expect_str("proc.env." ENV_NAME, ENV_VALUE);
	expect_str("proc.env[VIGIL_TEST_UNSET_VARIABLE]", "");
	assert_true(get("proc.env", &v));
	assert_non_null(strstr(v.str, ENV_NAME "=" ENV_VALUE));
	assert_null(memchr(v.str, '\0', v.len));
	expect_absent("proc.aenv");

	/* the process is gone */
	hdr()->pid = 0x3ffffff0;
	changed();
	expect_absent("proc.env");
	expect_absent("proc.env[HOME]");
	expect_absent("proc.stdin.type");
}

static void expect_stdin(const char *type, const char *name)
{
	expect_str("proc.stdin.type", type);
	if (name)
		expect_str("proc.stdin.name", name);
}

static void with_stdin(int fd, const char *type, const char *name)
{
	int saved = dup(0);

	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, 0), 0);
	vigil_eval_ctx_reset(&ctx);
	expect_stdin(type, name);
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
}

static void test_stdio(void **state)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	int p[2], sp[2], lfd, cfd, afd, ffd, dfd;
	unsigned lport, cport;
	char name[96];

	(void)state;
	self_event();
	assert_int_equal(pipe(p), 0);
	with_stdin(p[0], "pipe", NULL);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	with_stdin(sp[0], "unix", NULL);
	ffd = open("/etc/hostname", O_RDONLY);
	assert_true(ffd >= 0);
	with_stdin(ffd, "file", "/etc/hostname");
	dfd = open("/tmp", O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	with_stdin(dfd, "directory", "/tmp");

	/* a reverse shell's stdin: a connected TCP socket */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
	lport = ntohs(sa.sin_port);
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(cfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);
	len = sizeof(sa);
	assert_int_equal(getsockname(cfd, (struct sockaddr *)&sa, &len), 0);
	cport = ntohs(sa.sin_port);
	snprintf(name, sizeof(name), "127.0.0.1:%u->127.0.0.1:%u", cport, lport);
	with_stdin(cfd, "ipv4", name);

	vigil_eval_ctx_reset(&ctx);
	assert_true(get("proc.stdout.type", &(struct vigil_value){0}));
	assert_true(get("proc.stderr.name", &(struct vigil_value){0}));
	close(p[0]);
	close(p[1]);
	close(sp[0]);
	close(sp[1]);
	close(ffd);
	close(dfd);
	close(lfd);
	close(cfd);
	close(afd);
}

/* ---- scratch space, formatting, listing ---- */

static void test_scratch_full(void **state)
{
	(void)state;
	exec_event();
	ctx.scratch_used = sizeof(ctx.scratch) - 4;
	expect_absent("proc.cmdline");
	expect_absent("proc.args");
	expect_absent("evt.time");
	expect_absent("evt.args");
	expect_str("proc.exepath", "/usr/bin/cat"); /* from the table: no scratch */
	expect_str("evt.type", "execve");
	ctx.scratch_used = sizeof(ctx.scratch);
	expect_absent("proc.env");
	vigil_eval_ctx_reset(&ctx);
	assert_int_equal(ctx.scratch_used, 0);
	expect_str("proc.cmdline", "cat /etc/hostname -n");
}

/* A value computed once per event: many rules asking for proc.cmdline do
 * not fill the scratch space. */
static void test_memo(void **state)
{
	struct vigil_value a, b;
	size_t used;

	(void)state;
	exec_event();
	assert_true(get("proc.cmdline", &a));
	used = ctx.scratch_used;
	for (int i = 0; i < 10000; i++) {
		assert_true(get("proc.cmdline", &b));
		assert_ptr_equal(a.str, b.str);
	}
	assert_int_equal(ctx.scratch_used, used);
	expect_str("proc.acmdline[1]", "bash");
	expect_nth("proc.acmdline", 2, "systemd splash");
	expect_nth("proc.acmdline", 0, "bash");
	for (int i = 0; i < 10000; i++)
		assert_true(get("evt.args", &b));
	assert_true(ctx.scratch_used < sizeof(ctx.scratch) / 2);

	/* costly lookups are remembered absent too; a reset forgets */
	hdr()->pid = 0x3ffffff0;
	changed();
	expect_absent("proc.env[HOME]");
	hdr()->pid = (uint32_t)getpid();
	expect_absent("proc.env[HOME]");
	changed();
	expect_str("proc.env[" ENV_NAME "]", ENV_VALUE);

	/* more distinct values than remembered: still right */
	for (int i = 0; i < 100; i++) {
		char name[64];

		snprintf(name, sizeof(name), "proc.env[VIGIL_NO_SUCH_%d]", i);
		expect_str(name, "");
	}
	expect_str("proc.cmdline", "cat /etc/hostname -n");
}

static void test_format(void **state)
{
	struct vigil_value v = {.type = VIGIL_FT_INT, .num = -42};
	char out[64];

	(void)state;
	assert_int_equal(vigil_value_format(&v, true, out, sizeof(out)), 3);
	assert_string_equal(out, "-42");
	v = (struct vigil_value){.type = VIGIL_FT_BOOL, .num = 1};
	vigil_value_format(&v, true, out, sizeof(out));
	assert_string_equal(out, "true");
	v.num = 0;
	vigil_value_format(&v, true, out, sizeof(out));
	assert_string_equal(out, "false");
	v = (struct vigil_value){.type = VIGIL_FT_STRING, .str = "abcdef", .len = 3};
	assert_int_equal(vigil_value_format(&v, true, out, sizeof(out)), 3);
	assert_string_equal(out, "abc");
	v.len = 6;
	assert_int_equal(vigil_value_format(&v, true, out, 4), 3);
	assert_string_equal(out, "abc");
	assert_int_equal(vigil_value_format(&v, true, out, 0), 0);
	v = (struct vigil_value){.type = VIGIL_FT_IP, .ip = {10, 1, 2, 3}, .ip_len = 4};
	vigil_value_format(&v, true, out, sizeof(out));
	assert_string_equal(out, "10.1.2.3");
	v.type = VIGIL_FT_IPNET;
	vigil_value_format(&v, true, out, sizeof(out));
	assert_string_equal(out, "10.1.2.3");
	v = (struct vigil_value){.type = VIGIL_FT_IP, .ip_len = 16};
	v.ip[15] = 1;
	vigil_value_format(&v, true, out, sizeof(out));
	assert_string_equal(out, "::1");
	assert_int_equal(vigil_value_format(&v, false, out, sizeof(out)), 4);
	assert_string_equal(out, "<NA>");
	assert_int_equal(vigil_value_format(NULL, false, out, sizeof(out)), 4);
}

static void test_print(void **state)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&text, &size);
	assert_non_null(f);
	vigil_fields_print(f, true);
	fclose(f);
	assert_non_null(strstr(text, "| field | type | description |\n|---|---|---|\n"));
	assert_non_null(strstr(text, "| `proc.aname[N]` | string |"));
	assert_non_null(strstr(text, "| `evt.arg.NAME, evt.arg[N]` | string |"));
	assert_non_null(strstr(text, "| `fd.sip` | ip |"));
	assert_non_null(strstr(text, "| `fd.snet` | ipnet |"));
	assert_non_null(strstr(text, "`k8s.ns.name` | string | Namespace name. Always absent"));
	free(text);

	text = NULL;
	f = open_memstream(&text, &size);
	vigil_fields_print(f, false);
	fclose(f);
	assert_non_null(strstr(text, "proc.env[NAME]"));
	assert_non_null(strstr(text, "(always absent)"));
	assert_null(strstr(text, "| field"));
	free(text);
}

/* proc.env reads /proc/PID/environ, which holds the environment the process
 * was started with: set the variable, then start again with it. */
static void ensure_env(char **argv)
{
	if (getenv(ENV_NAME))
		return;
	setenv(ENV_NAME, ENV_VALUE, 1);
	execv("/proc/self/exe", argv);
	perror("execv");
	exit(1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_names),	  cmocka_unit_test(test_parse_arguments),
	    cmocka_unit_test(test_parse_table),	  cmocka_unit_test(test_parse_falco_fields),
	    cmocka_unit_test(test_evt_fields),	  cmocka_unit_test(test_evt_is_open),
	    cmocka_unit_test(test_fd_files),	  cmocka_unit_test(test_proc_fields),
	    cmocka_unit_test(test_ancestors),	  cmocka_unit_test(test_ancestor_cycle),
	    cmocka_unit_test(test_exec_info),	  cmocka_unit_test(test_session_in_namespace),
	    cmocka_unit_test(test_other_events),  cmocka_unit_test(test_connect),
	    cmocka_unit_test(test_accept_listen), cmocka_unit_test(test_ipv6_unix_socket),
	    cmocka_unit_test(test_container),	  cmocka_unit_test(test_users),
	    cmocka_unit_test(test_env),		  cmocka_unit_test(test_stdio),
	    cmocka_unit_test(test_scratch_full),  cmocka_unit_test(test_memo),
	    cmocka_unit_test(test_format),	  cmocka_unit_test(test_print),
	};

	(void)argc;
	ensure_env(argv);
	return cmocka_run_group_tests(tests, setup, teardown);
}
