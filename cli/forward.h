/*
 * Termination signals sent to the tool itself (kill, a parent's timeout,
 * a hang-up, ^C when the tool rather than the command has the terminal)
 * are forwarded to every process of the sandbox, so the command can react
 * and the tool reports how it ended, instead of the tool dying and taking
 * the supervisor with it.
 *
 * The terminal itself is handed to the command by the library (it runs
 * with inherited stdio).
 */
#ifndef SL_CLI_FORWARD_H
#define SL_CLI_FORWARD_H

#include <sys/types.h>

/* Catch the signals before the command starts: the handler only records
 * the last one. */
void cli_forward_begin(void);
/* The recorded signal (0 if none), consumed: the caller forwards it. */
int cli_forward_take(void);
/* Restore the default actions. A signal that arrived while no command
 * ran (start failed) is raised again, so the tool ends as it would have
 * without forwarding. */
void cli_forward_end(void);

#endif
