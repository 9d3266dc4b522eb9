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
 */
#ifndef SL_SUPERVISOR_DISPATCH_H
#define SL_SUPERVISOR_DISPATCH_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy/policy.h"
#include "supervisor/nrset.h"

struct sl_supervisor;

enum sl_action_kind {
	SL_ACT_CONTINUE = 0, /* no objection: next module, then the kernel */
	SL_ACT_ERRNO,        /* fail the syscall with -error */
	SL_ACT_VALUE,        /* skip the syscall, return value */
	SL_ACT_INJECT_SEND,  /* install srcfd in the child as the return value
			      * (ADDFD + SEND); the supervisor closes srcfd */
	SL_ACT_HOLD,         /* send no response now (module answers later) */
};

struct sl_action {
	enum sl_action_kind kind;
	int error;            /* SL_ACT_ERRNO: positive errno */
	int64_t value;        /* SL_ACT_VALUE */
	int srcfd;            /* SL_ACT_INJECT_SEND */
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

/* One notification as seen by a module. */
struct sl_notif {
	const struct seccomp_notif *req;
	int listener; /* the seccomp listener fd */
	struct sl_supervisor *sv;
	struct sl_notif_cache *cache; /* may be NULL outside the supervisor */
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
};

/* NULL-terminated, in chain order (src/handlers/registry.c). */
extern const struct sl_handler_module *const sl_handler_modules[];

/* Union of the syscalls the active modules need notified. */
void sl_handlers_notify_set(const struct sl_policy *p, struct sl_nrset *set);

/* The modules active for p, bit i standing for sl_handler_modules[i].
 * Deciding may look at the file system (fsdeny resolves the grants), so
 * a built policy decides once and its runs reuse the answer: the modules
 * that supervise are then exactly those whose syscalls the filter
 * notifies. */
uint64_t sl_handlers_active(const struct sl_policy *p);
/* sl_handlers_notify_set() for a mask from sl_handlers_active(). */
void sl_handlers_notify_set_of(uint64_t active, const struct sl_policy *p,
			       struct sl_nrset *set);

/* ---- services the supervisor offers to modules ------------------------ */
pid_t sl_supervisor_root_pid(const struct sl_supervisor *sv);
const struct sl_policy *sl_supervisor_policy(const struct sl_supervisor *sv);
/* The sandbox name (the virtual hostname). */
const char *sl_supervisor_name(const struct sl_supervisor *sv);
/* Is pid (a thread or process id) a live process of this sandbox? The one
 * membership test every module uses (/proc/<pid> denial, pid arguments,
 * limits); false when it cannot be established (fail closed). */
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

/* From a module's init: record why it fails, for the user; returns
 * -code. */
int sl_supervisor_init_error(struct sl_supervisor *sv, int code,
			     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
