/*
 * Watches: inotify_add_watch and fanotify_mark report the names and
 * events of what they watch, which Landlock does not check. A watch is
 * allowed only on an object under a read (or write) grant and not denied,
 * and added on the child's behalf to the child's own instance (its fd
 * taken with pidfd_getfd) on the object resolved, through its magic
 * link: the kernel does not look the child's path up again. fanotify
 * marks on whole mounts or filesystems reach beyond any grant and are
 * refused; removing marks reveals nothing and is left to the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs/defer.h"
#include "handlers/fsview.h"
#include "util/cleanup.h"
#include "util/hostperm.h"

#ifndef FAN_MARK_MNTNS
#define FAN_MARK_MNTNS 0x00000110
#endif

static int op_watch(struct sl_fs_call *c, unsigned flags, struct sl_action *out)
{
	const struct sl_fs_req *req = c->req;
	_cleanup_(closep) int instance = -1;
	const struct sl_resolved *res;
	char link[40];
	int r;

	(void)flags;
	instance = sl_fs_call_getfd(c, req->fd);
	if (instance < 0)
		return instance;
	r = sl_fs_call_as_child(c);
	if (r < 0)
		return r;
	r = sl_fs_call_resolve(c, 0, req->a[0].follow ? SL_RES_FOLLOW : 0,
			       &res);
	if (r < 0)
		return r;
	r = sl_fs_check(c->v, c->fddir, res->fd, &res->obj, SL_FS_ACC_READ,
			NULL);
	if (r == 0 && c->nonblock && res->kind == SL_FSK_SLOW)
		r = -EAGAIN; /* may wait: in a worker */
	sl_fd_magic(res->fd, link, sizeof(link));
	if (r == 0 && req->op == SL_FS_WATCH) {
		/* followed, the magic link lands on the object held */
		r = inotify_add_watch(instance, link,
				      (uint32_t)req->flags & ~IN_DONT_FOLLOW);
		if (r < 0) {
			r = -errno;
		} else {
			sl_fs_answer_value(out, r);
			r = 0;
		}
	} else if (r == 0) {
		if (fanotify_mark(instance,
				  (unsigned)req->flags & ~FAN_MARK_DONT_FOLLOW,
				  req->x[0], AT_FDCWD, link) < 0)
			r = -errno;
		else
			sl_fs_answer_value(out, 0);
	}
	return r;
}

static int fswatch_handle(void *state, const struct sl_notif *n,
			  struct sl_action *out)
{
	const struct sl_fs_req *req = sl_fs_req_get(n);
	unsigned fl;

	if (!req)
		return -ENOMEM;
	if (req->err < 0)
		return req->err;
	if (req->op == SL_FS_FANOTIFY) {
		fl = (unsigned)req->flags;
		if (fl & (FAN_MARK_REMOVE | FAN_MARK_FLUSH))
			return 0; /* nothing to learn from a removal */
		if (fl &
		    (FAN_MARK_MOUNT | FAN_MARK_FILESYSTEM | FAN_MARK_MNTNS)) {
			out->kind = SL_ACT_ERRNO;
			out->error = EACCES;
			return 0;
		}
	}
	return sl_fs_run(state, n, op_watch, 0, out);
}

static void fswatch_syscalls(const struct sl_policy *p, struct sl_nrset *set)
{
	sl_nrset_add_sys(set, inotify_add_watch);
	sl_nrset_add_sys(set, fanotify_mark);
}

/* Without pidfd_getfd (a container, util/hostperm.h) no watch can be
 * added to the child's own instance: instances are refused as on a
 * kernel without them, which programs expect (they poll instead). */
static int fswatch_host_denials(const struct sl_policy *p,
				struct sl_host_denials *d)
{
	static const struct sl_host_denial no[] = {
		{ SYS_inotify_init1, ENOSYS, 0, { { 0 } } },
		{ SYS_fanotify_init, ENOSYS, 0, { { 0 } } },
#ifdef SYS_inotify_init
		{ SYS_inotify_init, ENOSYS, 0, { { 0 } } },
#endif
	};
	int r = 0;

	if (sl_host_allows(SL_HOST_PIDFD_GETFD) || !sl_fs_policy_confines(p))
		return 0;
	for (size_t i = 0; r == 0 && i < SL_ARRAY_SIZE(no); i++)
		r = sl_host_deny(d, &no[i]);
	return r;
}

const struct sl_handler_module sl_module_fswatch = {
	.name = "fswatch",
	.active = sl_fs_policy_confines,
	.host_denials = fswatch_host_denials,
	.syscalls = fswatch_syscalls,
	.init = sl_fs_view_module_init,
	.handle = fswatch_handle,
};
