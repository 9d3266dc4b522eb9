/*
 * max_processes: the peak number of live processes is bounded, reaping
 * without blocking waits does not exhaust the budget, threads are free,
 * and namespaces cannot be created through clone3.
 */
#include "harness.h"
#include "integration/handlers_run.h"

static void run_probe(uint32_t limit, const char *const *argv, struct hrun *o)
{
	sandlock_builder_t *b = base_builder();

	b = sandlock_sandbox_builder_max_processes(b, limit);
	hrun(b, argv, o);
}

TEST(fork_loop_stops_at_the_limit_with_eagain)
{
	const char *argv[] = { helper("fork_probe"), "seq", "20", NULL };
	struct hrun o;

	run_probe(5, argv, &o);
	CHECK_RAN(&o);
	CHECK_EQ_INT(o.code, 0);
	/* the probe itself + 4 children = 5 */
	CHECK_STR(o.out, "created=4 errno=EAGAIN\n");
	hrun_free(&o);
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
	struct hrun o;

	run_probe(4, argv, &o);
	CHECK_RAN(&o);
	CHECK_EQ_INT(o.code, 0);
	CHECK_STR(o.out, "done\n");
	hrun_free(&o);
}

TEST(threads_are_not_counted)
{
	const char *argv[] = { helper("fork_probe"), "threads", "16", NULL };
	struct hrun o;

	run_probe(1, argv, &o);
	CHECK_RAN(&o);
	CHECK_EQ_INT(o.code, 0);
	CHECK_STR(o.out, "threads=16\n");
	hrun_free(&o);
}

TEST(clone3_cannot_create_namespaces)
{
	const char *argv[] = { helper("fork_probe"), "clone3ns", NULL };
	struct hrun o;

	run_probe(8, argv, &o);
	CHECK_RAN(&o);
	CHECK_EQ_INT(o.code, 0);
	CHECK_STR(o.out, "EPERM\n");
	hrun_free(&o);
}

TEST(clone_parent_is_refused)
{
	const char *argv[] = { helper("fork_probe"), "cloneparent", NULL };
	struct hrun o;

	run_probe(8, argv, &o);
	CHECK_RAN(&o);
	CHECK_EQ_INT(o.code, 0);
	CHECK_STR(o.out, "EPERM\n");
	hrun_free(&o);
}
