/* Bind port specs (docs/behaviour.md 5.5). */
#include "harness.h"
#include "policy/policy.h"

static const struct {
	const char *spec;
	uint32_t n;
	uint32_t first, last;
} valid[] = {
	{ "22", 1, 22, 22 },
	{ "22,8000-8002", 4, 22, 8002 },
	{ "80,80,22", 2, 22, 80 },
	{ " 80 , 443 ", 2, 80, 443 },
	{ "9000 - 9005", 6, 9000, 9005 },
	{ "1-1", 1, 1, 1 },
	{ "65535", 1, 65535, 65535 },
	{ "1-65535", 65535, 1, 65535 },
	{ "10-20,15-25", 16, 10, 25 },
};

static const struct {
	const char *spec;
	bool allow_star;
	const char *error;
} invalid[] = {
	{ "", true, "empty item" },
	{ " ", true, "empty item" },
	{ "80,", true, "empty item" },
	{ ",80", true, "empty item" },
	{ "80,,81", true, "empty item" },
	{ "0", true, "'0' is not a port number" },
	{ "65536", true, "'65536' is not a port number" },
	{ "99999999999999999999999", true, "is not a port number" },
	{ "abc", true, "'abc' is not a port number" },
	{ "+80", true, "'+80' is not a port number" },
	{ "10-5", true, "reversed range 10-5" },
	{ "1-", true, "'' is not a port number" },
	{ "-5", true, "'' is not a port number" },
	{ "1-2-3", true, "'2-3' is not a port number" },
	{ "0-5", true, "'0' is not a port number" },
	{ "80,*", true, "the wildcard '*' must stand alone" },
	{ "*,80", true, "the wildcard '*' must stand alone" },
	{ "*", false, "the wildcard '*' is only accepted by net_allow_bind" },
	{ "80,*", false, "the wildcard '*' must stand alone" },
};

TEST(valid_specs)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		struct sl_port_set ps = { 0 };
		struct sl_error e = { 0 };

		if (sl_ports_parse(valid[i].spec, false, &ps, &e) != 0)
			FAIL("'%s' rejected: %s", valid[i].spec, e.msg);
		CHECK(!ps.all);
		if (ps.ports.n != valid[i].n)
			FAIL("'%s': %zu ports, expected %u", valid[i].spec,
			     ps.ports.n, valid[i].n);
		CHECK_EQ_INT(ps.ports.v[0], valid[i].first);
		CHECK_EQ_INT(ps.ports.v[ps.ports.n - 1], valid[i].last);
		for (size_t k = 1; k < ps.ports.n; k++)
			CHECK(ps.ports.v[k - 1] < ps.ports.v[k]);
		sl_port_set_free(&ps);
	}
}

TEST(invalid_specs_leave_the_set_unchanged)
{
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct sl_port_set ps = { 0 };
		struct sl_error e = { 0 };
		int r;

		CHECK_EQ_INT(sl_ports_parse("7", false, &ps, NULL), 0);
		r = sl_ports_parse(invalid[i].spec, invalid[i].allow_star, &ps,
				   &e);
		if (r != -EINVAL)
			FAIL("'%s' accepted", invalid[i].spec);
		if (!strstr(e.msg, invalid[i].error))
			FAIL("'%s': message '%s' lacks '%s'", invalid[i].spec,
			     e.msg, invalid[i].error);
		CHECK_CONTAINS(e.msg, "invalid port spec");
		CHECK(!ps.all);
		CHECK_EQ_INT(ps.ports.n, 1);
		CHECK_EQ_INT(ps.ports.v[0], 7);
		sl_port_set_free(&ps);
		sl_error_clear(&e);
	}
}

TEST(repeated_specs_union_sorted_unique)
{
	struct sl_port_set ps = { 0 };

	CHECK_EQ_INT(sl_ports_parse("8080", false, &ps, NULL), 0);
	CHECK_EQ_INT(sl_ports_parse("22,8080", false, &ps, NULL), 0);
	CHECK_EQ_INT(sl_ports_parse("9000-9001", false, &ps, NULL), 0);
	CHECK_EQ_INT(ps.ports.n, 4);
	CHECK_EQ_INT(ps.ports.v[0], 22);
	CHECK_EQ_INT(ps.ports.v[1], 8080);
	CHECK_EQ_INT(ps.ports.v[2], 9000);
	CHECK_EQ_INT(ps.ports.v[3], 9001);
	sl_port_set_free(&ps);
	CHECK_EQ_INT(ps.ports.n, 0);
}

TEST(star_alone_and_repeatable_on_allow_side)
{
	struct sl_port_set ps = { 0 };
	struct sl_error e = { 0 };

	CHECK_EQ_INT(sl_ports_parse("*", true, &ps, NULL), 0);
	CHECK(ps.all);
	CHECK_EQ_INT(ps.ports.n, 0);
	CHECK_EQ_INT(sl_ports_parse(" * ", true, &ps, NULL), 0);
	CHECK(ps.all);
	/* Ports after "*" are refused, and so is "*" after ports. */
	CHECK_EQ_INT(sl_ports_parse("80", true, &ps, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "cannot be combined with the wildcard '*'");
	sl_error_clear(&e);
	sl_port_set_free(&ps);
	CHECK(!ps.all);
	CHECK_EQ_INT(sl_ports_parse("80", true, &ps, NULL), 0);
	CHECK_EQ_INT(sl_ports_parse("*", true, &ps, &e), -EINVAL);
	CHECK_CONTAINS(
		e.msg,
		"the wildcard '*' cannot be combined with specific ports");
	CHECK(!ps.all);
	sl_error_clear(&e);
	sl_port_set_free(&ps);
}

TEST(null_spec)
{
	struct sl_port_set ps = { 0 };
	struct sl_error e = { 0 };

	CHECK_EQ_INT(sl_ports_parse(NULL, true, &ps, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "empty port spec");
	sl_error_clear(&e);
}
