/*
 * sl_confine (sandlock_confine): the calling process confines itself in
 * place, every thread of it (docs/decisions.md decision 3), or refuses before
 * touching anything. Each test runs in a forked child so the test runner
 * stays unconfined.
 */
#include "harness.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include "lib/child.h"
#include "lib/policy.h"
#include "sandlock.h"

#define NTHREADS 4

/* 1 when /proc/self/status says NoNewPrivs: 1, 0 when 0, -1 unknown. */
static int no_new_privs(void)
{
	return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
}

static bool make_tree(void)
{
	return ll_scratch_make() && ll_mkdir("ok") && ll_mkdir("forbidden") &&
	       ll_write_file("ok/file", "ok") &&
	       ll_write_file("forbidden/file", "no");
}

static struct sl_policy *confine_policy(void)
{
	struct sl_policy *p = sl_policy_new();

	if (!p)
		return NULL;
	sl_strv_push(&p->fs_read, ll_path("ok"));
	return ll_build(p);
}

/* ---- every thread ------------------------------------------------------ */
struct probe_thread {
	pthread_t id;
	int go;	       /* read end: the thread waits here until confined */
	int forbidden; /* errno of opening forbidden/file (0 = opened) */
	int allowed;   /* errno of opening ok/file */
	int nnp;       /* PR_GET_NO_NEW_PRIVS seen by the thread */
};

static int open_errno(const char *rel)
{
	int fd = open(ll_path(rel), O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static void *probe_main(void *arg)
{
	struct probe_thread *t = arg;
	char b;

	/* Blocked in read() when the broadcast arrives: SA_RESTART must
	 * bring it back here, not fail it. */
	if (read(t->go, &b, 1) != 1)
		return NULL;
	t->forbidden = open_errno("forbidden/file");
	t->allowed = open_errno("ok/file");
	t->nnp = no_new_privs();
	return NULL;
}

static void child_confine_threads(void *arg)
{
	struct sl_policy *p = arg;
	struct probe_thread th[NTHREADS];
	struct sl_error e = { 0 };
	int go[2];

	CHILD_CHECK(pipe2(go, O_CLOEXEC) == 0);
	for (int i = 0; i < NTHREADS; i++) {
		th[i] = (struct probe_thread){
			.go = go[0], .forbidden = -1, .allowed = -1, .nnp = -1
		};
		CHILD_CHECK(pthread_create(&th[i].id, NULL, probe_main,
					   &th[i]) == 0);
	}
	/* Before: nothing is confined. */
	CHILD_CHECK(open_errno("forbidden/file") == 0);

	if (sl_confine(p, &e) < 0) {
		fprintf(stderr, "  child: confine: %s\n", e.msg);
		_exit(1);
	}
	CHILD_CHECK(write(go[1], "gogo", NTHREADS) == NTHREADS);
	for (int i = 0; i < NTHREADS; i++)
		CHILD_CHECK(pthread_join(th[i].id, NULL) == 0);

	CHILD_CHECK(open_errno("forbidden/file") == EACCES);
	CHILD_CHECK(open_errno("ok/file") == 0);
	CHILD_CHECK(no_new_privs() == 1);
	for (int i = 0; i < NTHREADS; i++) {
		if (th[i].forbidden != EACCES || th[i].allowed != 0 ||
		    th[i].nnp != 1) {
			fprintf(stderr,
				"  child: thread %d: forbidden %d "
				"allowed %d nnp %d\n",
				i, th[i].forbidden, th[i].allowed, th[i].nnp);
			_exit(1);
		}
	}
	/* A thread started afterwards inherits the domain. */
	CHILD_CHECK(pthread_create(&th[0].id, NULL, probe_main, &th[0]) == 0);
	th[0].forbidden = -1;
	CHILD_CHECK(write(go[1], "g", 1) == 1);
	CHILD_CHECK(pthread_join(th[0].id, NULL) == 0);
	CHILD_CHECK(th[0].forbidden == EACCES);
}

TEST(confine_reaches_every_thread)
{
	struct sl_policy *p;

	REQUIRE_LANDLOCK_ABI(6);
	CHECK(make_tree());
	p = confine_policy();
	CHECK(p);
	CHECK(ll_exited_ok(ll_run_child(child_confine_threads, p)));
	sl_policy_free(p);
	ll_scratch_remove();
}

/* ---- all or nothing with a live sandbox handle --------------------------- */
static void child_confine_with_live_handle(void *arg)
{
	struct sl_policy *p = arg;
	struct sl_error e = { 0 };
	sandlock_builder_t *b = grant_system(sandlock_sandbox_builder_new());
	const char *argv[] = { "/bin/sleep", "30" };
	sandlock_sandbox_t *sb;
	sandlock_handle_t *h;

	sb = sandlock_sandbox_build(b, NULL, NULL);
	CHILD_CHECK(sb);
	h = sandlock_create(sb, NULL, argv, 2); /* its supervisor thread */
	CHILD_CHECK(h);
	if (sl_confine(p, &e) != -EBUSY) {
		fprintf(stderr, "  child: confine: %s\n", e.msg ? e.msg : "ok");
		_exit(1);
	}
	CHILD_CHECK(e.msg && strstr(e.msg, "nothing was confined"));
	sl_error_clear(&e);
	/* Nothing changed, on any thread. */
	CHILD_CHECK(open_errno("forbidden/file") == 0);
	CHILD_CHECK(no_new_privs() == 0);
	sandlock_handle_free(h);
	sandlock_sandbox_free(sb);
	/* Without the handle, confine works. */
	CHILD_CHECK(sl_confine(p, &e) == 0);
	CHILD_CHECK(open_errno("forbidden/file") == EACCES);
}

TEST(confine_with_a_live_handle_refuses_before_confining_anything)
{
	struct sl_policy *p;

	REQUIRE_LANDLOCK_ABI(6);
	if (sandlock_landlock_abi_version() >= 8)
		SKIP("Landlock ABI 8 confines every thread itself");
	CHECK(make_tree());
	p = confine_policy();
	CHECK(p);
	CHECK(ll_exited_ok(ll_run_child(child_confine_with_live_handle, p)));
	sl_policy_free(p);
	ll_scratch_remove();
}

/* ---- a program with handlers on every real-time signal (like Go) ------- */
static atomic_int foreign_calls;

static void foreign_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	atomic_fetch_add(&foreign_calls, 1);
}

static void child_confine_keeps_handlers(void *arg)
{
	struct sl_policy *p = arg;
	struct probe_thread t = { .forbidden = -1 };
	struct sigaction sa = { 0 };
	struct sl_error e = { 0 };
	int go[2];

	sa.sa_sigaction = foreign_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
		CHILD_CHECK(sigaction(s, &sa, NULL) == 0);
	CHILD_CHECK(pipe2(go, O_CLOEXEC) == 0);
	t.go = go[0];
	CHILD_CHECK(pthread_create(&t.id, NULL, probe_main, &t) == 0);

	if (sl_confine(p, &e) < 0) {
		fprintf(stderr, "  child: confine: %s\n", e.msg);
		_exit(1);
	}
	CHILD_CHECK(write(go[1], "g", 1) == 1);
	CHILD_CHECK(pthread_join(t.id, NULL) == 0);
	CHILD_CHECK(t.forbidden == EACCES);
	/* The broadcast's own signals never reached the program... */
	CHILD_CHECK(atomic_load(&foreign_calls) == 0);
	/* ...and its handlers are all back in place and working. */
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++) {
		struct sigaction cur;

		CHILD_CHECK(sigaction(s, NULL, &cur) == 0);
		CHILD_CHECK(cur.sa_sigaction == foreign_handler);
	}
	CHILD_CHECK(raise(SIGRTMAX) == 0);
	CHILD_CHECK(atomic_load(&foreign_calls) == 1);
}

TEST(confine_restores_the_program_signal_handlers)
{
	struct sl_policy *p;

	REQUIRE_LANDLOCK_ABI(6);
	CHECK(make_tree());
	p = confine_policy();
	CHECK(p);
	CHECK(ll_exited_ok(ll_run_child(child_confine_keeps_handlers, p)));
	sl_policy_free(p);
	ll_scratch_remove();
}

/* ---- refusals: nothing applied ------------------------------------------ */
struct refusal {
	struct sl_policy *p;
	const char *expect[8];
};

static void child_refused(void *arg)
{
	const struct refusal *r = arg;
	struct sl_error e = { 0 };

	CHILD_CHECK(sl_confine(r->p, &e) < 0);
	CHILD_CHECK(e.msg != NULL);
	for (int i = 0; r->expect[i]; i++) {
		if (!strstr(e.msg, r->expect[i])) {
			fprintf(stderr, "  child: \"%s\" lacks \"%s\"\n", e.msg,
				r->expect[i]);
			_exit(1);
		}
	}
	/* Refused before anything was applied. */
	CHILD_CHECK(no_new_privs() == 0);
	CHILD_CHECK(open_errno("forbidden/file") == 0);
	sl_error_clear(&e);
}

TEST(confine_refuses_other_fields_and_lists_them_all)
{
	struct refusal r = { .expect = { "confine", "fs_denied", "max_memory",
					 "on_error", "env", "cpu_cores",
					 NULL } };

	CHECK(make_tree());
	r.p = sl_policy_new();
	sl_strv_push(&r.p->fs_read, ll_path("ok"));
	sl_strv_push(&r.p->fs_deny, ll_path("ok/file"));
	r.p->has_max_memory = true;
	r.p->max_memory = 1 << 20;
	r.p->on_error_set = true;
	r.p->on_error = SL_BRANCH_COMMIT;
	sl_policy_set_env(r.p, "A", "b");
	r.p->has_cpu_cores = true;
	sl_u32v_push(&r.p->cpu_cores, 0);
	r.p = ll_build(r.p);
	CHECK(r.p);
	CHECK(ll_exited_ok(ll_run_child(child_refused, &r)));
	sl_policy_free(r.p);
	ll_scratch_remove();
}

TEST(confine_refuses_a_missing_path_before_applying)
{
	struct refusal r = { .expect = { "does-not-exist", NULL } };

	REQUIRE_LANDLOCK_ABI(6);
	CHECK(make_tree());
	r.p = sl_policy_new();
	sl_strv_push(&r.p->fs_read, ll_path("does-not-exist"));
	r.p = ll_build(r.p);
	CHECK(r.p);
	CHECK(ll_exited_ok(ll_run_child(child_refused, &r)));
	sl_policy_free(r.p);
	ll_scratch_remove();
}
