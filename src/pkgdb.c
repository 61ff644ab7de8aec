/* pkgdb.c - the package model shared by the dpkg, rpm and apk readers:
 * detection, the package list and its indexes, and file ownership (wanted
 * paths matched after resolving directories through symlinks in the root). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "pkgdb.h"

#define MAX_SYMLINKS 40

/* A string -> value map (open addressing). Values are an index or a string
 * owned by the map. */
struct strmap {
	char **keys;
	long *vals;
	char **svals;
	size_t cap, n;
};

struct vigil_pkgdb {
	char root[PATH_MAX]; /* "" for "/" */
	struct vigil_pkg *pkgs;
	size_t n, cap;
	size_t *by_name, *by_source; /* package indexes sorted by name, by source */
	size_t npaths;
	long *owners;
	struct strmap wanted; /* path -> index into owners */
	struct strmap dirs;   /* directory -> directory with symlinks resolved */
	char formats[32];
	char *warnings;
};

/* ------------------------------------------------------------------------ */
/* String map                                                                */

static size_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

static size_t map_slot(const struct strmap *m, const char *key)
{
	size_t j = str_hash(key) & (m->cap - 1);

	while (m->keys[j] && strcmp(m->keys[j], key) != 0)
		j = (j + 1) & (m->cap - 1);
	return j;
}

static int map_grow(struct strmap *m)
{
	struct strmap g = {.cap = m->cap ? m->cap * 2 : 64};

	g.keys = calloc(g.cap, sizeof(*g.keys));
	g.vals = calloc(g.cap, sizeof(*g.vals));
	g.svals = calloc(g.cap, sizeof(*g.svals));
	if (!g.keys || !g.vals || !g.svals) {
		free(g.keys);
		free(g.vals);
		free(g.svals);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		size_t j = map_slot(&g, m->keys[i]);

		g.keys[j] = m->keys[i];
		g.vals[j] = m->vals[i];
		g.svals[j] = m->svals[i];
	}
	g.n = m->n;
	free(m->keys);
	free(m->vals);
	free(m->svals);
	*m = g;
	return 0;
}

/* The entry for key (NULL when absent). */
static long *map_get(const struct strmap *m, const char *key, char ***sval)
{
	size_t j;

	if (!m->cap)
		return NULL;
	j = map_slot(m, key);
	if (!m->keys[j])
		return NULL;
	if (sval)
		*sval = &m->svals[j];
	return &m->vals[j];
}

static int map_put(struct strmap *m, const char *key, long val, const char *sval)
{
	size_t j;

	if ((m->n + 1) * 2 > m->cap && map_grow(m) != 0)
		return -1;
	j = map_slot(m, key);
	if (m->keys[j])
		return 0;
	m->keys[j] = strdup(key);
	m->svals[j] = sval ? strdup(sval) : NULL;
	if (!m->keys[j] || (sval && !m->svals[j])) {
		free(m->keys[j]);
		free(m->svals[j]);
		m->keys[j] = NULL;
		return -1;
	}
	m->vals[j] = val;
	m->n++;
	return 0;
}

static void map_free(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++) {
		free(m->keys[i]);
		free(m->svals[i]);
	}
	free(m->keys);
	free(m->vals);
	free(m->svals);
}

/* ------------------------------------------------------------------------ */
/* Directories resolved inside the root                                      */

/* Follows dir's components through symlinks, absolute ones taken relative
 * to root. Components that do not exist are kept as written. */
static void resolve_dir(const char *root, const char *dir, char *out, size_t outsz)
{
	char rest[PATH_MAX], cur[PATH_MAX] = "", probe[PATH_MAX * 2], target[PATH_MAX];
	size_t pos = 0;
	int hops = 0;

	snprintf(rest, sizeof(rest), "%s", dir);
	while (rest[pos]) {
		size_t len, clen = strlen(cur);
		char comp[NAME_MAX + 1];
		struct stat st;
		ssize_t n;

		while (rest[pos] == '/')
			pos++;
		len = strcspn(rest + pos, "/");
		if (!len)
			break;
		snprintf(comp, sizeof(comp), "%.*s", (int)len, rest + pos);
		pos += len;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			char *slash = strrchr(cur, '/');

			if (slash)
				*slash = '\0';
			continue;
		}
		if (snprintf(probe, sizeof(probe), "%s%s/%s", root, cur, comp) >=
		    (int)sizeof(probe))
			break;
		if (hops < MAX_SYMLINKS && lstat(probe, &st) == 0 && S_ISLNK(st.st_mode) &&
		    (n = readlink(probe, target, sizeof(target) - 1)) > 0) {
			char next[PATH_MAX];

			target[n] = '\0';
			hops++;
			if (snprintf(next, sizeof(next), "%s/%s", target, rest + pos) >=
			    (int)sizeof(next))
				break; /* too long: keep what was resolved */
			memcpy(rest, next, sizeof(rest));
			pos = 0;
			if (target[0] == '/')
				cur[0] = '\0';
			continue;
		}
		snprintf(cur + clen, sizeof(cur) - clen, "/%s", comp);
	}
	snprintf(out, outsz, "%s", cur[0] ? cur : "/");
}

static const char *canonical_dir(struct vigil_pkgdb *db, const char *dir)
{
	char **sval = NULL, buf[PATH_MAX];

	if (map_get(&db->dirs, dir, &sval))
		return *sval;
	resolve_dir(db->root, dir, buf, sizeof(buf));
	if (map_put(&db->dirs, dir, 0, buf) != 0 || !map_get(&db->dirs, dir, &sval))
		return NULL;
	return *sval;
}

/* ------------------------------------------------------------------------ */
/* Building                                                                  */

long vigil_pkgdb_add(struct vigil_pkgdb *db, const char *format, const char *name,
		     const char *version, const char *source, const char *source_version,
		     const char *arch)
{
	struct vigil_pkg *p;

	if (db->n == db->cap) {
		size_t cap = db->cap ? db->cap * 2 : 256;
		struct vigil_pkg *n = realloc(db->pkgs, cap * sizeof(*n));

		if (!n)
			return -1;
		db->pkgs = n;
		db->cap = cap;
	}
	p = &db->pkgs[db->n];
	p->format = format;
	p->name = strdup(name);
	p->version = strdup(version ? version : "");
	p->source = strdup(source && *source ? source : name);
	p->source_version = source_version && *source_version ? strdup(source_version) : NULL;
	p->arch = arch && *arch ? strdup(arch) : NULL;
	if (!p->name || !p->version || !p->source) {
		free(p->name);
		free(p->version);
		free(p->source);
		free(p->source_version);
		free(p->arch);
		return -1;
	}
	return (long)db->n++;
}

static void set_owner(struct vigil_pkgdb *db, const char *path, long pkg)
{
	long *ix = map_get(&db->wanted, path, NULL);

	if (ix && db->owners[*ix] < 0)
		db->owners[*ix] = pkg;
}

int vigil_pkgdb_add_file(struct vigil_pkgdb *db, long pkg, const char *path)
{
	char dir[PATH_MAX], full[PATH_MAX * 2];
	const char *slash = strrchr(path, '/'), *canon;

	if (!db->npaths || !slash || path[0] != '/')
		return 0;
	set_owner(db, path, pkg);
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	canon = canonical_dir(db, dir[0] ? dir : "/");
	if (!canon)
		return -1;
	if (strcmp(canon, dir) == 0)
		return 0;
	snprintf(full, sizeof(full), "%s/%s", strcmp(canon, "/") ? canon : "", slash + 1);
	set_owner(db, full, pkg);
	return 0;
}

bool vigil_pkgdb_wants_files(const struct vigil_pkgdb *db)
{
	return db->npaths > 0;
}

const char *vigil_pkgdb_root(const struct vigil_pkgdb *db)
{
	return db->root;
}

void vigil_pkgdb_warn(struct vigil_pkgdb *db, const char *fmt, ...)
{
	size_t old = db->warnings ? strlen(db->warnings) : 0;
	char msg[1024];
	char *w;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w = realloc(db->warnings, old + strlen(msg) + 2);
	if (!w)
		return;
	snprintf(w + old, strlen(msg) + 2, "%s%s", old ? "\n" : "", msg);
	db->warnings = w;
}

/* ------------------------------------------------------------------------ */
/* Opening                                                                   */

struct reader {
	const char *format;
	int (*detect)(const char *, char *, size_t, char *, size_t);
	int (*read)(struct vigil_pkgdb *, const char *, char *, size_t);
};

static const struct reader readers[] = {
    {"dpkg", vigil_pkgdb_dpkg_detect, vigil_pkgdb_dpkg_read},
    {"rpm", vigil_pkgdb_rpm_detect, vigil_pkgdb_rpm_read},
    {"apk", vigil_pkgdb_apk_detect, vigil_pkgdb_apk_read},
};

static const struct vigil_pkgdb *sort_db; /* qsort has no context argument */

static int cmp_name(const void *a, const void *b)
{
	const struct vigil_pkg *p = &sort_db->pkgs[*(const size_t *)a];
	const struct vigil_pkg *q = &sort_db->pkgs[*(const size_t *)b];
	int c = strcmp(p->name, q->name);

	return c ? c
		 : (*(const size_t *)a > *(const size_t *)b) -
		       (*(const size_t *)a < *(const size_t *)b);
}

static int cmp_source(const void *a, const void *b)
{
	const struct vigil_pkg *p = &sort_db->pkgs[*(const size_t *)a];
	const struct vigil_pkg *q = &sort_db->pkgs[*(const size_t *)b];
	int c = strcmp(p->source, q->source);

	return c ? c : cmp_name(a, b);
}

static int build_indexes(struct vigil_pkgdb *db)
{
	db->by_name = malloc((db->n + 1) * sizeof(size_t));
	db->by_source = malloc((db->n + 1) * sizeof(size_t));
	if (!db->by_name || !db->by_source)
		return -1;
	for (size_t i = 0; i < db->n; i++)
		db->by_name[i] = db->by_source[i] = i;
	sort_db = db;
	qsort(db->by_name, db->n, sizeof(size_t), cmp_name);
	qsort(db->by_source, db->n, sizeof(size_t), cmp_source);
	sort_db = NULL;
	return 0;
}

static int want_paths(struct vigil_pkgdb *db, const char *const *paths, size_t npaths)
{
	db->owners = malloc((npaths + 1) * sizeof(long));
	if (!db->owners)
		return -1;
	db->npaths = npaths;
	for (size_t i = 0; i < npaths; i++) {
		db->owners[i] = -1;
		if (map_put(&db->wanted, paths[i], (long)i, NULL) != 0)
			return -1;
	}
	return 0;
}

static int read_all(struct vigil_pkgdb *db, char *err, size_t errsz)
{
	char dbpath[PATH_MAX], unsup[512] = "";
	size_t found = 0;

	for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
		char msg[512] = "";
		int rc = readers[i].detect(db->root, dbpath, sizeof(dbpath), msg, sizeof(msg));

		if (rc < 0) {
			snprintf(unsup, sizeof(unsup), "%s", msg);
			continue;
		}
		if (rc == 0)
			continue;
		if (readers[i].read(db, dbpath, err, errsz) != 0)
			return -1;
		size_t len = strlen(db->formats);
		snprintf(db->formats + len, sizeof(db->formats) - len, "%s%s", len ? "+" : "",
			 readers[i].format);
		found++;
	}
	if (found && unsup[0])
		vigil_pkgdb_warn(db, "%s", unsup);
	if (found)
		return 0;
	if (unsup[0])
		snprintf(err, errsz, "%s", unsup);
	else
		snprintf(err, errsz,
			 "%s: no package database found (looked for var/lib/dpkg/status, "
			 "var/lib/rpm/rpmdb.sqlite, usr/lib/sysimage/rpm/rpmdb.sqlite, "
			 "lib/apk/db/installed)",
			 db->root[0] ? db->root : "/");
	return -1;
}

struct vigil_pkgdb *vigil_pkgdb_open(const char *root, const char *const *paths, size_t npaths,
				     char *err, size_t errsz)
{
	struct vigil_pkgdb *db = calloc(1, sizeof(*db));
	size_t len;

	if (!db) {
		snprintf(err, errsz, "%s: out of memory", root);
		return NULL;
	}
	snprintf(db->root, sizeof(db->root), "%s", root ? root : "/");
	len = strlen(db->root);
	while (len > 0 && db->root[len - 1] == '/')
		db->root[--len] = '\0';
	if (want_paths(db, paths, npaths) != 0) {
		snprintf(err, errsz, "%s: out of memory", root);
		vigil_pkgdb_free(db);
		return NULL;
	}
	if (read_all(db, err, errsz) != 0) {
		vigil_pkgdb_free(db);
		return NULL;
	}
	if (build_indexes(db) != 0) {
		snprintf(err, errsz, "%s: out of memory", root);
		vigil_pkgdb_free(db);
		return NULL;
	}
	return db;
}

void vigil_pkgdb_free(struct vigil_pkgdb *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->n; i++) {
		free(db->pkgs[i].name);
		free(db->pkgs[i].version);
		free(db->pkgs[i].source);
		free(db->pkgs[i].source_version);
		free(db->pkgs[i].arch);
	}
	free(db->pkgs);
	free(db->by_name);
	free(db->by_source);
	free(db->owners);
	map_free(&db->wanted);
	map_free(&db->dirs);
	free(db->warnings);
	free(db);
}

/* ------------------------------------------------------------------------ */
/* Queries                                                                   */

const char *vigil_pkgdb_formats(const struct vigil_pkgdb *db)
{
	return db->formats;
}

const char *vigil_pkgdb_warnings(const struct vigil_pkgdb *db)
{
	return db->warnings ? db->warnings : "";
}

size_t vigil_pkgdb_count(const struct vigil_pkgdb *db)
{
	return db->n;
}

const struct vigil_pkg *vigil_pkgdb_get(const struct vigil_pkgdb *db, size_t i)
{
	return i < db->n ? &db->pkgs[i] : NULL;
}

static const char *key_of(const struct vigil_pkg *p, bool by_source)
{
	return by_source ? p->source : p->name;
}

size_t vigil_pkgdb_find(const struct vigil_pkgdb *db, const char *name, bool by_source, size_t *out,
			size_t max)
{
	const size_t *ix = by_source ? db->by_source : db->by_name;
	size_t lo = 0, hi = db->n, found = 0;

	while (lo < hi) { /* first entry >= name */
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(key_of(&db->pkgs[ix[mid]], by_source), name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < db->n && strcmp(key_of(&db->pkgs[ix[lo]], by_source), name) == 0; lo++) {
		if (found < max)
			out[found] = ix[lo];
		found++;
	}
	return found;
}

long vigil_pkgdb_owner(const struct vigil_pkgdb *db, size_t path_index)
{
	return path_index < db->npaths ? db->owners[path_index] : -1;
}

static const char *drop_epoch(const char *v)
{
	const char *p = v;

	while (*p >= '0' && *p <= '9')
		p++;
	return p > v && *p == ':' ? p + 1 : v;
}

bool vigil_pkg_version_eq(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	return strcmp(a, b) == 0 || strcmp(drop_epoch(a), drop_epoch(b)) == 0;
}
