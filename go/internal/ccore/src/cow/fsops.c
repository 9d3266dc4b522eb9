/*
 * Path operations confined to a tree (the upper or the workdir): every
 * walk goes through openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, so
 * a directory component replaced by a symlink (by the child, by another
 * user of the workdir) stops the operation instead of redirecting it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cow/internal.h"
#include "util/cleanup.h"

int sl_cow_openat2(int dirfd, const char *path, int flags, uint64_t resolve)
{
	struct open_how how = {
		.flags = (uint64_t)(unsigned)(flags | O_CLOEXEC),
		.resolve = resolve,
	};
	long fd;

	do
		fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EINTR);
	return fd < 0 ? -errno : (int)fd;
}

bool sl_cow_rel_valid(const char *rel)
{
	size_t len;
	const char *p = rel;

	if (!rel)
		return false;
	len = strlen(rel);
	if (len == 0)
		return true;
	if (len >= PATH_MAX)
		return false;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		if (!slash)
			return true;
		p = slash + 1;
	}
}

int sl_cow_open_beneath(int root, const char *rel, int flags)
{
	return sl_cow_openat2(root, *rel ? rel : ".", flags, SL_COW_RESOLVE);
}

int sl_cow_opendir(int root, const char *rel, DIR **d)
{
	int fd = sl_cow_open_beneath(root, rel, O_RDONLY | O_DIRECTORY);

	*d = NULL;
	if (fd == -ENOENT || fd == -ENOTDIR)
		return 0;
	if (fd < 0)
		return fd;
	*d = fdopendir(fd);
	if (!*d) {
		int r = -errno;

		close(fd);
		return r;
	}
	return 0;
}

struct dirent *sl_cow_readdir(DIR *d)
{
	struct dirent *de;

	do
		errno = 0, de = readdir(d);
	while (de &&
	       (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0));
	return de;
}

int sl_cow_open_parent(int root, const char *rel, const char **name)
{
	char parent[PATH_MAX];
	const char *slash;
	size_t n;

	if (!sl_cow_rel_valid(rel) || !*rel)
		return -EINVAL;
	slash = strrchr(rel, '/');
	if (!slash) {
		*name = rel;
		return sl_cow_openat2(root, ".", O_PATH | O_DIRECTORY,
				      SL_COW_RESOLVE);
	}
	n = (size_t)(slash - rel);
	memcpy(parent, rel, n);
	parent[n] = '\0';
	*name = slash + 1;
	return sl_cow_openat2(root, parent, O_PATH | O_DIRECTORY,
			      SL_COW_RESOLVE);
}

/*
 * A parent the upper lacks is materialized only when the merged view has
 * it: a directory of the workdir that no whiteout covers. So a staging
 * below a missing, deleted or symlinked directory fails (ENOENT, ENOTDIR,
 * ELOOP) instead of inventing one.
 */
static int merged_parent(struct sl_cow_branch *b, const char *rel, size_t len)
{
	char prefix[PATH_MAX];
	struct stat st;
	int r;

	memcpy(prefix, rel, len);
	prefix[len] = '\0';
	if (sl_cow_covered(b, prefix))
		return -ENOENT;
	r = sl_cow_lower_stat(b, prefix, &st);
	if (r < 0)
		return r;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int sl_cow_make_parents(struct sl_cow_branch *b, const char *rel)
{
	_cleanup_(closep) int cur = -1;
	const char *p = rel;
	char comp[NAME_MAX + 1];

	if (!sl_cow_rel_valid(rel) || !*rel)
		return -EINVAL;
	cur = sl_cow_openat2(b->upper_fd, ".", O_PATH | O_DIRECTORY,
			     SL_COW_RESOLVE);
	if (cur < 0)
		return cur;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n;
		int next, r;

		if (!slash)
			return 0; /* p is the last component: not a parent */
		n = (size_t)(slash - p);
		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(comp, p, n);
		comp[n] = '\0';
		next = sl_cow_openat2(cur, comp, O_PATH | O_DIRECTORY,
				      SL_COW_RESOLVE);
		if (next == -ENOENT) {
			r = merged_parent(b, rel, (size_t)(slash - rel));
			if (r == 0)
				r = sl_cow_quota_reserve(b, SL_COW_DIR_CHARGE);
			if (r < 0)
				return r;
			if (mkdirat(cur, comp, 0755) < 0) {
				r = -errno;
				sl_cow_quota_release(b, SL_COW_DIR_CHARGE);
				if (r != -EEXIST)
					return r;
			}
			next = sl_cow_openat2(cur, comp, O_PATH | O_DIRECTORY,
					      SL_COW_RESOLVE);
		}
		if (next < 0)
			return next;
		close(cur);
		cur = next;
		p = slash + 1;
	}
}

int sl_cow_fsync_dir(int fd)
{
	_cleanup_(closep) int d = -1;

	d = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d < 0)
		return -errno;
	return fsync(d) < 0 ? -errno : 0;
}

static int copy_rw(int src, int dst, off_t off)
{
	char buf[128 * 1024];

	for (;;) {
		ssize_t n = pread(src, buf, sizeof(buf), off), w = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		while (w < n) {
			ssize_t k =
				pwrite(dst, buf + w, (size_t)(n - w), off + w);

			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				return k < 0 ? -errno : -EIO;
			w += k;
		}
		off += n;
	}
}

int sl_cow_copy_data(int src, int dst)
{
	loff_t in = 0, out = 0;

	/* A reflink shares the blocks: O(1) whatever the size. */
	if (ioctl(dst, FICLONE, src) == 0)
		return 0;
	for (;;) {
		ssize_t n = copy_file_range(src, &in, dst, &out, 1 << 30, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			/* Not between these two files: copy by hand from
			 * where it stopped. */
			if (errno == EXDEV || errno == EINVAL ||
			    errno == ENOSYS || errno == EOPNOTSUPP)
				return copy_rw(src, dst, in);
			return -errno;
		}
		if (n == 0)
			return 0;
	}
}

int sl_cow_join(const char *rel, const char *name, char **out)
{
	size_t a = strlen(rel), n = strlen(name);

	*out = NULL;
	if (a + 1 + n >= PATH_MAX)
		return -ENAMETOOLONG;
	*out = malloc(a + 1 + n + 1);
	if (!*out)
		return -ENOMEM;
	if (a) {
		memcpy(*out, rel, a);
		(*out)[a] = '/';
		memcpy(*out + a + 1, name, n + 1);
	} else {
		memcpy(*out, name, n + 1);
	}
	return 0;
}

bool sl_cow_path_covers(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (n == 0)
		return true;
	return strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '/');
}

uint64_t sl_cow_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
