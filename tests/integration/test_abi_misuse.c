/*
 * Misuse of the public ABI: NULL and invalid arguments produce the
 * documented neutral values (never a crash), bad policies fail to build
 * with a message, features that do not exist yet fail naming the feature,
 * and ownership transfers (builder, policy_fn user data, handlers,
 * pipelines, gathers) hold on every failure path. Runs under ASan+UBSan,
 * so a leak on one of these paths fails the suite too.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandlock.h"
#include "harness.h"
#include "lib/policy.h"
#include "lib/scratch.h"

/* A policy that could run ordinary programs. */
static sandlock_sandbox_t *basic_policy(void)
{
	return lu_build(grant_system(sandlock_sandbox_builder_new()));
}

/* Build b and expect a failure whose message contains want. */
static bool build_fails_with(sandlock_builder_t *b, const char *want)
{
	int err = 0;
	char *msg = (char *)"stale";
	sandlock_sandbox_t *p = sandlock_sandbox_build(b, &err, &msg);
	bool ok = !p && err == -1 && msg && strstr(msg, want);

	if (!ok)
		fprintf(stderr,
			"  build: policy %p err %d msg \"%s\", wanted \"%s\"\n",
			(void *)p, err, msg ? msg : "(null)", want);
	sandlock_sandbox_free(p);
	sandlock_string_free(msg);
	return ok;
}

/* ---- builder ----------------------------------------------------------- */

static int32_t allow_all(const sandlock_event_t *ev, sandlock_ctx_t *ctx,
			 void *ud)
{
	return 0;
}
static void init_noop(void)
{
}
static void work_noop(uint32_t id)
{
}

TEST(null_builder_through_every_setter)
{
	const uint32_t one[] = { 0 };

	CHECK(!sandlock_sandbox_builder_fs_read(NULL, "/"));
	CHECK(!sandlock_sandbox_builder_fs_write(NULL, "/"));
	CHECK(!sandlock_sandbox_builder_fs_deny(NULL, "/"));
	CHECK(!sandlock_sandbox_builder_workdir(NULL, "/"));
	CHECK(!sandlock_sandbox_builder_cwd(NULL, "/"));
	CHECK(!sandlock_sandbox_builder_chroot(NULL, "/"));
	CHECK(!sandlock_sandbox_builder_fs_mount(NULL, "/a", "/b"));
	CHECK(!sandlock_sandbox_builder_fs_mount_ro(NULL, "/a", "/b"));
	CHECK(!sandlock_sandbox_builder_fs_storage(NULL, "/"));
	CHECK(!sandlock_sandbox_builder_on_exit(NULL, 1));
	CHECK(!sandlock_sandbox_builder_on_error(NULL, 1));
	CHECK(!sandlock_sandbox_builder_max_memory(NULL, 1));
	CHECK(!sandlock_sandbox_builder_max_disk(NULL, 1));
	CHECK(!sandlock_sandbox_builder_max_processes(NULL, 1));
	CHECK(!sandlock_sandbox_builder_max_open_files(NULL, 1));
	CHECK(!sandlock_sandbox_builder_max_cpu(NULL, 1));
	CHECK(!sandlock_sandbox_builder_num_cpus(NULL, 1));
	CHECK(!sandlock_sandbox_builder_cpu_cores(NULL, one, 1));
	CHECK(!sandlock_sandbox_builder_gpu_devices(NULL, NULL, 0));
	CHECK(!sandlock_sandbox_builder_net_allow(NULL, ":80"));
	CHECK(!sandlock_sandbox_builder_net_deny(NULL, ":80"));
	CHECK(!sandlock_sandbox_builder_net_allow_bind(NULL, "80"));
	CHECK(!sandlock_sandbox_builder_net_deny_bind(NULL, "80"));
	CHECK(!sandlock_sandbox_builder_port_remap(NULL, true));
	CHECK(!sandlock_sandbox_builder_http_allow(NULL, "GET x"));
	CHECK(!sandlock_sandbox_builder_http_deny(NULL, "GET x"));
	CHECK(!sandlock_sandbox_builder_http_port(NULL, 80));
	CHECK(!sandlock_sandbox_builder_http_ca(NULL, "/ca"));
	CHECK(!sandlock_sandbox_builder_http_key(NULL, "/key"));
	CHECK(!sandlock_sandbox_builder_http_inject_ca(NULL, "/ca"));
	CHECK(!sandlock_sandbox_builder_http_ca_out(NULL, "/ca"));
	CHECK(!sandlock_sandbox_builder_random_seed(NULL, 1));
	CHECK(!sandlock_sandbox_builder_time_start(NULL, 1));
	CHECK(!sandlock_sandbox_builder_no_randomize_memory(NULL, true));
	CHECK(!sandlock_sandbox_builder_no_huge_pages(NULL, true));
	CHECK(!sandlock_sandbox_builder_deterministic_dirs(NULL, true));
	CHECK(!sandlock_sandbox_builder_clean_env(NULL, true));
	CHECK(!sandlock_sandbox_builder_env_var(NULL, "K", "V"));
	CHECK(!sandlock_sandbox_builder_extra_deny_syscalls(NULL, "mount"));
	CHECK(!sandlock_sandbox_builder_extra_allow_syscalls(NULL, "sysv_ipc"));
	CHECK(!sandlock_sandbox_builder_user(NULL, 1, 1));
	CHECK(!sandlock_sandbox_builder_no_coredump(NULL, true));
	CHECK(!sandlock_sandbox_builder_allow_degraded(NULL, 0));
	CHECK(!sandlock_sandbox_builder_disable(NULL, 1));
	CHECK(!sandlock_sandbox_builder_policy_fn(NULL, allow_all, NULL, NULL));
	CHECK(!sandlock_sandbox_builder_net_bind_port(NULL, 80));
	CHECK(!sandlock_sandbox_builder_uid(NULL, 1));
	CHECK(!sandlock_sandbox_builder_net_allow_bind_port(NULL, 80));
	CHECK(!sandlock_sandbox_builder_net_deny_bind_port(NULL, 80));
}

TEST(null_required_arguments_leave_the_builder_usable)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_new();
	sandlock_sandbox_t *p;
	int err = 1;

	CHECK(b);
	CHECK(sandlock_sandbox_builder_fs_read(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_fs_write(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_fs_deny(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_workdir(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_cwd(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_chroot(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_fs_mount(b, NULL, "/x") == b);
	CHECK(sandlock_sandbox_builder_fs_mount(b, "/x", NULL) == b);
	CHECK(sandlock_sandbox_builder_fs_mount_ro(b, "", "/x") == b);
	CHECK(sandlock_sandbox_builder_fs_mount(b, "/v\xff", "/x") == b);
	CHECK(sandlock_sandbox_builder_fs_storage(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_cpu_cores(b, NULL, 4) == b);
	CHECK(sandlock_sandbox_builder_gpu_devices(b, NULL, 4) == b);
	CHECK(sandlock_sandbox_builder_net_allow(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_net_deny(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_net_allow_bind(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_net_deny_bind(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_http_allow(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_http_deny(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_http_ca(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_http_key(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_http_inject_ca(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_http_ca_out(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_env_var(b, NULL, "v") == b);
	CHECK(sandlock_sandbox_builder_env_var(b, "k", NULL) == b);
	CHECK(sandlock_sandbox_builder_extra_deny_syscalls(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_extra_allow_syscalls(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_allow_degraded(b, 6) == b);
	CHECK(sandlock_sandbox_builder_disable(b, 0xffffffffu) == b);
	CHECK(sandlock_sandbox_builder_policy_fn(b, NULL, NULL, NULL) == b);
	/* none of the ignored calls left anything behind: it still builds */
	p = sandlock_sandbox_build(b, &err, NULL);
	CHECK(p);
	CHECK_EQ_INT(err, 0);
	sandlock_sandbox_free(p);
}

TEST(build_of_null_builder)
{
	int err = 0;
	char *msg = (char *)"stale";

	CHECK(!sandlock_sandbox_build(NULL, &err, &msg));
	CHECK_EQ_INT(err, -1);
	CHECK(msg == NULL);
	CHECK(!sandlock_sandbox_build(NULL, NULL, NULL));
}

TEST(build_success_resets_outputs)
{
	int err = 5;
	char *msg = (char *)"stale";
	sandlock_sandbox_t *p = sandlock_sandbox_build(
		sandlock_sandbox_builder_new(), &err, &msg);

	CHECK(p);
	CHECK_EQ_INT(err, 0);
	CHECK(msg == NULL);
	sandlock_sandbox_free(p);
	/* err and err_msg are optional */
	p = sandlock_sandbox_build(sandlock_sandbox_builder_new(), NULL, NULL);
	CHECK(p);
	sandlock_sandbox_free(p);
}

#define BUILDER(...) sandlock_sandbox_builder_new()

TEST(build_errors_come_with_a_message)
{
	sandlock_builder_t *b;

	CHECK(build_fails_with(sandlock_sandbox_builder_max_cpu(BUILDER(), 0),
			       "max_cpu"));
	CHECK(build_fails_with(sandlock_sandbox_builder_max_cpu(BUILDER(), 101),
			       "max_cpu"));
	CHECK(build_fails_with(
		sandlock_sandbox_builder_max_open_files(BUILDER(), 0),
		"max_open_files"));
	CHECK(build_fails_with(
		sandlock_sandbox_builder_net_allow_bind(BUILDER(), "80-"),
		"port"));
	CHECK(build_fails_with(
		sandlock_sandbox_builder_net_allow_bind(BUILDER(), "9-1"),
		"port"));
	CHECK(build_fails_with(
		sandlock_sandbox_builder_net_allow_bind(BUILDER(), "*,22"),
		"port"));
	CHECK(build_fails_with(
		sandlock_sandbox_builder_net_allow_bind(BUILDER(), "http"),
		"port"));
	CHECK(build_fails_with(sandlock_sandbox_builder_extra_deny_syscalls(
				       BUILDER(), "mount,nosuchcall"),
			       "nosuchcall"));
	CHECK(build_fails_with(sandlock_sandbox_builder_extra_allow_syscalls(
				       BUILDER(), "getpid"),
			       "getpid"));
	CHECK(build_fails_with(sandlock_sandbox_builder_disable(
				       BUILDER(), SANDLOCK_PROTECTION_FS_REFER),
			       "FsRefer"));
	CHECK(build_fails_with(sandlock_sandbox_builder_http_ca(BUILDER(),
								"/ca.pem"),
			       "http-key"));
	CHECK(build_fails_with(sandlock_sandbox_builder_http_key(BUILDER(),
								 "/key.pem"),
			       "http-ca"));
	b = sandlock_sandbox_builder_net_allow(BUILDER(), ":80");
	b = sandlock_sandbox_builder_net_deny(b, "10.0.0.0/8");
	CHECK(build_fails_with(b, "mutually exclusive"));
	b = sandlock_sandbox_builder_net_allow_bind(BUILDER(), "80");
	b = sandlock_sandbox_builder_net_deny_bind(b, "81");
	CHECK(build_fails_with(b, "net"));
	CHECK(build_fails_with(sandlock_sandbox_builder_net_allow(
				       BUILDER(), "tcp://:notaport"),
			       "notaport"));
}

/*
 * Settings whose feature does not exist yet make the build fail naming
 * it (docs/decisions.md decision 7). When a feature lands, delete its row here.
 */
TEST(unsupported_features_fail_to_build_naming_the_feature)
{
	struct {
		sandlock_builder_t *b;
		const char *feature;
	} rows[] = {
		{ sandlock_sandbox_builder_chroot(BUILDER(), "/"), "chroot" },
		{ sandlock_sandbox_builder_fs_mount(BUILDER(), "/v", "/usr"),
		  "chroot" },
		{ sandlock_sandbox_builder_http_allow(BUILDER(),
						      "GET example.com/*"),
		  "HTTP" },
		{ sandlock_sandbox_builder_random_seed(BUILDER(), 42),
		  "random_seed" },
		{ sandlock_sandbox_builder_time_start(BUILDER(), 0),
		  "time_start" },
		{ sandlock_sandbox_builder_deterministic_dirs(BUILDER(), true),
		  "deterministic_dirs" },
		{ sandlock_sandbox_builder_num_cpus(BUILDER(), 1), "num_cpus" },
	};
	int bad = 0;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int err = 0;
		char *msg = NULL;
		sandlock_sandbox_t *p =
			sandlock_sandbox_build(rows[i].b, &err, &msg);

		if (p || err != -1 || !msg ||
		    !strstr(msg, "not supported yet") ||
		    !strstr(msg, rows[i].feature)) {
			fprintf(stderr, "  %s: built %d, message \"%s\"\n",
				rows[i].feature, p != NULL,
				msg ? msg : "(null)");
			bad++;
		}
		sandlock_sandbox_free(p);
		sandlock_string_free(msg);
	}
	CHECK_EQ_INT(bad, 0);
}

/* The message names the feature, not just "not supported". */
TEST(unsupported_messages_name_the_feature)
{
	CHECK(build_fails_with(sandlock_sandbox_builder_chroot(BUILDER(), "/"),
			       "chroot is not supported yet"));
	CHECK(build_fails_with(sandlock_sandbox_builder_num_cpus(BUILDER(), 2),
			       "num_cpus is not supported yet"));
}

static int drops;
static void *last_dropped;
static void count_drop(void *ud)
{
	drops++;
	last_dropped = ud;
}

TEST(policy_fn_user_data_dropped_exactly_once_on_build_failure)
{
	int token;
	sandlock_builder_t *b;

	/* failing for another reason */
	drops = 0;
	b = sandlock_sandbox_builder_policy_fn(BUILDER(), allow_all, &token,
					       count_drop);
	b = sandlock_sandbox_builder_max_cpu(b, 0);
	CHECK(build_fails_with(b, "max_cpu"));
	CHECK_EQ_INT(drops, 1);

	/* replaced by a second callback: the first is dropped at once */
	drops = 0;
	b = sandlock_sandbox_builder_policy_fn(BUILDER(), allow_all, &token,
					       count_drop);
	b = sandlock_sandbox_builder_policy_fn(b, allow_all, &drops,
					       count_drop);
	CHECK_EQ_INT(drops, 1);
	CHECK(last_dropped == &token);
	b = sandlock_sandbox_builder_max_cpu(b, 0);
	CHECK(!sandlock_sandbox_build(b, NULL, NULL));
	CHECK_EQ_INT(drops, 2);
	CHECK(last_dropped == &drops);

	/* no builder: nothing is retained, the drop is not called */
	drops = 0;
	CHECK(!sandlock_sandbox_builder_policy_fn(NULL, allow_all, &token,
						  count_drop));
	CHECK_EQ_INT(drops, 0);

	/* a NULL drop is allowed */
	b = sandlock_sandbox_builder_policy_fn(BUILDER(), allow_all, &token,
					       NULL);
	sandlock_sandbox_free(sandlock_sandbox_build(b, NULL, NULL));
}

TEST(free_functions_accept_null_and_foreign_pointers)
{
	static uint64_t not_a_policy[64];

	sandlock_sandbox_free(NULL);
	sandlock_sandbox_fns_free(NULL);
	sandlock_string_free(NULL);
	sandlock_result_free(NULL);
	sandlock_handle_free(NULL);
	sandlock_dry_run_result_free(NULL);
	sandlock_pipeline_free(NULL);
	sandlock_gather_free(NULL);
	sandlock_fork_result_free(NULL);
	sandlock_checkpoint_free(NULL);
	sandlock_handler_free(NULL);
	/* the tag check refuses what was never a policy */
	sandlock_sandbox_free((sandlock_sandbox_t *)not_a_policy);
	sandlock_sandbox_fns_free((sandlock_t *)not_a_policy);
	CHECK(sandlock_run((sandlock_sandbox_t *)not_a_policy, NULL,
			   (const char *const[]){ "true" }, 1) == NULL);
}

TEST(fns_free_accepts_a_built_policy)
{
	sandlock_sandbox_t *p = basic_policy();

	CHECK(p);
	/* docs/abi.md 1.2: either free function takes either object */
	sandlock_sandbox_fns_free((sandlock_t *)p);
}

/* ---- running ----------------------------------------------------------- */

static const char *const true_argv[] = { "/usr/bin/true" };

TEST(null_policy_to_every_run_function)
{
	int in = 7, out = 7, er = 7;
	sandlock_handler_registration_t none[1] = { { 0 } };

	CHECK(!sandlock_run(NULL, NULL, true_argv, 1));
	CHECK_EQ_INT(sandlock_run_interactive(NULL, NULL, true_argv, 1), -1);
	CHECK(!sandlock_create(NULL, NULL, true_argv, 1));
	CHECK(!sandlock_create_for_run(NULL, NULL, true_argv, 1));
	CHECK(!sandlock_popen(NULL, NULL, true_argv, 1, 0, 1, 1, &in, &out,
			      &er));
	CHECK_EQ_INT(in, -1);
	CHECK_EQ_INT(out, -1);
	CHECK_EQ_INT(er, -1);
	CHECK(!sandlock_dry_run(NULL, NULL, true_argv, 1));
	CHECK(!sandlock_new_with_fns(NULL, NULL, init_noop, work_noop));
	CHECK(!sandlock_reduce(NULL, NULL, NULL, true_argv, 1));
	CHECK(!sandlock_restore_interactive(NULL, NULL, NULL));
	CHECK(!sandlock_run_with_handlers(NULL, NULL, true_argv, 1, none, 0));
	CHECK(!sandlock_run_interactive_with_handlers(NULL, NULL, true_argv, 1,
						      none, 0));
	CHECK_EQ_INT(sandlock_confine(NULL), -1);
}

TEST(bad_argv_is_refused)
{
	sandlock_sandbox_t *p = basic_policy();
	const char *const with_null[] = { "/usr/bin/true", NULL };

	CHECK(p);
	CHECK(!sandlock_run(p, NULL, true_argv, 0));
	CHECK(!sandlock_run(p, NULL, NULL, 1));
	CHECK(!sandlock_run(p, NULL, with_null, 2));
	CHECK_EQ_INT(sandlock_run_interactive(p, NULL, true_argv, 0), -1);
	CHECK_EQ_INT(sandlock_run_interactive(p, NULL, NULL, 1), -1);
	CHECK_EQ_INT(sandlock_run_interactive(p, NULL, with_null, 2), -1);
	CHECK(!sandlock_create(p, NULL, true_argv, 0));
	CHECK(!sandlock_create(p, NULL, with_null, 2));
	CHECK(!sandlock_create_for_run(p, NULL, NULL, 1));
	CHECK(!sandlock_popen(p, NULL, true_argv, 0, 0, 0, 0, NULL, NULL,
			      NULL));
	CHECK(!sandlock_popen(p, NULL, with_null, 2, 0, 0, 0, NULL, NULL,
			      NULL));
	sandlock_sandbox_free(p);
}

TEST(invalid_names_are_refused)
{
	sandlock_sandbox_t *p = basic_policy();
	char long_name[66];
	const char *bad[] = { "",   long_name, "a/b",	  ".",
			      "..", "bad\xff", "\xc0\xaf" };

	CHECK(p);
	memset(long_name, 'n', 65);
	long_name[65] = '\0';
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sandlock_result_t *r = sandlock_run(p, bad[i], true_argv, 1);
		sandlock_handle_t *h = sandlock_create(p, bad[i], true_argv, 1);

		if (r || h)
			fprintf(stderr, "  name #%zu accepted\n", i);
		sandlock_result_free(r);
		sandlock_handle_free(h);
		CHECK(!r && !h);
		CHECK_EQ_INT(sandlock_run_interactive(p, bad[i], true_argv, 1),
			     -1);
	}
	sandlock_sandbox_free(p);
}

TEST(bad_popen_mode_is_refused)
{
	sandlock_sandbox_t *p = basic_policy();
	int in = 7, out = 7, er = 7;

	CHECK(p);
	CHECK(!sandlock_popen(p, NULL, true_argv, 1, 3, 0, 0, &in, &out, &er));
	CHECK(in == -1 && out == -1 && er == -1);
	in = out = er = 7;
	CHECK(!sandlock_popen(p, NULL, true_argv, 1, 0, 99, 0, &in, &out, &er));
	CHECK(in == -1 && out == -1 && er == -1);
	CHECK(!sandlock_popen(p, NULL, true_argv, 1, 0, 0, UINT32_MAX, NULL,
			      NULL, NULL));
	sandlock_sandbox_free(p);
}

TEST(null_handle_and_result_accessors)
{
	uintptr_t len = 99;

	CHECK_EQ_INT(sandlock_start(NULL), -1);
	CHECK_EQ_INT(sandlock_handle_pid(NULL), 0);
	CHECK_EQ_INT(sandlock_handle_kill(NULL), -1);
	CHECK(!sandlock_handle_wait(NULL));
	CHECK(!sandlock_handle_wait_timeout(NULL, 10));
	CHECK(!sandlock_handle_port_mappings(NULL));
	CHECK_EQ_INT(sandlock_result_exit_code(NULL), -1);
	CHECK_EQ_INT(sandlock_result_reason(NULL), SANDLOCK_EXIT_REASON_KILLED);
	CHECK_EQ_INT(sandlock_result_signal(NULL), -1);
	CHECK(!sandlock_result_success(NULL));
	CHECK(!sandlock_result_stdout(NULL));
	CHECK(!sandlock_result_stderr(NULL));
	CHECK(!sandlock_result_stdout_bytes(NULL, &len));
	CHECK(!sandlock_result_stderr_bytes(NULL, NULL));
	CHECK_EQ_INT(sandlock_handle_restore_skipped_len(NULL), 0);
	CHECK_EQ_INT(sandlock_handle_restore_skipped_fd(NULL, 0), -1);
	CHECK(!sandlock_handle_restore_skipped_path(NULL, 0));
}

/* ---- features not implemented yet: stubs ------------------------------- */

TEST(dry_run_refuses_bad_arguments_and_null_accessors_are_neutral)
{
	sandlock_sandbox_t *p = basic_policy();
	uintptr_t len = 99;

	CHECK(p);
	CHECK(!sandlock_dry_run(p, NULL, NULL, 0));
	CHECK(!sandlock_dry_run(p, NULL, true_argv, 0));
	CHECK(!sandlock_dry_run(p, "a/b", true_argv, 1));
	CHECK_EQ_INT(sandlock_dry_run_result_exit_code(NULL), -1);
	CHECK_EQ_INT(sandlock_dry_run_result_reason(NULL),
		     SANDLOCK_EXIT_REASON_KILLED);
	CHECK_EQ_INT(sandlock_dry_run_result_signal(NULL), -1);
	CHECK(!sandlock_dry_run_result_success(NULL));
	CHECK(!sandlock_dry_run_result_stdout_bytes(NULL, &len));
	CHECK_EQ_INT(len, 0);
	len = 99;
	CHECK(!sandlock_dry_run_result_stderr_bytes(NULL, &len));
	CHECK_EQ_INT(len, 0);
	CHECK(!sandlock_dry_run_result_stderr_bytes(NULL, NULL));
	CHECK_EQ_INT(sandlock_dry_run_result_changes_len(NULL), 0);
	CHECK_EQ_INT(sandlock_dry_run_result_change_kind(NULL, 0), 0);
	CHECK(!sandlock_dry_run_result_change_path(NULL, 3));
	sandlock_sandbox_free(p);
}

TEST(pipeline_collects_stages_and_run_consumes_it)
{
	sandlock_sandbox_t *p = basic_policy();
	const char *const with_null[] = { "cat", NULL };
	sandlock_pipeline_t *pl = sandlock_pipeline_new();

	CHECK(p && pl);
	sandlock_pipeline_add_stage(NULL, p, true_argv, 1);
	sandlock_pipeline_add_stage(pl, NULL, true_argv, 1);
	sandlock_pipeline_add_stage(pl, p, NULL, 1);
	sandlock_pipeline_add_stage(pl, p, true_argv, 0);
	sandlock_pipeline_add_stage(pl, p, with_null, 2);
	sandlock_pipeline_add_stage(pl, p, true_argv, 1);
	sandlock_pipeline_add_stage(pl, p, true_argv, 1);
	/* the stages keep their own reference to the policy */
	sandlock_sandbox_free(p);
	CHECK(!sandlock_pipeline_run(NULL, 0));
	CHECK(!sandlock_pipeline_run(
		pl, 1000)); /* consumed: ASan reports a leak otherwise */

	pl = sandlock_pipeline_new();
	p = basic_policy();
	sandlock_pipeline_add_stage(pl, p, true_argv, 1);
	sandlock_sandbox_free(p);
	sandlock_pipeline_free(pl);
}

TEST(gather_collects_sources_and_run_consumes_it)
{
	sandlock_sandbox_t *p = basic_policy();
	sandlock_gather_t *g = sandlock_gather_new();

	CHECK(p && g);
	sandlock_gather_add_source(NULL, "a", p, true_argv, 1);
	sandlock_gather_add_source(g, NULL, p, true_argv, 1);
	sandlock_gather_add_source(g, "a", NULL, true_argv, 1);
	sandlock_gather_add_source(g, "a", p, NULL, 1);
	sandlock_gather_add_source(g, "data", p, true_argv, 1);
	sandlock_gather_add_source(g, "code", p, true_argv, 1);
	sandlock_gather_set_consumer(NULL, p, true_argv, 1);
	sandlock_gather_set_consumer(g, p, true_argv, 1);
	sandlock_gather_set_consumer(g, p, true_argv, 1);    /* replaces */
	sandlock_gather_set_consumer(g, NULL, true_argv, 1); /* ignored */
	sandlock_sandbox_free(p);
	CHECK(!sandlock_gather_run(NULL, 0));
	CHECK(!sandlock_gather_run(g, 0));

	g = sandlock_gather_new();
	p = basic_policy();
	sandlock_gather_set_consumer(g, p, true_argv, 1);
	sandlock_sandbox_free(p);
	sandlock_gather_free(g);
}

TEST(cow_fork_fails_and_its_accessors_are_neutral)
{
	sandlock_sandbox_t *p = basic_policy();

	CHECK(p);
	CHECK(!sandlock_new_with_fns(p, NULL, init_noop, work_noop));
	CHECK(!sandlock_new_with_fns(p, "bad/name", init_noop, work_noop));
	CHECK(!sandlock_fork(NULL, 4));
	CHECK_EQ_INT(sandlock_fork_result_count(NULL), 0);
	CHECK_EQ_INT(sandlock_fork_result_pid(NULL, 0), 0);
	CHECK(!sandlock_reduce(NULL, p, NULL, true_argv, 1));
	CHECK_EQ_INT(sandlock_wait(NULL), -1);
	sandlock_sandbox_free(p);
}

TEST(checkpoint_fails_and_its_accessors_are_neutral)
{
	sandlock_sandbox_t *p = basic_policy();
	uintptr_t len = 5;
	const uint8_t blob[] = { 1, 2, 3 };

	CHECK(p);
	CHECK(!sandlock_handle_checkpoint(NULL));
	CHECK_EQ_INT(sandlock_checkpoint_save(NULL, "/nonexistent/cp"), -1);
	CHECK(!sandlock_checkpoint_load(NULL));
	CHECK(!sandlock_checkpoint_load("/nonexistent/sandlock-checkpoint"));
	sandlock_checkpoint_set_name(NULL, "x");
	CHECK(!sandlock_checkpoint_name(NULL));
	sandlock_checkpoint_set_app_state(NULL, blob, sizeof(blob));
	CHECK(!sandlock_checkpoint_app_state(NULL, &len));
	CHECK_EQ_INT(len, 0);
	CHECK(!sandlock_checkpoint_app_state(NULL, NULL));
	CHECK(!sandlock_restore_interactive(p, NULL, NULL));
	sandlock_sandbox_free(p);
}

TEST(policy_context_functions_ignore_null)
{
	const char *ips[] = { "127.0.0.1" };

	sandlock_ctx_restrict_network(NULL, ips, 1);
	sandlock_ctx_grant_network(NULL, ips, 1);
	sandlock_ctx_restrict_max_memory(NULL, 1);
	sandlock_ctx_restrict_max_processes(NULL, 1);
	sandlock_ctx_restrict_pid_network(NULL, 1, NULL, 0);
	sandlock_ctx_deny_path(NULL, "/x");
	sandlock_ctx_allow_path(NULL, NULL);
	CHECK(1);
}

/* ---- custom handlers --------------------------------------------------- */

static int32_t handler_cb(void *ud, const sandlock_notif_data_t *n,
			  sandlock_mem_handle_t *mem,
			  sandlock_action_out_t *out)
{
	sandlock_action_set_continue(out);
	return 0;
}

TEST(handler_new_validates_and_free_drops_once)
{
	int token;
	sandlock_handler_t *h;

	CHECK(!sandlock_handler_new(NULL, &token, count_drop, 0));
	CHECK(!sandlock_handler_new(handler_cb, &token, count_drop, 4));
	drops = 0;
	h = sandlock_handler_new(handler_cb, &token, count_drop,
				 SANDLOCK_EXCEPTION_DENY_EIO);
	CHECK(h);
	sandlock_handler_set_deferred(h, true);
	sandlock_handler_set_deferred(NULL, true);
	sandlock_handler_free(h);
	CHECK_EQ_INT(drops, 1);
	CHECK(last_dropped == &token);
	/* the drop fires even for NULL user data */
	h = sandlock_handler_new(handler_cb, NULL, count_drop, 0);
	sandlock_handler_free(h);
	CHECK_EQ_INT(drops, 2);
	CHECK(last_dropped == NULL);
	/* no drop at all is fine */
	sandlock_handler_free(
		sandlock_handler_new(handler_cb, &token, NULL, 1));
}

TEST(run_with_handlers_frees_every_handler_on_failure)
{
	sandlock_sandbox_t *p = basic_policy();
	int token;
	sandlock_handler_registration_t regs[3];

	CHECK(p);
	drops = 0;
	regs[0] = (sandlock_handler_registration_t){
		SYS_getpid,
		sandlock_handler_new(handler_cb, &token, count_drop, 0)
	};
	regs[1] = (sandlock_handler_registration_t){ -5, NULL };
	regs[2] = (sandlock_handler_registration_t){
		SYS_openat,
		sandlock_handler_new(handler_cb, &token, count_drop, 1)
	};
	/* NULL policy: still owns the handlers */
	CHECK(!sandlock_run_with_handlers(NULL, NULL, true_argv, 1, regs, 3));
	CHECK_EQ_INT(drops, 2);

	regs[0].handler =
		sandlock_handler_new(handler_cb, &token, count_drop, 0);
	regs[2].handler =
		sandlock_handler_new(handler_cb, &token, count_drop, 0);
	CHECK(!sandlock_run_interactive_with_handlers(p, "bad/name", true_argv,
						      1, regs, 3));
	CHECK_EQ_INT(drops, 4);

	/* a run that happens: its containers die with it */
	regs[0].handler =
		sandlock_handler_new(handler_cb, &token, count_drop, 0);
	sandlock_result_free(
		sandlock_run_with_handlers(p, NULL, true_argv, 1, regs, 1));
	CHECK_EQ_INT(drops, 5);

	/* NULL array with a count, empty array */
	CHECK(!sandlock_run_with_handlers(p, NULL, true_argv, 1, NULL, 3));
	CHECK(!sandlock_run_with_handlers(p, NULL, NULL, 0, NULL, 0));
	CHECK_EQ_INT(drops, 5);
	sandlock_sandbox_free(p);
}

TEST(memory_access_outside_a_callback_fails)
{
	sandlock_mem_handle_t mh = { .notif_fd = -1, .notif_id = 1, .pid = 1 };
	uint8_t buf[8];
	uintptr_t got = 77;

	CHECK_EQ_INT(sandlock_mem_read_cstr(NULL, 1, buf, sizeof(buf), &got),
		     -1);
	CHECK_EQ_INT(sandlock_mem_read_cstr(&mh, 0x1000, buf, sizeof(buf),
					    &got),
		     -1);
	CHECK_EQ_INT(sandlock_mem_read(&mh, 0x1000, buf, sizeof(buf), &got),
		     -1);
	CHECK_EQ_INT(sandlock_mem_read(NULL, 0, NULL, 0, NULL), -1);
	CHECK_EQ_INT(sandlock_mem_write(&mh, 0x1000, buf, sizeof(buf)), -1);
	CHECK_EQ_INT(sandlock_mem_write(NULL, 0, NULL, 0), -1);
	CHECK_EQ_INT(got, 77);
}

/* ---- action setters ---------------------------------------------------- */

TEST(action_setters_fill_the_slot)
{
	sandlock_action_out_t out;

	sandlock_action_set_continue(NULL);
	sandlock_action_set_errno(NULL, 1);
	sandlock_action_set_return_value(NULL, 1);
	sandlock_action_set_inject_fd_send(NULL, 0, 0);
	sandlock_action_set_inject_bytes(NULL, (const uint8_t *)"x", 1, 0);
	sandlock_action_set_hold(NULL);
	sandlock_action_set_kill(NULL, 9, 0);

	memset(&out, 0xff, sizeof(out));
	sandlock_action_set_continue(&out);
	CHECK_EQ_INT(out.kind, SANDLOCK_ACTION_CONTINUE);
	CHECK_EQ_INT(out.payload.none, 0);
	sandlock_action_set_errno(&out, EACCES);
	CHECK_EQ_INT(out.kind, SANDLOCK_ACTION_ERRNO);
	CHECK_EQ_INT(out.payload.errno_value, EACCES);
	sandlock_action_set_return_value(&out, -42);
	CHECK_EQ_INT(out.kind, SANDLOCK_ACTION_RETURN_VALUE);
	CHECK_EQ_INT(out.payload.return_value, -42);
	sandlock_action_set_inject_fd_send(&out, 12, O_CLOEXEC);
	CHECK_EQ_INT(out.kind, SANDLOCK_ACTION_INJECT_FD_SEND);
	CHECK_EQ_INT(out.payload.inject_send.srcfd, 12);
	CHECK_EQ_INT(out.payload.inject_send.newfd_flags, O_CLOEXEC);
	sandlock_action_set_hold(&out);
	CHECK_EQ_INT(out.kind, SANDLOCK_ACTION_HOLD);
	sandlock_action_set_kill(&out, SIGTERM, 0);
	CHECK_EQ_INT(out.kind, SANDLOCK_ACTION_KILL);
	CHECK_EQ_INT(out.payload.kill.sig, SIGTERM);
	CHECK_EQ_INT(out.payload.kill.pgid, 0);
}

static int injected_fd(const sandlock_action_out_t *out)
{
	return out->kind == SANDLOCK_ACTION_INJECT_FD_SEND ?
		       out->payload.inject_send.srcfd :
		       -1;
}

TEST(inject_bytes_makes_a_sealed_memory_file)
{
	sandlock_action_out_t out = { 0 };
	const char data[] = "hello, sandbox";
	char back[64] = { 0 };
	int fd, seals;
	const int want = F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK |
			 F_SEAL_SEAL;

	sandlock_action_set_inject_bytes(&out, (const uint8_t *)data,
					 strlen(data), 0);
	fd = injected_fd(&out);
	CHECK(fd >= 0);
	CHECK_EQ_INT(out.payload.inject_send.newfd_flags, O_CLOEXEC);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* positioned at 0, holding exactly the data */
	CHECK_EQ_INT(read(fd, back, sizeof(back)), (long)strlen(data));
	CHECK_STR(back, data);
	seals = fcntl(fd, F_GET_SEALS);
	CHECK_EQ_INT(seals & want, want);
	CHECK_EQ_INT(pwrite(fd, "x", 1, 0), -1);
	CHECK_EQ_INT(errno, EPERM);
	CHECK_EQ_INT(ftruncate(fd, 1), -1);
	close(fd);
}

TEST(inject_bytes_flags_and_empty_data)
{
	sandlock_action_out_t out = { 0 };
	struct stat st;
	int fd;

	sandlock_action_set_inject_bytes(&out, (const uint8_t *)"abc", 3,
					 SANDLOCK_INJECT_WRITABLE |
						 SANDLOCK_INJECT_NO_CLOEXEC);
	fd = injected_fd(&out);
	CHECK(fd >= 0);
	CHECK_EQ_INT(out.payload.inject_send.newfd_flags, 0);
	/* writable: the child may change it */
	CHECK_EQ_INT(pwrite(fd, "xyz!", 4, 0), 4);
	CHECK_EQ_INT(fcntl(fd, F_GET_SEALS) & F_SEAL_WRITE, 0);
	close(fd);

	/* NULL data or zero length: an empty file, still sealed */
	sandlock_action_set_inject_bytes(&out, NULL, 16, 0);
	fd = injected_fd(&out);
	CHECK(fd >= 0);
	CHECK_EQ_INT(fstat(fd, &st), 0);
	CHECK_EQ_INT(st.st_size, 0);
	CHECK(fcntl(fd, F_GET_SEALS) & F_SEAL_GROW);
	close(fd);
	sandlock_action_set_inject_bytes(&out, (const uint8_t *)"abc", 0, 0);
	fd = injected_fd(&out);
	CHECK(fd >= 0);
	CHECK_EQ_INT(fstat(fd, &st), 0);
	CHECK_EQ_INT(st.st_size, 0);
	close(fd);
}

/* ---- platform ---------------------------------------------------------- */

TEST(syscall_numbers)
{
	CHECK_EQ_INT(sandlock_syscall_nr("getpid"), SYS_getpid);
	CHECK_EQ_INT(sandlock_syscall_nr("openat"), SYS_openat);
	CHECK_EQ_INT(sandlock_syscall_nr("newfstatat"), SYS_newfstatat);
	CHECK_EQ_INT(sandlock_syscall_nr("io_uring_setup"), SYS_io_uring_setup);
	CHECK_EQ_INT(sandlock_syscall_nr(NULL), -1);
	CHECK_EQ_INT(sandlock_syscall_nr(""), -1);
	CHECK_EQ_INT(sandlock_syscall_nr("no_such_syscall"), -1);
	CHECK_EQ_INT(sandlock_syscall_nr("getpid\xff"), -1);
	CHECK_EQ_INT(sandlock_syscall_nr("sysv_ipc"),
		     -1); /* a group, not a syscall */
}

TEST(landlock_queries)
{
	const uint32_t want[] = { 2, 3, 4, 5, 6, 6 };
	int abi = sandlock_landlock_abi_version();

	CHECK_EQ_INT(sandlock_min_landlock_abi(), 6);
	for (uint32_t i = 0; i < 6; i++)
		CHECK_EQ_INT(sandlock_protection_min_abi(i), want[i]);
	CHECK_EQ_INT(sandlock_protection_min_abi(6), 0);
	CHECK_EQ_INT(sandlock_protection_min_abi(UINT32_MAX), 0);
	/* -1 only where Landlock is missing; then the raw query agrees */
	if (abi == -1)
		CHECK(syscall(SYS_landlock_create_ruleset, NULL, 0, 1UL) < 0);
	else
		CHECK_EQ_INT(abi, syscall(SYS_landlock_create_ruleset, NULL, 0,
					  1UL));
}

/* ---- confine: only ever in a forked child, it is irreversible ---------- */

/* Run fn in a child and return its exit code (or 128 + signal). */
static int in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(fn(arg));
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int confine_returns(void *arg)
{
	return sandlock_confine(arg) == -1 ? 0 : 1;
}

TEST(confine_refuses_what_it_cannot_enforce)
{
	sandlock_builder_t *b =
		sandlock_sandbox_builder_fs_read(BUILDER(), "/usr");
	sandlock_sandbox_t *p;

	b = sandlock_sandbox_builder_max_memory(b, 1 << 20);
	p = sandlock_sandbox_build(b, NULL, NULL);
	CHECK(p);
	CHECK_EQ_INT(in_child(confine_returns, p), 0);
	sandlock_sandbox_free(p);

	b = sandlock_sandbox_builder_fs_read(BUILDER(), "/usr");
	b = sandlock_sandbox_builder_on_error(b, SANDLOCK_BRANCH_COMMIT);
	p = sandlock_sandbox_build(b, NULL, NULL);
	CHECK(p);
	CHECK_EQ_INT(in_child(confine_returns, p), 0);
	sandlock_sandbox_free(p);
}

struct confine_case {
	sandlock_sandbox_t *policy;
	const char *inside, *outside;
};

/* Exit codes say which step went wrong. */
static int confine_then_write(void *arg)
{
	struct confine_case *c = arg;
	int fd;

	if (sandlock_confine(c->policy) != 0)
		return 10;
	fd = open(c->inside, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return 11;
	close(fd);
	fd = open(c->outside, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		return 12;
	return errno == EACCES ? 0 : 13;
}

TEST(confine_applies_landlock_to_the_caller)
{
	char dir[64], inside[128], outside[128], sub[96];
	struct confine_case c;
	sandlock_builder_t *b;
	int rc;

	if (sandlock_landlock_abi_version() < 6)
		SKIP("Landlock ABI %d < 6: confine needs every protection",
		     sandlock_landlock_abi_version());
	CHECK(scratch_dir(dir, sizeof(dir)));
	snprintf(sub, sizeof(sub), "%s/rw", dir);
	CHECK_EQ_INT(mkdir(sub, 0700), 0);
	snprintf(inside, sizeof(inside), "%s/ok", sub);
	snprintf(outside, sizeof(outside), "%s/denied", dir);
	b = sandlock_sandbox_builder_fs_read(BUILDER(), "/usr");
	b = sandlock_sandbox_builder_fs_write(b, sub);
	c.policy = sandlock_sandbox_build(b, NULL, NULL);
	c.inside = inside;
	c.outside = outside;
	CHECK(c.policy);
	rc = in_child(confine_then_write, &c);
	sandlock_sandbox_free(c.policy);
	scratch_remove(dir);
	CHECK_EQ_INT(rc, 0);
	/* the test process itself was not confined */
	CHECK(access("/tmp", W_OK) == 0);
}
