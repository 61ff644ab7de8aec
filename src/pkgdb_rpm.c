/* pkgdb_rpm.c - RPM packages from the sqlite database (rpm >= 4.16:
 * ROOT/var/lib/rpm/rpmdb.sqlite, or ROOT/usr/lib/sysimage/rpm/rpmdb.sqlite).
 * Each row of its Packages table is an rpm header blob:
 *
 *   be32 il, be32 dl, il index entries {be32 tag, type, offset, count},
 *   then dl bytes of data
 *
 * from which NAME, VERSION, RELEASE, EPOCH, ARCH, SOURCERPM and the file
 * list (DIRNAMES[DIRINDEXES[i]] + BASENAMES[i], or OLDFILENAMES) are read.
 * The older Berkeley DB (Packages) and NDB (Packages.db) formats are
 * detected and reported as not supported. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>
#include "pkgdb.h"

enum {
	TAG_NAME = 1000,
	TAG_VERSION = 1001,
	TAG_RELEASE = 1002,
	TAG_EPOCH = 1003,
	TAG_ARCH = 1022,
	TAG_OLDFILENAMES = 1027,
	TAG_SOURCERPM = 1044,
	TAG_DIRINDEXES = 1116,
	TAG_BASENAMES = 1117,
	TAG_DIRNAMES = 1118,
};

enum { TYPE_INT32 = 4, TYPE_STRING = 6, TYPE_STRING_ARRAY = 8, TYPE_I18NSTRING = 9 };

#define RPM_MAX_INDEX 0xffff
#define RPM_MAX_DATA  (256u << 20)
#define RPM_MAX_DIRS  65536

static const char *const rpm_dirs[] = {"/var/lib/rpm", "/usr/lib/sysimage/rpm"};

int vigil_pkgdb_rpm_detect(const char *root, char *dbpath, size_t dbpathsz, char *err, size_t errsz)
{
	char p[PATH_MAX];

	for (size_t i = 0; i < 2; i++) {
		snprintf(dbpath, dbpathsz, "%s%s/rpmdb.sqlite", root, rpm_dirs[i]);
		if (access(dbpath, F_OK) == 0)
			return 1;
	}
	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s%s/Packages", root, rpm_dirs[i]);
		if (access(p, F_OK) == 0) {
			snprintf(err, errsz,
				 "%s: rpm Berkeley DB database: not supported (only the sqlite "
				 "format, rpmdb.sqlite, of rpm 4.16 and later)",
				 p);
			return -1;
		}
		snprintf(p, sizeof(p), "%s%s/Packages.db", root, rpm_dirs[i]);
		if (access(p, F_OK) == 0) {
			snprintf(err, errsz,
				 "%s: rpm NDB database: not supported (only the sqlite format, "
				 "rpmdb.sqlite, of rpm 4.16 and later)",
				 p);
			return -1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Header blobs                                                              */

struct hdr {
	const uint8_t *index;
	uint32_t il;
	const uint8_t *data;
	uint32_t dl;
};

struct entry {
	uint32_t type, offset, count;
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int hdr_init(struct hdr *h, const uint8_t *blob, size_t len)
{
	if (len < 8)
		return -1;
	h->il = be32(blob);
	h->dl = be32(blob + 4);
	if (h->il > RPM_MAX_INDEX || h->dl > RPM_MAX_DATA || 8 + (size_t)h->il * 16 + h->dl > len)
		return -1;
	h->index = blob + 8;
	h->data = h->index + (size_t)h->il * 16;
	return 0;
}

static bool hdr_find(const struct hdr *h, uint32_t tag, struct entry *e)
{
	for (uint32_t i = 0; i < h->il; i++) {
		const uint8_t *p = h->index + (size_t)i * 16;

		if (be32(p) != tag)
			continue;
		e->type = be32(p + 4);
		e->offset = be32(p + 8);
		e->count = be32(p + 12);
		return e->offset < h->dl;
	}
	return false;
}

/* A NUL-terminated string at off inside the data, or NULL. */
static const char *data_str(const struct hdr *h, uint32_t off)
{
	const char *s = (const char *)h->data + off;

	if (off >= h->dl || !memchr(s, '\0', h->dl - off))
		return NULL;
	return s;
}

static const char *hdr_string(const struct hdr *h, uint32_t tag)
{
	struct entry e;

	if (!hdr_find(h, tag, &e) ||
	    (e.type != TYPE_STRING && e.type != TYPE_I18NSTRING && e.type != TYPE_STRING_ARRAY))
		return NULL;
	return data_str(h, e.offset);
}

static bool hdr_int32(const struct hdr *h, uint32_t tag, uint32_t *v)
{
	struct entry e;

	if (!hdr_find(h, tag, &e) || e.type != TYPE_INT32 || e.count < 1 ||
	    (size_t)e.offset + 4 > h->dl)
		return false;
	*v = be32(h->data + e.offset);
	return true;
}

/* The strings of a STRING_ARRAY entry, in order (count set to how many are
 * valid). Returns a malloc'd array or NULL. */
static const char **hdr_strings(const struct hdr *h, uint32_t tag, uint32_t *count)
{
	struct entry e;
	const char **v;
	uint32_t off;

	*count = 0;
	if (!hdr_find(h, tag, &e) || e.type != TYPE_STRING_ARRAY || e.count > h->dl)
		return NULL;
	v = calloc(e.count + 1, sizeof(*v));
	if (!v)
		return NULL;
	off = e.offset;
	for (uint32_t i = 0; i < e.count; i++) {
		v[i] = data_str(h, off);
		if (!v[i])
			break;
		off += (uint32_t)strlen(v[i]) + 1;
		*count = i + 1;
	}
	return v;
}

static int add_files_new(struct vigil_pkgdb *db, long pkg, const struct hdr *h)
{
	uint32_t nbase, ndirs;
	const char **base = hdr_strings(h, TAG_BASENAMES, &nbase);
	const char **dirs = hdr_strings(h, TAG_DIRNAMES, &ndirs);
	struct entry e;
	int rc = 0;

	if (base && dirs && hdr_find(h, TAG_DIRINDEXES, &e) && e.type == TYPE_INT32 &&
	    (size_t)e.offset + (size_t)nbase * 4 <= h->dl) {
		for (uint32_t i = 0; i < nbase && rc == 0 && i < e.count; i++) {
			uint32_t di = be32(h->data + e.offset + (size_t)i * 4);
			char path[PATH_MAX * 2];

			if (di >= ndirs)
				continue;
			snprintf(path, sizeof(path), "%s%s", dirs[di], base[i]);
			rc = vigil_pkgdb_add_file(db, pkg, path);
		}
	}
	free(base);
	free(dirs);
	return rc;
}

static int add_files_old(struct vigil_pkgdb *db, long pkg, const struct hdr *h)
{
	uint32_t n;
	const char **names = hdr_strings(h, TAG_OLDFILENAMES, &n);
	int rc = 0;

	for (uint32_t i = 0; i < n && rc == 0; i++)
		rc = vigil_pkgdb_add_file(db, pkg, names[i]);
	free(names);
	return rc;
}

/* "curl-7.76.1-26.el9.src.rpm" -> "curl" (name-version-release.src.rpm). */
static void source_name(const char *srpm, char *out, size_t outsz)
{
	char *dash;

	snprintf(out, outsz, "%s", srpm ? srpm : "");
	for (int i = 0; i < 2 && (dash = strrchr(out, '-')); i++)
		*dash = '\0';
	if (srpm && !strrchr(srpm, '-'))
		out[0] = '\0';
}

int vigil_pkgdb_rpm_header(struct vigil_pkgdb *db, const void *blob, size_t len)
{
	char version[512], src[256], epoch[16] = "";
	const char *name, *ver, *rel;
	struct hdr h;
	uint32_t ep;
	long pkg;

	if (hdr_init(&h, blob, len) != 0)
		return -1;
	name = hdr_string(&h, TAG_NAME);
	ver = hdr_string(&h, TAG_VERSION);
	rel = hdr_string(&h, TAG_RELEASE);
	if (!name || !ver)
		return -1;
	if (hdr_int32(&h, TAG_EPOCH, &ep) && ep)
		snprintf(epoch, sizeof(epoch), "%u:", ep);
	snprintf(version, sizeof(version), "%s%s%s%s", epoch, ver, rel ? "-" : "", rel ? rel : "");
	source_name(hdr_string(&h, TAG_SOURCERPM), src, sizeof(src));
	pkg = vigil_pkgdb_add(db, "rpm", name, version, src, NULL, hdr_string(&h, TAG_ARCH));
	if (pkg < 0)
		return -2;
	if (!vigil_pkgdb_wants_files(db))
		return 0;
	if (hdr_find(&h, TAG_BASENAMES, &(struct entry){0}))
		return add_files_new(db, pkg, &h) ? -2 : 0;
	return add_files_old(db, pkg, &h) ? -2 : 0;
}

/* ------------------------------------------------------------------------ */
/* The database                                                              */

static sqlite3 *open_rpmdb(const char *dbpath)
{
	char uri[PATH_MAX + 64];
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_exec(db, "SELECT 1 FROM Packages LIMIT 1", NULL, NULL, NULL) == SQLITE_OK)
		return db;
	sqlite3_close(db);
	/* A read-only root (an image layer) cannot take the WAL's shared memory
	 * file: read the file as it is. */
	snprintf(uri, sizeof(uri), "file:%s?immutable=1", dbpath);
	db = NULL;
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) == SQLITE_OK)
		return db;
	sqlite3_close(db);
	return NULL;
}

int vigil_pkgdb_rpm_read(struct vigil_pkgdb *db, const char *dbpath, char *err, size_t errsz)
{
	sqlite3 *sdb = open_rpmdb(dbpath);
	sqlite3_stmt *st = NULL;
	size_t bad = 0;
	int rc;

	if (!sdb) {
		snprintf(err, errsz, "%s: cannot open the rpm database", dbpath);
		return -1;
	}
	rc = sqlite3_prepare_v2(sdb, "SELECT blob FROM Packages ORDER BY hnum", -1, &st, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int r = vigil_pkgdb_rpm_header(db, sqlite3_column_blob(st, 0),
					       (size_t)sqlite3_column_bytes(st, 0));

		if (r == -2) {
			snprintf(err, errsz, "%s: out of memory", dbpath);
			break;
		}
		bad += r != 0;
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		snprintf(err, errsz, "%s: not an rpm sqlite database: %s", dbpath,
			 sqlite3_errmsg(sdb));
	sqlite3_finalize(st);
	sqlite3_close(sdb);
	if (bad)
		vigil_pkgdb_warn(db, "%s: %zu malformed package headers skipped", dbpath, bad);
	return rc == SQLITE_DONE ? 0 : -1;
}
