/*
 * Settings that exist in the ABI but whose runtime is not implemented yet.
 * A policy using one is refused at build time with "<feature> is not
 * supported yet", never silently run without it. When a feature lands,
 * delete its row.
 */
#include "policy/policy.h"

#include "util/cleanup.h"

static bool uses_http(const struct sl_policy *p)
{
	return p->http_allow.n || p->http_deny.n || p->http_ports.n ||
	       p->http_ca || p->http_key || p->http_inject_ca.n ||
	       p->http_ca_out;
}

/* on_exit/on_error alone are harmless: they only act on a COW layer.
 * Everything but the interception of the child's file calls exists
 * (src/cow/, docs/cow.md): this row goes when the supervisor stages them,
 * together with handing each run's branch to it. */
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
