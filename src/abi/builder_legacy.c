/*
 * Names from earlier headers (docs/abi.md 4.3), kept as real functions because
 * their signatures differ from the current setters they map to.
 */
#include "abi/builder.h"

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_net_allow_bind_port(sandlock_builder_t *b,
					     uint16_t port)
{
	if (!b)
		return NULL;
	return sl_builder_push_port(b, &b->policy->net_allow_bind, port);
}

/* The first Go SDK's name for the same thing. */
SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_net_bind_port(sandlock_builder_t *b, uint16_t port)
{
	return sandlock_sandbox_builder_net_allow_bind_port(b, port);
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_net_deny_bind_port(sandlock_builder_t *b,
					    uint16_t port)
{
	if (!b)
		return NULL;
	return sl_builder_push_port(b, &b->policy->net_deny_bind, port);
}

/* The old call mapped both ids to the one it was given. */
SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_uid(sandlock_builder_t *b, uint32_t id)
{
	return sandlock_sandbox_builder_user(b, id, id);
}
