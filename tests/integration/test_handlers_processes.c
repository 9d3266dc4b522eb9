/*
 * max_processes: the peak number of live processes is bounded, reaping
 * without blocking waits does not exhaust the budget, threads are free,
 * and namespaces cannot be created through clone3.
 */
#include "harness.h"
#include "lib/hostenv.h"
#include "lib/paths.h"
#include "lib/policy.h"
#include "lib/run.h"

static void run_probe(uint32_t limit, const char *const *argv, struct hrun *o)
{
	sandlock_builder_t *b = base_builder();

	b = sandlock_sandbox_builder_max_processes(b, limit);
	hrun(b, argv, o);
}

/* Under limit, argv exits 0 having printed exactly want. */
static void expect_output(uint32_t limit, const char *const *argv,
			  const char *want)
{
	struct hrun o;

	run_probe(limit, argv, &o);
	CHECK_RAN(&o);
	if (o.code != 0 || strcmp(o.out, want) != 0) {
		fprintf(stderr, "  exit %d, output \"%s\", stderr \"%s\"\n",
			o.code, o.out, o.err);
		hrun_free(&o);
		FAIL("expected exit 0 and \"%s\"", want);
	}
	hrun_free(&o);
}

TEST(fork_loop_stops_at_the_limit_with_eagain)
{
	const char *argv[] = { helper("fork_probe"), "seq", "20", NULL };

	/* the probe itself + 4 children = 5 */
	expect_output(5, argv, "created=4 errno=EAGAIN\n");
}

TEST(concurrent_forkers_never_exceed_the_limit)
{
	const char *argv[] = { helper("fork_probe"), "race", "4", "10", NULL };
	struct hrun o;
	int workers = -1, created = -1;

	run_probe(10, argv, &o);
	CHECK_RAN(&o);
	CHECK_EQ_INT(o.code, 0);
	CHECK(sscanf(o.out, "workers=%d created=%d", &workers, &created) == 2);
	CHECK(workers >= 1);
	CHECK(created >= 1);
	/* all alive at once: the probe, its workers, their children */
	if (1 + workers + created > 10)
		FAIL("peak %d over the limit 10 (%s)", 1 + workers + created,
		     o.out);
	hrun_free(&o);
}

TEST(sequential_commands_reaped_without_blocking_wait_are_not_limited)
{
	const char *argv[] = {
		"/bin/sh", "-c",
		"i=0; while [ $i -lt 200 ]; do /bin/true || exit 1; "
		"i=$((i+1)); done; echo done",
		NULL
	};

	expect_output(4, argv, "done\n");
}

TEST(threads_are_not_counted)
{
	const char *argv[] = { helper("fork_probe"), "threads", "16", NULL };

	expect_output(1, argv, "threads=16\n");
}

TEST(clone3_cannot_create_namespaces)
{
	const char *argv[] = { helper("fork_probe"), "clone3ns", NULL };

	/* Container runtimes refuse clone3 itself: the namespaces with it. */
	expect_output(8, argv, he_clone3_refused() ? "ENOSYS\n" : "EPERM\n");
}

TEST(clone_parent_is_refused)
{
	const char *argv[] = { helper("fork_probe"), "cloneparent", NULL };

	expect_output(8, argv, "EPERM\n");
}
