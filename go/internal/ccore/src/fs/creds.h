/*
 * Acting with a child's credentials. The supervisor performs operations on
 * a child's behalf; it must lend the child none of its own rights, so the
 * thread that acts takes the child's filesystem uid and gid, supplementary
 * groups and effective capabilities (as they count in the supervisor's
 * user namespace: none for a child living in a user namespace of its own)
 * for the duration of the operation. These are per-thread kernel
 * credentials, changed with raw syscalls (libc's wrappers change every
 * thread of the host), and only where they differ.
 *
 * Reading a task's credentials costs a parse of /proc/<tid>/status, so a
 * run may cache them per task, in one of two ways:
 *
 *   SL_CREDS_CACHED: everything is kept. The cache is invalidated by every
 *   syscall that changes them, which the view then has notified: the
 *   set*id family and setgroups (that task), umask (every task: threads
 *   may share it), capset (that task), execve (the whole process; with
 *   no_new_privs an exec can only lower privileges, and it resets the
 *   fsuid to the euid). prctl changes no capability an operation uses
 *   (bounding and ambient sets, securebits: they matter at the next
 *   set*id or exec, both notified). A cached entry is used only while
 *   the pidfd taken with it shows the same task alive, and never for a
 *   process whose exec is still in flight.
 *
 *   SL_CREDS_IDS: only setgroups is notified. The process and the groups
 *   are kept per task; the fsuid and fsgid are read at every call from
 *   the task's pidfd (PIDFD_GET_INFO, one ioctl) and the capabilities
 *   with capget, so set*id, capset and exec need no notification. Groups
 *   change only with setgroups, and a process whose threads may no longer
 *   agree on them (one of them called setgroups: an exec by another
 *   thread could then hand the process's pid to a thread with other
 *   groups) has its groups read at every call for the rest of the run.
 *   The umask is not kept (these runs create nothing on behalf): it reads
 *   as 0777. Kernels without PIDFD_GET_INFO (before 6.13) read everything
 *   at every call.
 *
 * A stale entry can therefore never be more privileged than the task.
 */
#ifndef SL_FS_CREDS_H
#define SL_FS_CREDS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "supervisor/dispatch.h"

struct sl_creds {
	pid_t tgid; /* the task's process */
	uid_t fsuid;
	gid_t fsgid;
	gid_t *groups;
	size_t ngroups;
	mode_t umask;	  /* 0777 in SL_CREDS_IDS mode */
	uint64_t cap_eff; /* in the supervisor's user namespace */
};

struct sl_creds_cache;

enum sl_creds_mode {
	SL_CREDS_FRESH,	 /* /proc/<tid>/status read at every call */
	SL_CREDS_IDS,	 /* setgroups notified (see above) */
	SL_CREDS_CACHED, /* sl_creds_invalidating_syscalls() notified */
};

int sl_creds_cache_new(enum sl_creds_mode mode, struct sl_creds_cache **out);
/* The sandbox lives in a user namespace of its own: it holds no
 * capability in the supervisor's. */
void sl_creds_cache_foreign_userns(struct sl_creds_cache *c, bool foreign);
/* A deep copy of c (for a worker); free with sl_creds_free(). */
int sl_creds_copy(const struct sl_creds *c, struct sl_creds *out);
void sl_creds_free(struct sl_creds *c);
void sl_creds_cache_free(struct sl_creds_cache *c);

/* The credentials of n's task (valid until the next call on c), and a
 * pidfd of that task (owned by the cache; -1 if none could be taken). */
int sl_creds_of(struct sl_creds_cache *c, const struct sl_notif *n,
		const struct sl_creds **out, int *pidfd);

/* The syscalls that invalidate (to notify in SL_CREDS_CACHED mode;
 * setgroups alone in SL_CREDS_IDS mode). */
void sl_creds_invalidating_syscalls(struct sl_nrset *set);
bool sl_creds_invalidating(int nr);
/* Called for each of them, before the kernel runs it. */
void sl_creds_invalidate(struct sl_creds_cache *c, const struct sl_notif *n);

/* Take want's credentials on this thread; sl_creds_leave() restores.
 * Every change is checked (an fsuid or fsgid read back). A failed switch
 * is undone before it returns; a restore that fails marks the thread,
 * which then refuses every later switch (-EPERM): it holds credentials
 * it cannot vouch for and never acts for a sandbox again. */
struct sl_creds_saved {
	bool fsuid, fsgid, groups, caps; /* what was changed */
	uid_t old_fsuid;
	gid_t old_fsgid;
	const gid_t *old_groups; /* the thread's own */
	int old_ngroups;
	gid_t *heap_groups; /* ... when too many to keep per thread */
	uint64_t old_cap_eff;
};
int sl_creds_enter(const struct sl_creds *want, struct sl_creds_saved *sv);
/* The same for an operation whose kernel checks consult only the
 * capabilities in consulted (a mask of 1 << CAP_*): the thread's
 * effective set is changed only where the two differ within it, since
 * a capability the operation never consults cannot change its outcome.
 * Each change of credentials costs the kernel a new set (commit_creds);
 * this spares two of them per call. */
#define SL_CAP_BIT(cap) (UINT64_C(1) << (cap))
int sl_creds_enter_consulting(const struct sl_creds *want, uint64_t consulted,
			      struct sl_creds_saved *sv);
/* 0, or the -errno of the first step that failed (the thread is then
 * marked). */
int sl_creds_leave(struct sl_creds_saved *sv);
/* Did a restore on this thread fail? */
bool sl_creds_thread_broken(void);
/* Take the credentials of n's task, read afresh (for a module without a
 * view); sl_creds_leave() restores. */
int sl_creds_enter_task(const struct sl_notif *n, struct sl_creds_saved *sv);

#endif
