/*
 * What sandlock_handle_t and sandlock_result_t are made of, for the ABI
 * files that create them (runs, handles, and later dry runs, pipelines).
 */
#ifndef SL_ABI_HANDLE_H
#define SL_ABI_HANDLE_H

#include <stdbool.h>

#include "abi/objects.h"
#include "launch/run.h"

struct sandlock_handle_t {
	struct sl_run *run;
};

struct sandlock_result_t {
	struct sl_status status;
	struct sl_capture cap; /* owned */
};

/* stdin inherited, stdout and stderr captured: sandlock_run and the
 * handles of sandlock_create*. */
extern const uint8_t sl_abi_capture_stdio[3];

/* A result owning cap's buffers (cap may be NULL: nothing captured).
 * NULL when out of memory, in which case cap is released. */
sandlock_result_t *sl_abi_result_new(const struct sl_status *st,
				     struct sl_capture *cap);

/*
 * Create a run from the caller's arguments: checks the policy, argv and
 * name, reports a failure as one "sandlock: ..." line on stderr. pipe_fds
 * receives the ends of PIPED streams. NULL on failure.
 */
struct sl_run *sl_abi_run_create(const sandlock_sandbox_t *policy,
				 const char *name, const char *const *argv,
				 unsigned int argc, const uint8_t stdio[3],
				 bool start, bool own_thread, int pipe_fds[3]);

#endif
