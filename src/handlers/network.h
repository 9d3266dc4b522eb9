/*
 * The network handler modules (behavior.md 5): shared state and the
 * entry points of each concern. The `network` module owns the run's
 * network context; the bind, getsockname, /etc/hosts and /proc/net
 * modules look it up through sl_net_ctx_of().
 */
#ifndef SL_HANDLERS_NETWORK_H
#define SL_HANDLERS_NETWORK_H

#include "fs/creds.h"
#include "handlers/net_deferred.h"
#include "net/context.h"
#include "supervisor/dispatch.h"

extern const struct sl_handler_module sl_module_network;

struct sl_net_state {
	struct sl_net_ctx *ctx;
	struct sl_strv grants; /* canonical fs_write paths (unix gate) */
	struct sl_net_deferred_set pending;
};

/* The network context of a run; NULL when no network module is active. */
struct sl_net_ctx *sl_net_ctx_of(struct sl_supervisor *sv);

/* port_remap's current virtual->real map as JSON (c-abi 3.15), NULL when
 * off or empty. Callable from any thread while the run lives. */
char *sl_net_port_mappings_of(struct sl_supervisor *sv);

/* Properties of a socket duplicated out of the child. */
struct sl_net_sock {
	int fd; /* supervisor's duplicate */
	int domain, protocol;
	bool nonblock; /* O_NONBLOCK on the shared open file description */
};

/* Duplicate the child's socket childfd and read its properties. */
int sl_net_sock_get(const struct sl_notif *n, int childfd,
		    struct sl_net_sock *s);
void sl_net_sock_put(struct sl_net_sock *s);

/* Is (family of ss) an IP destination permitted on socket s? 0, or
 * -ECONNREFUSED / -EAFNOSUPPORT / -EINVAL. */
int sl_net_check_dest(const struct sl_net_state *st,
		      const struct sl_net_sock *s,
		      const struct sockaddr_storage *ss, socklen_t len);

/* Take the notifying task's filesystem credentials for an operation on a
 * unix socket path (the socket's permissions apply to the child, not to
 * the supervisor); undo with sl_creds_leave(). */
int sl_net_creds_enter(const struct sl_notif *n, struct sl_creds_saved *saved);

int sl_net_handle_connect(struct sl_net_state *st, const struct sl_notif *n,
			  struct sl_action *out);
int sl_net_handle_sendto(struct sl_net_state *st, const struct sl_notif *n,
			 struct sl_action *out);
int sl_net_handle_sendmsg(struct sl_net_state *st, const struct sl_notif *n,
			  struct sl_action *out);
int sl_net_handle_sendmmsg(struct sl_net_state *st, const struct sl_notif *n,
			   struct sl_action *out);

#endif
