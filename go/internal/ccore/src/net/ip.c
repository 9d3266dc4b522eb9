#include "net/ip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

static const uint8_t v4_mapped_prefix[12] = { 0, 0, 0, 0, 0,	0,
					      0, 0, 0, 0, 0xff, 0xff };

void sl_ip_set(struct sl_ip *ip, int family, const void *bytes)
{
	memset(ip, 0, sizeof(*ip));
	if (family == AF_INET6 &&
	    memcmp(bytes, v4_mapped_prefix, sizeof(v4_mapped_prefix)) == 0) {
		ip->family = AF_INET;
		memcpy(ip->addr, (const uint8_t *)bytes + 12, 4);
		return;
	}
	ip->family = (uint8_t)family;
	memcpy(ip->addr, bytes, family == AF_INET ? 4 : 16);
}

int sl_ip_from_sockaddr(const struct sockaddr *sa, socklen_t len,
			struct sl_ip *ip, uint16_t *port)
{
	if (len < (socklen_t)sizeof(sa_family_t))
		return -EINVAL;
	switch (sa->sa_family) {
	case AF_INET: {
		struct sockaddr_in in;

		if (len < (socklen_t)sizeof(in))
			return -EINVAL;
		memcpy(&in, sa, sizeof(in));
		sl_ip_set(ip, AF_INET, &in.sin_addr);
		*port = ntohs(in.sin_port);
		return 0;
	}
	case AF_INET6: {
		struct sockaddr_in6 in6;

		/* The kernel accepts the old 24-byte form without scope id. */
		if (len <
		    (socklen_t)offsetof(struct sockaddr_in6, sin6_scope_id))
			return -EINVAL;
		memset(&in6, 0, sizeof(in6));
		memcpy(&in6, sa, len < sizeof(in6) ? len : sizeof(in6));
		sl_ip_set(ip, AF_INET6, &in6.sin6_addr);
		*port = ntohs(in6.sin6_port);
		return 0;
	}
	default:
		return -EAFNOSUPPORT;
	}
}

bool sl_ip_in_net(const struct sl_ip *ip, int family, const uint8_t *net,
		  uint8_t prefix)
{
	unsigned full = prefix / 8, rest = prefix % 8;

	if (ip->family != family || prefix > (family == AF_INET ? 32 : 128))
		return false;
	if (memcmp(ip->addr, net, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		if ((ip->addr[full] & mask) != (net[full] & mask))
			return false;
	}
	return true;
}

bool sl_ip_equal(const struct sl_ip *a, const struct sl_ip *b)
{
	return a->family == b->family &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

bool sl_ip_is_loopback(const struct sl_ip *ip)
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };

	if (ip->family == AF_INET)
		return ip->addr[0] == 127;
	return ip->family == AF_INET6 &&
	       memcmp(ip->addr, v6_loopback, sizeof(v6_loopback)) == 0;
}

void sl_ip_format(const struct sl_ip *ip, char buf[SL_IP_STRLEN])
{
	if (!inet_ntop(ip->family, ip->addr, buf, SL_IP_STRLEN))
		strcpy(buf, "?");
}

int sl_sockaddr_port(const struct sockaddr *sa, socklen_t len, uint16_t *port)
{
	struct sl_ip ip;

	return sl_ip_from_sockaddr(sa, len, &ip, port);
}

int sl_sockaddr_set_port(struct sockaddr *sa, socklen_t len, uint16_t port)
{
	uint16_t be = htons(port);

	if (sa->sa_family == AF_INET &&
	    len >= (socklen_t)sizeof(struct sockaddr_in)) {
		memcpy((char *)sa + offsetof(struct sockaddr_in, sin_port), &be,
		       sizeof(be));
		return 0;
	}
	if (sa->sa_family == AF_INET6 &&
	    len >= (socklen_t)offsetof(struct sockaddr_in6, sin6_scope_id)) {
		memcpy((char *)sa + offsetof(struct sockaddr_in6, sin6_port),
		       &be, sizeof(be));
		return 0;
	}
	return -EAFNOSUPPORT;
}
