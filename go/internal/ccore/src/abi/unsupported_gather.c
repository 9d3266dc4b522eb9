/*
 * Gather, fan-in of several producers into one consumer (docs/abi.md 3.19). The
 * object really collects sources and consumer; running is not implemented
 * yet.
 */
#include <stdlib.h>

#include "abi/stage.h"
#include "abi/unsupported.h"

struct sandlock_gather_t {
	struct sl_abi_stages sources;
	struct sl_abi_stages consumer; /* at most one: set replaces */
};

SL_EXPORT sandlock_gather_t *sandlock_gather_new(void)
{
	return calloc(1, sizeof(sandlock_gather_t));
}

SL_EXPORT void sandlock_gather_add_source(sandlock_gather_t *g,
					  const char *name,
					  const sandlock_sandbox_t *policy,
					  const char *const *argv,
					  unsigned int argc)
{
	if (g && name)
		sl_abi_stages_add(&g->sources, name, policy, argv, argc);
}

SL_EXPORT void sandlock_gather_set_consumer(sandlock_gather_t *g,
					    const sandlock_sandbox_t *policy,
					    const char *const *argv,
					    unsigned int argc)
{
	struct sl_abi_stages fresh = { 0 };

	if (!g)
		return;
	sl_abi_stages_add(&fresh, NULL, policy, argv, argc);
	if (fresh.n == 0 && !fresh.oom)
		return; /* invalid arguments: keep the current consumer */
	sl_abi_stages_clear(&g->consumer);
	g->consumer = fresh;
}

SL_EXPORT void sandlock_gather_free(sandlock_gather_t *g)
{
	if (!g)
		return;
	sl_abi_stages_clear(&g->sources);
	sl_abi_stages_clear(&g->consumer);
	free(g);
}

/* Consumes g whatever happens. */
SL_EXPORT sandlock_result_t *sandlock_gather_run(sandlock_gather_t *g,
						 uint64_t timeout_ms)
{
	sandlock_gather_free(g);
	sl_abi_unsupported("gather");
	return NULL;
}
