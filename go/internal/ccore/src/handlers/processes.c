/*
 * max_processes (docs/behaviour.md 4.2): at most `limit` processes of the sandbox
 * alive at once; threads are not counted.
 *
 * The reference counts forks up and blocking waits down, which drifts as
 * soon as a program reaps with WNOHANG (never notified) or never waits. We
 * count the sandbox's process table instead (supervisor/proctab.h): every
 * live process, orphans and processes that left the session included,
 * plus forks let through whose child is not visible yet. The table is
 * refreshed at every process-creating notification.
 *
 * clone3() is never continued: its flags live in the child's memory, which
 * the child can rewrite between our read and the kernel's, turning a
 * counted process into an uncounted "thread" or adding namespace flags
 * (docs/decisions.md A14). Namespace flags we see are refused with EPERM; every
 * other clone3 is answered ENOSYS, on which libc falls back to clone(),
 * whose flags are in registers (and filtered for namespaces in BPF).
 * clone() with CLONE_PARENT is refused: its child would be a sibling of
 * its parent, outside the sandbox for the top-level process. Once the
 * sandbox is being torn down every process-creating call gets EAGAIN.
 */
#include "handlers/processes.h"
#include "handlers/live.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>

#include "supervisor/dispatch.h"
#include "supervisor/notif.h"
#include "supervisor/proctab.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define SL_CLONE_NS_FLAGS                                          \
	((uint64_t)(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | \
		    CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |  \
		    CLONE_NEWNET))

enum sl_clone_class sl_clone_classify(uint64_t flags, bool from_clone3,
				      bool known)
{
	if (from_clone3)
		return known && (flags & (SL_CLONE_NS_FLAGS | CLONE_NEWTIME)) ?
			       SL_CLONE_DENY :
			       SL_CLONE_FALLBACK;
	if (flags & SL_CLONE_NS_FLAGS)
		return SL_CLONE_DENY;
	if (flags & CLONE_THREAD)
		return SL_CLONE_THREAD;
	if (flags & CLONE_PARENT)
		return SL_CLONE_DENY;
	return SL_CLONE_PROCESS;
}

struct procs_state {
	struct sl_supervisor *sv;
	struct sl_proctab *table;
	uint32_t limit;
	struct sl_live *live; /* a policy callback may lower the limit */
	bool live_looked;
};

static enum sl_clone_class classify(const struct sl_notif *n)
{
	const struct seccomp_data *d = &n->req->data;
	uint64_t flags = 0;

	if (d->nr == SYS_clone)
		return sl_clone_classify(d->args[0], false, true);
	if (d->nr == SYS_clone3) {
		bool known = d->args[1] >= sizeof(uint64_t) &&
			     sl_notif_read(n, d->args[0], &flags,
					   sizeof(flags)) == 0;

		return sl_clone_classify(flags, true, known);
	}
	return SL_CLONE_PROCESS; /* fork, vfork */
}

static int procs_handle(void *state, const struct sl_notif *n,
			struct sl_action *out)
{
	struct procs_state *s = state;
	pid_t tid = (pid_t)n->req->pid, tgid;
	int r;

	switch (classify(n)) {
	case SL_CLONE_THREAD:
		/* the freezer's shortcut needs to know (launch/freeze.c) */
		if (sl_proctab_lookup(s->table, tid, &tgid) == 0)
			sl_proctab_thread_started(s->table, tgid);
		return 0;
	case SL_CLONE_DENY:
		out->kind = SL_ACT_ERRNO;
		out->error = EPERM;
		return 0;
	case SL_CLONE_FALLBACK:
		out->kind = SL_ACT_ERRNO;
		out->error = ENOSYS;
		return 0;
	case SL_CLONE_PROCESS:
		break;
	}
	if (sl_proctab_closing(s->table)) {
		out->kind = SL_ACT_ERRNO;
		out->error = EAGAIN;
		return 0;
	}
	r = sl_proctab_lookup(s->table, tid, &tgid);
	if (r == 0)
		r = sl_notif_id_valid(n->listener, n->req->id);
	if (r < 0)
		return r == -EMFILE || r == -ENFILE ? -EAGAIN : r;
	/* The caller is in a new syscall: its previous fork is over. */
	sl_proctab_fork_begin(s->table, tgid, tid);
	r = sl_proctab_refresh(s->table);
	/* A process the table cannot hold (no fd left) is not let through:
	 * it could not be counted. */
	if (r == -EMFILE || r == -ENFILE)
		r = -EAGAIN;
	if (r < 0)
		return r;
	if (!s->live_looked) {
		s->live = sl_live_of(s->sv);
		s->live_looked = true;
	}
	if (sl_proctab_count(s->table) >=
	    sl_live_max_processes(s->live, s->limit)) {
		out->kind = SL_ACT_ERRNO;
		out->error = EAGAIN;
		return 0;
	}
	return sl_proctab_fork_allowed(s->table, tgid, tid);
}

static bool procs_active(const struct sl_policy *p)
{
	(void)p;
	return true; /* every policy has a limit (default 64) */
}

static void procs_syscalls(const struct sl_policy *p, struct sl_nrset *set)
{
	(void)p;
	sl_nrset_add_sys(set, clone);
	sl_nrset_add_sys(set, clone3);
	sl_nrset_add_sys(set, fork);
	sl_nrset_add_sys(set, vfork);
}

static int procs_init(struct sl_supervisor *sv, const struct sl_policy *p,
		      void **state)
{
	struct procs_state *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->sv = sv;
	s->table = sl_supervisor_proctab(sv);
	s->limit = p->max_processes;
	*state = s;
	return 0;
}

static void procs_fini(void *state)
{
	free(state);
}

const struct sl_handler_module sl_module_processes = {
	.name = "processes",
	.active = procs_active,
	.syscalls = procs_syscalls,
	.init = procs_init,
	.handle = procs_handle,
	.fini = procs_fini,
};
