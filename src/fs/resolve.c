#include "fs/resolve.h"

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

#include "fs/path.h"
#include "supervisor/notif_kcompat.h"
#include "util/cleanup.h"

#define SL_MAX_SYMLINKS 40 /* the kernel's MAXSYMLINKS */
#define SL_LINK_MAX 4096   /* a link body, terminator included */
#define SL_PROC_ROOT_INO 1
#define SL_SCOPED (RESOLVE_BENEATH | RESOLVE_IN_ROOT)
/* openat2 of a scoped walk fails with EAGAIN when a rename or mount races
 * with "..": a few more tries before the answer is the kernel's. */
#define SL_SCOPED_RETRIES 8

void sl_resolved_clear(struct sl_resolved *r)
{
	if (r->fd >= 0)
		close(r->fd);
	if (r->parentfd >= 0)
		close(r->parentfd);
	free(r->name);
	free(r->rel);
	memset(r, 0, sizeof(*r));
	r->fd = r->parentfd = -1;
}

static void init_out(struct sl_resolved *r)
{
	memset(r, 0, sizeof(*r));
	r->fd = r->parentfd = -1;
}

int sl_resolved_stat(struct sl_resolved *out)
{
	int r = sl_fs_obj_of(out->fd, &out->obj);

	if (r < 0)
		return r;
	out->kind = sl_fs_kind_of(out->fd, &out->obj);
	return 0;
}

/* The target of the symlink path (from dirfd). */
static int read_link_at(int dirfd, const char *path, char **out)
{
	char *buf = malloc(SL_LINK_MAX + 1);
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	n = readlinkat(dirfd, path, buf, SL_LINK_MAX + 1);
	if (n < 0 || n >= SL_LINK_MAX) {
		int e = n < 0 ? errno : ENAMETOOLONG;

		free(buf);
		return -e;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

static int dup_fd(int fd)
{
	int r = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	return r < 0 ? -errno : r;
}

/* Did the kernel resolve "self" or "thread-self" to the supervisor? The
 * object is then one of the supervisor's own procfs entries. */
static bool own_proc(const struct sl_resolve_ctx *c, struct sl_resolved *r)
{
	_cleanup_(freep) char *path = NULL;
	pid_t pid;

	if (r->kind != SL_FSK_PROC)
		return false;
	if (sl_fd_path(c->fddir, r->fd, &path) < 0)
		return true; /* cannot tell: walk it */
	return sl_path_proc_pid(path, &pid) &&
	       (pid == getpid() || pid == gettid());
}

/* The kernel walks; valid whenever the result cannot depend on who
 * resolves: no magic link crossed, none of our own procfs entries. */
static int kernel_walk(const struct sl_resolve_ctx *c, int base,
		       const char *path, uint64_t rflags, bool follow,
		       struct sl_resolved *out)
{
	struct open_how oh = {
		.flags = O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW),
		.resolve = rflags | RESOLVE_NO_MAGICLINKS |
			   (c->nonblock ? RESOLVE_CACHED : 0),
	};
	int fd, r, tries = 0;

	do
		fd = (int)syscall(__NR_openat2, base, path, &oh, sizeof(oh));
	while (fd < 0 && errno == EAGAIN && !c->nonblock &&
	       (rflags & SL_SCOPED) && ++tries < SL_SCOPED_RETRIES);
	if (fd < 0)
		return -errno;
	out->fd = fd;
	r = sl_resolved_stat(out);
	if (r < 0)
		return r;
	if (own_proc(c, out)) {
		close(out->fd);
		out->fd = -1;
		return -ELOOP; /* walk it here */
	}
	return 0;
}

/* ---- the walk through procfs ------------------------------------------ */

/* Follow a link found in procfs: "self"/"thread-self" become the child's
 * ids (*target), anything below a pid directory is a magic link, followed
 * here when its owner is a process of the sandbox (*jump). */
static int proc_link(const struct sl_resolve_ctx *c, int dir, const char *name,
		     char **target, int *jump)
{
	_cleanup_(freep) char *where = NULL;
	struct stat st;
	pid_t owner;
	int r;

	if (fstat(dir, &st) < 0)
		return -errno;
	if (st.st_ino == SL_PROC_ROOT_INO) {
		if (strcmp(name, "self") == 0)
			return asprintf(target, "%d", (int)c->tgid) < 0 ?
				       -ENOMEM :
				       0;
		if (strcmp(name, "thread-self") == 0)
			return asprintf(target, "%d/task/%d", (int)c->tgid,
					(int)c->tid) < 0 ?
				       -ENOMEM :
				       0;
		return 1; /* an ordinary symlink ("mounts", "net") */
	}
	r = sl_fd_path(c->fddir, dir, &where);
	if (r < 0)
		return r;
	if (!sl_path_proc_pid(where, &owner))
		return 1; /* not below a pid directory: ordinary */
	if (!c->pid_ok(c->arg, owner))
		return -EACCES;
	*jump = openat(dir, name, O_PATH | O_CLOEXEC);
	return *jump < 0 ? -errno : 0;
}

static void replace_fd(int *cur, int nfd)
{
	close(*cur);
	*cur = nfd;
}

static bool same_inode(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Is the layer of c to be walked through? */
static bool layer_on(const struct sl_resolve_ctx *c)
{
	return c->layer && c->layer->active(c->layer->arg);
}

/* State of a component-by-component walk. */
struct walk {
	const struct sl_resolve_ctx *c;
	uint64_t rflags;
	bool beneath, scoped;
	int anchor;	 /* where absolute paths start and ".." stops */
	bool own_anchor; /* ... our "/", opened when first needed */
	int cur;	 /* the directory reached so far */
	char *rest;	 /* the text still to walk, from off */
	size_t off;
	unsigned links;
	bool jumped; /* a magic link moved the walk: try the kernel */
	/* In a layered tree (layer set when active): */
	const struct sl_resolve_layer *layer;
	char *mrel;	  /* cur's rel while inside the tree, else NULL */
	int side;	  /* ... the side serving it */
	char *anchor_rel; /* a scoped walk's anchor inside the tree */
	bool touched;
};

/* The anchor; our own root is opened only when a walk needs it (an
 * absolute path or link, a ".."): most walks never do. */
static int anchor_of(struct walk *w)
{
	if (w->anchor < 0 && w->own_anchor) {
		w->anchor = open("/", O_PATH | O_CLOEXEC);
		if (w->anchor < 0)
			return -errno;
	}
	return w->anchor;
}

/* Is cur the anchor? (A ".." there stays.) */
static int at_anchor(struct walk *w)
{
	int a = anchor_of(w);

	return a < 0 ? a : same_inode(w->cur, a);
}

/* rel + "/" + name ("" rel: name). */
static char *join_rel(const char *rel, const char *name)
{
	char *out;

	if (asprintf(&out, "%s%s%s", rel, *rel ? "/" : "", name) < 0)
		return NULL;
	return out;
}

/* Move the walk to the merged entry rel (a directory). */
static int layer_move(struct walk *w, char *rel)
{
	bool differs = false;
	struct stat st;
	int fd = -1, side = 0;
	int r = w->layer->lookup(w->layer->arg, rel, -1, 0, &fd, &st, &side,
				 &differs);

	if (r < 0) {
		free(rel);
		return r;
	}
	w->touched |= differs;
	replace_fd(&w->cur, fd);
	free(w->mrel);
	w->mrel = rel;
	w->side = side;
	return 0;
}

/* Has the walk arrived in the layered tree (at cur)? by_path: a start or
 * a jump, which can land anywhere in it (else only its roots count). A
 * directory is then the merged one of its rel; anything else a magic
 * link designates is that very object. known: cur's statx, if taken. */
static int layer_enter(struct walk *w, bool by_path,
		       const struct sl_fs_obj *known)
{
	struct sl_fs_obj o;
	char *rel = NULL;
	int r = 0, side = 0;

	if (!w->layer || w->mrel)
		return 0;
	if (known)
		o = *known;
	else
		r = sl_fs_obj_of(w->cur, &o);
	if (r == 0)
		r = w->layer->enter(w->layer->arg, w->cur, &o, by_path, &rel,
				    &side);
	if (r <= 0)
		return r;
	if (S_ISDIR(o.mode))
		return layer_move(w, rel);
	w->mrel = rel;
	w->side = side;
	return 0;
}

/* Leave the tree (an absolute symlink restarts from the anchor). */
static void layer_leave(struct walk *w)
{
	free(w->mrel);
	w->mrel = NULL;
}

/* ".." inside the tree: the merged parent, or out of the tree's root. */
static int layer_up(struct walk *w)
{
	const char *slash;
	char *parent;
	int nfd;

	if (w->anchor_rel && strcmp(w->mrel, w->anchor_rel) == 0)
		return w->beneath ? -EXDEV : 0;
	if (!*w->mrel) {
		int at = at_anchor(w);

		if (at)
			return at < 0 ? at : w->beneath ? -EXDEV : 0;
		nfd = w->layer->up(w->layer->arg);
		if (nfd < 0)
			return nfd;
		replace_fd(&w->cur, nfd);
		layer_leave(w);
		return 0;
	}
	slash = strrchr(w->mrel, '/');
	parent = strndup(w->mrel, slash ? (size_t)(slash - w->mrel) : 0);
	if (!parent)
		return -ENOMEM;
	return layer_move(w, parent);
}

static bool on_procfs(int fd)
{
	struct statfs sf;

	return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

/* ".." from the current directory; a root is its own parent. */
static int step_up(struct walk *w)
{
	int nfd, at = at_anchor(w);

	if (at)
		return at < 0 ? at : w->beneath ? -EXDEV : 0;
	nfd = openat(w->cur, "..", O_PATH | O_CLOEXEC);
	if (nfd < 0)
		return -errno;
	replace_fd(&w->cur, nfd);
	return 0;
}

/* rest = target "/" after; a trailing slash (must be a directory) is kept.
 * No bound but the kernel's: at most 40 links of at most PATH_MAX each. */
static int prepend_target(char **rest, const char *target, const char *after,
			  bool slash)
{
	char *n;

	if (asprintf(&n, "%s%s%s", target, *after || slash ? "/" : "", after) <
	    0)
		return -ENOMEM;
	free(*rest);
	*rest = n;
	return 0;
}

/* Follow the symlink lnk (named comp in the current directory): a magic
 * link moves the walk to its object, any other link is spliced into the
 * text still to walk. */
static int step_link(struct walk *w, int lnk, const char *comp,
		     const char *after, bool slash_after)
{
	_cleanup_(freep) char *target = NULL;
	int jump = -1, r = 1;

	if ((w->rflags & RESOLVE_NO_SYMLINKS) || ++w->links > SL_MAX_SYMLINKS)
		return -ELOOP;
	if (on_procfs(w->cur))
		r = proc_link(w->c, w->cur, comp, &target, &jump);
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
		w->jumped = true;
		return 0;
	}
	if (target[0] == '/') {
		int nfd;

		if (w->beneath)
			return -EXDEV;
		nfd = anchor_of(w);
		nfd = nfd < 0 ? nfd : dup_fd(nfd);
		if (nfd < 0)
			return nfd;
		replace_fd(&w->cur, nfd);
		layer_leave(w);
		r = w->anchor_rel ? layer_move(w, strdup(w->anchor_rel)) : 0;
		if (r < 0)
			return r;
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

/* After a magic link left procfs, the kernel can take the rest of an
 * unscoped walk from the supervisor's own root (the child's): 1 when it
 * did (out->fd set), 0 to go on here. */
static int kernel_rest(struct walk *w, bool follow, struct sl_resolved *out)
{
	const char *rest = w->rest + w->off;
	int r;

	w->jumped = false;
	if (w->scoped || w->c->rootfd >= 0 || !*rest ||
	    strlen(rest) >= SL_LINK_MAX || on_procfs(w->cur))
		return 0;
	r = kernel_walk(w->c, w->cur, rest, w->rflags, follow, out);
	if (r == 0)
		return 1;
	sl_resolved_clear(out);
	return r == -ELOOP || r == -ENOENT ? 0 : r;
}

/* One component outside the layered tree. A walk through a layer (a
 * walk of every path, not only of procfs) never waits on the event loop:
 * a lookup outside the dentry cache is left to a worker (-EAGAIN). */
static int step_open(struct walk *w, const char *comp)
{
	struct open_how oh = {
		.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_CACHED,
	};
	int fd;

	if (w->layer && w->c->nonblock)
		fd = (int)syscall(__NR_openat2, w->cur, comp, &oh, sizeof(oh));
	else
		fd = openat(w->cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* A missing last component: its directory (the walk's) and name. */
static int report_missing(struct walk *w, const char *comp, bool slash_after,
			  struct sl_resolved *out)
{
	out->name = strdup(comp);
	if (!out->name)
		return -ENOMEM;
	out->parentfd = TAKE_FD(w->cur);
	out->trailing_slash = slash_after;
	out->touched = w->touched;
	return 0;
}

/* One component inside the layered tree: 1 to go on, 0 at a missing
 * last component (out filled when MISSING_OK), or -errno. */
static int layer_step(struct walk *w, const char *comp, bool last,
		      const char *after, bool slash_after, unsigned how,
		      struct sl_resolved *out)
{
	_cleanup_(freep) char *rel = join_rel(w->mrel, comp);
	bool differs = false;
	struct stat st;
	int nfd = -1, side = 0, r;

	if (!rel)
		return -ENOMEM;
	r = w->layer->lookup(w->layer->arg, rel, w->cur, w->side, &nfd, &st,
			     &side, &differs);
	w->touched |= differs;
	if (r == -ENOENT && last && (how & SL_RES_MISSING_OK)) {
		out->parent_side = w->side;
		if (report_missing(w, comp, slash_after, out) < 0)
			return -ENOMEM;
		out->layered = true;
		out->rel = TAKE_PTR(rel);
		out->side = side;
	}
	if (r < 0)
		return r;
	if (S_ISLNK(st.st_mode) &&
	    (!last || slash_after || (how & SL_RES_FOLLOW))) {
		r = step_link(w, nfd, comp, after, slash_after);
		close(nfd);
		return r < 0 ? r : 1;
	}
	if (!S_ISDIR(st.st_mode) && (!last || slash_after)) {
		close(nfd);
		return -ENOTDIR;
	}
	replace_fd(&w->cur, nfd);
	free(w->mrel);
	w->mrel = TAKE_PTR(rel);
	w->side = side;
	return 1;
}

static int walk_steps(struct walk *w, unsigned how, struct sl_resolved *out)
{
	const char *after;
	bool slash_after;
	char *comp;

	for (;;) {
		bool last;
		struct sl_fs_obj o;
		int nfd, r;

		if (w->jumped && w->layer) {
			/* a magic link may land anywhere in the tree */
			w->jumped = false;
			r = layer_enter(w, true, NULL);
			if (r < 0)
				return r;
		} else if (w->jumped) {
			r = kernel_rest(w, how & SL_RES_FOLLOW, out);
			if (r != 0)
				return r < 0 ? r : 0;
		}
		comp = next_component(w, &after, &slash_after);
		if (!comp)
			break;
		last = *after == '\0';
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			r = w->mrel ? layer_up(w) : step_up(w);
			if (r < 0)
				return r;
			continue;
		}
		if (w->mrel) {
			r = layer_step(w, comp, last, after, slash_after, how,
				       out);
			if (r < 0)
				return r;
			continue;
		}
		nfd = step_open(w, comp);
		if (nfd < 0) {
			r = nfd;
			if (r == -ENOENT && last && (how & SL_RES_MISSING_OK) &&
			    report_missing(w, comp, slash_after, out) < 0)
				return -ENOMEM;
			return r;
		}
		/* one statx: the type here, the identity for the tree */
		r = sl_fs_obj_of(nfd, &o);
		if (r < 0) {
			close(nfd);
			return r;
		}
		if (S_ISLNK(o.mode) &&
		    (!last || slash_after || (how & SL_RES_FOLLOW))) {
			r = step_link(w, nfd, comp, after, slash_after);
			close(nfd);
			if (r < 0)
				return r;
			continue;
		}
		if (!S_ISDIR(o.mode) && (!last || slash_after)) {
			close(nfd);
			return -ENOTDIR;
		}
		replace_fd(&w->cur, nfd);
		if (S_ISDIR(o.mode)) {
			r = layer_enter(w, false, &o);
			if (r < 0)
				return r;
		}
	}
	out->fd = TAKE_FD(w->cur);
	out->touched = w->touched;
	if (w->mrel) {
		out->layered = true;
		out->rel = TAKE_PTR(w->mrel);
		out->side = w->side;
	}
	return sl_resolved_stat(out);
}

/* Where the walk starts in the layered tree, if it does: a virtual
 * working directory, or a base (and a scoped walk's anchor) inside it. */
static int walk_start(struct walk *w, bool relative)
{
	int r;

	if (!w->layer)
		return 0;
	if (relative && w->c->base_rel) {
		w->touched = true; /* the kernel starts elsewhere */
		r = layer_move(w, strdup(w->c->base_rel));
	} else {
		r = layer_enter(w, true, NULL);
	}
	if (r == 0 && w->scoped && w->mrel && relative) {
		w->anchor_rel = strdup(w->mrel);
		if (!w->anchor_rel)
			return -ENOMEM;
	}
	return r;
}

static int walk(const struct sl_resolve_ctx *c, int dirfd, const char *path,
		uint64_t rflags, unsigned how, struct sl_resolved *out)
{
	struct walk w = {
		.c = c,
		.rflags = rflags,
		.beneath = rflags & RESOLVE_BENEATH,
		.scoped = rflags & SL_SCOPED,
		.cur = -1,
		.layer = layer_on(c) ? c->layer : NULL,
	};
	int r;

	if (w.scoped)
		w.anchor = dirfd;
	else if (c->rootfd >= 0)
		w.anchor = c->rootfd;
	else
		w.anchor = -1, w.own_anchor = true;
	if (path[0] == '/' && w.beneath)
		return -EXDEV;
	w.rest = strdup(path);
	if (!w.rest)
		return -ENOMEM;
	r = path[0] == '/' ? anchor_of(&w) : dirfd;
	w.cur = r < 0 ? r : dup_fd(r);
	r = w.cur < 0 ? w.cur : walk_start(&w, path[0] != '/');
	if (r >= 0)
		r = walk_steps(&w, how, out);
	if (w.layer) {
		/* (a failure inside the tree is the merged view's answer) */
		out->touched |= w.touched;
		if (r < 0 && w.mrel)
			out->layered = true;
	}
	if (w.cur >= 0)
		close(w.cur);
	if (w.own_anchor && w.anchor >= 0)
		close(w.anchor);
	free(w.rest);
	free(w.mrel);
	free(w.anchor_rel);
	return r;
}

/* ---- resolution ----------------------------------------------------------- */

/* "/proc/self" and "/proc/thread-self" (with what follows) as the child's
 * own directories, "/proc/<tgid>" and "/proc/<tgid>/task/<tid>": the
 * kernel walks those in one call where it would resolve "self" to the
 * supervisor (kernel_walk hands that to the walk here, a few syscalls per
 * component). NULL when path is not of that form. */
static char *proc_self_path(const struct sl_resolve_ctx *c, const char *path,
			    uint64_t rflags, bool follow)
{
	static const char self[] = "/proc/self", thread[] = "/proc/thread-self";
	const char *rest;
	char *out = NULL;
	int n = -1;

	/* Not under another root (its /proc may count pids otherwise), nor
	 * where the kernel would stop at the link itself: a walk refusing
	 * symlinks, or the link as the last component not followed. */
	if (c->tgid <= 0 || c->tid <= 0 || c->rootfd >= 0 ||
	    (rflags & RESOLVE_NO_SYMLINKS))
		return NULL;
	if (strncmp(path, self, sizeof(self) - 1) == 0 &&
	    (path[sizeof(self) - 1] == '/' || !path[sizeof(self) - 1])) {
		rest = path + sizeof(self) - 1;
		if (!*rest && !follow)
			return NULL;
		n = asprintf(&out, "/proc/%d%s", (int)c->tgid, rest);
	} else if (strncmp(path, thread, sizeof(thread) - 1) == 0 &&
		   (path[sizeof(thread) - 1] == '/' ||
		    !path[sizeof(thread) - 1])) {
		rest = path + sizeof(thread) - 1;
		if (!*rest && !follow)
			return NULL;
		n = asprintf(&out, "/proc/%d/task/%d%s", (int)c->tgid,
			     (int)c->tid, rest);
	}
	return n < 0 ? NULL : out;
}

/* kernel_walk of path's /proc/self form (proc_self_path): 1 when that
 * does not apply (no such form, or the walk did not land in procfs: then
 * "/proc" is not procfs here and the path means something else), else
 * kernel_walk's answer. */
static int kernel_walk_proc_self(const struct sl_resolve_ctx *c, int base,
				 const char *path, uint64_t rflags, bool follow,
				 struct sl_resolved *out)
{
	_cleanup_(freep) char *own = proc_self_path(c, path, rflags, follow);
	int r;

	if (!own)
		return 1;
	r = kernel_walk(c, base, own, rflags, follow, out);
	if (r == 0 && out->kind != SL_FSK_PROC) {
		sl_resolved_clear(out);
		return 1;
	}
	if (r < 0)
		sl_resolved_clear(out);
	return r == -ENOENT || r == -ELOOP || r == -EXDEV ? 1 : r;
}

/* The object path names (following a final link when follow). */
static int resolve_object(const struct sl_resolve_ctx *c, int dirfd,
			  const char *path, uint64_t rflags, unsigned how,
			  struct sl_resolved *out)
{
	bool follow = how & SL_RES_FOLLOW;
	uint64_t fl = rflags;
	int base = dirfd, r;

	/* Absolute paths start at the child's root, unless the child scoped
	 * the walk to its dirfd; a root that is not ours is emulated with
	 * RESOLVE_IN_ROOT (".." stops there, absolute links land there). */
	/* Through the layered tree: the walk is ours (a missing last
	 * component reported by it). */
	if (!(how & SL_RES_KERNEL) && layer_on(c))
		return walk(c, dirfd, path, rflags,
			    how & (SL_RES_FOLLOW | SL_RES_MISSING_OK), out);
	if (path[0] == '/' && !(rflags & SL_SCOPED)) {
		base = c->rootfd >= 0 ? c->rootfd : AT_FDCWD;
		if (c->rootfd >= 0)
			fl |= RESOLVE_IN_ROOT;
		r = kernel_walk_proc_self(c, base, path, fl, follow, out);
		if (r <= 0)
			return r;
	}
	r = kernel_walk(c, base, path, fl, follow, out);
	if (r == 0 || (r == -EAGAIN && c->nonblock))
		return r;
	sl_resolved_clear(out);
	if (how & SL_RES_KERNEL)
		return r == -EXDEV && fl != rflags ? -ELOOP : r;
	/* A magic link (or our own procfs entry): walk it here. Under an
	 * emulated root, the kernel refuses magic links with EXDEV. */
	if (r == -ELOOP || (r == -EXDEV && fl != rflags))
		return walk(c, dirfd, path, rflags, follow ? SL_RES_FOLLOW : 0,
			    out);
	return r;
}

/* The directory of path's last component, and that component. */
static int resolve_parent(const struct sl_resolve_ctx *c, int dirfd,
			  const char *path, uint64_t rflags, unsigned how,
			  struct sl_resolved *out)
{
	struct sl_resolved dir;
	_cleanup_(freep) char *dpath = NULL;
	const char *name;
	size_t dlen, nlen;
	bool slash;
	int r;

	sl_path_last(path, &dlen, &name, &nlen, &slash);
	how = (how & SL_RES_KERNEL) | SL_RES_FOLLOW;
	if (nlen == 0) /* "/": no component to create or remove */
		return resolve_object(c, dirfd, path, rflags, how, out);
	init_out(&dir);
	if (dlen == 0 && (!layer_on(c) || (how & SL_RES_KERNEL))) {
		dir.fd = dup_fd(dirfd);
		r = dir.fd < 0 ? dir.fd : 0;
	} else {
		/* (the layered walk must see the base itself) */
		dpath = dlen ? strndup(path, dlen) : strdup(".");
		r = dpath ? resolve_object(c, dirfd, dpath, rflags, how, &dir) :
			    -ENOMEM;
	}
	if (r < 0) {
		out->layered = dir.layered;
		out->touched = dir.touched;
		sl_resolved_clear(&dir);
		return r;
	}
	out->name = strndup(name, nlen);
	if (!out->name) {
		sl_resolved_clear(&dir);
		return -ENOMEM;
	}
	out->parentfd = TAKE_FD(dir.fd);
	out->trailing_slash = slash;
	out->touched = dir.touched;
	if (dir.layered) {
		out->layered = true;
		if (strcmp(out->name, ".") != 0 &&
		    strcmp(out->name, "..") != 0) {
			out->rel = join_rel(dir.rel, out->name);
			if (!out->rel) {
				sl_resolved_clear(&dir);
				return -ENOMEM;
			}
		}
	}
	sl_resolved_clear(&dir);
	return 0;
}

/* A missing last component (O_CREAT): its directory and name, through a
 * dangling symlink when following (the kernel creates its target). */
static int resolve_missing(const struct sl_resolve_ctx *c, int dirfd,
			   const char *path, uint64_t rflags, unsigned how,
			   unsigned links, struct sl_resolved *out)
{
	_cleanup_(freep) char *target = NULL;
	int probe, r;

	sl_resolved_clear(out);
	r = resolve_parent(c, dirfd, path, rflags, how, out);
	if (r < 0 || !out->name)
		return r < 0 ? r : -EEXIST;
	if (out->trailing_slash)
		return -ENOENT; /* the caller says EISDIR for a create */
	probe = openat(out->parentfd, out->name,
		       O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (probe < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	out->fd = probe;
	r = sl_resolved_stat(out);
	if (r < 0)
		return r;
	if (!S_ISLNK(out->obj.mode) || !(how & SL_RES_FOLLOW))
		return 0; /* created meanwhile: it exists now */
	if ((rflags & RESOLVE_NO_SYMLINKS) || links >= SL_MAX_SYMLINKS)
		return -ELOOP;
	r = read_link_at(probe, "", &target);
	if (r < 0)
		return r;
	if (target[0] == '/' && (rflags & RESOLVE_BENEATH))
		return -EXDEV;
	{
		int base = TAKE_FD(out->parentfd);

		sl_resolved_clear(out);
		r = resolve_object(c, base, target, rflags,
				   (how & SL_RES_KERNEL) | SL_RES_FOLLOW, out);
		if (r == -ENOENT)
			r = resolve_missing(c, base, target, rflags, how,
					    links + 1, out);
		close(base);
	}
	return r;
}

int sl_resolve(const struct sl_resolve_ctx *c, int dirfd, const char *path,
	       uint64_t resolve_flags, unsigned how, struct sl_resolved *out)
{
	int r;

	init_out(out);
	if (how & SL_RES_PARENT)
		return resolve_parent(c, dirfd, path, resolve_flags, how, out);
	r = resolve_object(c, dirfd, path, resolve_flags, how, out);
	/* (a layered walk reports the missing component itself) */
	if (r == -ENOENT && (how & SL_RES_MISSING_OK) &&
	    ((how & SL_RES_KERNEL) || !layer_on(c)))
		r = resolve_missing(c, dirfd, path, resolve_flags, how, 0, out);
	return r;
}
