/*
 * The resolved destination policy (docs/behaviour.md 5.2): per protocol, the
 * addresses and ports a rule list covers. One structure serves both the
 * allow list (a destination passes when it matches) and the deny list (it
 * fails when it matches).
 */
#ifndef SL_NET_NETSET_H
#define SL_NET_NETSET_H

#include <stdbool.h>
#include <stdint.h>

#include "net/ip.h"
#include "net/resolve.h"
#include "policy/policy.h"

/* One address range with its ports (a resolved host address is a /32 or
 * /128 range). */
struct sl_net_range {
	struct sl_ip net; /* host bits cleared */
	uint8_t prefix;
	bool all_ports;
	uint16_t *ports; /* sorted, unique; NULL when all_ports */
	uint32_t nports;
};

struct sl_net_proto_set {
	bool any_all;	     /* "*", ":*" or icmp any: every destination */
	uint16_t *any_ports; /* ports open on every address, sorted */
	uint32_t nany_ports;
	struct sl_net_range *ranges;
	uint32_t nranges;
};

/* Indexed by enum sl_net_proto - 1. */
#define SL_NET_NPROTO 3

struct sl_net_set {
	struct sl_net_proto_set proto[SL_NET_NPROTO];
};

/* Fold rules into s; host rules take their addresses from hosts (a host
 * missing there is an error: resolve first). */
int sl_net_set_build(struct sl_net_set *s, const struct sl_net_rules *rules,
		     const struct sl_net_hosts *hosts);
void sl_net_set_free(struct sl_net_set *s);

/* Does some rule of protocol proto cover (ip, port)? ICMP ignores ports. */
bool sl_net_set_match(const struct sl_net_set *s, int proto,
		      const struct sl_ip *ip, uint16_t port);

/* The destination policy of a sandbox: an allow list, or (net_deny) a deny
 * list over a default of allow. */
struct sl_net_policy {
	bool deny_mode;
	struct sl_net_set allow, deny;
};

int sl_net_policy_build(struct sl_net_policy *np, const struct sl_policy *p,
			const struct sl_net_hosts *hosts);
void sl_net_policy_free(struct sl_net_policy *np);
bool sl_net_policy_allows(const struct sl_net_policy *np, int proto,
			  const struct sl_ip *ip, uint16_t port);

/* Map a socket's SO_PROTOCOL to enum sl_net_proto; 0 when no rule set
 * applies (the destination is then refused). */
int sl_net_proto_of(int so_protocol);

#endif
