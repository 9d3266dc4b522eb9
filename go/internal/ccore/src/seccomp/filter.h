/*
 * The seccomp filter plan (docs/behaviour.md 2): one BPF program per built
 * policy, produced in the parent with libseccomp and exported to memory;
 * the child only installs it.
 *
 * Contents: the architecture check (anything else is killed), the deny
 * list (EPERM), the argument filters of 2.4 (namespace clone flags,
 * terminal/interface ioctls, dangerous prctls, raw and datagram IP
 * sockets, socket families) and SECCOMP_RET_USER_NOTIF for the
 * notification set. An argument-filter denial always wins over
 * notification: a syscall that is both notified and argument-filtered is
 * denied when its arguments match and notified otherwise.
 */
#ifndef SL_SECCOMP_FILTER_H
#define SL_SECCOMP_FILTER_H

#include <linux/filter.h>

#include "policy/policy.h"
#include "util/nrset.h"
#include "util/error.h"

/*
 * Build the program of p. notify may be NULL (or empty): a deny-only
 * filter. A syscall both denied and notified is a build error naming the
 * feature that needs it. out->filter is malloc'd: release with
 * sl_seccomp_free().
 */
int sl_seccomp_build(const struct sl_policy *p, const struct sl_nrset *notify,
		     struct sock_fprog *out, struct sl_error *e);
void sl_seccomp_free(struct sock_fprog *prog);

#endif
