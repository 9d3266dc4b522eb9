/*
 * sandlock extensions: functions beyond the reference C ABI
 * (include/sandlock.h stays exactly the reference's). Each is additive:
 * a program built against sandlock.h alone is unaffected.
 */
#ifndef SANDLOCK_EXT_H
#define SANDLOCK_EXT_H

#include "sandlock.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What ended the sandbox beyond its reason. A memory-limit kill is
 * reason KILLED with cause MEMORY_LIMIT (also when the limit killed
 * another process of the sandbox than the top-level one); a status the
 * library could not obtain is reason KILLED, as the reference reports
 * it, with cause STATUS_LOST. */
#define SANDLOCK_EXIT_CAUSE_NONE 0u
#define SANDLOCK_EXIT_CAUSE_MEMORY_LIMIT 1u
#define SANDLOCK_EXIT_CAUSE_STATUS_LOST 2u

/* SANDLOCK_EXIT_CAUSE_* of a result; NONE for NULL. */
uint32_t sandlock_result_cause(const sandlock_result_t *r);

/* Stop (SIGSTOP) or continue (SIGCONT) every process of the sandbox,
 * whatever its process group or session, through pidfds: never a pid or
 * group id that may have been reused. Safe concurrently with a blocked
 * wait. 0, or -1 with errno (EINVAL for NULL). */
int sandlock_handle_pause(sandlock_handle_t *h);
int sandlock_handle_resume(sandlock_handle_t *h);

/* sandlock_run_with_handlers (capture: captured stdout and stderr, else
 * every stream inherited) as a handle that is already started: wait on
 * it (with a timeout), kill it, free it; the handlers are released with
 * the handle. Same checks and ownership as sandlock_run_with_handlers;
 * NULL on failure. The handle is serviced only inside a wait, like one
 * from sandlock_create_for_run. */
sandlock_handle_t *sandlock_spawn_with_handlers(
	const sandlock_sandbox_t *policy, const char *name,
	const char *const *argv, uint32_t argc,
	const sandlock_handler_registration_t *registrations,
	uintptr_t nregistrations, bool capture);

/* Why the last call of this thread failed. The library prints nothing on
 * the caller's stderr; instead every function of sandlock.h and of this
 * header that reports failure (NULL, -1, a build error) records the
 * reason for the calling thread, and also sets errno to its code.
 * Functions that can fail clear the record when they start, so after a
 * successful one sandlock_last_errno() is 0.
 *
 * sandlock_last_errno(): the positive errno of the failure (EINVAL for a
 * bad argument, ENOENT for a missing grant, EPERM or EACCES for what the
 * kernel or the environment refuses, EOPNOTSUPP for a feature that is not
 * built, ...), 0 when none is recorded.
 * sandlock_last_error(): the message, without a "sandlock: " prefix; ""
 * when none is recorded. Valid until the next call into the library on
 * the same thread.
 *
 * The sandlock_ctx_* functions of a policy callback return nothing; they
 * record a change the run cannot apply the same way (a deny_path without
 * a filesystem view, ...). */
int sandlock_last_errno(void);
const char *sandlock_last_error(void);

#ifdef __cplusplus
}
#endif

#endif
