/* HTTP proxy settings (docs/behaviour.md 0 items 7-10, 6.1). Credentials and
 * --http-auth live in the CLI, which validates them itself. */
#include "policy/build.h"

#include <errno.h>

#include "policy/httprule.h"

static int check_rules(const struct sl_strv *rules, struct sl_error *e)
{
	for (size_t i = 0; i < rules->n; i++) {
		struct sl_http_rule rule;
		int r = sl_http_rule_parse(rules->v[i], &rule, e);

		if (r < 0)
			return r;
		sl_http_rule_free(&rule);
	}
	return 0;
}

int sl_build_http(const struct sl_policy *p, struct sl_error *e)
{
	bool has_rules = p->http_allow.n || p->http_deny.n;
	int r;

	if (!p->http_ca != !p->http_key)
		return sl_err(e, EINVAL,
			      "--http-ca and --http-key must both be provided "
			      "together");
	if (p->http_inject_ca.n && !has_rules)
		return sl_err(e, EINVAL,
			      "--http-inject-ca requires at least one "
			      "--http-allow or --http-deny rule");
	if (p->http_ca_out && !p->http_ca && !p->http_inject_ca.n)
		return sl_err(e, EINVAL,
			      "--http-ca-out requires --http-ca or "
			      "--http-inject-ca");
	r = check_rules(&p->http_allow, e);
	if (r == 0)
		r = check_rules(&p->http_deny, e);
	return r;
}
