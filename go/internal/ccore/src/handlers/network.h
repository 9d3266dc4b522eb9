/*
 * The network handler modules (docs/behaviour.md 5): shared state and the
 * entry points of each concern. The `network` module owns the run's
 * network context; the bind, getsockname, /etc/hosts and /proc/net
 * modules look it up through sl_net_ctx_of().
 */
#ifndef SL_HANDLERS_NETWORK_H
#define SL_HANDLERS_NETWORK_H

#include "fs/creds.h"
#include "handlers/net_deferred.h"
#include "net/context.h"
#include "handlers/net_msg.h"
#include "supervisor/dispatch.h"

extern const struct sl_handler_module sl_module_network;

struct sl_net_abstract;
struct sl_live;

struct sl_net_state {
	struct sl_net_ctx *ctx;
	struct sl_supervisor *sv;
	struct sl_strv grants; /* canonical fs_write paths (unix gate) */
	struct sl_net_deferred_set pending;
	uint8_t *chunk; /* SL_NET_CHUNK bytes, stream payloads */
	struct sl_net_abstract *abstract; /* net_abstract.c */
	struct sl_live *live; /* a policy callback's changes, NULL if none */
	bool live_looked;
};

/* Are TCP binds restricted: a net_deny_bind list, or Landlock's BIND_TCP
 * handled (NetTcp active and net_allow_bind not "*")? A listen() on an
 * unbound TCP socket binds a port too, and must then be gated. */
bool sl_net_tcp_bind_restricted(const struct sl_policy *p);
/* ... and kept by the supervisor on the socket itself (pidfd_getfd); else
 * the network module's host hook has the filter refuse listen(). */
bool sl_net_listen_by_supervisor(const struct sl_policy *p);

/* The network context of a run; NULL when no network module is active. */
struct sl_net_ctx *sl_net_ctx_of(struct sl_supervisor *sv);

/* port_remap's current virtual->real map as JSON (docs/abi.md 3.15), NULL when
 * off or empty. Callable from any thread while the run lives. */
char *sl_net_port_mappings_of(struct sl_supervisor *sv);

/* Properties of a socket duplicated out of the child. */
struct sl_net_sock {
	int fd; /* supervisor's duplicate */
	int domain, type, protocol;
};

/* Duplicate the child's socket childfd and read its properties. */
int sl_net_sock_get(const struct sl_notif *n, int childfd,
		    struct sl_net_sock *s);
void sl_net_sock_put(struct sl_net_sock *s);
/* O_NONBLOCK on the shared open file description, read when a call
 * could not complete at once (the only time it matters). */
bool sl_net_sock_nonblock(const struct sl_net_sock *s);

/* Answer a getsockname-style call (the address at addr, its length at
 * lenp in the child) with sa, len bytes, as the kernel does: copy at most
 * the caller's length, report the full one. */
void sl_net_answer_name(const struct sl_notif *n, uint64_t addr, uint64_t lenp,
			const void *sa, socklen_t len, struct sl_action *out);

/* Is (family of ss) an IP destination permitted on socket s, for the
 * task of n (the static policy, and what a policy callback changed)? 0,
 * or -ECONNREFUSED / -EAFNOSUPPORT / -EINVAL. */
int sl_net_check_dest(struct sl_net_state *st, const struct sl_notif *n,
		      const struct sl_net_sock *s,
		      const struct sockaddr_storage *ss, socklen_t len);

/* Take the notifying task's filesystem credentials for an operation on a
 * unix socket path (the socket's permissions apply to the child, not to
 * the supervisor); undo with sl_creds_leave(). */
int sl_net_creds_enter(const struct sl_notif *n, struct sl_creds_saved *saved);

/* Bind fd (an IP TCP socket) to the address ss (len bytes) with a free
 * port of the kernel's ephemeral range that deny does not list: what the
 * kernel's own pick (bind to port 0, or listen() unbound) could not
 * promise. 0 or -errno (-EADDRINUSE when none is found). */
int sl_net_bind_unlisted(int fd, struct sockaddr_storage *ss, socklen_t len,
			 const struct sl_u32v *deny);

/* The unix socket bound to the abstract address ss (len bytes) for a
 * socket of type: *pin, a reference the supervisor holds (so the name
 * cannot change hands before it is used), when the Landlock scope of the
 * sandbox lets its processes reach it (net_abstract.c). -ECONNREFUSED
 * when no such socket exists, -EPERM when only processes outside the
 * sandbox hold it. */
int sl_net_abstract_pin(struct sl_net_state *st, const struct sl_notif *n,
			int type, const struct sockaddr_storage *ss,
			socklen_t len, int *pin);
void sl_net_abstract_free(struct sl_net_abstract *a);

int sl_net_handle_connect(struct sl_net_state *st, const struct sl_notif *n,
			  struct sl_action *out);
int sl_net_handle_sendto(struct sl_net_state *st, const struct sl_notif *n,
			 struct sl_action *out);
int sl_net_handle_sendmsg(struct sl_net_state *st, const struct sl_notif *n,
			  struct sl_action *out);
int sl_net_handle_sendmmsg(struct sl_net_state *st, const struct sl_notif *n,
			   struct sl_action *out);

#endif
