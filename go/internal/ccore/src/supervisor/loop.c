#include "supervisor/loop.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <time.h>

#include "supervisor/evsrc.h"
#include "supervisor/supervisor.h"
#include "util/clock.h"

/* One event per wake-up: handling an event may remove and free other
 * sources (a module dropping the sources of a process that exited), so
 * no event of a batch may outlive the handling of the one before it.
 * Level-triggered epoll hands the ready sources out in turn. */
#define MAX_EVENTS 1
#define NS_PER_MS UINT64_C(1000000)

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

/* Wait until the listener or the epoll set is ready (or timeout_ms, -1 =
 * none, passes), with the caller's signal mask. The listener is polled
 * directly, not through epoll (see sl_supervisor_listener): *lev gets its
 * events when it is ready (handled first: the sandbox is waiting), else 0.
 * Returns the number of ready fds, 0 on timeout, -1 with errno. */
static int wait_ready(const struct sl_loop *l, int timeout_ms_,
		      const sigset_t *mask, struct sl_evsrc **lsrc,
		      uint32_t *lev)
{
	struct pollfd pf[2] = { { .fd = l->epfd, .events = POLLIN },
				{ .fd = -1, .events = POLLIN } };
	struct timespec ts, *tsp = NULL;
	int n;

	*lsrc = sl_supervisor_listener(l->sv);
	*lev = 0;
	if (*lsrc)
		pf[1].fd = (*lsrc)->fd;
	if (timeout_ms_ >= 0) {
		ts.tv_sec = timeout_ms_ / 1000;
		ts.tv_nsec = (long)(timeout_ms_ % 1000) * 1000000;
		tsp = &ts;
	}
	n = ppoll(pf, 2, tsp, mask);
	if (n > 0 && pf[1].revents)
		*lev = (uint32_t)pf[1].revents; /* POLL* and EPOLL* bits agree */
	return n;
}

int sl_loop_serve(const struct sl_loop *l, uint64_t deadline)
{
	struct epoll_event evs[MAX_EVENTS];
	struct sl_evsrc *lsrc;
	sigset_t all, caller;
	uint32_t lev;
	int rc = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &caller);
	for (;;) {
		uint64_t now, next;
		int n;

		pthread_mutex_lock(l->lock);
		now = sl_now_ns();
		next = l->tick(l->arg, now);
		pthread_mutex_unlock(l->lock);
		if (l->finished(l->arg))
			break;
		if (deadline && now >= deadline) {
			rc = -ETIMEDOUT;
			break;
		}
		n = wait_ready(l, timeout_ms(now, deadline, next), &caller,
			       &lsrc, &lev);
		if (n < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		if (n < 0 && l->interrupted)
			l->interrupted(l->arg);
		if (n <= 0)
			continue;
		pthread_mutex_lock(l->lock);
		if (lev)
			lsrc->on_event(lsrc, lev);
		else if (epoll_wait(l->epfd, evs, MAX_EVENTS, 0) == 1) {
			struct sl_evsrc *src = evs[0].data.ptr;

			src->on_event(src, evs[0].events);
		}
		pthread_mutex_unlock(l->lock);
	}
	pthread_sigmask(SIG_SETMASK, &caller, NULL);
	return rc;
}
