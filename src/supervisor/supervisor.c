/*
 * Notification dispatch (docs/behaviour.md 1.4): receive, walk the chain of the
 * syscall, answer. Notifications are handled one at a time, in arrival
 * order.
 */
#include "supervisor/supervisor.h"

#include <errno.h>
#include <poll.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "handlers/network.h"
#include "supervisor/dispatch.h"
#include "supervisor/evsrc.h"
#include "supervisor/notif.h"
#include "supervisor/proctab.h"
#include "supervisor/worker.h"

struct sl_supervisor {
	/* Not in the run's epoll set: the loop polls it directly
	 * (sl_supervisor_listener), false once it hung up. */
	struct sl_evsrc listener;
	bool listening;
	int epfd;
	const struct sl_policy *policy;
	char *name;
	pid_t root;
	const struct sl_fs_built *built;
	uint32_t cause; /* SL_CAUSE_*: why a module killed a process */

	size_t nmods;
	struct sl_modref *mods; /* this run's modules, chain order */
	void **states;
	size_t ninit; /* modules initialised (fini for these) */
	size_t gate;  /* the module with a gate hook, or nmods */

	/* chain of syscall nr: mods[chain[start[nr]] .. chain[start[nr+1]-1]] */
	uint32_t *start;
	uint16_t *chain;
	struct sl_nrset gated; /* the gate approves their side effects */

	/* the dispatch in progress (they nest: a module's handle may
	 * resume another notification) */
	struct dispatch_frame *frame;

	struct sl_proctab *procs;   /* every process of the sandbox */
	struct sl_workers *workers; /* created on first use */
	struct sl_cow_branch *cow;  /* the run's, borrowed */
	const struct sl_freezer_ops *freezer;

	struct sl_error *init_err; /* during module init: the caller's record */
};

pid_t sl_supervisor_root_pid(const struct sl_supervisor *sv)
{
	return sv->root;
}

const struct sl_policy *sl_supervisor_policy(const struct sl_supervisor *sv)
{
	return sv->policy;
}

const struct sl_fs_built *sl_supervisor_ruleset(const struct sl_supervisor *sv)
{
	return sv->built;
}

const char *sl_supervisor_name(const struct sl_supervisor *sv)
{
	return sv->name;
}

/* A pid belongs to the sandbox when it descends from the keeper (the
 * process table's answer). */
bool sl_supervisor_is_member(const struct sl_supervisor *sv, pid_t pid)
{
	pid_t tgid;

	return sv->procs && sl_proctab_lookup(sv->procs, pid, &tgid) == 0;
}

struct sl_proctab *sl_supervisor_proctab(const struct sl_supervisor *sv)
{
	return sv->procs;
}

void sl_supervisor_note_cause(struct sl_supervisor *sv, uint32_t cause)
{
	if (!sv->cause)
		sv->cause = cause;
}

uint32_t sl_supervisor_cause(const struct sl_supervisor *sv)
{
	return sv ? sv->cause : 0;
}

char *sl_supervisor_port_mappings(struct sl_supervisor *sv)
{
	return sv ? sl_net_port_mappings_of(sv) : NULL;
}

int sl_supervisor_signal_all(struct sl_supervisor *sv, int sig)
{
	return sl_proctab_signal_all(sv->procs, sig);
}

void sl_supervisor_close(struct sl_supervisor *sv)
{
	if (sv)
		sl_proctab_close(sv->procs);
}

static void release_cache(struct sl_notif_cache *cache)
{
	if (cache->release)
		cache->release(cache->fs);
	cache->fs = NULL;
	cache->release = NULL;
}

/* The end of a dispatch: answer (around the hooks of a parked one),
 * release what the chain decoded. */
static void finish(struct sl_supervisor *sv, struct sl_parked *pk,
		   const struct seccomp_notif *req,
		   struct sl_notif_cache *cache, const struct sl_action *a)
{
	if (pk && pk->answering)
		pk->answering(pk->hook_arg, pk, a);
	sl_notif_respond(sv->listener.fd, req->id, (pid_t)req->pid, a);
	if (pk && pk->answered)
		pk->answered(pk->hook_arg, pk, a);
	release_cache(cache);
	free(pk);
}

/* What sl_supervisor_park() and sl_supervisor_gate_first() leave for
 * the dispatch that called the module. */
struct dispatch_frame {
	struct sl_parked *parking;
	struct sl_gate_req gate_req;
	/* gate_req.dest: a copy (the module's own is gone once it returns) */
	uint8_t dest[sizeof(((struct sl_parked *)0)->dest)];
};

static void reset(struct sl_action *a)
{
	memset(a, 0, sizeof(*a));
	a->kind = SL_ACT_CONTINUE;
	a->srcfd = -1;
}

/* The gate phase at chain position pos: 0 to go on, 1 when the gate
 * holds the notification (parked, to continue from pos). */
static int gate_phase(struct sl_supervisor *sv, struct sl_notif *n,
		      struct sl_action *a, uint32_t pos)
{
	const struct sl_handler_module *m;
	struct sl_parked *pk;
	int r;

	if (sv->gate >= sv->nmods)
		return 0;
	m = sv->mods[sv->gate].m;
	sv->frame->gate_req.n = n;
	sv->frame->gate_req.a = a;
	r = m->gate(sv->states[sv->gate], &sv->frame->gate_req);
	if (r < 0) {
		if (a->kind == SL_ACT_INJECT_SEND)
			close(a->srcfd);
		reset(a);
		a->kind = SL_ACT_ERRNO;
		a->error = -r;
		return 0;
	}
	if (r == 0)
		return 0;
	n->pos = pos;
	pk = sl_supervisor_park(sv, n, true);
	if (!pk) {
		if (a->kind == SL_ACT_INJECT_SEND)
			close(a->srcfd);
		reset(a);
		a->kind = SL_ACT_ERRNO;
		a->error = ENOMEM;
		return 0;
	}
	pk->past_gate = true;
	pk->a = *a;
	pk->dlen = 0;
	if (sv->frame->gate_req.dest &&
	    sv->frame->gate_req.dlen <= sizeof(pk->dest)) {
		memcpy(pk->dest, sv->frame->gate_req.dest,
		       sv->frame->gate_req.dlen);
		pk->dlen = sv->frame->gate_req.dlen;
	}
	m->gate_held(sv->states[sv->gate], pk, &sv->frame->gate_req);
	return 1;
}

/*
 * Walk the chain of the notification from pos: the built-in modules,
 * first non-CONTINUE decision wins (an internal failure of a module
 * fails the syscall with its errno: fail closed); then the gate; then
 * the after_gate modules if every built-in continued. A parked
 * notification (pk) continues where it stopped.
 */
static void dispatch_in(struct sl_supervisor *sv, struct sl_parked *pk,
			const struct seccomp_notif *req,
			struct sl_notif_cache *cache, struct dispatch_frame *f)
{
	struct sl_notif n = { .req = req,
			      .listener = sv->listener.fd,
			      .sv = sv,
			      .cache = cache,
			      .parked = pk };
	int nr = req->data.nr;
	bool gated = pk && pk->past_gate;
	uint32_t pos, end;
	struct sl_action a;

	reset(&a);
	if (nr < 0 || nr >= SL_MAX_NR) {
		finish(sv, pk, req, cache, &a);
		return;
	}
	n.gate_pending = sl_nrset_has(&sv->gated, nr) && !(pk && pk->approved);
	end = sv->start[nr + 1];
	pos = pk ? pk->resume : sv->start[nr];
	if (gated && pk->a.kind != SL_ACT_CONTINUE &&
	    pk->a.kind != SL_ACT_GATE) {
		/* approved: the built-ins' own answer */
		a = pk->a;
		pos = end;
	}
	for (; pos < end; pos++) {
		const struct sl_modref *ref = &sv->mods[sv->chain[pos]];
		int r;

		if (ref->m->after_gate && !gated) {
			gated = true;
			if (gate_phase(sv, &n, &a, pos))
				return;
			if (a.kind != SL_ACT_CONTINUE)
				break;
		}
		reset(&a);
		n.pos = pos;
		*f = (struct dispatch_frame){ 0 };
		r = ref->m->handle(sv->states[sv->chain[pos]], &n, &a);
		if (f->parking)
			return; /* the module keeps it (sl_supervisor_park) */
		if (r < 0) {
			if (a.kind == SL_ACT_INJECT_SEND)
				close(a.srcfd);
			reset(&a);
			a.kind = SL_ACT_ERRNO;
			a.error = -r;
			break;
		}
		if (a.kind == SL_ACT_GATE) {
			/* the module acts once the gate approves */
			gated = true;
			if (gate_phase(sv, &n, &a, pos))
				return;
			if (a.kind != SL_ACT_GATE)
				break;
			n.gate_pending = false; /* approved at once */
			pos--;
			continue;
		}
		if (a.kind != SL_ACT_CONTINUE)
			break;
	}
	*f = (struct dispatch_frame){ 0 };
	if (!gated && gate_phase(sv, &n, &a, end))
		return;
	finish(sv, pk, req, cache, &a);
}

/*
 * Walk the chain of the notification: the built-in modules, first
 * non-CONTINUE decision wins (an internal failure of a module fails the
 * syscall with its errno: fail closed); then the gate; then the
 * after_gate modules if every built-in continued. A parked notification
 * (pk) continues where it stopped.
 */
static void dispatch(struct sl_supervisor *sv, struct sl_parked *pk,
		     const struct seccomp_notif *req,
		     struct sl_notif_cache *cache)
{
	struct dispatch_frame f = { 0 }, *outer = sv->frame;

	sv->frame = &f;
	dispatch_in(sv, pk, req, cache, &f);
	sv->frame = outer;
}

static void on_listener(struct sl_evsrc *src, uint32_t events)
{
	struct sl_supervisor *sv =
		sl_container_of(src, struct sl_supervisor, listener);
	struct seccomp_notif req;
	struct sl_notif_cache cache = { 0 };

	if (!(events & EPOLLIN)) {
		/* Hang-up: no task of the sandbox uses the filter any more.
		 * A bare EPOLLERR is no hang-up: the kernel's poll of the
		 * listener says so when a signal interrupted it (the caller's
		 * signals are open during the wait), and the next poll sees
		 * the pending notification again. */
		if (events & EPOLLHUP)
			sv->listening = false;
		return;
	}
	memset(&req, 0, sizeof(req));
	if (ioctl(src->fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
		/* EINTR: try again on the next wake-up; ENOENT: withdrawn
		 * because its task died. Anything else ends supervision
		 * (the sandbox then gets ENOSYS: fail closed). */
		if (errno != EINTR && errno != ENOENT)
			sv->listening = false;
		return;
	}
	dispatch(sv, NULL, &req, &cache);
}

struct sl_parked *sl_supervisor_park(struct sl_supervisor *sv,
				     const struct sl_notif *n, bool again)
{
	struct sl_parked *pk = n->parked;

	if (!pk) {
		pk = calloc(1, sizeof(*pk));
		if (!pk)
			return NULL;
		pk->req = *n->req;
		if (n->cache) {
			/* the decoded arguments go with it */
			pk->cache = *n->cache;
			n->cache->fs = NULL;
			n->cache->release = NULL;
		}
		pk->a.kind = SL_ACT_CONTINUE;
		pk->a.srcfd = -1;
	}
	pk->resume = again ? n->pos : n->pos + 1;
	if (sv->frame)
		sv->frame->parking = pk;
	return pk;
}

void sl_supervisor_resume(struct sl_supervisor *sv, struct sl_parked *pk)
{
	dispatch(sv, pk, &pk->req, &pk->cache);
}

void sl_supervisor_answer(struct sl_supervisor *sv, struct sl_parked *pk,
			  const struct sl_action *a)
{
	if (pk->a.kind == SL_ACT_INJECT_SEND && pk->a.srcfd >= 0)
		close(pk->a.srcfd);
	pk->a.kind = SL_ACT_CONTINUE;
	pk->a.srcfd = -1;
	finish(sv, pk, &pk->req, &pk->cache, a);
}

bool sl_supervisor_parked_final(const struct sl_supervisor *sv,
				const struct sl_parked *pk)
{
	int nr = pk->req.data.nr;

	return pk->past_gate && !pk->answering && nr >= 0 && nr < SL_MAX_NR &&
	       pk->resume >= sv->start[nr + 1] &&
	       (pk->a.kind == SL_ACT_CONTINUE || pk->a.kind == SL_ACT_VALUE);
}

void sl_supervisor_answered(struct sl_supervisor *sv, struct sl_parked *pk,
			    const struct sl_action *a)
{
	(void)sv;
	if (pk->answered)
		pk->answered(pk->hook_arg, pk, a);
	release_cache(&pk->cache);
	free(pk);
}

void sl_supervisor_after_builtins(struct sl_supervisor *sv,
				  const struct seccomp_notif *req,
				  bool approved)
{
	struct sl_parked *pk = calloc(1, sizeof(*pk));
	int nr = req->data.nr;
	uint32_t pos = 0;

	if (!pk) {
		struct sl_action a = { .kind = SL_ACT_ERRNO,
				       .error = ENOMEM,
				       .srcfd = -1 };

		sl_notif_respond(sv->listener.fd, req->id, (pid_t)req->pid, &a);
		return;
	}
	pk->req = *req;
	reset(&pk->a);
	if (nr >= 0 && nr < SL_MAX_NR) {
		pos = sv->start[nr];
		while (pos < sv->start[nr + 1] &&
		       !sv->mods[sv->chain[pos]].m->after_gate)
			pos++;
	}
	pk->resume = pos;
	pk->approved = approved;
	pk->past_gate = approved;
	dispatch(sv, pk, &pk->req, &pk->cache);
}

bool sl_supervisor_gate_first(const struct sl_notif *n, const void *dest,
			      uint32_t dlen, struct sl_action *out)
{
	const struct sl_parked *pk = n->parked;

	if (!n->gate_pending) {
		/* Approved for the destination shown, and only that. */
		if (pk && pk->approved && pk->dlen &&
		    (!dest || dlen != pk->dlen ||
		     memcmp(dest, pk->dest, dlen) != 0)) {
			out->kind = SL_ACT_ERRNO;
			out->error = EPERM;
			return true;
		}
		return false;
	}
	out->kind = SL_ACT_GATE;
	if (n->sv->frame && dest && dlen <= sizeof(n->sv->frame->dest)) {
		memcpy(n->sv->frame->dest, dest, dlen);
		n->sv->frame->gate_req.dest = n->sv->frame->dest;
		n->sv->frame->gate_req.dlen = dlen;
	}
	return true;
}

static void on_pid_exit(void *ctx, pid_t pid)
{
	struct sl_supervisor *sv = ctx;

	for (size_t m = 0; m < sv->ninit; m++)
		if (sv->mods[m].m->pid_exit)
			sv->mods[m].m->pid_exit(sv->states[m], pid);
}

static void on_pid_new(void *ctx, pid_t pid, pid_t parent)
{
	struct sl_supervisor *sv = ctx;

	for (size_t m = 0; m < sv->ninit; m++)
		if (sv->mods[m].m->pid_new)
			sv->mods[m].m->pid_new(sv->states[m], pid, parent);
}

static int collect_modules(struct sl_supervisor *sv, const struct sl_modlist *l)
{
	sv->mods = calloc(l->n ? l->n : 1, sizeof(*sv->mods));
	sv->states = calloc(l->n ? l->n : 1, sizeof(*sv->states));
	if (!sv->mods || !sv->states)
		return -ENOMEM;
	sv->gate = l->n;
	for (size_t i = 0; i < l->n; i++) {
		const struct sl_handler_module *m = l->v[i].m;

		/* a module may only hold state for others (no handle) */
		if (!m->handle && !m->init && !m->gate)
			continue;
		if (m->gate && sv->gate == l->n)
			sv->gate = sv->nmods;
		sv->mods[sv->nmods++] = l->v[i];
	}
	if (sv->gate == l->n)
		sv->gate = sv->nmods;
	return sv->nmods > UINT16_MAX ? -E2BIG : 0;
}

static void syscalls_of(const struct sl_supervisor *sv, size_t m,
			struct sl_nrset *set)
{
	const struct sl_modref *r = &sv->mods[m];

	if (r->nrs)
		*set = *r->nrs;
	else if (r->m->syscalls && r->m->handle)
		r->m->syscalls(sv->policy, set);
}

/* Per-syscall chains in module order, as a flat array indexed by a
 * prefix sum (two passes over the modules' syscall sets). */
static int build_chains(struct sl_supervisor *sv)
{
	struct sl_nrset *sets =
		calloc(sv->nmods ? sv->nmods : 1, sizeof(*sets));
	uint32_t *fill;
	size_t total = 0;

	sv->start = calloc(SL_MAX_NR + 1, sizeof(*sv->start));
	fill = calloc(SL_MAX_NR, sizeof(*fill));
	if (!sets || !sv->start || !fill) {
		free(sets);
		free(fill);
		return -ENOMEM;
	}
	for (size_t m = 0; m < sv->nmods; m++) {
		syscalls_of(sv, m, &sets[m]);
		if (sv->mods[m].m->gated)
			sv->mods[m].m->gated(sv->policy, &sv->gated);
	}
	for (int nr = 0; nr < SL_MAX_NR; nr++) {
		sv->start[nr] = (uint32_t)total;
		for (size_t m = 0; m < sv->nmods; m++)
			total += sl_nrset_has(&sets[m], nr);
	}
	sv->start[SL_MAX_NR] = (uint32_t)total;
	sv->chain = calloc(total ? total : 1, sizeof(*sv->chain));
	if (!sv->chain) {
		free(sets);
		free(fill);
		return -ENOMEM;
	}
	for (int nr = 0; nr < SL_MAX_NR; nr++)
		for (size_t m = 0; m < sv->nmods; m++)
			if (sl_nrset_has(&sets[m], nr))
				sv->chain[sv->start[nr] + fill[nr]++] =
					(uint16_t)m;
	free(sets);
	free(fill);
	return 0;
}

static int init_modules(struct sl_supervisor *sv, struct sl_error *e)
{
	int r;

	for (size_t m = 0; m < sv->nmods; m++) {
		const struct sl_handler_module *mod = sv->mods[m].m;

		if (mod->init) {
			r = mod->init(sv, sv->policy, &sv->states[m]);
			if (r < 0)
				return sl_err(e, r,
					      "%s: initialisation failed: %s",
					      mod->name, strerror(-r));
		}
		/* fini only for the modules initialised */
		sv->ninit = m + 1;
	}
	return 0;
}

int sl_supervisor_new(const struct sl_supervisor_config *cfg,
		      struct sl_supervisor **out, struct sl_error *e)
{
	struct sl_supervisor *sv = calloc(1, sizeof(*sv));
	int r;

	*out = NULL;
	if (!sv) {
		close(cfg->listener);
		return sl_err(e, ENOMEM, "out of memory");
	}
	sv->listener.fd = cfg->listener;
	sv->listener.on_event = on_listener;
	sv->epfd = cfg->epfd;
	sv->policy = cfg->policy;
	sv->built = cfg->built;
	sv->root = cfg->root;
	sv->cow = cfg->cow;
	sv->freezer = cfg->freezer;
	{
		struct sl_proctab_hooks hooks = {
			.added = on_pid_new,
			.exited = on_pid_exit,
			.ctx = sv,
		};

		/* Modules are not initialised yet: no events for the root. */
		r = sl_proctab_new(sv->epfd, cfg->keeper, cfg->root,
				   cfg->root_pidfd, NULL, &sv->procs);
		if (r < 0) {
			sl_err(e, r, "cannot watch the sandbox process: %s",
			       strerror(-r));
			goto fail;
		}
		sl_proctab_set_hooks(sv->procs, &hooks);
	}
	sv->name = strdup(cfg->name);
	r = sv->name ? collect_modules(sv, cfg->mods) : -ENOMEM;
	if (r >= 0)
		r = build_chains(sv);
	if (r < 0) {
		sl_err(e, r, "out of memory");
		goto fail;
	}
	/* A module's init may explain its failure through
	 * sl_supervisor_init_error(). */
	sv->init_err = e;
	r = init_modules(sv, e);
	sv->init_err = NULL;
	if (r < 0)
		goto fail;
	sv->listening = true;
	*out = sv;
	return 0;
fail:
	sl_supervisor_free(sv);
	return r;
}

void sl_supervisor_free(struct sl_supervisor *sv)
{
	if (!sv)
		return;
	sl_workers_free(sv->workers); /* before the modules they serve */
	sl_proctab_free(sv->procs);
	sv->procs = NULL;
	/* Later modules may use the state of earlier ones: in reverse. */
	for (size_t m = sv->ninit; m-- > 0;)
		if (sv->mods[m].m->fini)
			sv->mods[m].m->fini(sv->states[m]);
	if (sv->listener.fd >= 0)
		close(sv->listener.fd);
	free(sv->mods);
	free(sv->states);
	free(sv->start);
	free(sv->chain);
	free(sv->name);
	free(sv);
}

struct sl_evsrc *sl_supervisor_listener(struct sl_supervisor *sv)
{
	return sv && sv->listening ? &sv->listener : NULL;
}

/* ---- services for modules (dispatch.h) ------------------------------- */

struct sl_cow_branch *sl_supervisor_cow(const struct sl_supervisor *sv)
{
	return sv->cow;
}

int sl_supervisor_epfd(const struct sl_supervisor *sv)
{
	return sv->epfd;
}

int sl_supervisor_listener_fd(const struct sl_supervisor *sv)
{
	return sv->listener.fd;
}

void sl_supervisor_respond(struct sl_supervisor *sv, uint64_t id,
			   const struct sl_action *a)
{
	sl_notif_respond(sv->listener.fd, id, 0, a);
}

struct sl_workers *sl_supervisor_workers(struct sl_supervisor *sv)
{
	if (!sv->workers &&
	    sl_workers_new(sv->listener.fd, sv->epfd, &sv->workers) < 0)
		sv->workers = NULL;
	return sv->workers;
}

bool sl_supervisor_module_active(const struct sl_supervisor *sv,
				 const struct sl_handler_module *m)
{
	for (size_t i = 0; i < sv->nmods; i++)
		if (sv->mods[i].m == m)
			return true;
	return false;
}

void *sl_supervisor_module_state(const struct sl_supervisor *sv,
				 const struct sl_handler_module *m)
{
	for (size_t i = 0; i < sv->nmods; i++)
		if (sv->mods[i].m == m)
			return sv->states[i];
	return NULL;
}

const struct sl_freezer_ops *
sl_supervisor_freezer(const struct sl_supervisor *sv)
{
	return sv->freezer;
}

void *sl_supervisor_module_arg(const struct sl_supervisor *sv,
			       const struct sl_handler_module *m)
{
	for (size_t i = 0; i < sv->nmods; i++)
		if (sv->mods[i].m == m)
			return sv->mods[i].arg;
	return NULL;
}

int sl_supervisor_init_error(struct sl_supervisor *sv, int code,
			     const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	if (code < 0)
		code = -code;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	sl_err(sv->init_err, code, "%s", msg ? msg : strerror(code));
	free(msg);
	return -code;
}
