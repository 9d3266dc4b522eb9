/*
 * The serving loop of a run: wait on the run's epoll set and on the
 * supervisor's listener, and hand each ready source to its on_event, one
 * at a time. What belongs to the run (the timers it drives, when serving
 * ends, what a host signal means) comes in through callbacks; the run
 * (src/launch/serve.c) decides where the loop runs: inside a one-shot
 * wait on the caller's thread, or on a live handle's own thread.
 *
 * No host signal may interrupt a kernel call of the supervisor in a way
 * that changes what the child sees (an interrupted ADDFD with SEND has
 * already answered its notification): the loop blocks every signal while
 * it handles events and waits in ppoll with the caller's own mask, so the
 * caller's handlers run only while nothing is in progress.
 */
#ifndef SL_SUPERVISOR_LOOP_H
#define SL_SUPERVISOR_LOOP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct sl_supervisor;

struct sl_loop {
	int epfd;		  /* the run's epoll set of event sources */
	struct sl_supervisor *sv; /* its listener is polled too; NULL: none */
	pthread_mutex_t *lock;	  /* held around tick and every event */
	/* Before each wait, with lock held: do what is due at now
	 * (CLOCK_MONOTONIC, ns) and return when something next is
	 * (UINT64_MAX: never). */
	uint64_t (*tick)(void *arg, uint64_t now);
	/* After tick, without lock: true ends serving. */
	bool (*finished)(void *arg);
	/* A host signal interrupted the wait (may be NULL). */
	void (*interrupted)(void *arg);
	void *arg;
};

/* Serve until finished() holds, or the deadline (CLOCK_MONOTONIC, ns; 0 =
 * none) passes: 0, -ETIMEDOUT, or -errno when the wait failed. */
int sl_loop_serve(const struct sl_loop *l, uint64_t deadline);

#endif
