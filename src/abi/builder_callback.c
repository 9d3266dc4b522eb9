/* Builder setter for the dynamic policy callback (docs/abi.md 3.12). */
#include <errno.h>

#include "abi/builder.h"
#include "policy/callback.h"

/*
 * The callback record is shared by every copy of the policy; the caller's
 * drop fires once, with the last reference (also when the builder dies in
 * a failing build, or when a later call replaces this callback).
 *
 * A NULL callback retains nothing, like a NULL builder: the caller keeps
 * its user data and the drop is not called.
 */
SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_policy_fn(sandlock_builder_t *b,
				   sandlock_policy_fn_t cb, void *user_data,
				   void (*user_data_drop)(void *user_data))
{
	struct sl_policy_cb *rec;

	if (!b || !cb)
		return b;
	/* On allocation failure the record has already dropped user_data. */
	rec = sl_policy_cb_new((void (*)(void))cb, user_data, user_data_drop);
	if (!rec)
		return sl_builder_note(b, -ENOMEM);
	sl_policy_cb_unref(b->policy->cb);
	b->policy->cb = rec;
	return b;
}
