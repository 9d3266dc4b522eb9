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
#include <sys/stat.h>
#include <sys/types.h>

#include "fs/object.h"

/*
 * A layered tree: the copy-on-write workdir, whose names are looked up in
 * a merged view (entries staged in an upper directory over the workdir's
 * own, whiteouts hiding some). Inside it the walk goes component by
 * component through the layer's lookups, and ".." follows the tree's own
 * structure (the parent of a staged directory is its merged parent, the
 * parent of the tree's root is the workdir's real parent). Sides are the
 * layer's own numbers (cow.h's enum sl_cow_side).
 */
struct sl_resolve_layer {
	void *arg;
	/* Resolve through the layer (true), or is the merged view still the
	 * workdir itself (false: the kernel's walk is right)? */
	bool (*active)(void *arg);
	/* Is the object fd (o: its statx) the tree's root or inside it?
	 * 1 with *rel (malloc'd, "" for the root) and *side (where it is
	 * stored), 0 when not. Only the roots' identities are compared
	 * unless by_path (a walk's start, a magic link's target: anything
	 * of the tree, a file too), which asks the kernel where fd is. */
	int (*enter)(void *arg, int fd, const struct sl_fs_obj *o, bool by_path,
		     char **rel, int *side);
	/* The entry rel of the merged view (parent: the fd the walk holds
	 * for rel's merged parent and parent_side its side, or -1 when the
	 * walk has none): 0 with *fd (O_PATH, not
	 * followed) of the side that serves it and *st its stat; -ENOENT
	 * when it is absent or deleted; *side in every case, *differs when
	 * the kernel's own lookup in the workdir would not give that answer
	 * (a staged entry, a whiteout). */
	int (*lookup)(void *arg, const char *rel, int parent, int parent_side,
		      int *fd, struct stat *st, int *side, bool *differs);
	/* O_PATH fd of the real parent of the tree's root. */
	int (*up)(void *arg);
	/* The virtual working directory of process tgid inside the tree
	 * (malloc'd rel), or NULL: the kernel's. */
	char *(*cwd)(void *arg, pid_t tgid);
};

struct sl_resolve_ctx {
	pid_t tgid, tid; /* the child, for "self" and "thread-self" */
	int rootfd;	 /* the child's root (O_PATH), -1: the supervisor's */
	/* May magic links owned by this pid be followed? */
	bool (*pid_ok)(void *arg, pid_t pid);
	void *arg;
	struct sl_fd_dir *fddir; /* the resolving thread's */
	bool nonblock; /* RESOLVE_CACHED: -EAGAIN rather than any wait */
	const struct sl_resolve_layer *layer; /* NULL: none */
	/* The walk starts in the layered tree at this rel rather than at
	 * dirfd itself (a virtual working directory), NULL: at dirfd. */
	const char *base_rel;
};

enum {
	SL_RES_FOLLOW = 1 << 0,	    /* follow a symlink in the last component */
	SL_RES_MISSING_OK = 1 << 1, /* a missing last component is reported */
	SL_RES_PARENT = 1 << 2,	    /* resolve up to the last component only */
	/* The kernel's walk only: -ELOOP where procfs would have to be
	 * walked here (a magic link, "self"). */
	SL_RES_KERNEL = 1 << 3,
	SL_RES_AGAIN = 1 << 4, /* (view.h) not the cached resolution */
};

struct sl_resolved {
	int fd;	      /* the object (O_PATH), or -1 */
	int parentfd; /* SL_RES_PARENT, or the missing component's dir */
	char *name;   /* ... and the last component (malloc'd) */
	bool trailing_slash;
	struct sl_fs_obj obj; /* of fd, when fd >= 0 */
	enum sl_fs_kind kind;
	/* Walked through an active layer (ctx.layer): */
	bool layered;	 /* the object (or name) lies in the layered tree,
			  * or the walk failed inside it */
	char *rel;	 /* ... its rel there (NULL for "." or ".." names,
			  * and after a failure) */
	int side;	 /* ... the side serving it (the layer's numbers) */
	int parent_side; /* ... a missing name's: parentfd's side */
	bool touched;	 /* some step went where the kernel's walk would not
			  * (a staged entry, a whiteout, a virtual start) */
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
