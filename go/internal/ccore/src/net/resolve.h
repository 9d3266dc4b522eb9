/*
 * Hostnames of net_allow rules, resolved once when a sandbox starts. The
 * addresses found then are the only ones the rule admits ("pinned"): a
 * later DNS change cannot widen the policy, and the sandbox's /etc/hosts
 * names exactly these addresses.
 */
#ifndef SL_NET_RESOLVE_H
#define SL_NET_RESOLVE_H

#include <stdint.h>

#include "net/ip.h"
#include "policy/policy.h"
#include "util/error.h"

struct sl_net_host {
	char *name;
	struct sl_ip *addrs; /* distinct, in resolver order */
	uint32_t naddrs;
};

struct sl_net_hosts {
	struct sl_net_host *v; /* distinct names, in first-appearance order */
	uint32_t n;
};

/* Resolve every distinct hostname of rules with the system resolver (all
 * addresses, both families). A name without addresses fails with
 * "failed to resolve host '<h>'". */
int sl_net_resolve(const struct sl_net_rules *rules, struct sl_net_hosts *out,
		   struct sl_error *e);
const struct sl_net_host *sl_net_hosts_find(const struct sl_net_hosts *hs,
					    const char *name);
void sl_net_hosts_free(struct sl_net_hosts *hs);

/* Does any rule name a host? */
bool sl_net_rules_have_hosts(const struct sl_net_rules *rules);

#endif
