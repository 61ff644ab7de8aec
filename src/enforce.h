/* enforce.h - the enforcement side: loads the BPF LSM programs (or, where
 * BPF LSM is off, the cgroup-hook and kill fallbacks), writes the policies
 * into their maps atomically, and protects the agent itself. */
#ifndef VIGIL_ENFORCE_H
#define VIGIL_ENFORCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "loader.h"
#include "policy.h"
#include "policy_compile.h"

#define VIGIL_PIN_DIR "/sys/fs/bpf/vigil"

struct vigil_enforce_opts {
	bool persist;	     /* keep the programs and policy maps pinned after exit */
	bool self_protect;   /* in enforce mode: refuse ptrace, kill and bpf() on the agent */
	const char *pin_dir; /* NULL: VIGIL_PIN_DIR */
	uint64_t mitigate;   /* `--mitigate`: on for every process (mitigations.h ids) */
	bool mitigate_audit; /* `--mitigate-mode audit`: those only report */
};

struct vigil_enforcer;

/* Loads and attaches; events go into the sensors' ring buffer. Returns 0 or
 * a negative errno with the reason in err. */
int vigil_enforcer_start(struct vigil_enforcer **out, struct vigil_sensors *sensors,
			 const struct vigil_enforce_opts *opts, char *err, size_t errsz);

/* Compiles ps (NULL: none) into the inactive slot and switches to it: no
 * window without enforcement. On error the running policies stay. */
int vigil_enforcer_apply(struct vigil_enforcer *e, const struct vigil_policy_set *ps,
			 struct vigil_diag *diag);

/* The compiled set a decision event refers to (args[0] >> 8 is the slot). */
const struct vigil_pol_compiled *vigil_enforcer_slot(const struct vigil_enforcer *e, unsigned slot);

bool vigil_enforcer_has_lsm(const struct vigil_enforcer *e);

/* How mitigation `id` works with the programs loaded here: "enforce (BPF
 * LSM)", "enforce (cgroup hook)", "kill (no BPF LSM)", "kill (at exec)", or
 * NULL when it cannot work here; then *why says why. */
const char *vigil_enforcer_mitigation_mode(const struct vigil_enforcer *e, unsigned id,
					   const char **why);

/* One line: how enforcement works here and what it cannot do. */
const char *vigil_enforcer_describe(const struct vigil_enforcer *e);

/* Detaches everything, or with persist leaves the pinned programs
 * enforcing the last policies. */
void vigil_enforcer_stop(struct vigil_enforcer *e);

#endif /* VIGIL_ENFORCE_H */
