/* inventory_feed.h - `vigil run`'s side of the runtime inventory: events
 * become inventory notes (see inventory.h), written about once a second.
 *
 *   exec (successful)      kind "exec": the executable the kernel resolved
 *   mmap (successful)      kind "map": the file mapped for execution (shared
 *                          libraries, dlopen'ed plugins, the ELF interpreter)
 *   exec of a `#!` script, kind "script": the script file
 *   or of an interpreter
 *   with a script argument
 *
 * Everything runs on the agent's event loop: no thread.
 */
#ifndef VIGIL_INVENTORY_FEED_H
#define VIGIL_INVENTORY_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "decode.h"

#define VIGIL_INV_FLUSH_MS	1000  /* flush period while uses are pending */
#define VIGIL_INV_IDLE_FLUSH_MS 10000 /* otherwise (the observed period moves on) */

struct vigil_inv_feed;

/* Opens STATE_DIR/inventory.db (NULL: the default). NULL with err on failure. */
struct vigil_inv_feed *vigil_inv_feed_open(const char *state_dir, char *err, size_t errsz);

/* For tests: another procfs and host root (as vigil_inventory_set_roots);
 * script arguments are looked up in that procfs too. */
int vigil_inv_feed_set_roots(struct vigil_inv_feed *f, const char *procfs, const char *hostroot);

/* What the agent knows about the event's process. */
struct vigil_inv_ctx {
	const char *exe;	  /* the process's executable (for maps), or NULL */
	const char *container_id; /* "" or NULL: not in a container */
	uint64_t wall_ns;	  /* the event's time, ns since the epoch */
};

/* Notes what ev used, if anything (exec and mmap events; others are ignored). */
void vigil_inv_feed_event(struct vigil_inv_feed *f, const struct vigil_event *ev,
			  const struct vigil_inv_ctx *ctx);

/* Flushes when due (now_ms: CLOCK_MONOTONIC ms). A failure is reported on
 * stderr (the first, then at most once a minute); the rows stay pending. */
void vigil_inv_feed_tick(struct vigil_inv_feed *f, uint64_t now_ms);

/* Final flush; returns 0 or -1 (reported on stderr). */
int vigil_inv_feed_flush(struct vigil_inv_feed *f);

/* Appends `,"inventory":{...}` counters to a stats line. */
void vigil_inv_feed_print_stats(const struct vigil_inv_feed *f, FILE *out);

/* Flushes and closes. NULL is allowed. */
void vigil_inv_feed_close(struct vigil_inv_feed *f);

/* The script an exec runs, as candidates in argv order (pointers into argv),
 * at most max; returns how many. A `#!` script (argv[0] the absolute
 * interpreter path from the #! line, then optionally its argument, then
 * filename) gives filename. An interpreter (python, perl, ruby, node, php,
 * shells, lua, tclsh, Rscript; java -jar) gives its non-option arguments
 * up to the first that ends the options for good (-c, -e, -m, ...): the
 * script is the first of them that exists. */
size_t vigil_script_candidates(const char *exe, const char *filename, const char *argv,
			       size_t argv_len, const char **out, size_t max);

#endif /* VIGIL_INVENTORY_FEED_H */
