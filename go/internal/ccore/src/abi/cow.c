/*
 * The copy-on-write side of the runs the ABI starts (docs/behaviour.md 9.6): a
 * branch created before the child for a policy with a workdir, and the
 * action its outcome calls for applied once the child and its supervisor
 * are gone. Failures are reported as one "sandlock: ..." line, like the
 * other failures of the ABI's runs.
 */
#include <stdio.h>

#include "abi/handle.h"
#include "cow/cow.h"

int sl_abi_cow_begin(const sandlock_sandbox_t *policy, bool dry_run,
		     struct sl_cow_run **cr)
{
	struct sl_sandbox *sb = sl_from_abi(policy);
	struct sl_error e = { 0 };

	*cr = NULL;
	if (!sb)
		return -1;
	if (sl_cow_run_begin(sb->policy, dry_run, cr, &e) < 0) {
		fprintf(stderr, "sandlock: %s\n",
			e.msg ? e.msg : "cannot create the copy-on-write "
					"branch");
		sl_error_clear(&e);
		return -1;
	}
	return 0;
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
		   struct sl_cow_changes *changes)
{
	struct sl_error e = { 0 };
	int r = sl_cow_run_end(cr, outcome_of(st), changes, &e);

	if (r < 0)
		fprintf(stderr, "sandlock: %s\n",
			e.msg ? e.msg : "copy-on-write: the branch could not "
					"be finished");
	sl_error_clear(&e);
	return r;
}
