/* main.c - the vigil command line: run, probe, version, help. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "agent.h"
#include "detect.h"
#include "mitigations.h"
#include "policy.h"
#include "policy_compile.h"
#include "event_types.h"
#include "probe.h"
#include "rule_fields.h"
#include "inventory.h"
#include "vuln.h"

#ifndef VIGIL_VERSION
#define VIGIL_VERSION "0.1.0"
#endif

#define EXIT_USAGE 2

static const char usage_text[] =
    "Usage: vigil COMMAND [OPTIONS]\n"
    "\n"
    "Vigil is an eBPF runtime security agent: it observes processes, files,\n"
    "network and credential changes from the kernel and reports them.\n"
    "\n"
    "Commands:\n"
    "  run      Load the sensors and the detection rules; print alerts (or, with\n"
    "           --events, every event) until SIGINT/SIGTERM.\n"
    "  check    Validate rule files without loading anything into the kernel.\n"
    "  probe    Show what this kernel offers (BTF, ring buffer, tp_btf, fentry,\n"
    "           BPF LSM, cgroup hooks, uprobes), testing each by loading it.\n"
    "  fields   List the fields rules can use (--markdown for a table).\n"
    "  mitigations  List the virtual patches (named mitigations for CVEs);\n"
    "           `mitigations show NAME` for one (see docs/mitigations.md).\n"
    "  vuln     Rank a scanner report by what really runs; OpenVEX out\n"
    "           (see `vigil vuln --help`, docs/vuln.md).\n"
    "  version  Print the version.\n"
    "  help     Show this help.\n"
    "\n"
    "vigil run [OPTIONS]\n"
    "  -r, --rules FILE|DIR   Load these Falco-format rule files (repeatable; a\n"
    "                         directory loads its *.yaml/*.yml in name order)\n"
    "                         instead of the default rules built into vigil.\n"
    "                         Alerts are JSON lines in Falco's alert shape.\n"
    "                         SIGHUP reloads them; a bad new set is reported\n"
    "                         and the running one kept.\n"
    "  --events               Print every event as one JSON object per line.\n"
    "                         Without -r, rules are then not evaluated.\n"
    "  --filter TYPE[,TYPE]   Only these event types, filtered in the kernel.\n"
    "                         TYPE is an evt.type (execve, openat, connect, ...),\n"
    "                         a family (process, cred, file, network, kernel) or\n"
    "                         all. Process lifecycle (execve, clone, procexit) is\n"
    "                         always collected to keep the process table current,\n"
    "                         but only printed when asked for. mmap (files\n"
    "                         mapped for execution) is printed only when named.\n"
    "  --output FILE          Append events to FILE instead of stdout.\n"
    "  --ring-buffer-kb N     Kernel ring buffer size in KiB (power of two,\n"
    "                         default 8192). Events that do not fit are counted\n"
    "                         as dropped.\n"
    "  --syscall-hooks MODE   auto (default): fentry/fexit on the syscall\n"
    "                         functions where the kernel allows trampolines,\n"
    "                         else syscall tracepoints; or force tracepoint or\n"
    "                         fexit. The ready line says which is in use.\n"
    "  --no-kernel-filter     Deliver every event type and every open to user\n"
    "                         space and filter there (to measure what the\n"
    "                         in-kernel filters save; same alerts, more CPU).\n"
    "  -p, --policy FILE|DIR  Enforcement policies (repeatable; docs/policy.md):\n"
    "                         block or audit exec, file, network, capabilities,\n"
    "                         ptrace, module, bpf, mount and signals with BPF\n"
    "                         LSM, or the fallbacks where it is off. A changed\n"
    "                         file or SIGHUP reloads them atomically.\n"
    "  --persist              Keep enforcing after the agent exits (pinned in\n"
    "                         /sys/fs/bpf/vigil; the next agent takes over).\n"
    "  --no-self-protect      Do not refuse signals, ptrace and bpf() aimed at\n"
    "                         the agent while it enforces.\n"
    "  --mitigate NAME[,NAME] Turn on virtual patches for every process (`all`\n"
    "                         for every one; `vigil mitigations` lists them).\n"
    "                         A policy's `mitigations:` key does the same for\n"
    "                         the processes it selects.\n"
    "  --mitigate-mode MODE   enforce (default: refuse, or kill without BPF\n"
    "                         LSM) or audit (only report) for --mitigate.\n"
    "  --state-dir DIR        Where the runtime inventory is kept (default\n"
    "                         " VIGIL_STATE_DIR_DEFAULT "): the executables, shared\n"
    "                         libraries and scripts each process used, per host,\n"
    "                         container and chroot, for `vigil vuln`. Written\n"
    "                         about once a second; kept across restarts. If DIR\n"
    "                         cannot be used the agent runs without it.\n"
    "  --no-inventory         Do not collect the runtime inventory (the mmap\n"
    "                         sensors are then not even loaded).\n"
    "  -v, --verbose          Print libbpf's messages.\n"
    "  On start, a line containing \"ready\" goes to stderr once every sensor is\n"
    "  attached; on stop, a \"vigil: stats {...}\" line with generated, delivered\n"
    "  and dropped counts (generated = delivered + dropped).\n"
    "\n"
    "vigil check [-r FILE|DIR]... [-p FILE|DIR]...\n"
    "  Lists every error, warning and skipped rule (FILE:LINE:COL: ...), then\n"
    "  \"N rules loaded, M skipped\"; exits 1 on any error. Without -r it\n"
    "  checks the built-in default rules. With -p it checks policy files\n"
    "  (only those, unless -r is also given).\n"
    "\n"
    "vigil probe [--json]\n"
    "\n"
    "Exit status: 0 success, 1 runtime error, 2 usage error.\n"
    "Requires root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN) for run and probe.\n";

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "vigil: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'vigil --help'.\n");
	return EXIT_USAGE;
}

static int parse_ringbuf_kb(const char *s, uint32_t *bytes)
{
	char *end;
	unsigned long kb = strtoul(s, &end, 10);

	if (*end || kb < 4 || kb > (1ul << 20) || (kb & (kb - 1)))
		return -EINVAL;
	*bytes = (uint32_t)(kb * 1024);
	return 0;
}

static int add_rule_source(struct vigil_rule_sources *src, const char *path)
{
	if (src->n == sizeof(src->paths) / sizeof(src->paths[0]))
		return -1;
	src->paths[src->n++] = path;
	return 0;
}

static int require_root(const char *cmd)
{
	if (geteuid() == 0)
		return 0;
	fprintf(stderr,
		"vigil: %s must run as root: loading eBPF programs needs CAP_BPF, CAP_PERFMON "
		"and CAP_SYS_ADMIN (permission denied)\n",
		cmd);
	return 1;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"events", no_argument, NULL, 'e'},
	    {"filter", required_argument, NULL, 'f'},
	    {"output", required_argument, NULL, 'o'},
	    {"ring-buffer-kb", required_argument, NULL, 'k'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {"syscall-hooks", required_argument, NULL, 's'},
	    {"rules", required_argument, NULL, 'R'},
	    {"no-kernel-filter", no_argument, NULL, 'N'},
	    {"policy", required_argument, NULL, 'p'},
	    {"persist", no_argument, NULL, 'P'},
	    {"no-self-protect", no_argument, NULL, 'S'},
	    {"mitigate", required_argument, NULL, 'M'},
	    {"mitigate-mode", required_argument, NULL, 'm'},
	    {"state-dir", required_argument, NULL, 'D'},
	    {"no-inventory", no_argument, NULL, 'I'},
	    {NULL, 0, NULL, 0},
	};
	struct vigil_run_opts opts = {0};
	uint64_t mask;
	const char *filter = "all", *bad;
	int c;

	while ((c = getopt_long(argc, argv, "f:o:r:p:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (add_rule_source(&opts.policy_sources, optarg))
				return usage_error("too many -p options (the limit is %s)", "64");
			break;
		case 'P':
			opts.persist = true;
			break;
		case 'S':
			opts.no_self_protect = true;
			break;
		case 'M':
			if (vigil_mitigations_parse_list(optarg, &mask, &bad))
				return usage_error("--mitigate: unknown mitigation '%s' (`vigil "
						   "mitigations` lists them)",
						   bad);
			opts.mitigate |= mask;
			break;
		case 'm':
			if (strcmp(optarg, "audit") == 0 || strcmp(optarg, "enforce") == 0)
				opts.mitigate_audit = strcmp(optarg, "audit") == 0;
			else
				return usage_error("--mitigate-mode: '%s' is not audit or enforce",
						   optarg);
			break;
		case 'D':
			opts.state_dir = optarg;
			break;
		case 'I':
			opts.no_inventory = true;
			break;
		case 'e':
			opts.events = true;
			break;
		case 'r':
		case 'R':
			if (add_rule_source(&opts.rule_sources, optarg))
				return usage_error("too many -r options (the limit is %s)", "64");
			break;
		case 'f':
			filter = optarg;
			break;
		case 'o':
			opts.output_path = optarg;
			break;
		case 'k':
			if (parse_ringbuf_kb(optarg, &opts.ringbuf_bytes))
				return usage_error("--ring-buffer-kb: '%s' is not a power of two "
						   "between 4 and 1048576",
						   optarg);
			break;
		case 'v':
			opts.verbose = true;
			break;
		case 'N':
			opts.no_kernel_filter = true;
			break;
		case 's':
			if (strcmp(optarg, "auto") == 0)
				opts.hooks = VIGIL_HOOKS_AUTO;
			else if (strcmp(optarg, "tracepoint") == 0)
				opts.hooks = VIGIL_HOOKS_TRACEPOINT;
			else if (strcmp(optarg, "fexit") == 0)
				opts.hooks = VIGIL_HOOKS_FEXIT;
			else
				return usage_error(
				    "--syscall-hooks: '%s' is not auto, tracepoint or "
				    "fexit",
				    optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return usage_error("%s", "bad option for run");
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (opts.state_dir && opts.no_inventory)
		return usage_error("%s", "--state-dir and --no-inventory exclude each other");
	if (opts.persist && !opts.policy_sources.n && !opts.mitigate)
		return usage_error("%s", "--persist needs policies (-p FILE|DIR) or --mitigate");
	if (vigil_parse_type_list(filter, opts.output_types, &bad))
		return usage_error("--filter: unknown event type '%s' (see README: event types)",
				   bad);
	opts.rules = !opts.events || opts.rule_sources.n > 0;
	if (require_root("run"))
		return 1;
	return vigil_agent_run(&opts);
}

/* Validates policies: syntax and meaning (vigil_policies_load), then what
 * the kernel would get (paths and cgroups resolved, limits). */
static int check_policies(const struct vigil_rule_sources *src)
{
	struct vigil_diag diag = {0};
	struct vigil_policy_set *ps = vigil_policies_load(src->paths, src->n, &diag);
	struct vigil_pol_compiled compiled;
	size_t n, enforce;
	int rc = ps ? 0 : 1;

	if (ps && vigil_pol_compile(ps, NULL, &compiled, &diag))
		rc = 1;
	if (ps)
		vigil_pol_compiled_free(&compiled);
	vigil_diag_print(&diag, stdout);
	n = rc ? 0 : ps->n;
	enforce = rc ? 0 : vigil_policies_enforcing(ps);
	printf("%zu policies loaded (%zu enforce, %zu audit), %zu errors, %zu warnings\n", n,
	       enforce, n - enforce, diag.errors, diag.warnings);
	vigil_policies_free(ps);
	vigil_diag_free(&diag);
	return rc;
}

static int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"rules", required_argument, NULL, 'r'},
	    {"policy", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct vigil_rule_sources src = {.n = 0}, pol = {.n = 0};
	struct vigil_diag diag = {0};
	struct vigil_ruleset *rs;
	int c, prc = 0;

	while ((c = getopt_long(argc, argv, "r:p:h", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			return 0;
		}
		if (c != 'r' && c != 'p')
			return usage_error("%s", "bad option for check");
		if (add_rule_source(c == 'r' ? &src : &pol, optarg))
			return usage_error("too many -r/-p options (the limit is %s)", "64");
	}
	/* Files after the options belong to the last kind given (-p A B C). */
	for (; optind < argc; optind++) {
		if (!pol.n && !src.n)
			return usage_error("unexpected argument '%s' (files go after -r or -p)",
					   argv[optind]);
		if (add_rule_source(pol.n ? &pol : &src, argv[optind]))
			return usage_error("too many files (the limit is %s)", "64");
	}
	if (pol.n) {
		prc = check_policies(&pol);
		if (!src.n)
			return prc;
	}
	rs = vigil_load_rule_sources(&src, &diag, stdout);
	printf("%zu rules loaded, %zu skipped\n", rs ? vigil_ruleset_count(rs) : 0, diag.skipped);
	vigil_ruleset_free(rs);
	vigil_diag_free(&diag);
	return rs && !prc ? 0 : 1;
}

static int cmd_probe(int argc, char **argv)
{
	struct vigil_features f;
	bool json = argc > 1 && strcmp(argv[1], "--json") == 0;

	if (argc > 1 && !json)
		return usage_error("probe: unknown option '%s'", argv[1]);
	if (require_root("probe"))
		return 1;
	vigil_probe_features(&f);
	vigil_probe_print(&f, stdout, json);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "help";

	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(cmd, "fields") == 0) {
		vigil_fields_print(stdout, argc > 2 && strcmp(argv[2], "--markdown") == 0);
		return 0;
	}
	if (strcmp(cmd, "probe") == 0)
		return cmd_probe(argc - 1, argv + 1);
	if (strcmp(cmd, "vuln") == 0)
		return vigil_cmd_vuln(argc - 1, argv + 1);
	if (strcmp(cmd, "mitigations") == 0)
		return vigil_cmd_mitigations(argc - 1, argv + 1);
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("vigil %s\n", VIGIL_VERSION);
		return 0;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	return usage_error("unknown command '%s'", cmd);
}
