/*
 * Settings that exist in the ABI but whose runtime is not implemented yet.
 * A policy using one is refused at build time with "<feature> is not
 * supported yet", never silently run without it. When a feature lands,
 * delete its row.
 */
#include "policy/policy.h"

#include "util/cleanup.h"

/* Supported today: net_allow rules for TCP to any address (tcp, then
 * ":443", "*:80,443" or "*"), which Landlock alone enforces. A rule with
 * a host, address or CIDR target, or a UDP/ICMP rule (a scheme-less spec
 * is TCP and UDP), needs the destination policy in the supervisor. */
static bool uses_net_destinations(const struct sl_policy *p)
{
	bool needs = false;

	for (size_t i = 0; !needs && i < p->net_allow.n; i++) {
		struct sl_net_rules rs = { 0 };

		/* Unparsable specs fail validation first; stay closed. */
		if (sl_net_rule_parse(p->net_allow.v[i], true, &rs, NULL) < 0)
			needs = true;
		for (uint32_t k = 0; !needs && k < rs.n; k++)
			needs = rs.v[k].kind != SL_TARGET_ANY ||
				rs.v[k].proto != SL_PROTO_TCP;
		sl_net_rules_free(&rs);
	}
	return needs;
}

static bool uses_net_deny(const struct sl_policy *p)
{
	return p->net_deny.n > 0;
}

static bool uses_net_deny_bind(const struct sl_policy *p)
{
	return p->net_deny_bind.n > 0;
}

static bool uses_port_remap(const struct sl_policy *p)
{
	return p->port_remap;
}

static bool uses_http(const struct sl_policy *p)
{
	return p->http_allow.n || p->http_deny.n || p->http_ports.n ||
	       p->http_ca || p->http_key || p->http_inject_ca.n ||
	       p->http_ca_out;
}

/* on_exit/on_error alone are harmless: they only act on a COW layer. */
static bool uses_cow(const struct sl_policy *p)
{
	return p->workdir || p->fs_storage || p->has_max_disk;
}

static bool uses_chroot(const struct sl_policy *p)
{
	return p->chroot || p->nmounts > 0;
}

static bool uses_random_seed(const struct sl_policy *p)
{
	return p->has_random_seed;
}

static bool uses_time_start(const struct sl_policy *p)
{
	return p->has_time_start;
}

static bool uses_deterministic_dirs(const struct sl_policy *p)
{
	return p->deterministic_dirs;
}

static bool uses_num_cpus(const struct sl_policy *p)
{
	return p->has_num_cpus;
}

static bool uses_policy_fn(const struct sl_policy *p)
{
	return p->cb != NULL;
}

static const struct {
	const char *feature;
	bool (*used)(const struct sl_policy *p);
} unsupported[] = {
	{ "net_allow UDP/ICMP and host rules (network destination policy)",
	  uses_net_destinations },
	{ "net_deny", uses_net_deny },
	{ "net_deny_bind", uses_net_deny_bind },
	{ "port_remap", uses_port_remap },
	{ "HTTP ACL proxy", uses_http },
	{ "copy-on-write workdir", uses_cow },
	{ "chroot", uses_chroot },
	{ "random_seed", uses_random_seed },
	{ "time_start", uses_time_start },
	{ "deterministic_dirs", uses_deterministic_dirs },
	{ "num_cpus", uses_num_cpus },
	{ "policy_fn", uses_policy_fn },
};

const char *sl_policy_unsupported_feature(const struct sl_policy *p)
{
	for (size_t i = 0; p && i < SL_ARRAY_SIZE(unsupported); i++)
		if (unsupported[i].used(p))
			return unsupported[i].feature;
	return NULL;
}
