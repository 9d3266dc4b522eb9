/*
 * The argv a policy callback decides on is the argv that runs (docs/behaviour.md
 * 13.4): another task rewrites the exec's argument between "safe-arg"
 * (allowed) and "tok-evil" (refused) while the exec is decided. With the
 * sandbox held still, "tok-evil" never runs; without it (the control run,
 * the freezer switched off) it does.
 */
#include <stdatomic.h>

#include "harness.h"
#include "lib/paths.h"
#include "lib/policy.h"
#include "lib/run.h"

extern bool sl_freezer_test_off;

#define ATTEMPTS "300"

static _Atomic unsigned allowed, refused;

static int32_t refuse_evil(const sandlock_event_t *ev, sandlock_ctx_t *ctx,
			   void *ud)
{
	(void)ctx;
	(void)ud;
	if (strcmp(ev->syscall, "execve") != 0 || ev->argc != 2 ||
	    strcmp(ev->argv[0], "/bin/echo") != 0)
		return 0;
	if (strcmp(ev->argv[1], "tok-evil") == 0) {
		atomic_fetch_add(&refused, 1);
		return -1;
	}
	atomic_fetch_add(&allowed, 1);
	return 0;
}

/* Lines "tok-evil" printed: execs of the refused argv that ran. */
static long escapes(const char *out)
{
	long n = 0;

	for (const char *p = out; (p = strstr(p, "tok-evil\n")); p++)
		n++;
	return n;
}

static void race(const char *mode, bool freeze, long *escaped, bool *ran)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_policy_fn(
		base_builder(), refuse_evil, NULL, NULL);
	const char *argv[] = { helper("argv_race"), mode, ATTEMPTS, NULL };
	struct hrun o;

	atomic_store(&allowed, 0);
	atomic_store(&refused, 0);
	sl_freezer_test_off = !freeze;
	hrun(b, argv, &o);
	sl_freezer_test_off = false;
	*ran = o.ok && strstr(o.out, "done " ATTEMPTS);
	*escaped = o.ok ? escapes(o.out) : -1;
	if (!*ran)
		fprintf(stderr, "  argv_race %s: %s %s %s\n", mode,
			o.build_err ? o.build_err : "", o.out ? o.out : "",
			o.err ? o.err : "");
	hrun_free(&o);
}

static void check_mode(const char *mode)
{
	long escaped;
	bool ran;

	/* control: without the freeze the writer wins the race */
	race(mode, false, &escaped, &ran);
	if (!ran || escaped <= 0)
		FAIL("control (%s): the race was not hit (%ld of " ATTEMPTS
		     " refused argv ran)",
		     mode, escaped);
	race(mode, true, &escaped, &ran);
	if (!ran)
		FAIL("%s: the sandbox did not run", mode);
	if (escaped != 0)
		FAIL("%s: %ld execs ran an argv the callback refused", mode,
		     escaped);
	/* both outcomes were decided: the race was there to win */
	if (atomic_load(&allowed) == 0 || atomic_load(&refused) == 0)
		FAIL("%s: the callback saw only one argv (%u allowed, %u "
		     "refused)",
		     mode, atomic_load(&allowed), atomic_load(&refused));
}

TEST(sibling_thread_rewriting_argv_never_runs_the_refused_argv)
{
	check_mode("thread");
}

TEST(process_sharing_memory_rewriting_argv_never_runs_the_refused_argv)
{
	check_mode("proc");
}
