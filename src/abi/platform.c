/* Platform queries (docs/abi.md 3.22, 3.23). */
#include <errno.h>
#include <string.h>

#include "abi/export.h"
#include "abi/lasterr.h"
#include "landlock/landlock.h"
#include "policy/policy.h"
#include "util/utf8.h"

/* With every protection strict (the default) the kernel needs the ABI of
 * the newest one: signal and abstract-socket scoping (docs/behaviour.md 3.6). */
#define SL_MIN_LANDLOCK_ABI 6

SL_EXPORT int sandlock_landlock_abi_version(void)
{
	return sl_landlock_abi();
}

SL_EXPORT int sandlock_min_landlock_abi(void)
{
	return SL_MIN_LANDLOCK_ABI;
}

SL_EXPORT uint32_t sandlock_protection_min_abi(uint32_t protection)
{
	return sl_protection_min_abi(protection);
}

SL_EXPORT int64_t sandlock_syscall_nr(const char *name)
{
	int64_t nr;

	sl_abi_reset();
	if (!name || !sl_utf8_valid(name, strlen(name)))
		return sl_abi_bad_arg("syscall name");
	nr = sl_syscall_nr(name);
	if (nr < 0)
		sl_abi_fail(EINVAL, "unknown syscall \"%s\"", name);
	return nr;
}
