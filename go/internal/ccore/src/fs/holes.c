#include "fs/holes.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/path.h"
#include "util/vec.h"
#include "util/cleanup.h"

static int push(struct sl_fs_holes *h, const char *real)
{
	struct sl_fs_hole *v;
	struct stat st;

	if (lstat(real, &st) < 0)
		return 0; /* gone meanwhile: nothing to leave out */
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->v[i].path, real) == 0)
			return 0;
	v = realloc(h->v, (h->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	h->v = v;
	h->v[h->n].path = strdup(real);
	if (!h->v[h->n].path)
		return -ENOMEM;
	h->v[h->n].dir = S_ISDIR(st.st_mode);
	h->n++;
	return 0;
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

/* The grants of p, as given and resolved. */
static int grants_of(const struct sl_policy *p, struct sl_strv *out)
{
	const struct sl_strv *lists[] = { &p->fs_read, &p->fs_write };
	int r = 0;

	for (size_t l = 0; r == 0 && l < 2; l++)
		for (size_t i = 0; r == 0 && i < lists[l]->n; i++) {
			_cleanup_(freep) char *real =
				realpath(lists[l]->v[i], NULL);

			r = sl_strv_push(out, lists[l]->v[i]);
			if (r == 0 && real)
				r = sl_strv_push(out, real);
		}
	return r;
}

int sl_fs_holes_of(const struct sl_policy *p, struct sl_fs_holes *out)
{
	struct sl_strv grants = { 0 };
	const char *s;
	int r;

	memset(out, 0, sizeof(*out));
	r = grants_of(p, &grants);
	for (size_t i = 0; r == 0 && i < p->fs_deny.n; i++)
		r = push_real(out, p->fs_deny.v[i]);
	for (size_t i = 0; r == 0 && (s = sl_path_sensitive_at(i)); i++) {
		if (strncmp(s, "/sys/", 5) != 0 || !granted_near(&grants, s))
			continue;
		r = push_real(out, s);
		if (r == 0 && strcmp(s, "/sys/class/net") == 0)
			r = push_link_targets(out, s);
	}
	if (r == 0 && granted_near(&grants, "/proc"))
		r = push_real(out, "/proc");
	sl_strv_free(&grants);
	if (r < 0)
		sl_fs_holes_free(out);
	return r;
}

void sl_fs_holes_free(struct sl_fs_holes *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->v[i].path);
	free(h->v);
	memset(h, 0, sizeof(*h));
}

bool sl_fs_holes_swallow(const struct sl_fs_holes *h, const char *grant)
{
	for (size_t i = 0; i < h->n; i++)
		if (sl_path_covers(h->v[i].path, grant))
			return true;
	return false;
}

/* Holes strictly below dir; whether one of them is a directory. */
static bool holes_below(const struct sl_fs_holes *h, const char *dir,
			bool *dir_hole)
{
	bool any = false;

	*dir_hole = false;
	for (size_t i = 0; i < h->n; i++)
		if (sl_path_covers(dir, h->v[i].path) &&
		    strcmp(dir, h->v[i].path) != 0) {
			any = true;
			*dir_hole |= h->v[i].dir;
		}
	return any;
}

static bool is_hole(const struct sl_fs_holes *h, const char *path)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->v[i].path, path) == 0)
			return true;
	return false;
}

struct walk {
	const struct sl_fs_holes *h;
	sl_fs_rule_fn fn;
	void *arg;
	size_t *budget;
	bool path_dirs_only;
};

static int rule(struct walk *w, const char *path, enum sl_fs_rule kind)
{
	_cleanup_(closep) int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno; /* gone meanwhile */
	if (w->budget) {
		if (*w->budget == 0)
			return -E2BIG;
		(*w->budget)--;
	}
	return w->fn(w->arg, fd, kind);
}

static int expand_dir(struct walk *w, const char *dir)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	bool dir_hole;
	int r;

	holes_below(w->h, dir, &dir_hole);
	if (!w->path_dirs_only || dir_hole) {
		r = rule(w, dir, dir_hole ? SL_RULE_DIR_NOLIST : SL_RULE_DIR);
		if (r < 0)
			return r;
	}
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		_cleanup_(freep) char *child = NULL;
		struct stat st;
		bool sub_dir_hole;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (asprintf(&child, "%s%s%s", dir,
			     strcmp(dir, "/") == 0 ? "" : "/",
			     de->d_name) < 0)
			return -ENOMEM;
		if (is_hole(w->h, child))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (holes_below(w->h, child, &sub_dir_hole)) {
			r = S_ISDIR(st.st_mode) ? expand_dir(w, child) : 0;
		} else if (w->path_dirs_only || S_ISLNK(st.st_mode)) {
			/* a link's own rights grant nothing: its target's
			 * place decides */
			r = 0;
		} else {
			r = rule(w, child, SL_RULE_FULL);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int sl_fs_holes_expand(const struct sl_fs_holes *h, const char *grant,
		       sl_fs_rule_fn fn, void *arg, size_t *budget)
{
	struct walk w = { h, fn, arg, budget, false };
	bool dir_hole;

	if (!holes_below(h, grant, &dir_hole))
		return rule(&w, grant, SL_RULE_FULL);
	return expand_dir(&w, grant);
}

int sl_fs_holes_unlisted(const struct sl_fs_holes *h, const char *grant,
			 sl_fs_rule_fn fn, void *arg)
{
	struct walk w = { h, fn, arg, NULL, true };
	bool dir_hole;

	if (!holes_below(h, grant, &dir_hole) || !dir_hole)
		return 0;
	return expand_dir(&w, grant);
}
