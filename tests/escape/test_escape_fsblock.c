/*
 * Making the supervisor wait or accept nonsense through the CLI: an open
 * the supervisor performs on the child's behalf must not stall it (a file
 * lease held outside the sandbox makes a plain open wait for the kernel's
 * lease-break time), so `-t` still fires on time; and empty paths are
 * refused rather than read as the current directory.
 */
#include <signal.h>
#include <sys/time.h>

#include "harness.h"
#include "lib/cli.h"
#include "lib/files.h"
#include "lib/scratch.h"

static long lease_break_seconds(void)
{
	FILE *f = fopen("/proc/sys/fs/lease-break-time", "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

TEST(class18_a_file_lease_does_not_stall_the_timeout)
{
	char *root = scratch_make(), *file = NULL, *nothing = NULL;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	long brk = lease_break_seconds();
	struct cli_result r;
	long long t0, elapsed;
	int fd;

	if (brk < 10)
		SKIP("lease-break-time is %ld s: too short to tell a stall "
		     "from the 2 s timeout",
		     brk);
	CHECK(root);
	file = path_join(root, "leased");
	nothing = path_join(root, "nothing");
	CHECK(file && nothing && write_file(file, "LEASED\n"));
	/* The lease holder is told of a conflicting open by SIGIO, whose
	 * default action would end this test. */
	CHECK(sigaction(SIGIO, &ign, &old) == 0);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	if (fcntl(fd, F_SETLEASE, F_WRLCK) < 0) {
		close(fd);
		sigaction(SIGIO, &old, NULL);
		SKIP("cannot take a write lease here: %s", strerror(errno));
	}
	t0 = cli_now_ms();
	CLI_RUN_SANDBOXED(&r, NULL, "-r", root, "--fs-deny", nothing, "-t", "2",
			  "--", "cat", file);
	elapsed = cli_now_ms() - t0;
	fcntl(fd, F_SETLEASE, F_UNLCK);
	close(fd);
	sigaction(SIGIO, &old, NULL);
	if (elapsed >= brk * 1000 / 2)
		FAIL("the run took %lld ms: the supervisor waited for the "
		     "lease (break time %ld s)",
		     elapsed, brk);
	CHECK_EXIT(&r, 124);
	cli_result_free(&r);
	free(file);
	free(nothing);
	scratch_remove(root);
}

TEST(class21_empty_paths_are_refused_by_the_cli)
{
	static const char *const flags[] = { "--fs-deny", "-r", "-w" };
	struct cli_result r;

	for (size_t i = 0; i < NELEM(flags); i++) {
		CLI_RUN_SANDBOXED(&r, NULL, flags[i], "", "--", "true");
		if (r.code == 0)
			FAIL("%s \"\" was accepted", flags[i]);
		CHECK_CONTAINS(r.err, "empty path");
		cli_result_free(&r);
	}
}
