/*
 * The ABI lifecycle program (tests/helpers/abi_lifecycle) run from the
 * sanitizer build: every ownership path, including the launch paths that
 * valgrind cannot follow (scripts/valgrind.sh), must end without a leak
 * report or a failed check.
 */
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "lib/paths.h"

TEST(lifecycle_runs_clean_under_the_sanitizers)
{
	const char *prog = helper_built("abi_lifecycle");
	int status = -1;
	pid_t pid;

	if (!prog)
		FAIL("abi_lifecycle not built next to the test");
	pid = fork();
	if (pid == 0) {
		execl(prog, prog, (char *)NULL);
		_exit(127);
	}
	CHECK(pid > 0);
	CHECK_EQ_INT(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status));
	CHECK_EQ_INT(WEXITSTATUS(status), 0);
}
