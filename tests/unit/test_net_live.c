/* The live network policy a policy callback changes (net/live.h). */
#include <arpa/inet.h>

#include "harness.h"
#include "net/live.h"

/* The ceiling of allow specs (NULL-terminated). */
static bool live_of(struct sl_net_live *l, const char *const *specs)
{
	struct sl_net_rules rules = { 0 };
	struct sl_net_policy np = { 0 };
	struct sl_net_hosts none = { 0 };
	int r = 0;

	for (size_t i = 0; specs[i] && r == 0; i++)
		r = sl_net_rule_parse(specs[i], true, &rules, NULL);
	if (r == 0)
		r = sl_net_set_build(&np.allow, &rules, &none);
	if (r == 0)
		r = sl_net_live_init(l, &np);
	sl_net_rules_free(&rules);
	sl_net_policy_free(&np);
	return r == 0;
}

static struct sl_ip ip(const char *text)
{
	struct sl_ip v;
	uint8_t raw[16] = { 0 };

	if (inet_pton(AF_INET, text, raw) == 1)
		sl_ip_set(&v, AF_INET, raw);
	else if (inet_pton(AF_INET6, text, raw) == 1)
		sl_ip_set(&v, AF_INET6, raw);
	else
		abort();
	return v;
}

static bool allows(const struct sl_net_live *l, pid_t pid, const char *text)
{
	struct sl_ip v = ip(text);

	return sl_net_live_allows(l, pid, &v);
}

static struct sl_ipv ips(const char *const *list, size_t n)
{
	struct sl_ipv v;

	if (sl_ipv_parse(list, n, &v) < 0)
		abort();
	return v;
}

TEST(the_ceiling_is_every_concrete_ip)
{
	static const char *const specs[] = { "tcp://10.0.0.1:80", "udp://::1",
					     "tcp://10.1.0.0/16", "*:443",
					     NULL };
	struct sl_net_live l;

	CHECK(live_of(&l, specs));
	CHECK_EQ_INT(l.ceiling.n, 2); /* the /16 and "*" are not concrete */
	/* nothing changed yet: only the static policy decides */
	CHECK(!sl_net_live_active(&l));
	CHECK(allows(&l, 1, "192.0.2.1"));
	sl_net_live_free(&l);
}

TEST(grants_stay_within_the_ceiling_and_narrow_until_then)
{
	static const char *const specs[] = { "10.0.0.1", "10.0.0.2", NULL };
	static const char *const g[] = { "10.0.0.2", "10.9.9.9", "junk" };
	struct sl_net_live l;
	struct sl_ipv v;

	CHECK(live_of(&l, specs));
	v = ips(g, 3);
	CHECK_EQ_INT(v.n, 2); /* "junk" skipped */
	CHECK(sl_net_live_grant(&l, &v) == 0);
	sl_ipv_free(&v);
	CHECK(sl_net_live_active(&l));
	CHECK(allows(&l, 1, "10.0.0.2"));
	CHECK(!allows(&l, 1, "10.0.0.1"));
	CHECK(!allows(&l, 1, "10.9.9.9"));
	sl_net_live_free(&l);
}

TEST(a_restriction_is_final_and_an_empty_one_denies_all)
{
	static const char *const specs[] = { "10.0.0.1", "10.0.0.2", NULL };
	static const char *const one[] = { "10.0.0.1" };
	static const char *const two[] = { "10.0.0.2" };
	struct sl_net_live l;
	struct sl_ipv v;

	CHECK(live_of(&l, specs));
	v = ips(one, 1);
	CHECK(sl_net_live_restrict(&l, &v) == 0);
	CHECK(v.n == 0); /* taken */
	CHECK(allows(&l, 1, "10.0.0.1") && !allows(&l, 1, "10.0.0.2"));
	v = ips(two, 1);
	CHECK(sl_net_live_grant(&l, &v) == 0); /* ignored */
	sl_ipv_free(&v);
	CHECK(!allows(&l, 1, "10.0.0.2"));
	v = ips(NULL, 0);
	CHECK(sl_net_live_restrict(&l, &v) == 0);
	CHECK(!allows(&l, 1, "10.0.0.1"));
	sl_net_live_free(&l);
}

TEST(a_process_set_narrows_the_global_one)
{
	static const char *const specs[] = { "10.0.0.1", "10.0.0.2", NULL };
	static const char *const two[] = { "10.0.0.2" };
	static const char *const one[] = { "10.0.0.1" };
	struct sl_net_live l;
	struct sl_ipv v;

	CHECK(live_of(&l, specs));
	v = ips(two, 1);
	CHECK(sl_net_live_restrict_pid(&l, 42, &v) == 0);
	CHECK(sl_net_live_active(&l));
	CHECK(allows(&l, 42, "10.0.0.2") && !allows(&l, 42, "10.0.0.1"));
	CHECK(allows(&l, 43, "10.0.0.1"));
	/* a global restriction applies to it too */
	v = ips(one, 1);
	CHECK(sl_net_live_restrict(&l, &v) == 0);
	CHECK(!allows(&l, 42, "10.0.0.2") && !allows(&l, 42, "10.0.0.1"));
	sl_net_live_drop_pid(&l, 42);
	CHECK(allows(&l, 42, "10.0.0.1"));
	sl_net_live_free(&l);
}
