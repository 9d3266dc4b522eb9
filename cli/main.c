/*
 * sandlock: command-line entry point and subcommand dispatch
 * (behavior.md 14.1).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util/cleanup.h"

/* Subcommands of the reference tool that this version does not have yet:
 * they exist so that scripts get a clear refusal, not a usage error. */
static const char *const later_subcommands[] = {
	"ps", "inspect", "kill", "profile", "learn",
};

static int dispatch(int argc, char **argv)
{
	const char *sub = argv[0];

	if (strcmp(sub, "run") == 0)
		return cli_run_main(argc, argv);
	if (strcmp(sub, "check") == 0)
		return cli_check_main(argc, argv);
	if (strcmp(sub, "help") == 0) {
		cli_usage_main(stdout);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < SL_ARRAY_SIZE(later_subcommands); i++) {
		if (strcmp(sub, later_subcommands[i]) == 0) {
			fprintf(stderr, "sandlock: '%s' is not supported yet\n",
				sub);
			return CLI_EXIT_FAILURE;
		}
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
