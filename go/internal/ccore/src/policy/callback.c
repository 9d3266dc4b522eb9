#include "policy/callback.h"

#include <stdlib.h>

struct sl_policy_cb *sl_policy_cb_new(void (*fn)(void), void *user_data,
				      void (*drop)(void *))
{
	struct sl_policy_cb *cb = calloc(1, sizeof(*cb));

	if (!cb) {
		if (drop)
			drop(user_data);
		return NULL;
	}
	atomic_init(&cb->refs, 1);
	cb->fn = fn;
	cb->user_data = user_data;
	cb->drop = drop;
	return cb;
}

struct sl_policy_cb *sl_policy_cb_ref(struct sl_policy_cb *cb)
{
	if (cb)
		atomic_fetch_add_explicit(&cb->refs, 1, memory_order_relaxed);
	return cb;
}

void sl_policy_cb_unref(struct sl_policy_cb *cb)
{
	if (!cb)
		return;
	/* acq_rel: the last holder must see every write made by the others
	 * before it hands the user data to the drop function. */
	if (atomic_fetch_sub_explicit(&cb->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (cb->drop)
		cb->drop(cb->user_data);
	free(cb);
}
