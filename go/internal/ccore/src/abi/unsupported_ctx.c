/*
 * Policy-callback context (c-abi 3.12). Policy callbacks do not run yet
 * (a policy with one fails to build), so no context ever exists and these
 * are no-ops for any pointer.
 */
#include "abi/export.h"

SL_EXPORT void sandlock_ctx_restrict_network(sandlock_ctx_t *ctx, const char *const *ips,
					     uint32_t count)
{
}

SL_EXPORT void sandlock_ctx_grant_network(sandlock_ctx_t *ctx, const char *const *ips,
					  uint32_t count)
{
}

SL_EXPORT void sandlock_ctx_restrict_max_memory(sandlock_ctx_t *ctx, uint64_t bytes)
{
}

SL_EXPORT void sandlock_ctx_restrict_max_processes(sandlock_ctx_t *ctx, uint32_t n)
{
}

SL_EXPORT void sandlock_ctx_restrict_pid_network(sandlock_ctx_t *ctx, uint32_t pid,
						 const char *const *ips, uint32_t count)
{
}

SL_EXPORT void sandlock_ctx_deny_path(sandlock_ctx_t *ctx, const char *path)
{
}

SL_EXPORT void sandlock_ctx_allow_path(sandlock_ctx_t *ctx, const char *path)
{
}
