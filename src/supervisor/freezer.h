/*
 * Holding a sandbox still while an exec is decided (docs/behaviour.md 13.4): the
 * supervisor's view of the run's freezer. The run implements it with the
 * keeper as the ptrace tracer (launch/freeze.c, docs/lifecycle.md); the
 * exec modules use it through sl_supervisor_freezer().
 */
#ifndef SL_SUPERVISOR_FREEZER_H
#define SL_SUPERVISOR_FREEZER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct sl_freezer_ops {
	/* Stop every task of the sandbox that could change what the
	 * exec'ing task tid (notification id) reads: its other threads
	 * and every other process (memory can be shared), tid excepted;
	 * then done(arg, 0), or done(arg, 1) when nothing had to be held
	 * (the request is then over: no thaw is needed), or done(arg,
	 * -errno) when they cannot all be held (ptrace refused, a task that does not stop within 5 s, the
	 * notification withdrawn). One freeze at a time: later requests
	 * wait their turn. Called on the run's loop; done too. */
	int (*freeze)(void *ctx, pid_t tid, uint64_t id,
		      void (*done)(void *arg, int r), void *arg);
	/* The exec of request arg was answered (continued: let through):
	 * release everything (once the exec is over, if let through), or
	 * drop the request if it still waits its turn. */
	void (*thaw)(void *ctx, void *arg, bool continued);
	void *ctx;
};

#endif
