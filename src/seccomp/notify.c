/* Routing the notification set to the supervisor (behavior.md 2.5). */
#include "seccomp/plan.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

#ifndef WNOWAIT
#define WNOWAIT 0x01000000
#endif

/* A wait that cannot block changes no process accounting: the kernel
 * answers it directly (2.4). Notified only when neither flag is set. */
static int add_blocking_wait(scmp_filter_ctx ctx, int nr, unsigned arg)
{
	struct scmp_arg_cmp blocking = {
		.arg = arg,
		.op = SCMP_CMP_MASKED_EQ,
		.datum_a = WNOHANG | WNOWAIT,
		.datum_b = 0,
	};

	return seccomp_rule_add_array(ctx, SCMP_ACT_NOTIFY, nr, 1, &blocking);
}

/* A send on a connected socket (no destination address) was checked when
 * the socket was connected; the supervisor would only continue it. The
 * kernel answers it directly, which keeps request/response traffic off
 * the supervisor. */
static int add_addressed_sendto(scmp_filter_ctx ctx, int nr)
{
	struct scmp_arg_cmp addressed = {
		.arg = 4,
		.op = SCMP_CMP_NE,
		.datum_a = 0,
	};

	return seccomp_rule_add_array(ctx, SCMP_ACT_NOTIFY, nr, 1, &addressed);
}

/* The conditions of narrow notifications (util/nrset.h). Each is
 * disjoint from the argument denials of its syscall, so it never needs
 * the chained layout (build.c). */
static const struct narrow {
	int nr; /* SCMP_SYS(): negative where absent */
	unsigned ncmp;
	struct scmp_arg_cmp cmp[2];
} narrow_conds[] = {
	/* rtnetlink is virtualized (handlers/netlink.c); the other netlink
	 * protocols are denied in argfilters.c. */
	{ SCMP_SYS(socket), 2,
	  { { .arg = 0, .op = SCMP_CMP_EQ, .datum_a = AF_NETLINK },
	    { .arg = 2, .op = SCMP_CMP_EQ, .datum_a = NETLINK_ROUTE } } },
	/* ... and its sockets bound or connected with a sockaddr_nl. */
	{ SCMP_SYS(bind), 1,
	  { { .arg = 2, .op = SCMP_CMP_MASKED_EQ, .datum_a = 0xffffffff,
	      .datum_b = sizeof(struct sockaddr_nl) } } },
	{ SCMP_SYS(connect), 1,
	  { { .arg = 2, .op = SCMP_CMP_MASKED_EQ, .datum_a = 0xffffffff,
	      .datum_b = sizeof(struct sockaddr_nl) } } },
	/* stat of a path (the copy-on-write merged view, handlers/cow.c);
	 * with AT_EMPTY_PATH (glibc's fstat) the descriptor is the object */
	{ SCMP_SYS(newfstatat), 1,
	  { { .arg = 3, .op = SCMP_CMP_MASKED_EQ, .datum_a = AT_EMPTY_PATH,
	      .datum_b = 0 } } },
	{ SCMP_SYS(statx), 1,
	  { { .arg = 2, .op = SCMP_CMP_MASKED_EQ, .datum_a = AT_EMPTY_PATH,
	      .datum_b = 0 } } },
};

static const struct narrow *narrow_of(long nr)
{
	for (size_t i = 0; i < sizeof(narrow_conds) / sizeof(*narrow_conds);
	     i++)
		if (narrow_conds[i].nr == nr)
			return &narrow_conds[i];
	return NULL;
}

/* Calls that take a pid (or a "which, who" pair) reach the supervisor
 * only when they may name another process: 0 (self, own group) and
 * PRIO_PROCESS / IOPRIO_WHO_PROCESS stay in the kernel (handlers/pidargs.c
 * checks the rest). Each listed argument is notified when it differs
 * from its value in `self`; the rules of one syscall are alternatives. */
static const struct {
	int nr;
	int nargs;
	unsigned arg[2];
	uint64_t self[2];
} pid_args[] = {
	{ SCMP_SYS(prlimit64), 1, { 0 }, { 0 } },
	{ SCMP_SYS(setpriority), 2, { 0, 1 }, { 0 /* PRIO_PROCESS */, 0 } },
	{ SCMP_SYS(getpriority), 2, { 0, 1 }, { 0 /* PRIO_PROCESS */, 0 } },
	{ SCMP_SYS(ioprio_set), 2, { 0, 1 }, { 1 /* IOPRIO_WHO_PROCESS */, 0 } },
	{ SCMP_SYS(ioprio_get), 2, { 0, 1 }, { 1 /* IOPRIO_WHO_PROCESS */, 0 } },
	{ SCMP_SYS(sched_setaffinity), 1, { 0 }, { 0 } },
	{ SCMP_SYS(sched_getaffinity), 1, { 0 }, { 0 } },
	{ SCMP_SYS(sched_setparam), 1, { 0 }, { 0 } },
	{ SCMP_SYS(sched_getparam), 1, { 0 }, { 0 } },
	{ SCMP_SYS(sched_setscheduler), 1, { 0 }, { 0 } },
	{ SCMP_SYS(sched_getscheduler), 1, { 0 }, { 0 } },
	{ SCMP_SYS(sched_setattr), 1, { 0 }, { 0 } },
	{ SCMP_SYS(sched_getattr), 1, { 0 }, { 0 } },
	{ SCMP_SYS(sched_rr_get_interval), 1, { 0 }, { 0 } },
	{ SCMP_SYS(getpgid), 1, { 0 }, { 0 } },
	{ SCMP_SYS(getsid), 1, { 0 }, { 0 } },
	{ SCMP_SYS(setpgid), 2, { 0, 1 }, { 0, 0 } },
};

static int add_pid_args(scmp_filter_ctx ctx, int nr, bool *done)
{
	for (size_t i = 0; i < sizeof(pid_args) / sizeof(pid_args[0]); i++) {
		if (pid_args[i].nr != nr)
			continue;
		*done = true;
		for (int k = 0; k < pid_args[i].nargs; k++) {
			struct scmp_arg_cmp other = {
				.arg = pid_args[i].arg[k],
				.op = SCMP_CMP_NE,
				.datum_a = pid_args[i].self[k],
			};
			int rc = seccomp_rule_add_array(ctx, SCMP_ACT_NOTIFY,
							nr, 1, &other);

			if (rc < 0)
				return rc;
		}
		return 0;
	}
	return 0;
}

/* An *at call whose dirfd (first argument, an int) is AT_FDCWD. */
static int add_at_cwd(scmp_filter_ctx ctx, int nr)
{
	struct scmp_arg_cmp at_cwd = {
		.arg = 0,
		.op = SCMP_CMP_MASKED_EQ,
		.datum_a = 0xffffffffULL,
		.datum_b = (uint32_t)AT_FDCWD,
	};

	return seccomp_rule_add_array(ctx, SCMP_ACT_NOTIFY, nr, 1, &at_cwd);
}

int sl_seccomp_add_notify(scmp_filter_ctx ctx, const struct sl_nrset *notify,
			  struct sl_error *e)
{
	for (long nr = 0; nr < SL_MAX_NR; nr++) {
		const struct narrow *cond = narrow_of(nr);
		struct scmp_arg_cmp allowed;
		int rc;

		bool done = false;

		if (!sl_nrset_has(notify, nr))
			continue;
		if (cond && sl_nrset_narrow_only(notify, nr))
			rc = seccomp_rule_add_array(ctx, SCMP_ACT_NOTIFY,
						    (int)nr, cond->ncmp,
						    cond->cmp);
		else if ((rc = add_pid_args(ctx, (int)nr, &done)) < 0 || done)
			;
		else if (nr == SCMP_SYS(wait4))
			rc = add_blocking_wait(ctx, (int)nr, 2);
		else if (nr == SCMP_SYS(waitid))
			rc = add_blocking_wait(ctx, (int)nr, 3);
		else if (nr == SCMP_SYS(sendto))
			rc = add_addressed_sendto(ctx, (int)nr);
		else if (sl_nrset_at_cwd_only(notify, nr))
			rc = add_at_cwd(ctx, (int)nr);
		else if (sl_seccomp_arg_complement(nr, &allowed))
			rc = seccomp_rule_add_array(ctx, SCMP_ACT_NOTIFY,
						    (int)nr, 1, &allowed);
		else
			rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, (int)nr, 0);
		if (rc < 0)
			return sl_err(e, -rc,
				      "seccomp: cannot notify syscall %ld: %s",
				      nr, strerror(-rc));
	}
	return 0;
}
