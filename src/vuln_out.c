/* vuln_out.c - ranked findings as a table, as JSON, or as an OpenVEX
 * (https://openvex.dev/ns/v0.2.0) document. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "vuln_report.h"

#ifndef VIGIL_VERSION
#define VIGIL_VERSION "0.1.0"
#endif

#define OPENVEX_CONTEXT "https://openvex.dev/ns/v0.2.0"

const char *vigil_vuln_time(uint64_t ns, char *buf, size_t bufsz)
{
	time_t t = (time_t)(ns / 1000000000ull);
	struct tm tm;

	if (!ns || !gmtime_r(&t, &tm) || !strftime(buf, bufsz, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, bufsz, "%s", ns ? "?" : "never");
	return buf;
}

static uint64_t observed_seconds(const struct vigil_vuln_meta *m)
{
	return m->last_ns > m->first_ns ? (m->last_ns - m->first_ns) / 1000000000ull : 0;
}

static const char *duration(uint64_t s, char *buf, size_t bufsz)
{
	if (s >= 86400)
		snprintf(buf, bufsz, "%llud %lluh", (unsigned long long)(s / 86400),
			 (unsigned long long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(buf, bufsz, "%lluh %llum", (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(buf, bufsz, "%llum %llus", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else
		snprintf(buf, bufsz, "%llus", (unsigned long long)s);
	return buf;
}

/* "FIRST to LAST (DURATION)". */
static const char *period(const struct vigil_vuln_meta *m, char *buf, size_t bufsz)
{
	char a[32], b[32], d[32];

	snprintf(buf, bufsz, "%s to %s (%s)", vigil_vuln_time(m->first_ns, a, sizeof(a)),
		 vigil_vuln_time(m->last_ns, b, sizeof(b)),
		 duration(observed_seconds(m), d, sizeof(d)));
	return buf;
}

void vigil_vuln_summarize(const struct vigil_findings *f, struct vigil_vuln_summary *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < f->n; i++) {
		const struct vigil_finding *x = &f->v[i];

		s->total++;
		s->in_use += x->in_use;
		s->not_in_use += !x->in_use;
		s->by_sev[x->severity][x->in_use]++;
	}
}

static const char *status_name(const struct vigil_finding *f)
{
	return f->in_use ? "in_use" : "not_in_use";
}

/* ------------------------------------------------------------------------ */
/* Table                                                                     */

enum { C_SEV, C_STATUS, C_ID, C_PKG, C_VER, C_FIXED, C_EVIDENCE, NCOLS };

static const char *const headers[NCOLS] = {"SEVERITY", "STATUS", "ID",	    "PACKAGE",
					   "VERSION",  "FIXED",	 "EVIDENCE"};
static const size_t max_width[NCOLS] = {8, 10, 28, 32, 30, 30, 0};

static void evidence_text(const struct vigil_finding *f, char *buf, size_t bufsz)
{
	const struct vigil_evidence *e = f->ev;
	char t[32];

	if (!f->in_use) {
		snprintf(buf, bufsz, "%s", f->note ? f->note : "");
		return;
	}
	snprintf(buf, bufsz, "%s by %s[%u] %s%s", e->path, e->process, e->pid,
		 vigil_vuln_time(e->first_ns, t, sizeof(t)), f->nev > 1 ? " (+" : "");
	if (f->nev > 1) {
		size_t n = strlen(buf);

		snprintf(buf + n, bufsz - n, "%zu more)", f->nev - 1);
	}
}

static void cells(const struct vigil_finding *f, const char *cell[NCOLS], char *ev, size_t evsz)
{
	evidence_text(f, ev, evsz);
	cell[C_SEV] = vigil_sev_name(f->severity);
	cell[C_STATUS] = status_name(f);
	cell[C_ID] = f->id;
	cell[C_PKG] = f->package;
	cell[C_VER] = f->version;
	cell[C_FIXED] = *f->fixed ? f->fixed : "-";
	cell[C_EVIDENCE] = ev;
}

static void print_cell(FILE *out, const char *s, size_t width, bool last)
{
	size_t n = strlen(s);

	if (last) {
		fprintf(out, "%s\n", s);
		return;
	}
	if (n > width)
		fprintf(out, "%.*s...  ", (int)(width - 3), s);
	else
		fprintf(out, "%-*s  ", (int)width, s);
}

static void table_rows(FILE *out, const struct vigil_findings *f)
{
	size_t width[NCOLS];
	const char *cell[NCOLS];
	char ev[8192];

	for (int c = 0; c < NCOLS; c++)
		width[c] = strlen(headers[c]);
	for (size_t i = 0; i < f->n; i++) {
		cells(&f->v[i], cell, ev, sizeof(ev));
		for (int c = 0; c < NCOLS - 1; c++) {
			size_t n = strlen(cell[c]);

			if (n > width[c])
				width[c] = n < max_width[c] ? n : max_width[c];
		}
	}
	for (int c = 0; c < NCOLS; c++)
		print_cell(out, headers[c], width[c], c == NCOLS - 1);
	for (size_t i = 0; i < f->n; i++) {
		cells(&f->v[i], cell, ev, sizeof(ev));
		for (int c = 0; c < NCOLS; c++)
			print_cell(out, cell[c], width[c], c == NCOLS - 1);
	}
}

/* "CRITICAL 1, HIGH 2" for in_use (or not). */
static void sev_counts(const struct vigil_vuln_summary *s, int in_use, char *buf, size_t bufsz)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (int sev = VIGIL_SEV_CRITICAL; sev >= VIGIL_SEV_UNKNOWN; sev--) {
		size_t n = s->by_sev[sev][in_use];

		if (!n)
			continue;
		int w = snprintf(buf + pos, bufsz - pos, "%s%s %zu", pos ? ", " : "",
				 vigil_sev_name((enum vigil_sev)sev), n);
		if (w < 0 || (size_t)w >= bufsz - pos)
			break;
		pos += (size_t)w;
	}
}

static void table_footer(FILE *out, const struct vigil_findings *f, const struct vigil_vuln_meta *m)
{
	struct vigil_vuln_summary s;
	char p[128], a[256], b[256];

	vigil_vuln_summarize(f, &s);
	sev_counts(&s, 1, a, sizeof(a));
	sev_counts(&s, 0, b, sizeof(b));
	fprintf(out, "\nScope %s: observed %s; %llu files used.\n", m->scope,
		period(m, p, sizeof(p)), (unsigned long long)m->files);
	fprintf(out, "%zu findings: %zu in use%s%s%s, %zu not in use%s%s%s.\n", s.total, s.in_use,
		*a ? " (" : "", a, *a ? ")" : "", s.not_in_use, *b ? " (" : "", b, *b ? ")" : "");
	for (size_t i = 0; i < f->n; i++) {
		const struct vigil_finding *x = &f->v[i];

		if (x->mitigation)
			fprintf(out, "Mitigation for %s (%s): %s; to enable: %s\n", x->id,
				x->package, x->mitigation,
				x->mitigation_enable ? x->mitigation_enable : "-");
	}
	if (m->evicted)
		fprintf(out,
			"Note: %llu inventory rows were evicted by the size bound; a package "
			"shown not in use may have been used before.\n",
			(unsigned long long)m->evicted);
}

int vigil_vuln_write_table(FILE *out, const struct vigil_findings *f,
			   const struct vigil_vuln_meta *m)
{
	if (f->n)
		table_rows(out, f);
	else
		fprintf(out, "No findings.\n");
	table_footer(out, f, m);
	return ferror(out) ? -1 : 0;
}

/* ------------------------------------------------------------------------ */
/* JSON                                                                      */

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *time_json(uint64_t ns)
{
	char t[32];

	return ns ? json_string(vigil_vuln_time(ns, t, sizeof(t))) : json_null();
}

static json_t *evidence_json(const struct vigil_evidence *e)
{
	return json_pack("{s:s, s:s, s:I, s:o, s:o, s:I, s:s, s:s, s:s}", "path", e->path,
			 "process", e->process, "pid", (json_int_t)e->pid, "first_seen",
			 time_json(e->first_ns), "last_seen", time_json(e->last_ns), "use_count",
			 (json_int_t)e->use_count, "exe", e->exe, "package", e->package, "kind",
			 e->kind);
}

static json_t *finding_json(const struct vigil_finding *f)
{
	json_t *ev = json_array();
	json_t *mit = f->mitigation ? json_pack("{s:s, s:o}", "name", f->mitigation, "enable",
						str_or_null(f->mitigation_enable))
				    : json_null();

	for (size_t i = 0; i < f->nev; i++)
		json_array_append_new(ev, evidence_json(&f->ev[i]));
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:s, s:o, s:o, s:o}", "id",
			 f->id, "severity", vigil_sev_name(f->severity), "package", f->package,
			 "version", f->version, "fixed_version", str_or_null(f->fixed), "status",
			 status_name(f), "evidence", ev, "mitigation", mit, "source", f->source,
			 "note", str_or_null(f->note), "installed_version",
			 str_or_null(f->installed_version), "title", str_or_null(f->title));
}

static json_t *summary_json(const struct vigil_findings *f)
{
	struct vigil_vuln_summary s;
	json_t *by = json_object();

	vigil_vuln_summarize(f, &s);
	for (int sev = VIGIL_SEV_CRITICAL; sev >= VIGIL_SEV_UNKNOWN; sev--)
		json_object_set_new(by, vigil_sev_name((enum vigil_sev)sev),
				    json_pack("{s:I, s:I}", "in_use", (json_int_t)s.by_sev[sev][1],
					      "not_in_use", (json_int_t)s.by_sev[sev][0]));
	return json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)s.total, "in_use",
			 (json_int_t)s.in_use, "not_in_use", (json_int_t)s.not_in_use,
			 "by_severity", by);
}

static int dump(FILE *out, json_t *doc)
{
	int rc;

	if (!doc)
		return -1;
	rc = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (rc == 0)
		fputc('\n', out);
	return rc == 0 && !ferror(out) ? 0 : -1;
}

int vigil_vuln_write_json(FILE *out, const struct vigil_findings *f,
			  const struct vigil_vuln_meta *m)
{
	json_t *findings = json_array();

	for (size_t i = 0; i < f->n; i++)
		json_array_append_new(findings, finding_json(&f->v[i]));
	return dump(out,
		    json_pack("{s:s, s:{s:o, s:o, s:I}, s:I, s:I, s:o, s:o}", "scope", m->scope,
			      "observed", "first", time_json(m->first_ns), "last",
			      time_json(m->last_ns), "seconds", (json_int_t)observed_seconds(m),
			      "files_used", (json_int_t)m->files, "evicted", (json_int_t)m->evicted,
			      "findings", findings, "summary", summary_json(f)));
}

/* ------------------------------------------------------------------------ */
/* OpenVEX                                                                   */

/* Package URL characters kept as they are; others are percent-encoded. */
static void purl_encode(const char *s, char *out, size_t outsz)
{
	size_t o = 0;

	for (; *s && o + 4 < outsz; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr(".-_~+", c))
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, outsz - o, "%%%02X", c);
	}
	out[o] = '\0';
}

static const char *purl_type(const struct vigil_finding *f)
{
	static const struct {
		const char *prefix, *type;
	} map[] = {{"deb", "deb"},	   {"debian", "deb"},	   {"ubuntu", "deb"},
		   {"rpm", "rpm"},	   {"redhat", "rpm"},	   {"centos", "rpm"},
		   {"rocky", "rpm"},	   {"alma", "rpm"},	   {"fedora", "rpm"},
		   {"amazon", "rpm"},	   {"oracle", "rpm"},	   {"suse", "rpm"},
		   {"apk", "apk"},	   {"alpine", "apk"},	   {"wolfi", "apk"},
		   {"chainguard", "apk"},  {"gobinary", "golang"}, {"go-module", "golang"},
		   {"rustbinary", "cargo"}};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strncmp(f->pkg_type, map[i].prefix, strlen(map[i].prefix)) == 0)
			return map[i].type;
	return "generic";
}

/* The report's package URL, else one made from the finding. */
static void product_id(const struct vigil_finding *f, const struct vigil_vuln_meta *m, char *buf,
		       size_t bufsz)
{
	char name[512], ver[512], ns[128] = "";

	if (*f->purl) {
		snprintf(buf, bufsz, "%s", f->purl);
		return;
	}
	purl_encode(f->package, name, sizeof(name));
	purl_encode(f->version, ver, sizeof(ver));
	if (m->distro && *m->distro && strcmp(purl_type(f), "generic") != 0)
		snprintf(ns, sizeof(ns), "%s/", m->distro);
	if (snprintf(buf, bufsz, "pkg:%s/%s%s%s%s%s%s", purl_type(f), ns, name, *ver ? "@" : "",
		     ver, f->arch ? "?arch=" : "", f->arch ? f->arch : "") >= (int)bufsz)
		buf[bufsz - 1] = '\0'; /* cut (longer than any real package URL) */
}

static void random_uuid(char *buf, size_t bufsz)
{
	unsigned char b[16] = {0};
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	struct timespec ts;

	if (fd < 0 || read(fd, b, sizeof(b)) != (ssize_t)sizeof(b)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		memcpy(b, &ts, sizeof(ts) < sizeof(b) ? sizeof(ts) : sizeof(b));
	}
	if (fd >= 0)
		close(fd);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(buf, bufsz, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

static const char *use_verb(const char *kind)
{
	if (strcmp(kind, "map") == 0)
		return "mapped";
	return strcmp(kind, "script") == 0 ? "run" : "executed";
}

static void in_use_note(const struct vigil_finding *f, const char *per, char *buf, size_t bufsz)
{
	const struct vigil_evidence *e = f->ev;
	char t[32];

	snprintf(buf, bufsz,
		 "In use: %s (package %s) %s by %s[%u], first at %s, used %llu time(s); %zu "
		 "file(s) of the package used. Observed period %s.",
		 e->path, *e->package ? e->package : f->package, use_verb(e->kind), e->process,
		 e->pid, vigil_vuln_time(e->first_ns, t, sizeof(t)),
		 (unsigned long long)e->use_count, f->nev, per);
}

/* "Update P to V." or "No fixed version...", then the mitigation if any. */
static void action_text(const struct vigil_finding *f, char *buf, size_t bufsz)
{
	size_t n;

	if (*f->fixed)
		snprintf(buf, bufsz, "Update %s to %s.", f->package, f->fixed);
	else
		snprintf(buf, bufsz, "No fixed version is known; restrict or remove its use.");
	n = strlen(buf);
	if (f->mitigation)
		snprintf(buf + n, bufsz - n, " Vigil mitigation %s covers it: %s.", f->mitigation,
			 f->mitigation_enable ? f->mitigation_enable : "enable it");
}

static json_t *affected(const struct vigil_finding *f, const char *per)
{
	char action[2048], notes[2048];

	action_text(f, action, sizeof(action));
	in_use_note(f, per, notes, sizeof(notes));
	return json_pack("{s:s, s:s, s:s}", "status", "affected", "action_statement", action,
			 "status_notes", notes);
}

static json_t *not_affected(const char *justification, const char *impact, const char *notes)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "status", "not_affected", "justification",
			 justification, "impact_statement", impact, "status_notes", notes);
}

static json_t *statement_status(const struct vigil_finding *f, const struct vigil_vuln_meta *m,
				const char *per)
{
	char impact[2048], notes[1536];

	snprintf(notes, sizeof(notes), "Runtime inventory of scope %s, observed period %s.",
		 m->scope, per);
	if (f->in_use)
		return affected(f, per);
	if (f->installed && f->nlocations && f->pkg_class != VIGIL_PKG_OS) {
		snprintf(impact, sizeof(impact),
			 "The executable %s (holding %s) was not run in scope %s during the "
			 "observed period %s.",
			 f->locations[0], f->package, m->scope, per);
		return not_affected("vulnerable_code_not_in_execute_path", impact, notes);
	}
	if (f->installed) {
		snprintf(impact, sizeof(impact),
			 "No file of package %s was executed, mapped for execution or run as a "
			 "script in scope %s during the observed period %s.",
			 f->package, m->scope, per);
		return not_affected("vulnerable_code_not_in_execute_path", impact, notes);
	}
	if (f->pkg_class == VIGIL_PKG_OS) {
		snprintf(impact, sizeof(impact),
			 "Package %s is not installed in scope %s (its package database does not "
			 "list it). Observed period %s.",
			 f->package, m->scope, per);
		return not_affected("component_not_present", impact, notes);
	}
	snprintf(impact, sizeof(impact), "%s. Observed period %s.", f->note ? f->note : "", per);
	return json_pack("{s:s, s:s}", "status", "under_investigation", "status_notes", impact);
}

static json_t *statement(const struct vigil_finding *f, const struct vigil_vuln_meta *m,
			 const char *per)
{
	char product[1024];
	json_t *st = statement_status(f, m, per);

	product_id(f, m, product, sizeof(product));
	if (!st)
		return NULL;
	json_object_set_new(st, "vulnerability", json_pack("{s:s}", "name", f->id));
	json_object_set_new(st, "products", json_pack("[{s:s}]", "@id", product));
	return st;
}

/* Orders the statement's keys as the specification lists them. */
static json_t *ordered(json_t *st)
{
	static const char *const keys[] = {"vulnerability", "products",		"status",
					   "justification", "impact_statement", "action_statement",
					   "status_notes"};
	json_t *o = json_object();

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(st, keys[i]);

		if (v)
			json_object_set(o, keys[i], v);
	}
	json_decref(st);
	return o;
}

int vigil_vuln_write_openvex(FILE *out, const struct vigil_findings *f,
			     const struct vigil_vuln_meta *m)
{
	char id[64], uuid[40], now[32], per[128], note[1024];
	struct timespec ts;
	json_t *stmts = json_array();
	uint64_t t = m->now_ns;

	if (!t) {
		clock_gettime(CLOCK_REALTIME, &ts);
		t = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	}
	random_uuid(uuid, sizeof(uuid));
	snprintf(id, sizeof(id), "urn:uuid:%s", uuid);
	period(m, per, sizeof(per));
	snprintf(note, sizeof(note),
		 "Runtime evidence from Vigil for scope %s, observed %s: affected "
		 "= a file of the package was executed, mapped for execution or run as a script; "
		 "not_affected = none was during that period (vulnerable_code_not_in_execute_path) "
		 "or the package is not installed (component_not_present); under_investigation = "
		 "Vigil cannot observe its use.",
		 m->scope, per);
	for (size_t i = 0; i < f->n; i++) {
		json_t *st = statement(&f->v[i], m, per);

		if (st)
			json_array_append_new(stmts, ordered(st));
	}
	return dump(out, json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:o}", "@context",
				   OPENVEX_CONTEXT, "@id", id, "author", "Vigil runtime inventory",
				   "role", "Runtime observation", "timestamp",
				   vigil_vuln_time(t, now, sizeof(now)), "version", 1, "tooling",
				   "vigil " VIGIL_VERSION, "note", note, "statements", stmts));
}
