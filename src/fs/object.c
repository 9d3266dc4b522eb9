#include "fs/object.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/cleanup.h"

/* Unique mount ids (never reused) from Linux 6.8; older kernels give the
 * reusable ones. */
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x00004000U
#endif
#ifndef CEPH_SUPER_MAGIC
#define CEPH_SUPER_MAGIC 0x00c36400
#endif
#ifndef OCFS2_SUPER_MAGIC
#define OCFS2_SUPER_MAGIC 0x7461636f
#endif
#define GFS2_MAGIC_ 0x01161970
#define ORANGEFS_MAGIC_ 0x20030528
#define LUSTRE_MAGIC_ 0x0BD00BD0

int sl_fs_obj_of(int fd, struct sl_fs_obj *o)
{
	struct statx sx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT,
		  STATX_TYPE | STATX_MODE | STATX_INO | STATX_NLINK |
			  STATX_MNT_ID | STATX_MNT_ID_UNIQUE,
		  &sx) < 0)
		return -errno;
	o->dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	o->rdev = makedev(sx.stx_rdev_major, sx.stx_rdev_minor);
	o->ino = (ino_t)sx.stx_ino;
	o->mode = sx.stx_mode;
	o->nlink = sx.stx_nlink;
	o->mnt_id = (sx.stx_mask & (STATX_MNT_ID | STATX_MNT_ID_UNIQUE)) ?
			    sx.stx_mnt_id :
			    0;
	return 0;
}

/* ---- filesystem kinds, cached per mount ------------------------------- */

#define KIND_CACHE 256

static struct {
	pthread_mutex_t lock;
	size_t n, next;
	struct {
		uint64_t mnt_id;
		dev_t dev;
		enum sl_fs_kind kind;
	} e[KIND_CACHE];
} kinds = { .lock = PTHREAD_MUTEX_INITIALIZER };

static enum sl_fs_kind kind_of_magic(long magic)
{
	switch ((unsigned long)magic & 0xffffffffUL) {
	case PROC_SUPER_MAGIC:
		return SL_FSK_PROC;
	case SYSFS_MAGIC:
		return SL_FSK_SYS;
	case DEBUGFS_MAGIC:
	case TRACEFS_MAGIC:
		return SL_FSK_KDEBUG;
	case NFS_SUPER_MAGIC:
	case SMB_SUPER_MAGIC:
	case CIFS_SUPER_MAGIC:
	case SMB2_SUPER_MAGIC:
	case FUSE_SUPER_MAGIC:
	case V9FS_MAGIC:
	case CEPH_SUPER_MAGIC:
	case AFS_SUPER_MAGIC:
	case AFS_FS_MAGIC:
	case CODA_SUPER_MAGIC:
	case OCFS2_SUPER_MAGIC:
	case GFS2_MAGIC_:
	case ORANGEFS_MAGIC_:
	case LUSTRE_MAGIC_:
		return SL_FSK_SLOW;
	}
	return SL_FSK_PLAIN;
}

enum sl_fs_kind sl_fs_kind_of(int fd, const struct sl_fs_obj *o)
{
	struct statfs sf;
	enum sl_fs_kind k;

	/* The mount identifies the filesystem: unique mount ids are never
	 * reused, the older ones (and devices) only after an unmount. */
	pthread_mutex_lock(&kinds.lock);
	for (size_t i = 0; o->mnt_id && i < kinds.n; i++)
		if (kinds.e[i].mnt_id == o->mnt_id &&
		    kinds.e[i].dev == o->dev) {
			k = kinds.e[i].kind;
			pthread_mutex_unlock(&kinds.lock);
			return k;
		}
	pthread_mutex_unlock(&kinds.lock);
	/* Unknown: a filesystem that cannot say is treated as slow (it is
	 * then served off the event loop, never inline). */
	k = fstatfs(fd, &sf) == 0 ? kind_of_magic((long)sf.f_type) :
				    SL_FSK_SLOW;
	if (!o->mnt_id)
		return k;
	pthread_mutex_lock(&kinds.lock);
	kinds.e[kinds.next].mnt_id = o->mnt_id;
	kinds.e[kinds.next].dev = o->dev;
	kinds.e[kinds.next].kind = k;
	kinds.next = (kinds.next + 1) % KIND_CACHE;
	if (kinds.n < KIND_CACHE)
		kinds.n++;
	pthread_mutex_unlock(&kinds.lock);
	return k;
}

/* ---- a thread's own descriptors --------------------------------------- */

static __thread pid_t my_tid;

static pid_t current_tid(void)
{
	if (!my_tid)
		my_tid = gettid();
	return my_tid;
}

void sl_fd_dir_close(struct sl_fd_dir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	d->tid = 0;
}

/* The fd directory of the calling thread, or -1 (then full paths). */
static int fd_dir(struct sl_fd_dir *d)
{
	if (!d)
		return -1;
	if (d->fd >= 0 && d->tid == current_tid())
		return d->fd;
	sl_fd_dir_close(d);
	d->fd = open("/proc/thread-self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	d->tid = current_tid();
	return d->fd;
}

const char *sl_fd_magic(int fd, char *buf, size_t cap)
{
	snprintf(buf, cap, "/proc/thread-self/fd/%d", fd);
	return buf;
}

int sl_fd_path(struct sl_fd_dir *d, int fd, char **out)
{
	char name[40];
	char *buf = malloc(4096 + 1);
	int dir = fd_dir(d);
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	if (dir >= 0) {
		snprintf(name, sizeof(name), "%d", fd);
		n = readlinkat(dir, name, buf, 4096 + 1);
	} else {
		n = readlink(sl_fd_magic(fd, name, sizeof(name)), buf,
			     4096 + 1);
	}
	if (n < 0 || n > 4096) {
		int e = n < 0 ? errno : ENAMETOOLONG;

		free(buf);
		return -e;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

int sl_fd_reopen(struct sl_fd_dir *d, int fd, int flags, mode_t mode)
{
	char name[40];
	int dir = fd_dir(d), nfd;

	if (dir >= 0) {
		snprintf(name, sizeof(name), "%d", fd);
		nfd = openat(dir, name, flags | O_CLOEXEC, mode);
	} else {
		nfd = open(sl_fd_magic(fd, name, sizeof(name)),
			   flags | O_CLOEXEC, mode);
	}
	return nfd < 0 ? -errno : nfd;
}
