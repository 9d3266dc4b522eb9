/* sandlock_popen: per-stream wiring, caller-owned pipe ends (docs/abi.md 3.15). */
#include <fcntl.h>
#include <unistd.h>

#include "harness.h"
#include "lib/policy.h"
#include "lib/procs.h"

/* Read until EOF into buf (NUL-terminated); the byte count. */
static size_t read_all(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n;

	while (len + 1 < cap && (n = read(fd, buf + len, cap - 1 - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	return len;
}

static bool cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	return flags >= 0 && (flags & FD_CLOEXEC);
}

TEST(piped_stdin_and_stdout_round_trip)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/cat" };
	int in = -2, out = -2, err = -2;
	sandlock_handle_t *h;
	sandlock_result_t *r;
	uintptr_t len = 3;
	char buf[64];

	h = sandlock_popen(p, NULL, argv, 1, SANDLOCK_STDIO_PIPED,
			   SANDLOCK_STDIO_PIPED, SANDLOCK_STDIO_INHERIT, &in,
			   &out, &err);
	CHECK(h);
	CHECK(in >= 0 && out >= 0);
	CHECK_EQ_INT(err, -1);
	CHECK(cloexec(in) && cloexec(out));
	CHECK_EQ_INT(sandlock_start(h), -1); /* already running */
	CHECK(write(in, "ping\n", 5) == 5);
	close(in);
	read_all(out, buf, sizeof(buf));
	close(out);
	CHECK_STR(buf, "ping\n");
	r = sandlock_handle_wait(h);
	CHECK(r);
	CHECK(sandlock_result_success(r));
	/* popen output belongs to the caller: nothing captured */
	CHECK(sandlock_result_stdout_bytes(r, &len) == NULL);
	CHECK_EQ_INT(len, 0);
	CHECK(sandlock_result_stderr_bytes(r, &len) == NULL);
	sandlock_result_free(r);
	sandlock_handle_free(h);
	sandlock_sandbox_free(p);
}

TEST(piped_stderr_is_separate)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/sh", "-c", "echo o; echo e >&2" };
	int out = -2, err = -2;
	sandlock_handle_t *h;
	sandlock_result_t *r;
	char a[32], b[32];

	h = sandlock_popen(p, NULL, argv, 3, SANDLOCK_STDIO_NULL,
			   SANDLOCK_STDIO_PIPED, SANDLOCK_STDIO_PIPED, NULL,
			   &out, &err);
	CHECK(h);
	read_all(out, a, sizeof(a));
	read_all(err, b, sizeof(b));
	close(out);
	close(err);
	CHECK_STR(a, "o\n");
	CHECK_STR(b, "e\n");
	r = sandlock_handle_wait(h);
	CHECK(sandlock_result_success(r));
	sandlock_result_free(r);
	sandlock_handle_free(h);
	sandlock_sandbox_free(p);
}

TEST(null_streams_read_eof_and_discard)
{
	sandlock_sandbox_t *p = lu_policy();
	/* cat of /dev/null input ends at once; its output goes nowhere */
	const char *argv[] = { "/bin/sh", "-c", "cat; echo gone" };
	int in = -2, out = -2, err = -2;
	sandlock_handle_t *h;
	sandlock_result_t *r;

	h = sandlock_popen(p, NULL, argv, 3, SANDLOCK_STDIO_NULL,
			   SANDLOCK_STDIO_NULL, SANDLOCK_STDIO_NULL, &in, &out,
			   &err);
	CHECK(h);
	CHECK_EQ_INT(in, -1);
	CHECK_EQ_INT(out, -1);
	CHECK_EQ_INT(err, -1);
	r = sandlock_handle_wait(h);
	CHECK(r);
	CHECK_EQ_INT(sandlock_result_exit_code(r), 0);
	sandlock_result_free(r);
	sandlock_handle_free(h);
	sandlock_sandbox_free(p);
}

TEST(inherited_streams_share_the_callers)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/sh", "-c",
			       "echo via-inherited-stdout >&2; exit 5" };
	int in = -2, out = -2, err = -2;
	sandlock_handle_t *h;
	sandlock_result_t *r;

	h = sandlock_popen(p, NULL, argv, 3, 0, 0, 0, &in, &out, &err);
	CHECK(h);
	CHECK(in == -1 && out == -1 && err == -1);
	r = sandlock_handle_wait(h);
	CHECK_EQ_INT(sandlock_result_exit_code(r), 5);
	sandlock_result_free(r);
	sandlock_handle_free(h);
	sandlock_sandbox_free(p);
}

TEST(untaken_piped_stdin_is_closed_by_the_library)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/sh", "-c", "cat; echo eof" };
	int out = -2;
	sandlock_handle_t *h;
	sandlock_result_t *r;
	char buf[32];

	/* stdin piped but nobody takes it: the child must see EOF */
	h = sandlock_popen(p, NULL, argv, 3, SANDLOCK_STDIO_PIPED,
			   SANDLOCK_STDIO_PIPED, SANDLOCK_STDIO_INHERIT, NULL,
			   &out, NULL);
	CHECK(h);
	read_all(out, buf, sizeof(buf));
	close(out);
	CHECK_STR(buf, "eof\n");
	r = sandlock_handle_wait(h);
	CHECK(sandlock_result_success(r));
	sandlock_result_free(r);
	sandlock_handle_free(h);
	sandlock_sandbox_free(p);
}

TEST(invalid_mode_is_refused_with_no_fds)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/true" };
	int in = 7, out = 7, err = 7;

	CHECK(sandlock_popen(p, NULL, argv, 1, 0, 3, 0, &in, &out, &err) ==
	      NULL);
	CHECK(in == -1 && out == -1 && err == -1);
	in = out = err = 7;
	CHECK(sandlock_popen(p, NULL, argv, 0, 1, 1, 1, &in, &out, &err) ==
	      NULL);
	CHECK(in == -1 && out == -1 && err == -1);
	CHECK(sandlock_popen(NULL, NULL, argv, 1, 1, 1, 1, &in, &out, &err) ==
	      NULL);
	CHECK(in == -1 && out == -1 && err == -1);
	sandlock_sandbox_free(p);
}

TEST(kill_ends_a_popen_sandbox)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/cat" };
	int in = -1;
	sandlock_handle_t *h;
	sandlock_result_t *r;

	h = sandlock_popen(p, NULL, argv, 1, SANDLOCK_STDIO_PIPED,
			   SANDLOCK_STDIO_NULL, SANDLOCK_STDIO_NULL, &in, NULL,
			   NULL);
	CHECK(h);
	CHECK(lu_until(lu_is_running, sandlock_handle_pid(h)));
	CHECK_EQ_INT(sandlock_handle_kill(h), 0);
	r = sandlock_handle_wait(h);
	CHECK_EQ_INT(sandlock_result_reason(r), SANDLOCK_EXIT_REASON_KILLED);
	/* the caller's end survives the handle */
	sandlock_result_free(r);
	sandlock_handle_free(h);
	CHECK(fcntl(in, F_GETFD) >= 0);
	close(in);
	sandlock_sandbox_free(p);
}
