/*
 * The live network policy of a run (docs/behaviour.md 13.4, sandlock_ctx_*):
 * what a policy callback changed on top of the static destination policy.
 *
 *   - the ceiling: every concrete IP of the static allow lists (resolved
 *     hostnames and single-host CIDRs, all protocols);
 *   - a global live set of IPs, unset until a callback restricts or
 *     grants: restrict replaces it (for good: later grants are ignored;
 *     an empty restriction denies every destination), grant adds IPs
 *     within the ceiling;
 *   - per-process sets (restrict_pid_network), dropped when the process
 *     exits.
 *
 * A destination is allowed when the static policy allows it (ports and
 * protocols included: the live sets are intersected with the static port
 * rules, not substituted for them as in the reference) and its IP is in
 * the global live set (when set) and in the process's set (when set).
 * Pure: no locking, no syscalls (the run's live state locks it).
 */
#ifndef SL_NET_LIVE_H
#define SL_NET_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "net/ip.h"
#include "net/netset.h"

struct sl_ipv {
	struct sl_ip *v;
	size_t n, cap;
};

struct sl_net_live_pid {
	pid_t pid;
	struct sl_ipv ips;
};

struct sl_net_live {
	struct sl_ipv ceiling;
	bool set;	 /* the global live set applies */
	bool restricted; /* ... for good */
	struct sl_ipv ips;
	struct sl_net_live_pid *pids;
	size_t npids;
};

/* The ceiling of a static allow list. 0 or -ENOMEM. */
int sl_net_live_init(struct sl_net_live *l, const struct sl_net_policy *np);
void sl_net_live_free(struct sl_net_live *l);

/* Parse IP literals (unparsable ones skipped) into out. */
int sl_ipv_parse(const char *const *ips, size_t n, struct sl_ipv *out);
bool sl_ipv_has(const struct sl_ipv *v, const struct sl_ip *ip);
void sl_ipv_free(struct sl_ipv *v);

/* The ctx operations; ips parsed already. restrict and restrict_pid take
 * ips over (emptied). */
int sl_net_live_restrict(struct sl_net_live *l, struct sl_ipv *ips);
int sl_net_live_grant(struct sl_net_live *l, const struct sl_ipv *ips);
int sl_net_live_restrict_pid(struct sl_net_live *l, pid_t pid,
			     struct sl_ipv *ips);
void sl_net_live_drop_pid(struct sl_net_live *l, pid_t pid);

/* May process pid reach ip, beyond what the static policy says? */
bool sl_net_live_allows(const struct sl_net_live *l, pid_t pid,
			const struct sl_ip *ip);
/* Does anything live restrict destinations (then every destination is
 * checked, whatever the static policy needs)? */
bool sl_net_live_active(const struct sl_net_live *l);

#endif
