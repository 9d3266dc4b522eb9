/*
 * Custom syscall handlers (docs/abi.md 3.22, docs/behaviour.md 13.5): the host's own
 * callbacks, bound to syscall numbers for one run
 * (sandlock_run_with_handlers). The `user` module runs them after every
 * built-in module and the policy gate, only for calls all of those let
 * through, in registration order; the first decision other than
 * CONTINUE is final. A deferred handler runs on a worker (at most 64 in
 * flight, answered EIO after 30 s), so that a slow one does not stall
 * the other calls; its answer is final.
 */
#ifndef SL_HANDLERS_USER_H
#define SL_HANDLERS_USER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "sandlock.h"
#include "supervisor/dispatch.h"

extern const struct sl_handler_module sl_module_user;

typedef int32_t (*sl_user_handler_fn)(void *ud,
				      const sandlock_notif_data_t *notif,
				      sandlock_mem_handle_t *mem,
				      sandlock_action_out_t *out);

/* The container behind sandlock_handler_t. Reference counted once it
 * belongs to a run: a deferred call in flight keeps it (and its user
 * data) alive past the run. */
struct sandlock_handler_t {
	sl_user_handler_fn fn;
	void *ud;
	void (*ud_drop)(void *ud);
	uint32_t on_exception; /* enum sandlock_exception */
	bool deferred;
	atomic_uint refs;
};

/* Destroy a container: the drop runs with the last reference. */
void sl_user_handler_unref(sandlock_handler_t *h);

/* The handlers of one run, in registration order. */
struct sl_user_handlers {
	size_t n;
	struct {
		int nr;
		sandlock_handler_t *h;
	} * v;
	struct sl_nrset nrs; /* their syscalls */
};

/* Take the registrations (the caller checked them): each distinct
 * container is owned once. NULL when out of memory (the containers are
 * then destroyed). */
struct sl_user_handlers *
sl_user_handlers_new(const sandlock_handler_registration_t *regs, size_t n);
void sl_user_handlers_free(struct sl_user_handlers *u);

#endif
