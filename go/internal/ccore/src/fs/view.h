/*
 * The filesystem view of a run: one object every filesystem module of the
 * supervisor shares (the fs_deny and /proc denials, metadata gating,
 * watches; copy-on-write and chroot emulation later).
 *
 * It holds the run's deny set (fs_deny, the sensitive /proc and /sys
 * entries and what they stand for, changeable at run time) and the grants,
 * the child-credential cache, and the per-call context: one notification
 * decoded once (decode.h), its paths' starting points taken from the
 * child (its root, its cwd, its dirfd with pidfd_getfd), resolved as the
 * kernel would (resolve.h) with the child's credentials (creds.h), and the
 * objects checked and acted on by the operations of ops.h.
 */
#ifndef SL_FS_VIEW_H
#define SL_FS_VIEW_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "fs/creds.h"
#include "fs/decode.h"
#include "fs/holes.h"
#include "fs/object.h"
#include "fs/pathset.h"
#include "fs/resolve.h"
#include "supervisor/dispatch.h"

struct sl_fs_view {
	struct sl_supervisor *sv;
	const struct sl_policy *p;
	pthread_rwlock_t lock; /* the sets below: run-time changes, workers */
	bool sets_ready;       /* built on first use (most runs never ask) */
	int sets_err;
	struct sl_pathset deny, read, write;
	/* A copy-on-write run (sl_fs_view_cow): the workdir and the storage
	 * base, which nothing performed on behalf may write (the interception
	 * stages the workdir's writes itself), and the layer that resolves
	 * the merged view. */
	char *cow_workdir, *cow_storage;
	const struct sl_resolve_layer *layer;
	/* What the child's ruleset built around its holes (fs/holes.h):
	 * what Landlock leaves to the supervisor. NULL: nothing. */
	const struct sl_fs_built *built;
	struct sl_creds_cache *creds;
	atomic_uint live_denials; /* paths a policy callback denied */
	bool root_checked;
	int rootfd; /* the child's root when not ours, else -1 */
	bool foreign_userns;
	struct sl_fd_dir fddir; /* the loop thread's */
};

/* creds: how the children's credentials are kept, as the run notifies
 * the syscalls that change them (fs/creds.h). */
int sl_fs_view_new(struct sl_supervisor *sv, const struct sl_policy *p,
		   enum sl_creds_mode creds, struct sl_fs_view **out);
void sl_fs_view_free(struct sl_fs_view *v);

/* A copy-on-write run: the workdir and storage base (canonical; storage
 * denied to the child from now on) and the layer of the merged view
 * (fs/resolve.h, used by every resolution of the run; it must outlive
 * the view). Called by the interception's module at its start. */
int sl_fs_view_cow(struct sl_fs_view *v, const char *workdir,
		   const char *storage, const struct sl_resolve_layer *layer);

/* The deny set at run time (a path, as for fs_deny): effective for the
 * next decision. */
int sl_fs_view_deny(struct sl_fs_view *v, const char *path);
int sl_fs_view_allow(struct sl_fs_view *v, const char *path);
/* May a file of fs_deny be reached by another name that Landlock grants
 * (pathset.h's sl_pathset_aliased, unless the ruleset found every other
 * name and left it out: fs/aliases.h)? Then an exec of it is checked by
 * identity on a sandbox held still. True when the deny set cannot be
 * built. */
bool sl_fs_view_deny_aliased(struct sl_fs_view *v);
/* Does an fs_deny entry that did not exist when the run's ruleset was
 * built (no hole: the kernel grants it) exist now? An exec must then be
 * held still to be refused (handlers/freeze.c). */
bool sl_fs_view_deny_late(const struct sl_fs_view *v);

/* ---- one call ------------------------------------------------------------ */

struct sl_worker_job;

struct sl_fs_call {
	struct sl_fs_view *v;
	const struct sl_notif *n;
	struct sl_fs_req *req;
	const struct sl_creds *creds;
	int pidfd; /* the task's; owned by the creds cache */
	struct sl_resolve_ctx rc;
	struct sl_fd_dir *fddir;
	int base[2]; /* where each path argument starts */
	struct sl_creds_saved saved;
	bool entered;
	uint64_t consulted;	   /* the capabilities matched on entering */
	bool nonblock;		   /* on the event loop: never wait */
	int own_root;		   /* a worker's copy of the child's root */
	struct sl_worker_job *job; /* in a worker: its job */
};

/* Decode n, take the child's credentials and the starting points of its
 * path arguments (confirmed to come from the notifying task). -errno is
 * the answer (the kernel's own error for a bad argument). On the event
 * loop (nonblock) the run's credential cache and fd directory serve; a
 * worker brings its own (an uncached one). */
int sl_fs_call_begin(struct sl_fs_call *c, struct sl_fs_view *v,
		     const struct sl_notif *n, struct sl_creds_cache *creds,
		     struct sl_fd_dir *fddir, bool nonblock);
/* The same on the event loop, with the run's own (creds: another cache
 * of the loop's, NULL for the view's). */
int sl_fs_call_begin_loop(struct sl_fs_call *c, struct sl_fs_view *v,
			  const struct sl_notif *n,
			  struct sl_creds_cache *creds);
/* Back to the supervisor's own credentials: 0, or -errno when they could
 * not be restored (the thread then acts for no sandbox again, fs/creds.h;
 * what the call did stands). */
int sl_fs_call_end(struct sl_fs_call *c);

/* Act as the child from here on (until sl_fs_call_end). */
int sl_fs_call_as_child(struct sl_fs_call *c);
/* The same for a step whose kernel checks consult only the capabilities
 * in consulted (fs/creds.h); a later call asking for more switches
 * again. */
int sl_fs_call_as_child_consulting(struct sl_fs_call *c, uint64_t consulted);

/* Resolve path argument i (SL_RES_* how): *out is owned by the request
 * and shared with the other modules of the chain that resolve it the
 * same way, until the next resolution of i another way (SL_RES_AGAIN:
 * afresh, the same way). */
int sl_fs_call_resolve(struct sl_fs_call *c, unsigned i, unsigned how,
		       const struct sl_resolved **out);

/* The child's fd (pidfd_getfd; sl_notif_getfd's O_PATH reopen where the
 * environment refuses it). */
int sl_fs_call_getfd(struct sl_fs_call *c, int childfd);
/* The open flags (F_GETFL) of the child's childfd, of which fd is ours
 * (sl_fs_call_getfd): fd's own, or the child's where fd is an O_PATH
 * reopen. -errno. */
int sl_fs_call_fd_flags(struct sl_fs_call *c, int childfd, int fd);

/* -EAGAIN when the call runs on the event loop and fd lies on a
 * filesystem whose operations may wait (network, FUSE): the caller then
 * goes to a worker. */
int sl_fs_call_may_wait(const struct sl_fs_call *c, int fd);

/* ---- decisions ------------------------------------------------------------- */

enum sl_fs_access {
	SL_FS_ACC_NONE,	 /* any object the child may name (denials only) */
	SL_FS_ACC_READ,	 /* under a read or write grant */
	SL_FS_ACC_WRITE, /* under a write grant */
};

/* May the child have access to the object fd (o: its statx)? 0, or
 * -EACCES when it is denied or the grants do not reach it. *path (may be
 * NULL) receives the object's kernel path. */
int sl_fs_check(struct sl_fs_view *v, struct sl_fd_dir *d, int fd,
		const struct sl_fs_obj *o, enum sl_fs_access a, char **path);

/* May the child create (or remove) name in the directory parentfd? The
 * directory needs a write grant (Landlock's directory rights), the new
 * path must not be denied, nor contain a denied path (a directory moved
 * or removed as a whole). -EACCES otherwise. */
int sl_fs_check_name(struct sl_fs_view *v, struct sl_fd_dir *d, int parentfd,
		     const char *name, bool container);

/* A copy-on-write object, checked by the path it has in the merged view
 * (path: absolute, normalized) rather than by where it is stored: denied
 * by path, or (fd >= 0, o its statx: a workdir object) by identity, or
 * (container) holding a denied path; a under the grants. -EACCES. */
int sl_fs_check_virtual(struct sl_fs_view *v, struct sl_fd_dir *d,
			const char *path, int fd, const struct sl_fs_obj *o,
			enum sl_fs_access a, bool container);

/* Does the object (a directory about to move or go) contain a denied
 * path? */
bool sl_fs_contains_denied(struct sl_fs_view *v, const char *path);

/* The calling thread is a worker running job (NULL: no longer): its uses
 * of the run's state are bracketed by the job's hold on the run. */
void sl_fs_view_worker(struct sl_worker_job *job);

/* Does the supervisor serve the object rather than Landlock, which was
 * not given it: procfs (when the view supervises /proc), the directories
 * on the way to a directory left out of the grants, and what was created
 * below the directories on the way to a hole after the ruleset was
 * built? d: the calling thread's fd directory (fs/object.h), or NULL. */
bool sl_fs_served(struct sl_fs_view *v, struct sl_fd_dir *d,
		  const struct sl_resolved *r);
/* Did the ruleset expand a grant around holes (then some directories or
 * new entries are served: fsdeny's look at them)? */
bool sl_fs_view_expands(struct sl_fs_view *v);

/* The same for a directory in which a name is created or removed: also
 * the directories on the way to a hole themselves (Landlock gives what is
 * created there no file right, and lets nothing change those on the way
 * to the copy-on-write workdir or storage). */
bool sl_fs_served_dir(struct sl_fs_view *v, struct sl_fd_dir *d,
		      const struct sl_resolved *dir);

#endif
