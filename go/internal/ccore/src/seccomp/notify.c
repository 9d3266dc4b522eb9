/* Routing the notification set to the supervisor (docs/behaviour.md 2.5). */
#include "seccomp/plan.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>

/*
 * The conditions of narrow notifications (util/nrset.h): a module
 * that needs a syscall only in some of its calls adds it with
 * sl_nrset_add_narrow(), and the filter notifies it only under the
 * condition below (its rules are alternatives; the comparisons of one
 * rule all hold). A module that adds it with sl_nrset_add() has it
 * notified always. Each condition is disjoint from the argument denials
 * of its syscall, so it never needs the chained layout (build.c).
 */
struct narrow_rule {
	unsigned ncmp;
	struct scmp_arg_cmp cmp[2];
};

static const struct narrow {
	int nr; /* SCMP_SYS(): negative where absent */
	unsigned nrules;
	struct narrow_rule rules[2];
} narrow_conds[] = {
#define ONE(...)                    \
	1,                          \
	{                           \
		{                   \
			__VA_ARGS__ \
		}                   \
	}
#define CMP(a, o, x)                                  \
	{                                             \
		.arg = (a), .op = (o), .datum_a = (x) \
	}
#define MASKED(a, m, v)                                               \
	{                                                             \
		.arg = (a), .op = SCMP_CMP_MASKED_EQ, .datum_a = (m), \
		.datum_b = (v)                                        \
	}
	/* rtnetlink is virtualized (handlers/netlink.c); the other netlink
	 * protocols are denied in argfilters.c. */
	{ SCMP_SYS(socket), ONE(2, { CMP(0, SCMP_CMP_EQ, AF_NETLINK),
				     CMP(2, SCMP_CMP_EQ, NETLINK_ROUTE) }) },
	/* ... and its sockets bound or connected with a sockaddr_nl. */
	{ SCMP_SYS(bind),
	  ONE(1, { MASKED(2, 0xffffffff, sizeof(struct sockaddr_nl)) }) },
	{ SCMP_SYS(connect),
	  ONE(1, { MASKED(2, 0xffffffff, sizeof(struct sockaddr_nl)) }) },
	/* stat of a path (the copy-on-write merged view, handlers/cow.c);
	 * with AT_EMPTY_PATH (glibc's fstat) the descriptor is the object */
	{ SCMP_SYS(newfstatat), ONE(1, { MASKED(3, AT_EMPTY_PATH, 0) }) },
	{ SCMP_SYS(statx), ONE(1, { MASKED(2, AT_EMPTY_PATH, 0) }) },
	/* A send on a connected socket (no destination address) was checked
	 * when the socket was connected: the kernel answers it directly,
	 * which keeps request/response traffic off the supervisor. */
	{ SCMP_SYS(sendto), ONE(1, { CMP(4, SCMP_CMP_NE, 0) }) },
/* Calls that take a pid (or a "which, who" pair), only when they
	 * may name another process: 0 (self, own group) and PRIO_PROCESS /
	 * IOPRIO_WHO_PROCESS stay in the kernel (handlers/pidargs.c checks
	 * the rest). */
#define PID_ARG0 ONE(1, { CMP(0, SCMP_CMP_NE, 0) })
#define WHICH_WHO(which)                                 \
	2,                                               \
	{                                                \
		{ 1, { CMP(0, SCMP_CMP_NE, (which)) } }, \
		{                                        \
			1,                               \
			{                                \
				CMP(1, SCMP_CMP_NE, 0)   \
			}                                \
		}                                        \
	}
	{ SCMP_SYS(prlimit64), PID_ARG0 },
	{ SCMP_SYS(setpriority), WHICH_WHO(0 /* PRIO_PROCESS */) },
	{ SCMP_SYS(getpriority), WHICH_WHO(0 /* PRIO_PROCESS */) },
	{ SCMP_SYS(ioprio_set), WHICH_WHO(1 /* IOPRIO_WHO_PROCESS */) },
	{ SCMP_SYS(ioprio_get), WHICH_WHO(1 /* IOPRIO_WHO_PROCESS */) },
	{ SCMP_SYS(sched_setaffinity), PID_ARG0 },
	{ SCMP_SYS(sched_getaffinity), PID_ARG0 },
	{ SCMP_SYS(sched_setparam), PID_ARG0 },
	{ SCMP_SYS(sched_getparam), PID_ARG0 },
	{ SCMP_SYS(sched_setscheduler), PID_ARG0 },
	{ SCMP_SYS(sched_getscheduler), PID_ARG0 },
	{ SCMP_SYS(sched_setattr), PID_ARG0 },
	{ SCMP_SYS(sched_getattr), PID_ARG0 },
	{ SCMP_SYS(sched_rr_get_interval), PID_ARG0 },
	{ SCMP_SYS(getpgid), PID_ARG0 },
	{ SCMP_SYS(getsid), PID_ARG0 },
	{ SCMP_SYS(setpgid), WHICH_WHO(0) },
#undef WHICH_WHO
#undef PID_ARG0
#undef MASKED
#undef CMP
#undef ONE
};

static const struct narrow *narrow_of(long nr)
{
	for (size_t i = 0; i < sizeof(narrow_conds) / sizeof(*narrow_conds);
	     i++)
		if (narrow_conds[i].nr == nr)
			return &narrow_conds[i];
	return NULL;
}

static int add_narrow(scmp_filter_ctx ctx, int nr, const struct narrow *c)
{
	for (unsigned i = 0; i < c->nrules; i++) {
		int rc = seccomp_rule_add_array(ctx, SCMP_ACT_NOTIFY, nr,
						c->rules[i].ncmp,
						c->rules[i].cmp);

		if (rc < 0)
			return rc;
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

/* Only under conditions: the union of those asked for (AT_FDCWD, the
 * table's). A narrow request without a condition here is notified
 * always. */
static int add_conditional(scmp_filter_ctx ctx, const struct sl_nrset *notify,
			   long nr)
{
	const struct narrow *cond = narrow_of(nr);
	int rc = 0;

	if (sl_nrset_at_cwd_only(notify, nr))
		rc = add_at_cwd(ctx, (int)nr);
	if (rc == 0 && sl_nrset_asked_narrow(notify, nr))
		rc = cond ? add_narrow(ctx, (int)nr, cond) :
			    seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, (int)nr, 0);
	return rc;
}

int sl_seccomp_add_notify(scmp_filter_ctx ctx, const struct sl_nrset *notify,
			  struct sl_error *e)
{
	for (long nr = 0; nr < SL_MAX_NR; nr++) {
		struct scmp_arg_cmp allowed;
		int rc;

		if (!sl_nrset_has(notify, nr))
			continue;
		if (sl_nrset_narrow_only(notify, nr) ||
		    sl_nrset_at_cwd_only(notify, nr))
			rc = add_conditional(ctx, notify, nr);
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
