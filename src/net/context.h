/*
 * The network state of one running sandbox, shared by the handler modules
 * that enforce the network policy (destinations, binds, port translation,
 * /etc/hosts, /proc/net): pinned host addresses, the resolved destination
 * policy and the port map. Built when the sandbox starts.
 */
#ifndef SL_NET_CONTEXT_H
#define SL_NET_CONTEXT_H

#include <stdbool.h>

#include "net/netset.h"
#include "net/portmap.h"
#include "net/resolve.h"
#include "policy/policy.h"
#include "util/error.h"

struct sl_net_ctx {
	const struct sl_policy *policy;
	bool dest_policy;	   /* connect/send destinations are checked */
	struct sl_net_hosts hosts; /* net_allow hostnames, pinned */
	struct sl_net_policy dest;
	struct sl_portmap *portmap; /* NULL unless port_remap */
	/* On-behalf binds enforce net_allow_bind (the supervisor is not
	 * under the child's Landlock ruleset). */
	bool enforce_allow_bind;
	/* What the child's Landlock ruleset enforces, which on-behalf
	 * connects and sends must enforce in its place: TCP connects
	 * (CONNECT_TCP handled, no port granted without a destination
	 * policy) and the abstract unix socket scope. */
	bool tcp_connect_restricted;
	bool abstract_scoped;
};

/* Does the policy check destinations (docs/behaviour.md 5.3)? */
bool sl_net_has_dest_policy(const struct sl_policy *p);
/* Is the named AF_UNIX gate needed (docs/behaviour.md 5.6)? A named unix socket
 * can be reached by whoever can see its path, and Landlock cannot gate
 * that: any path grant makes the gate necessary. */
bool sl_net_needs_unix_gate(const struct sl_policy *p);
/* Who keeps it: the supervisor, which acts on the sandbox's own sockets
 * (taken with pidfd_getfd), or, where the environment refuses that call
 * (a container without CAP_SYS_PTRACE, util/hostperm.h), the kernel, by
 * what the sandbox may create at all (the network module's host hook:
 * no unix socket that could be given an address). */
bool sl_net_unix_gate_by_supervisor(const struct sl_policy *p);
bool sl_net_unix_gate_in_kernel(const struct sl_policy *p);
/* Is any network module needed at all? */
bool sl_net_ctx_needed(const struct sl_policy *p);

/* What the child's Landlock ruleset enforces on the network, which
 * on-behalf binds, connects and sends must enforce in its place. The
 * caller finds it out (it knows the run's Landlock plan); the context
 * only records it. */
struct sl_net_landlock {
	bool tcp;	      /* NetTcp active: TCP binds and connects */
	bool connect_tcp;     /* CONNECT_TCP handled */
	bool abstract_scoped; /* the abstract unix socket scope */
};

int sl_net_ctx_new(const struct sl_policy *p, const struct sl_net_landlock *ll,
		   struct sl_net_ctx **out, struct sl_error *e);
void sl_net_ctx_free(struct sl_net_ctx *ctx);

/* May a TCP bind to port go ahead under net_allow_bind? */
bool sl_net_bind_port_allowed(const struct sl_net_ctx *ctx, uint16_t port);

#endif
