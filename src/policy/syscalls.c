/* Syscall names, groups and the default deny list (behavior.md 2.1-2.3). */
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

static const char *const sysv_ipc_members[] = {
	"shmget", "shmat",  "shmdt",  "shmctl", "msgget", "msgsnd",
	"msgrcv", "msgctl", "semget", "semop",	"semctl", "semtimedop",
};

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
static const char *const default_deny[] = {
	"mount",	   "umount2",	      "pivot_root",	   "swapon",
	"swapoff",	   "reboot",	      "sethostname",	   "setdomainname",
	"kexec_load",	   "init_module",     "finit_module",	   "delete_module",
	"unshare",	   "setns",	      "perf_event_open",   "bpf",
	"userfaultfd",	   "keyctl",	      "add_key",	   "request_key",
	"ptrace",	   "process_vm_readv", "process_vm_writev", "open_by_handle_at",
	"name_to_handle_at", "ioperm",	      "iopl",		   "quotactl",
	"acct",		   "lookup_dcookie",  "nfsservctl",	   "io_uring_setup",
	"io_uring_enter",  "io_uring_register", "personality",	   "chroot",
};

static int push_names(const char *const *names, size_t n, struct sl_u32v *out)
{
	for (size_t i = 0; i < n; i++) {
		int64_t nr = sl_syscall_nr(names[i]);
		int r;

		if (nr < 0)
			continue; /* not on this architecture */
		r = sl_u32v_push(out, (uint32_t)nr);
		if (r < 0)
			return r;
	}
	return 0;
}

int sl_default_deny_list(bool allow_sysv_ipc, struct sl_u32v *out)
{
	int r = push_names(default_deny, SL_ARRAY_SIZE(default_deny), out);

	if (r == 0 && !allow_sysv_ipc)
		r = push_names(sysv_ipc_members,
			       SL_ARRAY_SIZE(sysv_ipc_members), out);
	if (r < 0)
		return r;
	sl_u32v_sort_unique(out);
	return 0;
}

const char *sl_syscall_group_at(size_t i)
{
	return i < SL_ARRAY_SIZE(groups) ? groups[i].name : NULL;
}
