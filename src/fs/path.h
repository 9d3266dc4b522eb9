/*
 * Pure path arithmetic of the filesystem view: lexical normalization,
 * component-wise prefix matching, splitting off the last component, and
 * the /proc and /sys paths every sandbox is denied (docs/behaviour.md 3.3, 8.1).
 */
#ifndef SL_FS_PATH_H
#define SL_FS_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Absolute, lexically normalized form of path (relative paths are taken
 * from base, itself absolute): "//" and "." collapse, ".." removes one
 * component and stays at "/" at the root, no trailing slash (except "/").
 * The caller frees *out. -EINVAL when neither path nor base is absolute. */
int sl_path_normalize(const char *base, const char *path, char **out);

/* Is path at or under prefix, component-wise ("/etc/shadow" does not cover
 * "/etc/shadowx")? Both must be normalized. */
bool sl_path_covers(const char *prefix, const char *path);

/* The last component of path as the kernel sees it when it creates or
 * removes a name: path = dir + name + trailing slashes. *dir_len is the
 * length of the directory part (0: the base directory itself; the part
 * keeps a leading "/" for "/name"), name/name_len the component (empty
 * for "/" or ""), *slash whether slashes followed it. */
void sl_path_last(const char *path, size_t *dir_len, const char **name,
		  size_t *name_len, bool *slash);

/* Drop the " (deleted)" the kernel appends to the path of a file that was
 * unlinked while open (it keeps the rules of where it was). */
void sl_path_strip_deleted(char *path);

/* /proc and /sys entries no sandbox may open (exact or any descendant). */
bool sl_path_sensitive(const char *path);
/* The i-th of them; NULL past the last. */
const char *sl_path_sensitive_at(size_t i);
/* Is that entry a tree whose files can have no other name (debugfs,
 * tracefs: no hard links, tens of thousands of entries)? Its denial is by
 * path and hole alone, without a search of the tree for other names. */
bool sl_path_sensitive_linkless(const char *s);

/* Does path contain /proc or a sensitive entry, or lie inside one? (A
 * grant there lets the child reach them.) */
bool sl_path_reaches_sensitive(const char *path);

/* Does path contain /proc or lie inside it? */
bool sl_path_reaches_proc(const char *path);

/* If path is /proc/<N> or below with N numeric, store N and return true. */
bool sl_path_proc_pid(const char *path, pid_t *pid);

#endif
