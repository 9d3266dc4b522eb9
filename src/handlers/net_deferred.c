#include "handlers/net_deferred.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "supervisor/evsrc.h"
#include "supervisor/notif.h"

/* A datagram to an unconnected destination: the sender's socket says it
 * is writable while the receiver is full, so a send that takes nothing
 * right after "writable" is retried on a short timer instead of
 * spinning. */
#define RETRY_NS (5 * 1000 * 1000)

struct sl_net_deferred {
	struct sl_evsrc src; /* the socket, or the retry timer */
	struct sl_net_deferred *next, **pprev;
	struct sl_net_deferred_set *set;
	struct seccomp_notif req; /* what is answered, and whose memory */
	int listener;
	int sock, timer;
	sl_net_resume_fn resume; /* NULL: a connect */
	void *op;
	void (*free_op)(void *op);
};

static void op_free(struct sl_net_deferred *d)
{
	epoll_ctl(sl_supervisor_epfd(d->set->sv), EPOLL_CTL_DEL, d->src.fd,
		  NULL);
	close(d->sock);
	if (d->timer >= 0)
		close(d->timer);
	if (d->free_op)
		d->free_op(d->op);
	if (d->next)
		d->next->pprev = d->pprev;
	*d->pprev = d->next;
	d->set->count--;
	free(d);
}

static void op_answer(struct sl_net_deferred *d, const struct sl_action *a)
{
	sl_supervisor_respond(d->set->sv, d->req.id, a);
	op_free(d);
}

/* Wait on fd (the socket for room, or the timer) instead of src.fd. */
static int wait_on(struct sl_net_deferred *d, int fd, uint32_t events)
{
	int epfd = sl_supervisor_epfd(d->set->sv);
	struct epoll_event ev = { .events = events, .data.ptr = &d->src };

	if (fd != d->src.fd) {
		epoll_ctl(epfd, EPOLL_CTL_DEL, d->src.fd, NULL);
		d->src.fd = fd;
		return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
	}
	return 0;
}

static int arm_timer(struct sl_net_deferred *d)
{
	struct itimerspec its = { .it_value = { 0, RETRY_NS } };

	if (d->timer < 0) {
		d->timer = timerfd_create(CLOCK_MONOTONIC,
					  TFD_CLOEXEC | TFD_NONBLOCK);
		if (d->timer < 0)
			return -errno;
	}
	if (timerfd_settime(d->timer, 0, &its, NULL) < 0)
		return -errno;
	return wait_on(d, d->timer, EPOLLIN);
}

static void on_event(struct sl_evsrc *src, uint32_t events)
{
	struct sl_net_deferred *d =
		sl_container_of(src, struct sl_net_deferred, src);
	struct sl_notif n = { .req = &d->req,
			      .listener = d->listener,
			      .sv = d->set->sv };
	struct sl_action a = { .kind = SL_ACT_ERRNO, .srcfd = -1 };
	bool timed = d->src.fd == d->timer;
	uint64_t ticks;
	int r;

	if (sl_notif_id_valid(d->listener, d->req.id) < 0) {
		op_free(d); /* the caller was interrupted or died */
		return;
	}
	if (!d->resume) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(d->sock, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		a.kind = err ? SL_ACT_ERRNO : SL_ACT_VALUE;
		a.error = err;
		op_answer(d, &a);
		return;
	}
	if (timed && read(d->timer, &ticks, sizeof(ticks)) < 0 &&
	    errno != EAGAIN) {
		a.error = errno;
		op_answer(d, &a);
		return;
	}
	r = d->resume(d->op, &n, &a);
	if (r == 1) {
		op_answer(d, &a);
		return;
	}
	if (r == 0)
		r = timed ? wait_on(d, d->sock, EPOLLOUT) : 0;
	else if (r == -EAGAIN)
		r = arm_timer(d);
	if (r < 0) {
		a.kind = SL_ACT_ERRNO;
		a.error = -r;
		op_answer(d, &a);
	}
	(void)events;
}

static int hold(struct sl_net_deferred_set *set, const struct sl_notif *n,
		struct sl_net_deferred *d)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = &d->src };

	d->src.fd = d->sock;
	d->src.on_event = on_event;
	d->set = set;
	d->req = *n->req;
	d->listener = n->listener;
	if (epoll_ctl(sl_supervisor_epfd(set->sv), EPOLL_CTL_ADD, d->sock,
		      &ev) < 0)
		return -errno;
	d->next = set->head;
	d->pprev = &set->head;
	if (set->head)
		set->head->pprev = &d->next;
	set->head = d;
	set->count++;
	return 0;
}

int sl_net_deferred_charge(struct sl_net_deferred_set *set, long delta)
{
	if (delta > 0 && (size_t)delta > SL_NET_MAX_DEFERRED_FDS - set->fds)
		return -EAGAIN;
	set->fds += (size_t)delta;
	return 0;
}

int sl_net_defer(struct sl_net_deferred_set *set, const struct sl_notif *n,
		 int sock, sl_net_resume_fn resume, void *op,
		 void (*free_op)(void *op))
{
	struct sl_net_deferred *d = NULL;
	int r = -EAGAIN;

	if (set->count < SL_NET_MAX_DEFERRED) {
		d = calloc(1, sizeof(*d));
		r = d ? 0 : -ENOMEM;
	}
	if (r == 0) {
		d->sock = sock;
		d->timer = -1;
		d->resume = resume;
		d->op = op;
		d->free_op = free_op;
		r = hold(set, n, d);
		if (r < 0)
			free(d);
	}
	return r;
}

int sl_net_defer_connect(struct sl_net_deferred_set *set,
			 const struct sl_notif *n, int sock)
{
	int r = sl_net_defer(set, n, sock, NULL, NULL, NULL);

	if (r < 0)
		close(sock);
	return r;
}

void sl_net_deferred_clear(struct sl_net_deferred_set *set)
{
	while (set->head)
		op_free(set->head);
}
