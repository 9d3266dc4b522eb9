/* Syscall names, groups and the default deny list (docs/behaviour.md 2.1-2.3). */
#include <sys/syscall.h>

#include "harness.h"
#include "policy/policy.h"

TEST(resolves_every_syscall_of_the_host)
{
	CHECK_EQ_INT(sl_syscall_nr("getpid"), SYS_getpid);
	CHECK_EQ_INT(sl_syscall_nr("openat"), SYS_openat);
	CHECK_EQ_INT(sl_syscall_nr("mount"), SYS_mount);
	CHECK_EQ_INT(sl_syscall_nr("newfstatat"), SYS_newfstatat);
	CHECK_EQ_INT(sl_syscall_nr("read"), SYS_read);
	CHECK_EQ_INT(sl_syscall_nr("chroot"), SYS_chroot);
}

TEST(unknown_names_are_minus_one)
{
	CHECK_EQ_INT(sl_syscall_nr("no_such_syscall"), -1);
	CHECK_EQ_INT(sl_syscall_nr(""), -1);
	CHECK_EQ_INT(sl_syscall_nr(NULL), -1);
	CHECK_EQ_INT(sl_syscall_nr("GETPID"), -1);
	CHECK_EQ_INT(sl_syscall_nr("sysv_ipc"), -1);
#if defined(__x86_64__)
	/* Known to libseccomp as a pseudo number, absent from this arch. */
	CHECK_EQ_INT(sl_syscall_nr("socketcall"), -1);
#endif
}

TEST(sysv_ipc_group)
{
	static const char *const want[] = {
		"shmget", "shmat",  "shmdt",  "shmctl", "msgget", "msgsnd",
		"msgrcv", "msgctl", "semget", "semop",	"semctl", "semtimedop",
	};
	const char *const *members = NULL;
	size_t n = 0;

	CHECK(sl_syscall_group("sysv_ipc", &members, &n));
	CHECK_EQ_INT(n, 12);
	for (size_t i = 0; i < n; i++)
		CHECK_STR(members[i], want[i]);
	CHECK(sl_syscall_group("sysv_ipc", NULL, NULL));
	CHECK(!sl_syscall_group("shmget", NULL, NULL));
	CHECK(!sl_syscall_group("SYSV_IPC", NULL, NULL));
	CHECK(!sl_syscall_group(NULL, NULL, NULL));
	CHECK_STR(sl_syscall_group_at(0), "sysv_ipc");
	CHECK(sl_syscall_group_at(1) == NULL);
}

static bool sorted_unique(const struct sl_u32v *v)
{
	for (size_t i = 1; i < v->n; i++)
		if (v->v[i - 1] >= v->v[i])
			return false;
	return true;
}

TEST(default_deny_list)
{
	static const long denied[] = {
		SYS_mount,
		SYS_umount2,
		SYS_pivot_root,
		SYS_swapon,
		SYS_swapoff,
		SYS_reboot,
		SYS_sethostname,
		SYS_setdomainname,
		SYS_kexec_load,
		SYS_init_module,
		SYS_finit_module,
		SYS_delete_module,
		SYS_unshare,
		SYS_setns,
		SYS_perf_event_open,
		SYS_bpf,
		SYS_userfaultfd,
		SYS_keyctl,
		SYS_add_key,
		SYS_request_key,
		SYS_ptrace,
		SYS_process_vm_readv,
		SYS_process_vm_writev,
		SYS_open_by_handle_at,
		SYS_name_to_handle_at,
		SYS_quotactl,
		SYS_acct,
		SYS_io_uring_setup,
		SYS_io_uring_enter,
		SYS_io_uring_register,
		SYS_personality,
		SYS_chroot,
		SYS_shmget,
		SYS_semop,
		SYS_msgsnd,
	};
	struct sl_u32v v = { 0 };

	CHECK_EQ_INT(sl_default_deny_list(false, &v), 0);
	CHECK(sorted_unique(&v));
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
		if (!sl_u32v_contains(&v, (uint32_t)denied[i]))
			FAIL("syscall %ld missing from the deny list",
			     denied[i]);
	CHECK(!sl_u32v_contains(&v, SYS_getpid));
	CHECK(!sl_u32v_contains(&v, SYS_openat));
#if defined(__x86_64__)
	/* 36 names (35 of the reference plus chroot) and 12 sysv_ipc
	 * members, all of which exist on x86_64. */
	CHECK(sl_u32v_contains(&v, SYS_ioperm));
	CHECK(sl_u32v_contains(&v, SYS_iopl));
	CHECK_EQ_INT(v.n, 48);
#endif
	sl_u32v_free(&v);
}

TEST(default_deny_list_without_sysv_ipc)
{
	struct sl_u32v v = { 0 }, all = { 0 };

	CHECK_EQ_INT(sl_default_deny_list(true, &v), 0);
	CHECK_EQ_INT(sl_default_deny_list(false, &all), 0);
	CHECK(sorted_unique(&v));
	CHECK(!sl_u32v_contains(&v, SYS_shmget));
	CHECK(!sl_u32v_contains(&v, SYS_semtimedop));
	CHECK(sl_u32v_contains(&v, SYS_mount));
	CHECK_EQ_INT(v.n + 12, all.n);
	sl_u32v_free(&v);
	sl_u32v_free(&all);
}
