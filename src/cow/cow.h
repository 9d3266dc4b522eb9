/*
 * Copy-on-write branches of a workdir (docs/behaviour.md 9): the storage of the
 * staged writes, the merged view over it, copy-up, whiteouts, the disk
 * quota, the change list, and commit / abort / keep with a crash-safe
 * commit protocol. docs/cow.md describes the layout and the protocol.
 *
 * This module knows nothing about notifications. The interception of the
 * child's file calls (the filesystem view) decodes and resolves each path
 * once, then calls the functions below with a *relative path* ("rel"):
 * the path inside the workdir, without a leading '/', without "." or ".."
 * components, without empty components, "" for the workdir itself. A rel
 * must never contain a symlink in a directory component: the view resolves
 * symlinks, and every function here walks the upper and the workdir with
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS),
 * so a component swapped for a symlink by anyone fails (ELOOP) instead of
 * leading out of the tree. Functions return 0 (or a documented non-negative
 * value) or -errno; those taking a struct sl_error fill it with a message
 * that names the offending value.
 *
 * Credentials: functions that create entries in the upper (copy-up, mkdir,
 * symlink, mknod, whiteout stubs, upper opens) act with the calling
 * thread's credentials. The interception calls them on a worker thread that
 * has taken the child's fsuid/fsgid/groups, so staged files belong to whom
 * the child is, and the kernel's permission checks are the child's.
 *
 * Threads: during a run, every function except commit/abort/keep/free may
 * be called from several threads at once (the whiteout set, the deleted
 * log and the quota ledger are behind the branch's mutex; entries in the
 * upper are created with EEXIST-tolerant, all-or-nothing steps: a copied
 * file appears under its name only once complete). commit, abort, keep,
 * sl_cow_changes and sl_cow_branch_free run after the child is gone and
 * the interception has stopped.
 */
#ifndef SL_COW_COW_H
#define SL_COW_COW_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "util/error.h"
#include "util/vec.h"

struct sl_cow_branch;

/* ---- Storage and branches (docs/behaviour.md 9.1) ---------------------- */

struct sl_cow_config {
	const char *workdir;	/* as configured; canonicalized here */
	const char *fs_storage; /* storage base, NULL = the default base */
	uint64_t max_disk;	/* quota of the upper in bytes, 0 = none */
};

/*
 * Create a fresh branch <base>/<uuid-v4>/{upper/,deleted.log}. Checks, in
 * this order and before creating anything: the workdir exists and is a
 * directory; the storage base (fs_storage verbatim, else the default base:
 * $XDG_RUNTIME_DIR/sandlock-cow when XDG_RUNTIME_DIR is set and uid ==
 * euid, else $TMPDIR/sandlock-cow-<uid>, TMPDIR defaulting to /tmp) is not
 * a symlink, is a directory, is not writable by group or others, belongs
 * to us (or root for an explicit base; a default base must belong to us and
 * have no group or other bits at all, an unacceptable XDG base falls back
 * to the tmp base); the workdir is not inside the base. A missing base is
 * then created 0700 (its parent must exist). Errors name the value.
 */
int sl_cow_branch_create(const struct sl_cow_config *c,
			 struct sl_cow_branch **out, struct sl_error *e);

/*
 * Reopen a preserved branch (a directory <base>/<uuid> with a valid
 * PRESERVED marker) to commit, abort or list it again. The workdir comes
 * from the marker; the outstanding deletions are the marker's. No quota.
 */
int sl_cow_branch_open(const char *dir, struct sl_cow_branch **out,
		       struct sl_error *e);

/* Release the object; the storage is left as it is. NULL-safe. */
void sl_cow_branch_free(struct sl_cow_branch *b);

const char *sl_cow_workdir(const struct sl_cow_branch *b); /* canonical */
const char *sl_cow_dir(const struct sl_cow_branch *b);	   /* <base>/<uuid> */
const char *sl_cow_upper(const struct sl_cow_branch *b);   /* <dir>/upper */
const char *sl_cow_base(const struct sl_cow_branch *b);	   /* canonical base */

/* A preserved branch found under a storage base (recovery). */
struct sl_cow_preserved {
	char *dir;    /* <base>/<uuid> */
	char *reason; /* kept | commit-deferred | merge-interrupted */
	char *workdir;
	long long pid; /* process that wrote the marker */
};

/* Every branch of base with a valid marker (a truncated marker is
 * ignored), sorted by directory name. base NULL = the default base. */
int sl_cow_preserved_list(const char *base, struct sl_cow_preserved **v,
			  size_t *n, struct sl_error *e);
void sl_cow_preserved_free(struct sl_cow_preserved *v, size_t n);

/* ---- Scope and the merged view (docs/behaviour.md 9.2) ----------------- */

/*
 * Is the normalized absolute path abs in the branch? 1 with *rel pointing
 * into abs ("" for the workdir itself) when abs is the workdir or below
 * it, or inside the upper (mapped back to its workdir equivalent); 0 when
 * it is elsewhere, inside the storage base, or not normalized.
 */
int sl_cow_scope(const struct sl_cow_branch *b, const char *abs,
		 const char **rel);

/* Is rel a valid relative path as described above? ("" accepted.) */
bool sl_cow_rel_valid(const char *rel);

/* Does a whiteout cover rel (rel itself or an ancestor deleted)? */
bool sl_cow_covered(struct sl_cow_branch *b, const char *rel);

/* Deleted in the merged view: covered and no upper entry at exactly rel. */
bool sl_cow_is_deleted(struct sl_cow_branch *b, const char *rel);

/* lstat of rel in the upper / in the workdir, confined (no symlink
 * followed, not even the last component). -ENOENT when absent. */
int sl_cow_upper_stat(const struct sl_cow_branch *b, const char *rel,
		      struct stat *st);
int sl_cow_lower_stat(const struct sl_cow_branch *b, const char *rel,
		      struct stat *st);

/* Which side serves rel (read resolution). */
enum sl_cow_side {
	SL_COW_ABSENT = 0,  /* neither side has it */
	SL_COW_UPPER = 1,   /* the upper has an entry (dangling symlink too) */
	SL_COW_LOWER = 2,   /* the workdir has it, no whiteout covers it */
	SL_COW_DELETED = 3, /* covered by a whiteout, not re-created */
};
/* Returns an enum sl_cow_side (st filled for UPPER and LOWER; may be
 * NULL) or -errno (e.g. -ELOOP for a symlinked directory component). */
int sl_cow_resolve(struct sl_cow_branch *b, const char *rel, struct stat *st);

/*
 * The entry rel of the merged view, for a resolver walking it component
 * by component (fs/resolve.h): 0 with *fd, an O_PATH descriptor of the
 * entry (not followed) on the side that serves it and *st its stat, or
 * -ENOENT when it is
 * absent or deleted; *side (enum sl_cow_side) in every case, *differs
 * when the workdir alone would not give that answer (a staged entry other
 * than a copied directory, a whiteout). "" is the workdir itself.
 * parent (-1: none) is an fd of rel's merged parent, as this returned it
 * with parent_side: lookups then start from it rather than from the
 * roots.
 */
int sl_cow_lookup(struct sl_cow_branch *b, const char *rel, int parent,
		  int parent_side, int *fd, struct stat *st, int *side,
		  bool *differs);

/* Does the merged listing of directory rel differ from the workdir's
 * (an upper entry at rel, or a whiteout below it)? */
bool sl_cow_dir_changed(struct sl_cow_branch *b, const char *rel);

/* rel opened (openat2 flags, O_NOFOLLOW added) confined in the upper or
 * the workdir. */
int sl_cow_upper_open(const struct sl_cow_branch *b, const char *rel,
		      int flags);
int sl_cow_lower_open(const struct sl_cow_branch *b, const char *rel,
		      int flags);

/* fstat of the workdir (upper: of the upper directory). */
int sl_cow_root_stat(const struct sl_cow_branch *b, bool upper,
		     struct stat *st);
/* O_PATH descriptor of the workdir's parent directory. */
int sl_cow_workdir_parent(const struct sl_cow_branch *b);

/*
 * O_PATH descriptor of rel's parent directory in the upper (parents
 * created 0755 when create, each charged 4096 bytes of quota) or in the
 * workdir; *name points at rel's last component. For the *at() calls the
 * interception makes itself (open of an upper file with the child's flags,
 * rename inside the upper, link, fchmodat...). rel must not be "".
 */
int sl_cow_upper_parent(struct sl_cow_branch *b, const char *rel, bool create,
			const char **name);
int sl_cow_lower_parent(const struct sl_cow_branch *b, const char *rel,
			const char **name);

/* One entry of a merged directory listing. */
struct sl_cow_dirent {
	char *name;
	unsigned char type; /* DT_* */
	ino_t ino;
	bool upper; /* served by the upper */
};
struct sl_cow_dirents {
	struct sl_cow_dirent *v;
	size_t n, cap;
};

/*
 * The merged listing of directory rel: upper entries, plus workdir entries
 * not covered by a whiteout (none at all when rel itself was deleted and
 * re-created: opaque), never the storage base; sorted by name, without
 * "." and "..". -ENOENT when rel is deleted or absent, -ENOTDIR when it is
 * not a directory in the merged view.
 */
int sl_cow_list(struct sl_cow_branch *b, const char *rel,
		struct sl_cow_dirents *out);
void sl_cow_dirents_free(struct sl_cow_dirents *d);

/* ---- Staging (docs/behaviour.md 9.3) ----------------------------------- */

enum sl_cow_copied {
	SL_COW_UP_PRESENT = 0, /* the upper already had rel */
	SL_COW_UP_COPIED = 1,  /* rel copied from the workdir */
	SL_COW_UP_EMPTY = 2,   /* nothing to copy (whiteout, lower absent or
				* unreadable): parents exist, rel does not */
	SL_COW_UP_STUB = 3,    /* special file: empty 0600 regular stub
				* created and the lower whited out */
};

/*
 * Copy rel up into the upper, creating its parents. Regular file: full
 * content (a reflink where the filesystem can, else copy_file_range),
 * mode, times, and owner when the thread may set it (else set-id bits are
 * dropped); the copy appears under its name only once complete. Symlink:
 * recreated verbatim. Directory: created with the lower's mode (its
 * content is not copied, see sl_cow_copy_up_tree). FIFO, socket, device:
 * a stub (the special file is never opened). The file's size is reserved
 * first (-ENOSPC over quota) and given back if the copy fails. Returns an
 * enum sl_cow_copied or -errno.
 */
int sl_cow_copy_up(struct sl_cow_branch *b, const char *rel);

/* sl_cow_copy_up, except that a regular file's content is not copied (it
 * is about to be truncated): an empty file with its metadata. */
int sl_cow_copy_up_empty(struct sl_cow_branch *b, const char *rel);

/* sl_cow_copy_up of rel and, for a directory, of every entry of its merged
 * subtree (for a rename of a directory). */
int sl_cow_copy_up_tree(struct sl_cow_branch *b, const char *rel);

/* mkdir in the upper (parents 0755), charged 4096. -EEXIST if present. */
int sl_cow_mkdir(struct sl_cow_branch *b, const char *rel, mode_t mode);
/* symlink in the upper, charged 256. -EEXIST if present. */
int sl_cow_symlink(struct sl_cow_branch *b, const char *target,
		   const char *rel);
/* mknod in the upper: regular, FIFO or socket only (else -EPERM). */
int sl_cow_mknod(struct sl_cow_branch *b, const char *rel, mode_t mode);
/* Remove rel's upper entry (a directory must be empty). -ENOENT if none. */
int sl_cow_remove_upper(struct sl_cow_branch *b, const char *rel);
/*
 * Delete rel in the merged view, once the caller has checked it may
 * (type, emptiness): its upper entry goes, and a whiteout is recorded when
 * the workdir has an entry there that no whiteout hides yet (an entry
 * created and deleted in the run leaves no trace).
 */
int sl_cow_remove(struct sl_cow_branch *b, const char *rel);

/*
 * Record that rel is deleted in the merged view: appended to deleted.log
 * and to the in-memory set. An upper entry re-created at rel later shadows
 * it. -EBUSY for the workdir itself or a path containing the storage base.
 */
int sl_cow_whiteout(struct sl_cow_branch *b, const char *rel);

/* ---- Quota (docs/behaviour.md 4.5) ------------------------------------- */

#define SL_COW_DIR_CHARGE 4096
#define SL_COW_SYMLINK_CHARGE 256

/* Charge n bytes; -ENOSPC when usage + n would exceed max_disk. */
int sl_cow_quota_reserve(struct sl_cow_branch *b, uint64_t n);
/* Give back a reservation that did not materialize. */
void sl_cow_quota_release(struct sl_cow_branch *b, uint64_t n);
/*
 * Before a write-open: re-measure the upper (files by size, 4096 per
 * directory, 256 per symlink) so growth through already-open descriptors
 * counts, then -ENOSPC if the quota is used up. Small uppers are measured
 * every time; a large one at most once per ten times the duration of its
 * last walk (so measuring costs at most a tenth of the time), unless
 * force. Always 0 without a quota.
 */
int sl_cow_quota_check(struct sl_cow_branch *b, bool force);
/* Bytes charged now (measured plus reserved since). */
uint64_t sl_cow_quota_used(struct sl_cow_branch *b);
/* The upper's size by the rule above (a walk). */
int sl_cow_measure(const struct sl_cow_branch *b, uint64_t *bytes);

/* ---- Change list (docs/behaviour.md 9.4) ------------------------------- */

struct sl_cow_change {
	char kind;  /* 'A' added, 'M' modified, 'D' deleted */
	char *path; /* relative to the workdir */
};
struct sl_cow_changes {
	struct sl_cow_change *v;
	size_t n, cap;
};

/*
 * Non-directories of the upper: 'A' when a whiteout covers them or the
 * workdir lacks them, else 'M'; then outstanding whiteouts not re-created
 * in the upper, 'D', one line for a deleted directory (nothing below it).
 * Each group sorted by byte order.
 */
int sl_cow_changes(struct sl_cow_branch *b, struct sl_cow_changes *out);
void sl_cow_changes_free(struct sl_cow_changes *c);

/* ---- Commit / abort / keep (docs/behaviour.md 9.6) --------------------- */

#define SL_COW_LOCK_TIMEOUT_MS 5000
#define SL_COW_LOCK_TIMEOUT_TXN_MS 30000

/*
 * Merge the branch into the workdir and remove the storage:
 *  1. nothing staged and nothing to delete: remove the storage, done;
 *  2. flock(LOCK_EX|LOCK_NB) the workdir, polled every 20 ms up to
 *     lock_timeout_ms; failing that, marker "commit-deferred", -EAGAIN
 *     (message "commit deferred: ...");
 *  3. marker "merge-interrupted" with the outstanding deletions, fsynced,
 *     before the workdir is touched;
 *  4. deletions, each confirmed gone, parents fsynced, marker refreshed;
 *  5. additions in byte order, each removed from the upper as it lands
 *     (renamed when upper and workdir share a filesystem, else copied to
 *     a temporary and renamed into place);
 *  6. storage removed, the marker last.
 * Any failure leaves the storage (and marker) in place: commit may be
 * retried, also from another process through sl_cow_branch_open, and
 * completes what an interrupted attempt started.
 */
int sl_cow_commit(struct sl_cow_branch *b, unsigned lock_timeout_ms,
		  struct sl_error *e);
/* Remove the storage (the marker first: a half-removed branch is never
 * committable). */
int sl_cow_abort(struct sl_cow_branch *b, struct sl_error *e);
/* Leave the storage and write the marker with reason "kept". */
int sl_cow_keep(struct sl_cow_branch *b, struct sl_error *e);

/* Anything to commit: an upper entry or an outstanding deletion. */
int sl_cow_has_changes(struct sl_cow_branch *b);

/* ---- End of a run ------------------------------------------------------ */

enum sl_cow_outcome {
	SL_COW_OUTCOME_SUCCESS,	 /* exited with code 0 */
	SL_COW_OUTCOME_FAILURE,	 /* non-zero code, signal, kill, timeout */
	SL_COW_OUTCOME_UNWAITED, /* never waited for */
};

/* The branch action (enum sl_branch_action) for an outcome: on_exit for a
 * success, on_error otherwise; never waited: keep if either is keep, else
 * abort. */
uint8_t sl_cow_action_for(uint8_t on_exit, uint8_t on_error,
			  enum sl_cow_outcome o);
/* Apply a branch action (commit with the default lock timeout). */
int sl_cow_finish(struct sl_cow_branch *b, uint8_t action, struct sl_error *e);

struct sl_policy;

/* The copy-on-write side of one run: the branch and its two actions. */
struct sl_cow_run {
	struct sl_cow_branch *branch;
	uint8_t on_exit, on_error; /* enum sl_branch_action */
};

/*
 * Before the child is created: a branch for a policy with a workdir
 * (*out = NULL without one). dry_run forces both actions to abort.
 */
int sl_cow_run_begin(const struct sl_policy *p, bool dry_run,
		     struct sl_cow_run **out, struct sl_error *e);
/*
 * After the child and the supervisor are gone: collect the change list
 * into changes (when non-NULL), apply the action for the outcome, release
 * cr (NULL-safe, 0). A failed commit leaves the branch preserved and
 * returns -errno with a message ("commit deferred: ..." for a busy lock).
 */
int sl_cow_run_end(struct sl_cow_run *cr, enum sl_cow_outcome o,
		   struct sl_cow_changes *changes, struct sl_error *e);
/* The run never started: remove the branch and release cr (NULL-safe). */
void sl_cow_run_discard(struct sl_cow_run *cr);

#endif
