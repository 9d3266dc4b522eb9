/*
 * The library's internal interface for the sandlock command-line tool
 * (cli/), and the only header of src/ the tool includes besides util/.
 * The tool drives the library through the public ABI (sandlock.h,
 * sandlock_ext.h); what it needs beyond that is here:
 *
 *   - a one-shot run with inherited stdio, served inside the wait on the
 *     tool's own thread (no helper thread), with the workdir's
 *     copy-on-write branch around it and the change list of a dry run;
 *   - the start check that names the file a command could not start on;
 *   - the vocabulary it prints in help and errors: protections, settings
 *     whose feature is not built, sandbox names.
 *
 * The types here are the tool's own; tool.c converts from the layers
 * below, which the tool never sees.
 */
#ifndef SL_ABI_TOOL_H
#define SL_ABI_TOOL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandlock.h"
#include "util/error.h"

/* ---- a one-shot run --------------------------------------------------- */

/* How a run ended. */
struct sl_tool_status {
	uint32_t reason; /* SANDLOCK_EXIT_REASON_* */
	int code;	 /* the exit code for EXITED, else -1 */
	int signal;	 /* the signal for SIGNALED, else -1 */
	uint32_t cause;	 /* SANDLOCK_EXIT_CAUSE_*, 0 for none */
};

/* One change of a dry run. */
struct sl_tool_change {
	char kind;	  /* 'A' added, 'M' modified, 'D' deleted */
	const char *path; /* relative to the workdir */
};

struct sl_tool_run;

/* Begin a run under policy: the copy-on-write branch of its workdir
 * (none without one) is created now, before anything runs, and a bad
 * workdir or storage fails here (-errno, the reason in e). dry_run
 * aborts the branch at the end and keeps its change list. */
int sl_tool_run_new(const sandlock_sandbox_t *policy, bool dry_run,
		    struct sl_tool_run **out, struct sl_error *e);
/* Create the sandbox and start argv in it with the tool's stdio: the
 * terminal is handed to the command when the tool has it, and taken
 * back when the command ends. -1 when the sandbox could not be set up,
 * with the reason in e (e->reported when the child has written it on
 * the stderr it shares with the tool already). */
int sl_tool_run_start(struct sl_tool_run *t, const char *name,
		      const char *const *argv, unsigned argc,
		      struct sl_error *e);
/* A terminal stop of the command (Ctrl-Z) stops the tool with the same
 * signal; when the tool is continued, so is the sandbox. */
void sl_tool_run_set_job_control(struct sl_tool_run *t, bool on);
/* fn(arg) runs on the waiting thread after a signal interrupted the wait
 * (the tool's signal handlers run only then). */
void sl_tool_run_set_interrupt(struct sl_tool_run *t, void (*fn)(void *arg),
			       void *arg);
/* Signal every process of the sandbox, whatever its group. */
int sl_tool_run_signal(struct sl_tool_run *t, int sig);
/* Serve the sandbox until the command has ended, or timeout_ms (0:
 * none) has passed: then every process is killed and st->reason is
 * TIMEOUT. 0 or -errno. */
int sl_tool_run_wait(struct sl_tool_run *t, uint64_t timeout_ms,
		     struct sl_tool_status *st);
/* Kill whatever is left of the sandbox, in any group, and release it. */
void sl_tool_run_stop(struct sl_tool_run *t);
/* After stop: commit, abort or keep the branch as the policy says for
 * the outcome of the wait (a run never waited for keeps it when either
 * action is keep, else aborts it). -1 on failure, with the reason in e.
 * A dry run's changes are collected first, even then. */
int sl_tool_run_end(struct sl_tool_run *t, struct sl_error *e);
/* A dry run with a branch, after end: *v gets its changes (valid until
 * free) and the count is returned; -1 for any other run. */
long sl_tool_run_changes(const struct sl_tool_run *t,
			 const struct sl_tool_change **v);
/* Release t, with its sandbox and branch if still there (NULL-safe). */
void sl_tool_run_free(struct sl_tool_run *t);

/* ---- why a command cannot start --------------------------------------- */

enum sl_tool_start_what {
	SL_TOOL_START_NOT_FOUND, /* no PATH candidate exists (path: the name) */
	SL_TOOL_START_COMMAND,	 /* the program itself */
	SL_TOOL_START_LOADER,	 /* the ELF interpreter (dynamic loader) */
	SL_TOOL_START_SCRIPT,	 /* the interpreter of a "#!" line */
	SL_TOOL_START_CWD,	 /* the working directory (--cwd) */
};

struct sl_tool_start_problem {
	int what;	      /* enum sl_tool_start_what */
	int err;	      /* ENOENT/ENOTDIR: missing; EACCES: no grant */
	char path[PATH_MAX];  /* the file as named */
	char real[PATH_MAX];  /* where it resolves, "" when the same */
	char grant[PATH_MAX]; /* EACCES: the directory to grant */
	char via[PATH_MAX];   /* LOADER/SCRIPT: the file that names it */
};

/* Can argv[0] start under policy (src/launch/startcheck.h)? 1 with *out
 * filled when the start is certain to fail; 0 when nothing stands in
 * the way or nothing can be judged; -errno. full = false checks only
 * what one stat settles (the working directory). */
int sl_tool_start_check(const sandlock_sandbox_t *policy,
			const char *const *argv, unsigned argc, bool full,
			struct sl_tool_start_problem *out);

/* ---- vocabulary ------------------------------------------------------- */

/* Landlock protections, numbered from 0 (NULL past the last): the API
 * name ("FsRefer") and the token of --disable and --allow-degraded
 * ("fs-refer"). */
const char *sl_tool_protection_name(uint32_t prot);
const char *sl_tool_protection_token(uint32_t prot);
/* A token (any case) to its number: 0 or -EINVAL. */
int sl_tool_protection_parse(const char *token, uint32_t *out);
/* Why prot cannot be disabled, or NULL when it can. */
const char *sl_tool_protection_undisableable(uint32_t prot);
/* The feature name when the flag `setting` (without "--") sets a setting
 * whose feature is not built yet, else NULL. */
const char *sl_tool_setting_unsupported(const char *setting);
/* Is name a valid sandbox name? 0, or -EINVAL with the reason in e. */
int sl_tool_name_validate(const char *name, struct sl_error *e);

#endif
