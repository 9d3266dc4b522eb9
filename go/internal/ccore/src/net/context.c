#include "net/context.h"

#include <errno.h>
#include <stdlib.h>

#include "landlock/landlock.h"
#include "landlock/landlock_uapi.h"
#include "util/hostperm.h"

bool sl_net_has_dest_policy(const struct sl_policy *p)
{
	return p->allow_rules.n || p->deny_rules.n || p->http_allow.n ||
	       p->http_deny.n || p->cb;
}

bool sl_net_needs_unix_gate(const struct sl_policy *p)
{
	return p->fs_read.n || p->fs_write.n;
}

static bool net_tcp_active(const struct sl_policy *p)
{
	return sl_protection_status(p->protection[SL_PROT_NET_TCP],
				    SL_PROT_NET_TCP, sl_landlock_abi()) ==
	       SL_PROT_STATUS_ACTIVE;
}

bool sl_net_tcp_bind_restricted(const struct sl_policy *p)
{
	return p->deny_bind.ports.n || (!p->allow_bind.all && net_tcp_active(p));
}

/* The supervisor can act on the sandbox's sockets: it takes them with
 * pidfd_getfd, which a container without CAP_SYS_PTRACE refuses. */
static bool on_behalf(void)
{
	return sl_host_allows(SL_HOST_PIDFD_GETFD);
}

bool sl_net_unix_gate_by_supervisor(const struct sl_policy *p)
{
	return sl_net_needs_unix_gate(p) && on_behalf();
}

bool sl_net_unix_gate_in_kernel(const struct sl_policy *p)
{
	return sl_net_needs_unix_gate(p) && !on_behalf();
}

bool sl_net_listen_by_supervisor(const struct sl_policy *p)
{
	return sl_net_tcp_bind_restricted(p) && on_behalf();
}

bool sl_net_listen_in_kernel(const struct sl_policy *p)
{
	return sl_net_tcp_bind_restricted(p) && !on_behalf();
}

bool sl_net_ctx_needed(const struct sl_policy *p)
{
	return sl_net_has_dest_policy(p) || sl_net_unix_gate_by_supervisor(p) ||
	       p->port_remap || p->deny_bind.ports.n;
}

int sl_net_check_host(const struct sl_policy *p, struct sl_error *e)
{
	static const unsigned need = SL_HOST_PIDFD_GETFD;

	if (on_behalf())
		return 0;
	if (p->allow_rules.n || p->deny_rules.n)
		return sl_host_require(need, "net_allow and net_deny rules "
				       "(connects and sends are done on the "
				       "sandbox's sockets)", e);
	if (p->http_allow.n || p->http_deny.n)
		return sl_host_require(need, "HTTP rules (connects are done on "
				       "the sandbox's sockets)", e);
	if (p->port_remap)
		return sl_host_require(need, "port_remap (binds are done on the "
				       "sandbox's sockets)", e);
	if (p->deny_bind.ports.n)
		return sl_host_require(need, "net_deny_bind (binds and listens "
				       "are done on the sandbox's sockets)", e);
	/* With no port granted, a TCP listen() could only bind a port of
	 * the kernel's choice: refused in BPF instead (argfilters.c). */
	if (sl_net_listen_in_kernel(p) && p->allow_bind.ports.n)
		return sl_host_require(need, "a net_allow_bind port list (a "
				       "listen() is checked on the socket it "
				       "listens on)", e);
	return 0;
}

int sl_net_ctx_new(const struct sl_policy *p, struct sl_net_ctx **out,
		   struct sl_error *e)
{
	struct sl_net_ctx *ctx = calloc(1, sizeof(*ctx));
	struct sl_landlock_plan plan;
	int r;

	if (!ctx)
		return sl_err(e, ENOMEM, "out of memory");
	ctx->policy = p;
	ctx->dest_policy = sl_net_has_dest_policy(p);
	r = sl_net_resolve(&p->allow_rules, &ctx->hosts, e);
	if (r == 0) {
		r = sl_net_policy_build(&ctx->dest, p, &ctx->hosts);
		if (r < 0)
			sl_err(e, -r, "cannot build the network policy");
	}
	if (r == 0 && p->port_remap) {
		r = sl_portmap_new(&ctx->portmap);
		if (r < 0)
			sl_err(e, -r, "out of memory");
	}
	if (r < 0) {
		sl_net_ctx_free(ctx);
		return r;
	}
	ctx->enforce_allow_bind = !p->allow_bind.all && net_tcp_active(p);
	/* No plan, no sandbox: should it fail here, enforce both (fail
	 * closed). */
	if (sl_landlock_plan(p, sl_landlock_abi(), true, &plan, NULL) < 0) {
		plan.handled_net = LANDLOCK_ACCESS_NET_CONNECT_TCP;
		plan.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
	}
	ctx->tcp_connect_restricted =
		plan.handled_net & LANDLOCK_ACCESS_NET_CONNECT_TCP;
	ctx->abstract_scoped = plan.scoped & LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
	*out = ctx;
	return 0;
}

void sl_net_ctx_free(struct sl_net_ctx *ctx)
{
	if (!ctx)
		return;
	sl_net_hosts_free(&ctx->hosts);
	sl_net_policy_free(&ctx->dest);
	sl_portmap_free(ctx->portmap);
	free(ctx);
}

bool sl_net_bind_port_allowed(const struct sl_net_ctx *ctx, uint16_t port)
{
	const struct sl_policy *p = ctx->policy;

	if (p->deny_bind.ports.n)
		return !sl_u32v_contains(&p->deny_bind.ports, port);
	if (!ctx->enforce_allow_bind)
		return true;
	return sl_u32v_contains(&p->allow_bind.ports, port);
}
