/*
 * The keeper process (see keeper.h). Same rules as child.c: it shares the
 * host's memory, so it issues raw syscalls only, touches no libc state,
 * writes only its state slot and its stack, and runs on a private thread
 * pointer (a Go or C thread that created it may exit and free its own).
 */
/* Fortified libc variants report through libc: none here. */
#undef _FORTIFY_SOURCE
#include "launch/keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/wait.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <time.h>

#include "launch/kcompat.h"
#include "util/rawsys.h"

#include <stdbool.h>

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define KEEPER_CODE \
	__attribute__((SL_NO_SSP noinline, no_sanitize("address", "undefined")))
#define KEEPER_INLINE                                         \
	static inline __attribute__((SL_NO_SSP always_inline, \
				     no_sanitize("address", "undefined")))

/* While killing, look again this often for children to kill. */
#define KILL_POLL_NS (10 * 1000 * 1000)
/* While a freeze waits for stops, look again this often for tasks that
 * went to sleep in the kernel instead (asleep_in_kernel()). */
#define FREEZE_POLL_NS (1000 * 1000)

#if defined(__x86_64__)
/* sl_raw_clone(flags, stack_top, parent_tid, tls, fn, arg): fn and arg
 * travel on the new stack; the kernel's order is flags, newsp,
 * parent_tid, child_tid, tls. */
__asm__(".text\n"
	".globl sl_raw_clone\n"
	".hidden sl_raw_clone\n"
	".type sl_raw_clone,@function\n"
	"sl_raw_clone:\n"
	"	and $-16, %rsi\n"
	"	sub $16, %rsi\n"
	"	mov %r8, 0(%rsi)\n"
	"	mov %r9, 8(%rsi)\n"
	"	mov %rcx, %r8\n"
	"	xor %r10d, %r10d\n"
	"	mov $56, %eax\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jnz 1f\n"
	"	xor %ebp, %ebp\n"
	"	pop %rax\n"
	"	pop %rdi\n"
	"	call *%rax\n"
	"	mov %eax, %edi\n"
	"	mov $231, %eax\n"
	"	syscall\n"
	"	hlt\n"
	"1:	ret\n"
	".size sl_raw_clone, .-sl_raw_clone\n");
#elif defined(__aarch64__)
/* The kernel's order here is flags, newsp, parent_tid, tls, child_tid. */
__asm__(".text\n"
	".globl sl_raw_clone\n"
	".hidden sl_raw_clone\n"
	".type sl_raw_clone,%function\n"
	"sl_raw_clone:\n"
	"	and x1, x1, #-16\n"
	"	stp x4, x5, [x1, #-16]!\n"
	"	mov x4, xzr\n"
	"	mov x8, #220\n"
	"	svc #0\n"
	"	cbz x0, 2f\n"
	"	ret\n"
	"2:	ldp x1, x0, [sp], #16\n"
	"	blr x1\n"
	"	mov x8, #94\n"
	"	svc #0\n"
	"	brk #0\n"
	".size sl_raw_clone, .-sl_raw_clone\n");
#else
#error "sandlock: the keeper is implemented for x86_64 and aarch64 only"
#endif

struct kernel_sigaction {
	unsigned long handler;
	unsigned long flags;
	unsigned long restorer;
	uint64_t mask;
};

KEEPER_INLINE void wake_host(const struct sl_keeper_spec *k)
{
	uint64_t one = 1;

	atomic_fetch_add(&k->st->events, 1);
	sl_raw3(__NR_write, k->event_fd, &one, sizeof(one));
}

/* Close every fd except those of keep (sorted, ascending) from `from` on. */
KEEPER_INLINE void close_except(unsigned from, const int *keep, int n)
{
	unsigned next = from;

	for (int i = 0; i < n; i++) {
		if (keep[i] < 0 || (unsigned)keep[i] < next)
			continue;
		if ((unsigned)keep[i] > next)
			sl_raw3(__NR_close_range, next, (unsigned)keep[i] - 1,
				0);
		next = (unsigned)keep[i] + 1;
	}
	sl_raw3(__NR_close_range, next, ~0U, 0);
}

/* Insert fd into the sorted array a of n entries (room for one more). */
KEEPER_INLINE int insert_sorted(int *a, int n, int fd)
{
	int i = n;

	while (i > 0 && a[i - 1] > fd) {
		a[i] = a[i - 1];
		i--;
	}
	a[i] = fd;
	return n + 1;
}

/* SIGKILL every child of ours (listed in /proc/thread-self/children).
 * They are unreaped children, so their pids cannot have been reused.
 * Returns how many were listed, or -1 when the list cannot be read. */
static KEEPER_CODE long kill_children(pid_t fallback)
{
	char buf[512];
	long fd = sl_raw4(__NR_openat, AT_FDCWD, "/proc/thread-self/children",
			  O_RDONLY | O_CLOEXEC, 0);
	long n, pid = 0, count = 0;
	int digits = 0;

	if (fd < 0) {
		/* No /proc: at least the sandboxed child itself. */
		if (fallback > 0)
			sl_raw2(__NR_kill, fallback, SIGKILL);
		return -1;
	}
	while ((n = sl_raw3(__NR_read, fd, buf, sizeof(buf))) > 0) {
		for (long i = 0; i < n; i++) {
			if (buf[i] >= '0' && buf[i] <= '9') {
				pid = pid * 10 + (buf[i] - '0');
				digits++;
				continue;
			}
			if (digits && pid > 0) {
				sl_raw2(__NR_kill, pid, SIGKILL);
				count++;
			}
			pid = 0;
			digits = 0;
		}
	}
	if (digits && pid > 0) {
		sl_raw2(__NR_kill, pid, SIGKILL);
		count++;
	}
	sl_raw1(__NR_close, fd);
	return count;
}

/* ---- freezing (keeper.h) -------------------------------------------------- */

#define SL_PTRACE_DETACH 17
#define SL_PTRACE_GETEVENTMSG 0x4201
#define SL_PTRACE_SEIZE 0x4206
#define SL_PTRACE_INTERRUPT 0x4207
#define SL_PTRACE_O_TRACEEXEC 0x10
#define SL_PTRACE_O_EXITKILL 0x100000
#define SL_PTRACE_EVENT_EXEC 4

/* States of a traced task. */
enum {
	T_RUNNING = 1, /* seized and interrupted, not stopped yet */
	T_STOPPED,     /* in a ptrace stop */
	T_WATCH,       /* the exec'ing task: seized, never interrupted */
	T_WAIT_EXEC,   /* ... its exec was let through: interrupted, its
			* stop (after the exec, or on its way back) awaited */
	T_DETACH,      /* released: detach as soon as it stops */
};
#define T_WATCHED 0x100 /* flag: the exec'ing task */

KEEPER_INLINE struct sl_freeze_traced *traced_find(struct sl_freeze_area *fa,
						   int32_t tid)
{
	for (uint32_t i = 0; i < fa->ntraced; i++)
		if (fa->traced[i].tid == tid)
			return &fa->traced[i];
	return 0;
}

KEEPER_INLINE void traced_drop(struct sl_freeze_area *fa,
			       struct sl_freeze_traced *t)
{
	*t = fa->traced[--fa->ntraced];
}

KEEPER_INLINE uint32_t traced_state(const struct sl_freeze_traced *t)
{
	return t->state & ~(uint32_t)T_WATCHED;
}

KEEPER_INLINE void traced_set(struct sl_freeze_traced *t, uint32_t state)
{
	t->state = (t->state & T_WATCHED) | state;
}

/* Let a stopped task go (with the signal its stop held back). */
KEEPER_INLINE void traced_detach(struct sl_freeze_area *fa,
				 struct sl_freeze_traced *t)
{
	sl_raw4(__NR_ptrace, SL_PTRACE_DETACH, t->tid, 0, t->sig);
	traced_drop(fa, t);
}

/* Release every task: those stopped now, the others when they stop. */
static KEEPER_CODE void release_all(struct sl_freeze_area *fa)
{
	for (uint32_t i = 0; i < fa->ntraced;) {
		struct sl_freeze_traced *t = &fa->traced[i];

		switch (traced_state(t)) {
		case T_STOPPED:
			traced_detach(fa, t);
			continue; /* the last entry moved here */
		case T_WATCH:
			/* seized only: a stop lets it be detached */
			sl_raw4(__NR_ptrace, SL_PTRACE_INTERRUPT, t->tid, 0, 0);
			/* fall through */
		default:
			traced_set(t, T_DETACH);
		}
		i++;
	}
}

/* A traced task has stopped (peeked with waitid): collect the stop. If
 * it died meanwhile, wait4 reaped it: *status is its wait status and 1
 * is returned. */
static KEEPER_CODE int traced_stopped(struct sl_freeze_area *fa, pid_t pid,
				      int *wstatus)
{
	struct sl_freeze_traced *t;
	int status = 0;
	int32_t sig;

	if (sl_raw4(__NR_wait4, pid, &status, WNOHANG | __WALL, 0) != pid)
		return 0;
	if ((status & 0xff) != 0x7f) { /* not a stop: gone, and reaped */
		if (fa && (t = traced_find(fa, pid)))
			traced_drop(fa, t);
		*wstatus = status;
		return 1;
	}
	/* a signal-delivery stop holds a signal to hand back; an event or
	 * group stop (interrupt, exec) holds none */
	sig = (status >> 16) ? 0 : (status >> 8) & 0xff;
	t = fa ? traced_find(fa, pid) : 0;
	if (fa && (status >> 16) == SL_PTRACE_EVENT_EXEC) {
		unsigned long former = 0;
		struct sl_freeze_traced *w;

		/* A thread that execs takes its process's id: the old
		 * leader's entry is that task now. */
		sl_raw4(__NR_ptrace, SL_PTRACE_GETEVENTMSG, pid, 0, &former);
		w = traced_find(fa, (int32_t)former);
		if (w && (pid_t)former != pid) {
			if (t)
				traced_drop(fa, t);
			w = traced_find(fa, (int32_t)former);
			w->tid = pid;
			t = w;
		}
	}
	if (!t) {
		sl_raw4(__NR_ptrace, SL_PTRACE_DETACH, pid, 0, sig);
		return 0;
	}
	t->sig = sig;
	if (traced_state(t) == T_DETACH) {
		traced_detach(fa, t);
		return 0;
	}
	traced_set(t, T_STOPPED);
	/* The watched exec is over (let through, argv copied): nothing is
	 * left to hold, whether or not the host has said so yet. */
	if ((status >> 16) == SL_PTRACE_EVENT_EXEC && (t->state & T_WATCHED))
		release_all(fa);
	return 0;
}

/* Seize tid (stopping it unless watch) and record it. */
static KEEPER_CODE int32_t traced_seize(struct sl_freeze_area *fa, int32_t tid,
					bool watch)
{
	struct sl_freeze_traced *t = traced_find(fa, tid);
	long r;

	if (t) {
		/* released but not stopped yet: wanted again */
		if (traced_state(t) == T_DETACH)
			traced_set(t, T_RUNNING);
		return 0;
	}
	if (fa->ntraced >= SL_FREEZE_MAX + 2)
		return -E2BIG;
	r = sl_raw4(__NR_ptrace, SL_PTRACE_SEIZE, tid, 0,
		    SL_PTRACE_O_EXITKILL | (watch ? SL_PTRACE_O_TRACEEXEC : 0));
	if (r == -ESRCH)
		return 0; /* gone: nothing to hold */
	if (r < 0)
		return (int32_t)r;
	t = &fa->traced[fa->ntraced++];
	t->tid = tid;
	t->sig = 0;
	t->state = watch ? (T_WATCH | T_WATCHED) : T_RUNNING;
	if (!watch && sl_raw4(__NR_ptrace, SL_PTRACE_INTERRUPT, tid, 0, 0) < 0)
		traced_drop(fa, t);
	return 0;
}

static KEEPER_CODE void freeze_start(struct sl_freeze_area *fa)
{
	struct sl_freeze_traced *w = 0;
	int32_t r;

	fa->err = 0;
	for (uint32_t i = 0; i < fa->ntraced; i++)
		if (fa->traced[i].state & T_WATCHED)
			w = &fa->traced[i];
	if (fa->op == SL_FREEZE_STOP) {
		if (fa->watch > 0 && !w) {
			r = traced_seize(fa, fa->watch, true);
			if (r < 0)
				fa->err = r;
		}
		for (uint32_t i = 0; i < fa->n && i < SL_FREEZE_MAX; i++) {
			r = traced_seize(fa, fa->tids[i], false);
			if (r < 0 && !fa->err)
				fa->err = r;
		}
		return;
	}
	/* RELEASE: a let-through exec is waited for, the rest goes now */
	if (w && traced_state(w) == T_WATCH && fa->continued) {
		sl_raw4(__NR_ptrace, SL_PTRACE_INTERRUPT, w->tid, 0, 0);
		traced_set(w, T_WAIT_EXEC);
		return;
	}
	release_all(fa);
}

/*
 * Is tid asleep in the kernel, uninterruptibly ("D" in /proc/<tid>/stat)?
 * A task waiting for the answer to a notification the supervisor has
 * received (a FIFO open performed on its behalf, a lease break) sleeps so
 * and reaches its ptrace stop only once answered; so does a vfork parent.
 * Once interrupted it cannot run a user instruction before that stop:
 * every return to user mode goes through the stop that is pending. So it
 * is held already, and waiting for its stop would only wait for the
 * answer (which may come after the exec being decided).
 */
KEEPER_INLINE bool asleep_in_kernel(int32_t tid)
{
	char path[32] = "/proc/", digits[12], buf[512], state = 0;
	int nd = 0, len = 6;
	long fd, n;
	uint32_t v = (uint32_t)tid;

	do {
		digits[nd++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && nd < (int)sizeof(digits));
	while (nd > 0)
		path[len++] = digits[--nd];
	for (const char *s = "/stat"; *s; s++)
		path[len++] = *s;
	path[len] = 0;
	fd = sl_raw4(__NR_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return false;
	n = sl_raw3(__NR_read, fd, buf, sizeof(buf));
	sl_raw1(__NR_close, fd);
	/* "pid (comm) S ...": the name may hold anything, ')' included */
	for (long i = n - 2; i > 0; i--)
		if (buf[i] == ')' && buf[i + 1] == ' ') {
			state = i + 2 < n ? buf[i + 2] : 0;
			break;
		}
	return state == 'D';
}

/* Is the request in progress complete? */
static KEEPER_CODE bool freeze_complete(struct sl_freeze_area *fa)
{
	for (uint32_t i = 0; i < fa->ntraced && !atomic_load(&fa->cancel);
	     i++) {
		uint32_t st = traced_state(&fa->traced[i]);

		if (fa->op == SL_FREEZE_STOP && st == T_RUNNING &&
		    !asleep_in_kernel(fa->traced[i].tid))
			return false;
		if (fa->op == SL_FREEZE_RELEASE && st == T_WAIT_EXEC)
			return false;
	}
	if (fa->op == SL_FREEZE_RELEASE)
		release_all(fa);
	return true;
}

/* Start a new request, finish the one in progress. */
static KEEPER_CODE void freeze_step(const struct sl_keeper_spec *k)
{
	struct sl_freeze_area *fa = k->freeze;
	uint32_t seq;

	if (!fa)
		return;
	seq = atomic_load(&fa->seq);
	if (!fa->busy && seq != atomic_load(&fa->done)) {
		fa->busy = 1;
		freeze_start(fa);
	}
	if (fa->busy && freeze_complete(fa)) {
		fa->busy = 0;
		atomic_store(&fa->done, seq);
		wake_host(k);
	}
}

/* ---- reaping ---------------------------------------------------------------- */

/* Stops and continues of the top-level child (job control). */
static KEEPER_CODE void job_event(const struct sl_keeper_spec *k, pid_t child,
				  const siginfo_t *si)
{
	if (si->si_pid != child || atomic_load(&k->st->exited))
		return;
	if (si->si_code == CLD_STOPPED) {
		atomic_store(&k->st->stop_sig, si->si_status);
		atomic_store(&k->st->stopped, 1);
	} else if (si->si_code == CLD_CONTINUED) {
		atomic_store(&k->st->stopped, 0);
	}
	wake_host(k);
}

/* Reap every zombie child (the top-level child's end is published before
 * it is reaped), collect the stops of traced tasks and the job-control
 * events of the child. Returns 1 when no child is left at all. */
static KEEPER_CODE int reap(const struct sl_keeper_spec *k, pid_t child)
{
	for (;;) {
		siginfo_t si;
		long r;

		si.si_pid = 0;
		r = sl_raw5(__NR_waitid, P_ALL, 0, &si,
			    WEXITED | WSTOPPED | WCONTINUED | WNOHANG |
				    WNOWAIT | __WALL,
			    0);
		if (r == -ECHILD)
			return 1;
		if (r < 0 || si.si_pid == 0)
			return 0;
		switch (si.si_code) {
		case CLD_EXITED:
		case CLD_KILLED:
		case CLD_DUMPED:
			if (si.si_pid == child &&
			    !atomic_load(&k->st->exited)) {
				k->st->code = si.si_code;
				k->st->status = si.si_status;
				atomic_store(&k->st->stopped, 0);
				atomic_store(&k->st->exited, 1);
				wake_host(k);
			}
			if (k->freeze) {
				struct sl_freeze_traced *t =
					traced_find(k->freeze, si.si_pid);

				if (t)
					traced_drop(k->freeze, t);
			}
			sl_raw5(__NR_waitid, P_PID, si.si_pid, &si,
				WEXITED | __WALL, 0);
			break;
		case CLD_TRAPPED: {
			int ws = 0;

			/* only the keeper's own tracees stop for it; one that
			 * died meanwhile was reaped: its end is published */
			if (traced_stopped(k->freeze, si.si_pid, &ws) &&
			    si.si_pid == child &&
			    !atomic_load(&k->st->exited)) {
				bool sig = (ws & 0x7f) != 0;

				k->st->code = !sig	  ? CLD_EXITED :
					      (ws & 0x80) ? CLD_DUMPED :
							    CLD_KILLED;
				k->st->status = sig ? (ws & 0x7f) :
						      ((ws >> 8) & 0xff);
				atomic_store(&k->st->stopped, 0);
				atomic_store(&k->st->exited, 1);
				wake_host(k);
			}
			break;
		}
		default:
			job_event(k, child, &si);
			sl_raw5(__NR_waitid, P_PID, si.si_pid, &si,
				WSTOPPED | WCONTINUED | WNOHANG | __WALL, 0);
			break;
		}
	}
}

KEEPER_CODE int sl_keeper_main(void *arg)
{
	struct sl_keeper_spec *k = arg;
	struct kernel_sigaction dfl = { (unsigned long)SIG_DFL, 0, 0, 0 };
	uint64_t chld = UINT64_C(1) << (SIGCHLD - 1);
	int keep[SL_KEEPER_MAX_KEEP + 2], nkeep = 0, mine[3];
	long hostfd, sigfd, child;
	bool host_gone = false;

	/* A host with SIGCHLD ignored would have our children auto-reaped. */
	sl_raw4(__NR_rt_sigaction, SIGCHLD, &dfl, 0, SL_RAW_SIGSET_SIZE);
	if (sl_raw5(__NR_prctl, PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		goto fail;
	hostfd = sl_raw2(__NR_pidfd_open, k->host_pid, 0);
	/* The host may have died before the pidfd named it. */
	if (hostfd < 0 || sl_raw0(__NR_getppid) != k->host_pid)
		goto fail;
	sigfd = sl_raw4(__NR_signalfd4, -1, &chld, SL_RAW_SIGSET_SIZE,
			SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0)
		goto fail;
	for (int i = 0; i < k->nkeep; i++)
		keep[nkeep++] = k->keep[i];
	nkeep = insert_sorted(keep, nkeep, (int)hostfd);
	nkeep = insert_sorted(keep, nkeep, (int)sigfd);
	/* The host's other descriptors are not ours to hold. */
	close_except(3, keep, nkeep);

	k->child->parent_pid = (pid_t)sl_raw0(__NR_getpid);
	child = sl_raw_clone(k->child_flags, k->child_stack_top, 0, k->tls,
			     sl_child_main, k->child);
	atomic_store(&k->st->child, (int32_t)child);
	wake_host(k);
	if (child < 0)
		sl_raw_exit(127);
	/* The child has its copies now; we keep only ours (stdio too). */
	nkeep = 0;
	mine[nkeep++] = k->event_fd;
	nkeep = insert_sorted(mine, nkeep, (int)hostfd);
	nkeep = insert_sorted(mine, nkeep, (int)sigfd);
	close_except(0, mine, nkeep);

	for (;;) {
		struct pollfd pf[2] = { { (int)sigfd, POLLIN, 0 },
					{ (int)hostfd, POLLIN, 0 } };
		struct timespec tick = { 0, KILL_POLL_NS };
		struct timespec freeze_tick = { 0, FREEZE_POLL_NS };
		struct signalfd_siginfo ssi;
		uint32_t cmd = atomic_load(&k->st->cmd);
		bool killing = host_gone || cmd != SL_KEEPER_RUN;
		int childless = reap(k, (pid_t)child);
		bool freezing;

		freeze_step(k);
		freezing = k->freeze && k->freeze->busy;
		if (killing && !childless)
			childless = kill_children((pid_t)child) == 0;
		/* Nothing of the sandbox is left once the child has ended and
		 * we have no children: nothing can create a process any more.
		 * Exiting now spares the host a round trip at teardown. */
		if (childless && (host_gone || cmd == SL_KEEPER_EXIT ||
				  atomic_load(&k->st->exited)))
			sl_raw_exit(0);
		sl_raw5(__NR_ppoll, pf, host_gone ? 1 : 2,
			killing && !childless ? &tick :
			freezing	      ? &freeze_tick :
						0,
			0, SL_RAW_SIGSET_SIZE);
		while (sl_raw3(__NR_read, sigfd, &ssi, sizeof(ssi)) > 0)
			;
		if (pf[1].revents)
			host_gone = true;
	}
fail:
	atomic_store(&k->st->child, -ESRCH);
	wake_host(k);
	sl_raw_exit(127);
}
