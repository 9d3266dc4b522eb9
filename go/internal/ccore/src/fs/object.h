/*
 * What the filesystem view knows of an object it holds (an O_PATH or open
 * fd of the supervisor): its identity and type from one statx, the path
 * the kernel gives it, and the kind of filesystem it lives on.
 */
#ifndef SL_FS_OBJECT_H
#define SL_FS_OBJECT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct sl_fs_obj {
	dev_t dev;
	ino_t ino;
	mode_t mode;
	dev_t rdev;
	uint64_t mnt_id;
	uint32_t nlink;
};

/* statx of fd itself. */
int sl_fs_obj_of(int fd, struct sl_fs_obj *o);

/* The kinds of filesystem the view treats apart. */
enum sl_fs_kind {
	SL_FSK_PLAIN = 0, /* local, never waits on a peer */
	SL_FSK_PROC,	  /* procfs: names depend on who resolves them */
	SL_FSK_SYS,	  /* sysfs */
	SL_FSK_KDEBUG,	  /* debugfs, tracefs: no sandbox opens them */
	SL_FSK_SLOW,	  /* network or user-space filesystems: may block */
};

/* The kind of the filesystem of fd (o: its statx); answers are cached
 * per mount. */
enum sl_fs_kind sl_fs_kind_of(int fd, const struct sl_fs_obj *o);

/* Per-thread access to the thread's own descriptors by number: an O_PATH
 * fd of /proc/thread-self/fd, opened on first use. A supervisor thread
 * and each worker keep one (they may have fd tables of their own). */
struct sl_fd_dir {
	int fd;
	pid_t tid;
};
#define SL_FD_DIR_INIT             \
	{                          \
		.fd = -1, .tid = 0 \
	}
void sl_fd_dir_close(struct sl_fd_dir *d);

/* The path of an open file as the kernel names it (readlink of
 * /proc/thread-self/fd/N: this thread's fd table, which a host program
 * may have unshared); d may be NULL. The caller frees *out. */
int sl_fd_path(struct sl_fd_dir *d, int fd, char **out);

/* Reopen the object of fd (an O_PATH fd) with flags, through its magic
 * link: exactly the object held, never a new lookup of its name. */
int sl_fd_reopen(struct sl_fd_dir *d, int fd, int flags, mode_t mode);

/* "/proc/thread-self/fd/N" for the *at() calls that act on an object
 * through its magic link (buf of at least 40 bytes). */
const char *sl_fd_magic(int fd, char *buf, size_t cap);

#endif
