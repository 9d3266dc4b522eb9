/*
 * Other names of denied objects: where else, under the grants, a denied
 * file or directory can be reached by a path that does not pass through
 * the denied one. Landlock decides by path, so a ruleset that leaves a
 * denied entry out of its grants (fs/holes.h) must leave these out too,
 * or the kernel grants them.
 *
 * Other mounts of the denied object's filesystem (bind mounts: the same
 * object under another mount point) are computed from the mount table,
 * completely. Other hard links of a denied file, or of a file inside a
 * denied directory, could be found only by walking every grant on that
 * filesystem (a whole /usr: seconds), so where one exists the search says
 * it is incomplete, as it does past its bounds, and the caller must
 * assume other names exist (and check execs on a sandbox held still:
 * handlers/freeze.c).
 */
#ifndef SL_FS_ALIASES_H
#define SL_FS_ALIASES_H

#include <stdbool.h>

#include "util/vec.h"

/* The other names (canonical paths) of the objects at denied (canonical
 * paths that exist), into out. *complete: every such name was found.
 * 0 or -ENOMEM. */
int sl_fs_aliases_of(const struct sl_strv *denied, struct sl_strv *out,
		     bool *complete);

/* The mount points of procfs, sysfs, debugfs and tracefs filesystems
 * other than /proc and /sys (and not inside them): the kernel's sensitive
 * entries under another name (a chroot's /proc, a container's root seen
 * from its host), which the grants leave out as they leave out /proc
 * (fs/holes.h) and the view refuses (fs/view.h). Into out; 0 or
 * -errno. */
int sl_fs_kernel_mounts_elsewhere(struct sl_strv *out);

#endif
