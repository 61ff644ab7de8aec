/* mitigations.h - the catalogue of virtual patches (named runtime
 * mitigations for known exploit paths) and `vigil mitigations`.
 *
 * The catalogue is one table (mitigations.c). An entry's position in the
 * table is its id: the bit number in the kernel's mitigation mask. Entries
 * are only ever appended, never reordered or removed, so a mask written by
 * one build means the same mitigations to the next one.
 *
 * Each entry names the exploit primitive it blocks, the kernel mechanism
 * used when BPF LSM (or BPF trampolines) work here, the fallback used when
 * they do not, the error a blocked caller sees, the side effects, and the
 * CVEs whose public exploit path goes through that primitive (checked
 * against the CVE record, the fix commit and the researchers' write-up;
 * docs/mitigations.md cites them one by one). */
#ifndef VIGIL_MITIGATIONS_H
#define VIGIL_MITIGATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct vigil_features; /* probe.h */

/* How a mitigation blocks when the kernel offers the preferred hook. */
enum vigil_mit_mech {
	VIGIL_MECH_LSM,	      /* BPF LSM hook returns an error (needs lsm_active) */
	VIGIL_MECH_FMOD_RET,  /* fmod_ret program on a syscall (needs fentry) */
	VIGIL_MECH_EXEC_KILL, /* SIGKILL at sched_process_exec (needs tp_btf) */
	VIGIL_MECH_CGROUP,    /* cgroup BPF hook returns an error */
};

/* What is used when the preferred mechanism is not available. */
enum vigil_mit_fallback {
	VIGIL_FALLBACK_NONE,   /* nothing: the mitigation is unavailable */
	VIGIL_FALLBACK_KILL,   /* SIGKILL from a syscall tracepoint (needs tracepoint) */
	VIGIL_FALLBACK_CGROUP, /* cgroup BPF hook (needs cgroup_sock_addr) */
};

#define VIGIL_MIT_MAX_CVES 8 /* including the NULL terminator */
#define VIGIL_MIT_MAX_REFS 6 /* including the NULL terminator */

struct vigil_mitigation {
	unsigned id;	   /* bit in the kernel's mitigation mask: index in the table */
	const char *name;  /* kebab-case, e.g. "userns" */
	const char *title; /* one line */
	const char *cves[VIGIL_MIT_MAX_CVES]; /* NULL-terminated */
	const char *primitive;		      /* the exploit primitive it blocks */
	enum vigil_mit_mech mech;	      /* with BPF LSM / trampolines */
	const char *hook;		      /* short form of the hook, e.g. "lsm/userns_create" */
	const char *mechanism;		      /* hook and check, one or two sentences */
	enum vigil_mit_fallback fallback;
	const char *fallback_text;	      /* what happens without BPF LSM (or "none: ...") */
	const char *error;		      /* error with the mitigation on: "EPERM", "EINVAL",
						 "killed (SIGKILL)" (with the preferred mechanism) */
	const char *side_effects;	      /* first sentence is the one-line summary */
	const char *refs[VIGIL_MIT_MAX_REFS]; /* NULL-terminated URLs */
};

extern const struct vigil_mitigation vigil_mitigations[];
extern const size_t vigil_nmitigations;

/* Every mitigation of the catalogue, as a mask. */
uint64_t vigil_mitigations_all_mask(void);

/* By exact name; NULL when unknown. */
const struct vigil_mitigation *vigil_mitigation_find(const char *name);

/* The first mitigation (in table order) that lists this CVE, compared
 * case-insensitively ("cve-2021-4034" works); NULL when none does. A CVE can
 * be listed by several mitigations (each one breaks a different step of the
 * exploit): vigil_mitigations_mask_for_cve gives all of them. */
const struct vigil_mitigation *vigil_mitigation_for_cve(const char *cve);
uint64_t vigil_mitigations_mask_for_cve(const char *cve);

/* Parses "a,b,c" (spaces around names and empty items are ignored; "all" is
 * every mitigation) into a
 * bit mask. Returns 0, or -1 on an unknown name: then *bad_or_null (when not
 * NULL) points to that name, copied into a static buffer. */
int vigil_mitigations_parse_list(const char *csv, uint64_t *mask, const char **bad_or_null);

/* How it works on this kernel, given the probed features:
 *   "enforce (BPF LSM)"        LSM mechanism, BPF LSM programs attach here
 *   "enforce (fmod_ret)"       fmod_ret mechanism, trampolines work
 *   "enforce (cgroup hook)"    cgroup mechanism or cgroup fallback
 *   "kill (sched_process_exec)" exec-kill mechanism, tp_btf works
 *   "kill (no BPF LSM)"        the kill fallback (syscall tracepoints)
 *   "unavailable (...)"        neither works; the reason in parentheses
 * f == NULL (features unknown) gives "unknown (run as root)". */
const char *vigil_mitigation_availability(const struct vigil_mitigation *m,
					  const struct vigil_features *f);

/* The error a blocked caller sees with the fallback: "killed (SIGKILL)",
 * "EPERM" (cgroup hook) or "none" (no fallback). */
const char *vigil_mitigation_fallback_error(const struct vigil_mitigation *m);

/* "BPF LSM", "fmod_ret", "kill at exec", "cgroup hook". */
const char *vigil_mit_mech_name(enum vigil_mit_mech mech);
/* "none", "kill", "cgroup hook". */
const char *vigil_mit_fallback_name(enum vigil_mit_fallback fb);

/* Output of `vigil mitigations` and `vigil mitigations show NAME`; f == NULL
 * when the kernel could not be probed (not root). */
void vigil_mitigations_print_list(FILE *out, const struct vigil_features *f, bool json);
void vigil_mitigation_print(FILE *out, const struct vigil_mitigation *m,
			    const struct vigil_features *f, bool json);

/* `vigil mitigations [show NAME] [--json]` (argv[0] is "mitigations"). */
int vigil_cmd_mitigations(int argc, char **argv);

#endif /* VIGIL_MITIGATIONS_H */
