/*
 * fs_denied (docs/behaviour.md 3.3) and the /proc denials (8.1), on the
 * filesystem view.
 *
 * Landlock only grants; the ruleset leaves the denied entries out of the
 * grants (landlock/holes.c) and, when a grant reaches /proc, leaves /proc
 * to this module: the kernel itself then refuses everything denied, and
 * the supervisor serves what the policy grants beyond it.
 *
 * With fs_deny, every link, rename, unlink and truncate, and every open
 * the kernel would not decide exactly as the policy does, is performed on
 * the child's behalf on the object resolved and checked (by path, by
 * identity, against the grants); nothing is checked and then left to the
 * kernel to look up again. The opens the kernel decides as the policy
 * does are left to it (OPENS_TO_KERNEL): those of objects that have their
 * rights from the ruleset, when the ruleset leaves every fs_deny entry
 * out and no denied file has another name it grants. Exec cannot be
 * performed on behalf: Landlock refuses a denied binary; the supervisor's
 * check still refuses other names of a denied file (hard links made
 * before the run), with the window docs/confinement.md describes, and is
 * left out where no other name can exist.
 *
 * With a grant exposing /proc and no fs_deny, only what lies on procfs is
 * served here; an open of anything else is answered CONTINUE, since the
 * kernel refuses whatever procfs object a racing thread could swap in.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "fs/defer.h"
#include "fs/ops.h"
#include "fs/path.h"
#include "handlers/fsview.h"
#include "handlers/opentarget.h"
#include "handlers/procinfo.h"
#include "supervisor/notif.h"
#include "supervisor/worker.h"
#include "util/cleanup.h"

/* The module's flags, passed to its operations. */
enum {
	/* No fs_deny: Landlock refuses everything denied; only procfs is
	 * served here (and, around a copy-on-write workdir, what the
	 * ruleset could not give rights to: handlers/cow.c). */
	KERNEL_ENFORCED = 1 << 0,
	/* Active only for what a policy callback may deny at run time:
	 * nothing to do until it does. */
	LIVE_ONLY = 1 << 1,
	/* fs_deny, and the kernel refuses every denied object whatever
	 * name reaches it (kernel_refuses_denied): opens are served as
	 * without fs_deny, the other calls that name entries on behalf. */
	OPENS_TO_KERNEL = 1 << 2,
};

struct fsdeny {
	struct sl_fs_view *v;
	unsigned flags;
	bool proc;	    /* a grant reaches /proc or a sensitive entry */
	atomic_int refuses; /* kernel_refuses_denied: -1 not decided yet */
	/* After a policy callback denied a path: opens are performed on
	 * behalf, with credentials read at each call where the view does
	 * not cache them (it is not notified of their changes). */
	struct sl_creds_cache *fresh;
};

#define SL_CREATE_RETRIES 3
#define SL_LEASE_POLL_MS 20

static bool wants_write(uint64_t flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) ||
	       (flags & __O_TMPFILE) == __O_TMPFILE;
}

static void answer_fd(struct sl_action *out, int fd, uint64_t flags)
{
	sl_open_answer_fd(out, fd, flags);
}

/* Path argument 0's object (followed as the call says), refused when
 * denied. An unresolvable path is refused with the kernel's own error. */
static int denied_or(struct sl_fs_call *c, const struct sl_resolved **res)
{
	int r = sl_fs_call_resolve(
		c, 0, c->req->a[0].follow ? SL_RES_FOLLOW : 0, res);

	if (r < 0)
		return r;
	return sl_fs_check(c->v, c->fddir, (*res)->fd, &(*res)->obj,
			   SL_FS_ACC_NONE, NULL);
}

/* In a worker: an open that meets a lease conflict is tried again until
 * the lease is given back or broken by the kernel (its lease-break time),
 * or the notification is withdrawn: never a wait that cannot end. */
static int lease_wait(struct sl_fs_call *c)
{
	struct timespec ts = { 0, SL_LEASE_POLL_MS * 1000000L };

	if (c->nonblock)
		return -EAGAIN;
	if (sl_worker_cancelled(c->job))
		return -ECANCELED;
	nanosleep(&ts, NULL);
	return 0;
}

/* ---- opens ------------------------------------------------------------------ */

/* A FIFO's open waits for the other end: in a worker, cancellable by
 * opening that other end. */
static int open_fifo(struct sl_fs_call *c, const struct sl_resolved *res,
		     uint64_t flags)
{
	int fd;

	if (c->nonblock)
		return -EAGAIN;
	sl_worker_cancellable(c->job, res->fd,
			      (flags & O_ACCMODE) == O_RDONLY ? O_WRONLY :
								O_RDONLY);
	fd = sl_fs_open_object(c->fddir, res->fd, flags, false);
	sl_worker_uncancellable(c->job);
	if (fd >= 0 && sl_worker_cancelled(c->job)) {
		close(fd);
		return -ECANCELED;
	}
	return fd;
}

/* /dev/tty is the opener's controlling terminal: the child's, found by
 * its device number, opened with the supervisor's rights (the kernel asks
 * for none to open one's own terminal through /dev/tty). */
static int open_ctty(struct sl_fs_call *c, uint64_t flags)
{
	_cleanup_(freep) char *stat_text = NULL;
	unsigned long tty;
	char path[64];
	const char *p;
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/stat", c->n->req->pid);
	if (sl_read_file(path, &stat_text, NULL) < 0)
		return -ENXIO;
	if (sl_notif_id_valid(c->n->listener, c->n->req->id) < 0)
		return -ENOENT;	     /* the pid may name another task now */
	p = strrchr(stat_text, ')'); /* the name may hold anything */
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %lu", &tty) != 1 || !tty)
		return -ENXIO;
	if (major(tty) >= 136 && major(tty) <= 143)
		snprintf(path, sizeof(path), "/dev/pts/%u",
			 (major(tty) - 136) * 256 + minor(tty));
	else
		snprintf(path, sizeof(path), "/dev/char/%u:%u", major(tty),
			 minor(tty));
	if (sl_fs_call_end(c) < 0) /* the supervisor's own credentials */
		return -EPERM;
	fd = open(path, (int)(flags & ~(uint64_t)(O_CREAT | O_EXCL | O_TRUNC)) |
				O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -ENXIO;
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != tty) {
		close(fd);
		return -ENXIO;
	}
	return fd;
}

/* Devices whose open never waits: the memory devices, terminals. */
static bool opens_at_once(dev_t rdev)
{
	unsigned m = major(rdev);

	return m == 1 || m == 4 || m == 5 || (m >= 136 && m <= 143);
}

/* An existing object: check it and open it. */
static int open_existing(struct sl_fs_call *c, unsigned flags,
			 const struct sl_resolved *res, struct sl_action *out)
{
	uint64_t fl = c->req->flags;
	mode_t mode = res->obj.mode;
	int fd, r;

	if ((fl & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	if ((flags & KERNEL_ENFORCED) && !sl_fs_served(c->v, c->fddir, res)) {
		sl_fs_answer_continue(out);
		return 0;
	}
	if (S_ISLNK(mode))
		return -ELOOP; /* O_NOFOLLOW on a symlink */
	/* O_CREAT of an existing file creates nothing: Landlock asks only
	 * for the access the other flags request. */
	r = sl_fs_check(c->v, c->fddir, res->fd, &res->obj,
			wants_write(fl & ~(uint64_t)O_CREAT) ? SL_FS_ACC_WRITE :
							       SL_FS_ACC_READ,
			NULL);
	if (r < 0)
		return r;
	if (res->kind == SL_FSK_SLOW && c->nonblock)
		return -EAGAIN;
	if (sl_fs_call_gate(c, out))
		return 0;
	if (S_ISFIFO(mode) && !(fl & O_NONBLOCK) &&
	    (fl & O_ACCMODE) != O_RDWR) {
		fd = open_fifo(c, res, fl);
	} else if (S_ISCHR(mode) && res->obj.rdev == makedev(5, 0)) {
		fd = open_ctty(c, fl);
	} else if ((S_ISCHR(mode) || S_ISBLK(mode)) && !(fl & O_NONBLOCK) &&
		   !opens_at_once(res->obj.rdev) && c->nonblock) {
		return -EAGAIN; /* a driver may wait: in a worker */
	} else {
		/* O_NONBLOCK on a regular file: a lease to break answers
		 * EWOULDBLOCK at once (then the worker polls). */
		do
			fd = sl_fs_open_object(c->fddir, res->fd, fl,
					       S_ISREG(mode));
		while (fd == -EAGAIN && (r = lease_wait(c)) == 0);
		if (fd == -EAGAIN)
			return r;
	}
	if (fd < 0)
		return fd;
	answer_fd(out, fd, fl);
	return 0;
}

/* Without fs_deny, what Landlock was given (names created or removed in
 * the directory dir) the kernel decides. */
static bool kernel_decides(struct sl_fs_call *c, unsigned flags, int dir)
{
	struct sl_resolved d = { .fd = dir };

	return (flags & KERNEL_ENFORCED) && sl_resolved_stat(&d) == 0 &&
	       !sl_fs_served_dir(c->v, c->fddir, &d);
}

/* Create name in dir (NULL: O_TMPFILE's unnamed file) and answer it. */
static int create_in(struct sl_fs_call *c, int dir, const char *name,
		     struct sl_action *out)
{
	uint64_t fl = c->req->flags;
	bool own_umask = c->job && c->job->own_fs;
	int fd, r = 0;

	if (sl_fs_call_gate(c, out))
		return 0;
	if (own_umask)
		umask(c->creds->umask); /* the worker's own fs table */
	do
		fd = sl_fs_create(dir, name, fl, c->req->mode, c->creds->umask,
				  own_umask, true);
	while (fd == -EAGAIN && (r = lease_wait(c)) == 0);
	if (fd == -EAGAIN)
		return r;
	if (fd < 0)
		return fd;
	answer_fd(out, fd, fl);
	return 0;
}

/* A missing last component with O_CREAT: create it in its directory. */
static int open_create(struct sl_fs_call *c, unsigned flags,
		       const struct sl_resolved *res, struct sl_action *out)
{
	int r;

	if (res->trailing_slash)
		return -EISDIR;
	if (kernel_decides(c, flags, res->parentfd)) {
		sl_fs_answer_continue(out);
		return 0;
	}
	r = sl_fs_check_name(c->v, c->fddir, res->parentfd, res->name, false);
	if (r == 0)
		r = sl_fs_call_may_wait(c, res->parentfd);
	return r < 0 ? r : create_in(c, res->parentfd, res->name, out);
}

/* O_TMPFILE: an unnamed file in the directory named. */
static int open_tmpfile(struct sl_fs_call *c, unsigned flags,
			const struct sl_resolved *res, struct sl_action *out)
{
	int r;

	if (kernel_decides(c, flags, res->fd)) {
		sl_fs_answer_continue(out);
		return 0;
	}
	r = sl_fs_check(c->v, c->fddir, res->fd, &res->obj, SL_FS_ACC_WRITE,
			NULL);
	if (r == 0)
		r = sl_fs_call_may_wait(c, res->fd);
	return r < 0 ? r : create_in(c, res->fd, NULL, out);
}

/* O_PATH: the kernel refuses to install an O_PATH file through seccomp,
 * and none is needed: an O_PATH fd grants no access to data, and each of
 * its uses (opening it again through /proc, exec, link, metadata, as a
 * dirfd) is gated on its own. A denied object is still refused. */
static int open_path(struct sl_fs_call *c, unsigned flags,
		     struct sl_action *out)
{
	const struct sl_resolved *res;
	int r;

	(void)flags;
	r = denied_or(c, &res);
	if (r == 0)
		sl_fs_answer_continue(out);
	return r;
}

/* Without fs_deny (or with it, where the kernel refuses every denied
 * object: OPENS_TO_KERNEL) only what Landlock was not given is served:
 * decide that with the kernel's own lookup, as the supervisor, before
 * anything else. A racing thread may make the kernel look up another
 * object: Landlock decides that one as the policy would, or refuses it
 * (an object created after the ruleset, which the policy would let the
 * supervisor serve). 1: answered CONTINUE; 0: serve it. */
static int leave_to_kernel(struct sl_fs_call *c, unsigned how,
			   struct sl_action *out)
{
	const struct sl_resolved *res;
	bool served = true;
	int r;

	r = sl_fs_call_resolve(c, 0, how | SL_RES_KERNEL, &res);
	if (r == 0 && (c->req->flags & __O_TMPFILE) == __O_TMPFILE) {
		served = sl_fs_served_dir(c->v, c->fddir,
					  res); /* a file created there */
	} else if (r == 0) {
		served = sl_fs_served(c->v, c->fddir, res);
	} else if (r == -ENOENT && res->parentfd >= 0) {
		struct sl_resolved dir = { .fd = res->parentfd };

		if (sl_resolved_stat(&dir) == 0)
			served = sl_fs_served_dir(c->v, c->fddir, &dir);
	} else if (r != -ELOOP && r != -EAGAIN) {
		served = false; /* the kernel fails it the same way */
	}
	if (r == -EAGAIN)
		return r; /* not in the dentry cache: in a worker */
	if (served)
		return 0;
	sl_fs_answer_continue(out);
	return 1;
}

static int op_open(struct sl_fs_call *c, unsigned flags, struct sl_action *out)
{
	uint64_t fl = c->req->flags;
	unsigned how = (c->req->a[0].follow ? SL_RES_FOLLOW : 0) |
		       ((fl & O_CREAT) ? SL_RES_MISSING_OK : 0);
	int r;

	if ((flags & KERNEL_ENFORCED) && (fl & O_PATH)) {
		sl_fs_answer_continue(out);
		return 0;
	}
	/* (With fs_deny an O_PATH open, which Landlock does not check, is
	 * checked here.) */
	if ((flags & (KERNEL_ENFORCED | OPENS_TO_KERNEL)) && !(fl & O_PATH)) {
		r = leave_to_kernel(c, how, out);
		if (r != 0)
			return r < 0 ? r : 0;
	}
	r = sl_fs_call_as_child(c);
	if (r < 0)
		return r;
	if (fl & O_PATH)
		return open_path(c, flags, out);
	/* A file created by someone else between our lookup and our create
	 * sends us back to the lookup. */
	r = -EEXIST;
	for (int i = 0; i < SL_CREATE_RETRIES && r == -EEXIST; i++) {
		const struct sl_resolved *res;

		r = sl_fs_call_resolve(c, 0, how | (i ? SL_RES_AGAIN : 0),
				       &res);
		if (r == 0 && (fl & __O_TMPFILE) == __O_TMPFILE)
			r = open_tmpfile(c, flags, res, out);
		else if (r == 0)
			r = open_existing(c, flags, res, out);
		else if (r == -ENOENT && res->parentfd >= 0)
			r = open_create(c, flags, res, out);
		if (fl & O_EXCL)
			break;
	}
	return r;
}

/* ---- exec, and the calls that name an entry --------------------------- */

static int op_exec(struct sl_fs_call *c, unsigned flags, struct sl_action *out)
{
	const struct sl_resolved *res;
	int r = sl_fs_call_as_child(c);

	(void)flags;
	if (r == 0)
		r = denied_or(c, &res);
	if (r == 0)
		sl_fs_answer_continue(out);
	return r;
}

static bool dot_or_dotdot(const char *name)
{
	return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/* The entry name of parentfd, if there is one: not denied (by path or
 * identity), and as a directory not containing a denied path. *exists
 * tells whether it is there. */
static int check_entry(struct sl_fs_call *c, int parentfd, const char *name,
		       bool *exists)
{
	_cleanup_(freep) char *path = NULL;
	_cleanup_(closep) int fd = -1;
	struct sl_fs_obj o;
	int r;

	*exists = false;
	fd = openat(parentfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	*exists = true;
	r = sl_fs_obj_of(fd, &o);
	if (r == 0)
		r = sl_fs_check(c->v, c->fddir, fd, &o, SL_FS_ACC_NONE, &path);
	if (r == 0 && S_ISDIR(o.mode) && path[0] == '/' &&
	    sl_fs_contains_denied(c->v, path))
		r = -EACCES;
	return r;
}

/* The entry and the name: the kernel looks the entry up first, so a
 * missing one is ENOENT even where no grant would let it go. */
static int check_names(struct sl_fs_call *c, const struct sl_resolved *res,
		       bool container, bool *exists)
{
	int r = check_entry(c, res->parentfd, res->name, exists);

	if (r < 0)
		return r;
	r = sl_fs_check_name(c->v, c->fddir, res->parentfd, res->name,
			     container);
	return r < 0 && !*exists ? -ENOENT : r;
}

static int op_unlink(struct sl_fs_call *c, unsigned flags,
		     struct sl_action *out)
{
	const struct sl_resolved *res;
	bool exists;
	int r = sl_fs_call_as_child(c);

	(void)flags;
	if (r == 0)
		r = sl_fs_call_resolve(c, 0, SL_RES_PARENT, &res);
	if (r == 0 && !res->name) /* "/" */
		r = (c->req->flags & AT_REMOVEDIR) ? -EBUSY : -EISDIR;
	if (r == 0 && !dot_or_dotdot(res->name))
		r = check_names(c, res, false, &exists);
	if (r == 0)
		r = sl_fs_call_may_wait(c, res->parentfd);
	if (r == 0)
		r = sl_fs_unlink(res->parentfd, res->name, res->trailing_slash,
				 (int)c->req->flags);
	if (r == 0)
		sl_fs_answer_value(out, 0);
	return r;
}

static int op_rename(struct sl_fs_call *c, unsigned flags,
		     struct sl_action *out)
{
	const struct sl_resolved *from, *to;
	bool exists;
	int r = sl_fs_call_as_child(c);

	(void)flags;
	if (r == 0)
		r = sl_fs_call_resolve(c, 0, SL_RES_PARENT, &from);
	if (r == 0)
		r = sl_fs_call_resolve(c, 1, SL_RES_PARENT, &to);
	if (r == 0 && (!from->name || !to->name))
		r = -EBUSY; /* "/" */
	/* Both names: the entry that moves (and the one an exchange moves
	 * back) must not be or hold anything denied, nor either name be a
	 * denied path. */
	if (r == 0 && !dot_or_dotdot(from->name) && !dot_or_dotdot(to->name)) {
		r = check_names(c, from, true, &exists);
		if (r == 0)
			r = check_names(c, to, true, &exists);
	}
	if (r == 0)
		r = sl_fs_call_may_wait(c, from->parentfd);
	if (r == 0)
		r = sl_fs_call_may_wait(c, to->parentfd);
	if (r == 0)
		r = sl_fs_rename(from->parentfd, from->name,
				 from->trailing_slash, to->parentfd, to->name,
				 to->trailing_slash, (unsigned)c->req->flags);
	if (r == 0)
		sl_fs_answer_value(out, 0);
	return r;
}

static int op_link(struct sl_fs_call *c, unsigned flags, struct sl_action *out)
{
	const struct sl_resolved *src, *to;
	int r = sl_fs_call_as_child(c);

	(void)flags;
	if (r == 0)
		r = denied_or(c, &src);
	/* Landlock refuses (EXDEV) a link through which a file would gain
	 * rights: its own place must be writable as well. */
	if (r == 0 && sl_fs_check(c->v, c->fddir, src->fd, &src->obj,
				  SL_FS_ACC_WRITE, NULL) < 0)
		r = -EXDEV;
	if (r == 0)
		r = sl_fs_call_resolve(c, 1, SL_RES_PARENT, &to);
	if (r == 0 && !to->name)
		r = -EEXIST; /* "/" */
	if (r == 0)
		r = sl_fs_check_name(c->v, c->fddir, to->parentfd, to->name,
				     false);
	if (r == 0)
		r = sl_fs_call_may_wait(c, to->parentfd);
	if (r == 0)
		r = sl_fs_link(src->fd, to->parentfd, to->name);
	if (r == 0)
		sl_fs_answer_value(out, 0);
	return r;
}

/* mkdir, mknod and symlink: a new name in a directory held open. */
static int op_create_name(struct sl_fs_call *c, unsigned flags,
			  struct sl_action *out)
{
	const struct sl_fs_req *req = c->req;
	const struct sl_resolved *res;
	bool own_umask = c->job && c->job->own_fs;
	bool exists;
	int r = sl_fs_call_as_child(c);

	(void)flags;
	if (r == 0)
		r = sl_fs_call_resolve(c, 0, SL_RES_PARENT, &res);
	if (r == 0 && (!res->name || dot_or_dotdot(res->name)))
		r = -EEXIST; /* "/", ".", ".." */
	if (r == 0)
		r = check_names(c, res, false, &exists);
	if (r == 0 && exists)
		r = -EEXIST;
	if (r == 0)
		r = sl_fs_call_may_wait(c, res->parentfd);
	if (r < 0)
		return r;
	if (own_umask)
		umask(c->creds->umask); /* the worker's own fs table */
	if (req->op == SL_FS_MKDIR)
		r = sl_fs_mkdir(res->parentfd, res->name, (mode_t)req->mode,
				c->creds->umask, own_umask);
	else if (req->op == SL_FS_MKNOD)
		r = sl_fs_mknod(res->parentfd, res->name, (mode_t)req->mode,
				(dev_t)req->x[0], c->creds->umask, own_umask);
	else
		r = sl_fs_symlink(req->target, res->parentfd, res->name);
	if (r == 0)
		sl_fs_answer_value(out, 0);
	return r;
}

static int op_truncate(struct sl_fs_call *c, unsigned flags,
		       struct sl_action *out)
{
	const struct sl_resolved *res;
	int lr = 0, r = sl_fs_call_as_child(c);

	(void)flags;
	if (r == 0)
		r = sl_fs_call_resolve(c, 0, SL_RES_FOLLOW, &res);
	if (r == 0)
		r = sl_fs_check(c->v, c->fddir, res->fd, &res->obj,
				SL_FS_ACC_WRITE, NULL);
	if (r == 0 && res->kind == SL_FSK_SLOW && c->nonblock)
		r = -EAGAIN;
	if (r == 0) {
		do
			r = sl_fs_truncate(c->fddir, res->fd, &res->obj,
					   c->req->x[0], true);
		while (r == -EAGAIN && (lr = lease_wait(c)) == 0);
		if (r == -EAGAIN)
			r = lr;
	}
	if (r == 0)
		sl_fs_answer_value(out, 0);
	return r;
}

/* ---- dispatch ------------------------------------------------------------- */

/* An openat2 relative to a directory fd (openat is not even notified
 * then): the kernel resolves it under Landlock, which the view has not
 * given /proc (the only thing served here when nothing is denied). One
 * byte of the path tells a relative path; a racing write to it is
 * harmless, CONTINUE being the kernel's decision anyway. */
static bool relative_to_dirfd(const struct sl_notif *n)
{
	const __u64 *a = n->req->data.args;
	char first = '/';

	if (n->req->data.nr != __NR_openat2)
		return false;
	if ((int)a[0] == AT_FDCWD)
		return false;
	return sl_notif_read(n, a[1], &first, 1) == 0 && first != '/' &&
	       first != '\0';
}

/* Without fs_deny, a call that changes names (or truncates) is the
 * kernel's unless one of the directories it changes (or the object) is
 * served here: around a copy-on-write workdir, the ruleset could give no
 * rights to what was created on the way to it after the ruleset. */
static int op_names_served(struct sl_fs_call *c, unsigned flags,
			   struct sl_action *out)
{
	bool served = false;
	int r = 0;

	for (unsigned i = 0; r == 0 && !served && i < c->req->nargs; i++) {
		const struct sl_resolved *res;
		bool obj = c->req->op == SL_FS_TRUNCATE ||
			   (c->req->op == SL_FS_LINK && i == 0);

		r = sl_fs_call_resolve(c, i,
				       obj ? SL_RES_FOLLOW | SL_RES_KERNEL :
					     SL_RES_PARENT | SL_RES_KERNEL,
				       &res);
		if (r == 0 && obj) {
			served = sl_fs_served(c->v, c->fddir, res);
		} else if (r == 0 && res->parentfd >= 0) {
			struct sl_resolved dir = { .fd = res->parentfd };

			served = sl_resolved_stat(&dir) == 0 &&
				 sl_fs_served_dir(c->v, c->fddir, &dir);
		}
	}
	if (r == -EAGAIN)
		return r; /* not in the dentry cache: in a worker */
	if (!served) {
		sl_fs_answer_continue(out); /* the kernel's error too */
		return 0;
	}
	switch (c->req->op) {
	case SL_FS_UNLINK:
		return op_unlink(c, flags, out);
	case SL_FS_RENAME:
		return op_rename(c, flags, out);
	case SL_FS_LINK:
		return op_link(c, flags, out);
	case SL_FS_TRUNCATE:
		return op_truncate(c, flags, out);
	default:
		return op_create_name(c, flags, out);
	}
}

static bool fsdeny_active(const struct sl_policy *p);
static bool grant_reaches(const struct sl_strv *grants);

/* The operation for req, or NULL when the module has nothing to say. */
static sl_fs_op_fn op_of(const struct sl_fs_req *req, unsigned flags)
{
	if ((flags & KERNEL_ENFORCED) && req->op != SL_FS_OPEN &&
	    req->op != SL_FS_EXEC)
		return op_names_served;
	switch (req->op) {
	case SL_FS_OPEN:
		return op_open;
	case SL_FS_EXEC:
		return op_exec;
	case SL_FS_UNLINK:
		return op_unlink;
	case SL_FS_RENAME:
		return op_rename;
	case SL_FS_LINK:
		return op_link;
	case SL_FS_TRUNCATE:
		return op_truncate;
	case SL_FS_MKDIR:
	case SL_FS_MKNOD:
	case SL_FS_SYMLINK:
		return op_create_name;
	default:
		return NULL;
	}
}

static unsigned flags_of(const struct sl_policy *p)
{
	return p->fs_deny.n == 0 ? KERNEL_ENFORCED : 0;
}

int sl_fsdeny_decide(struct sl_fs_call *c, struct sl_action *out)
{
	unsigned flags = flags_of(c->v->p);
	sl_fs_op_fn fn;

	if (!fsdeny_active(c->v->p))
		return 0;
	switch (c->req->op) {
	case SL_FS_OPEN:
	case SL_FS_EXEC:
	case SL_FS_UNLINK:
	case SL_FS_RENAME:
	case SL_FS_LINK:
	case SL_FS_TRUNCATE:
	case SL_FS_MKDIR:
	case SL_FS_MKNOD:
	case SL_FS_SYMLINK:
		fn = op_of(c->req, flags);
		return fn ? fn(c, flags, out) : 0;
	default:
		return 0;
	}
}

int sl_fsdeny_perform(struct sl_fs_call *c, struct sl_action *out)
{
	sl_fs_op_fn fn = op_of(c->req, 0);

	return fn ? fn(c, 0, out) : 0;
}

/* With fs_deny, does the kernel refuse every denied object, by whatever
 * name a racing thread makes it look up? The child's ruleset left every
 * entry out of the grants (each existed when it was built: a name created
 * later would be granted), and no denied file has another name that
 * Landlock grants (a hard link or a mount from before the run;
 * sl_fs_view_deny_aliased: the sandbox cannot make either). Decided at
 * the first open or exec of the run. A copy-on-write run's opens are its
 * interception's. */
static bool kernel_refuses_denied(struct fsdeny *s)
{
	int k = atomic_load(&s->refuses);

	if (k < 0) {
		k = !s->v->p->workdir && s->v->built && s->v->built->whole &&
		    !sl_fs_view_deny_aliased(s->v);
		atomic_store(&s->refuses, k);
	}
	return k;
}

static int fsdeny_handle(void *state, const struct sl_notif *n,
			 struct sl_action *out)
{
	struct fsdeny *s = state;
	const struct sl_fs_req *req;
	unsigned flags = s->flags;
	bool live = atomic_load(&s->v->live_denials) > 0;
	sl_fs_op_fn fn;

	if ((flags & LIVE_ONLY) && !live)
		return 0;
	if (live) /* everything is checked on behalf now */
		flags &= ~(unsigned)KERNEL_ENFORCED;
	if (sl_creds_invalidating(n->req->data.nr)) {
		/* before the kernel changes them; exec is checked too */
		sl_creds_invalidate(s->v->creds, n);
		if ((n->req->data.nr != __NR_execve &&
		     n->req->data.nr != __NR_execveat) ||
		    (flags & KERNEL_ENFORCED))
			return 0;
		/* Landlock refuses a denied binary by any name */
		if (!live && kernel_refuses_denied(s))
			return 0;
	}
	if ((flags & KERNEL_ENFORCED) && !s->v->p->workdir &&
	    relative_to_dirfd(n))
		return 0;
	/* Around a copy-on-write workdir whose grants needed no expansion,
	 * nothing is served here. */
	if ((flags & KERNEL_ENFORCED) && !s->proc && !sl_fs_view_expands(s->v))
		return 0;
	req = sl_fs_req_get(n);
	if (!req)
		return -ENOMEM;
	if (req->settled)
		return 0;
	if (req->op == SL_FS_OPEN && !(flags & KERNEL_ENFORCED) && !live &&
	    kernel_refuses_denied(s))
		flags |= OPENS_TO_KERNEL;
	fn = op_of(req, flags);
	return fn ? sl_fs_run_creds(s->v, n, fn, flags, live ? s->fresh : NULL,
				    out) :
		    0;
}

/* ---- activation -------------------------------------------------------------- */

/* Does a grant reach /proc or a sensitive entry (contain it or lie in
 * it, as given or resolved)? Then /proc is served here, not granted by
 * Landlock, and the directories on the way to the sensitive /sys entries
 * Landlock leaves out are listed here. */
static bool grant_reaches(const struct sl_strv *grants)
{
	for (size_t i = 0; i < grants->n; i++) {
		_cleanup_(freep) char *real = realpath(grants->v[i], NULL);

		if (sl_path_reaches_proc(grants->v[i]) ||
		    sl_path_reaches_sensitive(grants->v[i]) ||
		    (real && (sl_path_reaches_proc(real) ||
			      sl_path_reaches_sensitive(real))))
			return true;
	}
	return false;
}

static bool statically_active(const struct sl_policy *p)
{
	return p->fs_deny.n > 0 || p->workdir || grant_reaches(&p->fs_read) ||
	       grant_reaches(&p->fs_write) || p->grants_reach_kernel_mounts;
}

static bool fsdeny_active(const struct sl_policy *p)
{
	/* Under chroot the chroot handlers match denials on virtual paths. */
	if (p->chroot)
		return false;
	/* a policy callback may deny paths at run time; (a copy-on-write
	 * workdir: what the ruleset built around it could not give rights
	 * to is served here) */
	return statically_active(p) || p->cb;
}

static void fsdeny_syscalls(const struct sl_policy *p, struct sl_nrset *set)
{
	static const int others[] = {
		SCMP_SYS(execve),  SCMP_SYS(execveat),	SCMP_SYS(linkat),
		SCMP_SYS(link),	   SCMP_SYS(renameat2), SCMP_SYS(renameat),
		SCMP_SYS(rename),  SCMP_SYS(truncate),	SCMP_SYS(unlinkat),
		SCMP_SYS(unlink),  SCMP_SYS(rmdir),	SCMP_SYS(mkdir),
		SCMP_SYS(mkdirat), SCMP_SYS(mknod),	SCMP_SYS(mknodat),
		SCMP_SYS(symlink), SCMP_SYS(symlinkat),
	};

	if (p->cb) {
		/* Denials at run time: every open and every call that names
		 * an entry (notified for the callback anyway). */
		sl_open_family_add(set);
		sl_nrset_add_sys(set, creat);
		for (size_t i = 0; i < SL_ARRAY_SIZE(others); i++)
			sl_nrset_add(set, others[i]);
		if (!statically_active(p))
			return;
	}
	/* opens are performed on behalf, with cached credentials */
	sl_creds_invalidating_syscalls(set);
	sl_nrset_add_sys(set, creat);
	if (p->fs_deny.n == 0 && p->workdir) {
		/* around a copy-on-write workdir, names and opens of what
		 * the ruleset could not give rights to */
		sl_open_family_add(set);
		for (size_t i = 0; i < SL_ARRAY_SIZE(others); i++)
			if (others[i] != SCMP_SYS(execve) &&
			    others[i] != SCMP_SYS(execveat))
				sl_nrset_add(set, others[i]);
		return;
	}
	if (p->fs_deny.n == 0) {
		/* Only /proc is served: reached by opens alone, and not
		 * relative to a directory fd (the kernel, which was not
		 * given /proc, decides those). */
		sl_nrset_add_sys(set, open);
		sl_nrset_add_sys(set, openat2);
		sl_nrset_add_at_cwd(set, SCMP_SYS(openat));
		return;
	}
	sl_open_family_add(set);
	for (size_t i = 0; i < SL_ARRAY_SIZE(others); i++)
		sl_nrset_add(set, others[i]);
}

static void fsdeny_fini(void *state)
{
	struct fsdeny *s = state;

	if (s)
		sl_creds_cache_free(s->fresh);
	free(s);
}

static int fsdeny_init(struct sl_supervisor *sv, const struct sl_policy *p,
		       void **state)
{
	struct fsdeny *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->v = sl_fs_view_of(sv);
	if (!s->v) {
		free(s);
		return sl_supervisor_init_error(sv, EINVAL,
						"fs_deny: no filesystem view");
	}
	s->flags = flags_of(p);
	atomic_init(&s->refuses, -1);
	s->proc = grant_reaches(&p->fs_read) || grant_reaches(&p->fs_write);
	if (!statically_active(p))
		s->flags |= LIVE_ONLY;
	if (p->cb && p->fs_deny.n == 0 &&
	    sl_creds_cache_new(SL_CREDS_FRESH, &s->fresh) < 0) {
		free(s);
		return -ENOMEM;
	}
	*state = s;
	return 0;
}

const struct sl_handler_module sl_module_fsdeny = {
	.name = "fsdeny",
	.active = fsdeny_active,
	.syscalls = fsdeny_syscalls,
	.init = fsdeny_init,
	.handle = fsdeny_handle,
	.fini = fsdeny_fini,
};
