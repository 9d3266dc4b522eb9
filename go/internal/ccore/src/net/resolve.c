#include "net/resolve.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

bool sl_net_rules_have_hosts(const struct sl_net_rules *rules)
{
	for (uint32_t i = 0; i < rules->n; i++)
		if (rules->v[i].kind == SL_TARGET_HOST)
			return true;
	return false;
}

const struct sl_net_host *sl_net_hosts_find(const struct sl_net_hosts *hs,
					    const char *name)
{
	for (uint32_t i = 0; i < hs->n; i++)
		if (strcmp(hs->v[i].name, name) == 0)
			return &hs->v[i];
	return NULL;
}

void sl_net_hosts_free(struct sl_net_hosts *hs)
{
	for (uint32_t i = 0; i < hs->n; i++) {
		free(hs->v[i].name);
		free(hs->v[i].addrs);
	}
	free(hs->v);
	hs->v = NULL;
	hs->n = 0;
}

static void freeaddrinfop(struct addrinfo **ai)
{
	if (*ai)
		freeaddrinfo(*ai);
}

/* Append ip to h unless already present. */
static int host_add_addr(struct sl_net_host *h, const struct sl_ip *ip)
{
	struct sl_ip *v;

	for (uint32_t i = 0; i < h->naddrs; i++)
		if (sl_ip_equal(&h->addrs[i], ip))
			return 0;
	v = reallocarray(h->addrs, h->naddrs + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	h->addrs = v;
	h->addrs[h->naddrs++] = *ip;
	return 0;
}

static int resolve_one(const char *name, struct sl_net_host *h,
		       struct sl_error *e)
{
	_cleanup_(freeaddrinfop) struct addrinfo *res = NULL;
	/* One socket type, or every address comes back once per type. */
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM };
	int r;

	r = getaddrinfo(name, NULL, &hints, &res);
	if (r != 0)
		return sl_err(e, EHOSTUNREACH,
			      "failed to resolve host '%s': %s", name,
			      r == EAI_SYSTEM ? strerror(errno) :
						gai_strerror(r));
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		struct sl_ip ip;
		uint16_t port;

		if (sl_ip_from_sockaddr(ai->ai_addr, ai->ai_addrlen, &ip,
					&port) < 0)
			continue;
		r = host_add_addr(h, &ip);
		if (r < 0)
			return sl_err(e, -r, "out of memory");
	}
	if (h->naddrs == 0)
		return sl_err(e, EHOSTUNREACH,
			      "failed to resolve host '%s': no address", name);
	return 0;
}

int sl_net_resolve(const struct sl_net_rules *rules, struct sl_net_hosts *out,
		   struct sl_error *e)
{
	struct sl_net_hosts hs = { 0 };
	int r = 0;

	for (uint32_t i = 0; i < rules->n && r == 0; i++) {
		const struct sl_net_rule *rule = &rules->v[i];
		struct sl_net_host *v;

		if (rule->kind != SL_TARGET_HOST ||
		    sl_net_hosts_find(&hs, rule->host))
			continue;
		v = reallocarray(hs.v, hs.n + 1, sizeof(*v));
		if (!v) {
			r = sl_err(e, ENOMEM, "out of memory");
			break;
		}
		hs.v = v;
		memset(&hs.v[hs.n], 0, sizeof(hs.v[hs.n]));
		hs.v[hs.n].name = strdup(rule->host);
		if (!hs.v[hs.n].name) {
			r = sl_err(e, ENOMEM, "out of memory");
			break;
		}
		hs.n++;
		r = resolve_one(rule->host, &hs.v[hs.n - 1], e);
	}
	if (r < 0) {
		sl_net_hosts_free(&hs);
		return r;
	}
	*out = hs;
	return 0;
}
