/*
 * Policy callbacks (docs/abi.md 3.12, docs/behaviour.md 13.4): events and verdicts on
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
#include "lib/files.h"
#include "lib/net.h"
#include "lib/paths.h"
#include "lib/policy.h"
#include "lib/run.h"
#include "lib/scratch.h"

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
		    (!needle ||
		     strncmp(seen.argv[i], needle, strlen(needle)) == 0))
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
	struct hrun h;

	hrun(b, argv, &h);
	if (h.build_err)
		fprintf(stderr, "  build failed: %s\n", h.build_err);
	o.ran = h.ok;
	o.code = h.code;
	o.out = h.out;
	o.err = h.err;
	h.out = h.err = NULL;
	hrun_free(&h);
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
	return atomic_load(&refuse_opens) &&
			       strcmp(ev->syscall, "openat") == 0 ?
		       -1 :
		       0;
}

enum trace_mode { BY_KERNEL, ON_BEHALF, IN_WORKDIR };

static void check_open_leaves_no_trace(enum trace_mode mode)
{
	char dir[64], cmd[512], path[128];
	sandlock_builder_t *b;
	struct out o;
	struct stat st;

	CHECK(scratch_dir(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/made", dir);
	snprintf(cmd, sizeof(cmd), "mkdir %s/trigger; echo x > %s", dir, path);
	b = sandlock_sandbox_builder_fs_write(lu_builder(), dir);
	if (mode == ON_BEHALF) /* every open is then performed on behalf */
		b = sandlock_sandbox_builder_fs_deny(b, "/etc/shadow");
	if (mode == IN_WORKDIR) /* the write would be staged, then committed */
		b = sandlock_sandbox_builder_workdir(b, dir);
	atomic_store(&refuse_opens, false);
	o = RUN(with_cb(b, deny_opens_after_mkdir, NULL), "/bin/sh", "-c", cmd);
	CHECK(o.ran);
	CHECK_CONTAINS(o.err, "Operation not permitted");
	CHECK(stat(path, &st) < 0 && errno == ENOENT);
	out_free(&o);
	scratch_remove(dir);
}

TEST(denied_open_creates_nothing)
{
	check_open_leaves_no_trace(BY_KERNEL);
}

TEST(denied_open_on_behalf_creates_nothing)
{
	check_open_leaves_no_trace(ON_BEHALF);
}

TEST(denied_open_in_a_workdir_stages_nothing)
{
	check_open_leaves_no_trace(IN_WORKDIR);
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
	char dir[64], sub[128], cmd[512];
	struct out o;
	int i;

	CHECK(scratch_dir(dir, sizeof(dir)));
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
	scratch_remove(dir);
}

/* ---- the live policy: network -------------------------------------------------- */

/* A policy allowing both listeners, with callback cb. */
static sandlock_builder_t *pair_builder(const struct nu_pair *p,
					sandlock_policy_fn_t cb)
{
	sandlock_builder_t *b = nu_builder();

	b = sandlock_sandbox_builder_net_allow(b, nu_fmt("tcp://127.0.0.2:%d",
							 p->port, 0));
	b = sandlock_sandbox_builder_net_allow(b, nu_fmt("tcp://127.0.0.3:%d",
							 p->port, 0));
	return with_cb(b, cb, NULL);
}

/* Two connects from one shell: to .2, then to .3 (or .2 again). */
static struct out two_connects(sandlock_builder_t *b, const struct nu_pair *p,
			       const char *second)
{
	char cmd[PATH_MAX * 2 + 128];

	snprintf(cmd, sizeof(cmd),
		 "%s connect tcp 127.0.0.2 %d; /bin/true marker; "
		 "%s connect tcp %s %d",
		 nu_probe, p->port, nu_probe, second, p->port);
	return RUN(b, "/bin/sh", "-c", cmd);
}

static int32_t deny_dot3(const sandlock_event_t *ev, sandlock_ctx_t *ctx,
			 void *ud)
{
	(void)ctx;
	(void)ud;
	record(ev);
	return strcmp(ev->syscall, "connect") == 0 && ev->host &&
			       strcmp(ev->host, "127.0.0.3") == 0 ?
		       -1 :
		       0;
}

TEST(connect_refused_to_one_ip_allowed_to_another)
{
	struct nu_pair pr;
	struct out o;
	int i;

	if (!nu_find_probe())
		FAIL("net_probe helper not built");
	CHECK(nu_pair_open(&pr, SOCK_STREAM));
	seen_reset();
	o = two_connects(pair_builder(&pr, deny_dot3), &pr, "127.0.0.3");
	CHECK(o.ran);
	CHECK_STR(o.out, "OK\nEPERM\n");
	CHECK(nu_connected(pr.a));
	CHECK(!nu_connected(pr.b));
	i = find("connect", NULL);
	CHECK(i >= 0);
	CHECK_STR(seen.host[i], "127.0.0.2");
	CHECK_EQ_INT(seen.port[i], pr.port);
	CHECK_EQ_INT(seen.category[i], 1);
	out_free(&o);
	nu_pair_close(&pr);
}

/* On the first connect: only 127.0.0.2 from now on. */
static int32_t restrict_on_first_connect(const sandlock_event_t *ev,
					 sandlock_ctx_t *ctx, void *ud)
{
	static const char *const only[] = { "127.0.0.2" };

	(void)ud;
	if (strcmp(ev->syscall, "connect") == 0)
		sandlock_ctx_restrict_network(ctx, only, 1);
	/* a grant after a restriction is ignored */
	if (is_exec(ev) && argv_has(ev, "marker")) {
		static const char *const both[] = { "127.0.0.3" };

		sandlock_ctx_grant_network(ctx, both, 1);
	}
	return 0;
}

TEST(restricting_the_network_in_a_callback_refuses_the_next_connect)
{
	struct nu_pair pr;
	struct out o;

	if (!nu_find_probe())
		FAIL("net_probe helper not built");
	CHECK(nu_pair_open(&pr, SOCK_STREAM));
	o = two_connects(pair_builder(&pr, restrict_on_first_connect), &pr,
			 "127.0.0.3");
	CHECK(o.ran);
	CHECK_STR(o.out, "OK\nECONNREFUSED\n");
	CHECK(nu_connected(pr.a));
	CHECK(!nu_connected(pr.b));
	out_free(&o);
	nu_pair_close(&pr);
}

/* At the marker: an empty set, which denies every destination. */
static int32_t restrict_empty_at_marker(const sandlock_event_t *ev,
					sandlock_ctx_t *ctx, void *ud)
{
	(void)ud;
	if (is_exec(ev) && argv_has(ev, "marker"))
		sandlock_ctx_restrict_network(ctx, NULL, 0);
	return 0;
}

TEST(an_empty_restriction_denies_every_destination)
{
	struct nu_pair pr;
	struct out o;

	if (!nu_find_probe())
		FAIL("net_probe helper not built");
	CHECK(nu_pair_open(&pr, SOCK_STREAM));
	o = two_connects(pair_builder(&pr, restrict_empty_at_marker), &pr,
			 "127.0.0.2");
	CHECK(o.ran);
	CHECK_STR(o.out, "OK\nECONNREFUSED\n");
	CHECK(nu_connected(pr.a));
	CHECK(!nu_connected(pr.a));
	out_free(&o);
	nu_pair_close(&pr);
}

/* At the marker: grant 127.0.0.3 (in the ceiling) and 10.1.2.3 (not): the
 * live set is now {127.0.0.3}. */
static int32_t grant_at_marker(const sandlock_event_t *ev, sandlock_ctx_t *ctx,
			       void *ud)
{
	static const char *const ips[] = { "127.0.0.3", "10.1.2.3", "bad" };

	(void)ud;
	if (is_exec(ev) && argv_has(ev, "marker"))
		sandlock_ctx_grant_network(ctx, ips, 3);
	return 0;
}

TEST(a_grant_within_the_ceiling_is_the_live_set)
{
	struct nu_pair pr;
	struct out o;

	if (!nu_find_probe())
		FAIL("net_probe helper not built");
	CHECK(nu_pair_open(&pr, SOCK_STREAM));
	o = two_connects(pair_builder(&pr, grant_at_marker), &pr, "127.0.0.2");
	CHECK(o.ran);
	CHECK_STR(o.out, "OK\nECONNREFUSED\n");
	out_free(&o);
	o = two_connects(pair_builder(&pr, grant_at_marker), &pr, "127.0.0.3");
	CHECK(o.ran);
	CHECK_STR(o.out, "OK\nOK\n");
	out_free(&o);
	nu_pair_close(&pr);
}

/* The process that runs the second probe may reach 127.0.0.3 only. */
static int32_t per_pid(const sandlock_event_t *ev, sandlock_ctx_t *ctx,
		       void *ud)
{
	static const char *const ips[] = { "127.0.0.3" };

	(void)ud;
	if (is_exec(ev) && argv_has(ev, "127.0.0.2") && argv_has(ev, "tcp") &&
	    atomic_fetch_add(&deny_verdict, 1) == 0)
		sandlock_ctx_restrict_pid_network(ctx, ev->pid, ips, 1);
	return 0;
}

TEST(a_process_restricted_alone)
{
	struct nu_pair pr;
	struct out o;

	if (!nu_find_probe())
		FAIL("net_probe helper not built");
	CHECK(nu_pair_open(&pr, SOCK_STREAM));
	atomic_store(&deny_verdict, 0);
	/* the first probe is restricted; the second, another process, not */
	o = two_connects(pair_builder(&pr, per_pid), &pr, "127.0.0.2");
	CHECK(o.ran);
	CHECK_STR(o.out, "ECONNREFUSED\nOK\n");
	out_free(&o);
	atomic_store(&deny_verdict, -1);
	nu_pair_close(&pr);
}

/* ---- the live policy: limits ----------------------------------------------------- */

static int32_t limit_processes(const sandlock_event_t *ev, sandlock_ctx_t *ctx,
			       void *ud)
{
	(void)ud;
	if (is_exec(ev) && argv_has(ev, "seq"))
		sandlock_ctx_restrict_max_processes(ctx, 2);
	return 0;
}

TEST(lowering_max_processes_refuses_forks)
{
	char probe[PATH_MAX + 16];
	struct out o;

	if (!nu_find_probe())
		FAIL("helpers not built");
	snprintf(probe, sizeof(probe), "%s/fork_probe", helpers_dir());
	o = RUN(with_cb(nu_builder(), limit_processes, NULL), probe, "seq",
		"5");
	CHECK(o.ran);
	/* itself and one child */
	CHECK_STR(o.out, "created=1 errno=EAGAIN\n");
	out_free(&o);
	/* the same without the callback's restriction */
	o = RUN(with_cb(nu_builder(), allow_all, NULL), probe, "seq", "5");
	CHECK(o.ran);
	CHECK_STR(o.out, "created=5 errno=none\n");
	out_free(&o);
}

static int32_t limit_memory(const sandlock_event_t *ev, sandlock_ctx_t *ctx,
			    void *ud)
{
	(void)ud;
	if (is_exec(ev) && argv_has(ev, "thread"))
		sandlock_ctx_restrict_max_memory(ctx, 16 << 20);
	return 0;
}

TEST(lowering_max_memory_stops_an_allocation)
{
	char probe[PATH_MAX + 16];
	sandlock_builder_t *b;
	struct out o;

	if (!nu_find_probe())
		FAIL("helpers not built");
	snprintf(probe, sizeof(probe), "%s/mem_probe", helpers_dir());
	b = sandlock_sandbox_builder_max_memory(nu_builder(), 512 << 20);
	o = RUN(with_cb(b, limit_memory, NULL), probe, "thread", "64");
	CHECK(o.ran);
	CHECK(!strstr(o.out, "survived"));
	out_free(&o);
	b = sandlock_sandbox_builder_max_memory(nu_builder(), 512 << 20);
	o = RUN(with_cb(b, allow_all, NULL), probe, "thread", "64");
	CHECK(o.ran);
	CHECK_CONTAINS(o.out, "survived");
	out_free(&o);
}

/* ---- the live policy: paths ------------------------------------------------------ */

static char secret[128];

/* Deny the secret when the first reader starts, allow it at the marker. */
static int32_t paths(const sandlock_event_t *ev, sandlock_ctx_t *ctx, void *ud)
{
	(void)ud;
	if (is_exec(ev) && argv_has(ev, "read") &&
	    atomic_fetch_add(&deny_verdict, 1) == 0)
		sandlock_ctx_deny_path(ctx, secret);
	if (is_exec(ev) && argv_has(ev, "marker"))
		sandlock_ctx_allow_path(ctx, secret);
	return 0;
}

TEST(a_denied_path_refuses_opens_by_every_name)
{
	char dir[64], alias[128], cmd[PATH_MAX * 3 + 512];
	struct out o;

	if (!nu_find_probe())
		FAIL("helpers not built");
	CHECK(scratch_dir(dir, sizeof(dir)));
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	snprintf(alias, sizeof(alias), "%s/alias", dir);
	CHECK(write_file(secret, "SECRET\n"));
	CHECK(link(secret, alias) == 0); /* another name, made before the run */
	snprintf(cmd, sizeof(cmd),
		 "%s/fs_probe read %s; %s/fs_probe read %s; /bin/true marker; "
		 "%s/fs_probe read %s",
		 helpers_dir(), secret, helpers_dir(), alias, helpers_dir(),
		 alias);
	atomic_store(&deny_verdict, 0);
	o = RUN(with_cb(sandlock_sandbox_builder_fs_read(nu_builder(), dir),
			paths, NULL),
		"/bin/sh", "-c", cmd);
	atomic_store(&deny_verdict, -1);
	CHECK(o.ran);
	CHECK_STR(o.out, "read EACCES\nread EACCES\nread OK SECRET\n");
	out_free(&o);
	scratch_remove(dir);
}

/* ---- user data ------------------------------------------------------------------- */

static _Atomic int drops;

static void count_drop(void *ud)
{
	(void)ud;
	atomic_fetch_add(&drops, 1);
}

TEST(user_data_dropped_once_after_the_last_run)
{
	const char *argv[] = { "/bin/true" };
	sandlock_sandbox_t *p;
	sandlock_handle_t *h;
	sandlock_result_t *r;

	atomic_store(&drops, 0);
	p = lu_build(sandlock_sandbox_builder_policy_fn(lu_builder(), allow_all,
							&secret, count_drop));
	CHECK(p);
	/* a live handle holds the callback past the policy's free */
	h = sandlock_create(p, NULL, argv, 1);
	CHECK(h);
	sandlock_sandbox_free(p);
	CHECK_EQ_INT(atomic_load(&drops), 0);
	CHECK(sandlock_start(h) == 0);
	r = sandlock_handle_wait(h);
	CHECK(r);
	CHECK_EQ_INT(sandlock_result_exit_code(r), 0);
	sandlock_result_free(r);
	CHECK_EQ_INT(atomic_load(&drops), 0);
	sandlock_handle_free(h);
	CHECK_EQ_INT(atomic_load(&drops), 1);

	/* a one-shot run, then the policy */
	atomic_store(&drops, 0);
	p = lu_build(sandlock_sandbox_builder_policy_fn(lu_builder(), allow_all,
							&secret, count_drop));
	CHECK(p);
	r = sandlock_run(p, NULL, argv, 1);
	CHECK(r);
	sandlock_result_free(r);
	CHECK_EQ_INT(atomic_load(&drops), 0);
	sandlock_sandbox_free(p);
	CHECK_EQ_INT(atomic_load(&drops), 1);

	/* replaced, then the build fails: each dropped once */
	atomic_store(&drops, 0);
	{
		sandlock_builder_t *b = sandlock_sandbox_builder_policy_fn(
			lu_builder(), allow_all, &secret, count_drop);

		b = sandlock_sandbox_builder_policy_fn(b, allow_all, &drops,
						       count_drop);
		CHECK_EQ_INT(atomic_load(&drops), 1);
		b = sandlock_sandbox_builder_max_cpu(b, 101);
		CHECK(!sandlock_sandbox_build(b, NULL, NULL));
		CHECK_EQ_INT(atomic_load(&drops), 2);
	}
}
