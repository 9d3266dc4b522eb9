/*
 * The run's freezer (supervisor/freezer.h) on top of the keeper: the
 * host lists the tasks to hold (every thread of every process of the
 * process table but the exec'ing one, and the vfork parent that cannot
 * run before that exec is over), the keeper seizes and stops them
 * (launch/keeper.h), and the list is taken again until no task is new
 * (a fork let through just before cannot slip by). Everything runs on
 * the run's loop: the keeper's answers arrive through its event fd.
 */
#ifndef SL_LAUNCH_FREEZE_H
#define SL_LAUNCH_FREEZE_H

#include "launch/launch.h"
#include "supervisor/freezer.h"
#include "supervisor/supervisor.h"

struct sl_freezer;

/* A freezer for the run of l (whose keeper has a freeze area), on the
 * run's loop epfd. */
int sl_freezer_new(struct sl_launch *l, int epfd, struct sl_freezer **out);
/* The process table it lists tasks from (set once the supervisor
 * exists). */
void sl_freezer_attach(struct sl_freezer *fz, struct sl_supervisor *sv);
const struct sl_freezer_ops *sl_freezer_ops(struct sl_freezer *fz);
/* The keeper woke the host: a request may be complete. */
void sl_freezer_keeper_event(struct sl_freezer *fz);
/* Fails the requests still waiting (the run ends). */
void sl_freezer_free(struct sl_freezer *fz);

/* Can this process hold the sandbox's tasks with ptrace at all? 0, or
 * -EPERM with the reason (ptrace or kcmp refused, the Yama setting) in e: a policy that needs
 * freezing says so when it is built. */
int sl_freezer_possible(struct sl_error *e);

#endif
