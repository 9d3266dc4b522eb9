#include "net/context.h"

#include <errno.h>
#include <stdlib.h>

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

bool sl_net_ctx_needed(const struct sl_policy *p)
{
	return sl_net_has_dest_policy(p) || sl_net_unix_gate_by_supervisor(p) ||
	       p->port_remap || p->deny_bind.ports.n;
}

int sl_net_ctx_new(const struct sl_policy *p, const struct sl_net_landlock *ll,
		   struct sl_net_ctx **out, struct sl_error *e)
{
	struct sl_net_ctx *ctx = calloc(1, sizeof(*ctx));
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
	ctx->enforce_allow_bind = !p->allow_bind.all && ll->tcp;
	ctx->tcp_connect_restricted = ll->connect_tcp;
	ctx->abstract_scoped = ll->abstract_scoped;
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
