/*
 * Termination signals sent to the tool itself (kill, a parent's timeout,
 * a hang-up, ^C when the tool rather than the command has the terminal)
 * are forwarded to the command's process group, so the command can react
 * and the tool reports how it ended, instead of the tool dying and taking
 * the supervisor with it.
 *
 * The terminal itself is handed to the command by the library (it runs
 * with inherited stdio).
 */
#ifndef SL_CLI_FORWARD_H
#define SL_CLI_FORWARD_H

#include <sys/types.h>

/* Catch the signals before the command starts: one arriving before its
 * process group is known is kept and forwarded by cli_forward_to(). */
void cli_forward_begin(void);
/* The command's process group is known: forward from now on. */
void cli_forward_to(pid_t pgid);
/* Restore the default actions. A signal that arrived while no command
 * ran (start failed) is raised again, so the tool ends as it would have
 * without forwarding. */
void cli_forward_end(void);

#endif
