/*
 * The event loop of a run (docs/behaviour.md 1.4, 4.3, 12.3, 12.4): seccomp
 * notifications, the leader's pidfd, capture pipes and the max_cpu duty
 * cycle, until the leader has exited and the captures reach EOF.
 *
 * A one-shot run (create_for_run) serves inside sl_run_wait on the
 * caller's thread; a live handle has a thread of its own that serves
 * until the handle is freed, and waits block on a condition variable.
 *
 * The loop itself (waiting on the listener and the epoll set, handing
 * out ready sources, the signal mask) is the supervisor's
 * (supervisor/loop.h); this file brings what is about the run: the
 * captures, the max_cpu duty cycle, deadlines, and the end of the run.
 * A live handle's thread blocks every signal for good.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "supervisor/loop.h"
#include "supervisor/supervisor.h"
#include "util/ownthreads.h"

#include "launch/run_impl.h"
#include "sandlock_ext.h"

#define NS_PER_MS UINT64_C(1000000)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* docs/abi.md 1.11: SIGKILL is KILLED without a number (an OOM kill and an
 * external kill look the same); other signals are SIGNALED. */
static struct sl_status classify(int code, int status)
{
	struct sl_status st = { SANDLOCK_EXIT_REASON_KILLED, -1, -1, 0 };

	if (code == CLD_EXITED) {
		st.reason = SANDLOCK_EXIT_REASON_EXITED;
		st.code = status;
	} else if ((code == CLD_KILLED || code == CLD_DUMPED) &&
		   status != SIGKILL) {
		st.reason = SANDLOCK_EXIT_REASON_SIGNALED;
		st.signal = status;
	}
	return st;
}

/* Hand the terminal to group pgrp if it belongs to owner now. SIGTTOU is
 * blocked so that a caller in the background does not stop itself. */
static void move_tty(pid_t owner, pid_t pgrp)
{
	sigset_t ttou, old;

	if (tcgetpgrp(0) != owner)
		return;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	pthread_sigmask(SIG_BLOCK, &ttou, &old);
	(void)tcsetpgrp(0, pgrp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Give the terminal back if the sandbox's group still owns it
 * (docs/behaviour.md 12.3). */
static void restore_tty(const struct sl_run *r)
{
	if (r->launch.took_tty)
		move_tty(r->pid, r->launch.tty_owner);
}

static const struct sl_status status_lost = {
	SANDLOCK_EXIT_REASON_KILLED,
	-1,
	-1,
	SANDLOCK_EXIT_CAUSE_STATUS_LOST,
};

/* Record the end once (under r->lock). */
static void set_exited(struct sl_run *r, struct sl_status st)
{
	if (r->exited)
		return;
	r->exited = true;
	r->status = st;
	restore_tty(r);
}

void sl_run_collect(struct sl_run *r)
{
	struct sl_keeper_state *k = &r->launch.keeper;

	pthread_mutex_lock(&r->lock);
	if (atomic_load(&k->exited))
		set_exited(r, classify(k->code, k->status));
	pthread_mutex_unlock(&r->lock);
}

/* Job control (sandlock run): the sandbox stopped on a terminal signal.
 * Stop ourselves the same way, with the terminal given back to our
 * group; once continued, give the terminal back to the group that had
 * it and continue the sandbox. */
static void job_stopped(struct sl_run *r, int sig)
{
	pid_t holder = tcgetpgrp(0);
	sigset_t only, old;

	if (!r->job_control || !r->launch.took_tty ||
	    (sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU))
		return;
	if (holder > 0)
		move_tty(holder, r->launch.tty_owner);
	sigfillset(&only);
	sigdelset(&only, sig);
	pthread_sigmask(SIG_SETMASK, &only, &old);
	kill(getpid(), sig); /* stops here until SIGCONT */
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (holder > 0)
		move_tty(r->launch.tty_owner, holder);
	sl_run_signal_locked(r, SIGCONT);
}

void sl_run_on_wake(struct sl_evsrc *src, uint32_t events)
{
	struct sl_run *r = sl_container_of(src, struct sl_run, wake);
	struct sl_keeper_state *k = &r->launch.keeper;
	uint64_t v;
	uint32_t seen;

	(void)events;
	(void)!read(src->fd, &v, sizeof(v));
	seen = atomic_load(&k->events);
	if (seen == r->keeper_events)
		return;
	r->keeper_events = seen;
	sl_freezer_keeper_event(r->freezer);
	sl_run_collect(r);
	if (!r->exited && atomic_load(&k->stopped))
		job_stopped(r, atomic_load(&k->stop_sig));
}

/* The keeper died without being told to: its child died with it
 * (PDEATHSIG) and the status is lost, unless it was published. */
void sl_run_on_keeper(struct sl_evsrc *src, uint32_t events)
{
	struct sl_run *r = sl_container_of(src, struct sl_run, keeper);

	(void)events;
	sl_run_collect(r);
	pthread_mutex_lock(&r->lock);
	set_exited(r, status_lost);
	pthread_mutex_unlock(&r->lock);
	sl_evsrc_del(r->epfd, src);
}

static bool captures_done(const struct sl_run *r)
{
	return sl_capsrc_done(&r->cap[0]) && sl_capsrc_done(&r->cap[1]);
}

static void throttle_tick(struct sl_run *r, uint64_t now)
{
	int sig;

	if (!r->throttle_started) {
		r->throttle_started = true;
		if (r->sb->policy->has_max_cpu)
			sl_throttle_init(&r->throttle, r->sb->policy->max_cpu,
					 now);
	}
	sig = sl_throttle_due(&r->throttle, now);
	if (!sig)
		return;
	/* Every process of the sandbox, whatever its group; stop once the
	 * sandbox has ended. */
	if (r->exited)
		sl_throttle_stop(&r->throttle);
	else
		sl_run_signal_locked(r, sig);
}

/* What the serving loop (supervisor/loop.h) asks of a run. */
struct serving {
	struct sl_run *r;
	bool (*finished)(struct sl_run *r);
};

static uint64_t serving_tick(void *arg, uint64_t now)
{
	struct serving *s = arg;

	throttle_tick(s->r, now);
	return sl_throttle_next(&s->r->throttle);
}

static bool serving_finished(void *arg)
{
	struct serving *s = arg;

	return s->finished(s->r);
}

static void serving_interrupted(void *arg)
{
	struct serving *s = arg;

	if (s->r->interrupt)
		s->r->interrupt(s->r->interrupt_arg);
}

/* Serve until `finished` holds, or the deadline (0 = none) passes:
 * returns 0 or -ETIMEDOUT. On a thread of the caller (one-shot runs)
 * every signal is blocked except inside ppoll. */
static int serve(struct sl_run *r, uint64_t deadline,
		 bool (*finished)(struct sl_run *r))
{
	struct serving s = { r, finished };
	const struct sl_loop loop = {
		.epfd = r->epfd,
		.sv = r->sv,
		.lock = &r->serve_lock,
		.tick = serving_tick,
		.finished = serving_finished,
		.interrupted = serving_interrupted,
		.arg = &s,
	};

	return sl_loop_serve(&loop, deadline);
}

/* The leader has exited and every capture is at EOF. */
static bool run_done(struct sl_run *r)
{
	return r->exited && captures_done(r);
}

/* ---- the loop thread of a live handle --------------------------------- */

static bool thread_should_stop(struct sl_run *r)
{
	if (!r->done && run_done(r)) {
		pthread_mutex_lock(&r->lock);
		r->done = true;
		pthread_cond_broadcast(&r->cond);
		pthread_mutex_unlock(&r->lock);
	}
	return atomic_load(&r->stop);
}

static void *loop_thread(void *arg)
{
	struct sl_run *r = arg;

	/* Keeps serving after the leader has exited: descendants may still
	 * make notified calls, until the handle is freed. */
	while (serve(r, 0, thread_should_stop) < 0 && !atomic_load(&r->stop))
		;
	return NULL;
}

int sl_run_start_thread(struct sl_run *r, struct sl_error *e)
{
	/* The thread never runs the caller's signal handlers. */
	int rc = sl_owned_thread_create(&r->thread, loop_thread, r,
					"sandlock-sv");

	if (rc != 0)
		return sl_err(e, rc, "cannot start the supervisor thread: %s",
			      strerror(rc));
	r->thread_running = true;
	return 0;
}

void sl_run_stop_thread(struct sl_run *r)
{
	uint64_t one = 1;

	if (!r->thread_running)
		return;
	atomic_store(&r->stop, true);
	(void)!write(r->wake.fd, &one, sizeof(one));
	sl_owned_thread_join(r->thread);
	r->thread_running = false;
}

/* ---- waiting ------------------------------------------------------------ */

static int wait_threaded(struct sl_run *r, uint64_t deadline)
{
	bool done;
	int rc = 0;

	pthread_mutex_lock(&r->lock);
	while (!r->done && rc == 0) {
		if (deadline) {
			struct timespec ts = {
				.tv_sec = (time_t)(deadline / 1000000000u),
				.tv_nsec = (long)(deadline % 1000000000u),
			};

			rc = pthread_cond_timedwait(&r->cond, &r->lock, &ts);
		} else {
			rc = pthread_cond_wait(&r->cond, &r->lock);
		}
	}
	done = r->done;
	pthread_mutex_unlock(&r->lock);
	return done ? 0 : -ETIMEDOUT;
}

static int run_wait(struct sl_run *r, uint64_t timeout_ms_, uint64_t deadline,
		    struct sl_status *st, struct sl_capture *cap);

int sl_run_wait(struct sl_run *r, uint64_t timeout_ms_, struct sl_status *st,
		struct sl_capture *cap)
{
	uint64_t deadline = 0;
	int rc;

	if (cap)
		memset(cap, 0, sizeof(*cap));
	pthread_mutex_lock(&r->lock);
	rc = r->waiting ? -EBUSY : 0;
	r->waiting = true;
	pthread_mutex_unlock(&r->lock);
	if (rc < 0)
		return rc; /* another thread waits on this run */
	rc = run_wait(r, timeout_ms_, deadline, st, cap);
	pthread_mutex_lock(&r->lock);
	r->waiting = false;
	pthread_mutex_unlock(&r->lock);
	return rc;
}

static int run_wait(struct sl_run *r, uint64_t timeout_ms_, uint64_t deadline,
		    struct sl_status *st, struct sl_capture *cap)
{
	int rc;

	if (r->waited) {
		*st = r->status;
		return 0;
	}
	/* A limit too far away to represent is no limit. */
	if (timeout_ms_ && timeout_ms_ < UINT64_MAX / NS_PER_MS / 2)
		deadline = now_ns() + timeout_ms_ * NS_PER_MS;
	if (r->own_thread)
		rc = wait_threaded(r, deadline);
	else
		rc = serve(r, deadline, run_done);
	if (rc == -ETIMEDOUT) {
		/* docs/behaviour.md 12.4: kill the sandbox, every process of it,
		 * report TIMEOUT with no output; a later wait reports how
		 * the top-level process ended. */
		(void)sl_run_signal(r, SIGKILL);
		*st = (struct sl_status){ SANDLOCK_EXIT_REASON_TIMEOUT, -1, -1,
					  0 };
		return 0;
	}
	if (rc < 0)
		return rc;
	r->waited = true;
	if (!r->status.cause)
		r->status.cause = sl_supervisor_cause(r->sv);
	*st = r->status;
	if (cap)
		for (int i = 0; i < 2; i++) {
			cap->captured[i] = r->cap[i].active;
			sl_capsrc_take(&r->cap[i], &cap->data[i], &cap->len[i]);
		}
	return 0;
}
