/* pathutil.h - building absolute paths from what the kernel sends. */
#ifndef VIGIL_PATHUTIL_H
#define VIGIL_PATHUTIL_H

#include <stddef.h>

/* comps holds dentry names leaf first, each NUL-terminated, len bytes in all
 * (the VIGIL_K_PATH encoding). Writes "/root/.../leaf" ("/" when empty).
 * Returns the length written; out is always NUL-terminated. */
size_t vigil_path_from_components(const char *comps, size_t len, char *out, size_t outsz);

/* Joins raw onto dir (unless raw is absolute) and removes ".", ".." and
 * repeated slashes lexically. dir may be NULL (then raw is taken as is). */
size_t vigil_path_resolve(const char *dir, const char *raw, char *out, size_t outsz);

#endif /* VIGIL_PATHUTIL_H */
