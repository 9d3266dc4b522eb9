/*
 * The live policy of a run: what a policy callback changes while the
 * sandbox runs (docs/abi.md 3.12, docs/behaviour.md 13.4, the sandlock_ctx_*
 * functions). Effective at once for the whole sandbox: the modules that
 * enforce each part read it at every decision.
 *
 *   network    the live IP sets (net/live.h), under the lock
 *   limits     max_processes, max_memory: only ever lowered (atomics)
 *   paths      denials added to the filesystem view's deny set, which
 *              follows the file's identity (hard links, renames)
 *
 * Shared by the run's policy module (the event loop) and the callback
 * thread, which may outlive the run when a callback never returns:
 * reference counted, and cut from the run (alive = false, under the lock)
 * before the run's state goes.
 */
#ifndef SL_HANDLERS_LIVE_H
#define SL_HANDLERS_LIVE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "fs/view.h"
#include "net/live.h"
#include "supervisor/dispatch.h"
#include "util/vec.h"

struct sl_live {
	atomic_uint refs;
	pthread_mutex_t lock;
	bool alive;		/* the run's state below may be used */
	struct sl_net_live net; /* under lock */
	bool has_net;		/* destinations are checked (a network ctx) */
	_Atomic uint64_t max_memory; /* UINT64_MAX: no limit */
	_Atomic uint32_t max_processes;
	bool has_memory;	 /* max_memory is enforced in this run */
	struct sl_fs_view *view; /* NULL: no filesystem view */
	struct sl_strv denied;	 /* paths denied at run time */
	_Atomic uint32_t ndenied;
};

/* The context a callback receives (sandlock_ctx_t): valid during that
 * call only. */
struct sandlock_ctx_t {
	struct sl_live *live;
};

/* For the run of sv (its network context and filesystem view exist). */
int sl_live_new(struct sl_supervisor *sv, const struct sl_policy *p,
		struct sl_live **out);
struct sl_live *sl_live_ref(struct sl_live *l);
void sl_live_unref(struct sl_live *l);
/* The run ends: nothing of it is touched any more. */
void sl_live_close(struct sl_live *l);

/* The run's live policy; NULL without a policy callback. */
struct sl_live *sl_live_of(struct sl_supervisor *sv);

/* ---- the callback's changes (any thread) --------------------------------- */
/* 0, or -errno with the reason in e when the change cannot be applied
 * (what can of it is). */
int sl_live_restrict_network(struct sl_live *l, const char *const *ips,
			     uint32_t n, struct sl_error *e);
int sl_live_grant_network(struct sl_live *l, const char *const *ips, uint32_t n,
			  struct sl_error *e);
int sl_live_restrict_pid_network(struct sl_live *l, uint32_t pid,
				 const char *const *ips, uint32_t n,
				 struct sl_error *e);
int sl_live_restrict_max_memory(struct sl_live *l, uint64_t bytes,
				struct sl_error *e);
void sl_live_restrict_max_processes(struct sl_live *l, uint32_t n);
int sl_live_deny_path(struct sl_live *l, const char *path, struct sl_error *e);
void sl_live_allow_path(struct sl_live *l, const char *path);

/* ---- what the modules read (the event loop) ---------------------------- */
/* May process tgid reach ip beyond the static policy? */
bool sl_live_net_allows(struct sl_live *l, pid_t tgid, const struct sl_ip *ip);
/* Does the live policy restrict any destination? */
bool sl_live_net_active(struct sl_live *l);
void sl_live_pid_exit(struct sl_live *l, pid_t pid);
static inline uint32_t sl_live_max_processes(const struct sl_live *l,
					     uint32_t limit)
{
	uint32_t v = l ? atomic_load(&l->max_processes) : limit;

	return v < limit ? v : limit;
}
static inline uint64_t sl_live_max_memory(const struct sl_live *l,
					  uint64_t limit)
{
	uint64_t v = l ? atomic_load(&l->max_memory) : limit;

	return v < limit ? v : limit;
}
/* Paths denied at run time exist (opens then go through the view). */
static inline bool sl_live_paths_denied(const struct sl_live *l)
{
	return l && atomic_load(&l->ndenied) > 0;
}

#endif
