/*
 * The copy-on-write workdir from the outside: the CLI's flags and their
 * bad input, commit, abort and keep at the end of a run, the dry run of
 * the CLI (docs/behaviour.md 9.5) and of the ABI.
 */
#include "harness.h"
#include "lib/cli.h"
#include "lib/files.h"
#include "lib/policy.h"
#include "lib/scratch.h"

TEST(dry_run_alone_is_refused)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "--dry-run", "--",
				       "/usr/bin/true"),
		     0);
	CHECK_EXIT(&r, 1);
	CHECK_STR(r.err, "Error: --dry-run requires --workdir\n");
	cli_result_free(&r);
}

/* A scratch workdir holding "keep" (kept), "edit" (appended to) and
 * "gone" (removed by the commands below), and a storage base next to it. */
struct cli_cow {
	char *dir, *work, *store;
};

static bool cli_cow_new(struct cli_cow *c)
{
	c->dir = scratch_make();
	c->work = c->dir ? path_join(c->dir, "work") : NULL;
	c->store = c->dir ? path_join(c->dir, "store") : NULL;
	if (!c->work || !c->store || mkdir(c->work, 0755) < 0)
		return false;
	return write_file_in(c->work, "keep", "k\n") &&
	       write_file_in(c->work, "edit", "e\n") &&
	       write_file_in(c->work, "gone", "g\n");
}

static void cli_cow_free(struct cli_cow *c)
{
	free(c->work);
	free(c->store);
	scratch_remove(c->dir);
}

#define CHANGE_CMD "echo new > new; echo more >> edit; rm gone"

/* Run CHANGE_CMD (then exit with code) in the workdir with extra flags. */
static int cli_cow_run(struct cli_result *r, const struct cli_cow *c,
		       const char *extra, int code)
{
	struct cli_args a = { .n = 0 };
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "%s; exit %d", CHANGE_CMD, code);
	cli_args_add(&a, "run", NULL);
	cli_args_add_system(&a);
	cli_args_add(&a, "-w", c->work, "--workdir", c->work, "--fs-storage",
		     c->store, NULL);
	if (extra)
		cli_args_add(&a, extra, NULL);
	cli_args_add(&a, "--", "/bin/sh", "-c", cmd, NULL);
	return cli_exec(r, &a);
}

static bool workdir_untouched(const struct cli_cow *c)
{
	return file_is(c->work, "keep", "k\n") &&
	       file_is(c->work, "edit", "e\n") &&
	       file_is(c->work, "gone", "g\n") &&
	       !file_is(c->work, "new", NULL);
}

/* The command's writes are staged, then committed when it succeeds; the
 * branch is gone afterwards. */
TEST(workdir_writes_are_committed_on_success)
{
	struct cli_cow c;
	struct cli_result r;

	CHECK(cli_cow_new(&c));
	CHECK_EQ_INT(cli_cow_run(&r, &c, NULL, 0), 0);
	CHECK_EXIT(&r, 0);
	CHECK(file_is(c.work, "new", "new\n"));
	CHECK(file_is(c.work, "edit", "e\nmore\n"));
	CHECK(file_is(c.work, "keep", "k\n"));
	CHECK(!file_is(c.work, "gone", NULL));
	CHECK(dir_is_empty(c.store));
	cli_result_free(&r);
	cli_cow_free(&c);
}

/* A failing command's writes are thrown away (on_error defaults to
 * abort); --on-error keep leaves them in a preserved branch. */
TEST(workdir_writes_are_discarded_or_kept_on_failure)
{
	struct cli_cow c;
	struct cli_result r;

	CHECK(cli_cow_new(&c));
	CHECK_EQ_INT(cli_cow_run(&r, &c, NULL, 3), 0);
	CHECK_EXIT(&r, 3);
	CHECK(workdir_untouched(&c));
	CHECK(dir_is_empty(c.store));
	cli_result_free(&r);
	CHECK_EQ_INT(cli_cow_run(&r, &c, "--on-error=keep", 4), 0);
	CHECK_EXIT(&r, 4);
	CHECK(workdir_untouched(&c));
	CHECK(!dir_is_empty(c.store));
	cli_result_free(&r);
	cli_cow_free(&c);
}

/* docs/behaviour.md 9.5: the exact stderr lines, the command's exit code, and
 * nothing changed or left behind. */
TEST(dry_run_prints_the_changes_and_changes_nothing)
{
	struct cli_cow c;
	struct cli_result r;

	CHECK(cli_cow_new(&c));
	CHECK_EQ_INT(cli_cow_run(&r, &c, "--dry-run", 5), 0);
	CHECK_EXIT(&r, 5);
	CHECK_STR(r.err, "sandlock: dry-run: filesystem changes:\n"
			 "M  edit\n"
			 "A  new\n"
			 "D  gone\n");
	CHECK(workdir_untouched(&c));
	CHECK(dir_is_empty(c.store));
	cli_result_free(&r);
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "-w", c.work, "--workdir",
				       c.work, "--fs-storage", c.store,
				       "--dry-run", "--", "/bin/cat", "keep"),
		     0);
	CHECK_EXIT(&r, 0);
	CHECK_STR(r.out, "k\n");
	CHECK_STR(r.err, "sandlock: dry-run: no filesystem changes\n");
	cli_result_free(&r);
	cli_cow_free(&c);
}

TEST(bad_quota_and_branch_actions_are_named)
{
	static const char *const cases[][3] = {
		{ "--max-disk", "1.5G", "Error: --max-disk: " },
		{ "--max-disk", "10X", "Error: --max-disk: " },
		{ "--max-disk", "", "Error: --max-disk: " },
		{ "--on-exit", "merge",
		  "Error: invalid --on-exit value 'merge': "
		  "expected commit | abort | keep" },
		{ "--on-error", "Commit",
		  "Error: invalid --on-error value "
		  "'Commit': expected commit | abort | "
		  "keep" },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct cli_result r;

		CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, cases[i][0],
					       cases[i][1], "--workdir", "/tmp",
					       "--", "/usr/bin/true"),
			     0);
		CHECK_EXIT(&r, 1);
		CHECK_CONTAINS(r.err, cases[i][2]);
		if (cases[i][1][0] && strncmp(cases[i][0], "--max", 5) == 0)
			CHECK_CONTAINS(r.err, cases[i][1]);
		cli_result_free(&r);
	}
}

TEST(abi_dry_run_without_workdir_runs_and_changes_nothing)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "sh", "-c", "echo hi; exit 3" };
	sandlock_dry_run_result_t *d;
	const uint8_t *out;
	uintptr_t len = 0;

	CHECK(p);
	d = sandlock_dry_run(p, NULL, argv, 3);
	CHECK(d);
	CHECK_EQ_INT(sandlock_dry_run_result_reason(d),
		     SANDLOCK_EXIT_REASON_EXITED);
	CHECK_EQ_INT(sandlock_dry_run_result_exit_code(d), 3);
	CHECK_EQ_INT(sandlock_dry_run_result_signal(d), -1);
	CHECK(!sandlock_dry_run_result_success(d));
	out = sandlock_dry_run_result_stdout_bytes(d, &len);
	CHECK(out && len == 3 && memcmp(out, "hi\n", 3) == 0);
	CHECK(sandlock_dry_run_result_stderr_bytes(d, &len) && len == 0);
	CHECK_EQ_INT(sandlock_dry_run_result_changes_len(d), 0);
	CHECK_EQ_INT(sandlock_dry_run_result_change_kind(d, 0), 0);
	CHECK(!sandlock_dry_run_result_change_path(d, 0));
	sandlock_dry_run_result_free(d);
	sandlock_sandbox_free(p);
}

/* The dry-run ABI with a workdir: the command's result, its changes,
 * and the workdir untouched. */
TEST(abi_dry_run_reports_the_changes)
{
	struct cli_cow c;
	sandlock_builder_t *b;
	sandlock_sandbox_t *p;
	sandlock_dry_run_result_t *d;
	const char *argv[] = { "sh", "-c", CHANGE_CMD };
	static const struct {
		char kind;
		const char *path;
	} want[] = {
		{ 'M', "edit" },
		{ 'A', "new" },
		{ 'D', "gone" },
	};

	CHECK(cli_cow_new(&c));
	b = lu_builder();
	b = sandlock_sandbox_builder_fs_write(b, c.work);
	b = sandlock_sandbox_builder_workdir(b, c.work);
	b = sandlock_sandbox_builder_fs_storage(b, c.store);
	p = sandlock_sandbox_build(b, NULL, NULL);
	CHECK(p);
	d = sandlock_dry_run(p, NULL, argv, 3);
	CHECK(d);
	CHECK(sandlock_dry_run_result_success(d));
	CHECK_EQ_INT(sandlock_dry_run_result_changes_len(d), 3);
	for (uintptr_t i = 0; i < 3; i++) {
		char *path = sandlock_dry_run_result_change_path(d, i);

		CHECK_EQ_INT(sandlock_dry_run_result_change_kind(d, i),
			     want[i].kind);
		CHECK_STR(path, want[i].path);
		sandlock_string_free(path);
	}
	sandlock_dry_run_result_free(d);
	sandlock_sandbox_free(p);
	CHECK(workdir_untouched(&c));
	CHECK(dir_is_empty(c.store));
	cli_cow_free(&c);
}
