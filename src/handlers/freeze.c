/*
 * Exec decided on a sandbox held still (docs/behaviour.md 13.4, argv safety).
 *
 * A policy callback (or a custom handler bound to exec) decides on the
 * argv of an execve; the kernel reads that argv again when the exec goes
 * on, from memory every other task of the sandbox can write (the exec'ing
 * process's other threads, and any process that shares memory with it or
 * may write it). This module comes first in the exec chain: it parks the
 * notification, has the run's freezer stop every such task (the keeper's
 * ptrace stops, invisible to their parents), and lets the chain go on
 * only then, so that every module after it, the policy callback and the
 * custom handlers see what the kernel will read: the argv, the path, the
 * dirfd. The tasks stay stopped until the answer is sent and, when the
 * exec is let through, until the exec is over. If they cannot be
 * stopped (no ptrace permission, a task that never stops) the exec is
 * refused with EPERM, never let through unchecked.
 *
 * fs_deny needs it too: another name of a denied file that the ruleset
 * could not leave out as well (a hard link made before the run; bind
 * mounts are left out: fs/aliases.h) is a path Landlock grants, which
 * fs_deny refuses by identity (handlers/fsdeny.c); on a sandbox held
 * still, no thread can put that name back in the path after the check.
 * Only such other names need it: a denied file that has none is a hole in
 * the run's Landlock ruleset, refused by the kernel whatever path a
 * racing thread puts back, so a run whose fs_deny entries have no other
 * name Landlock grants execs without holding anything. Where the freezer
 * cannot work (no ptrace, docs/containers.md) a policy whose fs_deny
 * entries have such a name is refused at build (launch/sandbox.c), and an
 * exec that must be held and cannot be (a name made after the build) is
 * refused with EPERM like any other.
 */
#include <errno.h>
#include <stdlib.h>

#include "fs/view.h"
#include "handlers/fsview.h"
#include "handlers/user.h"
#include "supervisor/dispatch.h"
#include "supervisor/freezer.h"
#include "supervisor/notif.h"

struct freeze_state {
	struct sl_supervisor *sv;
	const struct sl_freezer_ops *fz;
	/* no policy callback: the module is here for fs_deny or for custom
	 * handlers of exec; whether every exec is held is decided at the
	 * first one (holds_every_exec), -1 not yet */
	bool callback_free;
	int hold_all;
};

static bool freeze_active(const struct sl_policy *p)
{
	return p->cb != NULL || (p->fs_deny.n > 0 && !p->chroot);
}

static void freeze_syscalls(const struct sl_policy *p, struct sl_nrset *set)
{
	(void)p;
	sl_nrset_add_sys(set, execve);
	sl_nrset_add_sys(set, execveat);
}

static int freeze_init(struct sl_supervisor *sv, const struct sl_policy *p,
		       void **state)
{
	struct freeze_state *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->sv = sv;
	s->fz = sl_supervisor_freezer(sv);
	s->callback_free = !p->cb;
	s->hold_all = -1;
	*state = s;
	return 0;
}

static void freeze_fini(void *state)
{
	free(state);
}

/* Must every exec be held? Yes for a policy callback and a custom
 * handler bound to exec (they decide on what the exec will read); for
 * fs_deny alone, only when a denied file has another name. */
static bool holds_every_exec(const struct freeze_state *s)
{
	const struct sl_user_handlers *u =
		sl_supervisor_module_arg(s->sv, &sl_module_user);
	struct sl_fs_view *v;

	if (!s->callback_free)
		return true;
	if (u && (sl_nrset_has(&u->nrs, SCMP_SYS(execve)) ||
		  sl_nrset_has(&u->nrs, SCMP_SYS(execveat))))
		return true;
	v = sl_fs_view_of(s->sv);
	return !v || sl_fs_view_deny_aliased(v);
}

/* A denied path that was no hole when the ruleset was built has come into
 * being (the host made it): the kernel grants it, so this exec is decided
 * on a sandbox held still too. Asked at every exec, a stat per such
 * entry. */
static bool late_denial(const struct freeze_state *s)
{
	const struct sl_fs_view *v = sl_fs_view_of(s->sv);

	return v && sl_fs_view_deny_late(v);
}

/* After the answer: let the sandbox go (after the exec, if let through). */
static void answered(void *arg, struct sl_parked *pk, const struct sl_action *a)
{
	struct freeze_state *s = arg;

	s->fz->thaw(s->fz->ctx, pk, a->kind == SL_ACT_CONTINUE);
}

static void frozen(void *arg, int r)
{
	struct sl_parked *pk = arg;
	struct freeze_state *s = pk->hook_arg;
	struct sl_action deny = { .kind = SL_ACT_ERRNO,
				  .error = EPERM,
				  .srcfd = -1 };

	if (r < 0) {
		sl_supervisor_answer(s->sv, pk, &deny);
		return;
	}
	if (r > 0)
		pk->answered = NULL; /* nothing was held: nothing to release */
	sl_supervisor_resume(s->sv, pk);
}

static int freeze_handle(void *state, const struct sl_notif *n,
			 struct sl_action *out)
{
	struct freeze_state *s = state;
	struct sl_parked *pk;
	int r;

	if (s->hold_all < 0)
		s->hold_all = holds_every_exec(s);
	if (!s->hold_all && !late_denial(s))
		return 0; /* Landlock's holes refuse the denied files */
	if (!s->fz) {
		out->kind = SL_ACT_ERRNO;
		out->error = EPERM;
		return 0;
	}
	pk = sl_supervisor_park(s->sv, n, false);
	if (!pk)
		return -ENOMEM;
	pk->answered = answered;
	pk->hook_arg = s;
	out->kind = SL_ACT_HOLD;
	r = s->fz->freeze(s->fz->ctx, (pid_t)n->req->pid, n->req->id, frozen,
			  pk);
	if (r < 0) {
		struct sl_action deny = { .kind = SL_ACT_ERRNO,
					  .error = EPERM,
					  .srcfd = -1 };

		pk->answered = NULL;
		sl_supervisor_answer(s->sv, pk, &deny);
	}
	return 0;
}

const struct sl_handler_module sl_module_freeze = {
	.name = "freeze",
	.active = freeze_active,
	.syscalls = freeze_syscalls,
	.init = freeze_init,
	.handle = freeze_handle,
	.fini = freeze_fini,
};
