/*
 * Switching a thread's credentials (src/fs/creds.c): every change is
 * checked, and a thread whose own credentials could not be restored acts
 * for no sandbox again. Each case runs on a thread of its own: the
 * credentials and the seccomp filter used to make a restore fail are
 * per thread.
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs/creds.h"
#include "harness.h"

#define OTHER_UID 54321
#define OTHER_GID 54322

static uid_t fsuid_now(void)
{
	return (uid_t)syscall(SYS_setfsuid, (uid_t)-1);
}

struct outcome {
	int enter, leave, again;
	uid_t during, after;
	bool broken;
};

/* Refuse capset on this thread only (no TSYNC). */
static int refuse_capset(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_capset, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static void *switch_and_back(void *arg)
{
	struct outcome *o = arg;
	struct sl_creds want = { .fsuid = OTHER_UID, .fsgid = OTHER_GID };
	struct sl_creds_saved saved;
	bool break_it = o->broken;

	o->enter = sl_creds_enter(&want, &saved);
	o->during = fsuid_now();
	if (o->enter == 0 && break_it && refuse_capset() < 0)
		o->enter = -1;
	o->leave = o->enter == 0 ? sl_creds_leave(&saved) : -1;
	o->after = fsuid_now();
	o->broken = sl_creds_thread_broken();
	o->again = sl_creds_enter(&want, &saved);
	if (o->again == 0)
		(void)sl_creds_leave(&saved);
	return NULL;
}

static struct outcome run_case(bool break_restore)
{
	struct outcome o = { .broken = break_restore };
	pthread_t t;

	if (pthread_create(&t, NULL, switch_and_back, &o) == 0)
		pthread_join(t, NULL);
	return o;
}

TEST(a_switch_is_taken_and_given_back)
{
	struct outcome o;

	if (geteuid() != 0)
		SKIP("needs root to take another fsuid");
	o = run_case(false);
	CHECK_EQ_INT(o.enter, 0);
	CHECK_EQ_INT(o.during, OTHER_UID);
	CHECK_EQ_INT(o.leave, 0);
	CHECK_EQ_INT(o.after, geteuid());
	CHECK(!o.broken);
	CHECK_EQ_INT(o.again, 0);
}

/* The capabilities cannot be given back: the failure is reported, the
 * rest is restored anyway, and the thread refuses every later switch. */
TEST(a_failed_restore_is_reported_and_the_thread_retired)
{
	struct outcome o;

	if (geteuid() != 0)
		SKIP("needs root to take another fsuid");
	o = run_case(true);
	CHECK_EQ_INT(o.enter, 0);
	CHECK_EQ_INT(o.leave, -EPERM);
	CHECK_EQ_INT(o.after, geteuid());
	CHECK(o.broken);
	CHECK_EQ_INT(o.again, -EPERM);
	/* this thread is untouched */
	CHECK(!sl_creds_thread_broken());
}
