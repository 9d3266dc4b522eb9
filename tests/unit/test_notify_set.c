/*
 * Which syscalls reach the supervisor for a given policy (docs/decisions.md decision 6 of the
 * project: notify only what the policy's features need). A policy
 * with filesystem grants alone must not route open/close/stat traffic
 * through the supervisor; each feature adds exactly its own syscalls.
 */
#include <sys/syscall.h>

#include "harness.h"
#include "policy/policy.h"
#include "supervisor/dispatch.h"

static struct sl_policy *policy(const char *read, const char *write,
				const char *deny)
{
	struct sl_policy *p = sl_policy_new();
	struct sl_error e = { 0 };

	if (!p)
		return NULL;
	if ((read && sl_strv_push(&p->fs_read, read) < 0) ||
	    (write && sl_strv_push(&p->fs_write, write) < 0) ||
	    (deny && sl_strv_push(&p->fs_deny, deny) < 0) ||
	    sl_policy_build(p, &e) < 0) {
		fprintf(stderr, "  build: %s\n", e.msg ? e.msg : "?");
		sl_error_clear(&e);
		sl_policy_free(p);
		return NULL;
	}
	return p;
}

static struct sl_nrset notify_set(const struct sl_policy *p)
{
	struct sl_nrset s = { 0 };

	sl_handlers_notify_set(p, &s);
	return s;
}

/* Syscalls of everyday file work that must stay in the kernel. */
static const long file_traffic[] = {
	SYS_openat,	SYS_open,   SYS_close, SYS_read,       SYS_write,
	SYS_newfstatat, SYS_statx,  SYS_fstat, SYS_getdents64, SYS_readlinkat,
	SYS_faccessat,	SYS_lseek,  SYS_mmap,  SYS_munmap,     SYS_brk,
	SYS_execve,	SYS_uname,  SYS_wait4, SYS_waitid,     SYS_recvfrom,
	SYS_recvmsg,	SYS_socket,
};

TEST(filesystem_grants_alone_route_no_file_traffic)
{
	struct sl_policy *p = policy("/usr", "/tmp", NULL);
	struct sl_nrset s;

	CHECK(p);
	s = notify_set(p);
	/* socket() is notified only for AF_NETLINK (rtnetlink is
	 * virtualized): a narrow notification, not traffic. */
	CHECK(sl_nrset_narrow_only(&s, SYS_socket));
	for (size_t i = 0; i < sizeof(file_traffic) / sizeof(*file_traffic);
	     i++)
		if (sl_nrset_has(&s, file_traffic[i]) &&
		    !sl_nrset_narrow_only(&s, file_traffic[i])) {
			sl_policy_free(p);
			FAIL("syscall %ld is notified for a grants-only policy",
			     file_traffic[i]);
		}
	/* Process accounting is always on (max_processes defaults to 64). */
	CHECK(sl_nrset_has(&s, SYS_clone));
	sl_policy_free(p);
}

TEST(fs_deny_routes_opens)
{
	struct sl_policy *p = policy("/usr", NULL, "/usr/share");
	struct sl_nrset s;

	CHECK(p);
	s = notify_set(p);
	CHECK(sl_nrset_has(&s, SYS_openat));
	CHECK(sl_nrset_has(&s, SYS_execve));
	CHECK(!sl_nrset_has(&s, SYS_close));
	CHECK(!sl_nrset_has(&s, SYS_read));
	sl_policy_free(p);
}

TEST(a_grant_exposing_proc_routes_opens)
{
	struct sl_policy *p = policy("/proc", NULL, NULL);
	struct sl_nrset s;

	CHECK(p);
	s = notify_set(p);
	CHECK(sl_nrset_has(&s, SYS_openat));
	/* relative to a directory fd the kernel decides (no /proc grant) */
	CHECK(sl_nrset_at_cwd_only(&s, SYS_openat));
	CHECK(sl_nrset_has(&s, SYS_openat2));
	CHECK(!sl_nrset_at_cwd_only(&s, SYS_openat2));
	CHECK(!sl_nrset_has(&s, SYS_close));
	sl_policy_free(p);
}

TEST(fs_deny_routes_every_open)
{
	struct sl_policy *p = policy("/usr", NULL, "/usr/share");
	struct sl_nrset s;

	CHECK(p);
	s = notify_set(p);
	CHECK(sl_nrset_has(&s, SYS_openat));
	CHECK(!sl_nrset_at_cwd_only(&s, SYS_openat));
	CHECK(sl_nrset_has(&s, SYS_creat));
	CHECK(sl_nrset_has(&s, SYS_setuid)); /* credentials are cached */
	sl_policy_free(p);
}

TEST(grants_route_metadata_writes_and_watches)
{
	struct sl_policy *p = policy("/usr", "/tmp", NULL);
	struct sl_nrset s;

	CHECK(p);
	s = notify_set(p);
	CHECK(sl_nrset_has(&s, SYS_chmod));
	CHECK(sl_nrset_has(&s, SYS_fchownat));
	CHECK(sl_nrset_has(&s, SYS_utimensat));
	CHECK(sl_nrset_has(&s, SYS_fsetxattr));
	CHECK(sl_nrset_has(&s, SYS_inotify_add_watch));
	CHECK(!sl_nrset_has(&s, SYS_setuid)); /* nothing cached */
	sl_policy_free(p);
}

TEST(max_memory_routes_memory_syscalls_only)
{
	struct sl_policy *p = policy("/usr", NULL, NULL);
	struct sl_nrset s;

	CHECK(p);
	p->has_max_memory = true;
	p->max_memory = 1 << 30;
	s = notify_set(p);
	CHECK(sl_nrset_has(&s, SYS_mmap));
	CHECK(sl_nrset_has(&s, SYS_munmap));
	CHECK(sl_nrset_has(&s, SYS_brk));
	CHECK(!sl_nrset_has(&s, SYS_openat));
	CHECK(!sl_nrset_has(&s, SYS_read));
	sl_policy_free(p);
}
