/*
 * Why a command could not start in the sandbox, in the tool's words:
 * the file no grant covers (the command, its dynamic loader, its "#!"
 * interpreter, the --cwd directory) and the -r flag that would grant it.
 */
#ifndef SL_CLI_EXPLAIN_H
#define SL_CLI_EXPLAIN_H

#include <stdbool.h>

#include "sandlock.h"

/*
 * Ask the library's start check (sl_tool_start_check) about argv[0]
 * under policy; when it finds a certain cause, print
 * "sandlock: cannot start '<cmd>': ..." and return 127, else 0. full =
 * false checks only what one stat settles (the working directory), cheap
 * enough for every launch; full = true follows the command, its loader
 * and interpreters (a few dozen lookups), for after a failed start.
 */
int cli_explain_start(const sandlock_sandbox_t *policy, const char *const *argv,
		      unsigned argc, bool full);

#endif
