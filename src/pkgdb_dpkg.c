/* pkgdb_dpkg.c - Debian packages: ROOT/var/lib/dpkg/status (RFC 822
 * stanzas: Package, Status, Version, Architecture, Source) and the file
 * lists ROOT/var/lib/dpkg/info/PKG:ARCH.list or PKG.list. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "pkgdb.h"

struct stanza {
	char *package, *status, *version, *arch, *source;
};

static void stanza_clear(struct stanza *s)
{
	free(s->package);
	free(s->status);
	free(s->version);
	free(s->arch);
	free(s->source);
	memset(s, 0, sizeof(*s));
}

int vigil_pkgdb_dpkg_detect(const char *root, char *dbpath, size_t dbpathsz, char *err,
			    size_t errsz)
{
	(void)err;
	(void)errsz;
	snprintf(dbpath, dbpathsz, "%s/var/lib/dpkg/status", root);
	return access(dbpath, F_OK) == 0;
}

/* Files are present unless the package is gone or only its conffiles are
 * left ("install ok installed", "... half-configured", "... unpacked"). */
static int files_present(const char *status)
{
	const char *state = status ? strrchr(status, ' ') : NULL;

	state = state ? state + 1 : status;
	return state && strcmp(state, "not-installed") != 0 && strcmp(state, "config-files") != 0;
}

static void read_list(struct vigil_pkgdb *db, const char *infodir, long pkg, const struct stanza *s)
{
	char path[PATH_MAX];
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f = NULL;

	if (s->arch) {
		snprintf(path, sizeof(path), "%s/%s:%s.list", infodir, s->package, s->arch);
		f = fopen(path, "re");
	}
	if (!f) {
		snprintf(path, sizeof(path), "%s/%s.list", infodir, s->package);
		f = fopen(path, "re");
	}
	if (!f)
		return; /* metapackages without files may have no list */
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > 0 && vigil_pkgdb_add_file(db, pkg, line) != 0)
			break;
	}
	free(line);
	fclose(f);
}

/* "Source: name" or "Source: name (version)". */
static void split_source(const char *src, char *name, size_t namesz, char *ver, size_t versz)
{
	const char *paren = src ? strchr(src, '(') : NULL;
	size_t len = src ? strcspn(src, " (") : 0;

	snprintf(name, namesz, "%.*s", (int)len, src ? src : "");
	ver[0] = '\0';
	if (paren)
		snprintf(ver, versz, "%.*s", (int)strcspn(paren + 1, ")"), paren + 1);
}

static int finish(struct vigil_pkgdb *db, const char *infodir, struct stanza *s)
{
	char srcname[256], srcver[256];
	long pkg;

	if (!s->package || !s->version || !files_present(s->status))
		return 0;
	split_source(s->source, srcname, sizeof(srcname), srcver, sizeof(srcver));
	pkg = vigil_pkgdb_add(db, "dpkg", s->package, s->version, srcname, srcver, s->arch);
	if (pkg < 0)
		return -1;
	if (vigil_pkgdb_wants_files(db))
		read_list(db, infodir, pkg, s);
	return 0;
}

static void set_field(struct stanza *s, const char *line)
{
	static const struct {
		const char *key;
		size_t off;
	} fields[] = {
	    {"Package", offsetof(struct stanza, package)},
	    {"Status", offsetof(struct stanza, status)},
	    {"Version", offsetof(struct stanza, version)},
	    {"Architecture", offsetof(struct stanza, arch)},
	    {"Source", offsetof(struct stanza, source)},
	};
	const char *colon = strchr(line, ':');

	if (!colon)
		return;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		size_t klen = strlen(fields[i].key);
		char **slot = (char **)((char *)s + fields[i].off);
		const char *v = colon + 1;

		if ((size_t)(colon - line) != klen || strncasecmp(line, fields[i].key, klen) != 0)
			continue;
		while (*v == ' ' || *v == '\t')
			v++;
		free(*slot);
		*slot = strdup(v);
		return;
	}
}

int vigil_pkgdb_dpkg_read(struct vigil_pkgdb *db, const char *dbpath, char *err, size_t errsz)
{
	char infodir[PATH_MAX];
	struct stanza s = {0};
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;
	FILE *f = fopen(dbpath, "re");

	if (!f) {
		snprintf(err, errsz, "%s: %s", dbpath, strerror(errno));
		return -1;
	}
	snprintf(infodir, sizeof(infodir), "%.*s/info", (int)(strrchr(dbpath, '/') - dbpath),
		 dbpath);
	while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0) {
			rc = finish(db, infodir, &s);
			stanza_clear(&s);
		} else if (line[0] != ' ' && line[0] != '\t') {
			set_field(&s, line);
		}
	}
	if (rc == 0)
		rc = finish(db, infodir, &s);
	stanza_clear(&s);
	free(line);
	fclose(f);
	if (rc != 0)
		snprintf(err, errsz, "%s: out of memory", dbpath);
	return rc;
}
