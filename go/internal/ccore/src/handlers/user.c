/*
 * The `user` module: the host's custom handlers (user.h). A handler's
 * callback fills a sandlock_action_out_t; anything it cannot be trusted
 * with (a non-zero return, no decision, an unknown kind, a kill that
 * would reach outside the trapped process's group) falls to the
 * handler's exception policy, and an fd it armed is closed.
 */
#include "handlers/user.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "supervisor/evsrc.h"
#include "supervisor/notif.h"
#include "supervisor/proctab.h"
#include "util/ownthreads.h"
#include "util/cleanup.h"
#include "util/clock.h"

#define MAX_DEFERRED 64
#define DEFERRED_LIMIT_NS (30 * UINT64_C(1000000000))

/* ---- containers ---------------------------------------------------------------- */

void sl_user_handler_unref(sandlock_handler_t *h)
{
	if (!h || atomic_fetch_sub(&h->refs, 1) != 1)
		return;
	if (h->ud_drop)
		h->ud_drop(h->ud);
	free(h);
}

struct sl_user_handlers *
sl_user_handlers_new(const sandlock_handler_registration_t *regs, size_t n)
{
	struct sl_user_handlers *u = calloc(1, sizeof(*u));

	if (u)
		u->v = calloc(n ? n : 1, sizeof(*u->v));
	if (!u || !u->v) {
		free(u);
		u = NULL;
	}
	for (size_t i = 0; i < n; i++) {
		sandlock_handler_t *h = regs[i].handler;
		bool seen = false;

		for (size_t k = 0; k < i; k++)
			seen |= regs[k].handler == h;
		if (!u) {
			if (!seen)
				sl_user_handler_unref(h);
			continue;
		}
		/* each distinct container is the run's once */
		if (seen)
			atomic_fetch_add(&h->refs, 1);
		u->v[u->n].nr = (int)regs[i].syscall_nr;
		u->v[u->n++].h = h;
		sl_nrset_add(&u->nrs, (long)regs[i].syscall_nr);
	}
	return u;
}

void sl_user_handlers_free(struct sl_user_handlers *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->n; i++)
		sl_user_handler_unref(u->v[i].h);
	free(u->v);
	free(u);
}

/* ---- decisions ------------------------------------------------------------------ */

static void refused(struct sl_action *a, int err)
{
	memset(a, 0, sizeof(*a));
	a->kind = SL_ACT_ERRNO;
	a->error = err;
	a->srcfd = -1;
}

/* Signal the trapped task's process group (pgid 0: its own; nothing
 * else): never the library's own group, and only while the notification
 * shows the task is alive (its pid cannot name another). */
static bool kill_group(int listener, const struct seccomp_notif *req, int pgid,
		       int sig)
{
	pid_t own = getpgid((pid_t)req->pid);

	if (own <= 0 || sig <= 0 || sig >= NSIG || (pgid != 0 && pgid != own) ||
	    own == getpgrp() || sl_notif_id_valid(listener, req->id) < 0)
		return false;
	return kill(-own, sig) == 0;
}

static void exception(const sandlock_handler_t *h, int listener,
		      const struct seccomp_notif *req, struct sl_action *a)
{
	switch (h->on_exception) {
	case SANDLOCK_EXCEPTION_CONTINUE:
		memset(a, 0, sizeof(*a));
		a->kind = SL_ACT_CONTINUE;
		a->srcfd = -1;
		return;
	case SANDLOCK_EXCEPTION_DENY_EIO:
		refused(a, EIO);
		return;
	case SANDLOCK_EXCEPTION_KILL:
		/* degrades to EPERM without a group that is safe to kill */
		if (kill_group(listener, req, 0, SIGKILL)) {
			refused(a, ENOMEM);
			return;
		}
		/* fall through */
	default:
		refused(a, EPERM);
	}
}

/* Call h for req and turn its answer into a. */
static void call(const sandlock_handler_t *h, int listener,
		 const struct seccomp_notif *req, struct sl_action *a)
{
	sandlock_notif_data_t nd = {
		.id = req->id,
		.pid = req->pid,
		.flags = req->flags,
		.syscall_nr = req->data.nr,
		.arch = req->data.arch,
		.instruction_pointer = req->data.instruction_pointer,
	};
	sandlock_mem_handle_t mem = { listener, req->id, req->pid };
	sandlock_action_out_t out;
	int32_t r;

	memcpy(nd.args, req->data.args, sizeof(nd.args));
	memset(&out, 0, sizeof(out));
	r = h->fn(h->ud, &nd, &mem, &out);
	memset(a, 0, sizeof(*a));
	a->srcfd = -1;
	if (r == 0) {
		switch (out.kind) {
		case SANDLOCK_ACTION_CONTINUE:
			a->kind = SL_ACT_CONTINUE;
			return;
		case SANDLOCK_ACTION_ERRNO:
			if (out.payload.errno_value <= 0 ||
			    out.payload.errno_value >= 4096)
				break;
			refused(a, out.payload.errno_value);
			return;
		case SANDLOCK_ACTION_RETURN_VALUE:
			a->kind = SL_ACT_VALUE;
			a->value = out.payload.return_value;
			return;
		case SANDLOCK_ACTION_INJECT_FD_SEND:
			if (out.payload.inject_send.srcfd < 0)
				break;
			a->kind = SL_ACT_INJECT_SEND;
			a->srcfd = out.payload.inject_send.srcfd;
			a->newfd_flags = out.payload.inject_send.newfd_flags;
			return;
		case SANDLOCK_ACTION_HOLD:
			a->kind = SL_ACT_HOLD;
			return;
		case SANDLOCK_ACTION_KILL:
			if (!kill_group(listener, req, out.payload.kill.pgid,
					out.payload.kill.sig))
				break;
			refused(a, ENOMEM);
			return;
		default:
			break;
		}
	}
	/* no usable decision: an fd it armed is ours to close */
	if (out.kind == SANDLOCK_ACTION_INJECT_FD_SEND &&
	    out.payload.inject_send.srcfd >= 0)
		close(out.payload.inject_send.srcfd);
	exception(h, listener, req, a);
}

/* ---- deferred handlers ------------------------------------------------------------ */

/* One deferred call, on a thread of its own (a handler that blocks holds
 * only its thread): answered once, by the thread or by the deadline. The
 * thread holds what it uses (its copy of the listener, the container),
 * so it may outlive the run. */
struct deferred {
	atomic_uint refs; /* the module's list, the thread */
	atomic_bool answered;
	uint64_t id;
	uint64_t deadline;
	struct deferred *next;
	/* the thread's */
	struct seccomp_notif req;
	sandlock_handler_t *h;
	int listener;
	pthread_t t;
};

static void deferred_unref(struct deferred *d)
{
	if (atomic_fetch_sub(&d->refs, 1) != 1)
		return;
	if (d->listener >= 0)
		close(d->listener);
	sl_user_handler_unref(d->h);
	free(d);
}

static void *deferred_main(void *arg)
{
	struct deferred *d = arg;
	struct sl_action a;

	call(d->h, d->listener, &d->req, &a);
	/* final, CONTINUE included; HOLD leaves it to the deadline */
	if (a.kind != SL_ACT_HOLD) {
		if (!atomic_exchange(&d->answered, true))
			sl_notif_respond(d->listener, d->req.id,
					 (pid_t)d->req.pid, &a);
		else if (a.kind == SL_ACT_INJECT_SEND)
			close(a.srcfd); /* too late: the deadline answered */
	}
	deferred_unref(d);
	sl_owned_thread_gone();
	return NULL;
}

struct user_state {
	struct sl_supervisor *sv;
	struct sl_user_handlers *u;
	int epfd;
	struct sl_evsrc timer;
	struct deferred *inflight, **tail;
};

/* Drop the calls answered; count the others; arm for the earliest. */
static unsigned prune(struct user_state *s)
{
	struct deferred **pp = &s->inflight;
	unsigned n = 0;

	while (*pp) {
		struct deferred *d = *pp;

		if (atomic_load(&d->answered)) {
			*pp = d->next;
			deferred_unref(d);
			continue;
		}
		n++;
		pp = &d->next;
	}
	s->tail = pp;
	sl_timerfd_at(s->timer.fd, s->inflight ? s->inflight->deadline : 0);
	return n;
}

/* A deferred handler that has not answered within 30 s: EIO. */
static void on_timer(struct sl_evsrc *src, uint32_t events)
{
	struct user_state *s = sl_container_of(src, struct user_state, timer);
	struct sl_action eio;
	uint64_t ticks, now = sl_now_ns();

	(void)events;
	(void)!read(src->fd, &ticks, sizeof(ticks));
	refused(&eio, EIO);
	for (struct deferred *d = s->inflight; d && d->deadline <= now;
	     d = d->next)
		if (!atomic_exchange(&d->answered, true))
			sl_supervisor_respond(s->sv, d->id, &eio);
	prune(s);
}

static bool creates_or_execs(int nr)
{
	return nr == SCMP_SYS(execve) || nr == SCMP_SYS(execveat) ||
	       sl_proctab_is_fork_nr(nr);
}

static int defer(struct user_state *s, const struct sl_notif *n,
		 sandlock_handler_t *h, struct sl_action *out)
{
	struct deferred *d;

	/* their CONTINUE needs the supervisor's own care (freezing,
	 * counting): never decided off the loop */
	if (creates_or_execs(n->req->data.nr)) {
		refused(out, EPERM);
		return 0;
	}
	if (prune(s) >= MAX_DEFERRED) {
		refused(out, EAGAIN);
		return 0;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		refused(out, EAGAIN);
		return 0;
	}
	atomic_init(&d->refs, 2);
	d->id = n->req->id;
	d->deadline = sl_now_ns() + DEFERRED_LIMIT_NS;
	d->req = *n->req;
	d->h = h;
	atomic_fetch_add(&h->refs, 1);
	d->listener = fcntl(n->listener, F_DUPFD_CLOEXEC, 0);
	if (d->listener < 0 || sl_owned_thread_create(&d->t, deferred_main, d,
						      "sandlock-hd") != 0) {
		atomic_store(&d->refs, 1);
		deferred_unref(d);
		refused(out, EAGAIN);
		return 0;
	}
	sl_owned_thread_detach(d->t);
	*s->tail = d;
	s->tail = &d->next;
	prune(s);
	out->kind = SL_ACT_HOLD;
	return 0;
}

/* ---- the module --------------------------------------------------------------------- */

static int user_handle(void *state, const struct sl_notif *n,
		       struct sl_action *out)
{
	struct user_state *s = state;
	int nr = n->req->data.nr;

	for (size_t i = 0; i < s->u->n; i++) {
		sandlock_handler_t *h = s->u->v[i].h;

		if (s->u->v[i].nr != nr)
			continue;
		if (h->deferred)
			return defer(s, n, h, out); /* final */
		call(h, n->listener, n->req, out);
		if (out->kind != SL_ACT_CONTINUE)
			return 0;
	}
	return 0;
}

static void user_fini(void *state)
{
	struct user_state *s = state;

	if (!s)
		return;
	while (s->inflight) {
		struct deferred *d = s->inflight;

		s->inflight = d->next;
		deferred_unref(d);
	}
	if (s->timer.fd >= 0) {
		sl_evsrc_del(s->epfd, &s->timer);
		close(s->timer.fd);
	}
	free(s); /* the handlers are the run's */
}

static int user_init(struct sl_supervisor *sv, const struct sl_policy *p,
		     void **state)
{
	struct user_state *s = calloc(1, sizeof(*s));
	int r;

	(void)p;
	if (!s)
		return -ENOMEM;
	s->sv = sv;
	s->u = sl_supervisor_module_arg(sv, &sl_module_user);
	s->epfd = sl_supervisor_epfd(sv);
	s->tail = &s->inflight;
	s->timer.on_event = on_timer;
	s->timer.fd =
		timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (!s->u || s->timer.fd < 0 ||
	    (r = sl_evsrc_add(s->epfd, &s->timer)) < 0) {
		r = !s->u ? -EINVAL : s->timer.fd < 0 ? -errno : r;
		if (s->timer.fd >= 0)
			close(s->timer.fd);
		free(s);
		return r;
	}
	*state = s;
	return 0;
}

/* Added by a run that has handlers (the policy never activates it). */
const struct sl_handler_module sl_module_user = {
	.name = "custom handlers",
	.init = user_init,
	.handle = user_handle,
	.fini = user_fini,
	.after_gate = true,
};
