/* pkgdb.h - the packages installed in a root file system (the host's "/", a
 * chroot, or a container's /proc/PID/root), read from its own package
 * databases, and which package owns a file.
 *
 *   dpkg  ROOT/var/lib/dpkg/status and ROOT/var/lib/dpkg/info/PKG[:ARCH].list
 *   rpm   ROOT/var/lib/rpm/rpmdb.sqlite or ROOT/usr/lib/sysimage/rpm/rpmdb.sqlite
 *         (the Berkeley DB "Packages" and NDB "Packages.db" formats are
 *         reported as not supported)
 *   apk   ROOT/lib/apk/db/installed
 *
 * Every database found is read. File paths are matched after resolving the
 * directory part through symbolic links inside the root (so /lib/x/libc.so.6
 * listed by dpkg matches /usr/lib/x/libc.so.6 on a merged-/usr system). */
#ifndef VIGIL_PKGDB_H
#define VIGIL_PKGDB_H

#include <stdbool.h>
#include <stddef.h>

struct vigil_pkg {
	char *name;	      /* binary package name */
	char *version;	      /* as the package manager shows it (dpkg: [epoch:]upstream[-rev];
				 rpm: [epoch:]version-release; apk: version) */
	char *source;	      /* source package (dpkg Source:, rpm SOURCERPM name, apk origin);
				 the name itself when the database gives none */
	char *source_version; /* dpkg "Source: name (version)", else NULL */
	char *arch;	      /* may be NULL */
	const char *format;   /* "dpkg", "rpm" or "apk" */
};

struct vigil_pkgdb;

/* Reads the package databases under root. paths (npaths, may be 0) are the
 * files whose owners are wanted: absolute paths inside root. Returns NULL
 * with err when no supported database is there (naming what was looked
 * for, and any unsupported format found) or one cannot be read. */
struct vigil_pkgdb *vigil_pkgdb_open(const char *root, const char *const *paths, size_t npaths,
				     char *err, size_t errsz);
void vigil_pkgdb_free(struct vigil_pkgdb *db);

/* "dpkg", "rpm", "apk" or a combination ("dpkg+rpm"). */
const char *vigil_pkgdb_formats(const struct vigil_pkgdb *db);
/* Warnings while reading (an unsupported second database, unreadable file
 * lists), "" when none. */
const char *vigil_pkgdb_warnings(const struct vigil_pkgdb *db);

size_t vigil_pkgdb_count(const struct vigil_pkgdb *db);
const struct vigil_pkg *vigil_pkgdb_get(const struct vigil_pkgdb *db, size_t i);

/* Indexes of the packages named name (several for multi-arch), or built
 * from source package name (by_source). Returns how many were found (at
 * most max are stored in out). */
size_t vigil_pkgdb_find(const struct vigil_pkgdb *db, const char *name, bool by_source, size_t *out,
			size_t max);

/* The package owning paths[i] (as given to vigil_pkgdb_open), or -1. */
long vigil_pkgdb_owner(const struct vigil_pkgdb *db, size_t path_index);

/* Versions equal as strings, or equal once an epoch ("N:") is dropped from
 * either (scanners differ in whether they show a zero or any epoch). */
bool vigil_pkg_version_eq(const char *a, const char *b);

/* ------------------------------------------------------------------------ */
/* For the format readers (pkgdb_dpkg.c, pkgdb_rpm.c, pkgdb_apk.c)           */

/* Adds a package (strings copied; source/source_version/arch may be NULL).
 * Returns its index, or -1 when out of memory. */
long vigil_pkgdb_add(struct vigil_pkgdb *db, const char *format, const char *name,
		     const char *version, const char *source, const char *source_version,
		     const char *arch);
/* File path (absolute inside the root) of package pkg: recorded when it is
 * one of the wanted paths. Returns -1 when out of memory. */
int vigil_pkgdb_add_file(struct vigil_pkgdb *db, long pkg, const char *path);
/* Whether any owner is wanted (readers skip file lists otherwise). */
bool vigil_pkgdb_wants_files(const struct vigil_pkgdb *db);
const char *vigil_pkgdb_root(const struct vigil_pkgdb *db);
/* Appends a warning. */
void vigil_pkgdb_warn(struct vigil_pkgdb *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Each reader: 1 when its database is present under the root (dbpath gets
 * its path), 0 when absent, -1 when present in a format not supported (err
 * says which). */
int vigil_pkgdb_dpkg_detect(const char *root, char *dbpath, size_t dbpathsz, char *err,
			    size_t errsz);
int vigil_pkgdb_rpm_detect(const char *root, char *dbpath, size_t dbpathsz, char *err,
			   size_t errsz);
int vigil_pkgdb_apk_detect(const char *root, char *dbpath, size_t dbpathsz, char *err,
			   size_t errsz);
/* Each reader: adds the packages (and wanted files). Returns 0, or -1 with
 * err naming the file. */
int vigil_pkgdb_dpkg_read(struct vigil_pkgdb *db, const char *dbpath, char *err, size_t errsz);
int vigil_pkgdb_rpm_read(struct vigil_pkgdb *db, const char *dbpath, char *err, size_t errsz);
int vigil_pkgdb_apk_read(struct vigil_pkgdb *db, const char *dbpath, char *err, size_t errsz);

/* rpm: a header blob (as stored in rpmdb.sqlite) into a package and its
 * files. Exposed for tests. Returns 0, or -1 when the blob is malformed. */
int vigil_pkgdb_rpm_header(struct vigil_pkgdb *db, const void *blob, size_t len);

#endif /* VIGIL_PKGDB_H */
