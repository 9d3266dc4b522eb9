/*
 * Command line of `sandlock run` (docs/behaviour.md 14.2), parsed without side
 * effects. Parsing only checks what the grammar of the command line itself
 * decides (known flags, present values, integer types): those failures are
 * usage errors (exit 2). Values with a grammar of their own (sizes, times,
 * specs) are kept as text in command-line order and interpreted when the
 * policy is built (run_policy.c), where a bad value is a configuration
 * error (exit 1), as in the reference tool.
 */
#ifndef SL_CLI_RUN_ARGS_H
#define SL_CLI_RUN_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Identifiers of the options that configure the policy. Short options use
 * their letter; long-only options start above the character range. */
enum cli_opt_id {
	OPT_FS_READ = 'r',
	OPT_FS_WRITE = 'w',
	OPT_MAX_MEMORY = 'm',
	OPT_MAX_PROCESSES = 'P',
	OPT_CPU = 'c',
	OPT_TIMEOUT = 't',
	OPT_PROFILE = 'p',
	OPT_EXEC_SHELL = 'e',
	OPT_INTERACTIVE = 'i',
	OPT_HELP = 'h',

	OPT_FS_DENY = 256,
	OPT_EXTRA_DENY_SYSCALL,
	OPT_EXTRA_ALLOW_SYSCALL,
	OPT_NET_ALLOW,
	OPT_NET_DENY,
	OPT_NET_ALLOW_BIND,
	OPT_NET_DENY_BIND,
	OPT_PORT_REMAP,
	OPT_HTTP_ALLOW,
	OPT_HTTP_DENY,
	OPT_HTTP_PORT,
	OPT_HTTP_CA,
	OPT_HTTP_KEY,
	OPT_HTTP_INJECT_CA,
	OPT_HTTP_CA_OUT,
	OPT_CREDENTIAL,
	OPT_HTTP_AUTH,
	OPT_MAX_OPEN_FILES,
	OPT_MAX_DISK,
	OPT_CPU_CORES,
	OPT_NUM_CPUS,
	OPT_GPU,
	OPT_RANDOM_SEED,
	OPT_TIME_START,
	OPT_NO_RANDOMIZE_MEMORY,
	OPT_NO_HUGE_PAGES,
	OPT_NO_COREDUMP,
	OPT_DETERMINISTIC_DIRS,
	OPT_WORKDIR,
	OPT_CWD,
	OPT_FS_STORAGE,
	OPT_ON_EXIT,
	OPT_ON_ERROR,
	OPT_CHROOT,
	OPT_FS_MOUNT,
	OPT_IMAGE,
	OPT_CLEAN_ENV,
	OPT_ENV,
	OPT_USER,
	OPT_NAME,
	OPT_NO_SUPERVISOR,
	OPT_ALLOW_DEGRADED,
	OPT_DISABLE,
	OPT_PROFILE_FILE,
	OPT_STATUS_FD,
	OPT_DRY_RUN,
};

/* One policy option as given: arg is NULL for switches and points into
 * argv otherwise; num holds the value of integer-typed options. */
struct cli_opt {
	int id;
	const char *arg;
	uint64_t num;
};

struct cli_run_args {
	struct cli_opt *opts; /* policy options, in command-line order */
	size_t nopts;

	const char *name;	/* --name */
	const char *exec_shell; /* -e CMD */
	bool has_timeout;
	uint64_t timeout_secs; /* -t, 0 = none */
	bool has_status_fd;
	int status_fd;
	bool help;    /* -h/--help: print usage, run nothing */
	bool dry_run; /* --dry-run: list the workdir changes, abort */

	/* The first option that has no implementation yet, as spelled in the
	 * usage text (e.g. "--no-supervisor"); NULL if none was given. */
	const char *unsupported;

	char **cmd; /* trailing command (points into argv), NULL-terminated */
	size_t ncmd;
};

/* Parse argv of `run` (argv[0] = "run"). Returns 0, or CLI_EXIT_USAGE after
 * printing the reason, or CLI_EXIT_FAILURE when out of memory. */
int cli_run_args_parse(int argc, char **argv, struct cli_run_args *a);
void cli_run_args_free(struct cli_run_args *a);

/* The long name of an option id ("--fs-read"), for messages. */
const char *cli_opt_name(int id);

#endif
