/* What the environment refuses (hostenv.h). */
#include "lib/hostenv.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

bool he_restricted(void)
{
	return !sl_host_allows(SL_HOST_PIDFD_GETFD);
}

bool he_can_freeze(void)
{
	return sl_host_allows(SL_HOST_PTRACE | SL_HOST_KCMP);
}

bool he_clone3_refused(void)
{
	return syscall(SYS_clone3, NULL, 0) < 0 && errno == ENOSYS;
}

bool he_has_sys_ptrace(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	return syscall(SYS_capget, &h, d) == 0 &&
	       (d[CAP_SYS_PTRACE / 32].effective >> (CAP_SYS_PTRACE % 32)) & 1;
}
