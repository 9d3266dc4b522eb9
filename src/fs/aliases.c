#include "fs/aliases.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fs/path.h"
#include "fs/pathset.h"
#include "util/cleanup.h"

struct mount {
	dev_t dev;
	char *root;  /* the mounted directory, inside its filesystem */
	char *point; /* where it is mounted */
};

struct search {
	const struct sl_strv *denied;
	struct mount *mounts;
	size_t nmounts;
	struct sl_strv *out;
	bool complete;
};

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

static void free_mounts(struct search *s)
{
	for (size_t i = 0; i < s->nmounts; i++) {
		free(s->mounts[i].root);
		free(s->mounts[i].point);
	}
	free(s->mounts);
}

/* "id parent major:minor root mountpoint ..." per line. */
static int read_mounts(struct search *s)
{
	_cleanup_(fclosep) FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_(freep) char *line = NULL;
	size_t cap = 0, mcap = 0;

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		char root[4097], point[4097];
		unsigned maj, min;
		struct mount *m;

		if (sscanf(line, "%*d %*d %u:%u %4096s %4096s", &maj, &min,
			   root, point) != 4)
			continue;
		if (s->nmounts == mcap) {
			mcap = mcap ? mcap * 2 : 32;
			m = realloc(s->mounts, mcap * sizeof(*m));
			if (!m)
				return -ENOMEM;
			s->mounts = m;
		}
		unescape(root);
		unescape(point);
		m = &s->mounts[s->nmounts];
		m->dev = makedev(maj, min);
		m->root = strdup(root);
		m->point = strdup(point);
		if (!m->root || !m->point) {
			free(m->root);
			free(m->point);
			return -ENOMEM;
		}
		s->nmounts++;
	}
	return ferror(f) ? -EIO : 0;
}

/* a + the part of path below prefix (prefix covers path). */
static char *rebase(const char *a, const char *prefix, const char *path)
{
	const char *rest =
		path + (strcmp(prefix, "/") == 0 ? 0 : strlen(prefix));
	char *out = NULL;

	if (asprintf(&out, "%s%s", strcmp(a, "/") == 0 && *rest ? "" : a,
		     rest) < 0)
		return NULL;
	return out;
}

static bool same(const char *path, const struct stat *st)
{
	struct stat o;

	return lstat(path, &o) == 0 && o.st_dev == st->st_dev &&
	       o.st_ino == st->st_ino;
}

static bool denied(const struct search *s, const char *path)
{
	for (size_t i = 0; i < s->denied->n; i++)
		if (sl_path_covers(s->denied->v[i], path))
			return true;
	return false;
}

/* The mount path lies on: the last one (later mounts hide earlier ones)
 * of the longest mount point that covers it. */
static const struct mount *mount_of(const struct search *s, const char *path)
{
	const struct mount *best = NULL;

	for (size_t i = 0; i < s->nmounts; i++)
		if (sl_path_covers(s->mounts[i].point, path) &&
		    (!best ||
		     strlen(s->mounts[i].point) >= strlen(best->point)))
			best = &s->mounts[i];
	return best;
}

/* The denied object at path (st) under the other mounts of its
 * filesystem: where a mount's root covers it, the same object below that
 * mount point; where it covers a mount's root (a directory), the whole
 * mount. */
static int other_mounts(struct search *s, const char *path,
			const struct stat *st)
{
	const struct mount *m0 = mount_of(s, path);
	_cleanup_(freep) char *fspath = NULL;
	int r = 0;

	if (!m0 || m0->dev != st->st_dev) {
		s->complete = false; /* cannot tell where it is */
		return 0;
	}
	fspath = rebase(m0->root, m0->point, path);
	if (!fspath)
		return -ENOMEM;
	for (size_t i = 0; r == 0 && i < s->nmounts; i++) {
		const struct mount *m = &s->mounts[i];
		_cleanup_(freep) char *alias = NULL;

		if (m == m0 || m->dev != st->st_dev)
			continue;
		if (sl_path_covers(m->root, fspath)) {
			alias = rebase(m->point, m->root, fspath);
			if (!alias)
				return -ENOMEM;
			if (same(alias, st) && !denied(s, alias))
				r = sl_strv_push(s->out, alias);
		} else if (sl_path_covers(fspath, m->root) &&
			   !denied(s, m->point)) {
			r = sl_strv_push(s->out, m->point);
		}
	}
	return r;
}

/* A file of a denied directory with another link: where that link is
 * would take a walk of every grant on its filesystem (a whole /usr), so
 * the search ends as incomplete (as past the scan's bounds, or where
 * another filesystem is mounted inside). */
static int linked(void *arg, int fd, const struct stat *dir, const char *name)
{
	(void)fd;
	(void)dir;
	(void)name;
	*(bool *)arg = true;
	return 0;
}

static int look_below(struct search *s, const char *dir)
{
	_cleanup_(closep) int fd =
		open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	bool found = false;
	int r;

	if (fd < 0)
		return 0; /* gone meanwhile */
	r = sl_pathset_scan_linked(fd, linked, &found);
	if (r == -ENOMEM)
		return r;
	if (r != 0 || found)
		s->complete = false; /* unseen, or another link */
	return 0;
}

int sl_fs_aliases_of(const struct sl_strv *denied, struct sl_strv *out,
		     bool *complete)
{
	struct search s = {
		.denied = denied,
		.out = out,
		.complete = true,
	};
	int r = read_mounts(&s);

	if (r == -ENOMEM)
		goto out;
	if (r < 0) {
		s.complete = false; /* no mount table: cannot tell */
		r = 0;
		goto out;
	}
	for (size_t i = 0; r == 0 && i < denied->n; i++) {
		struct stat st;

		if (lstat(denied->v[i], &st) < 0)
			continue; /* gone meanwhile: no hole either */
		r = other_mounts(&s, denied->v[i], &st);
		if (r == 0 && S_ISDIR(st.st_mode))
			r = look_below(&s, denied->v[i]);
		else if (st.st_nlink > 1)
			s.complete = false; /* a hard link: see linked() */
	}
out:
	free_mounts(&s);
	*complete = r == 0 && s.complete;
	return r;
}
