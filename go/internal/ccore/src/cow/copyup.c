/*
 * Staging entries in the upper (docs/behaviour.md 9.3): copy-up from the
 * workdir and the creations the interception performs there. Each
 * creation is charged to the quota first and given back if it does not
 * happen; a copied file is built unnamed (O_TMPFILE) and linked under its
 * name once complete, so a concurrent reader never sees half a copy and
 * two concurrent copy-ups of one path leave one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cow/internal.h"
#include "util/cleanup.h"

/*
 * Give the unnamed file fd the name dirfd/name. AT_EMPTY_PATH needs
 * CAP_DAC_READ_SEARCH on older kernels; the /proc/self/fd link works for
 * anyone. -EEXIST when name exists.
 */
static int link_tmpfile(int fd, int dirfd, const char *name)
{
	char proc[64];

	if (linkat(fd, "", dirfd, name, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOENT && errno != EPERM && errno != EINVAL)
		return -errno;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW) < 0 ?
		       -errno :
		       0;
}

/* An unnamed regular file in dirfd, or a named temporary one (*tmpname
 * set) where the filesystem has no O_TMPFILE. */
static int open_unnamed(int dirfd, char tmpname[64])
{
	uint32_t rnd = 0;
	int fd;

	tmpname[0] = '\0';
	fd = openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0 ||
	    (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd < 0 ? -errno : fd;
	if (getrandom(&rnd, sizeof(rnd), 0) < 0)
		return -errno;
	snprintf(tmpname, 64, ".sandlock-tmp-%08x", rnd);
	fd = openat(dirfd, tmpname,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	return fd < 0 ? -errno : fd;
}

/* Name the copy: -EEXIST when someone else's is already there. */
static int publish(int fd, int dirfd, const char *tmpname, const char *name)
{
	int r;

	if (!*tmpname)
		return link_tmpfile(fd, dirfd, name);
	r = linkat(dirfd, tmpname, dirfd, name, 0) < 0 ? -errno : 0;
	unlinkat(dirfd, tmpname, 0);
	return r;
}

/*
 * Owner, mode and times of a copy. The owner is kept when this thread may
 * set it; otherwise the copy belongs to the thread's fsuid and loses its
 * set-id bits, as chown would drop them.
 */
static void copy_meta(int fd, const struct stat *st)
{
	mode_t mode = st->st_mode & 07777;
	struct timespec ts[2] = { st->st_atim, st->st_mtim };

	if (fchown(fd, st->st_uid, st->st_gid) < 0)
		mode &= ~(mode_t)(S_ISUID | S_ISGID);
	(void)fchmod(fd, mode);
	(void)futimens(fd, ts);
}

/* Extended attributes of src onto dst, those the thread may set (user.*,
 * and what its capabilities allow; the others are left out as cp -a
 * leaves them). */
static void copy_xattrs(int src, int dst)
{
	char names[4096], value[4096];
	ssize_t n = flistxattr(src, names, sizeof(names));

	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(names + i) + 1) {
		ssize_t len = fgetxattr(src, names + i, value, sizeof(value));

		if (len >= 0)
			(void)fsetxattr(dst, names + i, value, (size_t)len, 0);
	}
}

static int copy_regular(struct sl_cow_branch *b, int lparent, const char *name,
			int uparent, bool empty)
{
	_cleanup_(closep) int src = -1;
	_cleanup_(closep) int dst = -1;
	char tmpname[64];
	struct stat st;
	int r;

	/* O_NONBLOCK: a regular file swapped for a FIFO must not block. */
	src = openat(lparent, name,
		     O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (src < 0)
		return errno == ENOENT || errno == EACCES ? SL_COW_UP_EMPTY :
							    -errno;
	if (fstat(src, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EAGAIN; /* changed under us: the caller may retry */
	if (empty)
		st.st_size = 0; /* about to be truncated: no content */
	r = sl_cow_quota_reserve(b, (uint64_t)st.st_size);
	if (r < 0)
		return r;
	dst = open_unnamed(uparent, tmpname);
	r = dst < 0 ? dst : empty ? 0 : sl_cow_copy_data(src, dst);
	if (r == 0) {
		copy_xattrs(src, dst);
		copy_meta(dst, &st);
		r = publish(dst, uparent, tmpname, name);
		if (r == -EEXIST) {
			sl_cow_quota_release(b, (uint64_t)st.st_size);
			return SL_COW_UP_PRESENT;
		}
	} else if (dst >= 0 && *tmpname) {
		unlinkat(uparent, tmpname, 0);
	}
	if (r < 0) {
		sl_cow_quota_release(b, (uint64_t)st.st_size);
		return r;
	}
	return SL_COW_UP_COPIED;
}

static int copy_symlink(struct sl_cow_branch *b, int lparent, const char *name,
			int uparent)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(lparent, name, target, sizeof(target) - 1);
	int r;

	if (n < 0)
		return errno == ENOENT || errno == EACCES ? SL_COW_UP_EMPTY :
							    -errno;
	target[n] = '\0';
	r = sl_cow_quota_reserve(b, SL_COW_SYMLINK_CHARGE);
	if (r < 0)
		return r;
	if (symlinkat(target, uparent, name) < 0) {
		r = -errno;
		sl_cow_quota_release(b, SL_COW_SYMLINK_CHARGE);
		return r == -EEXIST ? SL_COW_UP_PRESENT : r;
	}
	return SL_COW_UP_COPIED;
}

static int copy_dir(struct sl_cow_branch *b, const struct stat *st, int lparent,
		    int uparent, const char *name)
{
	_cleanup_(closep) int fd = -1;
	_cleanup_(closep) int src = -1;
	int r = sl_cow_quota_reserve(b, SL_COW_DIR_CHARGE);

	if (r < 0)
		return r;
	/* Created private, then given the lower's exact mode (umask and
	 * all) on the object itself. */
	if (mkdirat(uparent, name, 0700) < 0) {
		r = -errno;
		sl_cow_quota_release(b, SL_COW_DIR_CHARGE);
		return r == -EEXIST ? SL_COW_UP_PRESENT : r;
	}
	fd = openat(uparent, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	src = openat(lparent, name,
		     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (src >= 0)
		copy_xattrs(src, fd);
	copy_meta(fd, st);
	return SL_COW_UP_COPIED;
}

/* FIFO, socket, device: never opened; an empty 0600 file stands in for
 * it and the original is whited out. */
static int make_stub(struct sl_cow_branch *b, const char *rel, int uparent,
		     const char *name)
{
	_cleanup_(closep) int fd = -1;
	int r;

	fd = openat(uparent, name,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? SL_COW_UP_PRESENT : -errno;
	(void)fchmod(fd, 0600);
	r = sl_cow_whiteout(b, rel);
	if (r < 0) {
		unlinkat(uparent, name, 0);
		return r;
	}
	return SL_COW_UP_STUB;
}

static int copy_up(struct sl_cow_branch *b, const char *rel, bool empty)
{
	_cleanup_(closep) int lparent = -1;
	_cleanup_(closep) int uparent = -1;
	const char *name;
	struct stat st;
	int r;

	if (!sl_cow_rel_valid(rel))
		return -EINVAL;
	r = sl_cow_upper_stat(b, rel, NULL);
	if (r == 0)
		return SL_COW_UP_PRESENT;
	if (r != -ENOENT)
		return r;
	r = sl_cow_make_parents(b, rel);
	if (r < 0)
		return r;
	if (sl_cow_covered(b, rel))
		return SL_COW_UP_EMPTY;
	lparent = sl_cow_open_parent(b->workdir_fd, rel, &name);
	if (lparent == -ENOENT || lparent == -EACCES || lparent == -ENOTDIR)
		return SL_COW_UP_EMPTY;
	if (lparent < 0)
		return lparent;
	if (fstatat(lparent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT || errno == EACCES ? SL_COW_UP_EMPTY :
							    -errno;
	uparent = sl_cow_open_parent(b->upper_fd, rel, &name);
	if (uparent < 0)
		return uparent;
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		return copy_regular(b, lparent, name, uparent, empty);
	case S_IFLNK:
		return copy_symlink(b, lparent, name, uparent);
	case S_IFDIR:
		return copy_dir(b, &st, lparent, uparent, name);
	default:
		return make_stub(b, rel, uparent, name);
	}
}

int sl_cow_copy_up(struct sl_cow_branch *b, const char *rel)
{
	return copy_up(b, rel, false);
}

int sl_cow_copy_up_empty(struct sl_cow_branch *b, const char *rel)
{
	return copy_up(b, rel, true);
}

/* Push the merged children of directory rel that the upper may lack. */
static int push_lower_children(struct sl_cow_branch *b, const char *rel,
			       struct sl_strv *stack)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int r;

	if (sl_cow_covered(b, rel))
		return 0; /* opaque: the workdir's entries are gone */
	r = sl_cow_opendir(b->workdir_fd, rel, &d);
	if (r == -EACCES || !d)
		return r == -EACCES ? 0 : r;
	while ((de = sl_cow_readdir(d))) {
		char *child;

		r = sl_cow_join(rel, de->d_name, &child);
		if (r == 0 &&
		    ((b->storage_rel && strcmp(child, b->storage_rel) == 0) ||
		     sl_cow_covered(b, child))) {
			free(child);
			continue;
		}
		if (r == 0)
			r = sl_strv_push_take(stack, child);
		if (r < 0)
			return r;
	}
	return errno ? -errno : 0;
}

int sl_cow_copy_up_tree(struct sl_cow_branch *b, const char *rel)
{
	struct sl_strv stack = { 0 };
	int r;

	if (!sl_cow_rel_valid(rel))
		return -EINVAL;
	r = sl_strv_push(&stack, rel);
	while (r >= 0 && stack.n > 0) {
		char *cur = stack.v[--stack.n];
		struct stat st;

		stack.v[stack.n] = NULL;
		r = sl_cow_copy_up(b, cur);
		if (r >= 0 && sl_cow_upper_stat(b, cur, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			r = push_lower_children(b, cur, &stack);
		free(cur);
	}
	sl_strv_free(&stack);
	return r < 0 ? r : 0;
}

/* Parents, then the parent fd and the final name of a new upper entry. */
static int prepare_new(struct sl_cow_branch *b, const char *rel,
		       const char **name)
{
	int r;

	if (!sl_cow_rel_valid(rel) || !*rel)
		return -EINVAL;
	r = sl_cow_make_parents(b, rel);
	if (r < 0)
		return r;
	return sl_cow_open_parent(b->upper_fd, rel, name);
}

int sl_cow_mkdir(struct sl_cow_branch *b, const char *rel, mode_t mode)
{
	_cleanup_(closep) int parent = prepare_new(b, rel, &rel);
	int r;

	if (parent < 0)
		return parent;
	r = sl_cow_quota_reserve(b, SL_COW_DIR_CHARGE);
	if (r == 0 && mkdirat(parent, rel, mode & 07777) < 0) {
		r = -errno;
		sl_cow_quota_release(b, SL_COW_DIR_CHARGE);
	}
	return r;
}

int sl_cow_symlink(struct sl_cow_branch *b, const char *target, const char *rel)
{
	_cleanup_(closep) int parent = prepare_new(b, rel, &rel);
	int r;

	if (parent < 0)
		return parent;
	r = sl_cow_quota_reserve(b, SL_COW_SYMLINK_CHARGE);
	if (r == 0 && symlinkat(target, parent, rel) < 0) {
		r = -errno;
		sl_cow_quota_release(b, SL_COW_SYMLINK_CHARGE);
	}
	return r;
}

int sl_cow_mknod(struct sl_cow_branch *b, const char *rel, mode_t mode)
{
	_cleanup_(closep) int parent = -1;
	mode_t type = mode & S_IFMT;
	int fd;

	if (type != 0 && type != S_IFREG && type != S_IFIFO && type != S_IFSOCK)
		return -EPERM; /* devices are never staged */
	parent = prepare_new(b, rel, &rel);
	if (parent < 0)
		return parent;
	if (type == S_IFIFO || type == S_IFSOCK)
		return mknodat(parent, rel, mode & (S_IFMT | 07777), 0) < 0 ?
			       -errno :
			       0;
	fd = openat(parent, rel,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    mode & 07777);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int sl_cow_remove_upper(struct sl_cow_branch *b, const char *rel)
{
	_cleanup_(closep) int parent = -1;
	const char *name;
	struct stat st;
	uint64_t charge;

	if (!sl_cow_rel_valid(rel) || !*rel)
		return -EINVAL;
	parent = sl_cow_open_parent(b->upper_fd, rel, &name);
	if (parent < 0)
		return parent == -ENOTDIR ? -ENOENT : parent;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (unlinkat(parent, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0)
		return -errno;
	charge = S_ISDIR(st.st_mode) ? SL_COW_DIR_CHARGE :
		 S_ISLNK(st.st_mode) ? SL_COW_SYMLINK_CHARGE :
		 S_ISREG(st.st_mode) ? (uint64_t)st.st_size :
				       0;
	sl_cow_quota_release(b, charge);
	return 0;
}

int sl_cow_remove(struct sl_cow_branch *b, const char *rel)
{
	int r = sl_cow_remove_upper(b, rel);

	if (r < 0 && r != -ENOENT)
		return r;
	if (sl_cow_covered(b, rel) ||
	    sl_cow_lower_stat(b, rel, NULL) == -ENOENT)
		return 0; /* nothing of the workdir to hide */
	return sl_cow_whiteout(b, rel);
}
