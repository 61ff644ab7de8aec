/* test_vuln.c - unit tests for `vigil vuln` (src/vuln_*.c): Trivy, Grype and
 * CycloneDX reports read into findings; malformed reports (syntax errors
 * with line and column, missing keys with their path); findings matched
 * against this machine's real dpkg database and an inventory seeded through
 * the agent's API; ranking; the JSON, table and OpenVEX outputs; the
 * mitigation hook; a chroot scope with its own dpkg database; binary and
 * language packages; the command line. */
#include <errno.h>
#include <fcntl.h>
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
#include <jansson.h>

#include "inventory.h"
#include "pkgdb.h"
#include "vuln.h"
#include "vuln_report.h"

#define SEC 1000000000ull

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */

static char tmpdir[64];
static uint64_t T0; /* an hour ago */

/* The first line of a shell command's output ("" on failure). */
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

/* A real package's version and the resolved path of one of its files. */
struct realpkg {
	char name[64], version[128], file[PATH_MAX];
};

static void real_pkg(struct realpkg *p, const char *name, const char *file_re)
{
	char listed[PATH_MAX];

	snprintf(p->name, sizeof(p->name), "%s", name);
	sh(p->version, sizeof(p->version), "dpkg-query -W -f='${Version}' '%s' 2>/dev/null", name);
	if (!p->version[0])
		fail_msg("package %s is not installed (a build dependency)", name);
	p->file[0] = '\0';
	if (!file_re)
		return;
	sh(listed, sizeof(listed), "dpkg -L '%s' | grep -E '%s' | head -1", name, file_re);
	if (!listed[0] || !realpath(listed, p->file))
		fail_msg("no file matching %s in %s", file_re, name);
}

static struct realpkg libc, jansson, yaml, sqlite;

static int parse(const char *text, struct vigil_findings *f, char *err, size_t errsz)
{
	return vigil_vuln_report_parse("report.json", text, strlen(text), f, err, errsz);
}

static void parse_ok(const char *text, struct vigil_findings *f)
{
	char err[1024];

	if (parse(text, f, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

static const struct vigil_finding *by_id(const struct vigil_findings *f, const char *id)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].id, id) == 0)
			return &f->v[i];
	return NULL;
}

static void state_dir(char *out, size_t outsz, const char *name)
{
	snprintf(out, outsz, "%s/%s", tmpdir, name);
}

static void note(struct vigil_inventory *inv, const char *kind, const char *path, const char *comm,
		 uint64_t t)
{
	struct vigil_inventory_use u = {.kind = kind,
					.path = path,
					.pid = (uint32_t)getpid(),
					.exe = "/usr/bin/curl",
					.comm = comm,
					.wall_ns = t};

	vigil_inventory_note(inv, &u);
}

/* The host inventory used by the ranking tests: libjansson and libc used. */
static void seed(const char *dir)
{
	char err[1024];
	struct vigil_inventory *inv = vigil_inventory_open(dir, err, sizeof(err));

	if (!inv)
		fail_msg("%s", err);
	note(inv, "exec", "/usr/bin/curl", "curl", T0);
	note(inv, "map", jansson.file, "curl", T0 + 1 * SEC);
	note(inv, "map", jansson.file, "curl", T0 + 2 * SEC);
	note(inv, "map", libc.file, "curl", T0 + 3 * SEC);
	assert_int_equal(vigil_inventory_flush(inv), 0);
	vigil_inventory_close(inv);
}

/* The scope's findings matched and ranked, with the meta data. */
static void rank(const char *dir, const char *scope, const char *root, struct vigil_findings *f,
		 struct vigil_vuln_meta *m, struct vigil_inv_scope_info *info)
{
	struct vigil_inv_file *files;
	struct vigil_pkgdb *db;
	const char **paths;
	char err[1024];
	size_t n;

	if (vigil_inventory_find_scope(dir, scope, info, err, sizeof(err)) ||
	    vigil_inventory_files(dir, info->name, &files, &n, err, sizeof(err)))
		fail_msg("%s", err);
	paths = vigil_vuln_db_paths(files, n);
	db = vigil_pkgdb_open(root, paths, n, err, sizeof(err));
	if (!db)
		fail_msg("%s", err);
	assert_int_equal(vigil_vuln_match(f, files, n, db), 0);
	vigil_vuln_sort(f);
	memset(m, 0, sizeof(*m));
	m->scope = info->name;
	m->first_ns = info->first_ns;
	m->last_ns = info->last_ns;
	m->files = n;
	m->distro = "debian";
	free(paths);
	vigil_pkgdb_free(db);
	vigil_inventory_files_free(files, n);
}

/* Output of a writer, parsed. */
static json_t *as_json(int (*w)(FILE *, const struct vigil_findings *,
				const struct vigil_vuln_meta *),
		       const struct vigil_findings *f, const struct vigil_vuln_meta *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	json_error_t je;
	json_t *doc;

	assert_int_equal(w(out, f, m), 0);
	fclose(out);
	doc = json_loadb(buf, len, 0, &je);
	if (!doc)
		fail_msg("%d:%d: %s\n%s", je.line, je.column, je.text, buf);
	free(buf);
	return doc;
}

static char *as_text(const struct vigil_findings *f, const struct vigil_vuln_meta *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_int_equal(vigil_vuln_write_table(out, f, m), 0);
	fclose(out);
	return buf;
}

static const char *jstr(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v))
		fail_msg("\"%s\" is not a string", key);
	return json_string_value(v);
}

/* The Trivy report for the real packages. */
static void trivy_real(char *buf, size_t bufsz)
{
	snprintf(buf, bufsz,
		 "{\"SchemaVersion\":2,\"ArtifactName\":\"host\",\"Results\":[{\"Target\":"
		 "\"debian 12\",\"Class\":\"os-pkgs\",\"Type\":\"debian\",\"Vulnerabilities\":["
		 "{\"VulnerabilityID\":\"CVE-TEST-0001\",\"PkgName\":\"libjansson4\","
		 "\"InstalledVersion\":\"%s\",\"FixedVersion\":\"9.9-1\",\"Severity\":"
		 "\"CRITICAL\",\"Title\":\"jansson overflow\"},"
		 "{\"VulnerabilityID\":\"CVE-TEST-0002\",\"PkgName\":\"libyaml-0-2\","
		 "\"InstalledVersion\":\"%s\",\"Severity\":\"CRITICAL\"},"
		 "{\"VulnerabilityID\":\"CVE-TEST-0003\",\"PkgName\":\"libc6\","
		 "\"InstalledVersion\":\"%s\",\"Severity\":\"low\"},"
		 "{\"VulnerabilityID\":\"CVE-TEST-0004\",\"PkgName\":\"vigil-no-such-package\","
		 "\"InstalledVersion\":\"1.0-1\",\"Severity\":\"HIGH\"},"
		 "{\"VulnerabilityID\":\"CVE-TEST-0005\",\"PkgName\":\"libsqlite3-0\","
		 "\"InstalledVersion\":\"%s\",\"Severity\":\"MEDIUM\"},"
		 "{\"VulnerabilityID\":\"CVE-TEST-0006\",\"PkgName\":\"jansson\","
		 "\"InstalledVersion\":\"%s\",\"Severity\":\"HIGH\"}]}]}",
		 jansson.version, yaml.version, libc.version, sqlite.version, jansson.version);
}

/* ------------------------------------------------------------------------ */
/* Reading reports                                                           */

static void test_trivy(void **state)
{
	struct vigil_findings f = {0};
	const struct vigil_finding *x;

	(void)state;
	parse_ok(
	    "{\"SchemaVersion\":2,\"Results\":[{\"Target\":\"x\",\"Class\":\"os-pkgs\","
	    "\"Type\":\"debian\",\"Vulnerabilities\":["
	    "{\"VulnerabilityID\":\"CVE-1\",\"PkgName\":\"libcurl4\",\"InstalledVersion\":"
	    "\"7.88.1-10\",\"FixedVersion\":\"7.88.1-11\",\"Severity\":\"HIGH\",\"Title\":"
	    "\"t\",\"SrcName\":\"curl\",\"PkgIdentifier\":{\"PURL\":\"pkg:deb/debian/"
	    "libcurl4@7.88.1-10?arch=amd64\"}},"
	    "{\"VulnerabilityID\":\"CVE-2\",\"PkgID\":\"zlib1g@1:1.2.13-1\","
	    "\"Severity\":\"medium\"},"
	    "{\"VulnerabilityID\":\"CVE-3\",\"PkgIdentifier\":{\"PURL\":"
	    "\"pkg:deb/debian/libssl3@3.0.11-1%2Bdeb12u2?arch=amd64\"}},"
	    "{\"VulnerabilityID\":\"CVE-1\",\"PkgName\":\"libcurl4\",\"InstalledVersion\":"
	    "\"7.88.1-10\",\"Severity\":\"CRITICAL\"}]},"
	    "{\"Target\":\"usr/local/bin/app\",\"Class\":\"lang-pkgs\",\"Type\":\"gobinary\","
	    "\"Vulnerabilities\":[{\"VulnerabilityID\":\"GO-1\",\"PkgName\":\"golang.org/x/net\","
	    "\"InstalledVersion\":\"v0.1.0\",\"Severity\":\"LOW\"}]},"
	    "{\"Target\":\"app.jar\",\"Class\":\"lang-pkgs\",\"Type\":\"jar\"},"
	    "{\"Target\":\"empty\",\"Vulnerabilities\":null}]}",
	    &f);
	assert_int_equal(f.n, 4); /* the repeated CVE-1 merged */
	x = by_id(&f, "CVE-1");
	assert_string_equal(x->package, "libcurl4");
	assert_string_equal(x->version, "7.88.1-10");
	assert_string_equal(x->fixed, "7.88.1-11");
	assert_int_equal(x->severity, VIGIL_SEV_CRITICAL); /* the higher one */
	assert_string_equal(x->src_name, "curl");
	assert_string_equal(x->purl, "pkg:deb/debian/libcurl4@7.88.1-10?arch=amd64");
	assert_string_equal(x->source, "trivy");
	assert_int_equal(x->pkg_class, VIGIL_PKG_OS);
	x = by_id(&f, "CVE-2");
	assert_string_equal(x->package, "zlib1g");
	assert_string_equal(x->version, "1:1.2.13-1");
	assert_int_equal(x->severity, VIGIL_SEV_MEDIUM);
	x = by_id(&f, "CVE-3");
	assert_string_equal(x->package, "libssl3");
	assert_string_equal(x->version, "3.0.11-1+deb12u2");
	assert_int_equal(x->severity, VIGIL_SEV_UNKNOWN);
	x = by_id(&f, "GO-1");
	assert_int_equal(x->pkg_class, VIGIL_PKG_BINARY);
	assert_int_equal(x->nlocations, 1);
	assert_string_equal(x->locations[0], "/usr/local/bin/app");
	vigil_findings_free(&f);
}

static void test_grype(void **state)
{
	struct vigil_findings f = {0};
	const struct vigil_finding *x;

	(void)state;
	parse_ok(
	    "{\"matches\":["
	    "{\"vulnerability\":{\"id\":\"CVE-1\",\"severity\":\"High\",\"fix\":{\"versions\":"
	    "[\"1.2-2\",\"1.3-1\"],\"state\":\"fixed\"}},\"artifact\":{\"name\":\"libfoo1\","
	    "\"version\":\"1.2-1\",\"type\":\"deb\",\"purl\":\"pkg:deb/debian/libfoo1@1.2-1\","
	    "\"upstreams\":[{\"name\":\"foo\"}],\"locations\":[{\"path\":\"/usr/share/doc/x\"}]}},"
	    "{\"vulnerability\":{\"id\":\"CVE-2\",\"severity\":\"Negligible\",\"fix\":{"
	    "\"versions\":[],\"state\":\"not-fixed\"}},\"artifact\":{\"name\":\"bar\","
	    "\"version\":\"2\",\"type\":\"rpm\"}},"
	    "{\"vulnerability\":{\"id\":\"GHSA-x\",\"severity\":\"Critical\"},\"artifact\":{"
	    "\"name\":\"github.com/a/b\",\"version\":\"v1\",\"type\":\"go-module\","
	    "\"locations\":[{\"path\":\"/opt/bin/svc\"}]}}],"
	    "\"descriptor\":{\"name\":\"grype\"}}",
	    &f);
	assert_int_equal(f.n, 3);
	x = by_id(&f, "CVE-1");
	assert_string_equal(x->fixed, "1.2-2, 1.3-1");
	assert_string_equal(x->src_name, "foo");
	assert_int_equal(x->severity, VIGIL_SEV_HIGH);
	assert_int_equal(x->pkg_class, VIGIL_PKG_OS);
	assert_int_equal(x->nlocations, 0); /* OS packages: locations are not executables */
	assert_string_equal(x->source, "grype");
	x = by_id(&f, "CVE-2");
	assert_int_equal(x->severity, VIGIL_SEV_LOW);
	assert_string_equal(x->fixed, "");
	x = by_id(&f, "GHSA-x");
	assert_int_equal(x->pkg_class, VIGIL_PKG_BINARY);
	assert_string_equal(x->locations[0], "/opt/bin/svc");
	vigil_findings_free(&f);
}

static void test_cyclonedx(void **state)
{
	struct vigil_findings f = {0};
	const struct vigil_finding *x;

	(void)state;
	parse_ok(
	    "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\","
	    "\"metadata\":{\"component\":{\"bom-ref\":\"root\",\"name\":\"img\","
	    "\"components\":[{\"bom-ref\":\"c-nested\",\"name\":\"nested\",\"version\":\"1\"}]}},"
	    "\"components\":[{\"bom-ref\":\"c1\",\"name\":\"libfoo1\",\"version\":\"1.2-1\","
	    "\"purl\":\"pkg:deb/debian/libfoo1@1.2-1?arch=amd64\",\"properties\":[{\"name\":"
	    "\"aquasecurity:trivy:SrcName\",\"value\":\"foo\"}]},"
	    "{\"bom-ref\":\"c2\",\"name\":\"bar\",\"version\":\"2\",\"components\":["
	    "{\"bom-ref\":\"c3\",\"name\":\"baz\",\"version\":\"3\"}]}],"
	    "\"vulnerabilities\":["
	    "{\"id\":\"CVE-1\",\"ratings\":[{\"severity\":\"medium\"},{\"severity\":\"high\"},"
	    "{\"severity\":\"none\"}],\"affects\":[{\"ref\":\"c1\",\"versions\":[{\"version\":"
	    "\"1.2-1\",\"status\":\"affected\"},{\"version\":\"1.2-2\",\"status\":"
	    "\"unaffected\"}]},{\"ref\":\"c3\"}]},"
	    "{\"id\":\"CVE-2\",\"affects\":[{\"ref\":\"pkg:apk/alpine/musl@1.2.4-r1\"},"
	    "{\"ref\":\"c-nested\"}]}]}",
	    &f);
	assert_int_equal(f.n, 4);
	x = by_id(&f, "CVE-1");
	assert_string_equal(x->package, "libfoo1");
	assert_string_equal(x->fixed, "1.2-2");
	assert_string_equal(x->src_name, "foo");
	assert_int_equal(x->severity, VIGIL_SEV_HIGH);
	assert_string_equal(x->source, "cyclonedx");
	assert_string_equal(f.v[1].package, "baz"); /* nested component */
	assert_int_equal(f.v[1].severity, VIGIL_SEV_HIGH);
	assert_string_equal(f.v[2].package, "musl"); /* a purl as the ref */
	assert_string_equal(f.v[2].version, "1.2.4-r1");
	assert_int_equal(f.v[2].pkg_class, VIGIL_PKG_OS);
	assert_int_equal(f.v[2].severity, VIGIL_SEV_UNKNOWN);
	assert_string_equal(f.v[3].package, "nested");
	vigil_findings_free(&f);
}

static void test_severity(void **state)
{
	(void)state;
	assert_int_equal(vigil_sev_parse("critical"), VIGIL_SEV_CRITICAL);
	assert_int_equal(vigil_sev_parse("High"), VIGIL_SEV_HIGH);
	assert_int_equal(vigil_sev_parse("MEDIUM"), VIGIL_SEV_MEDIUM);
	assert_int_equal(vigil_sev_parse("negligible"), VIGIL_SEV_LOW);
	assert_int_equal(vigil_sev_parse("info"), VIGIL_SEV_LOW);
	assert_int_equal(vigil_sev_parse("none"), VIGIL_SEV_UNKNOWN);
	assert_int_equal(vigil_sev_parse(NULL), VIGIL_SEV_UNKNOWN);
	assert_string_equal(vigil_sev_name(VIGIL_SEV_CRITICAL), "CRITICAL");
	assert_string_equal(vigil_sev_name((enum vigil_sev)42), "UNKNOWN");
}

static void test_purl(void **state)
{
	char t[32], n[64], v[64];

	(void)state;
	assert_true(vigil_purl_parse("pkg:deb/debian/libssl3@3.0.11-1%2Bdeb12u2?arch=amd64", t,
				     sizeof(t), n, sizeof(n), v, sizeof(v)));
	assert_string_equal(t, "deb");
	assert_string_equal(n, "libssl3");
	assert_string_equal(v, "3.0.11-1+deb12u2");
	assert_true(vigil_purl_parse("pkg:golang/github.com/a/b@v1.2#sub", t, sizeof(t), n,
				     sizeof(n), v, sizeof(v)));
	assert_string_equal(n, "b");
	assert_string_equal(v, "v1.2");
	assert_true(vigil_purl_parse("pkg:npm/left-pad", t, sizeof(t), n, sizeof(n), v, sizeof(v)));
	assert_string_equal(v, "");
	assert_false(vigil_purl_parse("deb/x@1", t, sizeof(t), n, sizeof(n), v, sizeof(v)));
	assert_false(vigil_purl_parse("pkg:nothing", t, sizeof(t), n, sizeof(n), v, sizeof(v)));
}

/* Each malformed report: an error naming the file and what is wrong. */
static void test_malformed(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"{\n  \"Results\": [\n  }\n", "report.json:3:3: JSON syntax error"},
	    {"", "report.json:1:0: JSON syntax error"},
	    {"[1,2]", "the top level is an array"},
	    {"{\"foo\":1}", "unknown report format"},
	    {"<?xml version=\"1.0\"?><bom/>", "XML reports are not supported"},
	    {"{\"Results\":{}}", "report.json: Results: expected an array"},
	    {"{\"Results\":[{\"Vulnerabilities\":[{\"VulnerabilityID\":\"CVE-1\",\"PkgName\":\"a\"}"
	     ","
	     "{\"PkgName\":\"b\"}]}]}",
	     "report.json: Results[0].Vulnerabilities[1].VulnerabilityID: missing"},
	    {"{\"Results\":[{\"Vulnerabilities\":[{\"VulnerabilityID\":\"CVE-1\"}]}]}",
	     "Results[0].Vulnerabilities[0]: missing PkgName"},
	    {"{\"Results\":[{\"Vulnerabilities\":[{\"VulnerabilityID\":7,\"PkgName\":\"a\"}]}]}",
	     "Results[0].Vulnerabilities[0].VulnerabilityID: expected a string"},
	    {"{\"Results\":[3]}", "Results[0]: expected an object"},
	    {"{\"matches\":[{\"vulnerability\":{\"id\":\"CVE-1\"},\"artifact\":{}}]}",
	     "report.json: matches[0].artifact.name: missing"},
	    {"{\"matches\":[{\"artifact\":{\"name\":\"a\"}}]}",
	     "matches[0].vulnerability: missing"},
	    {"{\"matches\":[{\"vulnerability\":{\"id\":\"\"},\"artifact\":{\"name\":\"a\"}}]}",
	     "matches[0].vulnerability.id: empty"},
	    {"{\"matches\":[{\"vulnerability\":{\"id\":\"C\",\"fix\":{\"versions\":[1]}},"
	     "\"artifact\":{\"name\":\"a\"}}]}",
	     "matches[0].vulnerability.fix: versions[0]: expected a string"},
	    {"{\"matches\":{}}", "matches: expected an array"},
	    {"{\"bomFormat\":\"CycloneDX\",\"components\":[]}",
	     "report.json: vulnerabilities: missing"},
	    {"{\"bomFormat\":\"CycloneDX\",\"vulnerabilities\":[{\"id\":\"CVE-1\",\"affects\":"
	     "[{\"ref\":\"nope\"}]}]}",
	     "vulnerabilities[0].affects[0]: ref \"nope\" names no component"},
	    {"{\"bomFormat\":\"CycloneDX\",\"vulnerabilities\":[{\"id\":\"CVE-1\"}]}",
	     "vulnerabilities[0].affects: missing"},
	    {"{\"bomFormat\":\"CycloneDX\",\"vulnerabilities\":[{\"affects\":[]}]}",
	     "vulnerabilities[0].id: missing"},
	};
	char err[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vigil_findings f = {0};

		assert_int_equal(parse(cases[i].text, &f, err, sizeof(err)), -1);
		if (!strstr(err, cases[i].want))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].want);
		vigil_findings_free(&f);
	}
}

static void test_report_files(void **state)
{
	struct vigil_findings f = {0};
	char path[PATH_MAX], err[1024];
	FILE *out;

	(void)state;
	snprintf(path, sizeof(path), "%s/missing.json", tmpdir);
	assert_int_equal(vigil_vuln_report_read(path, &f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "No such file"));
	snprintf(path, sizeof(path), "%s/bad.json", tmpdir);
	out = fopen(path, "w");
	assert_non_null(out);
	fputs("{\"matches\": [\n\n   {\"vulnerability\": }]}\n", out);
	fclose(out);
	assert_int_equal(vigil_vuln_report_read(path, &f, err, sizeof(err)), -1);
	assert_true(strncmp(err, path, strlen(path)) == 0);
	assert_non_null(strstr(err, ":3:22: JSON syntax error"));
}

/* ------------------------------------------------------------------------ */
/* Matching against the real dpkg database                                   */

static void test_rank_real_dpkg(void **state)
{
	struct vigil_findings f = {0};
	struct vigil_inv_scope_info info;
	struct vigil_vuln_meta m;
	const struct vigil_finding *x;
	char dir[PATH_MAX], report[4096];
	static const char *const order[] = {"CVE-TEST-0001", "CVE-TEST-0006", "CVE-TEST-0003",
					    "CVE-TEST-0002", "CVE-TEST-0004", "CVE-TEST-0005"};

	(void)state;
	state_dir(dir, sizeof(dir), "rank");
	seed(dir);
	trivy_real(report, sizeof(report));
	parse_ok(report, &f);
	rank(dir, "host", "/", &f, &m, &info);
	assert_int_equal(f.n, 6);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(f.v[i].id, order[i]);

	x = by_id(&f, "CVE-TEST-0001");
	assert_true(x->in_use);
	assert_true(x->installed);
	assert_null(x->installed_version);
	assert_int_equal(x->nev, 1);
	assert_string_equal(x->ev[0].path, jansson.file);
	assert_string_equal(x->ev[0].package, "libjansson4");
	assert_string_equal(x->ev[0].process, "curl");
	assert_int_equal(x->ev[0].pid, getpid());
	assert_int_equal(x->ev[0].use_count, 2);
	assert_int_equal(x->ev[0].first_ns, T0 + 1 * SEC);
	assert_null(x->note);

	x = by_id(&f, "CVE-TEST-0006"); /* "jansson" is the source package */
	assert_true(x->in_use);
	assert_string_equal(x->ev[0].package, "libjansson4");

	x = by_id(&f, "CVE-TEST-0003");
	assert_true(x->in_use);
	assert_string_equal(x->ev[0].path, libc.file);

	x = by_id(&f, "CVE-TEST-0002");
	assert_false(x->in_use);
	assert_true(x->installed);
	assert_int_equal(x->nev, 0);
	assert_non_null(strstr(x->note, "no file of libyaml-0-2 was executed or mapped"));

	x = by_id(&f, "CVE-TEST-0004");
	assert_false(x->in_use);
	assert_false(x->installed);
	assert_string_equal(x->note, "package not installed in scope");
	assert_false(by_id(&f, "CVE-TEST-0005")->in_use);
	vigil_findings_free(&f);
}

/* A report made for another version of an installed package. */
static void test_version_mismatch(void **state)
{
	struct vigil_findings f = {0};
	struct vigil_inv_scope_info info;
	struct vigil_vuln_meta m;
	char dir[PATH_MAX], report[1024];

	(void)state;
	state_dir(dir, sizeof(dir), "mismatch");
	seed(dir);
	snprintf(report, sizeof(report),
		 "{\"matches\":[{\"vulnerability\":{\"id\":\"CVE-TEST-0100\",\"severity\":"
		 "\"High\"},\"artifact\":{\"name\":\"libc6\",\"version\":\"0.1-1\",\"type\":"
		 "\"deb\"}}]}");
	parse_ok(report, &f);
	rank(dir, "host", "/", &f, &m, &info);
	assert_true(f.v[0].in_use);
	assert_string_equal(f.v[0].installed_version, libc.version);
	assert_non_null(strstr(f.v[0].note, "differs from the report's 0.1-1"));
	vigil_findings_free(&f);
}

static void test_json_output(void **state)
{
	struct vigil_findings f = {0};
	struct vigil_inv_scope_info info;
	struct vigil_vuln_meta m;
	char dir[PATH_MAX], report[4096];
	json_t *doc, *obs, *fd, *ev, *sum;

	(void)state;
	state_dir(dir, sizeof(dir), "json");
	seed(dir);
	trivy_real(report, sizeof(report));
	parse_ok(report, &f);
	rank(dir, "host", "/", &f, &m, &info);
	doc = as_json(vigil_vuln_write_json, &f, &m);

	assert_string_equal(jstr(doc, "scope"), "host");
	obs = json_object_get(doc, "observed");
	assert_true(json_is_object(obs));
	assert_non_null(strstr(jstr(obs, "first"), "T"));
	assert_true(json_is_string(json_object_get(obs, "last")));
	assert_true(json_integer_value(json_object_get(obs, "seconds")) >= 3600 - 5);
	fd = json_array_get(json_object_get(doc, "findings"), 0);
	assert_string_equal(jstr(fd, "id"), "CVE-TEST-0001");
	assert_string_equal(jstr(fd, "severity"), "CRITICAL");
	assert_string_equal(jstr(fd, "package"), "libjansson4");
	assert_string_equal(jstr(fd, "version"), jansson.version);
	assert_string_equal(jstr(fd, "fixed_version"), "9.9-1");
	assert_string_equal(jstr(fd, "status"), "in_use");
	assert_string_equal(jstr(fd, "source"), "trivy");
	assert_true(json_is_null(json_object_get(fd, "mitigation")));
	ev = json_array_get(json_object_get(fd, "evidence"), 0);
	assert_string_equal(jstr(ev, "path"), jansson.file);
	assert_string_equal(jstr(ev, "process"), "curl");
	assert_int_equal(json_integer_value(json_object_get(ev, "pid")), getpid());
	assert_int_equal(json_integer_value(json_object_get(ev, "use_count")), 2);
	assert_non_null(strstr(jstr(ev, "first_seen"), "Z"));
	fd = json_array_get(json_object_get(doc, "findings"), 3);
	assert_string_equal(jstr(fd, "status"), "not_in_use");
	assert_int_equal(json_array_size(json_object_get(fd, "evidence")), 0);
	assert_true(json_is_null(json_object_get(fd, "fixed_version")));
	sum = json_object_get(doc, "summary");
	assert_int_equal(json_integer_value(json_object_get(sum, "total")), 6);
	assert_int_equal(json_integer_value(json_object_get(sum, "in_use")), 3);
	assert_int_equal(json_integer_value(json_object_get(sum, "not_in_use")), 3);
	assert_int_equal(
	    json_integer_value(json_object_get(
		json_object_get(json_object_get(sum, "by_severity"), "CRITICAL"), "in_use")),
	    1);
	json_decref(doc);
	vigil_findings_free(&f);
}

static void test_table_output(void **state)
{
	struct vigil_findings f = {0};
	struct vigil_inv_scope_info info;
	struct vigil_vuln_meta m;
	char dir[PATH_MAX], report[4096], want[PATH_MAX + 64];
	char *text, *line2;

	(void)state;
	state_dir(dir, sizeof(dir), "table");
	seed(dir);
	trivy_real(report, sizeof(report));
	parse_ok(report, &f);
	rank(dir, "host", "/", &f, &m, &info);
	text = as_text(&f, &m);
	assert_true(strncmp(text, "SEVERITY  STATUS      ID", 24) == 0);
	assert_non_null(strstr(text, "FIXED"));
	assert_non_null(strstr(text, "EVIDENCE\n"));
	line2 = strchr(text, '\n') + 1;
	assert_true(strncmp(line2, "CRITICAL  in_use      CVE-TEST-0001", 35) == 0);
	snprintf(want, sizeof(want), "%s by curl[%d] ", jansson.file, getpid());
	assert_non_null(strstr(line2, want));
	assert_non_null(strstr(text, "package not installed in scope"));
	assert_non_null(strstr(text, "Scope host: observed "));
	assert_non_null(strstr(text, "6 findings: 3 in use (CRITICAL 1, HIGH 1, LOW 1), 3 not in "
				     "use (CRITICAL 1, HIGH 1, MEDIUM 1)."));
	free(text);
	vigil_findings_free(&f);
}

static json_t *statement_for(json_t *doc, const char *id)
{
	json_t *st;
	size_t i;

	json_array_foreach(json_object_get(doc, "statements"), i, st)
	{
		if (strcmp(jstr(json_object_get(st, "vulnerability"), "name"), id) == 0)
			return st;
	}
	fail_msg("no statement for %s", id);
	return NULL;
}

static void test_openvex(void **state)
{
	struct vigil_findings f = {0};
	struct vigil_inv_scope_info info;
	struct vigil_vuln_meta m;
	char dir[PATH_MAX], report[4096], purl[256];
	json_t *doc, *st;

	(void)state;
	state_dir(dir, sizeof(dir), "vex");
	seed(dir);
	trivy_real(report, sizeof(report));
	parse_ok(report, &f);
	rank(dir, "host", "/", &f, &m, &info);
	doc = as_json(vigil_vuln_write_openvex, &f, &m);

	assert_string_equal(jstr(doc, "@context"), "https://openvex.dev/ns/v0.2.0");
	assert_true(strncmp(jstr(doc, "@id"), "urn:uuid:", 9) == 0);
	assert_non_null(jstr(doc, "author"));
	assert_non_null(strstr(jstr(doc, "timestamp"), "Z"));
	assert_int_equal(json_integer_value(json_object_get(doc, "version")), 1);
	assert_non_null(strstr(jstr(doc, "note"), "observed "));
	assert_int_equal(json_array_size(json_object_get(doc, "statements")), 6);

	st = statement_for(doc, "CVE-TEST-0001");
	assert_string_equal(jstr(st, "status"), "affected");
	assert_non_null(strstr(jstr(st, "action_statement"), "Update libjansson4 to 9.9-1"));
	assert_non_null(strstr(jstr(st, "status_notes"), jansson.file));
	snprintf(purl, sizeof(purl), "pkg:deb/debian/libjansson4@%s", jansson.version);
	assert_true(strncmp(jstr(json_array_get(json_object_get(st, "products"), 0), "@id"), purl,
			    strlen(purl)) == 0);

	st = statement_for(doc, "CVE-TEST-0002");
	assert_string_equal(jstr(st, "status"), "not_affected");
	assert_string_equal(jstr(st, "justification"), "vulnerable_code_not_in_execute_path");
	assert_non_null(strstr(jstr(st, "impact_statement"), "during the observed period"));
	assert_non_null(strstr(jstr(st, "status_notes"), "observed period"));

	st = statement_for(doc, "CVE-TEST-0004"); /* an OS package not installed */
	assert_string_equal(jstr(st, "status"), "not_affected");
	assert_string_equal(jstr(st, "justification"), "component_not_present");
	json_decref(doc);
	vigil_findings_free(&f);
}

static void test_mitigation_hook(void **state)
{
	static const struct vigil_vuln_mitigation table[] = {
	    {"CVE-TEST-0003", "test-guard", "vigil run --mitigate test-guard"},
	    {"cve-test-0002", "other", NULL},
	    {NULL, NULL, NULL},
	};
	struct vigil_findings f = {0};
	struct vigil_inv_scope_info info;
	struct vigil_vuln_meta m;
	char dir[PATH_MAX], report[4096], *text;
	json_t *doc, *mit = NULL, *fd;
	size_t i;

	(void)state;
	assert_null(vigil_vuln_mitigation_for("CVE-TEST-0003")); /* empty by default */
	vigil_vuln_mitigation_set_table(table);
	assert_string_equal(vigil_vuln_mitigation_for("cve-test-0003"), "test-guard");
	assert_non_null(strstr(vigil_vuln_mitigation_enable("CVE-TEST-0002"), "other"));
	state_dir(dir, sizeof(dir), "mit");
	seed(dir);
	trivy_real(report, sizeof(report));
	parse_ok(report, &f);
	rank(dir, "host", "/", &f, &m, &info);
	doc = as_json(vigil_vuln_write_json, &f, &m);
	json_array_foreach(json_object_get(doc, "findings"), i, fd)
	{
		if (strcmp(jstr(fd, "id"), "CVE-TEST-0003") == 0)
			mit = json_object_get(fd, "mitigation");
	}
	assert_string_equal(jstr(mit, "name"), "test-guard");
	assert_string_equal(jstr(mit, "enable"), "vigil run --mitigate test-guard");
	json_decref(doc);
	doc = as_json(vigil_vuln_write_openvex, &f, &m);
	assert_non_null(strstr(jstr(statement_for(doc, "CVE-TEST-0003"), "action_statement"),
			       "Vigil mitigation test-guard covers it"));
	json_decref(doc);
	text = as_text(&f, &m);
	assert_non_null(strstr(text, "Mitigation for CVE-TEST-0003 (libc6): test-guard"));
	free(text);
	vigil_vuln_mitigation_set_table(NULL);
	vigil_findings_free(&f);
}

/* ------------------------------------------------------------------------ */
/* A chroot with its own dpkg database; binaries and language packages       */

static void write_file(const char *path, const char *text)
{
	char cmd[PATH_MAX + 32];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_chroot_scope(void **state)
{
	char base[128], rootfs[256], procfs[256], p[PATH_MAX], err[1024];
	char dir[PATH_MAX], root[PATH_MAX], name[PATH_MAX + 8];
	struct vigil_findings f = {0};
	struct vigil_inv_scope_info info;
	struct vigil_vuln_meta m;
	struct vigil_inventory *inv;

	(void)state;
	snprintf(base, sizeof(base), "%s/chroot", tmpdir);
	snprintf(rootfs, sizeof(rootfs), "%s/srv/rootfs", base);
	snprintf(procfs, sizeof(procfs), "%s/proc", base);
	snprintf(p, sizeof(p), "%s/var/lib/dpkg/status", rootfs);
	write_file(p,
		   "Package: libfoo1\nStatus: install ok installed\nArchitecture: amd64\n"
		   "Source: foo\nVersion: 1.0-1\n\nPackage: unused\nStatus: install ok installed\n"
		   "Architecture: amd64\nVersion: 2.0\n");
	snprintf(p, sizeof(p), "%s/var/lib/dpkg/info/libfoo1:amd64.list", rootfs);
	write_file(p, "/.\n/usr/lib/libfoo.so.1\n");
	snprintf(p, sizeof(p), "%s/var/lib/dpkg/info/unused.list", rootfs);
	write_file(p, "/.\n/usr/bin/unused\n");
	snprintf(p, sizeof(p), "%s/4242/x", procfs);
	write_file(p, "");
	snprintf(p, sizeof(p), "%s/4242/root", procfs);
	assert_int_equal(symlink(rootfs, p), 0);

	/* The agent's view: a chrooted process maps a host-absolute path. */
	state_dir(dir, sizeof(dir), "chroot-state");
	inv = vigil_inventory_open(dir, err, sizeof(err));
	assert_non_null(inv);
	assert_int_equal(vigil_inventory_set_roots(inv, procfs, "/"), 0);
	snprintf(p, sizeof(p), "%s/usr/lib/libfoo.so.1", rootfs);
	struct vigil_inventory_use u = {
	    .kind = "map", .path = p, .pid = 4242, .comm = "app", .wall_ns = T0};
	vigil_inventory_note(inv, &u);
	vigil_inventory_close(inv);

	snprintf(name, sizeof(name), "root:%s", rootfs);
	assert_int_equal(vigil_inventory_find_scope(dir, name, &info, err, sizeof(err)), 0);
	assert_int_equal(vigil_scope_live_root(&info, procfs, root, sizeof(root), err, sizeof(err)),
			 0);
	assert_string_equal(root, rootfs);
	parse_ok(
	    "{\"Results\":[{\"Class\":\"os-pkgs\",\"Vulnerabilities\":["
	    "{\"VulnerabilityID\":\"CVE-C-1\",\"PkgName\":\"libfoo1\",\"InstalledVersion\":"
	    "\"1.0-1\",\"Severity\":\"LOW\"},"
	    "{\"VulnerabilityID\":\"CVE-C-2\",\"PkgName\":\"unused\",\"InstalledVersion\":"
	    "\"2.0\",\"Severity\":\"CRITICAL\"},"
	    "{\"VulnerabilityID\":\"CVE-C-3\",\"PkgName\":\"libjansson4\",\"InstalledVersion\":"
	    "\"1\",\"Severity\":\"CRITICAL\"}]}]}",
	    &f);
	rank(dir, name, root, &f, &m, &info);
	assert_string_equal(f.v[0].id, "CVE-C-1");
	assert_true(f.v[0].in_use);
	assert_string_equal(f.v[0].ev[0].path, "/usr/lib/libfoo.so.1");
	assert_string_equal(f.v[1].id, "CVE-C-2");
	assert_false(f.v[1].in_use);
	assert_true(f.v[1].installed);
	assert_string_equal(f.v[2].id, "CVE-C-3"); /* the host has it; the chroot does not */
	assert_false(f.v[2].installed);
	vigil_findings_free(&f);
}

static void test_binary_and_language_packages(void **state)
{
	struct vigil_findings f = {0};
	struct vigil_inv_scope_info info;
	struct vigil_vuln_meta m;
	struct vigil_inventory *inv;
	char dir[PATH_MAX], err[1024];
	json_t *doc;

	(void)state;
	state_dir(dir, sizeof(dir), "lang");
	inv = vigil_inventory_open(dir, err, sizeof(err));
	assert_non_null(inv);
	note(inv, "exec", "/usr/local/bin/app", "app", T0);
	vigil_inventory_close(inv);
	parse_ok(
	    "{\"Results\":["
	    "{\"Target\":\"usr/local/bin/app\",\"Class\":\"lang-pkgs\",\"Type\":\"gobinary\","
	    "\"Vulnerabilities\":[{\"VulnerabilityID\":\"GO-1\",\"PkgName\":\"golang.org/x/net\","
	    "\"InstalledVersion\":\"v0.1.0\",\"Severity\":\"LOW\"}]},"
	    "{\"Target\":\"usr/local/bin/tool\",\"Class\":\"lang-pkgs\",\"Type\":\"gobinary\","
	    "\"Vulnerabilities\":[{\"VulnerabilityID\":\"GO-2\",\"PkgName\":\"golang.org/x/net\","
	    "\"InstalledVersion\":\"v0.1.0\",\"Severity\":\"HIGH\"}]},"
	    "{\"Target\":\"app.jar\",\"Class\":\"lang-pkgs\",\"Type\":\"jar\","
	    "\"Vulnerabilities\":[{\"VulnerabilityID\":\"CVE-J-1\",\"PkgName\":"
	    "\"org.apache.logging.log4j:log4j-core\",\"InstalledVersion\":\"2.14.1\","
	    "\"Severity\":\"CRITICAL\"}]}]}",
	    &f);
	rank(dir, "host", "/", &f, &m, &info);
	assert_string_equal(f.v[0].id, "GO-1");
	assert_true(f.v[0].in_use);
	assert_string_equal(f.v[0].ev[0].path, "/usr/local/bin/app");
	assert_string_equal(f.v[1].id, "CVE-J-1");
	assert_false(f.v[1].in_use);
	assert_non_null(strstr(f.v[1].note, "its use is unknown"));
	assert_string_equal(f.v[2].id, "GO-2");
	assert_false(f.v[2].in_use);
	doc = as_json(vigil_vuln_write_openvex, &f, &m);
	assert_string_equal(jstr(statement_for(doc, "GO-1"), "status"), "affected");
	assert_string_equal(jstr(statement_for(doc, "GO-2"), "status"), "not_affected");
	assert_string_equal(jstr(statement_for(doc, "CVE-J-1"), "status"), "under_investigation");
	json_decref(doc);
	vigil_findings_free(&f);
}

/* ------------------------------------------------------------------------ */
/* The command line                                                          */

/* vigil_cmd_vuln with these arguments, its stdout and stderr discarded. */
static int run_cmd(const char *first, ...)
{
	char *argv[32];
	int argc = 0, rc, out, err, null = open("/dev/null", O_WRONLY);
	va_list ap;

	va_start(ap, first);
	for (const char *a = first; a && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	out = dup(1);
	err = dup(2);
	dup2(null, 1);
	dup2(null, 2);
	rc = vigil_cmd_vuln(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(out, 1);
	dup2(err, 2);
	close(out);
	close(err);
	close(null);
	return rc;
}

static void test_command(void **state)
{
	char dir[PATH_MAX], report[PATH_MAX], out[PATH_MAX], vex[PATH_MAX], text[4096];
	json_error_t je;
	json_t *doc;
	FILE *f;

	(void)state;
	state_dir(dir, sizeof(dir), "cmd");
	snprintf(report, sizeof(report), "%s/cmd-report.json", tmpdir);
	snprintf(out, sizeof(out), "%s/cmd-out.json", tmpdir);
	snprintf(vex, sizeof(vex), "%s/cmd-vex.json", tmpdir);
	assert_int_equal(
	    run_cmd("vuln", "record", "--state-dir", dir, "--comm", "curl", jansson.file, NULL), 0);
	trivy_real(text, sizeof(text));
	f = fopen(report, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);

	assert_int_equal(
	    run_cmd("vuln", "-i", report, "--state-dir", dir, "--format", "json", "-o", out, NULL),
	    0);
	doc = json_load_file(out, 0, &je);
	assert_non_null(doc);
	assert_string_equal(jstr(json_array_get(json_object_get(doc, "findings"), 0), "status"),
			    "in_use");
	json_decref(doc);
	assert_int_equal(run_cmd("vuln", "-i", report, "--state-dir", dir, "--vex", "openvex",
				 "--scope", "host", "-o", vex, "--format", "json", NULL),
			 0);
	doc = json_load_file(vex, 0, &je);
	assert_non_null(doc);
	assert_string_equal(jstr(doc, "@context"), "https://openvex.dev/ns/v0.2.0");
	json_decref(doc);

	assert_int_equal(run_cmd("vuln", "--help", NULL), 0);
	assert_int_equal(run_cmd("vuln", NULL), 2);
	assert_int_equal(run_cmd("vuln", "-i", report, "--format", "xml", NULL), 2);
	assert_int_equal(run_cmd("vuln", "-i", report, "--vex", "csaf", NULL), 2);
	assert_int_equal(run_cmd("vuln", "-i", report, "extra", NULL), 2);
	assert_int_equal(run_cmd("vuln", "record", "--kind", "read", "/x", NULL), 2);
	assert_int_equal(run_cmd("vuln", "-i", out, "--state-dir", dir, NULL),
			 1); /* not a report */
	assert_int_equal(run_cmd("vuln", "-i", report, "--state-dir", dir, "--scope", "nope", NULL),
			 1);
	snprintf(out, sizeof(out), "%s/no-state", tmpdir);
	assert_int_equal(run_cmd("vuln", "-i", report, "--state-dir", out, NULL), 1);
	assert_int_equal(run_cmd("vuln", "scopes", "--state-dir", dir, NULL), 0);
}

static int setup_all(void **state)
{
	struct timespec ts;

	(void)state;
	clock_gettime(CLOCK_REALTIME, &ts);
	T0 = ((uint64_t)ts.tv_sec - 3600) * SEC;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vigil-test-vuln-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	real_pkg(&libc, "libc6", "/libc\\.so\\.6$");
	real_pkg(&jansson, "libjansson4", "/libjansson\\.so\\.4\\.");
	real_pkg(&yaml, "libyaml-0-2", NULL);
	real_pkg(&sqlite, "libsqlite3-0", NULL);
	return 0;
}

static int teardown_all(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_trivy),
	    cmocka_unit_test(test_grype),
	    cmocka_unit_test(test_cyclonedx),
	    cmocka_unit_test(test_severity),
	    cmocka_unit_test(test_purl),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_report_files),
	    cmocka_unit_test(test_rank_real_dpkg),
	    cmocka_unit_test(test_version_mismatch),
	    cmocka_unit_test(test_json_output),
	    cmocka_unit_test(test_table_output),
	    cmocka_unit_test(test_openvex),
	    cmocka_unit_test(test_mitigation_hook),
	    cmocka_unit_test(test_chroot_scope),
	    cmocka_unit_test(test_binary_and_language_packages),
	    cmocka_unit_test(test_command),
	};

	return cmocka_run_group_tests_name("vigil vuln", tests, setup_all, teardown_all);
}
