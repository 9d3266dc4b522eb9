/*
 * Acting with a child's filesystem credentials. The supervisor opens files
 * on a child's behalf; when it is privileged it must not lend the child its
 * own rights, so the supervisor thread takes the child's fsuid, fsgid and
 * supplementary groups for the duration of the open. These are per-thread
 * kernel credentials (raw syscalls, not libc's process-wide wrappers), so
 * the rest of the host program is unaffected.
 */
#ifndef SL_HANDLERS_CREDS_H
#define SL_HANDLERS_CREDS_H

#include <stdbool.h>
#include <sys/types.h>

#include "handlers/procinfo.h"

struct sl_creds_saved {
	bool switched;
	uid_t fsuid;
	gid_t fsgid;
	gid_t *groups;
	int ngroups;
};

/* Take the child's credentials (no-op when they are ours or when the
 * supervisor is unprivileged: the child then cannot hold more). */
int sl_creds_enter(const struct sl_task_status *st, struct sl_creds_saved *sv);
void sl_creds_leave(struct sl_creds_saved *sv);

#endif
