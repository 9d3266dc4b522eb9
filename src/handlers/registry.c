/*
 * The handler chain, in order. A feature that needs seccomp user
 * notification adds its module here (and nowhere else).
 */
#include "supervisor/dispatch.h"

const struct sl_handler_module *const sl_handler_modules[] = {
	NULL,
};

void sl_handlers_notify_set(const struct sl_policy *p, struct sl_nrset *set)
{
	for (size_t i = 0; sl_handler_modules[i]; i++) {
		const struct sl_handler_module *m = sl_handler_modules[i];

		if (m->active && m->active(p) && m->syscalls)
			m->syscalls(p, set);
	}
}
