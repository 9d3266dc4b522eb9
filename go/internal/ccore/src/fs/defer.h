/*
 * Handing a filesystem operation to a worker (supervisor/worker.h) when
 * doing it on the event loop would wait: the operation is a function of
 * a call context; on the loop it runs with nonblock set and returns
 * -EAGAIN where it would wait, then runs again in a worker, from the
 * start (its own fds, the child's credentials read afresh, nothing shared
 * with the loop's attempt), and its result answers the notification.
 */
#ifndef SL_FS_DEFER_H
#define SL_FS_DEFER_H

#include "fs/view.h"

/* Decide or perform; 0 with out set, or -errno to answer. In a worker
 * the run may end while fn waits in the kernel: fn uses the run's state
 * only through the view's functions (which then fail with -ECANCELED),
 * and its own flags. */
typedef int (*sl_fs_op_fn)(struct sl_fs_call *c, unsigned flags,
			   struct sl_action *out);

/* Run fn on the loop; if it would wait, in a worker. Returns 0 with out
 * set (SL_ACT_HOLD when deferred). */
int sl_fs_run(struct sl_fs_view *v, const struct sl_notif *n, sl_fs_op_fn fn,
	      unsigned flags, struct sl_action *out);
/* The same with the credentials of creds on the loop (NULL: the view's).
 * An operation that goes to a worker is one the policy gate approved
 * first (a worker acts at once). */
int sl_fs_run_creds(struct sl_fs_view *v, const struct sl_notif *n,
		    sl_fs_op_fn fn, unsigned flags,
		    struct sl_creds_cache *creds, struct sl_action *out);

/* Before an operation with side effects (an on-behalf open that may
 * create or truncate, a staged copy, a rewrite of the child's memory):
 * true with out set when the policy gate must approve first; fn is then
 * run again, from the start, once it has. A worker's run was approved
 * before it was handed over. */
bool sl_fs_call_gate(struct sl_fs_call *c, struct sl_action *out);

#endif
