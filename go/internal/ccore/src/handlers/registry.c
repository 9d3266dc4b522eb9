/*
 * The handler chain, in order. A feature that needs seccomp user
 * notification adds its module here (and nowhere else).
 */
#include "supervisor/dispatch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

extern const struct sl_handler_module sl_module_freeze;
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
extern const struct sl_handler_module sl_module_policy;

const struct sl_handler_module *const sl_handler_modules[] = {
	&sl_module_freeze, /* exec: first, before anything looks */
	&sl_module_processes,
	&sl_module_memory,
	&sl_module_pidargs,
	&sl_module_netlink, /* before network: its sockets are unix */
	&sl_module_network, /* owns the network context: first */
	&sl_module_etc_hosts,
	&sl_module_proc_net,
	&sl_module_fsview, /* owns the filesystem view: first */
	&sl_module_cow,	   /* the workdir's calls, before the rest */
	&sl_module_fsdeny,
	&sl_module_fsmeta,
	&sl_module_fswatch,
	&sl_module_net_bind,
	&sl_module_net_getsockname,
	&sl_module_net_listen,
	&sl_module_policy, /* the gate: after every built-in */
	NULL,
};

int sl_handlers_active(const struct sl_policy *p, struct sl_modlist *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; sl_handler_modules[i]; i++) {
		const struct sl_handler_module *m = sl_handler_modules[i];

		if (m->active && m->active(p) &&
		    sl_modlist_add(out, m, NULL, NULL) < 0) {
			sl_modlist_free(out);
			return -ENOMEM;
		}
	}
	return 0;
}

int sl_handlers_host_check(const struct sl_policy *p, struct sl_error *e)
{
	for (size_t i = 0; sl_handler_modules[i]; i++) {
		const struct sl_handler_module *m = sl_handler_modules[i];
		int r = m->host_check ? m->host_check(p, e) : 0;

		if (r < 0)
			return r;
	}
	return 0;
}

int sl_handlers_host_denials(const struct sl_policy *p,
			     struct sl_host_denials *d)
{
	for (size_t i = 0; sl_handler_modules[i]; i++) {
		const struct sl_handler_module *m = sl_handler_modules[i];
		int r = m->host_denials ? m->host_denials(p, d) : 0;

		if (r < 0)
			return r;
	}
	return 0;
}

void sl_handlers_notify_set_of(const struct sl_modlist *l,
			       const struct sl_policy *p, struct sl_nrset *set)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct sl_modref *r = &l->v[i];

		if (r->nrs) {
			for (size_t w = 0; w < SL_MAX_NR / 64; w++) {
				set->bits[w] |= r->nrs->bits[w];
				set->narrow[w] |= r->nrs->narrow[w];
				set->any_dirfd[w] |= r->nrs->any_dirfd[w];
			}
		} else if (r->m->syscalls) {
			r->m->syscalls(p, set);
		}
	}
}

void sl_handlers_notify_set(const struct sl_policy *p, struct sl_nrset *set)
{
	struct sl_modlist l;

	if (sl_handlers_active(p, &l) < 0)
		return;
	sl_handlers_notify_set_of(&l, p, set);
	sl_modlist_free(&l);
}
