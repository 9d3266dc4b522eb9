/*
 * A set of filesystem locations matched by path and by identity: the deny
 * set of a run (fs_deny plus the sensitive /proc and /sys entries), and
 * the read/write grants the supervisor re-applies when it acts on a
 * child's behalf.
 *
 * Each added path is stored lexically normalized and, when it exists, also
 * as its realpath and, on request, as its identity (device, inode and file
 * handle, which survive hard links and renames). Entries can be removed
 * again (a run's deny set changes at run time), with everything their
 * addition brought in.
 */
#ifndef SL_FS_PATHSET_H
#define SL_FS_PATHSET_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "fs/object.h"

#define SL_IDENT_HANDLE_MAX 128

struct sl_ident {
	dev_t dev;
	ino_t ino;
	uint64_t mnt_id; /* the mount it was found through */
	bool dir;
	uint32_t nlink; /* when it was added */
	int htype;
	unsigned hlen; /* 0: no handle on this filesystem, ino decides */
	unsigned char h[SL_IDENT_HANDLE_MAX];
	unsigned origin; /* the addition that brought it */
	/* where this name of it is (a file with other links): the
	 * directory's identity and the name's hash; placed false when not
	 * known */
	bool placed;
	dev_t pdev;
	ino_t pino;
	uint64_t name_hash;
};

int sl_ident_of(int fd, struct sl_ident *id);
bool sl_ident_eq(const struct sl_ident *a, const struct sl_ident *b);

struct sl_pathset_path {
	char *path;
	unsigned origin;
};

struct sl_pathset {
	struct sl_pathset_path *paths; /* normalized, realpaths, link targets */
	size_t npaths;
	struct sl_ident *ids;
	size_t nids;
	bool dir_ids; /* some identity is a directory */
	unsigned next_origin;
};

enum {
	/* Record identities: the path's own, and (for a directory) those of
	 * the files inside it that have other names (hard links). */
	SL_PATHSET_IDENTITY = 1 << 0,
	/* For a directory: the symlinks directly inside it stand for what
	 * they point to (/sys/class/net/<if> -> the device's directory), so
	 * their targets join the set too. */
	SL_PATHSET_LINK_TARGETS = 1 << 1,
	/* With IDENTITY, for a directory: a scan for other names stopped by
	 * its bounds is -E2BIG (the set would miss the files past them). */
	SL_PATHSET_COMPLETE = 1 << 2,
};

/* Add a host path (relative paths are taken from the current directory).
 * An empty path is -EINVAL. */
int sl_pathset_add(struct sl_pathset *s, const char *path, unsigned flags);
/* Remove what adding path brought in; -ENOENT if it was never added. */
int sl_pathset_remove(struct sl_pathset *s, const char *path);
/* Is path (normalized) at or under an entry? */
bool sl_pathset_covers(const struct sl_pathset *s, const char *path);
/* Is an entry at or under path (path would contain it)? */
bool sl_pathset_inside(const struct sl_pathset *s, const char *path);
/* Is the object of fd (o: its statx) one of the identities, or inside a
 * directory of the set that its path does not show (another mount of the
 * same filesystem)? Fails closed when it cannot tell. */
bool sl_pathset_holds(const struct sl_pathset *s, int fd,
		      const struct sl_fs_obj *o, struct sl_fd_dir *d);
/* May an object of the first `origins` additions be reached by a path
 * that is not its own, which Landlock would grant: a file with other
 * links not all of which the set names (as entries, or found inside a
 * directory entry), or an object of a filesystem mounted more than once
 * (a bind mount)? True when it cannot tell. */
bool sl_pathset_aliased(const struct sl_pathset *s, unsigned origins);
/* The same, telling which addition (its origin), or -1; -ENOMEM when it
 * cannot tell. */
int sl_pathset_aliased_at(const struct sl_pathset *s, unsigned origins);
void sl_pathset_free(struct sl_pathset *s);

/* Bounds on the scan below: what one stat per entry does in about a
 * second on a cached tree; a denied tree past them is refused
 * (SL_PATHSET_COMPLETE, sl_fs_deny_searchable in fs/holes.h). */
#define SL_SCAN_MAX_ENTRIES (1u << 20)
#define SL_SCAN_MAX_DEPTH 64u

/* The files below the directory dir that have other links (hard links):
 * fn(arg, an O_PATH fd of each, the directory it was found in (its
 * stat, NULL when it cannot be taken), its name there; valid during the
 * call), -errno from it stops.
 * Bounded in entries and depth. -errno, or SL_SCAN_* flags: what the
 * walk did not see. */
enum {
	SL_SCAN_BOUNDED = 1 << 0, /* past a bound */
	SL_SCAN_MOUNTS = 1 << 1,  /* another filesystem mounted inside (seen) */
};
typedef int (*sl_linked_fn)(void *arg, int fd, const struct stat *dir,
			    const char *name);
int sl_pathset_scan_linked(int dir, sl_linked_fn fn, void *arg);

#endif
