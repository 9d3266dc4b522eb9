/*
 * Walking and removing trees beneath a root descriptor. Iterative (a
 * stack of relative paths, one directory open at a time), so neither the
 * depth of a tree a child built nor the descriptor limit of the host
 * process can break it; paths longer than PATH_MAX are refused.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cow/internal.h"
#include "util/cleanup.h"

static bool is_skipped(const struct stat *st, dev_t dev, ino_t ino)
{
	return (dev || ino) && S_ISDIR(st->st_mode) && st->st_dev == dev &&
	       st->st_ino == ino;
}

static int walk_dir(int root, const char *rel, unsigned flags, dev_t root_dev,
		    dev_t skip_dev, ino_t skip_ino, struct sl_strv *stack,
		    sl_cow_walk_fn fn, void *ctx)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int r;

	r = sl_cow_opendir(root, rel, &d);
	if (!d)
		return r; /* 0: removed meanwhile */
	while ((de = sl_cow_readdir(d))) {
		_cleanup_(freep) char *child = NULL;
		struct stat st;

		r = sl_cow_join(rel, de->d_name, &child);
		if (r < 0)
			return r;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) <
		    0) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		if (is_skipped(&st, skip_dev, skip_ino))
			continue;
		r = fn(ctx, child, &st);
		if (r != 0)
			return r;
		if (!S_ISDIR(st.st_mode) ||
		    ((flags & SL_COW_WALK_XDEV) && st.st_dev != root_dev))
			continue;
		r = sl_strv_push_take(stack, TAKE_PTR(child));
		if (r < 0)
			return r;
	}
	return errno ? -errno : 0;
}

int sl_cow_walk(int root, const char *start, unsigned flags, dev_t skip_dev,
		ino_t skip_ino, sl_cow_walk_fn fn, void *ctx)
{
	struct sl_strv stack = { 0 };
	struct stat rst;
	int r;

	if (!sl_cow_rel_valid(start))
		return -EINVAL;
	if (fstat(root, &rst) < 0)
		return -errno;
	r = sl_strv_push(&stack, start);
	while (r == 0 && stack.n > 0) {
		char *rel = stack.v[--stack.n];

		stack.v[stack.n] = NULL;
		r = walk_dir(root, rel, flags, rst.st_dev, skip_dev, skip_ino,
			     &stack, fn, ctx);
		free(rel);
	}
	sl_strv_free(&stack);
	return r;
}

static int collect_one(void *ctx, const char *rel, const struct stat *st)
{
	struct sl_cow_entries *es = ctx;
	void *v = es->v;
	int r = sl_vec_reserve(&v, &es->cap, es->n + 1, sizeof(*es->v));

	es->v = v;
	if (r < 0)
		return r;
	es->v[es->n].rel = strdup(rel);
	if (!es->v[es->n].rel)
		return -ENOMEM;
	es->v[es->n].st = *st;
	es->n++;
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct sl_cow_entry *)a)->rel,
		      ((const struct sl_cow_entry *)b)->rel);
}

int sl_cow_collect(int root, const char *start, unsigned flags, dev_t skip_dev,
		   ino_t skip_ino, struct sl_cow_entries *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	r = sl_cow_walk(root, start, flags, skip_dev, skip_ino, collect_one,
			out);
	if (r < 0) {
		sl_cow_entries_free(out);
		return r;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_entry);
	return 0;
}

void sl_cow_entries_free(struct sl_cow_entries *es)
{
	for (size_t i = 0; i < es->n; i++)
		free(es->v[i].rel);
	free(es->v);
	memset(es, 0, sizeof(*es));
}

static int unlink_beneath(int root, const char *rel, bool dir)
{
	_cleanup_(closep) int parent = -1;
	const char *name;

	parent = sl_cow_open_parent(root, rel, &name);
	if (parent == -ENOENT || parent == -ENOTDIR)
		return 0;
	if (parent < 0)
		return parent;
	if (unlinkat(parent, name, dir ? AT_REMOVEDIR : 0) < 0 &&
	    errno != ENOENT)
		return -errno;
	return 0;
}

int sl_cow_remove_tree(int root, const char *rel, dev_t skip_dev,
		       ino_t skip_ino)
{
	_cleanup_(closep) int parent = -1;
	struct sl_cow_entries es;
	struct stat st, rst;
	const char *name;
	int r = 0;

	if (!*rel)
		return -EBUSY;
	parent = sl_cow_open_parent(root, rel, &name);
	/* A path whose directory part is missing, is a file or goes through
	 * a symlink names nothing in this tree: it is gone. */
	if (parent == -ENOENT || parent == -ENOTDIR || parent == -ELOOP)
		return 0;
	if (parent < 0)
		return parent;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(parent, name, 0) < 0 && errno != ENOENT ?
			       -errno :
			       0;
	if (is_skipped(&st, skip_dev, skip_ino))
		return -EBUSY;
	if (fstat(root, &rst) < 0)
		return -errno;
	if (st.st_dev != rst.st_dev)
		return -EXDEV; /* a mount point: never emptied */
	r = sl_cow_collect(root, rel, SL_COW_WALK_XDEV, skip_dev, skip_ino,
			   &es);
	if (r < 0)
		return r;
	/* Children sort after their parents: remove from the end. */
	for (size_t i = es.n; r == 0 && i-- > 0;)
		r = unlink_beneath(root, es.v[i].rel,
				   S_ISDIR(es.v[i].st.st_mode));
	sl_cow_entries_free(&es);
	if (r == 0 && unlinkat(parent, name, AT_REMOVEDIR) < 0 &&
	    errno != ENOENT)
		r = -errno;
	return r;
}

int sl_cow_remove_storage(struct sl_cow_branch *b, bool marker_first)
{
	int r;

	if (marker_first && unlinkat(b->dir_fd, SL_COW_MARKER, 0) < 0 &&
	    errno != ENOENT)
		return -errno;
	r = sl_cow_remove_tree(b->dir_fd, SL_COW_UPPER_DIR, 0, 0);
	if (r < 0)
		return r;
	if (unlinkat(b->dir_fd, SL_COW_LOG, 0) < 0 && errno != ENOENT)
		return -errno;
	if (unlinkat(b->dir_fd, SL_COW_MARKER_TMP, 0) < 0 && errno != ENOENT)
		return -errno;
	/* After a commit the marker goes last: a branch that still has its
	 * "merge-interrupted" marker is retried, never re-deleted from an
	 * older record. */
	if (unlinkat(b->dir_fd, SL_COW_MARKER, 0) < 0 && errno != ENOENT)
		return -errno;
	if (unlinkat(b->base_fd, b->uuid, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}
