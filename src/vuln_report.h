/* vuln_report.h - vulnerability findings for `vigil vuln`: scanner reports
 * read into one model (vuln_report.c: Trivy, Grype, CycloneDX JSON), each
 * finding matched to the scope's packages and runtime inventory and ranked
 * (vuln_rank.c), then written as a table, JSON or OpenVEX (vuln_out.c). */
#ifndef VIGIL_VULN_REPORT_H
#define VIGIL_VULN_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "inventory.h"
#include "pkgdb.h"

enum vigil_sev {
	VIGIL_SEV_UNKNOWN,
	VIGIL_SEV_LOW,
	VIGIL_SEV_MEDIUM,
	VIGIL_SEV_HIGH,
	VIGIL_SEV_CRITICAL,
};

/* "CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN". */
const char *vigil_sev_name(enum vigil_sev s);
/* Case-insensitive; "negligible" and "info" are LOW; anything else
 * (including "none" and NULL) is UNKNOWN. */
enum vigil_sev vigil_sev_parse(const char *s);

/* What kind of package a finding names, which decides what Vigil can see. */
enum vigil_pkg_class {
	VIGIL_PKG_UNSPECIFIED, /* the report does not say: looked up as an OS package */
	VIGIL_PKG_OS,	       /* deb, rpm, apk: matched to the package database */
	VIGIL_PKG_BINARY,      /* compiled into an executable (Go, Rust binaries):
				  matched to the executable's path */
	VIGIL_PKG_OTHER,       /* language packages (jar, npm, pip, gem...): not
				  observable by execution */
};

struct vigil_evidence {
	char *path;    /* the file used, inside the scope */
	char *package; /* the binary package owning it ("" for a binary location) */
	char *process; /* comm (else the executable's base name) */
	char *exe;
	uint32_t pid;
	char kind[8]; /* exec, map, script */
	uint64_t first_ns, last_ns, use_count;
};

struct vigil_finding {
	/* From the report. Strings are never NULL ("" when absent). */
	char *id;
	char *title;
	char *package; /* as the scanner names it (a binary package for OS packages) */
	char *version; /* installed version per the scanner */
	char *fixed;   /* fixed version(s), "" when none known */
	char *purl;
	char *pkg_type;	  /* trivy Result Type, grype artifact type, purl type */
	char *src_name;	  /* the source package, when the scanner says */
	char **locations; /* executables holding a BINARY package */
	size_t nlocations;
	enum vigil_sev severity;
	enum vigil_pkg_class pkg_class;
	const char *source; /* "trivy", "grype", "cyclonedx" */

	/* From vigil_vuln_match. */
	bool in_use;
	bool installed;		 /* the package (or executable) is in the scope */
	char *installed_version; /* the scope's version when it differs, else NULL */
	char *arch;		 /* of the installed package, or NULL */
	char *note;		 /* why not in use, version mismatch... or NULL */
	struct vigil_evidence *ev;
	size_t nev;
	char *mitigation;	 /* a Vigil mitigation covering it, or NULL */
	char *mitigation_enable; /* how to switch it on, or NULL */
};

struct vigil_findings {
	struct vigil_finding *v;
	size_t n, cap;
};

/* ------------------------------------------------------------------------ */
/* Reading (vuln_report.c)                                                   */

/* Reads a Trivy (--format json), Grype (-o json) or CycloneDX JSON report
 * and appends its findings to out (a finding already there for the same id,
 * package and version is merged, not repeated). Returns 0, or -1 with err
 * naming the file and the problem: the line and column of a JSON syntax
 * error, or the path of a missing or mistyped key
 * ("Results[0].Vulnerabilities[2].VulnerabilityID: missing"). */
int vigil_vuln_report_read(const char *path, struct vigil_findings *out, char *err, size_t errsz);
/* The same from a buffer; name is used in messages. */
int vigil_vuln_report_parse(const char *name, const char *text, size_t len,
			    struct vigil_findings *out, char *err, size_t errsz);
void vigil_findings_free(struct vigil_findings *f);

/* A package URL's type, name and version (percent-decoded). Returns false
 * when purl is not "pkg:TYPE/...NAME[@VERSION]". */
bool vigil_purl_parse(const char *purl, char *type, size_t typesz, char *name, size_t namesz,
		      char *version, size_t versionsz);

/* ------------------------------------------------------------------------ */
/* Matching and ranking (vuln_rank.c)                                        */

/* Marks each finding in_use or not, with evidence, from the scope's used
 * files and package database. db must have been opened with the files'
 * paths (vigil_vuln_db_paths) in the same order. */
int vigil_vuln_match(struct vigil_findings *f, const struct vigil_inv_file *files, size_t nfiles,
		     const struct vigil_pkgdb *db);
/* The paths to open the package database with: files[i].path without a
 * " (deleted)" suffix. Free with free() (one block). */
const char **vigil_vuln_db_paths(const struct vigil_inv_file *files, size_t nfiles);
/* In use first, then severity (CRITICAL first), then id and package. */
void vigil_vuln_sort(struct vigil_findings *f);

/* The mitigation hook: the name of a Vigil mitigation that covers cve, or
 * NULL; and how to switch it on. Weak: the mitigation catalogue can define
 * its own; see the one place to connect in vuln_rank.c. */
const char *vigil_vuln_mitigation_for(const char *cve);
const char *vigil_vuln_mitigation_enable(const char *cve);

struct vigil_vuln_mitigation {
	const char *cve;
	const char *name;
	const char *enable;
};
/* For tests: the table the default hook consults (NULL-terminated by a
 * NULL cve; NULL restores the built-in, empty, table). */
void vigil_vuln_mitigation_set_table(const struct vigil_vuln_mitigation *table);

/* ------------------------------------------------------------------------ */
/* Output (vuln_out.c)                                                       */

struct vigil_vuln_meta {
	const char *scope;
	uint64_t first_ns, last_ns; /* observed period */
	uint64_t files;		    /* files in the scope's inventory */
	uint64_t evicted;	    /* inventory rows evicted by the bounds */
	const char *distro;	    /* os-release ID, for package URLs ("" = unknown) */
	uint64_t now_ns;	    /* document time (0 = now) */
};

struct vigil_vuln_summary {
	size_t total, in_use, not_in_use;
	size_t by_sev[5][2]; /* [severity][in_use] */
};
void vigil_vuln_summarize(const struct vigil_findings *f, struct vigil_vuln_summary *s);

/* "2026-11-25T14:00:00Z" into buf (>= 21 bytes). */
const char *vigil_vuln_time(uint64_t ns, char *buf, size_t bufsz);

int vigil_vuln_write_table(FILE *out, const struct vigil_findings *f,
			   const struct vigil_vuln_meta *m);
int vigil_vuln_write_json(FILE *out, const struct vigil_findings *f,
			  const struct vigil_vuln_meta *m);
/* An OpenVEX v0.2.0 document: affected for in-use findings, not_affected
 * (vulnerable_code_not_in_execute_path) for packages never used,
 * not_affected (component_not_present) for OS packages not installed,
 * under_investigation for packages Vigil cannot observe. */
int vigil_vuln_write_openvex(FILE *out, const struct vigil_findings *f,
			     const struct vigil_vuln_meta *m);

#endif /* VIGIL_VULN_REPORT_H */
