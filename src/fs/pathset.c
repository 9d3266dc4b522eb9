#include "fs/pathset.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fs/path.h"
#include "supervisor/notif_kcompat.h"
#include "util/cleanup.h"

/* Bound on the ancestor walk (deeper trees are matched by path only). */
#define SL_MAX_DEPTH 256
/* Bound on the symlinks of one directory taken as their targets. */
#define SL_LINK_TARGETS 1024

int sl_ident_of(int fd, struct sl_ident *id)
{
	struct {
		struct file_handle fh;
		unsigned char buf[SL_IDENT_HANDLE_MAX];
	} h;
	struct sl_fs_obj o;
	int mnt, r;

	memset(id, 0, sizeof(*id));
	r = sl_fs_obj_of(fd, &o);
	if (r < 0)
		return r;
	id->dev = o.dev;
	id->ino = o.ino;
	id->mnt_id = o.mnt_id;
	id->dir = S_ISDIR(o.mode);
	id->nlink = o.nlink;
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
	if (a->dev != b->dev || a->ino != b->ino)
		return false;
	if (a->hlen && b->hlen)
		return a->htype == b->htype && a->hlen == b->hlen &&
		       memcmp(a->h, b->h, a->hlen) == 0;
	return true;
}

static int push_path(struct sl_pathset *s, const char *p, unsigned origin)
{
	struct sl_pathset_path *v;
	char *copy;

	for (size_t i = 0; i < s->npaths; i++)
		if (s->paths[i].origin == origin &&
		    strcmp(s->paths[i].path, p) == 0)
			return 0;
	copy = strdup(p);
	v = copy ? realloc(s->paths, (s->npaths + 1) * sizeof(*v)) : NULL;
	if (!v) {
		free(copy);
		return -ENOMEM;
	}
	s->paths = v;
	s->paths[s->npaths++] = (struct sl_pathset_path){ copy, origin };
	return 0;
}

/* FNV-1a: telling names of one directory apart (a collision only makes
 * two names count as one: the set then assumes a link it has not seen). */
static uint64_t name_hash(const char *name)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 1099511628211ULL;
	return h;
}

static void place(struct sl_ident *id, const struct stat *dir, const char *name)
{
	id->placed = true;
	id->pdev = dir->st_dev;
	id->pino = dir->st_ino;
	id->name_hash = name_hash(name);
}

static int add_ident(struct sl_pathset *s, int fd, unsigned origin)
{
	struct sl_ident *ids = realloc(s->ids, (s->nids + 1) * sizeof(*ids));
	int r;

	if (!ids)
		return -ENOMEM;
	s->ids = ids;
	r = sl_ident_of(fd, &s->ids[s->nids]);
	if (r < 0)
		return r;
	s->ids[s->nids].origin = origin;
	s->dir_ids |= s->ids[s->nids].dir;
	s->nids++;
	return 0;
}

static int scan(int dir, dev_t dev, unsigned depth, size_t *budget,
		sl_linked_fn fn, void *arg, int *stop)
{
	int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	struct stat dst;
	bool dst_known = false; /* taken at the first linked file */
	int r = 0;

	if (fd < 0)
		return 0;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	while (r == 0 && (de = readdir(d))) {
		struct stat st;
		int sub;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (*budget == 0) {
			*stop |= SL_SCAN_BOUNDED;
			return 0;
		}
		(*budget)--;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
			sub = openat(dirfd(d), de->d_name,
				     O_PATH | O_NOFOLLOW | O_CLOEXEC);
			if (!dst_known)
				dst_known = fstat(dirfd(d), &dst) == 0;
			if (sub >= 0) {
				r = fn(arg, sub, dst_known ? &dst : NULL,
				       de->d_name);
				close(sub);
			}
		} else if (S_ISDIR(st.st_mode)) {
			if (st.st_dev != dev)
				*stop |= SL_SCAN_MOUNTS;
			if (depth + 1 >= SL_SCAN_MAX_DEPTH) {
				*stop |= SL_SCAN_BOUNDED;
				continue;
			}
			sub = openat(dirfd(d), de->d_name,
				     O_PATH | O_DIRECTORY | O_NOFOLLOW |
					     O_CLOEXEC);
			if (sub >= 0) {
				r = scan(sub, dev, depth + 1, budget, fn, arg,
					 stop);
				close(sub);
			}
		}
	}
	return r;
}

int sl_pathset_scan_linked(int dir, sl_linked_fn fn, void *arg)
{
	size_t budget = SL_SCAN_MAX_ENTRIES;
	struct stat st;
	int stop = 0, r;

	if (fstat(dir, &st) < 0)
		return -errno;
	r = scan(dir, st.st_dev, 0, &budget, fn, arg, &stop);
	return r < 0 ? r : stop;
}

struct add_linked {
	struct sl_pathset *s;
	unsigned origin;
};

static int add_linked(void *arg, int fd, const struct stat *dir,
		      const char *name)
{
	struct add_linked *a = arg;
	int r = add_ident(a->s, fd, a->origin);

	if (r == 0 && dir)
		place(&a->s->ids[a->s->nids - 1], dir, name);
	return r;
}

/* Where the entry's own name is: its real parent directory and last
 * component (what the kernel would show as this name of the object). */
static void place_entry(struct sl_ident *id, const char *real)
{
	_cleanup_(freep) char *dir = strdup(real);
	const char *name = strrchr(real, '/');
	struct stat st;
	char *slash;

	if (!dir || !name || !name[1])
		return;
	slash = strrchr(dir, '/');
	*slash = '\0';
	if (stat(*dir ? dir : "/", &st) == 0 && S_ISDIR(st.st_mode))
		place(id, &st, name + 1);
}

/* The symlinks directly inside the directory dpath stand for their
 * targets, which join the set by path and identity. */
static int add_link_targets(struct sl_pathset *s, const char *dpath,
			    unsigned origin)
{
	_cleanup_(closedirp) DIR *d = opendir(dpath);
	struct dirent *de;
	size_t budget = SL_LINK_TARGETS;
	int r = 0;

	if (!d)
		return 0;
	while (r == 0 && budget-- > 0 && (de = readdir(d))) {
		_cleanup_(freep) char *link = NULL;
		_cleanup_(freep) char *real = NULL;
		_cleanup_(closep) int fd = -1;

		if (de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
			continue;
		if (asprintf(&link, "%s/%s", dpath, de->d_name) < 0)
			return -ENOMEM;
		real = realpath(link, NULL);
		if (!real || sl_path_covers(dpath, real))
			continue;
		r = push_path(s, real, origin);
		fd = r == 0 ? open(real, O_PATH | O_CLOEXEC) : -1;
		if (fd >= 0)
			r = add_ident(s, fd, origin);
	}
	return r;
}

/* path as an entry: absolute (from the current directory), normalized. */
static int normalized(const char *path, char **out)
{
	_cleanup_(freep) char *cwd = NULL;

	if (!path[0])
		return -EINVAL;
	if (path[0] != '/') {
		cwd = getcwd(NULL, 0);
		if (!cwd)
			return -errno;
	}
	return sl_path_normalize(cwd, path, out);
}

/* Take out everything one addition brought in. */
static void remove_origin(struct sl_pathset *s, unsigned origin)
{
	size_t k = 0;

	for (size_t i = 0; i < s->npaths; i++) {
		if (s->paths[i].origin == origin)
			free(s->paths[i].path);
		else
			s->paths[k++] = s->paths[i];
	}
	s->npaths = k;
	k = 0;
	s->dir_ids = false;
	for (size_t i = 0; i < s->nids; i++) {
		if (s->ids[i].origin == origin)
			continue;
		s->dir_ids |= s->ids[i].dir;
		s->ids[k++] = s->ids[i];
	}
	s->nids = k;
}

int sl_pathset_add(struct sl_pathset *s, const char *path, unsigned flags)
{
	_cleanup_(freep) char *norm = NULL;
	_cleanup_(freep) char *real = NULL;
	_cleanup_(closep) int fd = -1;
	unsigned origin = s->next_origin++;
	int r;

	r = normalized(path, &norm);
	if (r < 0)
		return r;
	r = push_path(s, norm, origin);
	if (r < 0)
		return r;
	real = realpath(norm, NULL);
	if (real) {
		r = push_path(s, real, origin);
		if (r < 0)
			return r;
	}
	if (!(flags & (SL_PATHSET_IDENTITY | SL_PATHSET_LINK_TARGETS)))
		return 0;
	fd = open(norm, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return 0; /* does not exist (yet): matched by path */
	r = add_ident(s, fd, origin);
	if (r == 0 && real && !s->ids[s->nids - 1].dir &&
	    s->ids[s->nids - 1].nlink > 1)
		place_entry(&s->ids[s->nids - 1], real);
	if (r == 0 && s->ids[s->nids - 1].dir) {
		/* Files of a denied directory that have other names (hard
		 * links made before the sandbox started) join the set by
		 * identity: a path check on the other name would miss them. */
		struct add_linked a = { s, origin };

		r = sl_pathset_scan_linked(fd, add_linked, &a);
		if (r > 0 && (r & SL_SCAN_BOUNDED) &&
		    (flags & SL_PATHSET_COMPLETE)) {
			remove_origin(s, origin); /* not added at all */
			return -E2BIG;
		}
		r = r < 0 ? r : 0;
		if (r == 0 && real && (flags & SL_PATHSET_LINK_TARGETS))
			r = add_link_targets(s, real, origin);
	}
	return r;
}

int sl_pathset_remove(struct sl_pathset *s, const char *path)
{
	_cleanup_(freep) char *norm = NULL;
	bool found = false;
	unsigned origin = 0;
	int r;

	r = normalized(path, &norm);
	if (r < 0)
		return r;
	/* The first string of an addition is the path as given. */
	for (size_t i = 0; i < s->npaths && !found; i++)
		if (strcmp(s->paths[i].path, norm) == 0 &&
		    (i == 0 || s->paths[i - 1].origin != s->paths[i].origin)) {
			found = true;
			origin = s->paths[i].origin;
		}
	if (!found)
		return -ENOENT;
	remove_origin(s, origin);
	return 0;
}

bool sl_pathset_covers(const struct sl_pathset *s, const char *path)
{
	for (size_t i = 0; i < s->npaths; i++)
		if (sl_path_covers(s->paths[i].path, path))
			return true;
	return false;
}

bool sl_pathset_inside(const struct sl_pathset *s, const char *path)
{
	for (size_t i = 0; i < s->npaths; i++)
		if (sl_path_covers(path, s->paths[i].path))
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

/* A directory of the set on the object's filesystem but reached through
 * another mount (a bind mount): the object's path does not show it, its
 * ancestors' identities do. Within the same mount the path is exact. */
static bool needs_ancestor_walk(const struct sl_pathset *s,
				const struct sl_fs_obj *o)
{
	for (size_t i = 0; i < s->nids; i++)
		if (s->ids[i].dir && s->ids[i].dev == o->dev &&
		    s->ids[i].mnt_id != o->mnt_id)
			return true;
	return false;
}

bool sl_pathset_holds(const struct sl_pathset *s, int fd,
		      const struct sl_fs_obj *o, struct sl_fd_dir *d)
{
	struct sl_ident id;
	_cleanup_(closep) int cur = -1;

	if (s->nids == 0)
		return false;
	for (size_t i = 0; i < s->nids; i++) {
		if (s->ids[i].dev != o->dev || s->ids[i].ino != o->ino)
			continue;
		/* same inode number: the handle tells a reused one apart */
		if (sl_ident_of(fd, &id) < 0 || sl_ident_eq(&s->ids[i], &id))
			return true;
	}
	if (!s->dir_ids || !needs_ancestor_walk(s, o))
		return false;
	if (sl_ident_of(fd, &id) < 0)
		return true; /* cannot tell: fail closed */
	if (id.dir) {
		cur = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	} else {
		/* ".." needs a directory: start from the file's own. */
		_cleanup_(freep) char *path = NULL;
		char *slash;

		if (sl_fd_path(d, fd, &path) < 0)
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
	return true; /* deeper than we look: fail closed */
}

/* How many mounts of /proc/self/mountinfo show dev; -errno. */
static int mounts_of(dev_t dev)
{
	_cleanup_(fclosep) FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_(freep) char *line = NULL;
	size_t cap = 0;
	int n = 0;

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		unsigned maj, min;

		/* "id parent major:minor root mountpoint ..." */
		if (sscanf(line, "%*d %*d %u:%u", &maj, &min) == 2 &&
		    makedev(maj, min) == dev)
			n++;
	}
	return ferror(f) ? -EIO : n;
}

static int by_object_and_place(const void *a, const void *b)
{
	const struct sl_ident *x = *(const struct sl_ident *const *)a;
	const struct sl_ident *y = *(const struct sl_ident *const *)b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->placed != y->placed)
		return x->placed ? 1 : -1;
	if (x->pdev != y->pdev)
		return x->pdev < y->pdev ? -1 : 1;
	if (x->pino != y->pino)
		return x->pino < y->pino ? -1 : 1;
	if (x->name_hash != y->name_hash)
		return x->name_hash < y->name_hash ? -1 : 1;
	return 0;
}

static bool same_place(const struct sl_ident *x, const struct sl_ident *y)
{
	return x->pdev == y->pdev && x->pino == y->pino &&
	       x->name_hash == y->name_hash;
}

/* A file of the first `origins` additions with a link the set does not
 * name: grouped by object, the distinct places seen must number its
 * links. Its origin, -1 when none, -ENOMEM. */
static int unseen_link(const struct sl_pathset *s, unsigned origins)
{
	_cleanup_(freep)
		const struct sl_ident **v = calloc(s->nids + 1, sizeof(*v));
	size_t n = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < s->nids; i++)
		if (s->ids[i].origin < origins && !s->ids[i].dir &&
		    s->ids[i].nlink > 1)
			v[n++] = &s->ids[i];
	qsort(v, n, sizeof(*v), by_object_and_place);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		uint32_t names = 0;

		for (;
		     j < n && v[j]->dev == v[i]->dev && v[j]->ino == v[i]->ino;
		     j++)
			if (v[j]->placed && (j == i || !v[j - 1]->placed ||
					     !same_place(v[j - 1], v[j])))
				names++;
		if (names < v[i]->nlink)
			return (int)v[i]->origin;
		i = j;
	}
	return -1;
}

int sl_pathset_aliased_at(const struct sl_pathset *s, unsigned origins)
{
	int at = unseen_link(s, origins);
	dev_t seen = 0;
	bool any = false;

	if (at != -1)
		return at;
	for (size_t i = 0; i < s->nids; i++) {
		const struct sl_ident *id = &s->ids[i];

		if (id->origin >= origins || (any && id->dev == seen))
			continue;
		if (mounts_of(id->dev) != 1)
			return (int)id->origin;
		seen = id->dev;
		any = true;
	}
	return -1;
}

bool sl_pathset_aliased(const struct sl_pathset *s, unsigned origins)
{
	return sl_pathset_aliased_at(s, origins) !=
	       -1; /* -ENOMEM: cannot tell */
}

void sl_pathset_free(struct sl_pathset *s)
{
	for (size_t i = 0; i < s->npaths; i++)
		free(s->paths[i].path);
	free(s->paths);
	free(s->ids);
	memset(s, 0, sizeof(*s));
}
