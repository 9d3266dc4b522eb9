/*
 * The inside of a struct sl_run, shared by run.c (creation, signals,
 * teardown) and serve.c (the event loop, reaping and waiting).
 */
#ifndef SL_LAUNCH_RUN_IMPL_H
#define SL_LAUNCH_RUN_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "launch/capture.h"
#include "launch/launch.h"
#include "launch/run.h"
#include "launch/throttle.h"
#include "supervisor/evsrc.h"
#include "supervisor/supervisor.h"

struct sl_run {
	struct sl_sandbox *sb; /* referenced */
	char *name;
	struct sl_launch launch;
	pid_t pid;             /* also the process group id */
	bool started;

	/* the event loop: run on the caller's thread inside sl_run_wait,
	 * or on a thread of its own for live handles */
	int epfd;
	struct sl_evsrc pidfd; /* fd stays open until free */
	struct sl_capsrc cap[2];
	struct sl_supervisor *sv; /* NULL when not supervised */
	struct sl_throttle throttle;
	bool throttle_started;

	bool own_thread;
	pthread_t thread;
	bool thread_running;
	struct sl_evsrc wake;  /* eventfd: wakes the thread to stop it */
	atomic_bool stop;

	/* Guarded by lock: whether the leader has exited (its status is
	 * then known; it stays a zombie so its id keeps naming the group)
	 * and whether it was reaped (after which the group must never be
	 * signalled: its id may be reused), and for a threaded loop the
	 * "done" condition. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool exited;
	bool reaped;
	bool done;             /* exited and every capture at EOF */
	struct sl_status status;
	bool waited;           /* a wait completed: output was handed out */
};

/* Signal the group while it is ours; -ESRCH when it is empty or gone. */
int sl_run_kill_group(struct sl_run *r, int sig);
/* Reap the leader, waiting for it to exit (teardown, after SIGKILL). */
void sl_run_reap(struct sl_run *r);
/* Start the loop thread of a live handle. */
int sl_run_start_thread(struct sl_run *r, struct sl_error *e);
/* Stop and join it. */
void sl_run_stop_thread(struct sl_run *r);
/* The pidfd event source callback. */
void sl_run_on_pidfd(struct sl_evsrc *src, uint32_t events);

#endif
