/* policy.h - enforcement policies: the YAML files given with `vigil run -p`
 * and `vigil check -p`, read into this model (policy_read.c), then compiled
 * into the kernel's policy maps (policy_maps.c).
 *
 * A policy has a name, a mode (enforce or audit), a selector (which
 * processes it governs) and rules per area. Each rule has an action
 * (block, audit, allow). Within one policy the first rule of an area that
 * matches decides; when none matches, the policy's `default` decides (allow
 * unless `default: block`, which only applies to the areas the policy lists).
 * Across policies the strongest action wins: block > audit > allow. */
#ifndef VIGIL_POLICY_H
#define VIGIL_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "rules.h" /* struct vigil_diag */

#define VIGIL_POLICY_MAX	64 /* policies loaded at once */
#define VIGIL_POLICY_AREA_RULES 64 /* rules per area, over all policies */
#define VIGIL_POL_CAP_COUNT	41 /* CAP_CHOWN (0) .. CAP_CHECKPOINT_RESTORE (40) */
#define VIGIL_POL_CAPS_ALL	((UINT64_C(1) << VIGIL_POL_CAP_COUNT) - 1)

enum vigil_pol_mode { VIGIL_POL_ENFORCE, VIGIL_POL_AUDIT };

enum vigil_pol_action {
	VIGIL_ACT_NONE = 0, /* no decision (no rule matched, default allow) */
	VIGIL_ACT_ALLOW,
	VIGIL_ACT_AUDIT,
	VIGIL_ACT_BLOCK,
};

enum vigil_pol_area {
	VIGIL_AREA_PROCESS,
	VIGIL_AREA_FILE,
	VIGIL_AREA_NETWORK,
	VIGIL_AREA_CAPABILITIES,
	VIGIL_AREA_PTRACE,
	VIGIL_AREA_KERNEL_MODULE,
	VIGIL_AREA_BPF,
	VIGIL_AREA_MOUNT,
	VIGIL_AREA_SIGNAL,
	VIGIL_AREA_MAX,
};

/* File access kinds (`access:`); a rule without `access` covers them all. */
enum {
	VIGIL_ACC_READ = 1 << 0,
	VIGIL_ACC_WRITE = 1 << 1,
	VIGIL_ACC_EXEC = 1 << 2,
	VIGIL_ACC_CREATE = 1 << 3,
	VIGIL_ACC_DELETE = 1 << 4,
	VIGIL_ACC_RENAME = 1 << 5,
	VIGIL_ACC_CHMOD = 1 << 6,
	VIGIL_ACC_CHOWN = 1 << 7,
	VIGIL_ACC_ALL = (1 << 8) - 1,
};

/* Network rule protocols (`protocols: [tcp, udp]`); none listed = all. */
enum { VIGIL_PROTO_TCP = 1 << 0, VIGIL_PROTO_UDP = 1 << 1, VIGIL_PROTO_ALL = 3 };

/* Network rule directions. */
enum { VIGIL_DIR_EGRESS = 1 << 0, VIGIL_DIR_INGRESS = 1 << 1, VIGIL_DIR_BOTH = 3 };

struct vigil_strlist {
	char **v;
	size_t n;
};

struct vigil_cidr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t prefix; /* bits */
};

struct vigil_port_range {
	uint16_t lo, hi; /* inclusive; a single port has lo == hi */
};

/* Which processes a policy governs. Several keys select the union. */
struct vigil_pol_selector {
	bool host;			       /* every process on the host */
	struct vigil_strlist container_ids;    /* full or prefix (>= 12 hex) ids */
	struct vigil_strlist container_names;  /* globs; need runtime metadata */
	struct vigil_strlist container_images; /* globs; need runtime metadata */
	struct vigil_strlist exe_paths;	       /* executables: absolute paths or globs */
	struct vigil_strlist cgroups;	       /* cgroup v2 paths, e.g. /system.slice/x.service */
};

struct vigil_pol_rule {
	enum vigil_pol_area area;
	enum vigil_pol_action action;
	int line; /* where the rule starts in its file */

	/* process and file: the object. Entries of `paths` may be globs with
	 * wildcards (* ?) in their last component only. */
	struct vigil_strlist paths;
	struct vigil_strlist dirs;    /* directory prefixes, "/dev/shm/" */
	struct vigil_strlist parents; /* process: executable of the caller */
	unsigned access;	      /* file: VIGIL_ACC_* (process rules: EXEC) */

	/* network */
	struct vigil_cidr *cidrs;
	size_t ncidrs; /* 0: any address */
	struct vigil_port_range *ports;
	size_t nports;	    /* 0: any port */
	unsigned protocols; /* VIGIL_PROTO_* */
	unsigned direction; /* VIGIL_DIR_* */
	int *families;	    /* socket families by number (AF_PACKET ...) */
	size_t nfamilies;   /* rules with families match socket creation */

	/* capabilities */
	uint64_t caps; /* bit per CAP_* number */

	/* signal: which signals (bit per number; 0 = all) */
	uint64_t signals;
};

struct vigil_policy {
	char *name;
	char *file;
	int line;
	enum vigil_pol_mode mode;
	enum vigil_pol_action default_action; /* ALLOW or BLOCK */
	struct vigil_pol_selector selector;
	struct vigil_pol_selector exempt; /* `exempt:` (same keys, no host):
					     processes taken out of the policy */
	struct vigil_pol_rule *rules;
	size_t nrules;
	bool areas[VIGIL_AREA_MAX];	  /* areas the policy lists */
	struct vigil_strlist mitigations; /* `mitigations:` names, as written */
	uint64_t mitigation_mask;	  /* ... as catalogue ids (mitigations.h) */
	char *description;		  /* `description:`, or NULL */
};

struct vigil_policy_set {
	struct vigil_policy *v;
	size_t n;
};

/* "process", "file", ... as written in policy files. */
const char *vigil_area_name(enum vigil_pol_area a);
/* "block", "audit", "allow" ("none" for VIGIL_ACT_NONE). */
const char *vigil_action_name(enum vigil_pol_action a);

/* Reads policy files (a directory: its *.yaml and *.yml files in name order). Every
 * problem goes to diag with file, line and column. Returns NULL when there
 * was any error; the caller then keeps whatever set it had. */
struct vigil_policy_set *vigil_policies_load(const char *const *paths, size_t npaths,
					     struct vigil_diag *diag);

/* Same, from YAML already in memory; `name` is the file name diagnostics
 * show. */
struct vigil_policy_set *vigil_policies_load_buffer(const char *name, const char *yaml, size_t len,
						    struct vigil_diag *diag);

void vigil_policies_free(struct vigil_policy_set *ps);

/* How many policies of ps (may be NULL) are in enforce mode. */
size_t vigil_policies_enforcing(const struct vigil_policy_set *ps);

#endif /* VIGIL_POLICY_H */
