/* pkgdb_apk.c - Alpine packages: ROOT/lib/apk/db/installed, stanzas of
 * "X:value" lines separated by blank lines: P name, V version, A arch,
 * o origin (the source package), F a directory (relative to the root) and
 * R a file in the last F directory. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pkgdb.h"

struct apk_pkg {
	char *name, *version, *arch, *origin;
	char dir[PATH_MAX];
	char **files;
	size_t nfiles, cap;
	bool oom;
};

static void apk_clear(struct apk_pkg *p)
{
	free(p->name);
	free(p->version);
	free(p->arch);
	free(p->origin);
	for (size_t i = 0; i < p->nfiles; i++)
		free(p->files[i]);
	free(p->files);
	memset(p, 0, sizeof(*p));
}

int vigil_pkgdb_apk_detect(const char *root, char *dbpath, size_t dbpathsz, char *err, size_t errsz)
{
	(void)err;
	(void)errsz;
	snprintf(dbpath, dbpathsz, "%s/lib/apk/db/installed", root);
	return access(dbpath, F_OK) == 0;
}

static void add_path(struct apk_pkg *p, const char *file)
{
	char path[PATH_MAX * 2];

	if (p->nfiles == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		char **n = realloc(p->files, cap * sizeof(*n));

		if (!n) {
			p->oom = true;
			return;
		}
		p->files = n;
		p->cap = cap;
	}
	snprintf(path, sizeof(path), "/%s%s%s", p->dir, p->dir[0] ? "/" : "", file);
	p->files[p->nfiles] = strdup(path);
	if (!p->files[p->nfiles])
		p->oom = true;
	else
		p->nfiles++;
}

static void set_str(char **slot, const char *v)
{
	free(*slot);
	*slot = strdup(v);
}

static void apk_line(struct apk_pkg *p, const char *line, bool want_files)
{
	const char *v = line + 2;

	switch (line[0]) {
	case 'P':
		set_str(&p->name, v);
		break;
	case 'V':
		set_str(&p->version, v);
		break;
	case 'A':
		set_str(&p->arch, v);
		break;
	case 'o':
		set_str(&p->origin, v);
		break;
	case 'F':
		snprintf(p->dir, sizeof(p->dir), "%s", v);
		break;
	case 'R':
		if (want_files)
			add_path(p, v);
		break;
	default:
		break;
	}
}

static int apk_finish(struct vigil_pkgdb *db, struct apk_pkg *p)
{
	long pkg;

	if (p->oom)
		return -1;
	if (!p->name)
		return 0;
	pkg = vigil_pkgdb_add(db, "apk", p->name, p->version, p->origin, NULL, p->arch);
	if (pkg < 0)
		return -1;
	for (size_t i = 0; i < p->nfiles; i++)
		if (vigil_pkgdb_add_file(db, pkg, p->files[i]) != 0)
			return -1;
	return 0;
}

int vigil_pkgdb_apk_read(struct vigil_pkgdb *db, const char *dbpath, char *err, size_t errsz)
{
	struct apk_pkg p = {0};
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;
	FILE *f = fopen(dbpath, "re");

	if (!f) {
		snprintf(err, errsz, "%s: %s", dbpath, strerror(errno));
		return -1;
	}
	while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0) {
			rc = apk_finish(db, &p);
			apk_clear(&p);
		} else if (n >= 2 && line[1] == ':') {
			apk_line(&p, line, vigil_pkgdb_wants_files(db));
		}
	}
	if (rc == 0)
		rc = apk_finish(db, &p);
	apk_clear(&p);
	free(line);
	fclose(f);
	if (rc != 0)
		snprintf(err, errsz, "%s: out of memory", dbpath);
	return rc;
}
