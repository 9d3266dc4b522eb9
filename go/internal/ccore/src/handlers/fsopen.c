/*
 * Opens performed on a child's behalf by the fs_denied handler.
 *
 * A checked open is never answered CONTINUE: the child could rewrite its
 * path between our check and the kernel's open. The supervisor resolves
 * the path as the child would (resolve.h), with the child's filesystem
 * credentials (creds.h), checks the object it holds, opens that very
 * object and installs the fd in the child. Because the supervisor is not
 * confined by Landlock, it re-applies the grants: writes need a write
 * grant, reads a read or write grant.
 *
 * Two kinds of file are answered CONTINUE after the check, because opening
 * them in the supervisor could block it or mean something else: FIFOs and
 * /dev/tty. For them a child racing its own memory can still reach a
 * denied path (Landlock's grants still hold).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "handlers/creds.h"
#include "handlers/fsdeny.h"
#include "handlers/fspath.h"
#include "handlers/opentarget.h"
#include "supervisor/notif.h"
#include "util/cleanup.h"

#define SL_CREATE_RETRIES 3
#define SL_RESOLVE_KNOWN                                                  \
	(RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS |   \
	 RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_CACHED)

struct open_req {
	int dirfd;
	uint64_t path;
	uint64_t flags, mode, resolve;
};

/* O_TMPFILE includes the O_DIRECTORY bit: test for all of its bits. */
static bool is_tmpfile(uint64_t flags)
{
	return (flags & __O_TMPFILE) == __O_TMPFILE;
}

static bool wants_write(uint64_t flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) ||
	       (flags & O_CREAT) || is_tmpfile(flags);
}

/* Objects the supervisor must not open itself: a FIFO would block it, and
 * /dev/tty names the opener's controlling terminal. */
static bool open_in_child(const struct stat *st)
{
	return S_ISFIFO(st->st_mode) ||
	       (S_ISCHR(st->st_mode) && st->st_rdev == makedev(5, 0));
}

/* Open the probed object with the child's flags (through this thread's
 * fd table). O_TMPFILE creates an unnamed file in the probed directory,
 * with the child's umask. */
static int reopen(int probe, uint64_t flags, mode_t mode)
{
	char link[64];
	int fd;

	snprintf(link, sizeof(link), "/proc/thread-self/fd/%d", probe);
	fd = open(link,
		  (int)(flags & ~(uint64_t)(O_CREAT | O_EXCL | O_NOFOLLOW)) |
			  O_CLOEXEC | O_NOCTTY,
		  mode);
	if (fd < 0)
		return -errno;
	if (is_tmpfile(flags) && fchmod(fd, mode) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* Existing object: check it and open it. *cont = answer CONTINUE. */
static int open_existing(struct sl_fs_call *c, const struct open_req *o,
			 int probe, bool *cont)
{
	_cleanup_(freep) char *real = NULL;
	struct stat st;
	int r;

	if ((o->flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	if (fstat(probe, &st) < 0)
		return -errno;
	r = sl_fs_object_denied(c->s, probe, &real);
	if (r < 0)
		return r;
	if (o->flags & O_PATH) {
		/* Landlock does not govern O_PATH: hand out the probe. */
		if ((o->flags & O_DIRECTORY) && !S_ISDIR(st.st_mode))
			return -ENOTDIR;
		r = fcntl(probe, F_DUPFD_CLOEXEC, 0);
		return r < 0 ? -errno : r;
	}
	if (S_ISLNK(st.st_mode))
		return -ELOOP; /* O_NOFOLLOW on a symlink */
	/* O_CREAT of an existing file creates nothing: Landlock asks only
	 * for the access the flags request. */
	if (!sl_fs_granted(c->s, real,
			   wants_write(o->flags & ~(uint64_t)O_CREAT)))
		return -EACCES;
	if (open_in_child(&st)) {
		*cont = true;
		return 0;
	}
	return reopen(probe, o->flags,
		      (mode_t)(o->mode & 07777 & ~c->st.umask));
}

/* Missing last component with O_CREAT: create it in the parent. */
static int open_create(struct sl_fs_call *c, const struct open_req *o,
		       const struct sl_resolved *res)
{
	_cleanup_(freep) char *full = NULL;
	mode_t mode = (mode_t)(o->mode & 07777 & ~c->st.umask);
	int r, fd;

	if (res->trailing_slash)
		return -EISDIR;
	r = sl_fs_new_name(c->s, res->parentfd, res->name, &full);
	if (r < 0)
		return r;
	if (!full)
		return -ENOENT;
	if (!sl_fs_granted(c->s, full, true))
		return -EACCES;
	fd = openat(res->parentfd, res->name,
		    (int)(o->flags | O_EXCL | O_CLOEXEC | O_NOCTTY), mode);
	if (fd < 0)
		return -errno;
	/* The kernel applied the supervisor's umask; apply the child's. */
	if (fchmod(fd, mode) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

static int open_on_behalf(struct sl_fs_call *c, const struct open_req *o,
			  struct sl_action *out)
{
	_cleanup_(freep) char *path = NULL;
	_cleanup_(freep) char *lex = NULL;
	_cleanup_(closep) int base = -1;
	struct sl_creds_saved saved;
	unsigned how = 0;
	int r, fd = -EEXIST;
	bool cont = false;

	r = sl_fs_read_path(c, o->path, &path);
	if (r < 0)
		return r;
	if (!path[0])
		return -ENOENT;
	base = sl_fs_base_dir(c, o->dirfd, path);
	if (base < 0)
		return base;
	r = sl_fs_lexical(base, path, &lex);
	if (r < 0)
		return r;
	if (sl_fs_path_denied(c->s, lex))
		return -EACCES;
	if (!(o->flags & O_NOFOLLOW) &&
	    (o->flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL))
		how |= SL_RES_FOLLOW;
	if (o->flags & O_CREAT)
		how |= SL_RES_MISSING_OK;
	r = sl_creds_enter(&c->st, &saved);
	if (r < 0)
		return r;
	/* A file created by someone else between our lookup and our create
	 * sends us back to the lookup. */
	for (int i = 0; i < SL_CREATE_RETRIES && fd == -EEXIST; i++) {
		struct sl_resolved res;

		r = sl_resolve(&c->rc, base, path, o->resolve, how, &res);
		if (r == 0)
			fd = open_existing(c, o, res.fd, &cont);
		else if (r == -ENOENT && res.parentfd >= 0)
			fd = open_create(c, o, &res);
		else
			fd = r;
		sl_resolved_clear(&res);
		if (o->flags & O_EXCL)
			break;
	}
	sl_creds_leave(&saved);
	if (cont)
		return 0;
	if (fd < 0)
		return fd;
	sl_open_answer_fd(out, fd, o->flags);
	return 0;
}

int sl_fs_open(struct sl_fs_call *c, const struct seccomp_data *d,
	       struct sl_action *out)
{
	struct open_req o = { .dirfd = AT_FDCWD };

	if (d->nr == SYS_openat2) {
		struct open_how how;

		if (d->args[3] < sizeof(how))
			return 0; /* the kernel answers EINVAL */
		if (sl_notif_read(c->n, d->args[2], &how, sizeof(how)) < 0)
			return -EFAULT;
		/* what the kernel would refuse (we open with these values,
		 * not with a second read of the child's memory) */
		if (how.flags >> 32 || how.mode >> 12 ||
		    (how.mode && !(how.flags & O_CREAT) &&
		     !is_tmpfile(how.flags)) ||
		    (how.resolve & ~(uint64_t)SL_RESOLVE_KNOWN) ||
		    ((how.resolve & RESOLVE_BENEATH) &&
		     (how.resolve & RESOLVE_IN_ROOT)))
			return -EINVAL;
		o = (struct open_req){ .dirfd = (int)d->args[0],
				       .path = d->args[1],
				       .flags = how.flags,
				       .mode = how.mode,
				       .resolve = how.resolve };
	} else if (d->nr == SYS_openat) {
		o.dirfd = (int)d->args[0];
		o.path = d->args[1];
		o.flags = (uint32_t)d->args[2];
		o.mode = d->args[3];
#ifdef SYS_open
	} else {
		o.path = d->args[0];
		o.flags = (uint32_t)d->args[1];
		o.mode = d->args[2];
#endif
	}
	if (o.flags & O_PATH)
		o.flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	return open_on_behalf(c, &o, out);
}
