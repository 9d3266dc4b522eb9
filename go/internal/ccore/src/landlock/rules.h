/* Internal to src/landlock/: the steps that fill a ruleset. */
#ifndef SL_LANDLOCK_RULES_H
#define SL_LANDLOCK_RULES_H

#include "landlock/landlock.h"

/* An empty ruleset handling what plan says (fd is O_CLOEXEC). */
int sl_landlock_new_ruleset(const struct sl_landlock_plan *plan, int *fd,
			    struct sl_error *e);
/* fs_write then fs_read grants (inside p->chroot when set). */
int sl_landlock_add_fs_grants(int fd, const struct sl_landlock_plan *plan,
			      const struct sl_policy *p, struct sl_error *e);
/* The same for a supervised sandbox: each grant leaves out its holes
 * (fs/holes.h), which the kernel then refuses and the supervisor serves
 * where the policy allows them. */
int sl_landlock_add_supervised_grants(int fd,
				      const struct sl_landlock_plan *plan,
				      const struct sl_policy *p,
				      struct sl_error *e);
/* GPU device nodes of docs/behaviour.md 4.8 (missing nodes ignored). */
int sl_landlock_add_gpu_grants(int fd, const struct sl_landlock_plan *plan,
			       const struct sl_policy *p, struct sl_error *e);
/* TCP bind and connect port rules (only rights the plan handles). */
int sl_landlock_add_tcp_rules(int fd, const struct sl_landlock_plan *plan,
			      const struct sl_policy *p, struct sl_error *e);

/* NO_NEW_PRIVS plus landlock_restrict_self() on every thread of the
 * calling process (all_threads.c). */
int sl_landlock_restrict_all_threads(int ruleset_fd, int abi,
				     struct sl_error *e);

#endif
