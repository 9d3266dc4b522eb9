/* The live policy of a run (live.h). */
#include "handlers/live.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/fsview.h"
#include "handlers/network.h"
#include "handlers/policy.h"

extern const struct sl_handler_module sl_module_memory;

int sl_live_new(struct sl_supervisor *sv, const struct sl_policy *p,
		struct sl_live **out)
{
	struct sl_live *l = calloc(1, sizeof(*l));
	struct sl_net_ctx *net = sl_net_ctx_of(sv);
	int r;

	if (!l)
		return -ENOMEM;
	r = pthread_mutex_init(&l->lock, NULL);
	if (r != 0) {
		free(l);
		return -r;
	}
	atomic_init(&l->refs, 1);
	l->alive = true;
	l->has_net = net && net->dest_policy;
	if (l->has_net) {
		r = sl_net_live_init(&l->net, &net->dest);
		if (r < 0) {
			sl_live_unref(l);
			return r;
		}
	}
	l->has_memory = sl_supervisor_module_active(sv, &sl_module_memory);
	atomic_init(&l->max_memory, l->has_memory ? p->max_memory : UINT64_MAX);
	atomic_init(&l->max_processes, p->max_processes);
	l->view = sl_fs_view_of(sv);
	*out = l;
	return 0;
}

struct sl_live *sl_live_ref(struct sl_live *l)
{
	atomic_fetch_add(&l->refs, 1);
	return l;
}

void sl_live_unref(struct sl_live *l)
{
	if (!l || atomic_fetch_sub(&l->refs, 1) != 1)
		return;
	sl_net_live_free(&l->net);
	sl_strv_free(&l->denied);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

void sl_live_close(struct sl_live *l)
{
	pthread_mutex_lock(&l->lock);
	l->alive = false;
	l->view = NULL;
	pthread_mutex_unlock(&l->lock);
}

/* A change the run cannot apply: refused with its reason, never silently
 * dropped. */
static int refuse(struct sl_error *e, int code, const char *what,
		  const char *why)
{
	return sl_err(e, code, "%s: %s", what, why);
}

/* Run fn under the lock if the run is still there. */
#define LIVE_LOCKED(l, body)                      \
	do {                                      \
		pthread_mutex_lock(&(l)->lock);   \
		if ((l)->alive) {                 \
			body;                     \
		}                                 \
		pthread_mutex_unlock(&(l)->lock); \
	} while (0)

static int parse_ips(const char *what, const char *const *ips, uint32_t n,
		     struct sl_ipv *out, struct sl_error *e)
{
	if (sl_ipv_parse(ips, n, out) < 0)
		return refuse(e, ENOMEM, what, "out of memory");
	return 0;
}

int sl_live_restrict_network(struct sl_live *l, const char *const *ips,
			     uint32_t n, struct sl_error *e)
{
	struct sl_ipv v;
	int r = parse_ips("restrict_network", ips, n, &v, e);

	if (r < 0)
		return r;
	if (!l->has_net)
		r = refuse(e, EINVAL, "restrict_network",
			   "the policy checks no destination");
	LIVE_LOCKED(l, sl_net_live_restrict(&l->net, &v));
	sl_ipv_free(&v);
	return r;
}

int sl_live_grant_network(struct sl_live *l, const char *const *ips, uint32_t n,
			  struct sl_error *e)
{
	struct sl_ipv v;
	int r = parse_ips("grant_network", ips, n, &v, e);

	if (r < 0)
		return r;
	LIVE_LOCKED(l, if (sl_net_live_grant(&l->net, &v) < 0) r = refuse(
			       e, ENOMEM, "grant_network", "out of memory"));
	sl_ipv_free(&v);
	return r;
}

int sl_live_restrict_pid_network(struct sl_live *l, uint32_t pid,
				 const char *const *ips, uint32_t n,
				 struct sl_error *e)
{
	struct sl_ipv v;
	int r = parse_ips("restrict_pid_network", ips, n, &v, e);

	if (r < 0)
		return r;
	LIVE_LOCKED(l, if (sl_net_live_restrict_pid(&l->net, (pid_t)pid, &v) <
			   0) r = refuse(e, ENOMEM, "restrict_pid_network",
					 "out of memory"));
	sl_ipv_free(&v);
	return r;
}

int sl_live_restrict_max_memory(struct sl_live *l, uint64_t bytes,
				struct sl_error *e)
{
	uint64_t cur = atomic_load(&l->max_memory);

	if (!l->has_memory) /* mmap and friends are not supervised */
		return refuse(e, EINVAL, "restrict_max_memory",
			      "the policy sets no max_memory, so memory is "
			      "not supervised in this run");
	while (bytes < cur &&
	       !atomic_compare_exchange_weak(&l->max_memory, &cur, bytes))
		;
	return 0;
}

void sl_live_restrict_max_processes(struct sl_live *l, uint32_t n)
{
	uint32_t cur = atomic_load(&l->max_processes);

	while (n < cur &&
	       !atomic_compare_exchange_weak(&l->max_processes, &cur, n))
		;
}

int sl_live_deny_path(struct sl_live *l, const char *path, struct sl_error *e)
{
	int r = -ENOTSUP;

	pthread_mutex_lock(&l->lock);
	if (l->alive && l->view) {
		r = sl_fs_view_deny(l->view, path);
		if (r == 0 && sl_strv_push(&l->denied, path) == 0) {
			atomic_fetch_add(&l->ndenied, 1);
			atomic_fetch_add(&l->view->live_denials, 1);
		}
	}
	pthread_mutex_unlock(&l->lock);
	if (r == -ENOTSUP)
		return refuse(e, ENOTSUP, "deny_path",
			      "the sandbox has no filesystem view");
	if (r < 0)
		return sl_err(e, -r, "deny_path %s: %s", path, strerror(-r));
	return 0;
}

void sl_live_allow_path(struct sl_live *l, const char *path)
{
	pthread_mutex_lock(&l->lock);
	/* only what a callback denied: fs_deny stays */
	for (size_t i = 0; l->alive && l->view && i < l->denied.n; i++) {
		if (strcmp(l->denied.v[i], path) != 0)
			continue;
		(void)sl_fs_view_allow(l->view, path);
		free(l->denied.v[i]);
		l->denied.v[i] = l->denied.v[--l->denied.n];
		l->denied.v[l->denied.n] = NULL;
		atomic_fetch_sub(&l->ndenied, 1);
		atomic_fetch_sub(&l->view->live_denials, 1);
		break;
	}
	pthread_mutex_unlock(&l->lock);
}

bool sl_live_net_allows(struct sl_live *l, pid_t tgid, const struct sl_ip *ip)
{
	bool ok;

	pthread_mutex_lock(&l->lock);
	ok = sl_net_live_allows(&l->net, tgid, ip);
	pthread_mutex_unlock(&l->lock);
	return ok;
}

bool sl_live_net_active(struct sl_live *l)
{
	bool on;

	pthread_mutex_lock(&l->lock);
	on = sl_net_live_active(&l->net);
	pthread_mutex_unlock(&l->lock);
	return on;
}

void sl_live_pid_exit(struct sl_live *l, pid_t pid)
{
	pthread_mutex_lock(&l->lock);
	sl_net_live_drop_pid(&l->net, pid);
	pthread_mutex_unlock(&l->lock);
}
