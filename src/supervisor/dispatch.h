/*
 * Notification dispatch: how features plug into the supervisor.
 *
 * Each feature that needs seccomp user notification is one handler module
 * (src/handlers/<feature>.c) described by a struct sl_handler_module. The
 * module says whether the policy activates it and which syscalls it needs
 * notified; the seccomp plan notifies exactly the union of the active
 * modules' syscalls (nothing else), and the supervisor routes each
 * notification through the active modules registered for that syscall, in
 * registry order. The first non-CONTINUE action wins; if every module
 * continues, the syscall proceeds in the kernel (still under Landlock and
 * the BPF deny list).
 *
 * Adding a feature = writing a module and adding one line to
 * src/handlers/registry.c. The supervisor itself has no per-syscall code.
 *
 * A notification goes through three phases: the built-in modules; the
 * policy gate (a module with a gate hook: the policy callback), which
 * sees every decision and may hold a call until the callback answers;
 * then the modules marked after_gate (the user's own handlers), only
 * when every built-in continued. The list of modules is per run: the
 * policy's active modules plus those a run adds (sl_modlist).
 */
#ifndef SL_SUPERVISOR_DISPATCH_H
#define SL_SUPERVISOR_DISPATCH_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy/policy.h"
#include "util/hostperm.h"
#include "util/nrset.h"

struct sl_fs_built;

struct sl_supervisor;

enum sl_action_kind {
	SL_ACT_CONTINUE = 0, /* no objection: next module, then the kernel */
	SL_ACT_ERRNO,	     /* fail the syscall with -error */
	SL_ACT_VALUE,	     /* skip the syscall, return value */
	SL_ACT_INJECT_SEND,  /* install srcfd in the child as the return value
			      * (ADDFD + SEND); the supervisor closes srcfd */
	SL_ACT_HOLD,	     /* send no response now (module answers later) */
	SL_ACT_GATE,	     /* (sl_supervisor_gate_first) the policy gate
			      * must approve before the module acts */
};

struct sl_action {
	enum sl_action_kind kind;
	int error;	      /* SL_ACT_ERRNO: positive errno */
	int64_t value;	      /* SL_ACT_VALUE */
	int srcfd;	      /* SL_ACT_INJECT_SEND */
	uint32_t newfd_flags; /* SL_ACT_INJECT_SEND: e.g. O_CLOEXEC */
};

/* Scratch shared by the modules of one notification's chain: the first
 * module that decodes its path arguments (src/fs/) stores the request
 * here, so every later module sees the same one; the supervisor calls
 * release(fs) after the chain. */
struct sl_notif_cache {
	void *fs;
	void (*release)(void *fs);
};

struct sl_parked;

/* One notification as seen by a module. */
struct sl_notif {
	const struct seccomp_notif *req;
	int listener; /* the seccomp listener fd */
	struct sl_supervisor *sv;
	struct sl_notif_cache *cache; /* may be NULL outside the supervisor */
	/* set by the supervisor's dispatch (zero elsewhere) */
	struct sl_parked *parked; /* resumed after a park, else NULL */
	uint32_t pos;		  /* chain position of the module asked */
	bool gate_pending;	  /* the gate has not approved this call yet */
};

/* What the gate phase sees: the decision so far (SL_ACT_GATE: a module
 * waits for approval before it acts) and the destination the module
 * acts on (connect, bind, sends; NULL otherwise). */
struct sl_gate_req {
	const struct sl_notif *n;
	struct sl_action *a;
	const void *dest;
	uint32_t dlen;
};

/* A notification kept across a wait (sl_supervisor_park): everything its
 * dispatch needs to go on later, from another event of the loop. */
struct sl_parked {
	struct seccomp_notif req;
	struct sl_notif_cache cache;
	uint32_t resume;    /* chain position to continue from */
	bool past_gate;	    /* the gate phase is over ... */
	struct sl_action a; /* ... with the built-ins' decision */
	bool approved;	    /* the gate approved: gated modules act */
	uint8_t dest[128];  /* the destination the approval is bound to */
	uint32_t dlen;
	/* around the answer (the exec freeze): before it is sent, after */
	void (*answering)(void *arg, struct sl_parked *pk,
			  const struct sl_action *a);
	void (*answered)(void *arg, struct sl_parked *pk,
			 const struct sl_action *a);
	void *hook_arg;
};

struct sl_handler_module {
	const char *name;
	/* Does this policy need the module? */
	bool (*active)(const struct sl_policy *p);
	/* Add the syscalls the module must see (called only when active). */
	void (*syscalls)(const struct sl_policy *p, struct sl_nrset *set);
	/* Per-run state; may be NULL. Return 0 or -errno. */
	int (*init)(struct sl_supervisor *sv, const struct sl_policy *p,
		    void **state);
	/* Decide one notification. out arrives as CONTINUE. Return 0, or
	 * -errno on an internal failure (the supervisor then fails the
	 * syscall with that errno: fail closed). */
	int (*handle)(void *state, const struct sl_notif *n,
		      struct sl_action *out);
	/* A process of the sandbox has exited (reaped or seen dead). */
	void (*pid_exit)(void *state, pid_t pid);
	void (*fini)(void *state);
	/* A process joined the sandbox's process table; parent is the
	 * member that created it, 0 when unknown (an orphan). */
	void (*pid_new)(void *state, pid_t pid, pid_t parent);
	/* The gate phase (one module: the policy callback): called for
	 * every notification once the built-ins have decided. 0: go on;
	 * 1: hold it (the supervisor parks it and hands it to gate_held,
	 * whose owner later resumes or answers it); -errno: fail it. */
	int (*gate)(void *state, const struct sl_gate_req *g);
	void (*gate_held)(void *state, struct sl_parked *pk,
			  const struct sl_gate_req *g);
	/* Syscalls whose side effects the gate approves first: a module
	 * about to act on one asks sl_supervisor_gate_first(). */
	void (*gated)(const struct sl_policy *p, struct sl_nrset *set);
	/* Runs after the gate, only when every built-in continued. */
	bool after_gate;
	/* Where the environment refuses a call the module acts with
	 * (util/hostperm.h, docs/containers.md): host_check refuses the
	 * settings the module cannot keep (-EPERM naming them,
	 * sl_host_require; else 0), host_denials adds to d what the filter
	 * must refuse in the module's place (0 or -ENOSPC). Asked of every
	 * module, active or not; either may be NULL. */
	int (*host_check)(const struct sl_policy *p, struct sl_error *e);
	int (*host_denials)(const struct sl_policy *p,
			    struct sl_host_denials *d);
};

/* NULL-terminated, in chain order (src/handlers/registry.c). */
extern const struct sl_handler_module *const sl_handler_modules[];

/* The modules of a policy or of one run, in chain order. A module a run
 * adds itself carries its argument (sl_supervisor_module_arg) and the
 * syscalls it needs in that run (nrs; NULL: ask its syscalls()). */
struct sl_modref {
	const struct sl_handler_module *m;
	void *arg;
	const struct sl_nrset *nrs;
};

struct sl_modlist {
	struct sl_modref *v;
	size_t n;
};

int sl_modlist_add(struct sl_modlist *l, const struct sl_handler_module *m,
		   void *arg, const struct sl_nrset *nrs);
int sl_modlist_copy(const struct sl_modlist *from, struct sl_modlist *to);
bool sl_modlist_has(const struct sl_modlist *l,
		    const struct sl_handler_module *m);
void sl_modlist_remove(struct sl_modlist *l, const struct sl_handler_module *m);
void sl_modlist_free(struct sl_modlist *l);

/* The modules active for p, in registry order. Deciding may look at the
 * file system (fsdeny resolves the grants), so a built policy decides
 * once and its runs reuse the answer: the modules that supervise are then
 * exactly those whose syscalls the filter notifies. 0 or -ENOMEM. */
int sl_handlers_active(const struct sl_policy *p, struct sl_modlist *out);
/* Union of the syscalls the modules of l need notified. */
void sl_handlers_notify_set_of(const struct sl_modlist *l,
			       const struct sl_policy *p, struct sl_nrset *set);
/* The same for the modules p activates. */
void sl_handlers_notify_set(const struct sl_policy *p, struct sl_nrset *set);
/* Every module's host_check, in registry order: 0, or the first refusal. */
int sl_handlers_host_check(const struct sl_policy *p, struct sl_error *e);
/* Every module's host_denials into d: 0, or -ENOSPC. */
int sl_handlers_host_denials(const struct sl_policy *p,
			     struct sl_host_denials *d);

/* ---- services the supervisor offers to modules ------------------------ */
pid_t sl_supervisor_root_pid(const struct sl_supervisor *sv);
const struct sl_policy *sl_supervisor_policy(const struct sl_supervisor *sv);
/* What the child's Landlock ruleset built around the entries it leaves
 * out (fs/holes.h), or NULL. */
const struct sl_fs_built *sl_supervisor_ruleset(const struct sl_supervisor *sv);
/* The sandbox name (the virtual hostname). */
const char *sl_supervisor_name(const struct sl_supervisor *sv);
/* Is pid (a thread or process id) a live process of this sandbox? The one
 * membership test every module uses (/proc/<pid> denial, pid arguments,
 * limits); false when it cannot be established (fail closed). A worker
 * may ask too: its answer leaves the process table untouched. */
bool sl_supervisor_is_member(const struct sl_supervisor *sv, pid_t pid);

/* The run's copy-on-write branch (cow/cow.h), NULL without a workdir. */
struct sl_cow_branch *sl_supervisor_cow(const struct sl_supervisor *sv);

/* The sandbox's process table (supervisor/proctab.h): lookup of pids,
 * enumeration, signals through pidfds, fork bookkeeping. */
struct sl_proctab *sl_supervisor_proctab(const struct sl_supervisor *sv);

/* A module killed a process for a reason the run's result reports. */
enum sl_cause {
	SL_CAUSE_NONE = 0,
	SL_CAUSE_MEMORY_LIMIT = 1,
};
void sl_supervisor_note_cause(struct sl_supervisor *sv, uint32_t cause);

/* Answering later. A module that returns SL_ACT_HOLD keeps the
 * notification and answers it itself, from the supervisor's thread, once
 * an event source it added to the run's epoll set (supervisor/evsrc.h;
 * removed by the module before it is freed) says the operation is done.
 * The supervisor never blocks on the sandbox's behalf. */
int sl_supervisor_epfd(const struct sl_supervisor *sv);
/* The seccomp listener (to answer from another thread; borrowed). */
int sl_supervisor_listener_fd(const struct sl_supervisor *sv);
void sl_supervisor_respond(struct sl_supervisor *sv, uint64_t id,
			   const struct sl_action *a);

/* The run's workers (supervisor/worker.h), created on first use; NULL
 * when they cannot be. Off-loop answers to held notifications. */
struct sl_workers *sl_supervisor_workers(struct sl_supervisor *sv);

/* Is module m active in this run (whether or not initialised yet)? */
bool sl_supervisor_module_active(const struct sl_supervisor *sv,
				 const struct sl_handler_module *m);

/* The state of module m in this run (modules that share state look up
 * the one that owns it; m must come earlier in the chain to be
 * initialised already). NULL when m is not active. */
void *sl_supervisor_module_state(const struct sl_supervisor *sv,
				 const struct sl_handler_module *m);

/* The run's freezer (supervisor/freezer.h), NULL when it has none. */
const struct sl_freezer_ops *
sl_supervisor_freezer(const struct sl_supervisor *sv);

/* The argument a run gave module m (sl_modref), NULL if none. */
void *sl_supervisor_module_arg(const struct sl_supervisor *sv,
			       const struct sl_handler_module *m);

/* ---- parking: a notification that waits for another event ----------- */

/* From a module's handle: keep n to continue its dispatch later, from
 * this module again (again: it is asked a second time) or from the next
 * one. The module then answers SL_ACT_HOLD, and later calls
 * sl_supervisor_resume() or sl_supervisor_answer(). NULL when out of
 * memory. */
struct sl_parked *sl_supervisor_park(struct sl_supervisor *sv,
				     const struct sl_notif *n, bool again);
/* Go on with a parked notification's dispatch (it is freed once
 * answered). */
void sl_supervisor_resume(struct sl_supervisor *sv, struct sl_parked *pk);
/* Answer a parked notification with a (an injected fd of its own
 * decision is closed) and free it. */
void sl_supervisor_answer(struct sl_supervisor *sv, struct sl_parked *pk,
			  const struct sl_action *a);

/* Is only the answer left of a parked notification (the gate decided,
 * nothing of the chain is to run, no hook before the answer)? Then
 * another thread may send it (sl_notif_respond) and hand the rest to
 * sl_supervisor_answered(). */
bool sl_supervisor_parked_final(const struct sl_supervisor *sv,
				const struct sl_parked *pk);
/* Answer a was sent already: what follows the answer, then free. */
void sl_supervisor_answered(struct sl_supervisor *sv, struct sl_parked *pk,
			    const struct sl_action *a);

/* Before an action with side effects on a call the policy gate holds
 * (connect, bind, sends, opens): true when the module must stop here,
 * out set (to wait for the gate's approval, or refused because the
 * destination differs from the one approved); false to go on and act.
 * dest/dlen: the destination acted on (NULL for none); an approval is
 * bound to it. */
bool sl_supervisor_gate_first(const struct sl_notif *n, const void *dest,
			      uint32_t dlen, struct sl_action *out);

/* On the event loop: the built-in modules let req through (decided
 * elsewhere: a worker); run what follows them (the policy gate unless it
 * approved already, the after_gate modules) and answer. */
void sl_supervisor_after_builtins(struct sl_supervisor *sv,
				  const struct seccomp_notif *req,
				  bool approved);

/* From a module's init: record why it fails, for the user; returns
 * -code. */
int sl_supervisor_init_error(struct sl_supervisor *sv, int code,
			     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
