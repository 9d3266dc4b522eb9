/*
 * Notification dispatch (behavior.md 1.4): receive, walk the chain of the
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
	uint32_t cause; /* SL_CAUSE_*: why a module killed a process */

	size_t nmods;
	const struct sl_handler_module **mods; /* active modules */
	void **states;

	/* chain of syscall nr: mods[chain[start[nr]] .. chain[start[nr+1]-1]] */
	uint32_t *start;
	uint8_t *chain;

	struct sl_proctab *procs; /* every process of the sandbox */
	struct sl_workers *workers; /* created on first use */
	struct sl_cow_branch *cow;  /* the run's, borrowed */

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

int sl_supervisor_signal_all(struct sl_supervisor *sv, int sig)
{
	return sl_proctab_signal_all(sv->procs, sig);
}

void sl_supervisor_close(struct sl_supervisor *sv)
{
	if (sv)
		sl_proctab_close(sv->procs);
}

/* First non-CONTINUE decision wins; an internal failure of a module
 * fails the syscall with its errno (fail closed). */
static void decide(struct sl_supervisor *sv, const struct seccomp_notif *req,
		   struct sl_action *a, struct sl_notif_cache *cache)
{
	struct sl_notif n = { .req = req, .listener = sv->listener.fd, .sv = sv,
			      .cache = cache };
	int nr = req->data.nr;

	a->kind = SL_ACT_CONTINUE;
	if (nr < 0 || nr >= SL_MAX_NR)
		return;
	for (uint32_t k = sv->start[nr]; k < sv->start[nr + 1]; k++) {
		size_t m = sv->chain[k];
		int r;

		memset(a, 0, sizeof(*a));
		a->kind = SL_ACT_CONTINUE;
		a->srcfd = -1;
		r = sv->mods[m]->handle(sv->states[m], &n, a);
		if (r < 0) {
			a->kind = SL_ACT_ERRNO;
			a->error = -r;
			return;
		}
		if (a->kind != SL_ACT_CONTINUE)
			return;
	}
}

static void on_listener(struct sl_evsrc *src, uint32_t events)
{
	struct sl_supervisor *sv =
		sl_container_of(src, struct sl_supervisor, listener);
	struct seccomp_notif req;
	struct sl_notif_cache cache = { 0 };
	struct sl_action a;

	if (!(events & EPOLLIN)) {
		/* Hang-up: no task of the sandbox uses the filter any more. */
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
	decide(sv, &req, &a, &cache);
	sl_notif_respond(src->fd, req.id, (pid_t)req.pid, &a);
	if (cache.release)
		cache.release(cache.fs);
}

static void on_pid_exit(void *ctx, pid_t pid)
{
	struct sl_supervisor *sv = ctx;

	for (size_t m = 0; m < sv->nmods; m++)
		if (sv->mods[m]->pid_exit)
			sv->mods[m]->pid_exit(sv->states[m], pid);
}

static void on_pid_new(void *ctx, pid_t pid, pid_t parent)
{
	struct sl_supervisor *sv = ctx;

	for (size_t m = 0; m < sv->nmods; m++)
		if (sv->mods[m]->pid_new)
			sv->mods[m]->pid_new(sv->states[m], pid, parent);
}

static int collect_modules(struct sl_supervisor *sv, uint64_t active)
{
	size_t total = 0;

	while (sl_handler_modules[total])
		total++;
	sv->mods = calloc(total ? total : 1, sizeof(*sv->mods));
	sv->states = calloc(total ? total : 1, sizeof(*sv->states));
	if (!sv->mods || !sv->states)
		return -ENOMEM;
	for (size_t i = 0; i < total; i++) {
		const struct sl_handler_module *m = sl_handler_modules[i];

		/* a module may only hold state for others (no handle) */
		if ((active >> i) & 1 && (m->handle || m->init))
			sv->mods[sv->nmods++] = m;
	}
	return sv->nmods > UINT8_MAX ? -E2BIG : 0;
}

/* Per-syscall chains in registry order, as a flat array indexed by a
 * prefix sum (two passes over the modules' syscall sets). */
static int build_chains(struct sl_supervisor *sv)
{
	struct sl_nrset *sets = calloc(sv->nmods ? sv->nmods : 1, sizeof(*sets));
	uint32_t *fill;
	size_t total = 0;

	sv->start = calloc(SL_MAX_NR + 1, sizeof(*sv->start));
	fill = calloc(SL_MAX_NR, sizeof(*fill));
	if (!sets || !sv->start || !fill) {
		free(sets);
		free(fill);
		return -ENOMEM;
	}
	for (size_t m = 0; m < sv->nmods; m++)
		if (sv->mods[m]->syscalls)
			sv->mods[m]->syscalls(sv->policy, &sets[m]);
	for (int nr = 0; nr < SL_MAX_NR; nr++) {
		sv->start[nr] = (uint32_t)total;
		for (size_t m = 0; m < sv->nmods; m++)
			total += sl_nrset_has(&sets[m], nr);
	}
	sv->start[SL_MAX_NR] = (uint32_t)total;
	sv->chain = calloc(total ? total : 1, 1);
	if (!sv->chain) {
		free(sets);
		free(fill);
		return -ENOMEM;
	}
	for (int nr = 0; nr < SL_MAX_NR; nr++)
		for (size_t m = 0; m < sv->nmods; m++)
			if (sl_nrset_has(&sets[m], nr))
				sv->chain[sv->start[nr] + fill[nr]++] =
					(uint8_t)m;
	free(sets);
	free(fill);
	return 0;
}

static int init_modules(struct sl_supervisor *sv, struct sl_error *e)
{
	int r;

	for (size_t m = 0; m < sv->nmods; m++) {
		const struct sl_handler_module *mod = sv->mods[m];

		if (mod->init) {
			r = mod->init(sv, sv->policy, &sv->states[m]);
			if (r < 0) {
				/* fini only for the modules initialised */
				sv->nmods = m;
				return sl_err(e, r, "%s: initialisation failed: %s",
					      mod->name, strerror(-r));
			}
		}
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
	sv->root = cfg->root;
	sv->cow = cfg->cow;
	{
		struct sl_proctab_hooks hooks = {
			.added = on_pid_new, .exited = on_pid_exit, .ctx = sv,
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
	r = sv->name ? collect_modules(sv, cfg->active) : -ENOMEM;
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
	for (size_t m = 0; m < sv->nmods; m++)
		if (sv->mods[m]->fini)
			sv->mods[m]->fini(sv->states[m]);
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
		if (sv->mods[i] == m)
			return true;
	return false;
}

void *sl_supervisor_module_state(const struct sl_supervisor *sv,
				 const struct sl_handler_module *m)
{
	for (size_t i = 0; i < sv->nmods; i++)
		if (sv->mods[i] == m)
			return sv->states[i];
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
