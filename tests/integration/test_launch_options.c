/*
 * Process knobs applied by the launcher (docs/behaviour.md 1.2, 4.3, 4.4, 4.6,
 * 11): working directory, environment, rlimits, CPU affinity,
 * personality, THP, identity mapping, CPU throttling.
 */
#include <sched.h>
#include <sys/wait.h>

#include "harness.h"
#include "lib/policy.h"
#include "lib/procs.h"
#include "lib/run.h"

/* Run argv under the policy built from b; stdout as a string. */
#define LU_OUT_OF(b, ...)                                                    \
	({                                                                   \
		sandlock_sandbox_t *_p = lu_build(b);                        \
		sandlock_result_t *_r = _p ? LU_RUN(_p, __VA_ARGS__) : NULL; \
		char *_o = lu_out(_r);                                       \
		sandlock_result_free(_r);                                    \
		sandlock_sandbox_free(_p);                                   \
		_o;                                                          \
	})

#define CHECK_OUTPUT(b, expect, ...)                             \
	do {                                                     \
		char *_out = LU_OUT_OF(b, __VA_ARGS__);          \
		bool _ok = strcmp(_out, expect) == 0;            \
		if (!_ok)                                        \
			fprintf(stderr, "  got \"%s\"\n", _out); \
		free(_out);                                      \
		CHECK(_ok);                                      \
	} while (0)

TEST(cwd_sets_the_working_directory)
{
	CHECK_OUTPUT(sandlock_sandbox_builder_cwd(lu_builder(), "/usr"),
		     "/usr\n", "/bin/pwd");
}

TEST(a_missing_cwd_fails_before_exec)
{
	sandlock_sandbox_t *p = lu_build(sandlock_sandbox_builder_cwd(
		lu_builder(), "/nonexistent-sandlock-cwd"));
	const char *argv[] = { "/bin/true" };

	CHECK(p);
	/* the child dies while being confined: no handle */
	CHECK(sandlock_create(p, NULL, argv, 1) == NULL);
	sandlock_sandbox_free(p);
}

TEST(clean_env_leaves_nothing)
{
	CHECK_OUTPUT(sandlock_sandbox_builder_clean_env(lu_builder(), true), "",
		     "/usr/bin/env");
}

TEST(clean_env_still_finds_programs_on_the_default_path)
{
	CHECK_OUTPUT(sandlock_sandbox_builder_clean_env(lu_builder(), true),
		     "found\n", "echo", "found");
}

TEST(env_var_is_set_and_overrides)
{
	sandlock_builder_t *b;

	setenv("SANDLOCK_LAUNCH_TEST", "outer", 1);
	CHECK_OUTPUT(lu_builder(), "outer\n", "/bin/sh", "-c",
		     "echo $SANDLOCK_LAUNCH_TEST");
	b = sandlock_sandbox_builder_env_var(lu_builder(),
					     "SANDLOCK_LAUNCH_TEST", "inner");
	CHECK_OUTPUT(b, "inner\n", "/bin/sh", "-c",
		     "echo $SANDLOCK_LAUNCH_TEST");
	b = sandlock_sandbox_builder_clean_env(lu_builder(), true);
	b = sandlock_sandbox_builder_env_var(b, "ONLY", "this");
	CHECK_OUTPUT(b, "ONLY=this\n", "/usr/bin/env");
	unsetenv("SANDLOCK_LAUNCH_TEST");
}

TEST(max_open_files_caps_the_descriptor_limit)
{
	sandlock_builder_t *b =
		sandlock_sandbox_builder_max_open_files(lu_builder(), 16);

	CHECK_OUTPUT(b, "16\n16\n", "/bin/sh", "-c", "ulimit -n; ulimit -H -n");
}

TEST(cpu_cores_pins_the_sandbox)
{
	const uint32_t core0[] = { 0 };
	sandlock_builder_t *b =
		sandlock_sandbox_builder_cpu_cores(lu_builder(), core0, 1);

	CHECK_OUTPUT(b, "Cpus_allowed_list:\t0\n", "/bin/grep",
		     "Cpus_allowed_list", "/proc/self/status");
}

TEST(no_coredump_sets_core_limit_zero)
{
	sandlock_builder_t *b =
		sandlock_sandbox_builder_no_coredump(lu_builder(), true);

	CHECK_OUTPUT(b, "0\n0\n", "/bin/sh", "-c", "ulimit -c; ulimit -H -c");
}

TEST(no_randomize_memory_sets_the_personality)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_no_randomize_memory(
		lu_builder(), true);
	char *out = LU_OUT_OF(b, "/bin/cat", "/proc/self/personality");
	unsigned long pers = strtoul(out, NULL, 16);

	CHECK(pers & 0x0040000); /* ADDR_NO_RANDOMIZE */
	free(out);
	out = LU_OUT_OF(lu_builder(), "/bin/cat", "/proc/self/personality");
	CHECK(!(strtoul(out, NULL, 16) & 0x0040000));
	free(out);
}

TEST(no_huge_pages_disables_thp)
{
	sandlock_builder_t *b =
		sandlock_sandbox_builder_no_huge_pages(lu_builder(), true);

	CHECK_OUTPUT(b, "THP_enabled:\t0\n", "/bin/grep", "THP_enabled",
		     "/proc/self/status");
}

/* Can this machine create a user namespace and map one id into it? */
static bool userns_available(void)
{
	unsigned uid = (unsigned)getuid(); /* unmapped once unshared */
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		char map[64];
		int fd;

		if (unshare(CLONE_NEWUSER) < 0)
			_exit(1);
		snprintf(map, sizeof(map), "1234 %u 1\n", uid);
		fd = open("/proc/self/uid_map", O_WRONLY);
		_exit(fd >= 0 && write(fd, map, strlen(map)) > 0 ? 0 : 1);
	}
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	       WEXITSTATUS(st) == 0;
}

TEST(user_maps_the_requested_ids)
{
	sandlock_builder_t *b;

	if (!userns_available())
		SKIP("unprivileged user namespaces are not available");
	b = sandlock_sandbox_builder_user(lu_builder(), 1234, 5678);
	CHECK_OUTPUT(b, "1234\n5678\n", "/bin/sh", "-c", "id -u; id -g");
}

TEST(user_equal_to_ours_changes_nothing)
{
	sandlock_builder_t *b =
		sandlock_sandbox_builder_user(lu_builder(), getuid(), getgid());
	char expect[64];

	snprintf(expect, sizeof(expect), "%u\n", (unsigned)getuid());
	CHECK_OUTPUT(b, expect, "/bin/sh", "-c", "id -u");
}

/* utime + stime of a process, in clock ticks; -1 when gone. */
static long cpu_ticks(pid_t pid)
{
	char buf[1024];
	const char *p = lu_proc_stat(pid, buf, sizeof(buf));
	unsigned long ut, st;

	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt
	 * cmajflt utime stime */
	if (!p ||
	    sscanf(p, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
		   &ut, &st) != 2)
		return -1;
	return (long)(ut + st);
}

TEST(max_cpu_throttles_the_process_group)
{
	sandlock_sandbox_t *p =
		lu_build(sandlock_sandbox_builder_max_cpu(lu_builder(), 10));
	const char *argv[] = { "/bin/sh", "-c", "while :; do :; done" };
	sandlock_handle_t *h;
	sandlock_result_t *r;
	long hz = sysconf(_SC_CLK_TCK), before, after;
	pid_t pid;

	CHECK(p);
	h = sandlock_create(p, NULL, argv, 3);
	CHECK(h);
	pid = sandlock_handle_pid(h);
	CHECK_EQ_INT(sandlock_start(h), 0);
	/* the duty cycle stops the group 90% of the time */
	CHECK(lu_until(lu_is_stopped, pid));
	before = cpu_ticks(pid);
	lu_sleep_ms(1000);
	after = cpu_ticks(pid);
	CHECK(before >= 0 && after >= before);
	/* a busy loop alone would use the whole second */
	if ((after - before) * 2 >= hz)
		FAIL("%ld of %ld ticks used under a 10%% cap", after - before,
		     hz);
	CHECK_EQ_INT(sandlock_handle_kill(h), 0);
	r = sandlock_handle_wait(h);
	CHECK_EQ_INT(sandlock_result_reason(r), SANDLOCK_EXIT_REASON_KILLED);
	sandlock_result_free(r);
	sandlock_handle_free(h);
	sandlock_sandbox_free(p);
}
