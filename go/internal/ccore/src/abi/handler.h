/*
 * The custom-handler container behind sandlock_handler_t (c-abi 3.22):
 * a callback, its user data with the drop that releases it, the
 * on_exception policy and whether it runs deferred.
 */
#ifndef SL_ABI_HANDLER_H
#define SL_ABI_HANDLER_H

#include <stdbool.h>
#include <stdint.h>

#include "abi/export.h"

typedef int32_t (*sl_abi_handler_fn)(void *ud, const sandlock_notif_data_t *notif,
				     sandlock_mem_handle_t *mem,
				     sandlock_action_out_t *out);

struct sandlock_handler_t {
	sl_abi_handler_fn fn;
	void *ud;
	void (*ud_drop)(void *ud);
	uint32_t on_exception; /* enum sandlock_exception */
	bool deferred;
};

/* Largest registration count a run accepts; beyond it the array is not
 * even read, as in the reference. */
#define SL_ABI_MAX_REGISTRATIONS 4096

#endif
