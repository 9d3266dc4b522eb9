/*
 * Metadata writes: chmod, chown, utimes and extended attributes, in every
 * variant (path, l-, f-, *at, fchmodat2, setxattrat, removexattrat).
 * Landlock has no right for them, so without this module a sandboxed
 * program changes the mode, owner, times or xattrs of any file it can
 * name, granted or not.
 *
 * Every sandbox with filesystem grants routes them here: the object is
 * resolved (or taken from the child's fd with pidfd_getfd), allowed only
 * under a write grant and not denied, and changed on the child's behalf,
 * with its credentials, through the object held (never a second lookup).
 * Pipes, sockets and memory files, which Landlock does not govern either,
 * are left to the kernel's own checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include "fs/defer.h"
#include "fs/kcompat.h"
#include "fs/ops.h"
#include "handlers/fsmeta.h"
#include "handlers/fsview.h"
#include "supervisor/notif.h"
#include "util/cleanup.h"

#define XATTR_ARGS_SIZE_VER0 16

#define meta sl_fs_meta

static int read_times(const struct sl_notif *n, const struct sl_fs_req *req,
		      struct meta *m)
{
	uint64_t addr = req->x[0];
	int r;

	m->now = addr == 0;
	if (m->now)
		return 0;
	switch (req->x[1]) {
	case SL_TIMES_TIMEVAL: {
		struct timeval tv[2];

		r = sl_notif_read(n, addr, tv, sizeof(tv));
		for (int i = 0; r == 0 && i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				return -EINVAL;
			m->ts[i].tv_sec = tv[i].tv_sec;
			m->ts[i].tv_nsec = tv[i].tv_usec * 1000;
		}
		break;
	}
	case SL_TIMES_UTIMBUF: {
		struct utimbuf ub;

		r = sl_notif_read(n, addr, &ub, sizeof(ub));
		m->ts[0] = (struct timespec){ .tv_sec = ub.actime };
		m->ts[1] = (struct timespec){ .tv_sec = ub.modtime };
		break;
	}
	default:
		r = sl_notif_read(n, addr, m->ts, sizeof(m->ts));
		break;
	}
	return r == -ENOENT ? r : (r < 0 ? -EFAULT : 0);
}

static int read_xattr(const struct sl_notif *n, const struct sl_fs_req *req,
		      struct meta *m)
{
	uint64_t value = req->x[1], size = req->x[2];
	int r;

	r = sl_notif_read_str(n, req->x[0], m->name, sizeof(m->name), NULL);
	if (r == -ENAMETOOLONG)
		return -ERANGE;
	if (r < 0)
		return r == -ENOENT ? r : -EFAULT;
	if (!m->name[0])
		return -ERANGE;
	if (req->op != SL_FS_SETXATTR)
		return 0;
	m->xflags = (int)req->flags;
	if (req->nr == __NR_setxattrat) {
		struct sl_xattr_args args;

		if (size < XATTR_ARGS_SIZE_VER0)
			return -EINVAL;
		r = sl_notif_read(n, req->x[1], &args, sizeof(args));
		if (r < 0)
			return r == -ENOENT ? r : -EFAULT;
		value = args.value;
		size = args.size;
		m->xflags = (int)args.flags;
	}
	if (size > XATTR_SIZE_MAX)
		return -E2BIG;
	m->size = (size_t)size;
	if (!size)
		return 0;
	m->value = malloc(m->size);
	if (!m->value)
		return -ENOMEM;
	r = sl_notif_read(n, value, m->value, m->size);
	return r == -ENOENT ? r : (r < 0 ? -EFAULT : 0);
}

/* The object the call acts on: the child's fd (taken: *owned), or its
 * path resolved (the request's). */
static int object(struct sl_fs_call *c, int *fd, int *owned,
		  struct sl_fs_obj *o)
{
	const struct sl_fs_req *req = c->req;
	const struct sl_resolved *res;
	int r;

	if (req->nargs == 0 || req->a[0].null) {
		int child = req->nargs == 0 ? req->fd : req->a[0].dirfd;
		int fl;

		if (req->nargs && req->based && req->base[0] >= 0)
			*fd = req->base[0]; /* taken already (the request's) */
		else
			*fd = *owned = sl_fs_call_getfd(c, child);
		if (*fd < 0)
			return *fd;
		/* an open file: an O_PATH fd does not do here */
		fl = sl_fs_call_fd_flags(c, child, *fd);
		if (fl < 0 || (fl & O_PATH))
			return -EBADF;
		return sl_fs_obj_of(*fd, o);
	}
	r = sl_fs_call_resolve(c, 0, req->a[0].follow ? SL_RES_FOLLOW : 0,
			       &res);
	if (r < 0)
		return r;
	*fd = res->fd;
	*o = res->obj;
	return 0;
}

int sl_fs_meta_read(const struct sl_notif *n, const struct sl_fs_req *req,
		    struct sl_fs_meta *m)
{
	memset(m, 0, sizeof(*m));
	if (req->op == SL_FS_UTIMES)
		return read_times(n, req, m);
	if (req->op == SL_FS_SETXATTR || req->op == SL_FS_REMOVEXATTR)
		return read_xattr(n, req, m);
	return 0;
}

void sl_fs_meta_free(struct sl_fs_meta *m)
{
	free(m->value);
	m->value = NULL;
}

uint64_t sl_fs_meta_consulted(const struct sl_fs_req *req,
			      const struct sl_fs_meta *m)
{
	const uint64_t all = ~(uint64_t)0;

	if (req->nargs && !req->a[0].null)
		return all; /* a path to walk */
	switch (req->op) {
	case SL_FS_SETXATTR:
	case SL_FS_REMOVEXATTR:
		/* user.*: write permission, and ownership in a sticky
		 * directory; ACLs: ownership, and the set-gid bit they may
		 * clear. Other names (trusted.*, security.*) consult what
		 * their handlers and the security modules choose. */
		if (strncmp(m->name, "user.", 5) == 0)
			return SL_CAP_BIT(CAP_DAC_OVERRIDE) |
			       SL_CAP_BIT(CAP_FOWNER);
		if (strcmp(m->name, "system.posix_acl_access") == 0 ||
		    strcmp(m->name, "system.posix_acl_default") == 0)
			return SL_CAP_BIT(CAP_FOWNER) | SL_CAP_BIT(CAP_FSETID);
		return all;
	case SL_FS_CHMOD:
		return SL_CAP_BIT(CAP_FOWNER) | SL_CAP_BIT(CAP_FSETID);
	case SL_FS_CHOWN:
		return SL_CAP_BIT(CAP_CHOWN) | SL_CAP_BIT(CAP_FOWNER) |
		       SL_CAP_BIT(CAP_FSETID);
	case SL_FS_UTIMES:
		return SL_CAP_BIT(CAP_FOWNER) | SL_CAP_BIT(CAP_DAC_OVERRIDE);
	default:
		return all;
	}
}

int sl_fs_meta_apply(const struct sl_fs_req *req, int fd,
		     const struct sl_fs_obj *o, const struct sl_fs_meta *m)
{
	switch (req->op) {
	case SL_FS_CHMOD:
		return sl_fs_chmod(fd, o, (mode_t)req->mode);
	case SL_FS_CHOWN:
		return sl_fs_chown(fd, (uid_t)req->x[0], (gid_t)req->x[1]);
	case SL_FS_UTIMES:
		return sl_fs_utimes(fd, o, m->now ? NULL : m->ts);
	case SL_FS_SETXATTR:
		return sl_fs_setxattr(fd, m->name, m->value, m->size,
				      m->xflags);
	case SL_FS_REMOVEXATTR:
		return sl_fs_removexattr(fd, m->name);
	default:
		return -ENOSYS;
	}
}

static int op_meta(struct sl_fs_call *c, unsigned flags, struct sl_action *out)
{
	const struct sl_fs_req *req = c->req;
	_cleanup_(closep) int owned = -1;
	struct meta m;
	int fd = -1;
	struct sl_fs_obj o;
	bool named = req->nargs && !req->a[0].null;
	int r;

	(void)flags;
	r = sl_fs_meta_read(c->n, req, &m);
	/* The child's fd is taken as the supervisor (a reopen through
	 * procfs, where pidfd_getfd is refused, is a ptrace-mode access the
	 * child's capabilities may not pass); a path is walked as the
	 * child. */
	if (r == 0 && !named)
		r = object(c, &fd, &owned, &o);
	if (r == 0)
		r = sl_fs_call_as_child_consulting(c, sl_fs_meta_consulted(req,
									   &m));
	if (r == 0 && named)
		r = object(c, &fd, &owned, &o);
	if (r == 0)
		r = sl_fs_check(c->v, c->fddir, fd, &o, SL_FS_ACC_WRITE, NULL);
	if (r == 0 && c->nonblock && sl_fs_kind_of(fd, &o) == SL_FSK_SLOW)
		r = -EAGAIN; /* may wait: in a worker */
	if (r == 0)
		r = sl_fs_meta_apply(req, fd, &o, &m);
	sl_fs_meta_free(&m);
	if (r == 0)
		sl_fs_answer_value(out, 0);
	return r;
}

int sl_fsmeta_decide(struct sl_fs_call *c, struct sl_action *out)
{
	return sl_fs_policy_confines(c->v->p) ? op_meta(c, 0, out) : 0;
}

static int fsmeta_handle(void *state, const struct sl_notif *n,
			 struct sl_action *out)
{
	struct sl_fs_view *v = state;
	const struct sl_fs_req *req;

	if (n->req->data.nr == SCMP_SYS(setgroups)) {
		/* the view keeps groups (fs/creds.h): before the kernel
		 * changes them */
		sl_creds_invalidate(v->creds, n);
		return 0;
	}
	req = sl_fs_req_get(n);
	if (req && req->settled)
		return 0; /* staged in the copy-on-write workdir */
	return sl_fs_run(v, n, op_meta, 0, out);
}

static void fsmeta_syscalls(const struct sl_policy *p, struct sl_nrset *set)
{
	static const int nrs[] = {
		SCMP_SYS(chmod),	SCMP_SYS(fchmod),
		SCMP_SYS(fchmodat),	__NR_fchmodat2,
		SCMP_SYS(chown),	SCMP_SYS(lchown),
		SCMP_SYS(fchown),	SCMP_SYS(fchownat),
		SCMP_SYS(utime),	SCMP_SYS(utimes),
		SCMP_SYS(futimesat),	SCMP_SYS(utimensat),
		SCMP_SYS(setxattr),	SCMP_SYS(lsetxattr),
		SCMP_SYS(fsetxattr),	__NR_setxattrat,
		SCMP_SYS(removexattr),	SCMP_SYS(lremovexattr),
		SCMP_SYS(fremovexattr), __NR_removexattrat,
	};

	for (size_t i = 0; i < SL_ARRAY_SIZE(nrs); i++)
		sl_nrset_add(set, nrs[i]);
	sl_nrset_add_sys(set, setgroups); /* see fsmeta_handle */
}

const struct sl_handler_module sl_module_fsmeta = {
	.name = "fsmeta",
	.active = sl_fs_policy_confines,
	.syscalls = fsmeta_syscalls,
	.init = sl_fs_view_module_init,
	.handle = fsmeta_handle,
};
