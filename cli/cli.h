/*
 * The sandlock command-line tool: shared declarations of its subcommands.
 *
 * The tool drives the library through the public C ABI
 * (include/sandlock.h) and, for what that lacks, through one internal
 * interface, src/abi/tool.h: `run` uses its one-shot run to supervise on
 * its own thread, its start check to explain a command that cannot start,
 * and its vocabulary of protections and unsupported settings. Pure
 * parsers of src/util/ (byte sizes, numbers, lists) are shared with the
 * library so both accept exactly the same grammars.
 */
#ifndef SL_CLI_CLI_H
#define SL_CLI_CLI_H

#include <stdio.h>

/* Exit codes of docs/behaviour.md 14.4. */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILURE = 1, /* configuration, spawn or runtime error */
	CLI_EXIT_USAGE = 2,   /* malformed command line */
	CLI_EXIT_TIMEOUT = 124,
};

/* Subcommands: argv[0] is the subcommand name; return the exit code. */
int cli_run_main(int argc, char **argv);
int cli_check_main(int argc, char **argv);

/* Usage texts (usage.c). */
void cli_usage_main(FILE *f);
void cli_usage_run(FILE *f);

/* Print "sandlock[ <sub>]: <message>" plus a pointer to --help on stderr;
 * returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *sub, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print "Error: <message>" on stderr; returns CLI_EXIT_FAILURE. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
