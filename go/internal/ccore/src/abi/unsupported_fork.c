/*
 * COW fork and reduce (docs/abi.md 3.20) are not implemented yet:
 * sandlock_new_with_fns fails, so no sandlock_t or fork result ever
 * exists. The remaining functions answer with their failure values for
 * any pointer and never dereference one they could not have made.
 */
#include <stddef.h>

#include "abi/export.h"
#include "abi/unsupported.h"

SL_EXPORT sandlock_t *sandlock_new_with_fns(const sandlock_sandbox_t *policy,
					    const char *name,
					    sandlock_init_fn_t init_fn,
					    sandlock_work_fn_t work_fn)
{
	sl_abi_unsupported("COW fork");
	return NULL;
}

SL_EXPORT sandlock_fork_result_t *sandlock_fork(sandlock_t *sb, uint32_t n)
{
	sl_abi_unsupported("COW fork");
	return NULL;
}

SL_EXPORT uint32_t sandlock_fork_result_count(const sandlock_fork_result_t *r)
{
	return 0;
}

SL_EXPORT int32_t sandlock_fork_result_pid(const sandlock_fork_result_t *r,
					   uint32_t index)
{
	return 0;
}

/* Consumes fork_result when all arguments are given; as none can exist
 * yet there is nothing to release. */
SL_EXPORT sandlock_result_t *
sandlock_reduce(sandlock_fork_result_t *fork_result,
		const sandlock_sandbox_t *policy, const char *name,
		const char *const *argv, unsigned int argc)
{
	sl_abi_unsupported("COW fork");
	return NULL;
}

SL_EXPORT void sandlock_fork_result_free(sandlock_fork_result_t *r)
{
}

SL_EXPORT int sandlock_wait(sandlock_t *sb)
{
	sl_abi_unsupported("COW fork");
	return -1;
}

/* Accepts a sandlock_sandbox_t as well (docs/abi.md 1.2): both kinds are one
 * tagged object, released the same way. */
SL_EXPORT void sandlock_sandbox_fns_free(sandlock_t *sb)
{
	sandlock_sandbox_free((sandlock_sandbox_t *)sb);
}
