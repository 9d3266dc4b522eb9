/* Network rule grammar (docs/behaviour.md 5.1): parsing, errors, rendering. */
#include <arpa/inet.h>
#include <sys/socket.h>

#include "harness.h"
#include "lib/rules.h"

static const struct {
	const char *spec;
	const char *rendered; /* every rule produced, space-separated */
} valid[] = {
	{ "api.openai.com:443",
	  "tcp://api.openai.com:443 udp://api.openai.com:443" },
	{ "github.com:22,443",
	  "tcp://github.com:22,443 udp://github.com:22,443" },
	{ ":8080", "tcp://*:8080 udp://*:8080" },
	{ "*:8080", "tcp://*:8080 udp://*:8080" },
	{ "10.0.0.0/8:443", "tcp://10.0.0.0/8:443 udp://10.0.0.0/8:443" },
	{ "[2606:4700::/32]:443",
	  "tcp://[2606:4700::/32]:443 udp://[2606:4700::/32]:443" },
	{ "[::1]:443", "tcp://[::1]:443 udp://[::1]:443" },
	{ "::1", "tcp://::1 udp://::1" },
	{ "1.2.3.4", "tcp://1.2.3.4 udp://1.2.3.4" },
	{ "udp://1.1.1.1:53", "udp://1.1.1.1:53" },
	{ "tcp://:443", "tcp://*:443" },
	{ "icmp://github.com", "icmp://github.com" },
	{ "*", "tcp://* udp://*" },
	{ ":*", "tcp://* udp://*" },
	{ "*:*", "tcp://* udp://*" },
	{ "udp://*", "udp://*" },
	{ "udp://*:*", "udp://*" },
	{ "icmp://*", "icmp://*" },
	{ "icmp://10.0.0.0/8", "icmp://10.0.0.0/8" },
	{ "icmp://::1", "icmp://::1" },
	{ "icmp://1.2.3.4/32", "icmp://1.2.3.4" },
	{ "example.com", "tcp://example.com udp://example.com" },
	{ "example.com:*", "tcp://example.com udp://example.com" },
	{ "tcp://10.1.2.3/8", "tcp://10.0.0.0/8" },
	{ "tcp://1.2.3.4/32:80", "tcp://1.2.3.4:80" },
	{ "tcp://[::1/128]:80", "tcp://[::1]:80" },
	{ "tcp://host:443,80,443", "tcp://host:80,443" },
	{ "tcp://host: 80 , 443 ", "tcp://host:80,443" },
	{ "  tcp://*:22  ", "tcp://*:22" },
	{ "tcp://0.0.0.0/0", "tcp://0.0.0.0/0" },
	{ "tcp://[::/0]:53", "tcp://[::/0]:53" },
	{ "tcp://2001:db8::/32", "tcp://2001:db8::/32" },
	{ "tcp://::ffff:1.2.3.4", "tcp://::ffff:1.2.3.4" },
	{ "tcp://localhost:65535", "tcp://localhost:65535" },
	{ "tcp://a-b.c9.example:1", "tcp://a-b.c9.example:1" },
};

static const struct {
	const char *spec;
	const char *error; /* fragment of the message */
} invalid[] = {
	{ "", "empty target" },
	{ "   ", "empty target" },
	{ "tcp://", "empty target" },
	{ "icmp://", "empty target" },
	{ "TCP://host:80", "unknown scheme 'TCP'" },
	{ "http://host", "unknown scheme 'http'" },
	{ "://host", "unknown scheme ''" },
	{ "[::1]", "needs ':ports'" },
	{ "[::1", "missing ']'" },
	{ "[::1]80", "expected ':' after ']'" },
	{ "[1.2.3.4]:80", "is not an IPv6 address" },
	{ "[host]:80", "is not an IPv6 address" },
	{ "[::1]:", "empty port list" },
	{ "host:0", "'0' is not a port number" },
	{ "host:65536", "'65536' is not a port number" },
	{ "host:-1", "is not a port number" },
	{ "host:abc", "'abc' is not a port number" },
	{ "host:80,*", "'*' cannot be mixed" },
	{ "host:*,80", "'*' cannot be mixed" },
	{ "host:", "empty port list" },
	{ "host: ", "empty port list" },
	{ "host:80,,443", "empty port in list" },
	{ "host:80,", "empty port in list" },
	{ "10.0.0.0/33", "prefix length larger than 32" },
	{ "::/129", "prefix length larger than 128" },
	{ "[::/129]:80", "is not an IPv6 address" },
	{ "10.0.0.0/8x", "not a valid CIDR" },
	{ "10.0.0/8", "not a valid CIDR" },
	{ "foo/8", "not a valid CIDR" },
	{ "10.0.0.0/:80", "not a valid CIDR" },
	{ "icmp://host:80", "icmp rule takes no port" },
	{ "icmp://*:*", "icmp rule takes no port" },
	{ "icmp://10.0.0.0/40", "prefix length larger than 32" },
	{ "*.example.com", "wildcard host names are not supported" },
	{ "*.example.com:443", "wildcard host names are not supported" },
	{ "2001:db8::1/64:443", "must be bracketed" },
	{ "fe80::1%eth0", "must be bracketed" },
	{ "-bad.example", "not a valid IP address, CIDR or host name" },
	{ "bad-.example", "not a valid IP address, CIDR or host name" },
	{ "a..b", "not a valid IP address, CIDR or host name" },
	{ "example.com.", "not a valid IP address, CIDR or host name" },
	{ "1.2.3", "not a valid IP address, CIDR or host name" },
	{ "256.1.1.1:80", "not a valid IP address, CIDR or host name" },
	{ "under_score.com", "not a valid IP address, CIDR or host name" },
	{ "sp ace:80", "not a valid IP address, CIDR or host name" },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
	  "not a valid IP address, CIDR or host name" },
};

TEST(valid_specs_render_canonically)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		struct sl_net_rules rs = { 0 };
		struct sl_error e = { 0 };
		char *got;
		int r = sl_net_rule_parse(valid[i].spec, true, &rs, &e);

		if (r != 0)
			FAIL("'%s' rejected: %s", valid[i].spec, e.msg);
		got = render_rules(&rs, 0);
		if (!got || strcmp(got, valid[i].rendered) != 0)
			FAIL("'%s' rendered '%s', expected '%s'", valid[i].spec,
			     got ? got : "(null)", valid[i].rendered);
		free(got);
		sl_net_rules_free(&rs);
		sl_error_clear(&e);
	}
}

TEST(rendered_rules_parse_back_to_the_same_rule)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		struct sl_net_rules rs = { 0 };

		CHECK_EQ_INT(sl_net_rule_parse(valid[i].spec, true, &rs, NULL),
			     0);
		for (uint32_t k = 0; k < rs.n; k++) {
			struct sl_net_rules again = { 0 };
			char *once = sl_net_rule_render(&rs.v[k]), *twice;

			CHECK(once != NULL);
			CHECK_EQ_INT(
				sl_net_rule_parse(once, true, &again, NULL), 0);
			CHECK_EQ_INT(again.n, 1);
			twice = sl_net_rule_render(&again.v[0]);
			CHECK_STR(twice, once);
			CHECK_EQ_INT(again.v[0].proto, rs.v[k].proto);
			CHECK_EQ_INT(again.v[0].kind, rs.v[k].kind);
			CHECK_EQ_INT(again.v[0].nports, rs.v[k].nports);
			free(once);
			free(twice);
			sl_net_rules_free(&again);
		}
		sl_net_rules_free(&rs);
	}
}

TEST(invalid_specs_fail_with_reason_and_add_nothing)
{
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct sl_net_rules rs = { 0 };
		struct sl_error e = { 0 };
		int r;

		/* A rule already present must survive a failed parse. */
		CHECK_EQ_INT(sl_net_rule_parse("tcp://*:1", true, &rs, NULL),
			     0);
		r = sl_net_rule_parse(invalid[i].spec, true, &rs, &e);
		if (r != -EINVAL)
			FAIL("'%s' accepted (r=%d)", invalid[i].spec, r);
		CHECK_EQ_INT(e.code, EINVAL);
		CHECK_CONTAINS(e.msg, "invalid network rule");
		if (!strstr(e.msg, invalid[i].error))
			FAIL("'%s': message '%s' lacks '%s'", invalid[i].spec,
			     e.msg, invalid[i].error);
		CHECK_EQ_INT(rs.n, 1);
		sl_net_rules_free(&rs);
		sl_error_clear(&e);
	}
}

TEST(null_spec_is_an_error)
{
	struct sl_net_rules rs = { 0 };
	struct sl_error e = { 0 };

	CHECK_EQ_INT(sl_net_rule_parse(NULL, true, &rs, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "empty");
	CHECK_EQ_INT(rs.n, 0);
	sl_error_clear(&e);
}

TEST(deny_side_rejects_host_names_only)
{
	static const char *const ok[] = { "*",		":443",
					  "10.0.0.0/8", "udp://1.1.1.1:53",
					  "icmp://::1", "[::1]:22" };
	struct sl_net_rules rs = { 0 };
	struct sl_error e = { 0 };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		CHECK_EQ_INT(sl_net_rule_parse(ok[i], false, &rs, NULL), 0);
	sl_net_rules_free(&rs);
	CHECK_EQ_INT(sl_net_rule_parse("example.com:443", false, &rs, &e),
		     -EINVAL);
	CHECK_CONTAINS(e.msg, "--net-deny does not accept host names");
	CHECK_CONTAINS(e.msg, "--http-deny");
	CHECK_EQ_INT(rs.n, 0);
	sl_error_clear(&e);
	CHECK_EQ_INT(sl_net_rule_parse("icmp://example.com", false, &rs, &e),
		     -EINVAL);
	CHECK_CONTAINS(e.msg, "--net-deny does not accept host names");
	sl_error_clear(&e);
}

TEST(parsed_fields)
{
	struct sl_net_rules rs = { 0 };
	uint8_t want[4];

	CHECK_EQ_INT(sl_net_rule_parse("10.1.2.3/8:443,80", true, &rs, NULL),
		     0);
	CHECK_EQ_INT(rs.n, 2);
	CHECK_EQ_INT(rs.v[0].proto, SL_PROTO_TCP);
	CHECK_EQ_INT(rs.v[1].proto, SL_PROTO_UDP);
	for (int i = 0; i < 2; i++) {
		CHECK_EQ_INT(rs.v[i].kind, SL_TARGET_CIDR);
		CHECK_EQ_INT(rs.v[i].family, AF_INET);
		CHECK_EQ_INT(rs.v[i].prefix, 8);
		CHECK(inet_pton(AF_INET, "10.0.0.0", want) == 1);
		CHECK(memcmp(rs.v[i].addr, want, 4) == 0);
		CHECK(!rs.v[i].all_ports);
		CHECK_EQ_INT(rs.v[i].nports, 2);
		CHECK_EQ_INT(rs.v[i].ports[0], 80);
		CHECK_EQ_INT(rs.v[i].ports[1], 443);
		CHECK(rs.v[i].host == NULL);
	}
	/* Each rule owns its own port array. */
	CHECK(rs.v[0].ports != rs.v[1].ports);
	sl_net_rules_free(&rs);

	CHECK_EQ_INT(sl_net_rule_parse("icmp://example.com", true, &rs, NULL),
		     0);
	CHECK_EQ_INT(rs.n, 1);
	CHECK_EQ_INT(rs.v[0].proto, SL_PROTO_ICMP);
	CHECK_EQ_INT(rs.v[0].kind, SL_TARGET_HOST);
	CHECK_STR(rs.v[0].host, "example.com");
	CHECK(rs.v[0].all_ports);
	CHECK(rs.v[0].ports == NULL);
	sl_net_rules_free(&rs);

	CHECK_EQ_INT(sl_net_rule_parse("[2001:db8::1/32]:443", true, &rs, NULL),
		     0);
	CHECK_EQ_INT(rs.v[0].family, AF_INET6);
	CHECK_EQ_INT(rs.v[0].prefix, 32);
	{
		uint8_t want6[16];

		CHECK(inet_pton(AF_INET6, "2001:db8::", want6) == 1);
		CHECK(memcmp(rs.v[0].addr, want6, 16) == 0);
	}
	sl_net_rules_free(&rs);

	CHECK_EQ_INT(sl_net_rule_parse("*", true, &rs, NULL), 0);
	CHECK_EQ_INT(rs.v[0].kind, SL_TARGET_ANY);
	CHECK(rs.v[0].all_ports);
	sl_net_rules_free(&rs);
}

TEST(odd_prefix_clears_host_bits)
{
	struct sl_net_rules rs = { 0 };
	char *s;

	CHECK_EQ_INT(sl_net_rule_parse("tcp://192.168.255.255/20", true, &rs,
				       NULL),
		     0);
	s = sl_net_rule_render(&rs.v[0]);
	CHECK_STR(s, "tcp://192.168.240.0/20");
	free(s);
	sl_net_rules_free(&rs);
	CHECK_EQ_INT(sl_net_rule_parse("tcp://ffff:ffff::/17", true, &rs, NULL),
		     0);
	s = sl_net_rule_render(&rs.v[0]);
	CHECK_STR(s, "tcp://ffff:8000::/17");
	free(s);
	sl_net_rules_free(&rs);
}

TEST(rules_accumulate_across_calls)
{
	struct sl_net_rules rs = { 0 };
	char *s;

	for (int i = 0; i < 20; i++)
		CHECK_EQ_INT(sl_net_rule_parse("tcp://*:1", true, &rs, NULL),
			     0);
	CHECK_EQ_INT(sl_net_rule_parse("h:2", true, &rs, NULL), 0);
	CHECK_EQ_INT(rs.n, 22);
	s = render_rules(&rs, 20);
	CHECK_STR(s, "tcp://h:2 udp://h:2");
	free(s);
	sl_net_rules_free(&rs);
	CHECK_EQ_INT(rs.n, 0);
	CHECK(rs.v == NULL);
}

TEST(render_rejects_garbage_rule)
{
	struct sl_net_rule r = { 0 };

	CHECK(sl_net_rule_render(&r) == NULL); /* no protocol */
	r.proto = SL_PROTO_TCP;
	r.kind = SL_TARGET_CIDR;
	r.family = 0;
	CHECK(sl_net_rule_render(&r) == NULL); /* no family */
}
