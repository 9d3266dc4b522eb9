/*
 * A commit killed at any point is completed by a retry, and nothing is lost
 * or half-written in between.
 *
 * This test program defines the libc functions through which the commit
 * changes the filesystem (fsync, renameat, unlinkat, linkat, symlinkat,
 * mkdirat, mknodat). Linked into the program, they take the place of libc's
 * for the library code too, count each call, and SIGKILL the process right
 * before the N-th one when armed. No hook exists in the library itself.
 *
 * For every N until a commit runs through unharmed, a forked child commits
 * the scenario of tests/lib/cow.h and is killed before step N. The workdir
 * is then checked: every entry is as before the commit, as after it, or a
 * commit temporary; none holds anything else. Then a retry: from the
 * marker in a fresh branch object when there is one (as another process
 * would), else with the branch as the run left it (the commit had not
 * started, the workdir must be untouched). It must produce exactly the
 * committed tree and remove the storage. Both the rename and the copy
 * (storage on tmpfs) paths are swept, and the sweep must have killed
 * commits before the marker, during the deletions and during the
 * additions.
 */
#include <signal.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "harness.h"
#include "lib/cow.h"
#include "lib/files.h"
#include "util/cleanup.h"

static long kill_at; /* 0: disarmed */
static long steps;

static void step(void)
{
	if (kill_at && ++steps == kill_at)
		raise(SIGKILL);
}

int fsync(int fd)
{
	step();
	return (int)syscall(SYS_fsync, fd);
}

int renameat(int od, const char *op, int nd, const char *np)
{
	step();
	return (int)syscall(SYS_renameat, od, op, nd, np);
}

int unlinkat(int d, const char *p, int flags)
{
	step();
	return (int)syscall(SYS_unlinkat, d, p, flags);
}

int linkat(int od, const char *op, int nd, const char *np, int flags)
{
	step();
	return (int)syscall(SYS_linkat, od, op, nd, np, flags);
}

int symlinkat(const char *target, int d, const char *p)
{
	step();
	return (int)syscall(SYS_symlinkat, target, d, p);
}

int mkdirat(int d, const char *p, mode_t mode)
{
	step();
	return (int)syscall(SYS_mkdirat, d, p, mode);
}

int mknodat(int d, const char *p, mode_t mode, dev_t dev)
{
	step();
	return (int)syscall(SYS_mknodat, d, p, mode, dev);
}

enum phase { BEFORE_MARKER, DELETING, ADDING, FINISHING, NPHASES };

/* Where the killed commit was, from what it left in the storage. The
 * marker goes last when the storage is removed: between its removal and
 * that of the (then empty) branch directory, the commit is complete. */
static enum phase phase_of(const char *dir)
{
	char *m = read_file_in(dir, "PRESERVED");
	enum phase p = m ? (strstr(m, "\ndeleted=") ? DELETING : ADDING) :
		       dir_is_empty(dir) ? FINISHING :
					   BEFORE_MARKER;

	free(m);
	return p;
}

/* Entries of the workdir between the kill and the retry: each as before,
 * as after, or a temporary of the commit. */
static bool nothing_half_written(const struct sl_strv *before,
				 const struct sl_strv *now)
{
	for (size_t i = 0; i < now->n; i++) {
		const char *e = now->v[i];
		bool known = strncmp(e, ".sandlock-commit-", 17) == 0 ||
			     strstr(e, "/.sandlock-commit-") != NULL;

		for (size_t j = 0; !known && j < before->n; j++)
			known = strcmp(e, before->v[j]) == 0;
		for (size_t j = 0;
		     !known && j < SL_ARRAY_SIZE(cow_scenario_final); j++)
			known = strcmp(e, cow_scenario_final[j]) == 0;
		if (!known) {
			fprintf(stderr, "  half-written: \"%s\"\n", e);
			return false;
		}
	}
	return true;
}

static bool same_tree(const struct sl_strv *a, const struct sl_strv *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	return true;
}

/* Commit in a child killed before step n: 1 killed, 0 ran through, -1
 * error. */
static int killed_commit(struct sl_cow_branch *b, long n)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		steps = 0;
		kill_at = n;
		_exit(sl_cow_commit(b, 1000, NULL) == 0 ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		return 1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Retry as described above; true when it completed the commit. */
static bool retry(struct sl_cow_branch *b, const char *dir, enum phase p)
{
	struct sl_cow_branch *again = NULL;
	struct sl_error e = { 0 };
	bool ok;

	/* The dead child's lock lives on in the open file description it
	 * shared with us: dropping it is what its exit did for real. */
	flock(b->workdir_fd, LOCK_UN);
	if (p == FINISHING)
		return rmdir(dir) == 0 || errno == ENOENT; /* litter only */
	if (p == BEFORE_MARKER)
		return sl_cow_commit(b, 1000, NULL) == 0;
	ok = sl_cow_branch_open(dir, &again, &e) == 0 &&
	     sl_cow_commit(again, 1000, &e) == 0;
	if (!ok)
		fprintf(stderr, "  retry: %s\n", e.msg ? e.msg : "?");
	sl_error_clear(&e);
	sl_cow_branch_free(again);
	return ok;
}

static void sweep(bool cross_fs)
{
	int seen[NPHASES] = { 0 };
	long n;

	for (n = 1; n < 500; n++) {
		struct cow_fx f;
		struct sl_strv before, now;
		char dir[256];
		enum phase p;
		int k;

		CHECK(cow_fx_init(&f, cross_fs));
		CHECK(cow_scenario_lower(f.work));
		CHECK(cow_snapshot(f.work, &before));
		CHECK_EQ_INT(cow_fx_branch(&f, 0), 0);
		CHECK(cow_scenario_stage(f.b));
		snprintf(dir, sizeof(dir), "%s", sl_cow_dir(f.b));

		k = killed_commit(f.b, n);
		CHECK(k >= 0);
		if (k == 0) {
			/* Ran through: every point before it was covered. */
			CHECK(cow_scenario_committed(f.work));
			sl_strv_free(&before);
			cow_fx_free(&f);
			break;
		}
		p = phase_of(dir);
		seen[p]++;
		CHECK(cow_snapshot(f.work, &now));
		if (p == BEFORE_MARKER)
			CHECK(same_tree(&before, &now));
		if (p == FINISHING)
			CHECK(cow_scenario_committed(f.work));
		CHECK(nothing_half_written(&before, &now));
		sl_strv_free(&now);
		sl_strv_free(&before);
		if (!retry(f.b, dir, p))
			FAIL("retry after a kill at step %ld (phase %d) failed",
			     n, (int)p);
		if (!cow_scenario_committed(f.work))
			FAIL("kill at step %ld (phase %d): wrong tree after the "
			     "retry",
			     n, (int)p);
		CHECK(access(dir, F_OK) < 0 && errno == ENOENT);
		cow_fx_free(&f);
	}
	fprintf(stderr,
		"  %s: %ld kill points: %d before the marker, %d "
		"during deletions, %d during additions and cleanup, %d after "
		"the marker's removal\n",
		cross_fs ? "copy" : "rename", n - 1, seen[BEFORE_MARKER],
		seen[DELETING], seen[ADDING], seen[FINISHING]);
	CHECK(n < 500);
	CHECK(seen[BEFORE_MARKER] > 0 && seen[DELETING] > 0 &&
	      seen[ADDING] > 0);
}

TEST(commit_killed_anywhere_is_completed_by_a_retry_rename)
{
	sweep(false);
}

TEST(commit_killed_anywhere_is_completed_by_a_retry_copy)
{
	sweep(true);
}
