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
#include "launch/freeze.h"
#include "launch/launch.h"
#include "launch/run.h"
#include "launch/throttle.h"
#include "supervisor/evsrc.h"
#include "supervisor/supervisor.h"

struct sl_run {
	struct sl_sandbox *sb; /* referenced */
	char *name;
	struct sl_launch launch;
	pid_t pid; /* the top-level process, its group's id */
	int pidfd; /* the top-level process (the table borrows it) */
	bool started;
	bool job_control; /* a stop of the top-level on a terminal signal
				* stops us the same way (sandlock run) */
	void (*interrupt)(void *arg); /* after a signal during a one-shot wait */
	void *interrupt_arg;

	/* the event loop: run on the caller's thread inside sl_run_wait,
	 * or on a thread of its own for live handles */
	int epfd;
	struct sl_evsrc keeper; /* the keeper's pidfd (launch's): it died */
	struct sl_capsrc cap[2];
	struct sl_supervisor *sv;   /* NULL when not supervised */
	struct sl_modlist mods;	    /* the policy's modules and the run's own */
	struct sl_freezer *freezer; /* NULL when the run never freezes */
	struct sl_throttle throttle;
	bool throttle_started;

	bool own_thread;
	struct sl_cow_branch *cow; /* the options', borrowed */
	pthread_t thread;
	bool thread_running;
	struct sl_evsrc wake; /* launch's eventfd: the keeper reports, or the
				* thread is asked to stop */
	atomic_bool stop;
	uint32_t keeper_events; /* last sl_keeper_state.events handled */

	/* Held while an event is handled and by other threads that signal
	 * the sandbox: the process table is used by one thread at a time. */
	pthread_mutex_t serve_lock;

	/* Guarded by lock: whether the top-level process has ended (its
	 * status is then known, as the keeper published it) and for a
	 * threaded loop the "done" condition. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool exited;
	bool done; /* exited and every capture at EOF */
	struct sl_status status;
	bool waited;  /* a wait completed: output was handed out */
	bool waiting; /* a thread is inside sl_run_wait */
};

/* Signal every process of the sandbox (the caller holds serve_lock). */
void sl_run_signal_locked(struct sl_run *r, int sig);
/* Start the loop thread of a live handle. */
int sl_run_start_thread(struct sl_run *r, struct sl_error *e);
/* Stop and join it. */
void sl_run_stop_thread(struct sl_run *r);
/* Event source callbacks: the keeper reported, the keeper died. */
void sl_run_on_wake(struct sl_evsrc *src, uint32_t events);
void sl_run_on_keeper(struct sl_evsrc *src, uint32_t events);
/* The top-level's end as the keeper published it (after a wake). */
void sl_run_collect(struct sl_run *r);

#endif
