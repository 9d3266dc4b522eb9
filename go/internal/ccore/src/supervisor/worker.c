#include "supervisor/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "supervisor/evsrc.h"
#include "supervisor/notif.h"

#define MAX_THREADS 8
#define MAX_QUEUED 256
#define WATCH_NS (50 * 1000 * 1000)
/* How long the end of a run waits for a worker to come back. */
#define JOIN_MS 500

struct sl_workers {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct sl_worker_job *head, *tail; /* queued */
	struct sl_worker_job *running[MAX_THREADS];
	size_t nqueued, nidle, nthreads;
	pthread_t threads[MAX_THREADS];
	bool stop;
	unsigned refs; /* the owner and each thread */

	pthread_mutex_t alive_lock; /* the run's state may be touched */
	bool dead;

	int listener; /* our own copy: valid as long as a worker runs */
	int epfd;
	struct sl_evsrc watch; /* timerfd while jobs are in flight */
	bool armed;
	struct sl_evsrc returned; /* eventfd: jobs back for the loop */
	struct sl_worker_job *back;
};

static void free_jobs(struct sl_worker_job *j)
{
	while (j) {
		struct sl_worker_job *next = j->next;

		j->free(j);
		j = next;
	}
}

static void unref(struct sl_workers *w)
{
	bool last;

	pthread_mutex_lock(&w->lock);
	last = --w->refs == 0;
	pthread_mutex_unlock(&w->lock);
	if (!last)
		return;
	free_jobs(w->back); /* back after the run: nothing to go on with */
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->alive_lock);
	close(w->listener);
	if (w->returned.fd >= 0)
		close(w->returned.fd);
	free(w);
}

/* The event loop takes the jobs back (in the order they came). */
static void on_returned(struct sl_evsrc *src, uint32_t events)
{
	struct sl_workers *w =
		sl_container_of(src, struct sl_workers, returned);
	struct sl_worker_job *j, *in_order = NULL;
	uint64_t n;

	(void)events;
	(void)!read(src->fd, &n, sizeof(n));
	pthread_mutex_lock(&w->lock);
	j = w->back;
	w->back = NULL;
	pthread_mutex_unlock(&w->lock);
	while (j) {
		struct sl_worker_job *next = j->next;

		j->next = in_order;
		in_order = j;
		j = next;
	}
	while (in_order) {
		j = in_order;
		in_order = j->next;
		j->back(j);
		j->free(j);
	}
}

/* ---- cancellation --------------------------------------------------------- */

/* Unblock a job waiting in a FIFO's open by opening the other end of that
 * very FIFO (the worker's fd) without blocking. Under w->lock. */
static void cancel_locked(struct sl_worker_job *j)
{
	char path[64];
	int fd;

	j->cancelled = true;
	if (!j->running || j->cancel_fd < 0)
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", j->cancel_fd);
	fd = open(path, j->cancel_flags | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
}

static void arm(struct sl_workers *w, bool on)
{
	struct itimerspec it = { 0 };

	if (w->armed == on || w->watch.fd < 0)
		return;
	if (on) {
		it.it_value.tv_nsec = WATCH_NS;
		it.it_interval.tv_nsec = WATCH_NS;
	}
	if (timerfd_settime(w->watch.fd, 0, &it, NULL) == 0)
		w->armed = on;
}

/* The event loop's look at the jobs in flight. */
static void on_watch(struct sl_evsrc *src, uint32_t events)
{
	struct sl_workers *w = sl_container_of(src, struct sl_workers, watch);
	struct sl_worker_job **pp, *dropped = NULL;
	uint64_t ticks;

	(void)events;
	(void)!read(src->fd, &ticks, sizeof(ticks));
	pthread_mutex_lock(&w->lock);
	for (size_t i = 0; i < MAX_THREADS; i++) {
		struct sl_worker_job *j = w->running[i];

		if (j && !j->cancelled &&
		    sl_notif_id_valid(w->listener, j->req.id) < 0)
			cancel_locked(j);
	}
	for (pp = &w->head; *pp;) {
		struct sl_worker_job *j = *pp;

		if (sl_notif_id_valid(w->listener, j->req.id) < 0) {
			*pp = j->next;
			w->nqueued--;
			j->next = dropped;
			dropped = j;
		} else {
			pp = &j->next;
		}
	}
	w->tail = NULL;
	for (struct sl_worker_job *j = w->head; j; j = j->next)
		w->tail = j;
	if (!w->nqueued && w->nidle == w->nthreads)
		arm(w, false);
	pthread_mutex_unlock(&w->lock);
	free_jobs(dropped);
}

/* ---- the workers ------------------------------------------------------------ */

static __thread bool on_worker;

bool sl_worker_thread(void)
{
	return on_worker;
}

static void *worker_main(void *arg)
{
	struct sl_workers *w = arg;
	bool own_fs;
	size_t slot;

	on_worker = true;

	/* A filesystem table of its own: its umask is the child's while it
	 * creates on its behalf. Only short of memory can this fail, and
	 * then creations fix their mode up as the event loop's do. */
	own_fs = unshare(CLONE_FS) == 0;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct sl_worker_job *j;

		w->nidle++;
		while (!w->stop && !w->head)
			pthread_cond_wait(&w->cond, &w->lock);
		w->nidle--;
		if (!w->head)
			break; /* stopping */
		j = w->head;
		w->head = j->next;
		if (!w->head)
			w->tail = NULL;
		w->nqueued--;
		j->tid = gettid();
		j->own_fs = own_fs;
		j->running = true;
		for (slot = 0; slot < MAX_THREADS && w->running[slot]; slot++)
			;
		if (slot < MAX_THREADS)
			w->running[slot] = j;
		pthread_mutex_unlock(&w->lock);
		j->run(j, w->listener);
		pthread_mutex_lock(&w->lock);
		j->running = false;
		if (slot < MAX_THREADS)
			w->running[slot] = NULL;
		if (j->back && !j->cancelled && !w->stop) {
			uint64_t one = 1;

			j->next = w->back;
			w->back = j;
			(void)!write(w->returned.fd, &one, sizeof(one));
			continue;
		}
		pthread_mutex_unlock(&w->lock);
		j->free(j);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	unref(w);
	return NULL;
}

/* Under w->lock. */
static int spawn(struct sl_workers *w)
{
	sigset_t all, old;
	int r;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&w->threads[w->nthreads], NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0)
		return -r;
	w->nthreads++;
	w->refs++;
	return 0;
}

int sl_workers_new(int listener, int epfd, struct sl_workers **out)
{
	struct sl_workers *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	pthread_mutex_init(&w->alive_lock, NULL);
	w->refs = 1;
	w->epfd = epfd;
	w->watch.on_event = on_watch;
	w->returned.on_event = on_returned;
	w->listener = fcntl(listener, F_DUPFD_CLOEXEC, 0);
	w->watch.fd =
		timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	w->returned.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->listener < 0 || w->watch.fd < 0 || w->returned.fd < 0 ||
	    sl_evsrc_add(epfd, &w->watch) < 0) {
		int e = w->listener < 0 || w->watch.fd < 0 ||
					w->returned.fd < 0 ?
				errno :
				EINVAL;

		if (w->watch.fd >= 0)
			close(w->watch.fd);
		unref(w);
		return -e;
	}
	if (sl_evsrc_add(epfd, &w->returned) < 0) {
		sl_evsrc_del(epfd, &w->watch);
		close(w->watch.fd);
		unref(w);
		return -EINVAL;
	}
	*out = w;
	return 0;
}

int sl_workers_submit(struct sl_workers *w, struct sl_worker_job *j)
{
	int r = 0;

	j->pool = w;
	j->next = NULL;
	j->back = NULL;
	j->cancel_fd = -1;
	j->running = j->cancelled = false;
	pthread_mutex_lock(&w->lock);
	if (w->stop || w->nqueued >= MAX_QUEUED) {
		pthread_mutex_unlock(&w->lock);
		return -EAGAIN;
	}
	if (w->nidle <= w->nqueued && w->nthreads < MAX_THREADS)
		r = spawn(w);
	if (r < 0 && w->nthreads == 0) {
		pthread_mutex_unlock(&w->lock);
		return -EAGAIN;
	}
	if (w->tail)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	w->nqueued++;
	arm(w, true);
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

void sl_worker_cancellable(struct sl_worker_job *j, int fd, int flags)
{
	pthread_mutex_lock(&j->pool->lock);
	j->cancel_fd = fd;
	j->cancel_flags = flags;
	pthread_mutex_unlock(&j->pool->lock);
}

void sl_worker_uncancellable(struct sl_worker_job *j)
{
	/* Taken before the fd goes: a canceller never opens a number that
	 * now names something else. */
	pthread_mutex_lock(&j->pool->lock);
	j->cancel_fd = -1;
	pthread_mutex_unlock(&j->pool->lock);
}

bool sl_worker_cancelled(struct sl_worker_job *j)
{
	bool c;

	pthread_mutex_lock(&j->pool->lock);
	c = j->cancelled || j->pool->stop;
	pthread_mutex_unlock(&j->pool->lock);
	return c;
}

bool sl_worker_hold_run(struct sl_worker_job *j)
{
	pthread_mutex_lock(&j->pool->alive_lock);
	if (!j->pool->dead)
		return true;
	pthread_mutex_unlock(&j->pool->alive_lock);
	return false;
}

void sl_worker_release_run(struct sl_worker_job *j)
{
	pthread_mutex_unlock(&j->pool->alive_lock);
}

void sl_workers_free(struct sl_workers *w)
{
	struct sl_worker_job *queued;
	struct timespec deadline;
	size_t n;

	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	for (size_t i = 0; i < MAX_THREADS; i++)
		if (w->running[i])
			cancel_locked(w->running[i]);
	queued = w->head;
	w->head = w->tail = NULL;
	w->nqueued = 0;
	n = w->nthreads;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	free_jobs(queued);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_nsec += (long)JOIN_MS * 1000000L;
	deadline.tv_sec += deadline.tv_nsec / 1000000000L;
	deadline.tv_nsec %= 1000000000L;
	for (size_t i = 0; i < n; i++)
		if (pthread_timedjoin_np(w->threads[i], NULL, &deadline) != 0)
			pthread_detach(
				w->threads[i]); /* stuck: it ends alone */
	/* From here a worker still out touches nothing of the run. */
	pthread_mutex_lock(&w->alive_lock);
	w->dead = true;
	pthread_mutex_unlock(&w->alive_lock);
	sl_evsrc_del(w->epfd, &w->watch);
	close(w->watch.fd);
	w->watch.fd = -1;
	sl_evsrc_del(w->epfd, &w->returned);
	pthread_mutex_lock(&w->lock);
	queued = w->back; /* the run is over: nothing to go on with */
	w->back = NULL;
	pthread_mutex_unlock(&w->lock);
	free_jobs(queued);
	unref(w);
}
