/*
 * What the environment the suite runs in refuses. make check-container
 * runs part of the suite under tests/helpers/container_seccomp, which
 * refuses what a container's default seccomp profile refuses without
 * CAP_SYS_PTRACE (util/hostperm.h); the tests that meet a difference
 * expect what the library does there.
 */
#ifndef SL_TEST_HOST_ENV_H
#define SL_TEST_HOST_ENV_H

#include <errno.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/hostperm.h"

/* pidfd_getfd is refused: the container mode of docs/containers.md. */
static inline bool he_restricted(void)
{
	return !sl_host_allows(SL_HOST_PIDFD_GETFD);
}

/* ptrace and kcmp are allowed: an exec can be decided on a sandbox held
 * still (policy callbacks, custom handlers on exec). */
static inline bool he_can_freeze(void)
{
	return sl_host_allows(SL_HOST_PTRACE | SL_HOST_KCMP);
}

/* clone3 is refused (ENOSYS before any filter of ours sees it). */
static inline bool he_clone3_refused(void)
{
	return syscall(SYS_clone3, NULL, 0) < 0 && errno == ENOSYS;
}

/* Without CAP_SYS_PTRACE no process may read the memory of a task that
 * changed its credentials (it is not dumpable until it execs). */
static inline bool he_has_sys_ptrace(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	return syscall(SYS_capget, &h, d) == 0 &&
	       (d[CAP_SYS_PTRACE / 32].effective >> (CAP_SYS_PTRACE % 32)) & 1;
}

#endif
