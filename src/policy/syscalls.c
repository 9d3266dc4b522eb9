/* Syscall names, groups and the default deny list (docs/behaviour.md 2.1-2.3). */
#include "policy/policy.h"

#include <errno.h>
#include <seccomp.h>
#include <string.h>

#include "util/cleanup.h"

int64_t sl_syscall_nr(const char *name)
{
	int nr;

	if (!name || !*name)
		return -1;
	nr = seccomp_syscall_resolve_name(name);
	/* Architectures whose kernel table calls it fstatat still accept the
	 * libc spelling. */
	if (nr < 0 && strcmp(name, "newfstatat") == 0)
		nr = seccomp_syscall_resolve_name("fstatat");
	/* Negative values are errors or libseccomp pseudo numbers for
	 * syscalls that do not exist on this architecture. */
	return nr < 0 ? -1 : nr;
}

/* Fixed lists are written once, as X-macros, and expanded both to names
 * (group members, resolved when a user names the group) and to numbers
 * known at compile time (the default deny list, built for every policy
 * without a name lookup). */
#define SL_NAME(sys) #sys,
#define SL_NR(sys) SCMP_SYS(sys),

/* clang-format off */
#define SYSV_IPC(X)                                                        \
	X(shmget) X(shmat) X(shmdt) X(shmctl) X(msgget) X(msgsnd)          \
	X(msgrcv) X(msgctl) X(semget) X(semop) X(semctl) X(semtimedop)
/* clang-format on */

static const char *const sysv_ipc_members[] = { SYSV_IPC(SL_NAME) };
static const int sysv_ipc_nrs[] = { SYSV_IPC(SL_NR) };

static const struct {
	const char *name;
	const char *const *members;
	size_t n;
} groups[] = {
	{ "sysv_ipc", sysv_ipc_members, SL_ARRAY_SIZE(sysv_ipc_members) },
};

bool sl_syscall_group(const char *name, const char *const **members,
		      size_t *nmembers)
{
	for (size_t i = 0; name && i < SL_ARRAY_SIZE(groups); i++) {
		if (strcmp(name, groups[i].name) != 0)
			continue;
		if (members)
			*members = groups[i].members;
		if (nmembers)
			*nmembers = groups[i].n;
		return true;
	}
	return false;
}

/* The reference's supervised deny list, in its order, plus chroot.
 * chroot is our deviation: a root child could otherwise chroot(2) and see
 * the tree from a new root that Landlock's path rules were not written
 * for. Our chroot feature is emulated by the supervisor and never calls
 * chroot(2), so denying it costs nothing. */
/* clang-format off */
#define DEFAULT_DENY(X)                                                    \
	X(mount) X(umount2) X(pivot_root) X(swapon) X(swapoff) X(reboot)   \
	X(sethostname) X(setdomainname) X(kexec_load) X(init_module)       \
	X(finit_module) X(delete_module) X(unshare) X(setns)               \
	X(perf_event_open) X(bpf) X(userfaultfd) X(keyctl) X(add_key)      \
	X(request_key) X(ptrace) X(process_vm_readv) X(process_vm_writev)  \
	X(open_by_handle_at) X(name_to_handle_at) X(ioperm) X(iopl)        \
	X(quotactl) X(acct) X(lookup_dcookie) X(nfsservctl)                \
	X(io_uring_setup) X(io_uring_enter) X(io_uring_register)           \
	X(personality) X(chroot)
/* clang-format on */

static const int default_deny[] = { DEFAULT_DENY(SL_NR) };

/* Negative numbers are libseccomp's pseudo numbers for syscalls this
 * architecture does not have. */
static int push_nrs(const int *nrs, size_t n, struct sl_u32v *out)
{
	for (size_t i = 0; i < n; i++) {
		int r;

		if (nrs[i] < 0)
			continue; /* not on this architecture */
		r = sl_u32v_push(out, (uint32_t)nrs[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

int sl_default_deny_list(bool allow_sysv_ipc, struct sl_u32v *out)
{
	int r = push_nrs(default_deny, SL_ARRAY_SIZE(default_deny), out);

	if (r == 0 && !allow_sysv_ipc)
		r = push_nrs(sysv_ipc_nrs, SL_ARRAY_SIZE(sysv_ipc_nrs), out);
	if (r < 0)
		return r;
	sl_u32v_sort_unique(out);
	return 0;
}

const char *sl_syscall_group_at(size_t i)
{
	return i < SL_ARRAY_SIZE(groups) ? groups[i].name : NULL;
}
