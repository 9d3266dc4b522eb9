/*
 * Pure path arithmetic used by the fs_denied handler: lexical
 * normalization, component-wise prefix matching and the /proc and /sys
 * paths every sandbox is denied (behavior.md 3.3, 8.1).
 */
#ifndef SL_HANDLERS_FSPATH_H
#define SL_HANDLERS_FSPATH_H

#include <stdbool.h>
#include <sys/types.h>

/* Absolute, lexically normalized form of path (relative paths are taken
 * from base, itself absolute): "//" and "." collapse, ".." removes one
 * component and stays at "/" at the root, no trailing slash (except "/").
 * The caller frees *out. -EINVAL when neither path nor base is absolute. */
int sl_path_normalize(const char *base, const char *path, char **out);

/* Is path at or under prefix, component-wise ("/etc/shadow" does not cover
 * "/etc/shadowx")? Both must be normalized. */
bool sl_path_covers(const char *prefix, const char *path);

/* /proc and /sys entries no sandbox may open (exact or any descendant). */
bool sl_path_sensitive(const char *path);

/* Does path contain /proc or a sensitive entry, or lie inside one? (A
 * grant there lets the child reach them.) */
bool sl_path_reaches_sensitive(const char *path);

/* If path is /proc/<N> or below with N numeric, store N and return true. */
bool sl_path_proc_pid(const char *path, pid_t *pid);

#endif
