/*
 * Runs with custom handlers and child-memory access (c-abi 3.22) are not
 * implemented yet. Ownership still follows the contract: every handler in
 * the registration array belongs to the library on entry and is destroyed,
 * so callers do not leak their user data.
 */
#include <stddef.h>

#include "abi/handler.h"
#include "abi/unsupported.h"

static void drop_registrations(const sandlock_handler_registration_t *regs, uintptr_t n)
{
	if (!regs || n > SL_ABI_MAX_REGISTRATIONS)
		return;
	for (uintptr_t i = 0; i < n; i++)
		sandlock_handler_free(regs[i].handler);
}

static sandlock_result_t *fail_run(const sandlock_sandbox_t *policy,
				   const sandlock_handler_registration_t *regs,
				   uintptr_t n)
{
	drop_registrations(regs, n);
	if (policy)
		sl_abi_unsupported("custom syscall handling");
	return NULL;
}

SL_EXPORT sandlock_result_t *sandlock_run_with_handlers(const sandlock_sandbox_t *policy,
							const char *name,
							const char *const *argv, uint32_t argc,
							const sandlock_handler_registration_t *registrations,
							uintptr_t nregistrations)
{
	return fail_run(policy, registrations, nregistrations);
}

SL_EXPORT sandlock_result_t *sandlock_run_interactive_with_handlers(
	const sandlock_sandbox_t *policy, const char *name, const char *const *argv,
	uint32_t argc, const sandlock_handler_registration_t *registrations,
	uintptr_t nregistrations)
{
	return fail_run(policy, registrations, nregistrations);
}

/* Memory access is only valid inside a handler callback, and none runs. */
SL_EXPORT int32_t sandlock_mem_read_cstr(const sandlock_mem_handle_t *handle, uint64_t addr,
					 uint8_t *buf, uintptr_t max_len,
					 uintptr_t *out_len)
{
	return -1;
}

SL_EXPORT int32_t sandlock_mem_read(const sandlock_mem_handle_t *handle, uint64_t addr,
				    uint8_t *buf, uintptr_t len, uintptr_t *out_len)
{
	return -1;
}

SL_EXPORT int32_t sandlock_mem_write(const sandlock_mem_handle_t *handle, uint64_t addr,
				     const uint8_t *buf, uintptr_t len)
{
	return -1;
}
