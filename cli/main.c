/*
 * sandlock: command-line entry point and subcommand dispatch
 * (docs/behaviour.md 14.1).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util/cleanup.h"

/* Subcommands of the reference tool that this version does not have yet:
 * they exist so that scripts get a clear refusal, not a usage error. */
static const char *const later_subcommands[] = {
	"ps", "inspect", "kill", "profile", "learn",
};

static bool is_later(const char *sub)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(later_subcommands); i++)
		if (strcmp(sub, later_subcommands[i]) == 0)
			return true;
	return false;
}

/* "help [COMMAND]": the run help for run, the overview otherwise. */
static int help_main(int argc, char **argv)
{
	if (argc > 2)
		return cli_usage_error(NULL, "help takes at most one command");
	if (argc == 2 && strcmp(argv[1], "run") == 0)
		cli_usage_run(stdout);
	else if (argc == 1 || strcmp(argv[1], "check") == 0 ||
		 strcmp(argv[1], "help") == 0 || is_later(argv[1]))
		cli_usage_main(stdout);
	else
		return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
	return CLI_EXIT_OK;
}

static int dispatch(int argc, char **argv)
{
	const char *sub = argv[0];

	if (strcmp(sub, "run") == 0)
		return cli_run_main(argc, argv);
	if (strcmp(sub, "check") == 0)
		return cli_check_main(argc, argv);
	if (strcmp(sub, "help") == 0)
		return help_main(argc, argv);
	if (is_later(sub)) {
		fprintf(stderr, "sandlock: '%s' is not supported yet\n", sub);
		return CLI_EXIT_FAILURE;
	}
	return cli_usage_error(NULL, "unknown command '%s'", sub);
}

int main(int argc, char **argv)
{
	int code;

	if (argc < 2) {
		cli_usage_main(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		cli_usage_main(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("sandlock %s\n", SANDLOCK_VERSION);
		return CLI_EXIT_OK;
	}
	if (argv[1][0] == '-')
		return cli_usage_error(NULL, "unknown option '%s'", argv[1]);
	code = dispatch(argc - 1, argv + 1);
	if (fflush(stdout) != 0 && code == CLI_EXIT_OK)
		code = CLI_EXIT_FAILURE;
	return code;
}
