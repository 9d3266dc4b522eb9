/* One-shot runs (c-abi 3.14): create, start and wait on the caller's
 * thread, no helper thread. */
#include "abi/handle.h"

static const uint8_t inherit_stdio[3] = { SL_STDIO_INHERIT, SL_STDIO_INHERIT,
					  SL_STDIO_INHERIT };

static int run_once(const sandlock_sandbox_t *policy, const char *name,
		    const char *const *argv, unsigned int argc,
		    const uint8_t stdio[3], struct sl_status *st,
		    struct sl_capture *cap)
{
	struct sl_run *r;
	int rc;

	r = sl_abi_run_create(policy, name, argv, argc, stdio, true, false, NULL);
	if (!r)
		return -1;
	rc = sl_run_wait(r, 0, st, cap);
	sl_run_free(r);
	return rc;
}

SL_EXPORT sandlock_result_t *sandlock_run(const sandlock_sandbox_t *policy,
					  const char *name,
					  const char *const *argv,
					  unsigned int argc)
{
	struct sl_status st;
	struct sl_capture cap;

	if (run_once(policy, name, argv, argc, sl_abi_capture_stdio, &st,
		     &cap) < 0)
		return NULL;
	return sl_abi_result_new(&st, &cap);
}

SL_EXPORT int sandlock_run_interactive(const sandlock_sandbox_t *policy,
				       const char *name,
				       const char *const *argv,
				       unsigned int argc)
{
	struct sl_status st;

	if (run_once(policy, name, argv, argc, inherit_stdio, &st, NULL) < 0)
		return -1;
	return st.reason == SANDLOCK_EXIT_REASON_EXITED ? st.code : -1;
}
