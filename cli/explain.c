#include "explain.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi/tool.h"
#include "util/cleanup.h"

static const char *state_of(const struct sl_tool_start_problem *pb)
{
	bool in_path = !strchr(pb->path, '/'); /* a name searched in PATH */

	if (pb->err == EACCES)
		return "is not readable in the sandbox";
	if (pb->err == ENOTDIR)
		return "is not a directory";
	if (pb->what == SL_TOOL_START_NOT_FOUND)
		return in_path ? "no such command in PATH" : "no such file";
	return in_path ? "is not found in PATH" : "does not exist";
}

static int report(const char *cmd, const struct sl_tool_start_problem *pb)
{
	size_t size = 2 * PATH_MAX + 4;
	_cleanup_(freep) char *file = malloc(size);
	const char *state = state_of(pb);

	if (!file)
		return 127;
	/* "<path>" or "<path> (<where it resolves>)" */
	if (pb->real[0])
		snprintf(file, size, "%s (%s)", pb->path, pb->real);
	else
		snprintf(file, size, "%s", pb->path);
	fprintf(stderr, "sandlock: cannot start '%s': ", cmd);
	switch (pb->what) {
	case SL_TOOL_START_NOT_FOUND:
		fputs(state, stderr);
		break;
	case SL_TOOL_START_LOADER:
		fprintf(stderr, "the dynamic loader %s of %s %s", file, pb->via,
			state);
		break;
	case SL_TOOL_START_SCRIPT:
		fprintf(stderr,
			"the interpreter %s named by the #! line of "
			"%s %s",
			file, pb->via, state);
		break;
	case SL_TOOL_START_CWD:
		fprintf(stderr, "the working directory %s (--cwd) %s", file,
			state);
		break;
	default:
		fprintf(stderr, "%s %s", file, state);
		break;
	}
	if (pb->err == EACCES)
		fprintf(stderr, " (add -r %s)", pb->grant);
	fputc('\n', stderr);
	return 127;
}

int cli_explain_start(const sandlock_sandbox_t *policy, const char *const *argv,
		      unsigned argc, bool full)
{
	_cleanup_(freep) struct sl_tool_start_problem *pb = malloc(sizeof(*pb));

	if (!pb)
		return 0; /* a diagnosis only: never a reason to fail */
	if (sl_tool_start_check(policy, argv, argc, full, pb) == 1)
		return report(argv[0], pb);
	return 0;
}
