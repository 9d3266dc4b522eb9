#include "fs/ops.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fs/kcompat.h"
#include "util/cleanup.h"

/* Flags that only steer the lookup or the creation. */
#define SL_LOOKUP_FLAGS ((uint64_t)(O_CREAT | O_EXCL | O_NOFOLLOW | O_PATH))

/* O_TMPFILE includes the O_DIRECTORY bit: test for all of its bits. */
static bool is_tmpfile(uint64_t flags)
{
	return (flags & __O_TMPFILE) == __O_TMPFILE;
}

/* O_NONBLOCK was ours, not the child's: take it back off. F_SETFL sets
 * the status flags it knows (O_APPEND, O_DIRECT, O_NOATIME, O_NONBLOCK)
 * as given: the child's own (O_ASYNC, which open ignores, left out). */
static int settle_nonblock(int fd, uint64_t flags, bool added)
{
	if (!added || (flags & O_NONBLOCK))
		return fd;
	if (fcntl(fd, F_SETFL, (int)flags & ~(O_NONBLOCK | O_ASYNC)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

int sl_fs_open_object(struct sl_fd_dir *d, int opath, uint64_t flags,
		      bool nonblock)
{
	int f = (int)(flags & ~SL_LOOKUP_FLAGS) | O_NOCTTY;
	int fd;

	if (is_tmpfile(flags))
		return -EINVAL; /* created through sl_fs_create */
	if (nonblock)
		f |= O_NONBLOCK;
	fd = sl_fd_reopen(d, opath, f, 0);
	if (fd < 0)
		return fd == -EWOULDBLOCK ? -EAGAIN : fd;
	return settle_nonblock(fd, flags, nonblock);
}

static bool default_acl(int dirfd)
{
	char link[40];

	return getxattr(sl_fd_magic(dirfd, link, sizeof(link)),
			"system.posix_acl_default", NULL, 0) >= 0;
}

int sl_fs_create(int parentfd, const char *name, uint64_t flags, mode_t mode,
		 mode_t umask, bool own_umask, bool nonblock)
{
	mode_t want = mode & 07777 & ~umask;
	int f = (int)(flags & ~(uint64_t)(O_NOFOLLOW | O_PATH)) | O_CLOEXEC |
		O_NOCTTY;
	struct stat st;
	int fd;

	if (is_tmpfile(flags)) {
		/* an unnamed file in the directory parentfd itself */
		name = ".";
	} else {
		f |= O_CREAT | O_EXCL;
	}
	if (nonblock)
		f |= O_NONBLOCK;
	fd = openat(parentfd, name, f, want);
	if (fd < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	/* The kernel applied our umask as well: set the mode the child
	 * asked for (which only adds bits back), unless the directory has a
	 * default ACL, whose mode stands (umasks do not apply there). */
	if (!own_umask && fstat(fd, &st) == 0 && (st.st_mode & 07777) != want &&
	    !default_acl(parentfd) && fchmod(fd, want) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return settle_nonblock(fd, flags, nonblock);
}

/* name with its trailing slash (the kernel then wants a directory); NULL
 * for a name longer than any the kernel takes (ENAMETOOLONG). */
static const char *with_slash(const char *name, bool slash, char *buf,
			      size_t cap)
{
	if (!slash)
		return name;
	if ((size_t)snprintf(buf, cap, "%s/", name) >= cap)
		return NULL;
	return buf;
}

int sl_fs_unlink(int parentfd, const char *name, bool slash, int flags)
{
	char buf[NAME_MAX + 2];
	const char *n = with_slash(name, slash, buf, sizeof(buf));

	if (!n)
		return -ENAMETOOLONG;
	return unlinkat(parentfd, n, flags) < 0 ? -errno : 0;
}

int sl_fs_rename(int oldparent, const char *oldname, bool oldslash,
		 int newparent, const char *newname, bool newslash,
		 unsigned flags)
{
	char ob[NAME_MAX + 2], nb[NAME_MAX + 2];
	const char *o = with_slash(oldname, oldslash, ob, sizeof(ob));
	const char *n = with_slash(newname, newslash, nb, sizeof(nb));

	if (!o || !n)
		return -ENAMETOOLONG;
	if (syscall(SYS_renameat2, oldparent, o, newparent, n, flags) < 0)
		return -errno;
	return 0;
}

int sl_fs_link(int opath, int parentfd, const char *name)
{
	char link[40];

	/* Through the magic link: the object held, even a symlink. */
	if (linkat(AT_FDCWD, sl_fd_magic(opath, link, sizeof(link)), parentfd,
		   name, AT_SYMLINK_FOLLOW) < 0)
		return -errno;
	return 0;
}

int sl_fs_symlink(const char *target, int parentfd, const char *name)
{
	return symlinkat(target, parentfd, name) < 0 ? -errno : 0;
}

/* The mode the child asked for, where the kernel applied our umask as
 * well (a default ACL's mode stands). */
static int settle_mode(int parentfd, const char *name, mode_t want,
		       bool own_umask)
{
	struct stat st;

	if (own_umask ||
	    fstatat(parentfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    (st.st_mode & 07777) == want || default_acl(parentfd))
		return 0;
	return fchmodat(parentfd, name, want, 0) < 0 ? -errno : 0;
}

int sl_fs_mkdir(int parentfd, const char *name, mode_t mode, mode_t umask,
		bool own_umask)
{
	mode_t want = mode & 07777 & ~umask;

	if (mkdirat(parentfd, name, want) < 0)
		return -errno;
	return settle_mode(parentfd, name, want, own_umask);
}

int sl_fs_mknod(int parentfd, const char *name, mode_t mode, dev_t dev,
		mode_t umask, bool own_umask)
{
	mode_t want = mode & 07777 & ~umask;

	if (mknodat(parentfd, name, (mode & S_IFMT) | want, dev) < 0)
		return -errno;
	return settle_mode(parentfd, name, want, own_umask);
}

int sl_fs_truncate(struct sl_fd_dir *d, int opath, const struct sl_fs_obj *o,
		   uint64_t len, bool nonblock)
{
	int fd, r = 0;

	if ((int64_t)len < 0)
		return -EINVAL;
	if (S_ISDIR(o->mode))
		return -EISDIR;
	if (!S_ISREG(o->mode))
		return -EINVAL;
	/* Opening for writing makes the kernel's checks of truncate(2)
	 * (write permission, append-only, busy text, a lease to break). */
	fd = sl_fs_open_object(d, opath, O_WRONLY, nonblock);
	if (fd < 0)
		return fd;
	if (ftruncate(fd, (off_t)len) < 0)
		r = -errno;
	close(fd);
	return r;
}

int sl_fs_chmod(int fd, const struct sl_fs_obj *o, mode_t mode)
{
	if (syscall(__NR_fchmodat2, fd, "", mode,
		    AT_EMPTY_PATH |
			    (S_ISLNK(o->mode) ? AT_SYMLINK_NOFOLLOW : 0)) == 0)
		return 0;
	if (errno != ENOSYS)
		return -errno;
	/* before Linux 6.6 */
	if (S_ISLNK(o->mode))
		return -EOPNOTSUPP;
	{
		char link[40];

		return chmod(sl_fd_magic(fd, link, sizeof(link)), mode) < 0 ?
			       -errno :
			       0;
	}
}

int sl_fs_chown(int fd, uid_t uid, gid_t gid)
{
	return fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0 ? -errno : 0;
}

int sl_fs_utimes(int fd, const struct sl_fs_obj *o, const struct timespec *ts)
{
	if (utimensat(fd, "", ts,
		      AT_EMPTY_PATH |
			      (S_ISLNK(o->mode) ? AT_SYMLINK_NOFOLLOW : 0)) < 0)
		return -errno;
	return 0;
}

/* The xattr calls take no AT_EMPTY_PATH, and their f- variants refuse an
 * O_PATH fd (EBADF): such an fd goes through its magic link, which lands
 * on the object held (a symlink included). */
int sl_fs_setxattr(int fd, const char *name, const void *value, size_t size,
		   int flags)
{
	char link[40];

	if (fsetxattr(fd, name, value, size, flags) == 0)
		return 0;
	if (errno != EBADF)
		return -errno;
	return setxattr(sl_fd_magic(fd, link, sizeof(link)), name, value, size,
			flags) < 0 ?
		       -errno :
		       0;
}

int sl_fs_removexattr(int fd, const char *name)
{
	char link[40];

	if (fremovexattr(fd, name) == 0)
		return 0;
	if (errno != EBADF)
		return -errno;
	return removexattr(sl_fd_magic(fd, link, sizeof(link)), name) < 0 ?
		       -errno :
		       0;
}
