#include "fs/view.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/holes.h"
#include "fs/path.h"
#include "supervisor/notif.h"
#include "supervisor/worker.h"
#include "util/cleanup.h"
#include "util/hostperm.h"
#include "util/vec.h"

/* In a worker, the run may end while the worker waits in the kernel:
 * every use of the run's state is bracketed by the worker's hold on it
 * (nested uses count, the first takes it). */
static __thread struct sl_worker_job *cur_job;
static __thread unsigned holds;

void sl_fs_view_worker(struct sl_worker_job *job)
{
	cur_job = job;
	holds = 0;
}

static bool run_hold(void)
{
	if (!cur_job || holds++ > 0)
		return true;
	if (sl_worker_hold_run(cur_job))
		return true;
	holds = 0;
	return false;
}

static void run_release(void)
{
	if (cur_job && --holds == 0)
		sl_worker_release_run(cur_job);
}

static bool member(void *arg, pid_t pid)
{
	const struct sl_fs_view *v = arg;
	bool m;

	if (!run_hold())
		return false;
	m = sl_supervisor_is_member(v->sv, pid);
	run_release();
	return m;
}

int sl_fs_view_new(struct sl_supervisor *sv, const struct sl_policy *p,
		   enum sl_creds_mode creds, struct sl_fs_view **out)
{
	struct sl_fs_view *v = calloc(1, sizeof(*v));
	int r;

	if (!v)
		return -ENOMEM;
	v->sv = sv;
	v->p = p;
	v->rootfd = -1;
	v->built = sl_supervisor_ruleset(sv);
	v->fddir = (struct sl_fd_dir)SL_FD_DIR_INIT;
	r = pthread_rwlock_init(&v->lock, NULL);
	if (r != 0) {
		free(v);
		return -r;
	}
	r = sl_creds_cache_new(creds, &v->creds);
	if (r < 0) {
		pthread_rwlock_destroy(&v->lock);
		free(v);
		return r;
	}
	*out = v;
	return 0;
}

void sl_fs_view_free(struct sl_fs_view *v)
{
	if (!v)
		return;
	sl_pathset_free(&v->deny);
	sl_pathset_free(&v->read);
	sl_pathset_free(&v->write);
	free(v->cow_workdir);
	free(v->cow_storage);
	sl_creds_cache_free(v->creds);
	if (v->rootfd >= 0)
		close(v->rootfd);
	sl_fd_dir_close(&v->fddir);
	pthread_rwlock_destroy(&v->lock);
	free(v);
}

/* The deny set: fs_deny, and the sensitive entries with what they stand
 * for (the targets of /sys/class/net's links); the grants. Built on the
 * first decision that needs them, under the write lock. */
static int build_sets(struct sl_fs_view *v)
{
	const struct sl_policy *p = v->p;
	const char *s;
	int r = 0;

	for (size_t i = 0; r == 0 && i < p->fs_deny.n; i++)
		r = sl_pathset_add(&v->deny, p->fs_deny.v[i],
				   SL_PATHSET_IDENTITY | SL_PATHSET_COMPLETE);
	for (size_t i = 0; r == 0 && (s = sl_path_sensitive_at(i)); i++)
		r = sl_pathset_add(&v->deny, s,
				   sl_path_sensitive_linkless(s) ?
					   0 :
					   SL_PATHSET_IDENTITY |
						   SL_PATHSET_LINK_TARGETS);
	for (size_t i = 0; r == 0 && i < p->fs_read.n; i++)
		r = sl_pathset_add(&v->read, p->fs_read.v[i], 0);
	for (size_t i = 0; r == 0 && i < p->fs_write.n; i++)
		r = sl_pathset_add(&v->write, p->fs_write.v[i], 0);
	/* the copy-on-write storage: only the interception reaches it */
	if (r == 0 && v->cow_storage)
		r = sl_pathset_add(&v->deny, v->cow_storage, 0);
	/* A denied tree that grew past the scan's bounds since the build
	 * (sl_fs_deny_searchable refused it then): its other names cannot
	 * be told, so every decision that needs the set refuses. */
	return r == -E2BIG ? -EACCES : r;
}

/* Take the read lock with the sets built. */
static int sets_rdlock(struct sl_fs_view *v)
{
	pthread_rwlock_rdlock(&v->lock);
	if (v->sets_ready)
		return v->sets_err;
	pthread_rwlock_unlock(&v->lock);
	pthread_rwlock_wrlock(&v->lock);
	if (!v->sets_ready) {
		v->sets_err = build_sets(v);
		v->sets_ready = true;
	}
	pthread_rwlock_unlock(&v->lock);
	pthread_rwlock_rdlock(&v->lock);
	return v->sets_err;
}

bool sl_fs_view_deny_aliased(struct sl_fs_view *v)
{
	int r;
	bool aliased;

	/* the ruleset left every other name out too (fs/aliases.h) */
	if (v->built && v->built->aliases)
		return false;
	r = sets_rdlock(v);
	aliased = r < 0 ||
		  sl_pathset_aliased(&v->deny, (unsigned)v->p->fs_deny.n);

	pthread_rwlock_unlock(&v->lock);
	return aliased;
}

bool sl_fs_view_deny_late(const struct sl_fs_view *v)
{
	struct stat st;

	if (!v->built)
		return false;
	for (size_t i = 0; i < v->built->late.n; i++)
		if (lstat(v->built->late.v[i], &st) == 0 || errno != ENOENT)
			return true; /* there, or cannot tell */
	return false;
}

/* Change the deny set (built first), under the write lock. */
static int change_deny(struct sl_fs_view *v, const char *path, bool add)
{
	int r = sets_rdlock(v);

	pthread_rwlock_unlock(&v->lock);
	if (r < 0)
		return r;
	pthread_rwlock_wrlock(&v->lock);
	r = add ? sl_pathset_add(&v->deny, path,
				 SL_PATHSET_IDENTITY | SL_PATHSET_COMPLETE) :
		  sl_pathset_remove(&v->deny, path);
	pthread_rwlock_unlock(&v->lock);
	return r;
}

int sl_fs_view_cow(struct sl_fs_view *v, const char *workdir,
		   const char *storage, const struct sl_resolve_layer *layer)
{
	v->cow_workdir = strdup(workdir);
	v->cow_storage = storage ? strdup(storage) : NULL;
	if (!v->cow_workdir || (storage && !v->cow_storage))
		return -ENOMEM;
	v->layer = layer;
	return 0;
}

/* Is path (absolute) the copy-on-write workdir or storage, or in them?
 * Nothing performed on behalf writes there but the interception. */
static bool cow_zone(const struct sl_fs_view *v, const char *path)
{
	return (v->cow_workdir && sl_path_covers(v->cow_workdir, path)) ||
	       (v->cow_storage && sl_path_covers(v->cow_storage, path));
}

int sl_fs_view_deny(struct sl_fs_view *v, const char *path)
{
	return change_deny(v, path, true);
}

int sl_fs_view_allow(struct sl_fs_view *v, const char *path)
{
	return change_deny(v, path, false);
}

/* ---- the child's root and user namespace (once per run) ----------------- */

static bool same_object(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* The sandbox cannot change its root (chroot, pivot_root and mount
 * namespaces are denied) nor its user namespace: both are those of its
 * top-level process, looked at once. */
static int check_root(struct sl_fs_view *v)
{
	pid_t root = sl_supervisor_root_pid(v->sv);
	struct stat ours, theirs;
	char path[64];
	int fd;

	if (v->root_checked)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/root", (int)root);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &theirs) == 0 && stat("/", &ours) == 0 &&
	    same_object(&ours, &theirs)) {
		close(fd);
		fd = -1;
	}
	v->rootfd = fd;
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)root);
	if (stat(path, &theirs) < 0 || stat("/proc/self/ns/user", &ours) < 0)
		return -errno;
	v->foreign_userns = !same_object(&ours, &theirs);
	sl_creds_cache_foreign_userns(v->creds, v->foreign_userns);
	v->root_checked = true;
	return 0;
}

/* ---- one call -------------------------------------------------------------- */

/* The directory the path of argument i starts from, as an fd of ours: the
 * child's dirfd or cwd; -1 for an absolute path (the child's root). An
 * argument that names no path is the dirfd (or the cwd) itself. */
static int take_base(struct sl_fs_call *c, const struct sl_fs_arg *a,
		     bool *by_pid)
{
	char link[64];
	int fd;

	if (a->named && a->path[0] == '/' &&
	    !(c->req->resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT)))
		return -1;
	if (a->dirfd != AT_FDCWD)
		return sl_fs_call_getfd(c, a->dirfd); /* through the pidfd */
	*by_pid = true; /* a pid names it: confirmed afterwards */
	snprintf(link, sizeof(link), "/proc/%u/cwd", c->n->req->pid);
	fd = open(link, O_PATH | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int sl_fs_call_begin(struct sl_fs_call *c, struct sl_fs_view *v,
		     const struct sl_notif *n, struct sl_creds_cache *creds,
		     struct sl_fd_dir *fddir, bool nonblock)
{
	struct sl_fs_req *req;
	int r;

	memset(c, 0, sizeof(*c));
	c->v = v;
	c->n = n;
	c->pidfd = -1;
	c->own_root = -1;
	c->fddir = fddir;
	c->nonblock = nonblock;
	req = sl_fs_req_get(n);
	if (!req)
		return -ENOMEM;
	c->req = req;
	if (req->err < 0)
		return req->err;
	r = sl_creds_of(creds, n, &c->creds, &c->pidfd);
	if (r < 0)
		return r;
	if (!nonblock && v->rootfd >= 0) {
		/* a worker's fd table does not have the run's copy */
		char link[64];

		snprintf(link, sizeof(link), "/proc/%u/root", n->req->pid);
		c->own_root = open(link, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (c->own_root < 0)
			return -errno;
	}
	c->rc = (struct sl_resolve_ctx){
		.tgid = c->creds->tgid,
		.tid = (pid_t)n->req->pid,
		.rootfd = c->own_root >= 0 ? c->own_root : v->rootfd,
		.pid_ok = member,
		.arg = v,
		.fddir = c->fddir,
		.nonblock = nonblock,
	};
	if (!req->based) {
		bool by_pid = false;

		req->based = true;
		for (unsigned i = 0; i < req->nargs; i++) {
			req->base[i] = take_base(c, &req->a[i], &by_pid);
			if (req->base[i] < -1) {
				r = req->base[i];
				req->base[i] = -1;
				return r;
			}
			if (v->layer && req->a[i].dirfd == AT_FDCWD &&
			    req->a[i].named && req->a[i].path[0] != '/')
				req->base_rel[i] = v->layer->cwd(
					v->layer->arg, c->creds->tgid);
		}
		/* what a pid named came from the notifying task (the rest
		 * was confirmed as it was read, or taken by pidfd) */
		if (by_pid)
			return sl_notif_id_valid(n->listener, n->req->id);
	}
	return 0;
}

int sl_fs_call_begin_loop(struct sl_fs_call *c, struct sl_fs_view *v,
			  const struct sl_notif *n,
			  struct sl_creds_cache *creds)
{
	int r = check_root(v);

	if (r < 0) {
		memset(c, 0, sizeof(*c));
		return r;
	}
	if (creds)
		sl_creds_cache_foreign_userns(creds, v->foreign_userns);
	return sl_fs_call_begin(c, v, n, creds ? creds : v->creds, &v->fddir,
				true);
}

int sl_fs_call_end(struct sl_fs_call *c)
{
	int r = 0;

	if (c->entered)
		r = sl_creds_leave(&c->saved);
	c->entered = false;
	if (c->own_root >= 0)
		close(c->own_root);
	c->own_root = -1;
	return r;
}

int sl_fs_call_as_child(struct sl_fs_call *c)
{
	return sl_fs_call_as_child_consulting(c, ~(uint64_t)0);
}

int sl_fs_call_as_child_consulting(struct sl_fs_call *c, uint64_t consulted)
{
	int r;

	if (c->entered && (consulted & ~c->consulted) == 0)
		return 0;
	if (c->entered) {
		/* more capabilities now matter: match them too */
		consulted |= c->consulted;
		c->entered = false;
		r = sl_creds_leave(&c->saved);
		if (r < 0)
			return r;
	}
	r = sl_creds_enter_consulting(c->creds, consulted, &c->saved);
	c->entered = r == 0;
	c->consulted = consulted;
	return r;
}

int sl_fs_call_getfd(struct sl_fs_call *c, int childfd)
{
	int fd;

	if (childfd < 0)
		return -EBADF;
	/* Without pidfd_getfd, the notification's own fallback. */
	if (c->pidfd < 0 || !sl_host_allows(SL_HOST_PIDFD_GETFD))
		return sl_notif_getfd(c->n, childfd);
	fd = (int)syscall(__NR_pidfd_getfd, c->pidfd, childfd, 0);
	return fd < 0 ? -errno : fd;
}

int sl_fs_call_fd_flags(struct sl_fs_call *c, int childfd, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	if ((fl & O_PATH) && !sl_host_allows(SL_HOST_PIDFD_GETFD))
		return sl_notif_fd_flags(c->n, childfd, fd);
	return fl;
}

int sl_fs_call_may_wait(const struct sl_fs_call *c, int fd)
{
	struct sl_fs_obj o;

	if (!c->nonblock)
		return 0;
	if (sl_fs_obj_of(fd, &o) < 0 || sl_fs_kind_of(fd, &o) == SL_FSK_SLOW)
		return -EAGAIN;
	return 0;
}

int sl_fs_call_resolve(struct sl_fs_call *c, unsigned i, unsigned how,
		       const struct sl_resolved **out)
{
	const struct sl_fs_arg *a = &c->req->a[i];
	struct sl_fs_res *res = &c->req->res[i];
	int base = c->req->base[i];
	unsigned key = how & ~(unsigned)SL_RES_AGAIN;

	*out = &res->r;
	/* One resolution per argument and way of resolving, shared by the
	 * chain: every module sees the same object. */
	if (res->done && res->how == key && !(how & SL_RES_AGAIN))
		return res->err;
	if (res->done)
		sl_resolved_clear(&res->r);
	res->done = true;
	res->how = key;
	if (!a->named) {
		memset(&res->r, 0, sizeof(res->r));
		res->r.parentfd = -1;
		res->r.fd = fcntl(base, F_DUPFD_CLOEXEC, 0);
		res->err = res->r.fd < 0 ? -errno : sl_resolved_stat(&res->r);
		return res->err;
	}
	c->rc.layer = c->v->layer;
	c->rc.base_rel = c->req->base_rel[i];
	res->err = sl_resolve(&c->rc, base, a->path,
			      c->req->op == SL_FS_OPEN ? c->req->resolve : 0,
			      key, &res->r);
	return res->err;
}

/* ---- decisions -------------------------------------------------------------- */

/* Objects Landlock does not govern: pipes, sockets, anonymous inodes,
 * memory files. */
static bool pseudo(const char *path, size_t len)
{
	static const char *const kinds[] = { "pipe:", "socket:", "anon_inode:" };
	static const char deleted[] = " (deleted)";
	size_t dl = sizeof(deleted) - 1;

	for (size_t i = 0; i < SL_ARRAY_SIZE(kinds); i++)
		if (strncmp(path, kinds[i], strlen(kinds[i])) == 0)
			return true;
	return strncmp(path, "/memfd:", 7) == 0 && len > dl &&
	       strcmp(path + len - dl, deleted) == 0;
}

static bool path_denied(const struct sl_fs_view *v, const char *path)
{
	pid_t pid;

	if (sl_pathset_covers(&v->deny, path))
		return true;
	return sl_path_proc_pid(path, &pid) && !member((void *)v, pid);
}

static bool granted(const struct sl_fs_view *v, const char *path,
		    enum sl_fs_access a)
{
	switch (a) {
	case SL_FS_ACC_NONE:
		return true;
	case SL_FS_ACC_READ:
		if (sl_pathset_covers(&v->read, path))
			return true;
		/* fall through */
	case SL_FS_ACC_WRITE:
		return sl_pathset_covers(&v->write, path);
	}
	return false;
}

/* An object of procfs or sysfs reached outside /proc and /sys (a chroot's
 * /proc, fs/aliases.h): its sensitive entries and other processes'
 * directories would be recognised by none of their paths. debugfs and
 * tracefs are sensitive wherever they are (fs/path.c). */
static bool kernel_fs_elsewhere(int fd, const struct sl_fs_obj *o,
				const char *path)
{
	switch (sl_fs_kind_of(fd, o)) {
	case SL_FSK_PROC:
		return !sl_path_covers("/proc", path);
	case SL_FSK_SYS:
		return !sl_path_covers("/sys", path);
	case SL_FSK_KDEBUG:
		return true;
	default:
		return false;
	}
}

/* A file of procfs outside the processes' directories (/proc/sys,
 * /proc/irq, /proc/bus...) or of sysfs: the kernel's switches, written
 * only under a write grant that lies inside /proc or /sys and names them
 * (-w /sys/class/leds/...), never through a broader one (-w /), as
 * container runtimes keep them read-only. A process's own entries
 * (/proc/<pid>/oom_score_adj...) follow the grants as before. */
static bool kernel_switch(const struct sl_fs_view *v, int fd,
			  const struct sl_fs_obj *o, const char *path)
{
	const char *root;
	pid_t pid;

	switch (sl_fs_kind_of(fd, o)) {
	case SL_FSK_PROC:
		if (sl_path_proc_pid(path, &pid))
			return false;
		root = "/proc";
		break;
	case SL_FSK_SYS:
		root = "/sys";
		break;
	default:
		return false;
	}
	for (size_t i = 0; i < v->write.npaths; i++) {
		const char *g = v->write.paths[i].path;

		if (sl_path_covers(root, g) && sl_path_covers(g, path))
			return false; /* named by a grant of its own */
	}
	return true;
}

int sl_fs_check(struct sl_fs_view *v, struct sl_fd_dir *d, int fd,
		const struct sl_fs_obj *o, enum sl_fs_access a, char **out)
{
	_cleanup_(freep) char *path = NULL;
	int r = sl_fd_path(d, fd, &path);

	if (r < 0)
		return r;
	if (path[0] != '/' || pseudo(path, strlen(path))) {
		/* "(unreachable)/...": outside our root, refused */
		r = path[0] == '/' || pseudo(path, strlen(path)) ? 0 : -EACCES;
		goto done;
	}
	sl_path_strip_deleted(path);
	if (a == SL_FS_ACC_WRITE && cow_zone(v, path))
		return -EACCES;
	if (kernel_fs_elsewhere(fd, o, path))
		return -EACCES;
	if (!run_hold())
		return -ECANCELED;
	r = sets_rdlock(v);
	if (r == 0 &&
	    (path_denied(v, path) || sl_pathset_holds(&v->deny, fd, o, d) ||
	     !granted(v, path, a) ||
	     (a == SL_FS_ACC_WRITE && kernel_switch(v, fd, o, path))))
		r = -EACCES;
	pthread_rwlock_unlock(&v->lock);
	run_release();
done:
	if (r == 0 && out)
		*out = TAKE_PTR(path);
	return r;
}

int sl_fs_check_virtual(struct sl_fs_view *v, struct sl_fd_dir *d,
			const char *path, int fd, const struct sl_fs_obj *o,
			enum sl_fs_access a, bool container)
{
	int r;

	if (fd >= 0 && kernel_fs_elsewhere(fd, o, path))
		return -EACCES;
	if (!run_hold())
		return -ECANCELED;
	r = sets_rdlock(v);
	if (r == 0 && (path_denied(v, path) ||
		       (fd >= 0 && sl_pathset_holds(&v->deny, fd, o, d)) ||
		       (container && sl_pathset_inside(&v->deny, path)) ||
		       !granted(v, path, a)))
		r = -EACCES;
	pthread_rwlock_unlock(&v->lock);
	run_release();
	return r;
}

bool sl_fs_contains_denied(struct sl_fs_view *v, const char *path)
{
	bool hit;

	if (!run_hold())
		return true;
	hit = sets_rdlock(v) < 0 || sl_pathset_inside(&v->deny, path);
	pthread_rwlock_unlock(&v->lock);
	run_release();
	return hit;
}

int sl_fs_check_name(struct sl_fs_view *v, struct sl_fd_dir *d, int parentfd,
		     const char *name, bool container)
{
	_cleanup_(freep) char *dir = NULL;
	_cleanup_(freep) char *full = NULL;
	struct sl_fs_obj o;
	int r;

	r = sl_fs_obj_of(parentfd, &o);
	if (r < 0)
		return r;
	/* Landlock's rights to create and remove names are the directory's:
	 * a write grant that reaches it */
	r = sl_fs_check(v, d, parentfd, &o, SL_FS_ACC_WRITE, &dir);
	if (r < 0)
		return r;
	if (dir[0] != '/' || cow_zone(v, dir))
		return -EACCES;
	r = sl_path_normalize(dir, name, &full);
	if (r < 0)
		return r;
	if (!run_hold())
		return -ECANCELED;
	r = sets_rdlock(v);
	if (r == 0 && (path_denied(v, full) ||
		       (container && sl_pathset_inside(&v->deny, full))))
		r = -EACCES;
	pthread_rwlock_unlock(&v->lock);
	run_release();
	return r;
}

static bool served(struct sl_fs_view *v, struct sl_fd_dir *d,
		   const struct sl_resolved *r, bool as_dir)
{
	const struct sl_fs_built *b = v->built;
	_cleanup_(freep) char *path = NULL;

	if (r->fd < 0)
		return false;
	if (r->kind == SL_FSK_PROC)
		return true;
	if (!b || (!S_ISDIR(r->obj.mode) && !b->nway))
		return false;
	if (S_ISDIR(r->obj.mode) &&
	    (sl_fs_built_unlisted(b, r->obj.dev, r->obj.ino) ||
	     (as_dir && sl_fs_built_on_way(b, r->obj.dev, r->obj.ino))))
		return true;
	/* A directory to list: one created later below a directory on the
	 * way inherits that one's right to list, unless some directory on
	 * the way is left unlistable. */
	if (S_ISDIR(r->obj.mode) && !as_dir && !b->nunlisted)
		return false;
	if (!b->nway || sl_fd_path(d, r->fd, &path) < 0 || path[0] != '/')
		return false;
	sl_path_strip_deleted(path);
	return sl_fs_built_unruled(b, path);
}

bool sl_fs_view_expands(struct sl_fs_view *v)
{
	/* every grant expanded has a directory rule on the way */
	return v->built && v->built->nway > 0;
}

bool sl_fs_served(struct sl_fs_view *v, struct sl_fd_dir *d,
		  const struct sl_resolved *r)
{
	return served(v, d, r, false);
}

bool sl_fs_served_dir(struct sl_fs_view *v, struct sl_fd_dir *d,
		      const struct sl_resolved *dir)
{
	return served(v, d, dir, true);
}
