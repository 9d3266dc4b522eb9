/*
 * abi_lifecycle [--valgrind]: drive every ownership path of the public ABI
 * once, for a leak checker (scripts/valgrind.sh runs it under valgrind
 * against the plain build). It also checks the outcomes it sees, so a
 * silent failure is not mistaken for a clean run: exit 0 only when every
 * check held.
 *
 * --valgrind: valgrind implements neither seccomp(2) nor the landlock
 * syscalls. libseccomp's probe of the kernel then reports API level 1 and
 * refuses the filter actions a policy needs, so the level this library
 * requires is pinned; and no sandbox can start, so every launch is still
 * made but expected to fail, which checks its error path for leaks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <seccomp.h>

#include "sandlock.h"
#include "lib/policy.h"

static int checks, failures;
static bool can_launch = true;

#define EXPECT(c)                                                           \
	do {                                                                \
		checks++;                                                   \
		if (!(c)) {                                                 \
			failures++;                                         \
			fprintf(stderr, "abi_lifecycle:%d: %s\n", __LINE__, \
				#c);                                        \
		}                                                           \
	} while (0)

/* A launch must succeed, except where none can (see --valgrind). */
static bool launched(const void *obj)
{
	if (can_launch)
		EXPECT(obj);
	return obj != NULL;
}

static const char *const echo_argv[] = { "echo", "hello" };
static const char *const cat_argv[] = { "cat" };
static const char *const sleep_argv[] = { "sleep", "30" };

static sandlock_sandbox_t *system_policy(void)
{
	sandlock_builder_t *b = grant_system(sandlock_sandbox_builder_new());
	sandlock_sandbox_t *p;
	char *msg = NULL;
	int err = 1;

	b = sandlock_sandbox_builder_env_var(b, "LIFECYCLE", "1");
	b = sandlock_sandbox_builder_max_processes(b, 16);
	p = sandlock_sandbox_build(b, &err, &msg);
	EXPECT(p && err == 0 && !msg);
	if (msg)
		fprintf(stderr, "abi_lifecycle: build: %s\n", msg);
	sandlock_string_free(msg);
	return p;
}

static void result_accessors(sandlock_result_t *r, const char *want_stdout)
{
	uintptr_t len = 0;
	const uint8_t *bytes;
	char *s;

	if (!launched(r))
		return;
	EXPECT(sandlock_result_exit_code(r) == 0);
	EXPECT(sandlock_result_success(r));
	EXPECT(sandlock_result_reason(r) == SANDLOCK_EXIT_REASON_EXITED);
	EXPECT(sandlock_result_signal(r) == -1);
	bytes = sandlock_result_stdout_bytes(r, &len);
	if (want_stdout)
		EXPECT(bytes && len == strlen(want_stdout) &&
		       memcmp(bytes, want_stdout, len) == 0);
	s = sandlock_result_stdout(r);
	if (want_stdout)
		EXPECT(s && strcmp(s, want_stdout) == 0);
	sandlock_string_free(s);
	s = sandlock_result_stderr(r);
	sandlock_string_free(s);
	(void)sandlock_result_stderr_bytes(r, &len);
	sandlock_result_free(r);
}

static void one_shot_runs(sandlock_sandbox_t *p)
{
	char name[32];

	result_accessors(sandlock_run(p, NULL, echo_argv, 2), "hello\n");
	/* a named sandbox: unique, as two live ones of a user may not share it */
	snprintf(name, sizeof(name), "lifecycle-%d", (int)getpid());
	result_accessors(sandlock_run(p, name, echo_argv, 2), "hello\n");
	EXPECT(sandlock_run_interactive(p, NULL, echo_argv, 2) ==
	       (can_launch ? 0 : -1));
}

static void live_handles(sandlock_sandbox_t *p)
{
	sandlock_handle_t *h;
	sandlock_result_t *r;

	/* create, start, wait, free */
	h = sandlock_create(p, NULL, echo_argv, 2);
	if (launched(h)) {
		EXPECT(sandlock_handle_pid(h) > 0);
		EXPECT(sandlock_start(h) == 0);
		EXPECT(sandlock_start(h) == -1);
		result_accessors(sandlock_handle_wait(h), "hello\n");
		/* a second wait: same status, nothing captured */
		r = sandlock_handle_wait(h);
		EXPECT(r && sandlock_result_exit_code(r) == 0);
		sandlock_result_free(r);
		EXPECT(!sandlock_handle_port_mappings(h));
		sandlock_handle_free(h);
	}

	/* the SDKs' Run: create_for_run, start, wait with a limit, free */
	h = sandlock_create_for_run(p, NULL, echo_argv, 2);
	if (launched(h)) {
		EXPECT(sandlock_start(h) == 0);
		result_accessors(sandlock_handle_wait_timeout(h, 60000),
				 "hello\n");
		sandlock_handle_free(h);
	}

	/* created and never started: free kills and reaps */
	h = sandlock_create(p, NULL, echo_argv, 2);
	launched(h);
	sandlock_handle_free(h);

	/* started, killed, waited */
	h = sandlock_create(p, NULL, sleep_argv, 2);
	if (launched(h)) {
		EXPECT(sandlock_start(h) == 0);
		EXPECT(sandlock_handle_kill(h) == 0);
		r = sandlock_handle_wait(h);
		EXPECT(r && sandlock_result_reason(r) ==
				    SANDLOCK_EXIT_REASON_KILLED);
		sandlock_result_free(r);
		EXPECT(sandlock_handle_kill(h) == 0);
		sandlock_handle_free(h);
	}

	/* a timeout */
	h = sandlock_create_for_run(p, NULL, sleep_argv, 2);
	if (launched(h)) {
		EXPECT(sandlock_start(h) == 0);
		r = sandlock_handle_wait_timeout(h, 50);
		EXPECT(r && sandlock_result_reason(r) ==
				    SANDLOCK_EXIT_REASON_TIMEOUT);
		sandlock_result_free(r);
		sandlock_handle_free(h);
	}
}

static void popen_pipes(sandlock_sandbox_t *p)
{
	int in = -1, out = -1, err = -1;
	char buf[64];
	ssize_t n, got = 0;
	sandlock_handle_t *h;
	sandlock_result_t *r;

	h = sandlock_popen(p, NULL, cat_argv, 1, SANDLOCK_STDIO_PIPED,
			   SANDLOCK_STDIO_PIPED, SANDLOCK_STDIO_NULL, &in, &out,
			   &err);
	if (!launched(h)) {
		EXPECT(in == -1 && out == -1 && err == -1);
		return;
	}
	EXPECT(in >= 0 && out >= 0 && err == -1);
	EXPECT(sandlock_start(h) == -1);
	EXPECT(write(in, "ping", 4) == 4);
	close(in);
	while ((n = read(out, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
		got += n;
	close(out);
	EXPECT(got == 4 && memcmp(buf, "ping", 4) == 0);
	r = sandlock_handle_wait(h);
	EXPECT(r && sandlock_result_success(r));
	sandlock_result_free(r);
	sandlock_handle_free(h);
}

static int drops;
static void count_drop(void *ud)
{
	drops++;
}
static int32_t allow_all(const sandlock_event_t *ev, sandlock_ctx_t *ctx,
			 void *ud)
{
	return 0;
}
static int32_t continue_all(void *ud, const sandlock_notif_data_t *n,
			    sandlock_mem_handle_t *mem,
			    sandlock_action_out_t *out)
{
	sandlock_action_set_continue(out);
	return 0;
}
static void init_noop(void)
{
}
static void work_noop(uint32_t id)
{
}

static void build_failures(void)
{
	sandlock_builder_t *b;
	char *msg = NULL;
	int err = 0;
	int *ud;

	b = sandlock_sandbox_builder_max_cpu(sandlock_sandbox_builder_new(), 0);
	b = sandlock_sandbox_builder_fs_read(b, "/usr");
	b = sandlock_sandbox_builder_env_var(b, "K", "V");
	EXPECT(!sandlock_sandbox_build(b, &err, &msg) && err == -1 && msg);
	sandlock_string_free(msg);

	b = sandlock_sandbox_builder_extra_deny_syscalls(
		sandlock_sandbox_builder_new(), "bogus");
	EXPECT(!sandlock_sandbox_build(b, &err, &msg) && msg);
	sandlock_string_free(msg);

	b = sandlock_sandbox_builder_net_allow_bind(
		sandlock_sandbox_builder_new(), "x-y");
	EXPECT(!sandlock_sandbox_build(b, NULL, NULL));

	/* a feature not implemented yet, with heap user data to release */
	drops = 0;
	ud = malloc(sizeof(*ud));
	b = sandlock_sandbox_builder_policy_fn(sandlock_sandbox_builder_new(),
					       allow_all, ud, free);
	b = sandlock_sandbox_builder_random_seed(b, 7);
	EXPECT(!sandlock_sandbox_build(b, &err, &msg) && msg);
	sandlock_string_free(msg);

	EXPECT(!sandlock_sandbox_build(NULL, &err, &msg) && err == -1 && !msg);
}

static void null_and_invalid_arguments(sandlock_sandbox_t *p)
{
	const char *const with_null[] = { "echo", NULL };
	int in = 5, out = 5, err = 5;

	EXPECT(!sandlock_run(NULL, NULL, echo_argv, 2));
	EXPECT(!sandlock_run(p, NULL, echo_argv, 0));
	EXPECT(!sandlock_run(p, NULL, with_null, 2));
	EXPECT(!sandlock_run(p, "a/b", echo_argv, 2));
	EXPECT(!sandlock_run(p, "", echo_argv, 2));
	EXPECT(sandlock_run_interactive(p, "..", echo_argv, 2) == -1);
	EXPECT(!sandlock_create(p, ".", echo_argv, 2));
	EXPECT(!sandlock_popen(p, NULL, echo_argv, 2, 7, 0, 0, &in, &out,
			       &err));
	EXPECT(in == -1 && out == -1 && err == -1);
	EXPECT(sandlock_start(NULL) == -1);
	EXPECT(!sandlock_handle_wait(NULL));
	sandlock_handle_free(NULL);
	sandlock_result_free(NULL);
	sandlock_sandbox_free(NULL);
	sandlock_string_free(NULL);
}

/* Without a workdir a dry run runs and changes nothing. */
static void dry_run(sandlock_sandbox_t *p)
{
	sandlock_dry_run_result_t *d = sandlock_dry_run(p, NULL, echo_argv, 2);
	char *path = sandlock_dry_run_result_change_path(d, 0);

	if (launched(d))
		EXPECT(sandlock_dry_run_result_success(d));
	EXPECT(sandlock_dry_run_result_changes_len(d) == 0 && !path);
	sandlock_dry_run_result_free(d);
}

/* Custom handlers and a policy callback: their user data released once,
 * whether or not the run could start. */
static void dynamic_policy(sandlock_sandbox_t *p)
{
	sandlock_handler_registration_t regs[2];
	sandlock_builder_t *b;
	sandlock_sandbox_t *q;
	sandlock_result_t *r;

	drops = 0;
	regs[0] = (sandlock_handler_registration_t){
		SYS_getpid,
		sandlock_handler_new(continue_all, malloc(8), free, 0)
	};
	regs[1] = (sandlock_handler_registration_t){
		SYS_getppid,
		sandlock_handler_new(continue_all, NULL, count_drop, 1)
	};
	r = sandlock_run_with_handlers(p, NULL, echo_argv, 2, regs, 2);
	if (launched(r))
		EXPECT(sandlock_result_success(r));
	sandlock_result_free(r);
	EXPECT(drops == 1);
	sandlock_handler_free(
		sandlock_handler_new(continue_all, malloc(8), free, 2));

	b = sandlock_sandbox_builder_policy_fn(sandlock_sandbox_builder_new(),
					       allow_all, malloc(8), free);
	b = sandlock_sandbox_builder_fs_read(b, "/usr");
	q = sandlock_sandbox_build(b, NULL, NULL);
	if (q) {
		r = sandlock_run(q, NULL, echo_argv, 2);
		sandlock_result_free(r);
	}
	sandlock_sandbox_free(q);
}

static void unsupported_features(sandlock_sandbox_t *p)
{
	sandlock_pipeline_t *pl = sandlock_pipeline_new();
	sandlock_gather_t *g = sandlock_gather_new();
	sandlock_action_out_t act = { 0 };

	sandlock_pipeline_add_stage(pl, p, echo_argv, 2);
	sandlock_pipeline_add_stage(pl, p, cat_argv, 1);
	EXPECT(!sandlock_pipeline_run(pl, 0));
	pl = sandlock_pipeline_new();
	sandlock_pipeline_add_stage(pl, p, echo_argv, 2);
	sandlock_pipeline_free(pl);

	sandlock_gather_add_source(g, "a", p, echo_argv, 2);
	sandlock_gather_set_consumer(g, p, cat_argv, 1);
	EXPECT(!sandlock_gather_run(g, 0));
	g = sandlock_gather_new();
	sandlock_gather_set_consumer(g, p, cat_argv, 1);
	sandlock_gather_free(g);

	EXPECT(!sandlock_new_with_fns(p, NULL, init_noop, work_noop));
	EXPECT(!sandlock_checkpoint_load("/nonexistent"));

	sandlock_action_set_inject_bytes(&act, (const uint8_t *)"data", 4, 0);
	EXPECT(act.kind == SANDLOCK_ACTION_INJECT_FD_SEND);
	if (act.kind == SANDLOCK_ACTION_INJECT_FD_SEND)
		close(act.payload.inject_send.srcfd);
}

int main(int argc, char **argv)
{
	sandlock_sandbox_t *p;

	if (argc > 1 && strcmp(argv[1], "--valgrind") == 0) {
		/* SCMP_ACT_NOTIFY, the newest action in use, needs level 6 */
		if (seccomp_api_set(6) != 0) {
			fprintf(stderr,
				"abi_lifecycle: libseccomp lacks API level 6\n");
			return 1;
		}
		can_launch = false;
		printf("abi_lifecycle: under valgrind, which lacks seccomp(2) and "
		       "landlock(2): launches are expected to fail\n");
		fflush(stdout); /* before the library's messages about it */
	}
	p = system_policy();

	build_failures();
	if (p) {
		one_shot_runs(p);
		live_handles(p);
		popen_pipes(p);
		null_and_invalid_arguments(p);
		dry_run(p);
		dynamic_policy(p);
		unsupported_features(p);
		sandlock_sandbox_free(p);
	}
	printf("abi_lifecycle: %d passed, %d failed\n", checks - failures,
	       failures);
	return failures ? 1 : 0;
}
