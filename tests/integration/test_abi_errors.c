/*
 * The ABI's error channel (include/sandlock_ext.h): every failing call
 * records an errno and a message for the calling thread, sets errno, and
 * prints nothing on the caller's stderr.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lib/hostenv.h"
#include "lib/policy.h"
#include "sandlock_ext.h"

/* Everything the library writes on fd 2 while fn runs. */
struct quiet {
	int saved, pipe[2];
	char got[1024];
};

static int quiet_begin(struct quiet *q)
{
	memset(q, 0, sizeof(*q));
	fflush(stderr);
	if (pipe2(q->pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	q->saved = dup(2);
	return q->saved < 0 || dup2(q->pipe[1], 2) < 0 ? -1 : 0;
}

static const char *quiet_end(struct quiet *q)
{
	ssize_t n;

	fflush(stderr);
	dup2(q->saved, 2);
	close(q->saved);
	close(q->pipe[1]);
	n = read(q->pipe[0], q->got, sizeof(q->got) - 1);
	close(q->pipe[0]);
	q->got[n > 0 ? n : 0] = '\0';
	return q->got;
}

TEST(a_build_failure_is_recorded_as_its_message)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_new();
	char *msg = NULL;
	int err = 0;

	b = sandlock_sandbox_builder_max_cpu(b, 200);
	errno = 0;
	CHECK(!sandlock_sandbox_build(b, &err, &msg));
	CHECK(msg);
	CHECK_STR(sandlock_last_error(), msg);
	CHECK(sandlock_last_errno() > 0);
	CHECK_EQ_INT(errno, sandlock_last_errno());
	sandlock_string_free(msg);
}

TEST(a_successful_call_clears_the_record)
{
	sandlock_sandbox_t *p;

	CHECK(!sandlock_sandbox_build(
		sandlock_sandbox_builder_max_cpu(sandlock_sandbox_builder_new(),
						 0),
		NULL, NULL));
	CHECK(sandlock_last_errno() != 0);
	p = lu_policy();
	CHECK(p);
	CHECK_EQ_INT(sandlock_last_errno(), 0);
	CHECK_STR(sandlock_last_error(), "");
	sandlock_sandbox_free(p);
}

/* A grant on a missing path fails at create: ENOENT, the path named, and
 * not a byte on our stderr. */
TEST(a_create_failure_carries_errno_and_reason_silently)
{
	sandlock_builder_t *b = lu_builder();
	const char *argv[] = { "/bin/true" };
	sandlock_sandbox_t *p;
	sandlock_handle_t *h;
	struct quiet q;

	b = sandlock_sandbox_builder_fs_read(b, "/nonexistent-sandlock-grant");
	p = lu_build(b);
	CHECK(p);
	CHECK(quiet_begin(&q) == 0);
	h = sandlock_create(p, NULL, argv, 1);
	CHECK_STR(quiet_end(&q), "");
	CHECK(!h);
	CHECK_EQ_INT(sandlock_last_errno(), ENOENT);
	CHECK_CONTAINS(sandlock_last_error(), "/nonexistent-sandlock-grant");
	CHECK(strncmp(sandlock_last_error(), "sandlock", 8) != 0);
	sandlock_sandbox_free(p);
}

/* A step of the child that fails (chdir into a missing directory): its
 * errno and step reach the caller; the child's own line went to its
 * captured stderr, not ours. */
TEST(a_child_setup_failure_is_recorded_with_its_step)
{
	sandlock_builder_t *b = lu_builder();
	const char *argv[] = { "/bin/true" };
	sandlock_sandbox_t *p;
	sandlock_result_t *r;
	struct quiet q;

	b = sandlock_sandbox_builder_cwd(b, "/nonexistent-sandlock-cwd");
	p = lu_build(b);
	CHECK(p);
	CHECK(quiet_begin(&q) == 0);
	r = sandlock_run(p, NULL, argv, 1);
	CHECK_STR(quiet_end(&q), "");
	CHECK(!r);
	CHECK_EQ_INT(sandlock_last_errno(), ENOENT);
	CHECK_STR(sandlock_last_error(), "chdir: No such file or directory");
	sandlock_sandbox_free(p);
}

TEST(bad_arguments_are_recorded)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/true" };
	struct quiet q;

	CHECK(p);
	CHECK(quiet_begin(&q) == 0);
	CHECK(!sandlock_popen(p, NULL, argv, 1, 7, 0, 0, NULL, NULL, NULL));
	CHECK_STR(quiet_end(&q), "");
	CHECK_EQ_INT(sandlock_last_errno(), EINVAL);
	CHECK_STR(sandlock_last_error(), "invalid stdio mode 7");

	CHECK(!sandlock_run(p, NULL, argv, 0));
	CHECK_EQ_INT(sandlock_last_errno(), EINVAL);
	CHECK_STR(sandlock_last_error(), "empty command");
	CHECK_EQ_INT(sandlock_start(NULL), -1);
	CHECK_EQ_INT(sandlock_last_errno(), EINVAL);
	CHECK(sandlock_syscall_nr("no_such_syscall") < 0);
	CHECK_EQ_INT(sandlock_last_errno(), EINVAL);
	CHECK_CONTAINS(sandlock_last_error(), "no_such_syscall");
	sandlock_sandbox_free(p);
}

TEST(a_feature_not_built_is_recorded_by_name)
{
	CHECK(!sandlock_pipeline_run(sandlock_pipeline_new(), 0));
	CHECK_EQ_INT(sandlock_last_errno(), EOPNOTSUPP);
	CHECK_STR(sandlock_last_error(), "pipeline is not supported yet");
}

static void *fail_elsewhere(void *arg)
{
	int *code = arg;

	*code = sandlock_sandbox_build(NULL, NULL, NULL) ?
			-1 :
			sandlock_last_errno();
	return NULL;
}

TEST(records_belong_to_their_thread)
{
	sandlock_sandbox_t *p = lu_policy();
	pthread_t t;
	int code = 0;

	CHECK(p);
	CHECK_EQ_INT(sandlock_last_errno(), 0);
	CHECK(pthread_create(&t, NULL, fail_elsewhere, &code) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK_EQ_INT(code, EINVAL);
	CHECK_EQ_INT(sandlock_last_errno(), 0);
	sandlock_sandbox_free(p);
}

/* A message longer than the record is cut at a character boundary. */
TEST(a_long_message_stays_valid_text)
{
	char name[3000];
	size_t n = 0, len;

	while (n + 3 < sizeof(name)) {
		name[n++] = (char)0xc3; /* U+00E9 */
		name[n++] = (char)0xa9;
	}
	name[n] = '\0';
	CHECK(sandlock_syscall_nr(name) < 0);
	len = strlen(sandlock_last_error());
	CHECK(len > 1000 && len < 1024);
	/* the last character is whole: it ends with its second byte */
	CHECK_EQ_INT((unsigned char)sandlock_last_error()[len - 1], 0xa9);
}

static int32_t cont(void *ud, const sandlock_notif_data_t *n,
		    sandlock_mem_handle_t *mem, sandlock_action_out_t *out)
{
	(void)ud;
	(void)n;
	(void)mem;
	sandlock_action_set_continue(out);
	return 0;
}

/* Custom handlers refused at registration: recorded, nothing printed. */
TEST(a_refused_handler_registration_is_recorded_silently)
{
	const char *argv[] = { "/bin/true" };
	sandlock_sandbox_t *p = lu_policy();
	sandlock_handler_registration_t regs[1];
	sandlock_result_t *r;
	struct quiet q;

	CHECK(p);
	regs[0] = (sandlock_handler_registration_t){
		sandlock_syscall_nr("mount"),
		sandlock_handler_new(cont, NULL, NULL, 0)
	};
	CHECK(regs[0].handler);
	CHECK(quiet_begin(&q) == 0);
	r = sandlock_run_with_handlers(p, NULL, argv, 1, regs, 1);
	CHECK_STR(quiet_end(&q), "");
	CHECK(!r);
	CHECK_EQ_INT(sandlock_last_errno(), EINVAL);
	CHECK_CONTAINS(sandlock_last_error(), "the policy denies it");
	sandlock_sandbox_free(p);
}

/* A change a policy callback cannot apply is recorded for the thread
 * that made it (the callback's), not printed. */
static char ctx_error[256];
static _Atomic int ctx_errno = -1;

static int32_t lower_memory(const sandlock_event_t *ev, sandlock_ctx_t *ctx,
			    void *ud)
{
	(void)ev;
	(void)ud;
	if (atomic_load(&ctx_errno) >= 0)
		return 0;
	sandlock_ctx_restrict_max_memory(ctx, 1 << 20);
	snprintf(ctx_error, sizeof(ctx_error), "%s", sandlock_last_error());
	atomic_store(&ctx_errno, sandlock_last_errno());
	return 0;
}

TEST(a_change_a_callback_cannot_apply_is_recorded_silently)
{
	const char *argv[] = { "/bin/true" };
	sandlock_sandbox_t *p;
	sandlock_result_t *r;
	struct quiet q;

	if (he_restricted() || !he_can_freeze())
		SKIP("policy callbacks are refused here (test_hosting)");
	/* no max_memory: memory is not supervised in this run */
	p = lu_build(sandlock_sandbox_builder_policy_fn(
		lu_builder(), lower_memory, NULL, NULL));
	CHECK(p);
	CHECK(quiet_begin(&q) == 0);
	r = sandlock_run(p, NULL, argv, 1);
	CHECK_STR(quiet_end(&q), "");
	CHECK(r);
	CHECK_EQ_INT(atomic_load(&ctx_errno), EINVAL);
	CHECK_CONTAINS(ctx_error, "restrict_max_memory: the policy sets no "
				  "max_memory");
	sandlock_result_free(r);
	sandlock_sandbox_free(p);
}
