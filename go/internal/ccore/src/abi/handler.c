/* Creating and destroying custom-handler containers (docs/abi.md 3.22). */
#include "abi/handler.h"

#include <errno.h>
#include <stdlib.h>

#include "abi/lasterr.h"

SL_EXPORT sandlock_handler_t *sandlock_handler_new(sl_abi_handler_fn handler_fn,
						   void *ud,
						   void (*ud_drop)(void *ud),
						   uint32_t on_exception)
{
	sandlock_handler_t *h;

	sl_abi_reset();
	if (!handler_fn) {
		sl_abi_bad_arg("NULL handler function");
		return NULL;
	}
	if (on_exception > SANDLOCK_EXCEPTION_DENY_EIO) {
		sl_abi_fail(EINVAL, "invalid argument: exception policy %u",
			    on_exception);
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		sl_abi_fail(ENOMEM, "out of memory");
		return NULL;
	}
	*h = (sandlock_handler_t){
		.fn = handler_fn,
		.ud = ud,
		.ud_drop = ud_drop,
		.on_exception = on_exception,
	};
	atomic_init(&h->refs, 1);
	return h;
}

SL_EXPORT void sandlock_handler_set_deferred(sandlock_handler_t *h,
					     bool deferred)
{
	if (h)
		h->deferred = deferred;
}

/* The drop runs even when ud is NULL: the caller asked for it. */
SL_EXPORT void sandlock_handler_free(sandlock_handler_t *h)
{
	sl_user_handler_unref(h);
}
