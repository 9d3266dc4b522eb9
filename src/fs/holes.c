#include "fs/holes.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs/aliases.h"
#include "fs/path.h"
#include "fs/pathset.h"
#include "util/vec.h"
#include "util/cleanup.h"

static int push_kind(struct sl_fs_holes *h, const char *real, uint8_t kind)
{
	struct sl_fs_hole *v;
	struct stat st;

	if (lstat(real, &st) < 0)
		return 0; /* gone meanwhile: nothing to leave out */
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->v[i].path, real) == 0) {
			/* the stronger one: none beats read-only */
			if (kind != SL_HOLE_READONLY)
				h->v[i].kind = kind;
			return 0;
		}
	v = realloc(h->v, (h->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	h->v = v;
	h->v[h->n].path = strdup(real);
	if (!h->v[h->n].path)
		return -ENOMEM;
	h->v[h->n].dir = S_ISDIR(st.st_mode);
	h->v[h->n].kind = kind;
	h->n++;
	return 0;
}

static int push(struct sl_fs_holes *h, const char *real)
{
	return push_kind(h, real, SL_HOLE_DENY);
}

/* path as it is on disk, if it exists. */
static int push_real(struct sl_fs_holes *h, const char *path)
{
	_cleanup_(freep) char *real = realpath(path, NULL);

	return real ? push(h, real) : 0;
}

/* /sys/class/net/<if> are links to the devices' directories, which hold
 * the same entries: they are holes too. */
static int push_link_targets(struct sl_fs_holes *h, const char *dir)
{
	_cleanup_(closedirp) DIR *d = opendir(dir);
	struct dirent *de;
	int r = 0;

	if (!d)
		return 0;
	while (r == 0 && (de = readdir(d))) {
		_cleanup_(freep) char *link = NULL;

		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&link, "%s/%s", dir, de->d_name) < 0)
			return -ENOMEM;
		r = push_real(h, link);
	}
	return r;
}

/* Does a grant (as given or resolved) reach path: contain it, or lie
 * inside it? */
static bool granted_near(const struct sl_strv *grants, const char *path)
{
	for (size_t i = 0; i < grants->n; i++)
		if (sl_path_covers(grants->v[i], path) ||
		    sl_path_covers(path, grants->v[i]))
			return true;
	return false;
}

/* The grants of list, as given and resolved, into out. */
static int grants_in(const struct sl_strv *list, struct sl_strv *out)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < list->n; i++) {
		_cleanup_(freep) char *real = realpath(list->v[i], NULL);

		r = sl_strv_push(out, list->v[i]);
		if (r == 0 && real)
			r = sl_strv_push(out, real);
	}
	return r;
}

/* The grants of p, as given and resolved. */
static int grants_of(const struct sl_policy *p, struct sl_strv *out)
{
	int r = grants_in(&p->fs_read, out);

	return r < 0 ? r : grants_in(&p->fs_write, out);
}

/* /sys under a write grant that contains it (-w /) keeps its read rights
 * only: its files are the kernel's switches (power, devices, cgroups),
 * which a sandbox writes only where a grant names them (-w
 * /sys/class/leds/...), as container runtimes mount it read-only. */
static int push_sys_readonly(const struct sl_strv *writes,
			     struct sl_fs_holes *out)
{
	_cleanup_(freep) char *real = NULL;
	bool contains = false;

	for (size_t i = 0; !contains && i < writes->n; i++)
		contains = sl_path_covers(writes->v[i], "/sys");
	if (!contains)
		return 0;
	real = realpath("/sys", NULL);
	return real ? push_kind(out, real, SL_HOLE_READONLY) : 0;
}

/* The fs_deny entries that exist, and their other names (fs/aliases.h). */
static int push_denied(const struct sl_policy *p, struct sl_fs_holes *out)
{
	struct sl_strv denied = { 0 }, aliases = { 0 };
	bool complete = false;
	int r = 0;

	for (size_t i = 0; r == 0 && i < p->fs_deny.n; i++) {
		char *real = realpath(p->fs_deny.v[i], NULL);

		if (real) {
			r = sl_strv_push_take(&denied, real);
		} else {
			out->deny_missing = true;
			r = sl_strv_push(&out->missing, p->fs_deny.v[i]);
		}
	}
	for (size_t i = 0; r == 0 && i < denied.n; i++)
		r = push(out, denied.v[i]);
	if (r == 0 && denied.n)
		r = sl_fs_aliases_of(&denied, &aliases, &complete);
	for (size_t i = 0; r == 0 && i < aliases.n; i++)
		r = push(out, aliases.v[i]);
	out->aliases_unknown = !complete && denied.n;
	sl_strv_free(&denied);
	sl_strv_free(&aliases);
	return r;
}

/* procfs and sysfs mounted elsewhere inside a grant: no right at all
 * (the supervisor does not serve them). */
static int push_kernel_mounts(struct sl_fs_holes *out,
			      const struct sl_strv *grants)
{
	struct sl_strv points = { 0 };
	int r = sl_fs_kernel_mounts_elsewhere(&points);

	for (size_t i = 0; r == 0 && i < points.n; i++)
		if (granted_near(grants, points.v[i]))
			r = push_real(out, points.v[i]);
	sl_strv_free(&points);
	return r;
}

bool sl_fs_grants_reach_kernel_mounts(const struct sl_policy *p)
{
	struct sl_strv grants = { 0 }, points = { 0 };
	bool hit = false;

	if (p->fs_read.n + p->fs_write.n == 0)
		return false;
	/* the mount table first (kept between calls, and mostly without
	 * any): the grants are resolved only when there is one */
	if (sl_fs_kernel_mounts_elsewhere(&points) < 0) {
		hit = true; /* cannot tell: served */
	} else if (points.n && grants_of(p, &grants) < 0) {
		hit = true;
	} else {
		for (size_t i = 0; !hit && i < points.n; i++)
			hit = granted_near(&grants, points.v[i]);
	}
	sl_strv_free(&grants);
	sl_strv_free(&points);
	return hit;
}

int sl_fs_holes_of(const struct sl_policy *p, struct sl_fs_holes *out)
{
	struct sl_strv grants = { 0 }, writes = { 0 };
	const char *s;
	int r;

	memset(out, 0, sizeof(*out));
	/* every grant, and the write grants alone (each resolved once) */
	r = grants_in(&p->fs_write, &writes);
	if (r == 0)
		r = grants_in(&p->fs_read, &grants);
	if (r == 0)
		r = sl_strv_copy(&grants, &writes);
	if (r == 0)
		r = push_denied(p, out);
	for (size_t i = 0; r == 0 && (s = sl_path_sensitive_at(i)); i++) {
		if (strncmp(s, "/sys/", 5) != 0 || !granted_near(&grants, s))
			continue;
		r = push_real(out, s);
		if (r == 0 && strcmp(s, "/sys/class/net") == 0)
			r = push_link_targets(out, s);
	}
	if (r == 0 && granted_near(&grants, "/proc"))
		r = push_real(out, "/proc");
	if (r == 0)
		r = push_kernel_mounts(out, &grants);
	if (r == 0)
		r = push_sys_readonly(&writes, out);
	sl_strv_free(&grants);
	sl_strv_free(&writes);
	if (r < 0)
		sl_fs_holes_free(out);
	return r;
}

int sl_fs_holes_add_cow(struct sl_fs_holes *h, const char *workdir,
			const char *storage)
{
	int r = push_kind(h, workdir, SL_HOLE_READONLY);

	if (r == 0 && storage)
		r = push_kind(h, storage, SL_HOLE_PRIVATE);
	return r;
}

int sl_fs_deny_needs_hold(const struct sl_policy *p, size_t *which)
{
	struct sl_fs_holes h;
	struct sl_pathset set = { 0 };
	bool every_name;
	int r, at;

	if (p->fs_deny.n == 0)
		return 0;
	r = sl_fs_holes_of(p, &h);
	if (r < 0)
		return r;
	/* as the ruleset records it: sl_fs_built.aliases */
	every_name = !h.deny_missing && !h.aliases_unknown;
	sl_fs_holes_free(&h);
	if (every_name)
		return 0;
	for (size_t i = 0; r == 0 && i < p->fs_deny.n; i++)
		r = sl_pathset_add(&set, p->fs_deny.v[i], SL_PATHSET_IDENTITY);
	at = r == 0 ? sl_pathset_aliased_at(&set, (unsigned)p->fs_deny.n) : -1;
	sl_pathset_free(&set);
	if (r < 0)
		return r;
	if (at == -1)
		return 0;
	if (at < 0)
		return at; /* -ENOMEM: cannot tell */
	*which = (size_t)at;
	return 1;
}

static int seen(void *arg, int fd, const struct stat *dir, const char *name)
{
	(void)arg;
	(void)fd;
	(void)dir;
	(void)name;
	return 0;
}

int sl_fs_deny_searchable(const struct sl_policy *p, size_t *which)
{
	for (size_t i = 0; i < p->fs_deny.n; i++) {
		_cleanup_(closep) int fd =
			open(p->fs_deny.v[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		int r;

		if (fd < 0)
			continue; /* a file, or missing: nothing to search */
		r = sl_pathset_scan_linked(fd, seen, NULL);
		if (r < 0)
			return r;
		if (r & SL_SCAN_BOUNDED) {
			*which = i;
			return 1;
		}
	}
	return 0;
}

void sl_fs_holes_free(struct sl_fs_holes *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->v[i].path);
	free(h->v);
	sl_strv_free(&h->missing);
	memset(h, 0, sizeof(*h));
}

static bool takes_all(const struct sl_fs_hole *hole)
{
	return hole->kind != SL_HOLE_READONLY;
}

bool sl_fs_holes_swallow(const struct sl_fs_holes *h, const char *grant)
{
	for (size_t i = 0; i < h->n; i++)
		if (takes_all(&h->v[i]) && sl_path_covers(h->v[i].path, grant))
			return true;
	return false;
}

struct walk {
	const struct sl_fs_holes *h;
	bool writable; /* a write grant: read-only holes count */
	sl_fs_rule_fn fn;
	void *arg;
	size_t *budget;
};

static bool counts(const struct walk *w, const struct sl_fs_hole *hole)
{
	return takes_all(hole) || w->writable;
}

/* Holes strictly below dir (SL_RULE_* flags for dir's own rule in *flags:
 * no listing above a directory that takes every right, no change of the
 * tree above a copy-on-write hole); whether there is any. */
static bool holes_below(const struct walk *w, const char *dir, unsigned *flags)
{
	bool any = false;

	*flags = SL_RULE_DIR;
	for (size_t i = 0; i < w->h->n; i++) {
		const struct sl_fs_hole *hole = &w->h->v[i];

		if (!counts(w, hole) || !sl_path_covers(dir, hole->path) ||
		    strcmp(dir, hole->path) == 0)
			continue;
		any = true;
		if (hole->dir && takes_all(hole))
			*flags |= SL_RULE_NOLIST;
		if (hole->kind != SL_HOLE_DENY)
			*flags |= SL_RULE_READONLY;
	}
	return any;
}

bool sl_fs_holes_expands(const struct sl_fs_holes *h, const char *grant,
			 bool writable)
{
	struct walk w = { .h = h, .writable = writable };
	unsigned flags;

	return !sl_fs_holes_swallow(h, grant) && holes_below(&w, grant, &flags);
}

/* The hole at path (counted for this grant), or NULL. */
static const struct sl_fs_hole *hole_at(const struct walk *w, const char *path)
{
	for (size_t i = 0; i < w->h->n; i++)
		if (counts(w, &w->h->v[i]) &&
		    strcmp(w->h->v[i].path, path) == 0)
			return &w->h->v[i];
	return NULL;
}

static int rule(struct walk *w, const char *path, unsigned flags)
{
	_cleanup_(closep) int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno; /* gone meanwhile */
	if (w->budget) {
		if (*w->budget == 0)
			return -E2BIG;
		(*w->budget)--;
	}
	return w->fn(w->arg, fd, path, flags);
}

static int expand_dir(struct walk *w, const char *dir, unsigned ro);

/* One object of the grant: a rule of its own, or expanded around the
 * holes below it; ro: inside a read-only hole. */
static int grant_object(struct walk *w, const char *path, bool is_dir,
			unsigned ro)
{
	unsigned flags;

	if (holes_below(w, path, &flags))
		return is_dir ? expand_dir(w, path, ro) : 0;
	return rule(w, path, SL_RULE_FULL | ro);
}

static int expand_dir(struct walk *w, const char *dir, unsigned ro)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	unsigned flags;
	int r;

	holes_below(w, dir, &flags);
	r = rule(w, dir, flags | ro);
	if (r < 0)
		return r;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		_cleanup_(freep) char *child = NULL;
		const struct sl_fs_hole *hole;
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (asprintf(&child, "%s%s%s", dir,
			     strcmp(dir, "/") == 0 ? "" : "/", de->d_name) < 0)
			return -ENOMEM;
		hole = hole_at(w, child);
		if (hole && takes_all(hole))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISLNK(st.st_mode))
			continue; /* a link's own rights grant nothing: its
				   * target's place decides */
		r = grant_object(w, child, S_ISDIR(st.st_mode),
				 hole ? SL_RULE_READONLY : ro);
		if (r < 0)
			return r;
	}
	return 0;
}

int sl_fs_holes_expand(const struct sl_fs_holes *h, const char *grant,
		       bool writable, sl_fs_rule_fn fn, void *arg,
		       size_t *budget)
{
	struct walk w = { h, writable, fn, arg, budget };
	struct stat st;
	unsigned ro = 0;

	/* A grant at or inside the read-only hole gives only its reads. */
	for (size_t i = 0; i < h->n; i++)
		if (counts(&w, &h->v[i]) && h->v[i].kind == SL_HOLE_READONLY &&
		    sl_path_covers(h->v[i].path, grant))
			ro = SL_RULE_READONLY;
	if (stat(grant, &st) < 0)
		return errno == ENOENT ? 0 : -errno; /* gone meanwhile */
	return grant_object(&w, grant, S_ISDIR(st.st_mode), ro);
}

/* ---- what was built --------------------------------------------------------- */

static int push_id(struct sl_fs_dirid **v, size_t *n, size_t *cap,
		   const struct stat *st)
{
	void *p = *v;
	int r = sl_vec_reserve(&p, cap, *n + 1, sizeof(**v));

	*v = p;
	if (r < 0)
		return r;
	(*v)[(*n)++] = (struct sl_fs_dirid){ st->st_dev, st->st_ino };
	return 0;
}

int sl_fs_built_note(struct sl_fs_built *b, const struct stat *st,
		     const char *path, unsigned flags)
{
	char **paths;
	int r;

	if (!(flags & SL_RULE_DIR))
		return push_id(&b->ruled, &b->nruled, &b->capruled, st);
	if (flags & SL_RULE_NOLIST) {
		r = push_id(&b->unlisted, &b->nunlisted, &b->capunlisted, st);
		if (r < 0)
			return r;
	}
	paths = realloc(b->way_paths, (b->nway + 1) * sizeof(*paths));
	if (!paths)
		return -ENOMEM;
	b->way_paths = paths;
	paths[b->nway] = strdup(path);
	if (!paths[b->nway])
		return -ENOMEM;
	r = push_id(&b->way, &b->nway, &b->capway, st);
	if (r < 0)
		free(paths[b->nway]);
	return r;
}

static int cmp_id(const void *a, const void *b)
{
	const struct sl_fs_dirid *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

void sl_fs_built_done(struct sl_fs_built *b)
{
	if (b->nruled > 1)
		qsort(b->ruled, b->nruled, sizeof(*b->ruled), cmp_id);
}

void sl_fs_built_free(struct sl_fs_built *b)
{
	free(b->unlisted);
	free(b->way);
	for (size_t i = 0; i < b->nway; i++)
		free(b->way_paths[i]);
	free(b->way_paths);
	free(b->ruled);
	sl_strv_free(&b->late);
	memset(b, 0, sizeof(*b));
}

static bool id_in(const struct sl_fs_dirid *set, size_t n, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < n; i++)
		if (set[i].dev == dev && set[i].ino == ino)
			return true;
	return false;
}

bool sl_fs_built_unlisted(const struct sl_fs_built *b, dev_t dev, ino_t ino)
{
	return id_in(b->unlisted, b->nunlisted, dev, ino);
}

bool sl_fs_built_on_way(const struct sl_fs_built *b, dev_t dev, ino_t ino)
{
	return id_in(b->way, b->nway, dev, ino);
}

static bool ruled(const struct sl_fs_built *b, dev_t dev, ino_t ino)
{
	struct sl_fs_dirid key = { dev, ino };

	return b->nruled &&
	       bsearch(&key, b->ruled, b->nruled, sizeof(key), cmp_id);
}

/* lstat from the dentry cache only: -EAGAIN where the lookup would go to
 * the filesystem (a network one may wait; the caller is the event loop). */
static int cached_lstat(const char *path, struct stat *st)
{
	struct open_how how = {
		.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_CACHED | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	int r;

	if (fd < 0)
		return -errno;
	r = fstat(fd, st) < 0 ? -errno : 0;
	close(fd);
	return r;
}

bool sl_fs_built_unruled(const struct sl_fs_built *b, const char *path)
{
	_cleanup_(freep) char *entry = NULL;
	const char *d = NULL, *rest;
	size_t dl = 0, el;
	struct stat st;
	int r;

	/* the deepest directory on the way above it */
	for (size_t i = 0; i < b->nway; i++) {
		size_t l = strlen(b->way_paths[i]);

		if (l > dl && sl_path_covers(b->way_paths[i], path) &&
		    path[l] != '\0') {
			d = b->way_paths[i];
			dl = l;
		}
	}
	if (!d)
		return false;
	rest = path + (dl == 1 ? 1 : dl + 1);
	el = strcspn(rest, "/");
	entry = strndup(path, (size_t)(rest - path) + el);
	if (!entry)
		return true; /* cannot tell: served */
	r = cached_lstat(entry, &st);
	if (r == -EAGAIN)
		return true; /* cannot tell without waiting: served (in a
			      * worker where it would wait) */
	if (r < 0)
		return false; /* gone: the kernel answers it */
	return !ruled(b, st.st_dev, st.st_ino) &&
	       !sl_fs_built_on_way(b, st.st_dev, st.st_ino);
}
