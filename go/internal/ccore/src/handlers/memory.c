/*
 * max_memory (docs/behaviour.md 4.1): a supervisor-side ledger of anonymous
 * memory per address space (thread group). A call that would take the
 * sandbox over the limit kills the calling process and is answered ENOMEM
 * (docs/decisions.md A27: callers never see a plain ENOMEM).
 *
 * Address spaces are keyed through the sandbox's process table
 * (supervisor/proctab.h), which holds each process by a pidfd and reports
 * exits (credited) and new processes: a process created by fork() is
 * charged its parent's charge at once (copy-on-write memory it may
 * dirty), and a fork whose parent's charge does not fit is refused with
 * ENOMEM. Mappings of shared-memory files (memfd, tmpfs, /dev/shm,
 * hugetlbfs) are charged the larger of the mapping and the file, shared
 * or private, since their pages are memory however they are reached.
 *
 * The common notification costs no /proc read: the caller's process is
 * found through the table, and the statm floor is read only when it can
 * matter (see floor_due).
 */
#include <errno.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "handlers/live.h"
#include "handlers/memledger.h"
#include "handlers/pidtab.h"
#include "handlers/procinfo.h"
#include "supervisor/dispatch.h"
#include "supervisor/notif.h"
#include "supervisor/proctab.h"
#include "util/cleanup.h"
#include "util/hostperm.h"

#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif

/* /proc/<pid>/statm field 6: data + stack pages (the reconciliation floor
 * of docs/behaviour.md 4.1). */
#define SL_STATM_DATA 6

/* The floor is read again at least this often per address space while
 * it allocates: growth the ledger does not see (stack, mprotect of a
 * private mapping) is caught within this delay. */
#define SL_FLOOR_INTERVAL_NS (10 * 1000 * 1000)

#define KCMP_VM 1

struct mem_entry {
	pid_t tgid; /* key */
	struct sl_mem_space sp;
	uint64_t floor_at; /* last floor reconciliation (ns), 0: due */
};

/* Threads whose latest process-creating call shares their memory
 * (clone with CLONE_VM, vfork): where kcmp is refused, the way to tell
 * that a new process shares its parent's address space (vm_shared). */
#define SL_VM_FORKERS 64

struct vm_forker {
	pid_t tgid, tid;
};

struct mem_state {
	struct sl_supervisor *sv;
	struct sl_proctab *table;
	struct sl_mem_ledger ledger;
	struct sl_pidtab spaces; /* struct mem_entry */
	uint64_t page;
	struct vm_forker forkers[SL_VM_FORKERS];
	unsigned nforkers;
	struct sl_live *live; /* a policy callback may lower the limit */
	bool live_looked;
};

static void forget(struct mem_state *s, pid_t tgid)
{
	struct mem_entry *e = sl_pidtab_find(&s->spaces, tgid);

	if (!e)
		return;
	sl_mem_release(&s->ledger, &e->sp);
	sl_pidtab_remove(&s->spaces, tgid);
}

/* The caller's address space, created on first sight. */
static int caller_space(struct mem_state *s, const struct sl_notif *n,
			struct mem_entry **out)
{
	pid_t tgid;
	struct mem_entry *e;
	int r = sl_proctab_lookup(s->table, (pid_t)n->req->pid, &tgid);

	if (r == 0)
		r = sl_notif_id_valid(n->listener, n->req->id);
	if (r < 0)
		return r;
	e = sl_pidtab_insert(&s->spaces, tgid);
	if (!e)
		return -ENOMEM;
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
static void kill_caller(struct mem_state *s, const struct sl_notif *n)
{
	_cleanup_(closep) int pidfd = sl_notif_pidfd(n);

	sl_supervisor_note_cause(s->sv, SL_CAUSE_MEMORY_LIMIT);
	if (pidfd >= 0)
		syscall(__NR_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
}

/* Is fd (the child's) a shared-memory file? Its size then, else 0. */
static uint64_t shmem_size(const struct sl_notif *n, int childfd)
{
	_cleanup_(closep) int fd = sl_notif_getfd(n, childfd);
	struct statfs fs;
	struct stat st;

	if (fd < 0 || fstatfs(fd, &fs) < 0)
		return 0;
	if (fs.f_type != TMPFS_MAGIC && fs.f_type != HUGETLBFS_MAGIC &&
	    fs.f_type != RAMFS_MAGIC)
		return 0;
	if (fstat(fd, &st) < 0 || st.st_size < 0)
		return 0;
	/* At least one page: a mapping of an empty file still counts. */
	return (uint64_t)st.st_size ? (uint64_t)st.st_size : 1;
}

/* A file mapping whose pages are memory: charge it like an anonymous
 * one, the larger of the mapping and the file (pages reached through
 * another window, or a later mapping, are charged too). */
static void charge_shmem(const struct sl_notif *n, struct sl_mem_op *op)
{
	uint64_t size;

	if (op->kind != SL_MEM_MMAP || (op->b & MAP_ANONYMOUS))
		return;
	size = shmem_size(n, (int)n->req->data.args[4]);
	if (!size)
		return;
	op->b |= MAP_ANONYMOUS;
	if (size > op->a)
		op->a = size;
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

/* Remember whether thread tid's process-creating call shares memory.
 * Its previous child is in the process table by now: the processes
 * module, earlier in the chain, refreshed the table for this call. */
static void note_forker(struct mem_state *s, const struct sl_notif *n,
			bool shares)
{
	pid_t tid = (pid_t)n->req->pid, tgid;
	unsigned i;

	for (i = 0; i < s->nforkers && s->forkers[i].tid != tid; i++)
		;
	if (!shares) {
		if (i < s->nforkers)
			s->forkers[i] = s->forkers[--s->nforkers];
		return;
	}
	if (i < s->nforkers || sl_proctab_lookup(s->table, tid, &tgid) < 0)
		return;
	if (s->nforkers == SL_VM_FORKERS)
		s->forkers[0] = s->forkers[--s->nforkers]; /* overcharge */
	s->forkers[s->nforkers++] = (struct vm_forker){ tgid, tid };
}

/* Does pid, a new child of parent, share parent's address space? kcmp
 * says; where it is refused, the thread that created pid had asked for
 * shared memory (its children list names pid). */
static bool vm_shared(struct mem_state *s, pid_t parent, pid_t pid)
{
	if (sl_host_allows(SL_HOST_KCMP))
		return syscall(SYS_kcmp, parent, pid, KCMP_VM, 0, 0) == 0;
	for (unsigned i = 0; i < s->nforkers; i++) {
		_cleanup_(freep) char *list = NULL;
		char path[64];
		bool found = false;

		if (s->forkers[i].tgid != parent)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/children",
			 (int)parent, (int)s->forkers[i].tid);
		if (sl_read_file(path, &list, NULL) < 0)
			continue;
		for (char *p = list, *end; *p; p = end) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			found |= v == pid;
		}
		if (found)
			return true;
	}
	return false;
}

/* A process-creating call: the child will own a copy of the parent's
 * private memory. Refuse it when that copy cannot fit (CLONE_VM children
 * share the parent's memory and cost nothing). */
static int fork_fits(struct mem_state *s, const struct sl_notif *n,
		     struct sl_action *out)
{
	const struct seccomp_data *d = &n->req->data;
	bool shares = (d->nr == SYS_clone && (d->args[0] & CLONE_VM) &&
		       !(d->args[0] & CLONE_THREAD));
	struct mem_entry *e = NULL;
	int r;

#ifdef SYS_vfork
	shares |= d->nr == SYS_vfork;
#endif
	if (!sl_host_allows(SL_HOST_KCMP) &&
	    !(d->nr == SYS_clone && (d->args[0] & CLONE_THREAD)))
		note_forker(s, n, shares);
	if (shares || (d->nr == SYS_clone && (d->args[0] & CLONE_THREAD)))
		return 0;
	if (d->nr == SYS_clone3)
		return 0; /* never continued (processes module) */
	r = caller_space(s, n, &e);
	if (r < 0)
		return r;
	if (e->sp.charge > s->ledger.limit ||
	    s->ledger.used > s->ledger.limit - e->sp.charge) {
		out->kind = SL_ACT_ERRNO;
		out->error = ENOMEM;
	}
	return 0;
}

static int mem_handle(void *state, const struct sl_notif *n,
		      struct sl_action *out)
{
	struct mem_state *s = state;
	struct mem_entry *e = NULL;
	struct sl_mem_op op;
	pid_t tgid;
	int r;

	if (!s->live_looked) {
		s->live = sl_live_of(s->sv);
		s->live_looked = true;
	}
	/* a policy callback may have lowered it */
	s->ledger.limit = sl_live_max_memory(s->live, s->ledger.limit);
	if (sl_proctab_is_fork_nr(n->req->data.nr))
		return fork_fits(s, n, out);
	if (!decode(&n->req->data, &op))
		return 0;
	charge_shmem(n, &op);
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
	(void)sl_proctab_refresh(s->table);
	e = sl_pidtab_find(&s->spaces, tgid);
	if (e && sl_mem_apply(&s->ledger, &e->sp, &op) == 0)
		return 0;
	kill_caller(s, n);
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
	/* Already notified for max_processes; here for the fork charge. */
	sl_nrset_add_sys(set, clone);
	sl_nrset_add_sys(set, clone3);
	sl_nrset_add_sys(set, fork);
	sl_nrset_add_sys(set, vfork);
	if (p->allow_sysv_ipc)
		sl_nrset_add_sys(set, shmget);
}

static int mem_init(struct sl_supervisor *sv, const struct sl_policy *p,
		    void **state)
{
	struct mem_state *s = calloc(1, sizeof(*s));
	long page = sysconf(_SC_PAGESIZE);

	if (!s)
		return -ENOMEM;
	s->sv = sv;
	s->table = sl_supervisor_proctab(sv);
	s->ledger.limit = p->max_memory;
	s->spaces = (struct sl_pidtab)SL_PIDTAB_INIT(struct mem_entry);
	s->page = page > 0 ? (uint64_t)page : 4096;
	*state = s;
	return 0;
}

static void mem_pid_exit(void *state, pid_t pid)
{
	struct mem_state *s = state;

	forget(s, pid);
	for (unsigned i = 0; i < s->nforkers;)
		if (s->forkers[i].tgid == pid)
			s->forkers[i] = s->forkers[--s->nforkers];
		else
			i++;
}

/* A new process: one that forked from a member (and does not share its
 * memory) starts with the parent's charge. Taking the sandbox over the
 * limit kills it. */
static void mem_pid_new(void *state, pid_t pid, pid_t parent)
{
	struct mem_state *s = state;
	struct mem_entry *pe = parent > 0 ? sl_pidtab_find(&s->spaces, parent) :
					    NULL;
	struct mem_entry *e;
	uint64_t cost;
	int pidfd;

	if (!pe || !pe->sp.charge || vm_shared(s, parent, pid))
		return;
	cost = pe->sp.charge;
	e = sl_pidtab_insert(&s->spaces, pid);
	if (!e)
		return;
	if (cost <= s->ledger.limit &&
	    s->ledger.used <= s->ledger.limit - cost) {
		sl_mem_floor(&s->ledger, &e->sp, cost);
		return;
	}
	pidfd = sl_proctab_pidfd(s->table, pid);
	sl_supervisor_note_cause(s->sv, SL_CAUSE_MEMORY_LIMIT);
	if (pidfd >= 0)
		syscall(__NR_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
}

static void mem_fini(void *state)
{
	struct mem_state *s = state;

	if (!s)
		return;
	sl_pidtab_free(&s->spaces);
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
	.pid_new = mem_pid_new,
};
