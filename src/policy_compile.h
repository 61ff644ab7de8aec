/* policy_compile.h - a policy set (policy.h) turned into what the kernel's
 * policy maps hold (vigil_abi.h): one configuration, object keys resolved
 * to inodes, cgroup ids, CIDR prefixes and port bits. Pure user space: the
 * writing into maps is enforce.c's. */
#ifndef VIGIL_POLICY_COMPILE_H
#define VIGIL_POLICY_COMPILE_H

#include <stddef.h>
#include <stdint.h>
#include "policy.h"
#include "vigil_abi.h"

struct vigil_pol_obj_entry {
	struct vigil_pol_obj_key key; /* slot_kind holds the kind only */
	struct vigil_pol_obj_val val;
};

struct vigil_pol_cg_entry {
	uint64_t cgid;
	struct vigil_pol_cg_val val;
};

struct vigil_pol_net_entry {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t prefix;
	uint64_t rules; /* rules whose CIDR contains this prefix */
};

struct vigil_pol_compiled {
	struct vigil_pol_conf conf;
	struct vigil_pol_obj_entry *objs;
	size_t nobjs, objs_cap;
	struct vigil_pol_cg_entry *cgs;
	size_t ncgs, cgs_cap;
	struct vigil_pol_net_entry *nets;
	size_t nnets, nets_cap;
	uint64_t *ports; /* 65536 rule masks */
	/* policy index -> policy, and area rule index -> rule (for reports) */
	const struct vigil_policy *pol[VIGIL_POL_MAX];
	const struct vigil_pol_rule *rule[VIGIL_POL_AREAS][VIGIL_POL_RULES];
};

/* Where the compiler looks things up; tests point these at fixtures. */
struct vigil_pol_env {
	const char *cgroup_root; /* NULL: /sys/fs/cgroup */
	const char *root;	 /* prefix for file paths; NULL: none */
};

/* Compiles ps (NULL: no policies). Warnings (a path that does not exist, a
 * cgroup not found) go to diag. Returns 0, or -1 with an error in diag. */
int vigil_pol_compile(const struct vigil_policy_set *ps, const struct vigil_pol_env *env,
		      struct vigil_pol_compiled *out, struct vigil_diag *diag);

void vigil_pol_compiled_free(struct vigil_pol_compiled *c);

#endif /* VIGIL_POLICY_COMPILE_H */
