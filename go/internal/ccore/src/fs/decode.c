#include "fs/decode.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "fs/kcompat.h"
#include "supervisor/notif.h"

/* What the table says about a syscall's path arguments. */
enum {
	F_FOLLOW = 1 << 0,	/* a final symlink of path 0 is followed */
	F_NOFOLLOW_AT = 1 << 1, /* AT_SYMLINK_NOFOLLOW stops following */
	F_FOLLOW_AT = 1 << 2,	/* AT_SYMLINK_FOLLOW starts following */
	F_EMPTY_AT = 1 << 3,	/* AT_EMPTY_PATH: "" names the dirfd */
	F_NULL_OK = 1 << 4,	/* a NULL path names the dirfd */
	F_PARENT0 = 1 << 5,	/* path 0's last component is a name */
	F_PARENT1 = 1 << 6,	/* path 1's last component is a name */
	F_EMPTY_OK = 1 << 7,	/* "" names the dirfd without a flag */
};

#define NA -1

struct row {
	int nr;
	uint8_t op;
	int8_t dfd[2], path[2]; /* argument indexes, NA: AT_FDCWD / none */
	int8_t fd;		/* the fd acted on, NA */
	int8_t at;		/* the *at flags, NA */
	int8_t flags, mode;	/* op values, NA */
	int8_t x[3];
	uint8_t f;
	uint8_t special;
};

enum {
	S_NONE,
	S_OPENAT2,
	S_CREAT,
	S_RMDIR,
	S_WATCH,
	S_FANOTIFY,
	S_TIMEVAL,
	S_UTIMBUF,
	S_XATTRAT
};

#define ROW(name, ...)                         \
	{                                      \
		.nr = __NR_##name, __VA_ARGS__ \
	}
#define P1(d, p) .dfd = { d, NA }, .path = { p, NA }
#define P2(d0, p0, d1, p1) .dfd = { d0, d1 }, .path = { p0, p1 }
#define X(a, b, c) .x = { a, b, c }
#define NONE_X X(NA, NA, NA)
#define BASE .fd = NA, .at = NA, .flags = NA, .mode = NA, NONE_X

/* Each row starts from BASE and names what differs. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
static const struct row rows[] = {
#ifdef __NR_open
	ROW(open, .op = SL_FS_OPEN, P1(NA, 0), BASE, .flags = 1, .mode = 2,
	    .f = F_FOLLOW),
#endif
#ifdef __NR_creat
	ROW(creat, .op = SL_FS_OPEN, P1(NA, 0), BASE, .mode = 1,
	    .special = S_CREAT),
#endif
	ROW(openat, .op = SL_FS_OPEN, P1(0, 1), BASE, .flags = 2, .mode = 3,
	    .f = F_FOLLOW),
	ROW(openat2, .op = SL_FS_OPEN, P1(0, 1), BASE, .f = F_FOLLOW,
	    .special = S_OPENAT2),
	ROW(execve, .op = SL_FS_EXEC, P1(NA, 0), BASE, .f = F_FOLLOW),
	ROW(execveat, .op = SL_FS_EXEC, P1(0, 1), BASE, .at = 4,
	    .f = F_FOLLOW | F_NOFOLLOW_AT | F_EMPTY_AT),
#ifdef __NR_unlink
	ROW(unlink, .op = SL_FS_UNLINK, P1(NA, 0), BASE, .f = F_PARENT0),
	ROW(rmdir, .op = SL_FS_UNLINK, P1(NA, 0), BASE, .f = F_PARENT0,
	    .special = S_RMDIR),
#endif
	ROW(unlinkat, .op = SL_FS_UNLINK, P1(0, 1), BASE, .flags = 2,
	    .f = F_PARENT0),
#ifdef __NR_rename
	ROW(rename, .op = SL_FS_RENAME, P2(NA, 0, NA, 1), BASE,
	    .f = F_PARENT0 | F_PARENT1),
#endif
#ifdef __NR_renameat
	ROW(renameat, .op = SL_FS_RENAME, P2(0, 1, 2, 3), BASE,
	    .f = F_PARENT0 | F_PARENT1),
#endif
	ROW(renameat2, .op = SL_FS_RENAME, P2(0, 1, 2, 3), BASE, .flags = 4,
	    .f = F_PARENT0 | F_PARENT1),
#ifdef __NR_link
	ROW(link, .op = SL_FS_LINK, P2(NA, 0, NA, 1), BASE, .f = F_PARENT1),
#endif
	ROW(linkat, .op = SL_FS_LINK, P2(0, 1, 2, 3), BASE, .at = 4,
	    .f = F_FOLLOW_AT | F_EMPTY_AT | F_PARENT1),
#ifdef __NR_symlink
	ROW(symlink, .op = SL_FS_SYMLINK, P1(NA, 1), BASE, X(0, NA, NA),
	    .f = F_PARENT0),
#endif
	ROW(symlinkat, .op = SL_FS_SYMLINK, P1(1, 2), BASE, X(0, NA, NA),
	    .f = F_PARENT0),
#ifdef __NR_mkdir
	ROW(mkdir, .op = SL_FS_MKDIR, P1(NA, 0), BASE, .mode = 1,
	    .f = F_PARENT0),
#endif
	ROW(mkdirat, .op = SL_FS_MKDIR, P1(0, 1), BASE, .mode = 2,
	    .f = F_PARENT0),
#ifdef __NR_mknod
	ROW(mknod, .op = SL_FS_MKNOD, P1(NA, 0), BASE, .mode = 1, X(2, NA, NA),
	    .f = F_PARENT0),
#endif
	ROW(mknodat, .op = SL_FS_MKNOD, P1(0, 1), BASE, .mode = 2, X(3, NA, NA),
	    .f = F_PARENT0),
	ROW(truncate, .op = SL_FS_TRUNCATE, P1(NA, 0), BASE, X(1, NA, NA),
	    .f = F_FOLLOW),
#ifdef __NR_chmod
	ROW(chmod, .op = SL_FS_CHMOD, P1(NA, 0), BASE, .mode = 1,
	    .f = F_FOLLOW),
#endif
	ROW(fchmod, .op = SL_FS_CHMOD, P1(NA, NA), BASE, .fd = 0, .mode = 1),
	ROW(fchmodat, .op = SL_FS_CHMOD, P1(0, 1), BASE, .mode = 2,
	    .f = F_FOLLOW),
	ROW(fchmodat2, .op = SL_FS_CHMOD, P1(0, 1), BASE, .mode = 2, .at = 3,
	    .f = F_FOLLOW | F_NOFOLLOW_AT | F_EMPTY_AT),
#ifdef __NR_chown
	ROW(chown, .op = SL_FS_CHOWN, P1(NA, 0), BASE, X(1, 2, NA),
	    .f = F_FOLLOW),
	ROW(lchown, .op = SL_FS_CHOWN, P1(NA, 0), BASE, X(1, 2, NA)),
#endif
	ROW(fchown, .op = SL_FS_CHOWN, P1(NA, NA), BASE, .fd = 0, X(1, 2, NA)),
	ROW(fchownat, .op = SL_FS_CHOWN, P1(0, 1), BASE, X(2, 3, NA), .at = 4,
	    .f = F_FOLLOW | F_NOFOLLOW_AT | F_EMPTY_AT),
#ifdef __NR_utime
	ROW(utime, .op = SL_FS_UTIMES, P1(NA, 0), BASE, X(1, NA, NA),
	    .f = F_FOLLOW, .special = S_UTIMBUF),
#endif
#ifdef __NR_utimes
	ROW(utimes, .op = SL_FS_UTIMES, P1(NA, 0), BASE, X(1, NA, NA),
	    .f = F_FOLLOW, .special = S_TIMEVAL),
#endif
#ifdef __NR_futimesat
	ROW(futimesat, .op = SL_FS_UTIMES, P1(0, 1), BASE, X(2, NA, NA),
	    .f = F_FOLLOW | F_NULL_OK, .special = S_TIMEVAL),
#endif
	ROW(utimensat, .op = SL_FS_UTIMES, P1(0, 1), BASE, X(2, NA, NA),
	    .at = 3, .f = F_FOLLOW | F_NOFOLLOW_AT | F_EMPTY_AT | F_NULL_OK),
	ROW(setxattr, .op = SL_FS_SETXATTR, P1(NA, 0), BASE, X(1, 2, 3),
	    .flags = 4, .f = F_FOLLOW),
	ROW(lsetxattr, .op = SL_FS_SETXATTR, P1(NA, 0), BASE, X(1, 2, 3),
	    .flags = 4),
	ROW(fsetxattr, .op = SL_FS_SETXATTR, P1(NA, NA), BASE, .fd = 0,
	    X(1, 2, 3), .flags = 4),
	ROW(setxattrat, .op = SL_FS_SETXATTR, P1(0, 1), BASE, .at = 2,
	    X(3, 4, 5), .f = F_FOLLOW | F_NOFOLLOW_AT | F_EMPTY_AT,
	    .special = S_XATTRAT),
	ROW(removexattr, .op = SL_FS_REMOVEXATTR, P1(NA, 0), BASE, X(1, NA, NA),
	    .f = F_FOLLOW),
	ROW(lremovexattr, .op = SL_FS_REMOVEXATTR, P1(NA, 0), BASE,
	    X(1, NA, NA)),
	ROW(fremovexattr, .op = SL_FS_REMOVEXATTR, P1(NA, NA), BASE, .fd = 0,
	    X(1, NA, NA)),
	ROW(removexattrat, .op = SL_FS_REMOVEXATTR, P1(0, 1), BASE, .at = 2,
	    X(3, NA, NA), .f = F_FOLLOW | F_NOFOLLOW_AT | F_EMPTY_AT),
	ROW(inotify_add_watch, .op = SL_FS_WATCH, P1(NA, 1), BASE, .fd = 0,
	    .flags = 2, .f = F_FOLLOW, .special = S_WATCH),
	ROW(fanotify_mark, .op = SL_FS_FANOTIFY, P1(3, 4), BASE, .fd = 0,
	    .flags = 1, X(2, NA, NA), .f = F_FOLLOW | F_NULL_OK,
	    .special = S_FANOTIFY),
#ifdef __NR_stat
	ROW(stat, .op = SL_FS_STAT, P1(NA, 0), BASE, .f = F_FOLLOW),
	ROW(lstat, .op = SL_FS_STAT, P1(NA, 0), BASE),
#endif
	ROW(newfstatat, .op = SL_FS_STAT, P1(0, 1), BASE, .at = 3,
	    .f = F_FOLLOW | F_NOFOLLOW_AT | F_EMPTY_AT),
	ROW(statx, .op = SL_FS_STAT, P1(0, 1), BASE, .at = 2,
	    .f = F_FOLLOW | F_NOFOLLOW_AT | F_EMPTY_AT),
#ifdef __NR_access
	ROW(access, .op = SL_FS_ACCESS, P1(NA, 0), BASE, .mode = 1,
	    .f = F_FOLLOW),
#endif
	ROW(faccessat, .op = SL_FS_ACCESS, P1(0, 1), BASE, .mode = 2,
	    .f = F_FOLLOW),
	ROW(faccessat2, .op = SL_FS_ACCESS, P1(0, 1), BASE, .mode = 2, .at = 3,
	    .f = F_FOLLOW | F_NOFOLLOW_AT | F_EMPTY_AT),
#ifdef __NR_readlink
	ROW(readlink, .op = SL_FS_READLINK, P1(NA, 0), BASE),
#endif
	ROW(readlinkat, .op = SL_FS_READLINK, P1(0, 1), BASE, .f = F_EMPTY_OK),
	ROW(chdir, .op = SL_FS_CHDIR, P1(NA, 0), BASE, .f = F_FOLLOW),
	ROW(getxattr, .op = SL_FS_GETXATTR, P1(NA, 0), BASE, X(1, 2, 3),
	    .f = F_FOLLOW),
	ROW(lgetxattr, .op = SL_FS_GETXATTR, P1(NA, 0), BASE, X(1, 2, 3)),
	ROW(listxattr, .op = SL_FS_LISTXATTR, P1(NA, 0), BASE, X(NA, 1, 2),
	    .f = F_FOLLOW),
	ROW(llistxattr, .op = SL_FS_LISTXATTR, P1(NA, 0), BASE, X(NA, 1, 2)),
	ROW(statfs, .op = SL_FS_STATFS, P1(NA, 0), BASE, .f = F_FOLLOW),
};
#pragma GCC diagnostic pop

static const struct row *row_of(int nr)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (rows[i].nr == nr)
			return &rows[i];
	return NULL;
}

bool sl_fs_is_path_call(int nr)
{
	return row_of(nr) != NULL;
}

/* O_LARGEFILE as the kernel spells it (libc's is 0 on 64-bit). */
#if defined(__x86_64__)
#define SL_O_LARGEFILE 0100000
#elif defined(__aarch64__)
#define SL_O_LARGEFILE 0400000
#endif

/* The open flags openat2 knows (it refuses others, unlike openat), and
 * those it allows with O_PATH. */
#define SL_OPEN_FLAGS                                                          \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |        \
	 O_NONBLOCK | O_DSYNC | O_SYNC | O_ASYNC | O_DIRECT | SL_O_LARGEFILE | \
	 O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH |           \
	 __O_TMPFILE)
#define SL_PATH_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/* openat2's struct open_how, with the checks the kernel makes before
 * anything is looked up (we act on these values, never on a second read
 * of the child's memory). */
static int read_how(const struct sl_notif *n, struct sl_fs_req *r)
{
	const uint64_t known = RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS |
			       RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH |
			       RESOLVE_IN_ROOT | RESOLVE_CACHED;
	uint64_t size = n->req->data.args[3];
	struct open_how how;
	int e;

	if (size < sizeof(how))
		return -EINVAL;
	if (size > 4096)
		return -E2BIG;
	e = sl_notif_read(n, n->req->data.args[2], &how, sizeof(how));
	if (e < 0)
		return e == -ENOENT ? e : -EFAULT;
	/* A larger struct from a newer libc: its tail must be zero. */
	for (uint64_t off = sizeof(how); off < size;) {
		unsigned char tail[256];
		size_t chunk = size - off < sizeof(tail) ? size - off :
							   sizeof(tail);

		e = sl_notif_read(n, n->req->data.args[2] + off, tail, chunk);
		if (e < 0)
			return e == -ENOENT ? e : -EFAULT;
		for (size_t i = 0; i < chunk; i++)
			if (tail[i])
				return -E2BIG;
		off += chunk;
	}
	if (how.flags >> 32 || (how.flags & ~(uint64_t)SL_OPEN_FLAGS) ||
	    ((how.flags & O_PATH) && (how.flags & ~(uint64_t)SL_PATH_FLAGS)) ||
	    how.mode >> 12 ||
	    (how.mode && !(how.flags & (O_CREAT | __O_TMPFILE))) ||
	    (how.resolve & ~known) ||
	    ((how.resolve & RESOLVE_BENEATH) &&
	     (how.resolve & RESOLVE_IN_ROOT)))
		return -EINVAL;
	r->flags = how.flags;
	r->mode = how.mode;
	r->resolve = how.resolve;
	return 0;
}

/* Read path argument i into buf; "" and NULL are judged by the caller. */
static int read_path(const struct sl_notif *n, uint64_t addr, char *buf,
		     bool *null)
{
	int e;

	*null = addr == 0;
	if (*null)
		return 0;
	e = sl_notif_read_str(n, addr, buf, SL_PATH_READ_MAX, NULL);
	return e;
}

static bool acted_on(uint8_t op)
{
	return op == SL_FS_LINK || op == SL_FS_CHMOD || op == SL_FS_CHOWN ||
	       op == SL_FS_UTIMES || op == SL_FS_SETXATTR ||
	       op == SL_FS_REMOVEXATTR;
}

static unsigned allowed_at(uint8_t f)
{
	return ((f & F_NOFOLLOW_AT) ? AT_SYMLINK_NOFOLLOW : 0) |
	       ((f & F_FOLLOW_AT) ? AT_SYMLINK_FOLLOW : 0) |
	       ((f & F_EMPTY_AT) ? AT_EMPTY_PATH : 0);
}

static int decode(const struct sl_notif *n, const struct row *row,
		  struct sl_fs_req *r)
{
	const __u64 *a = n->req->data.args;
	uint64_t at = row->at != NA ? a[row->at] : 0;
	int e;

	r->nr = row->nr;
	r->op = row->op;
	/* The *at flags of the calls performed on behalf: what the kernel
	 * would refuse is refused (the call made then carries only the flags
	 * understood). */
	if (row->at != NA && acted_on(row->op) &&
	    (at & ~(uint64_t)allowed_at(row->f)))
		return -EINVAL;
	r->fd = row->fd != NA ? (int)a[row->fd] : -1;
	r->flags = row->flags != NA ? a[row->flags] : 0;
	r->mode = row->mode != NA ? a[row->mode] : 0;
	for (int i = 0; i < 3; i++)
		r->x[i] = row->x[i] != NA ? a[(int)row->x[i]] : 0;
	switch (row->special) {
	case S_OPENAT2:
		e = read_how(n, r);
		if (e < 0)
			return e;
		break;
	case S_CREAT:
		r->flags = O_CREAT | O_WRONLY | O_TRUNC;
		break;
	case S_RMDIR:
		r->flags = AT_REMOVEDIR;
		break;
	case S_TIMEVAL:
		r->x[1] = SL_TIMES_TIMEVAL;
		break;
	case S_UTIMBUF:
		r->x[1] = SL_TIMES_UTIMBUF;
		break;
	}
	if (row->op == SL_FS_OPEN && row->special != S_OPENAT2)
		r->flags &= 0xffffffffu; /* an int for open and openat */
	if (row->op == SL_FS_SYMLINK) {
		bool null;

		e = read_path(n, r->x[0], r->buf[2], &null);
		if (e < 0 || null)
			return e < 0 ? e : -EFAULT;
		r->target = r->buf[2];
	}
	for (int i = 0; i < 2 && row->path[i] != NA; i++) {
		struct sl_fs_arg *p = &r->a[i];
		bool null;

		r->nargs = (unsigned)i + 1;
		p->dirfd = row->dfd[i] != NA ? (int)a[(int)row->dfd[i]] :
					       AT_FDCWD;
		e = read_path(n, a[(int)row->path[i]], r->buf[i], &null);
		if (e < 0)
			return e;
		p->named = true;
		p->path = r->buf[i];
		p->parent = row->f & (i == 0 ? F_PARENT0 : F_PARENT1);
		if (null) {
			if (!(row->f & F_NULL_OK) || i > 0)
				return -EFAULT;
			p->named = false;
			p->null = true;
			p->path = NULL;
		} else if (!p->path[0]) {
			bool empty_ok =
				(row->f & F_EMPTY_OK) ||
				((row->f & F_EMPTY_AT) && (at & AT_EMPTY_PATH));

			if (!empty_ok || i > 0)
				return -ENOENT;
			p->named = false;
			p->path = NULL;
		}
		if (i == 0) {
			p->follow = row->f & F_FOLLOW;
			if ((row->f & F_NOFOLLOW_AT) &&
			    (at & AT_SYMLINK_NOFOLLOW))
				p->follow = false;
			if ((row->f & F_FOLLOW_AT) && (at & AT_SYMLINK_FOLLOW))
				p->follow = true;
		}
	}
	if (row->op == SL_FS_OPEN) {
		/* O_NOFOLLOW, and O_CREAT|O_EXCL (never through a link). */
		if ((r->flags & O_NOFOLLOW) ||
		    (r->flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
			r->a[0].follow = false;
	} else if (row->special == S_WATCH) {
		if (r->flags & IN_DONT_FOLLOW)
			r->a[0].follow = false;
	} else if (row->special == S_FANOTIFY) {
		if (r->flags & FAN_MARK_DONT_FOLLOW)
			r->a[0].follow = false;
	}
	return 0;
}

void sl_fs_req_free(struct sl_fs_req *r)
{
	if (!r)
		return;
	for (int i = 0; i < 2; i++) {
		if (r->based && r->base[i] >= 0)
			close(r->base[i]);
		free(r->base_rel[i]);
		if (r->res[i].done)
			sl_resolved_clear(&r->res[i].r);
	}
	free(r);
}

static void req_release(void *p)
{
	sl_fs_req_free(p);
}

static void req_init(struct sl_fs_req *r)
{
	r->a[0].dirfd = r->a[1].dirfd = AT_FDCWD;
	r->base[0] = r->base[1] = -1;
}

struct sl_fs_req *sl_fs_req_get(const struct sl_notif *n)
{
	const struct row *row;
	struct sl_fs_req *r;

	if (!n->cache)
		return NULL; /* only the supervisor's notifications carry one */
	if (n->cache->fs)
		return n->cache->fs;
	row = row_of(n->req->data.nr);
	if (!row)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	req_init(r);
	r->err = decode(n, row, r);
	n->cache->fs = r;
	n->cache->release = req_release;
	return r;
}

static const char *rebase(const struct sl_fs_req *from, struct sl_fs_req *to,
			  const char *p)
{
	const char *lo = (const char *)from->buf;
	const char *hi = lo + sizeof(from->buf);

	if (!p || p < lo || p >= hi)
		return p;
	return (const char *)to->buf + (p - lo);
}

struct sl_fs_req *sl_fs_req_dup(const struct sl_fs_req *req)
{
	struct sl_fs_req *r = malloc(sizeof(*r));

	if (!r)
		return NULL;
	memcpy(r, req, sizeof(*r));
	for (int i = 0; i < 2; i++) {
		r->a[i].path = rebase(req, r, req->a[i].path);
		memset(&r->res[i], 0, sizeof(r->res[i]));
	}
	r->target = rebase(req, r, req->target);
	r->based = false;
	r->base[0] = r->base[1] = -1;
	r->base_rel[0] = r->base_rel[1] = NULL;
	return r;
}
