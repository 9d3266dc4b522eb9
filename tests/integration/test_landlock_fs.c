/*
 * Filesystem rulesets (docs/behaviour.md 3.1), built in this process and
 * enforced by the kernel in a forked child: read grants, write grants,
 * grants on single files, and the errors of a missing grant path.
 */
#include "harness.h"

#include "lib/child.h"

struct fs_case {
	int ruleset_fd;
};

/*
 * Scratch layout:
 *   ro/file      read grant on ro
 *   rw/          write grant on rw
 *   single       read grant on this file only
 *   hidden/file  no grant
 */
static bool make_tree(void)
{
	return ll_scratch_make() && ll_mkdir("ro") && ll_mkdir("rw") &&
	       ll_mkdir("hidden") && ll_write_file("ro/file", "ro") &&
	       ll_write_file("single", "single") &&
	       ll_write_file("hidden/file", "hidden") &&
	       ll_write_file("rw/existing", "rw");
}

static struct sl_policy *tree_policy(void)
{
	struct sl_policy *p = sl_policy_new();

	if (!p)
		return NULL;
	sl_strv_push(&p->fs_read, ll_path("ro"));
	sl_strv_push(&p->fs_read, ll_path("single"));
	sl_strv_push(&p->fs_write, ll_path("rw"));
	return ll_build(p);
}

static void child_fs(void *arg)
{
	const struct fs_case *c = arg;
	char buf[16];
	int fd;

	ll_restrict(c->ruleset_fd);

	/* Read grant: read and list, nothing else. */
	fd = open(ll_path("ro/file"), O_RDONLY | O_CLOEXEC);
	CHILD_CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 2);
	close(fd);
	fd = open(ll_path("ro"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHILD_CHECK(fd >= 0);
	close(fd);
	CHILD_FAILS(open(ll_path("ro/file"), O_WRONLY | O_CLOEXEC), EACCES);
	CHILD_FAILS(open(ll_path("ro/new"), O_WRONLY | O_CREAT | O_CLOEXEC,
			 0644),
		    EACCES);
	CHILD_FAILS(unlink(ll_path("ro/file")), EACCES);
	CHILD_FAILS(mkdir(ll_path("ro/dir"), 0755), EACCES);
	CHILD_FAILS(truncate(ll_path("ro/file"), 0), EACCES);

	/* A grant on one file covers that file only. */
	fd = open(ll_path("single"), O_RDONLY | O_CLOEXEC);
	CHILD_CHECK(fd >= 0);
	close(fd);
	CHILD_FAILS(open(ll_path("single"), O_RDWR | O_CLOEXEC), EACCES);

	/* No grant: nothing, not even reading or listing. */
	CHILD_FAILS(open(ll_path("hidden/file"), O_RDONLY | O_CLOEXEC), EACCES);
	CHILD_FAILS(open(ll_path("hidden"), O_RDONLY | O_DIRECTORY | O_CLOEXEC),
		    EACCES);
	CHILD_FAILS(open("/etc/passwd", O_RDONLY | O_CLOEXEC), EACCES);
	CHILD_FAILS(open(ll_path("new-at-top"), O_WRONLY | O_CREAT | O_CLOEXEC,
			 0644),
		    EACCES);

	/* Write grant: create, write, truncate, remove, make directories. */
	fd = open(ll_path("rw/new"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		  0644);
	CHILD_CHECK(fd >= 0 && write(fd, "x", 1) == 1);
	close(fd);
	CHILD_CHECK(truncate(ll_path("rw/existing"), 0) == 0);
	CHILD_CHECK(mkdir(ll_path("rw/sub"), 0755) == 0);
	CHILD_CHECK(unlink(ll_path("rw/new")) == 0);
	CHILD_CHECK(symlink("target", ll_path("rw/link")) == 0);
	/* Moving a file out of the writable tree creates it elsewhere. */
	CHILD_FAILS(rename(ll_path("rw/existing"), ll_path("ro/moved")),
		    EACCES);
}

TEST(read_and_write_grants_are_enforced)
{
	struct sl_policy *p;
	struct fs_case c = { .ruleset_fd = -1 };
	struct sl_error e = { 0 };
	int status;

	REQUIRE_LANDLOCK_ABI(1);
	CHECK(make_tree());
	p = tree_policy();
	CHECK(p);
	CHECK_EQ_INT(sl_landlock_create_ruleset(p, &c.ruleset_fd, &e), 0);
	CHECK(fcntl(c.ruleset_fd, F_GETFD) & FD_CLOEXEC);
	status = ll_run_child(child_fs, &c);
	/* What the child was refused left no trace. */
	CHECK(!ll_exists("ro/new"));
	CHECK(!ll_exists("ro/dir"));
	CHECK(!ll_exists("new-at-top"));
	CHECK(ll_exists("ro/file"));
	CHECK(ll_exists("rw/sub"));
	CHECK(!ll_exists("rw/new"));
	CHECK(!ll_exists("ro/moved"));
	CHECK(ll_exists("rw/existing"));
	close(c.ruleset_fd);
	sl_policy_free(p);
	ll_scratch_remove();
	CHECK(ll_exited_ok(status));
}

static void child_no_grants(void *arg)
{
	const struct fs_case *c = arg;

	ll_restrict(c->ruleset_fd);
	CHILD_FAILS(open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC), EACCES);
	CHILD_FAILS(open("/dev/null", O_RDONLY | O_CLOEXEC), EACCES);
	CHILD_FAILS(open("/proc/self/status", O_RDONLY | O_CLOEXEC), EACCES);
}

TEST(no_grants_means_no_filesystem)
{
	struct sl_policy *p = ll_build(sl_policy_new());
	struct fs_case c = { .ruleset_fd = -1 };

	REQUIRE_LANDLOCK_ABI(1);
	CHECK(p);
	CHECK_EQ_INT(sl_landlock_create_ruleset(p, &c.ruleset_fd, NULL), 0);
	CHECK(ll_exited_ok(ll_run_child(child_no_grants, &c)));
	close(c.ruleset_fd);
	sl_policy_free(p);
}

TEST(missing_grant_path_is_an_error_naming_it)
{
	struct sl_policy *p = sl_policy_new();
	struct sl_error e = { 0 };
	int fd = -1;

	REQUIRE_LANDLOCK_ABI(1);
	CHECK(ll_scratch_make());
	sl_strv_push(&p->fs_read, ll_scratch);
	sl_strv_push(&p->fs_write, ll_path("does-not-exist"));
	p = ll_build(p);
	CHECK(p);
	CHECK_EQ_INT(sl_landlock_create_ruleset(p, &fd, &e), -ENOENT);
	CHECK_EQ_INT(fd, -1);
	CHECK_CONTAINS(e.msg, ll_path("does-not-exist"));
	sl_error_clear(&e);
	sl_policy_free(p);
	ll_scratch_remove();
}

static void child_truncate(void *arg)
{
	const struct fs_case *c = arg;

	ll_restrict(c->ruleset_fd);
	/* TRUNCATE unhandled: truncate(2) is no longer gated, even in a
	 * read-only tree (the strict default refuses it, see child_fs). */
	CHILD_CHECK(truncate(ll_path("ro/file"), 0) == 0);
	CHILD_FAILS(open(ll_path("ro/file"), O_WRONLY | O_CLOEXEC), EACCES);
}

TEST(disabled_truncate_protection_is_not_handled)
{
	struct sl_policy *p;
	struct sl_landlock_plan plan;
	struct fs_case c = { .ruleset_fd = -1 };

	REQUIRE_LANDLOCK_ABI(3);
	CHECK(make_tree());
	p = sl_policy_new();
	sl_strv_push(&p->fs_read, ll_path("ro"));
	p->protection[SL_PROT_FS_TRUNCATE] = SL_PROT_DISABLED;
	p->protection[SL_PROT_NET_TCP] = SL_PROT_DEGRADED;
	p->protection[SL_PROT_FS_IOCTL_DEV] = SL_PROT_DEGRADED;
	p->protection[SL_PROT_SIGNAL_SCOPE] = SL_PROT_DEGRADED;
	p->protection[SL_PROT_ABSTRACT_UNIX_SOCKET_SCOPE] = SL_PROT_DEGRADED;
	p = ll_build(p);
	CHECK(p);
	CHECK_EQ_INT(sl_landlock_plan(p, sl_landlock_abi(), true, &plan, NULL),
		     0);
	CHECK_EQ_INT(plan.status[SL_PROT_FS_TRUNCATE], SL_PROT_STATUS_DISABLED);
	CHECK_EQ_INT(sl_landlock_create_ruleset(p, &c.ruleset_fd, NULL), 0);
	CHECK(ll_exited_ok(ll_run_child(child_truncate, &c)));
	{
		struct stat st;

		CHECK_EQ_INT(stat(ll_path("ro/file"), &st), 0);
		CHECK_EQ_INT(st.st_size, 0); /* the child did truncate it */
	}
	close(c.ruleset_fd);
	sl_policy_free(p);
	ll_scratch_remove();
}

TEST(strict_protections_need_the_host_abi)
{
	struct sl_policy *p = ll_build(sl_policy_new());
	struct sl_error e = { 0 };
	int fd = -1;
	int r;

	REQUIRE_LANDLOCK_ABI(1);
	CHECK(p);
	r = sl_landlock_create_ruleset(p, &fd, &e);
	if (sl_landlock_abi() >= 6) {
		CHECK_EQ_INT(r, 0);
		CHECK(fd >= 0);
		close(fd);
	} else {
		CHECK_EQ_INT(r, -EOPNOTSUPP);
		CHECK_CONTAINS(e.msg, "unavailable: requires Landlock ABI v");
	}
	sl_error_clear(&e);
	sl_policy_free(p);
}

static void child_gpu(void *arg)
{
	const struct fs_case *c = arg;
	int fd;

	ll_restrict(c->ruleset_fd);
	fd = open("/sys/bus/pci/devices", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHILD_CHECK(fd >= 0);
	close(fd);
	CHILD_FAILS(open("/sys/class", O_RDONLY | O_DIRECTORY | O_CLOEXEC),
		    EACCES);
}

TEST(gpu_grants_skip_missing_nodes)
{
	struct sl_policy *p = sl_policy_new();
	struct fs_case c = { .ruleset_fd = -1 };
	struct sl_error e = { 0 };
	struct stat st;

	REQUIRE_LANDLOCK_ABI(1);
	/* --gpu all: NVIDIA nodes this machine lacks are simply skipped. */
	p->has_gpu_devices = true;
	p = ll_build(p);
	CHECK(p);
	CHECK_EQ_INT(sl_landlock_create_ruleset(p, &c.ruleset_fd, &e), 0);
	if (stat("/sys/bus/pci/devices", &st) == 0)
		CHECK(ll_exited_ok(ll_run_child(child_gpu, &c)));
	close(c.ruleset_fd);
	sl_policy_free(p);

	/* Specific indices: same, /dev/nvidia7 missing is not an error. */
	p = sl_policy_new();
	p->has_gpu_devices = true;
	sl_u32v_push(&p->gpu_devices, 7);
	p = ll_build(p);
	CHECK(p);
	CHECK_EQ_INT(sl_landlock_create_ruleset(p, &c.ruleset_fd, &e), 0);
	close(c.ruleset_fd);
	sl_policy_free(p);
}
