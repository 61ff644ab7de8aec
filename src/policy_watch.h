/* policy_watch.h - notices when policy files change (inotify), so that the
 * agent reloads them without a signal. */
#ifndef VIGIL_POLICY_WATCH_H
#define VIGIL_POLICY_WATCH_H

#include <stdbool.h>
#include <stddef.h>

struct vigil_policy_watch;

/* Watches the files (through their directories: editors replace files by
 * renaming) and the directories given. NULL when inotify is unavailable. */
struct vigil_policy_watch *vigil_policy_watch_new(const char *const *paths, size_t n);

/* True once per batch of completed writes, renames or deletions; never blocks. */
bool vigil_policy_watch_changed(struct vigil_policy_watch *w);

void vigil_policy_watch_free(struct vigil_policy_watch *w);

#endif /* VIGIL_POLICY_WATCH_H */
