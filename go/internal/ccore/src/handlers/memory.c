/*
 * max_memory (behavior.md 4.1): a supervisor-side ledger of anonymous
 * memory per address space (thread group). A call that would take the
 * sandbox over the limit kills the calling process and is answered ENOMEM
 * (Appendix A #27: callers never see a plain ENOMEM).
 *
 * Each tracked address space is held by a pidfd, so a recycled pid never
 * inherits a dead process's charge and exits missed by the supervisor are
 * still credited before anyone is judged over the limit.
 *
 * The common notification costs no /proc read: the caller's address
 * space is found from its thread id with at most one syscall (see
 * caller_space), and the statm floor is read only when it can matter
 * (see floor_due).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "handlers/memledger.h"
#include "handlers/pidtab.h"
#include "handlers/procinfo.h"
#include "supervisor/dispatch.h"
#include "supervisor/notif.h"
#include "util/cleanup.h"

#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif

/* /proc/<pid>/statm field 6: data + stack pages (the reconciliation floor
 * of the specification). */
#define SL_STATM_DATA 6

/* The floor is read again at least this often per address space while
 * it allocates: growth the ledger does not see (stack, mprotect of a
 * private mapping) is caught within this delay. */
#define SL_FLOOR_INTERVAL_NS (10 * 1000 * 1000)

/* Remembered thread -> thread group answers; past this many the cache
 * starts over (threads whose exit is not reported on older kernels). */
#define SL_THREAD_CACHE_MAX 4096

struct mem_entry {
	pid_t tgid; /* key */
	int pidfd;
	struct sl_mem_space sp;
	uint64_t floor_at; /* last floor reconciliation (ns), 0: due */
};

struct thread_entry {
	pid_t tid; /* key: a thread that is not its group's leader */
	pid_t tgid;
};

struct mem_state {
	struct sl_mem_ledger ledger;
	struct sl_pidtab spaces;  /* struct mem_entry */
	struct sl_pidtab threads; /* struct thread_entry */
	uint64_t page;
};

static void forget(struct mem_state *s, pid_t tgid)
{
	struct mem_entry *e = sl_pidtab_find(&s->spaces, tgid);

	if (!e)
		return;
	sl_mem_release(&s->ledger, &e->sp);
	close(e->pidfd);
	sl_pidtab_remove(&s->spaces, tgid);
}

/* Credit every address space whose process has exited. */
static void sweep(struct mem_state *s)
{
	for (size_t i = s->spaces.n; i-- > 0;) {
		struct mem_entry *e = sl_pidtab_at(&s->spaces, i);

		if (sl_pidfd_exited(e->pidfd))
			forget(s, e->tgid);
	}
}

/* The group of a thread that is not its group's leader: a cached answer
 * while tgkill(tgid, tid, 0) confirms it, else /proc/<tid>/status. */
static int thread_group(struct mem_state *s, const struct sl_notif *n,
			pid_t *tgid)
{
	pid_t tid = (pid_t)n->req->pid;
	struct thread_entry *t = sl_pidtab_find(&s->threads, tid);
	int r;

	if (t && syscall(SYS_tgkill, t->tgid, tid, 0) == 0) {
		*tgid = t->tgid;
		return 0;
	}
	r = sl_task_ids(tid, tgid, NULL);
	if (r < 0)
		return r;
	/* Read while the notification was pending: tid was the caller. */
	r = sl_notif_id_valid(n->listener, n->req->id);
	if (r < 0)
		return r;
	if (s->threads.n >= SL_THREAD_CACHE_MAX)
		sl_pidtab_free(&s->threads);
	t = sl_pidtab_insert(&s->threads, tid);
	if (t) /* a cache: no memory only means no cached answer */
		t->tgid = *tgid;
	return 0;
}

/*
 * The caller's address space, created on first sight.
 *
 * A tracked process that is still alive and whose pid is the caller's
 * thread id is the caller's own process (a live task's id names no other
 * task): no syscall beyond the liveness poll. Otherwise pidfd_open()
 * without PIDFD_THREAD, which accepts only a thread-group leader, tells a
 * leader (its own group) from another thread in one syscall.
 */
static int caller_space(struct mem_state *s, const struct sl_notif *n,
			struct mem_entry **out)
{
	pid_t tid = (pid_t)n->req->pid, tgid = tid;
	struct mem_entry *e = sl_pidtab_find(&s->spaces, tid);
	int pidfd, r;

	if (e && !sl_pidfd_exited(e->pidfd)) {
		*out = e;
		return 0;
	}
	pidfd = sl_pidfd_open(tid, 0);
	/* Not a leader: EINVAL, or ENOENT since Linux 6.9. */
	if (pidfd < 0 && pidfd != -EINVAL && pidfd != -ENOENT)
		return pidfd;
	if (pidfd < 0) {
		r = thread_group(s, n, &tgid);
		if (r < 0)
			return r;
		e = sl_pidtab_find(&s->spaces, tgid);
		if (e && !sl_pidfd_exited(e->pidfd)) {
			*out = e;
			return 0;
		}
		pidfd = sl_pidfd_open(tgid, 0);
		if (pidfd < 0)
			return pidfd;
	}
	/* Opened while the notification was pending: the pidfd names the
	 * caller's process, not a successor. */
	r = sl_notif_id_valid(n->listener, n->req->id);
	if (r < 0) {
		close(pidfd);
		return r;
	}
	forget(s, tgid); /* an earlier process with this pid */
	e = sl_pidtab_insert(&s->spaces, tgid);
	if (!e) {
		close(pidfd);
		return -ENOMEM;
	}
	e->pidfd = pidfd;
	*out = e;
	return 0;
}

static bool decode(const struct seccomp_data *d, struct sl_mem_op *op)
{
	memset(op, 0, sizeof(*op));
	if (d->nr == SYS_mmap) {
		op->kind = SL_MEM_MMAP;
		op->a = d->args[1];
		op->b = d->args[3];
	} else if (d->nr == SYS_munmap) {
		op->kind = SL_MEM_MUNMAP;
		op->a = d->args[1];
	} else if (d->nr == SYS_brk) {
		op->kind = SL_MEM_BRK;
		op->a = d->args[0];
	} else if (d->nr == SYS_mremap) {
		op->kind = SL_MEM_MREMAP;
		op->a = d->args[1];
		op->b = d->args[2];
#ifdef SYS_shmget
	} else if (d->nr == SYS_shmget) {
		op->kind = SL_MEM_SHMGET;
		op->a = d->args[1];
#endif
	} else if (d->nr == SYS_execve || d->nr == SYS_execveat) {
		op->kind = SL_MEM_EXEC;
	} else {
		return false;
	}
	return true;
}

/* Kill the calling process (the whole thread group: SIGKILL to any of its
 * threads ends all of them) through a pidfd, never a bare pid. */
static void kill_caller(const struct sl_notif *n)
{
	_cleanup_(closep) int pidfd = sl_notif_pidfd(n);

	if (pidfd >= 0)
		syscall(__NR_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Is the statm floor (4.1) worth reading before judging this call? It
 * only ever raises a charge toward the process's real data size, which
 * the ledger tracks exactly except for growth it does not see. So it is
 * read on the first call of an address space (a fork's inherited memory,
 * a new image), after a mapping the ledger does not charge, whenever the
 * sandbox would come within half of its limit, and otherwise at most once
 * per SL_FLOOR_INTERVAL_NS. An allocation that really takes the sandbox
 * over the limit is judged with a fresh floor.
 */
static bool floor_due(const struct mem_state *s, const struct mem_entry *e,
		      const struct sl_mem_op *op, uint64_t now)
{
	const struct sl_mem_ledger *l = &s->ledger;
	uint64_t want = sl_mem_request(&e->sp, op);

	if (e->floor_at == 0 || now - e->floor_at >= SL_FLOOR_INTERVAL_NS)
		return true;
	return want >= l->limit / 2 || l->used >= l->limit / 2 - want;
}

static void reconcile_floor(struct mem_state *s, struct mem_entry *e,
			    const struct sl_notif *n, uint64_t now)
{
	uint64_t pages;

	if (sl_statm_field((pid_t)n->req->pid, SL_STATM_DATA, &pages) == 0 &&
	    sl_notif_id_valid(n->listener, n->req->id) == 0) {
		sl_mem_floor(&s->ledger, &e->sp, pages * s->page);
		e->floor_at = now;
	}
}

static int mem_handle(void *state, const struct sl_notif *n,
		      struct sl_action *out)
{
	struct mem_state *s = state;
	struct mem_entry *e = NULL;
	struct sl_mem_op op;
	pid_t tgid;
	int r;

	if (!decode(&n->req->data, &op))
		return 0;
	r = caller_space(s, n, &e);
	if (r < 0)
		return r;
	tgid = e->tgid;
	if (op.kind == SL_MEM_EXEC) {
		e->floor_at = 0; /* a new image */
	} else if (op.kind != SL_MEM_MUNMAP) {
		uint64_t now = now_ns();

		if (floor_due(s, e, &op, now))
			reconcile_floor(s, e, n, now);
		/* Private writable file mappings count in the floor but are
		 * not charged: read it again on the next call. */
		if (op.kind == SL_MEM_MMAP && !(op.b & MAP_ANONYMOUS))
			e->floor_at = 0;
	}
	if (sl_mem_apply(&s->ledger, &e->sp, &op) == 0)
		return 0;
	/* Before judging, credit processes that exited unnoticed. */
	sweep(s);
	e = sl_pidtab_find(&s->spaces, tgid);
	if (e && sl_mem_apply(&s->ledger, &e->sp, &op) == 0)
		return 0;
	kill_caller(n);
	out->kind = SL_ACT_ERRNO;
	out->error = ENOMEM;
	return 0;
}

static bool mem_active(const struct sl_policy *p)
{
	return p->has_max_memory;
}

static void mem_syscalls(const struct sl_policy *p, struct sl_nrset *set)
{
	static const int nrs[] = { SCMP_SYS(mmap),   SCMP_SYS(munmap),
				   SCMP_SYS(brk),    SCMP_SYS(mremap),
				   SCMP_SYS(execve), SCMP_SYS(execveat) };

	for (size_t i = 0; i < SL_ARRAY_SIZE(nrs); i++)
		sl_nrset_add(set, nrs[i]);
	if (p->allow_sysv_ipc)
		sl_nrset_add_sys(set, shmget);
}

static int mem_init(struct sl_supervisor *sv, const struct sl_policy *p,
		    void **state)
{
	struct mem_state *s = calloc(1, sizeof(*s));
	long page = sysconf(_SC_PAGESIZE);

	(void)sv;
	if (!s)
		return -ENOMEM;
	s->ledger.limit = p->max_memory;
	s->spaces = (struct sl_pidtab)SL_PIDTAB_INIT(struct mem_entry);
	s->threads = (struct sl_pidtab)SL_PIDTAB_INIT(struct thread_entry);
	s->page = page > 0 ? (uint64_t)page : 4096;
	*state = s;
	return 0;
}

static void mem_pid_exit(void *state, pid_t pid)
{
	struct mem_state *s = state;

	forget(s, pid);
	sl_pidtab_remove(&s->threads, pid);
}

static void mem_fini(void *state)
{
	struct mem_state *s = state;

	if (!s)
		return;
	for (size_t i = 0; i < s->spaces.n; i++)
		close(((struct mem_entry *)sl_pidtab_at(&s->spaces, i))->pidfd);
	sl_pidtab_free(&s->spaces);
	sl_pidtab_free(&s->threads);
	free(s);
}

const struct sl_handler_module sl_module_memory = {
	.name = "memory",
	.active = mem_active,
	.syscalls = mem_syscalls,
	.init = mem_init,
	.handle = mem_handle,
	.pid_exit = mem_pid_exit,
	.fini = mem_fini,
};
