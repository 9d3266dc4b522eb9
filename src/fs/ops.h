/*
 * Operations performed on a child's behalf, on objects the view resolved
 * and checked: never a second lookup of a name the child could change in
 * between. An existing object is reached through its O_PATH fd (its magic
 * link, or an AT_EMPTY_PATH call); a name to create or remove is one
 * component in a directory held open. The caller has taken the child's
 * credentials (view.h); every function returns 0, an fd, or -errno as the
 * kernel gave it.
 *
 * nonblock: the call runs on the supervisor's event loop and must not
 * wait: an open that would (a lease held elsewhere) fails with -EAGAIN,
 * and the caller hands it to a worker.
 */
#ifndef SL_FS_OPS_H
#define SL_FS_OPS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "fs/object.h"

/* Open the object held by opath with the child's open flags (creation and
 * lookup flags dropped: the object is already there). */
int sl_fs_open_object(struct sl_fd_dir *d, int opath, uint64_t flags,
		      bool nonblock);

/* Create name in parentfd (O_CREAT|O_EXCL added: exactly that new name)
 * with the child's flags and mode; umask is the child's, applied by the
 * kernel when own_umask is the thread's own, else here. */
int sl_fs_create(int parentfd, const char *name, uint64_t flags, mode_t mode,
		 mode_t umask, bool own_umask, bool nonblock);

int sl_fs_unlink(int parentfd, const char *name, bool slash, int flags);
int sl_fs_rename(int oldparent, const char *oldname, bool oldslash,
		 int newparent, const char *newname, bool newslash,
		 unsigned flags);
/* Link the object held by opath as name in parentfd. */
int sl_fs_link(int opath, int parentfd, const char *name);
int sl_fs_symlink(const char *target, int parentfd, const char *name);
/* mkdir and mknod with the child's mode and umask (as sl_fs_create). */
int sl_fs_mkdir(int parentfd, const char *name, mode_t mode, mode_t umask,
		bool own_umask);
int sl_fs_mknod(int parentfd, const char *name, mode_t mode, dev_t dev,
		mode_t umask, bool own_umask);

/* Truncate the object held by opath (a regular file) to len. */
int sl_fs_truncate(struct sl_fd_dir *d, int opath, const struct sl_fs_obj *o,
		   uint64_t len, bool nonblock);

/* Metadata of the object held by fd (an O_PATH fd or an open file). */
int sl_fs_chmod(int fd, const struct sl_fs_obj *o, mode_t mode);
int sl_fs_chown(int fd, uid_t uid, gid_t gid);
/* ts: NULL for "now"; UTIME_NOW / UTIME_OMIT as utimensat. */
int sl_fs_utimes(int fd, const struct sl_fs_obj *o, const struct timespec *ts);
int sl_fs_setxattr(int fd, const char *name, const void *value, size_t size,
		   int flags);
int sl_fs_removexattr(int fd, const char *name);

#endif
