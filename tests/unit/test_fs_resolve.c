/*
 * Child-view path resolution (handlers/resolve.c) and the path/identity
 * sets, on a private scratch tree. The "child" is a sleeping process of
 * ours, so /proc/self must resolve to it, not to the test.
 */
#include <fcntl.h>
#include <ftw.h>
#include <linux/openat2.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "handlers/pathset.h"
#include "handlers/resolve.h"

static pid_t kid = -1;
static char dir[64];

static bool any_pid(void *arg, pid_t pid)
{
	(void)arg;
	return pid == kid;
}

static int rm_entry(const char *p, const struct stat *st, int f,
		    struct FTW *w)
{
	(void)st;
	(void)f;
	(void)w;
	return remove(p);
}

static bool setup(struct sl_resolve_ctx *c)
{
	char p[128], q[128];
	int fd;

	if (kid < 0) {
		kid = fork();
		if (kid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			pause();
			_exit(0);
		}
	}
	strcpy(dir, "/tmp/sl-resolve-XXXXXX");
	if (!mkdtemp(dir))
		return false;
	snprintf(p, sizeof(p), "%s/d", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/d/f", dir);
	fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return false;
	close(fd);
	snprintf(p, sizeof(p), "%s/abs", dir);
	snprintf(q, sizeof(q), "%s/d/f", dir);
	if (symlink(q, p) < 0)
		return false;
	snprintf(p, sizeof(p), "%s/rel", dir);
	if (symlink("d/f", p) < 0)
		return false;
	snprintf(p, sizeof(p), "%s/loop", dir);
	if (symlink("loop", p) < 0)
		return false;
	snprintf(p, sizeof(p), "%s/dangling", dir);
	if (symlink("d/new", p) < 0)
		return false;
	memset(c, 0, sizeof(*c));
	c->rootfd = open("/", O_PATH | O_CLOEXEC);
	c->root_is_host = true;
	c->tgid = kid;
	c->tid = kid;
	c->pid_ok = any_pid;
	return c->rootfd >= 0;
}

static void teardown(struct sl_resolve_ctx *c)
{
	close(c->rootfd);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static char *resolved_path(struct sl_resolve_ctx *c, int dirfd,
			   const char *path, unsigned how, int *err)
{
	struct sl_resolved r;
	char *out = NULL;

	*err = sl_resolve(c, dirfd, path, 0, how, &r);
	if (*err == 0 && sl_fd_path(r.fd, &out) < 0)
		out = NULL;
	sl_resolved_clear(&r);
	return out;
}

TEST(proc_self_names_the_child)
{
	struct sl_resolve_ctx c;
	char want[64];
	char *got;
	int err;

	if (!setup(&c))
		FAIL("setup");
	snprintf(want, sizeof(want), "/proc/%d/status", (int)kid);
	got = resolved_path(&c, AT_FDCWD, "/proc/self/status", SL_RES_FOLLOW,
			    &err);
	CHECK_EQ_INT(err, 0);
	CHECK_STR(got, want);
	free(got);
	snprintf(want, sizeof(want), "/proc/%d/task/%d", (int)kid, (int)kid);
	got = resolved_path(&c, AT_FDCWD, "/proc/thread-self", SL_RES_FOLLOW,
			    &err);
	CHECK_STR(got, want);
	free(got);
	/* the child's root through a magic link, then back into /proc */
	snprintf(want, sizeof(want), "/proc/%d/status", (int)kid);
	got = resolved_path(&c, AT_FDCWD, "/proc/self/root/proc/self/status",
			    SL_RES_FOLLOW, &err);
	CHECK_STR(got, want);
	free(got);
	teardown(&c);
}

TEST(magic_links_of_foreign_processes_are_refused)
{
	struct sl_resolve_ctx c;
	char *got;
	int err;

	if (!setup(&c))
		FAIL("setup");
	got = resolved_path(&c, AT_FDCWD, "/proc/1/root/etc", SL_RES_FOLLOW,
			    &err);
	CHECK(got == NULL);
	CHECK_EQ_INT(err, -EACCES);
	teardown(&c);
}

TEST(symlinks_loops_missing_and_trailing_slashes)
{
	struct sl_resolve_ctx c;
	struct sl_resolved r;
	char p[128], want[128];
	char *got;
	int err;

	if (!setup(&c))
		FAIL("setup");
	snprintf(want, sizeof(want), "%s/d/f", dir);
	snprintf(p, sizeof(p), "%s/abs", dir);
	got = resolved_path(&c, AT_FDCWD, p, SL_RES_FOLLOW, &err);
	CHECK_STR(got, want);
	free(got);
	snprintf(p, sizeof(p), "%s/rel", dir);
	got = resolved_path(&c, AT_FDCWD, p, SL_RES_FOLLOW, &err);
	CHECK_STR(got, want);
	free(got);
	/* not following: the link itself */
	got = resolved_path(&c, AT_FDCWD, p, 0, &err);
	CHECK_STR(got, p);
	free(got);
	snprintf(p, sizeof(p), "%s/loop", dir);
	got = resolved_path(&c, AT_FDCWD, p, SL_RES_FOLLOW, &err);
	CHECK(got == NULL);
	CHECK_EQ_INT(err, -ELOOP);
	snprintf(p, sizeof(p), "%s/d/f/", dir);
	got = resolved_path(&c, AT_FDCWD, p, SL_RES_FOLLOW, &err);
	CHECK_EQ_INT(err, -ENOTDIR);
	free(got);
	/* a dangling symlink is created through: its target's parent */
	snprintf(p, sizeof(p), "%s/dangling", dir);
	CHECK_EQ_INT(sl_resolve(&c, AT_FDCWD, p, 0,
				SL_RES_FOLLOW | SL_RES_MISSING_OK, &r),
		     -ENOENT);
	CHECK(r.parentfd >= 0);
	CHECK_STR(r.name, "new");
	CHECK(sl_fd_path(r.parentfd, &got) == 0);
	snprintf(want, sizeof(want), "%s/d", dir);
	CHECK_STR(got, want);
	free(got);
	sl_resolved_clear(&r);
	teardown(&c);
}

TEST(beneath_refuses_escapes)
{
	struct sl_resolve_ctx c;
	struct sl_resolved r;
	int d;

	if (!setup(&c))
		FAIL("setup");
	d = open(dir, O_PATH | O_CLOEXEC);
	CHECK(d >= 0);
	/* abs points outside through an absolute target */
	CHECK_EQ_INT(sl_resolve(&c, d, "abs", RESOLVE_BENEATH, SL_RES_FOLLOW,
				&r),
		     -EXDEV);
	sl_resolved_clear(&r);
	CHECK_EQ_INT(sl_resolve(&c, d, "rel", RESOLVE_BENEATH, SL_RES_FOLLOW,
				&r),
		     0);
	sl_resolved_clear(&r);
	CHECK_EQ_INT(sl_resolve(&c, d, "../x", RESOLVE_BENEATH, SL_RES_FOLLOW,
				&r),
		     -EXDEV);
	sl_resolved_clear(&r);
	close(d);
	teardown(&c);
}

TEST(pathset_identity_follows_hard_links_and_directories)
{
	struct sl_resolve_ctx c;
	struct sl_pathset s = { 0 };
	char p[128], q[128];
	int fd;

	if (!setup(&c))
		FAIL("setup");
	snprintf(p, sizeof(p), "%s/d/f", dir);
	snprintf(q, sizeof(q), "%s/hl", dir);
	CHECK(link(p, q) == 0);
	CHECK_EQ_INT(sl_pathset_add(&s, p, true), 0);
	CHECK(sl_pathset_covers(&s, p));
	fd = open(q, O_PATH | O_CLOEXEC);
	CHECK(sl_pathset_holds(&s, fd));
	close(fd);
	fd = open(dir, O_PATH | O_CLOEXEC);
	CHECK(!sl_pathset_holds(&s, fd));
	CHECK(sl_pathset_inside(&s, dir));
	close(fd);
	sl_pathset_free(&s);
	/* a denied directory holds what lies below it */
	snprintf(p, sizeof(p), "%s/d", dir);
	CHECK_EQ_INT(sl_pathset_add(&s, p, true), 0);
	snprintf(q, sizeof(q), "%s/d/f", dir);
	fd = open(q, O_PATH | O_CLOEXEC);
	CHECK(sl_pathset_holds(&s, fd));
	close(fd);
	sl_pathset_free(&s);
	teardown(&c);
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	kid = -1;
}
