/*
 * The built policy (sandlock_sandbox_t, and sandlock_t which shares its
 * layout): an immutable, refcounted sl_policy plus the artefacts every
 * launch reuses, prepared once: the seccomp BPF program and notification
 * set, and (lazily, on first launch) the Landlock ruleset fd.
 *
 * Consumers (live handles) hold a reference, so freeing the policy while a
 * sandbox runs is safe, and a policy may be launched concurrently from
 * several threads.
 */
#ifndef SL_LAUNCH_SANDBOX_H
#define SL_LAUNCH_SANDBOX_H

#include <linux/filter.h>
#include <pthread.h>
#include <stdatomic.h>

#include "fs/holes.h"
#include "policy/policy.h"
#include "supervisor/dispatch.h"
#include "util/nrset.h"
#include "util/error.h"

enum sl_object_tag {
	SL_TAG_SANDBOX = 0x53424f58, /* sandlock_sandbox_t */
	SL_TAG_FNS = 0x464e5321,     /* sandlock_t (COW fork, not built yet) */
};

struct sl_sandbox {
	uint32_t tag;
	atomic_uint refs;
	struct sl_policy *policy;  /* built, owned */
	struct sl_modlist modules; /* sl_handlers_active(policy) */
	struct sl_nrset notify;	   /* syscalls routed to the supervisor */
	bool supervised;	   /* notify set non-empty */
	struct sock_fprog prog;	   /* BPF program, installed by the child */

	pthread_mutex_t lock;	  /* guards ruleset_fd creation */
	int ruleset_fd;		  /* Landlock ruleset, -1 until first launch */
	struct sl_fs_built built; /* what it built around its holes */
};

/* Take ownership of a built policy (released on failure too) and prepare
 * the artefacts. */
int sl_sandbox_new(struct sl_policy *p, struct sl_sandbox **out,
		   struct sl_error *e);
struct sl_sandbox *sl_sandbox_ref(struct sl_sandbox *sb);
void sl_sandbox_unref(struct sl_sandbox *sb);
/* The Landlock ruleset fd (created on first use, then shared), and the
 * record of what it built around its holes (fs/holes.h; the sandbox's).
 * Fails when a granted path is missing or a strict protection is
 * unavailable. */
int sl_sandbox_ruleset(struct sl_sandbox *sb, int *fd,
		       const struct sl_fs_built **built, struct sl_error *e);

#endif
