/*
 * The ABI lifecycle program (tests/helpers/abi_lifecycle) run from the
 * sanitizer build: every ownership path, including the launch paths that
 * valgrind cannot follow (scripts/valgrind.sh), must end without a leak
 * report or a failed check.
 */
#include <limits.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

TEST(lifecycle_runs_clean_under_the_sanitizers)
{
	char exe[PATH_MAX], *slash, *prog = NULL;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int status = -1;
	pid_t pid;

	CHECK(n > 0);
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	CHECK(slash);
	*slash = '\0';
	/* <build>/tests/integration/ -> <build>/tests/helpers/ */
	CHECK(asprintf(&prog, "%s/../helpers/abi_lifecycle", exe) > 0);
	if (access(prog, X_OK) != 0) {
		free(prog);
		FAIL("abi_lifecycle not built next to the test");
	}
	pid = fork();
	if (pid == 0) {
		execl(prog, prog, (char *)NULL);
		_exit(127);
	}
	free(prog);
	CHECK(pid > 0);
	CHECK_EQ_INT(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status));
	CHECK_EQ_INT(WEXITSTATUS(status), 0);
}
