/*
 * Policy callbacks (c-abi 3.12, behavior.md 13.4): events and verdicts on
 * real sandboxes, the live policy a callback changes (network, limits,
 * paths), the 5 s verdict limit, and the ownership of the user data.
 * What the sandboxed program saw (exit status, errno names) and what
 * reached the host (connections, files) are checked, not only that the
 * callback ran.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "integration/net_util.h"

/* ---- recording callbacks ---------------------------------------------------- */

#define MAX_SEEN 512

struct seen {
	pthread_mutex_t lock;
	unsigned n;
	char name[MAX_SEEN][16];
	uint8_t category[MAX_SEEN];
	uint32_t pid[MAX_SEEN], ppid[MAX_SEEN];
	char host[MAX_SEEN][48];
	uint16_t port[MAX_SEEN];
	bool denied[MAX_SEEN];
	char argv[MAX_SEEN][256]; /* argv joined with spaces */
};

static struct seen seen = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void seen_reset(void)
{
	pthread_mutex_lock(&seen.lock);
	seen.n = 0;
	pthread_mutex_unlock(&seen.lock);
}

static void record(const sandlock_event_t *ev)
{
	unsigned i;

	pthread_mutex_lock(&seen.lock);
	i = seen.n < MAX_SEEN ? seen.n++ : MAX_SEEN - 1;
	snprintf(seen.name[i], sizeof(seen.name[i]), "%s", ev->syscall);
	seen.category[i] = ev->category;
	seen.pid[i] = ev->pid;
	seen.ppid[i] = ev->parent_pid;
	snprintf(seen.host[i], sizeof(seen.host[i]), "%s",
		 ev->host ? ev->host : "");
	seen.port[i] = ev->port;
	seen.denied[i] = ev->denied;
	seen.argv[i][0] = '\0';
	for (uint32_t k = 0; k < ev->argc; k++) {
		size_t len = strlen(seen.argv[i]);

		snprintf(seen.argv[i] + len, sizeof(seen.argv[i]) - len, "%s%s",
			 k ? " " : "", ev->argv[k]);
	}
	pthread_mutex_unlock(&seen.lock);
}

/* The index of the first recorded event named name whose argv starts
 * with prefix (NULL: any), or -1. */
static int find(const char *name, const char *needle)
{
	int found = -1;

	pthread_mutex_lock(&seen.lock);
	for (unsigned i = 0; i < seen.n && found < 0; i++)
		if (strcmp(seen.name[i], name) == 0 &&
		    (!needle || strncmp(seen.argv[i], needle, strlen(needle)) == 0))
			found = (int)i;
	pthread_mutex_unlock(&seen.lock);
	return found;
}

static bool is_exec(const sandlock_event_t *ev)
{
	return strcmp(ev->syscall, "execve") == 0 ||
	       strcmp(ev->syscall, "execveat") == 0;
}

/* Is one argument exactly arg (not a shell script that mentions it)? */
static bool argv_has(const sandlock_event_t *ev, const char *arg)
{
	for (uint32_t i = 0; i < ev->argc; i++)
		if (strcmp(ev->argv[i], arg) == 0)
			return true;
	return false;
}

static int32_t allow_all(const sandlock_event_t *ev, sandlock_ctx_t *ctx,
			 void *ud)
{
	(void)ctx;
	(void)ud;
	record(ev);
	return 0;
}

/* ud: the token whose exec is refused; the verdict in deny_verdict. */
static _Atomic int32_t deny_verdict = -1;

static int32_t deny_token(const sandlock_event_t *ev, sandlock_ctx_t *ctx,
			  void *ud)
{
	(void)ctx;
	record(ev);
	return is_exec(ev) && argv_has(ev, ud) ? atomic_load(&deny_verdict) : 0;
}

/* ---- running ---------------------------------------------------------------- */

static sandlock_builder_t *with_cb(sandlock_builder_t *b,
				   sandlock_policy_fn_t cb, void *ud)
{
	return sandlock_sandbox_builder_policy_fn(b, cb, ud, NULL);
}

struct out {
	bool ran;
	int code;
	char *out, *err;
};

static struct out run(sandlock_builder_t *b, const char *const *argv)
{
	struct out o = { .code = -1 };
	sandlock_sandbox_t *p = lu_build(b);
	sandlock_result_t *r;
	unsigned argc = 0;

	if (!p)
		return o;
	while (argv[argc])
		argc++;
	r = sandlock_run(p, NULL, argv, argc);
	sandlock_sandbox_free(p);
	if (!r)
		return o;
	o.ran = true;
	o.code = sandlock_result_exit_code(r);
	o.out = lu_out(r);
	o.err = lu_err(r);
	sandlock_result_free(r);
	return o;
}

static void out_free(struct out *o)
{
	free(o->out);
	free(o->err);
}

#define RUN(b, ...) run((b), (const char *const[]){ __VA_ARGS__, NULL })

/* ---- events and verdicts ----------------------------------------------------- */

TEST(events_describe_exec_and_opens)
{
	struct out o;
	int i;

	seen_reset();
	o = RUN(with_cb(lu_builder(), allow_all, NULL), "/bin/sh", "-c",
		"/bin/echo hello; exit 0");
	CHECK(o.ran);
	CHECK_EQ_INT(o.code, 0);
	CHECK_STR(o.out, "hello\n");
	/* the command's own exec, with its argv, and the shell's child */
	i = find("execve", "/bin/sh -c /bin/echo hello; exit 0");
	CHECK(i >= 0);
	CHECK_EQ_INT(seen.category[i], 2);
	CHECK(seen.pid[i] > 0 && seen.ppid[i] > 0);
	CHECK(!seen.denied[i]);
	i = find("execve", "/bin/echo hello");
	CHECK(i >= 0);
	CHECK(seen.ppid[i] == seen.pid[find("execve", "/bin/sh -c")]);
	/* the dynamic loader's opens are file events */
	i = find("openat", NULL);
	CHECK(i >= 0);
	CHECK_EQ_INT(seen.category[i], 0);
	CHECK_STR(seen.host[i], "");
	out_free(&o);
}

TEST(exec_denied_by_argv)
{
	struct out o;

	atomic_store(&deny_verdict, -1);
	o = RUN(with_cb(lu_builder(), deny_token, "tok-9d1"), "/bin/sh", "-c",
		"/bin/echo tok-9d1; echo \"after $?\"");
	CHECK(o.ran);
	CHECK(!strstr(o.out, "tok-9d1"));
	/* the shell reports the exec's EPERM (126: found, not run) */
	CHECK_CONTAINS(o.out, "after 126");
	CHECK_CONTAINS(o.err, "Operation not permitted");
	out_free(&o);

	/* the top-level command itself: the sandbox cannot start it */
	o = RUN(with_cb(lu_builder(), deny_token, "tok-9d1"), "/bin/echo",
		"tok-9d1");
	CHECK(o.ran);
	CHECK_EQ_INT(o.code, 127);
	CHECK_STR(o.out, "");
	CHECK_CONTAINS(o.err, "Operation not permitted");
	out_free(&o);
}

TEST(verdict_errno_reaches_the_child)
{
	struct out o;

	atomic_store(&deny_verdict, EACCES);
	o = RUN(with_cb(lu_builder(), deny_token, "tok-3c2"), "/bin/sh", "-c",
		"/bin/echo tok-3c2");
	CHECK(o.ran);
	CHECK_CONTAINS(o.err, "Permission denied");
	out_free(&o);
	/* a negated errno is a caller's bug: it denies with EPERM */
	atomic_store(&deny_verdict, -EACCES);
	o = RUN(with_cb(lu_builder(), deny_token, "tok-3c2"), "/bin/sh", "-c",
		"/bin/echo tok-3c2");
	CHECK(o.ran);
	CHECK_CONTAINS(o.err, "Operation not permitted");
	out_free(&o);
	/* audit allows */
	atomic_store(&deny_verdict, -2);
	o = RUN(with_cb(lu_builder(), deny_token, "tok-3c2"), "/bin/sh", "-c",
		"/bin/echo tok-3c2");
	CHECK(o.ran);
	CHECK_STR(o.out, "tok-3c2\n");
	out_free(&o);
	atomic_store(&deny_verdict, -1);
}

/* A held open that is denied leaves no trace. Opens are refused once the
 * callback has seen a mkdir (a trigger after the loader's opens). */
static _Atomic bool refuse_opens;

static int32_t deny_opens_after_mkdir(const sandlock_event_t *ev,
				      sandlock_ctx_t *ctx, void *ud)
{
	(void)ctx;
	(void)ud;
	if (strcmp(ev->syscall, "mkdirat") == 0)
		atomic_store(&refuse_opens, true);
	return atomic_load(&refuse_opens) && strcmp(ev->syscall, "openat") == 0 ?
		       -1 : 0;
}

static void check_open_leaves_no_trace(bool on_behalf)
{
	char dir[64] = "/tmp/sl-pfn-XXXXXX", cmd[512], path[128];
	sandlock_builder_t *b;
	struct out o;
	struct stat st;

	CHECK(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/made", dir);
	snprintf(cmd, sizeof(cmd), "mkdir %s/trigger; echo x > %s", dir, path);
	b = sandlock_sandbox_builder_fs_write(lu_builder(), dir);
	if (on_behalf) /* every open is then performed by the supervisor */
		b = sandlock_sandbox_builder_fs_deny(b, "/etc/shadow");
	atomic_store(&refuse_opens, false);
	o = RUN(with_cb(b, deny_opens_after_mkdir, NULL), "/bin/sh", "-c", cmd);
	CHECK(o.ran);
	CHECK_CONTAINS(o.err, "Operation not permitted");
	CHECK(stat(path, &st) < 0 && errno == ENOENT);
	out_free(&o);
	snprintf(path, sizeof(path), "%s/trigger", dir);
	rmdir(path);
	rmdir(dir);
}

TEST(denied_open_creates_nothing)
{
	check_open_leaves_no_trace(false);
}

TEST(denied_open_on_behalf_creates_nothing)
{
	check_open_leaves_no_trace(true);
}

/* ---- the verdict limit ------------------------------------------------------- */

static int32_t slow_exec(const sandlock_event_t *ev, sandlock_ctx_t *ctx,
			 void *ud)
{
	(void)ctx;
	(void)ud;
	if (is_exec(ev) && argv_has(ev, "tok-slow"))
		sleep(6);
	return 0;
}

TEST(no_verdict_within_5s_denies)
{
	struct out o = RUN(with_cb(lu_builder(), slow_exec, NULL), "/bin/sh",
			   "-c", "/bin/echo tok-slow; echo \"after $?\"");

	CHECK(o.ran);
	CHECK(!strstr(o.out, "tok-slow\n"));
	CHECK_CONTAINS(o.out, "after 126");
	CHECK_CONTAINS(o.err, "Operation not permitted");
	out_free(&o);
}

/* ---- observation ---------------------------------------------------------------- */

TEST(calls_not_held_are_observed)
{
	char dir[64] = "/tmp/sl-pfn-XXXXXX", sub[128], cmd[512];
	struct out o;
	int i;

	CHECK(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/d", dir);
	snprintf(cmd, sizeof(cmd), "mkdir %s && rmdir %s", sub, sub);
	seen_reset();
	o = RUN(with_cb(sandlock_sandbox_builder_fs_write(lu_builder(), dir),
			allow_all, NULL),
		"/bin/sh", "-c", cmd);
	CHECK(o.ran);
	CHECK_EQ_INT(o.code, 0);
	i = find("mkdirat", NULL);
	CHECK(i >= 0);
	CHECK_EQ_INT(seen.category[i], 0);
	CHECK(find("unlinkat", NULL) >= 0);
	/* process creation is observed too */
	CHECK(find("clone", NULL) >= 0 || find("vfork", NULL) >= 0 ||
	      find("fork", NULL) >= 0);
	out_free(&o);
	rmdir(dir);
}
