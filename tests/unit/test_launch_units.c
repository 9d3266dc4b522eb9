/*
 * Parts of the launcher that need no sandbox: text conversion of captured
 * output, the max_cpu duty cycle, the command preparation (environment,
 * PATH search), the table of watched processes.
 */
#include <fcntl.h>
#include <sys/eventfd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/syscall.h>

#include "harness.h"
#include "launch/command.h"
#include "launch/throttle.h"
#include "supervisor/evsrc.h"
#include "supervisor/proctab.h"
#include "supervisor/worker.h"
#include "util/utf8.h"

static bool lossy_is(const char *in, size_t len, const char *expect)
{
	char *s = sl_utf8_lossy((const uint8_t *)in, len);
	bool ok = s && strcmp(s, expect) == 0;

	if (!ok)
		fprintf(stderr, "  lossy gave \"%s\", expected \"%s\"\n",
			s ? s : "(null)", expect);
	free(s);
	return ok;
}

#define FFFD "\xEF\xBF\xBD"

TEST(lossy_keeps_valid_text)
{
	CHECK(lossy_is("", 0, ""));
	CHECK(lossy_is("plain", 5, "plain"));
	CHECK(lossy_is("\xC3\xA9t\xC3\xA9", 6, "\xC3\xA9t\xC3\xA9"));
	CHECK(lossy_is("\xF0\x9F\x98\x80", 4, "\xF0\x9F\x98\x80"));
	CHECK(lossy_is("\xEF\xBF\xBF", 3, "\xEF\xBF\xBF"));
}

TEST(lossy_replaces_maximal_invalid_subparts)
{
	CHECK(lossy_is("a\xFF"
		       "b",
		       3, "a" FFFD "b"));
	CHECK(lossy_is("\xC0\xAF", 2, FFFD FFFD));	    /* overlong lead */
	CHECK(lossy_is("\xE0\x80\x80", 3, FFFD FFFD FFFD)); /* overlong */
	CHECK(lossy_is("\xED\xA0\x80", 3, FFFD FFFD FFFD)); /* surrogate */
	CHECK(lossy_is("\xF4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD));
	CHECK(lossy_is("\xE2\x82", 2, FFFD)); /* truncated */
	CHECK(lossy_is("\xE2\x82"
		       "x",
		       3, FFFD "x"));
	CHECK(lossy_is("\xF0\x9F\x98"
		       "!",
		       4, FFFD "!"));
	CHECK(lossy_is("\x80\x80", 2, FFFD FFFD));
}

TEST(throttle_alternates_stop_and_continue)
{
	struct sl_throttle t;
	const uint64_t ms = 1000000;

	sl_throttle_init(&t, 30, 0);
	CHECK(t.on);
	CHECK_EQ_INT(sl_throttle_next(&t), 30 * ms);
	CHECK_EQ_INT(sl_throttle_due(&t, 29 * ms), 0);
	CHECK_EQ_INT(sl_throttle_due(&t, 30 * ms), SIGSTOP);
	CHECK(t.stopped);
	CHECK_EQ_INT(sl_throttle_next(&t), 100 * ms);
	CHECK_EQ_INT(sl_throttle_due(&t, 99 * ms), 0);
	CHECK_EQ_INT(sl_throttle_due(&t, 100 * ms), SIGCONT);
	CHECK_EQ_INT(sl_throttle_next(&t), 130 * ms);
	sl_throttle_stop(&t);
	CHECK_EQ_INT(sl_throttle_due(&t, 1000 * ms), 0);
	CHECK_EQ_INT(sl_throttle_next(&t), UINT64_MAX);
}

TEST(throttle_is_off_outside_1_to_99)
{
	struct sl_throttle t;

	sl_throttle_init(&t, 100, 0);
	CHECK(!t.on);
	sl_throttle_init(&t, 0, 0);
	CHECK(!t.on);
	sl_throttle_init(&t, 1, 0);
	CHECK(t.on);
	CHECK_EQ_INT(t.run_ns, 1000000);
}

static struct sl_policy *policy(void)
{
	struct sl_policy *p = sl_policy_new();

	if (p)
		p->clean_env = true;
	return p;
}

TEST(path_search_uses_the_child_path)
{
	struct sl_policy *p = policy();
	struct sl_command c;
	const char *argv[] = { "prog", "x" };

	CHECK(p);
	CHECK(sl_policy_set_env(p, "PATH", "/a::/b/c") == 0);
	CHECK(sl_command_prepare(&c, p, argv, 2, NULL) == 0);
	CHECK_EQ_INT(c.paths.n, 3);
	CHECK_STR(c.paths.v[0], "/a/prog");
	CHECK_STR(c.paths.v[1], "prog"); /* empty element: current dir */
	CHECK_STR(c.paths.v[2], "/b/c/prog");
	CHECK_STR(c.argv.v[1], "x");
	CHECK(c.argv.v[2] == NULL);
	CHECK_STR(c.sh_argv[0], "/bin/sh");
	CHECK_STR(c.sh_argv[2], "x");
	CHECK(c.sh_argv[3] == NULL);
	CHECK_EQ_INT(c.envp.n, 1);
	CHECK_STR(sl_command_envp(&c)[0], "PATH=/a::/b/c");
	sl_command_free(&c);
	sl_policy_free(p);
}

TEST(path_search_defaults_and_slashes)
{
	struct sl_policy *p = policy();
	struct sl_command c;
	const char *bare[] = { "ls" };
	const char *slash[] = { "./ls" };
	const char *empty[] = { "" };

	CHECK(p);
	CHECK(sl_command_prepare(&c, p, bare, 1, NULL) == 0);
	CHECK_EQ_INT(c.paths.n, 3);
	CHECK_STR(c.paths.v[0], "/usr/local/bin/ls");
	CHECK_STR(c.paths.v[2], "/usr/bin/ls");
	CHECK(sl_command_envp(&c)[0] == NULL); /* clean: empty environment */
	sl_command_free(&c);
	CHECK(sl_command_prepare(&c, p, slash, 1, NULL) == 0);
	CHECK_EQ_INT(c.paths.n, 1);
	CHECK_STR(c.paths.v[0], "./ls");
	sl_command_free(&c);
	CHECK(sl_command_prepare(&c, p, empty, 1, NULL) == 0);
	CHECK_EQ_INT(c.paths.n, 0);
	sl_command_free(&c);
	sl_policy_free(p);
}

TEST(environment_is_inherited_then_overridden)
{
	struct sl_policy *p = sl_policy_new();
	struct sl_command c;
	const char *argv[] = { "true" };
	size_t hits = 0;

	CHECK(p);
	setenv("SL_UNIT_KEEP", "kept", 1);
	setenv("SL_UNIT_OVER", "old", 1);
	CHECK(sl_policy_set_env(p, "SL_UNIT_OVER", "new") == 0);
	CHECK(sl_command_prepare(&c, p, argv, 1, NULL) == 0);
	for (size_t i = 0; i < c.envp.n; i++) {
		if (!strncmp(c.envp.v[i], "SL_UNIT_", 8)) {
			hits++;
			CHECK(!strcmp(c.envp.v[i], "SL_UNIT_KEEP=kept") ||
			      !strcmp(c.envp.v[i], "SL_UNIT_OVER=new"));
		}
	}
	CHECK_EQ_INT(hits, 2);
	sl_command_free(&c);
	sl_policy_free(p);
	unsetenv("SL_UNIT_KEEP");
	unsetenv("SL_UNIT_OVER");
}

TEST(null_argv_elements_are_refused)
{
	struct sl_policy *p = policy();
	struct sl_command c;
	const char *argv[] = { "true", NULL };
	struct sl_error e = { 0 };

	CHECK(p);
	CHECK_EQ_INT(sl_command_prepare(&c, p, argv, 2, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "argv[1]");
	sl_command_free(&c);
	sl_error_clear(&e);
	CHECK_EQ_INT(sl_command_prepare(&c, p, argv, 0, NULL), -EINVAL);
	sl_command_free(&c);
	sl_policy_free(p);
}

#define NCHILD 40

static pid_t exited[NCHILD * 2];
static int nexited;

static void record_exit(void *ctx, pid_t pid)
{
	(void)ctx;
	if (nexited < NCHILD * 2)
		exited[nexited++] = pid;
}

/* Children of this process, found by the table (this process plays the
 * top-level one, as the ancestor): each exit reported once, through the
 * epoll set, whatever the order of removals; the count follows. */
TEST(proctab_finds_children_and_reports_every_exit_once)
{
	struct sl_proctab_hooks hooks = { .exited = record_exit };
	struct sl_proctab *t = NULL;
	pid_t kids[NCHILD], self = getpid(), tgid;
	int epfd = epoll_create1(EPOLL_CLOEXEC), gate[2];
	int selffd = (int)syscall(SYS_pidfd_open, self, 0);

	CHECK(epfd >= 0 && selffd >= 0);
	CHECK(pipe2(gate, O_CLOEXEC) == 0);
	CHECK(sl_proctab_new(epfd, 0, self, selffd, &hooks, &t) == 0);
	for (int i = 0; i < NCHILD; i++) {
		char c;

		kids[i] = fork();
		if (kids[i] == 0) {
			close(gate[1]);
			_exit(read(gate[0], &c, 1) < 0);
		}
		CHECK(kids[i] > 0);
		CHECK(sl_proctab_lookup(t, kids[i], &tgid) == 0);
		CHECK_EQ_INT(tgid, kids[i]);
	}
	CHECK_EQ_INT(sl_proctab_count(t), NCHILD + 1);
	CHECK(sl_proctab_lookup(t, getppid(), &tgid) == -ESRCH);
	close(gate[0]);
	close(gate[1]); /* every child reads EOF and exits */
	nexited = 0;
	while (nexited < NCHILD) {
		struct epoll_event ev;
		int n = epoll_wait(epfd, &ev, 1, 10000);

		CHECK(n == 1);
		((struct sl_evsrc *)ev.data.ptr)
			->on_event(ev.data.ptr, ev.events);
	}
	for (int i = 0; i < NCHILD; i++) {
		int seen = 0;

		for (int k = 0; k < nexited; k++)
			seen += exited[k] == kids[i];
		CHECK_EQ_INT(seen, 1);
		CHECK(waitpid(kids[i], NULL, 0) == kids[i]);
	}
	CHECK_EQ_INT(sl_proctab_count(t), 1);
	/* a reaped process is not a member */
	CHECK(sl_proctab_lookup(t, kids[0], &tgid) == -ESRCH);
	CHECK(epoll_wait(epfd, &(struct epoll_event){ 0 }, 1, 0) == 0);
	sl_proctab_free(t);
	close(selffd);
	close(epfd);
}

struct lookup_job {
	struct sl_worker_job job;
	struct sl_proctab *t;
	pid_t tid, tgid;
	int r, done_fd;
};

static void run_lookup(struct sl_worker_job *j, int listener)
{
	struct lookup_job *l = (struct lookup_job *)j;

	(void)listener;
	l->r = sl_proctab_lookup(l->t, l->tid, &l->tgid);
}

static void free_lookup(struct sl_worker_job *j)
{
	uint64_t one = 1;

	(void)!write(((struct lookup_job *)j)->done_fd, &one, sizeof(one));
}

/* Look tid up from a worker thread; its result. */
static int lookup_on_worker(struct sl_workers *w, struct sl_proctab *t,
			    pid_t tid, pid_t *tgid)
{
	int done = eventfd(0, EFD_CLOEXEC);
	struct lookup_job l = { .job = { .run = run_lookup,
					 .free = free_lookup },
				.t = t,
				.tid = tid,
				.r = 1,
				.done_fd = done };
	uint64_t v;

	if (done < 0 || sl_workers_submit(w, &l.job) < 0 ||
	    read(done, &v, sizeof(v)) != sizeof(v))
		l.r = -EIO;
	close(done);
	*tgid = l.tgid;
	return l.r;
}

/* The loop changes the table without a lock: a lookup from a worker
 * answers by ancestry and leaves the table as it was (before, it added
 * the process from the worker's thread: a data race with the loop). */
TEST(proctab_lookup_from_a_worker_leaves_the_table_alone)
{
	struct sl_proctab *t = NULL;
	struct sl_workers *w = NULL;
	pid_t self = getpid(), kid, tgid = 0;
	int epfd = epoll_create1(EPOLL_CLOEXEC), gate[2];
	int selffd = (int)syscall(SYS_pidfd_open, self, 0);
	int listener = eventfd(0, EFD_CLOEXEC);

	CHECK(epfd >= 0 && selffd >= 0 && listener >= 0);
	CHECK(pipe2(gate, O_CLOEXEC) == 0);
	/* this process plays the keeper: its children are members */
	CHECK(sl_proctab_new(epfd, self, self, selffd, NULL, &t) == 0);
	CHECK(sl_workers_new(listener, epfd, &w) == 0);
	kid = fork();
	if (kid == 0) {
		char c;

		close(gate[1]);
		_exit(read(gate[0], &c, 1) < 0);
	}
	CHECK(kid > 0);
	CHECK_EQ_INT(lookup_on_worker(w, t, kid, &tgid), 0);
	CHECK_EQ_INT(tgid, kid);
	CHECK_EQ_INT(sl_proctab_count(t), 1); /* not added */
	CHECK_EQ_INT(lookup_on_worker(w, t, getppid(), &tgid), -ESRCH);
	CHECK_EQ_INT(sl_proctab_lookup(t, kid, &tgid), 0);
	CHECK_EQ_INT(sl_proctab_count(t), 2); /* the loop's lookup adds */
	close(gate[0]);
	close(gate[1]);
	CHECK(waitpid(kid, NULL, 0) == kid);
	sl_workers_free(w);
	sl_proctab_free(t);
	close(listener);
	close(selffd);
	close(epfd);
}

TEST(utf8_validation_is_strict)
{
	CHECK(sl_utf8_valid("", 0));
	CHECK(sl_utf8_valid("sandbox-1", 9));
	CHECK(sl_utf8_valid("\xc3\xa9t\xc3\xa9", 6)); /* été */
	CHECK(sl_utf8_valid("\xf0\x9f\x94\x92", 4));  /* U+1F512 */
	CHECK(!sl_utf8_valid("\xc0\xaf", 2));	      /* overlong '/' */
	CHECK(!sl_utf8_valid("\xe0\x80\xaf", 3));     /* overlong */
	CHECK(!sl_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
	CHECK(!sl_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	CHECK(!sl_utf8_valid("\xc3", 1));	      /* truncated */
	CHECK(!sl_utf8_valid("\x80", 1));	      /* stray */
}
