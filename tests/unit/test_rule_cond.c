/* test_rule_cond.c - unit tests for src/rule_cond.c: the condition language
 * parsed, resolved (macros and lists from a small in-test environment) and
 * evaluated against real decoded events (records built by hand: struct
 * vigil_event_hdr + struct vigil_field entries, then vigil_event_decode) with
 * a real process table for the ancestor fields and the real fields table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "container.h"
#include "decode.h"
#include "event_types.h"
#include "proctable.h"
#include "rule_cond.h"
#include "rule_fields.h"
#include "vigil_abi.h"

/* ------------------------------------------------------------ environment */

struct test_macro {
	const char *name;
	const char *text;
	struct vigil_cond *tree; /* parsed on first use */
};

struct test_list {
	const char *name;
	char *const items[6];
	size_t n;
};

static struct test_macro macros[] = {
    {"is_open", "evt.type in (open, openat, openat2)", NULL},
    {"is_cat", "proc.name = cat", NULL},
    {"cat_opens", "is_open and is_cat", NULL},	 /* nested */
    {"deep", "cat_opens and not bad_ref", NULL}, /* undefined inside */
    {"loop_a", "proc.name = x or loop_b", NULL}, /* loop_a -> loop_b -> loop_a */
    {"loop_b", "loop_a", NULL},
    {"self", "self", NULL},
    {"bad_num", "proc.pid in (1, ten)", NULL},		  /* 'ten' may be a list: resolve */
    {"in_shells", "proc.name in (shell_binaries)", NULL}, /* uses a list */
};

static struct test_list lists[] = {
    {"shell_binaries", {"bash", "zsh", "sh"}, 3},
    {"readers", {"cat", "less"}, 2},
    {"all_tools", {"readers", "shell_binaries", "vi"}, 3}, /* nested lists */
    {"sensitive", {"/etc/shadow", "/etc/sudoers.d"}, 2},
    {"loopy", {"loopy"}, 1}, /* names itself */
    {"nets", {"192.168.0.0/16", "10.1.0.0/16"}, 2},
};

#define N_MACROS (sizeof(macros) / sizeof(macros[0]))
#define N_LISTS	 (sizeof(lists) / sizeof(lists[0]))

static const struct vigil_cond *env_macro(void *arg, const char *name)
{
	(void)arg;
	for (size_t i = 0; i < N_MACROS; i++) {
		struct vigil_cond_error err;

		if (strcmp(macros[i].name, name) != 0)
			continue;
		if (!macros[i].tree)
			macros[i].tree = vigil_cond_parse(macros[i].text, &err);
		assert_non_null(macros[i].tree);
		return macros[i].tree;
	}
	return NULL;
}

static bool env_list(void *arg, const char *name, char *const **items, size_t *n)
{
	(void)arg;
	for (size_t i = 0; i < N_LISTS; i++) {
		if (strcmp(lists[i].name, name) == 0) {
			*items = lists[i].items;
			*n = lists[i].n;
			return true;
		}
	}
	return false;
}

static const struct vigil_cond_env env = {env_macro, env_list, NULL};

/* ----------------------------------------------------------------- events */

struct rec {
	uint64_t words[VIGIL_EVENT_MAX / 8];
	size_t len;
};

struct fixture {
	struct rec rec;
	struct vigil_decode_buf buf;
	struct vigil_event ev;
	struct vigil_proctable *procs;
	struct vigil_cgroup_info cg;
	struct vigil_eval_ctx ctx;
};

static struct vigil_event_hdr *rec_hdr(struct rec *r)
{
	return (struct vigil_event_hdr *)r->words;
}

static void rec_init(struct rec *r, uint32_t type, uint32_t pid, const char *comm)
{
	struct vigil_event_hdr *h = rec_hdr(r);

	memset(r, 0, sizeof(*r));
	r->len = sizeof(*h);
	h->type = type;
	h->size = (uint32_t)r->len;
	h->pid = h->tid = pid;
	h->uid = 1000;
	h->flags = VIGIL_HDR_HAS_RET;
	memcpy(h->comm, comm, strnlen(comm, sizeof(h->comm) - 1));
}

static void rec_field(struct rec *r, uint8_t id, uint8_t kind, const void *p, uint32_t len)
{
	struct vigil_field f = {.id = id, .kind = kind, .len = len};
	char *b = (char *)r->words;

	assert_true(r->len + sizeof(f) + len + 8 <= sizeof(r->words));
	memcpy(b + r->len, &f, sizeof(f));
	memcpy(b + r->len + sizeof(f), p, len);
	r->len += sizeof(f) + ((len + 7u) & ~7u);
	rec_hdr(r)->size = (uint32_t)r->len;
}

static void rec_str(struct rec *r, uint8_t id, const char *s)
{
	rec_field(r, id, VIGIL_K_STR, s, (uint32_t)strlen(s) + 1);
}

/* Decodes the record and points the evaluation context at it. */
static void load(struct fixture *fx)
{
	const struct vigil_event_hdr *h = rec_hdr(&fx->rec);

	assert_int_equal(vigil_event_decode(fx->rec.words, fx->rec.len, &fx->ev, &fx->buf), 0);
	fx->ctx.ev = &fx->ev;
	fx->ctx.procs = fx->procs;
	fx->ctx.proc = vigil_proctable_get(fx->procs, h->pid);
	fx->ctx.cgroup = &fx->cg;
	fx->ctx.hostname = "testhost";
	vigil_eval_ctx_reset(&fx->ctx);
}

/* cat (300) opens a path; its ancestors are bash (200), sshd (100), systemd (1). */
static void ev_open(struct fixture *fx, uint32_t pid, const char *path, int64_t ret)
{
	struct vigil_proc *p = vigil_proctable_get(fx->procs, pid);

	rec_init(&fx->rec, VIGIL_EVT_OPENAT, pid, p ? p->comm : "ghost");
	rec_hdr(&fx->rec)->ret = ret;
	rec_str(&fx->rec, VIGIL_F_NAMERAW, path);
	load(fx);
}

/* A connect from 10.1.2.3:40000 to addr:port (IPv4 or IPv6 text). */
static void ev_connect(struct fixture *fx, const char *addr, uint16_t port)
{
	struct vigil_sockinfo si = {.type = SOCK_STREAM, .lport = 40000, .rport = port};

	si.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	si.protocol = IPPROTO_TCP;
	if (si.family == AF_INET) {
		assert_int_equal(inet_pton(AF_INET, "10.1.2.3", si.laddr), 1);
		assert_int_equal(inet_pton(AF_INET, addr, si.raddr), 1);
	} else {
		assert_int_equal(inet_pton(AF_INET6, "fd00::3", si.laddr), 1);
		assert_int_equal(inet_pton(AF_INET6, addr, si.raddr), 1);
	}
	rec_init(&fx->rec, VIGIL_EVT_CONNECT, 300, "cat");
	rec_field(&fx->rec, VIGIL_F_SOCK, VIGIL_K_BYTES, &si, sizeof(si));
	load(fx);
}

static void add_proc(struct fixture *fx, uint32_t pid, uint32_t ppid, const char *comm)
{
	char exe[64], argv[64];
	int n = snprintf(argv, sizeof(argv), "%s%c-x", comm, '\0');

	snprintf(exe, sizeof(exe), "/usr/bin/%s", comm);
	assert_non_null(vigil_proctable_exec(fx->procs, pid, ppid, exe, argv, (size_t)n + 1, "/",
					     comm, 1000, 1000, 1, 1));
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	fx->procs = vigil_proctable_new(64);
	if (!fx->procs)
		return -1;
	add_proc(fx, 1, 0, "systemd");
	add_proc(fx, 100, 1, "sshd");
	add_proc(fx, 200, 100, "bash");
	add_proc(fx, 300, 200, "cat");
	fx->cg.id = 1;
	strcpy(fx->cg.path, "/");
	fx->cg.resolved = true;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	vigil_proctable_free(fx->procs);
	free(fx);
	return 0;
}

static int free_macros(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_MACROS; i++) {
		vigil_cond_free(macros[i].tree);
		macros[i].tree = NULL;
	}
	return 0;
}

/* ---------------------------------------------------------------- helpers */

static struct vigil_cond *compile(const char *text)
{
	struct vigil_cond_error err;
	struct vigil_cond *c = vigil_cond_parse(text, &err);

	if (!c)
		fail_msg("parse '%s': %d:%d '%s': %s", text, err.line, err.col, err.token, err.msg);
	if (vigil_cond_resolve(&c, &env, &err) < 0)
		fail_msg("resolve '%s': %d:%d '%s': %s", text, err.line, err.col, err.token,
			 err.msg);
	return c;
}

static bool check(struct fixture *fx, const char *text)
{
	struct vigil_cond *c = compile(text);
	bool r = vigil_cond_eval(c, &fx->ctx);

	vigil_cond_free(c);
	return r;
}

#define T(cond) assert_true(check(fx, cond))
#define F(cond) assert_false(check(fx, cond))

/* A parse (or, when parse succeeds, resolve) error, checked in full. */
static void expect_error(const char *text, int line, int col, const char *token, const char *msg)
{
	struct vigil_cond_error err;
	struct vigil_cond *c = vigil_cond_parse(text, &err);

	if (c) {
		int rc = vigil_cond_resolve(&c, &env, &err);

		vigil_cond_free(c);
		if (rc == 0)
			fail_msg("'%s' was accepted", text);
	}
	if (err.line != line || err.col != col || strcmp(err.token, token) != 0 ||
	    strcmp(err.msg, msg) != 0)
		fail_msg("'%s': got %d:%d '%s' \"%s\", want %d:%d '%s' \"%s\"", text, err.line,
			 err.col, err.token, err.msg, line, col, token, msg);
}

/* ------------------------------------------------------------------ tests */

static void test_string_ops(void **state)
{
	struct fixture *fx = *state;

	ev_open(fx, 300, "/etc/ssl/Certs.pem", 3);
	T("fd.name = /etc/ssl/Certs.pem");
	T("fd.name == /etc/ssl/Certs.pem");
	F("fd.name = /etc/ssl");
	T("fd.name != /etc/ssl");
	F("fd.name != /etc/ssl/Certs.pem");
	T("fd.name < /etc/zzz");
	F("fd.name < /etc/ssl/Certs.pem");
	T("fd.name <= /etc/ssl/Certs.pem");
	T("fd.name > /etc/ssl");
	F("fd.name > /etc/ssl/Certs.pem");
	T("fd.name >= /etc/ssl/Certs.pem");
	F("fd.name >= /etc/ssl/D");
	T("fd.name contains ssl/C");
	F("fd.name contains ssl/c");
	T("fd.name icontains SSL/c");
	F("fd.name icontains ssh");
	T("fd.name startswith /etc/");
	F("fd.name startswith /et/");
	T("fd.name endswith .pem");
	F("fd.name endswith .PEM");
	T("fd.name glob /etc/*.pem"); /* '*' crosses '/' as in Falco */
	T("fd.name glob '/etc/ssl/[A-Z]erts.p?m'");
	F("fd.name glob /etc/*.key");
	T("fd.name in (/tmp/x, /etc/ssl/Certs.pem)");
	F("fd.name in (/tmp/x, /etc/ssl)");
	T("fd.name pmatch (/usr, /etc/ssl)");
	F("fd.name pmatch (/usr, /etc/ss)");
	T("fd.name regex '^/etc/(ssl|pki)/'");
	F("fd.name regex '^/etc/pki'");
	T("fd.name regex Certs"); /* unanchored */
	T("fd.name exists");
	/* "/etc" is 2f 65 74 63 */
	T("fd.name bcontains 2f657463");
	T("fd.name bcontains 2F657463");
	F("fd.name bcontains 2f657464");
	T("fd.name bstartswith 2f65");
	F("fd.name bstartswith 6574");
	T("proc.name intersects (vi, cat)");
	F("proc.name intersects (vi, ca)");
}

static void test_int_ops(void **state)
{
	struct fixture *fx = *state;

	ev_open(fx, 300, "/tmp/a", 3);
	T("proc.pid = 300");
	F("proc.pid = 301");
	T("proc.pid != 301");
	F("proc.pid != 300");
	T("proc.pid < 301");
	F("proc.pid < 300");
	T("proc.pid <= 300");
	F("proc.pid <= 299");
	T("proc.pid > 299");
	F("proc.pid > 300");
	T("proc.pid >= 300");
	F("proc.pid >= 301");
	T("proc.pid = 0x12c");
	T("proc.pid > -5");
	T("proc.pid in (1, 300)");
	F("proc.pid in (1, 2)");
	T("proc.pid intersects (300)");
	T("proc.pid exists");
	T("proc.pid=300 and proc.pid>=300 and proc.pid<=300");
	expect_error("proc.pid = 3x", 1, 12, "3x", "'3x' is not a number");
	expect_error("proc.pid < 0x", 1, 12, "0x", "'0x' is not a number");
	expect_error("proc.pid contains 1", 1, 10, "contains",
		     "operator 'contains' does not apply to numeric field 'proc.pid'");
	expect_error("proc.pid = 99999999999999999999", 1, 12, "99999999999999999999",
		     "'99999999999999999999' is not a number");
}

static void test_ip_ops(void **state)
{
	struct fixture *fx = *state;

	ev_connect(fx, "10.1.9.9", 443);
	T("fd.sip = 10.1.9.9");
	F("fd.sip = 10.1.9.8");
	T("fd.sip != 10.1.9.8");
	F("fd.sip != 10.1.9.9");
	T("fd.sip in (127.0.0.1, 10.1.9.9)");
	F("fd.sip in (127.0.0.1, ::1)");
	T("fd.sip = ::ffff:10.1.9.9"); /* the IPv4-mapped form is the same address */
	T("fd.sip = 10.0.0.0/8");      /* a CIDR operand on an address field */
	T("fd.snet = 10.1.0.0/16");
	T("fd.snet = 10.1.9.9"); /* a bare address is a /32 */
	F("fd.snet = 10.1.9.8");
	F("fd.snet = 10.2.0.0/16");
	T("fd.snet != 10.2.0.0/16");
	T("fd.snet in (192.168.0.0/16, 10.0.0.0/8)");
	T("fd.snet in (nets)");
	T("fd.snet = 0.0.0.0/0");
	T("fd.snet = 10.1.9.8/31");
	F("fd.snet = 10.1.9.10/31");
	expect_error("fd.sip = 10.1.9", 1, 10, "10.1.9", "'10.1.9' is not an IP address");
	expect_error("fd.snet = 10.0.0.0/33", 1, 11, "10.0.0.0/33",
		     "'10.0.0.0/33' is not a network (CIDR)");
	expect_error("fd.sip startswith 10.", 1, 8, "startswith",
		     "operator 'startswith' does not apply to IP address field 'fd.sip'");

	ev_connect(fx, "2001:db8::17", 443);
	T("fd.sip = 2001:db8::17");
	T("fd.sip = '2001:DB8:0::17'");
	F("fd.sip = 2001:db8::18");
	T("fd.snet = 2001:db8::/32");
	F("fd.snet = 2001:db9::/32");
	F("fd.snet = 10.0.0.0/8");
	T("fd.snet = ::/0");
	T("fd.snet = 2001:db8::17/128");
}

static void test_bool_ops(void **state)
{
	struct fixture *fx = *state;

	ev_open(fx, 300, "/tmp/a", -2);
	T("evt.failed = true");
	T("evt.failed = TRUE");
	T("evt.failed = 1");
	F("evt.failed = false");
	T("evt.failed != false");
	T("evt.failed in (true)");
	ev_open(fx, 300, "/tmp/a", 3);
	T("evt.failed = false");
	expect_error("evt.failed = yes", 1, 14, "yes", "'yes' is not a boolean (true or false)");
	expect_error("evt.failed > 0", 1, 12, ">",
		     "operator '>' does not apply to boolean field 'evt.failed'");
}

static void test_precedence(void **state)
{
	struct fixture *fx = *state;

	ev_open(fx, 300, "/tmp/a", 3);
	/* a or (b and c), not (a or b) and c */
	T("proc.pid = 300 or proc.pid = 300 and proc.pid = 1");
	F("(proc.pid = 300 or proc.pid = 300) and proc.pid = 1");
	/* (not a) and b, not (a and b) */
	F("not proc.pid = 1 and proc.pid = 1");
	T("not (proc.pid = 1 and proc.pid = 1)");
	T("not not proc.pid = 300");
	T("not(proc.pid = 1)");
	T("proc.pid = 1 or(proc.pid = 300)");
	T("(((proc.pid = 300)))");
	F("proc.pid = 1 or proc.pid = 2 or proc.pid = 3");
	T("proc.pid = 1 or proc.pid = 2 or proc.pid = 300");
	T("proc.pid = 300 and not proc.pid = 1 and proc.pid > 0");
	/* keywords are case-sensitive words: "AND" is a macro name here */
	expect_error("proc.pid = 300 AND proc.pid = 1", 1, 16, "AND", "unexpected token 'AND'");
}

static void test_quoted_strings(void **state)
{
	struct fixture *fx = *state;

	ev_open(fx, 300, "/tmp/my dir/it's \"q\"\t\\x", 3);
	T("fd.name = \"/tmp/my dir/it's \\\"q\\\"\\t\\\\x\"");
	T("fd.name = '/tmp/my dir/it\\'s \"q\"\\t\\\\x'");
	T("fd.name startswith '/tmp/my dir/'");
	T("fd.name contains \"dir/it's\"");
	T("fd.name in ('/tmp/my dir/it\\'s \"q\"\\t\\\\x', other)");
	F("fd.name = '/tmp/my dir'");
	T("fd.name contains '\\/tmp'");
	ev_open(fx, 300, "/tmp/a=b,c", 3);
	T("fd.name startswith /tmp/a=b"); /* a bare word stops at ',' */
	expect_error("fd.name = /tmp/a=b,c", 1, 19, ",", "unexpected token ','");
	T("fd.name = '/tmp/a=b,c'");
	T("fd.name in ('/tmp/a=b,c')");
	F("fd.name in (/tmp/a=b, c)");
	T("proc.name = \"\" or proc.name = cat");
	F("proc.name = ''");
	expect_error("fd.name = 'a\\qb'", 1, 13, "\\q",
		     "unsupported escape sequence '\\q' in string");
}

static void test_lists(void **state)
{
	struct fixture *fx = *state;
	struct vigil_cond_error err;
	struct vigil_cond *c;

	ev_open(fx, 200, "/etc/shadow", 3); /* bash */
	T("proc.name in (zsh, bash, \"c d\")");
	F("proc.name in (zsh, \"c d\")");
	T("proc.name in (shell_binaries)");
	T("proc.name in shell_binaries");
	T("proc.name in (vim, shell_binaries)");
	T("proc.name in (all_tools)"); /* all_tools names readers and shell_binaries */
	F("proc.name in (readers)");
	F("proc.name in ('shell_binaries')"); /* quoted: a value, never a list */
	F("proc.name in ()");
	T("in_shells");
	T("fd.name pmatch (sensitive)");
	T("fd.name in sensitive");
	T("proc.name intersects (all_tools)");
	ev_open(fx, 300, "/etc/sudoers.d/90-cloud", 3); /* cat */
	T("fd.name pmatch (sensitive)");
	T("proc.name in (all_tools)");
	F("proc.name in (shell_binaries)");
	/* resolving twice does not expand items again */
	c = compile("proc.name in (all_tools)");
	assert_int_equal(vigil_cond_resolve(&c, &env, &err), 0);
	assert_int_equal(c->nvals, 6);
	assert_true(vigil_cond_eval(c, &fx->ctx));
	vigil_cond_free(c);
	/* resolve errors point at the comparison (operands keep no position) */
	expect_error("proc.name in nothing_here", 1, 1, "nothing_here",
		     "undefined list 'nothing_here'");
	expect_error("proc.name in (loopy)", 1, 1, "loopy",
		     "list 'loopy' nests too deeply (a cycle?)");
	expect_error("fd.name in /tmp", 1, 12, "/tmp", "expected a list after 'in'");
	expect_error("fd.name pmatch 'x'", 1, 16, "'x'", "expected a list after 'pmatch'");
	expect_error("proc.name = (a, b)", 1, 13, "(",
		     "expected a single value after '=', not a list");
	expect_error("proc.name in (a, )", 1, 18, ")", "expected a value after ','");
	expect_error("proc.name in (a b)", 1, 17, "b", "expected ',' or ')' in list, got 'b'");
	expect_error("proc.name in (a, b", 1, 14, "(", "unbalanced parenthesis");
}

static void test_macros(void **state)
{
	struct fixture *fx = *state;

	ev_open(fx, 300, "/etc/passwd", 3);
	T("is_open");
	T("cat_opens");
	T("cat_opens and fd.name = /etc/passwd");
	F("not cat_opens");
	T("(is_cat)");
	ev_open(fx, 200, "/etc/passwd", 3);
	F("cat_opens");
	T("is_open and not is_cat");
	expect_error("proc.name = cat and nope", 1, 21, "nope", "undefined macro 'nope'");
	expect_error("proc.name = cat and\n  deep", 2, 3, "bad_ref",
		     "in macro 'deep': undefined macro 'bad_ref'");
	expect_error("proc.pid = 1 or loop_a", 1, 17, "loop_a",
		     "macro cycle: 'loop_a' -> 'loop_b' -> 'loop_a'");
	expect_error("self", 1, 1, "self", "macro cycle: 'self' -> 'self'");
	expect_error("not bad_num", 1, 5, "ten", "in macro 'bad_num': 'ten' is not a number");
	/* an identifier followed by an operator is a misspelt field, not a macro */
	expect_error("pname = bash", 1, 1, "pname", "unknown field 'pname'");
}

/* The shape rules.c gives exceptions: "cond and not (fields match values)". */
static void test_exception_forms(void **state)
{
	struct fixture *fx = *state;
	const char *rule = "evt.type = openat and fd.name startswith /tmp and "
			   "not (proc.name in (bash, cat) and fd.name startswith /tmp/ok) and "
			   "not (proc.name = vim)";

	ev_open(fx, 300, "/tmp/ok/file", 3);
	F(rule);
	ev_open(fx, 300, "/tmp/other", 3);
	T(rule);
	ev_open(fx, 100, "/tmp/ok/file", 3); /* sshd is not excepted */
	T(rule);
	T("not (proc.name in (a,b) and fd.name startswith /tmp)");
	F("not (proc.name in (a,sshd) and fd.name startswith /tmp)");
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("proc.name = bash and", 1, 21, "", "expected a condition after 'and'");
	expect_error("fd.name startswith", 1, 19, "", "expected a value after 'startswith'");
	expect_error("fd.name startswith )", 1, 20, ")", "expected a value after 'startswith'");
	expect_error("proc.nmae = bash", 1, 1, "proc.nmae", "unknown field 'proc.nmae'");
	expect_error("(proc.name = bash", 1, 1, "(", "unbalanced parenthesis");
	expect_error("proc.name = bash)", 1, 17, ")", "unbalanced parenthesis");
	expect_error("proc.name = bash xyz", 1, 18, "xyz", "unexpected token 'xyz'");
	expect_error("proc.name equals bash", 1, 11, "equals", "unknown operator 'equals'");
	expect_error("proc.name Contains bash", 1, 11, "Contains", "unknown operator 'Contains'");
	expect_error("proc.name", 1, 10, "", "expected an operator after 'proc.name'");
	expect_error("fd.name = \"abc", 1, 11, "\"abc", "unterminated string");
	expect_error("not", 1, 4, "", "expected a condition after 'not'");
	expect_error("()", 1, 2, ")", "expected a condition after '('");
	expect_error("proc.name = a or or", 1, 18, "or", "expected a condition after 'or'");
	expect_error("= bash", 1, 1, "=", "unexpected token '='");
	expect_error("proc.aname[2 = x", 1, 1, "proc.aname[2",
		     "expected ']' after the argument of 'proc.aname'");
	expect_error("fd.name regex 'a(b'", 1, 15, "'a(b'", "bad regex 'a(b': Unmatched ( or \\(");
	/* multi-line: positions count lines and columns within the condition */
	expect_error("evt.type = execve and\n  (proc.name = bash or\n   proc.pid > abc)", 3, 15,
		     "abc", "'abc' is not a number");
	expect_error("evt.type = execve and\n  (proc.name = bash or\n   proc.pid > 1", 2, 3, "(",
		     "unbalanced parenthesis");
	expect_error("evt.type = execve and\n\tproc.name in (bash,\n\t\tzsh,\n\t\tsh\n\t\tksh)", 5,
		     3, "ksh", "expected ',' or ')' in list, got 'ksh'");
}

static void event_types(const char *text, bool types[VIGIL_EVT_MAX])
{
	struct vigil_cond *c = compile(text);

	memset(types, 0xff, VIGIL_EVT_MAX * sizeof(bool));
	vigil_cond_event_types(c, types);
	vigil_cond_free(c);
	assert_false(types[VIGIL_EVT_NONE]);
}

static size_t count_types(const bool types[VIGIL_EVT_MAX])
{
	size_t n = 0;

	for (size_t t = 0; t < VIGIL_EVT_MAX; t++)
		n += types[t];
	return n;
}

static void test_event_types(void **state)
{
	bool t[VIGIL_EVT_MAX];
	const size_t all = VIGIL_EVT_MAX - 1;

	(void)state;
	event_types("evt.type = openat", t);
	assert_int_equal(count_types(t), 1);
	assert_true(t[VIGIL_EVT_OPENAT]);

	event_types("evt.type in (open, openat, creat)", t);
	assert_int_equal(count_types(t), 3);
	assert_true(t[VIGIL_EVT_OPEN] && t[VIGIL_EVT_OPENAT] && t[VIGIL_EVT_CREAT]);

	event_types("evt.type != openat", t);
	assert_int_equal(count_types(t), all - 1);
	assert_false(t[VIGIL_EVT_OPENAT]);

	event_types("not evt.type = openat", t);
	assert_int_equal(count_types(t), all - 1);
	assert_false(t[VIGIL_EVT_OPENAT]);

	event_types("evt.type = openat and proc.name = cat", t);
	assert_int_equal(count_types(t), 1);
	assert_true(t[VIGIL_EVT_OPENAT]);

	event_types("evt.type = openat or evt.type = connect", t);
	assert_int_equal(count_types(t), 2);
	assert_true(t[VIGIL_EVT_OPENAT] && t[VIGIL_EVT_CONNECT]);

	event_types("proc.name = cat", t);
	assert_int_equal(count_types(t), all);

	event_types("evt.type = sendto", t); /* not a type Vigil produces */
	assert_int_equal(count_types(t), 0);

	event_types("evt.type = openat or proc.name = cat", t);
	assert_int_equal(count_types(t), all);

	/* "not (a and b)" with b unknown can be true for any type */
	event_types("not (evt.type = openat and proc.name = cat)", t);
	assert_int_equal(count_types(t), all);

	event_types("evt.type in (open, openat) and not evt.type = open", t);
	assert_int_equal(count_types(t), 1);
	assert_true(t[VIGIL_EVT_OPENAT]);

	event_types("cat_opens and fd.name startswith /etc", t); /* through macros */
	assert_int_equal(count_types(t), 3);
	assert_true(t[VIGIL_EVT_OPEN] && t[VIGIL_EVT_OPENAT] && t[VIGIL_EVT_OPENAT2]);

	event_types("evt.type startswith setres", t);
	assert_int_equal(count_types(t), 2);
	assert_true(t[VIGIL_EVT_SETRESUID] && t[VIGIL_EVT_SETRESGID]);

	event_types("", t);
	assert_int_equal(count_types(t), all);

	event_types("evt.type = openat and evt.type = connect", t);
	assert_int_equal(count_types(t), 0);
}

/* An absent field: every comparison false, != and exists included. */
static void test_absent_fields(void **state)
{
	struct fixture *fx = *state;

	ev_open(fx, 300, "/tmp/a", 3); /* no socket: fd.sip is absent */
	F("fd.sip = 1.2.3.4");
	F("fd.sip != 1.2.3.4");
	F("fd.sip exists");
	F("fd.sip in (1.2.3.4)");
	F("fd.snet = 0.0.0.0/0");
	T("not fd.sip = 1.2.3.4");
	T("not fd.sip exists");
	ev_connect(fx, "1.2.3.4", 80);
	T("fd.sip exists");
	T("fd.sip != 1.2.3.5");
}

static void test_multi_valued(void **state)
{
	struct fixture *fx = *state;

	ev_open(fx, 300, "/tmp/a", 3); /* cat <- bash <- sshd <- systemd */
	T("proc.aname = sshd");
	T("proc.aname = systemd");
	F("proc.aname = nginx");
	F("proc.aname != sshd"); /* != : no ancestor is sshd */
	T("proc.aname != nginx");
	T("not proc.aname = nginx");
	T("proc.aname in (nginx, bash)");
	F("proc.aname in (nginx, vim)");
	T("proc.aname startswith ssh");
	T("proc.aname glob 'sys*'");
	T("proc.aname exists");
	T("proc.aname[1] = bash");
	F("proc.aname[1] = sshd");
	T("proc.aname[2] = sshd");
	T("proc.aname[1] != sshd");
	ev_open(fx, 1, "/tmp/a", 3); /* systemd: no ancestors at all */
	F("proc.aname exists");
	F("proc.aname = sshd");
	F("proc.aname != sshd");
	T("not proc.aname = sshd");

	/* fd.ip, fd.port, fd.net: either endpoint (10.1.2.3:40000 -> 10.1.9.9:443) */
	ev_connect(fx, "10.1.9.9", 443);
	T("fd.ip = 10.1.2.3");
	T("fd.ip = 10.1.9.9");
	F("fd.ip = 10.1.9.8");
	F("fd.ip != 10.1.2.3"); /* both endpoints must differ */
	T("fd.ip != 1.1.1.1");
	T("fd.ip in (1.1.1.1, 10.1.9.9)");
	T("fd.port = 443");
	T("fd.port = 40000");
	F("fd.port != 443");
	T("fd.port > 40000 or fd.port < 1024");
	F("fd.port > 40000");
	T("fd.net = 10.1.0.0/16");
	F("fd.net != 10.1.0.0/16");
	T("fd.net != 192.168.0.0/16");
	ev_open(fx, 300, "/tmp/a", 3); /* no socket */
	F("fd.ip exists");
	F("fd.ip != 1.1.1.1");
}

static void test_regex_glob_pmatch(void **state)
{
	struct fixture *fx = *state;

	ev_open(fx, 300, "/var/lib/docker/overlay2/abc/merged/etc/passwd", 3);
	T("fd.name regex 'overlay[0-9]/[a-z]+/merged'");
	T("fd.name regex 'passwd$'");
	F("fd.name regex '^passwd'");
	T("fd.name regex \"^/var/(lib|run)/\"");
	T("fd.name glob '*passwd'");
	T("fd.name glob '/var/lib/*/merged/*'");
	F("fd.name glob '/var/lib/?/*'");
	F("fd.name glob 'passwd'");
	T("fd.name pmatch (/var/lib/docker)");
	T("fd.name pmatch (/var/lib/docker/)"); /* a trailing slash changes nothing */
	T("fd.name pmatch (//var//lib)");
	F("fd.name pmatch (/var/lib/dock)"); /* prefix on component boundaries */
	T("fd.name pmatch (/var/*/docker)"); /* components may be globs */
	F("fd.name pmatch (/var/*/podman)");
	T("fd.name pmatch (/)");
	ev_open(fx, 300, "/var/lib/docker", 3);
	T("fd.name pmatch (/var/lib/docker)"); /* the path itself */
	F("fd.name pmatch (/var/lib/docker/overlay2)");
	T("fd.name intersects (x, /var/lib/docker)");
	ev_open(fx, 300, "/tmp/a b/c", 3);
	T("fd.name intersects (b/c, zz)"); /* the value's blank-separated words */
	F("fd.name intersects (b, zz)");
}

static void test_clone(void **state)
{
	struct fixture *fx = *state;
	struct vigil_cond *c =
	    compile("fd.name regex '^/etc' and proc.name in (shell_binaries) and "
		    "fd.name bcontains 2f657463 and not fd.name glob '*.bak'");
	struct vigil_cond *d = vigil_cond_clone(c);

	assert_non_null(d);
	assert_non_null(d->a);
	ev_open(fx, 200, "/etc/hosts", 3);
	assert_true(vigil_cond_eval(c, &fx->ctx));
	vigil_cond_free(c);
	assert_true(vigil_cond_eval(d, &fx->ctx));
	ev_open(fx, 200, "/etc/hosts.bak", 3);
	assert_false(vigil_cond_eval(d, &fx->ctx));
	vigil_cond_free(d);
	assert_null(vigil_cond_clone(NULL));
	vigil_cond_free(NULL);
}

static void test_parse_tree(void **state)
{
	struct vigil_cond_error err;
	struct vigil_cond *c;

	(void)state;
	c = vigil_cond_parse("  \n\t ", &err);
	assert_non_null(c);
	assert_int_equal(c->kind, VIGIL_N_TRUE);
	vigil_cond_free(c);

	c = vigil_cond_parse("a or b and not c", &err);
	assert_non_null(c);
	assert_int_equal(c->kind, VIGIL_N_OR);
	assert_int_equal(c->a->kind, VIGIL_N_MACRO);
	assert_string_equal(c->a->ident, "a");
	assert_int_equal(c->b->kind, VIGIL_N_AND);
	assert_int_equal(c->b->b->kind, VIGIL_N_NOT);
	assert_string_equal(c->b->b->a->ident, "c");
	assert_int_equal(c->b->b->a->col, 16);
	vigil_cond_free(c);

	c = vigil_cond_parse("evt.arg.flags contains O_CREAT and proc.aname[2]=sshd and "
			     "fd.name exists and\n proc.name in (\"a b\", c)",
			     &err);
	assert_non_null(c);
	assert_int_equal(c->b->op, VIGIL_OP_IN);
	assert_true(c->b->list_syntax);
	assert_int_equal(c->b->nvals, 2);
	assert_string_equal(c->b->vals[0].text, "a b");
	assert_true(c->b->vals[0].quoted);
	assert_false(c->b->vals[1].quoted);
	assert_int_equal(c->b->line, 2);
	assert_int_equal(c->b->col, 2);
	assert_int_equal(c->a->b->op, VIGIL_OP_EXISTS);
	assert_int_equal(c->a->b->nvals, 0);
	assert_int_equal(c->a->a->b->field.index, 2);
	assert_int_equal(c->a->a->a->op, VIGIL_OP_CONTAINS);
	assert_string_equal(c->a->a->a->field.key, "flags");
	vigil_cond_free(c);

	/* resolving with no environment: macros and list names are errors */
	c = vigil_cond_parse("x", &err);
	assert_int_equal(vigil_cond_resolve(&c, NULL, &err), -1);
	assert_string_equal(err.msg, "undefined macro 'x'");
	vigil_cond_free(c);
}

/* Specialising for types folds evt.type tests into constants, keeps the
 * rest, and evaluates the same as the original on those types. */
static void test_simplify(void **state)
{
	struct fixture *fx = *state;
	static const char *const conds[] = {
	    "(evt.type in (open, openat) and proc.name = cat) or evt.type = connect",
	    "not evt.type = openat or fd.name startswith /etc",
	    "evt.type != openat and proc.name = cat",
	    "evt.type in (execve, openat) and not (evt.type = execve and proc.name in "
	    "(a, b, c, d, e, f, g, cat))",
	};
	bool only_openat[VIGIL_EVT_MAX] = {0}, only_connect[VIGIL_EVT_MAX] = {0};
	struct vigil_cond *c;

	only_openat[VIGIL_EVT_OPENAT] = true;
	only_connect[VIGIL_EVT_CONNECT] = true;
	add_proc(fx, 4242, 1, "cat");
	ev_open(fx, 4242, "/etc/hostname", 3);
	for (size_t i = 0; i < sizeof(conds) / sizeof(conds[0]); i++) {
		bool before = check(fx, conds[i]);

		c = vigil_cond_simplify(compile(conds[i]), only_openat);
		if (vigil_cond_eval(c, &fx->ctx) != before)
			fail_msg("'%s' changed value once simplified for openat", conds[i]);
		vigil_cond_free(c);
	}
	c = vigil_cond_simplify(compile(conds[0]), only_openat);
	assert_int_equal(c->kind, VIGIL_N_CMP); /* just proc.name = cat */
	assert_false(c->by_type);
	vigil_cond_free(c);
	c = vigil_cond_simplify(compile(conds[0]), only_connect);
	assert_int_equal(c->kind, VIGIL_N_TRUE);
	vigil_cond_free(c);
	c = vigil_cond_simplify(compile(conds[2]), only_openat);
	assert_int_equal(c->kind, VIGIL_N_FALSE);
	vigil_cond_free(c);
	c = vigil_cond_simplify(compile(conds[3]), only_openat);
	assert_int_equal(c->kind, VIGIL_N_TRUE);
	vigil_cond_free(c);
	/* a long `in` list is sorted for bisection and still matches */
	c = vigil_cond_simplify(compile("proc.name in (zz, yy, xx, ww, vv, cat, aa)"), only_openat);
	assert_true(c->sorted);
	assert_true(vigil_cond_eval(c, &fx->ctx));
	vigil_cond_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_string_ops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_int_ops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ip_ops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bool_ops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_quoted_strings, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lists, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_macros, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exception_forms, setup, teardown),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_event_types),
	    cmocka_unit_test_setup_teardown(test_absent_fields, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_multi_valued, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_regex_glob_pmatch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clone, setup, teardown),
	    cmocka_unit_test(test_parse_tree),
	    cmocka_unit_test_setup_teardown(test_simplify, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, free_macros);
}
