/*
 * Why the last failed call of this thread failed (sandlock_ext.h:
 * sandlock_last_errno, sandlock_last_error). The library prints nothing
 * on the caller's stderr: each ABI function that can fail resets the
 * calling thread's record when it starts and records the reason when it
 * fails (errno is set to the same code). The record is a fixed buffer per
 * thread, so recording never allocates and never fails.
 */
#ifndef SL_ABI_LASTERR_H
#define SL_ABI_LASTERR_H

#include "util/error.h"

/* At the start of a call that can fail: nothing recorded. */
void sl_abi_reset(void);

/* Record a failure (code: positive errno; a message without the
 * "sandlock: " prefix). Returns -1 for `return sl_abi_fail(...)`. */
int sl_abi_fail(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record what e holds (fallback when it holds no message; EIO when no
 * code) and clear e. Returns -1. */
int sl_abi_fail_err(struct sl_error *e, const char *fallback);

/* The refusal of a NULL or foreign object argument (EINVAL). */
int sl_abi_bad_arg(const char *what);

#endif
