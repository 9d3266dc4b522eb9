/*
 * The supervisor of one run: receives the seccomp notifications of the
 * sandbox, routes each through the chain of active handler modules for its
 * syscall (dispatch.h) and answers the kernel. It lives inside the run's
 * epoll loop: the listener and the pidfds of tracked processes are event
 * sources of that loop, so the supervisor itself never blocks.
 */
#ifndef SL_SUPERVISOR_SUPERVISOR_H
#define SL_SUPERVISOR_SUPERVISOR_H

#include <stdint.h>
#include <sys/types.h>

#include "policy/policy.h"
#include "supervisor/dispatch.h"
#include "supervisor/freezer.h"
#include "util/nrset.h"
#include "supervisor/evsrc.h"
#include "util/error.h"

struct sl_supervisor;
struct sl_cow_branch;

struct sl_supervisor_config {
	const struct sl_policy *policy; /* must outlive the supervisor */
	const char *name;		/* the sandbox name (copied) */
	pid_t root;			/* the sandbox's top-level process */
	int root_pidfd;			/* its pidfd (borrowed) */
	pid_t keeper;			/* the keeper: ancestor of every
					 * process of the sandbox */
	int listener;			/* taken over: closed by free */
	int epfd;			/* the run's loop */
	const struct sl_modlist *mods;	/* the run's modules (copied) */
	const struct sl_freezer_ops *freezer; /* NULL: the run cannot freeze */
	struct sl_cow_branch *cow; /* the copy-on-write branch, or NULL
					 * (must outlive the supervisor) */
	/* What the child's Landlock ruleset built around the entries it
	 * leaves out (fs/holes.h), or NULL (must outlive the supervisor). */
	const struct sl_fs_built *built;
};

/* Initialise the active modules and build the dispatch chains. On
 * failure the listener is closed too. */
int sl_supervisor_new(const struct sl_supervisor_config *cfg,
		      struct sl_supervisor **out, struct sl_error *e);
/* Unregister, release the modules, close the listener: notifications
 * still pending or to come fail with ENOSYS in the sandbox. */
void sl_supervisor_free(struct sl_supervisor *sv);

/* The listener as an event source, NULL once it hung up (or sv is NULL).
 * It is not in the run's epoll set: the serving loop polls it directly,
 * because only a task waiting on the listener itself gets the kernel's
 * same-CPU wake-up (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP); epoll would pass
 * it on as an ordinary wake-up of another CPU, three times dearer. */
struct sl_evsrc *sl_supervisor_listener(struct sl_supervisor *sv);

/* port_remap's current virtual->real map as JSON (the network module
 * keeps it), NULL when off or empty, or sv is NULL. Callable from any
 * thread while the run lives. */
char *sl_supervisor_port_mappings(struct sl_supervisor *sv);

/* Signal every process of the sandbox through the process table. */
int sl_supervisor_signal_all(struct sl_supervisor *sv, int sig);
/* Teardown has begun: refuse every process-creating call. NULL-safe. */
void sl_supervisor_close(struct sl_supervisor *sv);
/* Why a module killed a process of the sandbox (SL_CAUSE_*), 0 if none.
 * NULL-safe. */
uint32_t sl_supervisor_cause(const struct sl_supervisor *sv);

#endif
