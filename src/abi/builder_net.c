/* Builder setters for the network and the HTTP proxy (docs/abi.md 3.5, 3.6).
 * Specs and rules are stored as given and parsed by sl_policy_build(). */
#include "abi/builder.h"

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_net_allow(sandlock_builder_t *b, const char *spec)
{
	if (!b || !spec)
		return b;
	return sl_builder_push(b, &b->policy->net_allow, spec);
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_net_deny(sandlock_builder_t *b, const char *spec)
{
	if (!b || !spec)
		return b;
	return sl_builder_push(b, &b->policy->net_deny, spec);
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_net_allow_bind(sandlock_builder_t *b, const char *spec)
{
	if (!b || !spec)
		return b;
	return sl_builder_push(b, &b->policy->net_allow_bind, spec);
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_net_deny_bind(sandlock_builder_t *b, const char *spec)
{
	if (!b || !spec)
		return b;
	return sl_builder_push(b, &b->policy->net_deny_bind, spec);
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_port_remap(sandlock_builder_t *b, bool v)
{
	if (!b)
		return NULL;
	b->policy->port_remap = v;
	return b;
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_http_allow(sandlock_builder_t *b, const char *rule)
{
	if (!b || !rule)
		return b;
	return sl_builder_push(b, &b->policy->http_allow, rule);
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_http_deny(sandlock_builder_t *b, const char *rule)
{
	if (!b || !rule)
		return b;
	return sl_builder_push(b, &b->policy->http_deny, rule);
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_http_port(sandlock_builder_t *b, uint16_t port)
{
	if (!b)
		return NULL;
	return sl_builder_note(b, sl_u32v_push(&b->policy->http_ports, port));
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_http_ca(sandlock_builder_t *b, const char *path)
{
	if (!b || !path)
		return b;
	return sl_builder_set_str(b, &b->policy->http_ca, path);
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_http_key(sandlock_builder_t *b, const char *path)
{
	if (!b || !path)
		return b;
	return sl_builder_set_str(b, &b->policy->http_key, path);
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_http_inject_ca(sandlock_builder_t *b, const char *path)
{
	if (!b || !path)
		return b;
	return sl_builder_push(b, &b->policy->http_inject_ca, path);
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_http_ca_out(sandlock_builder_t *b, const char *path)
{
	if (!b || !path)
		return b;
	return sl_builder_set_str(b, &b->policy->http_ca_out, path);
}
