/* mitigations_cmd.c - `vigil mitigations`: list the catalogue of virtual
 * patches with how each one works on this kernel, or show one in full. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "mitigations.h"
#include "probe.h"

#define EXIT_USAGE 2
#define WRAP_WIDTH 78
#define SIDE_WIDTH 60

static const char help_text[] =
    "Usage: vigil mitigations [--json]\n"
    "       vigil mitigations show NAME|CVE-ID [--json]\n"
    "\n"
    "Lists the virtual patches built into vigil: named runtime mitigations that\n"
    "block one exploit primitive (creating a user namespace, io_uring, splicing a\n"
    "read-only file into a pipe, ...) and with it the known exploits that need it.\n"
    "For each: the CVEs it covers, the kernel mechanism, whether it works on this\n"
    "kernel (AVAILABLE HERE; probing needs root) and its main side effect.\n"
    "\n"
    "  show NAME     everything about one mitigation: primitive, mechanism with and\n"
    "                without BPF LSM, error, side effects, references\n"
    "  show CVE-ID   the mitigations that cover that CVE\n"
    "  --json        machine-readable output\n"
    "\n"
    "Enable mitigations host-wide with `vigil run --mitigate NAME[,NAME...]`, or in a\n"
    "policy file with `mitigations: [NAME]`, where the policy's selector, exempt and\n"
    "mode (enforce/audit) apply. See docs/mitigations.md.\n"
    "\n"
    "AVAILABLE HERE:\n"
    "  enforce (BPF LSM)          the call fails (EPERM/EINVAL) through a BPF LSM hook\n"
    "  enforce (cgroup hook)      the call fails through a cgroup BPF hook\n"
    "  kill (sched_process_exec)  the process is killed at exec, before it runs\n"
    "  kill (no BPF LSM)          fallback: the caller is killed (SIGKILL) at the syscall\n"
    "  unavailable (...)          this kernel offers neither, or its BPF LSM lacks\n"
    "                             the hook (e.g. userns_create before Linux 6.1)\n"
    "\n"
    "Exit status: 0 success, 2 usage error or unknown name.\n";

static void cve_summary(const struct vigil_mitigation *m, char *buf, size_t len)
{
	size_t n = 0;

	while (n < VIGIL_MIT_MAX_CVES && m->cves[n])
		n++;
	if (n == 0)
		snprintf(buf, len, "-");
	else if (n == 1)
		snprintf(buf, len, "%s", m->cves[0]);
	else
		snprintf(buf, len, "%s +%zu", m->cves[0], n - 1);
}

static void mech_summary(const struct vigil_mitigation *m, char *buf, size_t len)
{
	snprintf(buf, len, "%s / %s", m->hook, vigil_mit_fallback_name(m->fallback));
}

/* The first sentence of the side effects, cut to `width` characters. */
static void side_summary(const struct vigil_mitigation *m, char *buf, size_t len, size_t width)
{
	const char *s = m->side_effects;
	const char *dot = strstr(s, ". ");
	size_t n = dot ? (size_t)(dot - s) : strlen(s);

	if (n && s[n - 1] == '.')
		n--;
	if (n > width)
		snprintf(buf, len, "%.*s...", (int)(width - 3), s);
	else
		snprintf(buf, len, "%.*s", (int)n, s);
}

static void features_line(FILE *out, const struct vigil_features *f)
{
	if (!f) {
		fprintf(out, "\nAVAILABLE HERE needs root to probe the kernel: run as root.\n");
		return;
	}
	fprintf(out,
		"\nkernel %s: BPF LSM %s, fmod_ret %s, tp_btf %s, cgroup hooks %s, "
		"tracepoints %s\n",
		f->kernel, f->lsm_active ? "yes" : "no", f->fentry ? "yes" : "no",
		f->tp_btf ? "yes" : "no", f->cgroup_sock_addr ? "yes" : "no",
		f->tracepoint ? "yes" : "no");
}

static json_t *str_array(const char *const *v, size_t max)
{
	json_t *a = json_array();

	for (size_t i = 0; i < max && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *mitigation_json(const struct vigil_mitigation *m, const struct vigil_features *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(m->id));
	json_object_set_new(o, "name", json_string(m->name));
	json_object_set_new(o, "title", json_string(m->title));
	json_object_set_new(o, "cves", str_array(m->cves, VIGIL_MIT_MAX_CVES));
	json_object_set_new(o, "primitive", json_string(m->primitive));
	json_object_set_new(o, "mechanism_kind", json_string(vigil_mit_mech_name(m->mech)));
	json_object_set_new(o, "hook", json_string(m->hook));
	json_object_set_new(o, "mechanism", json_string(m->mechanism));
	json_object_set_new(o, "fallback_kind", json_string(vigil_mit_fallback_name(m->fallback)));
	json_object_set_new(o, "fallback", json_string(m->fallback_text));
	json_object_set_new(o, "error", json_string(m->error));
	json_object_set_new(o, "fallback_error", json_string(vigil_mitigation_fallback_error(m)));
	json_object_set_new(o, "available", json_string(vigil_mitigation_availability(m, f)));
	json_object_set_new(o, "side_effects", json_string(m->side_effects));
	json_object_set_new(o, "refs", str_array(m->refs, VIGIL_MIT_MAX_REFS));
	return o;
}

static json_t *features_json(const struct vigil_features *f)
{
	json_t *o;

	if (!f)
		return json_null();
	o = json_object();
	json_object_set_new(o, "kernel", json_string(f->kernel));
	json_object_set_new(o, "lsm_active", json_boolean(f->lsm_active));
	json_object_set_new(o, "fentry", json_boolean(f->fentry));
	json_object_set_new(o, "tp_btf", json_boolean(f->tp_btf));
	json_object_set_new(o, "cgroup_sock_addr", json_boolean(f->cgroup_sock_addr));
	json_object_set_new(o, "tracepoint", json_boolean(f->tracepoint));
	return o;
}

static void dump_json(FILE *out, json_t *root)
{
	json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(root);
}

void vigil_mitigations_print_list(FILE *out, const struct vigil_features *f, bool json)
{
	size_t wname = strlen("NAME"), wcve = strlen("CVES"), wmech = strlen("MECHANISM");
	size_t wavail = strlen("AVAILABLE HERE");
	char cves[64], mech[96], side[SIDE_WIDTH + 8];

	if (json) {
		json_t *root = json_object(), *arr = json_array();

		json_object_set_new(root, "probed", json_boolean(f != NULL));
		json_object_set_new(root, "features", features_json(f));
		for (size_t i = 0; i < vigil_nmitigations; i++)
			json_array_append_new(arr, mitigation_json(&vigil_mitigations[i], f));
		json_object_set_new(root, "mitigations", arr);
		dump_json(out, root);
		return;
	}
	for (size_t i = 0; i < vigil_nmitigations; i++) {
		const struct vigil_mitigation *m = &vigil_mitigations[i];
		size_t l;

		if ((l = strlen(m->name)) > wname)
			wname = l;
		cve_summary(m, cves, sizeof(cves));
		if ((l = strlen(cves)) > wcve)
			wcve = l;
		mech_summary(m, mech, sizeof(mech));
		if ((l = strlen(mech)) > wmech)
			wmech = l;
		if ((l = strlen(vigil_mitigation_availability(m, f))) > wavail)
			wavail = l;
	}
	fprintf(out, "%-*s  %-*s  %-*s  %-*s  %s\n", (int)wname, "NAME", (int)wcve, "CVES",
		(int)wmech, "MECHANISM", (int)wavail, "AVAILABLE HERE", "SIDE EFFECT");
	for (size_t i = 0; i < vigil_nmitigations; i++) {
		const struct vigil_mitigation *m = &vigil_mitigations[i];

		cve_summary(m, cves, sizeof(cves));
		mech_summary(m, mech, sizeof(mech));
		side_summary(m, side, sizeof(side), SIDE_WIDTH);
		fprintf(out, "%-*s  %-*s  %-*s  %-*s  %s\n", (int)wname, m->name, (int)wcve, cves,
			(int)wmech, mech, (int)wavail, vigil_mitigation_availability(m, f), side);
	}
	features_line(out, f);
	fprintf(out, "`vigil mitigations show NAME` for CVEs, mechanism and references.\n");
}

/* Prints `label` padded to `indent`, then `text` wrapped at WRAP_WIDTH. */
static void wrapped(FILE *out, const char *label, const char *text, int indent)
{
	int col = fprintf(out, "%-*s", indent, label);
	const char *p = text;

	while (*p) {
		size_t word = strcspn(p, " ");

		if (col > indent && col + 1 + (int)word > WRAP_WIDTH)
			col = fprintf(out, "\n%*s", indent, "") - 1;
		else if (col > indent)
			col += fprintf(out, " ");
		col += fprintf(out, "%.*s", (int)word, p);
		p += word;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}

void vigil_mitigation_print(FILE *out, const struct vigil_mitigation *m,
			    const struct vigil_features *f, bool json)
{
	char buf[512];
	size_t n = 0;
	const int ind = 16;

	if (json) {
		json_t *root = mitigation_json(m, f);

		json_object_set_new(root, "probed", json_boolean(f != NULL));
		dump_json(out, root);
		return;
	}
	fprintf(out, "%s (id %u)\n", m->name, m->id);
	wrapped(out, "", m->title, 0);
	fputc('\n', out);
	buf[0] = '\0';
	for (size_t i = 0; i < VIGIL_MIT_MAX_CVES && m->cves[i]; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? ", " : "", m->cves[i]);
	wrapped(out, "CVEs:", n ? buf : "none listed", ind);
	wrapped(out, "Primitive:", m->primitive, ind);
	snprintf(buf, sizeof(buf), "[%s, %s] %s", vigil_mit_mech_name(m->mech), m->hook,
		 m->mechanism);
	wrapped(out, "Mechanism:", buf, ind);
	snprintf(buf, sizeof(buf), "[%s] %s", vigil_mit_fallback_name(m->fallback),
		 m->fallback_text);
	wrapped(out, "Fallback:", buf, ind);
	if (m->fallback == VIGIL_FALLBACK_NONE)
		snprintf(buf, sizeof(buf), "%s", m->error);
	else
		snprintf(buf, sizeof(buf), "%s (fallback: %s)", m->error,
			 vigil_mitigation_fallback_error(m));
	wrapped(out, "Error:", buf, ind);
	wrapped(out, "Available here:", vigil_mitigation_availability(m, f), ind);
	wrapped(out, "Side effects:", m->side_effects, ind);
	fprintf(out, "References:\n");
	for (size_t i = 0; i < VIGIL_MIT_MAX_REFS && m->refs[i]; i++)
		fprintf(out, "  %s\n", m->refs[i]);
	fprintf(out,
		"\nEnable host-wide:  vigil run --mitigate %s\n"
		"In a policy file:  mitigations: [%s]\n"
		"                   (the policy's selector, exempt: and mode apply)\n",
		m->name, m->name);
}

static void list_names(FILE *out)
{
	fprintf(out, "known mitigations:");
	for (size_t i = 0; i < vigil_nmitigations; i++)
		fprintf(out, "%s %s", i ? "," : "", vigil_mitigations[i].name);
	fputc('\n', out);
}

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "vigil: mitigations: ");
	fprintf(stderr, msg, arg);
	fprintf(stderr, "\nTry 'vigil mitigations --help'.\n");
	return EXIT_USAGE;
}

/* `show CVE-...`: every mitigation that lists it. */
static int show_cve(const char *cve, const struct vigil_features *f, bool json)
{
	uint64_t mask = vigil_mitigations_mask_for_cve(cve);
	json_t *arr = json ? json_array() : NULL;
	bool first = true;

	if (!mask) {
		if (arr)
			json_decref(arr);
		fprintf(stderr, "vigil: mitigations: no mitigation covers %s\n", cve);
		list_names(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < vigil_nmitigations; i++) {
		if (!(mask & (1ull << vigil_mitigations[i].id)))
			continue;
		if (arr) {
			json_array_append_new(arr, mitigation_json(&vigil_mitigations[i], f));
			continue;
		}
		if (!first)
			fprintf(stdout, "\n----\n\n");
		vigil_mitigation_print(stdout, &vigil_mitigations[i], f, false);
		first = false;
	}
	if (arr) {
		json_t *root = json_object();

		json_object_set_new(root, "cve", json_string(cve));
		json_object_set_new(root, "probed", json_boolean(f != NULL));
		json_object_set_new(root, "mitigations", arr);
		dump_json(stdout, root);
	}
	return 0;
}

int vigil_cmd_mitigations(int argc, char **argv)
{
	const char *show = NULL;
	bool json = false, want_show = false;
	struct vigil_features feats;
	const struct vigil_features *f = NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 || strcmp(a, "help") == 0) {
			fputs(help_text, stdout);
			return 0;
		}
		if (strcmp(a, "--json") == 0)
			json = true;
		else if (!want_show && (strcmp(a, "show") == 0 || strcmp(a, "list") == 0) && i == 1)
			want_show = strcmp(a, "show") == 0;
		else if (want_show && !show && a[0] != '-')
			show = a;
		else if (a[0] == '-')
			return usage_error("unknown option '%s'", a);
		else
			return usage_error("unexpected argument '%s'", a);
	}
	if (want_show && !show)
		return usage_error("%s", "show needs a mitigation name (or a CVE id)");

	const struct vigil_mitigation *m = show ? vigil_mitigation_find(show) : NULL;

	if (show && !m && strncasecmp(show, "CVE-", 4) != 0) {
		fprintf(stderr, "vigil: mitigations: unknown mitigation '%s'\n", show);
		list_names(stderr);
		return EXIT_USAGE;
	}
	if (geteuid() == 0) {
		vigil_probe_features(&feats);
		f = &feats;
	}
	if (show && !m)
		return show_cve(show, f, json);
	if (m)
		vigil_mitigation_print(stdout, m, f, json);
	else
		vigil_mitigations_print_list(stdout, f, json);
	return 0;
}
