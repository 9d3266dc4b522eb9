/* The steps of sl_policy_build(), one file each. Each validates its part
 * of the raw settings and fills the derived fields; 0 or -errno. */
#ifndef SL_POLICY_BUILD_H
#define SL_POLICY_BUILD_H

#include "policy/policy.h"

/* extra_deny/extra_allow -> deny_syscalls, allow_sysv_ipc (docs/behaviour.md 0 items 1-3). */
int sl_build_syscalls(struct sl_policy *p, struct sl_error *e);
/* net_allow/net_deny and bind specs -> rules and port sets (docs/behaviour.md 0 items 11-12). */
int sl_build_network(struct sl_policy *p, struct sl_error *e);
/* HTTP settings and rules (docs/behaviour.md 0 items 7-10). */
int sl_build_http(const struct sl_policy *p, struct sl_error *e);

#endif
