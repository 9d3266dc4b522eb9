#include "handlers/pathset.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "handlers/fspath.h"
#include "handlers/resolve.h"
#include "supervisor/notif_kcompat.h"
#include "util/cleanup.h"

/* Bound on the ancestor walk (deeper trees are matched by path only). */
#define SL_MAX_DEPTH 256
/* Bounds on the scan of a denied directory for hard-linked files. */
#define SL_SCAN_DEPTH 32
#define SL_SCAN_ENTRIES 4096

int sl_ident_of(int fd, struct sl_ident *id)
{
	struct {
		struct file_handle fh;
		unsigned char buf[SL_IDENT_HANDLE_MAX];
	} h;
	struct stat st;
	int mnt;

	memset(id, 0, sizeof(*id));
	if (fstat(fd, &st) < 0)
		return -errno;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->dir = S_ISDIR(st.st_mode);
	h.fh.handle_bytes = SL_IDENT_HANDLE_MAX;
	if (name_to_handle_at(fd, "", &h.fh, &mnt,
			      AT_EMPTY_PATH | AT_HANDLE_FID) < 0) {
		if (errno != EINVAL && errno != EOPNOTSUPP)
			return 0;
		h.fh.handle_bytes = SL_IDENT_HANDLE_MAX;
		if (name_to_handle_at(fd, "", &h.fh, &mnt, AT_EMPTY_PATH) < 0)
			return 0; /* no handles here: st_ino identifies */
	}
	if (h.fh.handle_bytes > SL_IDENT_HANDLE_MAX)
		return 0;
	id->htype = h.fh.handle_type;
	id->hlen = h.fh.handle_bytes;
	memcpy(id->h, h.fh.f_handle, id->hlen);
	return 0;
}

bool sl_ident_eq(const struct sl_ident *a, const struct sl_ident *b)
{
	if (a->dev != b->dev)
		return false;
	if (a->hlen && b->hlen)
		return a->htype == b->htype && a->hlen == b->hlen &&
		       memcmp(a->h, b->h, a->hlen) == 0;
	return a->ino == b->ino;
}

static int push_unique(struct sl_strv *v, const char *p)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->v[i], p) == 0)
			return 0;
	return sl_strv_push(v, p);
}

static int add_ident(struct sl_pathset *s, int fd)
{
	struct sl_ident *ids = realloc(s->ids, (s->nids + 1) * sizeof(*ids));
	int r;

	if (!ids)
		return -ENOMEM;
	s->ids = ids;
	r = sl_ident_of(fd, &s->ids[s->nids]);
	if (r < 0)
		return r;
	s->dir_ids |= s->ids[s->nids].dir;
	s->nids++;
	return 0;
}

/* Files of a denied directory that have other names (hard links made
 * before the sandbox started) join the set by identity: a path check on
 * the other name would miss them. Bounded in depth and entries. */
static int scan_linked(struct sl_pathset *s, int dir, unsigned depth,
		       size_t *budget)
{
	int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (fd < 0)
		return 0;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	while (r == 0 && *budget > 0 && (de = readdir(d))) {
		struct stat st;
		int sub;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		(*budget)--;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
			sub = openat(dirfd(d), de->d_name,
				     O_PATH | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				r = add_ident(s, sub);
				close(sub);
			}
		} else if (S_ISDIR(st.st_mode) && depth < SL_SCAN_DEPTH) {
			sub = openat(dirfd(d), de->d_name,
				     O_PATH | O_DIRECTORY | O_NOFOLLOW |
					     O_CLOEXEC);
			if (sub >= 0) {
				r = scan_linked(s, sub, depth + 1, budget);
				close(sub);
			}
		}
	}
	closedir(d);
	return r;
}

int sl_pathset_add(struct sl_pathset *s, const char *path, bool identity)
{
	_cleanup_(freep) char *cwd = NULL;
	_cleanup_(freep) char *norm = NULL;
	_cleanup_(freep) char *real = NULL;
	_cleanup_(closep) int fd = -1;
	int r;

	if (path[0] != '/') {
		cwd = getcwd(NULL, 0);
		if (!cwd)
			return -errno;
	}
	r = sl_path_normalize(cwd, path, &norm);
	if (r < 0)
		return r;
	r = push_unique(&s->paths, norm);
	if (r < 0)
		return r;
	real = realpath(norm, NULL);
	if (real) {
		r = push_unique(&s->paths, real);
		if (r < 0)
			return r;
	}
	if (!identity)
		return 0;
	fd = open(norm, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return 0; /* does not exist (yet): matched by path */
	r = add_ident(s, fd);
	if (r == 0 && s->ids[s->nids - 1].dir) {
		size_t budget = SL_SCAN_ENTRIES;

		r = scan_linked(s, fd, 0, &budget);
	}
	return r;
}

bool sl_pathset_covers(const struct sl_pathset *s, const char *path)
{
	for (size_t i = 0; i < s->paths.n; i++)
		if (sl_path_covers(s->paths.v[i], path))
			return true;
	return false;
}

bool sl_pathset_inside(const struct sl_pathset *s, const char *path)
{
	for (size_t i = 0; i < s->paths.n; i++)
		if (sl_path_covers(path, s->paths.v[i]))
			return true;
	return false;
}

static bool holds_ident(const struct sl_pathset *s, const struct sl_ident *id,
			bool dirs_only)
{
	for (size_t i = 0; i < s->nids; i++)
		if ((!dirs_only || s->ids[i].dir) &&
		    sl_ident_eq(&s->ids[i], id))
			return true;
	return false;
}

bool sl_pathset_holds(const struct sl_pathset *s, int fd)
{
	struct sl_ident id;
	_cleanup_(closep) int cur = -1;

	if (s->nids == 0)
		return false;
	if (sl_ident_of(fd, &id) < 0)
		return true; /* cannot tell: fail closed */
	if (holds_ident(s, &id, false))
		return true;
	if (!s->dir_ids)
		return false;
	/* A denied directory reached under another name (a bind mount, a
	 * hard-linked file inside it): walk up through the parents. */
	if (id.dir) {
		cur = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	} else {
		/* ".." needs a directory: start from the file's own. */
		_cleanup_(freep) char *path = NULL;
		char *slash;

		if (sl_fd_path(fd, &path) < 0)
			return true;
		if (path[0] != '/')
			return false; /* pipes, sockets: no directory */
		slash = strrchr(path, '/');
		slash[slash == path ? 1 : 0] = '\0';
		cur = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (cur >= 0) {
			struct sl_ident parent;

			if (sl_ident_of(cur, &parent) < 0 ||
			    holds_ident(s, &parent, true))
				return true;
			id = parent;
		}
	}
	if (cur < 0)
		return true;
	for (int depth = 0; depth < SL_MAX_DEPTH; depth++) {
		struct sl_ident up;
		int nfd = openat(cur, "..", O_PATH | O_CLOEXEC);

		if (nfd < 0)
			return true;
		close(cur);
		cur = nfd;
		if (sl_ident_of(cur, &up) < 0)
			return true;
		if (holds_ident(s, &up, true))
			return true;
		if (up.dev == id.dev && up.ino == id.ino)
			return false; /* ".." of the root is the root */
		id = up;
	}
	return false;
}

void sl_pathset_free(struct sl_pathset *s)
{
	sl_strv_free(&s->paths);
	free(s->ids);
	s->ids = NULL;
	s->nids = 0;
	s->dir_ids = false;
}
