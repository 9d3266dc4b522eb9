/*
 * The callback thread of a run (policy.h): one event at a time, in the
 * order they came. It holds a reference to the callback record (so the
 * user data's drop comes after its last call) and to the live policy
 * (which the context changes), and may outlive the run when a callback
 * does not return: the queue is reference counted, the thread holds one.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "handlers/policy.h"
#include "supervisor/notif.h"
#include "policy/callback.h"
#include "sandlock.h"
#include "util/ownthreads.h"

/* Observation events waiting at most; held ones are bounded by the
 * sandbox's threads (each waits for its own). */
#define MAX_OBSERVED 1024
/* How long the end of a run waits for a callback that is running. */
#define CLOSE_WAIT_MS 2000

struct sl_pqueue {
	atomic_uint refs; /* the run and the thread */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct sl_pevent *head, *tail; /* to decide */
	struct sl_pevent *done;	       /* held ones decided, newest first */
	size_t nobserved;
	uint64_t dropped;
	bool stop, gone;
	int efd;	   /* verdicts ready */
	atomic_bool quiet; /* decided events that did not write efd */
	int listener;	   /* ours: direct answers */
	pthread_t thread;
	/* the thread's id and the CPUs it may use (set by the thread), the
	 * one it is pinned to (the loop's; -1 none) */
	atomic_int tid;
	cpu_set_t allowed;
	atomic_int pinned;
	struct sl_policy_cb *cb;
	struct sl_live *live;
};

void sl_pevent_free(struct sl_pevent *ev)
{
	if (!ev)
		return;
	for (uint32_t i = 0; ev->argv && i < ev->argc; i++)
		free(ev->argv[i]);
	free(ev->argv);
	free(ev);
}

static void unref(struct sl_pqueue *q)
{
	if (atomic_fetch_sub(&q->refs, 1) != 1)
		return;
	while (q->head) {
		struct sl_pevent *ev = q->head;

		q->head = ev->next;
		sl_pevent_free(ev);
	}
	while (q->done) {
		struct sl_pevent *ev = q->done;

		q->done = ev->next;
		sl_pevent_free(ev);
	}
	if (q->efd >= 0)
		close(q->efd);
	if (q->listener >= 0)
		close(q->listener);
	sl_policy_cb_unref(q->cb);
	sl_live_unref(q->live);
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

/* docs/abi.md 2.3: 0 allow, -1 deny, -2 audit, n > 0 deny with errno n; any
 * other value denies (fail closed). */
static int32_t call(struct sl_pqueue *q, const struct sl_pevent *ev)
{
	sandlock_policy_fn_t fn = (sandlock_policy_fn_t)q->cb->fn;
	struct sandlock_ctx_t ctx = { .live = q->live };
	sandlock_event_t e = {
		.syscall = ev->syscall,
		.category = ev->category,
		.pid = ev->pid,
		.parent_pid = ev->ppid,
		.host = ev->has_host ? ev->host : NULL,
		.port = ev->port,
		.denied = ev->denied,
		.argv = (const char *const *)ev->argv,
		.argc = ev->argc,
	};

	return fn(&e, &ctx, q->cb->user_data);
}

static void *thread_main(void *arg)
{
	struct sl_pqueue *q = arg;
	bool detached;

	if (sched_getaffinity(0, sizeof(q->allowed), &q->allowed) < 0)
		CPU_ZERO(&q->allowed);
	atomic_store(&q->tid, (int)gettid());
	pthread_mutex_lock(&q->lock);
	for (;;) {
		struct sl_pevent *ev;

		while (!q->stop && !q->head)
			pthread_cond_wait(&q->cond, &q->lock);
		if (q->stop)
			break;
		ev = q->head;
		q->head = ev->next;
		if (!q->head)
			q->tail = NULL;
		if (!ev->held)
			q->nobserved--;
		pthread_mutex_unlock(&q->lock);
		ev->verdict = call(q, ev);
		/* Only the answer was left: give it now, unless the loop gave
		 * one first (its 5 s limit). */
		if (ev->held && ev->direct && !q->stop) {
			uint32_t none = SL_EV_UNANSWERED;

			sl_pevent_answer(ev->verdict, &ev->allowed, &ev->sent);
			if (atomic_compare_exchange_strong(&ev->claim, &none,
							   SL_EV_BY_THREAD))
				sl_notif_respond(q->listener, ev->id,
						 (pid_t)ev->pid, &ev->sent);
		}
		pthread_mutex_lock(&q->lock);
		if (ev->held && !q->stop) {
			uint64_t one = 1;

			ev->next = q->done;
			q->done = ev;
			/* answered here with nothing after it: the loop
			 * frees it whenever it next comes by */
			if (ev->quiet &&
			    atomic_load(&ev->claim) == SL_EV_BY_THREAD)
				atomic_store(&q->quiet, true);
			else
				(void)!write(q->efd, &one, sizeof(one));
		} else {
			sl_pevent_free(ev);
		}
	}
	q->gone = true;
	detached = q->thread == 0;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
	unref(q);
	if (detached)
		sl_owned_thread_gone();
	return NULL;
}

void sl_pevent_answer(int32_t verdict, const struct sl_action *allowed,
		      struct sl_action *out)
{
	if (verdict == 0 || verdict == -2) {
		*out = *allowed;
		return;
	}
	memset(out, 0, sizeof(*out));
	out->kind = SL_ACT_ERRNO;
	out->error = verdict > 0 && verdict < 4096 ? verdict : EPERM;
	out->srcfd = -1;
}

int sl_pqueue_new(struct sl_policy_cb *cb, struct sl_live *live, int listener,
		  struct sl_pqueue **out)
{
	struct sl_pqueue *q = calloc(1, sizeof(*q));
	int r;

	if (!q)
		return -ENOMEM;
	atomic_init(&q->refs, 1);
	atomic_init(&q->pinned, -1);
	q->listener = fcntl(listener, F_DUPFD_CLOEXEC, 0);
	q->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->efd < 0 || q->listener < 0) {
		r = -errno;
		if (q->efd >= 0)
			close(q->efd);
		if (q->listener >= 0)
			close(q->listener);
		free(q);
		return r;
	}
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	q->cb = sl_policy_cb_ref(cb);
	q->live = sl_live_ref(live);
	atomic_fetch_add(&q->refs, 1); /* the thread's */
	r = sl_owned_thread_create(&q->thread, thread_main, q, "sandlock-cb");
	if (r != 0) {
		atomic_fetch_sub(&q->refs, 1);
		q->gone = true;
		q->thread = 0;
	}
	*out = q;
	return 0;
}

int sl_pqueue_fd(const struct sl_pqueue *q)
{
	return q->efd;
}

/*
 * A held call waits for the thread: run it on the CPU of the loop that
 * hands it over. The loop goes back to sleep right after, so the thread
 * runs there at once, warm, and its answer wakes the waiting task there
 * too (the listener's same-CPU wake-up); left free, it is woken on the
 * other, idle CPU (an interrupt to it, then the task's wake-up back
 * across), which costs a held open three to four times the callback
 * path itself on a virtual machine (docs/dynamic.md, "The callback
 * thread"). Only within the CPUs the thread may use; a failure leaves
 * it where it is.
 */
static void follow_cpu(struct sl_pqueue *q)
{
	int cpu = sched_getcpu(), tid = atomic_load(&q->tid);
	cpu_set_t one;

	if (cpu < 0 || tid <= 0 || cpu == atomic_load(&q->pinned) ||
	    cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &q->allowed))
		return;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(tid, sizeof(one), &one) == 0)
		atomic_store(&q->pinned, cpu);
}

int sl_pqueue_push(struct sl_pqueue *q, struct sl_pevent *ev)
{
	int r = 0;

	if (ev->held)
		follow_cpu(q);
	ev->next = NULL;
	pthread_mutex_lock(&q->lock);
	if (q->gone || q->stop) {
		r = -EPIPE;
	} else if (!ev->held && q->nobserved >= MAX_OBSERVED) {
		q->dropped++;
		r = 1;
	} else {
		if (!ev->held)
			q->nobserved++;
		if (q->tail)
			q->tail->next = ev;
		else
			q->head = ev;
		q->tail = ev;
	}
	pthread_mutex_unlock(&q->lock);
	if (r == 0)
		pthread_cond_signal(&q->cond); /* the thread takes the lock */
	else
		sl_pevent_free(ev);
	return r < 0 ? r : 0;
}

struct sl_pevent *sl_pqueue_verdicts(struct sl_pqueue *q)
{
	struct sl_pevent *done, *in_order = NULL;
	uint64_t v;

	(void)!read(q->efd, &v, sizeof(v));
	pthread_mutex_lock(&q->lock);
	atomic_store(&q->quiet, false);
	done = q->done;
	q->done = NULL;
	pthread_mutex_unlock(&q->lock);
	while (done) {
		struct sl_pevent *ev = done;

		done = ev->next;
		ev->next = in_order;
		in_order = ev;
	}
	return in_order;
}

bool sl_pqueue_quiet_pending(struct sl_pqueue *q)
{
	return atomic_load(&q->quiet);
}

uint64_t sl_pqueue_dropped(struct sl_pqueue *q)
{
	uint64_t n;

	pthread_mutex_lock(&q->lock);
	n = q->dropped;
	pthread_mutex_unlock(&q->lock);
	return n;
}

void sl_pqueue_close(struct sl_pqueue *q)
{
	struct timespec deadline;
	int r = 0;

	if (!q)
		return;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_nsec += (long)(CLOSE_WAIT_MS % 1000) * 1000000L;
	deadline.tv_sec +=
		CLOSE_WAIT_MS / 1000 + deadline.tv_nsec / 1000000000L;
	deadline.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&q->lock);
	q->stop = true;
	pthread_cond_broadcast(&q->cond);
	while (!q->gone && r == 0)
		r = pthread_cond_timedwait(&q->cond, &q->lock, &deadline);
	if (q->thread && !q->gone) {
		/* a callback that does not return: it ends alone */
		sl_owned_thread_detach(q->thread);
		q->thread = 0;
		pthread_mutex_unlock(&q->lock);
	} else {
		pthread_t t = q->thread;

		pthread_mutex_unlock(&q->lock);
		if (t)
			sl_owned_thread_join(t);
	}
	unref(q);
}
