/*
 * Child-view path resolution (fs/resolve.c) and the path/identity sets,
 * on a private scratch tree. The "child" is a sleeping process of ours,
 * so /proc/self must resolve to it, not to the test.
 */
#include <fcntl.h>
#include <linux/openat2.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "fs/pathset.h"
#include "fs/resolve.h"
#include "lib/scratch.h"

static pid_t kid = -1;
static char dir[64];

static bool any_pid(void *arg, pid_t pid)
{
	(void)arg;
	return pid == kid;
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
	if (!scratch_dir(dir, sizeof(dir)))
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
	c->rootfd = -1; /* the test's own root */
	c->tgid = kid;
	c->tid = kid;
	c->pid_ok = any_pid;
	return true;
}

static void teardown(struct sl_resolve_ctx *c)
{
	(void)c;
	scratch_remove(dir);
}

static bool holds(const struct sl_pathset *s, int fd)
{
	struct sl_fs_obj o;

	return sl_fs_obj_of(fd, &o) == 0 && sl_pathset_holds(s, fd, &o, NULL);
}

static char *resolved_path(struct sl_resolve_ctx *c, int dirfd,
			   const char *path, unsigned how, int *err)
{
	struct sl_resolved r;
	char *out = NULL;

	*err = sl_resolve(c, dirfd, path, 0, how, &r);
	if (*err == 0 && sl_fd_path(NULL, r.fd, &out) < 0)
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
	CHECK(sl_fd_path(NULL, r.parentfd, &got) == 0);
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
	CHECK_EQ_INT(sl_pathset_add(&s, p, SL_PATHSET_IDENTITY), 0);
	CHECK(sl_pathset_covers(&s, p));
	fd = open(q, O_PATH | O_CLOEXEC);
	CHECK(holds(&s, fd));
	close(fd);
	fd = open(dir, O_PATH | O_CLOEXEC);
	CHECK(!holds(&s, fd));
	CHECK(sl_pathset_inside(&s, dir));
	close(fd);
	/* removed again, with its identity */
	CHECK_EQ_INT(sl_pathset_remove(&s, p), 0);
	CHECK(!sl_pathset_covers(&s, p));
	fd = open(q, O_PATH | O_CLOEXEC);
	CHECK(!holds(&s, fd));
	close(fd);
	CHECK_EQ_INT(sl_pathset_remove(&s, p), -ENOENT);
	CHECK_EQ_INT(sl_pathset_add(&s, "", SL_PATHSET_IDENTITY), -EINVAL);
	sl_pathset_free(&s);
	/* a denied directory's files are matched by their path within the
	 * mount, and its hard-linked files by identity */
	snprintf(p, sizeof(p), "%s/d", dir);
	CHECK_EQ_INT(sl_pathset_add(&s, p, SL_PATHSET_IDENTITY), 0);
	snprintf(q, sizeof(q), "%s/d/f", dir);
	CHECK(sl_pathset_covers(&s, q));
	fd = open(q, O_PATH | O_CLOEXEC);
	CHECK(holds(&s, fd)); /* d/f has a second name (hl) */
	close(fd);
	sl_pathset_free(&s);
	teardown(&c);
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	kid = -1;
}

/* Seven links of 3.8 KB each, every one starting with the next: 26 KB of
 * text still to walk at once, which the kernel takes (it keeps the links
 * apart) and so must the view. */
TEST(long_link_chains_resolve_as_in_the_kernel)
{
	struct sl_resolve_ctx c;
	char p[256], want[128], target[4000];
	char *got;
	int err;

	if (!setup(&c))
		FAIL("setup");
	for (int i = 1; i <= 7; i++) {
		char name[128];
		size_t n;

		if (i == 7)
			n = (size_t)snprintf(target, sizeof(target), "d/");
		else
			n = (size_t)snprintf(target, sizeof(target), "c%d/",
					     i + 1);
		while (n + 2 < 3800)
			n += (size_t)snprintf(target + n, sizeof(target) - n,
					      "./");
		snprintf(name, sizeof(name), "%s/c%d", dir, i);
		CHECK(symlink(target, name) == 0);
	}
	snprintf(want, sizeof(want), "%s/d/f", dir);
	snprintf(p, sizeof(p), "/proc/self/root%s/c1/f", dir);
	got = resolved_path(&c, AT_FDCWD, p, SL_RES_FOLLOW, &err);
	CHECK_EQ_INT(err, 0);
	CHECK_STR(got, want);
	free(got);
	snprintf(p, sizeof(p), "%s/c1/f", dir);
	got = resolved_path(&c, AT_FDCWD, p, SL_RES_FOLLOW, &err);
	CHECK_STR(got, want);
	free(got);
	teardown(&c);
}

TEST(parents_of_names_to_create_or_remove)
{
	struct sl_resolve_ctx c;
	struct sl_resolved r;
	char p[128];
	char *got;

	if (!setup(&c))
		FAIL("setup");
	snprintf(p, sizeof(p), "%s/d/", dir);
	CHECK_EQ_INT(sl_resolve(&c, AT_FDCWD, p, 0, SL_RES_PARENT, &r), 0);
	CHECK_STR(r.name, "d");
	CHECK(r.trailing_slash);
	CHECK(sl_fd_path(NULL, r.parentfd, &got) == 0);
	CHECK_STR(got, dir);
	free(got);
	sl_resolved_clear(&r);
	/* the last component is not followed */
	snprintf(p, sizeof(p), "%s/abs", dir);
	CHECK_EQ_INT(sl_resolve(&c, AT_FDCWD, p, 0, SL_RES_PARENT, &r), 0);
	CHECK_STR(r.name, "abs");
	CHECK(r.fd < 0);
	sl_resolved_clear(&r);
	/* a missing directory on the way is the kernel's ENOENT */
	snprintf(p, sizeof(p), "%s/nope/x", dir);
	CHECK_EQ_INT(sl_resolve(&c, AT_FDCWD, p, 0, SL_RES_PARENT, &r),
		     -ENOENT);
	sl_resolved_clear(&r);
	teardown(&c);
}
