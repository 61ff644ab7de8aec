/* test_policy.c - unit tests for the policy reader (src/policy*.c): the
 * documented example read field by field, every area's keys, selectors,
 * streams of documents, directories, the limits, and bad input with the
 * exact file:line:col and message of each error. A truncation test loads
 * every prefix of a policy: errors are fine, crashes and leaks are not
 * (ASan).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "policy.h"
#include "vigil_abi.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */

static struct vigil_policy_set *load(const char *yaml, struct vigil_diag *d)
{
	return vigil_policies_load_buffer("policy.yaml", yaml, strlen(yaml), d);
}

/* Loads yaml that must have no error; warnings are allowed. */
static struct vigil_policy_set *load_ok(const char *yaml, struct vigil_diag *d)
{
	struct vigil_policy_set *ps = load(yaml, d);

	if (!ps || d->errors)
		vigil_diag_print(d, stderr);
	assert_non_null(ps);
	assert_int_equal(d->errors, 0);
	return ps;
}

/* The first entry of that kind whose message contains msg. */
static const struct vigil_diag_entry *find_diag(const struct vigil_diag *d,
						enum vigil_diag_kind kind, const char *msg)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].kind == kind && strstr(d->v[i].msg, msg))
			return &d->v[i];
	vigil_diag_print(d, stderr);
	fail_msg("no diagnostic containing \"%s\"", msg);
	return NULL;
}

static void check_place(const struct vigil_diag *d, const struct vigil_diag_entry *e, int line,
			int col)
{
	if (e->line != line || e->col != col) {
		vigil_diag_print(d, stderr);
		fail_msg("\"%s\": expected %d:%d, got %d:%d", e->msg, line, col, e->line, e->col);
	}
}

/* yaml must fail with an error containing msg at line:col of policy.yaml,
 * about policy `item` (NULL: none). */
static void expect_error_item(const char *yaml, const char *msg, int line, int col,
			      const char *item)
{
	struct vigil_diag d = {0};
	struct vigil_policy_set *ps = load(yaml, &d);
	const struct vigil_diag_entry *e;

	assert_null(ps);
	assert_true(d.errors > 0);
	e = find_diag(&d, VIGIL_DIAG_ERROR, msg);
	assert_string_equal(e->file, "policy.yaml");
	check_place(&d, e, line, col);
	if (item && !e->item)
		fail_msg("\"%s\": no item, expected [%s]", e->msg, item);
	if (item)
		assert_string_equal(e->item, item);
	else
		assert_null(e->item);
	vigil_diag_free(&d);
}

/* The same, about the policy named "p". */
static void expect_error(const char *yaml, const char *msg, int line, int col)
{
	expect_error_item(yaml, msg, line, col, "p");
}

/* yaml loads, with a warning containing msg at line:col. */
static void expect_warning(const char *yaml, const char *msg, int line, int col)
{
	struct vigil_diag d = {0};
	struct vigil_policy_set *ps = load_ok(yaml, &d);

	check_place(&d, find_diag(&d, VIGIL_DIAG_WARNING, msg), line, col);
	vigil_policies_free(ps);
	vigil_diag_free(&d);
}

/* yaml loads without any warning. */
static struct vigil_policy_set *load_clean(const char *yaml, struct vigil_diag *d)
{
	struct vigil_policy_set *ps = load_ok(yaml, d);

	if (d->warnings)
		vigil_diag_print(d, stderr);
	assert_int_equal(d->warnings, 0);
	return ps;
}

#define HEAD "name: p\nselector: {host: true}\n" /* two lines */

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vigil-test-policy-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Writes tmpdir/rel; returns its path (a static buffer per call slot). */
static const char *write_file(const char *rel, const char *text)
{
	static char paths[8][256];
	static int slot;
	char *p = paths[slot++ % 8];
	FILE *f;

	snprintf(p, 256, "%s/%s", tmpdir, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
	return p;
}

static void assert_strs(const struct vigil_strlist *l, size_t n, ...)
{
	va_list ap;

	assert_int_equal(l->n, n);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(l->v[i], va_arg(ap, const char *));
	va_end(ap);
}

static void assert_cidr(const struct vigil_cidr *c, int family, const char *addr, int prefix)
{
	uint8_t want[16] = {0};

	assert_int_equal(c->family, family);
	assert_int_equal(inet_pton(family, addr, want), 1);
	assert_memory_equal(c->addr, want, 16);
	assert_int_equal(c->prefix, prefix);
}

/* ------------------------------------------------------------------------ */
/* Names                                                                     */

static void test_names(void **state)
{
	static const char *const areas[] = {"process",	    "file",   "network",
					    "capabilities", "ptrace", "kernel_module",
					    "bpf",	    "mount",  "signal"};

	(void)state;
	for (int a = 0; a < VIGIL_AREA_MAX; a++)
		assert_string_equal(vigil_area_name((enum vigil_pol_area)a), areas[a]);
	assert_string_equal(vigil_area_name(VIGIL_AREA_MAX), "unknown");
	assert_string_equal(vigil_action_name(VIGIL_ACT_NONE), "none");
	assert_string_equal(vigil_action_name(VIGIL_ACT_ALLOW), "allow");
	assert_string_equal(vigil_action_name(VIGIL_ACT_AUDIT), "audit");
	assert_string_equal(vigil_action_name(VIGIL_ACT_BLOCK), "block");
	vigil_policies_free(NULL);
}

/* ------------------------------------------------------------------------ */
/* The documented example                                                    */

static const char example[] = "name: example-block\n"
			      "mode: enforce\n"
			      "selector:\n"
			      "  host: true\n"
			      "file:\n"
			      "  - paths: [/srv/secret.txt]\n"
			      "    dirs: [/root/.ssh/]\n"
			      "    access: [read, write]\n"
			      "    action: block\n"
			      "process:\n"
			      "  - paths: [/usr/bin/nc.openbsd]\n"
			      "    dirs: [/dev/shm/]\n"
			      "    action: block\n"
			      "network:\n"
			      "  - cidrs: [127.0.0.0/8, \"::1/128\"]\n"
			      "    ports: [4444, \"6660-6669\"]\n"
			      "    direction: egress\n"
			      "    action: block\n"
			      "ptrace:\n"
			      "  action: block\n"
			      "kernel_module:\n"
			      "  action: audit\n";

static void check_example_rules(const struct vigil_policy *p)
{
	const struct vigil_pol_rule *r = p->rules;

	assert_int_equal(p->nrules, 5);
	/* file */
	assert_int_equal(r[0].area, VIGIL_AREA_FILE);
	assert_int_equal(r[0].action, VIGIL_ACT_BLOCK);
	assert_int_equal(r[0].line, 6);
	assert_strs(&r[0].paths, 1, "/srv/secret.txt");
	assert_strs(&r[0].dirs, 1, "/root/.ssh/");
	assert_int_equal(r[0].parents.n, 0);
	assert_int_equal(r[0].access, VIGIL_ACC_READ | VIGIL_ACC_WRITE);
	/* process */
	assert_int_equal(r[1].area, VIGIL_AREA_PROCESS);
	assert_int_equal(r[1].action, VIGIL_ACT_BLOCK);
	assert_int_equal(r[1].line, 11);
	assert_strs(&r[1].paths, 1, "/usr/bin/nc.openbsd");
	assert_strs(&r[1].dirs, 1, "/dev/shm/");
	assert_int_equal(r[1].parents.n, 0);
	assert_int_equal(r[1].access, VIGIL_ACC_EXEC);
	/* network */
	assert_int_equal(r[2].area, VIGIL_AREA_NETWORK);
	assert_int_equal(r[2].action, VIGIL_ACT_BLOCK);
	assert_int_equal(r[2].line, 15);
	assert_int_equal(r[2].ncidrs, 2);
	assert_cidr(&r[2].cidrs[0], AF_INET, "127.0.0.0", 8);
	assert_cidr(&r[2].cidrs[1], AF_INET6, "::1", 128);
	assert_int_equal(r[2].nports, 2);
	assert_int_equal(r[2].ports[0].lo, 4444);
	assert_int_equal(r[2].ports[0].hi, 4444);
	assert_int_equal(r[2].ports[1].lo, 6660);
	assert_int_equal(r[2].ports[1].hi, 6669);
	assert_int_equal(r[2].direction, VIGIL_DIR_EGRESS);
	assert_int_equal(r[2].protocols, VIGIL_PROTO_ALL);
	assert_int_equal(r[2].nfamilies, 0);
	assert_null(r[2].families);
	/* ptrace, kernel_module */
	assert_int_equal(r[3].area, VIGIL_AREA_PTRACE);
	assert_int_equal(r[3].action, VIGIL_ACT_BLOCK);
	assert_int_equal(r[3].line, 20);
	assert_int_equal(r[4].area, VIGIL_AREA_KERNEL_MODULE);
	assert_int_equal(r[4].action, VIGIL_ACT_AUDIT);
	assert_int_equal(r[4].line, 22);
	for (int i = 3; i < 5; i++) {
		assert_int_equal(r[i].paths.n + r[i].dirs.n + r[i].parents.n, 0);
		assert_int_equal(r[i].ncidrs + r[i].nports + r[i].nfamilies, 0);
		assert_int_equal(r[i].caps, 0);
		assert_int_equal(r[i].signals, 0);
	}
}

static void test_example(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_policy_set *ps;
	const struct vigil_policy *p;
	const bool areas[VIGIL_AREA_MAX] = {
	    [VIGIL_AREA_PROCESS] = true,       [VIGIL_AREA_FILE] = true,
	    [VIGIL_AREA_NETWORK] = true,       [VIGIL_AREA_PTRACE] = true,
	    [VIGIL_AREA_KERNEL_MODULE] = true,
	};

	(void)state;
	ps = load_clean(example, &d);
	assert_int_equal(d.n, 0);
	assert_int_equal(ps->n, 1);
	p = &ps->v[0];
	assert_string_equal(p->name, "example-block");
	assert_string_equal(p->file, "policy.yaml");
	assert_int_equal(p->line, 1);
	assert_null(p->description);
	assert_int_equal(p->mode, VIGIL_POL_ENFORCE);
	assert_int_equal(p->default_action, VIGIL_ACT_ALLOW);
	assert_true(p->selector.host);
	assert_int_equal(p->selector.container_ids.n + p->selector.container_names.n +
			     p->selector.container_images.n + p->selector.exe_paths.n +
			     p->selector.cgroups.n,
			 0);
	assert_false(p->exempt.host);
	assert_int_equal(p->exempt.exe_paths.n + p->exempt.cgroups.n, 0);
	assert_memory_equal(p->areas, areas, sizeof(areas));
	assert_int_equal(p->mitigations.n, 0);
	check_example_rules(p);
	vigil_policies_free(ps);
	vigil_diag_free(&d);
}

/* Every prefix of the example: loading must neither crash nor leak. */
static void test_truncated(void **state)
{
	size_t len = strlen(example), ok = 0;

	(void)state;
	for (size_t n = 0; n <= len; n++) {
		struct vigil_diag d = {0};
		struct vigil_policy_set *ps = vigil_policies_load_buffer("t.yaml", example, n, &d);

		assert_true(ps ? d.errors == 0 : d.errors > 0);
		ok += ps != NULL;
		vigil_policies_free(ps);
		vigil_diag_free(&d);
	}
	assert_true(ok > 0); /* the whole file at least */
}

/* Every byte of the example replaced by each YAML indicator in turn. */
static void test_mutated(void **state)
{
	static const char subst[] = ":-[]{}\"' \n\t#&*!|>,?%@`~0/\\\xff";
	char y[sizeof(example)];

	(void)state;
	for (size_t i = 0; i + 1 < sizeof(example); i++) {
		for (size_t j = 0; j + 1 < sizeof(subst); j++) {
			struct vigil_diag d = {0};
			struct vigil_policy_set *ps;

			memcpy(y, example, sizeof(example));
			y[i] = subst[j];
			ps = vigil_policies_load_buffer("m.yaml", y, sizeof(y) - 1, &d);
			assert_true(ps ? d.errors == 0 : d.errors > 0);
			vigil_policies_free(ps);
			vigil_diag_free(&d);
		}
	}
}

/* ------------------------------------------------------------------------ */
/* Policies and selectors                                                    */

/* A policy of mitigations only; `all` is every mitigation. */
static void test_mitigations_key(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_policy_set *ps;

	(void)state;
	ps = load_ok("name: harden\nselector: {host: true}\nmitigations: [all]\n", &d);
	assert_true(ps->v[0].mitigation_mask == (1ull << VIGIL_MIT_COUNT) - 1);
	assert_int_equal(d.warnings, 0);
	vigil_policies_free(ps);
	vigil_diag_free(&d);
}

static void test_allowlist(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_policy_set *ps;
	const struct vigil_policy *p;

	(void)state;
	ps = load_clean("name: nginx-allowlist\n"
			"description: >\n"
			"  nginx may run only itself and read only its files\n"
			"mode: audit\n"
			"default: block\n"
			"selector:\n"
			"  processes:\n"
			"    paths: /usr/sbin/nginx\n"
			"  cgroups: [/system.slice/nginx.service/]\n"
			"exempt:\n"
			"  processes: {paths: [\"/usr/lib/nginx/*.sh\"]}\n"
			"process:\n"
			"  - paths: [/usr/sbin/nginx]\n"
			"    action: allow\n"
			"file:\n"
			"  - dirs: [/etc/nginx, /var/www//html/, /usr/lib]\n"
			"    access: read\n"
			"    action: allow\n"
			"  - dirs: /var/log/nginx\n"
			"    access: [create, write]\n"
			"    action: allow\n"
			"mitigations: [userns, io-uring]\n",
			&d);
	assert_int_equal(ps->n, 1);
	p = &ps->v[0];
	assert_string_equal(p->name, "nginx-allowlist");
	assert_string_equal(p->description, "nginx may run only itself and read only its files");
	assert_int_equal(p->mode, VIGIL_POL_AUDIT);
	assert_int_equal(p->default_action, VIGIL_ACT_BLOCK);
	assert_false(p->selector.host);
	assert_strs(&p->selector.exe_paths, 1, "/usr/sbin/nginx");
	assert_strs(&p->selector.cgroups, 1, "/system.slice/nginx.service");
	assert_strs(&p->exempt.exe_paths, 1, "/usr/lib/nginx/*.sh");
	assert_true(p->areas[VIGIL_AREA_PROCESS]);
	assert_true(p->areas[VIGIL_AREA_FILE]);
	assert_false(p->areas[VIGIL_AREA_NETWORK]);
	assert_int_equal(p->nrules, 3);
	assert_int_equal(p->rules[0].action, VIGIL_ACT_ALLOW);
	assert_int_equal(p->rules[0].line, 13);
	assert_strs(&p->rules[1].dirs, 3, "/etc/nginx/", "/var/www/html/", "/usr/lib/");
	assert_int_equal(p->rules[1].access, VIGIL_ACC_READ);
	assert_int_equal(p->rules[1].line, 16);
	assert_strs(&p->rules[2].dirs, 1, "/var/log/nginx/");
	assert_int_equal(p->rules[2].access, VIGIL_ACC_CREATE | VIGIL_ACC_WRITE);
	assert_int_equal(p->rules[2].line, 19);
	assert_strs(&p->mitigations, 2, "userns", "io-uring");
	assert_true(p->mitigation_mask ==
		    ((1ull << VIGIL_MIT_USERNS) | (1ull << VIGIL_MIT_IO_URING)));
	vigil_policies_free(ps);
	vigil_diag_free(&d);
}

static void test_selectors(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_policy_set *ps;
	const struct vigil_pol_selector *s, *x;

	(void)state;
	ps = load_ok("name: p\n"
		     "selector:\n"
		     "  host: false\n"
		     "  containers:\n"
		     "    ids: [0123456789AB, "
		     "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"]\n"
		     "    names: [web-*]\n"
		     "    images: \"nginx:1.2[0-9]\"\n"
		     "  processes: {paths: [/opt/app/bin/*, /usr/bin/python3.1?]}\n"
		     "  cgroups: [/, //system.slice//cron.service]\n"
		     "exempt:\n"
		     "  containers: {ids: [abcdefabcdef]}\n"
		     "  cgroups: /user.slice\n"
		     "ptrace: {action: block}\n",
		     &d);
	s = &ps->v[0].selector;
	x = &ps->v[0].exempt;
	assert_false(s->host);
	assert_strs(&s->container_ids, 2, "0123456789ab",
		    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	assert_strs(&s->container_names, 1, "web-*");
	assert_strs(&s->container_images, 1, "nginx:1.2[0-9]");
	assert_strs(&s->exe_paths, 2, "/opt/app/bin/*", "/usr/bin/python3.1?");
	assert_strs(&s->cgroups, 2, "/", "/system.slice/cron.service");
	assert_false(x->host);
	assert_strs(&x->container_ids, 1, "abcdefabcdef");
	assert_strs(&x->cgroups, 1, "/user.slice");
	assert_int_equal(d.warnings, 2);
	check_place(&d,
		    find_diag(&d, VIGIL_DIAG_WARNING,
			      "selector: containers: names need container runtime metadata, which "
			      "this version does not read: they match nothing"),
		    6, 12);
	check_place(&d, find_diag(&d, VIGIL_DIAG_WARNING, "images need container runtime"), 7, 13);
	vigil_policies_free(ps);
	vigil_diag_free(&d);

	expect_warning(HEAD "exempt: {containers: {names: [x]}}\nptrace: {action: block}\n",
		       "exempt: containers: names need container runtime metadata, which this "
		       "version does not read: they exempt nothing",
		       3, 30);
}

static void test_defaults_and_case(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_policy_set *ps;
	const struct vigil_policy *p;

	(void)state;
	ps = load_clean("name: A.b_c-9\n"
			"mode: AUDIT\n"
			"default: Allow\n"
			"selector: {host: yes}\n"
			"bpf: {action: Block}\n",
			&d);
	p = &ps->v[0];
	assert_string_equal(p->name, "A.b_c-9");
	assert_int_equal(p->mode, VIGIL_POL_AUDIT);
	assert_int_equal(p->default_action, VIGIL_ACT_ALLOW);
	assert_true(p->selector.host);
	assert_int_equal(p->rules[0].action, VIGIL_ACT_BLOCK);
	vigil_policies_free(ps);
	vigil_diag_free(&d);
}

/* ------------------------------------------------------------------------ */
/* Areas                                                                     */

static void test_process_rules(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_policy_set *ps;
	const struct vigil_pol_rule *r;

	(void)state;
	ps = load_clean(HEAD "process:\n"
			     "  - paths: [\"/tmp/*\", \"/usr/bin/x[0-9]\", \"/usr/bin/[]a]\"]\n"
			     "    parents: [/usr/sbin/nginx, /usr/bin/*sh]\n"
			     "    action: block\n"
			     "  - dirs: [/dev/shm, /run/user/]\n"
			     "    action: audit\n"
			     "  - action: allow\n",
			&d);
	r = ps->v[0].rules;
	assert_int_equal(ps->v[0].nrules, 3);
	assert_strs(&r[0].paths, 3, "/tmp/*", "/usr/bin/x[0-9]", "/usr/bin/[]a]");
	assert_strs(&r[0].parents, 2, "/usr/sbin/nginx", "/usr/bin/*sh");
	assert_int_equal(r[0].dirs.n, 0);
	assert_strs(&r[1].dirs, 2, "/dev/shm/", "/run/user/");
	assert_int_equal(r[1].action, VIGIL_ACT_AUDIT);
	assert_int_equal(r[2].action, VIGIL_ACT_ALLOW);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(r[i].area, VIGIL_AREA_PROCESS);
		assert_int_equal(r[i].access, VIGIL_ACC_EXEC);
		assert_int_equal(r[i].line, 4 + 3 * i - (i == 2));
	}
	vigil_policies_free(ps);
	vigil_diag_free(&d);

	expect_warning(HEAD "process: {action: block}\n",
		       "process rule: rule matches every program execution (it has no paths, dirs "
		       "or parents)",
		       3, 10);
}

static void test_file_rules(void **state)
{
	static const char *const names[] = {"read",   "write",	"exec",	 "create",
					    "delete", "rename", "chmod", "chown"};
	struct vigil_diag d = {0};
	struct vigil_policy_set *ps;
	const struct vigil_pol_rule *r;
	char y[512];

	(void)state;
	ps = load_clean(HEAD "file:\n"
			     "  paths: /etc/shadow\n"
			     "  action: audit\n",
			&d);
	r = ps->v[0].rules;
	assert_int_equal(ps->v[0].nrules, 1);
	assert_int_equal(r->area, VIGIL_AREA_FILE);
	assert_strs(&r->paths, 1, "/etc/shadow");
	assert_int_equal(r->access, VIGIL_ACC_ALL);
	assert_int_equal(r->line, 4);
	vigil_policies_free(ps);
	vigil_diag_free(&d);

	for (int i = 0; i < 8; i++) {
		snprintf(y, sizeof(y),
			 HEAD "file: {paths: [/x], access: [%s, READ], action: block}\n", names[i]);
		ps = load_clean(y, &d);
		assert_int_equal(ps->v[0].rules[0].access, (1u << i) | VIGIL_ACC_READ);
		vigil_policies_free(ps);
		vigil_diag_free(&d);
	}

	/* nothing to narrow it: allowed, with a warning when it blocks */
	expect_warning(HEAD "file:\n"
			    "  - access: [write]\n"
			    "    action: block\n",
		       "file rule: rule matches every file (it has no paths or dirs)", 4, 5);
	ps = load_clean(HEAD "default: block\nfile: [{action: allow}]\n", &d);
	assert_int_equal(ps->v[0].rules[0].access, VIGIL_ACC_ALL);
	vigil_policies_free(ps);
	vigil_diag_free(&d);
}

static void test_network_rules(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_policy_set *ps;
	const struct vigil_pol_rule *r;

	(void)state;
	ps = load_clean(HEAD "network:\n"
			     "  - cidrs: [10.0.0.0/8, 192.168.1.7, \"2001:db8::/32\", \"fe80::1\", "
			     "0.0.0.0/0]\n"
			     "    ports: [1, 65535, \"1-1024\", 8080-8090]\n"
			     "    protocols: [TCP]\n"
			     "    direction: ingress\n"
			     "    action: block\n"
			     "  - cidrs: \"::/0\"\n"
			     "    ports: 53\n"
			     "    protocols: [udp, tcp]\n"
			     "    direction: both\n"
			     "    action: audit\n"
			     "  - families: [AF_PACKET, packet, Unix, AF_LOCAL, inet6, af_vsock, "
			     "AF_XDP, AF_ALG, AF_NETLINK]\n"
			     "    action: block\n"
			     "  - ports: [22]\n"
			     "    protocols: udp\n"
			     "    action: allow\n",
			&d);
	r = ps->v[0].rules;
	assert_int_equal(ps->v[0].nrules, 4);
	assert_int_equal(r[0].ncidrs, 5);
	assert_cidr(&r[0].cidrs[0], AF_INET, "10.0.0.0", 8);
	assert_cidr(&r[0].cidrs[1], AF_INET, "192.168.1.7", 32);
	assert_cidr(&r[0].cidrs[2], AF_INET6, "2001:db8::", 32);
	assert_cidr(&r[0].cidrs[3], AF_INET6, "fe80::1", 128);
	assert_cidr(&r[0].cidrs[4], AF_INET, "0.0.0.0", 0);
	assert_int_equal(r[0].nports, 4);
	assert_int_equal(r[0].ports[0].lo, 1);
	assert_int_equal(r[0].ports[1].hi, 65535);
	assert_int_equal(r[0].ports[2].lo, 1);
	assert_int_equal(r[0].ports[2].hi, 1024);
	assert_int_equal(r[0].ports[3].lo, 8080);
	assert_int_equal(r[0].ports[3].hi, 8090);
	assert_int_equal(r[0].protocols, VIGIL_PROTO_TCP);
	assert_int_equal(r[0].direction, VIGIL_DIR_INGRESS);

	assert_int_equal(r[1].ncidrs, 1);
	assert_cidr(&r[1].cidrs[0], AF_INET6, "::", 0);
	assert_int_equal(r[1].nports, 1);
	assert_int_equal(r[1].ports[0].lo, 53);
	assert_int_equal(r[1].ports[0].hi, 53);
	assert_int_equal(r[1].protocols, VIGIL_PROTO_ALL);
	assert_int_equal(r[1].direction, VIGIL_DIR_BOTH);
	assert_int_equal(r[1].action, VIGIL_ACT_AUDIT);

	/* AF_UNIX and AF_LOCAL are one family; packet given twice */
	assert_int_equal(r[2].nfamilies, 7);
	assert_int_equal(r[2].families[0], AF_PACKET);
	assert_int_equal(r[2].families[1], AF_UNIX);
	assert_int_equal(r[2].families[2], AF_INET6);
	assert_int_equal(r[2].families[3], AF_VSOCK);
	assert_int_equal(r[2].families[4], AF_XDP);
	assert_int_equal(r[2].families[5], AF_ALG);
	assert_int_equal(r[2].families[6], AF_NETLINK);
	assert_int_equal(r[2].ncidrs + r[2].nports, 0);
	assert_int_equal(r[2].line, 14);

	assert_int_equal(r[3].ncidrs, 0);
	assert_int_equal(r[3].protocols, VIGIL_PROTO_UDP);
	assert_int_equal(r[3].direction, VIGIL_DIR_BOTH);
	vigil_policies_free(ps);
	vigil_diag_free(&d);

	/* host bits past the prefix: masked, with a warning */
	ps = load_ok(HEAD "network:\n"
			  "  cidrs: [10.1.2.3/8, \"2001:db8::1/64\", 192.168.1.129/25]\n"
			  "  action: block\n",
		     &d);
	r = ps->v[0].rules;
	assert_cidr(&r->cidrs[0], AF_INET, "10.0.0.0", 8);
	assert_cidr(&r->cidrs[1], AF_INET6, "2001:db8::", 64);
	assert_cidr(&r->cidrs[2], AF_INET, "192.168.1.128", 25);
	assert_int_equal(d.warnings, 3);
	check_place(&d,
		    find_diag(&d, VIGIL_DIAG_WARNING,
			      "network rule: cidrs: '10.1.2.3/8' has host bits set past the "
			      "prefix: using 10.0.0.0/8"),
		    4, 11);
	check_place(&d, find_diag(&d, VIGIL_DIAG_WARNING, "using 2001:db8::/64"), 4, 23);
	check_place(&d, find_diag(&d, VIGIL_DIAG_WARNING, "using 192.168.1.128/25"), 4, 41);
	vigil_policies_free(ps);
	vigil_diag_free(&d);

	expect_warning(HEAD "network:\n"
			    "  - direction: egress\n"
			    "    action: block\n",
		       "network rule: rule matches every connect, bind and listen", 4, 5);
}

static void test_capability_rules(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_policy_set *ps;
	const struct vigil_pol_rule *r;

	(void)state;
	ps = load_clean(HEAD "capabilities:\n"
			     "  - names: [CAP_SYS_ADMIN, sys_module, Cap_Net_Raw, CHOWN, "
			     "cap_checkpoint_restore]\n"
			     "    action: block\n"
			     "  - action: audit\n",
			&d);
	r = ps->v[0].rules;
	assert_int_equal(r[0].area, VIGIL_AREA_CAPABILITIES);
	assert_int_equal(r[0].caps,
			 (1ull << 21) | (1ull << 16) | (1ull << 13) | (1ull << 0) | (1ull << 40));
	assert_int_equal(r[1].caps, VIGIL_POL_CAPS_ALL);
	assert_int_equal(VIGIL_POL_CAPS_ALL, (1ull << 41) - 1);
	vigil_policies_free(ps);
	vigil_diag_free(&d);
}

static void test_signal_rules(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_policy_set *ps;
	const struct vigil_pol_rule *r;

	(void)state;
	ps = load_clean(HEAD "signal:\n"
			     "  - signals: [SIGKILL, TERM, stop, 1, \"34\", 63, SigSys]\n"
			     "    action: block\n"
			     "  - action: audit\n",
			&d);
	r = ps->v[0].rules;
	assert_int_equal(r[0].area, VIGIL_AREA_SIGNAL);
	assert_int_equal(r[0].signals, (1ull << 9) | (1ull << 15) | (1ull << 19) | (1ull << 1) |
					   (1ull << 34) | (1ull << 63) | (1ull << 31));
	assert_int_equal(r[1].signals, 0); /* all */
	vigil_policies_free(ps);
	vigil_diag_free(&d);
}

static void test_action_only_areas(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_policy_set *ps;
	const struct vigil_policy *p;

	(void)state;
	ps = load_clean(HEAD "mount: {action: block}\n"
			     "bpf:\n"
			     "  - action: audit\n"
			     "  - {action: allow}\n"
			     "kernel_module: [{action: block}]\n"
			     "ptrace:\n"
			     "  action: allow\n",
			&d);
	p = &ps->v[0];
	assert_int_equal(p->nrules, 5);
	assert_int_equal(p->rules[0].area, VIGIL_AREA_MOUNT);
	assert_int_equal(p->rules[1].area, VIGIL_AREA_BPF);
	assert_int_equal(p->rules[1].action, VIGIL_ACT_AUDIT);
	assert_int_equal(p->rules[2].area, VIGIL_AREA_BPF);
	assert_int_equal(p->rules[2].action, VIGIL_ACT_ALLOW);
	assert_int_equal(p->rules[2].line, 6);
	assert_int_equal(p->rules[3].area, VIGIL_AREA_KERNEL_MODULE);
	assert_int_equal(p->rules[4].area, VIGIL_AREA_PTRACE);
	assert_int_equal(p->rules[4].line, 9);
	assert_true(p->areas[VIGIL_AREA_MOUNT] && p->areas[VIGIL_AREA_BPF] &&
		    p->areas[VIGIL_AREA_KERNEL_MODULE] && p->areas[VIGIL_AREA_PTRACE]);
	assert_false(p->areas[VIGIL_AREA_SIGNAL] || p->areas[VIGIL_AREA_FILE]);
	vigil_policies_free(ps);
	vigil_diag_free(&d);
}

/* ------------------------------------------------------------------------ */
/* Streams, files and directories                                            */

static void test_stream(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_policy_set *ps;

	(void)state;
	ps = load_clean("---\n"
			"name: first\n"
			"selector: {host: true}\n"
			"ptrace: {action: block}\n"
			"---\n"
			"---\n"
			"# an empty document in between is skipped\n"
			"name: second\n"
			"selector: {cgroups: [/system.slice]}\n"
			"mount: {action: audit}\n"
			"...\n",
			&d);
	assert_int_equal(ps->n, 2);
	assert_string_equal(ps->v[0].name, "first");
	assert_int_equal(ps->v[0].line, 2);
	assert_string_equal(ps->v[1].name, "second");
	assert_int_equal(ps->v[1].line, 8);
	assert_int_equal(ps->v[1].rules[0].line, 10);
	assert_string_equal(ps->v[1].file, "policy.yaml");
	vigil_policies_free(ps);
	vigil_diag_free(&d);

	/* an error in the second document names that policy */
	expect_error_item("name: a\nselector: {host: true}\nptrace: {action: block}\n"
			  "---\n"
			  "name: b\nselector: {host: true}\nptrace: {action: blok}\n",
			  "ptrace rule: unknown action 'blok' (expected block, audit or allow)", 7,
			  18, "b");
}

static void test_directory(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_policy_set *ps;
	const char *paths[2];
	char dir[128], empty[128];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/policies.d", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	write_file("policies.d/20-web.yaml", "name: web\n"
					     "selector: {processes: {paths: [/usr/sbin/nginx]}}\n"
					     "ptrace: {action: block}\n");
	write_file("policies.d/10-base.yml", "name: base\n"
					     "selector: {host: true}\n"
					     "kernel_module: {action: audit}\n");
	write_file("policies.d/README.md", "not a policy\n");
	write_file("policies.d/.hidden.yaml", "not: [a policy\n");
	paths[0] = dir;
	ps = vigil_policies_load(paths, 1, &d);
	if (!ps)
		vigil_diag_print(&d, stderr);
	assert_non_null(ps);
	assert_int_equal(d.n, 0);
	assert_int_equal(ps->n, 2);
	assert_string_equal(ps->v[0].name, "base");
	assert_string_equal(ps->v[1].name, "web");
	assert_non_null(strstr(ps->v[0].file, "policies.d/10-base.yml"));
	vigil_policies_free(ps);

	/* a directory without policy files: a warning */
	snprintf(empty, sizeof(empty), "%s/empty.d", tmpdir);
	assert_int_equal(mkdir(empty, 0755), 0);
	paths[1] = empty;
	ps = vigil_policies_load(paths, 2, &d);
	assert_non_null(ps);
	assert_int_equal(ps->n, 2);
	assert_string_equal(
	    find_diag(&d, VIGIL_DIAG_WARNING, "no policy files (*.yaml, *.yml) in directory")->file,
	    empty);
	vigil_policies_free(ps);
	vigil_diag_free(&d);

	/* no paths: an empty set */
	ps = vigil_policies_load(NULL, 0, NULL);
	assert_non_null(ps);
	assert_int_equal(ps->n, 0);
	vigil_policies_free(ps);
}

static void test_duplicate_names(void **state)
{
	struct vigil_diag d = {0};
	const struct vigil_diag_entry *e;
	const char *paths[2];
	char want[256];

	(void)state;
	paths[0] = write_file("one.yaml", "name: same\nselector: {host: true}\n"
					  "bpf: {action: block}\n");
	paths[1] = write_file("two.yaml", "# the same name again\n"
					  "\n"
					  "name: same\nselector: {host: true}\n"
					  "mount: {action: block}\n");
	assert_null(vigil_policies_load(paths, 2, &d));
	assert_int_equal(d.errors, 1);
	snprintf(want, sizeof(want), "duplicate policy name 'same' (first defined at %s:1)",
		 paths[0]);
	e = find_diag(&d, VIGIL_DIAG_ERROR, want);
	assert_string_equal(e->file, paths[1]);
	assert_string_equal(e->item, "same");
	check_place(&d, e, 3, 7);
	vigil_diag_free(&d);

	expect_error_item("name: x\nselector: {host: true}\nbpf: {action: block}\n---\n"
			  "name: x\nselector: {host: true}\nbpf: {action: block}\n",
			  "duplicate policy name 'x' (first defined at policy.yaml:1)", 5, 7, "x");
}

static void test_unreadable_and_empty(void **state)
{
	const char *paths[1] = {"/nonexistent/vigil/policy.yaml"};
	struct vigil_diag d = {0};
	const struct vigil_diag_entry *e;

	(void)state;
	assert_null(vigil_policies_load(paths, 1, &d));
	assert_int_equal(d.errors, 1);
	e = find_diag(&d, VIGIL_DIAG_ERROR, "cannot read: ");
	assert_non_null(strstr(e->msg, strerror(ENOENT)));
	assert_string_equal(e->file, paths[0]);
	assert_int_equal(e->line, 0);
	vigil_diag_free(&d);

	paths[0] = write_file("empty.yaml", "");
	assert_null(vigil_policies_load(paths, 1, &d));
	e = find_diag(&d, VIGIL_DIAG_ERROR, "no policy in file");
	assert_string_equal(e->file, paths[0]);
	vigil_diag_free(&d);

	expect_error_item("# only a comment\n---\n...\n", "no policy in file", 0, 0, NULL);
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */

static void test_error_yaml(void **state)
{
	(void)state;
	expect_error_item(HEAD "file:\n  - paths: [/a, /b\n    action: block\n",
			  "YAML: did not find expected ',' or ']' while parsing a flow sequence "
			  "(started at 4:12)",
			  5, 11, NULL);
	expect_error_item(HEAD "network:\n  cidrs: [127.0.0.0/8, ::1/128]\n  action: block\n",
			  "(in [...] lists, quote values with ':' such as IPv6 addresses: "
			  "\"::1/128\")",
			  4, 24, NULL);
	expect_error_item("name: p\nselector:\n\thost: true\n",
			  "(YAML does not allow tabs for indentation)", 3, 1, NULL);
	expect_error_item("name: \"p\nselector: {host: true}\n",
			  "YAML: found unexpected end of stream", 3, 1, NULL);
	expect_error_item("name: p\xff\n",
			  "YAML: invalid leading UTF-8 octet (the file must be UTF-8)", 1, 8, NULL);
}

static void test_error_structure(void **state)
{
	(void)state;
	expect_error_item("- name: p\n  selector: {host: true}\n",
			  "a policy must be a mapping (name: ..., selector: ...), not a sequence "
			  "(separate several policies with a line '---')",
			  1, 1, NULL);
	expect_error_item("just words\n",
			  "a policy must be a mapping (name: ..., selector: ...), not a scalar", 1,
			  1, NULL);
	expect_error_item("selector: {host: true}\nptrace: {action: block}\n",
			  "policy has no 'name'", 1, 1, NULL);
	expect_error_item("name:\nselector: {host: true}\n", "'name' is empty", 1, 6, NULL);
	expect_error_item("name: [a]\nselector: {host: true}\n",
			  "'name' must be a string, not a sequence", 1, 7, NULL);
	expect_error_item("name: my policy\nselector: {host: true}\n",
			  "policy name 'my policy' has ' ': names have only letters, digits, '_', "
			  "'.' and '-'",
			  1, 7, NULL);
	expect_error("name: p\nptrace: {action: block}\n",
		     "policy has no 'selector' (which processes it governs, e.g. selector: {host: "
		     "true})",
		     1, 1);
	expect_error("name: p\nslector: {host: true}\n",
		     "unknown key 'slector' (expected name, description, mode, default, selector, "
		     "exempt, mitigations, process, file, network, capabilities, ptrace, "
		     "kernel_module, bpf, mount, signal)",
		     2, 1);
	expect_error(HEAD "name: q\n", "duplicate key 'name' (first at line 1)", 3, 1);
	expect_error(HEAD "? [a]\n: b\n", "keys must be strings, not a sequence", 3, 3);
	expect_error(HEAD "mode: enforcing\n",
		     "unknown mode 'enforcing' (expected enforce or audit)", 3, 7);
	expect_error(HEAD "default: deny\n", "unknown default 'deny' (expected allow or block)", 3,
		     10);
	expect_error(HEAD "default:\n", "'default' has no value (expected allow or block)", 3, 9);
	expect_error(HEAD "description: [a]\n", "'description' must be a string, not a sequence", 3,
		     14);
	expect_error(HEAD "mitigations: {userns: true}\n",
		     "'mitigations' must be a list, not a mapping", 3, 14);
	expect_error(
	    HEAD "mitigations: [userns, dirty_pipe]\n",
	    "mitigations: unknown mitigation 'dirty_pipe' (`vigil mitigations` lists them)", 3, 23);
	expect_error(HEAD "mitigations: [userns, [x]]\n",
		     "'mitigations' entries must be strings, not a sequence", 3, 23);
	expect_error(HEAD "ptrace: {action: block}\nmitigations: [a, \"b\\0c\"]\n",
		     "'mitigations' entry contains a NUL character", 4, 18);
}

static void test_error_selector(void **state)
{
	(void)state;
	expect_error("name: p\nselector:\nptrace: {action: block}\n",
		     "'selector' is empty: give at least one of host, containers, processes, "
		     "cgroups",
		     2, 10);
	expect_error("name: p\nselector: {}\n", "'selector' is empty", 2, 11);
	expect_error("name: p\nselector: host\n",
		     "'selector' must be a mapping (host, containers, processes, cgroups), not a "
		     "scalar",
		     2, 11);
	expect_error("name: p\nselector: {host: false}\n",
		     "'selector' selects no process (give host: true, containers, processes or "
		     "cgroups)",
		     2, 11);
	expect_error("name: p\nselector: {host: maybe}\n",
		     "selector: 'host' must be true or false, not 'maybe'", 2, 18);
	expect_error("name: p\nselector:\n  hots: true\n",
		     "selector: unknown key 'hots' (expected host, containers, processes, cgroups)",
		     3, 3);
	expect_error("name: p\nselector:\n  containers:\n    id: [abc]\n",
		     "selector: containers: unknown key 'id' (expected ids, names, images)", 4, 5);
	expect_error("name: p\nselector:\n  containers: [abc]\n",
		     "selector: 'containers' must be a mapping (containers: {ids: [...]}), not a "
		     "sequence",
		     3, 15);
	expect_error("name: p\nselector:\n  containers:\n",
		     "selector: 'containers' is empty (expected ids, names, images)", 3, 14);
	expect_error("name: p\nselector:\n  containers: {ids: [abc123, 0123456789abcdefg]}\n",
		     "selector: containers: ids: 'abc123' is not a container id (12 to 64 hex "
		     "digits: the full id or a prefix)",
		     3, 22);
	expect_error("name: p\nselector:\n  containers: {ids: [abc123, 0123456789abcdefg]}\n",
		     "ids: '0123456789abcdefg' is not a container id", 3, 30);
	expect_error("name: p\nselector:\n  containers: {names: [\"web[\"]}\n",
		     "selector: containers: names: 'web[' has a '[' without its ']'", 3, 24);
	expect_error("name: p\nselector:\n  processes: [/usr/sbin/nginx]\n",
		     "selector: 'processes' must be a mapping (processes: {paths: [...]}), not a "
		     "sequence",
		     3, 14);
	expect_error("name: p\nselector:\n  processes: {path: /x}\n",
		     "selector: processes: unknown key 'path' (expected paths)", 3, 15);
	expect_error("name: p\nselector:\n  processes: {paths: [nginx]}\n",
		     "selector: processes: paths: 'nginx' is not an absolute path (it must start "
		     "with /)",
		     3, 23);
	expect_error("name: p\nselector:\n  cgroups: [system.slice]\n",
		     "selector: cgroups: 'system.slice' is not an absolute path", 3, 13);
	expect_error("name: p\nselector:\n  cgroups: [/system.slice/*]\n",
		     "selector: cgroups: '/system.slice/*' has a wildcard (* ? [): cgroup paths "
		     "are exact",
		     3, 13);
	expect_error("name: p\nselector:\n  cgroups: []\n",
		     "selector: 'cgroups' is empty: list at least one entry", 3, 12);
	expect_error(HEAD "exempt: {host: true}\n",
		     "exempt: unknown key 'host' (expected containers, processes, cgroups)", 3, 10);
	expect_error(HEAD "exempt:\n",
		     "'exempt' is empty: give at least one of containers, processes, cgroups", 3,
		     8);
}

static void test_error_rules(void **state)
{
	(void)state;
	expect_error(HEAD "file:\n  - paths: [/x]\n    acess: [read]\n    action: block\n",
		     "file rule: unknown key 'acess' (expected paths, dirs, access, action)", 5, 5);
	expect_error(HEAD "file:\n  - paths: [/x]\n",
		     "file rule: missing 'action' (block, audit "
		     "or allow)",
		     4, 5);
	expect_error(HEAD "file: {paths: /x, action: deny}\n",
		     "file rule: unknown action 'deny' (expected block, audit or allow)", 3, 27);
	expect_error(HEAD "file: {paths: /x, action: block, action: audit}\n",
		     "file rule: duplicate key 'action' (first at line 3)", 3, 34);
	expect_error(HEAD "file:\n", "'file' has no rule (give a rule such as {action: block})", 3,
		     6);
	expect_error(HEAD "file: []\n", "'file' has no rule", 3, 7);
	expect_error(HEAD "file: block\n",
		     "'file' must be a rule (a mapping) or a list of rules, not a scalar", 3, 7);
	expect_error(HEAD "file:\n  - block\n",
		     "file rule: a rule must be a mapping (action: ...), not a scalar", 4, 5);
	expect_error(HEAD "ptrace: {action: block, paths: [/x]}\n",
		     "ptrace rule: unknown key 'paths' (expected action)", 3, 25);
	expect_error(HEAD "file: {paths: [], action: block}\n",
		     "file rule: 'paths' is empty: list at least one entry", 3, 15);
	expect_error(HEAD "file: {paths: ~, action: block}\n", "file rule: 'paths' is empty", 3,
		     15);
	expect_error(HEAD "file: {paths: [/a, ~], action: block}\n",
		     "file rule: 'paths' has an empty entry", 3, 20);
	expect_error(HEAD "file: {paths: {a: b}, action: block}\n",
		     "file rule: 'paths' must be a list, not a mapping", 3, 15);
	expect_error(HEAD "file: {access: [raed], action: block}\n",
		     "file rule: access: unknown access 'raed' (expected read, write, exec, "
		     "create, delete, rename, chmod, chown)",
		     3, 17);
	expect_error(HEAD "process: {parents: [bash], action: block}\n",
		     "process rule: parents: 'bash' is not an absolute path (it must start with /)",
		     3, 21);
	expect_error(HEAD "process: {paths: [/usr/*/nc], action: block}\n",
		     "process rule: paths: '/usr/*/nc' has a wildcard (* ? [) before its last "
		     "component: wildcards are allowed only in the last one",
		     3, 19);
	expect_error(HEAD "process: {paths: [\"/opt/[ab/x\"], action: block}\n",
		     "process rule: paths: '/opt/[ab/x' has a wildcard (* ? [) before its last "
		     "component",
		     3, 19);
	expect_error(HEAD "process: {paths: [\"/opt/x[ab\"], action: block}\n",
		     "process rule: paths: '/opt/x[ab' has a '[' without its ']'", 3, 19);
	expect_error(HEAD "process: {dirs: [/tmp/*], action: block}\n",
		     "process rule: dirs: '/tmp/*' has a wildcard (* ? [): directory prefixes are "
		     "plain paths",
		     3, 18);
	expect_error(HEAD "file: {paths: [/etc/../shadow], action: block}\n",
		     "file rule: paths: '/etc/../shadow' has a '.' or '..' component (write the "
		     "path without them)",
		     3, 16);
	expect_error(HEAD "file: {paths: [/etc/ssh/], action: block}\n",
		     "file rule: paths: '/etc/ssh/' ends with '/', but it must name a file "
		     "(directory prefixes go under 'dirs')",
		     3, 16);
	expect_error(HEAD "file: {dirs: [\"\"], action: block}\n",
		     "file rule: dirs: '' is not an absolute path", 3, 15);
	expect_error("name: p\nselector: {cgroups: ['']}\n", "cgroups: '' is not an absolute path",
		     2, 22);
	expect_error(HEAD "file: {dirs: [relative/dir], action: block}\n",
		     "file rule: dirs: 'relative/dir' is not an absolute path", 3, 15);
}

static void test_error_names(void **state)
{
	char y[8192];

	(void)state;
	expect_error(HEAD "capabilities: {names: [CAP_SYS_ADMN], action: block}\n",
		     "capabilities rule: names: unknown capability 'CAP_SYS_ADMN' (did you mean "
		     "CAP_SYS_ADMIN?)",
		     3, 24);
	expect_error(HEAD "capabilities: {names: [net_bind], action: block}\n",
		     "unknown capability 'net_bind' (expected a name of capabilities(7), such as "
		     "CAP_SYS_ADMIN or sys_admin)",
		     3, 24);
	expect_error(HEAD "capabilities: {names: [CAP_], action: block}\n",
		     "unknown capability 'CAP_'", 3, 24);
	expect_error(HEAD "signal: {signals: [SIGKIL], action: block}\n",
		     "signal rule: signals: unknown signal 'SIGKIL' (did you mean SIGKILL?)", 3,
		     20);
	expect_error(HEAD "signal: {signals: [SIGTREM], action: block}\n",
		     "unknown signal 'SIGTREM' (did you mean SIGTERM?)", 3, 20);
	expect_error(HEAD "signal: {signals: [SIGRTMIN], action: block}\n",
		     "unknown signal 'SIGRTMIN' (expected a name such as SIGKILL, KILL or kill, "
		     "or a number 1-63)",
		     3, 20);
	expect_error(HEAD "signal: {signals: [0], action: block}\n",
		     "signal rule: signals: signal 0 is out of range (1-63)", 3, 20);
	expect_error(HEAD "signal: {signals: [64], action: block}\n", "signal 64 is out of range",
		     3, 20);
	expect_error(HEAD "signal: {signals: [99999999999999999999], action: block}\n",
		     "signal 99999999999999999999 is out of range", 3, 20);
	expect_error(HEAD "signal: {signals: [-9], action: block}\n", "unknown signal '-9'", 3, 20);
	expect_error(HEAD "network: {families: [AF_PAKET], action: block}\n",
		     "network rule: families: unknown socket family 'AF_PAKET' (did you mean "
		     "AF_PACKET?)",
		     3, 22);
	expect_error(HEAD "network: {families: [ipv4], action: block}\n",
		     "unknown socket family 'ipv4' (expected a name of <sys/socket.h>, such as "
		     "AF_PACKET or packet)",
		     3, 22);
	expect_error(HEAD "network: {families: [inet], ports: [80], action: block}\n",
		     "network rule: 'families' cannot be combined with cidrs, ports, protocols or "
		     "direction",
		     3, 21);

	/* every capability of capabilities(7), in both spellings */
	snprintf(y, sizeof(y), "%s",
		 HEAD "capabilities:\n"
		      "  names: [CAP_CHOWN, DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, FSETID, KILL, "
		      "SETGID, SETUID, SETPCAP, LINUX_IMMUTABLE, NET_BIND_SERVICE, NET_BROADCAST, "
		      "NET_ADMIN, NET_RAW, IPC_LOCK, IPC_OWNER, SYS_MODULE, SYS_RAWIO, SYS_CHROOT, "
		      "SYS_PTRACE, SYS_PACCT, SYS_ADMIN, SYS_BOOT, SYS_NICE, SYS_RESOURCE, "
		      "SYS_TIME, SYS_TTY_CONFIG, MKNOD, LEASE, AUDIT_WRITE, AUDIT_CONTROL, "
		      "SETFCAP, MAC_OVERRIDE, MAC_ADMIN, SYSLOG, WAKE_ALARM, BLOCK_SUSPEND, "
		      "AUDIT_READ, PERFMON, BPF, CAP_CHECKPOINT_RESTORE]\n"
		      "  action: block\n");
	{
		struct vigil_diag d = {0};
		struct vigil_policy_set *ps = load_clean(y, &d);

		assert_int_equal(ps->v[0].rules[0].caps, VIGIL_POL_CAPS_ALL);
		vigil_policies_free(ps);
		vigil_diag_free(&d);
	}
}

static void test_error_network(void **state)
{
	(void)state;
	expect_error(HEAD "network: {cidrs: [10.0.0.0/33], action: block}\n",
		     "network rule: cidrs: '10.0.0.0/33' has a bad prefix length (0-32 for IPv4)",
		     3, 19);
	expect_error(HEAD "network: {cidrs: [\"::/129\"], action: block}\n",
		     "cidrs: '::/129' has a bad prefix length (0-128 for IPv6)", 3, 19);
	expect_error(HEAD "network: {cidrs: [10.0.0/8], action: block}\n",
		     "network rule: cidrs: '10.0.0/8' is not an IPv4 or IPv6 address or CIDR", 3,
		     19);
	expect_error(HEAD "network: {cidrs: [10.0.0.0/], action: block}\n",
		     "cidrs: '10.0.0.0/' has a bad prefix length", 3, 19);
	expect_error(HEAD "network: {cidrs: [10.0.0.0/+8], action: block}\n",
		     "cidrs: '10.0.0.0/+8' has a bad prefix length", 3, 19);
	expect_error(HEAD "network: {cidrs: [example.com], action: block}\n",
		     "cidrs: 'example.com' is not an IPv4 or IPv6 address or CIDR", 3, 19);
	expect_error(HEAD "network: {cidrs: [\"fe80::1%eth0\"], action: block}\n",
		     "cidrs: 'fe80::1%eth0' is not an IPv4 or IPv6 address or CIDR", 3, 19);
	expect_error(HEAD "network: {ports: [0], action: block}\n",
		     "network rule: ports: '0' is out of range (ports are 1-65535)", 3, 19);
	expect_error(HEAD "network: {ports: [65536], action: block}\n",
		     "ports: '65536' is out of range (ports are 1-65535)", 3, 19);
	expect_error(HEAD "network: {ports: [\"100-1\"], action: block}\n",
		     "ports: '100-1' is an empty range (its start is past its end)", 3, 19);
	expect_error(HEAD "network: {ports: [\"80-\"], action: block}\n",
		     "ports: '80-' is not a port (1-65535) or a range \"lo-hi\"", 3, 19);
	expect_error(HEAD "network: {ports: [http], action: block}\n",
		     "ports: 'http' is not a port (1-65535) or a range \"lo-hi\"", 3, 19);
	expect_error(HEAD "network: {ports: [\"1 - 2\"], action: block}\n",
		     "ports: '1 - 2' is not a port", 3, 19);
	expect_error(HEAD "network: {ports: [\"1-99999999999\"], action: block}\n",
		     "ports: '1-99999999999' is out of range", 3, 19);
	expect_error(HEAD "network: {protocols: [icmp], action: block}\n",
		     "network rule: protocols: unknown protocol 'icmp' (expected tcp or udp)", 3,
		     23);
	expect_error(HEAD "network: {direction: out, action: block}\n",
		     "network rule: unknown direction 'out' (expected egress, ingress or both)", 3,
		     22);
	expect_error(HEAD "network: {direction: [egress], action: block}\n",
		     "network rule: 'direction' must be a string, not a sequence", 3, 22);
}

/* All errors are reported, each with its place, and nothing is returned. */
static void test_all_errors_collected(void **state)
{
	struct vigil_diag d = {0};
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_null(load("name: example-block\n"
			 "selector: {host: true}\n"
			 "file:\n"
			 "  - paths: [/srv/secret.txt]\n"
			 "    acess: [read]\n"
			 "    action: block\n"
			 "  - dirs: [tmp]\n"
			 "network:\n"
			 "  ports: [70000]\n"
			 "  action: block\n",
			 &d));
	assert_int_equal(d.errors, 4);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	vigil_diag_print(&d, f);
	fclose(f);
	assert_string_equal(buf, "policy.yaml:5:5: error: [example-block] file rule: unknown key "
				 "'acess' (expected paths, dirs, access, action)\n"
				 "policy.yaml:7:12: error: [example-block] file rule: dirs: 'tmp' "
				 "is not an absolute path (it must start with /)\n"
				 "policy.yaml:7:5: error: [example-block] file rule: missing "
				 "'action' (block, audit or allow)\n"
				 "policy.yaml:9:11: error: [example-block] network rule: ports: "
				 "'70000' is out of range (ports are 1-65535)\n");
	free(buf);
	vigil_diag_free(&d);
}

static void test_warnings(void **state)
{
	(void)state;
	expect_warning("name: p\nselector: {host: true}\n",
		       "policy has no rules and no mitigations: it does nothing", 1, 1);
	expect_warning("name: p\nselector: {host: true}\ndefault: block\nmitigations: [userns]\n",
		       "'default: block' applies to the areas the policy lists, and it lists none",
		       3, 10);
}

/* ------------------------------------------------------------------------ */
/* Limits                                                                    */

static void test_limits(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_policy_set *ps;
	const struct vigil_diag_entry *e;
	size_t cap = 128 * 1024, len = 0;
	char *y = malloc(cap);

	(void)state;
	assert_non_null(y);
	/* 64 policies are fine; the 65th is one too many */
	for (int i = 0; i < VIGIL_POLICY_MAX; i++)
		len += (size_t)snprintf(y + len, cap - len,
					"---\nname: p%d\nselector: {host: true}\nbpf: {action: "
					"block}\n",
					i);
	ps = load_clean(y, &d);
	assert_int_equal(ps->n, VIGIL_POLICY_MAX);
	vigil_policies_free(ps);
	vigil_diag_free(&d);
	snprintf(y + len, cap - len,
		 "---\nname: extra\nselector: {host: true}\n"
		 "mount: {action: block}\n");
	assert_null(load(y, &d));
	assert_int_equal(d.errors, 1);
	e = find_diag(&d, VIGIL_DIAG_ERROR, "too many policies: at most 64 can be loaded at once");
	check_place(&d, e, 4 * VIGIL_POLICY_MAX + 2, 1);
	assert_string_equal(e->item, "extra");
	vigil_diag_free(&d);

	/* 64 rules of an area over the set: 40 in one policy, 24 in another */
	len = (size_t)snprintf(y, cap, "name: a\nselector: {host: true}\nmount:\n");
	for (int i = 0; i < 40; i++)
		len += (size_t)snprintf(y + len, cap - len, "  - action: block\n");
	len += (size_t)snprintf(y + len, cap - len,
				"---\nname: b\nselector: {host: true}\n"
				"mount:\n");
	for (int i = 0; i < 24; i++)
		len += (size_t)snprintf(y + len, cap - len, "  - action: audit\n");
	ps = load_clean(y, &d);
	vigil_policies_free(ps);
	vigil_diag_free(&d);
	snprintf(y + len, cap - len, "  - action: allow\n  - action: allow\n");
	assert_null(load(y, &d));
	assert_int_equal(d.errors, 1);
	e = find_diag(&d, VIGIL_DIAG_ERROR,
		      "too many mount rules: at most 64 over all loaded policies");
	check_place(&d, e, 3 + 40 + 4 + 24 + 1, 5);
	assert_string_equal(e->item, "b");
	vigil_diag_free(&d);
	free(y);
}

/* ------------------------------------------------------------------------ */
/* docs/policy.md                                                            */

static char *read_doc(void)
{
	FILE *f = fopen("docs/policy.md", "r");
	char *buf;
	long len;

	assert_non_null(f); /* the unit tests run from the top of the tree */
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return buf;
}

/* The body of the first fenced block after `from` that starts with `fence`
 * (e.g. "```yaml\nname:"); NULL when there is none. */
static char *doc_block(const char *from, const char *fence, const char **next)
{
	const char *start = strstr(from, fence), *body, *end;

	if (!start)
		return NULL;
	body = strchr(start, '\n') + 1;
	end = strstr(body, "```");
	assert_non_null(end);
	*next = end + 3;
	return strndup(body, (size_t)(end - body));
}

/* Every complete policy of the reference loads; the sample of messages is
 * what the reader prints for the sample file. */
static void test_doc(void **state)
{
	char *doc = read_doc(), *yaml, *want, *got = NULL;
	const char *at = doc;
	size_t examples = 0, len = 0;
	struct vigil_diag d = {0};
	FILE *f;

	(void)state;
	while ((yaml = doc_block(at, "```yaml\nname:", &at))) {
		vigil_policies_free(load_ok(yaml, &d));
		vigil_diag_free(&d);
		free(yaml);
		examples++;
	}
	assert_int_equal(examples, 4);

	yaml = doc_block(doc, "```text\nname: web\n", &at);
	assert_non_null(yaml);
	want = doc_block(at, "```text\n", &at);
	assert_non_null(want);
	*strstr(want, "0 policies loaded") = '\0'; /* vigil check's summary */
	assert_null(vigil_policies_load_buffer("bad.yaml", yaml, strlen(yaml), &d));
	f = open_memstream(&got, &len);
	assert_non_null(f);
	vigil_diag_print(&d, f);
	fclose(f);
	assert_string_equal(got, want);
	vigil_diag_free(&d);
	free(got);
	free(want);
	free(yaml);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_example),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_mutated),
	    cmocka_unit_test(test_allowlist),
	    cmocka_unit_test(test_mitigations_key),
	    cmocka_unit_test(test_selectors),
	    cmocka_unit_test(test_defaults_and_case),
	    cmocka_unit_test(test_process_rules),
	    cmocka_unit_test(test_file_rules),
	    cmocka_unit_test(test_network_rules),
	    cmocka_unit_test(test_capability_rules),
	    cmocka_unit_test(test_signal_rules),
	    cmocka_unit_test(test_action_only_areas),
	    cmocka_unit_test(test_stream),
	    cmocka_unit_test(test_directory),
	    cmocka_unit_test(test_duplicate_names),
	    cmocka_unit_test(test_unreadable_and_empty),
	    cmocka_unit_test(test_error_yaml),
	    cmocka_unit_test(test_error_structure),
	    cmocka_unit_test(test_error_selector),
	    cmocka_unit_test(test_error_rules),
	    cmocka_unit_test(test_error_names),
	    cmocka_unit_test(test_error_network),
	    cmocka_unit_test(test_all_errors_collected),
	    cmocka_unit_test(test_warnings),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_doc),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
