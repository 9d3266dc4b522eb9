/*
 * What the environment the suite runs in refuses. make check-container
 * runs part of the suite under tests/helpers/container_seccomp, which
 * refuses what a container's default seccomp profile refuses without
 * CAP_SYS_PTRACE (util/hostperm.h, docs/containers.md); the tests that
 * meet a difference expect what the library does there.
 */
#ifndef SL_TESTLIB_HOSTENV_H
#define SL_TESTLIB_HOSTENV_H

#include <stdbool.h>

#include "util/hostperm.h"

/* pidfd_getfd is refused: the container mode of docs/containers.md. */
bool he_restricted(void);

/* ptrace and kcmp are allowed: an exec can be decided on a sandbox held
 * still (policy callbacks, custom handlers on exec). */
bool he_can_freeze(void);

/* clone3 is refused (ENOSYS before any filter of ours sees it). */
bool he_clone3_refused(void);

/* Without CAP_SYS_PTRACE no process may read the memory of a task that
 * changed its credentials (it is not dumpable until it execs). */
bool he_has_sys_ptrace(void);

#endif
