/*
 * What the child will exec, prepared in the parent: argv, the final
 * environment, and the execve candidates of an execvp-style PATH search.
 */
#ifndef SL_LAUNCH_COMMAND_H
#define SL_LAUNCH_COMMAND_H

#include <stddef.h>

#include "policy/policy.h"
#include "util/error.h"
#include "util/vec.h"

#define SL_DEFAULT_PATH "/usr/local/bin:/bin:/usr/bin"

struct sl_command {
	struct sl_strv argv;  /* NULL-terminated */
	struct sl_strv envp;  /* NULL-terminated, or v == NULL when empty */
	struct sl_strv paths; /* execve candidates, in search order */
	char **sh_argv;	      /* {"/bin/sh", NULL, argv[1..], NULL}: the
			       * child fills slot 1 for a script without a
			       * recognised format, as execvp does */
};

/* argv has argc non-NULL entries; -EINVAL (with a message) otherwise. */
int sl_command_prepare(struct sl_command *c, const struct sl_policy *p,
		       const char *const *argv, size_t argc,
		       struct sl_error *e);
/* The environment array (an empty one when no variable is left). */
char *const *sl_command_envp(const struct sl_command *c);
void sl_command_free(struct sl_command *c);

#endif
