/*
 * The copy-on-write side of the runs the ABI starts (docs/behaviour.md 9.6): a
 * branch created before the child for a policy with a workdir, and the
 * action its outcome calls for applied once the child and its supervisor
 * are gone. Failures come back in the caller's error record, like the
 * other failures of the ABI's runs.
 */
#include <errno.h>

#include "abi/handle.h"
#include "cow/cow.h"

int sl_abi_cow_begin(const sandlock_sandbox_t *policy, bool dry_run,
		     struct sl_cow_run **cr, struct sl_error *e)
{
	struct sl_sandbox *sb = sl_from_abi(policy);
	int r;

	*cr = NULL;
	if (!sb)
		return sl_err(e, EINVAL,
			      "invalid argument: not a built policy");
	r = sl_cow_run_begin(sb->policy, dry_run, cr, e);
	if (r < 0 && !e->code)
		sl_err(e, -r, "cannot create the copy-on-write branch");
	return r;
}

static enum sl_cow_outcome outcome_of(const struct sl_status *st)
{
	if (!st)
		return SL_COW_OUTCOME_UNWAITED;
	if (st->reason == SANDLOCK_EXIT_REASON_EXITED && st->code == 0)
		return SL_COW_OUTCOME_SUCCESS;
	return SL_COW_OUTCOME_FAILURE;
}

int sl_abi_cow_end(struct sl_cow_run *cr, const struct sl_status *st,
		   struct sl_cow_changes *changes, struct sl_error *e)
{
	int r = sl_cow_run_end(cr, outcome_of(st), changes, e);

	if (r < 0 && !e->code)
		sl_err(e, -r,
		       "copy-on-write: the branch could not be finished");
	return r;
}
