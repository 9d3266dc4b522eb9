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
 * and what /sys/class/net's links point to, and /proc as a whole when a
 * grant reaches it (the supervisor serves /proc).
 */
#ifndef SL_FS_HOLES_H
#define SL_FS_HOLES_H

#include <stdbool.h>
#include <stddef.h>

#include "policy/policy.h"

struct sl_fs_hole {
	char *path; /* canonical */
	bool dir;
};

struct sl_fs_holes {
	struct sl_fs_hole *v;
	size_t n;
};

int sl_fs_holes_of(const struct sl_policy *p, struct sl_fs_holes *out);
void sl_fs_holes_free(struct sl_fs_holes *h);

/* A grant (canonical) at or inside a hole is not given to Landlock. */
bool sl_fs_holes_swallow(const struct sl_fs_holes *h, const char *grant);

enum sl_fs_rule {
	SL_RULE_FULL,       /* the grant's rights */
	SL_RULE_DIR,        /* directory rights only */
	SL_RULE_DIR_NOLIST, /* directory rights but listing */
};

/* The rules that stand for grant (canonical, not swallowed): one call of
 * fn per object (an O_PATH fd, valid during the call). At most *budget
 * rules (counted down): -E2BIG beyond. */
typedef int (*sl_fs_rule_fn)(void *arg, int fd, enum sl_fs_rule kind);
int sl_fs_holes_expand(const struct sl_fs_holes *h, const char *grant,
		       sl_fs_rule_fn fn, void *arg, size_t *budget);

/* The same walk, directories on the way only (no rule for the other
 * entries): what the supervisor serves because Landlock will not list
 * it. */
int sl_fs_holes_unlisted(const struct sl_fs_holes *h, const char *grant,
			 sl_fs_rule_fn fn, void *arg);

#endif
