/*
 * Holes in the grants: what a Landlock ruleset must leave out of a grant
 * that contains it, so that the kernel itself refuses it, race-free and
 * without a notification.
 *
 * Landlock rules grant a whole tree. A grant that contains a hole is
 * therefore expanded: each directory on the way from the grant down to
 * the hole gets only its directory rights (list, create, remove), each
 * other entry of those directories the grant's full rights, the hole
 * nothing. A file in a hole cannot be read, written, truncated or
 * executed by the kernel; a new entry created later directly in one of
 * the directories on the way gets no file rights from Landlock either (the
 * supervisor, which performs opens on behalf there, serves it; exec of it
 * is refused). Directories on the way to a hole that is itself a
 * directory are not even listable through Landlock (listing rights are
 * inherited by the hole): the supervisor serves their opens.
 *
 * The holes: the fs_deny entries that exist (others can only come into
 * being through calls the supervisor performs), the sensitive /sys entries
 * and what /sys/class/net's links point to, /proc as a whole when a
 * grant reaches it (the supervisor serves /proc), and procfs or sysfs
 * mounted anywhere else a grant reaches (fs/aliases.h: nobody serves
 * those).
 *
 * A copy-on-write run adds two (sl_fs_holes_add_cow): its storage base,
 * out of the sandbox's reach whatever grant covers it (no right at all),
 * and its workdir, which a write grant reaches only with its read rights.
 * For these two, a write grant's directories on the way get no right that
 * changes a tree either (no create, remove or rename): Landlock rights are
 * inherited, so a right to create entries in /tmp would also be one to
 * create them in /tmp/workdir. The kernel itself then never changes the
 * workdir or the storage, whatever call reaches it.
 */
#ifndef SL_FS_HOLES_H
#define SL_FS_HOLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "fs/pathset.h" /* the scan's bounds, SL_SCAN_MAX_* */
#include "policy/policy.h"

enum sl_fs_hole_kind {
	SL_HOLE_DENY,	  /* no right (fs_deny, /proc, sensitive /sys) */
	SL_HOLE_PRIVATE,  /* no right, none to change the tree on the way
			   * (the copy-on-write storage) */
	SL_HOLE_READONLY, /* a write grant's read rights only, none to change
			   * the tree on the way (the copy-on-write workdir);
			   * nothing for a read grant */
};

struct sl_fs_hole {
	char *path; /* canonical */
	bool dir;
	uint8_t kind; /* enum sl_fs_hole_kind */
};

struct sl_fs_holes {
	struct sl_fs_hole *v;
	size_t n;
	/* an fs_deny entry did not exist: no hole stands for it, and the
	 * kernel would grant it if it came into being (missing: which) */
	bool deny_missing;
	struct sl_strv missing;
	/* the other names of the fs_deny entries (fs/aliases.h) are holes
	 * too, but the search for them was incomplete */
	bool aliases_unknown;
};

int sl_fs_holes_of(const struct sl_policy *p, struct sl_fs_holes *out);
/* Does a grant of p reach procfs or sysfs mounted elsewhere (a hole, whose
 * directories on the way the supervisor serves)? True when it cannot
 * tell. Reads the mount table. */
bool sl_fs_grants_reach_kernel_mounts(const struct sl_policy *p);
/* The copy-on-write holes of one run (canonical paths; storage may be
 * NULL). */
int sl_fs_holes_add_cow(struct sl_fs_holes *h, const char *workdir,
			const char *storage);
void sl_fs_holes_free(struct sl_fs_holes *h);

/* Must an exec be held still to be refused (handlers/freeze.c)? Yes when
 * an fs_deny entry may have another name the holes do not cover (a hard
 * link of a denied file, or of a file of a denied directory, made before
 * the run) as the run decides it (sl_fs_view_deny_aliased): 1 with
 * *which the entry's index, 0, or -errno. */
int sl_fs_deny_needs_hold(const struct sl_policy *p, size_t *which);

/* Can every fs_deny directory be searched for the other names of its
 * files (hard links made before the run) within the scan's bounds
 * (fs/pathset.h)? A tree past them would leave some unknown, so the run
 * refuses it: 1 with *which the first such entry's index, 0, or
 * -errno. */
int sl_fs_deny_searchable(const struct sl_policy *p, size_t *which);

/* A grant (canonical) at or inside a hole that takes every right is not
 * given to Landlock. */
bool sl_fs_holes_swallow(const struct sl_fs_holes *h, const char *grant);

/* Does grant (canonical, writable: a write grant) contain a hole that
 * makes the ruleset expand it? */
bool sl_fs_holes_expands(const struct sl_fs_holes *h, const char *grant,
			 bool writable);

/* How one rule restricts the grant's rights (flags). */
enum {
	SL_RULE_FULL = 0,	 /* the grant's rights */
	SL_RULE_DIR = 1 << 0,	 /* directory rights only (on the way) */
	SL_RULE_NOLIST = 1 << 1, /* ... but listing */
	SL_RULE_READONLY = 1
			   << 2, /* no right that writes or changes the tree */
};

/* The rules that stand for grant (canonical, not swallowed; writable: a
 * write grant): one call of fn per object (an O_PATH fd, valid during the
 * call, and its path) with SL_RULE_* flags. At most *budget rules
 * (counted down; budget NULL: no bound): -E2BIG beyond. */
typedef int (*sl_fs_rule_fn)(void *arg, int fd, const char *path,
			     unsigned flags);
int sl_fs_holes_expand(const struct sl_fs_holes *h, const char *grant,
		       bool writable, sl_fs_rule_fn fn, void *arg,
		       size_t *budget);

/* An object, by identity. */
struct sl_fs_dirid {
	dev_t dev;
	ino_t ino;
};

/*
 * What a ruleset built around its holes, recorded as it built it (one
 * truth: the supervisor decides what Landlock leaves to it from this
 * record, not from a later look at the tree): the directories it does
 * not list, the directories on the way to a hole, with their paths
 * (directory rights only: what is created in them later has no right
 * from Landlock), and the objects below those with a rule of their own
 * (sorted). whole: every fs_deny entry was left out (each existed);
 * aliases: and every other name of them that the grants reach (fs/aliases.h).
 * Immutable once built; the ruleset's owner keeps it.
 */
struct sl_fs_built {
	struct sl_fs_dirid *unlisted;
	size_t nunlisted, capunlisted;
	struct sl_fs_dirid *way;
	char **way_paths;
	size_t nway, capway;
	struct sl_fs_dirid *ruled;
	size_t nruled, capruled;
	bool whole, aliases;
	/* the fs_deny entries that did not exist (no hole: granted by the
	 * kernel should they appear) */
	struct sl_strv late;
};

/* One rule: its object (st), path and SL_RULE_* flags (an
 * sl_fs_rule_fn's arguments, the fd's stat taken). */
int sl_fs_built_note(struct sl_fs_built *b, const struct stat *st,
		     const char *path, unsigned flags);
/* The rules are all noted. */
void sl_fs_built_done(struct sl_fs_built *b);
void sl_fs_built_free(struct sl_fs_built *b);

bool sl_fs_built_unlisted(const struct sl_fs_built *b, dev_t dev, ino_t ino);
bool sl_fs_built_on_way(const struct sl_fs_built *b, dev_t dev, ino_t ino);
/* Is path (canonical) below a directory on the way, in an entry of it
 * that has no rule of its own (created after the ruleset)? Looks only in
 * the dentry cache: true where it cannot tell without waiting. */
bool sl_fs_built_unruled(const struct sl_fs_built *b, const char *path);

#endif
