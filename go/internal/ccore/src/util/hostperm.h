/*
 * What the environment lets this process do to other processes, probed
 * once per process.
 *
 * The default seccomp profiles of the common container runtimes (Docker,
 * Podman) refuse pidfd_getfd, ptrace, process_vm_readv, process_vm_writev
 * and kcmp to a container without CAP_SYS_PTRACE (EPERM), and clone3 to
 * any container (ENOSYS, so that libc falls back to clone). The library
 * then takes other paths where the kernel offers one (child memory through
 * /proc/<pid>/mem, descriptors reopened through /proc/<pid>/fd, the
 * listener handed over by a helper thread of the child) and refuses, when
 * a policy is built, the features that need what is missing, naming it.
 * docs/containers.md lists both.
 */
#ifndef SL_UTIL_HOSTPERM_H
#define SL_UTIL_HOSTPERM_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

enum sl_host_perm {
	SL_HOST_PIDFD_GETFD = 1u << 0, /* take a descriptor of a child */
	SL_HOST_VM_READ = 1u << 1,     /* process_vm_readv */
	SL_HOST_VM_WRITE = 1u << 2,    /* process_vm_writev */
	SL_HOST_PTRACE = 1u << 3,      /* the ptrace syscall itself */
	SL_HOST_KCMP = 1u << 4,	       /* kcmp */
	SL_HOST_ALL = (1u << 5) - 1,
};

/* The calls this process may make (a set of enum sl_host_perm): probed
 * on first use with calls that cannot do anything (invalid arguments the
 * kernel refuses only once the seccomp filters let them through), then
 * kept. Thread-safe. */
unsigned sl_host_perms(void);

static inline bool sl_host_allows(unsigned perms)
{
	return (sl_host_perms() & perms) == perms;
}

/* The syscall behind one permission ("pidfd_getfd"). */
const char *sl_host_perm_name(unsigned perm);

/* 0 when every call of perm (a set) is there; else -EPERM with
 * "<feature> needs the <syscall> system call, which this environment
 * refuses (...)" in e, naming each missing call. */
int sl_host_require(unsigned perm, const char *feature, struct sl_error *e);

/* A syscall a filter refuses with error where the supervisor could not
 * keep it (a handler module's host hook, supervisor/dispatch.h): when
 * every condition holds, (argument arg & mask) == value. */
struct sl_host_denial {
	int nr;
	int error;
	unsigned ncond;
	struct {
		unsigned arg;
		uint64_t mask, value;
	} cond[2];
};

#define SL_HOST_DENIALS_MAX 8

struct sl_host_denials {
	unsigned n;
	struct sl_host_denial v[SL_HOST_DENIALS_MAX];
};

/* Add x to d. 0, or -ENOSPC. */
int sl_host_deny(struct sl_host_denials *d, const struct sl_host_denial *x);

/* For tests: pretend only perms are allowed from now on, in this process
 * (SL_HOST_ALL is not "probe again": it allows everything). */
void sl_host_perms_override(unsigned perms);

#endif
