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
#include <sys/ioctl.h>
#include <unistd.h>

#include "supervisor/dispatch.h"
#include "supervisor/evsrc.h"
#include "supervisor/notif.h"
#include "supervisor/pidtrack.h"
#include "supervisor/worker.h"
#include "handlers/procinfo.h"

struct sl_supervisor {
	struct sl_evsrc listener;
	int epfd;
	const struct sl_policy *policy;
	char *name;
	pid_t root;
	int root_pidfd; /* holds the top-level process for membership */

	size_t nmods;
	const struct sl_handler_module **mods; /* active modules */
	void **states;

	/* chain of syscall nr: mods[chain[start[nr]] .. chain[start[nr+1]-1]] */
	uint32_t *start;
	uint8_t *chain;

	struct sl_pidtrack *pids; /* NULL when no module cares about exits */
	struct sl_workers *workers; /* created on first use */

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

#define SL_MAX_CHAIN 64 /* parent links followed to find the sandbox */

static bool root_alive(const struct sl_supervisor *sv)
{
	struct pollfd pf = { .fd = sv->root_pidfd, .events = POLLIN };

	return sv->root_pidfd >= 0 && poll(&pf, 1, 0) == 0;
}

/* A pid belongs to the sandbox when its chain of parents reaches the
 * top-level process (confirmed twice so a recycled pid in the chain is
 * noticed). A process orphaned to an outside reaper is thereby treated as
 * foreign (fail closed). */
bool sl_supervisor_is_member(const struct sl_supervisor *sv, pid_t pid)
{
	pid_t chain[SL_MAX_CHAIN], parent[SL_MAX_CHAIN];
	size_t n = 0;

	if (sv->root <= 0)
		return false;
	for (;;) {
		pid_t tgid, ppid;

		if (sl_task_ids(pid, &tgid, &ppid) < 0)
			return false;
		if (tgid == sv->root)
			break;
		if (n == SL_MAX_CHAIN || ppid <= 1)
			return false;
		chain[n] = pid;
		parent[n++] = ppid;
		pid = ppid;
	}
	/* A parent that died and whose pid was reused would have reparented
	 * its child first: an unchanged chain is a genuine one. */
	for (size_t i = 0; i < n; i++) {
		pid_t ppid;

		if (sl_task_ids(chain[i], NULL, &ppid) < 0 ||
		    ppid != parent[i])
			return false;
	}
	return root_alive(sv);
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
		sl_evsrc_del(sv->epfd, src);
		return;
	}
	memset(&req, 0, sizeof(req));
	if (ioctl(src->fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
		/* EINTR: try again on the next wake-up; ENOENT: withdrawn
		 * because its task died. Anything else ends supervision
		 * (the sandbox then gets ENOSYS: fail closed). */
		if (errno != EINTR && errno != ENOENT)
			sl_evsrc_del(sv->epfd, src);
		return;
	}
	if (sv->pids)
		(void)sl_pidtrack_add(sv->pids, (pid_t)req.pid);
	decide(sv, &req, &a, &cache);
	sl_notif_respond(src->fd, req.id, &a);
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
	bool exits = false;
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
		exits |= mod->pid_exit != NULL;
	}
	if (!exits)
		return 0;
	if (sl_pidtrack_new(sv->epfd, on_pid_exit, sv, &sv->pids) < 0)
		return sl_err(e, ENOMEM, "out of memory");
	r = sl_pidtrack_add(sv->pids, sv->root);
	if (r < 0)
		return sl_err(e, r, "pidfd_open of the sandbox: %s", strerror(-r));
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
	sv->root_pidfd = cfg->root > 0 ? sl_pidfd_open(cfg->root, 0) : -ESRCH;
	if (sv->root_pidfd < 0) {
		r = sv->root_pidfd;
		sl_err(e, r, "cannot watch the sandbox process: %s",
		       strerror(-r));
		goto fail;
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
	r = sl_evsrc_add(sv->epfd, &sv->listener);
	if (r < 0) {
		sl_err(e, r, "epoll_ctl: %s", strerror(-r));
		goto fail;
	}
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
	sl_pidtrack_free(sv->pids);
	sl_workers_free(sv->workers); /* before the modules they serve */
	if (sv->root_pidfd >= 0)
		close(sv->root_pidfd);
	for (size_t m = 0; m < sv->nmods; m++)
		if (sv->mods[m]->fini)
			sv->mods[m]->fini(sv->states[m]);
	if (sv->listener.fd >= 0) {
		sl_evsrc_del(sv->epfd, &sv->listener);
		close(sv->listener.fd);
	}
	free(sv->mods);
	free(sv->states);
	free(sv->start);
	free(sv->chain);
	free(sv->name);
	free(sv);
}

/* ---- services for modules (dispatch.h) ------------------------------- */

int sl_supervisor_epfd(const struct sl_supervisor *sv)
{
	return sv->epfd;
}

void sl_supervisor_respond(struct sl_supervisor *sv, uint64_t id,
			   const struct sl_action *a)
{
	sl_notif_respond(sv->listener.fd, id, a);
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
