/*
 * Commit (docs/behaviour.md 9.6): merging a branch into its workdir so that a
 * crash at any point loses nothing and a retry finishes the job.
 *
 * The record of progress is the PRESERVED marker, written durably before
 * the workdir is touched and replaced whole. While it lists deletions,
 * none of the additions has started, so applying them again is harmless
 * (each is confirmed gone). Once it lists none, the deletions are done
 * and are never applied again: an addition that already landed is safe.
 * Additions are moved out of the upper as they land, so what is left in
 * the upper is exactly what is left to do. The marker goes last when the
 * storage is removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "cow/internal.h"
#include "util/cleanup.h"

#define LOCK_POLL_MS 20

static int lock_workdir(struct sl_cow_branch *b, unsigned timeout_ms)
{
	const struct timespec poll = { 0, LOCK_POLL_MS * 1000000L };
	uint64_t deadline = sl_cow_now_ns() + (uint64_t)timeout_ms * 1000000ULL;

	for (;;) {
		if (flock(b->workdir_fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return -errno;
		if (sl_cow_now_ns() >= deadline)
			return -EAGAIN;
		nanosleep(&poll, NULL);
	}
}

/* Is rel absent from the workdir (as a path beneath it)? */
static bool gone(struct sl_cow_branch *b, const char *rel)
{
	int r = sl_cow_lower_stat(b, rel, NULL);

	return r == -ENOENT || r == -ENOTDIR || r == -ELOOP;
}

/* Make the removals below each parent of dels durable: once per parent,
 * before the marker says the deletions are done. */
static int sync_parents(struct sl_cow_branch *b, const struct sl_strv *dels,
			struct sl_error *e)
{
	const char *prev = NULL;
	size_t prev_len = 0;

	for (size_t i = 0; i < dels->n; i++) {
		const char *rel = dels->v[i], *slash = strrchr(rel, '/');
		size_t len = slash ? (size_t)(slash - rel) : 0;
		char parent[PATH_MAX];
		int fd, r;

		if (prev && len == prev_len && strncmp(prev, rel, len) == 0)
			continue;
		prev = rel;
		prev_len = len;
		memcpy(parent, rel, len);
		parent[len] = '\0';
		fd = sl_cow_open_beneath(b->workdir_fd, parent,
					 O_PATH | O_DIRECTORY);
		if (fd == -ENOENT || fd == -ENOTDIR || fd == -ELOOP)
			continue; /* removed with an ancestor */
		r = fd < 0 ? fd : sl_cow_fsync_dir(fd);
		if (fd >= 0)
			close(fd);
		if (r < 0)
			return sl_err(e, -r, "commit: cannot sync '%s/%s': %s",
				      b->workdir, parent, strerror(-r));
	}
	return 0;
}

static int apply_deletions(struct sl_cow_branch *b, struct sl_error *e)
{
	struct sl_strv dels = { 0 };
	int r;

	pthread_mutex_lock(&b->lock);
	r = sl_cow_wset_sorted(&b->whiteouts, true, &dels);
	pthread_mutex_unlock(&b->lock);
	if (r < 0)
		return sl_err(e, -r, "commit: out of memory");
	for (size_t i = 0; r == 0 && i < dels.n; i++) {
		const char *rel = dels.v[i];

		r = sl_cow_remove_tree(b->workdir_fd, rel, b->base_dev,
				       b->base_ino);
		if (r == 0 && !gone(b, rel))
			r = -ENOTEMPTY;
		if (r < 0)
			sl_err(e, -r, "commit: cannot delete '%s/%s': %s",
			       b->workdir, rel, strerror(-r));
	}
	if (r == 0)
		r = sync_parents(b, &dels, e);
	if (r == 0) {
		pthread_mutex_lock(&b->lock);
		for (size_t i = 0; i < dels.n; i++)
			sl_cow_wset_find(&b->whiteouts, dels.v[i],
					 strlen(dels.v[i]))
				->pending = false;
		pthread_mutex_unlock(&b->lock);
	}
	sl_strv_free(&dels);
	return r;
}

/* Files landed by copy that have other names still to land: the workdir
 * gets one inode for them too. */
struct links {
	struct {
		dev_t dev;
		ino_t ino;
		char *rel;
	} * v;
	size_t n;
};

static const char *landed_as(const struct links *l, const struct stat *st)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].dev == st->st_dev && l->v[i].ino == st->st_ino)
			return l->v[i].rel;
	return NULL;
}

static void remember(struct links *l, const struct stat *st, const char *rel)
{
	void *nv = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	char *copy = strdup(rel);

	if (!nv || !copy) { /* only a lost link, not lost data */
		free(copy);
		if (nv)
			l->v = nv;
		return;
	}
	l->v = nv;
	l->v[l->n].dev = st->st_dev;
	l->v[l->n].ino = st->st_ino;
	l->v[l->n].rel = copy;
	l->n++;
}

static void links_free(struct links *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].rel);
	free(l->v);
}

/* The temporary name a copy is built under in a workdir directory: one
 * per branch, so a retry finds and replaces what a crash left. */
static void tmp_name(const struct sl_cow_branch *b, char out[64])
{
	snprintf(out, 64, ".sandlock-commit-%s", b->uuid);
}

static int copy_file_to(int ufd, const struct stat *st, int wparent,
			const char *tmp)
{
	_cleanup_(closep) int dst = -1;
	mode_t mode = st->st_mode & 07777;
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	int r;

	dst = openat(wparent, tmp,
		     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     0600);
	if (dst < 0)
		return -errno;
	r = sl_cow_copy_data(ufd, dst);
	if (r < 0)
		return r;
	/* Never hand out set-id bits under an owner the file did not have. */
	if (fchown(dst, st->st_uid, st->st_gid) < 0)
		mode &= ~(mode_t)(S_ISUID | S_ISGID);
	if (fchmod(dst, mode) < 0 || futimens(dst, ts) < 0)
		return -errno;
	return 0;
}

/* Land one non-directory by copy (upper on another filesystem): built
 * under the temporary name, renamed over the target. */
static int land_copy(struct sl_cow_branch *b, const char *rel, int uparent,
		     const char *uname, const struct stat *st, int wparent,
		     const char *name, struct links *links)
{
	char tmp[64], target[PATH_MAX];
	const char *first;
	int r = 0;

	tmp_name(b, tmp);
	if (unlinkat(wparent, tmp, 0) < 0 && errno != ENOENT)
		return -errno;
	/* Another name of this file landed already (the upper's link count
	 * dropped when it left): link to it. */
	if (S_ISREG(st->st_mode) && (first = landed_as(links, st))) {
		_cleanup_(closep) int fparent = -1;
		const char *fname;

		fparent = sl_cow_open_parent(b->workdir_fd, first, &fname);
		if (fparent < 0 || linkat(fparent, fname, wparent, tmp, 0) < 0)
			r = fparent < 0 ? fparent : -errno;
	} else if (S_ISREG(st->st_mode)) {
		_cleanup_(closep) int ufd = -1;

		struct stat ust;

		ufd = openat(uparent, uname,
			     O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (ufd < 0 || fstat(ufd, &ust) < 0)
			return -errno;
		/* The file read is the file listed, or nothing is written. */
		if (!S_ISREG(ust.st_mode) || ust.st_ino != st->st_ino)
			return -EAGAIN;
		r = copy_file_to(ufd, st, wparent, tmp);
	} else if (S_ISLNK(st->st_mode)) {
		ssize_t n =
			readlinkat(uparent, uname, target, sizeof(target) - 1);

		if (n < 0)
			return -errno;
		target[n] = '\0';
		r = symlinkat(target, wparent, tmp) < 0 ? -errno : 0;
		/* Ownership is kept only where we may change it. */
		if (r == 0 &&
		    fchownat(wparent, tmp, st->st_uid, st->st_gid,
			     AT_SYMLINK_NOFOLLOW) < 0 &&
		    errno != EPERM)
			r = -errno;
	} else if (S_ISFIFO(st->st_mode) || S_ISSOCK(st->st_mode)) {
		r = mknodat(wparent, tmp, st->st_mode & (S_IFMT | 0777), 0) <
				    0 ?
			    -errno :
			    0;
	} else {
		return -EPERM; /* a device: never staged, never published */
	}
	if (r == 0 && renameat(wparent, tmp, wparent, name) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(wparent, tmp, 0);
		return r;
	}
	if (S_ISREG(st->st_mode) && st->st_nlink > 1)
		remember(links, st, rel);
	return unlinkat(uparent, uname, 0) < 0 && errno != ENOENT ? -errno : 0;
}

/* A directory of the upper: the workdir gets it (with its mode when it is
 * new); one the workdir already has keeps its own. */
static int land_dir(int wparent, const char *name, const struct stat *st,
		    const struct stat *wst, bool exists)
{
	_cleanup_(closep) int fd = -1;

	if (exists)
		return S_ISDIR(wst->st_mode) ? 0 : -ENOTDIR;
	if (mkdirat(wparent, name, 0700) < 0)
		return -errno;
	fd = openat(wparent, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Ownership is kept only where we may change it. */
	if (fchown(fd, st->st_uid, st->st_gid) < 0 && errno != EPERM)
		return -errno;
	return fchmod(fd, st->st_mode & 07777) < 0 ? -errno : 0;
}

static int land(struct sl_cow_branch *b, const struct sl_cow_entry *ent,
		struct links *links)
{
	_cleanup_(closep) int uparent = -1;
	_cleanup_(closep) int wparent = -1;
	const char *uname, *name;
	struct stat st, wst;
	bool exists;

	/* Gone from the upper: landed already (by a previous attempt, or
	 * with a directory moved whole). */
	uparent = sl_cow_open_parent(b->upper_fd, ent->rel, &uname);
	if (uparent == -ENOENT)
		return 0;
	if (uparent < 0)
		return uparent;
	if (fstatat(uparent, uname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	wparent = sl_cow_open_parent(b->workdir_fd, ent->rel, &name);
	if (wparent < 0)
		return wparent;
	exists = fstatat(wparent, name, &wst, AT_SYMLINK_NOFOLLOW) == 0;
	if (!exists && errno != ENOENT)
		return -errno;
	if (S_ISDIR(st.st_mode)) {
		/* A directory the workdir lacks moves whole when it can. */
		if (!exists && renameat(uparent, uname, wparent, name) == 0)
			return 0;
		if (!exists && errno != EXDEV)
			return -errno;
		return land_dir(wparent, name, &st, &wst, exists);
	}
	if (exists && S_ISDIR(wst.st_mode))
		return -EISDIR; /* only a whiteout may replace a directory */
	if (renameat(uparent, uname, wparent, name) == 0)
		return 0;
	if (errno != EXDEV)
		return -errno;
	return land_copy(b, ent->rel, uparent, uname, &st, wparent, name,
			 links);
}

static int apply_additions(struct sl_cow_branch *b, struct sl_error *e)
{
	struct sl_cow_entries es;
	struct links links = { 0 };
	int r;

	r = sl_cow_collect(b->upper_fd, "", 0, 0, 0, &es);
	if (r < 0)
		return sl_err(e, -r, "commit: cannot list '%s': %s", b->upper,
			      strerror(-r));
	for (size_t i = 0; r == 0 && i < es.n; i++) {
		r = land(b, &es.v[i], &links);
		if (r < 0)
			sl_err(e, -r, "commit: cannot publish '%s/%s': %s",
			       b->workdir, es.v[i].rel, strerror(-r));
	}
	links_free(&links);
	sl_cow_entries_free(&es);
	return r;
}

int sl_cow_has_changes(struct sl_cow_branch *b)
{
	_cleanup_(closedirp) DIR *d = NULL;
	bool pending = false;
	int r;

	pthread_mutex_lock(&b->lock);
	for (size_t i = 0; i < b->whiteouts.cap && !pending; i++)
		pending = b->whiteouts.slots[i].path &&
			  b->whiteouts.slots[i].pending;
	pthread_mutex_unlock(&b->lock);
	if (pending)
		return 1;
	r = sl_cow_opendir(b->upper_fd, "", &d);
	if (r < 0 || !d)
		return r;
	if (sl_cow_readdir(d))
		return 1;
	return errno ? -errno : 0;
}

static int finish_storage(struct sl_cow_branch *b, struct sl_error *e)
{
	int r = sl_cow_remove_storage(b, false);

	if (r < 0)
		return sl_err(e, -r,
			      "commit done, but the storage '%s' could "
			      "not be removed: %s",
			      b->dir, strerror(-r));
	return 0;
}

int sl_cow_commit(struct sl_cow_branch *b, unsigned lock_timeout_ms,
		  struct sl_error *e)
{
	int r = sl_cow_has_changes(b);

	if (r < 0)
		return sl_err(e, -r, "commit: cannot read the branch '%s': %s",
			      b->dir, strerror(-r));
	if (r == 0)
		return finish_storage(b, e);
	r = lock_workdir(b, lock_timeout_ms);
	if (r < 0) {
		int m = sl_cow_write_marker(b, "commit-deferred");

		return sl_err(e, -r,
			      "commit deferred: the workdir '%s' is %s; "
			      "the changes are kept in '%s'%s",
			      b->workdir,
			      r == -EAGAIN ? "locked by another commit" :
					     strerror(-r),
			      b->dir, m < 0 ? " (without a marker)" : "");
	}
	r = sl_cow_write_marker(b, "merge-interrupted");
	if (r < 0)
		sl_err(e, -r,
		       "commit not started: cannot write the marker "
		       "of '%s': %s",
		       b->dir, strerror(-r));
	if (r == 0)
		r = apply_deletions(b, e);
	if (r == 0 && (r = sl_cow_write_marker(b, "merge-interrupted")) < 0)
		sl_err(e, -r, "commit: cannot update the marker of '%s': %s",
		       b->dir, strerror(-r));
	if (r == 0)
		r = apply_additions(b, e);
	if (r == 0)
		r = finish_storage(b, e);
	flock(b->workdir_fd, LOCK_UN);
	return r;
}
