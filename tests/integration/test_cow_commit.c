/*
 * Commit, abort and keep of copy-on-write branches populated directly, on
 * real files: the merge by rename (same filesystem) and by copy (storage on
 * tmpfs), the change list, the PRESERVED marker and reopening a preserved
 * branch, the workdir lock, a workdir whose directory was swapped for a
 * symlink, and the end of a run (the action an outcome calls for, dry
 * run).
 */
#include <sys/file.h>

#include "harness.h"
#include "lib/cow.h"
#include "lib/files.h"
#include "policy/policy.h"
#include "util/cleanup.h"

static bool storage_gone(const struct cow_fx *f, const char *dir)
{
	struct stat st;

	return stat(dir, &st) < 0 && errno == ENOENT && dir_is_empty(f->store);
}

static void commit_scenario(bool cross_fs)
{
	struct cow_fx f;
	struct sl_error e = { 0 };
	struct stat up, wk, h1, h2;
	char *dir;

	CHECK(cow_fx_init(&f, cross_fs));
	CHECK(cow_scenario_lower(f.work));
	CHECK_EQ_INT(cow_fx_branch(&f, 0), 0);
	CHECK(cow_scenario_stage(f.b));
	CHECK_EQ_INT(sl_cow_upper_stat(f.b, "new.txt", &up), 0);
	/* Nothing reached the workdir before the commit. */
	CHECK(file_is(f.work, "mod.txt", "old") &&
	      exists_in(f.work, "del.txt"));
	CHECK(!exists_in(f.work, "new.txt"));
	dir = strdup(sl_cow_dir(f.b));
	CHECK_EQ_INT(sl_cow_commit(f.b, 1000, &e), 0);
	CHECK(!e.msg);
	CHECK(cow_scenario_committed(f.work));
	CHECK(storage_gone(&f, dir));
	free(dir);
	/* Same filesystem: renamed (the inode moved); else a copy. */
	CHECK(cow_lstat(f.work, "new.txt", &wk));
	CHECK(cross_fs ? wk.st_ino != up.st_ino : wk.st_ino == up.st_ino);
	/* Two names of one file stay one file either way. */
	CHECK(cow_lstat(f.work, "h1", &h1) && cow_lstat(f.work, "h2", &h2));
	CHECK(h1.st_ino == h2.st_ino);
	cow_fx_free(&f);
}

TEST(commit_same_filesystem_renames)
{
	commit_scenario(false);
}

TEST(commit_other_filesystem_copies)
{
	commit_scenario(true);
}

TEST(change_list_kinds_and_order)
{
	static const char *const want[] = {
		"A h1",	     "A h2",	  "A link",
		"M mod.txt", "A new.txt", "A newdir/a/b.txt",
		"A pipe",    "A rep",	  "A sub/new2.txt",
		"D del.txt", "D deldir",
	};
	struct cow_fx f;
	struct sl_cow_changes c;

	CHECK(cow_fx_init(&f, false));
	CHECK(cow_scenario_lower(f.work));
	CHECK_EQ_INT(cow_fx_branch(&f, 0), 0);
	CHECK(cow_scenario_stage(f.b));
	/* A file deleted inside a deleted directory is part of it; a file
	 * created and deleted in the run leaves no trace. */
	CHECK(cow_delete(f.b, "deldir/a"));
	CHECK(cow_stage(f.b, "tmpfile", "t") && cow_delete(f.b, "tmpfile"));
	CHECK_EQ_INT(sl_cow_changes(f.b, &c), 0);
	CHECK_EQ_INT(c.n, SL_ARRAY_SIZE(want));
	for (size_t i = 0; i < c.n && i < SL_ARRAY_SIZE(want); i++) {
		char line[256];

		snprintf(line, sizeof(line), "%c %s", c.v[i].kind, c.v[i].path);
		CHECK_STR(line, want[i]);
	}
	sl_cow_changes_free(&c);
	sl_cow_abort(f.b, NULL);
	cow_fx_free(&f);
}

TEST(commit_of_nothing_and_abort_leave_the_workdir)
{
	struct cow_fx f;
	struct sl_strv before, after;
	char *dir;

	CHECK(cow_fx_init(&f, false));
	CHECK(cow_scenario_lower(f.work));
	CHECK(cow_snapshot(f.work, &before));
	CHECK_EQ_INT(cow_fx_branch(&f, 0), 0);
	CHECK_EQ_INT(sl_cow_has_changes(f.b), 0);
	dir = strdup(sl_cow_dir(f.b));
	CHECK_EQ_INT(sl_cow_commit(f.b, 1000, NULL), 0);
	CHECK(storage_gone(&f, dir));
	free(dir);
	sl_cow_branch_free(f.b);

	CHECK_EQ_INT(cow_fx_branch(&f, 0), 0);
	CHECK(cow_scenario_stage(f.b));
	CHECK_EQ_INT(sl_cow_has_changes(f.b), 1);
	dir = strdup(sl_cow_dir(f.b));
	CHECK_EQ_INT(sl_cow_abort(f.b, NULL), 0);
	CHECK(storage_gone(&f, dir));
	free(dir);
	CHECK(cow_snapshot(f.work, &after));
	CHECK_EQ_INT(after.n, before.n);
	for (size_t i = 0; i < after.n && i < before.n; i++)
		CHECK_STR(after.v[i], before.v[i]);
	sl_strv_free(&before);
	sl_strv_free(&after);
	cow_fx_free(&f);
}

TEST(keep_writes_the_marker_and_a_kept_branch_commits_later)
{
	struct cow_fx f;
	struct sl_cow_branch *again = NULL;
	struct sl_cow_changes c;
	struct sl_error e = { 0 };
	char want[1024], *marker, *dir;

	CHECK(cow_fx_init(&f, false));
	CHECK(cow_scenario_lower(f.work));
	CHECK_EQ_INT(cow_fx_branch(&f, 0), 0);
	CHECK(cow_scenario_stage(f.b));
	CHECK_EQ_INT(sl_cow_whiteout(f.b, "odd\nname\\"), 0);
	CHECK_EQ_INT(sl_cow_keep(f.b, NULL), 0);
	dir = strdup(sl_cow_dir(f.b));
	snprintf(want, sizeof(want),
		 "reason=kept\nworkdir=%s\nupper=%s/upper\n"
		 "deleted=del.txt\ndeleted=deldir\ndeleted=odd\\nname\\\\\n"
		 "deleted=rep\npid=%d\n",
		 f.work, dir, (int)getpid());
	marker = read_file_in(dir, "PRESERVED");
	CHECK_STR(marker, want);
	free(marker);
	CHECK(!exists_in(dir, ".PRESERVED.tmp"));
	sl_cow_branch_free(f.b);
	f.b = NULL;

	/* Another process would reopen it from the marker. */
	CHECK_EQ_INT(sl_cow_branch_open(dir, &again, &e), 0);
	CHECK_STR(sl_cow_workdir(again), f.work);
	CHECK_EQ_INT(sl_cow_changes(again, &c), 0);
	CHECK_EQ_INT(c.n, 12);
	sl_cow_changes_free(&c);
	CHECK_EQ_INT(sl_cow_commit(again, 1000, &e), 0);
	CHECK(cow_scenario_committed(f.work));
	CHECK(storage_gone(&f, dir));
	sl_cow_branch_free(again);
	free(dir);
	cow_fx_free(&f);
}

TEST(preserved_branches_are_listed_truncated_markers_ignored)
{
	struct cow_fx f;
	struct sl_cow_preserved *v = NULL;
	size_t n = 0;
	char fake[256], *dir;

	CHECK(cow_fx_init(&f, false));
	CHECK_EQ_INT(cow_fx_branch(&f, 0), 0);
	CHECK(cow_stage(f.b, "x", "x"));
	CHECK_EQ_INT(sl_cow_keep(f.b, NULL), 0);
	dir = strdup(sl_cow_dir(f.b));
	/* A marker cut short, and a directory that is no branch. */
	snprintf(fake, sizeof(fake), "%s/00000000-0000-4000-8000-000000000000",
		 f.store);
	CHECK(mkdir(fake, 0700) == 0);
	CHECK(write_file_in(fake, "PRESERVED",
			    "reason=kept\nworkdir=/tmp\npid=1"));
	CHECK(write_file_in(f.store, "not-a-branch/PRESERVED",
			    "reason=kept\nworkdir=/tmp\npid=1\n"));
	CHECK_EQ_INT(sl_cow_preserved_list(f.store, &v, &n, NULL), 0);
	CHECK_EQ_INT(n, 1);
	CHECK(n == 1 && strcmp(v[0].dir, dir) == 0 &&
	      strcmp(v[0].reason, "kept") == 0 &&
	      strcmp(v[0].workdir, f.work) == 0 && v[0].pid == getpid());
	sl_cow_preserved_free(v, n);
	sl_cow_branch_free(f.b);
	CHECK(sl_cow_branch_open(fake, &f.b, NULL) < 0 && !f.b);
	free(dir);
	cow_fx_free(&f);
}

TEST(commit_waits_for_the_workdir_lock_then_defers)
{
	struct cow_fx f;
	struct sl_cow_branch *again = NULL;
	struct sl_error e = { 0 };
	char *marker, *dir;
	int lock;

	CHECK(cow_fx_init(&f, false));
	CHECK(cow_scenario_lower(f.work));
	CHECK_EQ_INT(cow_fx_branch(&f, 0), 0);
	CHECK(cow_scenario_stage(f.b));
	/* Another commit holds the workdir. */
	lock = open(f.work, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(lock >= 0 && flock(lock, LOCK_EX) == 0);
	CHECK_EQ_INT(sl_cow_commit(f.b, 100, &e), -EAGAIN);
	CHECK(e.msg && strncmp(e.msg, "commit deferred: ", 17) == 0);
	CHECK_CONTAINS(e.msg, "locked by another commit");
	sl_error_clear(&e);
	dir = strdup(sl_cow_dir(f.b));
	marker = read_file_in(dir, "PRESERVED");
	CHECK(marker && strncmp(marker, "reason=commit-deferred\n", 23) == 0);
	free(marker);
	CHECK(file_is(f.work, "mod.txt", "old") &&
	      !exists_in(f.work, "new.txt"));
	sl_cow_branch_free(f.b);
	f.b = NULL;

	/* Once the lock is free, a retry from the marker completes. */
	close(lock);
	CHECK_EQ_INT(sl_cow_branch_open(dir, &again, &e), 0);
	CHECK_EQ_INT(sl_cow_commit(again, 1000, &e), 0);
	CHECK(cow_scenario_committed(f.work));
	sl_cow_branch_free(again);
	free(dir);
	cow_fx_free(&f);
}

/* Someone swaps a workdir directory for a symlink to elsewhere before the
 * commit: nothing is written through it, the branch stays for a retry. */
TEST(commit_never_writes_through_a_swapped_symlink)
{
	struct cow_fx f;
	struct sl_error e = { 0 };
	char outside[192], *sub, *moved, *dir, *marker;

	CHECK(cow_fx_init(&f, false));
	CHECK(cow_scenario_lower(f.work));
	snprintf(outside, sizeof(outside), "%s/outside", f.root);
	CHECK(mkdir(outside, 0755) == 0);
	CHECK_EQ_INT(cow_fx_branch(&f, 0), 0);
	CHECK(cow_stage(f.b, "sub/new2.txt", "second"));
	CHECK(cow_delete(f.b, "sub/exist.txt"));
	sub = path_join(f.work, "sub");
	moved = path_join(f.root, "sub-moved");
	CHECK(rename(sub, moved) == 0 && symlink(outside, sub) == 0);
	CHECK(write_file_in(outside, "exist.txt", "not yours"));
	CHECK(sl_cow_commit(f.b, 1000, &e) < 0);
	CHECK(e.msg != NULL);
	sl_error_clear(&e);
	CHECK(!exists_in(outside, "new2.txt"));
	CHECK(file_is(outside, "exist.txt", "not yours"));
	dir = strdup(sl_cow_dir(f.b));
	marker = read_file_in(dir, "PRESERVED");
	CHECK(marker && strncmp(marker, "reason=merge-interrupted\n", 25) == 0);
	free(marker);
	CHECK(exists_in(sl_cow_upper(f.b), "sub/new2.txt"));
	free(dir);
	free(sub);
	free(moved);
	cow_fx_free(&f);
}

TEST(branch_action_for_each_outcome)
{
	const uint8_t C = SL_BRANCH_COMMIT, A = SL_BRANCH_ABORT,
		      K = SL_BRANCH_KEEP;

	CHECK_EQ_INT(sl_cow_action_for(C, A, SL_COW_OUTCOME_SUCCESS), C);
	CHECK_EQ_INT(sl_cow_action_for(C, A, SL_COW_OUTCOME_FAILURE), A);
	CHECK_EQ_INT(sl_cow_action_for(A, C, SL_COW_OUTCOME_FAILURE), C);
	CHECK_EQ_INT(sl_cow_action_for(K, A, SL_COW_OUTCOME_SUCCESS), K);
	CHECK_EQ_INT(sl_cow_action_for(C, A, SL_COW_OUTCOME_UNWAITED), A);
	CHECK_EQ_INT(sl_cow_action_for(C, K, SL_COW_OUTCOME_UNWAITED), K);
	CHECK_EQ_INT(sl_cow_action_for(K, C, SL_COW_OUTCOME_UNWAITED), K);
}

static struct sl_policy *cow_policy(const struct cow_fx *f)
{
	struct sl_policy *p = sl_policy_new();

	if (p) {
		p->workdir = strdup(f->work);
		p->fs_storage = strdup(f->store);
	}
	return p;
}

/* Begin a run's branch, stage one file, end it with an outcome. */
static int run_once(struct sl_policy *p, bool dry, enum sl_cow_outcome o,
		    struct sl_cow_changes *c)
{
	struct sl_cow_run *cr = NULL;
	struct sl_error e = { 0 };
	int r = sl_cow_run_begin(p, dry, &cr, &e);

	if (r == 0 && (!cr || !cow_stage(cr->branch, "out.txt", "run")))
		r = -EIO;
	if (r == 0)
		r = sl_cow_run_end(cr, o, c, &e);
	if (e.msg)
		fprintf(stderr, "  %s\n", e.msg);
	sl_error_clear(&e);
	return r;
}

TEST(run_end_applies_the_outcomes_action)
{
	struct cow_fx f;
	struct sl_policy *p;
	struct sl_cow_preserved *v = NULL;
	size_t n = 0;

	CHECK(cow_fx_init(&f, false));
	p = cow_policy(&f);
	CHECK(p);

	/* Defaults: failure aborts, success commits. */
	CHECK_EQ_INT(run_once(p, false, SL_COW_OUTCOME_FAILURE, NULL), 0);
	CHECK(!exists_in(f.work, "out.txt") && dir_is_empty(f.store));
	CHECK_EQ_INT(run_once(p, false, SL_COW_OUTCOME_UNWAITED, NULL), 0);
	CHECK(!exists_in(f.work, "out.txt") && dir_is_empty(f.store));
	CHECK_EQ_INT(run_once(p, false, SL_COW_OUTCOME_SUCCESS, NULL), 0);
	CHECK(file_is(f.work, "out.txt", "run") && dir_is_empty(f.store));
	CHECK(cow_unlink(f.work, "out.txt"));

	/* on_error keep: the branch stays, marked. */
	p->on_error = SL_BRANCH_KEEP;
	p->on_error_set = true;
	CHECK_EQ_INT(run_once(p, false, SL_COW_OUTCOME_FAILURE, NULL), 0);
	CHECK(!exists_in(f.work, "out.txt"));
	CHECK_EQ_INT(sl_cow_preserved_list(f.store, &v, &n, NULL), 0);
	CHECK(n == 1 && strcmp(v[0].reason, "kept") == 0);
	sl_cow_preserved_free(v, n);
	sl_policy_free(p);
	cow_fx_free(&f);
}

TEST(dry_run_lists_changes_and_discards_them)
{
	struct cow_fx f;
	struct sl_policy *p;
	struct sl_cow_changes c;

	CHECK(cow_fx_init(&f, false));
	p = cow_policy(&f);
	CHECK(p);
	p->on_exit = SL_BRANCH_COMMIT;
	p->on_exit_set = true;
	CHECK_EQ_INT(run_once(p, true, SL_COW_OUTCOME_SUCCESS, &c), 0);
	CHECK_EQ_INT(c.n, 1);
	CHECK(c.n == 1 && c.v[0].kind == 'A' &&
	      strcmp(c.v[0].path, "out.txt") == 0);
	sl_cow_changes_free(&c);
	CHECK(!exists_in(f.work, "out.txt") && dir_is_empty(f.store));

	/* No workdir: no branch, an empty list. */
	free(p->workdir);
	p->workdir = NULL;
	{
		struct sl_cow_run *cr = (struct sl_cow_run *)1;

		CHECK_EQ_INT(sl_cow_run_begin(p, true, &cr, NULL), 0);
		CHECK(cr == NULL);
		CHECK_EQ_INT(sl_cow_run_end(NULL, SL_COW_OUTCOME_SUCCESS, &c,
					    NULL),
			     0);
		CHECK_EQ_INT(c.n, 0);
	}
	sl_policy_free(p);
	cow_fx_free(&f);
}
