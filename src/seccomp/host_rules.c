/*
 * What the kernel keeps where the supervisor cannot: in an environment
 * that refuses pidfd_getfd (util/hostperm.h: a container without
 * CAP_SYS_PTRACE) the supervisor cannot act on the sandbox's own sockets
 * or watch instances, so the handler modules that would have checked
 * those calls have the filter refuse, instead of notifying, what could
 * get past them (their host_denials hooks, supervisor/dispatch.h; which
 * ones and why: docs/containers.md).
 */
#include <string.h>

#include "seccomp/plan.h"
#include "supervisor/dispatch.h"

int sl_seccomp_add_host_rules(scmp_filter_ctx ctx, const struct sl_policy *p,
			      struct sl_error *e)
{
	struct sl_host_denials d = { 0 };
	int r = sl_handlers_host_denials(p, &d);

	if (r < 0)
		return sl_err(e, -r,
			      "seccomp: too many rules in the place of "
			      "the supervisor's checks");
	for (unsigned i = 0; r == 0 && i < d.n; i++) {
		const struct sl_host_denial *x = &d.v[i];
		struct scmp_arg_cmp cmp[2];
		int rc;

		/* Absent on this architecture, or denied outright anyway. */
		if (x->nr < 0 ||
		    sl_u32v_contains(&p->deny_syscalls, (uint32_t)x->nr))
			continue;
		for (unsigned k = 0; k < x->ncond; k++)
			cmp[k] = (struct scmp_arg_cmp){
				.arg = x->cond[k].arg,
				.op = SCMP_CMP_MASKED_EQ,
				.datum_a = x->cond[k].mask,
				.datum_b = x->cond[k].value,
			};
		rc = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(x->error),
					    x->nr, x->ncond, cmp);
		if (rc < 0)
			r = sl_err(e, -rc, "seccomp: rule on syscall %d: %s",
				   x->nr, strerror(-rc));
	}
	return r;
}
