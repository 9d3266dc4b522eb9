/*
 * max_memory on the paths the supervisor takes without reading /proc on
 * every call: a thread that is not its group's leader (its process found
 * through a cached, re-checked answer) and memory the ledger does not
 * charge but statm's floor counts (docs/behaviour.md 4.1), which must still stop the
 * process once it asks for more.
 */
#include "harness.h"
#include "lib/paths.h"
#include "lib/policy.h"
#include "lib/run.h"

static void run_probe(const char *mode, const char *mb, struct hrun *o)
{
	const char *argv[] = { helper("mem_probe"), mode, mb, NULL };
	sandlock_builder_t *b = base_builder();

	b = sandlock_sandbox_builder_max_memory(b, 64ull << 20);
	hrun(b, argv, o);
}

TEST(thread_allocation_within_the_limit_runs)
{
	struct hrun o;

	run_probe("thread", "8", &o);
	CHECK_RAN(&o);
	CHECK_EQ_INT(o.reason, SANDLOCK_EXIT_REASON_EXITED);
	CHECK_EQ_INT(o.code, 0);
	CHECK_STR(o.out, "survived\n");
	hrun_free(&o);
}

TEST(thread_allocation_beyond_the_limit_is_killed)
{
	struct hrun o;

	run_probe("thread", "256", &o);
	CHECK_RAN(&o);
	CHECK_EQ_INT(o.reason, SANDLOCK_EXIT_REASON_KILLED);
	CHECK_STR(o.out, "");
	hrun_free(&o);
}

TEST(uncharged_memory_counts_through_the_floor)
{
	struct hrun o;

	run_probe("unseen", "256", &o);
	CHECK_RAN(&o);
	CHECK_EQ_INT(o.reason, SANDLOCK_EXIT_REASON_KILLED);
	CHECK_STR(o.out, "");
	hrun_free(&o);
}

TEST(small_uncharged_memory_runs)
{
	struct hrun o;

	run_probe("unseen", "4", &o);
	CHECK_RAN(&o);
	CHECK_EQ_INT(o.reason, SANDLOCK_EXIT_REASON_EXITED);
	CHECK_STR(o.out, "survived\n");
	hrun_free(&o);
}
