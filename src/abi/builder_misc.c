/* Builder setters for determinism, environment, the syscall filter,
 * identity and the Landlock protection posture (docs/abi.md 3.7-3.11). */
#include "abi/builder.h"

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_random_seed(sandlock_builder_t *b, uint64_t seed)
{
	if (!b)
		return NULL;
	b->policy->random_seed = seed;
	b->policy->has_random_seed = true;
	return b;
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_time_start(sandlock_builder_t *b, uint64_t epoch_secs)
{
	if (!b)
		return NULL;
	b->policy->time_start = epoch_secs;
	b->policy->has_time_start = true;
	return b;
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_no_randomize_memory(sandlock_builder_t *b, bool v)
{
	if (!b)
		return NULL;
	b->policy->no_randomize_memory = v;
	return b;
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_no_huge_pages(sandlock_builder_t *b, bool v)
{
	if (!b)
		return NULL;
	b->policy->no_huge_pages = v;
	return b;
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_deterministic_dirs(sandlock_builder_t *b, bool v)
{
	if (!b)
		return NULL;
	b->policy->deterministic_dirs = v;
	return b;
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_clean_env(sandlock_builder_t *b, bool v)
{
	if (!b)
		return NULL;
	b->policy->clean_env = v;
	return b;
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_env_var(sandlock_builder_t *b, const char *key,
				 const char *value)
{
	if (!b || !key || !value)
		return b;
	return sl_builder_note(b, sl_policy_set_env(b->policy, key, value));
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_extra_deny_syscalls(sandlock_builder_t *b,
					     const char *names)
{
	if (!b || !names)
		return b;
	return sl_builder_push(b, &b->policy->extra_deny_syscalls, names);
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_extra_allow_syscalls(sandlock_builder_t *b,
					      const char *names)
{
	if (!b || !names)
		return b;
	return sl_builder_push(b, &b->policy->extra_allow_syscalls, names);
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_user(sandlock_builder_t *b, uint32_t uid, uint32_t gid)
{
	if (!b)
		return NULL;
	b->policy->uid = uid;
	b->policy->gid = gid;
	b->policy->has_user = true;
	return b;
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_no_coredump(sandlock_builder_t *b, bool v)
{
	if (!b)
		return NULL;
	b->policy->no_coredump = v;
	return b;
}

/* Unknown protection values are ignored (docs/abi.md 3.11); disabling REFER is
 * stored and rejected by the build, where the caller gets a message. */
static sandlock_builder_t *set_protection(sandlock_builder_t *b, uint32_t prot,
					  enum sl_prot_state state)
{
	if (b && prot < SL_NPROT)
		b->policy->protection[prot] = (uint8_t)state;
	return b;
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_allow_degraded(sandlock_builder_t *b,
					uint32_t protection)
{
	return set_protection(b, protection, SL_PROT_DEGRADED);
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_disable(sandlock_builder_t *b, uint32_t protection)
{
	return set_protection(b, protection, SL_PROT_DISABLED);
}
