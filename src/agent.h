/* agent.h - `vigil run`: load sensors, consume the ring buffer, keep the
 * process table current, write events. */
#ifndef VIGIL_AGENT_H
#define VIGIL_AGENT_H

#include <stdbool.h>
#include <stdint.h>
#include "loader.h"
#include "vigil_abi.h"

struct vigil_run_opts {
	bool output_types[VIGIL_EVT_MAX]; /* types written out */
	const char *output_path;          /* NULL: stdout */
	uint32_t ringbuf_bytes;
	bool verbose;
	enum vigil_syscall_hooks hooks;
};

/* Runs until SIGINT/SIGTERM. Returns the process exit status. */
int vigil_agent_run(const struct vigil_run_opts *opts);

#endif /* VIGIL_AGENT_H */
