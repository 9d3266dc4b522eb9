/*
 * Where branches live (docs/behaviour.md 9.1): the storage base and its rules,
 * the uuid-v4 layout of one branch, reopening a preserved branch.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "cow/internal.h"
#include "util/cleanup.h"

/* A branch object with no storage yet. */
static int branch_new(struct sl_cow_branch **out, struct sl_error *e)
{
	struct sl_cow_branch *b = calloc(1, sizeof(*b));
	int r;

	*out = NULL;
	if (!b)
		return sl_err(e, ENOMEM, "out of memory");
	r = pthread_mutex_init(&b->lock, NULL);
	if (r != 0) {
		free(b);
		return sl_err(e, r, "cannot initialize a branch lock");
	}
	b->workdir_fd = b->base_fd = b->dir_fd = b->upper_fd = b->log_fd = -1;
	*out = b;
	return 0;
}

/* The path of an open directory, as the kernel names it. */
static int fd_path(int fd, char **out)
{
	char link[64], buf[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	if (n == 0 || buf[0] != '/' || (size_t)n >= sizeof(buf) - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	*out = strdup(buf);
	return *out ? 0 : -ENOMEM;
}

/* Open an existing directory given by the user (the workdir). */
static int open_workdir(const char *path, int *fd, char **canon,
			struct sl_error *e)
{
	int r;

	*fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0) {
		r = -errno;
		if (r == -ENOENT)
			return sl_err(e, ENOENT, "workdir '%s' does not exist",
				      path);
		if (r == -ENOTDIR)
			return sl_err(e, ENOTDIR,
				      "workdir '%s' is not a "
				      "directory",
				      path);
		return sl_err(e, -r, "workdir '%s': %s", path, strerror(-r));
	}
	r = fd_path(*fd, canon);
	if (r < 0)
		return sl_err(e, -r, "workdir '%s': cannot name it: %s", path,
			      strerror(-r));
	return 0;
}

enum base_kind { BASE_EXPLICIT, BASE_DEFAULT };

/* Accept an opened base, or say why not. */
static int check_base(int fd, const char *path, enum base_kind kind,
		      struct sl_error *e)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return sl_err(e, errno, "storage base '%s': %s", path,
			      strerror(errno));
	if (S_ISLNK(st.st_mode))
		return sl_err(e, ELOOP, "storage base '%s' is a symlink", path);
	if (!S_ISDIR(st.st_mode))
		return sl_err(e, ENOTDIR,
			      "storage base '%s' is not a "
			      "directory",
			      path);
	if (kind == BASE_DEFAULT) {
		if (st.st_uid != geteuid())
			return sl_err(e, EPERM,
				      "storage base '%s' is owned "
				      "by uid %u, not %u",
				      path, (unsigned)st.st_uid,
				      (unsigned)geteuid());
		if (st.st_mode & 077)
			return sl_err(e, EPERM,
				      "storage base '%s' has mode "
				      "%04o; it must be 0700",
				      path, (unsigned)(st.st_mode & 07777));
		return 0;
	}
	if (st.st_mode & 022)
		return sl_err(e, EPERM,
			      "storage base '%s' is group- or "
			      "world-writable (mode %04o)",
			      path, (unsigned)(st.st_mode & 07777));
	if (st.st_uid != geteuid() && st.st_uid != 0)
		return sl_err(e, EPERM, "storage base '%s' is owned by uid %u",
			      path, (unsigned)st.st_uid);
	return 0;
}

/* O_PATH|O_NOFOLLOW first: a symlink is seen as one, never followed. */
static int open_base(const char *path, enum base_kind kind, int *fd,
		     struct sl_error *e)
{
	_cleanup_(closep) int p = -1;
	int r;

	*fd = -1;
	p = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (p < 0)
		return -errno; /* ENOENT: the caller may create it */
	r = check_base(p, path, kind, e);
	if (r < 0)
		return r;
	*fd = openat(p, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return sl_err(e, errno, "storage base '%s': %s", path,
			      strerror(errno));
	return 0;
}

/* Is the workdir the base or inside it? */
static int check_outside(const char *base, const char *workdir,
			 struct sl_error *e)
{
	if (workdir && sl_cow_path_covers(base, workdir))
		return sl_err(e, EINVAL,
			      "workdir '%s' is inside the "
			      "copy-on-write storage '%s'",
			      workdir, base);
	return 0;
}

/* One candidate base: open it (or create it 0700 when allowed), check it,
 * name it. -ENOENT when missing and not created. */
static int try_base(const char *path, enum base_kind kind, bool create,
		    const char *workdir, int *fd, char **canon,
		    struct sl_error *e)
{
	int r = open_base(path, kind, fd, e);

	if (r == -ENOENT && create) {
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return sl_err(e, errno,
				      "storage base '%s' cannot be "
				      "created: %s",
				      path, strerror(errno));
		r = open_base(path, kind, fd, e);
	}
	if (r == -ENOENT)
		return r;
	if (r < 0) /* keeps the message of a failed check */
		return sl_err(e, -r, "storage base '%s': %s", path,
			      strerror(-r));
	r = fd_path(*fd, canon);
	if (r < 0)
		return sl_err(e, -r, "storage base '%s': cannot name it: %s",
			      path, strerror(-r));
	return check_outside(*canon, workdir, e);
}

static int default_xdg(char **path)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	*path = NULL;
	if (!xdg || !*xdg || getuid() != geteuid())
		return 0;
	return asprintf(path, "%s/sandlock-cow", xdg) < 0 ? -ENOMEM : 0;
}

static int default_tmp(char **path)
{
	const char *tmp = getenv("TMPDIR");

	if (!tmp || !*tmp)
		tmp = "/tmp";
	return asprintf(path, "%s/sandlock-cow-%u", tmp, (unsigned)getuid()) <
			       0 ?
		       -ENOMEM :
		       0;
}

/*
 * Open the storage base: fs_storage verbatim, else the default (XDG, then
 * tmp). The workdir must not lie inside it; a base is created only once
 * that is known. -ENOENT when missing and !create.
 */
static int base_resolve(const char *fs_storage, const char *workdir,
			bool create, int *fd, char **canon, struct sl_error *e)
{
	_cleanup_(freep) char *xdg = NULL;
	_cleanup_(freep) char *tmp = NULL;
	int r;

	*fd = -1;
	*canon = NULL;
	if (fs_storage) {
		if (!*fs_storage)
			return sl_err(e, EINVAL,
				      "fs_storage must not be empty");
		return try_base(fs_storage, BASE_EXPLICIT, create, workdir, fd,
				canon, e);
	}
	if (default_xdg(&xdg) < 0 || default_tmp(&tmp) < 0)
		return sl_err(e, ENOMEM, "out of memory");
	if (xdg) {
		/* An unacceptable XDG base falls back to the tmp base. */
		r = try_base(xdg, BASE_DEFAULT, create, workdir, fd, canon,
			     NULL);
		if (r == 0)
			return 0;
		if (*fd >= 0)
			close(*fd);
		free(*canon);
		*fd = -1;
		*canon = NULL;
	}
	return try_base(tmp, BASE_DEFAULT, create, workdir, fd, canon, e);
}

static int make_uuid(char out[SL_COW_UUID_LEN + 1])
{
	uint8_t u[16];
	ssize_t n;

	do
		n = getrandom(u, sizeof(u), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(u))
		return n < 0 ? -errno : -EIO;
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x40); /* version 4 */
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, SL_COW_UUID_LEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
	return 0;
}

/* Identity of the base, and where it lies in the workdir (if it does). */
static int locate_base(struct sl_cow_branch *b)
{
	struct stat st;
	size_t n = strlen(b->workdir);

	if (fstat(b->base_fd, &st) < 0)
		return -errno;
	b->base_dev = st.st_dev;
	b->base_ino = st.st_ino;
	if (!sl_cow_path_covers(b->workdir, b->base) ||
	    strcmp(b->workdir, b->base) == 0)
		return 0;
	b->storage_rel = strdup(b->base + (n == 1 ? 1 : n + 1));
	return b->storage_rel ? 0 : -ENOMEM;
}

static int open_dir_at(int dirfd, const char *name)
{
	int fd = openat(dirfd, name,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int make_layout(struct sl_cow_branch *b)
{
	int r = 0;

	for (int tries = 0; tries < 8; tries++) {
		r = make_uuid(b->uuid);
		if (r < 0)
			return r;
		if (mkdirat(b->base_fd, b->uuid, 0700) == 0)
			break;
		r = -errno;
		if (r != -EEXIST)
			return r;
	}
	if (r < 0)
		return r;
	if ((b->dir_fd = open_dir_at(b->base_fd, b->uuid)) < 0)
		return b->dir_fd;
	if (mkdirat(b->dir_fd, SL_COW_UPPER_DIR, 0700) < 0)
		return -errno;
	if ((b->upper_fd = open_dir_at(b->dir_fd, SL_COW_UPPER_DIR)) < 0)
		return b->upper_fd;
	b->log_fd = openat(b->dir_fd, SL_COW_LOG,
			   O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW |
				   O_CLOEXEC,
			   0600);
	if (b->log_fd < 0)
		return -errno;
	if (asprintf(&b->dir, "%s/%s", b->base, b->uuid) < 0) {
		b->dir = NULL;
		return -ENOMEM;
	}
	if (asprintf(&b->upper, "%s/" SL_COW_UPPER_DIR, b->dir) < 0) {
		b->upper = NULL;
		return -ENOMEM;
	}
	return 0;
}

int sl_cow_branch_create(const struct sl_cow_config *c,
			 struct sl_cow_branch **out, struct sl_error *e)
{
	struct sl_cow_branch *b;
	int r;

	*out = NULL;
	if (!c || !c->workdir || !*c->workdir)
		return sl_err(e, EINVAL, "workdir must not be empty");
	r = branch_new(&b, e);
	if (r < 0)
		return r;
	b->max_disk = c->max_disk;
	r = open_workdir(c->workdir, &b->workdir_fd, &b->workdir, e);
	if (r == 0)
		r = base_resolve(c->fs_storage, b->workdir, true, &b->base_fd,
				 &b->base, e);
	if (r == 0 && (r = locate_base(b)) < 0)
		sl_err(e, -r, "storage base '%s': %s", b->base, strerror(-r));
	if (r == 0 && (r = make_layout(b)) < 0) {
		sl_err(e, -r,
		       "cannot create a copy-on-write branch in '%s': "
		       "%s",
		       b->base, strerror(-r));
		if (b->dir_fd >= 0)
			sl_cow_remove_storage(b, true);
		else if (b->uuid[0])
			unlinkat(b->base_fd, b->uuid, AT_REMOVEDIR);
	}
	if (r < 0) {
		sl_cow_branch_free(b);
		return r;
	}
	*out = b;
	return 0;
}

static bool looks_like_uuid(const char *s)
{
	if (strlen(s) != SL_COW_UUID_LEN)
		return false;
	for (int i = 0; i < SL_COW_UUID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' :
			   !((s[i] >= '0' && s[i] <= '9') ||
			     (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

/* The pieces of a reopened branch that come from its directory. */
static int open_existing(struct sl_cow_branch *b, const char *dir,
			 struct sl_cow_marker *m, struct sl_error *e)
{
	const char *slash;
	int r;

	b->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (b->dir_fd < 0)
		return sl_err(e, errno, "branch '%s': %s", dir,
			      strerror(errno));
	r = fd_path(b->dir_fd, &b->dir);
	if (r < 0)
		return sl_err(e, -r, "branch '%s': %s", dir, strerror(-r));
	slash = strrchr(b->dir, '/');
	if (!looks_like_uuid(slash + 1))
		return sl_err(e, EINVAL,
			      "'%s' is not a copy-on-write branch "
			      "(its name is not a uuid)",
			      dir);
	memcpy(b->uuid, slash + 1, SL_COW_UUID_LEN + 1);
	b->base =
		strndup(b->dir, slash == b->dir ? 1 : (size_t)(slash - b->dir));
	if (!b->base ||
	    asprintf(&b->upper, "%s/" SL_COW_UPPER_DIR, b->dir) < 0) {
		b->upper = NULL;
		return sl_err(e, ENOMEM, "out of memory");
	}
	b->base_fd =
		openat(b->dir_fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->base_fd < 0)
		return sl_err(e, errno, "branch '%s': %s", dir,
			      strerror(errno));
	r = sl_cow_marker_read(b->dir_fd, m);
	if (r == -ENOENT)
		return sl_err(e, ENOENT,
			      "branch '%s' has no " SL_COW_MARKER
			      " marker (it was not preserved)",
			      dir);
	if (r < 0)
		return sl_err(e, -r,
			      "branch '%s': its " SL_COW_MARKER
			      " marker is truncated or malformed",
			      dir);
	return 0;
}

int sl_cow_branch_open(const char *dir, struct sl_cow_branch **out,
		       struct sl_error *e)
{
	struct sl_cow_marker m = { 0 };
	struct sl_cow_branch *b;
	int r;

	*out = NULL;
	r = branch_new(&b, e);
	if (r < 0)
		return r;
	r = open_existing(b, dir, &m, e);
	if (r == 0)
		r = open_workdir(m.workdir, &b->workdir_fd, &b->workdir, e);
	if (r == 0 && (r = locate_base(b)) < 0)
		sl_err(e, -r, "branch '%s': %s", dir, strerror(-r));
	if (r == 0) {
		/* A commit that was removing the storage may have taken the
		 * upper already: an empty one is what is left to merge. */
		if (mkdirat(b->dir_fd, SL_COW_UPPER_DIR, 0700) < 0 &&
		    errno != EEXIST)
			r = -errno;
		if (r == 0 && (b->upper_fd = open_dir_at(b->dir_fd,
							 SL_COW_UPPER_DIR)) < 0)
			r = b->upper_fd;
		if (r == 0 &&
		    (b->log_fd = openat(b->dir_fd, SL_COW_LOG,
					O_WRONLY | O_CREAT | O_APPEND |
						O_NOFOLLOW | O_CLOEXEC,
					0600)) < 0)
			r = -errno;
		if (r == 0)
			r = sl_cow_log_load(b, false);
		for (size_t i = 0; r == 0 && i < m.deleted.n; i++)
			r = sl_cow_rel_valid(m.deleted.v[i]) &&
					    *m.deleted.v[i] ?
				    sl_cow_wset_add(&b->whiteouts,
						    m.deleted.v[i], true) :
				    -EINVAL;
		if (r < 0)
			sl_err(e, -r, "branch '%s': %s", dir, strerror(-r));
	}
	sl_cow_marker_free(&m);
	if (r < 0) {
		sl_cow_branch_free(b);
		return r;
	}
	*out = b;
	return 0;
}

void sl_cow_branch_free(struct sl_cow_branch *b)
{
	if (!b)
		return;
	int fds[] = { b->workdir_fd, b->base_fd, b->dir_fd, b->upper_fd,
		      b->log_fd };

	for (size_t i = 0; i < SL_ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(b->workdir);
	free(b->base);
	free(b->dir);
	free(b->upper);
	free(b->storage_rel);
	sl_cow_wset_free(&b->whiteouts);
	sl_cow_wset_free(&b->lower_dirs);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

const char *sl_cow_workdir(const struct sl_cow_branch *b)
{
	return b->workdir;
}
const char *sl_cow_dir(const struct sl_cow_branch *b)
{
	return b->dir;
}
const char *sl_cow_upper(const struct sl_cow_branch *b)
{
	return b->upper;
}
const char *sl_cow_base(const struct sl_cow_branch *b)
{
	return b->base;
}

static int cmp_preserved(const void *a, const void *b)
{
	return strcmp(((const struct sl_cow_preserved *)a)->dir,
		      ((const struct sl_cow_preserved *)b)->dir);
}

/* Add the branch base/name when it has a valid marker. */
static int add_preserved(int base_fd, const char *base, const char *name,
			 struct sl_cow_preserved **v, size_t *n)
{
	_cleanup_(closep) int fd = -1;
	struct sl_cow_marker m = { 0 };
	struct sl_cow_preserved *nv, *p;
	int r;

	if (!looks_like_uuid(name))
		return 0;
	fd = open_dir_at(base_fd, name);
	if (fd < 0)
		return 0;
	if (sl_cow_marker_read(fd, &m) < 0)
		return 0; /* none, truncated, malformed: not preserved */
	nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv) {
		sl_cow_marker_free(&m);
		return -ENOMEM;
	}
	*v = nv;
	p = &nv[*n];
	memset(p, 0, sizeof(*p));
	r = asprintf(&p->dir, "%s/%s", base, name);
	p->reason = TAKE_PTR(m.reason);
	p->workdir = TAKE_PTR(m.workdir);
	p->pid = m.pid;
	sl_cow_marker_free(&m);
	(*n)++;
	if (r < 0) {
		p->dir = NULL;
		return -ENOMEM;
	}
	return 0;
}

int sl_cow_preserved_list(const char *base, struct sl_cow_preserved **v,
			  size_t *n, struct sl_error *e)
{
	_cleanup_(closedirp) DIR *d = NULL;
	_cleanup_(freep) char *canon = NULL;
	struct dirent *de;
	int fd, r;

	*v = NULL;
	*n = 0;
	r = base_resolve(base, NULL, false, &fd, &canon, e);
	if (r == -ENOENT) {
		sl_error_clear(e);
		return 0;
	}
	if (r < 0)
		return r;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return sl_err(e, errno, "storage base '%s': %s", canon,
			      strerror(errno));
	}
	while ((de = readdir(d))) {
		r = add_preserved(dirfd(d), canon, de->d_name, v, n);
		if (r < 0) {
			sl_cow_preserved_free(*v, *n);
			*v = NULL;
			*n = 0;
			return sl_err(e, -r, "out of memory");
		}
	}
	if (*n > 1)
		qsort(*v, *n, sizeof(**v), cmp_preserved);
	return 0;
}

void sl_cow_preserved_free(struct sl_cow_preserved *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].dir);
		free(v[i].reason);
		free(v[i].workdir);
	}
	free(v);
}
