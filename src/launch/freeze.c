/*
 * The run's freezer on top of the keeper (freeze.h, keeper.h).
 */
#include "launch/freeze.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "supervisor/evsrc.h"
#include "supervisor/notif.h"
#include "supervisor/proctab.h"
#include "util/cleanup.h"
#include "util/hostperm.h"

/* A freeze that has not held everything within this long fails. */
#define FREEZE_LIMIT_S 5
/* Listing again after a round that found new tasks: a bound on forks
 * that were in flight (the rest cannot fork: they are stopped). */
#define MAX_ROUNDS 16

/* Tests only: the control run of the argv race (tests/escape), showing
 * the race this freezer closes. Hidden: no program that loads the shared
 * library can reach it. */
bool sl_freezer_test_off;

struct freeze_req {
	pid_t tid;
	uint64_t id;
	void (*done)(void *arg, int r);
	void *arg;
	struct freeze_req *next;
};

enum fz_state {
	FZ_IDLE,
	FZ_STOPPING,  /* a STOP request is with the keeper */
	FZ_FROZEN,    /* everything listed is held (or nothing was) */
	FZ_RELEASING, /* a RELEASE request is with the keeper */
};

struct sl_freezer {
	struct sl_freezer_ops ops;
	struct sl_launch *l;
	struct sl_supervisor *sv;
	int epfd;
	struct sl_evsrc timer;
	enum fz_state state;
	struct freeze_req *cur, *head;
	bool held;	   /* the keeper holds tasks for cur */
	bool failed;	   /* cur's done was called with an error */
	bool thaw_pending; /* answered while a STOP was with the keeper */
	bool thaw_continued;
	pid_t exempt; /* a vfork parent that cannot run anyway */
	unsigned rounds;
	int32_t *sent; /* tids asked for during this freeze */
	size_t nsent, capsent;
};

static struct sl_freeze_area *area(struct sl_freezer *fz)
{
	return fz->l->kspec.freeze;
}

/* Ask the keeper (it wakes on any signal of its set). */
static void post(struct sl_freezer *fz, uint32_t op)
{
	struct sl_freeze_area *fa = area(fz);

	fa->op = op;
	fa->cancel = 0;
	atomic_fetch_add(&fa->seq, 1);
	if (fz->l->keeper_pidfd >= 0)
		pidfd_send_signal(fz->l->keeper_pidfd, SIGCHLD, NULL, 0);
}

static void arm(struct sl_freezer *fz, bool on)
{
	struct itimerspec it = { 0 };

	if (on)
		it.it_value.tv_sec = FREEZE_LIMIT_S;
	if (fz->timer.fd >= 0)
		timerfd_settime(fz->timer.fd, 0, &it, NULL);
}

/* ---- what to hold ---------------------------------------------------------- */

static bool was_sent(const struct sl_freezer *fz, int32_t tid)
{
	for (size_t i = 0; i < fz->nsent; i++)
		if (fz->sent[i] == tid)
			return true;
	return false;
}

/* Is tid waiting for a freeze of its own (its exec parked here)? It
 * cannot run before that turn comes, and a ptrace stop could not reach
 * it (it waits, killably, for its answer). */
static bool waits_its_turn(const struct sl_freezer *fz, int32_t tid)
{
	for (const struct freeze_req *q = fz->head; q; q = q->next)
		if (q->tid == tid)
			return true;
	return false;
}

struct lister {
	struct sl_freezer *fz;
	pid_t skip, exempt;
	uint32_t n; /* new tids in the area */
	int err;
};

static void list_tasks(void *arg, pid_t pid, int pidfd)
{
	struct lister *ls = arg;
	struct sl_freezer *fz = ls->fz;
	struct sl_freeze_area *fa = area(fz);
	char path[64];
	struct dirent *de;
	DIR *d;

	(void)pidfd;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return; /* gone meanwhile */
	while (ls->err == 0 && (de = readdir(d))) {
		int32_t tid = (int32_t)strtol(de->d_name, NULL, 10);

		if (tid <= 0 || tid == ls->skip || tid == ls->exempt ||
		    was_sent(fz, tid) || waits_its_turn(fz, tid))
			continue;
		if (ls->n >= SL_FREEZE_MAX) {
			ls->err = -E2BIG;
			break;
		}
		if (fz->nsent == fz->capsent) {
			size_t cap = fz->capsent ? 2 * fz->capsent : 16;
			int32_t *v = realloc(fz->sent, cap * sizeof(*v));

			if (!v) {
				ls->err = -ENOMEM;
				break;
			}
			fz->sent = v;
			fz->capsent = cap;
		}
		fz->sent[fz->nsent++] = tid;
		fa->tids[ls->n++] = tid;
	}
	closedir(d);
}

/* The process (thread group) of tid, its parent, from /proc. */
static pid_t parent_of(pid_t tid)
{
	char path[64], buf[512];
	const char *p;
	ssize_t n;
	int ppid = 0;
	_cleanup_(closep) int fd = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the name may hold anything */
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return 0;
	return (pid_t)ppid;
}

static bool same_mm(pid_t a, pid_t b)
{
	return syscall(SYS_kcmp, a, b, KCMP_VM, 0, 0) == 0;
}

/* Is thread t of process ppid blocked in a vfork of child (a clone with
 * CLONE_VFORK, child its only child sharing its memory)? Such a thread
 * cannot run again before child's exec is over or child is gone: the
 * kernel holds it in the clone, in a wait a ptrace stop cannot break. */
static bool vfork_parent_of(pid_t ppid, pid_t t, pid_t child)
{
	char path[96], buf[256];
	unsigned long nr = 0, flags = 0;
	_cleanup_(closep) int fd = -1;
	bool found = false;
	unsigned sharing = 0;
	FILE *f;
	int c;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)ppid,
		 (int)t);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	if (sscanf(buf, "%lu %lx", &nr, &flags) < 1)
		return false; /* "running" */
	if (!((long)nr == SYS_vfork ||
	      ((long)nr == SYS_clone && (flags & CLONE_VFORK))))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)ppid,
		 (int)t);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fscanf(f, "%d", &c) == 1)
		if (same_mm((pid_t)c, t)) {
			sharing++;
			found |= (pid_t)c == child;
		}
	fclose(f);
	return found && sharing == 1;
}

/* The thread waiting in a vfork of tid's process, if any. */
static pid_t vfork_parent(pid_t tid)
{
	char path[64];
	struct dirent *de;
	pid_t tgid = 0, ppid, found = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	{
		FILE *f = fopen(path, "re");
		char line[128];

		if (!f)
			return 0;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "Tgid: %d", &tgid) == 1)
				break;
		fclose(f);
	}
	ppid = tgid > 0 ? parent_of(tgid) : 0;
	if (ppid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)ppid);
	d = opendir(path);
	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		pid_t t = (pid_t)strtol(de->d_name, NULL, 10);

		if (t > 0 && vfork_parent_of(ppid, t, tgid))
			found = t;
	}
	closedir(d);
	return found;
}

/* List the tasks not asked for yet into the area; their number, or
 * -errno. */
static int list_new(struct sl_freezer *fz, pid_t exempt)
{
	struct sl_proctab *procs = sl_supervisor_proctab(fz->sv);
	struct lister ls = { .fz = fz, .skip = fz->cur->tid, .exempt = exempt };
	int r;

	if (!procs)
		return -ESRCH;
	r = sl_proctab_refresh(procs);
	if (r < 0)
		return r;
	sl_proctab_foreach(procs, list_tasks, &ls);
	return ls.err < 0 ? ls.err : (int)ls.n;
}

/* Is tid's process the sandbox's only one, and single-threaded? Then
 * nothing else can run: no /proc to read (the common case of a shell's
 * child, or a program's first exec). */
static bool alone(struct sl_freezer *fz, pid_t tid)
{
	struct sl_proctab *procs = sl_supervisor_proctab(fz->sv);
	pid_t tgid;

	fz->exempt = 0;
	return procs && sl_proctab_lookup(procs, tid, &tgid) == 0 &&
	       sl_proctab_count(procs) == 1 &&
	       !sl_proctab_threaded(procs, tgid);
}

/* ---- the requests ---------------------------------------------------------- */

static void start_next(struct sl_freezer *fz);

static void finish_cur(struct sl_freezer *fz)
{
	free(fz->cur);
	fz->cur = NULL;
	fz->state = FZ_IDLE;
	fz->held = fz->failed = fz->thaw_pending = false;
	fz->nsent = 0;
	arm(fz, false);
	start_next(fz);
}

/* cur could not be held: tell its owner (who answers, then thaws). */
static void fail_cur(struct sl_freezer *fz, int r)
{
	if (fz->failed)
		return;
	fz->failed = true;
	fz->cur->done(fz->cur->arg, r < 0 ? r : -EPERM);
}

static void release(struct sl_freezer *fz, bool continued)
{
	if (!fz->held) {
		finish_cur(fz);
		return;
	}
	area(fz)->continued = continued;
	fz->state = FZ_RELEASING;
	post(fz, SL_FREEZE_RELEASE);
}

/* Everything listed is held: list again (a fork in flight), or done. */
static void stopped(struct sl_freezer *fz)
{
	struct sl_freeze_area *fa = area(fz);
	int n;

	if (fa->err < 0) {
		fz->state = FZ_FROZEN;
		fail_cur(fz, fa->err);
		return;
	}
	/* a task that left the sandbox (an id reused meanwhile) is not
	 * ours to hold: give up */
	for (size_t i = 0; i < fz->nsent; i++) {
		pid_t tgid;

		if (sl_proctab_lookup(sl_supervisor_proctab(fz->sv),
				      fz->sent[i], &tgid) == -ESRCH &&
		    kill(fz->sent[i], 0) == 0) {
			fz->state = FZ_FROZEN;
			fail_cur(fz, -EPERM);
			return;
		}
	}
	n = list_new(fz, fz->exempt);
	if (n > 0 && ++fz->rounds < MAX_ROUNDS) {
		fa->n = (uint32_t)n;
		fa->watch = fz->cur->tid;
		post(fz, SL_FREEZE_STOP);
		return;
	}
	fz->state = FZ_FROZEN;
	arm(fz, false);
	if (n != 0)
		fail_cur(fz, n < 0 ? n : -EAGAIN);
	else
		fz->cur->done(fz->cur->arg, 0);
}

static void start_next(struct sl_freezer *fz)
{
	struct sl_freeze_area *fa = area(fz);
	int n;

	while (fz->state == FZ_IDLE && fz->head) {
		fz->cur = fz->head;
		fz->head = fz->cur->next;
		fz->rounds = 0;
		fz->nsent = 0;
		if (sl_notif_id_valid(fz->l->listener, fz->cur->id) < 0) {
			struct freeze_req *q = fz->cur;

			/* withdrawn while it waited: nothing to hold */
			fz->cur = NULL;
			q->done(q->arg, -ENOENT);
			free(q);
			continue;
		}
		n = alone(fz, fz->cur->tid) || sl_freezer_test_off ?
			    0 :
			    list_new(fz,
				     fz->exempt = vfork_parent(fz->cur->tid));
		if (n == 0) {
			/* Nothing else can run: nothing to release either,
			 * so the next request need not wait for this one's
			 * answer (its thaw finds nothing to do). */
			struct freeze_req *q = fz->cur;

			fz->cur = NULL;
			q->done(q->arg, 1);
			free(q);
			continue;
		}
		if (n < 0) {
			fz->state = FZ_FROZEN;
			fail_cur(fz, n);
			return;
		}
		fz->state = FZ_STOPPING;
		fz->held = true;
		fa->n = (uint32_t)n;
		fa->watch = fz->cur->tid;
		arm(fz, true);
		post(fz, SL_FREEZE_STOP);
	}
}

void sl_freezer_keeper_event(struct sl_freezer *fz)
{
	struct sl_freeze_area *fa;

	if (!fz || !(fa = area(fz)) ||
	    atomic_load(&fa->done) != atomic_load(&fa->seq))
		return;
	switch (fz->state) {
	case FZ_STOPPING:
		if (fz->thaw_pending) {
			release(fz, fz->thaw_continued);
			return;
		}
		stopped(fz);
		return;
	case FZ_RELEASING:
		finish_cur(fz);
		return;
	default:
		return;
	}
}

static int fz_freeze(void *ctx, pid_t tid, uint64_t id,
		     void (*done)(void *arg, int r), void *arg)
{
	struct sl_freezer *fz = ctx;
	struct freeze_req *q = calloc(1, sizeof(*q)), **pp;

	if (!q)
		return -ENOMEM;
	*q = (struct freeze_req){ tid, id, done, arg, NULL };
	for (pp = &fz->head; *pp; pp = &(*pp)->next)
		;
	*pp = q;
	start_next(fz);
	return 0;
}

static void fz_thaw(void *ctx, void *arg, bool continued)
{
	struct sl_freezer *fz = ctx;
	struct freeze_req **pp;

	if (fz->cur && fz->cur->arg == arg) {
		if (fz->state == FZ_STOPPING) {
			fz->thaw_pending = true;
			fz->thaw_continued = continued;
		} else if (fz->state == FZ_FROZEN) {
			release(fz, continued);
		}
		return;
	}
	for (pp = &fz->head; *pp; pp = &(*pp)->next)
		if ((*pp)->arg == arg) {
			struct freeze_req *q = *pp;

			*pp = q->next;
			free(q);
			return;
		}
}

/* A freeze that does not complete: some task does not stop (it waits
 * in the kernel where a stop cannot reach it). Give up on it. */
static void on_timer(struct sl_evsrc *src, uint32_t events)
{
	struct sl_freezer *fz = sl_container_of(src, struct sl_freezer, timer);
	uint64_t ticks;

	(void)events;
	(void)!read(src->fd, &ticks, sizeof(ticks));
	if (fz->state != FZ_STOPPING || !fz->cur)
		return;
	/* the keeper stops waiting; what did not stop yet is let go
	 * whenever it stops */
	area(fz)->cancel = 1;
	pidfd_send_signal(fz->l->keeper_pidfd, SIGCHLD, NULL, 0);
	fail_cur(fz, -ETIMEDOUT);
}

int sl_freezer_new(struct sl_launch *l, int epfd, struct sl_freezer **out)
{
	struct sl_freezer *fz = calloc(1, sizeof(*fz));
	int r;

	if (!fz)
		return -ENOMEM;
	fz->l = l;
	fz->epfd = epfd;
	fz->ops = (struct sl_freezer_ops){ fz_freeze, fz_thaw, fz };
	fz->timer.on_event = on_timer;
	fz->timer.fd =
		timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fz->timer.fd < 0 || (r = sl_evsrc_add(epfd, &fz->timer)) < 0) {
		r = fz->timer.fd < 0 ? -errno : r;
		if (fz->timer.fd >= 0)
			close(fz->timer.fd);
		free(fz);
		return r;
	}
	*out = fz;
	return 0;
}

void sl_freezer_attach(struct sl_freezer *fz, struct sl_supervisor *sv)
{
	if (fz)
		fz->sv = sv;
}

const struct sl_freezer_ops *sl_freezer_ops(struct sl_freezer *fz)
{
	return fz ? &fz->ops : NULL;
}

void sl_freezer_free(struct sl_freezer *fz)
{
	if (!fz)
		return;
	while (fz->head) {
		struct freeze_req *q = fz->head;

		fz->head = q->next;
		free(q);
	}
	free(fz->cur);
	sl_evsrc_del(fz->epfd, &fz->timer);
	close(fz->timer.fd);
	free(fz->sent);
	free(fz);
}

int sl_freezer_possible(struct sl_error *e)
{
	char buf[16] = "";
	_cleanup_(closep) int fd = open("/proc/sys/kernel/yama/ptrace_scope",
					O_RDONLY | O_CLOEXEC);
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3,
						0 };
	struct __user_cap_data_struct caps[2];
	int scope;

	/* The keeper's PTRACE_SEIZE, and kcmp to tell a vfork (a container
	 * without CAP_SYS_PTRACE refuses both, util/hostperm.h). */
	if (!sl_host_allows(SL_HOST_PTRACE | SL_HOST_KCMP))
		return sl_host_require(SL_HOST_PTRACE | SL_HOST_KCMP,
				       "holding the sandbox still while an "
				       "exec is decided (policy_fn, a custom "
				       "handler on exec)",
				       e);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
		return 0; /* no Yama: ptrace of our descendants is allowed */
	scope = atoi(buf);
	if (scope >= 3)
		return sl_err(
			e, EPERM,
			"policy_fn needs ptrace to hold the sandbox still "
			"while an exec is decided, and "
			"kernel.yama.ptrace_scope is %d (ptrace disabled)",
			scope);
	if (scope == 2 && (syscall(SYS_capget, &hdr, caps) < 0 ||
			   !(caps[0].effective & (1u << CAP_SYS_PTRACE))))
		return sl_err(
			e, EPERM,
			"policy_fn needs ptrace to hold the sandbox still "
			"while an exec is decided: "
			"kernel.yama.ptrace_scope is 2 and this process "
			"lacks CAP_SYS_PTRACE");
	return 0;
}
