/*
 * The process table of one sandbox: every live process of the sandbox,
 * each held by a pidfd, owned by the supervisor.
 *
 * Membership is structural: the keeper (launch/keeper.h) is a child
 * subreaper and the ancestor of every sandbox process, so a process
 * belongs to the sandbox exactly when it descends from the keeper,
 * whatever its session, group or parent; orphans are reparented to the
 * keeper. Processes are discovered
 *   - from the children lists of the processes that forked, after each
 *     fork notification (forks let through but whose child is not visible
 *     yet count as pending, so concurrent forkers cannot overshoot),
 *   - from the keeper's children list (orphans),
 *   - and, for an unknown notifying task or pid argument, by walking its
 *     parents up to a member or to the keeper (confirmed after the pidfd
 *     is opened, against pid reuse).
 * Every process is watched in the run's epoll set: modules hear of exits
 * and of new processes (with the parent that created them) through the
 * supervisor's module hooks.
 *
 * Signals to the sandbox (kill, pause, resume, throttle) go through the
 * table's pidfds, never through a pid or a process group id that may have
 * been reused.
 *
 * Not thread-safe: the run serialises every use (the event loop and other
 * threads' signal requests take the run's serve lock).
 */
#ifndef SL_SUPERVISOR_PROCTAB_H
#define SL_SUPERVISOR_PROCTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sl_proctab;

/* Events for the owner: a process was added (parent: the member that
 * created it, or 0 when it was found by other means) or has exited. */
struct sl_proctab_hooks {
	void (*added)(void *ctx, pid_t pid, pid_t parent);
	void (*exited)(void *ctx, pid_t pid);
	void *ctx;
};

/* keeper: the keeper's pid (0: none, membership is then "descends from
 * root"); root/root_pidfd: the top-level process, its pidfd borrowed
 * (not closed by the table). */
int sl_proctab_new(int epfd, pid_t keeper, pid_t root, int root_pidfd,
		   const struct sl_proctab_hooks *hooks,
		   struct sl_proctab **out);
void sl_proctab_free(struct sl_proctab *t);
/* Events from now on (the owner's modules are ready). */
void sl_proctab_set_hooks(struct sl_proctab *t,
			  const struct sl_proctab_hooks *hooks);

/* Is tid (a thread or process id) a live task of the sandbox? On success
 * *tgid is its process. Unknown processes are looked up by ancestry and
 * added. -ESRCH when it is not a member (or gone). From a worker thread
 * the table is not touched: the answer comes from the task's parents in
 * /proc up to the keeper (read twice, so that a recycled pid in the
 * chain is noticed). */
int sl_proctab_lookup(struct sl_proctab *t, pid_t tid, pid_t *tgid);
/* The pidfd of a member process (tgid), or -ESRCH. Borrowed. */
int sl_proctab_pidfd(struct sl_proctab *t, pid_t tgid);

/* Bring the table up to date: drop exited processes, adopt the new
 * children of processes that forked and the keeper's orphans. */
int sl_proctab_refresh(struct sl_proctab *t);

/* Live processes plus forks let through whose child is not seen yet. */
size_t sl_proctab_count(const struct sl_proctab *t);

/* A thread creation of process tgid was let through; may the process
 * have threads besides its first (true for an unknown process)? Thread
 * creation is always notified, and a process starts with one thread. */
void sl_proctab_thread_started(struct sl_proctab *t, pid_t tgid);
bool sl_proctab_threaded(const struct sl_proctab *t, pid_t tgid);

/* Is nr a process- or thread-creating syscall (clone, clone3, fork,
 * vfork)? */
bool sl_proctab_is_fork_nr(long nr);

/* Fork bookkeeping for max_processes: task tid of process tgid is about
 * to make a process-creating call (its previous one is over), and the
 * call was let through (pending until its child appears). */
void sl_proctab_fork_begin(struct sl_proctab *t, pid_t tgid, pid_t tid);
int sl_proctab_fork_allowed(struct sl_proctab *t, pid_t tgid, pid_t tid);

/* Send sig to every process of the sandbox through its pidfd: discover,
 * signal, and again until discovery finds no process not yet signalled
 * (a fork racing the signal). Removes nothing, so it may run on another
 * thread than the event loop's (under the run's serve lock). 0, or -errno
 * of a failed discovery. */
int sl_proctab_signal_all(struct sl_proctab *t, int sig);

/* Teardown has begun: every process-creating call is refused. */
void sl_proctab_close(struct sl_proctab *t);
bool sl_proctab_closing(const struct sl_proctab *t);

/* Visit every live process (for modules that act on all of them). */
void sl_proctab_foreach(struct sl_proctab *t,
			void (*fn)(void *ctx, pid_t pid, int pidfd), void *ctx);

#endif
