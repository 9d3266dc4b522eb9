/*
 * max_memory: an anonymous allocation beyond the limit kills the process
 * that asked for it; one within the limit runs normally. dd allocates its
 * block with one anonymous mapping of bs bytes and fills it.
 */
#include "harness.h"
#include "lib/policy.h"
#include "lib/run.h"

static void run_dd(const char *bs, struct hrun *o)
{
	char arg[32];
	const char *argv[] = { "dd", "if=/dev/zero", "of=/dev/null",
			       arg,  "count=1",	     "status=none",
			       NULL };
	sandlock_builder_t *b = base_builder();

	snprintf(arg, sizeof(arg), "bs=%s", bs);
	b = sandlock_sandbox_builder_max_memory(b, 64ull << 20);
	hrun(b, argv, o);
}

TEST(allocation_beyond_the_limit_is_killed)
{
	struct hrun o;

	run_dd("256M", &o);
	CHECK_RAN(&o);
	CHECK_EQ_INT(o.reason, SANDLOCK_EXIT_REASON_KILLED);
	CHECK(o.code != 0);
	hrun_free(&o);
}

TEST(allocation_within_the_limit_runs)
{
	struct hrun o;

	run_dd("8M", &o);
	CHECK_RAN(&o);
	CHECK_EQ_INT(o.reason, SANDLOCK_EXIT_REASON_EXITED);
	CHECK_EQ_INT(o.code, 0);
	hrun_free(&o);
}

TEST(memory_is_credited_back_between_processes)
{
	/* 12 sequential 32 MiB allocations: 384 MiB in total, never more
	 * than one alive: each exit (or exec) credits its charge. */
	const char *argv[] = {
		"/bin/sh", "-c",
		"i=0; while [ $i -lt 12 ]; do dd if=/dev/zero of=/dev/null "
		"bs=32M count=1 status=none || exit 1; i=$((i+1)); done; "
		"echo done",
		NULL
	};
	sandlock_builder_t *b = base_builder();
	struct hrun o;

	b = sandlock_sandbox_builder_max_memory(b, 64ull << 20);
	hrun(b, argv, &o);
	CHECK_RAN(&o);
	CHECK_EQ_INT(o.code, 0);
	CHECK_STR(o.out, "done\n");
	hrun_free(&o);
}
