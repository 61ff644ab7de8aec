/* test_inventory_feed.c - unit tests for src/inventory_feed.c: which script
 * an exec runs (#! scripts, interpreters with options, -c/-m/-e, java -jar),
 * and events turned into inventory rows (exec, mmap, scripts looked up in
 * the process's cwd through a fake procfs; failed execs and maps ignored; a
 * chrooted process's absolute script path). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "inventory.h"
#include "inventory_feed.h"

/* ------------------------------------------------------------------------ */
/* Script candidates                                                         */

/* argv given as "a|b|c"; want as "x|y" (candidates in order), "" for none. */
static void check(const char *exe, const char *filename, const char *args, const char *want)
{
	char argv[512], got[512] = "";
	const char *out[8];
	size_t len = strlen(args) + 1, n;

	snprintf(argv, sizeof(argv), "%s", args);
	for (char *p = argv; *p; p++)
		if (*p == '|')
			*p = '\0';
	n = vigil_script_candidates(exe, filename, argv, len, out, 8);
	for (size_t i = 0; i < n; i++) {
		strcat(got, i ? "|" : "");
		strcat(got, out[i]);
	}
	if (strcmp(got, want) != 0)
		fail_msg("%s [%s]: got \"%s\", want \"%s\"", exe, args, got, want);
}

static void test_hashbang(void **state)
{
	(void)state;
	/* binfmt_script: argv[0] the #! interpreter, then filename */
	check("/usr/bin/dash", "./run.sh", "/bin/sh|./run.sh|arg", "./run.sh");
	/* with the #! line's argument */
	check("/usr/bin/python3.11", "/srv/app.py", "/usr/bin/python3|-u|/srv/app.py",
	      "/srv/app.py");
	check("/usr/bin/env", "./app.py", "/usr/bin/env|python3|./app.py", "./app.py");
	/* an ordinary exec naming itself, or its own path as an argument */
	check("/usr/bin/ls", "/usr/bin/ls", "ls|/usr/bin/ls", "");
	check("/usr/bin/ls", "/usr/bin/ls", "/usr/bin/ls|/usr/bin/ls", "");
	check("/usr/bin/cat", "/usr/bin/cat", "cat|/etc/hostname", "");
}

static void test_interpreters(void **state)
{
	(void)state;
	check("/usr/bin/python3.11", "/usr/bin/python3", "python3|app.py|x", "app.py|x");
	check("/usr/bin/python3.11", "/usr/bin/python3", "python3|-u|-W|ignore|app.py", "app.py");
	check("/usr/bin/python3.11", "/usr/bin/python3", "python3|-c|pass", "");
	check("/usr/bin/python3.11", "/usr/bin/python3", "python3|-m|http.server", "");
	check("/usr/bin/python3.11", "/usr/bin/python3", "python3", "");
	check("/usr/bin/python3.11", "/usr/bin/python3", "python3|-", "");
	check("/usr/bin/perl", "/usr/bin/perl", "perl|-e|print 1", "");
	check("/usr/bin/perl5.36.0", "/usr/bin/perl", "perl|-w|x.pl", "x.pl");
	check("/usr/bin/bash", "/bin/bash", "bash|-c|echo hi", "");
	check("/usr/bin/bash", "/bin/bash", "bash|-o|pipefail|s.sh", "s.sh");
	check("/usr/bin/bash", "/bin/bash", "bash|-x|s.sh|a", "s.sh|a");
	check("/usr/bin/dash", "/bin/sh", "sh|--|s.sh|a", "s.sh");
	check("/usr/bin/node", "/usr/bin/node", "node|-r|dotenv/config|server.js", "server.js");
	check("/usr/bin/node", "/usr/bin/node", "node|-e|1", "");
	check("/usr/bin/php8.2", "/usr/bin/php", "php|-f|index.php", "index.php");
	check("/usr/bin/php8.2", "/usr/bin/php", "php|-r|echo 1;", "");
	check("/usr/lib/jvm/bin/java", "/usr/bin/java", "java|-Xmx1g|-jar|app.jar|x", "app.jar");
	check("/usr/lib/jvm/bin/java", "/usr/bin/java", "java|-cp|lib|com.example.Main", "");
	check("/usr/bin/lua5.4", "/usr/bin/lua", "lua|t.lua", "t.lua");
	/* not interpreters */
	check("/usr/bin/curl", "/usr/bin/curl", "curl|--version", "");
	check("/usr/bin/pythonic", "/usr/bin/pythonic", "pythonic|x.py", "");
	check("/usr/bin/shred", "/usr/bin/shred", "shred|f", "");
}

static void test_candidate_limits(void **state)
{
	const char *py = "/usr/bin/python3", *out[4];
	char argv[] = "python3\0a\0b\0c";

	(void)state;
	assert_int_equal(vigil_script_candidates(py, py, argv, sizeof(argv), out, 4), 3);
	assert_int_equal(vigil_script_candidates(py, py, argv, sizeof(argv), out, 2), 2);
	assert_int_equal(vigil_script_candidates(py, NULL, argv, sizeof(argv), out, 0), 0);
	/* a cut argv (no final NUL) does not give a partial argument */
	assert_int_equal(vigil_script_candidates(py, NULL, argv, sizeof(argv) - 1, out, 4), 2);
	assert_string_equal(out[1], "b");
	assert_int_equal(vigil_script_candidates(py, NULL, NULL, 0, out, 2), 0);
}

/* ------------------------------------------------------------------------ */
/* Events to rows                                                            */

struct fx {
	char dir[64], state[128], procfs[128], hostroot[128], cwd[128], rootfs[128];
	struct vigil_inv_feed *f;
};

static void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	char err[1024];

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/vigil-test-feed-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->state, sizeof(fx->state), "%s/state", fx->dir);
	snprintf(fx->procfs, sizeof(fx->procfs), "%s/proc", fx->dir);
	snprintf(fx->hostroot, sizeof(fx->hostroot), "%s/host", fx->dir);
	snprintf(fx->cwd, sizeof(fx->cwd), "%s/work", fx->dir);
	snprintf(fx->rootfs, sizeof(fx->rootfs), "%s/srv/rootfs", fx->dir);
	sh("mkdir -p %s/100 %s/200 %s %s/app %s", fx->procfs, fx->procfs, fx->hostroot, fx->rootfs,
	   fx->cwd);
	sh("ln -s %s %s/100/root && ln -s %s %s/100/cwd", fx->hostroot, fx->procfs, fx->cwd,
	   fx->procfs);
	sh("ln -s %s %s/200/root && ln -s %s/app %s/200/cwd", fx->rootfs, fx->procfs, fx->rootfs,
	   fx->procfs);
	sh("touch %s/app.py %s/app/main.py", fx->cwd, fx->rootfs);
	fx->f = vigil_inv_feed_open(fx->state, err, sizeof(err));
	if (!fx->f || vigil_inv_feed_set_roots(fx->f, fx->procfs, fx->hostroot) != 0)
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	vigil_inv_feed_close(fx->f);
	sh("rm -rf '%s'", fx->dir);
	free(fx);
	return 0;
}

struct rec {
	struct vigil_event_hdr h;
	struct vigil_event ev;
};

static struct vigil_event *event(struct rec *r, uint32_t type, uint32_t pid, int64_t ret,
				 const char *comm)
{
	memset(r, 0, sizeof(*r));
	r->h.type = type;
	r->h.pid = r->h.tid = pid;
	r->h.ret = ret;
	r->h.flags = VIGIL_HDR_HAS_RET;
	snprintf(r->h.comm, sizeof(r->h.comm), "%s", comm);
	r->ev.hdr = &r->h;
	return &r->ev;
}

static void feed(struct fx *fx, struct vigil_event *ev, const char *exe)
{
	struct vigil_inv_ctx c = {
	    .exe = exe, .container_id = "", .wall_ns = 1800000000ull * 1000000000ull};

	vigil_inv_feed_event(fx->f, ev, &c);
}

static const struct vigil_inv_file *find(struct vigil_inv_file *v, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].path, path) == 0)
			return &v[i];
	return NULL;
}

static void test_events(void **state)
{
	struct fx *fx = *state;
	static const char argv[] = "python3\0-W\0ignore\0missing.py\0app.py";
	struct vigil_inv_file *v;
	const struct vigil_inv_file *r;
	struct rec rec;
	struct vigil_event *ev;
	char err[1024];
	size_t n;

	ev = event(&rec, VIGIL_EVT_EXECVE, 100, 0, "python3");
	ev->exe = "/usr/bin/python3.11";
	ev->argv = argv;
	ev->argv_len = sizeof(argv);
	ev->cwd = "/work";
	feed(fx, ev, NULL);
	ev = event(&rec, VIGIL_EVT_MMAP, 100, 0x7f0000000000, "python3");
	ev->name = "/usr/lib/libpython3.11.so.1.0";
	feed(fx, ev, "/usr/bin/python3.11");
	/* failures are not uses */
	ev = event(&rec, VIGIL_EVT_MMAP, 100, -1, "python3");
	ev->name = "/usr/lib/libfailed.so";
	feed(fx, ev, "/usr/bin/python3.11");
	ev = event(&rec, VIGIL_EVT_EXECVE, 100, -2, "python3");
	ev->exe = "/usr/bin/failed";
	feed(fx, ev, NULL);
	/* other types are ignored */
	ev = event(&rec, VIGIL_EVT_OPENAT, 100, 3, "python3");
	ev->name = "/usr/lib/opened.so";
	feed(fx, ev, NULL);
	assert_int_equal(vigil_inv_feed_flush(fx->f), 0);

	assert_int_equal(vigil_inventory_files(fx->state, "host", &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	r = find(v, n, "/usr/bin/python3.11");
	assert_non_null(r);
	assert_string_equal(r->kind, "exec");
	assert_string_equal(r->comm, "python3");
	r = find(v, n, "/usr/lib/libpython3.11.so.1.0");
	assert_non_null(r);
	assert_string_equal(r->kind, "map");
	assert_string_equal(r->exe, "/usr/bin/python3.11");
	/* "ignore" is the -W value; missing.py does not exist in the cwd; app.py does */
	r = find(v, n, "/work/app.py");
	assert_non_null(r);
	assert_string_equal(r->kind, "script");
	assert_int_equal(r->pid, 100);
	vigil_inventory_files_free(v, n);
}

/* A chrooted process: a relative script is joined to the cwd the kernel
 * reported (host-absolute), an absolute one gets the chroot in front; both
 * end up in the chroot's scope with the path inside it. */
static void test_chroot_scripts(void **state)
{
	struct fx *fx = *state;
	static const char rel[] = "python3\0main.py";
	static const char abs[] = "python3\0/app/main.py";
	char cwd[256], scope[256], err[1024];
	struct vigil_inv_file *v;
	struct rec rec;
	struct vigil_event *ev;
	size_t n;

	snprintf(cwd, sizeof(cwd), "%s/app", fx->rootfs);
	snprintf(scope, sizeof(scope), "root:%s", fx->rootfs);
	ev = event(&rec, VIGIL_EVT_EXECVE, 200, 0, "python3");
	ev->exe = "/usr/bin/python3";
	ev->argv = rel;
	ev->argv_len = sizeof(rel);
	ev->cwd = cwd;
	feed(fx, ev, NULL);
	ev->argv = abs;
	ev->argv_len = sizeof(abs);
	feed(fx, ev, NULL);
	assert_int_equal(vigil_inv_feed_flush(fx->f), 0);
	assert_int_equal(vigil_inventory_files(fx->state, scope, &v, &n, err, sizeof(err)), 0);
	assert_non_null(find(v, n, "/app/main.py"));
	assert_int_equal(find(v, n, "/app/main.py")->use_count, 2);
	vigil_inventory_files_free(v, n);
}

/* The process is gone: the first candidate is taken as it is. */
static void test_gone_process(void **state)
{
	struct fx *fx = *state;
	static const char argv[] = "perl\0-w\0tool.pl\0arg";
	struct vigil_inv_file *v;
	struct rec rec;
	struct vigil_event *ev;
	char err[1024];
	size_t n;

	ev = event(&rec, VIGIL_EVT_EXECVE, 4242, 0, "perl");
	ev->exe = "/usr/bin/perl";
	ev->argv = argv;
	ev->argv_len = sizeof(argv);
	ev->cwd = "/opt";
	feed(fx, ev, NULL);
	assert_int_equal(vigil_inv_feed_flush(fx->f), 0);
	assert_int_equal(vigil_inventory_files(fx->state, "host", &v, &n, err, sizeof(err)), 0);
	assert_non_null(find(v, n, "/opt/tool.pl"));
	assert_null(find(v, n, "/opt/arg"));
	vigil_inventory_files_free(v, n);
}

static void test_open_error(void **state)
{
	char err[1024];

	(void)state;
	assert_null(vigil_inv_feed_open("/proc/version/x", err, sizeof(err)));
	assert_non_null(strstr(err, "/proc/version/x"));
	vigil_inv_feed_close(NULL);
	assert_int_equal(vigil_inv_feed_flush(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hashbang),
	    cmocka_unit_test(test_interpreters),
	    cmocka_unit_test(test_candidate_limits),
	    cmocka_unit_test_setup_teardown(test_events, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_chroot_scripts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gone_process, setup, teardown),
	    cmocka_unit_test(test_open_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
