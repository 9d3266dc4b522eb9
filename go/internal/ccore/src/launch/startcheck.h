/*
 * Why a command could not start in a sandbox, found before launching it.
 *
 * A program that the sandbox cannot even execute fails with a bare
 * "Permission denied" from execve, whatever the missing grant was: the
 * program, its dynamic loader, its "#!" interpreter. This check looks at
 * what sandlock can know without running anything (the PATH candidates,
 * their ELF PT_INTERP and "#!" line, the working directory) and names the
 * file that no grant covers, and the directory to grant.
 *
 * It is a diagnosis: it reports only what makes the exec fail for
 * certain (a file outside every grant, by the same inode walk Landlock
 * does; a file that does not exist), and stays silent where it cannot
 * judge (a chroot or copy-on-write view, unreadable headers, programs
 * of another architecture or 32-bit ones). A full check costs a few
 * dozen path lookups (about 40 us), so the CLI runs it only once a start
 * has failed, and checks before launching only what one stat settles
 * (the working directory).
 */
#ifndef SL_LAUNCH_STARTCHECK_H
#define SL_LAUNCH_STARTCHECK_H

#include <limits.h>
#include <stddef.h>

#include "policy/policy.h"

enum sl_start_what {
	SL_START_NOT_FOUND, /* no PATH candidate exists (path: the name) */
	SL_START_COMMAND,   /* the program itself */
	SL_START_LOADER,    /* the ELF interpreter (dynamic loader) */
	SL_START_SCRIPT,    /* the interpreter of a "#!" line */
	SL_START_CWD,	    /* the working directory (--cwd) */
};

struct sl_start_problem {
	int what;	      /* enum sl_start_what */
	int err;	      /* ENOENT/ENOTDIR: missing; EACCES: no grant */
	char path[PATH_MAX];  /* the file as named */
	char real[PATH_MAX];  /* where it resolves, "" when the same */
	char grant[PATH_MAX]; /* EACCES: the directory to grant */
	char via[PATH_MAX];   /* LOADER/SCRIPT: the file that names it */
};

/*
 * Check whether argv[0] can start under the built policy p. Returns 0 when
 * nothing stands in the way (or nothing can be judged), 1 with *out filled
 * when the start is certain to fail, -errno on an internal error.
 */
int sl_start_check(const struct sl_policy *p, const char *const *argv,
		   size_t argc, struct sl_start_problem *out);

/* Only the working directory (one stat): same results. */
int sl_start_check_cwd(const struct sl_policy *p, struct sl_start_problem *out);

#endif
