#include "fs/aliases.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
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
	bool kernel; /* procfs, sysfs, debugfs or tracefs */
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

/* Is the line's filesystem type (after the " - " separator) procfs,
 * sysfs, debugfs or tracefs? */
static bool kernel_fs(const char *line)
{
	static const char *const types[] = { "proc ", "sysfs ", "debugfs ",
					     "tracefs " };
	const char *sep = strstr(line, " - ");

	for (size_t i = 0; sep && i < sizeof(types) / sizeof(types[0]); i++)
		if (strncmp(sep + 3, types[i], strlen(types[i])) == 0)
			return true;
	return false;
}

/* "id parent major:minor root mountpoint ... - fstype ..." per line. */
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
		m->kernel = kernel_fs(line);
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

static int scan_kernel_mounts(struct sl_strv *out)
{
	struct search s = { .out = out };
	int r = read_mounts(&s);

	/* No procfs to read it from (none mounted, or one this process may
	 * not read: inside another sandbox): none can be found, see
	 * docs/confinement.md. */
	if (r == -ENOENT || r == -EACCES || r == -EPERM)
		r = 0;
	for (size_t i = 0; r == 0 && i < s.nmounts; i++) {
		const char *pt = s.mounts[i].point;

		if (s.mounts[i].kernel && !sl_path_covers("/proc", pt) &&
		    !sl_path_covers("/sys", pt))
			r = sl_strv_push(out, pt);
	}
	free_mounts(&s);
	return r;
}

/* The answer kept between calls: reading the mount table costs tens of
 * microseconds per sandbox (hundreds on hosts with many mounts) and the
 * table rarely changes. It is used while the table has not changed since
 * (an open mountinfo polls POLLPRI after any change of its namespace's
 * mounts), in the process and mount namespace it was read in. A caller
 * that finds it busy reads the table itself (no wait, and no deadlock in
 * a child forked while another thread held it). */
static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	bool valid;
	int fd;	      /* polled for changes */
	dev_t fd_dev; /* ... still that file (a host closing fds it does */
	ino_t fd_ino; /* not own could have its number reused) */
	pid_t pid;
	dev_t ns_dev;
	ino_t ns_ino;
	struct sl_strv points;
} kept = { .fd = -1 };

static bool kept_current(const struct stat *ns)
{
	struct pollfd pf = { .fd = kept.fd, .events = POLLPRI };
	struct stat st;

	return kept.valid && kept.pid == getpid() &&
	       kept.ns_dev == ns->st_dev && kept.ns_ino == ns->st_ino &&
	       fstat(kept.fd, &st) == 0 && st.st_dev == kept.fd_dev &&
	       st.st_ino == kept.fd_ino && poll(&pf, 1, 0) == 0;
}

static int kept_refresh(const struct stat *ns)
{
	struct stat st;
	int r;

	/* ours, or a copy a fork gave us; a number the host reused after
	 * closing ours is left alone */
	if (kept.fd >= 0 && fstat(kept.fd, &st) == 0 &&
	    st.st_dev == kept.fd_dev && st.st_ino == kept.fd_ino)
		close(kept.fd);
	kept.fd = -1;
	kept.valid = false;
	sl_strv_free(&kept.points);
	/* opened before the read: a change after it is reported */
	kept.fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (kept.fd >= 0 && fstat(kept.fd, &st) < 0) {
		close(kept.fd);
		kept.fd = -1;
	}
	if (kept.fd < 0) /* not kept: read each time */
		return scan_kernel_mounts(&kept.points);
	r = scan_kernel_mounts(&kept.points);
	if (r < 0)
		return r;
	kept.fd_dev = st.st_dev;
	kept.fd_ino = st.st_ino;
	kept.valid = true;
	kept.pid = getpid();
	kept.ns_dev = ns->st_dev;
	kept.ns_ino = ns->st_ino;
	return 0;
}

int sl_fs_kernel_mounts_elsewhere(struct sl_strv *out)
{
	struct stat ns;
	int r;

	if (stat("/proc/self/ns/mnt", &ns) < 0 ||
	    pthread_mutex_trylock(&kept_lock) != 0)
		return scan_kernel_mounts(out);
	r = kept_current(&ns) ? 0 : kept_refresh(&ns);
	for (size_t i = 0; r == 0 && i < kept.points.n; i++)
		r = sl_strv_push(out, kept.points.v[i]);
	pthread_mutex_unlock(&kept_lock);
	return r;
}
