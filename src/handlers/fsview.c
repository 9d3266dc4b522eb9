/*
 * The filesystem view's own module: it owns the run's view (fs/view.h)
 * for the filesystem modules after it, and keeps the cache of the
 * children's credentials honest: the syscalls that change them are
 * notified (when credentials are cached, that is when opens are
 * performed on the children's behalf) and drop what they change before
 * the kernel runs them.
 */
#include "handlers/fsview.h"

#include <errno.h>

bool sl_fs_policy_confines(const struct sl_policy *p)
{
	/* Under chroot the (future) chroot handlers own the view. */
	return !p->chroot &&
	       (p->fs_read.n > 0 || p->fs_write.n > 0 || p->fs_deny.n > 0);
}

/* Credentials are cached when opens are performed on behalf. */
static bool caching(const struct sl_policy *p)
{
	return sl_module_fsdeny.active(p);
}

static bool fsview_active(const struct sl_policy *p)
{
	return sl_fs_policy_confines(p);
}

static void fsview_syscalls(const struct sl_policy *p, struct sl_nrset *set)
{
	if (caching(p))
		sl_creds_invalidating_syscalls(set);
}

static int fsview_init(struct sl_supervisor *sv, const struct sl_policy *p,
		       void **state)
{
	struct sl_fs_view *v;
	int r = sl_fs_view_new(sv, p, caching(p), &v);

	if (r < 0)
		return sl_supervisor_init_error(sv, r,
						"filesystem view: cannot start");
	*state = v;
	return 0;
}

static int fsview_handle(void *state, const struct sl_notif *n,
			 struct sl_action *out)
{
	struct sl_fs_view *v = state;

	sl_creds_invalidate(v->creds, n);
	sl_fs_answer_continue(out);
	return 0;
}

static void fsview_fini(void *state)
{
	sl_fs_view_free(state);
}

struct sl_fs_view *sl_fs_view_of(struct sl_supervisor *sv)
{
	return sl_supervisor_module_state(sv, &sl_module_fsview);
}

int sl_fs_view_module_init(struct sl_supervisor *sv, const struct sl_policy *p,
			   void **state)
{
	*state = sl_fs_view_of(sv);
	return *state ? 0 : sl_supervisor_init_error(sv, EINVAL,
						     "no filesystem view");
}

void sl_fs_answer_value(struct sl_action *out, int64_t v)
{
	out->kind = SL_ACT_VALUE;
	out->value = v;
}

void sl_fs_answer_continue(struct sl_action *out)
{
	out->kind = SL_ACT_CONTINUE;
}

const struct sl_handler_module sl_module_fsview = {
	.name = "fsview",
	.active = fsview_active,
	.syscalls = fsview_syscalls,
	.init = fsview_init,
	.handle = fsview_handle,
	.fini = fsview_fini,
};
