/*
 * The policy-callback context (docs/abi.md 3.12): a callback changes the live
 * policy of its run through it (handlers/live.h). Valid only during the
 * callback that received it; NULL arguments are no-ops. A change the run
 * cannot apply is recorded as the calling thread's last error
 * (lasterr.h); the functions return nothing.
 */
#include "abi/export.h"
#include "abi/lasterr.h"
#include "handlers/live.h"

/* After a change: its failure recorded, if any. */
static void done(int r, struct sl_error *e)
{
	if (r < 0)
		sl_abi_fail_err(e, NULL); /* clears e */
}

SL_EXPORT void sandlock_ctx_restrict_network(sandlock_ctx_t *ctx,
					     const char *const *ips,
					     uint32_t count)
{
	struct sl_error e = { 0 };

	sl_abi_reset();
	if (ctx && (ips || count == 0))
		done(sl_live_restrict_network(ctx->live, ips, count, &e), &e);
}

SL_EXPORT void sandlock_ctx_grant_network(sandlock_ctx_t *ctx,
					  const char *const *ips,
					  uint32_t count)
{
	struct sl_error e = { 0 };

	sl_abi_reset();
	if (ctx && (ips || count == 0))
		done(sl_live_grant_network(ctx->live, ips, count, &e), &e);
}

SL_EXPORT void sandlock_ctx_restrict_max_memory(sandlock_ctx_t *ctx,
						uint64_t bytes)
{
	struct sl_error e = { 0 };

	sl_abi_reset();
	if (ctx)
		done(sl_live_restrict_max_memory(ctx->live, bytes, &e), &e);
}

SL_EXPORT void sandlock_ctx_restrict_max_processes(sandlock_ctx_t *ctx,
						   uint32_t n)
{
	if (ctx)
		sl_live_restrict_max_processes(ctx->live, n);
}

SL_EXPORT void sandlock_ctx_restrict_pid_network(sandlock_ctx_t *ctx,
						 uint32_t pid,
						 const char *const *ips,
						 uint32_t count)
{
	struct sl_error e = { 0 };

	sl_abi_reset();
	if (ctx && (ips || count == 0))
		done(sl_live_restrict_pid_network(ctx->live, pid, ips, count,
						  &e),
		     &e);
}

SL_EXPORT void sandlock_ctx_deny_path(sandlock_ctx_t *ctx, const char *path)
{
	struct sl_error e = { 0 };

	sl_abi_reset();
	if (ctx && path)
		done(sl_live_deny_path(ctx->live, path, &e), &e);
}

SL_EXPORT void sandlock_ctx_allow_path(sandlock_ctx_t *ctx, const char *path)
{
	if (ctx && path)
		sl_live_allow_path(ctx->live, path);
}
