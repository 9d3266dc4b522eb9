/*
 * The copy-on-write interception (docs/behaviour.md 9.3) as a handler module on
 * the filesystem view: the module, the layer through which the view
 * resolves paths in the merged view, and the steps every call shares.
 * docs/cow.md describes the design; cow.h lists the files.
 *
 * The kernel keeps the workdir safe by itself: the run's Landlock ruleset
 * gives no right to write there, nor to change a tree on the way to it
 * (landlock/ruleset.c), so whatever this module lets through (CONTINUE)
 * cannot write the workdir, whatever a racing thread changes meanwhile.
 * What this module performs itself in the workdir's name goes to the
 * upper only (src/cow/ walks it confined).
 */
#include "handlers/cow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/kcompat.h"
#include "fs/path.h"
#include "handlers/fsview.h"
#include "handlers/opentarget.h"
#include "supervisor/notif.h"
#include "util/cleanup.h"
#include "util/hostperm.h"

void cow_mark(struct cow *s)
{
	atomic_store_explicit(&s->changed, true, memory_order_release);
}

/* ---- the layer of the merged view (fs/resolve.h) ------------------------ */

static bool layer_active(void *arg)
{
	return cow_active(arg);
}

static bool same(const struct sl_fs_obj *o, const struct stat *st)
{
	return o->dev == st->st_dev && o->ino == st->st_ino;
}

int cow_rel_of_fd(struct cow *s, int fd, char **rel, bool *upper)
{
	_cleanup_(freep) char *path = NULL;
	const char *r;
	size_t ul;

	if (sl_fd_path(NULL, fd, &path) < 0 || path[0] != '/')
		return 0;
	sl_path_strip_deleted(path);
	if (!sl_cow_scope(s->b, path, &r))
		return 0;
	ul = strlen(sl_cow_upper(s->b));
	*upper = strncmp(path, sl_cow_upper(s->b), ul) == 0 &&
		 (path[ul] == '/' || path[ul] == '\0');
	*rel = strdup(r);
	return *rel ? 1 : -ENOMEM;
}

static int layer_enter(void *arg, int fd, const struct sl_fs_obj *o,
		       bool by_path, char **rel, int *side)
{
	struct cow *s = arg;
	bool upper = false;
	int r;

	if (same(o, &s->wd) || same(o, &s->up)) {
		*rel = strdup("");
		*side = same(o, &s->up) ? SL_COW_UPPER : SL_COW_LOWER;
		return *rel ? 1 : -ENOMEM;
	}
	/* only what lies on the workdir's or the upper's filesystem */
	if (!by_path || (o->dev != s->wd.st_dev && o->dev != s->up.st_dev))
		return 0;
	r = cow_rel_of_fd(s, fd, rel, &upper);
	*side = upper ? SL_COW_UPPER : SL_COW_LOWER;
	return r;
}

static int layer_lookup(void *arg, const char *rel, int parent, int parent_side,
			int *fd, struct stat *st, int *side, bool *differs)
{
	struct cow *s = arg;

	return sl_cow_lookup(s->b, rel, parent, parent_side, fd, st, side,
			     differs);
}

static int layer_up(void *arg)
{
	struct cow *s = arg;
	int fd = fcntl(s->wd_parent, F_DUPFD_CLOEXEC, 0);

	return fd < 0 ? -errno : fd;
}

static char *layer_cwd(void *arg, pid_t tgid)
{
	struct cow *s = arg;

	return cow_active(s) ? cow_cwd_get(s, tgid) : NULL;
}

/* ---- the steps of a call ------------------------------------------------ */

/* rel of an object or a name the kernel's walk found (nothing staged yet:
 * the resolution did not go through the layer). */
static int locate_unlayered(struct cow *s, struct cow_loc *l, unsigned how)
{
	const struct sl_resolved *res = l->res;
	_cleanup_(freep) char *path = NULL;
	_cleanup_(freep) char *full = NULL;
	const char *rel;
	bool named = (how & SL_RES_PARENT) || l->err == -ENOENT;
	int r;

	if (named && res->parentfd >= 0 && res->name)
		r = sl_fd_path(NULL, res->parentfd, &path);
	else if (!named && l->err == 0 && res->fd >= 0)
		r = sl_fd_path(NULL, res->fd, &path);
	else
		return 0;
	if (r < 0 || path[0] != '/')
		return 0;
	sl_path_strip_deleted(path);
	if (named &&
	    (strcmp(res->name, ".") == 0 || strcmp(res->name, "..") == 0)) {
		l->in = sl_cow_scope(s->b, path, &rel);
		return 0; /* rel stays NULL */
	}
	if (named) {
		r = sl_path_normalize(path, res->name, &full);
		if (r < 0)
			return r;
	}
	if (!sl_cow_scope(s->b, named ? full : path, &rel))
		return 0;
	l->in = true;
	l->own = strdup(rel);
	if (!l->own)
		return -ENOMEM;
	l->rel = l->own;
	return 0;
}

int cow_locate(struct sl_fs_call *c, unsigned i, unsigned how,
	       struct cow_loc *l)
{
	struct cow *s = cow_of(c);
	const struct sl_resolved *res;
	int r;

	memset(l, 0, sizeof(*l));
	if (c->nonblock && s->slow)
		return -EAGAIN; /* the branch's lookups may wait */
	l->err = sl_fs_call_resolve(c, i, how, &res);
	l->res = res;
	if (l->err == -EAGAIN)
		return l->err; /* would wait: in a worker */
	if (res->layered) {
		l->in = true;
		l->rel = res->rel;
		l->side = res->side;
	} else if (!cow_active(s)) {
		r = locate_unlayered(s, l, how);
		if (r < 0)
			return r;
	}
	/* elsewhere, but the kernel would not get there: through a staged
	 * entry (a symlink of the upper) or from a virtual working
	 * directory */
	l->foreign = !l->in && (c->req->base_rel[i] || res->touched);
	if (!l->in || !l->rel)
		return 0;
	if (!(how & SL_RES_PARENT) && !res->layered) {
		/* nothing staged: the workdir is the merged view */
		l->side = l->err == 0 ? SL_COW_LOWER : SL_COW_ABSENT;
	} else if (how & SL_RES_PARENT) {
		/* a name: what the merged view has there */
		r = sl_cow_resolve(s->b, l->rel, NULL);
		l->side = r < 0 ? SL_COW_ABSENT : r;
	}
	return 0;
}

void cow_loc_free(struct cow_loc *l)
{
	free(l->own);
	l->own = NULL;
}

int cow_check(struct sl_fs_call *c, const char *rel, int fd,
	      const struct sl_fs_obj *o, enum sl_fs_access a, bool container)
{
	struct cow *s = cow_of(c);
	_cleanup_(freep) char *path = NULL;

	if (!s->denials && a == SL_FS_ACC_NONE)
		return 0;
	if (asprintf(&path, "%s%s%s", sl_cow_workdir(s->b), *rel ? "/" : "",
		     rel) < 0)
		return -ENOMEM;
	return sl_fs_check_virtual(c->v, c->fddir, path, fd, o, a, container);
}

/* A metadata write (fsmeta's), rather than fsdeny's. */
static bool metadata_write(const struct sl_fs_req *req)
{
	return req->op == SL_FS_CHMOD || req->op == SL_FS_CHOWN ||
	       req->op == SL_FS_UTIMES || req->op == SL_FS_SETXATTR ||
	       req->op == SL_FS_REMOVEXATTR;
}

int cow_pass(struct sl_fs_call *c, struct sl_action *out)
{
	if (c->nonblock)
		return 0;
	return metadata_write(c->req) ? sl_fsmeta_decide(c, out) :
					sl_fsdeny_decide(c, out);
}

int cow_foreign(struct sl_fs_call *c, struct sl_action *out)
{
	cow_settle(c);
	return metadata_write(c->req) ? sl_fsmeta_decide(c, out) :
					sl_fsdeny_perform(c, out);
}

bool cow_kernel_agrees(const struct sl_fs_call *c, const struct cow_loc *l)
{
	return l->err == 0 && l->side == SL_COW_LOWER && !l->res->touched &&
	       !c->req->base_rel[0] && !c->req->base_rel[1];
}

int cow_access(int fd, int mode)
{
	if (faccessat(fd, "", mode, AT_EMPTY_PATH | AT_EACCESS) == 0)
		return 0;
	/* a read-only workdir is no reason: its writes are staged */
	return errno == EROFS ? 0 : -errno;
}

int cow_tgid(struct cow *s, const struct sl_notif *n, pid_t *tgid)
{
	const struct sl_creds *cr;
	int pidfd, r = sl_creds_of(s->v->creds, n, &cr, &pidfd);

	if (r == 0)
		*tgid = cr->tgid;
	return r;
}

/* ---- the module ------------------------------------------------------------ */

bool cow_open_writes(uint64_t fl)
{
	return (fl & O_ACCMODE) != O_RDONLY ||
	       (fl & (O_CREAT | O_TRUNC | O_APPEND)) ||
	       (fl & __O_TMPFILE) == __O_TMPFILE;
}

/* A call that only reads, whose registers say so: with nothing staged the
 * merged view is the workdir, and the kernel answers it. */
static bool reads_only(int nr, const uint64_t *a)
{
	switch (nr) {
#ifdef __NR_open
	case __NR_open:
		return !cow_open_writes(a[1] & 0xffffffffu);
#endif
	case __NR_openat:
		return !cow_open_writes(a[2] & 0xffffffffu);
	case __NR_newfstatat:
	case __NR_statx:
	case __NR_faccessat:
	case __NR_faccessat2:
	case __NR_readlinkat:
	case __NR_getxattr:
	case __NR_lgetxattr:
	case __NR_listxattr:
	case __NR_llistxattr:
	case __NR_chdir:
	case __NR_execve:
	case __NR_execveat:
#ifdef __NR_stat
	case __NR_stat:
	case __NR_lstat:
	case __NR_access:
	case __NR_readlink:
#endif
		return true;
	default:
		return false;
	}
}

static sl_fs_op_fn op_of(const struct sl_fs_req *req)
{
	switch (req->op) {
	case SL_FS_OPEN:
		return cow_op_open;
	case SL_FS_EXEC:
		return cow_op_exec;
	case SL_FS_MKDIR:
	case SL_FS_MKNOD:
	case SL_FS_SYMLINK:
		return cow_op_mkdir;
	case SL_FS_UNLINK:
		return cow_op_unlink;
	case SL_FS_RENAME:
		return cow_op_rename;
	case SL_FS_LINK:
		return cow_op_link;
	case SL_FS_STAT:
		return cow_op_stat;
	case SL_FS_ACCESS:
		return cow_op_access;
	case SL_FS_READLINK:
		return cow_op_readlink;
	case SL_FS_GETXATTR:
	case SL_FS_LISTXATTR:
		return cow_op_getxattr;
	case SL_FS_CHMOD:
	case SL_FS_CHOWN:
	case SL_FS_UTIMES:
	case SL_FS_SETXATTR:
	case SL_FS_REMOVEXATTR:
		return cow_op_meta;
	case SL_FS_TRUNCATE:
		return cow_op_truncate;
	case SL_FS_CHDIR:
		return cow_op_chdir;
	default:
		return NULL;
	}
}

static int cow_handle(void *state, const struct sl_notif *n,
		      struct sl_action *out)
{
	struct cow *s = state;
	int nr = n->req->data.nr;
	const struct sl_fs_req *req;
	sl_fs_op_fn fn;

	/* A process the table has not seen yet inherits its parent's
	 * virtual working directory when the table adopts it: now, before
	 * its paths are resolved. */
	if (cow_active(s) && s->ncwds)
		(void)sl_supervisor_is_member(n->sv, (pid_t)n->req->pid);
	if (nr == __NR_getdents64 || nr == SCMP_SYS(getdents))
		return cow_getdents(s, n, out);
	if (nr == __NR_fchdir)
		return cow_fchdir(s, n, out);
	if (nr == __NR_getcwd)
		return cow_getcwd(s, n, out);
	if (!cow_active(s) &&
	    reads_only(nr, (const uint64_t *)n->req->data.args))
		return 0;
	req = sl_fs_req_get(n);
	if (!req || req->err < 0)
		return req ? 0 : -ENOMEM; /* the kernel's own error */
	if (!cow_active(s) && req->op == SL_FS_OPEN &&
	    !cow_open_writes(req->flags))
		return 0; /* openat2, read-only */
	fn = op_of(req);
	return fn ? sl_fs_run(s->v, n, fn, 0, out) : 0;
}

/* ---- activation ---------------------------------------------------------- */

static bool cow_active_for(const struct sl_policy *p)
{
	/* (under chroot the chroot handlers would own the view) */
	return p->workdir && !p->chroot;
}

static void cow_syscalls(const struct sl_policy *p, struct sl_nrset *set)
{
	static const int nrs[] = {
		/* reads of the merged view */
		SCMP_SYS(open),
		SCMP_SYS(openat),
		SCMP_SYS(openat2),
		SCMP_SYS(creat),
		SCMP_SYS(stat),
		SCMP_SYS(lstat),
		SCMP_SYS(access),
		SCMP_SYS(faccessat),
		SCMP_SYS(faccessat2),
		SCMP_SYS(readlink),
		SCMP_SYS(readlinkat),
		SCMP_SYS(getxattr),
		SCMP_SYS(lgetxattr),
		SCMP_SYS(listxattr),
		SCMP_SYS(llistxattr),
		SCMP_SYS(getdents),
		SCMP_SYS(getdents64),
		SCMP_SYS(chdir),
		SCMP_SYS(fchdir),
		SCMP_SYS(getcwd),
		SCMP_SYS(execve),
		SCMP_SYS(execveat),
		/* writes, staged */
		SCMP_SYS(mkdir),
		SCMP_SYS(mkdirat),
		SCMP_SYS(mknod),
		SCMP_SYS(mknodat),
		SCMP_SYS(symlink),
		SCMP_SYS(symlinkat),
		SCMP_SYS(unlink),
		SCMP_SYS(unlinkat),
		SCMP_SYS(rmdir),
		SCMP_SYS(rename),
		SCMP_SYS(renameat),
		SCMP_SYS(renameat2),
		SCMP_SYS(link),
		SCMP_SYS(linkat),
		SCMP_SYS(truncate),
		SCMP_SYS(chmod),
		SCMP_SYS(fchmod),
		SCMP_SYS(fchmodat),
		__NR_fchmodat2,
		SCMP_SYS(chown),
		SCMP_SYS(lchown),
		SCMP_SYS(fchown),
		SCMP_SYS(fchownat),
		SCMP_SYS(utime),
		SCMP_SYS(utimes),
		SCMP_SYS(futimesat),
		SCMP_SYS(utimensat),
		SCMP_SYS(setxattr),
		SCMP_SYS(lsetxattr),
		SCMP_SYS(fsetxattr),
		__NR_setxattrat,
		SCMP_SYS(removexattr),
		SCMP_SYS(lremovexattr),
		SCMP_SYS(fremovexattr),
		__NR_removexattrat,
	};

	(void)p;
	for (size_t i = 0; i < SL_ARRAY_SIZE(nrs); i++)
		sl_nrset_add(set, nrs[i]);
	/* stat of an open file (AT_EMPTY_PATH: glibc's fstat) is the
	 * kernel's: the descriptor already is the object (notify.c) */
	sl_nrset_add_narrow_sys(set, newfstatat);
	sl_nrset_add_narrow_sys(set, statx);
}

static void cow_fini(void *state)
{
	struct cow *s = state;

	if (!s)
		return;
	cow_lists_free(s);
	for (size_t i = 0; i < s->ncwds; i++)
		free(s->cwds[i].rel);
	free(s->cwds);
	if (s->wd_parent >= 0)
		close(s->wd_parent);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* Is the workdir (upper: the upper) on a filesystem whose operations may
 * wait? */
static bool slow_fs(struct sl_cow_branch *b, bool upper)
{
	_cleanup_(closep) int fd = upper ? sl_cow_upper_open(b, "", O_PATH) :
					   sl_cow_lower_open(b, "", O_PATH);
	struct sl_fs_obj o;

	return fd < 0 || sl_fs_obj_of(fd, &o) < 0 ||
	       sl_fs_kind_of(fd, &o) == SL_FSK_SLOW;
}

static int cow_init(struct sl_supervisor *sv, const struct sl_policy *p,
		    void **state)
{
	struct sl_cow_branch *b = sl_supervisor_cow(sv);
	struct cow *s;
	int r;

	if (!b)
		return sl_supervisor_init_error(
			sv, EINVAL,
			"copy-on-write workdir: the run "
			"has no branch");
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->wd_parent = -1;
	r = pthread_mutex_init(&s->lock, NULL);
	if (r != 0) {
		free(s);
		return -r;
	}
	s->v = sl_fs_view_of(sv);
	s->b = b;
	s->denials = p->fs_deny.n > 0;
	s->layer = (struct sl_resolve_layer){
		.arg = s,
		.active = layer_active,
		.enter = layer_enter,
		.lookup = layer_lookup,
		.up = layer_up,
		.cwd = layer_cwd,
	};
	r = s->v ? 0 : -EINVAL;
	if (r == 0)
		r = sl_cow_root_stat(b, false, &s->wd);
	if (r == 0)
		r = sl_cow_root_stat(b, true, &s->up);
	if (r == 0)
		r = s->wd_parent = sl_cow_workdir_parent(b);
	if (r >= 0)
		r = sl_fs_view_cow(s->v, sl_cow_workdir(b), sl_cow_base(b),
				   &s->layer);
	if (r >= 0)
		s->slow = slow_fs(b, false) || slow_fs(b, true);
	if (r < 0) {
		cow_fini(s);
		return sl_supervisor_init_error(sv, -r,
						"copy-on-write workdir: cannot "
						"start: %s",
						strerror(-r));
	}
	*state = s;
	return 0;
}

static void cow_pid_exit(void *state, pid_t pid)
{
	cow_forget(state, pid);
}

static void cow_pid_new(void *state, pid_t pid, pid_t parent)
{
	if (parent > 0)
		cow_cwd_inherit(state, pid, parent);
}

/* A merged listing is served at, and moves, the position of the
 * sandbox's own directory descriptor: only the open file description
 * pidfd_getfd shares can (an O_PATH reopen has a position of its own). */
static int cow_host_check(const struct sl_policy *p, struct sl_error *e)
{
	if (!cow_active_for(p))
		return 0;
	return sl_host_require(SL_HOST_PIDFD_GETFD,
			       "a workdir (a merged directory listing moves "
			       "the position of the sandbox's own descriptor)",
			       e);
}

const struct sl_handler_module sl_module_cow = {
	.name = "cow",
	.active = cow_active_for,
	.syscalls = cow_syscalls,
	.init = cow_init,
	.handle = cow_handle,
	.pid_exit = cow_pid_exit,
	.fini = cow_fini,
	.pid_new = cow_pid_new,
	.host_check = cow_host_check,
};
