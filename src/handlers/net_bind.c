/*
 * bind and getsockname under the bind rules and port_remap (docs/behaviour.md
 * 5.5, 5.8).
 *
 * An IP bind is performed by the supervisor on its duplicate of the socket
 * with the address it copied, so net_deny_bind (which leaves Landlock's
 * BIND_TCP unhandled) cannot be raced. Because the supervisor is not under
 * the child's Landlock ruleset, it enforces net_allow_bind itself
 * (docs/decisions.md A13) and refuses privileged ports the child could not bind.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "handlers/network.h"
#include "handlers/procinfo.h"
#include "supervisor/notif.h"
#include "util/cleanup.h"

#define CAP_NET_BIND_SERVICE_BIT 10

static bool bind_active(const struct sl_policy *p)
{
	/* A policy callback decides on the address bound: the bind is
	 * performed on the copy it was shown. */
	return p->port_remap || p->deny_bind.ports.n || p->cb;
}

static void bind_syscalls(const struct sl_policy *p, struct sl_nrset *set)
{
	sl_nrset_add_sys(set, bind);
}

static int bind_init(struct sl_supervisor *sv, const struct sl_policy *p,
		     void **state)
{
	struct sl_net_ctx *ctx = sl_net_ctx_of(sv);

	if (!ctx)
		return -EINVAL;
	*state = ctx;
	return 0;
}

static void refuse(struct sl_action *out, int err)
{
	out->kind = SL_ACT_ERRNO;
	out->error = err;
}

/* Could the child bind a port below ip_unprivileged_port_start itself? */
static bool may_bind_privileged(pid_t tid, uint16_t port)
{
	_cleanup_(freep) char *text = NULL;
	const char *caps;
	unsigned long start = 1024;
	char path[64];
	size_t len;

	if (sl_read_file("/proc/sys/net/ipv4/ip_unprivileged_port_start", &text,
			 &len) == 0)
		start = strtoul(text, NULL, 10);
	if (port >= start)
		return true;
	free(text);
	text = NULL;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	if (sl_read_file(path, &text, &len) < 0)
		return false;
	caps = sl_status_value(text, "CapEff");
	return caps &&
	       (strtoull(caps, NULL, 16) >> CAP_NET_BIND_SERVICE_BIT) & 1;
}

int sl_net_bind_unlisted(int fd, struct sockaddr_storage *ss, socklen_t len,
			 const struct sl_u32v *deny)
{
	_cleanup_(freep) char *text = NULL;
	unsigned long lo = 0, hi = 0;
	uint32_t span, start;

	if (sl_read_file("/proc/sys/net/ipv4/ip_local_port_range", &text,
			 NULL) < 0 ||
	    sscanf(text, "%lu %lu", &lo, &hi) != 2 || lo < 1 || hi > 65535 ||
	    lo > hi) {
		lo = 32768; /* the kernel's default range */
		hi = 60999;
	}
	span = (uint32_t)(hi - lo + 1);
	if (getrandom(&start, sizeof(start), 0) != sizeof(start))
		start = (uint32_t)getpid();
	/* As the kernel's own search, from a random offset; a bounded
	 * number of tries (the kernel gives up with EADDRINUSE too). */
	for (uint32_t i = 0, tried = 0; i < span && tried < 256; i++) {
		uint16_t port = (uint16_t)(lo + (start + i) % span);

		if (sl_u32v_contains(deny, port))
			continue;
		tried++;
		sl_sockaddr_set_port((struct sockaddr *)ss, len, port);
		if (bind(fd, (struct sockaddr *)ss, len) == 0)
			return 0;
		if (errno != EADDRINUSE)
			return -errno;
	}
	return -EADDRINUSE;
}

/* Bind virt through port_remap: its cached real port, else itself, else
 * any free port; remember what was bound. */
static int bind_remapped(struct sl_net_ctx *ctx, int fd,
			 struct sockaddr_storage *ss, socklen_t len,
			 uint16_t virt)
{
	struct sockaddr_storage got;
	socklen_t glen = sizeof(got);
	uint16_t real = sl_portmap_real_for(ctx->portmap, virt);

	sl_sockaddr_set_port((struct sockaddr *)ss, len, real);
	if (bind(fd, (struct sockaddr *)ss, len) < 0) {
		if (errno != EADDRINUSE)
			return -errno;
		sl_sockaddr_set_port((struct sockaddr *)ss, len, 0);
		if (bind(fd, (struct sockaddr *)ss, len) < 0)
			return -errno;
		if (getsockname(fd, (struct sockaddr *)&got, &glen) < 0 ||
		    sl_sockaddr_port((struct sockaddr *)&got, glen, &real) < 0)
			return -EADDRINUSE;
	}
	return sl_portmap_record(ctx->portmap, virt, real);
}

static int bind_handle(void *state, const struct sl_notif *n,
		       struct sl_action *out)
{
	struct sl_net_ctx *ctx = state;
	const __u64 *a = n->req->data.args;
	_cleanup_(sl_net_sock_put) struct sl_net_sock s = { .fd = -1 };
	struct sockaddr_storage ss;
	socklen_t len = (socklen_t)(uint32_t)a[2];
	struct sl_ip ip;
	uint16_t port;
	int r;

	if (len > sizeof(ss))
		return -EINVAL;
	r = sl_net_sock_get(n, (int)a[0], &s);
	if (r < 0)
		return r;
	/* Unix binds stay with the kernel (Landlock MAKE_SOCK). */
	if (s.domain != AF_INET && s.domain != AF_INET6)
		return 0;
	r = sl_net_read_sockaddr(n, a[1], len, &ss);
	if (r < 0)
		return r;
	r = sl_ip_from_sockaddr((struct sockaddr *)&ss, len, &ip, &port);
	if (r == 0 && s.protocol == IPPROTO_TCP &&
	    !sl_net_bind_port_allowed(ctx, port)) {
		refuse(out, EACCES);
		return 0;
	}
	if (r == 0 && port && !may_bind_privileged((pid_t)n->req->pid, port)) {
		refuse(out, EACCES);
		return 0;
	}
	if (sl_supervisor_gate_first(n, &ss, len, out))
		return 0;
	if (r == 0 && port && ctx->portmap)
		r = bind_remapped(ctx, s.fd, &ss, len, port);
	else if (r == 0 && !port && s.protocol == IPPROTO_TCP &&
		 ctx->policy->deny_bind.ports.n)
		/* The kernel's pick could be a denied port. */
		r = sl_net_bind_unlisted(s.fd, &ss, len,
					 &ctx->policy->deny_bind.ports);
	else
		r = bind(s.fd, (struct sockaddr *)&ss, len) < 0 ? -errno : 0;
	if (r < 0) {
		refuse(out, -r);
		return 0;
	}
	out->kind = SL_ACT_VALUE;
	out->value = 0;
	return 0;
}

const struct sl_handler_module sl_module_net_bind = {
	.name = "net_bind",
	.active = bind_active,
	.syscalls = bind_syscalls,
	.init = bind_init,
	.handle = bind_handle,
};

/* ---- getsockname: real ports back to virtual ones ----------------------- */

static bool getsockname_active(const struct sl_policy *p)
{
	return p->port_remap;
}

static void getsockname_syscalls(const struct sl_policy *p,
				 struct sl_nrset *set)
{
	sl_nrset_add_sys(set, getsockname);
}

static int getsockname_handle(void *state, const struct sl_notif *n,
			      struct sl_action *out)
{
	struct sl_net_ctx *ctx = state;
	const __u64 *a = n->req->data.args;
	_cleanup_(sl_net_sock_put) struct sl_net_sock s = { .fd = -1 };
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	uint16_t real, virt;
	int r;

	r = sl_net_sock_get(n, (int)a[0], &s);
	if (r < 0)
		return r;
	if (s.domain != AF_INET && s.domain != AF_INET6)
		return 0;
	if (getsockname(s.fd, (struct sockaddr *)&ss, &len) < 0 ||
	    sl_sockaddr_port((struct sockaddr *)&ss, len, &real) < 0 ||
	    !sl_portmap_virtual_of(ctx->portmap, real, &virt))
		return 0; /* nothing to translate: the kernel answers */
	sl_sockaddr_set_port((struct sockaddr *)&ss, len, virt);
	sl_net_answer_name(n, a[1], a[2], &ss, len, out);
	return 0;
}

const struct sl_handler_module sl_module_net_getsockname = {
	.name = "net_getsockname",
	.active = getsockname_active,
	.syscalls = getsockname_syscalls,
	.init = bind_init,
	.handle = getsockname_handle,
};
