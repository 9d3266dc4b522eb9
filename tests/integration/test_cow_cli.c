/*
 * The copy-on-write settings from the outside: the CLI's flags and their
 * bad input, and the dry-run ABI. Until the interception of the child's
 * file calls exists, a policy with a workdir is refused by name at build:
 * no command runs and no storage is created.
 */
#include "harness.h"
#include "integration/cli_exec.h"
#include "integration/launch_util.h"

/* While the workdir feature is refused, --dry-run is refused by name
 * like its other flags; once it exists, "--dry-run requires --workdir". */
TEST(dry_run_alone_is_refused)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "--dry-run", "--",
				       "/usr/bin/true"), 0);
	CHECK_EXIT(&r, 1);
	CHECK_STR(r.err, "Error: --dry-run is not supported yet\n");
	cli_result_free(&r);
}

/* The workdir is refused before anything runs or is created: the command
 * would have left a file, the default storage base stays absent. */
TEST(workdir_is_refused_by_name_until_writes_are_staged)
{
	static const char *const extra[][3] = {
		{ NULL }, { "--dry-run", NULL }, { "--on-exit", "keep", NULL },
	};
	char *dir = cli_scratch_new();
	char *out = cli_join(dir, "out");
	char *tmpdir = NULL, *env_tmp = NULL;
	const char *env[] = { NULL, "XDG_RUNTIME_DIR=", NULL };
	struct cli_exec_opts o = { .pass_fd = -1, .extra_env = env };
	char cmd[256];

	CHECK(dir && out);
	CHECK(asprintf(&env_tmp, "TMPDIR=%s", dir) > 0);
	env[0] = env_tmp;
	snprintf(cmd, sizeof(cmd), "echo x > %s", out);
	for (size_t i = 0; i < CLI_NELEM(extra); i++) {
		struct cli_args a = { .n = 0 };
		struct cli_result r;

		cli_args_add(&a, "run", NULL);
		cli_args_add_system(&a);
		cli_args_add(&a, "-w", dir, "--workdir", dir, NULL);
		for (int j = 0; extra[i][j]; j++)
			cli_args_add(&a, extra[i][j], NULL);
		cli_args_add(&a, "--", "/bin/sh", "-c", cmd, NULL);
		CHECK_EQ_INT(cli_exec_with(&r, &a, &o), 0);
		CHECK_EXIT(&r, 1);
		/* refused by flag until the writes are staged */
		CHECK_CONTAINS(r.err, "is not supported yet");
		CHECK(access(out, F_OK) < 0 && errno == ENOENT);
		cli_result_free(&r);
	}
	CHECK(asprintf(&tmpdir, "%s/sandlock-cow-%u", dir, (unsigned)getuid()) > 0);
	CHECK(access(tmpdir, F_OK) < 0 && errno == ENOENT);
	free(tmpdir);
	free(env_tmp);
	free(out);
	cli_scratch_remove(dir);
}

TEST(bad_quota_and_branch_actions_are_named)
{
	static const char *const cases[][3] = {
		{ "--max-disk", "1.5G", "Error: --max-disk: " },
		{ "--max-disk", "10X", "Error: --max-disk: " },
		{ "--max-disk", "", "Error: --max-disk: " },
		{ "--on-exit", "merge", "Error: invalid --on-exit value 'merge': "
					"expected commit | abort | keep" },
		{ "--on-error", "Commit", "Error: invalid --on-error value "
					  "'Commit': expected commit | abort | "
					  "keep" },
	};

	for (size_t i = 0; i < CLI_NELEM(cases); i++) {
		struct cli_result r;

		CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, cases[i][0],
					       cases[i][1], "--workdir", "/tmp",
					       "--", "/usr/bin/true"), 0);
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
	CHECK_EQ_INT(sandlock_dry_run_result_reason(d), SANDLOCK_EXIT_REASON_EXITED);
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

TEST(abi_policy_with_workdir_is_refused_at_build)
{
	sandlock_builder_t *b = lu_builder();
	char *msg = NULL;
	int err = 0;

	b = sandlock_sandbox_builder_workdir(b, "/tmp");
	b = sandlock_sandbox_builder_max_disk(b, 1 << 20);
	b = sandlock_sandbox_builder_on_exit(b, 2);
	CHECK(!sandlock_sandbox_build(b, &err, &msg));
	CHECK_STR(msg, "copy-on-write workdir is not supported yet");
	sandlock_string_free(msg);
}
