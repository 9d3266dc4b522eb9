/*
 * The `network` module: outbound destination policy on connect and the
 * send family, port_remap's loopback redirection, the named AF_UNIX gate
 * and the abstract unix scope (docs/behaviour.md 5.3, 5.6, 5.8, 3.4). Every
 * decision is taken on copies the supervisor made (the sockaddr, the
 * msghdr, a pidfd_getfd duplicate of the socket) and carried out on
 * those copies; no notified connect or send is ever handed back to the
 * kernel, which would read the fd number and the address again.
 */
#include "handlers/network.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "fs/creds.h"
#include "handlers/live.h"
#include "handlers/procinfo.h"
#include "landlock/landlock.h"
#include "landlock/landlock_uapi.h"
#include "net/unixgate.h"
#include "supervisor/notif.h"
#include "supervisor/proctab.h"
#include "util/cleanup.h"
#include "util/hostperm.h"

static void network_syscalls(const struct sl_policy *p, struct sl_nrset *set)
{
	/* port_remap or net_deny_bind alone need only bind/getsockname
	 * (their own modules); connect and sends are trapped for a
	 * destination policy or the unix gate. */
	if (!sl_net_has_dest_policy(p) && !sl_net_unix_gate_by_supervisor(p))
		return;
	sl_nrset_add_sys(set, connect);
	sl_nrset_add_narrow_sys(set, sendto); /* with a destination */
	sl_nrset_add_sys(set, sendmsg);
	sl_nrset_add_sys(set, sendmmsg);
}

static bool net_tcp_active(const struct sl_policy *p)
{
	return sl_protection_status(p->protection[SL_PROT_NET_TCP],
				    SL_PROT_NET_TCP,
				    sl_landlock_abi()) == SL_PROT_STATUS_ACTIVE;
}

bool sl_net_tcp_bind_restricted(const struct sl_policy *p)
{
	return p->deny_bind.ports.n ||
	       (!p->allow_bind.all && net_tcp_active(p));
}

bool sl_net_listen_by_supervisor(const struct sl_policy *p)
{
	return sl_net_tcp_bind_restricted(p) &&
	       sl_host_allows(SL_HOST_PIDFD_GETFD);
}

/* Without pidfd_getfd (a container, util/hostperm.h) the supervisor
 * cannot act on the sandbox's sockets. What it would do on them is
 * refused when the policy is built, naming the setting ... */
static int network_host_check(const struct sl_policy *p, struct sl_error *e)
{
	static const unsigned need = SL_HOST_PIDFD_GETFD;

	if (sl_host_allows(need))
		return 0;
	if (p->allow_rules.n || p->deny_rules.n)
		return sl_host_require(need,
				       "net_allow and net_deny rules "
				       "(connects and sends are done on the "
				       "sandbox's sockets)",
				       e);
	if (p->http_allow.n || p->http_deny.n)
		return sl_host_require(need,
				       "HTTP rules (connects are done on "
				       "the sandbox's sockets)",
				       e);
	if (p->port_remap)
		return sl_host_require(need,
				       "port_remap (binds are done on the "
				       "sandbox's sockets)",
				       e);
	if (p->deny_bind.ports.n)
		return sl_host_require(need,
				       "net_deny_bind (binds and listens "
				       "are done on the sandbox's sockets)",
				       e);
	if (sl_net_tcp_bind_restricted(p) && p->allow_bind.ports.n)
		return sl_host_require(need,
				       "a net_allow_bind port list (a "
				       "listen() is checked on the socket it "
				       "listens on)",
				       e);
	return 0;
}

/* ... and what it checks before letting a call go is kept by the filter:
 * the unix gate by refusing the unix sockets that could be given an
 * address (socket(AF_UNIX), datagram socketpairs; connected stream and
 * seqpacket pairs work), the listen() check, with no TCP port
 * grantable, by refusing listen() (it could only bind a port of the
 * kernel's choice). */
static int network_host_denials(const struct sl_policy *p,
				struct sl_host_denials *d)
{
	static const struct sl_host_denial unix_socket = {
		SYS_socket, EACCES, 1, { { 0, ~0ULL, AF_UNIX } }
	};
	static const struct sl_host_denial unix_dgram_pair = {
		SYS_socketpair,
		EACCES,
		2,
		{ { 0, ~0ULL, AF_UNIX }, { 1, 0xf, SOCK_DGRAM } }
	};
	static const struct sl_host_denial any_listen = {
		SYS_listen, EACCES, 0, { { 0 } }
	};
	int r = 0;

	if (sl_host_allows(SL_HOST_PIDFD_GETFD))
		return 0;
	if (sl_net_unix_gate_in_kernel(p)) {
		r = sl_host_deny(d, &unix_socket);
		if (r == 0)
			r = sl_host_deny(d, &unix_dgram_pair);
	}
	if (r == 0 && sl_net_tcp_bind_restricted(p))
		r = sl_host_deny(d, &any_listen);
	return r;
}

/* What the child's Landlock ruleset enforces on the network on this host
 * (the network context enforces it for on-behalf calls). */
static void landlock_net(const struct sl_policy *p, struct sl_net_landlock *ll)
{
	struct sl_landlock_plan plan;

	ll->tcp = net_tcp_active(p);
	/* No plan, no sandbox: should it fail here, enforce both (fail
	 * closed). */
	if (sl_landlock_plan(p, sl_landlock_abi(), true, &plan, NULL) < 0) {
		plan.handled_net = LANDLOCK_ACCESS_NET_CONNECT_TCP;
		plan.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
	}
	ll->connect_tcp = plan.handled_net & LANDLOCK_ACCESS_NET_CONNECT_TCP;
	ll->abstract_scoped = plan.scoped & LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
}

static void network_fini(void *state)
{
	struct sl_net_state *st = state;

	if (!st)
		return;
	sl_net_deferred_clear(&st->pending);
	sl_net_abstract_free(st->abstract);
	free(st->chunk);
	sl_strv_free(&st->grants);
	sl_net_ctx_free(st->ctx);
	free(st);
}

static int network_init(struct sl_supervisor *sv, const struct sl_policy *p,
			void **state)
{
	struct sl_net_state *st = calloc(1, sizeof(*st));
	struct sl_net_landlock ll;
	struct sl_error e = { 0 };
	int r;

	if (!st)
		return -ENOMEM;
	st->sv = sv;
	st->pending.sv = sv;
	landlock_net(p, &ll);
	r = sl_net_ctx_new(p, &ll, &st->ctx, &e);
	if (r < 0) {
		sl_supervisor_init_error(sv, r, "%s", e.msg ? e.msg : "");
		sl_error_clear(&e);
		network_fini(st);
		return r;
	}
	r = sl_unix_gate_grants(&p->fs_write, &st->grants);
	if (r < 0) {
		network_fini(st);
		return r;
	}
	*state = st;
	return 0;
}

static int network_handle(void *state, const struct sl_notif *n,
			  struct sl_action *out)
{
	struct sl_net_state *st = state;

	switch (n->req->data.nr) {
	case __NR_connect:
		return sl_net_handle_connect(st, n, out);
	case __NR_sendto:
		return sl_net_handle_sendto(st, n, out);
	case __NR_sendmsg:
		return sl_net_handle_sendmsg(st, n, out);
	case __NR_sendmmsg:
		return sl_net_handle_sendmmsg(st, n, out);
	default:
		return 0;
	}
}

const struct sl_handler_module sl_module_network = {
	.name = "network",
	.active = sl_net_ctx_needed,
	.syscalls = network_syscalls,
	.init = network_init,
	.handle = network_handle,
	.fini = network_fini,
	.host_check = network_host_check,
	.host_denials = network_host_denials,
};

struct sl_net_ctx *sl_net_ctx_of(struct sl_supervisor *sv)
{
	struct sl_net_state *st =
		sl_supervisor_module_state(sv, &sl_module_network);

	return st ? st->ctx : NULL;
}

char *sl_net_port_mappings_of(struct sl_supervisor *sv)
{
	struct sl_net_ctx *ctx = sl_net_ctx_of(sv);

	return ctx ? sl_net_port_mappings_json(ctx->portmap) : NULL;
}

int sl_net_sock_get(const struct sl_notif *n, int childfd,
		    struct sl_net_sock *s)
{
	socklen_t len = sizeof(int);

	s->fd = sl_notif_getfd(n, childfd);
	if (s->fd < 0)
		return s->fd == -ENOENT ? -ENOENT : -EBADF;
	s->protocol = 0; /* unix: the kernel says 0 too */
	if (getsockopt(s->fd, SOL_SOCKET, SO_DOMAIN, &s->domain, &len) < 0 ||
	    getsockopt(s->fd, SOL_SOCKET, SO_TYPE, &s->type, &len) < 0 ||
	    (s->domain != AF_UNIX && getsockopt(s->fd, SOL_SOCKET, SO_PROTOCOL,
						&s->protocol, &len) < 0)) {
		int err = errno == ENOTSOCK ? ENOTSOCK : EBADF;

		sl_net_sock_put(s);
		return -err;
	}
	return 0;
}

bool sl_net_sock_nonblock(const struct sl_net_sock *s)
{
	int fl = fcntl(s->fd, F_GETFL);

	/* An unreadable flag: treat the socket as non-blocking, so the
	 * call is answered at once rather than held. */
	return fl < 0 || (fl & O_NONBLOCK);
}

void sl_net_sock_put(struct sl_net_sock *s)
{
	closep(&s->fd);
	s->fd = -1;
}

void sl_net_answer_name(const struct sl_notif *n, uint64_t addr, uint64_t lenp,
			const void *sa, socklen_t len, struct sl_action *out)
{
	int ulen, full = (int)len;

	out->kind = SL_ACT_ERRNO;
	if (sl_notif_read(n, lenp, &ulen, sizeof(ulen)) < 0) {
		out->error = EFAULT;
		return;
	}
	if (ulen < 0) {
		out->error = EINVAL;
		return;
	}
	if (sl_notif_write(n, addr, sa,
			   (size_t)ulen < len ? (size_t)ulen : len) < 0 ||
	    sl_notif_write(n, lenp, &full, sizeof(full)) < 0) {
		out->error = EFAULT;
		return;
	}
	out->kind = SL_ACT_VALUE;
	out->value = 0;
}

/* A policy callback's live sets, for the calling task's process. */
static bool live_allows(struct sl_net_state *st, const struct sl_notif *n,
			const struct sl_ip *ip)
{
	pid_t tgid = (pid_t)n->req->pid;

	if (!st->live_looked) {
		st->live = sl_live_of(st->sv);
		st->live_looked = true;
	}
	if (!st->live || !sl_live_net_active(st->live))
		return true;
	if (sl_proctab_lookup(sl_supervisor_proctab(st->sv), (pid_t)n->req->pid,
			      &tgid) < 0)
		return false;
	return sl_live_net_allows(st->live, tgid, ip);
}

int sl_net_check_dest(struct sl_net_state *st, const struct sl_notif *n,
		      const struct sl_net_sock *s,
		      const struct sockaddr_storage *ss, socklen_t len)
{
	struct sl_ip ip;
	uint16_t port;
	int r = sl_ip_from_sockaddr((const struct sockaddr *)ss, len, &ip,
				    &port);

	if (r < 0)
		return r; /* -EAFNOSUPPORT or -EINVAL */
	if (!sl_net_policy_allows(&st->ctx->dest, sl_net_proto_of(s->protocol),
				  &ip, port) ||
	    !live_allows(st, n, &ip))
		return -ECONNREFUSED;
	return 0;
}

/* The destination as the child named it (before any rewriting). */
struct sl_net_shown {
	const void *addr;
	socklen_t len;
};

/* connect() on the supervisor's duplicate. A blocking socket is connected
 * non-blocking and answered when the handshake ends, so a slow peer holds
 * only the calling thread of the child, never the supervisor. */
static int connect_on_behalf(struct sl_net_state *st, const struct sl_notif *n,
			     struct sl_net_sock *s, const void *addr,
			     socklen_t len, const struct sl_net_shown *shown,
			     struct sl_action *out)
{
	int r, err, fl;

	/* a policy callback approves what the child named, first */
	if (sl_supervisor_gate_first(n, shown->addr, shown->len, out))
		return 0;
	fl = fcntl(s->fd, F_GETFL);
	if (fl < 0)
		return -EBADF;
	if (fl & O_NONBLOCK) {
		r = connect(s->fd, addr, len);
		err = errno;
	} else if (!sl_net_deferred_room(&st->pending)) {
		/* Too many held already: refuse before connecting. */
		r = -1;
		err = EAGAIN;
	} else {
		if (fcntl(s->fd, F_SETFL, fl | O_NONBLOCK) < 0)
			return -EBADF;
		r = connect(s->fd, addr, len);
		err = errno;
		(void)fcntl(s->fd, F_SETFL, fl);
		if (r < 0 && (err == EINPROGRESS || err == EALREADY)) {
			r = sl_net_defer_connect(&st->pending, n, s->fd);
			s->fd = -1; /* taken */
			if (r < 0)
				return r;
			out->kind = SL_ACT_HOLD;
			return 0;
		}
	}
	if (r < 0) {
		out->kind = SL_ACT_ERRNO;
		out->error = err;
	} else {
		out->kind = SL_ACT_VALUE;
		out->value = 0;
	}
	return 0;
}

int sl_net_creds_enter(const struct sl_notif *n, struct sl_creds_saved *saved)
{
	return sl_creds_enter_task(n, saved);
}

static void refuse(struct sl_action *out, int err)
{
	out->kind = SL_ACT_ERRNO;
	out->error = err;
}

static int connect_unix(struct sl_net_state *st, const struct sl_notif *n,
			struct sl_net_sock *s,
			const struct sockaddr_storage *ss, socklen_t len,
			struct sl_action *out)
{
	const struct sl_net_shown shown = { ss, len };
	const struct sockaddr_un *sun = (const struct sockaddr_un *)ss;
	struct sl_creds_saved saved = { 0 };
	struct sockaddr_un target;
	socklen_t tlen;
	_cleanup_(closep) int pin = -1;
	int r;

	if (sl_unix_is_pathname(ss, len)) {
		r = sl_unix_gate((pid_t)n->req->pid, &st->grants, ss, len, &pin,
				 &target, &tlen);
		if (r < 0) {
			refuse(out, -r);
			return 0;
		}
		/* The socket's own permissions are checked against the
		 * child. */
		r = sl_net_creds_enter(n, &saved);
		if (r < 0)
			return r;
		r = connect_on_behalf(st, n, s, &target, tlen, &shown, out);
		/* A failed restore marks the thread (fs/creds.h); the
		 * connect's answer stands. */
		(void)sl_creds_leave(&saved);
		return r;
	}
	if (ss->ss_family == AF_UNIX &&
	    len > offsetof(struct sockaddr_un, sun_path) &&
	    sun->sun_path[0] == '\0') {
		/* Abstract: only where the sandbox's scope reaches; the
		 * pinned socket keeps the name until the connect is done. */
		r = sl_net_abstract_pin(st, n, s->type, ss, len, &pin);
		if (r < 0) {
			refuse(out, -r);
			return 0;
		}
	}
	/* Unnamed, AF_UNSPEC (dissolving a datagram association) or not an
	 * address at all: the kernel answers for the duplicate. */
	return connect_on_behalf(st, n, s, ss, len, &shown, out);
}

/* port_remap: a loopback destination whose port the sandbox bound
 * elsewhere is redirected to the real port. Was ss rewritten? */
static bool remap_loopback(const struct sl_net_ctx *ctx,
			   struct sockaddr_storage *ss, socklen_t len)
{
	struct sl_ip ip;
	uint16_t port, real;

	if (!ctx->portmap ||
	    sl_ip_from_sockaddr((struct sockaddr *)ss, len, &ip, &port) < 0 ||
	    !sl_ip_is_loopback(&ip) ||
	    !sl_portmap_mapped(ctx->portmap, port, &real))
		return false;
	sl_sockaddr_set_port((struct sockaddr *)ss, len, real);
	return true;
}

int sl_net_handle_connect(struct sl_net_state *st, const struct sl_notif *n,
			  struct sl_action *out)
{
	const __u64 *a = n->req->data.args;
	_cleanup_(sl_net_sock_put) struct sl_net_sock s = { .fd = -1 };
	struct sockaddr_storage ss, named;
	socklen_t len = (socklen_t)(uint32_t)a[2];
	const struct sl_net_shown shown = { &named, len };
	int r;

	if (len > sizeof(ss))
		return -EINVAL;
	r = sl_net_sock_get(n, (int)a[0], &s);
	if (r < 0)
		return r;
	r = sl_net_read_sockaddr(n, a[1], len, &ss);
	if (r < 0)
		return r;
	named = ss;
	if (s.domain == AF_UNIX)
		return connect_unix(st, n, &s, &ss, len, out);
	if (s.domain != AF_INET && s.domain != AF_INET6) {
		/* Only unix and IP sockets can be created in a sandbox. */
		refuse(out, EOPNOTSUPP);
		return 0;
	}
	if ((ss.ss_family == AF_INET || ss.ss_family == AF_INET6) &&
	    st->ctx->dest_policy) {
		r = sl_net_check_dest(st, n, &s, &ss, len);
		if (r < 0) {
			refuse(out, -r);
			return 0;
		}
		remap_loopback(st->ctx, &ss, len);
	} else if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) {
		/* No destination policy: only a port_remap redirection is
		 * allowed past Landlock's CONNECT_TCP, which grants no port
		 * then and would refuse the rest in the child. */
		if (!remap_loopback(st->ctx, &ss, len) &&
		    s.protocol == IPPROTO_TCP &&
		    st->ctx->tcp_connect_restricted) {
			refuse(out, EACCES);
			return 0;
		}
	}
	/* AF_UNSPEC (dissolve an association) or a family the kernel will
	 * refuse: still done on the duplicate, never handed back to the
	 * kernel, so a racing thread cannot turn it into an unchecked
	 * connect. */
	return connect_on_behalf(st, n, &s, &ss, len, &shown, out);
}
