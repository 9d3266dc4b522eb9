/*
 * The event loop of a run (behavior.md 1.4, 4.3, 12.3, 12.4): seccomp
 * notifications, the leader's pidfd, capture pipes and the max_cpu duty
 * cycle, until the leader has exited and the captures reach EOF.
 *
 * A one-shot run (create_for_run) serves inside sl_run_wait on the
 * caller's thread; a live handle has a thread of its own that serves
 * until the handle is freed, and waits block on a condition variable.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "launch/run_impl.h"
#include "sandlock.h"

/* One event per wake-up: handling an event may remove and free other
 * sources (a module dropping the sources of a process that exited), so
 * no event of a batch may outlive the handling of the one before it.
 * Level-triggered epoll hands the ready sources out in turn. */
#define MAX_EVENTS 1
#define NS_PER_MS UINT64_C(1000000)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* c-abi 1.11: SIGKILL is KILLED without a number (an OOM kill and an
 * external kill look the same); other signals are SIGNALED. */
static struct sl_status classify(const siginfo_t *si)
{
	struct sl_status st = { SANDLOCK_EXIT_REASON_KILLED, -1, -1 };

	if (si->si_code == CLD_EXITED) {
		st.reason = SANDLOCK_EXIT_REASON_EXITED;
		st.code = si->si_status;
	} else if ((si->si_code == CLD_KILLED || si->si_code == CLD_DUMPED) &&
		   si->si_status != SIGKILL) {
		st.reason = SANDLOCK_EXIT_REASON_SIGNALED;
		st.signal = si->si_status;
	}
	return st;
}

/* Give the terminal back if the sandbox's group still owns it
 * (behavior.md 12.3). SIGTTOU is blocked so that a caller in the
 * background does not stop itself. */
static void restore_tty(const struct sl_run *r)
{
	sigset_t ttou, old;

	if (!r->launch.took_tty || tcgetpgrp(0) != r->pid)
		return;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	pthread_sigmask(SIG_BLOCK, &ttou, &old);
	(void)tcsetpgrp(0, r->launch.tty_owner);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static const struct sl_status status_lost = { SANDLOCK_EXIT_REASON_KILLED, -1,
					      -1 };

/*
 * The leader has exited: record its status but leave it an unreaped
 * zombie (WNOWAIT) until the run is freed. A zombie keeps its id reserved
 * as the group id, so the group can still be signalled safely: a timeout,
 * a kill, and the final teardown reach the descendants left in the group
 * (e.g. holding the captured pipes open).
 */
void sl_run_on_pidfd(struct sl_evsrc *src, uint32_t events)
{
	struct sl_run *r = sl_container_of(src, struct sl_run, pidfd);
	siginfo_t si;

	(void)events;
	pthread_mutex_lock(&r->lock);
	if (sl_launch_waitid(r->pidfd.fd, &si, WNOHANG | WNOWAIT) < 0) {
		/* ECHILD: someone else reaped it (a SIGCHLD set to SIG_IGN,
		 * a waitpid(-1) elsewhere); the status is lost and the
		 * group id is no longer ours to signal. */
		r->exited = r->reaped = true;
		r->status = status_lost;
	} else if (si.si_pid != 0) {
		r->exited = true;
		r->status = classify(&si);
	}
	if (r->exited)
		restore_tty(r);
	pthread_mutex_unlock(&r->lock);
	if (r->exited)
		sl_evsrc_del(r->epfd, src); /* a zombie's pidfd stays readable */
}

void sl_run_reap(struct sl_run *r)
{
	siginfo_t si;
	int rc;

	pthread_mutex_lock(&r->lock);
	if (!r->reaped) {
		restore_tty(r);
		rc = sl_launch_waitid(r->pidfd.fd, &si, 0);
		if (!r->exited)
			r->status = rc < 0 ? status_lost : classify(&si);
		r->exited = r->reaped = true;
	}
	pthread_mutex_unlock(&r->lock);
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
			sl_throttle_init(&r->throttle, r->sb->policy->max_cpu, now);
	}
	sig = sl_throttle_due(&r->throttle, now);
	/* "stops when killpg fails": the group is empty */
	if (sig && sl_run_kill_group(r, sig) < 0)
		sl_throttle_stop(&r->throttle);
}

/* Milliseconds until the earlier of two deadlines (0 = none), for
 * epoll_wait: -1 when there is none, rounded up so we never spin. */
static int timeout_ms(uint64_t now, uint64_t a, uint64_t b)
{
	uint64_t d = a ? a : UINT64_MAX;

	if (b < d)
		d = b;
	if (d == UINT64_MAX)
		return -1;
	if (d <= now)
		return 0;
	d = (d - now + NS_PER_MS - 1) / NS_PER_MS;
	return d > INT32_MAX ? INT32_MAX : (int)d;
}

/* Serve until `finished` holds, or the deadline (0 = none) passes:
 * returns 0 or -ETIMEDOUT. */
static int serve(struct sl_run *r, uint64_t deadline,
		 bool (*finished)(struct sl_run *r))
{
	struct epoll_event evs[MAX_EVENTS];

	for (;;) {
		uint64_t now;
		int n;

		if (finished(r))
			return 0;
		now = now_ns();
		throttle_tick(r, now);
		if (deadline && now >= deadline)
			return -ETIMEDOUT;
		n = epoll_wait(r->epfd, evs, MAX_EVENTS,
			       timeout_ms(now, deadline,
					  sl_throttle_next(&r->throttle)));
		if (n < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < n; i++) {
			struct sl_evsrc *src = evs[i].data.ptr;

			src->on_event(src, evs[i].events);
		}
	}
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

static void on_wake(struct sl_evsrc *src, uint32_t events)
{
	uint64_t v;

	(void)events;
	(void)!read(src->fd, &v, sizeof(v));
}

int sl_run_start_thread(struct sl_run *r, struct sl_error *e)
{
	sigset_t all, old;
	int rc;

	r->wake.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->wake.fd < 0)
		return sl_err(e, errno, "eventfd: %m");
	r->wake.on_event = on_wake;
	rc = sl_evsrc_add(r->epfd, &r->wake);
	if (rc < 0)
		return sl_err(e, rc, "epoll_ctl: %s", strerror(-rc));
	/* The thread must never run the caller's signal handlers. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&r->thread, NULL, loop_thread, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
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
	pthread_join(r->thread, NULL);
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

int sl_run_wait(struct sl_run *r, uint64_t timeout_ms_, struct sl_status *st,
		struct sl_capture *cap)
{
	uint64_t deadline = 0;
	int rc;

	if (cap)
		memset(cap, 0, sizeof(*cap));
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
		/* behavior.md 12.4: kill the group, report TIMEOUT with no
		 * output; a later wait reports how the leader ended, the
		 * free reaps it. */
		(void)sl_run_signal(r, SIGKILL);
		*st = (struct sl_status){ SANDLOCK_EXIT_REASON_TIMEOUT, -1, -1 };
		return 0;
	}
	if (rc < 0)
		return rc;
	r->waited = true;
	*st = r->status;
	if (cap)
		for (int i = 0; i < 2; i++) {
			cap->captured[i] = r->cap[i].active;
			sl_capsrc_take(&r->cap[i], &cap->data[i], &cap->len[i]);
		}
	return 0;
}
