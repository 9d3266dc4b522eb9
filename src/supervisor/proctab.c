/*
 * The process table (see proctab.h): records by pid in a sorted table,
 * each record allocated once so that its epoll source stays put.
 */
#include "supervisor/proctab.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "handlers/pidtab.h"
#include "handlers/procinfo.h"
#include "supervisor/evsrc.h"
#include "supervisor/worker.h"
#include "util/cleanup.h"
#include "util/vec.h"

/* Parent links followed when looking for the sandbox above a task. */
#define SL_MAX_CHAIN 64
/* Remembered thread -> process answers; past this many the cache starts
 * over (threads whose exit is not reported on older kernels). */
#define SL_THREAD_CACHE_MAX 4096
/* signal_all: rounds of refresh-and-signal before giving up on a sandbox
 * that keeps forking faster than it is signalled. */
#define SL_SIGNAL_ROUNDS 64

struct proc {
	struct sl_evsrc src; /* the pidfd, in the run's epoll set */
	struct sl_proctab *owner;
	pid_t pid;
	bool borrowed;		/* the pidfd is the run's (the top-level) */
	bool forked;		/* has made a process-creating call */
	bool threaded;		/* has let a thread be created */
	unsigned signalled;	/* signal_all generation */
	struct sl_u32v pending; /* tids with a fork let through, child unseen */
};

struct slot {
	pid_t pid; /* key */
	struct proc *p;
};

struct thread_slot {
	pid_t tid; /* key: a thread that is not its group's leader */
	pid_t tgid;
};

struct sl_proctab {
	int epfd;
	pid_t keeper, root;
	struct sl_pidtab procs;	  /* struct slot */
	struct sl_pidtab threads; /* struct thread_slot */
	struct sl_proctab_hooks hooks;
	bool closing;
	unsigned gen;
};

static struct proc *find(const struct sl_proctab *t, pid_t pid)
{
	struct slot *s = sl_pidtab_find(&t->procs, pid);

	return s ? s->p : NULL;
}

static void forget(struct sl_proctab *t, pid_t pid)
{
	struct proc *p = find(t, pid);

	if (!p)
		return;
	sl_evsrc_del(t->epfd, &p->src);
	if (!p->borrowed)
		close(p->src.fd);
	sl_u32v_free(&p->pending);
	sl_pidtab_remove(&t->procs, pid);
	free(p);
	if (t->hooks.exited)
		t->hooks.exited(t->hooks.ctx, pid);
}

static void on_exit_event(struct sl_evsrc *src, uint32_t events)
{
	struct proc *p = sl_container_of(src, struct proc, src);

	(void)events;
	forget(p->owner, p->pid);
}

/* Track a process; the pidfd is taken over (closed on failure) unless
 * borrowed. A record left under the same pid belonged to an earlier
 * process. */
static int track(struct sl_proctab *t, pid_t pid, int pidfd, pid_t parent,
		 bool borrowed)
{
	struct proc *p = calloc(1, sizeof(*p));
	struct slot *s;
	int r;

	forget(t, pid);
	if (!p) {
		if (!borrowed)
			close(pidfd);
		return -ENOMEM;
	}
	p->src.fd = pidfd;
	p->src.on_event = on_exit_event;
	p->owner = t;
	p->pid = pid;
	p->borrowed = borrowed;
	r = sl_evsrc_add(t->epfd, &p->src);
	s = r < 0 ? NULL : sl_pidtab_insert(&t->procs, pid);
	if (!s) {
		if (r >= 0)
			sl_evsrc_del(t->epfd, &p->src);
		if (!borrowed)
			close(pidfd);
		free(p);
		return r < 0 ? r : -ENOMEM;
	}
	s->p = p;
	if (t->hooks.added)
		t->hooks.added(t->hooks.ctx, pid, parent);
	return 0;
}

int sl_proctab_new(int epfd, pid_t keeper, pid_t root, int root_pidfd,
		   const struct sl_proctab_hooks *hooks,
		   struct sl_proctab **out)
{
	struct sl_proctab *t = calloc(1, sizeof(*t));
	int r;

	*out = NULL;
	if (!t)
		return -ENOMEM;
	t->epfd = epfd;
	t->keeper = keeper;
	t->root = root;
	t->procs = (struct sl_pidtab)SL_PIDTAB_INIT(struct slot);
	t->threads = (struct sl_pidtab)SL_PIDTAB_INIT(struct thread_slot);
	if (hooks)
		t->hooks = *hooks;
	r = track(t, root, root_pidfd, 0, true);
	if (r < 0) {
		sl_proctab_free(t);
		return r;
	}
	*out = t;
	return 0;
}

void sl_proctab_set_hooks(struct sl_proctab *t,
			  const struct sl_proctab_hooks *hooks)
{
	t->hooks = *hooks;
}

void sl_proctab_free(struct sl_proctab *t)
{
	if (!t)
		return;
	t->hooks.exited = NULL; /* no callbacks during teardown */
	while (t->procs.n)
		forget(t, ((struct slot *)sl_pidtab_at(&t->procs, 0))->pid);
	sl_pidtab_free(&t->procs);
	sl_pidtab_free(&t->threads);
	free(t);
}

/* Drop every tracked process whose pidfd reports its exit. */
static int drop_exited(struct sl_proctab *t)
{
	size_t n = t->procs.n;
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
		const struct slot *s = sl_pidtab_at(&t->procs, i);

		pf[i].fd = s->p->src.fd;
		pf[i].events = POLLIN;
	}
	do
		r = poll(pf, n, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	for (size_t i = 0; i < n && r > 0; i++)
		if (pf[i].revents)
			dead[ndead++] =
				((struct slot *)sl_pidtab_at(&t->procs, i))->pid;
	for (size_t i = 0; i < ndead; i++)
		forget(t, dead[i]);
	return 0;
}

bool sl_proctab_is_fork_nr(long nr)
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
	return !sl_proctab_is_fork_nr(nr); /* -1: stopped outside any syscall */
}

static void pending_remove(struct proc *p, uint32_t tid)
{
	for (size_t i = 0; i < p->pending.n; i++)
		if (p->pending.v[i] == tid) {
			p->pending.v[i] = p->pending.v[--p->pending.n];
			return;
		}
}

/* A pid read from parent's children list: track it if it is still that
 * parent's child once held by a pidfd (the number may have been recycled
 * between the read and pidfd_open). Returns 1 when added. */
static int adopt(struct sl_proctab *t, pid_t pid, pid_t parent)
{
	int pidfd, r;
	pid_t ppid;

	if (find(t, pid) || pid == t->keeper)
		return 0;
	pidfd = sl_pidfd_open(pid, 0);
	if (pidfd < 0)
		return pidfd == -EMFILE || pidfd == -ENFILE ? pidfd : 0;
	if (sl_task_ids(pid, NULL, &ppid) < 0 || ppid != parent) {
		close(pidfd);
		return 0;
	}
	/* If it died right after the check, drop_exited removes it. */
	r = track(t, pid, pidfd, parent == t->keeper ? 0 : parent, false);
	return r < 0 ? r : 1;
}

/* Adopt the children listed in /proc/<tgid>/task/<tid>/children: returns
 * how many were new. */
static int scan_children(struct sl_proctab *t, pid_t tgid, pid_t tid)
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

		errno = 0;
		v = strtol(p, &end, 10);
		if (end == p || errno || v <= 0)
			break;
		p = end;
		r = adopt(t, (pid_t)v, tgid);
		if (r < 0)
			return r;
		found += r;
	}
	return found;
}

/* Discover the new children of every task of one process that forked. */
static int scan_process(struct sl_proctab *t, pid_t tgid)
{
	_cleanup_(freep) uint32_t *finished = NULL;
	_cleanup_(closedirp) DIR *d = NULL;
	size_t nfinished = 0;
	char path[64];
	struct dirent *de;
	struct proc *p = find(t, tgid);
	int r = 0;

	if (!p)
		return 0;
	/* Decide which pending forks are over *before* listing children, so
	 * a child created in between is seen by the listing. */
	if (p->pending.n) {
		finished = calloc(p->pending.n, sizeof(*finished));
		if (!finished)
			return -ENOMEM;
		for (size_t i = 0; i < p->pending.n; i++)
			if (fork_finished(tgid, (pid_t)p->pending.v[i]))
				finished[nfinished++] = p->pending.v[i];
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
		found = scan_children(t, tgid, (pid_t)tid);
		if (found < 0) {
			r = found;
			break;
		}
		p = find(t, tgid);
		if (found > 0 && p)
			pending_remove(p, (uint32_t)tid);
	}
	p = find(t, tgid);
	for (size_t i = 0; p && i < nfinished; i++)
		pending_remove(p, finished[i]);
	return r;
}

/* drop: also remove the exited. Only the event loop's thread may: an
 * event of a removed source may already be on its way to it. */
static int refresh(struct sl_proctab *t, bool drop)
{
	_cleanup_(freep) pid_t *forkers = NULL;
	size_t nforkers = 0;
	int r = drop ? drop_exited(t) : 0;

	if (r < 0)
		return r;
	forkers = calloc(t->procs.n + 1, sizeof(*forkers));
	if (!forkers)
		return -ENOMEM;
	for (size_t i = 0; i < t->procs.n; i++) {
		const struct slot *s = sl_pidtab_at(&t->procs, i);

		if (s->p->forked)
			forkers[nforkers++] = s->pid;
	}
	for (size_t i = 0; i < nforkers; i++) {
		r = scan_process(t, forkers[i]);
		if (r < 0)
			return r;
	}
	/* Orphans: reparented to the keeper, whatever their session. */
	if (t->keeper > 0) {
		r = scan_children(t, t->keeper, t->keeper);
		if (r < 0)
			return r;
	}
	return drop ? drop_exited(t) : 0;
}

int sl_proctab_refresh(struct sl_proctab *t)
{
	return refresh(t, true);
}

void sl_proctab_thread_started(struct sl_proctab *t, pid_t tgid)
{
	struct proc *p = find(t, tgid);

	if (p)
		p->threaded = true;
}

bool sl_proctab_threaded(const struct sl_proctab *t, pid_t tgid)
{
	const struct proc *p = find(t, tgid);

	return !p || p->threaded;
}

size_t sl_proctab_count(const struct sl_proctab *t)
{
	size_t n = t->procs.n;

	for (size_t i = 0; i < t->procs.n; i++)
		n += ((const struct slot *)sl_pidtab_at(&t->procs, i))
			     ->p->pending.n;
	return n;
}

static bool alive(const struct proc *p)
{
	return p && !sl_pidfd_exited(p->src.fd);
}

/* Does pid descend from the keeper, or (members: looking in the table)
 * from a live member? Walks parents; the chain is read twice so that a
 * recycled pid in it is noticed (a parent that died and whose pid was
 * reused would have reparented its child first). On success *parent is
 * pid's parent. */
static bool descends(const struct sl_proctab *t, pid_t pid, bool members,
		     pid_t *parent)
{
	pid_t chain[SL_MAX_CHAIN], up[SL_MAX_CHAIN];
	size_t n = 0;
	pid_t cur = pid;

	for (;;) {
		pid_t ppid;

		if (n == SL_MAX_CHAIN || sl_task_ids(cur, NULL, &ppid) < 0)
			return false;
		chain[n] = cur;
		up[n++] = ppid;
		if (ppid <= 0 || cur == t->keeper)
			return false;
		if ((t->keeper > 0 && ppid == t->keeper) ||
		    (members && alive(find(t, ppid))))
			break;
		if (ppid == 1)
			return false;
		cur = ppid;
	}
	for (size_t i = 0; i < n; i++) {
		pid_t ppid;

		if (sl_task_ids(chain[i], NULL, &ppid) < 0 || ppid != up[i])
			return false;
	}
	*parent = up[0];
	return true;
}

/* The answer for a worker, which may not touch the table (the loop
 * changes it without a lock): by ancestry up to the keeper alone, adding
 * nothing. */
static int lookup_off_loop(const struct sl_proctab *t, pid_t tid,
			   pid_t *tgid_out)
{
	pid_t tgid, parent;

	if (t->keeper <= 0 || sl_task_ids(tid, &tgid, NULL) < 0 ||
	    !descends(t, tgid, false, &parent))
		return -ESRCH;
	*tgid_out = tgid;
	return 0;
}

static void cache_thread(struct sl_proctab *t, pid_t tid, pid_t tgid)
{
	struct thread_slot *ts;

	if (tid == tgid)
		return;
	if (t->threads.n >= SL_THREAD_CACHE_MAX)
		sl_pidtab_free(&t->threads);
	ts = sl_pidtab_insert(&t->threads, tid);
	if (ts) /* a cache: no memory only means no cached answer */
		ts->tgid = tgid;
}

int sl_proctab_lookup(struct sl_proctab *t, pid_t tid, pid_t *tgid_out)
{
	struct thread_slot *ts;
	pid_t tgid, parent;
	int pidfd, r;

	if (tid <= 0 || tid == t->keeper)
		return -ESRCH;
	if (sl_worker_thread())
		return lookup_off_loop(t, tid, tgid_out);
	/* A live member whose pid is tid: tid is that process (a live
	 * task's id names no other task). */
	if (alive(find(t, tid))) {
		*tgid_out = tid;
		return 0;
	}
	ts = sl_pidtab_find(&t->threads, tid);
	if (ts && alive(find(t, ts->tgid)) &&
	    syscall(SYS_tgkill, ts->tgid, tid, 0) == 0) {
		*tgid_out = ts->tgid;
		return 0;
	}
	r = sl_task_ids(tid, &tgid, NULL);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	if (alive(find(t, tgid))) {
		cache_thread(t, tid, tgid);
		*tgid_out = tgid;
		return 0;
	}
	if (t->closing || !descends(t, tgid, true, &parent))
		return -ESRCH;
	pidfd = sl_pidfd_open(tgid, 0);
	if (pidfd < 0)
		return pidfd == -EMFILE || pidfd == -ENFILE ? pidfd : -ESRCH;
	/* Held now: confirm it is still the process whose parent we saw. */
	if (!descends(t, tgid, true, &parent)) {
		close(pidfd);
		return -ESRCH;
	}
	r = track(t, tgid, pidfd, parent == t->keeper ? 0 : parent, false);
	if (r < 0)
		return r;
	cache_thread(t, tid, tgid);
	*tgid_out = tgid;
	return 0;
}

int sl_proctab_pidfd(struct sl_proctab *t, pid_t tgid)
{
	struct proc *p = find(t, tgid);

	return p ? p->src.fd : -ESRCH;
}

void sl_proctab_fork_begin(struct sl_proctab *t, pid_t tgid, pid_t tid)
{
	struct proc *p = find(t, tgid);

	if (p)
		pending_remove(p, (uint32_t)tid);
}

int sl_proctab_fork_allowed(struct sl_proctab *t, pid_t tgid, pid_t tid)
{
	struct proc *p = find(t, tgid);

	if (!p)
		return -ESRCH;
	p->forked = true;
	return sl_u32v_push(&p->pending, (uint32_t)tid);
}

int sl_proctab_signal_all(struct sl_proctab *t, int sig)
{
	unsigned gen = ++t->gen;
	int r = 0;

	for (int round = 0; round < SL_SIGNAL_ROUNDS; round++) {
		size_t sent = 0;

		r = refresh(t, false);
		for (size_t i = 0; i < t->procs.n; i++) {
			struct proc *p =
				((struct slot *)sl_pidtab_at(&t->procs, i))->p;

			if (p->signalled == gen)
				continue;
			p->signalled = gen;
			(void)pidfd_send_signal(p->src.fd, sig, NULL, 0);
			sent++;
		}
		if (!sent)
			break;
	}
	return r;
}

void sl_proctab_close(struct sl_proctab *t)
{
	t->closing = true;
}

bool sl_proctab_closing(const struct sl_proctab *t)
{
	return t->closing;
}

void sl_proctab_foreach(struct sl_proctab *t,
			void (*fn)(void *ctx, pid_t pid, int pidfd), void *ctx)
{
	for (size_t i = 0; i < t->procs.n; i++) {
		const struct slot *s = sl_pidtab_at(&t->procs, i);

		fn(ctx, s->pid, s->p->src.fd);
	}
}
