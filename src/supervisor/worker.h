/*
 * Workers: operations a module performs on a child's behalf that may wait
 * (a FIFO's open waits for its other end, an open behind a file lease for
 * the lease's holder, network and FUSE filesystems for their servers) run
 * off the event loop, so that the supervisor never blocks on a child's
 * behalf and timeouts fire on time. The module answers its notification
 * SL_ACT_HOLD and submits a job; a worker runs it and answers the
 * notification itself.
 *
 * The workers of a run are created on first use (a few at most) with
 * every signal blocked and a filesystem table of their own
 * (unshare(CLONE_FS)), so that a worker may take a child's umask. They
 * share the process's fd table: the run's state they decide with (the
 * pidfds of its processes) lives there and keeps changing; what they
 * open is closed again when they answer, as on the event loop. They
 * answer through a copy of the listener of their own, valid as long as
 * one of them runs. A job whose operation leaves the call to what comes
 * after its module in the dispatch (the policy gate, custom handlers)
 * sets back instead of answering: the event loop goes on from there.
 *
 * A waiting job is abandoned when its notification is withdrawn (the task
 * died or took a signal): the event loop checks the jobs in flight every
 * 50 ms and cancels a blocked open by opening the other end of its FIFO,
 * non-blockingly. At the end of the run the jobs are cancelled and the
 * workers joined; one stuck in a filesystem that cannot be interrupted is
 * left to finish on its own, and touches no state of the run afterwards
 * (sl_worker_hold_run).
 */
#ifndef SL_SUPERVISOR_WORKER_H
#define SL_SUPERVISOR_WORKER_H

#include <linux/seccomp.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

struct sl_workers;

struct sl_worker_job {
	/* In a worker: perform the operation and answer req (through the
	 * worker's listener); then free is called. */
	void (*run)(struct sl_worker_job *j, int listener);
	void (*free)(struct sl_worker_job *j);
	/* Set by run instead of answering: called on the event loop (then
	 * free), for a decision the dispatch must go on with. */
	void (*back)(struct sl_worker_job *j);
	struct seccomp_notif req; /* a copy of the notification */

	/* the pool's (set by sl_workers_submit) */
	struct sl_workers *pool;
	struct sl_worker_job *next;
	pid_t tid;	  /* the worker running it */
	bool own_fs;	  /* ... whose umask is its own to set */
	int cancel_fd;	  /* while blocked: the FIFO to open ... */
	int cancel_flags; /* ... with these flags to unblock it */
	bool running, cancelled;
};

int sl_workers_new(int listener, int epfd, struct sl_workers **out);
/* Cancel, join (or abandon the stuck), release. */
void sl_workers_free(struct sl_workers *w);

/* Queue j; 0, or -EAGAIN when too many jobs wait already (the caller
 * then answers the notification itself). */
int sl_workers_submit(struct sl_workers *w, struct sl_worker_job *j);

/* In a job, around a call that may block: opening fd (of this worker)
 * with flags unblocks it. */
void sl_worker_cancellable(struct sl_worker_job *j, int fd, int flags);
void sl_worker_uncancellable(struct sl_worker_job *j);
/* The notification was withdrawn or the run ends: give up. */
bool sl_worker_cancelled(struct sl_worker_job *j);

/* Around everything a job does with the run's state (module state, the
 * supervisor): false when the run is gone (then leave at once, touching
 * nothing of it). Not held across a call that may block. */
bool sl_worker_hold_run(struct sl_worker_job *j);
void sl_worker_release_run(struct sl_worker_job *j);

/* Is the calling thread one of the workers? (They may not touch the
 * state the event loop changes without a lock, the process table.) */
bool sl_worker_thread(void);

#endif
