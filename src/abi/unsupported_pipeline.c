/*
 * Pipelines (docs/abi.md 3.18). The object really collects its stages, so
 * callers exercise ownership as they will once pipelines run; running one
 * is not implemented yet.
 */
#include <stdlib.h>

#include "abi/stage.h"
#include "abi/unsupported.h"

struct sandlock_pipeline_t {
	struct sl_abi_stages stages;
};

SL_EXPORT sandlock_pipeline_t *sandlock_pipeline_new(void)
{
	return calloc(1, sizeof(sandlock_pipeline_t));
}

SL_EXPORT void sandlock_pipeline_add_stage(sandlock_pipeline_t *pipe,
					   const sandlock_sandbox_t *policy,
					   const char *const *argv,
					   unsigned int argc)
{
	if (pipe)
		sl_abi_stages_add(&pipe->stages, NULL, policy, argv, argc);
}

SL_EXPORT void sandlock_pipeline_free(sandlock_pipeline_t *pipe)
{
	if (!pipe)
		return;
	sl_abi_stages_clear(&pipe->stages);
	free(pipe);
}

/* Consumes pipe whatever happens. */
SL_EXPORT sandlock_result_t *sandlock_pipeline_run(sandlock_pipeline_t *pipe,
						   uint64_t timeout_ms)
{
	sandlock_pipeline_free(pipe);
	sl_abi_unsupported("pipeline");
	return NULL;
}
