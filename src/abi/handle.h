/*
 * What sandlock_handle_t and sandlock_result_t are made of, for the ABI
 * files that create them (runs, handles, and later dry runs, pipelines).
 */
#ifndef SL_ABI_HANDLE_H
#define SL_ABI_HANDLE_H

#include <stdbool.h>

#include "abi/objects.h"
#include "launch/run.h"

struct sl_cow_run;
struct sl_cow_changes;

struct sl_user_handlers;

struct sandlock_handle_t {
	struct sl_run *run;
	struct sl_user_handlers *handlers; /* custom handlers the run owns */
	struct sl_cow_run *cow; /* the workdir's branch, NULL without one */
	bool waited;		/* status holds how the run ended */
	struct sl_status status;
};

struct sandlock_result_t {
	struct sl_status status;
	struct sl_capture cap; /* owned */
};

/* stdin inherited, stdout and stderr captured: sandlock_run and the
 * handles of sandlock_create*. */
extern const uint8_t sl_abi_capture_stdio[3];

/* A result owning cap's buffers (cap may be NULL: nothing captured).
 * NULL when out of memory, in which case cap is released. */
sandlock_result_t *sl_abi_result_new(const struct sl_status *st,
				     struct sl_capture *cap);

/* The arguments every launch takes: a built policy and a non-empty argv.
 * 0, or -EINVAL with the reason in e. */
int sl_abi_check_launch(const sandlock_sandbox_t *policy,
			const char *const *argv, unsigned int argc,
			struct sl_error *e);

/*
 * Create a run from the caller's arguments: checks the policy, argv and
 * name. pipe_fds receives the ends of PIPED streams; cow is the run's
 * copy-on-write branch (sl_abi_cow_begin, NULL without one). NULL on
 * failure, with the reason in e (e->reported when the child already wrote
 * it on a stderr it shares with the caller).
 */
struct sl_run *sl_abi_run_create(const sandlock_sandbox_t *policy,
				 const char *name, const char *const *argv,
				 unsigned int argc, const uint8_t stdio[3],
				 bool start, bool own_thread, int pipe_fds[3],
				 struct sl_cow_run *cow, struct sl_error *e);
/* The same with modules the run adds (custom handlers; NULL: none). */
struct sl_run *sl_abi_run_create_ext(const sandlock_sandbox_t *policy,
				     const char *name, const char *const *argv,
				     unsigned int argc, const uint8_t stdio[3],
				     bool start, bool own_thread,
				     int pipe_fds[3], struct sl_cow_run *cow,
				     const struct sl_modlist *extra,
				     struct sl_error *e);
/* A handle for a new run with the policy's copy-on-write branch (begun
 * here, ended when the handle is freed) and the modules extra adds (NULL:
 * none). NULL on failure, with the reason recorded for the calling thread
 * (lasterr.h; the caller resets the record first). */
sandlock_handle_t *sl_abi_handle_open(const sandlock_sandbox_t *policy,
				      const char *name, const char *const *argv,
				      unsigned int argc, const uint8_t stdio[3],
				      bool start, bool own_thread,
				      int pipe_fds[3],
				      const struct sl_modlist *extra);

/*
 * The copy-on-write branch of a run of policy, before the run is created
 * (*cr NULL when the policy has no workdir); dry_run forces abort. After
 * the run is freed, sl_abi_cow_end applies the action for st (NULL: never
 * waited) and collects the change list into changes when non-NULL. Both
 * return 0, or -errno with the reason in e.
 */
int sl_abi_cow_begin(const sandlock_sandbox_t *policy, bool dry_run,
		     struct sl_cow_run **cr, struct sl_error *e);
int sl_abi_cow_end(struct sl_cow_run *cr, const struct sl_status *st,
		   struct sl_cow_changes *changes, struct sl_error *e);

/* A one-shot run: branch, create, start, wait, free, end of the branch.
 * changes: as sl_abi_cow_end. -1 when the run could not be created or
 * waited for, or its branch not finished; the reason is then the calling
 * thread's last error (lasterr.h). */
int sl_abi_run_once(const sandlock_sandbox_t *policy, const char *name,
		    const char *const *argv, unsigned int argc,
		    const uint8_t stdio[3], bool dry_run, struct sl_status *st,
		    struct sl_capture *cap, struct sl_cow_changes *changes);
/* The same with modules the run adds (NULL: none). */
int sl_abi_run_once_ext(const sandlock_sandbox_t *policy, const char *name,
			const char *const *argv, unsigned int argc,
			const uint8_t stdio[3], bool dry_run,
			const struct sl_modlist *extra, struct sl_status *st,
			struct sl_capture *cap, struct sl_cow_changes *changes);

#endif
