/*
 * The handler chain, in order. A feature that needs seccomp user
 * notification adds its module here (and nowhere else).
 */
#include "supervisor/dispatch.h"

extern const struct sl_handler_module sl_module_processes;
extern const struct sl_handler_module sl_module_memory;
extern const struct sl_handler_module sl_module_fsdeny;
extern const struct sl_handler_module sl_module_network;
extern const struct sl_handler_module sl_module_etc_hosts;
extern const struct sl_handler_module sl_module_proc_net;
extern const struct sl_handler_module sl_module_net_bind;
extern const struct sl_handler_module sl_module_net_getsockname;

const struct sl_handler_module *const sl_handler_modules[] = {
	&sl_module_processes,
	&sl_module_memory,
	&sl_module_network,         /* owns the network context: first */
	&sl_module_etc_hosts,
	&sl_module_proc_net,
	&sl_module_fsdeny,
	&sl_module_net_bind,
	&sl_module_net_getsockname,
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
