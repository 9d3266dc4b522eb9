/*
 * Escapes through processes, privileges and limits, attempted from
 * inside sandboxes started as root through the public ABI and the CLI:
 *
 *   capabilities   root keeps only a container runtime's default set
 *                  (no mknod of devices, no interface addresses, no clock)
 *   pid arguments  calls that take a pid reach sandbox members only
 *   lifetime       a process that left the session dies with the run
 *   -P             a double fork is counted
 *   -m             shared and copy-on-write memory is charged, and a
 *                  memory-limit kill says why
 *
 * Targets are private (scratch directories, scratch processes this test
 * starts, a private network namespace) or calls that change nothing even
 * when they succeed (tests/helpers/escape_probe.c). Control runs on
 * sandbox members show the same calls work where they are allowed.
 */
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "harness.h"
#include "lib/cli.h"
#include "lib/hostenv.h"
#include "lib/paths.h"
#include "lib/policy.h"
#include "lib/procs.h"
#include "lib/run.h"
#include "lib/scratch.h"

static const char *probe(void)
{
	return helper_built("escape_probe");
}

/* Run the probe in a sandbox built from b; its first output line. */
static char *run_probe(sandlock_builder_t *b, const char *const *args,
		       struct hrun *o)
{
	const char *argv[8] = { probe() };
	size_t n = 1;

	for (; args[n - 1] && n < 7; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	hrun(b, argv, o);
	if (!o->ok || !o->out) {
		fprintf(stderr, "  run failed: %s\n",
			o->build_err ? o->build_err : "?");
		return NULL;
	}
	o->out[strcspn(o->out, "\n")] = '\0';
	return o->out;
}

#define EXPECT_PROBE(b, want, ...)                                         \
	do {                                                               \
		const char *_args[] = { __VA_ARGS__, NULL };               \
		struct hrun _o;                                            \
		char *_got = run_probe((b), _args, &_o);                   \
		bool _ok = _got && strcmp(_got, (want)) == 0;              \
		if (!_ok)                                                  \
			fprintf(stderr,                                    \
				"  %s: got \"%s\" (exit %d), want "        \
				"%s; stderr: %s\n",                        \
				_args[0], _got ? _got : "(none)", _o.code, \
				(want), _o.err ? _o.err : "");             \
		hrun_free(&_o);                                            \
		CHECK(_ok);                                                \
	} while (0)

/* ---- capabilities ------------------------------------------------------ */

TEST(mknod_of_a_char_device_under_a_write_grant_fails)
{
	char dir[32], node[64];
	struct stat st;

	if (getuid() != 0)
		SKIP("needs root: the class is about root's capabilities");
	CHECK(scratch_dir(dir, sizeof(dir)));
	snprintf(node, sizeof(node), "%s/kmsg", dir);
	EXPECT_PROBE(sandlock_sandbox_builder_fs_write(base_builder(), dir),
		     "EPERM", "mknod", node);
	CHECK(lstat(node, &st) < 0 && errno == ENOENT);
	scratch_remove(dir);
}

/* In a private network namespace: a broken sandbox changes only that. */
TEST(rtnetlink_address_add_fails)
{
	int p[2], status;
	char got[64] = { 0 };
	pid_t c;

	if (getuid() != 0)
		SKIP("needs root: the class is about root's capabilities");
	CHECK(pipe(p) == 0);
	c = fork();
	CHECK(c >= 0);
	if (c == 0) {
		const char *args[] = { "rtnl_addaddr", NULL };
		struct ifaddrs *ifs = NULL;
		bool added = false;
		struct hrun o;
		char *r;

		if (unshare(CLONE_NEWNET) < 0)
			_exit(3);
		r = run_probe(base_builder(), args, &o);
		if (getifaddrs(&ifs) == 0)
			for (struct ifaddrs *i = ifs; i; i = i->ifa_next)
				if (i->ifa_addr &&
				    i->ifa_addr->sa_family == AF_INET &&
				    ((struct sockaddr_in *)i->ifa_addr)
						    ->sin_addr.s_addr ==
					    htonl(0x0ad50701))
					added = true;
		dprintf(p[1], "%s%s", r ? r : "(none)", added ? " added" : "");
		_exit(0);
	}
	close(p[1]);
	(void)!read(p[0], got, sizeof(got) - 1);
	close(p[0]);
	waitpid(c, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_STR(got, "EPERM");
}

TEST(setting_the_clock_fails)
{
	if (getuid() != 0)
		SKIP("needs root: the class is about root's capabilities");
	EXPECT_PROBE(base_builder(), "EPERM", "settimeofday");
	EXPECT_PROBE(base_builder(), "EPERM", "adjtick");
}

/* ---- pid arguments ------------------------------------------------------- */

/* A scratch process outside any sandbox. */
static pid_t scratch_process(void)
{
	pid_t c = fork();

	if (c == 0) {
		for (;;)
			pause();
	}
	return c;
}

static void end_scratch(pid_t c)
{
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
}

static void outside_call_fails(const char *op)
{
	pid_t c = scratch_process();
	char pid[16];
	struct rlimit lim;
	int prio;

	CHECK(c > 0);
	errno = 0;
	prio = getpriority(PRIO_PROCESS, (id_t)c);
	snprintf(pid, sizeof(pid), "%d", (int)c);
	{
		const char *args[] = { op, pid, NULL };
		struct hrun o;
		char *got = run_probe(base_builder(), args, &o);
		bool ok = got && strcmp(got, "EPERM") == 0;

		if (!ok)
			fprintf(stderr, "  %s on an outside process: got %s\n",
				op, got ? got : "(none)");
		hrun_free(&o);
		/* The process is untouched. */
		if (ok && (prlimit(c, RLIMIT_CPU, NULL, &lim) < 0 ||
			   lim.rlim_cur != RLIM_INFINITY ||
			   getpriority(PRIO_PROCESS, (id_t)c) != prio))
			ok = false;
		end_scratch(c);
		CHECK(ok);
	}
}

TEST(prlimit_of_an_outside_process_fails)
{
	outside_call_fails("prlimit_cpu");
}

TEST(setpriority_of_an_outside_process_fails)
{
	outside_call_fails("setpriority");
}

TEST(sched_setaffinity_of_an_outside_process_fails)
{
	outside_call_fails("setaffinity");
}

TEST(ioprio_set_of_an_outside_process_fails)
{
	outside_call_fails("ioprio_set");
}

TEST(pidfd_open_of_an_outside_process_fails)
{
	outside_call_fails("pidfd_open");
}

/* Scoped by Landlock's ptrace rule: verified, not assumed. */
TEST(ptrace_checked_calls_on_an_outside_process_fail)
{
	outside_call_fails("kcmp");
	outside_call_fails("robust_list");
	outside_call_fails("migrate_pages");
}

TEST(priority_of_a_whole_user_is_refused)
{
	EXPECT_PROBE(base_builder(), "EPERM", "getprio_user");
}

/* Control: the same calls on a member of the sandbox work. */
TEST(pid_calls_on_a_member_work)
{
	const char *argv[] = { probe(), "on_child", NULL };
	struct hrun o;

	hrun(base_builder(), argv, &o);
	CHECK(o.ok);
	/* a container refuses kcmp to everyone, the sandbox included */
	CHECK_STR(o.out,
		  sl_host_allows(SL_HOST_KCMP) ?
			  "prlimit_cpu=OK\nsetpriority=OK\nsetaffinity=OK\n"
			  "ioprio_set=OK\nkcmp=OK\nrobust_list=OK\n"
			  "pidfd_open=OK\n" :
			  "prlimit_cpu=OK\nsetpriority=OK\nsetaffinity=OK\n"
			  "ioprio_set=OK\nkcmp=EPERM\nrobust_list=OK\n"
			  "pidfd_open=OK\n");
	hrun_free(&o);
}

/* ---- lifetime ------------------------------------------------------------ */

/* The sandbox writes the pid of a process that called setsid() into
 * dir/pid; returns it, or 0. */
static pid_t read_pid(const char *dir)
{
	char path[128];
	int pid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/pid", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid;
}

static void setsid_orphan_dies(bool timeout)
{
	char dir[32], path[128];
	const char *argv[] = { probe(), "setsid_orphan", path,
			       timeout ? "stay" : "exit" };
	sandlock_sandbox_t *sb;
	sandlock_handle_t *h;
	sandlock_result_t *r;
	pid_t orphan;
	bool died;

	CHECK(scratch_dir(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/pid", dir);
	sb = sandlock_sandbox_build(
		sandlock_sandbox_builder_fs_write(base_builder(), dir), NULL,
		NULL);
	CHECK(sb);
	h = sandlock_create(sb, NULL, argv, 4);
	sandlock_sandbox_free(sb);
	CHECK(h);
	CHECK_EQ_INT(sandlock_start(h), 0);
	r = sandlock_handle_wait_timeout(h, timeout ? 3000 : 0);
	CHECK(r);
	CHECK_EQ_INT(sandlock_result_reason(r),
		     timeout ? SANDLOCK_EXIT_REASON_TIMEOUT :
			       SANDLOCK_EXIT_REASON_EXITED);
	sandlock_result_free(r);
	sandlock_handle_free(h);
	orphan = read_pid(dir);
	scratch_remove(dir);
	CHECK(orphan > 0);
	died = lu_until(lu_is_gone, orphan);
	if (!died)
		kill(orphan, SIGKILL);
	CHECK(died);
}

TEST(setsid_process_dies_at_the_end_of_the_run)
{
	setsid_orphan_dies(false);
}

TEST(setsid_process_dies_at_the_timeout)
{
	setsid_orphan_dies(true);
}

/* ---- limits -------------------------------------------------------------- */

TEST(double_fork_is_counted_against_max_processes)
{
	struct hrun o;
	const char *args[] = { "double_fork", "40", NULL };
	int alive = -1;
	char *got;

	got = run_probe(sandlock_sandbox_builder_max_processes(base_builder(),
							       5),
			args, &o);
	CHECK(got);
	CHECK(sscanf(got, "alive=%d", &alive) == 1);
	hrun_free(&o);
	/* The probe itself counts: at most 4 grandchildren at once. */
	if (alive > 4)
		FAIL("%d double-forked processes alive under -P 5", alive);
}

static sandlock_builder_t *mem_builder(void)
{
	return sandlock_sandbox_builder_max_memory(base_builder(), 64ull << 20);
}

static void not_survived(const char *const *args)
{
	struct hrun o;
	char *got = run_probe(mem_builder(), args, &o);

	if (got && strstr(got, "survived"))
		fprintf(stderr, "  %s under -m 64M: %s\n", args[0], got);
	CHECK(!got || !strstr(got, "survived"));
	hrun_free(&o);
}

TEST(memfd_shared_mapping_is_charged)
{
	const char *args[] = { "memfd", "256", NULL };

	not_survived(args);
}

TEST(memfd_mapped_in_windows_is_charged)
{
	const char *args[] = { "memfd_windows", "256", "32", NULL };

	not_survived(args);
}

TEST(copy_on_write_children_are_charged)
{
	const char *args[] = { "cow", "40", "6", NULL };
	struct hrun o;
	int children = -1;
	char *got = run_probe(mem_builder(), args, &o);

	if (got && sscanf(got, "survived children=%d", &children) == 1 &&
	    (children + 1) * 40 > 64)
		FAIL("%d children each dirtied 40 MiB under -m 64M", children);
	hrun_free(&o);
}

/* A memory-limit kill says why: stderr, --status-fd. */
static void memory_kill_reported(const char *limit, const char *bs,
				 const char *message)
{
	struct cli_exec_opts opt = { .pass_fd = -1 };
	struct cli_buf st = { 0 };
	struct cli_args a = { .n = 0 };
	struct cli_result r;
	char *status;
	int p[2];

	CHECK(pipe2(p, O_CLOEXEC) == 0);
	opt.pass_fd = p[1];
	opt.pass_fd_as = 7;
	cli_args_add(&a, "run", NULL);
	cli_args_add_system(&a);
	cli_args_add(&a, "-r", "/dev/zero", "-w", "/dev/null", "--status-fd",
		     "7", "-m", limit, "--", "dd", "if=/dev/zero",
		     "of=/dev/null", bs, "count=1", NULL);
	CHECK_EQ_INT(cli_exec_with(&r, &a, &opt), 0);
	close(p[1]);
	while (cli_buf_read(&st, p[0]))
		;
	close(p[0]);
	status = cli_buf_take(&st);
	CHECK_EXIT(&r, 1);
	CHECK_CONTAINS(r.err, message);
	CHECK_CONTAINS(status, "\"memory_limit\"");
	free(status);
	cli_result_free(&r);
}

TEST(memory_limit_kill_is_reported)
{
	memory_kill_reported("64M", "bs=256M",
			     "sandlock: killed: memory limit 64M exceeded");
}

TEST(memory_limit_zero_kill_is_reported)
{
	memory_kill_reported("0", "bs=1M",
			     "sandlock: killed: memory limit 0 exceeded");
}
