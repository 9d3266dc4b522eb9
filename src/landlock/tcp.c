/* TCP port rules (docs/behaviour.md 3.2): port-only, any IP. */
#include "landlock/rules.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "landlock/landlock_uapi.h"

static int add_port(int fd, uint64_t access, uint32_t port, struct sl_error *e)
{
	struct sl_landlock_net_port_attr attr = {
		.allowed_access = access,
		.port = port,
	};

	if (syscall(__NR_landlock_add_rule, fd, SL_LANDLOCK_RULE_NET_PORT,
		    &attr, 0) < 0)
		return sl_err(e, errno, "landlock_add_rule (TCP port %u): %s",
			      port, strerror(errno));
	return 0;
}

/* Every port named by a TCP allow rule, plus the intercepted HTTP ports,
 * sorted and unique. */
static int connect_ports(const struct sl_policy *p, struct sl_u32v *out)
{
	for (uint32_t i = 0; i < p->allow_rules.n; i++) {
		const struct sl_net_rule *r = &p->allow_rules.v[i];

		if (r->proto != SL_PROTO_TCP || r->all_ports)
			continue;
		for (uint32_t j = 0; j < r->nports; j++)
			if (sl_u32v_push(out, r->ports[j]))
				return -ENOMEM;
	}
	for (size_t i = 0; i < p->http_ports.n; i++)
		if (sl_u32v_push(out, p->http_ports.v[i]))
			return -ENOMEM;
	sl_u32v_sort_unique(out);
	return 0;
}

int sl_landlock_add_tcp_rules(int fd, const struct sl_landlock_plan *plan,
			      const struct sl_policy *p, struct sl_error *e)
{
	struct sl_u32v ports = { 0 };
	int r = 0;

	if (plan->handled_net & LANDLOCK_ACCESS_NET_BIND_TCP)
		for (size_t i = 0; !r && i < p->allow_bind.ports.n; i++)
			r = add_port(fd, LANDLOCK_ACCESS_NET_BIND_TCP,
				     p->allow_bind.ports.v[i], e);
	if (r || !(plan->handled_net & LANDLOCK_ACCESS_NET_CONNECT_TCP))
		return r;

	if (connect_ports(p, &ports))
		r = sl_err(e, ENOMEM, "out of memory");
	for (size_t i = 0; !r && i < ports.n; i++)
		r = add_port(fd, LANDLOCK_ACCESS_NET_CONNECT_TCP, ports.v[i],
			     e);
	sl_u32v_free(&ports);
	return r;
}
