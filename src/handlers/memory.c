/*
 * max_memory (behavior.md 4.1): a supervisor-side ledger of anonymous
 * memory per address space (thread group). A call that would take the
 * sandbox over the limit kills the calling process and is answered ENOMEM
 * (Appendix A #27: callers never see a plain ENOMEM).
 *
 * Each tracked address space is held by a pidfd, so a recycled pid never
 * inherits a dead process's charge and exits missed by the supervisor are
 * still credited before anyone is judged over the limit.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "handlers/memledger.h"
#include "handlers/pidtab.h"
#include "handlers/procinfo.h"
#include "supervisor/dispatch.h"
#include "supervisor/notif.h"
#include "supervisor/notif_kcompat.h"
#include "util/cleanup.h"

#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif

/* /proc/<pid>/statm field 6: data + stack pages (the reconciliation floor
 * of the specification). */
#define SL_STATM_DATA 6

struct mem_entry {
	pid_t tgid; /* key */
	int pidfd;
	struct sl_mem_space sp;
};

struct mem_state {
	struct sl_mem_ledger ledger;
	struct sl_pidtab spaces; /* struct mem_entry */
	uint64_t page;
};

static bool pidfd_exited(int pidfd)
{
	struct pollfd pf = { .fd = pidfd, .events = POLLIN };

	return poll(&pf, 1, 0) > 0;
}

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

		if (pidfd_exited(e->pidfd))
			forget(s, e->tgid);
	}
}

/* The caller's address space, created on first sight. */
static int caller_space(struct mem_state *s, const struct sl_notif *n,
			struct mem_entry **out)
{
	struct mem_entry *e = NULL;
	pid_t tgid;
	int pidfd, r;

	r = sl_task_ids((pid_t)n->req->pid, &tgid, NULL);
	if (r < 0)
		return r;
	r = sl_notif_id_valid(n->listener, n->req->id);
	if (r < 0)
		return r;
	e = sl_pidtab_find(&s->spaces, tgid);
	if (e && !pidfd_exited(e->pidfd)) {
		*out = e;
		return 0;
	}
	forget(s, tgid); /* an earlier process with this pid */
	pidfd = (int)syscall(__NR_pidfd_open, tgid, 0);
	if (pidfd < 0)
		return -errno;
	r = sl_notif_id_valid(n->listener, n->req->id);
	if (r < 0) {
		close(pidfd);
		return r;
	}
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
	if (op.kind != SL_MEM_MUNMAP && op.kind != SL_MEM_EXEC) {
		uint64_t pages;

		if (sl_statm_field((pid_t)n->req->pid, SL_STATM_DATA,
				   &pages) == 0 &&
		    sl_notif_id_valid(n->listener, n->req->id) == 0)
			sl_mem_floor(&s->ledger, &e->sp, pages * s->page);
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
	static const char *const names[] = { "mmap", "munmap", "brk",
					     "mremap", "execve", "execveat" };

	for (size_t i = 0; i < SL_ARRAY_SIZE(names); i++)
		sl_nrset_add_name(set, names[i]);
	if (p->allow_sysv_ipc)
		sl_nrset_add_name(set, "shmget");
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
	s->page = page > 0 ? (uint64_t)page : 4096;
	*state = s;
	return 0;
}

static void mem_pid_exit(void *state, pid_t pid)
{
	forget(state, pid);
}

static void mem_fini(void *state)
{
	struct mem_state *s = state;

	if (!s)
		return;
	for (size_t i = 0; i < s->spaces.n; i++)
		close(((struct mem_entry *)sl_pidtab_at(&s->spaces, i))->pidfd);
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
};
