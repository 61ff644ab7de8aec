/* vuln_cmd.c - `vigil vuln`: a scanner's findings ranked by whether the
 * vulnerable packages were really used (the runtime inventory `vigil run`
 * collects), as a table, JSON or an OpenVEX document. Also `vigil vuln
 * scopes` (what the inventory holds) and `vigil vuln record` (a test and
 * debugging aid feeding the inventory API as the agent does). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "inventory.h"
#include "pkgdb.h"
#include "vuln.h"
#include "vuln_report.h"

#define EXIT_USAGE  2
#define MAX_REPORTS 16

static const char usage_text[] =
    "Usage: vigil vuln -i REPORT [OPTIONS]\n"
    "\n"
    "Ranks a vulnerability scanner's findings by whether the vulnerable packages\n"
    "were really used: a package is in use when one of its files was executed,\n"
    "mapped for execution (shared library, plugin) or run as a script in the\n"
    "scope while `vigil run` collected the runtime inventory.\n"
    "\n"
    "  -i, --input REPORT      Trivy JSON (trivy --format json), Grype JSON\n"
    "                          (grype -o json) or CycloneDX JSON with\n"
    "                          vulnerabilities. Repeatable (findings merged).\n"
    "      --scope SCOPE       host (default), a container id (or a unique\n"
    "                          prefix of one), root:DIR or mntns:INODE; see\n"
    "                          `vigil vuln scopes`.\n"
    "      --state-dir DIR     Where the inventory is (default " VIGIL_STATE_DIR_DEFAULT ").\n"
    "      --root DIR          Read the scope's package database under DIR\n"
    "                          (a stopped container's exported root file system)\n"
    "                          instead of the scope's recorded root.\n"
    "      --format FMT        table (default) or json.\n"
    "      --vex openvex       Write an OpenVEX document: affected for in-use\n"
    "                          findings, not_affected (vulnerable_code_not_in_\n"
    "                          execute_path) for packages never used. With -o it\n"
    "                          goes to FILE and the table (or JSON) to stdout;\n"
    "                          without -o, to stdout instead of the table.\n"
    "  -o, --output FILE       Write to FILE instead of stdout.\n"
    "  -h, --help              This help.\n"
    "\n"
    "Ranking: in-use findings first, then by severity (CRITICAL, HIGH, MEDIUM,\n"
    "LOW, UNKNOWN): an in-use LOW ranks above an unused CRITICAL.\n"
    "\n"
    "vigil vuln scopes [--state-dir DIR]\n"
    "  Lists the inventory's scopes: files used, observed period, root.\n"
    "\n"
    "vigil vuln record [--state-dir DIR] [--kind exec|map|script] [--pid N]\n"
    "                  [--container ID] [--exe PATH] [--comm NAME] [--at TIME] PATH...\n"
    "  Testing and debugging aid: records uses of PATHs through the same API\n"
    "  the agent uses (kind map by default; pid: this process; TIME: seconds\n"
    "  since the epoch or YYYY-MM-DDTHH:MM:SSZ).\n"
    "\n"
    "Exit status: 0 success, 1 error (unreadable or malformed report, no\n"
    "inventory, no package database), 2 usage error.\n";

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "vigil: vuln: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'vigil vuln --help'.\n");
	return EXIT_USAGE;
}

static int fail(const char *msg)
{
	fprintf(stderr, "vigil: vuln: %s\n", msg);
	return 1;
}

/* ------------------------------------------------------------------------ */
/* vigil vuln record                                                         */

/* Seconds since the epoch, or YYYY-MM-DDTHH:MM:SSZ. */
static int parse_time(const char *s, uint64_t *ns)
{
	struct tm tm = {0};
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (*s && !*end) {
		*ns = v * 1000000000ull;
		return 0;
	}
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end || (*end && strcmp(end, "Z") != 0))
		return -1;
	*ns = (uint64_t)timegm(&tm) * 1000000000ull;
	return 0;
}

static void proc_field(uint32_t pid, const char *what, char *out, size_t outsz)
{
	char p[64];
	ssize_t n;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%u/%s", pid, what);
	out[0] = '\0';
	if (strcmp(what, "exe") == 0) {
		n = readlink(p, out, outsz - 1);
		out[n > 0 ? n : 0] = '\0';
		return;
	}
	f = fopen(p, "re");
	if (f && fgets(out, (int)outsz, f))
		out[strcspn(out, "\n")] = '\0';
	if (f)
		fclose(f);
}

struct record_opts {
	const char *state_dir, *kind, *container, *exe, *comm;
	uint32_t pid;
	uint64_t at;
};

static int record_paths(const struct record_opts *o, char **paths, int n)
{
	char err[1024], exe[PATH_MAX], comm[64];
	struct vigil_inventory *inv = vigil_inventory_open(o->state_dir, err, sizeof(err));
	int rc = 0;

	if (!inv)
		return fail(err);
	proc_field(o->pid, "exe", exe, sizeof(exe));
	proc_field(o->pid, "comm", comm, sizeof(comm));
	for (int i = 0; i < n; i++) {
		char real[PATH_MAX];
		/* The kernel reports resolved paths: so does this, for host files. */
		const char *path = !o->container && realpath(paths[i], real) ? real : paths[i];
		struct vigil_inventory_use u = {
		    .kind = o->kind,
		    .path = path,
		    .pid = o->pid,
		    .tgid = o->pid,
		    .container_id = o->container,
		    .exe = o->exe ? o->exe : exe,
		    .comm = o->comm ? o->comm : comm,
		    .wall_ns = o->at,
		};
		vigil_inventory_note(inv, &u);
	}
	if (vigil_inventory_flush(inv) != 0) {
		rc = fail(vigil_inventory_error(inv));
	} else {
		fprintf(stderr, "vigil: vuln record: %d use(s) recorded in %s/%s\n", n,
			o->state_dir ? o->state_dir : VIGIL_STATE_DIR_DEFAULT, VIGIL_INVENTORY_DB);
	}
	vigil_inventory_close(inv);
	return rc;
}

static int cmd_record(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"state-dir", required_argument, NULL, 'd'},
	    {"kind", required_argument, NULL, 'k'},
	    {"pid", required_argument, NULL, 'p'},
	    {"container", required_argument, NULL, 'c'},
	    {"exe", required_argument, NULL, 'e'},
	    {"comm", required_argument, NULL, 'n'},
	    {"at", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct record_opts o = {.kind = "map", .pid = (uint32_t)getpid()};
	char *end;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.state_dir = optarg;
			break;
		case 'k':
			if (strcmp(optarg, "exec") && strcmp(optarg, "map") &&
			    strcmp(optarg, "script"))
				return usage_error("--kind: '%s' is not exec, map or script",
						   optarg);
			o.kind = optarg;
			break;
		case 'p':
			o.pid = (uint32_t)strtoul(optarg, &end, 10);
			if (*end || !o.pid)
				return usage_error("--pid: '%s' is not a process id", optarg);
			break;
		case 'c':
			o.container = optarg;
			break;
		case 'e':
			o.exe = optarg;
			break;
		case 'n':
			o.comm = optarg;
			break;
		case 't':
			if (parse_time(optarg, &o.at) != 0)
				return usage_error("--at: '%s' is not a time", optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return usage_error("%s", "bad option for vuln record");
		}
	}
	if (optind >= argc)
		return usage_error("%s", "vuln record: no PATH given");
	return record_paths(&o, argv + optind, argc - optind);
}

/* ------------------------------------------------------------------------ */
/* vigil vuln scopes                                                         */

static int cmd_scopes(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"state-dir", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *state_dir = NULL;
	struct vigil_inv_scope_info *v;
	char err[1024], a[32], b[32];
	size_t n;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (c == 'd')
			state_dir = optarg;
		else if (c == 'h')
			return fputs(usage_text, stdout), 0;
		else
			return usage_error("%s", "bad option for vuln scopes");
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (vigil_inventory_scopes(state_dir, &v, &n, err, sizeof(err)) != 0)
		return fail(err);
	printf("%-40s %-9s %7s %-20s %-20s %7s  %s\n", "SCOPE", "KIND", "FILES", "FIRST", "LAST",
	       "EVICTED", "ROOT");
	for (size_t i = 0; i < n; i++)
		printf("%-40s %-9s %7llu %-20s %-20s %7llu  %s\n", v[i].name, v[i].kind,
		       (unsigned long long)v[i].files, vigil_vuln_time(v[i].first_ns, a, sizeof(a)),
		       vigil_vuln_time(v[i].last_ns, b, sizeof(b)),
		       (unsigned long long)v[i].evicted, v[i].root);
	free(v);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* vigil vuln -i REPORT                                                      */

struct vuln_opts {
	const char *reports[MAX_REPORTS];
	size_t nreports;
	const char *scope, *state_dir, *root, *output;
	bool json, vex;
};

static int parse_opts(int argc, char **argv, struct vuln_opts *o)
{
	static const struct option longopts[] = {
	    {"input", required_argument, NULL, 'i'},
	    {"scope", required_argument, NULL, 's'},
	    {"state-dir", required_argument, NULL, 'd'},
	    {"root", required_argument, NULL, 'r'},
	    {"format", required_argument, NULL, 'f'},
	    {"vex", required_argument, NULL, 'x'},
	    {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "i:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (o->nreports == MAX_REPORTS)
				return usage_error("too many -i options (the limit is %s)", "16");
			o->reports[o->nreports++] = optarg;
			break;
		case 's':
			o->scope = optarg;
			break;
		case 'd':
			o->state_dir = optarg;
			break;
		case 'r':
			o->root = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "table") != 0 && strcmp(optarg, "json") != 0)
				return usage_error("--format: '%s' is not table or json", optarg);
			o->json = strcmp(optarg, "json") == 0;
			break;
		case 'x':
			if (strcmp(optarg, "openvex") != 0)
				return usage_error("--vex: '%s' is not supported (only openvex)",
						   optarg);
			o->vex = true;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		default:
			return usage_error("%s", "bad option for vuln");
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!o->nreports)
		return usage_error("%s", "no report given (-i REPORT)");
	return 0;
}

/* os-release ID under root, for package URLs. */
static void distro_of(const char *root, char *out, size_t outsz)
{
	static const char *const files[] = {"/etc/os-release", "/usr/lib/os-release"};
	char p[PATH_MAX], line[256];

	out[0] = '\0';
	for (size_t i = 0; i < 2 && !out[0]; i++) {
		FILE *f;

		snprintf(p, sizeof(p), "%s%s", strcmp(root, "/") ? root : "", files[i]);
		f = fopen(p, "re");
		while (f && fgets(line, sizeof(line), f)) {
			if (strncmp(line, "ID=", 3) != 0)
				continue;
			snprintf(out, outsz, "%s", line + 3 + (line[3] == '"'));
			out[strcspn(out, "\"\n")] = '\0';
			break;
		}
		if (f)
			fclose(f);
	}
}

/* Warns when the report seems to be about another system. */
static void check_fit(const struct vigil_findings *f, const char *scope)
{
	size_t os = 0, installed = 0;

	for (size_t i = 0; i < f->n; i++) {
		if (f->v[i].pkg_class != VIGIL_PKG_OS)
			continue;
		os++;
		installed += f->v[i].installed;
	}
	if (os >= 3 && installed == 0)
		fprintf(stderr,
			"vigil: vuln: warning: none of the report's OS packages is installed in "
			"scope %s: was the report made for it?\n",
			scope);
}

struct scope_data {
	struct vigil_inv_scope_info info;
	struct vigil_inv_file *files;
	size_t nfiles;
	struct vigil_pkgdb *db;
	char root[PATH_MAX];
};

static int load_scope(const struct vuln_opts *o, struct scope_data *s, char *err, size_t errsz)
{
	const char **paths;

	if (vigil_inventory_find_scope(o->state_dir, o->scope ? o->scope : "host", &s->info, err,
				       errsz) != 0 ||
	    vigil_inventory_files(o->state_dir, s->info.name, &s->files, &s->nfiles, err, errsz) !=
		0)
		return -1;
	if (o->root)
		snprintf(s->root, sizeof(s->root), "%s", o->root);
	else if (vigil_scope_live_root(&s->info, NULL, s->root, sizeof(s->root), err, errsz) != 0)
		return -1;
	paths = vigil_vuln_db_paths(s->files, s->nfiles);
	if (!paths) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	s->db = vigil_pkgdb_open(s->root, paths, s->nfiles, err, errsz);
	free(paths);
	if (!s->db)
		return -1;
	if (*vigil_pkgdb_warnings(s->db))
		fprintf(stderr, "vigil: vuln: warning: %s\n", vigil_pkgdb_warnings(s->db));
	if (!s->nfiles)
		fprintf(stderr,
			"vigil: vuln: warning: the inventory holds no file used in scope %s: every "
			"finding is not_in_use\n",
			s->info.name);
	return 0;
}

static int write_outputs(const struct vuln_opts *o, const struct vigil_findings *f,
			 const struct vigil_vuln_meta *m)
{
	FILE *file = NULL;
	int rc = 0;

	if (o->output && !(file = fopen(o->output, "we"))) {
		fprintf(stderr, "vigil: vuln: %s: cannot write: %s\n", o->output, strerror(errno));
		return 1;
	}
	if (o->vex)
		rc = vigil_vuln_write_openvex(file ? file : stdout, f, m);
	if (rc == 0 && (!o->vex || file)) {
		FILE *out = o->vex || !file ? stdout : file;

		rc = o->json ? vigil_vuln_write_json(out, f, m) : vigil_vuln_write_table(out, f, m);
	}
	if (file && fclose(file) != 0)
		rc = -1;
	if (fflush(stdout) != 0)
		rc = -1;
	if (rc != 0)
		fprintf(stderr, "vigil: vuln: %s: write error\n", o->output ? o->output : "stdout");
	return rc ? 1 : 0;
}

static int run(const struct vuln_opts *o, struct vigil_findings *f, struct scope_data *s)
{
	char err[2048], distro[64];
	struct vigil_vuln_meta m = {0};

	for (size_t i = 0; i < o->nreports; i++)
		if (vigil_vuln_report_read(o->reports[i], f, err, sizeof(err)) != 0)
			return fail(err);
	if (load_scope(o, s, err, sizeof(err)) != 0)
		return fail(err);
	if (vigil_vuln_match(f, s->files, s->nfiles, s->db) != 0)
		return fail("out of memory");
	vigil_vuln_sort(f);
	check_fit(f, s->info.name);
	distro_of(s->root, distro, sizeof(distro));
	m.scope = s->info.name;
	m.first_ns = s->info.first_ns;
	m.last_ns = s->info.last_ns;
	m.files = s->nfiles;
	m.evicted = s->info.evicted;
	m.distro = distro;
	return write_outputs(o, f, &m);
}

int vigil_cmd_vuln(int argc, char **argv)
{
	struct vuln_opts o = {0};
	struct vigil_findings f = {0};
	struct scope_data s = {0};
	int rc;

	if (argc > 1 && strcmp(argv[1], "record") == 0)
		return cmd_record(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "scopes") == 0)
		return cmd_scopes(argc - 1, argv + 1);
	rc = parse_opts(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	rc = run(&o, &f, &s);
	vigil_findings_free(&f);
	vigil_inventory_files_free(s.files, s.nfiles);
	vigil_pkgdb_free(s.db);
	return rc;
}
