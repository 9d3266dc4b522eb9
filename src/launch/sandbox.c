/*
 * The built policy and its launch artefacts, prepared once and shared by
 * every launch: the notification set, the BPF program, and (lazily) the
 * Landlock ruleset.
 */
#include "launch/sandbox.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/holes.h"
#include "landlock/landlock.h"
#include "launch/freeze.h"
#include "seccomp/filter.h"
#include "supervisor/dispatch.h"

extern const struct sl_handler_module sl_module_freeze;

/*
 * Where ptrace is refused the sandbox cannot be held still while an exec
 * is decided, so an exec of another name of a denied file (a hard link
 * made before the run, which Landlock grants) could not be refused
 * race-free: refuse the policy instead of leaving that window open. At
 * run time an exec that needs holding and cannot be held is refused
 * (handlers/freeze.c), should such a name appear after the build.
 */
static int refuse_unheld_names(const struct sl_policy *p, struct sl_error *e)
{
	size_t which = 0;
	int r = sl_fs_deny_needs_hold(p, &which);

	if (r < 0)
		return sl_err(e, -r, "fs_deny: cannot look for other names: %s",
			      strerror(-r));
	if (r == 0)
		return 0;
	return sl_err(e, EPERM,
		      "fs_deny: %s has another name the sandbox could "
		      "execute (a hard link of it, or of a file in it, made "
		      "before the run); refusing that exec needs the sandbox "
		      "held still with ptrace, which this environment "
		      "refuses (a container's seccomp profile or Yama). "
		      "Deny every name of it too (find / -xdev -samefile), "
		      "remove the other link, or run where ptrace is "
		      "allowed",
		      p->fs_deny.v[which]);
}

/* A denied directory too large to search for the other names of its files
 * would leave some of them granted: refused, by name. */
static int refuse_unsearchable(const struct sl_policy *p, struct sl_error *e)
{
	size_t which = 0;
	int r;

	if (p->chroot || p->fs_deny.n == 0)
		return 0;
	r = sl_fs_deny_searchable(p, &which);
	if (r < 0)
		return sl_err(e, -r,
			      "fs_deny: cannot search the denied "
			      "directories: %s",
			      strerror(-r));
	if (r == 0)
		return 0;
	return sl_err(e, E2BIG,
		      "fs_deny: %s is too large to search for other names of "
		      "its files (hard links made before the run, which the "
		      "sandbox could open): more than %u entries or %u levels. "
		      "Deny a smaller directory, or the files that matter",
		      p->fs_deny.v[which], SL_SCAN_MAX_ENTRIES,
		      SL_SCAN_MAX_DEPTH);
}

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
	/* before the modules are chosen: fsdeny serves the way to them */
	p->grants_reach_kernel_mounts = !p->chroot &&
					sl_fs_grants_reach_kernel_mounts(p);
	r = sl_handlers_active(p, &sb->modules);
	if (r < 0) {
		sl_sandbox_unref(sb);
		return sl_err(e, -r, "out of memory");
	}
	r = refuse_unsearchable(p, e);
	if (r < 0) {
		sl_sandbox_unref(sb);
		return r;
	}
	/* Freezing an exec is required by a policy callback; for fs_deny
	 * alone only when a denied file has another name (handlers/freeze.c),
	 * which is refused now where the environment cannot freeze. */
	if (!p->cb && sl_modlist_has(&sb->modules, &sl_module_freeze) &&
	    sl_freezer_possible(NULL) < 0) {
		r = refuse_unheld_names(p, e);
		if (r < 0) {
			sl_sandbox_unref(sb);
			return r;
		}
	}
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
	if (p->cb && sl_modlist_has(&sb->modules, &sl_module_freeze) &&
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
