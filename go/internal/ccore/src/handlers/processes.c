/*
 * max_processes (behavior.md 4.2): at most `limit` processes of the sandbox
 * alive at once; threads are not counted.
 *
 * The reference counts forks up and blocking waits down, which drifts as
 * soon as a program reaps with WNOHANG (never notified) or never waits. We
 * instead keep the set of live sandbox processes, each held by a pidfd, and
 * refresh it on every process-creating notification:
 *
 *   - drop the processes whose pidfd is readable (exited; a zombie counts as
 *     exited), one poll() over all pidfds;
 *   - discover new processes in /proc/<p>/task/<t>/children of every task of
 *     every live process that has ever forked (children of a thread are
 *     listed under that thread);
 *   - count forks let through but whose child is not visible yet
 *     ("pending": the kernel creates the child only after our answer, and
 *     another process may fork in between).
 *
 * A pending fork of task T ends when T's new child appears, when T makes its
 * next process-creating call (its previous syscall is over), or when
 * /proc/<p>/task/<T>/syscall shows T blocked in another syscall or gone. A
 * task that keeps running on the CPU after a failed fork keeps its pending
 * slot until one of these happens (over-counting, never under-counting).
 *
 * clone3() is never continued: its flags live in the child's memory, which
 * the child can rewrite between our read and the kernel's, turning a
 * counted process into an uncounted "thread" or adding namespace flags
 * (Appendix A #14). Namespace flags we see are refused with EPERM; every
 * other clone3 is answered ENOSYS, on which libc falls back to clone(),
 * whose flags are in registers (and filtered for namespaces in BPF).
 *
 * Residual imprecision: a process whose parent exits before the next
 * refresh is reparented outside the sandbox's task lists and is not counted
 * until it forks itself (then it registers as the caller). clone() with
 * CLONE_PARENT is refused: its child would be listed under a task this
 * module does not watch (for the top-level process, the supervisor).
 */
#include "handlers/processes.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "handlers/pidtab.h"
#include "handlers/procinfo.h"
#include "supervisor/dispatch.h"
#include "supervisor/notif.h"
#include "util/cleanup.h"
#include "util/vec.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define SL_CLONE_NS_FLAGS                                                  \
	((uint64_t)(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS |         \
		    CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET))

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

struct proc_entry {
	pid_t tgid; /* key */
	int pidfd;
	bool forked;
	struct sl_u32v pending; /* tids with a fork let through, child unseen */
};

struct procs_state {
	struct sl_pidtab procs; /* struct proc_entry */
	uint32_t limit;
};

static void entry_release(struct proc_entry *e)
{
	if (e->pidfd >= 0)
		close(e->pidfd);
	sl_u32v_free(&e->pending);
}

static void forget(struct procs_state *s, pid_t tgid)
{
	struct proc_entry *e = sl_pidtab_find(&s->procs, tgid);

	if (!e)
		return;
	entry_release(e);
	sl_pidtab_remove(&s->procs, tgid);
}

/* Track a process; the pidfd is taken over (closed on failure). A record
 * left under the same pid number belonged to an earlier process. */
static int track(struct procs_state *s, pid_t tgid, int pidfd)
{
	struct proc_entry *e = NULL;

	forget(s, tgid);
	e = sl_pidtab_insert(&s->procs, tgid);
	if (!e) {
		close(pidfd);
		return -ENOMEM;
	}
	e->pidfd = pidfd;
	return 0;
}

/* Drop every tracked process whose pidfd reports its exit. */
static int drop_exited(struct procs_state *s)
{
	size_t n = s->procs.n;
	_cleanup_(freep) struct pollfd *pf = NULL;
	_cleanup_(freep) pid_t *dead = NULL;
	size_t ndead = 0;
	int r;

	if (n == 0)
		return 0;
	pf = calloc(n, sizeof(*pf));
	dead = calloc(n, sizeof(*dead));
	if (!pf || !dead)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct proc_entry *e = sl_pidtab_at(&s->procs, i);

		pf[i].fd = e->pidfd;
		pf[i].events = POLLIN;
	}
	do
		r = poll(pf, n, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	for (size_t i = 0; i < n && r > 0; i++)
		if (pf[i].revents)
			dead[ndead++] = ((struct proc_entry *)sl_pidtab_at(
						 &s->procs, i))->tgid;
	for (size_t i = 0; i < ndead; i++)
		forget(s, dead[i]);
	return 0;
}

static bool is_fork_nr(long nr)
{
	return nr == SYS_clone || nr == SYS_clone3
#ifdef SYS_fork
	       || nr == SYS_fork
#endif
#ifdef SYS_vfork
	       || nr == SYS_vfork
#endif
		;
}

/* Has task tid of process tgid finished the fork it was let through?
 * Gone, or blocked in a syscall that does not create a process. */
static bool fork_finished(pid_t tgid, pid_t tid)
{
	_cleanup_(freep) char *text = NULL;
	char path[80];
	char *end;
	long nr;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)tgid,
		 (int)tid);
	r = sl_read_file(path, &text, NULL);
	if (r == -ENOENT || r == -ESRCH)
		return true;
	if (r < 0)
		return false;
	/* "running" means on a CPU: maybe still inside the fork. */
	errno = 0;
	nr = strtol(text, &end, 10);
	if (end == text || errno)
		return false;
	return !is_fork_nr(nr); /* -1: stopped outside any syscall */
}

static void pending_remove(struct proc_entry *e, uint32_t tid)
{
	for (size_t i = 0; i < e->pending.n; i++)
		if (e->pending.v[i] == tid) {
			e->pending.v[i] = e->pending.v[--e->pending.n];
			return;
		}
}

/* A pid read from parent's children list: track it if it is still that
 * parent's child once held by a pidfd (the number may have been recycled
 * between the read and pidfd_open). */
static int adopt(struct procs_state *s, pid_t pid, pid_t parent)
{
	int pidfd;
	pid_t ppid;

	if (sl_pidtab_find(&s->procs, pid))
		return 0;
	pidfd = sl_pidfd_open(pid, 0);
	if (pidfd < 0)
		return 0; /* gone already */
	if (sl_task_ids(pid, NULL, &ppid) < 0 || ppid != parent) {
		close(pidfd);
		return 0;
	}
	/* If it died right after the check, drop_exited removes it. */
	return track(s, pid, pidfd);
}

/* Children of one task: returns the number of new processes adopted. */
static int scan_task(struct procs_state *s, pid_t tgid, pid_t tid)
{
	_cleanup_(freep) char *text = NULL;
	char path[80];
	const char *p;
	int r, found = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)tgid,
		 (int)tid);
	r = sl_read_file(path, &text, NULL);
	if (r < 0)
		return r == -ENOENT || r == -ESRCH ? 0 : r;
	p = text;
	for (;;) {
		char *end;
		long v;
		size_t before = s->procs.n;

		errno = 0;
		v = strtol(p, &end, 10);
		if (end == p || errno || v <= 0)
			break;
		p = end;
		r = adopt(s, (pid_t)v, tgid);
		if (r < 0)
			return r;
		if (s->procs.n > before)
			found++;
	}
	return found;
}

/* Discover the new children of every task of one process that forked. */
static int scan_process(struct procs_state *s, pid_t tgid)
{
	_cleanup_(freep) uint32_t *finished = NULL;
	size_t nfinished = 0;
	char path[64];
	DIR *d;
	struct dirent *de;
	struct proc_entry *e = sl_pidtab_find(&s->procs, tgid);
	int r = 0;

	if (!e)
		return 0;
	/* Decide which pending forks are over *before* listing children, so
	 * a child created in between is seen by the listing. */
	if (e->pending.n) {
		finished = calloc(e->pending.n, sizeof(*finished));
		if (!finished)
			return -ENOMEM;
		for (size_t i = 0; i < e->pending.n; i++)
			if (fork_finished(tgid, (pid_t)e->pending.v[i]))
				finished[nfinished++] = e->pending.v[i];
	}
	snprintf(path, sizeof(path), "/proc/%d/task", (int)tgid);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		long tid = strtol(de->d_name, NULL, 10);
		int found;

		if (tid <= 0)
			continue;
		found = scan_task(s, tgid, (pid_t)tid);
		if (found < 0) {
			r = found;
			break;
		}
		/* adopt() may have moved the table: look the entry up again */
		e = sl_pidtab_find(&s->procs, tgid);
		if (found > 0 && e)
			pending_remove(e, (uint32_t)tid);
	}
	closedir(d);
	e = sl_pidtab_find(&s->procs, tgid);
	for (size_t i = 0; e && i < nfinished; i++)
		pending_remove(e, finished[i]);
	return r;
}

static int refresh(struct procs_state *s)
{
	_cleanup_(freep) pid_t *forkers = NULL;
	size_t nforkers = 0;
	int r = drop_exited(s);

	if (r < 0)
		return r;
	forkers = calloc(s->procs.n + 1, sizeof(*forkers));
	if (!forkers)
		return -ENOMEM;
	for (size_t i = 0; i < s->procs.n; i++) {
		const struct proc_entry *e = sl_pidtab_at(&s->procs, i);

		if (e->forked)
			forkers[nforkers++] = e->tgid;
	}
	for (size_t i = 0; i < nforkers; i++) {
		r = scan_process(s, forkers[i]);
		if (r < 0)
			return r;
	}
	return drop_exited(s);
}

static size_t live_count(const struct procs_state *s)
{
	size_t n = s->procs.n;

	for (size_t i = 0; i < s->procs.n; i++)
		n += ((const struct proc_entry *)sl_pidtab_at(&s->procs, i))
			     ->pending.n;
	return n;
}

/* The caller's process entry, registering it when unknown. */
static int caller_entry(struct procs_state *s, const struct sl_notif *n,
			struct proc_entry **out)
{
	pid_t tgid;
	int pidfd, r;

	r = sl_task_ids((pid_t)n->req->pid, &tgid, NULL);
	if (r < 0)
		return r;
	r = sl_notif_id_valid(n->listener, n->req->id);
	if (r < 0)
		return r;
	*out = sl_pidtab_find(&s->procs, tgid);
	if (*out && !sl_pidfd_exited((*out)->pidfd))
		return 0;
	pidfd = sl_pidfd_open(tgid, 0);
	if (pidfd < 0)
		return pidfd;
	/* The caller is alive and blocked, so its thread group (and the
	 * group leader's pid) cannot have been recycled since the read. */
	r = sl_notif_id_valid(n->listener, n->req->id);
	if (r < 0) {
		close(pidfd);
		return r;
	}
	r = track(s, tgid, pidfd);
	if (r < 0)
		return r;
	*out = sl_pidtab_find(&s->procs, tgid);
	return *out ? 0 : -ENOMEM;
}

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
	struct proc_entry *e = NULL;
	pid_t tgid;
	int r;

	switch (classify(n)) {
	case SL_CLONE_THREAD:
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
	r = caller_entry(s, n, &e);
	if (r < 0)
		return r;
	tgid = e->tgid;
	/* The caller is in a new syscall: its previous fork is over. */
	pending_remove(e, n->req->pid);
	r = refresh(s);
	if (r < 0)
		return r;
	if (live_count(s) >= s->limit) {
		out->kind = SL_ACT_ERRNO;
		out->error = EAGAIN;
		return 0;
	}
	e = sl_pidtab_find(&s->procs, tgid);
	if (!e)
		return -ESRCH; /* the caller died during the refresh */
	e->forked = true;
	return sl_u32v_push(&e->pending, n->req->pid);
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
	pid_t root = sl_supervisor_root_pid(sv);

	if (!s)
		return -ENOMEM;
	s->procs = (struct sl_pidtab)SL_PIDTAB_INIT(struct proc_entry);
	s->limit = p->max_processes;
	if (root > 0) {
		int fd = sl_pidfd_open(root, 0);

		/* Unknown now: the root registers at its first fork. */
		if (fd >= 0 && track(s, root, fd) < 0) {
			free(s);
			return -ENOMEM;
		}
	}
	*state = s;
	return 0;
}

static void procs_pid_exit(void *state, pid_t pid)
{
	forget(state, pid);
}

static void procs_fini(void *state)
{
	struct procs_state *s = state;

	if (!s)
		return;
	for (size_t i = 0; i < s->procs.n; i++)
		entry_release(sl_pidtab_at(&s->procs, i));
	sl_pidtab_free(&s->procs);
	free(s);
}

const struct sl_handler_module sl_module_processes = {
	.name = "processes",
	.active = procs_active,
	.syscalls = procs_syscalls,
	.init = procs_init,
	.handle = procs_handle,
	.pid_exit = procs_pid_exit,
	.fini = procs_fini,
};
