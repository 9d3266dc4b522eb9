/* What the environment lets this process do (hostperm.h). */
#include "util/hostperm.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif
#define KCMP_VM 1

static _Atomic unsigned perms;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* A refused call fails with the profile's errno (EPERM, or ENOSYS for
 * syscalls a profile does not know); a permitted one reaches the kernel,
 * which refuses the arguments with the errno named here. */
static bool reaches_kernel(long r, int expected)
{
	return r < 0 && errno == expected;
}

static void probe(void)
{
	unsigned p = 0;
	pid_t self = getpid();
	int saved = errno;

	/* no descriptor -1 */
	if (reaches_kernel(syscall(__NR_pidfd_getfd, -1, 0, 0), EBADF))
		p |= SL_HOST_PIDFD_GETFD;
	/* flags must be 0: checked before anything else */
	if (reaches_kernel(syscall(SYS_process_vm_readv, self, NULL, 0, NULL, 0,
				   1),
			   EINVAL))
		p |= SL_HOST_VM_READ;
	if (reaches_kernel(syscall(SYS_process_vm_writev, self, NULL, 0, NULL,
				   0, 1),
			   EINVAL))
		p |= SL_HOST_VM_WRITE;
	/* no process 0: looked up before any permission check */
	if (reaches_kernel(syscall(SYS_ptrace, PTRACE_CONT, 0, 0, 0), ESRCH))
		p |= SL_HOST_PTRACE;
	/* our memory is our memory */
	if (syscall(SYS_kcmp, self, self, KCMP_VM, 0, 0) == 0)
		p |= SL_HOST_KCMP;
	atomic_store(&perms, p);
	errno = saved;
}

unsigned sl_host_perms(void)
{
	pthread_once(&once, probe);
	return atomic_load(&perms);
}

void sl_host_perms_override(unsigned p)
{
	pthread_once(&once, probe);
	atomic_store(&perms, p & SL_HOST_ALL);
}

const char *sl_host_perm_name(unsigned perm)
{
	switch (perm) {
	case SL_HOST_PIDFD_GETFD:
		return "pidfd_getfd";
	case SL_HOST_VM_READ:
		return "process_vm_readv";
	case SL_HOST_VM_WRITE:
		return "process_vm_writev";
	case SL_HOST_PTRACE:
		return "ptrace";
	case SL_HOST_KCMP:
		return "kcmp";
	default:
		return "?";
	}
}

int sl_host_require(unsigned perm, const char *feature, struct sl_error *e)
{
	unsigned missing = perm & ~sl_host_perms();
	char names[96] = "";
	size_t len = 0;
	bool several = (missing & (missing - 1)) != 0;

	if (!missing)
		return 0;
	for (unsigned bit = 1; bit & SL_HOST_ALL; bit <<= 1) {
		if (!(missing & bit))
			continue;
		missing &= ~bit;
		len += (size_t)snprintf(names + len, sizeof(names) - len,
					"%s%s",
					len == 0 ? "" :
					missing	 ? ", " :
						   " and ",
					sl_host_perm_name(bit));
		if (len >= sizeof(names))
			break;
	}
	return sl_err(e, EPERM,
		      "%s needs the %s system call%s, which this environment "
		      "refuses (a container's seccomp profile allows %s only "
		      "with CAP_SYS_PTRACE)",
		      feature, names, several ? "s" : "",
		      several ? "them" : "it");
}

int sl_host_deny(struct sl_host_denials *d, const struct sl_host_denial *x)
{
	if (d->n == SL_HOST_DENIALS_MAX)
		return -ENOSPC;
	d->v[d->n++] = *x;
	return 0;
}
