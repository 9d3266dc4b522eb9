/*
 * container_seccomp CMD [ARGS...]: run CMD the way a container's default
 * seccomp profile runs it (Docker's and Podman's default.json) for a
 * container without CAP_SYS_PTRACE:
 *
 *   pidfd_getfd, ptrace, process_vm_readv, process_vm_writev, kcmp and
 *   process_madvise fail with EPERM (those profiles allow them only with
 *   CAP_SYS_PTRACE), and clone3 fails with ENOSYS (the profiles make libc
 *   fall back to clone, whose flags they can inspect);
 *
 * and drops CAP_SYS_PTRACE from every capability set. The filter is
 * inherited by everything CMD starts, so a test suite run under it meets
 * the library as it runs in such a container (make check-container).
 * Exits 126 when the filter cannot be installed, 127 when CMD cannot run.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#else
#error "container_seccomp: x86_64 and aarch64 only"
#endif

#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif
#ifndef __NR_process_madvise
#define __NR_process_madvise 440
#endif
#ifndef __NR_clone3
#define __NR_clone3 435
#endif

#define DENY(nr, err)                                    \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
		BPF_STMT(BPF_RET | BPF_K,                \
			 SECCOMP_RET_ERRNO | ((err)&SECCOMP_RET_DATA))

static struct sock_filter filter[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	DENY(__NR_pidfd_getfd, EPERM),
	DENY(__NR_ptrace, EPERM),
	DENY(__NR_process_vm_readv, EPERM),
	DENY(__NR_process_vm_writev, EPERM),
	DENY(__NR_kcmp, EPERM),
	DENY(__NR_process_madvise, EPERM),
	DENY(__NR_clone3, ENOSYS),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

static int drop_sys_ptrace(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	const int cap = CAP_SYS_PTRACE;

	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	/* Without CAP_SETPCAP the bounding set stays: an unprivileged
	 * caller has no CAP_SYS_PTRACE to lose anyway. */
	if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EPERM)
		return -1;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, cap, 0, 0);
	d[cap / 32].effective &= ~(1u << (cap % 32));
	d[cap / 32].permitted &= ~(1u << (cap % 32));
	d[cap / 32].inheritable &= ~(1u << (cap % 32));
	return (int)syscall(SYS_capset, &h, d);
}

int main(int argc, char **argv)
{
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = filter,
	};

	if (argc < 2) {
		fprintf(stderr, "usage: container_seccomp CMD [ARGS...]\n");
		return 2;
	}
	if (drop_sys_ptrace() < 0) {
		perror("container_seccomp: dropping CAP_SYS_PTRACE");
		return 126;
	}
	/* As a container runtime does: with CAP_SYS_ADMIN the filter needs
	 * no no_new_privs (which would change what the suite sees). */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
		if (errno != EACCES ||
		    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) <
			    0) {
			perror("container_seccomp: seccomp");
			return 126;
		}
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "container_seccomp: %s: %s\n", argv[1],
		strerror(errno));
	return 127;
}
