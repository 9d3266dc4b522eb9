/*
 * The handler chain, in order. A feature that needs seccomp user
 * notification adds its module here (and nowhere else).
 */
#include "supervisor/dispatch.h"

extern const struct sl_handler_module sl_module_processes;
extern const struct sl_handler_module sl_module_memory;
extern const struct sl_handler_module sl_module_pidargs;
extern const struct sl_handler_module sl_module_fsview;
extern const struct sl_handler_module sl_module_cow;
extern const struct sl_handler_module sl_module_fsdeny;
extern const struct sl_handler_module sl_module_fsmeta;
extern const struct sl_handler_module sl_module_fswatch;
extern const struct sl_handler_module sl_module_netlink;
extern const struct sl_handler_module sl_module_network;
extern const struct sl_handler_module sl_module_etc_hosts;
extern const struct sl_handler_module sl_module_proc_net;
extern const struct sl_handler_module sl_module_net_bind;
extern const struct sl_handler_module sl_module_net_getsockname;
extern const struct sl_handler_module sl_module_net_listen;

const struct sl_handler_module *const sl_handler_modules[] = {
	&sl_module_processes,
	&sl_module_memory,
	&sl_module_pidargs,
	&sl_module_netlink,         /* before network: its sockets are unix */
	&sl_module_network,         /* owns the network context: first */
	&sl_module_etc_hosts,
	&sl_module_proc_net,
	&sl_module_fsview,          /* owns the filesystem view: first */
	&sl_module_cow,             /* the workdir's calls, before the rest */
	&sl_module_fsdeny,
	&sl_module_fsmeta,
	&sl_module_fswatch,
	&sl_module_net_bind,
	&sl_module_net_getsockname,
	&sl_module_net_listen,
	NULL,
};

/* One bit per module in a uint64_t mask. */
_Static_assert(sizeof(sl_handler_modules) / sizeof(sl_handler_modules[0]) - 1 <=
		       64,
	       "too many handler modules for the activation mask");

uint64_t sl_handlers_active(const struct sl_policy *p)
{
	uint64_t active = 0;

	for (size_t i = 0; sl_handler_modules[i]; i++) {
		const struct sl_handler_module *m = sl_handler_modules[i];

		if (m->active && m->active(p))
			active |= UINT64_C(1) << i;
	}
	return active;
}

void sl_handlers_notify_set_of(uint64_t active, const struct sl_policy *p,
			       struct sl_nrset *set)
{
	for (size_t i = 0; sl_handler_modules[i]; i++) {
		const struct sl_handler_module *m = sl_handler_modules[i];

		if ((active >> i) & 1 && m->syscalls)
			m->syscalls(p, set);
	}
}

void sl_handlers_notify_set(const struct sl_policy *p, struct sl_nrset *set)
{
	sl_handlers_notify_set_of(sl_handlers_active(p), p, set);
}
