/* vuln_rank.c - findings matched to the scope's packages and runtime
 * inventory, then ranked.
 *
 * A finding is in use when a file of its package was executed, mapped for
 * execution or run as a script in the scope during the observed period (the
 * evidence names the file, the process and when). The package is the binary
 * package the scanner names (every architecture installed), else the binary
 * packages built from a source package of that name. A package compiled
 * into an executable (Go, Rust) is in use when that executable ran.
 *
 * Ranking: in-use findings first, then by severity (CRITICAL, HIGH, MEDIUM,
 * LOW, UNKNOWN), then by id and package: what runs and is severe comes
 * first; an unused critical ranks below an in-use low. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "mitigations.h"
#include "vuln_report.h"

#define MAX_MATCH    64 /* packages of one name (architectures) or one source */
#define MAX_EVIDENCE 32 /* files listed per finding (the earliest used) */

/* ------------------------------------------------------------------------ */
/* Mitigations                                                               */

static const struct vigil_vuln_mitigation builtin_mitigations[] = {{NULL, NULL, NULL}};
static const struct vigil_vuln_mitigation *mitigations = builtin_mitigations;

void vigil_vuln_mitigation_set_table(const struct vigil_vuln_mitigation *table)
{
	mitigations = table ? table : builtin_mitigations;
}

static const struct vigil_vuln_mitigation *table_lookup(const char *cve)
{
	for (const struct vigil_vuln_mitigation *m = mitigations; cve && m->cve; m++)
		if (strcasecmp(m->cve, cve) == 0)
			return m;
	return NULL;
}

/* The catalogue's mitigation for a CVE (mitigations.c); a table set by
 * vigil_vuln_mitigation_set_table (tests) is looked up first. */
const char *vigil_vuln_mitigation_for(const char *cve)
{
	const struct vigil_vuln_mitigation *m = table_lookup(cve);
	const struct vigil_mitigation *cat;

	if (m)
		return m->name;
	cat = cve ? vigil_mitigation_for_cve(cve) : NULL;
	return cat ? cat->name : NULL;
}

const char *vigil_vuln_mitigation_enable(const char *cve)
{
	static char buf[512];
	const struct vigil_vuln_mitigation *m = table_lookup(cve);
	const char *name = vigil_vuln_mitigation_for(cve);

	if (m && m->enable)
		return m->enable;
	if (!name)
		return NULL;
	snprintf(buf, sizeof(buf),
		 "vigil run --mitigate %s (or, for some processes only, list it under "
		 "`mitigations:` in a policy); details: vigil mitigations show %s",
		 name, name);
	return buf;
}

/* ------------------------------------------------------------------------ */
/* Which used files belong to which package                                  */

static const char deleted_suffix[] = " (deleted)";

const char **vigil_vuln_db_paths(const struct vigil_inv_file *files, size_t nfiles)
{
	size_t size = (nfiles + 1) * sizeof(char *);
	const char **v;
	char *s;

	for (size_t i = 0; i < nfiles; i++)
		size += strlen(files[i].path) + 1;
	v = malloc(size);
	if (!v)
		return NULL;
	s = (char *)(v + nfiles + 1);
	for (size_t i = 0; i < nfiles; i++) {
		size_t n = strlen(files[i].path), k = sizeof(deleted_suffix) - 1;

		if (n > k && strcmp(files[i].path + n - k, deleted_suffix) == 0)
			n -= k;
		memcpy(s, files[i].path, n);
		s[n] = '\0';
		v[i] = s;
		s += n + 1;
	}
	v[nfiles] = NULL;
	return v;
}

struct usage {
	const struct vigil_inv_file *files;
	size_t nfiles;
	const struct vigil_pkgdb *db;
	size_t *first; /* per package: its first used file, or SIZE_MAX */
	size_t *next;  /* per file: the next used file of the same package */
};

static int usage_init(struct usage *u, const struct vigil_inv_file *files, size_t nfiles,
		      const struct vigil_pkgdb *db)
{
	size_t npkgs = vigil_pkgdb_count(db);

	u->files = files;
	u->nfiles = nfiles;
	u->db = db;
	u->first = malloc((npkgs + 1) * sizeof(size_t));
	u->next = malloc((nfiles + 1) * sizeof(size_t));
	if (!u->first || !u->next)
		return -1;
	for (size_t i = 0; i < npkgs; i++)
		u->first[i] = SIZE_MAX;
	for (size_t i = nfiles; i-- > 0;) {
		long o = vigil_pkgdb_owner(db, i);

		u->next[i] = SIZE_MAX;
		if (o < 0)
			continue;
		u->next[i] = u->first[o];
		u->first[o] = i;
	}
	return 0;
}

static int add_evidence(struct vigil_finding *f, const struct vigil_inv_file *file,
			const char *package)
{
	struct vigil_evidence *e;
	const char *base = strrchr(file->exe, '/');

	e = realloc(f->ev, (f->nev + 1) * sizeof(*e));
	if (!e)
		return -1;
	f->ev = e;
	e = &f->ev[f->nev];
	memset(e, 0, sizeof(*e));
	e->path = strdup(file->path);
	e->package = strdup(package ? package : "");
	e->process = strdup(file->comm[0] ? file->comm : base ? base + 1 : file->exe);
	e->exe = strdup(file->exe);
	e->pid = file->pid;
	snprintf(e->kind, sizeof(e->kind), "%s", file->kind);
	e->first_ns = file->first_ns;
	e->last_ns = file->last_ns;
	e->use_count = file->use_count;
	f->nev++;
	return e->path && e->package && e->process && e->exe ? 0 : -1;
}

static int cmp_evidence(const void *a, const void *b)
{
	const struct vigil_evidence *x = a, *y = b;

	if (x->first_ns != y->first_ns)
		return x->first_ns < y->first_ns ? -1 : 1;
	return strcmp(x->path, y->path);
}

static int set_note(struct vigil_finding *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int set_note(struct vigil_finding *f, const char *fmt, ...)
{
	va_list ap;
	int rc;

	free(f->note);
	va_start(ap, fmt);
	rc = vasprintf(&f->note, fmt, ap);
	va_end(ap);
	if (rc < 0)
		f->note = NULL;
	return rc < 0 ? -1 : 0;
}

/* Keeps the first max (the earliest used). */
static void keep_evidence(struct vigil_finding *f, size_t max)
{
	for (; f->nev > max; f->nev--) {
		struct vigil_evidence *e = &f->ev[f->nev - 1];

		free(e->path);
		free(e->package);
		free(e->process);
		free(e->exe);
	}
}

/* ------------------------------------------------------------------------ */
/* Matching                                                                  */

static void check_version(struct vigil_finding *f, const struct vigil_pkgdb *db, const size_t *idx,
			  size_t n)
{
	const struct vigil_pkg *p0 = vigil_pkgdb_get(db, idx[0]);

	if (p0->arch && !f->arch)
		f->arch = strdup(p0->arch);
	if (!*f->version)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct vigil_pkg *p = vigil_pkgdb_get(db, idx[i]);

		if (vigil_pkg_version_eq(p->version, f->version) ||
		    vigil_pkg_version_eq(p->source_version, f->version))
			return;
	}
	f->installed_version = strdup(p0->version);
}

/* The packages the finding names. Returns false when none is installed. */
static int match_os(struct vigil_finding *f, const struct usage *u, bool *found)
{
	size_t idx[MAX_MATCH], n = vigil_pkgdb_find(u->db, f->package, false, idx, MAX_MATCH);

	if (!n)
		n = vigil_pkgdb_find(u->db, f->package, true, idx, MAX_MATCH);
	*found = n > 0;
	if (!n)
		return 0;
	n = n < MAX_MATCH ? n : MAX_MATCH;
	check_version(f, u->db, idx, n);
	for (size_t i = 0; i < n; i++) {
		const struct vigil_pkg *p = vigil_pkgdb_get(u->db, idx[i]);

		for (size_t j = u->first[idx[i]]; j != SIZE_MAX; j = u->next[j])
			if (add_evidence(f, &u->files[j], p->name) != 0)
				return -1;
	}
	return 0;
}

static int cmp_file_path(const void *key, const void *elem)
{
	return strcmp(key, ((const struct vigil_inv_file *)elem)->path);
}

/* The executables a BINARY package is compiled into. */
static int match_locations(struct vigil_finding *f, const struct usage *u)
{
	for (size_t i = 0; i < f->nlocations; i++) {
		const struct vigil_inv_file *file =
		    bsearch(f->locations[i], u->files, u->nfiles, sizeof(*u->files), cmp_file_path);

		if (file && add_evidence(f, file, "") != 0)
			return -1;
	}
	return 0;
}

static int explain(struct vigil_finding *f)
{
	int rc = 0;

	if (f->in_use) {
		if (f->installed_version)
			rc = set_note(f, "installed version %s differs from the report's %s",
				      f->installed_version, f->version);
		return rc;
	}
	if (f->installed && f->nlocations && f->pkg_class != VIGIL_PKG_OS)
		return set_note(f, "%s: not run during the observed period", f->locations[0]);
	if (f->installed)
		return set_note(f,
				"no file of %s was executed or mapped during the observed "
				"period%s",
				f->package,
				f->installed_version ? " (installed version differs)" : "");
	if (f->pkg_class == VIGIL_PKG_OTHER)
		return set_note(f,
				"%s package %s (not an OS package): Vigil sees executables and "
				"mapped libraries, not the code a language runtime loads, so its "
				"use is unknown",
				f->pkg_type, f->package);
	return set_note(f, "package not installed in scope");
}

static int match_one(struct vigil_finding *f, const struct usage *u)
{
	bool found = false;
	const char *m;

	if (f->pkg_class != VIGIL_PKG_BINARY && f->pkg_class != VIGIL_PKG_OTHER &&
	    match_os(f, u, &found) != 0)
		return -1;
	f->installed = found;
	if (!found && f->nlocations) {
		if (match_locations(f, u) != 0)
			return -1;
		f->installed = true;
	}
	if (f->nev > 1)
		qsort(f->ev, f->nev, sizeof(*f->ev), cmp_evidence);
	keep_evidence(f, MAX_EVIDENCE);
	f->in_use = f->nev > 0;
	m = vigil_vuln_mitigation_for(f->id);
	if (m) {
		const char *how = vigil_vuln_mitigation_enable(f->id);

		f->mitigation = strdup(m);
		f->mitigation_enable = how ? strdup(how) : NULL;
	}
	return explain(f);
}

int vigil_vuln_match(struct vigil_findings *f, const struct vigil_inv_file *files, size_t nfiles,
		     const struct vigil_pkgdb *db)
{
	struct usage u = {0};
	int rc = 0;

	if (usage_init(&u, files, nfiles, db) != 0)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < f->n; i++)
		rc = match_one(&f->v[i], &u);
	free(u.first);
	free(u.next);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Ranking                                                                   */

static int cmp_finding(const void *a, const void *b)
{
	const struct vigil_finding *x = a, *y = b;
	int c;

	if (x->in_use != y->in_use)
		return x->in_use ? -1 : 1;
	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if ((c = strcmp(x->id, y->id)) || (c = strcmp(x->package, y->package)))
		return c;
	return strcmp(x->version, y->version);
}

void vigil_vuln_sort(struct vigil_findings *f)
{
	qsort(f->v, f->n, sizeof(*f->v), cmp_finding);
}
