#include "net/rtnl.h"

#include <errno.h>
#include <stdbool.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#define LO_INDEX 1

/* One reply datagram being written at the end of out. */
struct msg {
	struct sl_rtnl_out *out;
	struct nlmsghdr *h;
};

static void *room(struct msg *m, size_t len)
{
	struct sl_rtnl_out *o = m->out;
	size_t at = o->off[o->n] + m->h->nlmsg_len;
	size_t aligned = NLMSG_ALIGN(len);
	void *p;

	/* The caps are sized for the worst case (rtnl.h); this never
	 * truncates a reply, it only keeps a bug from overflowing. */
	if (at + aligned > sizeof(o->buf))
		return NULL;
	p = o->buf + at;
	memset(p, 0, aligned);
	m->h->nlmsg_len += (uint32_t)aligned;
	return p;
}

static int begin(struct msg *m, struct sl_rtnl_out *out,
		 const struct nlmsghdr *req, uint16_t type, uint16_t flags,
		 uint32_t portid)
{
	size_t at = out->off[out->n];

	if (out->n >= SL_RTNL_MAX_REPLIES ||
	    at + NLMSG_HDRLEN > sizeof(out->buf))
		return -ENOBUFS;
	m->out = out;
	m->h = (struct nlmsghdr *)(out->buf + at);
	memset(m->h, 0, NLMSG_HDRLEN);
	m->h->nlmsg_len = NLMSG_HDRLEN;
	m->h->nlmsg_type = type;
	m->h->nlmsg_flags = flags;
	m->h->nlmsg_seq = req->nlmsg_seq;
	m->h->nlmsg_pid = portid;
	return 0;
}

static void end(struct msg *m)
{
	struct sl_rtnl_out *o = m->out;

	o->off[o->n + 1] = (uint16_t)(o->off[o->n] + m->h->nlmsg_len);
	o->n++;
}

static void attr(struct msg *m, uint16_t type, const void *data, size_t len)
{
	struct rtattr *a = room(m, RTA_LENGTH(len));

	if (!a)
		return;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	a->rta_type = type;
	memcpy(RTA_DATA(a), data, len);
}

static void attr_u32(struct msg *m, uint16_t type, uint32_t v)
{
	attr(m, type, &v, sizeof(v));
}

static void error(struct sl_rtnl_out *out, const struct nlmsghdr *req, int err,
		  uint32_t portid)
{
	struct nlmsgerr *e;
	struct msg m;

	if (begin(&m, out, req, NLMSG_ERROR, err ? NLM_F_CAPPED : 0, portid) <
	    0)
		return;
	e = room(&m, sizeof(*e));
	if (e) {
		e->error = -err;
		e->msg = *req;
	}
	end(&m);
}

static void done(struct sl_rtnl_out *out, const struct nlmsghdr *req,
		 uint32_t portid)
{
	struct msg m;
	int32_t *status;

	if (begin(&m, out, req, NLMSG_DONE, NLM_F_MULTI, portid) < 0)
		return;
	status = room(&m, sizeof(*status));
	if (status)
		*status = 0;
	end(&m);
}

static void link_lo(struct sl_rtnl_out *out, const struct nlmsghdr *req,
		    uint16_t flags, uint32_t portid)
{
	static const uint8_t zero_mac[6];
	struct ifinfomsg *ifi;
	struct msg m;

	if (begin(&m, out, req, RTM_NEWLINK, flags, portid) < 0)
		return;
	ifi = room(&m, sizeof(*ifi));
	if (ifi) {
		ifi->ifi_family = AF_UNSPEC;
		ifi->ifi_type = ARPHRD_LOOPBACK;
		ifi->ifi_index = LO_INDEX;
		ifi->ifi_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
	}
	attr(&m, IFLA_IFNAME, "lo", 3);
	attr_u32(&m, IFLA_MTU, 65536);
	attr_u32(&m, IFLA_TXQLEN, 1000);
	attr(&m, IFLA_ADDRESS, zero_mac, sizeof(zero_mac));
	attr(&m, IFLA_BROADCAST, zero_mac, sizeof(zero_mac));
	end(&m);
}

static void addr_lo(struct sl_rtnl_out *out, const struct nlmsghdr *req,
		    int family, uint32_t portid)
{
	static const uint8_t v4[4] = { 127, 0, 0, 1 };
	static const uint8_t v6[16] = { [15] = 1 };
	struct ifaddrmsg *ifa;
	struct msg m;

	if (begin(&m, out, req, RTM_NEWADDR, NLM_F_MULTI, portid) < 0)
		return;
	ifa = room(&m, sizeof(*ifa));
	if (ifa) {
		ifa->ifa_family = (uint8_t)family;
		ifa->ifa_prefixlen = family == AF_INET ? 8 : 128;
		ifa->ifa_flags = IFA_F_PERMANENT;
		ifa->ifa_scope = RT_SCOPE_HOST;
		ifa->ifa_index = LO_INDEX;
	}
	/* As the kernel: IPv4 names the local address twice (address and
	 * peer), IPv6 once. */
	if (family == AF_INET) {
		attr(&m, IFA_ADDRESS, v4, sizeof(v4));
		attr(&m, IFA_LOCAL, v4, sizeof(v4));
		attr(&m, IFA_LABEL, "lo", 3);
	} else {
		attr(&m, IFA_ADDRESS, v6, sizeof(v6));
	}
	end(&m);
}

/* The family a request asks about: its first payload byte (rtgenmsg,
 * ifinfomsg and ifaddrmsg all start with it), AF_UNSPEC when absent. */
static int family_of(const struct nlmsghdr *h)
{
	return h->nlmsg_len > NLMSG_HDRLEN ? *(const uint8_t *)NLMSG_DATA(h) :
					     AF_UNSPEC;
}

/* A get of one link names lo by index or by IFLA_IFNAME. */
static bool names_lo(const struct nlmsghdr *h)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	const struct rtattr *a;
	int len;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return false;
	if (ifi->ifi_index)
		return ifi->ifi_index == LO_INDEX;
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi)));
	for (a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFLA_IFNAME)
			return RTA_PAYLOAD(a) >= 2 &&
			       strncmp(RTA_DATA(a), "lo", RTA_PAYLOAD(a)) == 0;
	return false;
}

static void answer_one(const struct nlmsghdr *h, uint32_t portid,
		       struct sl_rtnl_out *out)
{
	bool dump = h->nlmsg_flags & NLM_F_DUMP;
	bool ack = h->nlmsg_flags & NLM_F_ACK;
	int family;

	/* Control messages and replies are not requests (the kernel
	 * acknowledges them when asked to). */
	if (h->nlmsg_type < RTM_BASE || !(h->nlmsg_flags & NLM_F_REQUEST)) {
		if (ack)
			error(out, h, 0, portid);
		return;
	}
	if (h->nlmsg_type > RTM_MAX) {
		error(out, h, EOPNOTSUPP, portid);
		return;
	}
	if ((h->nlmsg_type - RTM_BASE) % 4 != 2) {
		/* new, del or set: the sandbox changes nothing */
		error(out, h, EPERM, portid);
		return;
	}
	switch (h->nlmsg_type) {
	case RTM_GETLINK:
		if (dump) {
			link_lo(out, h, NLM_F_MULTI, portid);
			done(out, h, portid);
			return;
		}
		if (!names_lo(h)) {
			error(out, h, ENODEV, portid);
			return;
		}
		link_lo(out, h, 0, portid);
		break;
	case RTM_GETADDR:
		if (!dump) {
			error(out, h, EOPNOTSUPP, portid);
			return;
		}
		family = family_of(h);
		if (family != AF_INET6)
			addr_lo(out, h, AF_INET, portid);
		if (family != AF_INET)
			addr_lo(out, h, AF_INET6, portid);
		done(out, h, portid);
		return;
	default:
		error(out, h, EOPNOTSUPP, portid);
		return;
	}
	if (ack)
		error(out, h, 0, portid);
}

void sl_rtnl_answer(const uint8_t *req, size_t len, uint32_t portid,
		    struct sl_rtnl_out *out)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)req;
	unsigned count = 0;

	out->n = 0;
	out->off[0] = 0;
	/* A malformed header ends the datagram, as in the kernel. */
	for (size_t left = len;
	     count < SL_RTNL_MAX_REQUESTS && left >= NLMSG_HDRLEN &&
	     h->nlmsg_len >= NLMSG_HDRLEN && h->nlmsg_len <= left;
	     count++) {
		size_t step = NLMSG_ALIGN(h->nlmsg_len);

		answer_one(h, portid, out);
		if (step >= left)
			break;
		left -= step;
		h = (const struct nlmsghdr *)((const uint8_t *)h + step);
	}
}
