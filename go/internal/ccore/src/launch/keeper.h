/*
 * The keeper: one small process per sandbox, between the host and the
 * sandboxed child, alive for the whole run.
 *
 * The host clones it with CLONE_VM (it runs on a private stack in our
 * memory, raw syscalls only, like the child) and exit signal 0, so the
 * host's waitpid(-1), SIGCHLD handlers and SIGCHLD=SIG_IGN auto-reaping
 * never see or reap it (only a __WALL/__WCLONE wait does). It makes
 * itself a child subreaper, keeps only the descriptors it and the child
 * need, and clones the sandboxed child. From then on every process the
 * sandbox creates is its descendant, orphans included: membership is
 * structural, whatever session, group or parent a process chose.
 *
 * It reaps orphans and the top-level child, publishing the child's end
 * and stops in struct sl_keeper_state (shared memory) and waking the host
 * through an eventfd. It never restricts itself, so the sandbox (whose
 * Landlock domain scopes signals) cannot kill it. It watches the host
 * process through a pidfd: when the host dies, or when told to, it kills
 * every descendant (repeatedly SIGKILLing its own unreaped children, so
 * no pid it signals can have been reused) and exits once it has none.
 */
#ifndef SL_LAUNCH_KEEPER_H
#define SL_LAUNCH_KEEPER_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "launch/child.h"

/* Commands of the host (sl_keeper_state.cmd). */
enum sl_keeper_cmd {
	SL_KEEPER_RUN = 0,
	SL_KEEPER_KILL = 1, /* kill every descendant, keep serving */
	SL_KEEPER_EXIT = 2, /* kill every descendant, exit when none is left */
};

/* Written by the keeper, read by the host after a wake-up. */
struct sl_keeper_state {
	_Atomic uint32_t cmd;	  /* enum sl_keeper_cmd, set by the host */
	_Atomic int32_t child;	  /* pid of the child; -errno if clone failed */
	_Atomic uint32_t exited;  /* the child ended: code and status valid.
				   * Set before the child is reaped, so a
				   * pidfd the host opened while it was 0
				   * names the child. */
	int32_t code;		  /* si_code of the end (CLD_EXITED, ...) */
	int32_t status;		  /* si_status */
	_Atomic uint32_t stopped; /* the child is stopped by stop_sig */
	_Atomic int32_t stop_sig;
	_Atomic uint32_t events; /* bumped on every change above */
};

/*
 * Freezing (docs/lifecycle.md): while an exec's argv is read and decided,
 * the keeper holds every other task of the sandbox in a ptrace stop its
 * real parent does not see (PTRACE_SEIZE, PTRACE_INTERRUPT), and the
 * exec'ing task seized without a stop, so that once its exec is let
 * through the others are released only after it has left the exec (it
 * stops after it: the exec event, or any stop on its way back).
 *
 * One request at a time: the host fills op and its arguments, bumps
 * seq and signals the keeper; the keeper sets done = seq when the
 * request is complete and wakes the host.
 */
#define SL_FREEZE_MAX 1024

enum sl_freeze_op {
	SL_FREEZE_STOP = 1,    /* seize `watch` (no stop), stop tids[0..n) */
	SL_FREEZE_RELEASE = 2, /* after the answer: let everything go (once
				* the watched exec is over, if continued) */
};

struct sl_freeze_traced {
	int32_t tid;
	uint32_t state; /* keeper.c */
	int32_t sig;	/* a signal to hand back at detach */
};

struct sl_freeze_area {
	_Atomic uint32_t seq;  /* host: one more per request */
	_Atomic uint32_t done; /* keeper: = seq once it is complete */
	uint32_t op;	       /* enum sl_freeze_op */
	int32_t watch;	       /* STOP: the exec'ing task (0: none) */
	uint32_t continued;    /* RELEASE: its exec was let through */
	uint32_t n;
	int32_t tids[SL_FREEZE_MAX];
	int32_t err;		 /* keeper: 0, or -errno of a task it could
				* not seize (EPERM: ptrace refused) */
	_Atomic uint32_t cancel; /* host: stop waiting for this request */
	/* the keeper's own */
	uint32_t busy;
	uint32_t ntraced;
	struct sl_freeze_traced traced[SL_FREEZE_MAX + 2];
};

#define SL_KEEPER_MAX_KEEP 8

struct sl_keeper_spec {
	struct sl_keeper_state *st;
	struct sl_child_spec *child;
	char *child_stack_top;
	unsigned long child_flags; /* clone flags of the child */
	void *tls;		   /* private thread pointer for both */
	pid_t host_pid;
	int event_fd;		      /* eventfd: wakes the host */
	int keep[SL_KEEPER_MAX_KEEP]; /* fds the child needs, sorted */
	int nkeep;
	struct sl_freeze_area *freeze; /* NULL: the run never freezes */
};

/* Entry point for clone(): never returns. */
int sl_keeper_main(void *spec);

/* Clone with a fresh stack from code that must not touch libc state:
 * the new task runs fn(arg) and exits with its value. Returns the pid,
 * or -errno. */
long sl_raw_clone(unsigned long flags, void *stack_top, int *parent_tid,
		  void *tls, int (*fn)(void *), void *arg);

#endif
