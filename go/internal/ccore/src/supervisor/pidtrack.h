/*
 * The processes of a sandbox the supervisor has seen, each watched
 * through a pidfd in the run's epoll set, so that handler modules learn
 * when one of them exits (their pid_exit callback).
 */
#ifndef SL_SUPERVISOR_PIDTRACK_H
#define SL_SUPERVISOR_PIDTRACK_H

#include <sys/types.h>

struct sl_pidtrack;

typedef void (*sl_pid_exit_fn)(void *ctx, pid_t pid);

int sl_pidtrack_new(int epfd, sl_pid_exit_fn on_exit, void *ctx,
		    struct sl_pidtrack **out);
/* Watch pid (a process, or a thread on kernels with PIDFD_THREAD) unless
 * it is watched already. A task that is already gone is ignored. */
int sl_pidtrack_add(struct sl_pidtrack *t, pid_t pid);
/* Stop watching everything; no callback fires. */
void sl_pidtrack_free(struct sl_pidtrack *t);

#endif
