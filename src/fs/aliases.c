#include "fs/aliases.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fs/path.h"
#include "util/cleanup.h"

/* Bounds of the look into a denied directory for multi-linked files. */
#define SL_ALIAS_DIR_ENTRIES 4096
#define SL_ALIAS_DEPTH 32

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

/* Does a file below dir (on dir's filesystem, within *budget entries and
 * SL_ALIAS_DEPTH) have another link? Where that link is would take a walk
 * of every grant on its filesystem (a whole /usr), so the search then
 * ends as incomplete; past a bound, or at a filesystem mounted inside,
 * it does too. */
static int linked_below(struct search *s, const char *dir, dev_t dev,
			unsigned depth, size_t *budget)
{
	_cleanup_(closedirp) DIR *d = opendir(dir);
	struct dirent *de;
	int r = 0;

	if (!d)
		return 0; /* unreadable to us: unreachable to the sandbox */
	while (r == 0 && s->complete && (de = readdir(d))) {
		_cleanup_(freep) char *child = NULL;
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (*budget == 0 || depth >= SL_ALIAS_DEPTH) {
			s->complete = false;
			return 0;
		}
		(*budget)--;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (!S_ISDIR(st.st_mode)) {
			s->complete = s->complete && st.st_nlink < 2;
			continue;
		}
		if (st.st_dev != dev) {
			s->complete = false;
			return 0;
		}
		if (asprintf(&child, "%s/%s", dir, de->d_name) < 0)
			return -ENOMEM;
		r = linked_below(s, child, dev, depth + 1, budget);
	}
	return r;
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
		if (r == 0 && S_ISDIR(st.st_mode)) {
			size_t budget = SL_ALIAS_DIR_ENTRIES;

			r = linked_below(&s, denied->v[i], st.st_dev, 0,
					 &budget);
		} else if (st.st_nlink > 1) {
			s.complete = false; /* a hard link: see linked_below */
		}
	}
out:
	free_mounts(&s);
	*complete = r == 0 && s.complete;
	return r;
}
