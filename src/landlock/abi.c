/* Landlock ABI probe (docs/behaviour.md 3.5), cached for the process lifetime. */
#include "landlock/landlock.h"

#include <errno.h>
#include <stdatomic.h>
#include <unistd.h>

#include "landlock/landlock_uapi.h"

/* 0 = not probed yet; the probe is idempotent, so a race only repeats it. */
static atomic_int cached_abi;
static atomic_int cached_errno;

static void probe(void)
{
	long v = syscall(__NR_landlock_create_ruleset, NULL, 0,
			 LANDLOCK_CREATE_RULESET_VERSION);

	if (v >= 1) {
		atomic_store(&cached_errno, 0);
		atomic_store(&cached_abi, (int)v);
	} else {
		atomic_store(&cached_errno, v < 0 && errno ? errno : ENOSYS);
		atomic_store(&cached_abi, -1);
	}
}

int sl_landlock_abi(void)
{
	if (atomic_load(&cached_abi) == 0)
		probe();
	return atomic_load(&cached_abi);
}

int sl_landlock_probe_errno(void)
{
	if (atomic_load(&cached_abi) == 0)
		probe();
	return atomic_load(&cached_errno);
}
