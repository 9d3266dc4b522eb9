/*
 * Calls that create, remove or move names in the copy-on-write workdir
 * (docs/behaviour.md 9.3): mkdir, mknod, symlink, unlink, rmdir, rename (plain
 * renameat too), link. Each is checked against the merged view as the
 * kernel checks the real tree (existence, types, emptiness) and staged in
 * the upper: a removal is a whiteout, a rename copies the source's tree up
 * and renames inside the upper. A rename or link between the workdir and
 * elsewhere is EXDEV (programs copy instead, as across filesystems).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs/ops.h"
#include "handlers/cow.h"
#include "handlers/fsview.h"
#include "util/cleanup.h"

static bool exists(int side)
{
	return side == SL_COW_UPPER || side == SL_COW_LOWER;
}

/* The merged type of rel (0 when absent or deleted). */
static mode_t type_of(struct cow *s, const char *rel)
{
	struct stat st;
	int side = sl_cow_resolve(s->b, rel, &st);

	return exists(side) ? st.st_mode & S_IFMT : 0;
}

/* Is directory rel empty in the merged view? */
static int merged_empty(struct cow *s, const char *rel)
{
	struct sl_cow_dirents d;
	int r = sl_cow_list(s->b, rel, &d);

	if (r < 0)
		return r;
	r = d.n == 0 ? 1 : 0;
	sl_cow_dirents_free(&d);
	return r;
}

/* A name argument located: in the branch, a name (not "." or ".."). */
static int name_arg(struct sl_fs_call *c, unsigned i, struct cow_loc *l)
{
	int r = cow_locate(c, i, SL_RES_PARENT, l);

	if (r < 0)
		return r;
	return l->err;
}

/* The one name of mkdir, mknod, symlink, unlink, rmdir: 1 with l in the
 * branch (the call settled here), else the call's answer (out). */
static int one_name(struct sl_fs_call *c, struct cow_loc *l,
		    struct sl_action *out)
{
	int r = sl_fs_call_as_child(c);

	if (r == 0)
		r = name_arg(c, 0, l);
	if (r < 0 || !l->in) {
		if (r == 0)
			r = l->foreign ? cow_foreign(c, out) : cow_pass(c, out);
		cow_loc_free(l);
		return r;
	}
	cow_settle(c);
	return 1;
}

/* ---- mkdir, mknod, symlink ------------------------------------------------ */

int cow_op_mkdir(struct sl_fs_call *c, unsigned flags, struct sl_action *out)
{
	struct cow *s = cow_of(c);
	const struct sl_fs_req *req = c->req;
	mode_t mode = (mode_t)req->mode & 07777 & ~c->creds->umask;
	mode_t type = (mode_t)req->mode & S_IFMT;
	struct cow_loc l = { 0 };
	int r = one_name(c, &l, out);

	(void)flags;
	if (r <= 0)
		return r;
	r = 0;
	if (!l.rel || !*l.rel || exists(l.side))
		r = -EEXIST;
	else if (req->op == SL_FS_MKNOD && type != 0 && type != S_IFREG &&
		 type != S_IFIFO && type != S_IFSOCK)
		r = -EPERM; /* devices are never staged */
	else if (req->op != SL_FS_MKDIR && l.res->trailing_slash)
		r = -ENOENT;
	else
		r = cow_check(c, l.rel, -1, NULL, SL_FS_ACC_NONE, false);
	if (r == 0) {
		cow_mark(s);
		if (req->op == SL_FS_MKDIR)
			r = sl_cow_mkdir(s->b, l.rel, mode);
		else if (req->op == SL_FS_MKNOD)
			r = sl_cow_mknod(s->b, l.rel, type | mode);
		else
			r = sl_cow_symlink(s->b, req->target, l.rel);
	}
	/* the mode the child asked for, where our umask took bits off */
	if (r == 0 && req->op != SL_FS_SYMLINK) {
		_cleanup_(closep) int fd =
			sl_cow_upper_open(s->b, l.rel, O_PATH);

		if (fd >= 0) {
			struct sl_fs_obj o;

			if (sl_fs_obj_of(fd, &o) == 0 &&
			    (o.mode & 07777) != mode)
				(void)sl_fs_chmod(fd, &o, mode);
		}
	}
	cow_loc_free(&l);
	if (r == 0)
		sl_fs_answer_value(out, 0);
	return r;
}

/* ---- unlink, rmdir --------------------------------------------------------- */

int cow_op_unlink(struct sl_fs_call *c, unsigned flags, struct sl_action *out)
{
	struct cow *s = cow_of(c);
	bool rmdir = c->req->flags & AT_REMOVEDIR;
	struct cow_loc l = { 0 };
	mode_t type;
	int r = one_name(c, &l, out);

	(void)flags;
	if (r <= 0)
		return r;
	r = 0;
	if (l.err < 0)
		r = l.err;
	else if (!l.rel) /* "." or ".." */
		r = !rmdir			  ? -EISDIR :
		    strcmp(l.res->name, ".") == 0 ? -EINVAL :
						    -ENOTEMPTY;
	else if (!*l.rel)
		r = -EBUSY;
	else if (!exists(l.side))
		r = -ENOENT;
	if (r < 0)
		goto out;
	type = type_of(s, l.rel);
	if (rmdir && type != S_IFDIR)
		r = -ENOTDIR;
	else if (!rmdir && type == S_IFDIR)
		r = -EISDIR;
	else if (!rmdir && l.res->trailing_slash)
		r = -ENOTDIR;
	else if (rmdir && (r = merged_empty(s, l.rel)) >= 0)
		r = r ? 0 : -ENOTEMPTY;
	if (r == 0)
		r = cow_check(c, l.rel, -1, NULL, SL_FS_ACC_NONE, rmdir);
	if (r == 0) {
		cow_mark(s);
		r = sl_cow_remove(s->b, l.rel);
	}
	if (r == 0)
		sl_fs_answer_value(out, 0);
out:
	cow_loc_free(&l);
	return r;
}

/* ---- rename ---------------------------------------------------------------- */

/* The lower entry at rel, if the merged view no longer shows it there,
 * is whited out (an upper entry there then shadows the whiteout: a
 * directory moved over becomes opaque). */
static int hide_lower(struct cow *s, const char *rel)
{
	if (sl_cow_covered(s->b, rel) || sl_cow_lower_stat(s->b, rel, NULL) < 0)
		return 0;
	return sl_cow_whiteout(s->b, rel);
}

/* The kernel's checks of a rename, on the merged view. */
static int rename_checks(struct cow *s, const struct cow_loc *from,
			 const struct cow_loc *to, unsigned fl)
{
	mode_t ft, tt;
	size_t fl_len;
	int r;

	if (fl & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE |
			     RENAME_WHITEOUT) ||
	    ((fl & RENAME_EXCHANGE) &&
	     (fl & (RENAME_NOREPLACE | RENAME_WHITEOUT))))
		return -EINVAL;
	if (fl & RENAME_WHITEOUT)
		return -EPERM; /* needs CAP_MKNOD, which no sandbox keeps */
	if (!from->rel || !to->rel || !*from->rel || !*to->rel)
		return -EBUSY;
	if (!exists(from->side))
		return -ENOENT;
	ft = type_of(s, from->rel);
	tt = exists(to->side) ? type_of(s, to->rel) : 0;
	if ((fl & RENAME_EXCHANGE) && !tt)
		return -ENOENT;
	if ((fl & RENAME_NOREPLACE) && tt)
		return -EEXIST;
	if (strcmp(from->rel, to->rel) == 0)
		return 1; /* the same name: nothing to do */
	fl_len = strlen(from->rel);
	if (ft == S_IFDIR && strncmp(to->rel, from->rel, fl_len) == 0 &&
	    to->rel[fl_len] == '/')
		return -EINVAL; /* into its own subtree */
	if ((fl & RENAME_EXCHANGE) && tt == S_IFDIR &&
	    strncmp(from->rel, to->rel, strlen(to->rel)) == 0 &&
	    from->rel[strlen(to->rel)] == '/')
		return -EINVAL;
	if (ft != S_IFDIR &&
	    (from->res->trailing_slash ||
	     (to->res->trailing_slash && !(fl & RENAME_EXCHANGE))))
		return -ENOTDIR;
	if (!tt || (fl & RENAME_EXCHANGE))
		return 0;
	if (ft == S_IFDIR && tt != S_IFDIR)
		return -ENOTDIR;
	if (ft != S_IFDIR && tt == S_IFDIR)
		return -EISDIR;
	if (tt == S_IFDIR) {
		r = merged_empty(s, to->rel);
		if (r <= 0)
			return r < 0 ? r : -ENOTEMPTY;
	}
	return 0;
}

/* Does moving rel copy enough to go to a worker? A directory, or a big
 * file of the workdir. */
static bool move_waits(struct cow *s, const char *rel)
{
	struct stat st;

	if (sl_cow_upper_stat(s->b, rel, NULL) == 0)
		return false; /* staged already */
	return sl_cow_lower_stat(s->b, rel, &st) == 0 &&
	       (S_ISDIR(st.st_mode) ||
		(S_ISREG(st.st_mode) && st.st_size > SL_COW_LOOP_COPY_MAX));
}

static int stage_rename(struct sl_fs_call *c, const struct cow_loc *from,
			const struct cow_loc *to, unsigned fl)
{
	struct cow *s = cow_of(c);
	_cleanup_(closep) int fparent = -1;
	_cleanup_(closep) int tparent = -1;
	const char *fname, *tname;
	int r;

	if (c->nonblock && (move_waits(s, from->rel) ||
			    ((fl & RENAME_EXCHANGE) && move_waits(s, to->rel))))
		return -EAGAIN;
	r = sl_cow_quota_check(s->b, false);
	if (r < 0)
		return r;
	cow_mark(s);
	r = sl_cow_copy_up_tree(s->b, from->rel);
	if (r == 0 && (fl & RENAME_EXCHANGE))
		r = sl_cow_copy_up_tree(s->b, to->rel);
	if (r < 0)
		return r;
	fparent = sl_cow_upper_parent(s->b, from->rel, false, &fname);
	if (fparent < 0)
		return fparent;
	tparent = sl_cow_upper_parent(s->b, to->rel, true, &tname);
	if (tparent < 0)
		return tparent;
	/* the workdir's entry at the target goes (whiteout), the upper's is
	 * replaced by the rename */
	if (!(fl & RENAME_EXCHANGE)) {
		r = hide_lower(s, to->rel);
		if (r < 0)
			return r;
	}
	if (syscall(SYS_renameat2, fparent, fname, tparent, tname,
		    fl & (RENAME_NOREPLACE | RENAME_EXCHANGE)) < 0)
		return -errno;
	r = hide_lower(s, from->rel);
	if (r == 0 && (fl & RENAME_EXCHANGE))
		r = hide_lower(s, to->rel);
	return r;
}

int cow_op_rename(struct sl_fs_call *c, unsigned flags, struct sl_action *out)
{
	struct cow_loc from, to;
	unsigned fl = (unsigned)c->req->flags;
	int r = sl_fs_call_as_child(c);

	(void)flags;
	memset(&from, 0, sizeof(from));
	memset(&to, 0, sizeof(to));
	if (r == 0)
		r = name_arg(c, 0, &from);
	if (r == 0)
		r = name_arg(c, 1, &to);
	if (r == 0 && !from.in && !to.in)
		r = from.foreign || to.foreign ? cow_foreign(c, out) :
						 cow_pass(c, out);
	if (r < 0 || (!from.in && !to.in))
		goto out;
	cow_settle(c);
	if (!from.in || !to.in) {
		r = -EXDEV; /* between the workdir and elsewhere */
		goto out;
	}
	r = rename_checks(cow_of(c), &from, &to, fl);
	if (r == 0)
		r = cow_check(c, from.rel, -1, NULL, SL_FS_ACC_NONE, true);
	if (r == 0)
		r = cow_check(c, to.rel, -1, NULL, SL_FS_ACC_NONE, true);
	if (r == 0)
		r = stage_rename(c, &from, &to, fl);
	if (r >= 0)
		sl_fs_answer_value(out, 0);
out:
	cow_loc_free(&from);
	cow_loc_free(&to);
	return r < 0 ? r : 0;
}

/* ---- link ------------------------------------------------------------------ */

int cow_op_link(struct sl_fs_call *c, unsigned flags, struct sl_action *out)
{
	struct cow *s = cow_of(c);
	struct cow_loc from, to;
	_cleanup_(closep) int src = -1;
	_cleanup_(closep) int parent = -1;
	const char *name;
	int r = sl_fs_call_as_child(c);

	(void)flags;
	memset(&from, 0, sizeof(from));
	memset(&to, 0, sizeof(to));
	if (r == 0)
		r = cow_locate(c, 0, c->req->a[0].follow ? SL_RES_FOLLOW : 0,
			       &from);
	if (r == 0)
		r = name_arg(c, 1, &to);
	if (r == 0 && !from.in && !to.in)
		r = from.foreign || to.foreign ? cow_foreign(c, out) :
						 cow_pass(c, out);
	if (r < 0 || (!from.in && !to.in))
		goto out;
	cow_settle(c);
	if (!from.in || !to.in) {
		r = -EXDEV;
		goto out;
	}
	r = from.err;
	if (r == 0 && (!from.rel || S_ISDIR(from.res->obj.mode)))
		r = -EPERM;
	if (r == 0 && (!to.rel || !*to.rel || exists(to.side)))
		r = -EEXIST;
	if (r == 0 && to.res->trailing_slash)
		r = -ENOENT;
	if (r == 0)
		r = cow_check(c, from.rel,
			      from.side == SL_COW_LOWER ? from.res->fd : -1,
			      &from.res->obj, SL_FS_ACC_NONE, false);
	if (r == 0)
		r = cow_check(c, to.rel, -1, NULL, SL_FS_ACC_NONE, false);
	if (r < 0)
		goto out;
	if (from.side == SL_COW_UPPER) {
		/* staged (an O_TMPFILE of the upper too): that object */
		src = fcntl(from.res->fd, F_DUPFD_CLOEXEC, 0);
	} else {
		r = c->nonblock && move_waits(s, from.rel) ? -EAGAIN : 0;
		if (r == 0) {
			cow_mark(s);
			r = sl_cow_copy_up(s->b, from.rel);
		}
		if (r >= 0)
			src = sl_cow_upper_open(s->b, from.rel, O_PATH);
	}
	if (r < 0 || src < 0) {
		r = r < 0 ? r : src;
		goto out;
	}
	cow_mark(s);
	parent = sl_cow_upper_parent(s->b, to.rel, true, &name);
	r = parent < 0 ? parent : sl_fs_link(src, parent, name);
	if (r == 0)
		sl_fs_answer_value(out, 0);
out:
	cow_loc_free(&from);
	cow_loc_free(&to);
	return r;
}
