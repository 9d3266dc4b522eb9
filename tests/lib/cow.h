/*
 * Copy-on-write fixtures. For the staging API (internal): a private
 * scratch tree holding a workdir and a storage base (or a storage base on
 * another filesystem, /dev/shm, for commits by copy), branches populated
 * directly as the interception would, and tree listings. For the
 * interception (tests/helpers/cow_probe.c writes its fixture in every way
 * there is): the fixture, and a state of a tree detailed enough to show
 * that nothing of it changed.
 */
#ifndef SL_TESTLIB_COW_H
#define SL_TESTLIB_COW_H

/* The system headers the copy-on-write tests commonly use. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cow/cow.h"
#include "cow/internal.h"

struct cow_fx {
	char root[64];	 /* a scratch directory */
	char store[128]; /* storage base: in root, or on /dev/shm */
	char work[128];	 /* root/work */
	struct sl_cow_branch *b;
};

/* cross_fs: the storage base lives on /dev/shm (tmpfs), the workdir in
 * /tmp, so a commit copies instead of renaming. Sets umask 022. */
bool cow_fx_init(struct cow_fx *f, bool cross_fs);

/* A branch of f's workdir into f->b (max_disk 0: no quota); 0 or -errno
 * (the reason printed). */
int cow_fx_branch(struct cow_fx *f, uint64_t max_disk);

void cow_fx_free(struct cow_fx *f);

bool cow_lstat(const char *dir, const char *rel, struct stat *st);
bool cow_unlink(const char *dir, const char *rel);

/* Stage content at rel as a write through the merged view would: copy-up,
 * then open the upper file truncated and write. */
bool cow_stage(struct sl_cow_branch *b, const char *rel, const char *content);

/* Delete rel in the merged view, as unlink/rmdir would. */
bool cow_delete(struct sl_cow_branch *b, const char *rel);

/* ---- A branch with every kind of change ---------------------------------
 *
 * workdir before:  keep.txt  mod.txt  del.txt  deldir/{a,sub/b}
 *                  sub/exist.txt  rep/inner
 * staged:          mod.txt changed; new.txt (0600); sub/new2.txt;
 *                  newdir/a/b.txt; emptydir/; link -> keep.txt; pipe (FIFO);
 *                  h1 and h2 (one file, two names); rep a file now;
 *                  del.txt and deldir deleted
 */
bool cow_scenario_lower(const char *work);
bool cow_scenario_stage(struct sl_cow_branch *b);

/* Every entry below dir: "rel mode content-or-target", sorted. */
bool cow_snapshot(const char *dir, struct sl_strv *out);

/* The workdir after the scenario's commit (cow_snapshot's lines). */
#define COW_SCENARIO_FINAL_N 15
extern const char *const cow_scenario_final[COW_SCENARIO_FINAL_N];

/* Is work as the scenario's commit leaves it? Differences are printed. */
bool cow_scenario_committed(const char *work);

/* ---- The interception's fixture ----------------------------------------- */

/* The files cow_probe's "writes" and "early_fd" work on, made in dir. */
bool cow_fixture(const char *dir);

/* Everything of the tree at path (free the result): every entry's name,
 * type, mode, owner, size, times, inode, content, link target and user
 * xattrs. */
char *tree_state(const char *path);

#endif
