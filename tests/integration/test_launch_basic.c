/*
 * Launching through the public ABI: exit classification, captured output,
 * what the child inherits (fds, no_new_privs), launch failures.
 */
#include "harness.h"
#include "lib/policy.h"
#include "lib/run.h"
#include "lib/scratch.h"

TEST(echo_output_is_captured)
{
	sandlock_sandbox_t *p = lu_policy();
	sandlock_result_t *r;
	char *out;

	CHECK(p);
	r = LU_RUN(p, "/bin/echo", "hello", "world");
	CHECK(r);
	out = lu_out(r);
	CHECK_STR(out, "hello world\n");
	CHECK_EQ_INT(sandlock_result_reason(r), SANDLOCK_EXIT_REASON_EXITED);
	CHECK_EQ_INT(sandlock_result_exit_code(r), 0);
	CHECK_EQ_INT(sandlock_result_signal(r), -1);
	CHECK(sandlock_result_success(r));
	free(out);
	sandlock_result_free(r);
	sandlock_sandbox_free(p);
}

TEST(path_lookup_finds_the_program)
{
	sandlock_sandbox_t *p = lu_policy();
	sandlock_result_t *r = LU_RUN(p, "echo", "found");
	char *out = lu_out(r);

	CHECK_STR(out, "found\n");
	free(out);
	sandlock_result_free(r);
	sandlock_sandbox_free(p);
}

TEST(exit_codes_are_reported)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *codes[] = { "0", "3", "255" };

	CHECK(p);
	for (int i = 0; i < 3; i++) {
		char script[32];
		sandlock_result_t *r;

		snprintf(script, sizeof(script), "exit %s", codes[i]);
		r = LU_RUN(p, "/bin/sh", "-c", script);
		CHECK(r);
		CHECK_EQ_INT(sandlock_result_reason(r),
			     SANDLOCK_EXIT_REASON_EXITED);
		CHECK_EQ_INT(sandlock_result_exit_code(r), atoi(codes[i]));
		CHECK_EQ_INT(sandlock_result_success(r), i == 0);
		sandlock_result_free(r);
	}
	sandlock_sandbox_free(p);
}

TEST(death_by_sigterm_is_signaled)
{
	sandlock_sandbox_t *p = lu_policy();
	sandlock_result_t *r = LU_RUN(p, "/bin/sh", "-c", "kill -TERM $$");

	CHECK(r);
	CHECK_EQ_INT(sandlock_result_reason(r), SANDLOCK_EXIT_REASON_SIGNALED);
	CHECK_EQ_INT(sandlock_result_signal(r), SIGTERM);
	CHECK_EQ_INT(sandlock_result_exit_code(r), -1);
	CHECK(!sandlock_result_success(r));
	sandlock_result_free(r);
	sandlock_sandbox_free(p);
}

TEST(death_by_sigkill_is_killed_without_signal)
{
	sandlock_sandbox_t *p = lu_policy();
	sandlock_result_t *r = LU_RUN(p, "/bin/sh", "-c", "kill -KILL $$");

	CHECK(r);
	CHECK_EQ_INT(sandlock_result_reason(r), SANDLOCK_EXIT_REASON_KILLED);
	CHECK_EQ_INT(sandlock_result_signal(r), -1);
	CHECK_EQ_INT(sandlock_result_exit_code(r), -1);
	sandlock_result_free(r);
	sandlock_sandbox_free(p);
}

TEST(stdout_and_stderr_are_separate)
{
	sandlock_sandbox_t *p = lu_policy();
	sandlock_result_t *r =
		LU_RUN(p, "/bin/sh", "-c", "echo out; echo err >&2; echo out2");
	char *out = lu_out(r), *err = lu_err(r);

	CHECK_STR(out, "out\nout2\n");
	CHECK_STR(err, "err\n");
	free(out);
	free(err);
	sandlock_result_free(r);
	sandlock_sandbox_free(p);
}

TEST(binary_output_keeps_every_byte)
{
	static const uint8_t expect[] = { 'a', 0, 'b', 0xff, 'c' };
	sandlock_sandbox_t *p = lu_policy();
	sandlock_result_t *r =
		LU_RUN(p, "/bin/sh", "-c", "printf 'a\\000b\\377c'");
	const uint8_t *data;
	uintptr_t len = 99;

	CHECK(r);
	data = sandlock_result_stdout_bytes(r, &len);
	CHECK(data);
	CHECK_EQ_INT(len, sizeof(expect));
	CHECK(memcmp(data, expect, sizeof(expect)) == 0);
	/* text with a NUL byte has no string form */
	CHECK(sandlock_result_stdout(r) == NULL);
	/* captured but empty: a non-NULL pointer and length 0 */
	len = 99;
	CHECK(sandlock_result_stderr_bytes(r, &len) != NULL);
	CHECK_EQ_INT(len, 0);
	sandlock_result_free(r);
	sandlock_sandbox_free(p);
}

TEST(invalid_utf8_becomes_replacement_characters)
{
	sandlock_sandbox_t *p = lu_policy();
	sandlock_result_t *r =
		LU_RUN(p, "/bin/sh", "-c", "printf 'x\\377\\340\\200y'");
	char *out = lu_out(r);

	/* 0xFF is one invalid byte, E0 80 another maximal invalid part */
	CHECK_STR(out, "x\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDy");
	free(out);
	sandlock_result_free(r);
	sandlock_sandbox_free(p);
}

TEST(eight_mebibytes_of_output)
{
	sandlock_sandbox_t *p = lu_policy();
	sandlock_result_t *r = LU_RUN(
		p, "/bin/sh", "-c", "head -c 8388608 /dev/zero; echo done >&2");
	const uint8_t *data;
	uintptr_t len = 0;
	char *err;
	size_t nonzero = 0;

	CHECK(r);
	CHECK_EQ_INT(sandlock_result_exit_code(r), 0);
	data = sandlock_result_stdout_bytes(r, &len);
	CHECK_EQ_INT(len, 8388608);
	for (uintptr_t i = 0; i < len; i++)
		nonzero += data[i] != 0;
	CHECK_EQ_INT(nonzero, 0);
	err = lu_err(r);
	CHECK_STR(err, "done\n");
	free(err);
	sandlock_result_free(r);
	sandlock_sandbox_free(p);
}

TEST(command_not_found_exits_127)
{
	sandlock_sandbox_t *p = lu_policy();
	sandlock_result_t *r = LU_RUN(p, "sandlock-no-such-command-xyz");
	char *err = lu_err(r);

	CHECK(r);
	CHECK_EQ_INT(sandlock_result_reason(r), SANDLOCK_EXIT_REASON_EXITED);
	CHECK_EQ_INT(sandlock_result_exit_code(r), 127);
	CHECK_CONTAINS(err, "sandlock child:");
	CHECK_CONTAINS(err, "sandlock-no-such-command-xyz");
	CHECK_CONTAINS(err, "No such file or directory");
	free(err);
	sandlock_result_free(r);
	sandlock_sandbox_free(p);
}

TEST(script_without_interpreter_line_runs_through_sh)
{
	char *dir = scratch_make();
	char path[256];
	sandlock_sandbox_t *p;
	sandlock_result_t *r;
	char *out;
	FILE *f;

	CHECK(dir);
	snprintf(path, sizeof(path), "%s/plain-script", dir);
	f = fopen(path, "w");
	CHECK(f);
	fputs("echo from-script \"$1\"\n", f);
	fclose(f);
	CHECK(chmod(path, 0755) == 0);
	p = lu_build(sandlock_sandbox_builder_fs_read(lu_builder(), dir));
	CHECK(p);
	r = LU_RUN(p, path, "arg");
	out = lu_out(r);
	CHECK_STR(out, "from-script arg\n");
	free(out);
	sandlock_result_free(r);
	sandlock_sandbox_free(p);
	scratch_remove(dir);
}

TEST(missing_grant_path_fails_creation)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(
		lu_builder(), "/nonexistent/sandlock-grant-path");
	sandlock_sandbox_t *p = lu_build(b);
	const char *argv[] = { "/bin/true" };
	sandlock_handle_t *h;

	/* Refused at build or at create, never a running sandbox. */
	if (!p)
		return;
	h = sandlock_create(p, NULL, argv, 1);
	CHECK(h == NULL);
	CHECK(sandlock_run(p, NULL, argv, 1) == NULL);
	sandlock_sandbox_free(p);
}

/* The shell probes fds 0-9 (but 2, which reports) by duplicating each; a descriptor the caller
 * left inheritable (fd 9 here) must not be among them. */
TEST(no_descriptor_leaks_into_the_child)
{
	sandlock_sandbox_t *p = lu_policy();
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	sandlock_result_t *r;
	char *out;

	CHECK(null >= 0);
	CHECK(fcntl(9, F_GETFD) < 0); /* free, so the test owns fd 9 */
	CHECK(dup2(null, 9) == 9);    /* dup2: inheritable */
	close(null);
	r = LU_RUN(p, "/bin/sh", "-c",
		   "for fd in 0 1 3 4 5 6 7 8 9; do "
		   "(: <&$fd) 2>&- && printf '%s ' $fd; done; echo end >&2");
	close(9);
	out = lu_out(r);
	CHECK_STR(out, "0 1 ");
	free(out);
	out = lu_err(r);
	CHECK_STR(out, "end\n");
	free(out);
	sandlock_result_free(r);
	sandlock_sandbox_free(p);
}

TEST(no_new_privs_is_set)
{
	sandlock_sandbox_t *p = lu_policy();
	sandlock_result_t *r =
		LU_RUN(p, "/bin/grep", "NoNewPrivs", "/proc/self/status");
	char *out = lu_out(r);

	CHECK_STR(out, "NoNewPrivs:\t1\n");
	free(out);
	sandlock_result_free(r);
	sandlock_sandbox_free(p);
}

TEST(child_leads_its_own_process_group)
{
	sandlock_sandbox_t *p = lu_policy();
	sandlock_result_t *r;
	char *out;
	int pid = 0, pgid = -1;

	/* fields 1 and 5 of /proc/self/stat: pid and pgrp */
	r = LU_RUN(p, "/bin/sh", "-c",
		   "read -r a b c d e rest < /proc/self/stat; "
		   "echo $a $e");
	out = lu_out(r);
	CHECK(sscanf(out, "%d %d", &pid, &pgid) == 2);
	CHECK(pid > 0);
	CHECK_EQ_INT(pgid, pid);
	CHECK(pgid != getpgrp());
	free(out);
	sandlock_result_free(r);
	sandlock_sandbox_free(p);
}

TEST(bad_arguments_are_refused)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/true", NULL };

	CHECK(sandlock_run(p, NULL, argv, 0) == NULL);
	CHECK(sandlock_run(p, NULL, NULL, 1) == NULL);
	CHECK(sandlock_run(p, NULL, argv, 2) == NULL); /* NULL element */
	CHECK(sandlock_run(NULL, NULL, argv, 1) == NULL);
	CHECK(sandlock_create(p, NULL, argv, 0) == NULL);
	CHECK(sandlock_create_for_run(p, NULL, NULL, 1) == NULL);
	CHECK_EQ_INT(sandlock_run_interactive(p, NULL, argv, 0), -1);
	CHECK(sandlock_run(p, "bad/name", argv, 1) == NULL);
	CHECK(sandlock_run(p, "..", argv, 1) == NULL);
	sandlock_sandbox_free(p);
}

TEST(explicit_name_is_accepted)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/true" };
	sandlock_result_t *r = sandlock_run(p, "launch-test-name", argv, 1);

	CHECK(r);
	CHECK(sandlock_result_success(r));
	sandlock_result_free(r);
	sandlock_sandbox_free(p);
}

TEST(run_interactive_returns_the_exit_code)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *exit7[] = { "/bin/sh", "-c", "exit 7" };
	const char *killed[] = { "/bin/sh", "-c", "kill -TERM $$" };

	CHECK_EQ_INT(sandlock_run_interactive(p, NULL, exit7, 3), 7);
	CHECK_EQ_INT(sandlock_run_interactive(p, NULL, killed, 3), -1);
	sandlock_sandbox_free(p);
}

TEST(null_results_answer_neutrally)
{
	uintptr_t len = 5;

	CHECK_EQ_INT(sandlock_result_exit_code(NULL), -1);
	CHECK_EQ_INT(sandlock_result_reason(NULL), SANDLOCK_EXIT_REASON_KILLED);
	CHECK_EQ_INT(sandlock_result_signal(NULL), -1);
	CHECK(!sandlock_result_success(NULL));
	CHECK(sandlock_result_stdout(NULL) == NULL);
	CHECK(sandlock_result_stderr(NULL) == NULL);
	CHECK(sandlock_result_stdout_bytes(NULL, &len) == NULL);
	CHECK_EQ_INT(len, 0);
	CHECK(sandlock_result_stderr_bytes(NULL, NULL) == NULL);
	sandlock_result_free(NULL);
}
