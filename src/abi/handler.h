/*
 * The custom-handler container behind sandlock_handler_t (docs/abi.md 3.22) is
 * the user module's (handlers/user.h): a callback, its user data with the
 * drop that releases it, the on_exception policy and whether it runs
 * deferred.
 */
#ifndef SL_ABI_HANDLER_H
#define SL_ABI_HANDLER_H

#include "abi/export.h"
#include "handlers/user.h"

typedef sl_user_handler_fn sl_abi_handler_fn;

/* Largest registration count a run accepts; beyond it the array is not
 * even read, as in the reference. */
#define SL_ABI_MAX_REGISTRATIONS 4096

#endif
