/*
 * Handles through the public ABI: create/start/wait/kill/free, timeouts,
 * signals from other threads during a blocked wait, teardown.
 */
#include <pthread.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "harness.h"
#include "lib/files.h"
#include "lib/policy.h"
#include "lib/procs.h"
#include "lib/run.h"
#include "lib/scratch.h"

typedef sandlock_handle_t *(*create_fn)(const sandlock_sandbox_t *,
					const char *, const char *const *,
					unsigned int);

static const create_fn creators[] = { sandlock_create,
				      sandlock_create_for_run };
static const char *const creator_names[] = { "create", "create_for_run" };

TEST(create_without_start_runs_nothing)
{
	char *dir = scratch_make();
	char marker[256], script[512];
	sandlock_sandbox_t *p;

	CHECK(dir);
	p = lu_build(sandlock_sandbox_builder_fs_write(lu_builder(), dir));
	CHECK(p);
	snprintf(marker, sizeof(marker), "%s/marker", dir);
	snprintf(script, sizeof(script), "touch '%s'", marker);
	for (int i = 0; i < 2; i++) {
		const char *argv[] = { "/bin/sh", "-c", script };
		sandlock_handle_t *h = creators[i](p, NULL, argv, 3);
		sandlock_result_t *r;

		CHECK(h);
		CHECK(sandlock_handle_pid(h) > 0);
		/* parked before exec: nothing can have run */
		CHECK(!path_exists(marker));
		CHECK_EQ_INT(sandlock_start(h), 0);
		CHECK_EQ_INT(sandlock_start(h), -1); /* only once */
		r = sandlock_handle_wait(h);
		CHECK(r);
		CHECK(sandlock_result_success(r));
		CHECK(path_exists(marker));
		CHECK(unlink(marker) == 0);
		sandlock_result_free(r);
		sandlock_handle_free(h);
	}
	sandlock_sandbox_free(p);
	scratch_remove(dir);
}

TEST(handle_wait_captures_output)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/sh", "-c",
			       "echo out; echo err >&2; exit 4" };

	for (int i = 0; i < 2; i++) {
		sandlock_handle_t *h = creators[i](p, NULL, argv, 3);
		sandlock_result_t *r;
		char *out, *err;

		CHECK(h);
		CHECK_EQ_INT(sandlock_start(h), 0);
		r = sandlock_handle_wait_timeout(h, 0);
		out = lu_out(r);
		err = lu_err(r);
		if (strcmp(out, "out\n") || strcmp(err, "err\n"))
			FAIL("%s: out \"%s\" err \"%s\"", creator_names[i], out,
			     err);
		CHECK_EQ_INT(sandlock_result_exit_code(r), 4);
		free(out);
		free(err);
		sandlock_result_free(r);
		sandlock_handle_free(h);
	}
	sandlock_sandbox_free(p);
}

TEST(second_wait_returns_the_same_status_without_output)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/sh", "-c", "echo once; exit 9" };

	for (int i = 0; i < 2; i++) {
		sandlock_handle_t *h = creators[i](p, NULL, argv, 3);
		sandlock_result_t *a, *b;
		uintptr_t len = 1;

		CHECK(h);
		CHECK_EQ_INT(sandlock_start(h), 0);
		a = sandlock_handle_wait(h);
		b = sandlock_handle_wait(h);
		CHECK(a && b);
		CHECK_EQ_INT(sandlock_result_exit_code(a), 9);
		CHECK_EQ_INT(sandlock_result_exit_code(b), 9);
		CHECK_EQ_INT(sandlock_result_reason(b),
			     SANDLOCK_EXIT_REASON_EXITED);
		CHECK(sandlock_result_stdout_bytes(a, &len) != NULL);
		CHECK_EQ_INT(len, 5);
		CHECK(sandlock_result_stdout_bytes(b, &len) == NULL);
		CHECK_EQ_INT(len, 0);
		/* pid stays, a kill after the end is still a success */
		CHECK(sandlock_handle_pid(h) > 0);
		CHECK_EQ_INT(sandlock_handle_kill(h), 0);
		sandlock_result_free(a);
		sandlock_result_free(b);
		sandlock_handle_free(h);
	}
	sandlock_sandbox_free(p);
}

struct waiter {
	sandlock_handle_t *h;
	sandlock_result_t *r;
	volatile int done;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;

	w->r = sandlock_handle_wait(w->h);
	__atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static bool waiter_done(struct waiter *w)
{
	return __atomic_load_n(&w->done, __ATOMIC_SEQ_CST) != 0;
}

/* Create a handle whose stdin is fd (the child inherits our fd 0). */
static sandlock_handle_t *create_with_stdin(create_fn create,
					    const sandlock_sandbox_t *p,
					    const char *const *argv,
					    unsigned argc, int fd)
{
	int saved = dup(0);
	sandlock_handle_t *h;

	if (saved < 0 || dup2(fd, 0) != 0)
		return NULL;
	h = create(p, NULL, argv, argc);
	dup2(saved, 0);
	close(saved);
	return h;
}

struct timed_waiter {
	sandlock_handle_t *h;
	uint64_t ms;
	sandlock_result_t *r;
};

static void *timed_wait_thread(void *arg)
{
	struct timed_waiter *w = arg;

	w->r = sandlock_handle_wait_timeout(w->h, w->ms);
	return NULL;
}

/* Start argv, a script that writes the pid of a background child to its
 * stdin, under create with w waited on by thread t; that pid, or 0 (then
 * no thread is left running). */
static pid_t start_reporting_child(create_fn create,
				   const sandlock_sandbox_t *p,
				   const char *const *argv, unsigned argc,
				   struct timed_waiter *w, pthread_t *t)
{
	char buf[32] = { 0 };
	pid_t child = 0;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return 0;
	w->h = create_with_stdin(create, p, argv, argc, sv[1]);
	close(sv[1]);
	if (!w->h || sandlock_start(w->h) != 0 ||
	    pthread_create(t, NULL, timed_wait_thread, w) != 0) {
		close(sv[0]);
		return 0;
	}
	if (read(sv[0], buf, sizeof(buf) - 1) <= 0 ||
	    sscanf(buf, "%d", &child) != 1 || child <= 0) {
		pthread_join(*t, NULL);
		child = 0;
	}
	close(sv[0]);
	return child;
}

/* docs/behaviour.md 12.4: the whole group dies, nothing is captured. The
 * script reports its background grandchild through a socket on its
 * stdin while a thread waits (a create_for_run sandbox only progresses
 * inside the wait). */
TEST(timeout_kills_the_whole_process_group)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/sh", "-c",
			       "sleep 1000 & echo $! >&0; echo out; wait" };

	for (int i = 0; i < 2; i++) {
		struct timed_waiter w = { .ms = 2000 };
		sandlock_result_t *again;
		uintptr_t len = 7;
		pid_t leader, grandchild;
		pthread_t t;

		grandchild =
			start_reporting_child(creators[i], p, argv, 3, &w, &t);
		if (!grandchild)
			FAIL("%s: no grandchild pid before the timeout",
			     creator_names[i]);
		leader = sandlock_handle_pid(w.h);
		CHECK(grandchild != leader);
		CHECK(lu_is_running(grandchild));
		pthread_join(t, NULL);
		CHECK(w.r);
		CHECK_EQ_INT(sandlock_result_reason(w.r),
			     SANDLOCK_EXIT_REASON_TIMEOUT);
		CHECK_EQ_INT(sandlock_result_exit_code(w.r), -1);
		CHECK_EQ_INT(sandlock_result_signal(w.r), -1);
		CHECK(!sandlock_result_success(w.r));
		CHECK(sandlock_result_stdout_bytes(w.r, &len) == NULL);
		CHECK_EQ_INT(len, 0);
		CHECK(sandlock_result_stderr_bytes(w.r, &len) == NULL);
		CHECK(lu_until(lu_is_gone, grandchild));
		/* the next wait reports how the killed leader ended */
		again = sandlock_handle_wait(w.h);
		CHECK(again);
		CHECK_EQ_INT(sandlock_result_reason(again),
			     SANDLOCK_EXIT_REASON_KILLED);
		sandlock_result_free(again);
		sandlock_result_free(w.r);
		/* kept as a zombie until the handle goes: its id names the
		 * group until then */
		CHECK(lu_is_gone(leader));
		sandlock_handle_free(w.h);
		CHECK_EQ_INT(lu_proc_state(leader), 0);
	}
	sandlock_sandbox_free(p);
}

/* The leader exits at once but a background child keeps the captured
 * stdout open: the wait goes on until EOF, and its timeout still reaches
 * that child (the leader stays unreaped, so its group id stays valid). */
TEST(timeout_reaches_descendants_after_the_leader_exited)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/sh", "-c", "sleep 1000 & echo $! >&0" };

	for (int i = 0; i < 2; i++) {
		struct timed_waiter w = { .ms = 2000 };
		sandlock_result_t *again;
		pid_t grandchild;
		pthread_t t;

		grandchild =
			start_reporting_child(creators[i], p, argv, 3, &w, &t);
		if (!grandchild)
			FAIL("%s: no grandchild pid before the timeout",
			     creator_names[i]);
		pthread_join(t, NULL);
		CHECK(w.r);
		CHECK_EQ_INT(sandlock_result_reason(w.r),
			     SANDLOCK_EXIT_REASON_TIMEOUT);
		CHECK(lu_until(lu_is_gone, grandchild));
		/* the leader had exited normally before the timeout */
		again = sandlock_handle_wait(w.h);
		CHECK(again);
		CHECK_EQ_INT(sandlock_result_reason(again),
			     SANDLOCK_EXIT_REASON_EXITED);
		CHECK_EQ_INT(sandlock_result_exit_code(again), 0);
		sandlock_result_free(again);
		sandlock_result_free(w.r);
		sandlock_handle_free(w.h);
	}
	sandlock_sandbox_free(p);
}

/* Teardown reaches what is left in the sandbox's group after the leader
 * ended normally and was waited for. */
TEST(free_kills_leftovers_of_the_group)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/sh", "-c", "sleep 1000 & echo $! >&0" };
	int in = -1;
	char buf[32] = { 0 };
	sandlock_handle_t *h;
	sandlock_result_t *r;
	pid_t grandchild = 0;
	int sv[2];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	/* popen with inherited stdin (our socket), output discarded */
	int saved = dup(0);
	CHECK(dup2(sv[1], 0) == 0);
	h = sandlock_popen(p, NULL, argv, 3, SANDLOCK_STDIO_INHERIT,
			   SANDLOCK_STDIO_NULL, SANDLOCK_STDIO_NULL, &in, NULL,
			   NULL);
	dup2(saved, 0);
	close(saved);
	close(sv[1]);
	CHECK(h);
	CHECK(read(sv[0], buf, sizeof(buf) - 1) > 0);
	close(sv[0]);
	CHECK(sscanf(buf, "%d", &grandchild) == 1 && grandchild > 0);
	r = sandlock_handle_wait(h);
	CHECK(sandlock_result_success(r));
	sandlock_result_free(r);
	CHECK(lu_is_running(grandchild));
	sandlock_handle_free(h);
	CHECK(lu_until(lu_is_gone, grandchild));
	sandlock_sandbox_free(p);
}

TEST(kill_from_another_thread_ends_a_blocked_wait)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/sleep", "1000" };

	for (int i = 0; i < 2; i++) {
		for (int how = 0; how < 2; how++) {
			struct waiter w = { 0 };
			pthread_t t;
			pid_t pid;

			w.h = creators[i](p, NULL, argv, 2);
			CHECK(w.h);
			CHECK_EQ_INT(sandlock_start(w.h), 0);
			pid = sandlock_handle_pid(w.h);
			CHECK(pthread_create(&t, NULL, wait_thread, &w) == 0);
			CHECK(lu_until(lu_is_running, pid));
			lu_sleep_ms(50); /* most likely inside the wait now */
			CHECK(!waiter_done(&w));
			if (how == 0)
				CHECK_EQ_INT(sandlock_handle_kill(w.h), 0);
			else /* what the SDKs do: signal the group directly */
				CHECK(kill(-pid, SIGKILL) == 0);
			pthread_join(t, NULL);
			CHECK(w.r);
			CHECK_EQ_INT(sandlock_result_reason(w.r),
				     SANDLOCK_EXIT_REASON_KILLED);
			CHECK_EQ_INT(sandlock_handle_kill(w.h), 0);
			sandlock_result_free(w.r);
			sandlock_handle_free(w.h);
		}
	}
	sandlock_sandbox_free(p);
}

static bool is_stopped_or_gone(pid_t pid)
{
	char s = lu_proc_state(pid);

	return s == 'T' || s == 0;
}

TEST(pause_and_resume_during_a_blocked_wait)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/sh", "-c", "read line; echo got $line" };

	for (int i = 0; i < 2; i++) {
		struct waiter w = { 0 };
		int in[2];
		pthread_t t;
		pid_t pid;
		char *out;

		/* the child reads our pipe as its inherited stdin */
		CHECK(pipe2(in, O_CLOEXEC) == 0);
		w.h = create_with_stdin(creators[i], p, argv, 3, in[0]);
		close(in[0]);
		CHECK(w.h);
		CHECK_EQ_INT(sandlock_start(w.h), 0);
		pid = sandlock_handle_pid(w.h);
		CHECK(pthread_create(&t, NULL, wait_thread, &w) == 0);
		CHECK(lu_until(lu_is_running, pid));
		CHECK(kill(-pid, SIGSTOP) == 0);
		CHECK(lu_until(is_stopped_or_gone, pid));
		CHECK_EQ_INT(lu_proc_state(pid), 'T');
		CHECK(!waiter_done(&w)); /* a stop is not an exit */
		CHECK(kill(-pid, SIGCONT) == 0);
		CHECK(lu_until(lu_is_running, pid));
		CHECK(write(in[1], "hi\n", 3) == 3);
		close(in[1]);
		pthread_join(t, NULL);
		CHECK(w.r);
		CHECK_EQ_INT(sandlock_result_exit_code(w.r), 0);
		out = lu_out(w.r);
		CHECK_STR(out, "got hi\n");
		free(out);
		sandlock_result_free(w.r);
		sandlock_handle_free(w.h);
	}
	sandlock_sandbox_free(p);
}

TEST(free_of_a_running_sandbox_kills_and_reaps)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/sleep", "1000" };

	for (int i = 0; i < 2; i++) {
		for (int started = 0; started < 2; started++) {
			sandlock_handle_t *h = creators[i](p, NULL, argv, 2);
			siginfo_t si;
			pid_t pid;

			CHECK(h);
			pid = sandlock_handle_pid(h);
			if (started) {
				CHECK_EQ_INT(sandlock_start(h), 0);
				CHECK(lu_until(lu_is_running, pid));
			}
			sandlock_handle_free(h);
			/* reaped: no process, no zombie, nothing to wait for */
			CHECK_EQ_INT(lu_proc_state(pid), 0);
			CHECK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG) <
			      0);
			CHECK_EQ_INT(errno, ECHILD);
		}
	}
	sandlock_sandbox_free(p);
}

static void *free_thread(void *arg)
{
	sandlock_handle_free(arg);
	return NULL;
}

/* The Go SDK frees abandoned handles from its finalizer thread. */
TEST(free_from_another_thread)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/sleep", "1000" };
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 2);
	pthread_t t;
	pid_t pid;

	CHECK(h);
	CHECK_EQ_INT(sandlock_start(h), 0);
	pid = sandlock_handle_pid(h);
	CHECK(pthread_create(&t, NULL, free_thread, h) == 0);
	pthread_join(t, NULL);
	CHECK_EQ_INT(lu_proc_state(pid), 0);
	sandlock_sandbox_free(p);
}

TEST(policy_may_be_freed_while_a_handle_lives)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/echo", "still here" };
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 2);
	sandlock_result_t *r;
	char *out;

	CHECK(h);
	sandlock_sandbox_free(p);
	CHECK_EQ_INT(sandlock_start(h), 0);
	r = sandlock_handle_wait(h);
	out = lu_out(r);
	CHECK_STR(out, "still here\n");
	free(out);
	sandlock_result_free(r);
	sandlock_handle_free(h);
}

TEST(live_handle_drains_output_before_the_wait)
{
	sandlock_sandbox_t *p = lu_policy();
	/* far more than a pipe buffer, written before anyone waits */
	const char *argv[] = { "/bin/sh", "-c", "head -c 1048576 /dev/zero" };
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 3);
	sandlock_result_t *r;
	uintptr_t len = 0;
	pid_t pid;

	CHECK(h);
	pid = sandlock_handle_pid(h);
	CHECK_EQ_INT(sandlock_start(h), 0);
	/* the supervisor thread drains: the child finishes on its own */
	CHECK(lu_until(lu_is_gone, pid));
	r = sandlock_handle_wait(h);
	CHECK(sandlock_result_stdout_bytes(r, &len) != NULL);
	CHECK_EQ_INT(len, 1048576);
	sandlock_result_free(r);
	sandlock_handle_free(h);
	sandlock_sandbox_free(p);
}

TEST(null_handles_are_refused)
{
	CHECK_EQ_INT(sandlock_start(NULL), -1);
	CHECK_EQ_INT(sandlock_handle_pid(NULL), 0);
	CHECK_EQ_INT(sandlock_handle_kill(NULL), -1);
	CHECK(sandlock_handle_wait(NULL) == NULL);
	CHECK(sandlock_handle_wait_timeout(NULL, 5) == NULL);
	CHECK(sandlock_handle_port_mappings(NULL) == NULL);
	sandlock_handle_free(NULL);
}

TEST(port_mappings_are_null_without_remapping)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/true" };
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 1);
	sandlock_result_t *r;

	CHECK(h);
	CHECK(sandlock_handle_port_mappings(h) == NULL);
	CHECK_EQ_INT(sandlock_start(h), 0);
	r = sandlock_handle_wait(h);
	CHECK(sandlock_result_success(r));
	sandlock_result_free(r);
	sandlock_handle_free(h);
	sandlock_sandbox_free(p);
}
