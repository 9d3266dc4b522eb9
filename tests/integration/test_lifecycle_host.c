/*
 * The library inside a long-running host: a signal storm during one-shot
 * runs, a creating thread that exits, a host that reaps its children or
 * ignores SIGCHLD, a parked sandbox and the host's descriptors, few free
 * descriptors, two threads waiting on one handle.
 */
#include <dirent.h>
#include <poll.h>
#include <stdatomic.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "harness.h"
#include "sandlock_ext.h"
#include "lib/paths.h"
#include "lib/policy.h"
#include "lib/procs.h"
#include "lib/run.h"
#include "lib/scratch.h"

/* ---- signals ------------------------------------------------------------- */

static atomic_int storm_signals;

static void on_storm(int sig)
{
	(void)sig;
	atomic_fetch_add(&storm_signals, 1);
}

/* A host timer signal every 100 us while one-shot runs open a file on
 * the child's behalf (fs_deny makes every open an on-behalf one) 3,000
 * times each: every byte the child reads must be the file's. */
TEST(signal_storm_never_changes_what_the_child_reads)
{
	char *dir = scratch_make(), data[256], secret[256], prog[PATH_MAX + 16];
	struct sigaction sa = { .sa_handler = on_storm }, old;
	struct itimerval every = { { 0, 100 }, { 0, 100 } }, off = { 0 };
	const char *argv[] = { prog, data, "3000", NULL };
	int bad_runs = 0;

	CHECK(dir && helpers_dir());
	snprintf(prog, sizeof(prog), "%s/open_loop", helpers_dir());
	snprintf(data, sizeof(data), "%s/data", dir);
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	{
		FILE *f = fopen(data, "w");

		CHECK(f);
		for (int i = 0; i < 512; i++)
			fprintf(f, "line %d of the data file\n", i);
		fclose(f);
		f = fopen(secret, "w");
		CHECK(f);
		fputs("secret\n", f);
		fclose(f);
	}
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGALRM, &sa, &old) == 0); /* no SA_RESTART */
	atomic_store(&storm_signals, 0);
	CHECK(setitimer(ITIMER_REAL, &every, NULL) == 0);
	for (int run = 0; run < 4; run++) {
		sandlock_builder_t *b = base_builder();
		struct hrun o;

		b = sandlock_sandbox_builder_fs_read(b, dir);
		b = sandlock_sandbox_builder_fs_deny(b, secret);
		hrun(b, argv, &o);
		if (!o.ok || o.code != 0 ||
		    strcmp(o.out, "opens=3000 bad=0\n")) {
			fprintf(stderr,
				"  run %d: exit %d, out \"%s\", err \"%s\"\n",
				run, o.code, o.out ? o.out : "",
				o.err ? o.err : "");
			bad_runs++;
		}
		hrun_free(&o);
	}
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	scratch_remove(dir);
	/* The storm really happened while the supervisor served. */
	CHECK(atomic_load(&storm_signals) > 100);
	CHECK_EQ_INT(bad_runs, 0);
}

/* ---- threads -------------------------------------------------------------- */

struct creator {
	sandlock_sandbox_t *p;
	sandlock_handle_t *h;
};

static void *create_and_exit(void *arg)
{
	struct creator *c = arg;
	const char *argv[] = { "/bin/sh", "-c", "sleep 0.3; exit 5" };

	c->h = sandlock_create(c->p, NULL, argv, 3);
	if (c->h && sandlock_start(c->h) != 0) {
		sandlock_handle_free(c->h);
		c->h = NULL;
	}
	return NULL; /* the thread ends while the sandbox runs */
}

TEST(sandbox_outlives_the_thread_that_created_it)
{
	struct creator c = { .p = lu_policy() };
	sandlock_result_t *r;
	pthread_t t;

	CHECK(c.p);
	CHECK(pthread_create(&t, NULL, create_and_exit, &c) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(c.h);
	r = sandlock_handle_wait(c.h);
	CHECK(r);
	CHECK_EQ_INT(sandlock_result_reason(r), SANDLOCK_EXIT_REASON_EXITED);
	CHECK_EQ_INT(sandlock_result_exit_code(r), 5);
	sandlock_result_free(r);
	sandlock_handle_free(c.h);
	sandlock_sandbox_free(c.p);
}

struct waiter {
	sandlock_handle_t *h;
	sandlock_result_t *r;
	int err;
};

static void *wait_main(void *arg)
{
	struct waiter *w = arg;

	errno = 0;
	w->r = sandlock_handle_wait(w->h);
	w->err = errno;
	return NULL;
}

TEST(a_second_concurrent_wait_is_an_error)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/sh", "-c", "sleep 0.5; exit 3" };
	sandlock_handle_t *h;
	struct waiter w;
	pthread_t t;
	sandlock_result_t *r;

	CHECK(p);
	h = sandlock_create(p, NULL, argv, 3);
	CHECK(h);
	CHECK_EQ_INT(sandlock_start(h), 0);
	w = (struct waiter){ .h = h };
	CHECK(pthread_create(&t, NULL, wait_main, &w) == 0);
	/* Until the thread is inside its wait, ours may come first: then
	 * the thread is the one refused. Either way one is refused. */
	lu_sleep_ms(100);
	errno = 0;
	r = sandlock_handle_wait(h);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK((r == NULL) != (w.r == NULL));
	CHECK_EQ_INT(r ? w.err : errno, EBUSY);
	CHECK_EQ_INT(sandlock_result_exit_code(r ? r : w.r), 3);
	sandlock_result_free(r);
	sandlock_result_free(w.r);
	sandlock_handle_free(h);
	sandlock_sandbox_free(p);
}

/* ---- child reaping of the host ----------------------------------------- */

static void reap_everything(int sig)
{
	int saved = errno;

	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	errno = saved;
}

static void exit_seven_runs(void)
{
	sandlock_sandbox_t *p = lu_policy();
	int wrong = 0;

	for (int i = 0; i < 20; i++) {
		sandlock_result_t *r = LU_RUN(p, "/bin/sh", "-c", "exit 7");

		if (!r ||
		    sandlock_result_reason(r) != SANDLOCK_EXIT_REASON_EXITED ||
		    sandlock_result_exit_code(r) != 7)
			wrong++;
		sandlock_result_free(r);
	}
	sandlock_sandbox_free(p);
	if (wrong)
		fprintf(stderr, "  %d of 20 runs not reported as exit 7\n",
			wrong);
	CHECK_EQ_INT(wrong, 0);
}

TEST(a_host_reaping_its_children_keeps_results_right)
{
	struct sigaction sa = { .sa_handler = reap_everything,
				.sa_flags = SA_RESTART },
			 old;

	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGCHLD, &sa, &old) == 0);
	exit_seven_runs();
	sigaction(SIGCHLD, &old, NULL);
}

TEST(a_host_ignoring_sigchld_keeps_results_right)
{
	struct sigaction sa = { .sa_handler = SIG_IGN }, old;

	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGCHLD, &sa, &old) == 0);
	exit_seven_runs();
	sigaction(SIGCHLD, &old, NULL);
}

/* ---- descriptors ---------------------------------------------------------- */

static int count_fds(pid_t pid)
{
	char path[64];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n - (pid == getpid()); /* opendir's own */
}

/* A parked sandbox holds none of the host's descriptors: a socket the
 * host closes gives its peer EOF at once. And it is asleep already. */
TEST(a_parked_sandbox_holds_no_host_descriptor)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/true" };
	struct pollfd pf;
	sandlock_handle_t *h;
	int sv[2];
	char c;

	CHECK(p);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	h = sandlock_create(p, NULL, argv, 1);
	CHECK(h);
	CHECK_EQ_INT(lu_proc_state(sandlock_handle_pid(h)), 'S');
	/* stdio and the seccomp listener */
	CHECK(count_fds(sandlock_handle_pid(h)) <= 4);
	close(sv[0]);
	pf = (struct pollfd){ .fd = sv[1], .events = POLLIN };
	CHECK(poll(&pf, 1, 10000) == 1);
	CHECK(read(sv[1], &c, 1) == 0);
	close(sv[1]);
	sandlock_handle_free(h);
	sandlock_sandbox_free(p);
}

TEST(a_live_handle_costs_at_most_seven_host_descriptors)
{
	sandlock_sandbox_t *p = lu_policy();
	const char *argv[] = { "/bin/sleep", "30" };
	sandlock_handle_t *h;
	int before, during;

	CHECK(p);
	/* The policy keeps its Landlock ruleset from the first launch on. */
	sandlock_handle_free(sandlock_create(p, NULL, argv, 2));
	before = count_fds(getpid());
	h = sandlock_create(p, NULL, argv, 2);
	CHECK(h);
	during = count_fds(getpid());
	sandlock_handle_free(h);
	CHECK_EQ_INT(count_fds(getpid()), before);
	sandlock_sandbox_free(p);
	if (during - before > 7)
		FAIL("a live handle holds %d descriptors", during - before);
}

/* With too few free descriptors, create fails and says why: in the
 * thread's error record (EMFILE), and not on stderr. */
TEST(too_few_descriptors_fail_create_clearly)
{
	int msg[2], err[2], status;
	char buf[512] = { 0 }, printed[512] = { 0 };
	pid_t c;

	CHECK(pipe2(msg, O_CLOEXEC) == 0);
	CHECK(pipe2(err, O_CLOEXEC) == 0);
	c = fork();
	CHECK(c >= 0);
	if (c == 0) {
		sandlock_sandbox_t *p = lu_policy();
		const char *argv[] = { "/bin/true" };
		struct rlimit lim;
		int open_now;

		dup2(err[1], 2);
		close(err[1]);
		open_now = count_fds(getpid());
		lim.rlim_cur = lim.rlim_max = (rlim_t)open_now + 3;
		if (!p || setrlimit(RLIMIT_NOFILE, &lim) < 0)
			_exit(3);
		if (sandlock_create(p, NULL, argv, 1))
			_exit(1);
		dprintf(msg[1], "%d %s", sandlock_last_errno(),
			sandlock_last_error());
		_exit(0);
	}
	close(msg[1]);
	close(err[1]);
	(void)!read(msg[0], buf, sizeof(buf) - 1);
	(void)!read(err[0], printed, sizeof(printed) - 1);
	close(msg[0]);
	close(err[0]);
	waitpid(c, &status, 0);
	CHECK(WIFEXITED(status));
	CHECK_EQ_INT(WEXITSTATUS(status), 0);
	CHECK_CONTAINS(buf, "not enough free file descriptors");
	CHECK_EQ_INT(atoi(buf), EMFILE);
	CHECK_STR(printed, "");
}
