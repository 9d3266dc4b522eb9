/*
 * The copy-on-write interception (docs/behaviour.md 9.3), shared by its files:
 * cow.c (the module, the layer of the merged view, the calls' common
 * steps), cow_open.c (opens and exec), cow_names.c (calls that create,
 * remove or move names), cow_attr.c (metadata: stat, access, readlink,
 * xattrs, their writes, truncate), cow_dir.c (listings and the working
 * directory). docs/cow.md describes the design.
 *
 * Every call is decoded and resolved once by the filesystem view
 * (src/fs/), through the layer below (the merged view), with the child's
 * credentials; what lies in the workdir is decided here and marked
 * settled for the filesystem modules after this one, what lies elsewhere
 * is left to them and to the kernel. Nothing here writes the workdir:
 * staging goes through src/cow/, whose functions stay inside the upper.
 */
#ifndef SL_HANDLERS_COW_H
#define SL_HANDLERS_COW_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "cow/cow.h"
#include "fs/defer.h"
#include "fs/view.h"
#include "supervisor/dispatch.h"

/* A regular file larger than this is copied up in a worker. */
#define SL_COW_LOOP_COPY_MAX (256 * 1024)

struct cow_cwd {
	pid_t tgid;
	char *rel; /* the virtual working directory */
};

struct cow_list; /* a listing being served (cow_dir.c) */

struct cow {
	struct sl_fs_view *v;
	struct sl_cow_branch *b;
	struct sl_resolve_layer layer;
	/* Something was staged: from then on the merged view differs from
	 * the workdir and paths are resolved through the layer. */
	atomic_bool changed;
	struct stat wd, up;   /* the workdir and the upper, by identity */
	int wd_parent;	      /* O_PATH: the workdir's parent */
	bool denials;	      /* fs_deny: check the merged paths */
	bool slow;	      /* the workdir or the storage may wait (network,
			     * FUSE): every decision in a worker */
	pthread_mutex_t lock; /* cwds, lists */
	struct cow_cwd *cwds;
	size_t ncwds;
	struct cow_list *lists;
};

/* Where a path argument lies in the merged view. */
struct cow_loc {
	const struct sl_resolved *res;
	int err;	 /* the resolution's: 0, -ENOENT (name reported), ... */
	bool in;	 /* in the branch */
	bool foreign;	 /* elsewhere, but reached from a virtual working
			* directory: the kernel would not find it */
	const char *rel; /* NULL for a "." or ".." name */
	char *own;	 /* rel when computed here */
	int side;	 /* enum sl_cow_side of rel */
};

static inline struct cow *cow_of(const struct sl_fs_call *c)
{
	return c->v->layer->arg;
}

static inline bool cow_active(struct cow *s)
{
	return atomic_load_explicit(&s->changed, memory_order_acquire);
}

/* Does an open with these flags write (or create, or truncate)? */
bool cow_open_writes(uint64_t fl);

/* About to stage: the merged view differs from here on. */
void cow_mark(struct cow *s);

/* Resolve argument i (SL_RES_* how) and locate it; l->in false: not in
 * the branch (the caller continues). */
int cow_locate(struct sl_fs_call *c, unsigned i, unsigned how,
	       struct cow_loc *l);
void cow_loc_free(struct cow_loc *l);
/* The rel of an object held by fd (an O_PATH or open file of ours), when
 * it is in the branch: 1 with *rel (malloc'd) and *upper (it is stored in
 * the upper). */
int cow_rel_of_fd(struct cow *s, int fd, char **rel, bool *upper);

/* Denials and grants, by the path rel has in the merged view (fd, o: the
 * object when there is one, -1/NULL otherwise). */
int cow_check(struct sl_fs_call *c, const char *rel, int fd,
	      const struct sl_fs_obj *o, enum sl_fs_access a, bool container);

/* The kernel's own walk lands where the merged view does: an existing
 * object of the workdir reached without a staged step or a virtual
 * working directory (the call can then go to the kernel). */
bool cow_kernel_agrees(const struct sl_fs_call *c, const struct cow_loc *l);

/* The call does not concern the branch: on the event loop the chain goes
 * on (0, CONTINUE); in a worker, which answers the notification itself,
 * the filesystem modules after this one decide here as they would have. */
int cow_pass(struct sl_fs_call *c, struct sl_action *out);

/* The call leads out of the branch where the kernel would not get (a
 * foreign location): decided here, performed on the child's behalf on
 * what the resolution found, under the grants. */
int cow_foreign(struct sl_fs_call *c, struct sl_action *out);

/* Mark the call decided here (the later filesystem modules leave it). */
static inline void cow_settle(struct sl_fs_call *c)
{
	c->req->settled = true;
}

/* The child's credentials allow mode (R_OK, W_OK, X_OK) on the object
 * held by fd (AT_EACCESS: the thread's fs ids, the child's). */
int cow_access(int fd, int mode);

/* The ops (sl_fs_op_fn). */
int cow_op_open(struct sl_fs_call *c, unsigned flags, struct sl_action *out);
int cow_op_exec(struct sl_fs_call *c, unsigned flags, struct sl_action *out);
int cow_op_mkdir(struct sl_fs_call *c, unsigned flags, struct sl_action *out);
int cow_op_unlink(struct sl_fs_call *c, unsigned flags, struct sl_action *out);
int cow_op_rename(struct sl_fs_call *c, unsigned flags, struct sl_action *out);
int cow_op_link(struct sl_fs_call *c, unsigned flags, struct sl_action *out);
int cow_op_stat(struct sl_fs_call *c, unsigned flags, struct sl_action *out);
int cow_op_access(struct sl_fs_call *c, unsigned flags, struct sl_action *out);
int cow_op_readlink(struct sl_fs_call *c, unsigned flags,
		    struct sl_action *out);
int cow_op_getxattr(struct sl_fs_call *c, unsigned flags,
		    struct sl_action *out);
int cow_op_meta(struct sl_fs_call *c, unsigned flags, struct sl_action *out);
int cow_op_truncate(struct sl_fs_call *c, unsigned flags,
		    struct sl_action *out);
int cow_op_chdir(struct sl_fs_call *c, unsigned flags, struct sl_action *out);

/* Calls without a path the view decodes (cow_dir.c). */
int cow_getdents(struct cow *s, const struct sl_notif *n,
		 struct sl_action *out);
int cow_fchdir(struct cow *s, const struct sl_notif *n, struct sl_action *out);
int cow_getcwd(struct cow *s, const struct sl_notif *n, struct sl_action *out);

/* The virtual working directory of a process (cow_dir.c). */
char *cow_cwd_get(struct cow *s, pid_t tgid);
int cow_cwd_set(struct cow *s, pid_t tgid, const char *rel);
void cow_cwd_inherit(struct cow *s, pid_t child, pid_t parent);
void cow_forget(struct cow *s, pid_t pid);
void cow_lists_free(struct cow *s);

/* Write into the child's memory, read-only pages included (cow_exec.c). */
int cow_force_write(const struct sl_notif *n, uint64_t addr, const void *buf,
		    size_t len);

/* The process (thread group) of n's task. */
int cow_tgid(struct cow *s, const struct sl_notif *n, pid_t *tgid);

#endif
