/*
 * The policy callback (sandlock_sandbox_builder_policy_fn) and its user
 * data, shared by every copy of a policy: the builder, the built policy,
 * live handles, pipeline stages, checkpoints. The caller's drop function
 * must run exactly once, when the last holder lets go, so the record is
 * reference counted with an atomic counter (holders live on any thread).
 */
#ifndef SL_POLICY_CALLBACK_H
#define SL_POLICY_CALLBACK_H

#include <stdatomic.h>

#include "policy/policy.h"

struct sl_policy_cb {
	atomic_uint refs;
	void (*fn)(void); /* a sandlock_policy_fn_t, cast back by the caller */
	void *user_data;
	void (*drop)(void *); /* may be NULL */
};

/* A record holding one reference. On allocation failure the drop fires at
 * once (the caller's data must never leak nor be dropped twice) and NULL is
 * returned. */
struct sl_policy_cb *sl_policy_cb_new(void (*fn)(void), void *user_data,
				      void (*drop)(void *));
/* Take one more reference; returns cb (NULL-safe). */
struct sl_policy_cb *sl_policy_cb_ref(struct sl_policy_cb *cb);

#endif
