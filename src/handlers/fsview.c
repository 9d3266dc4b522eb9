/*
 * The filesystem view's own module: it holds the run's view (fs/view.h)
 * for the filesystem modules after it, and decides nothing itself. The
 * children's credentials are cached whole when opens are performed on
 * their behalf (the fsdeny module is active, which then has the syscalls
 * that change them notified); otherwise only their groups are kept, with
 * setgroups notified by the fsmeta module (fs/creds.h).
 */
#include "handlers/fsview.h"

#include <errno.h>

bool sl_fs_policy_confines(const struct sl_policy *p)
{
	/* Under chroot the (future) chroot handlers own the view. */
	return !p->chroot && (p->fs_read.n > 0 || p->fs_write.n > 0 ||
			      p->fs_deny.n > 0 || p->workdir);
}

static bool fsview_active(const struct sl_policy *p)
{
	/* A policy callback may deny paths at run time. */
	return sl_fs_policy_confines(p) || (p->cb && !p->chroot);
}

static int fsview_init(struct sl_supervisor *sv, const struct sl_policy *p,
		       void **state)
{
	struct sl_fs_view *v;
	bool all = sl_supervisor_module_active(sv, &sl_module_fsdeny);
	int r = sl_fs_view_new(sv, p, all ? SL_CREDS_CACHED : SL_CREDS_IDS, &v);

	if (r < 0)
		return sl_supervisor_init_error(
			sv, r, "filesystem view: cannot start");
	*state = v;
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
	return *state ? 0 :
			sl_supervisor_init_error(sv, EINVAL,
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
	.init = fsview_init,
	.fini = fsview_fini,
};
