/*
 * The built policy and its launch artefacts, prepared once and shared by
 * every launch: the notification set, the BPF program, and (lazily) the
 * Landlock ruleset.
 */
#include "launch/sandbox.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "landlock/landlock.h"
#include "launch/freeze.h"
#include "seccomp/filter.h"
#include "supervisor/dispatch.h"

extern const struct sl_handler_module sl_module_freeze;

int sl_sandbox_new(struct sl_policy *p, struct sl_sandbox **out,
		   struct sl_error *e)
{
	struct sl_sandbox *sb;
	int r;

	*out = NULL;
	sb = calloc(1, sizeof(*sb));
	if (!sb) {
		sl_policy_free(p);
		return sl_err(e, ENOMEM, "out of memory");
	}
	sb->tag = SL_TAG_SANDBOX;
	atomic_init(&sb->refs, 1);
	sb->policy = p;
	sb->ruleset_fd = -1;
	r = pthread_mutex_init(&sb->lock, NULL);
	if (r != 0) {
		sl_policy_free(p);
		free(sb);
		return sl_err(e, r, "pthread_mutex_init failed");
	}
	r = sl_handlers_active(p, &sb->modules);
	if (r < 0) {
		sl_sandbox_unref(sb);
		return sl_err(e, -r, "out of memory");
	}
	/* Freezing an exec is required by a policy callback; for fs_deny
	 * alone it closes the last window of other names (handlers/freeze.c)
	 * where the environment allows it, and is left out where not. */
	if (!p->cb && sl_modlist_has(&sb->modules, &sl_module_freeze) &&
	    sl_freezer_possible(NULL) < 0)
		sl_modlist_remove(&sb->modules, &sl_module_freeze);
	sl_handlers_notify_set_of(&sb->modules, p, &sb->notify);
	sb->supervised = !sl_nrset_empty(&sb->notify);
	/* What the environment cannot support is refused now, by name
	 * (util/hostperm.h, docs/containers.md), not met later as a random
	 * errno. */
	r = sl_handlers_host_check(p, e);
	if (r < 0) {
		sl_sandbox_unref(sb);
		return r;
	}
	/* Say up front what freezing an exec would meet in every run. */
	if (sl_modlist_has(&sb->modules, &sl_module_freeze) &&
	    (r = sl_freezer_possible(e)) < 0) {
		sl_sandbox_unref(sb);
		return r;
	}
	r = sl_seccomp_build(p, &sb->notify, &sb->prog, e);
	if (r < 0) {
		sl_sandbox_unref(sb);
		return r;
	}
	*out = sb;
	return 0;
}

struct sl_sandbox *sl_sandbox_ref(struct sl_sandbox *sb)
{
	atomic_fetch_add_explicit(&sb->refs, 1, memory_order_relaxed);
	return sb;
}

void sl_sandbox_unref(struct sl_sandbox *sb)
{
	if (!sb ||
	    atomic_fetch_sub_explicit(&sb->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (sb->prog.filter)
		sl_seccomp_free(&sb->prog);
	if (sb->ruleset_fd >= 0)
		close(sb->ruleset_fd);
	sl_fs_built_free(&sb->built);
	sl_modlist_free(&sb->modules);
	sl_policy_free(sb->policy);
	pthread_mutex_destroy(&sb->lock);
	free(sb);
}

int sl_sandbox_ruleset(struct sl_sandbox *sb, int *fd,
		       const struct sl_fs_built **built, struct sl_error *e)
{
	int r = 0;

	pthread_mutex_lock(&sb->lock);
	/* A failure is not remembered: a missing path may appear later. */
	if (sb->ruleset_fd < 0)
		r = sl_landlock_create_run_ruleset(
			sb->policy, NULL, &sb->ruleset_fd, &sb->built, e);
	*fd = sb->ruleset_fd;
	*built = &sb->built;
	pthread_mutex_unlock(&sb->lock);
	return r;
}
