/*
 * Resource limits through the CLI: --max-open-files, -P/--max-processes
 * against a fork loop, -m/--max-memory against a large allocation.
 */
#include "harness.h"
#include "lib/cli.h"

TEST(max_open_files_caps_soft_and_hard_limits)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "--max-open-files", "20", "--",
				       "sh", "-c", "ulimit -Sn; ulimit -Hn"),
		     0);
	CHECK_EXIT(&r, 0);
	CHECK_STR(r.out, "20\n20\n");
	cli_result_free(&r);
}

/* A shell that starts ten background sleepers, then reports success.
 * (dash gives background jobs /dev/null as stdin: the tests grant it.) */
static const char fork_ten[] =
	"i=0; while [ $i -lt 10 ]; do sleep 30 & i=$((i+1)); done; echo forked";

TEST(max_processes_allows_up_to_the_limit)
{
	struct cli_result r;

	/* 1 shell + 10 sleepers fit in 16. The sleepers are killed with the
	 * process group when the shell exits. */
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "-r", "/dev/null", "-P", "16",
				       "--", "sh", "-c", fork_ten),
		     0);
	CHECK_EXIT(&r, 0);
	CHECK_STR(r.out, "forked\n");
	cli_result_free(&r);
}

TEST(max_processes_stops_a_fork_loop)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "-r", "/dev/null", "-P", "4",
				       "--", "sh", "-c", fork_ten),
		     0);
	CHECK(!r.hung);
	CHECK(r.code != 0);
	CHECK(strstr(r.out, "forked") == NULL);
	/* dash: "Cannot fork"; other shells name EAGAIN's text. */
	if (!strstr(r.err, "fork") &&
	    !strstr(r.err, "Resource temporarily unavailable"))
		FAIL("no fork failure reported; exit %d, stderr: %s", r.code,
		     r.err);
	cli_result_free(&r);
}

/* dd allocates its block with one anonymous mapping of bs bytes. */
static int run_dd(struct cli_result *r, const char *limit, char **status)
{
	struct cli_exec_opts o = { .pass_fd = -1 };
	struct cli_buf st = { 0 };
	struct cli_args a = { .n = 0 };
	int p[2], rc;

	*status = NULL;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	o.pass_fd = p[1];
	o.pass_fd_as = 7;
	cli_args_add(&a, "run", NULL);
	cli_args_add_system(&a);
	cli_args_add(&a, "-r", "/dev/zero", "-w", "/dev/null", "--status-fd",
		     "7", NULL);
	if (limit)
		cli_args_add(&a, "-m", limit, NULL);
	cli_args_add(&a, "--", "dd", "if=/dev/zero", "of=/dev/null", "bs=256M",
		     "count=1", NULL);
	rc = cli_exec_with(r, &a, &o);
	close(p[1]);
	while (cli_buf_read(&st, p[0]))
		;
	close(p[0]);
	*status = cli_buf_take(&st);
	return rc;
}

TEST(max_memory_kills_a_big_allocation)
{
	struct cli_result r;
	char *status;

	/* Without a limit the same command succeeds... */
	CHECK_EQ_INT(run_dd(&r, NULL, &status), 0);
	CHECK_EXIT(&r, 0);
	CHECK_STR(status, "{\"exit_code\":0}\n");
	free(status);
	cli_result_free(&r);

	/* ...with 64 MiB the allocating process is killed. */
	CHECK_EQ_INT(run_dd(&r, "64M", &status), 0);
	CHECK_EXIT(&r, 1);
	CHECK_STR(status, "{\"exit_code\":-1,\"cause\":\"memory_limit\"}\n");
	free(status);
	cli_result_free(&r);
}
