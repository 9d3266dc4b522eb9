/*
 * The policy callback (docs/abi.md 3.12, docs/behaviour.md 13.4): the `policy` module
 * is the gate of the dispatch (supervisor/dispatch.h). It sees every
 * notification once the built-in modules have decided, turns it into an
 * event for the host's callback, and
 *
 *   - holds the calls the callback decides (exec, opens, connect, bind,
 *     sends) until its verdict, without blocking the event loop: the
 *     notification is parked, and resumed or refused when the verdict
 *     comes back, or refused with EPERM after 5 s. Modules that would act
 *     with side effects (an on-behalf open that creates, a connect, a
 *     send) ask the gate first (sl_supervisor_gate_first), so that a
 *     refused call leaves no trace; the approval is bound to the
 *     destination the callback saw;
 *   - reports every other call fire-and-forget, through a bounded queue
 *     (events are dropped, and counted, when the callback cannot keep up).
 *
 * The callback runs on a thread of its own per run, one event at a time,
 * with a context through which it changes the live policy (live.h).
 */
#ifndef SL_HANDLERS_POLICY_H
#define SL_HANDLERS_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "handlers/live.h"
#include "net/ip.h"
#include "supervisor/dispatch.h"

extern const struct sl_handler_module sl_module_policy;

/* Event categories (docs/abi.md 2.3). */
enum {
	SL_EV_FILE = 0,
	SL_EV_NETWORK = 1,
	SL_EV_PROCESS = 2,
	SL_EV_MEMORY = 3,
};

/* Longest argv an exec event carries (entries, bytes in all): beyond,
 * the exec is refused rather than decided on part of its argv. */
#define SL_EV_MAX_ARGC 4096
#define SL_EV_MAX_ARGV_BYTES (2u << 20)

/* Who answered a held call: the callback thread itself (when only the
 * answer was left), or the event loop (its verdict, or the 5 s limit). */
enum {
	SL_EV_UNANSWERED = 0,
	SL_EV_BY_THREAD = 1,
	SL_EV_BY_LOOP = 2,
};

/* One event for the callback (the fields of sandlock_event_t, owned). */
struct sl_pevent {
	struct sl_pevent *next;
	uint64_t id;	 /* the notification's */
	bool held;	 /* its verdict decides the call */
	int32_t verdict; /* the callback's return value */
	/* held, and only the answer is left: the thread answers at once,
	 * allowed with `allowed` (CONTINUE or a value), else the errno */
	bool direct;
	bool quiet; /* ... and then nothing but freeing is left: the
			   * loop is not woken for it */
	struct sl_action allowed;
	struct sl_action sent;	/* what the thread answered */
	_Atomic uint32_t claim; /* SL_EV_*: who answers */
	const char *syscall;
	uint8_t category;
	uint32_t pid, ppid;
	bool has_host;
	char host[SL_IP_STRLEN];
	uint16_t port;
	bool denied;
	char **argv; /* exec: argc strings, then NULL */
	uint32_t argc;
};

void sl_pevent_free(struct sl_pevent *ev);

/* Name and category of syscall nr as events report them (docs/behaviour.md
 * 13.4: openat2 and open are "openat", rmdir "unlinkat", ...); "unknown"
 * for a syscall without a name of its own. */
const char *sl_pevent_name(int nr, uint8_t *category);
/* Is nr a call whose verdict decides it (held)? */
bool sl_pevent_held(int nr);
/* The syscalls of the policy_fn row of docs/behaviour.md 2.5. */
void sl_pevent_syscalls(struct sl_nrset *set);

/* Fill ev from notification n: pid, parent, destination (dest: the one
 * a module acts on; else read from the child), argv of an exec (-E2BIG:
 * too long to decide on). */
int sl_pevent_fill(struct sl_pevent *ev, const struct sl_notif *n,
		   const void *dest, uint32_t dlen);

/* ---- the callback thread (policy_thread.c) ------------------------------ */

struct sl_pqueue;
struct sl_policy_cb;

/* Start the thread for callback cb (referenced) with the live policy
 * (referenced); listener: the seccomp listener it answers direct events
 * on (duplicated). */
int sl_pqueue_new(struct sl_policy_cb *cb, struct sl_live *live, int listener,
		  struct sl_pqueue **out);
/* docs/abi.md 2.3: the answer a verdict gives a held call allowed with a. */
void sl_pevent_answer(int32_t verdict, const struct sl_action *allowed,
		      struct sl_action *out);
/* Readable when verdicts of held events are ready. */
int sl_pqueue_fd(const struct sl_pqueue *q);
/* Queue ev (taken). Events not held are dropped, and counted, when too
 * many wait. -EPIPE when the thread is gone (a held event then cannot be
 * decided). */
int sl_pqueue_push(struct sl_pqueue *q, struct sl_pevent *ev);
/* The held events decided since the last call, in order. */
struct sl_pevent *sl_pqueue_verdicts(struct sl_pqueue *q);
/* Are decided events waiting that did not wake the loop? */
bool sl_pqueue_quiet_pending(struct sl_pqueue *q);
/* Observation events dropped so far. */
uint64_t sl_pqueue_dropped(struct sl_pqueue *q);
/* Stop the thread (a callback still running is waited for a short while,
 * then left to finish alone: it keeps its references) and let go. */
void sl_pqueue_close(struct sl_pqueue *q);

#endif
