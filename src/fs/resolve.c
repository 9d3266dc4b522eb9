#include "handlers/resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "handlers/fspath.h"
#include "supervisor/notif_kcompat.h"
#include "util/cleanup.h"

#define SL_MAX_SYMLINKS 40 /* the kernel's MAXSYMLINKS */
#define SL_PROC_ROOT_INO 1
/* Bound on the text still to walk (path plus expanded symlink targets). */
#define SL_MAX_WALK (4 * 4096)

void sl_resolved_clear(struct sl_resolved *r)
{
	if (r->fd >= 0)
		close(r->fd);
	if (r->parentfd >= 0)
		close(r->parentfd);
	free(r->name);
	r->fd = r->parentfd = -1;
	r->name = NULL;
	r->trailing_slash = false;
}

/* The target of the symlink path (from dirfd), at most 4096 bytes. */
static int read_link_at(int dirfd, const char *path, char **out)
{
	char *buf = malloc(4096 + 1);
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	n = readlinkat(dirfd, path, buf, 4096 + 1);
	if (n < 0 || n > 4096) {
		int e = n < 0 ? errno : ENAMETOOLONG;

		free(buf);
		return -e;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

int sl_fd_path(int fd, char **out)
{
	char link[64];

	snprintf(link, sizeof(link), "/proc/thread-self/fd/%d", fd);
	return read_link_at(AT_FDCWD, link, out);
}

static bool on_procfs(int fd)
{
	struct statfs sf;

	return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

static bool same_inode(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void replace_fd(int *cur, int nfd)
{
	close(*cur);
	*cur = nfd;
}

/* The kernel walks; valid whenever the result cannot depend on who
 * resolves: not on procfs, no magic link crossed. */
static int fast_path(int dirfd, const char *path, uint64_t rflags,
		     unsigned how)
{
	struct open_how oh = {
		.flags = O_PATH | O_CLOEXEC |
			 ((how & SL_RES_FOLLOW) ? 0 : O_NOFOLLOW),
		.resolve = rflags | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(__NR_openat2, dirfd, path, &oh, sizeof(oh));

	if (fd < 0)
		return -errno;
	if (on_procfs(fd)) {
		close(fd);
		return -EAGAIN;
	}
	return fd;
}

/* Follow a link found in procfs: "self"/"thread-self" become the child's
 * ids (*target), anything below a pid directory is a magic link, followed
 * here when its owner is a process of the sandbox (*jump). */
static int proc_link(const struct sl_resolve_ctx *c, int dir, const char *name,
		     char **target, int *jump)
{
	struct stat st;

	if (fstat(dir, &st) < 0)
		return -errno;
	if (st.st_ino == SL_PROC_ROOT_INO) {
		if (strcmp(name, "self") == 0)
			return asprintf(target, "%d", (int)c->tgid) < 0 ?
				       -ENOMEM : 0;
		if (strcmp(name, "thread-self") == 0)
			return asprintf(target, "%d/task/%d", (int)c->tgid,
					(int)c->tid) < 0 ?
				       -ENOMEM : 0;
		return 1; /* an ordinary symlink ("mounts", "net") */
	} else {
		_cleanup_(freep) char *where = NULL;
		pid_t owner;
		int r = sl_fd_path(dir, &where);

		if (r < 0)
			return r;
		if (!sl_path_proc_pid(where, &owner) ||
		    !c->pid_ok(c->arg, owner))
			return -EACCES;
		*jump = openat(dir, name, O_PATH | O_CLOEXEC);
		return *jump < 0 ? -errno : 0;
	}
}

/* rest = target "/" after; a trailing slash (must be a directory) is kept */
static int prepend_target(char **rest, const char *target, const char *after,
			  bool slash)
{
	char *n;

	if (strlen(target) + strlen(after) + 2 > SL_MAX_WALK)
		return -ENAMETOOLONG;
	if (asprintf(&n, "%s%s%s", target, *after || slash ? "/" : "",
		     after) < 0)
		return -ENOMEM;
	free(*rest);
	*rest = n;
	return 0;
}

/* State of a component-by-component walk. */
struct walk {
	const struct sl_resolve_ctx *c;
	uint64_t rflags;
	bool beneath, scoped;
	int anchor;   /* where absolute paths start and ".." stops */
	int cur;      /* the directory reached so far */
	char *rest;   /* the text still to walk, from off */
	size_t off;
	unsigned links;
};

/* ".." from the current directory; a root is its own parent. */
static int step_up(struct walk *w)
{
	int nfd;

	if (same_inode(w->cur, w->anchor))
		return w->beneath ? -EXDEV : 0;
	nfd = openat(w->cur, "..", O_PATH | O_CLOEXEC);
	if (nfd < 0)
		return -errno;
	replace_fd(&w->cur, nfd);
	return 0;
}

/* Follow the symlink lnk (named comp in the current directory): a magic
 * link moves the walk to its object, any other link is spliced into the
 * text still to walk. */
static int step_link(struct walk *w, int lnk, const char *comp,
		     const char *after, bool slash_after)
{
	_cleanup_(freep) char *target = NULL;
	int jump = -1, r;

	if ((w->rflags & RESOLVE_NO_SYMLINKS) || ++w->links > SL_MAX_SYMLINKS)
		return -ELOOP;
	r = on_procfs(w->cur) ? proc_link(w->c, w->cur, comp, &target, &jump) :
				1;
	if (r == 1)
		r = read_link_at(lnk, "", &target);
	if (r < 0)
		return r;
	if (jump >= 0) {
		if ((w->rflags & RESOLVE_NO_MAGICLINKS) || w->scoped) {
			close(jump);
			return w->scoped ? -EXDEV : -ELOOP;
		}
		replace_fd(&w->cur, jump);
		return 0;
	}
	if (target[0] == '/') {
		int nfd;

		if (w->beneath)
			return -EXDEV;
		nfd = fcntl(w->anchor, F_DUPFD_CLOEXEC, 0);
		if (nfd < 0)
			return -errno;
		replace_fd(&w->cur, nfd);
	}
	r = prepend_target(&w->rest, target, after, slash_after);
	w->off = 0;
	return r;
}

/* Take the next component out of the text: NULL at the end. */
static char *next_component(struct walk *w, const char **after,
			    bool *slash_after)
{
	char *comp, *a;

	while (w->rest[w->off] == '/')
		w->off++;
	if (!w->rest[w->off])
		return NULL;
	comp = w->rest + w->off;
	a = strchr(comp, '/');
	*slash_after = a != NULL;
	if (a) {
		*a++ = '\0';
		w->off = (size_t)(a - w->rest);
		while (*a == '/')
			a++;
	} else {
		a = comp + strlen(comp);
		w->off = (size_t)(a - w->rest);
	}
	*after = a;
	return comp;
}

static int walk_steps(struct walk *w, unsigned how, struct sl_resolved *out)
{
	const char *after;
	bool slash_after;
	char *comp;

	while ((comp = next_component(w, &after, &slash_after))) {
		bool last = *after == '\0';
		struct stat st;
		int nfd, r;

		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			r = step_up(w);
			if (r < 0)
				return r;
			continue;
		}
		nfd = openat(w->cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0) {
			r = -errno;
			if (r == -ENOENT && last && (how & SL_RES_MISSING_OK)) {
				out->name = strdup(comp);
				if (!out->name)
					return -ENOMEM;
				out->parentfd = TAKE_FD(w->cur);
				out->trailing_slash = slash_after;
			}
			return r;
		}
		if (fstat(nfd, &st) < 0) {
			r = -errno;
			close(nfd);
			return r;
		}
		if (S_ISLNK(st.st_mode) &&
		    (!last || slash_after || (how & SL_RES_FOLLOW))) {
			r = step_link(w, nfd, comp, after, slash_after);
			close(nfd);
			if (r < 0)
				return r;
			continue;
		}
		if (!S_ISDIR(st.st_mode) && (!last || slash_after)) {
			close(nfd);
			return -ENOTDIR;
		}
		replace_fd(&w->cur, nfd);
	}
	out->fd = TAKE_FD(w->cur);
	return 0;
}

static int walk(const struct sl_resolve_ctx *c, int dirfd, const char *path,
		uint64_t rflags, unsigned how, struct sl_resolved *out)
{
	struct walk w = {
		.c = c,
		.rflags = rflags,
		.beneath = rflags & RESOLVE_BENEATH,
		.scoped = rflags & (RESOLVE_BENEATH | RESOLVE_IN_ROOT),
		.cur = -1,
	};
	int r;

	w.anchor = w.scoped ? dirfd : c->rootfd;
	if (path[0] == '/' && w.beneath)
		return -EXDEV;
	w.rest = strdup(path);
	if (!w.rest)
		return -ENOMEM;
	w.cur = fcntl(path[0] == '/' ? w.anchor : dirfd, F_DUPFD_CLOEXEC, 0);
	r = w.cur < 0 ? -errno : walk_steps(&w, how, out);
	if (w.cur >= 0)
		close(w.cur);
	free(w.rest);
	return r;
}

int sl_resolve(const struct sl_resolve_ctx *c, int dirfd, const char *path,
	       uint64_t resolve_flags, unsigned how, struct sl_resolved *out)
{
	int base = path[0] == '/' && !(resolve_flags &
				       (RESOLVE_BENEATH | RESOLVE_IN_ROOT)) ?
			   c->rootfd :
			   dirfd;

	out->fd = out->parentfd = -1;
	out->name = NULL;
	out->trailing_slash = false;
	if (c->root_is_host) {
		int fd = fast_path(base, path, resolve_flags, how);

		if (fd >= 0) {
			out->fd = fd;
			return 0;
		}
		/* A kernel-only answer the walk could not improve on. */
		if (fd == -EAGAIN && (resolve_flags & RESOLVE_CACHED))
			return fd;
	}
	return walk(c, base, path, resolve_flags, how, out);
}
