/*
 * Metadata in the copy-on-write workdir (docs/behaviour.md 9.3): stat, access,
 * readlink and extended attributes read from the side of the merged view
 * that serves the path; chmod, chown, utimes, xattr writes and truncate
 * applied to the upper copy (copied up first), whether the call names a
 * path or an open descriptor of the workdir. A descriptor opened before
 * its file was copied up keeps showing the workdir's file (docs/cow.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fs/kcompat.h"
#include "fs/ops.h"
#include "handlers/cow.h"
#include "handlers/fsmeta.h"
#include "handlers/fsview.h"
#include "supervisor/notif.h"
#include "util/cleanup.h"

#define SL_COW_XATTR_LIST_MAX 65536 /* the kernel's XATTR_LIST_MAX */

/* Locate path argument 0 for a call that reads: NULL when the call is
 * the kernel's (not in the branch, or the kernel's walk lands on the
 * same untouched file); else the located object, or an error. */
static int read_target(struct sl_fs_call *c, struct cow_loc *l)
{
	int r;

	if (!c->req->a[0].named)
		return 0; /* the descriptor itself: the kernel's */
	r = sl_fs_call_as_child(c);
	if (r == 0)
		r = cow_locate(c, 0, c->req->a[0].follow ? SL_RES_FOLLOW : 0,
			       l);
	if (r < 0 || (!l->in && !l->foreign))
		return r;
	cow_settle(c);
	if (l->err < 0)
		return l->err;
	if (l->foreign) {
		r = sl_fs_check(c->v, c->fddir, l->res->fd, &l->res->obj,
				SL_FS_ACC_NONE, NULL);
		return r < 0 ? r : 1;
	}
	if (cow_kernel_agrees(c, l))
		return 0;
	return 1;
}

int cow_op_stat(struct sl_fs_call *c, unsigned flags, struct sl_action *out)
{
	const __u64 *a = c->n->req->data.args;
	struct cow_loc l = { 0 };
	int r = read_target(c, &l);

	(void)flags;
	if (r <= 0)
		goto out;
	if (c->req->nr == __NR_statx) {
		struct statx stx;
		int sync = (int)a[2] & AT_STATX_SYNC_TYPE;

		r = statx(l.res->fd, "",
			  AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | sync,
			  (unsigned)a[3], &stx) < 0 ?
			    -errno :
			    sl_notif_write(c->n, a[4], &stx, sizeof(stx));
	} else {
		struct stat st;
		uint64_t buf = c->req->nr == __NR_newfstatat ? a[2] : a[1];

		r = fstatat(l.res->fd, "", &st,
			    AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0 ?
			    -errno :
			    sl_notif_write(c->n, buf, &st, sizeof(st));
	}
	if (r == 0)
		sl_fs_answer_value(out, 0);
out:
	cow_loc_free(&l);
	return r < 0 ? r : 0;
}

int cow_op_access(struct sl_fs_call *c, unsigned flags, struct sl_action *out)
{
	struct cow_loc l = { 0 };
	int r = read_target(c, &l);

	(void)flags;
	if (r > 0) {
		int mode = (int)c->req->mode;

		r = mode & ~(R_OK | W_OK | X_OK) ? -EINVAL :
		    mode == F_OK		 ? 0 :
		    faccessat(l.res->fd, "", mode, AT_EMPTY_PATH | AT_EACCESS) <
				    0 ?
				   -errno :
				   0;
		if (r == 0)
			sl_fs_answer_value(out, 0);
	}
	cow_loc_free(&l);
	return r < 0 ? r : 0;
}

int cow_op_readlink(struct sl_fs_call *c, unsigned flags, struct sl_action *out)
{
	const __u64 *a = c->n->req->data.args;
	bool at = c->req->nr == __NR_readlinkat;
	uint64_t buf = at ? a[2] : a[1];
	int64_t size = (int64_t)(at ? a[3] : a[2]);
	struct cow_loc l = { 0 };
	char target[4096];
	ssize_t n;
	int r = read_target(c, &l);

	(void)flags;
	if (r > 0 && (int32_t)size <= 0)
		r = -EINVAL;
	if (r > 0) {
		n = readlinkat(l.res->fd, "", target, sizeof(target));
		if (n < 0)
			r = -errno;
		else if (n > size)
			n = size; /* truncated, as the kernel does */
		if (n >= 0)
			r = sl_notif_write(c->n, buf, target, (size_t)n);
		if (r == 0)
			sl_fs_answer_value(out, n);
	}
	cow_loc_free(&l);
	return r < 0 ? r : 0;
}

int cow_op_getxattr(struct sl_fs_call *c, unsigned flags, struct sl_action *out)
{
	const struct sl_fs_req *req = c->req;
	bool list = req->op == SL_FS_LISTXATTR;
	size_t size = (size_t)req->x[2];
	_cleanup_(freep) char *value = NULL;
	char name[XATTR_NAME_MAX + 1], link[40];
	struct cow_loc l = { 0 };
	ssize_t n;
	int r = read_target(c, &l);

	(void)flags;
	if (r <= 0)
		goto out;
	if (!list &&
	    sl_notif_read_str(c->n, req->x[0], name, sizeof(name), NULL) < 0) {
		r = -ERANGE;
		goto out;
	}
	if (size > (list ? SL_COW_XATTR_LIST_MAX : XATTR_SIZE_MAX))
		size = list ? SL_COW_XATTR_LIST_MAX : XATTR_SIZE_MAX;
	value = size ? malloc(size) : NULL;
	if (size && !value) {
		r = -ENOMEM;
		goto out;
	}
	if (S_ISLNK(l.res->obj.mode)) {
		n = list ? 0 : -ENODATA; /* (no xattr of ours on a symlink) */
	} else {
		/* the magic link lands on the object held */
		sl_fd_magic(l.res->fd, link, sizeof(link));
		n = list ? listxattr(link, value, size) :
			   getxattr(link, name, value, size);
		if (n < 0)
			n = -errno;
	}
	r = n < 0 ? (int)n : 0;
	if (r == 0 && size && n > 0)
		r = sl_notif_write(c->n, req->x[1], value, (size_t)n);
	if (r == 0)
		sl_fs_answer_value(out, n);
out:
	cow_loc_free(&l);
	return r < 0 ? r : 0;
}

/* ---- writes ----------------------------------------------------------------- */

/* The upper copy of rel (copied up first), O_PATH. */
static int upper_copy(struct sl_fs_call *c, const char *rel, bool big)
{
	struct cow *s = cow_of(c);
	int r;

	if (c->nonblock && big)
		return -EAGAIN;
	r = sl_cow_quota_check(s->b, false);
	if (r < 0)
		return r;
	cow_mark(s);
	r = sl_cow_copy_up(s->b, rel);
	if (r == SL_COW_UP_EMPTY)
		return -ENOENT;
	if (r < 0)
		return r;
	return sl_cow_upper_open(s->b, rel, O_PATH);
}

static bool big_file(int fd)
{
	struct stat st;

	return fstat(fd, &st) < 0 ||
	       (S_ISREG(st.st_mode) && st.st_size > SL_COW_LOOP_COPY_MAX);
}

/* The descriptor a metadata call acts on (fchmod, fsetxattr, utimensat
 * with a NULL path, *at with AT_EMPTY_PATH): the child's, taken. */
static int child_object(struct sl_fs_call *c, int *owned)
{
	const struct sl_fs_req *req = c->req;
	int child = req->nargs ? req->a[0].dirfd : req->fd;
	int fd, fl;

	if (req->nargs && req->based && req->base[0] >= 0) {
		fd = req->base[0]; /* taken already (the request's) */
	} else {
		fd = sl_fs_call_getfd(c, child);
		*owned = fd;
	}
	if (fd < 0)
		return fd;
	/* an open file: an O_PATH fd does not do for the f- calls */
	if (req->nargs == 0 || req->a[0].null) {
		fl = sl_fs_call_fd_flags(c, child, fd);
		if (fl < 0 || (fl & O_PATH))
			return -EBADF;
	}
	return fd;
}

int cow_op_meta(struct sl_fs_call *c, unsigned flags, struct sl_action *out)
{
	const struct sl_fs_req *req = c->req;
	struct cow *s = cow_of(c);
	_cleanup_(closep) int owned = -1;
	_cleanup_(closep) int copy = -1;
	_cleanup_(freep) char *fdrel = NULL;
	struct cow_loc l = { 0 };
	struct sl_fs_meta m;
	struct sl_fs_obj o;
	const char *rel = NULL;
	int fd = -1, side = SL_COW_ABSENT;
	bool upper = false;
	int r;

	(void)flags;
	r = sl_fs_meta_read(c->n, req, &m);
	if (r < 0)
		return r;
	if (req->nargs == 0 || !req->a[0].named) {
		/* taken as the supervisor (see fsmeta.c), then acted on as
		 * the child */
		fd = child_object(c, &owned);
		if (fd < 0) {
			r = fd == -EBADF ? 0 : fd; /* the kernel's EBADF */
			goto out;
		}
		r = cow_rel_of_fd(s, fd, &fdrel, &upper);
		if (r <= 0) {
			r = r < 0 ? r : cow_pass(c, out);
			goto out;
		}
		r = sl_fs_call_as_child_consulting(c, sl_fs_meta_consulted(req,
									   &m));
		if (r < 0)
			goto out;
		rel = fdrel;
		side = upper ? SL_COW_UPPER : SL_COW_LOWER;
		r = sl_fs_obj_of(fd, &o);
	} else {
		r = sl_fs_call_as_child(c);
		if (r == 0)
			r = cow_locate(
				c, 0, req->a[0].follow ? SL_RES_FOLLOW : 0, &l);
		if (r == 0 && !l.in)
			r = l.foreign ? cow_foreign(c, out) : cow_pass(c, out);
		if (r < 0 || !l.in)
			goto out;
		r = l.err < 0 ? l.err : l.rel ? 0 : -EBUSY;
		rel = l.rel;
		side = l.side;
		fd = l.res->fd;
		o = l.res->obj;
	}
	cow_settle(c);
	if (r == 0)
		r = cow_check(c, rel, side == SL_COW_LOWER ? fd : -1, &o,
			      SL_FS_ACC_NONE, false);
	if (r == 0 && side != SL_COW_UPPER)
		r = sl_fs_call_as_child(c); /* a copy-up creates */
	if (r == 0 && side != SL_COW_UPPER) {
		copy = upper_copy(c, rel,
				  S_ISDIR(o.mode) ? false : big_file(fd));
		r = copy < 0 ? copy : sl_fs_obj_of(copy, &o);
		fd = copy;
	}
	if (r == 0)
		r = sl_fs_meta_apply(req, fd, &o, &m);
	if (r == 0)
		sl_fs_answer_value(out, 0);
out:
	sl_fs_meta_free(&m);
	cow_loc_free(&l);
	return r;
}

int cow_op_truncate(struct sl_fs_call *c, unsigned flags, struct sl_action *out)
{
	struct cow *s = cow_of(c);
	uint64_t len = c->req->x[0];
	struct cow_loc l = { 0 };
	_cleanup_(closep) int fd = -1;
	int r = sl_fs_call_as_child(c);

	(void)flags;
	if (r == 0)
		r = cow_locate(c, 0, SL_RES_FOLLOW, &l);
	if (r == 0 && !l.in)
		r = l.foreign ? cow_foreign(c, out) : cow_pass(c, out);
	if (r < 0 || !l.in)
		goto out;
	cow_settle(c);
	r = l.err < 0 ? l.err : l.rel ? 0 : -EISDIR;
	if (r == 0 && S_ISDIR(l.res->obj.mode))
		r = -EISDIR;
	else if (r == 0 && !S_ISREG(l.res->obj.mode))
		r = -EINVAL;
	else if (r == 0 && (int64_t)len < 0)
		r = -EINVAL;
	if (r == 0)
		r = cow_check(c, l.rel, l.side == SL_COW_LOWER ? l.res->fd : -1,
			      &l.res->obj, SL_FS_ACC_NONE, false);
	if (r == 0 && l.side == SL_COW_UPPER) {
		r = sl_cow_quota_check(s->b, false);
		if (r == 0)
			r = sl_fs_truncate(c->fddir, l.res->fd, &l.res->obj,
					   len, false);
	} else if (r == 0) {
		r = cow_access(l.res->fd, W_OK);
		if (r == 0 && len > 0 && c->nonblock && big_file(l.res->fd))
			r = -EAGAIN;
		if (r == 0)
			r = sl_cow_quota_check(s->b, false);
		if (r == 0) {
			cow_mark(s);
			r = len ? sl_cow_copy_up(s->b, l.rel) :
				  sl_cow_copy_up_empty(s->b, l.rel);
			r = r == SL_COW_UP_EMPTY ? -ENOENT : r < 0 ? r : 0;
		}
		if (r == 0) {
			fd = sl_cow_upper_open(s->b, l.rel, O_WRONLY);
			r = fd < 0			  ? fd :
			    ftruncate(fd, (off_t)len) < 0 ? -errno :
							    0;
		}
	}
	if (r == 0)
		sl_fs_answer_value(out, 0);
out:
	cow_loc_free(&l);
	return r;
}
