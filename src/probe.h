/* probe.h - what this kernel offers, learned by really loading tiny programs. */
#ifndef VIGIL_PROBE_H
#define VIGIL_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct vigil_features {
	char kernel[128];
	bool btf;
	bool ringbuf;
	bool tracepoint;
	bool raw_tp;
	bool tp_btf;
	bool fentry;
	bool bpf_lsm_compiled; /* the kernel has BPF LSM hooks */
	bool bpf_lsm_enabled;  /* "bpf" is in the active LSM list */
	bool lsm_active;       /* an LSM program really loads and attaches */
	bool cgroup_sock_addr;
	bool uprobe;
	uint64_t lsm_hooks_missing; /* mitigations (ids) whose BPF LSM hooks this
				       kernel lacks, e.g. userns_create before 6.1 */
	char lsm_list[256];
	char fentry_error[64];
	char lsm_error[64];
};

void vigil_probe_features(struct vigil_features *f);
/* Mitigations (ids) whose BPF LSM hooks (their catalogue `hook`) this
 * kernel's BTF lacks. */
uint64_t vigil_probe_mitigations_without_lsm_hook(void);
/* True when an fentry program loads and attaches here (trampolines allowed). */
bool vigil_probe_fentry(void);
/* True when BPF LSM programs load and attach here; else why says why. */
bool vigil_probe_lsm(char *why, size_t whysz);
void vigil_probe_print(const struct vigil_features *f, FILE *out, bool json);

#endif /* VIGIL_PROBE_H */
