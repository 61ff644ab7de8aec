/* test_inventory.c - unit tests for the runtime inventory (src/inventory.c,
 * src/inventory_scope.c): uses noted, flushed to SQLite and read back; use
 * counts and first-seen process across flushes and reopening; scope
 * resolution against a fake procfs (host, chroot with the prefix stripped,
 * container, mount namespace, exited processes, the per-process cache);
 * the size bounds; scope lookup by prefix; live roots; errors. */
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
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "inventory.h"

#define SEC 1000000000ull

static uint64_t T0; /* an hour ago */
#define CID "3f4a9c2e8b7d6a5f1e0c9b8a7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e"

struct fx {
	char dir[64];	    /* everything lives under it */
	char state[128];    /* the state directory */
	char procfs[128];   /* a fake /proc */
	char hostroot[128]; /* a fake host root */
	char rootfs[128];   /* a chroot */
	struct vigil_inventory *inv;
};

static void mkdir_p(const char *fmt, ...)
{
	char p[PATH_MAX], cmd[PATH_MAX + 16];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p, sizeof(p), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", p);
	assert_int_equal(system(cmd), 0);
}

/* procfs/PID/root -> target (and procfs/PID itself). */
static void fake_proc(struct fx *fx, unsigned pid, const char *target)
{
	char p[PATH_MAX];

	mkdir_p("%s/%u", fx->procfs, pid);
	snprintf(p, sizeof(p), "%s/%u/root", fx->procfs, pid);
	unlink(p);
	assert_int_equal(symlink(target, p), 0);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	char err[1024];

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/vigil-test-inv-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->state, sizeof(fx->state), "%s/state/sub", fx->dir);
	snprintf(fx->procfs, sizeof(fx->procfs), "%s/proc", fx->dir);
	snprintf(fx->hostroot, sizeof(fx->hostroot), "%s/host", fx->dir);
	snprintf(fx->rootfs, sizeof(fx->rootfs), "%s/srv/rootfs", fx->dir);
	mkdir_p("%s", fx->procfs);
	mkdir_p("%s", fx->hostroot);
	mkdir_p("%s/usr/lib", fx->rootfs);
	fake_proc(fx, 100, fx->hostroot); /* a host process */
	fake_proc(fx, 200, fx->rootfs);	  /* a chrooted process */
	fx->inv = vigil_inventory_open(fx->state, err, sizeof(err));
	if (!fx->inv) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if (vigil_inventory_set_roots(fx->inv, fx->procfs, fx->hostroot) != 0)
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	char cmd[128];

	vigil_inventory_close(fx->inv);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

static void note(struct fx *fx, const char *kind, const char *path, uint32_t pid, const char *cid,
		 const char *comm, uint64_t t)
{
	struct vigil_inventory_use u = {
	    .kind = kind,
	    .path = path,
	    .pid = pid + 1, /* a thread: the scope comes from tgid */
	    .tgid = pid,
	    .container_id = cid,
	    .exe = "/usr/bin/x",
	    .comm = comm,
	    .wall_ns = t,
	};

	vigil_inventory_note(fx->inv, &u);
}

struct rows {
	struct vigil_inv_file *v;
	size_t n;
};

static struct rows read_files(struct fx *fx, const char *scope)
{
	struct rows r;
	char err[1024];

	if (vigil_inventory_files(fx->state, scope, &r.v, &r.n, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return r;
}

static const struct vigil_inv_file *row(const struct rows *r, const char *path)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].path, path) == 0)
			return &r->v[i];
	return NULL;
}

static struct vigil_inv_scope_info scope_info(struct fx *fx, const char *name)
{
	struct vigil_inv_scope_info s;
	char err[1024];

	if (vigil_inventory_find_scope(fx->state, name, &s, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return s;
}

/* ------------------------------------------------------------------------ */
/* Noting, flushing, reading back                                            */

static void test_note_flush_read(void **state)
{
	struct fx *fx = *state;
	const struct vigil_inv_file *f;
	struct vigil_inventory_stats st;
	struct rows r;

	note(fx, "exec", "/usr/bin/curl", 100, NULL, "curl", T0);
	note(fx, "map", "/usr/lib/libcurl.so.4", 100, NULL, "curl", T0 + 1);
	note(fx, "map", "/usr/lib/libcurl.so.4", 100, NULL, "curl", T0 + 2);
	note(fx, "script", "/usr/share/x/run.py", 100, "", "python3", T0 + 3);
	note(fx, "map", "/usr/lib/./x/../libz.so.1", 100, NULL, "curl", T0 + 4);
	vigil_inventory_stats(fx->inv, &st);
	assert_int_equal(st.notes, 5);
	assert_int_equal(st.pending, 4);
	assert_int_equal(vigil_inventory_flush(fx->inv), 0);
	vigil_inventory_stats(fx->inv, &st);
	assert_int_equal(st.pending, 0);
	assert_int_equal(st.rows_written, 4);

	r = read_files(fx, "host");
	assert_int_equal(r.n, 4);
	f = row(&r, "/usr/lib/libcurl.so.4");
	assert_non_null(f);
	assert_string_equal(f->kind, "map");
	assert_int_equal(f->use_count, 2);
	assert_int_equal(f->first_ns, T0 + 1);
	assert_int_equal(f->last_ns, T0 + 2);
	assert_int_equal(f->pid, 100); /* the process, not the thread */
	assert_string_equal(f->comm, "curl");
	assert_string_equal(f->exe, "/usr/bin/x");
	assert_false(f->fallback);
	assert_string_equal(row(&r, "/usr/bin/curl")->kind, "exec");
	assert_string_equal(row(&r, "/usr/share/x/run.py")->kind, "script");
	assert_non_null(row(&r, "/usr/lib/libz.so.1")); /* normalized */
	vigil_inventory_files_free(r.v, r.n);
}

/* Counts add up over flushes and a restart; the first use (and its
 * process) stays the earliest, whenever it is reported. */
static void test_persist_across_reopen(void **state)
{
	struct fx *fx = *state;
	const struct vigil_inv_file *f;
	struct rows r;
	char err[1024];

	note(fx, "map", "/usr/lib/libssl.so.3", 100, NULL, "nginx", T0 + 10 * SEC);
	assert_int_equal(vigil_inventory_flush(fx->inv), 0);
	note(fx, "map", "/usr/lib/libssl.so.3", 100, NULL, "nginx", T0 + 20 * SEC);
	vigil_inventory_close(fx->inv); /* flushes */

	fx->inv = vigil_inventory_open(fx->state, err, sizeof(err));
	assert_non_null(fx->inv);
	assert_int_equal(vigil_inventory_set_roots(fx->inv, fx->procfs, fx->hostroot), 0);
	note(fx, "map", "/usr/lib/libssl.so.3", 100, NULL, "curl", T0 + 5 * SEC); /* earlier */
	assert_int_equal(vigil_inventory_flush(fx->inv), 0);

	r = read_files(fx, "host");
	f = row(&r, "/usr/lib/libssl.so.3");
	assert_non_null(f);
	assert_int_equal(f->use_count, 3);
	assert_int_equal(f->first_ns, T0 + 5 * SEC);
	assert_int_equal(f->last_ns, T0 + 20 * SEC);
	assert_string_equal(f->comm, "curl");
	vigil_inventory_files_free(r.v, r.n);
}

/* The host is observed from the agent's start to the last flush. */
static void test_observed_period(void **state)
{
	struct fx *fx = *state;
	struct vigil_inv_scope_info s;

	note(fx, "exec", "/usr/bin/true", 100, NULL, "true", T0);
	assert_int_equal(vigil_inventory_flush(fx->inv), 0);
	s = scope_info(fx, "host");
	assert_string_equal(s.kind, "host");
	assert_string_equal(s.root, "/");
	assert_int_equal(s.first_ns, T0);
	assert_true(s.last_ns > T0 + 60 * SEC); /* now, at the flush */
	assert_int_equal(s.files, 1);
}

static void test_ignored(void **state)
{
	struct fx *fx = *state;
	struct vigil_inventory_stats st;

	note(fx, "read", "/etc/passwd", 100, NULL, "cat", T0);
	note(fx, "exec", "", 100, NULL, "cat", T0);
	note(fx, NULL, "/bin/cat", 100, NULL, "cat", T0);
	note(fx, "exec", NULL, 100, NULL, "cat", T0);
	vigil_inventory_note(NULL, NULL);
	vigil_inventory_stats(fx->inv, &st);
	assert_int_equal(st.ignored, 4);
	assert_int_equal(st.notes, 0);
}

/* ------------------------------------------------------------------------ */
/* Scopes                                                                    */

static void test_chroot_scope(void **state)
{
	struct fx *fx = *state;
	struct vigil_inv_scope_info s;
	char path[PATH_MAX], name[PATH_MAX], root[PATH_MAX], err[256];
	struct rows r;

	/* A chrooted process's paths arrive host-absolute. */
	snprintf(path, sizeof(path), "%s/usr/lib/libc.so.6", fx->rootfs);
	note(fx, "map", path, 200, NULL, "app", T0);
	snprintf(path, sizeof(path), "%s/usr/bin/app", fx->rootfs);
	note(fx, "exec", path, 200, NULL, "app", T0);
	note(fx, "map", "/opt/outside.so", 200, NULL, "app", T0); /* not under the root */
	assert_int_equal(vigil_inventory_flush(fx->inv), 0);

	snprintf(name, sizeof(name), "root:%s", fx->rootfs);
	s = scope_info(fx, name);
	assert_string_equal(s.kind, "chroot");
	assert_string_equal(s.root, fx->rootfs);
	r = read_files(fx, name);
	assert_int_equal(r.n, 2);
	assert_non_null(row(&r, "/usr/lib/libc.so.6"));
	assert_non_null(row(&r, "/usr/bin/app"));
	vigil_inventory_files_free(r.v, r.n);
	r = read_files(fx, "host");
	assert_non_null(row(&r, "/opt/outside.so"));
	vigil_inventory_files_free(r.v, r.n);
	/* vigil vuln reads its package database there */
	assert_int_equal(
	    vigil_scope_live_root(&s, fx->procfs, root, sizeof(root), err, sizeof(err)), 0);
	assert_string_equal(root, fx->rootfs);
}

static void test_container_scope(void **state)
{
	struct fx *fx = *state;
	struct vigil_inv_scope_info s;
	char root[PATH_MAX], want[PATH_MAX], err[1024];
	struct rows r;
	FILE *f;

	/* Paths are relative to the container's root: kept as they are. */
	note(fx, "map", "/usr/lib/libc.so.6", 300, CID, "nginx", T0);
	assert_int_equal(vigil_inventory_flush(fx->inv), 0);
	s = scope_info(fx, "3f4a9c2e8b7d"); /* a unique prefix, as docker shows */
	assert_string_equal(s.name, CID);
	assert_string_equal(s.kind, "container");
	assert_string_equal(s.container_id, CID);
	r = read_files(fx, CID);
	assert_int_equal(r.n, 1);
	assert_non_null(row(&r, "/usr/lib/libc.so.6"));
	vigil_inventory_files_free(r.v, r.n);

	/* Not running: no root to read packages from. */
	assert_int_equal(
	    vigil_scope_live_root(&s, fx->procfs, root, sizeof(root), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no process of it is running"));
	/* Another process of the container, found by its cgroup. */
	fake_proc(fx, 777, fx->rootfs);
	snprintf(want, sizeof(want), "%s/777/cgroup", fx->procfs);
	f = fopen(want, "w");
	assert_non_null(f);
	fprintf(f, "0::/system.slice/docker-%s.scope\n", CID);
	fclose(f);
	assert_int_equal(
	    vigil_scope_live_root(&s, fx->procfs, root, sizeof(root), err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/777/root", fx->procfs);
	assert_string_equal(root, want);
}

static void test_mntns_scope(void **state)
{
	struct fx *fx = *state;
	struct vigil_inv_scope_info s;
	struct rows r;

	fake_proc(fx, 400, "/"); /* another root, not a path in our namespace */
	struct vigil_inventory_use u = {.kind = "map",
					.path = "/lib/x.so",
					.pid = 400,
					.mntns = 4026532999u,
					.comm = "sandboxed",
					.wall_ns = T0};
	vigil_inventory_note(fx->inv, &u);
	assert_int_equal(vigil_inventory_flush(fx->inv), 0);
	s = scope_info(fx, "mntns:4026532999");
	assert_string_equal(s.kind, "mntns");
	assert_int_equal(s.mntns, 4026532999u);
	r = read_files(fx, "mntns:4026532999");
	assert_non_null(row(&r, "/lib/x.so"));
	vigil_inventory_files_free(r.v, r.n);
}

/* A burst of maps costs one /proc read: the scope is cached per process,
 * so it holds after the process is gone; an exec re-reads, and then falls
 * back to the cached scope (marked). An unknown exited process falls back
 * to the host (marked). */
static void test_scope_cache_and_fallback(void **state)
{
	struct fx *fx = *state;
	char path[PATH_MAX], name[PATH_MAX], link[PATH_MAX];
	struct vigil_inventory_stats st;
	struct rows r;

	snprintf(name, sizeof(name), "root:%s", fx->rootfs);
	snprintf(path, sizeof(path), "%s/usr/lib/a.so", fx->rootfs);
	note(fx, "map", path, 200, NULL, "app", T0);
	snprintf(link, sizeof(link), "%s/200/root", fx->procfs);
	assert_int_equal(unlink(link), 0); /* the process is gone */
	snprintf(path, sizeof(path), "%s/usr/lib/b.so", fx->rootfs);
	note(fx, "map", path, 200, NULL, "app", T0 + 1);
	vigil_inventory_stats(fx->inv, &st);
	assert_int_equal(st.fallbacks, 0);
	snprintf(path, sizeof(path), "%s/usr/bin/c", fx->rootfs);
	note(fx, "exec", path, 200, NULL, "app", T0 + 2);
	note(fx, "map", "/usr/lib/d.so", 999, NULL, "gone", T0 + 3);
	vigil_inventory_stats(fx->inv, &st);
	assert_int_equal(st.fallbacks, 2);
	assert_int_equal(vigil_inventory_flush(fx->inv), 0);

	r = read_files(fx, name);
	assert_int_equal(r.n, 3);
	assert_false(row(&r, "/usr/lib/a.so")->fallback);
	assert_false(row(&r, "/usr/lib/b.so")->fallback);
	assert_true(row(&r, "/usr/bin/c")->fallback);
	vigil_inventory_files_free(r.v, r.n);
	r = read_files(fx, "host");
	assert_true(row(&r, "/usr/lib/d.so")->fallback);
	vigil_inventory_files_free(r.v, r.n);
	assert_int_equal(scope_info(fx, "host").fallbacks, 1);
}

/* A process found gone is remembered: its later maps cost no /proc lookup
 * (the same guess, even if the pid shows up again meanwhile); an exec looks
 * again. */
static void test_dead_process_cached(void **state)
{
	struct fx *fx = *state;
	char path[PATH_MAX], name[PATH_MAX];
	struct vigil_inventory_stats st;
	struct rows r;

	note(fx, "map", "/usr/lib/e.so", 777, NULL, "gone", T0);
	fake_proc(fx, 777, fx->rootfs); /* the pid is in use again, chrooted */
	note(fx, "map", "/usr/lib/f.so", 777, NULL, "gone", T0 + 1);
	vigil_inventory_stats(fx->inv, &st);
	assert_int_equal(st.fallbacks, 2);
	snprintf(path, sizeof(path), "%s/usr/bin/g", fx->rootfs);
	note(fx, "exec", path, 777, NULL, "new", T0 + 2);
	vigil_inventory_stats(fx->inv, &st);
	assert_int_equal(st.fallbacks, 2);
	assert_int_equal(vigil_inventory_flush(fx->inv), 0);
	r = read_files(fx, "host");
	assert_true(row(&r, "/usr/lib/e.so")->fallback);
	assert_true(row(&r, "/usr/lib/f.so")->fallback);
	vigil_inventory_files_free(r.v, r.n);
	snprintf(name, sizeof(name), "root:%s", fx->rootfs);
	r = read_files(fx, name);
	assert_non_null(row(&r, "/usr/bin/g"));
	assert_false(row(&r, "/usr/bin/g")->fallback);
	vigil_inventory_files_free(r.v, r.n);
}

static void test_scope_path(void **state)
{
	struct vigil_scope s = {.kind = "chroot", .root = "/srv/rootfs"};
	char out[PATH_MAX];

	(void)state;
	assert_true(vigil_scope_path(&s, "/srv/rootfs/usr/lib/x.so", out, sizeof(out)));
	assert_string_equal(out, "/usr/lib/x.so");
	assert_true(vigil_scope_path(&s, "/srv/rootfs", out, sizeof(out)));
	assert_string_equal(out, "/");
	assert_true(vigil_scope_path(&s, "/srv/rootfs/a/../b//c", out, sizeof(out)));
	assert_string_equal(out, "/b/c");
	assert_false(vigil_scope_path(&s, "/srv/rootfs2/x", out, sizeof(out)));
	assert_false(vigil_scope_path(&s, "/srv/rootfs/../etc/x", out, sizeof(out)));
	snprintf(s.kind, sizeof(s.kind), "host");
	assert_true(vigil_scope_path(&s, "relative/x", out, sizeof(out)));
	assert_string_equal(out, "/relative/x");
}

/* ------------------------------------------------------------------------ */
/* Bounds                                                                    */

static void test_file_bound(void **state)
{
	struct fx *fx = *state;
	struct vigil_inventory_stats st;
	char path[64];
	struct rows r;

	vigil_inventory_set_limits(fx->inv, 5, 0, 0);
	for (int i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), "/usr/lib/lib%d.so", i);
		note(fx, "map", path, 100, NULL, "x", T0 + (uint64_t)i * SEC);
	}
	note(fx, "map", "/usr/lib/lib0.so", 100, NULL, "x", T0 + 100 * SEC); /* recent again */
	assert_int_equal(vigil_inventory_flush(fx->inv), 0);
	vigil_inventory_stats(fx->inv, &st);
	assert_int_equal(st.evicted, 3);
	r = read_files(fx, "host");
	assert_int_equal(r.n, 5);
	assert_non_null(row(&r, "/usr/lib/lib0.so"));
	assert_null(row(&r, "/usr/lib/lib1.so")); /* least recently used */
	assert_null(row(&r, "/usr/lib/lib2.so"));
	assert_null(row(&r, "/usr/lib/lib3.so"));
	assert_non_null(row(&r, "/usr/lib/lib7.so"));
	vigil_inventory_files_free(r.v, r.n);
	assert_int_equal(scope_info(fx, "host").evicted, 3);
}

static void test_scope_bound(void **state)
{
	struct fx *fx = *state;
	struct vigil_inv_scope_info *v;
	char cid[80], err[256];
	size_t n;

	vigil_inventory_set_limits(fx->inv, 0, 3, 0);
	for (int i = 0; i < 4; i++) {
		snprintf(cid, sizeof(cid), "c%d", i);
		note(fx, "map", "/lib/x.so", (uint32_t)(500 + i), cid, "x", T0 + (uint64_t)i * SEC);
	}
	assert_int_equal(vigil_inventory_flush(fx->inv), 0);
	assert_int_equal(vigil_inventory_scopes(fx->state, &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].name, "host"); /* never evicted, listed first */
	assert_string_equal(v[1].name, "c2");
	assert_string_equal(v[2].name, "c3");
	free(v);
}

/* Past the bound on rows in all, whole scopes go, oldest first. */
static void test_row_bound(void **state)
{
	struct fx *fx = *state;
	struct vigil_inv_scope_info *v;
	char cid[80], path[64], err[256];
	size_t n;

	vigil_inventory_set_limits(fx->inv, 0, 0, 7);
	for (int i = 0; i < 3; i++) {
		snprintf(cid, sizeof(cid), "c%d", i);
		for (int j = 0; j < 3; j++) {
			snprintf(path, sizeof(path), "/lib/x%d.so", j);
			note(fx, "map", path, (uint32_t)(600 + i), cid, "x",
			     T0 + (uint64_t)(i * 10 + j) * SEC);
		}
	}
	note(fx, "map", "/lib/host.so", 100, NULL, "x", T0);
	assert_int_equal(vigil_inventory_flush(fx->inv), 0); /* 10 rows > 7 */
	assert_int_equal(vigil_inventory_scopes(fx->state, &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].name, "host");
	assert_string_equal(v[1].name, "c1");
	assert_string_equal(v[2].name, "c2");
	free(v);
}

/* ------------------------------------------------------------------------ */
/* Lookups and errors                                                        */

static void test_find_scope_errors(void **state)
{
	struct fx *fx = *state;
	struct vigil_inv_scope_info s;
	char err[1024];

	note(fx, "map", "/lib/x.so", 501, "abc111", "x", T0);
	note(fx, "map", "/lib/x.so", 502, "abc222", "x", T0);
	assert_int_equal(vigil_inventory_flush(fx->inv), 0);
	assert_int_equal(vigil_inventory_find_scope(fx->state, "abc", &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ambiguous"));
	assert_int_equal(vigil_inventory_find_scope(fx->state, "zzz", &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not found"));
	assert_non_null(strstr(err, "host, abc111, abc222"));
	assert_int_equal(vigil_inventory_find_scope(fx->state, "abc2", &s, err, sizeof(err)), 0);
	assert_string_equal(s.name, "abc222");
}

static void test_open_errors(void **state)
{
	struct fx *fx = *state;
	char p[PATH_MAX], err[1024];
	struct vigil_inv_file *files;
	size_t n;
	FILE *f;

	/* The state directory is a file. */
	snprintf(p, sizeof(p), "%s/afile", fx->dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fclose(f);
	assert_null(vigil_inventory_open(p, err, sizeof(err)));
	assert_non_null(strstr(err, p));
	/* Not a database. */
	mkdir_p("%s/bad", fx->dir);
	snprintf(p, sizeof(p), "%s/bad/inventory.db", fx->dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("definitely not an SQLite database, but long enough to be read as one\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/bad", fx->dir);
	assert_null(vigil_inventory_open(p, err, sizeof(err)));
	assert_non_null(strstr(err, "bad/inventory.db"));
	assert_int_equal(vigil_inventory_files(p, "host", &files, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad/inventory.db"));
	/* No inventory yet. */
	snprintf(p, sizeof(p), "%s/none", fx->dir);
	assert_int_equal(vigil_inventory_files(p, "host", &files, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no inventory"));
}

/* Many distinct files: memory is released after a flush past half the
 * bound, and nothing is lost. */
static void test_many_files(void **state)
{
	struct fx *fx = *state;
	struct vigil_inventory_stats st;
	char path[64];
	struct rows r;

	vigil_inventory_set_limits(fx->inv, VIGIL_INV_MEM_MAX, 0, VIGIL_INV_MEM_MAX);
	for (int i = 0; i < VIGIL_INV_MEM_MAX / 2 + 10; i++) {
		snprintf(path, sizeof(path), "/usr/lib/many/lib%d.so", i);
		note(fx, "map", path, 100, NULL, "x", T0 + (uint64_t)i);
	}
	assert_int_equal(vigil_inventory_flush(fx->inv), 0);
	vigil_inventory_stats(fx->inv, &st);
	assert_int_equal(st.memory_entries, 0);
	note(fx, "map", "/usr/lib/many/lib0.so", 100, NULL, "x", T0 + SEC);
	assert_int_equal(vigil_inventory_flush(fx->inv), 0);
	r = read_files(fx, "host");
	assert_int_equal(r.n, VIGIL_INV_MEM_MAX / 2 + 10);
	assert_int_equal(row(&r, "/usr/lib/many/lib0.so")->use_count, 2);
	vigil_inventory_files_free(r.v, r.n);
}

#define FX_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	struct timespec ts;

	const struct CMUnitTest tests[] = {
	    FX_TEST(test_note_flush_read),     FX_TEST(test_persist_across_reopen),
	    FX_TEST(test_observed_period),     FX_TEST(test_ignored),
	    FX_TEST(test_chroot_scope),	       FX_TEST(test_container_scope),
	    FX_TEST(test_mntns_scope),	       FX_TEST(test_scope_cache_and_fallback),
	    cmocka_unit_test(test_scope_path), FX_TEST(test_file_bound),
	    FX_TEST(test_scope_bound),	       FX_TEST(test_row_bound),
	    FX_TEST(test_find_scope_errors),   FX_TEST(test_open_errors),
	    FX_TEST(test_many_files),	       FX_TEST(test_dead_process_cached),
	};

	clock_gettime(CLOCK_REALTIME, &ts);
	T0 = ((uint64_t)ts.tv_sec - 3600) * SEC;
	return cmocka_run_group_tests_name("runtime inventory", tests, NULL, NULL);
}
