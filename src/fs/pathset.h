/*
 * A set of filesystem locations matched by path and by identity: the
 * fs_denied set, and the read/write grants the supervisor re-checks when it
 * opens on a child's behalf.
 *
 * Each added path is stored lexically normalized and, when it exists, also
 * as its realpath and as its identity (st_dev plus a file handle, which
 * survives hard links and renames).
 */
#ifndef SL_HANDLERS_PATHSET_H
#define SL_HANDLERS_PATHSET_H

#include <fcntl.h>
#include <stdbool.h>
#include <sys/types.h>

#include "util/vec.h"

#define SL_IDENT_HANDLE_MAX 128

struct sl_ident {
	dev_t dev;
	ino_t ino;
	bool dir;
	int htype;
	unsigned hlen; /* 0: no handle on this filesystem, ino decides */
	unsigned char h[SL_IDENT_HANDLE_MAX];
};

int sl_ident_of(int fd, struct sl_ident *id);
bool sl_ident_eq(const struct sl_ident *a, const struct sl_ident *b);

struct sl_pathset {
	struct sl_strv paths; /* normalized, and realpaths */
	struct sl_ident *ids;
	size_t nids;
	bool dir_ids; /* some identity is a directory */
};

/* Add a host path (relative paths are taken from the current directory). */
int sl_pathset_add(struct sl_pathset *s, const char *path, bool identity);
/* Is path (normalized) at or under an entry? */
bool sl_pathset_covers(const struct sl_pathset *s, const char *path);
/* Is an entry at or under path (path would contain it)? */
bool sl_pathset_inside(const struct sl_pathset *s, const char *path);
/* Is the object of fd, or (when directories are in the set) one of its
 * ancestors, an identity of the set? */
bool sl_pathset_holds(const struct sl_pathset *s, int fd);
void sl_pathset_free(struct sl_pathset *s);

#endif
