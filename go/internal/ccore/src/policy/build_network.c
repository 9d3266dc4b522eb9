/* Network settings (docs/behaviour.md 0 items 11-12, 5.1, 5.5). */
#include "policy/build.h"

#include <errno.h>

int sl_build_network(struct sl_policy *p, struct sl_error *e)
{
	int r;

	/* Checked on what the user gave, before any rule is added on the
	 * HTTP proxy's behalf. */
	if (p->net_allow.n && p->net_deny.n)
		return sl_err(e, EINVAL,
			      "--net-allow and --net-deny are mutually "
			      "exclusive");
	for (size_t i = 0; i < p->net_allow.n; i++) {
		r = sl_net_rule_parse(p->net_allow.v[i], true, &p->allow_rules,
				      e);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < p->net_deny.n; i++) {
		r = sl_net_rule_parse(p->net_deny.v[i], false, &p->deny_rules,
				      e);
		if (r < 0)
			return r;
	}

	if (p->net_allow_bind.n && p->net_deny_bind.n)
		return sl_err(e, EINVAL,
			      "--net-allow-bind and --net-deny-bind are "
			      "mutually exclusive");
	for (size_t i = 0; i < p->net_allow_bind.n; i++) {
		r = sl_ports_parse(p->net_allow_bind.v[i], true, &p->allow_bind,
				   e);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < p->net_deny_bind.n; i++) {
		r = sl_ports_parse(p->net_deny_bind.v[i], false, &p->deny_bind,
				   e);
		if (r < 0)
			return r;
	}
	p->has_allow_bind = p->net_allow_bind.n > 0;
	return 0;
}
