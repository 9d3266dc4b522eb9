/*
 * Landlock: ABI probing, protection resolution, ruleset construction
 * (docs/behaviour.md 3) and in-process confinement (docs/behaviour.md 3.7).
 *
 * The ruleset is built in the parent, once per policy: the child only
 * calls landlock_restrict_self() on the fd it inherits. Everything that can
 * fail (a missing grant path, a strict protection the kernel lacks) fails
 * here, before any process exists.
 */
#ifndef SL_LANDLOCK_LANDLOCK_H
#define SL_LANDLOCK_LANDLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "policy/policy.h"
#include "util/error.h"

/* Landlock ABI of the running kernel (>= 1), or -1 when unavailable.
 * Probed once, then cached. */
int sl_landlock_abi(void);
/* Why the probe failed (positive errno), 0 when Landlock is available. */
int sl_landlock_probe_errno(void);

/* ---- protections (docs/behaviour.md 3.6) ----------------------------- */
enum sl_prot_status {
	SL_PROT_STATUS_ACTIVE = 0,   /* enforced */
	SL_PROT_STATUS_DEGRADED = 1, /* degradable, kernel lacks it: skipped */
	SL_PROT_STATUS_DISABLED = 2, /* turned off by the policy */
	SL_PROT_STATUS_UNAVAILABLE = 3, /* strict, kernel lacks it: refuse */
};

/* Status of one protection in posture state (enum sl_prot_state) on a
 * host with Landlock ABI host_abi (< 1: no Landlock). Pure. */
enum sl_prot_status sl_protection_status(uint8_t state, uint32_t prot,
					 int host_abi);
/* "Active", "Degraded", "Disabled", "Unavailable". */
const char *sl_prot_status_name(enum sl_prot_status s);

/*
 * What a ruleset for a policy contains on a given host, before any path
 * is opened. Computed by a pure function so every decision is testable
 * against any ABI.
 */
struct sl_landlock_plan {
	int abi;		  /* host ABI the plan is for */
	uint8_t status[SL_NPROT]; /* enum sl_prot_status per protection */
	uint64_t handled_fs;	  /* LANDLOCK_ACCESS_FS_* handled */
	uint64_t handled_net;	  /* LANDLOCK_ACCESS_NET_* handled */
	uint64_t scoped;	  /* LANDLOCK_SCOPE_* */
	uint64_t read_access;	  /* rule rights of an fs_read grant */
	uint64_t write_access;	  /* rule rights of an fs_write grant */
};

/*
 * Resolve the protections of p against host_abi and derive the handled
 * rights. with_net = false leaves TCP unhandled (confine) although NetTcp
 * is still resolved. Fails when Landlock is unavailable (host_abi < 1) or
 * a strict protection is unavailable.
 */
int sl_landlock_plan(const struct sl_policy *p, int host_abi, bool with_net,
		     struct sl_landlock_plan *out, struct sl_error *e);

/*
 * Create the ruleset of p for this host: FS grants (fs_write, then
 * fs_read), GPU nodes, then TCP bind and connect ports when NetTcp is
 * active, and the IPC scopes. *out_fd is O_CLOEXEC. A missing grant path
 * is an error naming it (under chroot grants are taken inside the chroot
 * and missing ones are skipped).
 */
int sl_landlock_create_ruleset(const struct sl_policy *p, int *out_fd,
			       struct sl_error *e);

/* A copy-on-write run (docs/cow.md): canonical paths of its workdir (a
 * write grant reaches it with its reads only, and nothing on the way may
 * change the tree), its storage base (out of reach) and its own upper
 * (read and executed: the staged binaries it runs). */
struct sl_fs_built;
struct sl_landlock_cow {
	const char *workdir, *storage, *upper;
};
/* The ruleset of one run of p: cow NULL is sl_landlock_create_ruleset.
 * built (may be NULL) receives the record of what it built around the
 * denied and served entries (fs/holes.h), the caller's to free. */
int sl_landlock_create_run_ruleset(const struct sl_policy *p,
				   const struct sl_landlock_cow *cow,
				   int *out_fd, struct sl_fs_built *built,
				   struct sl_error *e);

/*
 * Add one path grant to a ruleset made from plan: writable selects the
 * fs_write rights, else the fs_read ones; a non-directory gets only the
 * file rights. A missing path is skipped when missing_ok, else an error.
 * Lets a launcher add per-run grants (a COW upper directory) to a fresh
 * ruleset.
 */
int sl_landlock_add_path(int ruleset_fd, const struct sl_landlock_plan *plan,
			 const char *path, bool writable, bool missing_ok,
			 struct sl_error *e);

/*
 * sandlock_confine(): confine the calling process in place, every thread
 * of it, irreversibly: NO_NEW_PRIVS, then the FS ruleset with IPC scopes
 * and no TCP rules. Refuses (before touching anything) a policy that sets
 * any field other than fs_read / fs_write. Unlike the reference, the
 * protection opt-outs (allow_degraded / disable) are honoured.
 */
int sl_confine(const struct sl_policy *p, struct sl_error *e);

/* The refusal check of sl_confine on its own: lists every offending
 * field in the message. */
int sl_confine_check(const struct sl_policy *p, struct sl_error *e);

#endif
