/*
 * The end of a branch: abort, keep, and the action a run's outcome calls
 * for (docs/behaviour.md 9.6); the copy-on-write side of one run.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cow/internal.h"
#include "policy/policy.h"

int sl_cow_abort(struct sl_cow_branch *b, struct sl_error *e)
{
	int r = sl_cow_remove_storage(b, true);

	if (r < 0)
		return sl_err(e, -r,
			      "cannot remove the copy-on-write branch "
			      "'%s': %s",
			      b->dir, strerror(-r));
	return 0;
}

int sl_cow_keep(struct sl_cow_branch *b, struct sl_error *e)
{
	int r = sl_cow_write_marker(b, "kept");

	if (r < 0)
		return sl_err(e, -r,
			      "cannot mark the copy-on-write branch "
			      "'%s' as kept: %s",
			      b->dir, strerror(-r));
	return 0;
}

uint8_t sl_cow_action_for(uint8_t on_exit, uint8_t on_error,
			  enum sl_cow_outcome o)
{
	switch (o) {
	case SL_COW_OUTCOME_SUCCESS:
		return on_exit;
	case SL_COW_OUTCOME_FAILURE:
		return on_error;
	default:
		return on_exit == SL_BRANCH_KEEP || on_error == SL_BRANCH_KEEP ?
			       SL_BRANCH_KEEP :
			       SL_BRANCH_ABORT;
	}
}

int sl_cow_finish(struct sl_cow_branch *b, uint8_t action, struct sl_error *e)
{
	switch (action) {
	case SL_BRANCH_ABORT:
		return sl_cow_abort(b, e);
	case SL_BRANCH_KEEP:
		return sl_cow_keep(b, e);
	default:
		return sl_cow_commit(b, SL_COW_LOCK_TIMEOUT_MS, e);
	}
}

int sl_cow_run_begin(const struct sl_policy *p, bool dry_run,
		     struct sl_cow_run **out, struct sl_error *e)
{
	struct sl_cow_config c = {
		.workdir = p->workdir,
		.fs_storage = p->fs_storage,
		.max_disk = p->has_max_disk ? p->max_disk : 0,
	};
	struct sl_cow_run *cr;
	int r;

	*out = NULL;
	if (!p->workdir)
		return 0;
	cr = calloc(1, sizeof(*cr));
	if (!cr)
		return sl_err(e, ENOMEM, "out of memory");
	/* (a grant may cover the storage: the run's ruleset and the view
	 * keep the sandbox out of it) */
	r = sl_cow_branch_create(&c, &cr->branch, e);
	if (r < 0) {
		sl_cow_branch_free(cr->branch);
		free(cr);
		return r;
	}
	cr->on_exit = p->on_exit_set ? p->on_exit : SL_BRANCH_COMMIT;
	cr->on_error = p->on_error_set ? p->on_error : SL_BRANCH_ABORT;
	if (dry_run)
		cr->on_exit = cr->on_error = SL_BRANCH_ABORT;
	*out = cr;
	return 0;
}

int sl_cow_run_end(struct sl_cow_run *cr, enum sl_cow_outcome o,
		   struct sl_cow_changes *changes, struct sl_error *e)
{
	int r = 0, rc;

	if (changes)
		memset(changes, 0, sizeof(*changes));
	if (!cr)
		return 0;
	if (changes && (r = sl_cow_changes(cr->branch, changes)) < 0)
		sl_err(e, -r, "cannot list the changes of '%s': %s",
		       sl_cow_dir(cr->branch), strerror(-r));
	rc = sl_cow_finish(cr->branch,
			   sl_cow_action_for(cr->on_exit, cr->on_error, o), e);
	sl_cow_branch_free(cr->branch);
	free(cr);
	return r < 0 ? r : rc;
}

void sl_cow_run_discard(struct sl_cow_run *cr)
{
	if (!cr)
		return;
	sl_cow_abort(cr->branch, NULL);
	sl_cow_branch_free(cr->branch);
	free(cr);
}
