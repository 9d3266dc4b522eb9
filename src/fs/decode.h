/*
 * Decoding a path-taking notification, once: a table says for each
 * syscall which arguments are directory fds, paths, flags and modes, and
 * whether a final symlink is followed; the decoder applies the *at flags
 * (AT_SYMLINK_NOFOLLOW, AT_SYMLINK_FOLLOW, AT_EMPTY_PATH), reads openat2's
 * struct open_how, and reads every path string from the child exactly
 * once. The result is cached on the notification (struct sl_notif_cache)
 * so that every module of the chain sees the same request.
 *
 * The table covers the calls the view supervises now (opens, exec, the
 * link/rename/unlink/truncate family, metadata writes, watches) and those
 * copy-on-write and chroot emulation will need (mkdir, mknod, symlink,
 * stat, access, readlink, chdir, xattr reads, statfs).
 */
#ifndef SL_FS_DECODE_H
#define SL_FS_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/resolve.h"
#include "supervisor/dispatch.h"

/* Longest path read from a child (PATH_MAX, terminator included). */
#define SL_PATH_READ_MAX 4096

enum sl_fs_op {
	SL_FS_NONE = 0,
	SL_FS_OPEN, /* flags, mode, resolve */
	SL_FS_EXEC,
	SL_FS_UNLINK,	   /* flags: AT_REMOVEDIR for rmdir */
	SL_FS_RENAME,	   /* a[0] -> a[1]; flags: RENAME_* */
	SL_FS_LINK,	   /* a[0] -> a[1] */
	SL_FS_SYMLINK,	   /* target (a string, not resolved) -> a[0] */
	SL_FS_MKDIR,	   /* mode */
	SL_FS_MKNOD,	   /* mode, x[0] = dev */
	SL_FS_TRUNCATE,	   /* x[0] = length */
	SL_FS_CHMOD,	   /* mode */
	SL_FS_CHOWN,	   /* x[0] = uid, x[1] = gid */
	SL_FS_UTIMES,	   /* x[0] = times address, x[1] = its layout */
	SL_FS_SETXATTR,	   /* x[0] = name, x[1] = value, x[2] = size; flags */
	SL_FS_REMOVEXATTR, /* x[0] = name */
	SL_FS_WATCH,	   /* inotify_add_watch: fd, flags = mask */
	SL_FS_FANOTIFY,	   /* fanotify_mark: fd, flags, x[0] = mask */
	SL_FS_STAT,
	SL_FS_ACCESS,
	SL_FS_READLINK,
	SL_FS_CHDIR,
	SL_FS_GETXATTR,
	SL_FS_STATFS,
	SL_FS_LISTXATTR, /* x[1] = list, x[2] = size */
};

/* Layouts of the times argument of SL_FS_UTIMES. */
enum { SL_TIMES_TIMESPEC, SL_TIMES_TIMEVAL, SL_TIMES_UTIMBUF };

/* One path argument. */
struct sl_fs_arg {
	int dirfd;	  /* AT_FDCWD or the child's directory fd */
	bool named;	  /* false: the call names dirfd (or fd) itself */
	bool follow;	  /* a final symlink is followed */
	bool parent;	  /* the last component is a name to create or remove */
	bool null;	  /* a NULL path (the call then acts on an open fd) */
	const char *path; /* read once (NULL when !named) */
};

struct sl_fs_req {
	int nr;
	enum sl_fs_op op;
	int err; /* reading the arguments failed: answer with it */
	unsigned nargs;
	struct sl_fs_arg a[2];
	int fd; /* the child's fd the call acts on (watch, f-calls) */
	/* A module decided the call for the whole filesystem view (the
	 * copy-on-write interception, for what lies in its workdir): the
	 * later filesystem modules leave it alone. */
	bool settled;
	uint64_t flags, mode, resolve;
	uint64_t x[3];
	const char *target; /* SL_FS_SYMLINK */

	/* Filled on demand by the view (view.h), shared by the modules of
	 * the chain, released with the request: where each path argument
	 * starts (an fd of the supervisor, -1 for the child's root), and
	 * each argument's resolution. */
	bool based;
	int base[2];
	char *base_rel[2]; /* a virtual working directory (resolve.h) */
	struct sl_fs_res {
		bool done;
		unsigned how;
		int err;
		struct sl_resolved r;
	} res[2];

	char buf[3][SL_PATH_READ_MAX];
};

/* The decoded request of n (cached on it), or NULL when n's syscall is
 * not path-taking, n carries no cache or memory is short. */
struct sl_fs_req *sl_fs_req_get(const struct sl_notif *n);

/* Is nr decoded by sl_fs_req_get()? */
bool sl_fs_is_path_call(int nr);

/* A copy of the decoded part of req that outlives the notification's
 * chain (for a worker: no fd of the supervisor comes along); release
 * with sl_fs_req_free(). */
struct sl_fs_req *sl_fs_req_dup(const struct sl_fs_req *req);
void sl_fs_req_free(struct sl_fs_req *req);

#endif
