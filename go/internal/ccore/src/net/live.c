#include "net/live.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int ipv_push(struct sl_ipv *v, const struct sl_ip *ip)
{
	if (sl_ipv_has(v, ip))
		return 0;
	if (v->n == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 8;
		struct sl_ip *n = realloc(v->v, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		v->v = n;
		v->cap = cap;
	}
	v->v[v->n++] = *ip;
	return 0;
}

bool sl_ipv_has(const struct sl_ipv *v, const struct sl_ip *ip)
{
	for (size_t i = 0; i < v->n; i++)
		if (sl_ip_equal(&v->v[i], ip))
			return true;
	return false;
}

void sl_ipv_free(struct sl_ipv *v)
{
	free(v->v);
	memset(v, 0, sizeof(*v));
}

int sl_ipv_parse(const char *const *ips, size_t n, struct sl_ipv *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; ips && i < n; i++) {
		uint8_t raw[16];
		struct sl_ip ip;
		int r;

		if (!ips[i])
			continue;
		if (inet_pton(AF_INET, ips[i], raw) == 1)
			sl_ip_set(&ip, AF_INET, raw);
		else if (inet_pton(AF_INET6, ips[i], raw) == 1)
			sl_ip_set(&ip, AF_INET6, raw);
		else
			continue; /* docs/abi.md 3.12: unparsable entries skipped */
		r = ipv_push(out, &ip);
		if (r < 0) {
			sl_ipv_free(out);
			return r;
		}
	}
	return 0;
}

int sl_net_live_init(struct sl_net_live *l, const struct sl_net_policy *np)
{
	memset(l, 0, sizeof(*l));
	for (int p = 0; p < SL_NET_NPROTO; p++) {
		const struct sl_net_proto_set *ps = &np->allow.proto[p];

		for (uint32_t i = 0; i < ps->nranges; i++) {
			const struct sl_net_range *rg = &ps->ranges[i];
			int r;

			if (rg->prefix !=
			    (rg->net.family == AF_INET ? 32 : 128))
				continue;
			r = ipv_push(&l->ceiling, &rg->net);
			if (r < 0) {
				sl_net_live_free(l);
				return r;
			}
		}
	}
	return 0;
}

void sl_net_live_free(struct sl_net_live *l)
{
	sl_ipv_free(&l->ceiling);
	sl_ipv_free(&l->ips);
	for (size_t i = 0; i < l->npids; i++)
		sl_ipv_free(&l->pids[i].ips);
	free(l->pids);
	memset(l, 0, sizeof(*l));
}

int sl_net_live_restrict(struct sl_net_live *l, struct sl_ipv *ips)
{
	sl_ipv_free(&l->ips);
	l->ips = *ips;
	memset(ips, 0, sizeof(*ips));
	l->set = true;
	l->restricted = true;
	return 0;
}

int sl_net_live_grant(struct sl_net_live *l, const struct sl_ipv *ips)
{
	if (l->restricted)
		return 0; /* docs/abi.md 3.12: ignored after a restriction */
	for (size_t i = 0; i < ips->n; i++) {
		int r;

		if (!sl_ipv_has(&l->ceiling, &ips->v[i]))
			continue;
		r = ipv_push(&l->ips, &ips->v[i]);
		if (r < 0)
			return r;
		l->set = true;
	}
	return 0;
}

static struct sl_net_live_pid *pid_entry(const struct sl_net_live *l, pid_t pid)
{
	for (size_t i = 0; i < l->npids; i++)
		if (l->pids[i].pid == pid)
			return &l->pids[i];
	return NULL;
}

int sl_net_live_restrict_pid(struct sl_net_live *l, pid_t pid,
			     struct sl_ipv *ips)
{
	struct sl_net_live_pid *e = pid_entry(l, pid);

	if (!e) {
		struct sl_net_live_pid *v =
			realloc(l->pids, (l->npids + 1) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->pids = v;
		e = &l->pids[l->npids++];
		e->pid = pid;
		memset(&e->ips, 0, sizeof(e->ips));
	}
	sl_ipv_free(&e->ips);
	e->ips = *ips;
	memset(ips, 0, sizeof(*ips));
	return 0;
}

void sl_net_live_drop_pid(struct sl_net_live *l, pid_t pid)
{
	struct sl_net_live_pid *e = pid_entry(l, pid);

	if (!e)
		return;
	sl_ipv_free(&e->ips);
	*e = l->pids[--l->npids];
}

bool sl_net_live_allows(const struct sl_net_live *l, pid_t pid,
			const struct sl_ip *ip)
{
	const struct sl_net_live_pid *e = pid_entry(l, pid);

	if (l->set && !sl_ipv_has(&l->ips, ip))
		return false;
	return !e || sl_ipv_has(&e->ips, ip);
}

bool sl_net_live_active(const struct sl_net_live *l)
{
	return l->set || l->npids > 0;
}
