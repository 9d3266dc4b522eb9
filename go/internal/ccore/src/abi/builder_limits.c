/* Builder setters for resource limits (docs/abi.md 3.4). Ranges are checked by
 * sl_policy_build(), not here. */
#include "abi/builder.h"

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_max_memory(sandlock_builder_t *b, uint64_t bytes)
{
	if (!b)
		return NULL;
	b->policy->max_memory = bytes;
	b->policy->has_max_memory = true;
	return b;
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_max_disk(sandlock_builder_t *b, uint64_t bytes)
{
	if (!b)
		return NULL;
	b->policy->max_disk = bytes;
	b->policy->has_max_disk = true;
	return b;
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_max_processes(sandlock_builder_t *b, uint32_t n)
{
	if (!b)
		return NULL;
	b->policy->max_processes = n;
	return b;
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_max_open_files(sandlock_builder_t *b, unsigned int n)
{
	if (!b)
		return NULL;
	b->policy->max_open_files = n;
	b->policy->has_max_open_files = true;
	return b;
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_max_cpu(sandlock_builder_t *b, uint8_t pct)
{
	if (!b)
		return NULL;
	b->policy->max_cpu = pct;
	b->policy->has_max_cpu = true;
	return b;
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_num_cpus(sandlock_builder_t *b, uint32_t n)
{
	if (!b)
		return NULL;
	b->policy->num_cpus = n;
	b->policy->has_num_cpus = true;
	return b;
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_cpu_cores(sandlock_builder_t *b, const uint32_t *cores,
				   uint32_t len)
{
	if (!b || (!cores && len > 0))
		return b;
	return sl_builder_set_u32s(b, &b->policy->cpu_cores,
				   &b->policy->has_cpu_cores, cores, len);
}

/* len == 0 grants every GPU: an empty list with has_gpu_devices set. */
SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_gpu_devices(sandlock_builder_t *b,
				     const uint32_t *devices, uint32_t len)
{
	if (!b || (!devices && len > 0))
		return b;
	return sl_builder_set_u32s(b, &b->policy->gpu_devices,
				   &b->policy->has_gpu_devices, devices, len);
}
