/*
 * Dry run (docs/abi.md 3.17): a one-shot run whose copy-on-write branch is
 * always aborted, returning what the run changed in it. Without a workdir
 * the run happens and the change list is empty.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "abi/handle.h"
#include "abi/lasterr.h"
#include "cow/cow.h"

struct sandlock_dry_run_result_t {
	sandlock_result_t *result;
	struct sl_cow_changes changes;
};

SL_EXPORT sandlock_dry_run_result_t *
sandlock_dry_run(const sandlock_sandbox_t *policy, const char *name,
		 const char *const *argv, unsigned int argc)
{
	sandlock_dry_run_result_t *d;
	struct sl_cow_changes changes;
	struct sl_capture cap;
	struct sl_status st;

	sl_abi_reset();
	if (sl_abi_run_once(policy, name, argv, argc, sl_abi_capture_stdio,
			    true, &st, &cap, &changes) < 0)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (d)
		d->result = sl_abi_result_new(&st, &cap);
	else
		sl_capture_free(&cap);
	if (!d || !d->result) {
		sl_cow_changes_free(&changes);
		free(d);
		sl_abi_fail(ENOMEM, "out of memory");
		return NULL;
	}
	d->changes = changes;
	return d;
}

static const sandlock_result_t *res(const sandlock_dry_run_result_t *r)
{
	return r ? r->result : NULL;
}

SL_EXPORT int
sandlock_dry_run_result_exit_code(const sandlock_dry_run_result_t *r)
{
	return sandlock_result_exit_code(res(r));
}

SL_EXPORT sandlock_exit_reason
sandlock_dry_run_result_reason(const sandlock_dry_run_result_t *r)
{
	return sandlock_result_reason(res(r));
}

SL_EXPORT int sandlock_dry_run_result_signal(const sandlock_dry_run_result_t *r)
{
	return sandlock_result_signal(res(r));
}

SL_EXPORT bool
sandlock_dry_run_result_success(const sandlock_dry_run_result_t *r)
{
	return sandlock_result_success(res(r));
}

SL_EXPORT const uint8_t *
sandlock_dry_run_result_stdout_bytes(const sandlock_dry_run_result_t *r,
				     uintptr_t *len)
{
	return sandlock_result_stdout_bytes(res(r), len);
}

SL_EXPORT const uint8_t *
sandlock_dry_run_result_stderr_bytes(const sandlock_dry_run_result_t *r,
				     uintptr_t *len)
{
	return sandlock_result_stderr_bytes(res(r), len);
}

SL_EXPORT uintptr_t
sandlock_dry_run_result_changes_len(const sandlock_dry_run_result_t *r)
{
	return r ? (uintptr_t)r->changes.n : 0;
}

SL_EXPORT char
sandlock_dry_run_result_change_kind(const sandlock_dry_run_result_t *r,
				    uintptr_t i)
{
	if (!r || i >= r->changes.n)
		return 0;
	return r->changes.v[i].kind;
}

SL_EXPORT char *
sandlock_dry_run_result_change_path(const sandlock_dry_run_result_t *r,
				    uintptr_t i)
{
	if (!r || i >= r->changes.n)
		return NULL;
	return strdup(r->changes.v[i].path);
}

SL_EXPORT void sandlock_dry_run_result_free(sandlock_dry_run_result_t *r)
{
	if (!r)
		return;
	sandlock_result_free(r->result);
	sl_cow_changes_free(&r->changes);
	free(r);
}
