/* Routing the notification set to the supervisor (behavior.md 2.5). */
#include "seccomp/plan.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
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
		struct scmp_arg_cmp allowed;
		int rc;

		if (!sl_nrset_has(notify, nr))
			continue;
		if (nr == SCMP_SYS(wait4))
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
