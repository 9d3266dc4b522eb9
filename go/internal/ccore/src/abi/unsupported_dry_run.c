/*
 * Dry run (c-abi 3.17) is not implemented yet: sandlock_dry_run fails, so
 * no result object ever exists and every accessor answers with the value
 * the reference gives for a NULL result, whatever pointer it is handed.
 */
#include <stddef.h>

#include "abi/export.h"
#include "abi/unsupported.h"

SL_EXPORT sandlock_dry_run_result_t *sandlock_dry_run(const sandlock_sandbox_t *policy,
						      const char *name,
						      const char *const *argv,
						      unsigned int argc)
{
	if (policy)
		sl_abi_unsupported("dry run");
	return NULL;
}

SL_EXPORT int sandlock_dry_run_result_exit_code(const sandlock_dry_run_result_t *r)
{
	return -1;
}

SL_EXPORT sandlock_exit_reason sandlock_dry_run_result_reason(const sandlock_dry_run_result_t *r)
{
	return SANDLOCK_EXIT_REASON_KILLED;
}

SL_EXPORT int sandlock_dry_run_result_signal(const sandlock_dry_run_result_t *r)
{
	return -1;
}

SL_EXPORT bool sandlock_dry_run_result_success(const sandlock_dry_run_result_t *r)
{
	return false;
}

static const uint8_t *no_bytes(uintptr_t *len)
{
	if (len)
		*len = 0;
	return NULL;
}

SL_EXPORT const uint8_t *sandlock_dry_run_result_stdout_bytes(const sandlock_dry_run_result_t *r,
							      uintptr_t *len)
{
	return no_bytes(len);
}

SL_EXPORT const uint8_t *sandlock_dry_run_result_stderr_bytes(const sandlock_dry_run_result_t *r,
							      uintptr_t *len)
{
	return no_bytes(len);
}

SL_EXPORT uintptr_t sandlock_dry_run_result_changes_len(const sandlock_dry_run_result_t *r)
{
	return 0;
}

SL_EXPORT char sandlock_dry_run_result_change_kind(const sandlock_dry_run_result_t *r,
						   uintptr_t i)
{
	return 0;
}

SL_EXPORT char *sandlock_dry_run_result_change_path(const sandlock_dry_run_result_t *r,
						    uintptr_t i)
{
	return NULL;
}

SL_EXPORT void sandlock_dry_run_result_free(sandlock_dry_run_result_t *r)
{
}
