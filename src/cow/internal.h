/*
 * Shared between the files of src/cow/: the branch object, the whiteout
 * set, confined path operations, the tree walker, the marker and the
 * escaping of logged paths.
 */
#ifndef SL_COW_INTERNAL_H
#define SL_COW_INTERNAL_H

#include <dirent.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "cow/cow.h"
#include "util/error.h"
#include "util/vec.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* Walks never follow a symlink, never leave the root. */
#define SL_COW_RESOLVE \
	(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

#define SL_COW_UUID_LEN 36
#define SL_COW_MARKER "PRESERVED"
#define SL_COW_MARKER_TMP ".PRESERVED.tmp"
#define SL_COW_LOG "deleted.log"
#define SL_COW_UPPER_DIR "upper"

/* ---- Whiteout set: paths, each possibly still to be applied ------------ */
struct sl_cow_wentry {
	char *path;   /* NULL = free slot */
	bool pending; /* an outstanding deletion (not applied by a commit) */
};

struct sl_cow_wset {
	struct sl_cow_wentry *slots;
	size_t cap, n; /* cap is 0 or a power of two */
};

int sl_cow_wset_add(struct sl_cow_wset *s, const char *path, bool pending);
struct sl_cow_wentry *sl_cow_wset_find(const struct sl_cow_wset *s,
				       const char *path, size_t len);
/* Paths of the set (pending_only: the outstanding ones), sorted. */
int sl_cow_wset_sorted(const struct sl_cow_wset *s, bool pending_only,
		       struct sl_strv *out);
void sl_cow_wset_free(struct sl_cow_wset *s);

/* ---- The branch -------------------------------------------------------- */
struct sl_cow_branch {
	pthread_mutex_t lock; /* whiteouts, log_fd writes, quota ledger */
	char uuid[SL_COW_UUID_LEN + 1];
	char *workdir, *base, *dir, *upper;
	char *storage_rel; /* the base relative to the workdir when it lies
			       * inside it, else NULL */
	int workdir_fd;	   /* O_RDONLY|O_DIRECTORY: root of lower walks,
			       * and the commit lock */
	int base_fd;	   /* the storage base */
	int dir_fd;	   /* the branch directory */
	int upper_fd;	   /* root of upper walks */
	int log_fd;	   /* deleted.log, O_APPEND */
	dev_t base_dev;	   /* identity of the storage base */
	ino_t base_ino;
	struct sl_cow_wset whiteouts;
	/* rels known to be directories of the workdir (lookups of the
	 * merged view; the sandbox cannot change the workdir) */
	struct sl_cow_wset lower_dirs;

	/* quota ledger */
	uint64_t max_disk; /* 0 = unlimited */
	uint64_t used;	   /* last measurement plus reservations since */
	uint64_t walk_ns;  /* duration of the last walk */
	uint64_t walked_at_ns;
	size_t walk_entries;
	bool measured;
};

/* ---- Confined path operations ----------------------------------------- */
int sl_cow_openat2(int dirfd, const char *path, int flags, uint64_t resolve);
/* rel is "" or valid: open it beneath root ("" = root itself). */
int sl_cow_open_beneath(int root, const char *rel, int flags);
/* Directory rel beneath root opened for reading; *d NULL (0 returned)
 * when rel is missing or not a directory there. */
int sl_cow_opendir(int root, const char *rel, DIR **d);
/* readdir without "." and ".."; NULL at the end (errno 0) or on error. */
struct dirent *sl_cow_readdir(DIR *d);
/* O_PATH fd of the parent of rel (non-empty) beneath root; *name = last
 * component of rel. */
int sl_cow_open_parent(int root, const char *rel, const char **name);
/* mkdir -p of rel's parents in the upper (0755, 4096 each). */
int sl_cow_make_parents(struct sl_cow_branch *b, const char *rel);
/* fsync a directory given by an O_PATH (or any) fd. */
int sl_cow_fsync_dir(int fd);
/* Copy the content of src into dst from offset 0: FICLONE, else
 * copy_file_range, else read/write. */
int sl_cow_copy_data(int src, int dst);
/* rel + "/" + name (or name when rel is ""), bounded by PATH_MAX. */
int sl_cow_join(const char *rel, const char *name, char **out);
/* Is a an ancestor of (or equal to) b, component-wise? */
bool sl_cow_path_covers(const char *a, const char *b);

/* ---- Walking a tree ---------------------------------------------------- */
enum {
	SL_COW_WALK_XDEV = 1, /* do not descend into other filesystems */
};

/* Called for every entry below start (not start itself), parents before
 * their children; a non-zero return stops the walk with that value. */
typedef int (*sl_cow_walk_fn)(void *ctx, const char *rel,
			      const struct stat *st);
/* Walk beneath root from start ("" = root). Entries vanishing meanwhile
 * are skipped. skip_dev/skip_ino: a directory never entered nor reported
 * (the storage base when it lies in the tree); 0/0 for none. */
int sl_cow_walk(int root, const char *start, unsigned flags, dev_t skip_dev,
		ino_t skip_ino, sl_cow_walk_fn fn, void *ctx);

struct sl_cow_entry {
	char *rel;
	struct stat st;
};
struct sl_cow_entries {
	struct sl_cow_entry *v;
	size_t n, cap;
};
/* Every entry below start, sorted by rel (byte order: parents first). */
int sl_cow_collect(int root, const char *start, unsigned flags, dev_t skip_dev,
		   ino_t skip_ino, struct sl_cow_entries *out);
void sl_cow_entries_free(struct sl_cow_entries *es);

/* Remove rel beneath root: a directory with its whole subtree (never
 * crossing into another filesystem, never the storage base), anything else
 * with unlink. 0 when it is gone (also when it was already). */
int sl_cow_remove_tree(int root, const char *rel, dev_t skip_dev,
		       ino_t skip_ino);
/* Remove the branch directory: marker_first for an abort. */
int sl_cow_remove_storage(struct sl_cow_branch *b, bool marker_first);

/* ---- Escaping of logged paths ------------------------------------------ */
/* Escape '\\' and '\n' (and '\r' when cr). NULL when out of memory. */
char *sl_cow_escape(const char *s, bool cr);
/* Undo sl_cow_escape on s[0..len); -EINVAL on a bad escape or a NUL. */
int sl_cow_unescape(const char *s, size_t len, char **out);
/* Read the whole of a (bounded) file. */
int sl_cow_read_file(int dirfd, const char *name, size_t max, char **data,
		     size_t *len);

/* ---- The PRESERVED marker ---------------------------------------------- */
struct sl_cow_marker {
	char *reason, *workdir, *upper;
	struct sl_strv deleted; /* outstanding deletions, sorted */
	long long pid;
};

/* Write durably: .PRESERVED.tmp, fsync, rename, fsync of the directory. */
int sl_cow_marker_write(int dir_fd, const struct sl_cow_marker *m);
/* -ENOENT without a marker, -EINVAL for a truncated or malformed one. */
int sl_cow_marker_read(int dir_fd, struct sl_cow_marker *m);
void sl_cow_marker_free(struct sl_cow_marker *m);
/* The branch's marker with this reason and its outstanding deletions. */
int sl_cow_write_marker(struct sl_cow_branch *b, const char *reason);

/* Append one escaped line to deleted.log (b->lock held). */
int sl_cow_log_append(struct sl_cow_branch *b, const char *rel);
/* Read deleted.log into the whiteout set (pending as given). */
int sl_cow_log_load(struct sl_cow_branch *b, bool pending);

/* Monotonic nanoseconds. */
uint64_t sl_cow_now_ns(void);

#endif
