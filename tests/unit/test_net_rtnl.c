/* The rtnetlink the sandbox sees (net/rtnl.c, docs/behaviour.md 8.5). */
#include <linux/if_arp.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "harness.h"
#include "net/rtnl.h"

#define PORTID 4242

/* A request datagram: up to four messages of type/flags/family. */
struct req {
	uint64_t buf[256];
	size_t len;
};

static void add(struct req *r, uint16_t type, uint16_t flags, uint8_t family,
		uint32_t seq)
{
	struct nlmsghdr *h = (struct nlmsghdr *)((uint8_t *)r->buf + r->len);
	struct ifinfomsg *ifi = NLMSG_DATA(h);

	memset(h, 0, NLMSG_LENGTH(sizeof(*ifi)));
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = seq;
	ifi->ifi_family = family;
	r->len += NLMSG_ALIGN(h->nlmsg_len);
}

static const struct nlmsghdr *reply(const struct sl_rtnl_out *o, unsigned i)
{
	const struct nlmsghdr *h =
		(const struct nlmsghdr *)(o->buf + o->off[i]);

	/* Each datagram holds exactly one message. */
	if (i >= o->n || h->nlmsg_len != (uint32_t)(o->off[i + 1] - o->off[i]))
		return NULL;
	return h;
}

static int error_of(const struct nlmsghdr *h)
{
	return h && h->nlmsg_type == NLMSG_ERROR ?
		       ((const struct nlmsgerr *)NLMSG_DATA(h))->error :
		       1;
}

/* The string of attribute type in a message whose payload header has
 * hdrlen bytes, or NULL. */
static const struct rtattr *find_attr(const struct nlmsghdr *h, size_t hdrlen,
				      unsigned short type)
{
	const struct rtattr *a =
		(const struct rtattr *)((const uint8_t *)NLMSG_DATA(h) +
					NLMSG_ALIGN(hdrlen));
	int len = (int)(h->nlmsg_len - NLMSG_LENGTH(hdrlen));

	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == type)
			return a;
	return NULL;
}

static struct sl_rtnl_out out;

TEST(link_dump_is_lo_then_done)
{
	struct req r = { 0 };
	const struct nlmsghdr *h;
	const struct ifinfomsg *ifi;
	const struct rtattr *a;

	add(&r, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, AF_PACKET, 7);
	sl_rtnl_answer((uint8_t *)r.buf, r.len, PORTID, &out);
	CHECK_EQ_INT(out.n, 2);
	h = reply(&out, 0);
	CHECK(h);
	CHECK_EQ_INT(h->nlmsg_type, RTM_NEWLINK);
	CHECK_EQ_INT(h->nlmsg_flags, NLM_F_MULTI);
	CHECK_EQ_INT(h->nlmsg_seq, 7);
	CHECK_EQ_INT(h->nlmsg_pid, PORTID);
	ifi = NLMSG_DATA(h);
	CHECK_EQ_INT(ifi->ifi_index, 1);
	CHECK_EQ_INT(ifi->ifi_type, ARPHRD_LOOPBACK);
	CHECK_EQ_INT(ifi->ifi_flags, IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
	a = find_attr(h, sizeof(*ifi), IFLA_IFNAME);
	CHECK(a);
	CHECK_STR((const char *)RTA_DATA(a), "lo");
	a = find_attr(h, sizeof(*ifi), IFLA_MTU);
	CHECK(a && *(const uint32_t *)RTA_DATA(a) == 65536);
	a = find_attr(h, sizeof(*ifi), IFLA_ADDRESS);
	CHECK(a && RTA_PAYLOAD(a) == 6);
	h = reply(&out, 1);
	CHECK(h);
	CHECK_EQ_INT(h->nlmsg_type, NLMSG_DONE);
	CHECK_EQ_INT(h->nlmsg_flags, NLM_F_MULTI);
	CHECK_EQ_INT(h->nlmsg_seq, 7);
}

TEST(address_dump_by_family)
{
	static const struct {
		uint8_t family;
		unsigned replies;
	} cases[] = { { AF_UNSPEC, 3 },
		      { AF_PACKET, 3 },
		      { AF_INET, 2 },
		      { AF_INET6, 2 } };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct req r = { 0 };
		const struct nlmsghdr *h;
		const struct ifaddrmsg *ifa;

		add(&r, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP,
		    cases[i].family, 1);
		sl_rtnl_answer((uint8_t *)r.buf, r.len, PORTID, &out);
		CHECK_EQ_INT(out.n, cases[i].replies);
		for (unsigned k = 0; k + 1 < out.n; k++) {
			h = reply(&out, k);
			CHECK(h && h->nlmsg_type == RTM_NEWADDR);
			ifa = NLMSG_DATA(h);
			CHECK_EQ_INT(ifa->ifa_index, 1);
			CHECK_EQ_INT(ifa->ifa_scope, RT_SCOPE_HOST);
			CHECK(cases[i].family != AF_INET ||
			      ifa->ifa_family == AF_INET);
			CHECK(cases[i].family != AF_INET6 ||
			      ifa->ifa_family == AF_INET6);
			CHECK_EQ_INT(ifa->ifa_prefixlen,
				     ifa->ifa_family == AF_INET ? 8 : 128);
			CHECK(find_attr(h, sizeof(*ifa), IFA_ADDRESS));
		}
		h = reply(&out, out.n - 1);
		CHECK(h && h->nlmsg_type == NLMSG_DONE);
	}
}

TEST(changes_are_refused_and_other_gets_unsupported)
{
	static const struct {
		uint16_t type;
		int err;
	} cases[] = {
		{ RTM_NEWADDR, -EPERM },       { RTM_DELADDR, -EPERM },
		{ RTM_NEWLINK, -EPERM },       { RTM_SETLINK, -EPERM },
		{ RTM_NEWROUTE, -EPERM },      { RTM_DELROUTE, -EPERM },
		{ RTM_NEWNEIGH, -EPERM },      { RTM_GETROUTE, -EOPNOTSUPP },
		{ RTM_GETNEIGH, -EOPNOTSUPP }, { RTM_MAX + 1, -EOPNOTSUPP },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct req r = { 0 };
		const struct nlmsghdr *h;

		add(&r, cases[i].type,
		    NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_DUMP,
		    AF_INET, 9);
		sl_rtnl_answer((uint8_t *)r.buf, r.len, PORTID, &out);
		CHECK_EQ_INT(out.n, 1);
		h = reply(&out, 0);
		CHECK_EQ_INT(error_of(h), cases[i].err);
		CHECK_EQ_INT(h->nlmsg_seq, 9);
		CHECK_EQ_INT(
			((const struct nlmsgerr *)NLMSG_DATA(h))->msg.nlmsg_type,
			cases[i].type);
	}
}

TEST(get_one_link)
{
	struct req r = { 0 };
	const struct nlmsghdr *h;

	add(&r, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, AF_UNSPEC, 3);
	((struct ifinfomsg *)NLMSG_DATA((struct nlmsghdr *)r.buf))->ifi_index =
		1;
	sl_rtnl_answer((uint8_t *)r.buf, r.len, PORTID, &out);
	CHECK_EQ_INT(out.n, 2);
	h = reply(&out, 0);
	CHECK(h && h->nlmsg_type == RTM_NEWLINK && h->nlmsg_flags == 0);
	CHECK_EQ_INT(error_of(reply(&out, 1)), 0);
	((struct ifinfomsg *)NLMSG_DATA((struct nlmsghdr *)r.buf))->ifi_index =
		2;
	sl_rtnl_answer((uint8_t *)r.buf, r.len, PORTID, &out);
	CHECK_EQ_INT(out.n, 1);
	CHECK_EQ_INT(error_of(reply(&out, 0)), -ENODEV);
}

TEST(several_requests_in_one_datagram_and_malformed_ones)
{
	struct req r = { 0 };
	struct nlmsghdr *h;

	add(&r, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, AF_UNSPEC, 1);
	add(&r, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, AF_INET, 2);
	add(&r, NLMSG_NOOP, NLM_F_REQUEST, 0, 3);
	sl_rtnl_answer((uint8_t *)r.buf, r.len, PORTID, &out);
	CHECK_EQ_INT(out.n, 4);
	CHECK_EQ_INT(reply(&out, 3)->nlmsg_seq, 2);
	/* A length past the datagram ends it; so does a short header. */
	h = (struct nlmsghdr *)r.buf;
	h->nlmsg_len = (uint32_t)r.len + 4;
	sl_rtnl_answer((uint8_t *)r.buf, r.len, PORTID, &out);
	CHECK_EQ_INT(out.n, 0);
	h->nlmsg_len = 8;
	sl_rtnl_answer((uint8_t *)r.buf, r.len, PORTID, &out);
	CHECK_EQ_INT(out.n, 0);
	sl_rtnl_answer((uint8_t *)r.buf, 10, PORTID, &out);
	CHECK_EQ_INT(out.n, 0);
}

TEST(replies_stay_bounded)
{
	struct req r = { 0 };

	/* More requests than are answered: the replies still fit. */
	for (int i = 0; i < 40; i++)
		add(&r, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK,
		    AF_UNSPEC, (uint32_t)i);
	CHECK(r.len <= sizeof(r.buf));
	sl_rtnl_answer((uint8_t *)r.buf, r.len, PORTID, &out);
	CHECK_EQ_INT(out.n, SL_RTNL_MAX_REQUESTS * 3);
	for (unsigned i = 0; i < out.n; i++)
		CHECK(reply(&out, i));
}
