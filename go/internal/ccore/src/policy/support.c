/*
 * Settings that exist in the ABI but whose runtime is not implemented yet.
 * A policy using one is refused at build time with "<feature> is not
 * supported yet", never silently run without it. When a feature lands,
 * delete its row.
 */
#include "policy/policy.h"

#include <string.h>

#include "util/cleanup.h"

static bool uses_http(const struct sl_policy *p)
{
	return p->http_allow.n || p->http_deny.n || p->http_ports.n ||
	       p->http_ca || p->http_key || p->http_inject_ca.n ||
	       p->http_ca_out;
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

/* settings: the `sandlock run` flags (without "--") that set the
 * feature, space-separated, so that the tool marks and refuses exactly
 * these (tests check them against the flag table and the predicates). */
static const struct {
	const char *feature;
	bool (*used)(const struct sl_policy *p);
	const char *settings;
} unsupported[] = {
	{ "HTTP ACL proxy", uses_http,
	  "http-allow http-deny http-port http-ca http-key http-inject-ca "
	  "http-ca-out" },
	{ "chroot", uses_chroot, "chroot fs-mount" },
	{ "random_seed", uses_random_seed, "random-seed" },
	{ "time_start", uses_time_start, "time-start" },
	{ "deterministic_dirs", uses_deterministic_dirs, "deterministic-dirs" },
	{ "num_cpus", uses_num_cpus, "num-cpus" },
};

const char *sl_policy_unsupported_feature(const struct sl_policy *p)
{
	for (size_t i = 0; p && i < SL_ARRAY_SIZE(unsupported); i++)
		if (unsupported[i].used(p))
			return unsupported[i].feature;
	return NULL;
}

static bool names_setting(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *w = list; *w;) {
		size_t len = strcspn(w, " ");

		if (len == n && strncmp(w, name, n) == 0)
			return true;
		w += len;
		w += strspn(w, " ");
	}
	return false;
}

const char *sl_policy_setting_unsupported(const char *setting)
{
	for (size_t i = 0; setting && i < SL_ARRAY_SIZE(unsupported); i++)
		if (names_setting(unsupported[i].settings, setting))
			return unsupported[i].feature;
	return NULL;
}
