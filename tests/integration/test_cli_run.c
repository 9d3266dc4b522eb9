/*
 * `sandlock run` end to end: exit codes (docs/behaviour.md 14.4), timeout and
 * teardown of the whole process group, -e, environment, --cwd, --name and
 * --status-fd.
 */
#include <ctype.h>

#include "harness.h"
#include "lib/cli.h"
#include "lib/files.h"
#include "lib/procs.h"
#include "lib/scratch.h"

TEST(exit_code_zero_and_nonzero_pass_through)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "--", "true"), 0);
	CHECK_EXIT(&r, 0);
	cli_result_free(&r);
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "--", "sh", "-c", "exit 3"),
		     0);
	CHECK_EXIT(&r, 3);
	cli_result_free(&r);
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "--", "false"), 0);
	CHECK_EXIT(&r, 1);
	cli_result_free(&r);
}

TEST(command_without_separator_is_accepted)
{
	struct cli_result r;

	/* Parsing stops at the first operand: "-c" belongs to sh. */
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "sh", "-c", "exit 7"), 0);
	CHECK_EXIT(&r, 7);
	cli_result_free(&r);
}

TEST(stdout_and_stderr_are_inherited)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "--", "sh", "-c",
				       "echo to-out; echo to-err >&2"),
		     0);
	CHECK_EXIT(&r, 0);
	CHECK_STR(r.out, "to-out\n");
	CHECK_CONTAINS(r.err, "to-err\n");
	cli_result_free(&r);
}

TEST(missing_command_exits_127)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "--",
				       "/usr/bin/no-such-command-sandlock"),
		     0);
	CHECK_EXIT(&r, 127);
	cli_result_free(&r);
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "--",
				       "no-such-command-sandlock"),
		     0);
	CHECK_EXIT(&r, 127);
	CHECK_CONTAINS(r.err, "sandlock: cannot start "
			      "'no-such-command-sandlock': no such command in "
			      "PATH\n");
	cli_result_free(&r);
}

/* Run with --status-fd on a pipe; returns the line written (malloc'd). */
static char *run_with_status(struct cli_result *r, const char *script, int *rc)
{
	struct cli_exec_opts o = { .pass_fd = -1 };
	struct cli_buf status = { 0 };
	int p[2];

	*rc = -1;
	if (pipe2(p, O_CLOEXEC) < 0)
		return NULL;
	o.pass_fd = p[1];
	o.pass_fd_as = 7;
	*rc = CLI_RUN_SANDBOXED(r, &o, "--status-fd", "7", "--", "sh", "-c",
				script);
	close(p[1]);
	while (cli_buf_read(&status, p[0]))
		;
	close(p[0]);
	return cli_buf_take(&status);
}

TEST(status_fd_reports_exit_code)
{
	struct cli_result r;
	char *status;
	int rc;

	status = run_with_status(&r, "exit 5", &rc);
	CHECK_EQ_INT(rc, 0);
	CHECK_EXIT(&r, 5);
	CHECK_STR(status, "{\"exit_code\":5}\n");
	free(status);
	cli_result_free(&r);
}

TEST(signal_death_exits_1_and_reports_the_signal)
{
	struct cli_result r;
	char *status;
	int rc;

	status = run_with_status(&r, "kill -TERM $$", &rc);
	CHECK_EQ_INT(rc, 0);
	CHECK_EXIT(&r, 1);
	CHECK_STR(status, "{\"exit_code\":-1,\"signal\":15}\n");
	free(status);
	cli_result_free(&r);
}

TEST(sigkill_death_exits_1_and_reports_killed)
{
	struct cli_result r;
	char *status;
	int rc;

	status = run_with_status(&r, "kill -KILL $$", &rc);
	CHECK_EQ_INT(rc, 0);
	CHECK_EXIT(&r, 1);
	CHECK_STR(status, "{\"exit_code\":-1}\n");
	free(status);
	cli_result_free(&r);
}

/* Does any process that is not a zombie belong to process group pgid? */
static bool group_has_live_members(pid_t pgid)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	bool live = false;

	if (!d)
		return true;
	while (!live && (de = readdir(d))) {
		char buf[512], state;
		const char *p;
		int pgrp, ppid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		p = lu_proc_stat(atoi(de->d_name), buf, sizeof(buf));
		if (p && sscanf(p, "%c %d %d", &state, &ppid, &pgrp) == 3)
			live = pgrp == pgid && state != 'Z' && state != 'X';
	}
	closedir(d);
	return live;
}

TEST(timeout_exits_124_and_kills_the_whole_group)
{
	struct cli_exec_opts o = { .pass_fd = -1 };
	struct cli_buf status = { 0 };
	struct cli_result r;
	long long until;
	pid_t pgid;
	int p[2];

	CHECK(pipe2(p, O_CLOEXEC) == 0);
	o.pass_fd = p[1];
	o.pass_fd_as = 7;
	/* The top process prints its pid (= its process group) and starts a
	 * background child (dash gives it /dev/null as stdin); both must be
	 * gone afterwards. */
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, &o, "-t", "1", "--status-fd", "7",
				       "-r", "/dev/null", "--", "sh", "-c",
				       "echo $$; sleep 30 & sleep 30"),
		     0);
	close(p[1]);
	while (cli_buf_read(&status, p[0]))
		;
	close(p[0]);
	CHECK_EXIT(&r, 124);
	CHECK_CONTAINS(r.err, "sandlock: timeout after 1s");
	/* No status line after a timeout (14.4). */
	CHECK(status.len == 0);
	free(status.data);
	pgid = (pid_t)atoi(r.out);
	CHECK(pgid > 1);
	/* SIGKILL is delivered asynchronously: allow the kernel to finish. */
	until = cli_now_ms() + 10000;
	while (group_has_live_members(pgid) && cli_now_ms() < until)
		usleep(10000);
	CHECK(!group_has_live_members(pgid));
	cli_result_free(&r);
}

TEST(exec_shell_runs_bin_sh_c)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "-e", "echo hello; exit 4"),
		     0);
	CHECK_EXIT(&r, 4);
	CHECK_STR(r.out, "hello\n");
	cli_result_free(&r);
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "--exec-shell", "echo $0"), 0);
	CHECK_EXIT(&r, 0);
	CHECK_STR(r.out, "/bin/sh\n");
	cli_result_free(&r);
}

TEST(interactive_flag_is_accepted)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "-i", "--", "sh", "-c",
				       "exit 6"),
		     0);
	CHECK_EXIT(&r, 6);
	cli_result_free(&r);
}

TEST(env_sets_variables_and_later_values_win)
{
	struct cli_result r;

	CHECK_EQ_INT(
		CLI_RUN_SANDBOXED(&r, NULL, "--env", "SL_A=one", "--env",
				  "SL_B=x=y", "--env", "SL_A=two", "--env",
				  "SL_EMPTY=", "--", "sh", "-c",
				  "echo \"$SL_A|$SL_B|${SL_EMPTY-unset}\""),
		0);
	CHECK_EXIT(&r, 0);
	CHECK_STR(r.out, "two|x=y|\n");
	cli_result_free(&r);
}

TEST(environment_is_inherited_unless_clean_env)
{
	static const char *const marker[] = { "SL_CLI_MARKER=inherited", NULL };
	struct cli_exec_opts o = { .pass_fd = -1, .extra_env = marker };
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, &o, "--", "/usr/bin/env"), 0);
	CHECK_EXIT(&r, 0);
	CHECK_CONTAINS(r.out, "SL_CLI_MARKER=inherited\n");
	cli_result_free(&r);

	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, &o, "--clean-env", "--env", "ONLY=1",
				       "--", "/usr/bin/env"),
		     0);
	CHECK_EXIT(&r, 0);
	CHECK_STR(r.out, "ONLY=1\n");
	cli_result_free(&r);
}

TEST(cwd_sets_the_working_directory)
{
	char *dir = scratch_make();
	char want[PATH_MAX + 2];
	struct cli_result r;

	CHECK(dir);
	snprintf(want, sizeof(want), "%s\n", dir);
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "-r", dir, "--cwd", dir, "--",
				       "pwd"),
		     0);
	scratch_remove(dir);
	CHECK_EXIT(&r, 0);
	CHECK_STR(r.out, want);
	cli_result_free(&r);
}

TEST(missing_cwd_fails_before_exec)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "--cwd", "/nonexistent-sl-dir",
				       "--", "true"),
		     0);
	/* A setup failure before exec is 127 (as in the README), found
	 * before launching. */
	CHECK_EXIT(&r, 127);
	CHECK_CONTAINS(r.err, "sandlock: cannot start 'true': the working "
			      "directory /nonexistent-sl-dir (--cwd) does not "
			      "exist\n");
	cli_result_free(&r);
}

/* The hint after "(add -r " in a message, or NULL. */
static char *grant_hint(const char *err)
{
	const char *h = strstr(err, "(add -r ");
	const char *end = h ? strchr(h, ')') : NULL;

	return end ? strndup(h + 8, (size_t)(end - h - 8)) : NULL;
}

/* A program whose dynamic loader no grant covers: the tool names the
 * loader and the directory to grant, and that grant is enough. */
TEST(missing_loader_grant_is_named_and_the_hint_works)
{
	char real[PATH_MAX], dir[PATH_MAX];
	struct cli_result r;
	char *hint;

	CHECK(realpath("/bin/true", real));
	snprintf(dir, sizeof(dir), "%s", real);
	*strrchr(dir, '/') = '\0';
	CHECK_EQ_INT(CLI_RUN(&r, "run", "-r", dir, "--", "/bin/true"), 0);
	CHECK_EXIT(&r, 127);
	CHECK_CONTAINS(r.err, "sandlock: cannot start '/bin/true': the "
			      "dynamic loader ");
	CHECK_CONTAINS(r.err, " of /bin/true is not readable in the sandbox "
			      "(add -r ");
	hint = grant_hint(r.err);
	cli_result_free(&r);
	CHECK(hint);
	CHECK_EQ_INT(CLI_RUN(&r, "run", "-r", dir, "-r", hint, "--",
			     "/bin/true"),
		     0);
	free(hint);
	CHECK_EXIT(&r, 0);
	cli_result_free(&r);
}

TEST(script_interpreter_without_grant_is_named)
{
	char *dir = scratch_make();
	char *script = dir ? path_join(dir, "script") : NULL;
	struct cli_result r;

	CHECK(script);
	CHECK(write_file(script, "#!/bin/sh\nexit 0\n"));
	CHECK_EQ_INT(chmod(script, 0755), 0);
	CHECK_EQ_INT(CLI_RUN(&r, "run", "-r", dir, "--", script), 0);
	CHECK_EXIT(&r, 127);
	CHECK_CONTAINS(r.err, "the interpreter /bin/sh");
	CHECK_CONTAINS(r.err, "named by the #! line of ");
	CHECK_CONTAINS(r.err, "is not readable in the sandbox (add -r ");
	cli_result_free(&r);
	free(script);
	scratch_remove(dir);
}

/* sandlock inside sandlock: the kernel allows one seccomp listener per
 * process, so the inner start fails, and the hint says so without
 * suggesting a flag that is not built (--no-supervisor). The inner tool
 * is the plain build when there is one: a sanitizer build needs /proc. */
TEST(nested_sandbox_fails_with_a_hint_that_exists)
{
	const char *lib = getenv("SANDLOCK_LIB_BUILD");
	char inner[PATH_MAX], dir[PATH_MAX];
	struct cli_result r;

	snprintf(inner, sizeof(inner), "%s/sandlock", lib ? lib : "");
	if (!lib || access(inner, X_OK) != 0)
		snprintf(inner, sizeof(inner), "%s", cli_path());
	CHECK(realpath(inner, dir));
	snprintf(inner, sizeof(inner), "%s", dir);
	*strrchr(dir, '/') = '\0';
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "-r", dir, "--", inner, "run",
				       "-r", "/usr", "--", "/usr/bin/true"),
		     0);
	CHECK_EXIT(&r, 127);
	CHECK_CONTAINS(r.err,
		       "sandlock child: seccomp (a supervisor already "
		       "watches this process and the kernel allows only "
		       "one: sandlock cannot run inside another sandlock "
		       "sandbox)");
	CHECK(!strstr(r.err, "--no-supervisor"));
	cli_result_free(&r);
}

/* A command that ran and exited 127 itself gets no start diagnosis. */
TEST(command_exiting_127_is_not_a_start_failure)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "--", "sh", "-c", "exit 127"),
		     0);
	CHECK_EXIT(&r, 127);
	CHECK(!strstr(r.err, "cannot start"));
	cli_result_free(&r);
}

TEST(named_sandbox_runs)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "--name", "cli-test-named",
				       "--", "sh", "-c", "exit 9"),
		     0);
	CHECK_EXIT(&r, 9);
	cli_result_free(&r);
}

TEST(missing_grant_path_fails_without_running)
{
	struct cli_result r;
	char *dir = scratch_make();
	char *marker = dir ? path_join(dir, "ran") : NULL;

	CHECK(marker);
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "-r", "/nonexistent-sl-grant",
				       "-w", dir, "--", "touch", marker),
		     0);
	CHECK(r.code == 1 || r.code == 127);
	CHECK(access(marker, F_OK) != 0);
	free(marker);
	scratch_remove(dir);
	cli_result_free(&r);
}

TEST(termination_signal_to_sandlock_reaches_the_command)
{
	struct cli_args a = { .n = 0 };
	struct cli_buf out = { 0 };
	int po[2], pe[2], status;
	pid_t pid;

	cli_args_add(&a, "run", NULL);
	cli_args_add_system(&a);
	/* The command reports the signal it got through its exit code. */
	cli_args_add(&a, "--", "sh", "-c",
		     "trap 'exit 42' TERM; echo ready; "
		     "while :; do sleep 0.1; done",
		     NULL);
	CHECK(pipe2(po, O_CLOEXEC) == 0);
	CHECK(pipe2(pe, O_CLOEXEC) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		cli_exec_child(cli_path(), &a, po[1], pe[1], NULL);
	close(po[1]);
	close(pe[1]);
	while (!strstr(out.data ? out.data : "", "ready\n") &&
	       cli_buf_read(&out, po[0]))
		;
	CHECK(out.data && strstr(out.data, "ready\n"));
	CHECK(kill(pid, SIGTERM) == 0);
	while (cli_buf_read(&out, po[0]))
		;
	close(po[0]);
	close(pe[0]);
	free(out.data);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status));
	CHECK_EQ_INT(WEXITSTATUS(status), 42);
}
