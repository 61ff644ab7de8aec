/* vuln_report.c - scanner reports into one finding model:
 *
 *   Trivy (--format json)  Results[].Vulnerabilities[]: VulnerabilityID,
 *                          PkgName, InstalledVersion, FixedVersion, Severity,
 *                          Title, PkgID, PkgIdentifier.PURL, SrcName
 *   Grype (-o json)        matches[].vulnerability{id, severity, fix},
 *                          matches[].artifact{name, version, type, purl,
 *                          locations, upstreams}
 *   CycloneDX JSON         components[] (bom-ref, name, version, purl),
 *                          vulnerabilities[] (id, ratings[].severity,
 *                          affects[].ref)
 *
 * Problems are reported with the file name and either the JSON line and
 * column (syntax) or the key path ("matches[3].artifact.name: missing"). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>
#include "vuln_report.h"

#define KEYPATH_MAX 256

struct rd {
	const char *name; /* the report, for messages */
	const char *source;
	struct vigil_findings *out;
	char *err;
	size_t errsz;
};

/* What a reader collected for one finding. */
struct fin_in {
	const char *id, *title, *package, *version, *fixed, *purl, *type, *src, *severity;
	const char *locations[8];
	size_t nlocations;
	enum vigil_pkg_class cls;
	enum vigil_sev sev; /* used when severity is NULL */
};

static int fail(struct rd *r, const char *keypath, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct rd *r, const char *keypath, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errsz, "%s: %s%s%s", r->name, keypath ? keypath : "",
		 keypath && *keypath ? ": " : "", msg);
	return -1;
}

/* ------------------------------------------------------------------------ */
/* Severity and package URLs                                                 */

static const char *const sev_names[] = {"UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"};

const char *vigil_sev_name(enum vigil_sev s)
{
	return (unsigned)s < 5 ? sev_names[s] : "UNKNOWN";
}

enum vigil_sev vigil_sev_parse(const char *s)
{
	if (!s)
		return VIGIL_SEV_UNKNOWN;
	for (int i = 1; i < 5; i++)
		if (strcasecmp(s, sev_names[i]) == 0)
			return (enum vigil_sev)i;
	if (strcasecmp(s, "negligible") == 0 || strcasecmp(s, "info") == 0)
		return VIGIL_SEV_LOW;
	return VIGIL_SEV_UNKNOWN;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void decode(const char *s, size_t n, char *out, size_t outsz)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < outsz; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	if (outsz)
		out[o] = '\0';
}

bool vigil_purl_parse(const char *purl, char *type, size_t typesz, char *name, size_t namesz,
		      char *version, size_t versionsz)
{
	const char *p, *end, *slash, *at;

	if (!purl || strncmp(purl, "pkg:", 4) != 0)
		return false;
	p = purl + 4;
	while (*p == '/')
		p++;
	end = p + strcspn(p, "?#");
	slash = memchr(p, '/', (size_t)(end - p));
	if (!slash)
		return false;
	decode(p, (size_t)(slash - p), type, typesz);
	p = slash + 1;
	for (const char *s; (s = memchr(p, '/', (size_t)(end - p)));)
		p = s + 1;
	at = memchr(p, '@', (size_t)(end - p));
	decode(p, (size_t)((at ? at : end) - p), name, namesz);
	if (at)
		decode(at + 1, (size_t)(end - at - 1), version, versionsz);
	else if (versionsz)
		version[0] = '\0';
	return *name != '\0';
}

static enum vigil_pkg_class class_of_type(const char *t)
{
	static const char *const os[] = {
	    "deb",    "rpm",   "apk",	   "debian", "ubuntu",	   "alpine",	  "redhat",
	    "centos", "rocky", "alma",	   "amazon", "oracle",	   "fedora",	  "photon",
	    "suse",   "sles",  "opensuse", "wolfi",  "chainguard", "cbl-mariner", "azurelinux"};
	static const char *const bin[] = {"gobinary", "rustbinary", "go-module", "binary"};

	if (!t || !*t)
		return VIGIL_PKG_UNSPECIFIED;
	for (size_t i = 0; i < sizeof(os) / sizeof(os[0]); i++)
		if (strncasecmp(t, os[i], strlen(os[i])) == 0)
			return VIGIL_PKG_OS;
	for (size_t i = 0; i < sizeof(bin) / sizeof(bin[0]); i++)
		if (strcasecmp(t, bin[i]) == 0)
			return VIGIL_PKG_BINARY;
	return VIGIL_PKG_OTHER;
}

/* ------------------------------------------------------------------------ */
/* Typed member access with key paths in errors                              */

/* A key path into out (KEYPATH_MAX bytes; deep paths are cut). */
static void kp_fmt(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void kp_fmt(char *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, KEYPATH_MAX, fmt, ap);
	va_end(ap);
}

static void keypath(char *out, const char *base, const char *key)
{
	kp_fmt(out, "%s%s%s", base, *base ? "." : "", key);
}

/* An optional string (NULL when absent or null); numbers are accepted as
 * text only where a scanner might write one, so: any other type fails. */
static int opt_str(struct rd *r, json_t *obj, const char *base, const char *key, const char **out)
{
	json_t *v = json_object_get(obj, key);
	char kp[KEYPATH_MAX];

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		keypath(kp, base, key);
		return fail(r, kp, "expected a string");
	}
	*out = json_string_value(v);
	return 0;
}

static int req_str(struct rd *r, json_t *obj, const char *base, const char *key, const char **out)
{
	char kp[KEYPATH_MAX];

	if (opt_str(r, obj, base, key, out) != 0)
		return -1;
	if (*out && **out)
		return 0;
	keypath(kp, base, key);
	return fail(r, kp, *out ? "empty" : "missing");
}

/* An optional member of the given type (json_is_array or json_is_object):
 * NULL when absent or null. */
static int opt_of(struct rd *r, json_t *obj, const char *base, const char *key, bool array,
		  json_t **out)
{
	json_t *v = json_object_get(obj, key);
	char kp[KEYPATH_MAX];

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (array ? !json_is_array(v) : !json_is_object(v)) {
		keypath(kp, base, key);
		return fail(r, kp, array ? "expected an array" : "expected an object");
	}
	*out = v;
	return 0;
}

static int req_of(struct rd *r, json_t *obj, const char *base, const char *key, bool array,
		  json_t **out)
{
	char kp[KEYPATH_MAX];

	if (opt_of(r, obj, base, key, array, out) != 0)
		return -1;
	if (*out)
		return 0;
	keypath(kp, base, key);
	return fail(r, kp, "missing");
}

static int elem_object(struct rd *r, json_t *v, const char *kp)
{
	return json_is_object(v) ? 0 : fail(r, kp, "expected an object");
}

/* ------------------------------------------------------------------------ */
/* The finding list                                                          */

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static void finding_free(struct vigil_finding *f)
{
	free(f->id);
	free(f->title);
	free(f->package);
	free(f->version);
	free(f->fixed);
	free(f->purl);
	free(f->pkg_type);
	free(f->src_name);
	for (size_t i = 0; i < f->nlocations; i++)
		free(f->locations[i]);
	free(f->locations);
	free(f->installed_version);
	free(f->arch);
	free(f->note);
	free(f->mitigation);
	free(f->mitigation_enable);
	for (size_t i = 0; i < f->nev; i++) {
		free(f->ev[i].path);
		free(f->ev[i].package);
		free(f->ev[i].process);
		free(f->ev[i].exe);
	}
	free(f->ev);
}

void vigil_findings_free(struct vigil_findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		finding_free(&f->v[i]);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

static int add_location(struct vigil_finding *f, const char *loc)
{
	char **n;

	if (!loc || !*loc)
		return 0;
	for (size_t i = 0; i < f->nlocations; i++)
		if (strcmp(f->locations[i] + (loc[0] != '/'), loc) == 0)
			return 0;
	n = realloc(f->locations, (f->nlocations + 1) * sizeof(*n));
	if (!n)
		return -1;
	f->locations = n;
	if (asprintf(&n[f->nlocations], "%s%s", loc[0] == '/' ? "" : "/", loc) < 0)
		return -1;
	f->nlocations++;
	return 0;
}

static void fill_empty(char **field, const char *v)
{
	char *d;

	if (**field || !v || !*v || !(d = strdup(v)))
		return;
	free(*field);
	*field = d;
}

/* The same id, package and version already read: merged into it. */
static struct vigil_finding *find_same(struct vigil_findings *out, const struct fin_in *in)
{
	for (size_t i = out->n; i-- > 0;) {
		struct vigil_finding *f = &out->v[i];

		if (strcmp(f->id, in->id) == 0 && strcmp(f->package, in->package) == 0 &&
		    strcmp(f->version, in->version ? in->version : "") == 0)
			return f;
	}
	return NULL;
}

static int merge(struct vigil_finding *f, const struct fin_in *in, enum vigil_sev sev)
{
	if (sev > f->severity)
		f->severity = sev;
	fill_empty(&f->fixed, in->fixed);
	fill_empty(&f->title, in->title);
	fill_empty(&f->purl, in->purl);
	fill_empty(&f->src_name, in->src);
	for (size_t i = 0; i < in->nlocations; i++)
		if (add_location(f, in->locations[i]) != 0)
			return -1;
	return 0;
}

static int add_finding(struct rd *r, const struct fin_in *in)
{
	enum vigil_sev sev = in->severity ? vigil_sev_parse(in->severity) : in->sev;
	struct vigil_finding *f = find_same(r->out, in);

	if (f)
		return merge(f, in, sev) ? fail(r, NULL, "out of memory") : 0;
	if (r->out->n == r->out->cap) {
		size_t cap = r->out->cap ? r->out->cap * 2 : 64;
		struct vigil_finding *v = realloc(r->out->v, cap * sizeof(*v));

		if (!v)
			return fail(r, NULL, "out of memory");
		r->out->v = v;
		r->out->cap = cap;
	}
	f = &r->out->v[r->out->n++];
	memset(f, 0, sizeof(*f));
	f->id = dup_or_empty(in->id);
	f->title = dup_or_empty(in->title);
	f->package = dup_or_empty(in->package);
	f->version = dup_or_empty(in->version);
	f->fixed = dup_or_empty(in->fixed);
	f->purl = dup_or_empty(in->purl);
	f->pkg_type = dup_or_empty(in->type);
	f->src_name = dup_or_empty(in->src);
	f->severity = sev;
	f->pkg_class = in->cls;
	f->source = r->source;
	for (size_t i = 0; i < in->nlocations; i++)
		if (add_location(f, in->locations[i]) != 0)
			return fail(r, NULL, "out of memory");
	if (!f->id || !f->title || !f->package || !f->version || !f->fixed || !f->purl ||
	    !f->pkg_type || !f->src_name)
		return fail(r, NULL, "out of memory");
	return 0;
}

/* Name and version from a purl when the report left them out. */
static void from_purl(struct fin_in *in, char *name, size_t namesz, char *ver, size_t versz,
		      char *type, size_t typesz)
{
	if (!in->purl || !vigil_purl_parse(in->purl, type, typesz, name, namesz, ver, versz))
		return;
	if (!in->package || !*in->package)
		in->package = name;
	if ((!in->version || !*in->version) && *ver)
		in->version = ver;
	if ((!in->type || !*in->type) && *type)
		in->type = type;
}

/* ------------------------------------------------------------------------ */
/* Trivy                                                                     */

/* "name@version" (PkgID) into name and version. */
static void split_pkgid(const char *id, char *name, size_t namesz, char *ver, size_t versz)
{
	const char *at = id ? strrchr(id, '@') : NULL;

	snprintf(name, namesz, "%.*s", at ? (int)(at - id) : 0, at ? id : "");
	snprintf(ver, versz, "%s", at ? at + 1 : "");
}

struct trivy_result {
	const char *target, *cls, *type;
};

static int trivy_vuln(struct rd *r, json_t *v, const char *kp, const struct trivy_result *res)
{
	char idname[256], idver[256], pname[256], pver[256], ptype[32];
	const char *pkgid, *pkgpath;
	json_t *ident;
	struct fin_in in = {.type = res->type};

	if (elem_object(r, v, kp) || req_str(r, v, kp, "VulnerabilityID", &in.id) ||
	    opt_str(r, v, kp, "PkgName", &in.package) ||
	    opt_str(r, v, kp, "InstalledVersion", &in.version) ||
	    opt_str(r, v, kp, "FixedVersion", &in.fixed) ||
	    opt_str(r, v, kp, "Severity", &in.severity) || opt_str(r, v, kp, "Title", &in.title) ||
	    opt_str(r, v, kp, "SrcName", &in.src) || opt_str(r, v, kp, "PkgID", &pkgid) ||
	    opt_str(r, v, kp, "PkgPath", &pkgpath) ||
	    opt_of(r, v, kp, "PkgIdentifier", false, &ident))
		return -1;
	if (ident) {
		char ikp[KEYPATH_MAX];

		keypath(ikp, kp, "PkgIdentifier");
		if (opt_str(r, ident, ikp, "PURL", &in.purl))
			return -1;
	}
	split_pkgid(pkgid, idname, sizeof(idname), idver, sizeof(idver));
	if ((!in.package || !*in.package) && *idname)
		in.package = idname;
	if ((!in.version || !*in.version) && *idver)
		in.version = idver;
	from_purl(&in, pname, sizeof(pname), pver, sizeof(pver), ptype, sizeof(ptype));
	if (!in.package || !*in.package)
		return fail(r, kp, "missing PkgName (and no PkgID or PkgIdentifier.PURL)");
	in.cls =
	    res->cls && strcmp(res->cls, "os-pkgs") == 0 ? VIGIL_PKG_OS : class_of_type(in.type);
	if (in.cls == VIGIL_PKG_BINARY)
		in.locations[in.nlocations++] = pkgpath && *pkgpath ? pkgpath : res->target;
	return add_finding(r, &in);
}

static int trivy_result(struct rd *r, json_t *res, const char *kp)
{
	struct trivy_result tr;
	json_t *vulns, *v;
	size_t i;

	if (elem_object(r, res, kp) || opt_str(r, res, kp, "Target", &tr.target) ||
	    opt_str(r, res, kp, "Class", &tr.cls) || opt_str(r, res, kp, "Type", &tr.type) ||
	    opt_of(r, res, kp, "Vulnerabilities", true, &vulns))
		return -1;
	json_array_foreach(vulns, i, v)
	{
		char vkp[KEYPATH_MAX];

		kp_fmt(vkp, "%s.Vulnerabilities[%zu]", kp, i);
		if (trivy_vuln(r, v, vkp, &tr) != 0)
			return -1;
	}
	return 0;
}

static int read_trivy(struct rd *r, json_t *root)
{
	json_t *results, *res;
	size_t i;

	r->source = "trivy";
	if (opt_of(r, root, "", "Results", true, &results) != 0)
		return -1;
	json_array_foreach(results, i, res)
	{
		char kp[KEYPATH_MAX];

		kp_fmt(kp, "Results[%zu]", i);
		if (trivy_result(r, res, kp) != 0)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Grype                                                                     */

/* fix.versions joined with ", " into buf. */
static int grype_fix(struct rd *r, json_t *vuln, const char *kp, char *buf, size_t bufsz)
{
	json_t *fix, *versions, *v;
	char fkp[KEYPATH_MAX];
	size_t i, pos = 0;

	buf[0] = '\0';
	if (opt_of(r, vuln, kp, "fix", false, &fix) != 0)
		return -1;
	keypath(fkp, kp, "fix");
	if (!fix || opt_of(r, fix, fkp, "versions", true, &versions) != 0)
		return fix ? -1 : 0;
	json_array_foreach(versions, i, v)
	{
		if (!json_is_string(v))
			return fail(r, fkp, "versions[%zu]: expected a string", i);
		int w =
		    snprintf(buf + pos, bufsz - pos, "%s%s", pos ? ", " : "", json_string_value(v));
		if (w < 0 || (size_t)w >= bufsz - pos)
			break;
		pos += (size_t)w;
	}
	return 0;
}

static int grype_locations(struct rd *r, json_t *art, const char *akp, struct fin_in *in)
{
	json_t *locs, *l;
	size_t i;

	if (opt_of(r, art, akp, "locations", true, &locs) != 0)
		return -1;
	json_array_foreach(locs, i, l)
	{
		char lkp[KEYPATH_MAX];
		const char *path;

		kp_fmt(lkp, "%s.locations[%zu]", akp, i);
		if (elem_object(r, l, lkp) || opt_str(r, l, lkp, "path", &path))
			return -1;
		if (path && in->nlocations < sizeof(in->locations) / sizeof(in->locations[0]))
			in->locations[in->nlocations++] = path;
	}
	return 0;
}

static int grype_upstream(struct rd *r, json_t *art, const char *akp, struct fin_in *in)
{
	json_t *ups, *u;
	char ukp[KEYPATH_MAX];

	if (opt_of(r, art, akp, "upstreams", true, &ups) != 0)
		return -1;
	u = ups ? json_array_get(ups, 0) : NULL;
	if (!u)
		return 0;
	kp_fmt(ukp, "%s.upstreams[0]", akp);
	return elem_object(r, u, ukp) || opt_str(r, u, ukp, "name", &in->src) ? -1 : 0;
}

static int grype_match(struct rd *r, json_t *m, const char *kp)
{
	char vkp[KEYPATH_MAX], akp[KEYPATH_MAX], fixed[512];
	char pname[256], pver[256], ptype[32];
	json_t *vuln, *art;
	struct fin_in in = {0};

	keypath(vkp, kp, "vulnerability");
	keypath(akp, kp, "artifact");
	if (elem_object(r, m, kp) || req_of(r, m, kp, "vulnerability", false, &vuln) ||
	    req_of(r, m, kp, "artifact", false, &art) || req_str(r, vuln, vkp, "id", &in.id) ||
	    opt_str(r, vuln, vkp, "severity", &in.severity) ||
	    opt_str(r, vuln, vkp, "description", &in.title) ||
	    grype_fix(r, vuln, vkp, fixed, sizeof(fixed)) ||
	    req_str(r, art, akp, "name", &in.package) ||
	    opt_str(r, art, akp, "version", &in.version) ||
	    opt_str(r, art, akp, "type", &in.type) || opt_str(r, art, akp, "purl", &in.purl) ||
	    grype_upstream(r, art, akp, &in))
		return -1;
	in.fixed = fixed;
	from_purl(&in, pname, sizeof(pname), pver, sizeof(pver), ptype, sizeof(ptype));
	in.cls = class_of_type(in.type);
	if (in.cls == VIGIL_PKG_BINARY && grype_locations(r, art, akp, &in) != 0)
		return -1;
	return add_finding(r, &in);
}

static int read_grype(struct rd *r, json_t *root)
{
	json_t *matches, *m;
	size_t i;

	r->source = "grype";
	if (req_of(r, root, "", "matches", true, &matches) != 0)
		return -1;
	json_array_foreach(matches, i, m)
	{
		char kp[KEYPATH_MAX];

		kp_fmt(kp, "matches[%zu]", i);
		if (grype_match(r, m, kp) != 0)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* CycloneDX                                                                 */

/* A component by bom-ref, searched through nested components. */
static json_t *cdx_component(json_t *list, const char *ref)
{
	json_t *c;
	size_t i;

	json_array_foreach(list, i, c)
	{
		json_t *br = json_object_get(c, "bom-ref"), *sub;

		if (json_is_string(br) && strcmp(json_string_value(br), ref) == 0)
			return c;
		sub = json_object_get(c, "components");
		if (json_is_array(sub) && (sub = cdx_component(sub, ref)))
			return sub;
	}
	return NULL;
}

static json_t *cdx_find(json_t *root, const char *ref)
{
	json_t *meta = json_object_get(root, "metadata");
	json_t *mc = json_is_object(meta) ? json_object_get(meta, "component") : NULL;
	json_t *found = cdx_component(json_object_get(root, "components"), ref);
	json_t *br;

	if (found || !json_is_object(mc))
		return found;
	br = json_object_get(mc, "bom-ref");
	if (json_is_string(br) && strcmp(json_string_value(br), ref) == 0)
		return mc;
	return cdx_component(json_object_get(mc, "components"), ref);
}

/* The highest severity over ratings[]. */
static int cdx_severity(struct rd *r, json_t *vuln, const char *kp, enum vigil_sev *sev)
{
	json_t *ratings, *rt;
	size_t i;

	*sev = VIGIL_SEV_UNKNOWN;
	if (opt_of(r, vuln, kp, "ratings", true, &ratings) != 0)
		return -1;
	json_array_foreach(ratings, i, rt)
	{
		char rkp[KEYPATH_MAX];
		const char *s;

		kp_fmt(rkp, "%s.ratings[%zu]", kp, i);
		if (elem_object(r, rt, rkp) || opt_str(r, rt, rkp, "severity", &s))
			return -1;
		if (vigil_sev_parse(s) > *sev)
			*sev = vigil_sev_parse(s);
	}
	return 0;
}

/* A Trivy-made component's "aquasecurity:trivy:SrcName" property. */
static const char *cdx_src_name(json_t *comp)
{
	json_t *props = json_object_get(comp, "properties"), *p;
	size_t i;

	json_array_foreach(props, i, p)
	{
		json_t *n = json_object_get(p, "name"), *v = json_object_get(p, "value");

		if (json_is_string(n) && json_is_string(v) &&
		    strcmp(json_string_value(n), "aquasecurity:trivy:SrcName") == 0)
			return json_string_value(v);
	}
	return NULL;
}

/* Versions the vulnerability is fixed in: affects[].versions[] "unaffected". */
static void cdx_fixed(json_t *affect, char *buf, size_t bufsz)
{
	json_t *versions = json_object_get(affect, "versions"), *v;
	size_t i, pos = 0;

	buf[0] = '\0';
	json_array_foreach(versions, i, v)
	{
		json_t *st = json_object_get(v, "status");
		json_t *ver = json_object_get(v, "version");

		if (!json_is_string(ver))
			ver = json_object_get(v, "range");
		if (!json_is_string(st) || strcmp(json_string_value(st), "unaffected") != 0 ||
		    !json_is_string(ver))
			continue;
		int w = snprintf(buf + pos, bufsz - pos, "%s%s", pos ? ", " : "",
				 json_string_value(ver));
		if (w < 0 || (size_t)w >= bufsz - pos)
			break;
		pos += (size_t)w;
	}
}

static int cdx_affect(struct rd *r, json_t *root, json_t *a, const char *kp, struct fin_in *in)
{
	char pname[256], pver[256], ptype[32], fixed[512];
	const char *ref;
	json_t *comp;

	if (elem_object(r, a, kp) || req_str(r, a, kp, "ref", &ref))
		return -1;
	comp = cdx_find(root, ref);
	in->package = in->version = in->purl = in->type = in->src = NULL;
	if (comp) {
		char ckp[KEYPATH_MAX];

		kp_fmt(ckp, "component \"%s\"", ref);
		if (opt_str(r, comp, ckp, "name", &in->package) ||
		    opt_str(r, comp, ckp, "version", &in->version) ||
		    opt_str(r, comp, ckp, "purl", &in->purl))
			return -1;
		in->src = cdx_src_name(comp);
	} else if (strncmp(ref, "pkg:", 4) == 0) {
		in->purl = ref;
	} else {
		return fail(r, kp, "ref \"%s\" names no component", ref);
	}
	cdx_fixed(a, fixed, sizeof(fixed));
	in->fixed = fixed;
	from_purl(in, pname, sizeof(pname), pver, sizeof(pver), ptype, sizeof(ptype));
	if (!in->package || !*in->package)
		return fail(r, kp, "component \"%s\" has no name", ref);
	in->cls = class_of_type(in->type);
	return add_finding(r, in);
}

static int cdx_vuln(struct rd *r, json_t *root, json_t *v, const char *kp)
{
	struct fin_in in = {0};
	json_t *affects, *a;
	size_t i;

	if (elem_object(r, v, kp) || req_str(r, v, kp, "id", &in.id) ||
	    opt_str(r, v, kp, "description", &in.title) || cdx_severity(r, v, kp, &in.sev) ||
	    req_of(r, v, kp, "affects", true, &affects))
		return -1;
	json_array_foreach(affects, i, a)
	{
		char akp[KEYPATH_MAX];

		kp_fmt(akp, "%s.affects[%zu]", kp, i);
		if (cdx_affect(r, root, a, akp, &in) != 0)
			return -1;
	}
	return 0;
}

static int read_cyclonedx(struct rd *r, json_t *root)
{
	json_t *vulns, *v, *comps;
	size_t i;

	r->source = "cyclonedx";
	if (opt_of(r, root, "", "components", true, &comps) != 0)
		return -1;
	if (opt_of(r, root, "", "vulnerabilities", true, &vulns) != 0)
		return -1;
	if (!vulns)
		return fail(
		    r, "vulnerabilities",
		    "missing: a CycloneDX SBOM without vulnerabilities (scan it with a "
		    "scanner that adds them, e.g. trivy --format cyclonedx --scanners vuln)");
	json_array_foreach(vulns, i, v)
	{
		char kp[KEYPATH_MAX];

		kp_fmt(kp, "vulnerabilities[%zu]", i);
		if (cdx_vuln(r, root, v, kp) != 0)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Entry points                                                              */

static const char *json_type_name(json_t *v)
{
	return json_is_array(v)	   ? "an array"
	       : json_is_string(v) ? "a string"
	       : json_is_number(v) ? "a number"
				   : "not an object";
}

static int read_doc(struct rd *r, json_t *root)
{
	json_t *fmt = json_object_get(root, "bomFormat");

	if (!json_is_object(root))
		return fail(r, NULL,
			    "not a vulnerability report: the top level is %s, expected an object "
			    "(Trivy, Grype or CycloneDX JSON)",
			    json_type_name(root));
	if (json_is_string(fmt) && strcmp(json_string_value(fmt), "CycloneDX") == 0)
		return read_cyclonedx(r, root);
	if (json_object_get(root, "matches"))
		return read_grype(r, root);
	if (json_object_get(root, "Results") || json_object_get(root, "SchemaVersion"))
		return read_trivy(r, root);
	return fail(r, NULL,
		    "unknown report format: expected Trivy JSON (Results), Grype JSON (matches) "
		    "or CycloneDX JSON (bomFormat \"CycloneDX\")");
}

int vigil_vuln_report_parse(const char *name, const char *text, size_t len,
			    struct vigil_findings *out, char *err, size_t errsz)
{
	struct rd r = {.name = name, .out = out, .err = err, .errsz = errsz};
	size_t skip = strspn(text, " \t\r\n");
	json_error_t je;
	json_t *root;
	int rc;

	if (skip < len && text[skip] == '<')
		return fail(&r, NULL, "XML reports are not supported: use the JSON format");
	root = json_loadb(text, len, 0, &je);
	if (!root) {
		snprintf(err, errsz, "%s:%d:%d: JSON syntax error: %s", name, je.line, je.column,
			 je.text);
		return -1;
	}
	rc = read_doc(&r, root);
	json_decref(root);
	return rc;
}

int vigil_vuln_report_read(const char *path, struct vigil_findings *out, char *err, size_t errsz)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (!f) {
		snprintf(err, errsz, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	FILE *mem = open_memstream(&buf, &len);
	char chunk[65536];
	size_t n;

	while (mem && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	if (!mem || ferror(f)) {
		snprintf(err, errsz, "%s: cannot read: %s", path, strerror(errno));
		if (mem)
			fclose(mem);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(mem);
	fclose(f);
	rc = vigil_vuln_report_parse(path, buf, len, out, err, errsz);
	free(buf);
	return rc;
}
