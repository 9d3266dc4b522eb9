/*
 * Opens in the copy-on-write workdir (docs/behaviour.md 9.3).
 *
 * An open that writes (write access, O_CREAT, O_TRUNC, O_APPEND,
 * O_TMPFILE) never reaches the workdir: the file is copied up (or created)
 * in the upper and the upper file, opened by the supervisor with the
 * child's flags and credentials, is installed in the child. A read of
 * something staged is served the same way; a read of an untouched file of
 * the workdir goes to the kernel when the kernel's walk lands on it too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/ops.h"
#include "handlers/cow.h"
#include "handlers/fsview.h"
#include "handlers/opentarget.h"
#include "supervisor/worker.h"
#include "util/cleanup.h"

#define SL_COW_CREATE_RETRIES 3

static int answer_fd(struct sl_action *out, int fd, uint64_t flags)
{
	if (fd < 0)
		return fd;
	sl_open_answer_fd(out, fd, flags);
	return 0;
}

/* The object held by fd opened with the child's flags. O_PATH cannot be
 * installed by seccomp: a plain read-only descriptor stands for it. */
static int open_held(struct sl_fs_call *c, int fd, const struct sl_fs_obj *o,
		     uint64_t fl)
{
	if (fl & O_PATH)
		fl = O_RDONLY | (fl & (O_CLOEXEC | O_DIRECTORY)) |
		     (S_ISDIR(o->mode) ? O_DIRECTORY : 0);
	return sl_fs_open_object(c->fddir, fd, fl & ~(uint64_t)O_TRUNC,
				 c->nonblock && S_ISREG(o->mode));
}

/* Create rel afresh in the upper with the child's flags and mode (res:
 * the resolution that found rel missing, NULL when there is none). */
static int create_upper(struct sl_fs_call *c, const char *rel,
			const struct sl_resolved *res, struct sl_action *out)
{
	struct cow *s = cow_of(c);
	bool own_umask = c->job && c->job->own_fs;
	const char *name;
	_cleanup_(closep) int parent = -1;
	int fd, r = sl_cow_quota_check(s->b, false);

	if (r < 0)
		return r;
	cow_mark(s);
	if (res && res->layered && res->parent_side == SL_COW_UPPER &&
	    res->parentfd >= 0 && res->name) {
		/* the walk holds the upper directory already */
		parent = fcntl(res->parentfd, F_DUPFD_CLOEXEC, 0);
		name = res->name;
	} else {
		parent = sl_cow_upper_parent(s->b, rel, true, &name);
	}
	if (parent < 0)
		return parent < -1 ? parent : -errno;
	if (own_umask)
		umask(c->creds->umask);
	fd = sl_fs_create(parent, name, c->req->flags & ~(uint64_t)O_NOFOLLOW,
			  (mode_t)c->req->mode, c->creds->umask, own_umask,
			  false);
	return answer_fd(out, fd, c->req->flags);
}

/* O_TMPFILE in a directory of the merged view: an unnamed file in its
 * upper copy. */
static int open_tmpfile(struct sl_fs_call *c, const struct cow_loc *l,
			struct sl_action *out)
{
	struct cow *s = cow_of(c);
	bool own_umask = c->job && c->job->own_fs;
	_cleanup_(closep) int dir = -1;
	int fd, r;

	if (l->err < 0)
		return l->err;
	if (!S_ISDIR(l->res->obj.mode))
		return -ENOTDIR;
	r = sl_cow_quota_check(s->b, false);
	if (r < 0)
		return r;
	cow_mark(s);
	r = *l->rel ? sl_cow_copy_up(s->b, l->rel) : 0;
	if (r < 0)
		return r;
	dir = sl_cow_upper_open(s->b, l->rel, O_PATH | O_DIRECTORY);
	if (dir < 0)
		return dir;
	if (own_umask)
		umask(c->creds->umask);
	fd = sl_fs_create(dir, NULL, c->req->flags, (mode_t)c->req->mode,
			  c->creds->umask, own_umask, false);
	return answer_fd(out, fd, c->req->flags);
}

/* A regular file big enough to copy in a worker (or one on a filesystem
 * that may wait). */
static bool copy_waits(const struct sl_fs_call *c, const struct cow_loc *l)
{
	struct stat st;

	if (!c->nonblock || !S_ISREG(l->res->obj.mode))
		return false;
	return l->res->kind == SL_FSK_SLOW || fstat(l->res->fd, &st) < 0 ||
	       st.st_size > SL_COW_LOOP_COPY_MAX;
}

/* An existing entry opened for writing: copied up, the copy opened. */
static int open_write(struct sl_fs_call *c, const struct cow_loc *l,
		      struct sl_action *out)
{
	struct cow *s = cow_of(c);
	uint64_t fl = c->req->flags;
	_cleanup_(closep) int parent = -1;
	const char *name;
	int fd, r;

	if (l->side == SL_COW_UPPER) {
		/* staged already: the very object resolved */
		r = sl_cow_quota_check(s->b, false);
		if (r < 0)
			return r;
		fd = sl_fs_open_object(c->fddir, l->res->fd, fl, false);
		return answer_fd(out, fd, fl);
	}
	/* the child may write it at all (the copy would be its own) */
	r = cow_access(l->res->fd, W_OK);
	if (r == 0)
		r = sl_cow_quota_check(s->b, false);
	if (r < 0)
		return r;
	if (copy_waits(c, l))
		return -EAGAIN;
	cow_mark(s);
	r = (fl & O_TRUNC) ? sl_cow_copy_up_empty(s->b, l->rel) :
			     sl_cow_copy_up(s->b, l->rel);
	if (r < 0)
		return r;
	if (r == SL_COW_UP_EMPTY) /* gone meanwhile */
		return (fl & O_CREAT) ? create_upper(c, l->rel, NULL, out) :
					-ENOENT;
	parent = sl_cow_upper_parent(s->b, l->rel, false, &name);
	if (parent < 0)
		return parent;
	fd = openat(parent, name,
		    (int)(fl & ~(uint64_t)(O_CREAT | O_EXCL)) | O_NOFOLLOW |
			    O_NOCTTY | O_CLOEXEC);
	return answer_fd(out, fd < 0 ? -errno : fd, fl);
}

/* A directory opened for reading: the workdir's own when it has one (its
 * listing is merged, cow_dir.c), else the upper's. */
static int open_dir(struct sl_fs_call *c, const struct cow_loc *l,
		    struct sl_action *out)
{
	struct cow *s = cow_of(c);
	struct stat lst;
	int fd = -1, r;

	if (cow_kernel_agrees(c, l) && !s->denials)
		return 0; /* CONTINUE */
	if (l->side == SL_COW_UPPER && !sl_cow_covered(s->b, l->rel) &&
	    sl_cow_lower_stat(s->b, l->rel, &lst) == 0 &&
	    S_ISDIR(lst.st_mode)) {
		fd = sl_cow_lower_open(s->b, l->rel, O_PATH | O_DIRECTORY);
		if (fd < 0)
			return fd;
		r = open_held(c, fd, &l->res->obj, c->req->flags);
		close(fd);
		return answer_fd(out, r, c->req->flags);
	}
	return answer_fd(out,
			 open_held(c, l->res->fd, &l->res->obj, c->req->flags),
			 c->req->flags);
}

int cow_op_open(struct sl_fs_call *c, unsigned flags, struct sl_action *out)
{
	uint64_t fl = c->req->flags;
	bool tmp = (fl & __O_TMPFILE) == __O_TMPFILE;
	bool w = cow_open_writes(fl);
	unsigned how = (c->req->a[0].follow ? SL_RES_FOLLOW : 0) |
		       ((fl & O_CREAT) ? SL_RES_MISSING_OK : 0);
	int r = sl_fs_call_as_child(c);

	(void)flags;
	if (tmp)
		how = SL_RES_FOLLOW;
	/* A file created by someone else between our lookup and our create
	 * sends us back to the lookup. */
	r = r < 0 ? r : -EEXIST;
	for (int i = 0; i < SL_COW_CREATE_RETRIES && r == -EEXIST; i++) {
		struct cow_loc l = { 0 };

		r = cow_locate(c, 0, how | (i ? SL_RES_AGAIN : 0), &l);
		if (r < 0 || (!l.in && !l.foreign)) {
			cow_loc_free(&l);
			return r < 0 ? r : cow_pass(c, out);
		}
		if (l.foreign) {
			r = cow_foreign(c, out);
			cow_loc_free(&l);
			return r;
		}
		cow_settle(c);
		if (!l.rel) {
			r = l.err < 0 ? l.err : -EISDIR;
		} else if (l.err < 0 && l.err != -ENOENT) {
			r = l.err;
		} else if ((r = cow_check(c, l.rel,
					  l.err == 0 && l.side == SL_COW_LOWER ?
						  l.res->fd :
						  -1,
					  &l.res->obj,
					  w ? SL_FS_ACC_NONE : SL_FS_ACC_READ,
					  false)) < 0) {
			;
		} else if (sl_fs_call_gate(c, out)) {
			r = 0; /* the policy gate approves first */
		} else if (tmp) {
			r = open_tmpfile(c, &l, out);
		} else if (l.err == -ENOENT) {
			if (!(fl & O_CREAT) || !l.res->name)
				r = -ENOENT;
			else if (l.res->trailing_slash)
				r = -EISDIR;
			else
				r = create_upper(c, l.rel, l.res, out);
		} else if ((fl & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) {
			r = -EEXIST;
		} else if (S_ISLNK(l.res->obj.mode) && (fl & O_PATH)) {
			/* a descriptor of the link itself cannot be installed
			 * (seccomp takes no O_PATH file): as for the calls
			 * that do not support links (lchmod) */
			r = cow_kernel_agrees(c, &l) ? 0 : -EOPNOTSUPP;
		} else if (S_ISLNK(l.res->obj.mode)) {
			r = -ELOOP; /* O_NOFOLLOW */
		} else if (S_ISDIR(l.res->obj.mode)) {
			r = w ? -EISDIR : open_dir(c, &l, out);
		} else if ((fl & O_DIRECTORY) && !(fl & O_PATH)) {
			r = -ENOTDIR;
		} else if (w) {
			r = open_write(c, &l, out);
		} else if (cow_kernel_agrees(c, &l) && !cow_of(c)->denials) {
			r = 0; /* CONTINUE: the kernel opens the same file */
		} else {
			r = answer_fd(out,
				      open_held(c, l.res->fd, &l.res->obj, fl),
				      fl);
		}
		cow_loc_free(&l);
		if (fl & O_EXCL)
			break;
	}
	return r;
}
