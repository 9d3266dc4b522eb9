/*
 * Custom syscall handlers (docs/abi.md 3.22, docs/behaviour.md 13.5) on real
 * sandboxes: each action, the exception policies, deferred handlers and
 * their limits, child memory through the helpers, the registration rules,
 * and the ownership of the containers and their user data.
 */
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "harness.h"
#include "lib/hostenv.h"
#include "lib/paths.h"
#include "lib/policy.h"
#include "lib/run.h"
#include "lib/scratch.h"

struct result {
	bool ran;
	uint32_t reason;
	int code;
	char *out, *err;
};

/* Run handler_probe ARGS (NULL-terminated) under a base policy (plus
 * writable dir, if any) with regs. */
static struct result run_regs(const char *dir, const char *const *args,
			      sandlock_handler_registration_t *regs, size_t n)
{
	sandlock_builder_t *b = base_builder();
	struct result o = { .code = -1 };
	const char *argv[8];
	unsigned argc = 0;
	struct hrun h;

	if (dir)
		b = sandlock_sandbox_builder_fs_write(b, dir);
	argv[argc++] = helper("handler_probe");
	while (*args && argc < 7)
		argv[argc++] = *args++;
	argv[argc] = NULL;
	hrun_handlers(b, argv, regs, n, &h);
	if (h.build_err)
		fprintf(stderr, "  build: %s\n", h.build_err);
	o.ran = h.ok;
	o.reason = h.reason;
	o.code = h.code;
	o.out = h.out;
	o.err = h.err;
	h.out = h.err = NULL;
	hrun_free(&h);
	return o;
}

#define RUN_REGS(dir, regs, n, ...) \
	run_regs((dir), (const char *const[]){ __VA_ARGS__, NULL }, (regs), (n))

static void result_free(struct result *o)
{
	sandlock_string_free(o->out);
	sandlock_string_free(o->err);
}

static _Atomic int drops;

static void count_drop(void *ud)
{
	(void)ud;
	atomic_fetch_add(&drops, 1);
}

/* ---- actions --------------------------------------------------------------- */

static int32_t answer_getpid(void *ud, const sandlock_notif_data_t *n,
			     sandlock_mem_handle_t *mem,
			     sandlock_action_out_t *out)
{
	(void)mem;
	if (n->syscall_nr != SYS_getpid)
		return 1;
	sandlock_action_set_return_value(out, *(int64_t *)ud);
	return 0;
}

TEST(a_handler_answers_getpid)
{
	static int64_t value = 4242;
	sandlock_handler_registration_t regs[] = {
		{ sandlock_syscall_nr("getpid"),
		  sandlock_handler_new(answer_getpid, &value, count_drop, 0) },
	};
	struct result o;

	atomic_store(&drops, 0);
	CHECK(regs[0].syscall_nr == SYS_getpid);
	o = RUN_REGS(NULL, regs, 1, "getpid");
	CHECK(o.ran);
	CHECK_STR(o.out, "pid 4242\n");
	/* the container died with the run, its user data dropped once */
	CHECK_EQ_INT(atomic_load(&drops), 1);
	result_free(&o);
}

static int32_t answer_getpgid(void *ud, const sandlock_notif_data_t *n,
			      sandlock_mem_handle_t *mem,
			      sandlock_action_out_t *out)
{
	(void)ud;
	(void)mem;
	sandlock_action_set_return_value(
		out, n->syscall_nr == SYS_getpgid ? 4343 : -1);
	return 0;
}

/* A built-in module notifies getpgid only for another process's pid; a
 * handler on it sees every call, getpgid(0) included. */
TEST(a_handler_sees_calls_a_builtin_narrows)
{
	sandlock_handler_registration_t regs[] = {
		{ SYS_getpgid,
		  sandlock_handler_new(answer_getpgid, NULL, count_drop, 0) },
	};
	struct result o;

	o = RUN_REGS(NULL, regs, 1, "getpgid0");
	CHECK(o.ran);
	CHECK_STR(o.out, "pgid 4343\n");
	result_free(&o);
}

/* openat of /virtual/greeting: a sealed memory file with a greeting. */
static int32_t serve_greeting(void *ud, const sandlock_notif_data_t *n,
			      sandlock_mem_handle_t *mem,
			      sandlock_action_out_t *out)
{
	static const char text[] = "hello from the handler";
	char path[256];
	uintptr_t len;

	(void)ud;
	if (sandlock_mem_read_cstr(mem, n->args[1], (uint8_t *)path,
				   sizeof(path), &len) == 0 &&
	    strcmp(path, "/virtual/greeting") == 0)
		sandlock_action_set_inject_bytes(out, (const uint8_t *)text,
						 sizeof(text) - 1,
						 *(uint32_t *)ud);
	else
		sandlock_action_set_continue(out);
	return 0;
}

TEST(a_handler_injects_bytes_as_a_file)
{
	static uint32_t sealed = 0, writable = SANDLOCK_INJECT_WRITABLE |
					       SANDLOCK_INJECT_NO_CLOEXEC;
	sandlock_handler_registration_t regs[] = {
		{ SYS_openat,
		  sandlock_handler_new(serve_greeting, &sealed, NULL, 0) },
	};
	struct result o = RUN_REGS(NULL, regs, 1, "open", "/virtual/greeting");

	CHECK(o.ran);
	/* sealed against writing, close-on-exec by default */
	CHECK_STR(o.out,
		  "read hello from the handler\nwrite EPERM\ncloexec 1\n");
	result_free(&o);

	regs[0].handler =
		sandlock_handler_new(serve_greeting, &writable, NULL, 0);
	o = RUN_REGS(NULL, regs, 1, "open", "/virtual/greeting");
	CHECK(o.ran);
	CHECK_STR(o.out, "read hello from the handler\nwrite OK\ncloexec 0\n");
	result_free(&o);
}

/* openat of the path ud: the greeting, sealed. */
static int32_t serve_named(void *ud, const sandlock_notif_data_t *n,
			   sandlock_mem_handle_t *mem,
			   sandlock_action_out_t *out)
{
	static const char text[] = "hello from the handler";
	char path[256];
	uintptr_t len;

	if (sandlock_mem_read_cstr(mem, n->args[1], (uint8_t *)path,
				   sizeof(path), &len) == 0 &&
	    strcmp(path, (const char *)ud) == 0)
		sandlock_action_set_inject_bytes(out, (const uint8_t *)text,
						 sizeof(text) - 1, 0);
	else
		sandlock_action_set_continue(out);
	return 0;
}

/* With /proc granted the filesystem view resolves every open; a path the
 * kernel has never looked up misses the dentry cache, so it is resolved
 * on a worker. What the view lets through there still reaches the custom
 * handlers (the worker used to answer it itself: CONTINUE, ENOENT). */
TEST(a_handler_sees_opens_the_view_resolved_on_a_worker)
{
	sandlock_builder_t *b = base_builder();
	sandlock_handler_registration_t regs[1];
	struct timespec ts;
	char path[128];
	const char *argv[4];
	struct hrun h;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(path, sizeof(path), "/sandlock-never-%d-%ld/greeting",
		 (int)getpid(), (long)ts.tv_nsec);
	b = sandlock_sandbox_builder_fs_read(b, "/proc");
	regs[0] = (sandlock_handler_registration_t){
		SYS_openat, sandlock_handler_new(serve_named, path, NULL, 0)
	};
	argv[0] = helper("handler_probe");
	argv[1] = "open";
	argv[2] = path;
	argv[3] = NULL;
	hrun_handlers(b, argv, regs, 1, &h);
	CHECK(h.ok);
	CHECK_STR(h.out,
		  "read hello from the handler\nwrite EPERM\ncloexec 1\n");
	hrun_free(&h);
}

/* uname: the nodename written into the child's buffer. */
static int32_t fake_uname(void *ud, const sandlock_notif_data_t *n,
			  sandlock_mem_handle_t *mem,
			  sandlock_action_out_t *out)
{
	struct utsname u;
	uintptr_t got = 0;

	(void)ud;
	memset(&u, 0, sizeof(u));
	if (uname(&u) < 0 ||
	    sandlock_mem_read(mem, n->args[0], (uint8_t *)&u, sizeof(u), &got) <
		    0 ||
	    got != sizeof(u))
		return -1;
	snprintf(u.nodename, sizeof(u.nodename), "handled-host");
	if (sandlock_mem_write(mem, n->args[0], (const uint8_t *)&u,
			       sizeof(u)) < 0)
		return -1;
	sandlock_action_set_return_value(out, 0);
	return 0;
}

TEST(a_handler_writes_child_memory)
{
	sandlock_handler_registration_t regs[] = {
		{ SYS_uname, sandlock_handler_new(fake_uname, NULL, NULL, 0) },
	};
	struct result o = RUN_REGS(NULL, regs, 1, "uname");

	CHECK(o.ran);
	CHECK_STR(o.out, "nodename handled-host\n");
	result_free(&o);
}

/* ---- exceptions ------------------------------------------------------------- */

static int32_t fail(void *ud, const sandlock_notif_data_t *n,
		    sandlock_mem_handle_t *mem, sandlock_action_out_t *out)
{
	(void)ud;
	(void)n;
	(void)mem;
	(void)out;
	return 1;
}

/* A decision the library cannot use: no setter called. */
static int32_t no_decision(void *ud, const sandlock_notif_data_t *n,
			   sandlock_mem_handle_t *mem,
			   sandlock_action_out_t *out)
{
	(void)ud;
	(void)n;
	(void)mem;
	(void)out;
	return 0;
}

static struct result mkdir_with(char *dir, sandlock_handler_t *h)
{
	char path[128];
	sandlock_handler_registration_t regs[] = { { SYS_mkdir, h } };

	snprintf(path, sizeof(path), "%s/made", dir);
	rmdir(path);
	return RUN_REGS(dir, regs, 1, "mkdir", path);
}

TEST(a_failing_handler_falls_to_its_exception_policy)
{
	char dir[64];
	struct result o;

	if (!scratch_dir(dir, sizeof(dir)))
		FAIL("scratch dir");
	o = mkdir_with(dir, sandlock_handler_new(fail, NULL, NULL,
						 SANDLOCK_EXCEPTION_DENY_EIO));
	CHECK(o.ran);
	CHECK_STR(o.out, "mkdir EIO\n");
	result_free(&o);
	o = mkdir_with(dir,
		       sandlock_handler_new(no_decision, NULL, NULL,
					    SANDLOCK_EXCEPTION_DENY_EPERM));
	CHECK(o.ran);
	CHECK_STR(o.out, "mkdir EPERM\n");
	result_free(&o);
	o = mkdir_with(dir, sandlock_handler_new(fail, NULL, NULL,
						 SANDLOCK_EXCEPTION_CONTINUE));
	CHECK(o.ran);
	CHECK_STR(o.out, "mkdir OK\n");
	result_free(&o);
	/* KILL: the trapped process's group dies */
	o = mkdir_with(dir, sandlock_handler_new(fail, NULL, NULL,
						 SANDLOCK_EXCEPTION_KILL));
	CHECK(o.ran);
	CHECK_EQ_INT(o.reason, SANDLOCK_EXIT_REASON_KILLED);
	CHECK_STR(o.out, "");
	result_free(&o);
	scratch_remove(dir);
}

/* An errno, and a kill of another group than the trapped one (refused,
 * then the exception policy). */
static int32_t errno_or_kill(void *ud, const sandlock_notif_data_t *n,
			     sandlock_mem_handle_t *mem,
			     sandlock_action_out_t *out)
{
	(void)n;
	(void)mem;
	if (ud)
		sandlock_action_set_kill(out, SIGKILL, getpgrp());
	else
		sandlock_action_set_errno(out, ENOSPC);
	return 0;
}

TEST(errno_and_refused_kill_actions)
{
	char dir[64];
	struct result o;

	if (!scratch_dir(dir, sizeof(dir)))
		FAIL("scratch dir");
	o = mkdir_with(dir, sandlock_handler_new(errno_or_kill, NULL, NULL, 0));
	CHECK(o.ran);
	CHECK_STR(o.out, "mkdir ENOSPC\n");
	result_free(&o);
	/* our own group is never a target: DENY_EIO instead */
	o = mkdir_with(dir, sandlock_handler_new(errno_or_kill, dir, NULL,
						 SANDLOCK_EXCEPTION_DENY_EIO));
	CHECK(o.ran);
	CHECK_STR(o.out, "mkdir EIO\n");
	result_free(&o);
	scratch_remove(dir);
}

/* ---- chains --------------------------------------------------------------------- */

static int32_t cont(void *ud, const sandlock_notif_data_t *n,
		    sandlock_mem_handle_t *mem, sandlock_action_out_t *out)
{
	(void)n;
	(void)mem;
	atomic_fetch_add((_Atomic int *)ud, 1);
	sandlock_action_set_continue(out);
	return 0;
}

TEST(handlers_run_in_registration_order_until_a_decision)
{
	static _Atomic int first, third;
	char dir[64], path[128];
	sandlock_handler_t *h_cont =
		sandlock_handler_new(cont, &first, count_drop, 0);
	sandlock_handler_registration_t regs[] = {
		{ SYS_mkdir, h_cont },
		{ SYS_mkdir,
		  sandlock_handler_new(errno_or_kill, NULL, count_drop, 0) },
		{ SYS_mkdir,
		  sandlock_handler_new(cont, &third, count_drop, 0) },
		{ SYS_rmdir, h_cont }, /* one container, two syscalls */
	};
	struct result o;

	if (!scratch_dir(dir, sizeof(dir)))
		FAIL("scratch dir");
	snprintf(path, sizeof(path), "%s/made", dir);
	atomic_store(&drops, 0);
	o = RUN_REGS(dir, regs, 4, "mkdir", path);
	CHECK(o.ran);
	CHECK_STR(o.out, "mkdir ENOSPC\n");
	CHECK_EQ_INT(atomic_load(&first), 1);
	CHECK_EQ_INT(atomic_load(&third), 0);
	/* each distinct container dropped once */
	CHECK_EQ_INT(atomic_load(&drops), 3);
	result_free(&o);
	scratch_remove(dir);
}

/* ---- deferred --------------------------------------------------------------------- */

static sem_t release;

/* Blocks until the test releases it (after the run: the deadline has
 * answered by then). */
static int32_t wait_release(void *ud, const sandlock_notif_data_t *n,
			    sandlock_mem_handle_t *mem,
			    sandlock_action_out_t *out)
{
	(void)ud;
	(void)n;
	(void)mem;
	sem_wait(&release);
	sandlock_action_set_errno(out, ENOSPC);
	return 0;
}

TEST(deferred_handlers_64_in_flight_then_eagain_and_eio_after_30s)
{
	char dir[64], base[128];
	sandlock_handler_t *h =
		sandlock_handler_new(wait_release, NULL, count_drop, 0);
	sandlock_handler_registration_t regs[] = { { SYS_mkdir, h } };
	struct result o;

	if (!scratch_dir(dir, sizeof(dir)))
		FAIL("scratch dir");
	snprintf(base, sizeof(base), "%s/d", dir);
	sem_init(&release, 0, 0);
	atomic_store(&drops, 0);
	sandlock_handler_set_deferred(h, true);
	/* 80 threads: 64 held by the handler, which never answers, the
	 * others refused with EAGAIN; the 64 get EIO after 30 s */
	o = RUN_REGS(dir, regs, 1, "threads", "80", base);
	CHECK(o.ran);
	CHECK_STR(o.out, "EIO 64\nEAGAIN 16\n");
	result_free(&o);
	/* the handler's calls still run: its user data waits for them */
	CHECK_EQ_INT(atomic_load(&drops), 0);
	for (int i = 0; i < 64; i++)
		sem_post(&release);
	for (int i = 0; i < 500 && atomic_load(&drops) == 0; i++)
		usleep(10000);
	CHECK_EQ_INT(atomic_load(&drops), 1);
	scratch_remove(dir);
}

static int32_t allow_exec(void *ud, const sandlock_notif_data_t *n,
			  sandlock_mem_handle_t *mem,
			  sandlock_action_out_t *out)
{
	(void)ud;
	(void)n;
	(void)mem;
	sandlock_action_set_continue(out);
	return 0;
}

TEST(deferred_handlers_refused_on_exec)
{
	sandlock_handler_t *h = sandlock_handler_new(allow_exec, NULL, NULL, 0);
	sandlock_handler_registration_t regs[] = { { SYS_execve, h } };
	struct result o;

	if (!he_can_freeze()) {
		sandlock_handler_free(h);
		SKIP("ptrace or kcmp refused here: a handler on exec is "
		     "refused (test_hosting)");
	}
	sandlock_handler_set_deferred(h, true);
	o = RUN_REGS(NULL, regs, 1, "getpid");
	CHECK(o.ran);
	CHECK_EQ_INT(o.code, 127);
	CHECK_CONTAINS(o.err, "Operation not permitted");
	result_free(&o);
}

/* ---- registration ------------------------------------------------------------------- */

TEST(registrations_refused_and_their_handlers_dropped)
{
	sandlock_sandbox_t *p =
		sandlock_sandbox_build(base_builder(), NULL, NULL);
	const char *argv[] = { "/bin/true" };
	sandlock_handler_registration_t regs[2];

	CHECK(p);
	atomic_store(&drops, 0);
	/* a syscall the policy denies (mount is in the default list) */
	regs[0] = (sandlock_handler_registration_t){
		SYS_mount, sandlock_handler_new(allow_exec, NULL, count_drop, 0)
	};
	regs[1] = (sandlock_handler_registration_t){
		SYS_getpid,
		sandlock_handler_new(allow_exec, NULL, count_drop, 0)
	};
	CHECK(!sandlock_run_with_handlers(p, NULL, argv, 1, regs, 2));
	CHECK_EQ_INT(atomic_load(&drops), 2);
	/* no such syscall */
	regs[0] = (sandlock_handler_registration_t){
		-1, sandlock_handler_new(allow_exec, NULL, count_drop, 0)
	};
	CHECK(!sandlock_run_with_handlers(p, NULL, argv, 1, regs, 1));
	regs[0] = (sandlock_handler_registration_t){
		900, sandlock_handler_new(allow_exec, NULL, count_drop, 0)
	};
	CHECK(!sandlock_run_with_handlers(p, NULL, argv, 1, regs, 1));
	CHECK_EQ_INT(atomic_load(&drops), 4);
	/* every syscall of the architecture has a number */
	CHECK(sandlock_syscall_nr("getpid") == SYS_getpid);
	CHECK(sandlock_syscall_nr("uname") == SYS_uname);
	CHECK(sandlock_syscall_nr("not_a_syscall") == -1);
	sandlock_sandbox_free(p);
}

/* ---- exec ---------------------------------------------------------------------------- */

/* execve of anything whose argv[1] is "tok-refuse": EACCES. The argv is
 * read with the sandbox held still (the freeze a handler on exec gets). */
static int32_t refuse_token(void *ud, const sandlock_notif_data_t *n,
			    sandlock_mem_handle_t *mem,
			    sandlock_action_out_t *out)
{
	uint64_t argv1 = 0;
	uintptr_t got = 0;
	char arg[64];

	(void)ud;
	if (sandlock_mem_read(mem, n->args[1] + sizeof(uint64_t),
			      (uint8_t *)&argv1, sizeof(argv1), &got) == 0 &&
	    got == sizeof(argv1) && argv1 &&
	    sandlock_mem_read_cstr(mem, argv1, (uint8_t *)arg, sizeof(arg),
				   &got) == 0 &&
	    strcmp(arg, "tok-refuse") == 0)
		sandlock_action_set_errno(out, EACCES);
	else
		sandlock_action_set_continue(out);
	return 0;
}

TEST(a_handler_on_exec_reads_the_argv_that_runs)
{
	sandlock_handler_registration_t regs[] = {
		{ SYS_execve,
		  sandlock_handler_new(refuse_token, NULL, NULL, 0) },
	};
	sandlock_sandbox_t *p =
		sandlock_sandbox_build(base_builder(), NULL, NULL);
	const char *argv[] = { "/bin/sh", "-c",
			       "/bin/echo tok-refuse; /bin/echo tok-fine" };
	sandlock_result_t *r;
	char *out, *err;

	CHECK(p);
	if (!he_can_freeze()) {
		sandlock_sandbox_free(p);
		sandlock_handler_free(regs[0].handler);
		SKIP("ptrace or kcmp refused here: a handler on exec is "
		     "refused (test_hosting)");
	}
	r = sandlock_run_with_handlers(p, NULL, argv, 3, regs, 1);
	sandlock_sandbox_free(p);
	CHECK(r);
	out = sandlock_result_stdout(r);
	err = sandlock_result_stderr(r);
	CHECK_STR(out, "tok-fine\n");
	CHECK_CONTAINS(err, "Permission denied");
	sandlock_string_free(out);
	sandlock_string_free(err);
	sandlock_result_free(r);
}
