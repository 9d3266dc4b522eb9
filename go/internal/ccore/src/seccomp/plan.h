/* Internal to src/seccomp/: the pieces sl_seccomp_build() assembles. */
#ifndef SL_SECCOMP_PLAN_H
#define SL_SECCOMP_PLAN_H

#include <linux/filter.h>
#include <seccomp.h>
#include <stdbool.h>

#include "policy/policy.h"
#include "util/nrset.h"
#include "util/error.h"

/* A filter context: default allow, foreign architectures killed, binary
 * tree layout when libseccomp supports it. */
int sl_seccomp_new_ctx(scmp_filter_ctx *out, struct sl_error *e);

/* The argument filters of docs/behaviour.md 2.4 that return an errno, except
 * on syscalls p denies outright. */
int sl_seccomp_add_arg_filters(scmp_filter_ctx ctx, const struct sl_policy *p,
			       struct sl_error *e);
/* What socket() may create on AF_INET and AF_INET6 (inet_sockets.c);
 * part of sl_seccomp_add_arg_filters(). */
int sl_seccomp_add_inet_socket_rules(scmp_filter_ctx ctx,
				     const struct sl_policy *p,
				     struct sl_error *e);
/* What the kernel refuses where the supervisor cannot act on the
 * sandbox's descriptors (no pidfd_getfd: the modules' host hooks,
 * host_rules.c). */
int sl_seccomp_add_host_rules(scmp_filter_ctx ctx, const struct sl_policy *p,
			      struct sl_error *e);
/* Does some argument filter look at syscall nr? */
bool sl_seccomp_arg_filtered(long nr);
/* When the argument filters of nr each deny one bit of the same argument
 * (clone's namespace flags), *out receives the comparison matching
 * exactly the calls they let through ("none of those bits"), so that a
 * notification of nr can sit in the same program as the denials. False
 * when nr has no argument filter or filters of another shape. */
bool sl_seccomp_arg_complement(long nr, struct scmp_arg_cmp *out);

/* SECCOMP_RET_USER_NOTIF for every syscall of the set (non-blocking waits
 * excepted: they never need the supervisor; calls an argument filter
 * denies excepted where sl_seccomp_arg_complement() can say so). */
int sl_seccomp_add_notify(scmp_filter_ctx ctx, const struct sl_nrset *notify,
			  struct sl_error *e);

/* Export ctx as a malloc'd BPF program. */
int sl_seccomp_export(scmp_filter_ctx ctx, struct sock_fprog *out,
		      struct sl_error *e);

/* One program running first, then, where first would allow, then. */
int sl_seccomp_chain(const struct sock_fprog *first,
		     const struct sock_fprog *then, struct sock_fprog *out,
		     struct sl_error *e);

#endif
