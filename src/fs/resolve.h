/*
 * Path resolution as the child would see it, performed by the supervisor.
 *
 * The kernel resolves: openat2() from the child's own base (its root, its
 * cwd, or its dirfd taken with pidfd_getfd) with the child's resolve
 * flags, and RESOLVE_NO_MAGICLINKS so that nothing of the supervisor's own
 * /proc is followed. Only procfs differs between the two processes:
 * "self" and "thread-self" name whoever resolves, and magic links
 * (/proc/<pid>/fd/N, cwd, root, exe) jump to objects. A path that meets
 * them is walked here component by component, substituting the child's
 * ids for "self" and following magic links only of processes of the
 * sandbox; as soon as the walk has left procfs the kernel takes the rest
 * again. The walk has the kernel's limits (40 links, a link body of at
 * most PATH_MAX) and no other: a path the kernel can resolve, this can.
 * A resolution that fails fails with the kernel's error, which is what
 * the caller answers (it never lets the call through on a failure).
 */
#ifndef SL_FS_RESOLVE_H
#define SL_FS_RESOLVE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "fs/object.h"

struct sl_resolve_ctx {
	pid_t tgid, tid; /* the child, for "self" and "thread-self" */
	int rootfd;      /* the child's root (O_PATH), -1: the supervisor's */
	/* May magic links owned by this pid be followed? */
	bool (*pid_ok)(void *arg, pid_t pid);
	void *arg;
	struct sl_fd_dir *fddir; /* the resolving thread's */
	bool nonblock;   /* RESOLVE_CACHED: -EAGAIN rather than any wait */
};

enum {
	SL_RES_FOLLOW = 1 << 0,     /* follow a symlink in the last component */
	SL_RES_MISSING_OK = 1 << 1, /* a missing last component is reported */
	SL_RES_PARENT = 1 << 2,     /* resolve up to the last component only */
	/* The kernel's walk only: -ELOOP where procfs would have to be
	 * walked here (a magic link, "self"). */
	SL_RES_KERNEL = 1 << 3,
	SL_RES_AGAIN = 1 << 4, /* (view.h) not the cached resolution */
};

struct sl_resolved {
	int fd;          /* the object (O_PATH), or -1 */
	int parentfd;    /* SL_RES_PARENT, or the missing component's dir */
	char *name;      /* ... and the last component (malloc'd) */
	bool trailing_slash;
	struct sl_fs_obj obj; /* of fd, when fd >= 0 */
	enum sl_fs_kind kind;
};

/* Resolve path from dirfd (absolute paths from the child's root unless
 * resolve_flags scope them to dirfd) with the child's openat2 resolve
 * flags. Returns 0 (out->fd set; with SL_RES_PARENT out->parentfd and
 * out->name, out->fd = -1, unless the path has no last component),
 * -ENOENT with out->parentfd/name set when SL_RES_MISSING_OK and only the
 * last component is missing, or another -errno (-EAGAIN when nonblock and
 * a lookup would have to wait). Release with sl_resolved_clear(). */
int sl_resolve(const struct sl_resolve_ctx *c, int dirfd, const char *path,
	       uint64_t resolve_flags, unsigned how, struct sl_resolved *out);
void sl_resolved_clear(struct sl_resolved *r);

/* Fill out->obj and out->kind for out->fd. */
int sl_resolved_stat(struct sl_resolved *out);

#endif
