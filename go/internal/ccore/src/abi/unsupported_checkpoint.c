/*
 * Checkpoint and restore (docs/abi.md 3.21) are not implemented yet: capturing
 * and loading fail, so no checkpoint object and no restored handle ever
 * exists, and the accessors answer with their neutral values.
 */
#include <stddef.h>

#include "abi/export.h"
#include "abi/unsupported.h"

SL_EXPORT sandlock_checkpoint_t *
sandlock_handle_checkpoint(sandlock_handle_t *h)
{
	sl_abi_unsupported("checkpoint");
	return NULL;
}

SL_EXPORT int sandlock_checkpoint_save(const sandlock_checkpoint_t *cp,
				       const char *dir)
{
	sl_abi_unsupported("checkpoint");
	return -1;
}

SL_EXPORT sandlock_checkpoint_t *sandlock_checkpoint_load(const char *dir)
{
	sl_abi_unsupported("checkpoint");
	return NULL;
}

SL_EXPORT void sandlock_checkpoint_set_name(sandlock_checkpoint_t *cp,
					    const char *name)
{
}

SL_EXPORT char *sandlock_checkpoint_name(const sandlock_checkpoint_t *cp)
{
	return NULL;
}

SL_EXPORT void sandlock_checkpoint_set_app_state(sandlock_checkpoint_t *cp,
						 const uint8_t *data,
						 uintptr_t len)
{
}

SL_EXPORT const uint8_t *
sandlock_checkpoint_app_state(const sandlock_checkpoint_t *cp, uintptr_t *len)
{
	if (len)
		*len = 0;
	return NULL;
}

SL_EXPORT void sandlock_checkpoint_free(sandlock_checkpoint_t *cp)
{
}

SL_EXPORT sandlock_handle_t *
sandlock_restore_interactive(const sandlock_sandbox_t *policy, const char *name,
			     const sandlock_checkpoint_t *cp)
{
	sl_abi_unsupported("restore");
	return NULL;
}

/* No handle is ever a restored one. */
SL_EXPORT uintptr_t
sandlock_handle_restore_skipped_len(const sandlock_handle_t *h)
{
	return 0;
}

SL_EXPORT int sandlock_handle_restore_skipped_fd(const sandlock_handle_t *h,
						 uintptr_t i)
{
	return -1;
}

SL_EXPORT char *sandlock_handle_restore_skipped_path(const sandlock_handle_t *h,
						     uintptr_t i)
{
	return NULL;
}
