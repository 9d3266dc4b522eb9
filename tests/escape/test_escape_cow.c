/*
 * Data safety of the copy-on-write workdir: no write may reach the real
 * workdir during a run, whatever the call. Each write path is made inside
 * a sandbox (tests/helpers/cow_probe.c) on a private scratch workdir; the
 * run ends with on_exit=abort, so anything that reached the workdir would
 * still be there: the tree must be exactly as before, entry by entry.
 * The calls themselves must have worked (staged), read back through the
 * merged view. The grant is the workdir itself, or its parent (the
 * ruleset then grants around it).
 *
 * The kernel holds it too: a call the supervisor lets through must not be
 * able to write there. Races flip a path between a file outside the
 * workdir (which the supervisor leaves to the kernel) and one inside,
 * from a second thread, a bounded number of times; an unconfined control
 * run shows that the flip really reaches the workdir's file.
 */
#include "harness.h"
#include "lib/cli.h"
#include "lib/cow.h"
#include "lib/files.h"
#include "lib/fsprobe.h"
#include "lib/paths.h"
#include "lib/policy.h"
#include "lib/run.h"
#include "lib/scratch.h"

#define RACE_N "3000"

static char dir[64];

struct cowfx {
	char work[128], out[128], store[128];
};

static bool cowfx_new(struct cowfx *f)
{
	if (!scratch_dir(dir, sizeof(dir)))
		return false;
	snprintf(f->work, sizeof(f->work), "%s/work", dir);
	snprintf(f->out, sizeof(f->out), "%s/out", dir);
	snprintf(f->store, sizeof(f->store), "%s/store", dir);
	return mkdir(f->work, 0755) == 0 && mkdir(f->out, 0755) == 0 &&
	       cow_fixture(f->work);
}

/* grant: the directory given the write grant (the workdir, or a parent
 * of it); action 1 abort, 2 keep. */
static sandlock_builder_t *cow_builder(const struct cowfx *f, const char *grant,
				       uint8_t action)
{
	sandlock_builder_t *b = base_builder();

	b = sandlock_sandbox_builder_fs_write(b, grant);
	b = sandlock_sandbox_builder_workdir(b, f->work);
	b = sandlock_sandbox_builder_fs_storage(b, f->store);
	b = sandlock_sandbox_builder_on_exit(b, action);
	return sandlock_sandbox_builder_on_error(b, action);
}

static char *expected_writes(void)
{
	char host[128] = "", *out = NULL;
	FILE *f = fopen("/etc/hostname", "r");

	if (f) {
		if (!fgets(host, sizeof(host), f))
			host[0] = '\0';
		fclose(f);
	}
	host[strcspn(host, "\n")] = '\0';
	if (asprintf(&out,
		     "open_wronly OK\nopen_rdwr OK\nopen_trunc_rdonly OK\n"
		     "open_append OK\nopen_creat_new OK\nopen_creat_existing OK\n"
		     "openat2 OK\nopenat2_creat OK\ncreat OK\n"
		     "o_tmpfile_linkat OK\nrename OK\nrenameat OK\n"
		     "renameat2_noreplace OK\nrenameat2_exchange OK\n"
		     "renameat2_whiteout EPERM\nrename_dir OK\nlink OK\n"
		     "linkat OK\nsymlink_abs OK\nsymlink_dotdot OK\n"
		     "symlink_plain OK\nmkdir OK\nrmdir OK\nunlink OK\n"
		     "unlinkat OK\nunlinkat_removedir OK\nmkfifo OK\n"
		     "mknod_reg OK\nmknod_chr EPERM\ntruncate OK\n"
		     "ftruncate_rdonly_fd EINVAL\nchmod OK\nfchmodat OK\n"
		     "fchmod_rdonly_fd OK\nfchown_rdonly_fd OK\n"
		     "futimens_rdonly_fd OK\nfsetxattr_rdonly_fd OK\nchown OK\n"
		     "lchown OK\nutimes OK\nutimensat OK\nsetxattr OK\n"
		     "lsetxattr OK\nremovexattr OK\nioctl_setflags EPERM\n"
		     "bind_unix EACCES\n"
		     "read_f_w OK W\nread_f_rw OK R\nread_f_trunc OK \n"
		     "read_f_app OK F\nread_n_creat OK C\nread_n_oa2 OK N\n"
		     "read_n_tmpfile OK T\nread_n_ren OK F\n"
		     "read_f_ren ENOENT\nread_f_xa OK B\nread_n_dmv OK I\n"
		     "read_n_link OK F\nread_n_sabs OK %s\nread_n_splain OK F\n"
		     "read_f_unlink ENOENT\nread_f_trunc2 OK F\n",
		     host) < 0)
		return NULL;
	return out;
}

static void writes_stay_out(const char *grant_of_parent)
{
	struct cowfx f;
	char *before, *after, *out, *want;

	if (!cowfx_new(&f))
		FAIL("scratch setup failed");
	before = tree_state(f.work);
	want = expected_writes();
	out = run_in(cow_builder(&f, grant_of_parent ? dir : f.work, 1),
		     (const char *const[]){ helper("cow_probe"), "writes",
					    f.work, NULL });
	CHECK_STR(out, want);
	after = tree_state(f.work);
	CHECK_STR(after, before);
	free(out);
	free(want);
	free(before);
	free(after);
	scratch_remove(dir);
}

TEST(every_write_path_is_staged_and_the_workdir_untouched)
{
	writes_stay_out(NULL);
}

/* A write grant on the workdir's parent reaches the workdir with its
 * reads only. */
TEST(under_a_parent_grant_every_write_path_is_staged_too)
{
	writes_stay_out(dir);
}

/* A descriptor opened before the copy-up keeps reading the workdir's own
 * file; a later open sees the staged one; the workdir keeps its own. */
TEST(a_descriptor_opened_before_the_copy_up_keeps_the_old_file)
{
	struct cowfx f;
	char *before, *after, *out;

	if (!cowfx_new(&f))
		FAIL("scratch setup failed");
	before = tree_state(f.work);
	out = run_in(cow_builder(&f, f.work, 1),
		     (const char *const[]){ helper("cow_probe"), "early_fd",
					    f.work, NULL });
	CHECK_STR(out, "early_write OK\nearly_fd_reads OLD\n"
		       "late_open_reads OK NEW\n");
	after = tree_state(f.work);
	CHECK_STR(after, before);
	free(out);
	free(before);
	free(after);
	scratch_remove(dir);
}

/* ---- the storage ---------------------------------------------------------- */

/* The storage lies under the write grant: the sandbox still cannot list,
 * read, write, create or remove anything of it (it finds its own branch
 * through the descriptor of a staged file). */
TEST(the_storage_is_out_of_reach_under_a_write_grant)
{
	static const char script[] =
		"echo staged > s; exec 3<s; p=$(readlink /proc/self/fd/3); "
		"b=${p%/upper/s}; s=${b%/*}; "
		"ls $s >/dev/null 2>&1 && echo list-base; "
		"ls $b >/dev/null 2>&1 && echo list-branch; "
		"cat $b/deleted.log >/dev/null 2>&1 && echo read-log; "
		"echo x >> $b/deleted.log 2>/dev/null && echo write-log; "
		"rm -f $b/deleted.log 2>/dev/null; "
		"[ -e $b/deleted.log ] || echo removed-log; "
		"echo x > $b/PRESERVED 2>/dev/null && echo wrote-marker; "
		"mkdir $b/new 2>/dev/null && echo mkdir; "
		"ln -s / $b/lnk 2>/dev/null && echo symlink; "
		"mv $b/upper $b/moved 2>/dev/null && echo moved-upper; "
		"echo done";
	struct cowfx f;
	sandlock_builder_t *b;
	char *out, *log;
	struct stat st;

	if (!cowfx_new(&f))
		FAIL("scratch setup failed");
	b = cow_builder(&f, dir, 2); /* keep: the branch stays to look at */
	b = sandlock_sandbox_builder_fs_read(b, "/proc");
	out = SH(b, script);
	CHECK_STR(out, "done\n");
	/* the kept branch is whole: its log, upper, marker of its own */
	log = NULL;
	{
		char cmd[512];
		FILE *p;

		snprintf(cmd, sizeof(cmd),
			 "ls -d %s/*/upper %s/*/deleted.log %s/*/PRESERVED "
			 "2>&1 | wc -l",
			 f.store, f.store, f.store);
		p = popen(cmd, "r");
		if (p) {
			char line[32] = "";

			if (fgets(line, sizeof(line), p))
				log = strdup(line);
			pclose(p);
		}
	}
	CHECK_STR(log, "3\n");
	CHECK(stat(f.store, &st) == 0);
	free(log);
	free(out);
	scratch_remove(dir);
}

/* ---- races: what the supervisor lets through, the kernel refuses ---------- */

/* cow_probe's races, run unconfined (the control). */
#undef RACE_BARE
#define RACE_BARE(...)                                                    \
	({                                                                \
		const char *_argv[] = { helper("cow_probe"), __VA_ARGS__, \
					NULL };                           \
		run_bare(_argv);                                          \
	})

/* Did the call reach the file b ("F\n", 0644) of the workdir? */
static bool reached(const char *op, const char *b)
{
	char moved[300];
	struct stat st;

	snprintf(moved, sizeof(moved), "%s.new", b);
	if (!strcmp(op, "race_mkdir") || !strcmp(op, "race_symlink"))
		return lstat(b, &st) == 0;
	if (!strcmp(op, "race_link"))
		return access(moved, F_OK) == 0;
	return access(b, F_OK) < 0 || size_of(b) != 2 || mode_of(b) != 0644;
}

/* op flips between a (in a writable directory outside the workdir) and
 * b (in the workdir); create: the call makes a new name. */
static void race_stays_out(const char *op, const char *name, bool create)
{
	struct cowfx f;
	char a[256], b[256], *before, *after, *out = NULL;
	const char *argv[] = { helper("cow_probe"), op, a, b, RACE_N, NULL };
	bool hit;

	for (int run = 0; run < 2; run++) {
		if (!cowfx_new(&f))
			FAIL("scratch setup failed");
		snprintf(a, sizeof(a), "%s/%s", f.out, name);
		snprintf(b, sizeof(b), "%s/%s", f.work, name);
		if (!create && !write_file_in(f.out, name, "F\n"))
			FAIL("scratch setup failed");
		if (run == 0) {
			/* the control, unconfined: the flip really reaches
			 * the workdir's file */
			hit = RACE_CONTROL(out, reached(op, b), op, a, b,
					   RACE_N);
			free(out);
			out = NULL;
			scratch_remove(dir);
			if (!hit)
				FAIL("%s: the unconfined race never reached "
				     "the workdir",
				     op);
			continue;
		}
		before = tree_state(f.work);
		out = run_in(cow_builder(&f, dir, 1), argv);
		if (race_count(out, false) < 0)
			FAIL("%s: \"%s\"", op, out);
		after = tree_state(f.work);
		CHECK_STR(after, before);
		free(out);
		free(before);
		free(after);
		scratch_remove(dir);
	}
}

TEST(race_open_for_writing_never_writes_the_workdir)
{
	race_stays_out("race_open", "f_w", false);
}

TEST(race_openat2_never_writes_the_workdir)
{
	race_stays_out("race_openat2", "f_w", false);
}

TEST(race_truncate_never_truncates_the_workdir)
{
	race_stays_out("race_truncate", "f_w", false);
}

TEST(race_chmod_never_changes_the_workdir)
{
	race_stays_out("race_chmod", "f_w", false);
}

TEST(race_unlink_never_removes_from_the_workdir)
{
	race_stays_out("race_unlink", "f_w", false);
}

TEST(race_rename_never_moves_in_the_workdir)
{
	race_stays_out("race_rename", "f_w", false);
}

TEST(race_link_never_links_into_the_workdir)
{
	race_stays_out("race_link", "f_w", false);
}

TEST(race_mkdir_never_creates_in_the_workdir)
{
	race_stays_out("race_mkdir", "n_new", true);
}

TEST(race_symlink_never_creates_in_the_workdir)
{
	race_stays_out("race_symlink", "n_new", true);
}
