/*
 * Enforcing a Landlock ruleset on every thread of the calling process
 * (docs/decisions.md decision 3).
 *
 * landlock_restrict_self() and PR_SET_NO_NEW_PRIVS act on the calling
 * thread only. Landlock ABI 8 has a flag that applies the ruleset to all
 * threads at once; below it, every thread must make the calls itself.
 * We then do what libc does for setuid(): a signal broadcast. A handler
 * is installed on one real-time signal for the duration of this call (the
 * caller explicitly asked for a process-wide operation; the previous
 * action is saved and restored), each other task of /proc/self/task is
 * sent the signal, its handler applies the ruleset and reports through
 * atomics. Threads created meanwhile by an unconfined thread are not
 * confined, so /proc/self/task is scanned again until a scan finds no
 * thread left to confine; the whole operation is bounded by a timeout.
 * The caller applies the ruleset to itself last, so that until then it can
 * still read /proc and signal its siblings.
 *
 * Known limits, all failing closed with an error: a thread that keeps the
 * signal blocked never answers (we time out); tids are assumed not to be
 * recycled during the call. A thread born from an already confined one
 * inherits the domain and is still asked to apply it again (one more
 * Landlock layer, same rights). The broadcast interrupts blocking syscalls
 * that SA_RESTART does not restart (they return EINTR), as libc's does.
 * Each thread gets a domain of its own (identical rules); recent kernels
 * let threads of one process signal each other whatever their domains.
 */
#include "landlock/rules.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "landlock/landlock_uapi.h"
#include "util/cleanup.h"
#include "util/ownthreads.h"
#include "util/rawsys.h"

#define BROADCAST_TIMEOUT_MS 5000
#define LIVENESS_POLL_MS 10

/* Result of one thread: a slot_state, or -errno when it failed. */
enum slot_state { SLOT_PENDING = 0, SLOT_CONFINED = 1, SLOT_GONE = 2 };

struct thread_slot {
	pid_t tid;
	atomic_int result;
};

/* The threads asked in one round of the broadcast. */
struct round {
	size_t n;
	struct thread_slot slot[];
};

/*
 * Process-wide broadcast state: a signal handler can only reach globals.
 * One broadcast at a time (lock). Signals carry &bc as their value, so the
 * handler tells ours apart from anything else arriving on the signal.
 */
static struct {
	pthread_mutex_t lock;
	_Atomic(struct round *) round;
	atomic_int ruleset_fd;
	atomic_uint answers; /* futex word, bumped by every handler */
	pid_t pid;
	int signo;
	struct sigaction previous;
	bool abandoned; /* a timed-out broadcast left its handler installed */
} bc = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* A signal that is not ours goes to whoever handled it before. */
static void forward_foreign(int sig, siginfo_t *si, void *uc)
{
	const struct sigaction *old = &bc.previous;

	if (old->sa_flags & SA_SIGINFO) {
		if (old->sa_sigaction)
			old->sa_sigaction(sig, si, uc);
	} else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
		old->sa_handler(sig);
	}
}

/* Async-signal-safe: raw syscalls only, errno untouched. */
static void on_broadcast_signal(int sig, siginfo_t *si, void *uc)
{
	struct round *rd;
	long tid, r;

	if (!si || si->si_code != SI_QUEUE || si->si_pid != bc.pid ||
	    si->si_value.sival_ptr != (void *)&bc) {
		forward_foreign(sig, si, uc);
		return;
	}
	rd = atomic_load(&bc.round);
	if (!rd)
		return;
	tid = sl_raw0(__NR_gettid);
	for (size_t i = 0; i < rd->n; i++) {
		if (rd->slot[i].tid != tid)
			continue;
		r = sl_raw5(__NR_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (r == 0)
			r = sl_raw2(__NR_landlock_restrict_self,
				    atomic_load(&bc.ruleset_fd), 0);
		atomic_store(&rd->slot[i].result,
			     r == 0 ? SLOT_CONFINED : (int)r);
		atomic_fetch_add(&bc.answers, 1);
		sl_raw3(__NR_futex, &bc.answers, FUTEX_WAKE_PRIVATE, 1);
		return;
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A real-time signal nobody handles if there is one, else the last one
 * (whose handler then receives everything that is not ours). */
static int pick_signal(void)
{
	for (int s = SIGRTMAX; s >= SIGRTMIN; s--) {
		struct sigaction sa;

		if (sigaction(s, NULL, &sa) == 0 &&
		    !(sa.sa_flags & SA_SIGINFO) &&
		    (sa.sa_handler == SIG_DFL || sa.sa_handler == SIG_IGN))
			return s;
	}
	return SIGRTMAX;
}

/* Can the task still run code? Gone, or a zombie (an exited leader
 * stays listed while other threads run), means no. */
static bool task_alive(DIR *tasks, pid_t tid)
{
	char path[32], buf[512];
	_cleanup_(closep) int fd = -1;
	ssize_t n;
	char *paren;

	snprintf(path, sizeof(path), "%d/stat", (int)tid);
	fd = openat(dirfd(tasks), path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno != ENOENT && errno != ESRCH;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return n < 0 && errno != ESRCH;
	buf[n] = '\0';
	/* "tid (comm) S ...": comm may contain ')' so take the last one. */
	paren = strrchr(buf, ')');
	if (!paren || paren[1] != ' ')
		return true;
	return paren[2] != 'Z' && paren[2] != 'X';
}

/* Live tasks of the process except the caller and those already done. */
static int scan_pending(DIR *tasks, pid_t self, const struct sl_u32v *done,
			struct sl_u32v *out)
{
	struct dirent *de;

	out->n = 0;
	rewinddir(tasks);
	errno = 0;
	while ((de = readdir(tasks))) {
		char *end;
		long tid = strtol(de->d_name, &end, 10);

		if (*end || tid <= 0 || tid == self)
			continue;
		if (sl_u32v_contains(done, (uint32_t)tid) ||
		    !task_alive(tasks, (pid_t)tid))
			continue;
		if (sl_u32v_push(out, (uint32_t)tid))
			return -ENOMEM;
	}
	return errno ? -errno : 0;
}

static int signal_thread(pid_t tid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = bc.signo;
	si.si_code = SI_QUEUE;
	si.si_pid = bc.pid;
	si.si_uid = getuid();
	si.si_value.sival_ptr = &bc;
	if (syscall(SYS_rt_tgsigqueueinfo, bc.pid, tid, bc.signo, &si) < 0)
		return -errno;
	return 0;
}

/* Wait until every slot has answered or its thread is gone. Returns
 * -ETIMEDOUT (with signals possibly still pending) at the deadline. */
static int wait_round(struct round *rd, DIR *tasks, int64_t deadline)
{
	for (;;) {
		unsigned seen = atomic_load(&bc.answers);
		bool pending = false;
		struct timespec ts = { 0, LIVENESS_POLL_MS * 1000000L };

		for (size_t i = 0; i < rd->n; i++) {
			int expected = SLOT_PENDING;

			if (atomic_load(&rd->slot[i].result) != SLOT_PENDING)
				continue;
			if (!task_alive(tasks, rd->slot[i].tid))
				atomic_compare_exchange_strong(
					&rd->slot[i].result, &expected,
					SLOT_GONE);
			else
				pending = true;
		}
		if (!pending)
			return 0;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		syscall(SYS_futex, &bc.answers, FUTEX_WAIT_PRIVATE, seen, &ts);
	}
}

static int report_timeout(struct round *rd, struct sl_error *e)
{
	pid_t tid = 0;

	for (size_t i = 0; i < rd->n && !tid; i++)
		if (atomic_load(&rd->slot[i].result) == SLOT_PENDING)
			tid = rd->slot[i].tid;
	return sl_err(e, ETIMEDOUT,
		      "confine: thread %d did not apply the Landlock ruleset "
		      "(does it block signal %d?)",
		      (int)tid, bc.signo);
}

/*
 * One round: ask every pending thread, wait for the answers, record the
 * confined ones in done. On timeout the round is abandoned on purpose:
 * its handler, slots and ruleset fd stay alive, so a thread that answers
 * late still confines itself instead of hitting a restored handler.
 */
static int run_round(const struct sl_u32v *pending, DIR *tasks,
		     int64_t deadline, struct sl_u32v *done, struct sl_error *e)
{
	struct round *rd;
	int r = 0;

	rd = calloc(1, sizeof(*rd) + pending->n * sizeof(rd->slot[0]));
	if (!rd)
		return sl_err(e, ENOMEM, "out of memory");
	rd->n = pending->n;
	for (size_t i = 0; i < rd->n; i++)
		rd->slot[i].tid = (pid_t)pending->v[i];
	atomic_store(&bc.round, rd);

	for (size_t i = 0; i < rd->n; i++) {
		int s = signal_thread(rd->slot[i].tid);

		if (s == -ESRCH)
			atomic_store(&rd->slot[i].result, SLOT_GONE);
		else if (s < 0)
			atomic_store(&rd->slot[i].result, s);
	}
	if (wait_round(rd, tasks, deadline) < 0) {
		bc.abandoned = true;
		return report_timeout(rd, e);
	}
	atomic_store(&bc.round, NULL);

	for (size_t i = 0; i < rd->n && !r; i++) {
		int res = atomic_load(&rd->slot[i].result);

		if (res < 0)
			r = sl_err(e, -res,
				   "confine: thread %d could not apply the "
				   "Landlock ruleset: %s",
				   (int)rd->slot[i].tid, strerror(-res));
		else if (res == SLOT_CONFINED &&
			 sl_u32v_push(done, (uint32_t)rd->slot[i].tid))
			r = sl_err(e, ENOMEM, "out of memory");
	}
	free(rd);
	return r;
}

/* Before anything is changed: refuse when some thread could not be
 * reached. The library's own threads (live handles' supervisors) block
 * every signal; new ones wait until the broadcast is over. */
static int check_reachable(struct sl_error *e)
{
	unsigned owned = sl_owned_threads_hold();
	int r = 0;

	if (owned)
		r = sl_err(e, EBUSY,
			   "confine: %u sandbox supervisor thread%s of this "
			   "process (live handles) cannot apply the ruleset "
			   "on this kernel (Landlock ABI < 8); free the live "
			   "handles first; nothing was confined",
			   owned, owned == 1 ? "" : "s");
	if (r)
		sl_owned_threads_release();
	return r;
}

/* Confine every thread but the caller. */
static int broadcast(DIR *tasks, int ruleset_fd, struct sl_error *e)
{
	struct sigaction sa = { 0 };
	struct sl_u32v pending = { 0 }, done = { 0 };
	int64_t deadline = now_ms() + BROADCAST_TIMEOUT_MS;
	pid_t self = (pid_t)syscall(SYS_gettid);
	int r;

	bc.pid = getpid();
	bc.signo = pick_signal();
	/* Our own copy: the caller's fd may be closed and its number reused
	 * while an abandoned round can still be answered. */
	atomic_store(&bc.ruleset_fd, fcntl(ruleset_fd, F_DUPFD_CLOEXEC, 3));
	if (atomic_load(&bc.ruleset_fd) < 0)
		return sl_err(e, errno, "confine: dup: %s", strerror(errno));

	/* SA_ONSTACK: Go requires it of every handler that may run on one
	 * of its threads (goroutine stacks are small). */
	sa.sa_sigaction = on_broadcast_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
	sigfillset(&sa.sa_mask);
	/* Saved before ours is installed: the handler may forward to it at
	 * once. */
	if (sigaction(bc.signo, NULL, &bc.previous) < 0 ||
	    sigaction(bc.signo, &sa, NULL) < 0) {
		r = sl_err(e, errno, "confine: sigaction: %s", strerror(errno));
		close(atomic_load(&bc.ruleset_fd));
		return r;
	}

	for (;;) {
		r = scan_pending(tasks, self, &done, &pending);
		if (r < 0) {
			r = sl_err(e, -r, "confine: cannot list threads: %s",
				   strerror(-r));
			break;
		}
		if (!pending.n)
			break;
		if (now_ms() >= deadline) {
			r = sl_err(e, ETIMEDOUT,
				   "confine: threads keep appearing; gave up "
				   "after %d ms",
				   BROADCAST_TIMEOUT_MS);
			break;
		}
		r = run_round(&pending, tasks, deadline, &done, e);
		if (r < 0)
			break;
	}
	sl_u32v_free(&pending);
	sl_u32v_free(&done);
	if (bc.abandoned)
		return r;
	/* Every signal sent has been handled: nothing of ours is pending. */
	sigaction(bc.signo, &bc.previous, NULL);
	close(atomic_load(&bc.ruleset_fd));
	atomic_store(&bc.ruleset_fd, -1);
	return r;
}

static int restrict_self(int ruleset_fd, unsigned flags)
{
	return syscall(__NR_landlock_restrict_self, ruleset_fd, flags) < 0 ?
		       -errno :
		       0;
}

int sl_landlock_restrict_all_threads(int ruleset_fd, int abi,
				     struct sl_error *e)
{
	_cleanup_(closedirp) DIR *tasks = NULL;
	int r;

	pthread_mutex_lock(&bc.lock);
	if (bc.abandoned) {
		r = sl_err(e, EBUSY,
			   "confine: an earlier confinement did not complete");
		goto out;
	}
	/* Opened before anything irreversible: afterwards the ruleset may
	 * no longer allow reading /proc. */
	tasks = opendir("/proc/self/task");
	if (!tasks) {
		r = sl_err(e, errno,
			   "confine: cannot list threads (/proc/self/task): %s",
			   strerror(errno));
		goto out;
	}
	if (abi < SL_LANDLOCK_ABI_TSYNC && (r = check_reachable(e)))
		goto out;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		r = sl_err(e, errno, "confine: PR_SET_NO_NEW_PRIVS: %s",
			   strerror(errno));
		goto release;
	}
	if (abi >= SL_LANDLOCK_ABI_TSYNC) {
		r = restrict_self(ruleset_fd, LANDLOCK_RESTRICT_SELF_TSYNC);
		if (r != -EINVAL) {
			if (r)
				sl_err(e, -r,
				       "confine: landlock_restrict_self: %s",
				       strerror(-r));
			goto out;
		}
		/* Landlock ABI 8 without the flag: reach threads by signal. */
		if ((r = check_reachable(e)))
			goto out;
	}
	r = broadcast(tasks, ruleset_fd, e);
	if (!r) {
		r = restrict_self(ruleset_fd, 0);
		if (r)
			sl_err(e, -r, "confine: landlock_restrict_self: %s",
			       strerror(-r));
	}
release:
	sl_owned_threads_release();
out:
	pthread_mutex_unlock(&bc.lock);
	return r;
}
