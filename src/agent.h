/* agent.h - `vigil run`: load sensors, consume the ring buffer, keep the
 * process table current, write events. */
#ifndef VIGIL_AGENT_H
#define VIGIL_AGENT_H

#include <stdbool.h>
#include <stdint.h>
#include "detect.h"
#include "loader.h"
#include "vigil_abi.h"

struct vigil_run_opts {
	bool events; /* print events (--events) */
	bool rules;  /* evaluate rules and print alerts */
	struct vigil_rule_sources rule_sources;
	bool output_types[VIGIL_EVT_MAX]; /* event types written out (--events) */
	const char *output_path;	  /* NULL: stdout */
	uint32_t ringbuf_bytes;
	bool verbose;
	bool no_kernel_filter; /* deliver every type and every open (for measuring) */
	enum vigil_syscall_hooks hooks;
	struct vigil_rule_sources policy_sources; /* -p FILE|DIR */
	bool persist;				  /* --persist: enforcement outlives the agent */
	bool no_self_protect;			  /* --no-self-protect */
	uint64_t mitigate;			  /* --mitigate: mitigations.h ids */
	bool mitigate_audit;			  /* --mitigate-mode audit */
	const char *state_dir;			  /* --state-dir: the inventory's; NULL: default */
	bool no_inventory;			  /* --no-inventory */
};

/* Runs until SIGINT/SIGTERM; SIGHUP reloads the rules (a bad new set is
 * reported and the running one kept). Returns the process exit status. */
int vigil_agent_run(const struct vigil_run_opts *opts);

#endif /* VIGIL_AGENT_H */
