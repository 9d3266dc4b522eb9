#include "net/netset.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

static bool ports_have(const uint16_t *ports, uint32_t n, uint16_t port)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ports[mid] == port)
			return true;
		if (ports[mid] < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* Merge n ports into the sorted unique array *v of *nv entries. */
static int ports_merge(uint16_t **v, uint32_t *nv, const uint16_t *ports,
		       uint32_t n)
{
	uint16_t *m;
	uint32_t k = 0;

	if (n == 0)
		return 0;
	m = reallocarray(*v, (size_t)*nv + n, sizeof(*m));
	if (!m)
		return -ENOMEM;
	memcpy(m + *nv, ports, n * sizeof(*m));
	*nv += n;
	qsort(m, *nv, sizeof(*m), cmp_u16);
	for (uint32_t i = 0; i < *nv; i++)
		if (k == 0 || m[k - 1] != m[i])
			m[k++] = m[i];
	*v = m;
	*nv = k;
	return 0;
}

/* Does rule r cover every port (ICMP has none to restrict)? */
static bool rule_all_ports(const struct sl_net_rule *r)
{
	return r->all_ports || r->proto == SL_PROTO_ICMP;
}

static int add_range(struct sl_net_proto_set *ps, const struct sl_ip *net,
		     uint8_t prefix, const struct sl_net_rule *r)
{
	struct sl_net_range *v, *rg;

	v = reallocarray(ps->ranges, ps->nranges + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	ps->ranges = v;
	rg = &v[ps->nranges];
	memset(rg, 0, sizeof(*rg));
	rg->net = *net;
	rg->prefix = prefix;
	rg->all_ports = rule_all_ports(r);
	ps->nranges++;
	if (!rg->all_ports)
		return ports_merge(&rg->ports, &rg->nports, r->ports,
				   r->nports);
	return 0;
}

static int add_rule(struct sl_net_set *s, const struct sl_net_rule *r,
		    const struct sl_net_hosts *hosts)
{
	struct sl_net_proto_set *ps;

	if (r->proto < SL_PROTO_TCP || r->proto > SL_PROTO_ICMP)
		return -EINVAL;
	ps = &s->proto[r->proto - 1];
	switch (r->kind) {
	case SL_TARGET_ANY:
		if (rule_all_ports(r)) {
			ps->any_all = true;
			return 0;
		}
		return ports_merge(&ps->any_ports, &ps->nany_ports, r->ports,
				   r->nports);
	case SL_TARGET_CIDR: {
		struct sl_ip net;

		if (r->family != AF_INET && r->family != AF_INET6)
			return -EINVAL;
		/* Kept as written: a ::ffff:0:0/96 rule must still match the
		 * mapped addresses that canonicalize to IPv4 (see match). */
		memset(&net, 0, sizeof(net));
		net.family = r->family;
		memcpy(net.addr, r->addr, sizeof(net.addr));
		return add_range(ps, &net, r->prefix, r);
	}
	case SL_TARGET_HOST: {
		const struct sl_net_host *h = sl_net_hosts_find(hosts, r->host);

		if (!h)
			return -ENOENT;
		for (uint32_t i = 0; i < h->naddrs; i++) {
			int rc = add_range(
				ps, &h->addrs[i],
				h->addrs[i].family == AF_INET ? 32 : 128, r);
			if (rc < 0)
				return rc;
		}
		return 0;
	}
	default:
		return -EINVAL;
	}
}

int sl_net_set_build(struct sl_net_set *s, const struct sl_net_rules *rules,
		     const struct sl_net_hosts *hosts)
{
	memset(s, 0, sizeof(*s));
	for (uint32_t i = 0; i < rules->n; i++) {
		int r = add_rule(s, &rules->v[i], hosts);

		if (r < 0) {
			sl_net_set_free(s);
			return r;
		}
	}
	return 0;
}

void sl_net_set_free(struct sl_net_set *s)
{
	for (int p = 0; p < SL_NET_NPROTO; p++) {
		struct sl_net_proto_set *ps = &s->proto[p];

		for (uint32_t i = 0; i < ps->nranges; i++)
			free(ps->ranges[i].ports);
		free(ps->ranges);
		free(ps->any_ports);
	}
	memset(s, 0, sizeof(*s));
}

/* A CIDR written in IPv4-mapped IPv6 form (::ffff:a.b.c.d/96+n) covers the
 * IPv4 addresses it maps. */
static bool range_covers(const struct sl_net_range *rg, const struct sl_ip *ip)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (sl_ip_in_net(ip, rg->net.family, rg->net.addr, rg->prefix))
		return true;
	if (ip->family == AF_INET && rg->net.family == AF_INET6 &&
	    rg->prefix >= 96 && memcmp(rg->net.addr, mapped, 12) == 0)
		return sl_ip_in_net(ip, AF_INET, rg->net.addr + 12,
				    (uint8_t)(rg->prefix - 96));
	return false;
}

bool sl_net_set_match(const struct sl_net_set *s, int proto,
		      const struct sl_ip *ip, uint16_t port)
{
	const struct sl_net_proto_set *ps;
	bool any_port = proto == SL_PROTO_ICMP;

	if (proto < SL_PROTO_TCP || proto > SL_PROTO_ICMP)
		return false;
	ps = &s->proto[proto - 1];
	if (ps->any_all)
		return true;
	if (ports_have(ps->any_ports, ps->nany_ports, port) ||
	    (any_port && ps->nany_ports))
		return true;
	for (uint32_t i = 0; i < ps->nranges; i++) {
		const struct sl_net_range *rg = &ps->ranges[i];

		if (range_covers(rg, ip) &&
		    (rg->all_ports || any_port ||
		     ports_have(rg->ports, rg->nports, port)))
			return true;
	}
	return false;
}

int sl_net_policy_build(struct sl_net_policy *np, const struct sl_policy *p,
			const struct sl_net_hosts *hosts)
{
	int r;

	memset(np, 0, sizeof(*np));
	np->deny_mode = p->deny_rules.n > 0;
	r = sl_net_set_build(&np->allow, &p->allow_rules, hosts);
	if (r == 0)
		r = sl_net_set_build(&np->deny, &p->deny_rules, hosts);
	if (r < 0)
		sl_net_policy_free(np);
	return r;
}

void sl_net_policy_free(struct sl_net_policy *np)
{
	sl_net_set_free(&np->allow);
	sl_net_set_free(&np->deny);
}

bool sl_net_policy_allows(const struct sl_net_policy *np, int proto,
			  const struct sl_ip *ip, uint16_t port)
{
	if (proto < SL_PROTO_TCP || proto > SL_PROTO_ICMP)
		return false;
	if (np->deny_mode)
		return !sl_net_set_match(&np->deny, proto, ip, port);
	return sl_net_set_match(&np->allow, proto, ip, port);
}

int sl_net_proto_of(int so_protocol)
{
	switch (so_protocol) {
	case IPPROTO_TCP:
		return SL_PROTO_TCP;
	case IPPROTO_UDP:
		return SL_PROTO_UDP;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return SL_PROTO_ICMP;
	default:
		return 0;
	}
}
