/*
 * The `policy` module: the gate of the dispatch (policy.h). Held calls
 * are parked here until the callback thread's verdict arrives through an
 * event fd of the run's loop, or until 5 s have passed (then EPERM).
 */
#include "handlers/policy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "policy/callback.h"
#include "supervisor/evsrc.h"
#include "util/clock.h"
#include "util/cleanup.h"
#include "util/hostperm.h"

/* A held call with no verdict after this long is refused. */
#define VERDICT_LIMIT_NS (5 * UINT64_C(1000000000))

struct held {
	struct held *next;
	uint64_t id;
	struct sl_parked *pk;
	struct sl_pevent *ev; /* alive until its verdict comes back */
	uint64_t deadline;
};

struct policy_state {
	struct sl_supervisor *sv;
	struct sl_live *live;
	struct sl_pqueue *q;
	int epfd;
	struct sl_evsrc verdicts; /* the queue's event fd */
	struct sl_evsrc timer;	  /* the earliest deadline */
	struct held *held;	  /* oldest first */
};

/* For the earliest call no one has answered yet. */
static void arm(struct policy_state *s)
{
	struct held *h = s->held;

	while (h && atomic_load(&h->ev->claim) != SL_EV_UNANSWERED)
		h = h->next;
	sl_timerfd_at(s->timer.fd, h ? h->deadline : 0);
}

static void deny(struct policy_state *s, struct sl_parked *pk, int err)
{
	struct sl_action a = { .kind = SL_ACT_ERRNO,
			       .error = err,
			       .srcfd = -1 };

	sl_supervisor_answer(s->sv, pk, &a);
}

/* docs/abi.md 2.3: allow (0), audit (-2), deny with errno n (n > 0, a valid
 * errno), anything else EPERM. An event the thread answered already
 * needs only what follows the answer. */
static void apply(struct policy_state *s, struct sl_parked *pk,
		  struct sl_pevent *ev)
{
	int32_t v = ev->verdict;

	if (atomic_load(&ev->claim) == SL_EV_BY_THREAD) {
		sl_supervisor_answered(s->sv, pk, &ev->sent);
		return;
	}
	if (v == 0 || v == -2) {
		pk->approved = true;
		sl_supervisor_resume(s->sv, pk);
		return;
	}
	deny(s, pk, v > 0 && v < 4096 ? v : EPERM);
}

static struct held *take(struct policy_state *s, uint64_t id)
{
	for (struct held **pp = &s->held; *pp; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			struct held *h = *pp;

			*pp = h->next;
			return h;
		}
	return NULL;
}

static void take_verdicts(struct policy_state *s)
{
	struct sl_pevent *ev = sl_pqueue_verdicts(s->q);

	while (ev) {
		struct sl_pevent *next = ev->next;
		struct held *h = take(s, ev->id);

		if (h) {
			apply(s, h->pk, ev);
			free(h);
		}
		sl_pevent_free(ev);
		ev = next;
	}
	arm(s);
}

static void on_verdicts(struct sl_evsrc *src, uint32_t events)
{
	(void)events;
	take_verdicts(sl_container_of(src, struct policy_state, verdicts));
}

/* No verdict in time (a callback that is slow, stuck, or busy with
 * events before this one): refused. */
static void on_timer(struct sl_evsrc *src, uint32_t events)
{
	struct policy_state *s =
		sl_container_of(src, struct policy_state, timer);
	uint64_t ticks, now = sl_now_ns();

	(void)events;
	(void)!read(src->fd, &ticks, sizeof(ticks));
	for (struct held **pp = &s->held; *pp && (*pp)->deadline <= now;) {
		struct held *h = *pp;
		uint32_t none = SL_EV_UNANSWERED;

		if (!atomic_compare_exchange_strong(&h->ev->claim, &none,
						    SL_EV_BY_LOOP)) {
			/* answered by the thread: its verdict is on its way */
			pp = &h->next;
			continue;
		}
		*pp = h->next;
		deny(s, h->pk, EPERM);
		free(h);
	}
	arm(s);
}

/* ---- the gate -------------------------------------------------------------- */

static int policy_gate(void *state, const struct sl_gate_req *g)
{
	struct policy_state *s = state;
	int nr = g->n->req->data.nr;
	bool decided = g->a->kind == SL_ACT_ERRNO || g->a->kind == SL_ACT_HOLD;
	struct sl_pevent *ev;

	/* what the thread answered quietly is freed as we come by */
	if (sl_pqueue_quiet_pending(s->q))
		take_verdicts(s);
	if (sl_pevent_held(nr) && !decided)
		return 1; /* policy_gate_held */
	/* Fire and forget. */
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return 0;
	ev->denied = g->a->kind == SL_ACT_ERRNO;
	(void)sl_pevent_fill(ev, g->n, g->dest, g->dlen); /* what it could */
	(void)sl_pqueue_push(s->q, ev);
	return 0;
}

static void policy_gate_held(void *state, struct sl_parked *pk,
			     const struct sl_gate_req *g)
{
	struct policy_state *s = state;
	struct sl_pevent *ev = calloc(1, sizeof(*ev));
	struct held *h = calloc(1, sizeof(*h)), **pp;

	if (!ev || !h) {
		free(ev);
		free(h);
		deny(s, pk, ENOMEM);
		return;
	}
	ev->held = true;
	if (sl_pevent_fill(ev, g->n, g->dest, g->dlen) < 0) {
		/* an argv too long to decide on, or the call is gone */
		sl_pevent_free(ev);
		free(h);
		deny(s, pk, EPERM);
		return;
	}
	/* Only the answer left (no module after the gate, no side effect
	 * waiting for approval): the callback thread sends it. */
	if (sl_supervisor_parked_final(s->sv, pk)) {
		ev->direct = true;
		ev->quiet = !pk->answered;
		ev->allowed = pk->a;
	}
	h->id = pk->req.id;
	h->pk = pk;
	h->ev = ev;
	h->deadline = sl_now_ns() + VERDICT_LIMIT_NS;
	for (pp = &s->held; *pp; pp = &(*pp)->next)
		;
	*pp = h;
	if (sl_pqueue_push(s->q, ev) < 0) {
		/* the callback thread is gone: nothing can allow it */
		take(s, h->id);
		free(h);
		deny(s, pk, EPERM);
		return;
	}
	if (s->held == h)
		arm(s);
}

/* ---- the module ------------------------------------------------------------ */

static bool policy_active(const struct sl_policy *p)
{
	return p->cb != NULL;
}

static void policy_syscalls(const struct sl_policy *p, struct sl_nrset *set)
{
	(void)p;
	sl_pevent_syscalls(set);
}

/* Calls whose side effects wait for the verdict. */
static void policy_gated(const struct sl_policy *p, struct sl_nrset *set)
{
	static const int nrs[] = {
		SCMP_SYS(openat), SCMP_SYS(openat2),  SCMP_SYS(open),
		SCMP_SYS(creat),  SCMP_SYS(connect),  SCMP_SYS(bind),
		SCMP_SYS(sendto), SCMP_SYS(sendmsg),  SCMP_SYS(sendmmsg),
		SCMP_SYS(execve), SCMP_SYS(execveat),
	};

	(void)p;
	for (size_t i = 0; i < SL_ARRAY_SIZE(nrs); i++)
		sl_nrset_add(set, nrs[i]);
}

static void policy_fini(void *state)
{
	struct policy_state *s = state;

	if (!s)
		return;
	if (s->live)
		sl_live_close(s->live);
	/* The held calls are answered first, while their events are alive:
	 * one still with the thread must not be answered by it. */
	while (s->held) {
		struct held *h = s->held;
		uint32_t none = SL_EV_UNANSWERED;

		s->held = h->next;
		if (atomic_compare_exchange_strong(&h->ev->claim, &none,
						   SL_EV_BY_LOOP))
			deny(s, h->pk, EPERM);
		else
			sl_supervisor_answered(s->sv, h->pk, &h->ev->sent);
		free(h);
	}
	sl_pqueue_close(s->q);
	if (s->verdicts.fd >= 0)
		sl_evsrc_del(s->epfd, &s->verdicts);
	if (s->timer.fd >= 0) {
		sl_evsrc_del(s->epfd, &s->timer);
		close(s->timer.fd);
	}
	sl_live_unref(s->live);
	free(s);
}

static int policy_init(struct sl_supervisor *sv, const struct sl_policy *p,
		       void **state)
{
	struct policy_state *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	s->sv = sv;
	s->epfd = sl_supervisor_epfd(sv);
	s->verdicts.fd = -1;
	s->verdicts.on_event = on_verdicts;
	s->timer.on_event = on_timer;
	s->timer.fd =
		timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (s->timer.fd < 0) {
		r = -errno;
		free(s);
		return r;
	}
	r = sl_live_new(sv, p, &s->live);
	if (r == 0)
		r = sl_pqueue_new(p->cb, s->live, sl_supervisor_listener_fd(sv),
				  &s->q);
	if (r == 0)
		r = sl_evsrc_add(s->epfd, &s->timer);
	if (r == 0) {
		s->verdicts.fd = sl_pqueue_fd(s->q);
		r = sl_evsrc_add(s->epfd, &s->verdicts);
		if (r < 0)
			s->verdicts.fd = -1;
	}
	if (r < 0) {
		policy_fini(s);
		return sl_supervisor_init_error(
			sv, r, "policy callback: cannot start");
	}
	*state = s;
	return 0;
}

static void policy_pid_exit(void *state, pid_t pid)
{
	struct policy_state *s = state;

	sl_live_pid_exit(s->live, pid);
}

/* Its network decisions are carried out on the sandbox's sockets
 * (pidfd_getfd), an exec is decided on a sandbox the keeper holds still
 * (ptrace; kcmp tells a vfork parent). */
static int policy_host_check(const struct sl_policy *p, struct sl_error *e)
{
	if (!p->cb)
		return 0;
	return sl_host_require(SL_HOST_PIDFD_GETFD | SL_HOST_PTRACE |
				       SL_HOST_KCMP,
			       "a policy callback (its network decisions are "
			       "carried out on the sandbox's sockets, an exec "
			       "is decided on a sandbox held still)",
			       e);
}

const struct sl_handler_module sl_module_policy = {
	.name = "policy",
	.active = policy_active,
	.host_check = policy_host_check,
	.syscalls = policy_syscalls,
	.init = policy_init,
	.fini = policy_fini,
	.pid_exit = policy_pid_exit,
	.gate = policy_gate,
	.gate_held = policy_gate_held,
	.gated = policy_gated,
};

struct sl_live *sl_live_of(struct sl_supervisor *sv)
{
	struct policy_state *s =
		sl_supervisor_module_state(sv, &sl_module_policy);

	return s ? s->live : NULL;
}
