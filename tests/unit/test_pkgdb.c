/* test_pkgdb.c - unit tests for the package databases (src/pkgdb*.c): this
 * machine's real dpkg database (packages, versions, source packages, file
 * owners through the merged-/usr symlinks), small rootfs fixtures for dpkg,
 * apk and rpm (sqlite, with synthesized header blobs), the unsupported rpm
 * formats, and version comparison. */
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
#include <sqlite3.h>

#include "pkgdb.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */

static char tmproot[64];

static void put_file(const char *rel, const char *text)
{
	char p[PATH_MAX], dir[PATH_MAX + 64];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", tmproot, rel);
	snprintf(dir, sizeof(dir), "mkdir -p \"$(dirname '%s')\"", p);
	assert_int_equal(system(dir), 0);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void put_symlink(const char *target, const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", tmproot, rel);
	assert_int_equal(symlink(target, p), 0);
}

static int make_root(void **state)
{
	(void)state;
	snprintf(tmproot, sizeof(tmproot), "/tmp/vigil-test-pkgdb-XXXXXX");
	return mkdtemp(tmproot) ? 0 : -1;
}

static int remove_root(void **state)
{
	char cmd[PATH_MAX];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmproot);
	return system(cmd) == 0 ? 0 : -1;
}

/* The output of a shell command, trailing newline removed ("" on failure). */
static void sh(char *out, size_t outsz, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	out[0] = '\0';
	p = popen(cmd, "r");
	assert_non_null(p);
	if (!fgets(out, (int)outsz, p))
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

static const struct vigil_pkg *first_named(const struct vigil_pkgdb *db, const char *name)
{
	size_t ix[8];

	if (!vigil_pkgdb_find(db, name, false, ix, 8))
		return NULL;
	return vigil_pkgdb_get(db, ix[0]);
}

static const char *owner_name(const struct vigil_pkgdb *db, size_t i)
{
	long o = vigil_pkgdb_owner(db, i);

	return o < 0 ? NULL : vigil_pkgdb_get(db, (size_t)o)->name;
}

/* ------------------------------------------------------------------------ */
/* This machine's dpkg database                                              */

static void test_host_dpkg(void **state)
{
	char libc[PATH_MAX], real[PATH_MAX], ver[256], err[1024];
	const char *paths[3];
	const struct vigil_pkg *p;
	struct vigil_pkgdb *db;

	(void)state;
	/* libc.so.6 as listed (under /lib on Debian 12), resolved as the kernel
	 * reports it (/usr/lib/... on a merged-/usr system). */
	sh(libc, sizeof(libc), "dpkg -L libc6 | grep '/libc\\.so\\.6$' | head -1");
	assert_true(libc[0] == '/');
	assert_non_null(realpath(libc, real));
	sh(ver, sizeof(ver), "dpkg-query -W -f='${Version}' libc6");
	paths[0] = real;
	paths[1] = "/no/such/file";
	paths[2] = "/etc/passwd"; /* not owned by any package */

	db = vigil_pkgdb_open("/", paths, 3, err, sizeof(err));
	assert_non_null(db);
	assert_string_equal(vigil_pkgdb_formats(db), "dpkg");
	assert_true(vigil_pkgdb_count(db) > 50);
	assert_string_equal(owner_name(db, 0), "libc6");
	assert_null(owner_name(db, 1));
	assert_null(owner_name(db, 2));
	p = first_named(db, "libc6");
	assert_non_null(p);
	assert_string_equal(p->version, ver);
	assert_string_equal(p->source, "glibc");
	assert_string_equal(p->format, "dpkg");
	assert_non_null(p->arch);
	vigil_pkgdb_free(db);
}

/* Source packages: libsqlite3-0 is built from sqlite3; zlib1g has an epoch. */
static void test_host_sources(void **state)
{
	char ver[256], err[1024];
	size_t ix[16], n;
	const struct vigil_pkg *p;
	struct vigil_pkgdb *db = vigil_pkgdb_open("/", NULL, 0, err, sizeof(err));

	(void)state;
	assert_non_null(db);
	p = first_named(db, "libsqlite3-0");
	assert_non_null(p);
	assert_string_equal(p->source, "sqlite3");
	n = vigil_pkgdb_find(db, "sqlite3", true, ix, 16);
	assert_true(n >= 2); /* libsqlite3-0 and libsqlite3-dev at least */
	for (size_t i = 0; i < n && i < 16; i++)
		assert_string_equal(vigil_pkgdb_get(db, ix[i])->source, "sqlite3");
	sh(ver, sizeof(ver), "dpkg-query -W -f='${Version}' zlib1g");
	p = first_named(db, "zlib1g");
	assert_non_null(p);
	assert_string_equal(p->version, ver);
	assert_true(strchr(ver, ':') != NULL);
	assert_int_equal(vigil_pkgdb_find(db, "no-such-package-x", false, ix, 16), 0);
	vigil_pkgdb_free(db);
}

/* ------------------------------------------------------------------------ */
/* A rootfs with its own dpkg database                                       */

static const char dpkg_status[] = "Package: libfoo1\n"
				  "Status: install ok installed\n"
				  "Architecture: amd64\n"
				  "Multi-Arch: same\n"
				  "Source: foo (1.0-1)\n"
				  "Version: 1:1.0-1+b1\n"
				  "Description: foo\n"
				  " continuation line: Package: not-a-package\n"
				  "\n"
				  "Package: bar\n"
				  "Status: install ok installed\n"
				  "Architecture: all\n"
				  "Version: 2.0\n"
				  "\n"
				  "Package: gone\n"
				  "Status: deinstall ok config-files\n"
				  "Architecture: amd64\n"
				  "Version: 0.1\n";

static void test_rootfs_dpkg(void **state)
{
	const char *paths[] = {"/usr/lib/x86_64-linux-gnu/libfoo.so.1.0", "/usr/bin/bar",
			       "/usr/lib64/ld-foo.so", "/lib/x86_64-linux-gnu/libfoo.so.1.0"};
	struct vigil_pkgdb *db;
	const struct vigil_pkg *p;
	char err[1024];

	(void)state;
	put_file("var/lib/dpkg/status", dpkg_status);
	put_file("var/lib/dpkg/info/libfoo1:amd64.list",
		 "/.\n/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libfoo.so.1.0\n"
		 "/lib64/ld-foo.so\n");
	put_file("var/lib/dpkg/info/bar.list", "/.\n/bin/bar\n");
	put_file("var/lib/dpkg/info/gone.list", "/usr/lib/gone.so\n");
	/* merged /usr: relative and absolute (taken inside the root) links */
	put_file("usr/lib/x86_64-linux-gnu/libfoo.so.1.0", "");
	put_file("usr/bin/bar", "");
	put_file("usr/lib64/ld-foo.so", "");
	put_symlink("usr/lib", "lib");
	put_symlink("/usr/bin", "bin");
	put_symlink("/usr/lib64", "lib64");

	db = vigil_pkgdb_open(tmproot, paths, 4, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(vigil_pkgdb_count(db), 2); /* "gone" has only conffiles */
	p = first_named(db, "libfoo1");
	assert_non_null(p);
	assert_string_equal(p->version, "1:1.0-1+b1");
	assert_string_equal(p->source, "foo");
	assert_string_equal(p->source_version, "1.0-1");
	assert_string_equal(p->arch, "amd64");
	p = first_named(db, "bar");
	assert_string_equal(p->source, "bar");
	assert_null(p->source_version);
	assert_null(first_named(db, "not-a-package"));
	assert_string_equal(owner_name(db, 0), "libfoo1");
	assert_string_equal(owner_name(db, 1), "bar");
	assert_string_equal(owner_name(db, 2), "libfoo1");
	assert_string_equal(owner_name(db, 3), "libfoo1"); /* the literal path too */
	vigil_pkgdb_free(db);
}

/* ------------------------------------------------------------------------ */
/* apk                                                                       */

static void test_rootfs_apk(void **state)
{
	const char *paths[] = {"/lib/libcrypto.so.3", "/usr/bin/busybox-extras", "/bin/sh"};
	struct vigil_pkgdb *db;
	const struct vigil_pkg *p;
	char err[1024];
	size_t ix[4];

	(void)state;
	put_file("lib/apk/db/installed",
		 "C:Q1abc=\nP:libcrypto3\nV:3.1.4-r5\nA:x86_64\no:openssl\nT:crypto\n"
		 "F:lib\nR:libcrypto.so.3\nF:usr/lib\nR:libcrypto.so\n\n"
		 "P:busybox-extras\nV:1.36.1-r15\nA:x86_64\no:busybox\n"
		 "F:usr/bin\nR:busybox-extras\n");
	db = vigil_pkgdb_open(tmproot, paths, 3, err, sizeof(err));
	assert_non_null(db);
	assert_string_equal(vigil_pkgdb_formats(db), "apk");
	assert_int_equal(vigil_pkgdb_count(db), 2);
	p = first_named(db, "libcrypto3");
	assert_string_equal(p->version, "3.1.4-r5");
	assert_string_equal(p->source, "openssl");
	assert_string_equal(p->format, "apk");
	assert_string_equal(owner_name(db, 0), "libcrypto3");
	assert_string_equal(owner_name(db, 1), "busybox-extras");
	assert_null(owner_name(db, 2));
	assert_int_equal(vigil_pkgdb_find(db, "openssl", true, ix, 4), 1);
	vigil_pkgdb_free(db);
}

/* ------------------------------------------------------------------------ */
/* rpm (sqlite), from synthesized headers                                    */

struct hdrbuf {
	uint8_t index[64 * 16];
	uint8_t data[4096];
	uint32_t il, dl;
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void hdr_entry(struct hdrbuf *h, uint32_t tag, uint32_t type, const void *data, size_t len,
		      uint32_t count)
{
	uint8_t *e = h->index + h->il * 16;

	if (type == 4) /* INT32 is 4-aligned */
		h->dl = (h->dl + 3) & ~3u;
	put32(e, tag);
	put32(e + 4, type);
	put32(e + 8, h->dl);
	put32(e + 12, count);
	memcpy(h->data + h->dl, data, len);
	h->dl += (uint32_t)len;
	h->il++;
}

static void hdr_str(struct hdrbuf *h, uint32_t tag, const char *s)
{
	hdr_entry(h, tag, 6, s, strlen(s) + 1, 1);
}

/* A header blob for NAME with files DIR/BASE (two dirs). */
static size_t make_header(uint8_t *out, const char *name, uint32_t epoch)
{
	static const char bases[] = "libhello.so.1\0hello\0";
	static const char dirs[] = "/usr/lib64/\0/usr/bin/\0";
	uint8_t idx[8], ep[4];
	struct hdrbuf h = {0};
	char srpm[128];

	snprintf(srpm, sizeof(srpm), "%s-src-1.2.3-4.el9.src.rpm", name);
	hdr_str(&h, 1000, name);
	hdr_str(&h, 1001, "1.2.3");
	hdr_str(&h, 1002, "4.el9");
	put32(ep, epoch);
	if (epoch)
		hdr_entry(&h, 1003, 4, ep, 4, 1);
	hdr_str(&h, 1022, "x86_64");
	hdr_str(&h, 1044, srpm);
	hdr_entry(&h, 1117, 8, bases, sizeof(bases) - 1, 2);
	hdr_entry(&h, 1118, 8, dirs, sizeof(dirs) - 1, 2);
	put32(idx, 0);
	put32(idx + 4, 1);
	hdr_entry(&h, 1116, 4, idx, 8, 2);
	put32(out, h.il);
	put32(out + 4, h.dl);
	memcpy(out + 8, h.index, h.il * 16);
	memcpy(out + 8 + h.il * 16, h.data, h.dl);
	return 8 + h.il * 16 + h.dl;
}

static void make_rpmdb(const char *rel, bool with_bad_row)
{
	char p[PATH_MAX];
	uint8_t blob[8192];
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t len;

	put_file(rel, "");
	snprintf(p, sizeof(p), "%s/%s", tmproot, rel);
	unlink(p);
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY "
				      "AUTOINCREMENT, blob BLOB NOT NULL)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db, "INSERT INTO Packages(blob) VALUES(?)", -1, &st, NULL),
	    SQLITE_OK);
	len = make_header(blob, "hello", 2);
	sqlite3_bind_blob(st, 1, blob, (int)len, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_reset(st);
	if (with_bad_row) {
		sqlite3_bind_blob(st, 1, blob, 20, SQLITE_STATIC); /* cut short */
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void test_rootfs_rpm(void **state)
{
	const char *paths[] = {"/usr/lib64/libhello.so.1", "/usr/bin/hello", "/usr/bin/other"};
	struct vigil_pkgdb *db;
	const struct vigil_pkg *p;
	char err[1024];

	(void)state;
	make_rpmdb("var/lib/rpm/rpmdb.sqlite", true);
	db = vigil_pkgdb_open(tmproot, paths, 3, err, sizeof(err));
	assert_non_null(db);
	assert_string_equal(vigil_pkgdb_formats(db), "rpm");
	assert_int_equal(vigil_pkgdb_count(db), 1);
	p = first_named(db, "hello");
	assert_non_null(p);
	assert_string_equal(p->version, "2:1.2.3-4.el9");
	assert_string_equal(p->source, "hello-src");
	assert_string_equal(p->arch, "x86_64");
	assert_string_equal(p->format, "rpm");
	assert_string_equal(owner_name(db, 0), "hello");
	assert_string_equal(owner_name(db, 1), "hello");
	assert_null(owner_name(db, 2));
	assert_non_null(strstr(vigil_pkgdb_warnings(db), "1 malformed package headers skipped"));
	vigil_pkgdb_free(db);
}

/* The newer location, /usr/lib/sysimage/rpm. */
static void test_rootfs_rpm_sysimage(void **state)
{
	struct vigil_pkgdb *db;
	char err[1024];

	(void)state;
	make_rpmdb("usr/lib/sysimage/rpm/rpmdb.sqlite", false);
	db = vigil_pkgdb_open(tmproot, NULL, 0, err, sizeof(err));
	assert_non_null(db);
	assert_non_null(first_named(db, "hello"));
	vigil_pkgdb_free(db);
}

/* Malformed blobs never crash: every prefix of a good one is rejected or read. */
static void test_rpm_header_fuzz(void **state)
{
	uint8_t blob[8192];
	char err[256];
	size_t len = make_header(blob, "fuzz", 0);
	struct vigil_pkgdb *db;

	(void)state;
	put_file("lib/apk/db/installed", "P:x\nV:1\n"); /* any database to open */
	db = vigil_pkgdb_open(tmproot, NULL, 0, err, sizeof(err));
	assert_non_null(db);
	for (size_t n = 0; n < len; n++)
		assert_int_equal(vigil_pkgdb_rpm_header(db, blob, n), -1);
	assert_int_equal(vigil_pkgdb_rpm_header(db, blob, len), 0);
	blob[8 + 8] = 0x7f; /* the first entry's (NAME) offset out of the data */
	assert_int_equal(vigil_pkgdb_rpm_header(db, blob, len), -1);
	vigil_pkgdb_free(db);
}

/* ------------------------------------------------------------------------ */
/* Formats not supported, nothing there                                      */

static void test_rpm_bdb_not_supported(void **state)
{
	char err[1024];

	(void)state;
	put_file("var/lib/rpm/Packages", "bdb");
	assert_null(vigil_pkgdb_open(tmproot, NULL, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "var/lib/rpm/Packages"));
	assert_non_null(strstr(err, "Berkeley DB"));
	assert_non_null(strstr(err, "not supported"));
}

static void test_rpm_ndb_not_supported(void **state)
{
	char err[1024];

	(void)state;
	put_file("usr/lib/sysimage/rpm/Packages.db", "ndb");
	assert_null(vigil_pkgdb_open(tmproot, NULL, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "NDB"));
	assert_non_null(strstr(err, "not supported"));
}

/* An unsupported rpm database next to a supported one is a warning. */
static void test_unsupported_beside_dpkg(void **state)
{
	struct vigil_pkgdb *db;
	char err[1024];

	(void)state;
	put_file("var/lib/rpm/Packages", "bdb");
	put_file("var/lib/dpkg/status", dpkg_status);
	db = vigil_pkgdb_open(tmproot, NULL, 0, err, sizeof(err));
	assert_non_null(db);
	assert_string_equal(vigil_pkgdb_formats(db), "dpkg");
	assert_non_null(strstr(vigil_pkgdb_warnings(db), "not supported"));
	vigil_pkgdb_free(db);
}

static void test_no_database(void **state)
{
	char err[1024];

	(void)state;
	assert_null(vigil_pkgdb_open(tmproot, NULL, 0, err, sizeof(err)));
	assert_non_null(strstr(err, tmproot));
	assert_non_null(strstr(err, "no package database found"));
}

static void test_not_an_rpmdb(void **state)
{
	char err[1024];

	(void)state;
	put_file("var/lib/rpm/rpmdb.sqlite", "this is not sqlite, just text long enough\n");
	assert_null(vigil_pkgdb_open(tmproot, NULL, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "rpmdb.sqlite"));
}

static void test_version_eq(void **state)
{
	(void)state;
	assert_true(vigil_pkg_version_eq("1.2-3", "1.2-3"));
	assert_true(vigil_pkg_version_eq("1:1.2.13.dfsg-1", "1.2.13.dfsg-1"));
	assert_true(vigil_pkg_version_eq("0:7.76.1-26.el9", "7.76.1-26.el9"));
	assert_false(vigil_pkg_version_eq("1.2-3", "1.2-4"));
	assert_false(vigil_pkg_version_eq("1.2-3", NULL));
	assert_false(vigil_pkg_version_eq(":1.2", "1.2"));
}

#define ROOTFS_TEST(fn) cmocka_unit_test_setup_teardown(fn, make_root, remove_root)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_host_dpkg),
	    cmocka_unit_test(test_host_sources),
	    ROOTFS_TEST(test_rootfs_dpkg),
	    ROOTFS_TEST(test_rootfs_apk),
	    ROOTFS_TEST(test_rootfs_rpm),
	    ROOTFS_TEST(test_rootfs_rpm_sysimage),
	    ROOTFS_TEST(test_rpm_header_fuzz),
	    ROOTFS_TEST(test_rpm_bdb_not_supported),
	    ROOTFS_TEST(test_rpm_ndb_not_supported),
	    ROOTFS_TEST(test_unsupported_beside_dpkg),
	    ROOTFS_TEST(test_no_database),
	    ROOTFS_TEST(test_not_an_rpmdb),
	    cmocka_unit_test(test_version_eq),
	};

	return cmocka_run_group_tests_name("package databases", tests, NULL, NULL);
}
