/*
 * Two programs as one: run the first; wherever it would allow, run the
 * second. libseccomp lets an unconditional rule override conditional ones
 * on the same syscall and cannot negate a set of values, so "deny these
 * arguments, notify the rest" is expressed as a deny program followed by
 * a notify program. Both are self-contained (each checks the arch and
 * loads the syscall number itself), so jumping from one to the other
 * needs no state.
 */
#include "seccomp/plan.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>

int sl_seccomp_chain(const struct sock_fprog *first,
		     const struct sock_fprog *then, struct sock_fprog *out,
		     struct sl_error *e)
{
	size_t n = (size_t)first->len + then->len;
	struct sock_filter *insns;

	if (n > BPF_MAXINSNS)
		return sl_err(e, E2BIG,
			      "seccomp: program of %zu instructions exceeds "
			      "the kernel limit of %d",
			      n, BPF_MAXINSNS);
	insns = malloc(n * sizeof(*insns));
	if (!insns)
		return sl_err(e, ENOMEM, "out of memory");
	memcpy(insns, first->filter, first->len * sizeof(*insns));
	memcpy(insns + first->len, then->filter, then->len * sizeof(*insns));

	for (unsigned i = 0; i < first->len; i++) {
		struct sock_filter *f = &insns[i];

		if (BPF_CLASS(f->code) != BPF_RET)
			continue;
		/* A verdict computed at run time cannot be told apart from
		 * "allow": refuse rather than guess. */
		if (BPF_RVAL(f->code) != BPF_K) {
			free(insns);
			return sl_err(e, EINVAL,
				      "seccomp: cannot chain a program that "
				      "returns a computed verdict");
		}
		if (f->k != SECCOMP_RET_ALLOW)
			continue;
		/* Forward only: the second program starts after the last
		 * instruction of the first. */
		*f = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA,
						  first->len - i - 1, 0, 0);
	}
	out->len = (unsigned short)n;
	out->filter = insns;
	return 0;
}
