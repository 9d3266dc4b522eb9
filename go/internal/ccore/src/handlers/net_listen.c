/*
 * The `net_listen` module: listen() under restricted TCP binds.
 *
 * listen() on a TCP socket nobody bound binds it to an ephemeral port
 * first, and Landlock's BIND_TCP right does not see that bind: without
 * this module a sandbox with no bind grant at all could accept outside
 * clients on a port of the kernel's choice. Every listen() of such a
 * sandbox is therefore performed by the supervisor on its pidfd_getfd
 * duplicate of the socket, after a check on that very object: an
 * unbound TCP socket may listen only where a bind to port 0 would be
 * allowed (net_allow_bind "*"; under net_deny_bind a port off the list is
 * chosen). The fd number is never read again, so a thread swapping an
 * unbound socket in behind a listen() on a bound one gains nothing.
 *
 * Unix sockets are listened on-behalf too (the same swap would otherwise
 * work the other way round); their listening socket then records the
 * supervisor as its peer credentials (docs/network.md).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "handlers/network.h"
#include "util/cleanup.h"

static bool listen_active(const struct sl_policy *p)
{
	return sl_net_listen_by_supervisor(p);
}

static void listen_syscalls(const struct sl_policy *p, struct sl_nrset *set)
{
	sl_nrset_add_sys(set, listen);
}

static int listen_init(struct sl_supervisor *sv, const struct sl_policy *p,
		       void **state)
{
	*state = (void *)p;
	return 0;
}

/* An unbound TCP socket about to listen: bind it as the rules allow. */
static int autobind(const struct sl_policy *p, const struct sl_net_sock *s)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	uint16_t port;

	if (getsockname(s->fd, (struct sockaddr *)&ss, &len) < 0)
		return -errno;
	if (sl_sockaddr_port((struct sockaddr *)&ss, len, &port) < 0 || port)
		return 0; /* bound already */
	if (p->deny_bind.ports.n)
		return sl_net_bind_unlisted(s->fd, &ss, len,
					    &p->deny_bind.ports);
	/* net_allow_bind lists ports (0 never): no bind of port 0 is
	 * allowed, so no autobind either ("*" leaves this module off). */
	return -EACCES;
}

static int listen_handle(void *state, const struct sl_notif *n,
			 struct sl_action *out)
{
	const struct sl_policy *p = state;
	const __u64 *a = n->req->data.args;
	_cleanup_(sl_net_sock_put) struct sl_net_sock s = { .fd = -1 };
	int r;

	r = sl_net_sock_get(n, (int)a[0], &s);
	if (r < 0)
		return r;
	if ((s.domain == AF_INET || s.domain == AF_INET6) &&
	    s.protocol == IPPROTO_TCP) {
		r = autobind(p, &s);
		if (r < 0) {
			out->kind = SL_ACT_ERRNO;
			out->error = -r;
			return 0;
		}
	}
	if (listen(s.fd, (int)a[1]) < 0) {
		out->kind = SL_ACT_ERRNO;
		out->error = errno;
		return 0;
	}
	out->kind = SL_ACT_VALUE;
	out->value = 0;
	return 0;
}

const struct sl_handler_module sl_module_net_listen = {
	.name = "net_listen",
	.active = listen_active,
	.syscalls = listen_syscalls,
	.init = listen_init,
	.handle = listen_handle,
};
