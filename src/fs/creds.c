#include "handlers/creds.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Per-thread setgroups (glibc's wrapper changes every thread). */
static int thread_setgroups(size_t n, const gid_t *g)
{
	return syscall(SYS_setgroups, n, g) < 0 ? -errno : 0;
}

static bool same_groups(const struct sl_task_status *st, const gid_t *g,
			int n)
{
	if ((size_t)n != st->ngroups)
		return false;
	for (int i = 0; i < n; i++)
		if (g[i] != (gid_t)st->groups[i])
			return false;
	return true;
}

int sl_creds_enter(const struct sl_task_status *st, struct sl_creds_saved *sv)
{
	gid_t *want = NULL;
	int n, r;

	memset(sv, 0, sizeof(*sv));
	if (geteuid() != 0)
		return 0;
	sv->fsuid = (uid_t)setfsuid((uid_t)-1);
	sv->fsgid = (gid_t)setfsgid((gid_t)-1);
	n = (int)syscall(SYS_getgroups, 0, NULL);
	if (n < 0)
		return -errno;
	sv->groups = calloc((size_t)n + 1, sizeof(gid_t));
	if (!sv->groups)
		return -ENOMEM;
	n = (int)syscall(SYS_getgroups, n, sv->groups);
	if (n < 0) {
		r = -errno;
		goto fail;
	}
	sv->ngroups = n;
	if (sv->fsuid == st->fsuid && sv->fsgid == st->fsgid &&
	    same_groups(st, sv->groups, n)) {
		free(sv->groups);
		sv->groups = NULL;
		return 0;
	}
	want = calloc(st->ngroups + 1, sizeof(gid_t));
	if (!want) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < st->ngroups; i++)
		want[i] = (gid_t)st->groups[i];
	sv->switched = true;
	r = thread_setgroups(st->ngroups, want);
	free(want);
	if (r < 0)
		goto undo;
	setfsgid((gid_t)st->fsgid);
	setfsuid((uid_t)st->fsuid);
	/* setfs*id report the previous value: query again to confirm. */
	if ((uid_t)setfsuid((uid_t)-1) != (uid_t)st->fsuid ||
	    (gid_t)setfsgid((gid_t)-1) != (gid_t)st->fsgid) {
		r = -EPERM;
		goto undo;
	}
	return 0;
undo:
	sl_creds_leave(sv);
	return r;
fail:
	free(sv->groups);
	sv->groups = NULL;
	return r;
}

void sl_creds_leave(struct sl_creds_saved *sv)
{
	if (sv->switched) {
		setfsuid(sv->fsuid);
		setfsgid(sv->fsgid);
		thread_setgroups((size_t)sv->ngroups, sv->groups);
	}
	free(sv->groups);
	memset(sv, 0, sizeof(*sv));
}
