/*
 * Scope, whiteouts and the merged view of a branch (docs/behaviour.md 9.2):
 * which side serves a path, whether it is deleted, what a directory lists.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cow/internal.h"
#include "util/cleanup.h"

/* rel of abs under root (an absolute canonical path), or NULL. */
static const char *under(const char *root, const char *abs)
{
	size_t n = strlen(root);

	if (n == 1) /* "/" */
		return abs + 1;
	if (strncmp(root, abs, n) != 0 || (abs[n] != '\0' && abs[n] != '/'))
		return NULL;
	return abs[n] ? abs + n + 1 : abs + n;
}

int sl_cow_scope(const struct sl_cow_branch *b, const char *abs,
		 const char **rel)
{
	const char *r;

	if (!abs || abs[0] != '/' || !sl_cow_rel_valid(abs + 1))
		return 0; /* not normalized: ".." or "." would escape */
	if ((r = under(b->upper, abs))) {
		*rel = r;
		return 1;
	}
	if (under(b->base, abs))
		return 0;
	if ((r = under(b->workdir, abs))) {
		*rel = r;
		return 1;
	}
	return 0;
}

/* b->lock held. */
static bool covered_locked(const struct sl_cow_branch *b, const char *rel)
{
	size_t len = strlen(rel);

	if (b->whiteouts.n == 0 || len == 0)
		return false;
	for (size_t i = 1; i <= len; i++)
		if ((i == len || rel[i] == '/') &&
		    sl_cow_wset_find(&b->whiteouts, rel, i))
			return true;
	return false;
}

bool sl_cow_covered(struct sl_cow_branch *b, const char *rel)
{
	bool c;

	pthread_mutex_lock(&b->lock);
	c = covered_locked(b, rel);
	pthread_mutex_unlock(&b->lock);
	return c;
}

static int stat_beneath(int root, const char *rel, struct stat *st)
{
	_cleanup_(closep) int parent = -1;
	const char *name;

	if (!sl_cow_rel_valid(rel))
		return -EINVAL;
	if (!*rel)
		return fstat(root, st) < 0 ? -errno : 0;
	parent = sl_cow_open_parent(root, rel, &name);
	if (parent < 0)
		return parent == -ENOTDIR ? -ENOENT : parent;
	return fstatat(parent, name, st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

int sl_cow_upper_stat(const struct sl_cow_branch *b, const char *rel,
		      struct stat *st)
{
	struct stat tmp;

	return stat_beneath(b->upper_fd, rel, st ? st : &tmp);
}

int sl_cow_lower_stat(const struct sl_cow_branch *b, const char *rel,
		      struct stat *st)
{
	struct stat tmp;

	return stat_beneath(b->workdir_fd, rel, st ? st : &tmp);
}

bool sl_cow_is_deleted(struct sl_cow_branch *b, const char *rel)
{
	return sl_cow_covered(b, rel) && sl_cow_upper_stat(b, rel, NULL) < 0;
}

int sl_cow_resolve(struct sl_cow_branch *b, const char *rel, struct stat *st)
{
	struct stat tmp;
	int r;

	if (!st)
		st = &tmp;
	r = sl_cow_upper_stat(b, rel, st);
	if (r == 0)
		return SL_COW_UPPER;
	if (r != -ENOENT)
		return r;
	if (sl_cow_covered(b, rel))
		return SL_COW_DELETED;
	r = sl_cow_lower_stat(b, rel, st);
	if (r == 0)
		return SL_COW_LOWER;
	return r == -ENOENT ? SL_COW_ABSENT : r;
}

/* rel is the storage base (inside the workdir) or below it. */
static bool in_storage(const struct sl_cow_branch *b, const char *rel)
{
	return b->storage_rel && sl_cow_path_covers(b->storage_rel, rel);
}

/* Remember whether rel is a directory of the workdir (an entry marked
 * pending is one known not to be). */
static void note_lower(struct sl_cow_branch *b, const char *rel, bool dir)
{
	pthread_mutex_lock(&b->lock);
	(void)sl_cow_wset_add(&b->lower_dirs, rel, !dir);
	pthread_mutex_unlock(&b->lock);
}

/* Is rel a directory of the workdir? (remembered once seen) */
static bool lower_is_dir(struct sl_cow_branch *b, const char *rel)
{
	struct sl_cow_wentry *e;
	struct stat st;
	int known = -1;
	bool dir;

	pthread_mutex_lock(&b->lock);
	e = sl_cow_wset_find(&b->lower_dirs, rel, strlen(rel));
	if (e)
		known = !e->pending;
	pthread_mutex_unlock(&b->lock);
	if (known >= 0)
		return known;
	dir = sl_cow_lower_stat(b, rel, &st) == 0 && S_ISDIR(st.st_mode);
	note_lower(b, rel, dir);
	return dir;
}

/* One component below a directory the walk holds, confined. */
static int open_below(int parent, const char *rel)
{
	const char *name = strrchr(rel, '/');

	return sl_cow_openat2(parent, name ? name + 1 : rel,
			      O_PATH | O_NOFOLLOW, SL_COW_RESOLVE);
}

/* Is rel's parent a directory of the workdir? */
static bool lower_parent_dir(struct sl_cow_branch *b, const char *rel)
{
	const char *slash = strrchr(rel, '/');
	char parent[PATH_MAX];
	size_t n;

	if (!slash)
		return true; /* the workdir itself */
	n = (size_t)(slash - rel);
	if (n >= sizeof(parent))
		return true;
	memcpy(parent, rel, n);
	parent[n] = '\0';
	return lower_is_dir(b, parent);
}

static int opened(int fd, struct stat *st)
{
	if (fstat(fd, st) == 0)
		return 0;
	close(fd);
	return -errno;
}

int sl_cow_lookup(struct sl_cow_branch *b, const char *rel, int parent,
		  int parent_side, int *fd, struct stat *st, int *side,
		  bool *differs)
{
	int ufd = -ENOENT, lfd, r;

	*fd = -1;
	*differs = false;
	*side = SL_COW_ABSENT;
	if (!sl_cow_rel_valid(rel))
		return -EINVAL;
	if (in_storage(b, rel))
		return -ENOENT;
	if (!*rel) {
		lfd = fcntl(b->workdir_fd, F_DUPFD_CLOEXEC, 0);
		if (lfd < 0)
			return -errno;
		r = opened(lfd, st);
		if (r == 0) {
			*side = SL_COW_LOWER;
			*fd = lfd;
		}
		return r;
	}
	/* Below a directory the upper lacks, the upper has nothing; below
	 * one it has, look there first. */
	if (parent < 0 || !strchr(rel, '/')) /* (the root: both sides) */
		ufd = sl_cow_open_beneath(b->upper_fd, rel,
					  O_PATH | O_NOFOLLOW);
	else if (parent_side == SL_COW_UPPER)
		ufd = open_below(parent, rel);
	if (ufd >= 0) {
		r = opened(ufd, st);
		if (r < 0)
			return r;
		*side = SL_COW_UPPER;
		*fd = ufd;
		/* a directory staged as a container of the workdir's own:
		 * the workdir's walk goes through it all the same */
		*differs = !S_ISDIR(st->st_mode) || sl_cow_covered(b, rel) ||
			   !lower_is_dir(b, rel);
		return 0;
	}
	if (ufd != -ENOENT && ufd != -ENOTDIR)
		return ufd;
	if (sl_cow_covered(b, rel)) {
		*side = SL_COW_DELETED;
		*differs = true;
		return -ENOENT;
	}
	if (parent >= 0 && parent_side == SL_COW_LOWER)
		lfd = open_below(parent, rel);
	else if (parent >= 0 && !lower_parent_dir(b, rel))
		lfd = -ENOENT; /* (a directory only the upper has) */
	else
		lfd = sl_cow_open_beneath(b->workdir_fd, rel,
					  O_PATH | O_NOFOLLOW);
	if (lfd == -ENOENT || lfd == -ENOTDIR)
		return -ENOENT;
	if (lfd < 0)
		return lfd;
	r = opened(lfd, st);
	if (r < 0)
		return r;
	*side = SL_COW_LOWER;
	*fd = lfd;
	if (S_ISDIR(st->st_mode))
		note_lower(b, rel, true);
	return 0;
}

bool sl_cow_dir_changed(struct sl_cow_branch *b, const char *rel)
{
	size_t len = strlen(rel);
	bool hit = false;

	if (sl_cow_upper_stat(b, rel, NULL) == 0)
		return true;
	pthread_mutex_lock(&b->lock);
	for (size_t i = 0; !hit && i < b->whiteouts.cap; i++) {
		const char *w = b->whiteouts.slots[i].path;

		hit = w && (len == 0 ||
			    (strncmp(w, rel, len) == 0 && w[len] == '/'));
	}
	pthread_mutex_unlock(&b->lock);
	return hit;
}

int sl_cow_upper_open(const struct sl_cow_branch *b, const char *rel, int flags)
{
	return sl_cow_open_beneath(b->upper_fd, rel, flags | O_NOFOLLOW);
}

int sl_cow_lower_open(const struct sl_cow_branch *b, const char *rel, int flags)
{
	return sl_cow_open_beneath(b->workdir_fd, rel, flags | O_NOFOLLOW);
}

int sl_cow_root_stat(const struct sl_cow_branch *b, bool upper, struct stat *st)
{
	return fstat(upper ? b->upper_fd : b->workdir_fd, st) < 0 ? -errno : 0;
}

int sl_cow_workdir_parent(const struct sl_cow_branch *b)
{
	int fd = openat(b->workdir_fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int sl_cow_whiteout(struct sl_cow_branch *b, const char *rel)
{
	int r = 0;

	if (!sl_cow_rel_valid(rel))
		return -EINVAL;
	if (!*rel ||
	    (b->storage_rel && sl_cow_path_covers(rel, b->storage_rel)))
		return -EBUSY;
	pthread_mutex_lock(&b->lock);
	if (!sl_cow_wset_find(&b->whiteouts, rel, strlen(rel)))
		r = sl_cow_log_append(b, rel);
	if (r == 0)
		r = sl_cow_wset_add(&b->whiteouts, rel, true);
	pthread_mutex_unlock(&b->lock);
	return r;
}

int sl_cow_upper_parent(struct sl_cow_branch *b, const char *rel, bool create,
			const char **name)
{
	if (create) {
		int r = sl_cow_make_parents(b, rel);
		if (r < 0)
			return r;
	}
	return sl_cow_open_parent(b->upper_fd, rel, name);
}

int sl_cow_lower_parent(const struct sl_cow_branch *b, const char *rel,
			const char **name)
{
	return sl_cow_open_parent(b->workdir_fd, rel, name);
}

/* ---- merged listing ---------------------------------------------------- */

static int add_dirent(struct sl_cow_dirents *d, const char *name,
		      unsigned char type, ino_t ino, bool upper)
{
	void *v = d->v;
	int r = sl_vec_reserve(&v, &d->cap, d->n + 1, sizeof(*d->v));

	d->v = v;
	if (r < 0)
		return r;
	d->v[d->n].name = strdup(name);
	if (!d->v[d->n].name)
		return -ENOMEM;
	d->v[d->n].type = type;
	d->v[d->n].ino = ino;
	d->v[d->n].upper = upper;
	d->n++;
	return 0;
}

static unsigned char type_of(int dfd, const struct dirent *de)
{
	struct stat st;

	if (de->d_type != DT_UNKNOWN)
		return de->d_type;
	if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return DT_UNKNOWN;
	return (unsigned char)IFTODT(st.st_mode);
}

/* Entries of directory rel beneath root; lower: skip deleted entries and
 * the storage base. A directory that is not there lists nothing. */
static int list_side(struct sl_cow_branch *b, int root, const char *rel,
		     bool upper, struct sl_cow_dirents *out)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int r;

	r = sl_cow_opendir(root, rel, &d);
	if ((!upper && r == -ELOOP) || !d)
		return !upper && r == -ELOOP ? 0 : r;
	while ((de = sl_cow_readdir(d))) {
		if (!upper) {
			_cleanup_(freep) char *child = NULL;
			bool hidden;

			r = sl_cow_join(rel, de->d_name, &child);
			if (r < 0)
				return r;
			pthread_mutex_lock(&b->lock);
			hidden = sl_cow_wset_find(&b->whiteouts, child,
						  strlen(child)) != NULL;
			pthread_mutex_unlock(&b->lock);
			if (hidden || (b->storage_rel &&
				       strcmp(child, b->storage_rel) == 0))
				continue;
		}
		r = add_dirent(out, de->d_name, type_of(dirfd(d), de),
			       de->d_ino, upper);
		if (r < 0)
			return r;
	}
	return errno ? -errno : 0;
}

/* By name; for one name the upper entry first. */
static int cmp_dirent(const void *a, const void *b)
{
	const struct sl_cow_dirent *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (int)y->upper - (int)x->upper;
}

int sl_cow_list(struct sl_cow_branch *b, const char *rel,
		struct sl_cow_dirents *out)
{
	struct stat st;
	size_t w = 0;
	int side, r;

	memset(out, 0, sizeof(*out));
	side = sl_cow_resolve(b, rel, &st);
	if (side < 0)
		return side;
	if (side == SL_COW_DELETED || side == SL_COW_ABSENT)
		return -ENOENT;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	r = list_side(b, b->upper_fd, rel, true, out);
	/* A deleted and re-created directory is opaque: nothing of the
	 * workdir shows through it. */
	if (r == 0 && !sl_cow_covered(b, rel))
		r = list_side(b, b->workdir_fd, rel, false, out);
	if (r < 0) {
		sl_cow_dirents_free(out);
		return r;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_dirent);
	for (size_t i = 0; i < out->n; i++) {
		if (w > 0 && strcmp(out->v[w - 1].name, out->v[i].name) == 0) {
			free(out->v[i].name);
			continue;
		}
		out->v[w++] = out->v[i];
	}
	out->n = w;
	return 0;
}

void sl_cow_dirents_free(struct sl_cow_dirents *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].name);
	free(d->v);
	memset(d, 0, sizeof(*d));
}
