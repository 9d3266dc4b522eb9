/* Destination matching of the resolved allow and deny lists (docs/behaviour.md 5.2). */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "harness.h"
#include "net/netset.h"

/* Parse specs (NULL-terminated) into a set; hosts may be NULL. */
static int build(struct sl_net_set *s, const char *const *specs,
		 bool allow_hosts, const struct sl_net_hosts *hosts)
{
	struct sl_net_rules rules = { 0 };
	struct sl_net_hosts none = { 0 };
	int r = 0;

	for (size_t i = 0; specs[i] && r == 0; i++)
		r = sl_net_rule_parse(specs[i], allow_hosts, &rules, NULL);
	if (r == 0)
		r = sl_net_set_build(s, &rules, hosts ? hosts : &none);
	sl_net_rules_free(&rules);
	return r;
}

static struct sl_ip ip_of(const char *text)
{
	struct sl_ip ip;
	uint8_t raw[16] = { 0 };

	if (inet_pton(AF_INET, text, raw) == 1)
		sl_ip_set(&ip, AF_INET, raw);
	else if (inet_pton(AF_INET6, text, raw) == 1)
		sl_ip_set(&ip, AF_INET6, raw);
	else
		abort();
	return ip;
}

static bool m(const struct sl_net_set *s, int proto, const char *ip,
	      uint16_t port)
{
	struct sl_ip a = ip_of(ip);

	return sl_net_set_match(s, proto, &a, port);
}

TEST(empty_set_matches_nothing)
{
	struct sl_net_set s;
	const char *specs[] = { NULL };

	CHECK_EQ_INT(build(&s, specs, true, NULL), 0);
	CHECK(!m(&s, SL_PROTO_TCP, "127.0.0.1", 80));
	CHECK(!m(&s, SL_PROTO_UDP, "::1", 53));
	CHECK(!m(&s, SL_PROTO_ICMP, "127.0.0.1", 0));
	sl_net_set_free(&s);
}

TEST(star_opens_tcp_and_udp_but_not_icmp)
{
	struct sl_net_set s;
	const char *specs[] = { "*", NULL };

	CHECK_EQ_INT(build(&s, specs, true, NULL), 0);
	CHECK(m(&s, SL_PROTO_TCP, "10.1.2.3", 1));
	CHECK(m(&s, SL_PROTO_UDP, "2001:db8::1", 65535));
	CHECK(!m(&s, SL_PROTO_ICMP, "10.1.2.3", 0));
	sl_net_set_free(&s);
}

TEST(any_ip_port_list)
{
	struct sl_net_set s;
	const char *specs[] = { ":8080", "tcp://*:443,8443", NULL };

	CHECK_EQ_INT(build(&s, specs, true, NULL), 0);
	CHECK(m(&s, SL_PROTO_TCP, "127.0.0.2", 8080));
	CHECK(m(&s, SL_PROTO_UDP, "127.0.0.2", 8080));
	CHECK(m(&s, SL_PROTO_TCP, "::1", 8443));
	CHECK(!m(&s, SL_PROTO_UDP, "::1", 8443));
	CHECK(!m(&s, SL_PROTO_TCP, "127.0.0.2", 8081));
	sl_net_set_free(&s);
}

TEST(ip_literal_with_and_without_ports)
{
	struct sl_net_set s;
	const char *specs[] = { "tcp://127.0.0.2:80,81", "udp://127.0.0.3",
				"[::1]:443", NULL };

	CHECK_EQ_INT(build(&s, specs, true, NULL), 0);
	CHECK(m(&s, SL_PROTO_TCP, "127.0.0.2", 80));
	CHECK(m(&s, SL_PROTO_TCP, "127.0.0.2", 81));
	CHECK(!m(&s, SL_PROTO_TCP, "127.0.0.2", 82));
	CHECK(!m(&s, SL_PROTO_TCP, "127.0.0.3", 80));
	CHECK(m(&s, SL_PROTO_UDP, "127.0.0.3", 9));
	CHECK(!m(&s, SL_PROTO_TCP, "127.0.0.3", 9));
	CHECK(m(&s, SL_PROTO_TCP, "::1", 443));
	CHECK(m(&s, SL_PROTO_UDP, "::1", 443));
	CHECK(!m(&s, SL_PROTO_TCP, "::1", 80));
	sl_net_set_free(&s);
}

TEST(cidr_containment)
{
	struct sl_net_set s;
	const char *specs[] = { "tcp://10.0.0.0/8:443", "tcp://192.168.1.0/25",
				"tcp://[2001:db8::/32]:22", NULL };

	CHECK_EQ_INT(build(&s, specs, true, NULL), 0);
	CHECK(m(&s, SL_PROTO_TCP, "10.255.255.255", 443));
	CHECK(!m(&s, SL_PROTO_TCP, "11.0.0.1", 443));
	CHECK(!m(&s, SL_PROTO_TCP, "10.0.0.1", 80));
	CHECK(m(&s, SL_PROTO_TCP, "192.168.1.127", 1));
	CHECK(!m(&s, SL_PROTO_TCP, "192.168.1.128", 1));
	CHECK(m(&s, SL_PROTO_TCP, "2001:db8:ffff::1", 22));
	CHECK(!m(&s, SL_PROTO_TCP, "2001:db9::1", 22));
	sl_net_set_free(&s);
}

TEST(ipv4_mapped_is_canonicalized)
{
	struct sl_net_set s;
	const char *specs[] = { "tcp://127.0.0.2:80",
				"tcp://[::ffff:10.0.0.0/104]:90", NULL };

	CHECK_EQ_INT(build(&s, specs, true, NULL), 0);
	/* A dual-stack socket reaching 127.0.0.2 through its mapped form. */
	CHECK(m(&s, SL_PROTO_TCP, "::ffff:127.0.0.2", 80));
	CHECK(!m(&s, SL_PROTO_TCP, "::ffff:127.0.0.3", 80));
	/* A rule written in mapped form covers the IPv4 addresses. */
	CHECK(m(&s, SL_PROTO_TCP, "10.9.9.9", 90));
	CHECK(m(&s, SL_PROTO_TCP, "::ffff:10.9.9.9", 90));
	CHECK(!m(&s, SL_PROTO_TCP, "11.0.0.1", 90));
	sl_net_set_free(&s);
}

TEST(families_never_cross_match)
{
	struct sl_net_set s;
	const char *specs[] = { "tcp://0.0.0.0/0", NULL };

	CHECK_EQ_INT(build(&s, specs, true, NULL), 0);
	CHECK(m(&s, SL_PROTO_TCP, "8.8.8.8", 53));
	CHECK(!m(&s, SL_PROTO_TCP, "::1", 53));
	CHECK(!m(&s, SL_PROTO_TCP, "2001:db8::1", 53));
	sl_net_set_free(&s);
}

TEST(icmp_ignores_ports)
{
	struct sl_net_set s;
	const char *specs[] = { "icmp://127.0.0.0/8", NULL };

	CHECK_EQ_INT(build(&s, specs, true, NULL), 0);
	CHECK(m(&s, SL_PROTO_ICMP, "127.0.0.9", 0));
	CHECK(m(&s, SL_PROTO_ICMP, "127.0.0.9", 1234));
	CHECK(!m(&s, SL_PROTO_ICMP, "10.0.0.1", 0));
	CHECK(!m(&s, SL_PROTO_TCP, "127.0.0.9", 80));
	sl_net_set_free(&s);
}

TEST(hosts_take_their_pinned_addresses)
{
	struct sl_net_set s;
	struct sl_ip addrs[2] = { ip_of("127.0.0.5"), ip_of("::1") };
	struct sl_net_host h = { .name = (char *)"svc.test",
				 .addrs = addrs,
				 .naddrs = 2 };
	struct sl_net_hosts hosts = { .v = &h, .n = 1 };
	const char *specs[] = { "svc.test:8000", NULL };

	CHECK_EQ_INT(build(&s, specs, true, &hosts), 0);
	CHECK(m(&s, SL_PROTO_TCP, "127.0.0.5", 8000));
	CHECK(m(&s, SL_PROTO_UDP, "::1", 8000));
	CHECK(!m(&s, SL_PROTO_TCP, "127.0.0.6", 8000));
	CHECK(!m(&s, SL_PROTO_TCP, "127.0.0.5", 8001));
	sl_net_set_free(&s);
}

TEST(unresolved_host_is_an_error)
{
	struct sl_net_set s;
	const char *specs[] = { "svc.test:8000", NULL };

	CHECK_EQ_INT(build(&s, specs, true, NULL), -ENOENT);
}

TEST(deny_list_semantics)
{
	struct sl_net_policy np = { 0 };
	struct sl_ip a;
	const char *specs[] = { "tcp://127.0.0.2", "udp://:53", NULL };

	np.deny_mode = true;
	CHECK_EQ_INT(build(&np.deny, specs, false, NULL), 0);
	a = ip_of("127.0.0.2");
	CHECK(!sl_net_policy_allows(&np, SL_PROTO_TCP, &a, 80));
	CHECK(sl_net_policy_allows(&np, SL_PROTO_UDP, &a, 80));
	CHECK(!sl_net_policy_allows(&np, SL_PROTO_UDP, &a, 53));
	a = ip_of("127.0.0.3");
	CHECK(sl_net_policy_allows(&np, SL_PROTO_TCP, &a, 80));
	/* A protocol without deny rules is unrestricted. */
	CHECK(sl_net_policy_allows(&np, SL_PROTO_ICMP, &a, 0));
	/* An unknown protocol is always refused. */
	CHECK(!sl_net_policy_allows(&np, 0, &a, 80));
	sl_net_policy_free(&np);
}

TEST(deny_all)
{
	struct sl_net_policy np = { 0 };
	struct sl_ip a = ip_of("::1");
	const char *specs[] = { "*", NULL };

	np.deny_mode = true;
	CHECK_EQ_INT(build(&np.deny, specs, false, NULL), 0);
	CHECK(!sl_net_policy_allows(&np, SL_PROTO_TCP, &a, 1));
	CHECK(!sl_net_policy_allows(&np, SL_PROTO_UDP, &a, 1));
	CHECK(sl_net_policy_allows(&np, SL_PROTO_ICMP, &a, 0));
	sl_net_policy_free(&np);
}

TEST(so_protocol_selects_rule_set)
{
	CHECK_EQ_INT(sl_net_proto_of(IPPROTO_TCP), SL_PROTO_TCP);
	CHECK_EQ_INT(sl_net_proto_of(IPPROTO_UDP), SL_PROTO_UDP);
	CHECK_EQ_INT(sl_net_proto_of(IPPROTO_ICMP), SL_PROTO_ICMP);
	CHECK_EQ_INT(sl_net_proto_of(IPPROTO_ICMPV6), SL_PROTO_ICMP);
	CHECK_EQ_INT(sl_net_proto_of(IPPROTO_SCTP), 0);
	CHECK_EQ_INT(sl_net_proto_of(IPPROTO_UDPLITE), 0);
}

TEST(sockaddr_canonical_form)
{
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6,
				    .sin6_port = htons(1234) };
	struct sockaddr_in in = { .sin_family = AF_INET,
				  .sin_port = htons(80) };
	struct sl_ip ip;
	uint16_t port = 0;
	char text[SL_IP_STRLEN];

	inet_pton(AF_INET6, "::ffff:127.0.0.9", &in6.sin6_addr);
	CHECK_EQ_INT(sl_ip_from_sockaddr((struct sockaddr *)&in6, sizeof(in6),
					 &ip, &port),
		     0);
	CHECK_EQ_INT(ip.family, AF_INET);
	CHECK_EQ_INT(port, 1234);
	sl_ip_format(&ip, text);
	CHECK_STR(text, "127.0.0.9");
	CHECK(sl_ip_is_loopback(&ip));
	/* The 24-byte form without scope id is valid, shorter is not. */
	CHECK_EQ_INT(sl_ip_from_sockaddr((struct sockaddr *)&in6, 24, &ip,
					 &port),
		     0);
	CHECK_EQ_INT(sl_ip_from_sockaddr((struct sockaddr *)&in6, 23, &ip,
					 &port),
		     -EINVAL);
	CHECK_EQ_INT(sl_ip_from_sockaddr((struct sockaddr *)&in, sizeof(in) - 1,
					 &ip, &port),
		     -EINVAL);
	CHECK_EQ_INT(sl_ip_from_sockaddr((struct sockaddr *)&in, 1, &ip, &port),
		     -EINVAL);
	in.sin_family = AF_UNIX;
	CHECK_EQ_INT(sl_ip_from_sockaddr((struct sockaddr *)&in, sizeof(in),
					 &ip, &port),
		     -EAFNOSUPPORT);
	in.sin_family = AF_INET;
	CHECK_EQ_INT(sl_sockaddr_set_port((struct sockaddr *)&in, sizeof(in),
					  4321),
		     0);
	CHECK_EQ_INT(ntohs(in.sin_port), 4321);
	CHECK_EQ_INT(sl_sockaddr_set_port((struct sockaddr *)&in6, 24, 99), 0);
	CHECK_EQ_INT(ntohs(in6.sin6_port), 99);
}

TEST(loopback_detection)
{
	struct sl_ip a = ip_of("127.255.0.1"), b = ip_of("::1"),
		     c = ip_of("::2"), d = ip_of("128.0.0.1");

	CHECK(sl_ip_is_loopback(&a));
	CHECK(sl_ip_is_loopback(&b));
	CHECK(!sl_ip_is_loopback(&c));
	CHECK(!sl_ip_is_loopback(&d));
}
