/* One-shot runs (docs/abi.md 3.14): create, start and wait on the caller's
 * thread, no helper thread. */
#include <errno.h>
#include <string.h>

#include "abi/handle.h"
#include "abi/lasterr.h"
#include "cow/cow.h"

static const uint8_t inherit_stdio[3] = { SL_STDIO_INHERIT, SL_STDIO_INHERIT,
					  SL_STDIO_INHERIT };

int sl_abi_run_once(const sandlock_sandbox_t *policy, const char *name,
		    const char *const *argv, unsigned int argc,
		    const uint8_t stdio[3], bool dry_run, struct sl_status *st,
		    struct sl_capture *cap, struct sl_cow_changes *changes)
{
	return sl_abi_run_once_ext(policy, name, argv, argc, stdio, dry_run,
				   NULL, st, cap, changes);
}

int sl_abi_run_once_ext(const sandlock_sandbox_t *policy, const char *name,
			const char *const *argv, unsigned int argc,
			const uint8_t stdio[3], bool dry_run,
			const struct sl_modlist *extra, struct sl_status *st,
			struct sl_capture *cap, struct sl_cow_changes *changes)
{
	struct sl_error e = { 0 };
	struct sl_cow_run *cow = NULL;
	struct sl_run *r;
	int rc;

	if (sl_abi_check_launch(policy, argv, argc, &e) < 0 ||
	    sl_abi_cow_begin(policy, dry_run, &cow, &e) < 0)
		return sl_abi_fail_err(&e, NULL);
	r = sl_abi_run_create_ext(policy, name, argv, argc, stdio, true, false,
				  NULL, cow, extra, &e);
	if (!r) {
		sl_cow_run_discard(cow);
		return sl_abi_fail_err(&e, NULL);
	}
	rc = sl_run_wait(r, 0, st, cap);
	/* The branch is finished only once nothing of the run is left. */
	sl_run_free(r);
	if (rc < 0)
		sl_abi_fail(-rc, "wait failed: %s", strerror(-rc));
	/* A result whose branch could not be finished is still returned;
	 * the failure is recorded beside it. */
	if (sl_abi_cow_end(cow, rc < 0 ? NULL : st, changes, &e) < 0 && rc == 0)
		sl_abi_fail_err(&e, NULL);
	sl_error_clear(&e);
	return rc < 0 ? -1 : 0;
}

SL_EXPORT sandlock_result_t *sandlock_run(const sandlock_sandbox_t *policy,
					  const char *name,
					  const char *const *argv,
					  unsigned int argc)
{
	struct sl_status st;
	struct sl_capture cap;
	sandlock_result_t *res;

	sl_abi_reset();
	if (sl_abi_run_once(policy, name, argv, argc, sl_abi_capture_stdio,
			    false, &st, &cap, NULL) < 0)
		return NULL;
	res = sl_abi_result_new(&st, &cap);
	if (!res)
		sl_abi_fail(ENOMEM, "out of memory");
	return res;
}

SL_EXPORT int sandlock_run_interactive(const sandlock_sandbox_t *policy,
				       const char *name,
				       const char *const *argv,
				       unsigned int argc)
{
	struct sl_status st;

	sl_abi_reset();
	if (sl_abi_run_once(policy, name, argv, argc, inherit_stdio, false, &st,
			    NULL, NULL) < 0)
		return -1;
	return st.reason == SANDLOCK_EXIT_REASON_EXITED ? st.code : -1;
}
