/*
 * Other names of denied objects (fs/aliases.h), on a scratch tree: a bind
 * mount of a directory whose name holds a space (the mount table escapes
 * it) shows a denied file again and is found; a hard link cannot be
 * found and makes the search incomplete, as does one inside a denied
 * directory; the deny set tells whether it names every link of a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "fs/aliases.h"
#include "fs/pathset.h"
#include "lib/files.h"
#include "lib/scratch.h"

static char root[64];

/* The aliases of the one denied path p (canonical), into out. */
static bool aliases_of(const char *p, struct sl_strv *out)
{
	struct sl_strv denied = { 0 };
	bool complete = false;
	char *real = realpath(p, NULL);

	if (!real || sl_strv_push_take(&denied, real) < 0 ||
	    sl_fs_aliases_of(&denied, out, &complete) < 0)
		complete = false;
	sl_strv_free(&denied);
	return complete;
}

static bool holds(const struct sl_strv *v, const char *path)
{
	char *real = realpath(path, NULL);
	bool found = false;

	for (size_t i = 0; real && i < v->n; i++)
		found |= strcmp(v->v[i], real) == 0;
	free(real);
	return found;
}

TEST(a_bind_mount_of_a_denied_file_is_another_name)
{
	struct sl_strv out = { 0 };
	const char *src, *m;
	bool complete;

	if (!scratch_dir(root, sizeof(root)))
		FAIL("scratch setup failed");
	src = join(root, "a b");
	m = join(root, "m");
	CHECK(mkdir(src, 0755) == 0 && mkdir(m, 0755) == 0);
	CHECK(write_file(join(src, "secret"), "S\n"));
	if (mount(src, m, NULL, MS_BIND, NULL) < 0) {
		int e = errno;

		scratch_remove(root);
		SKIP("no bind mount here (%s)", strerror(e));
	}
	complete = aliases_of(join(src, "secret"), &out);
	/* the directory itself: the whole mount is inside it */
	if (complete && holds(&out, join(m, "secret"))) {
		sl_strv_free(&out);
		complete = aliases_of(src, &out) && holds(&out, m);
	} else {
		complete = false;
	}
	sl_strv_free(&out);
	CHECK(umount2(m, MNT_DETACH) == 0);
	scratch_remove(root);
	CHECK(complete);
}

TEST(a_hard_link_leaves_the_search_incomplete)
{
	struct sl_strv out = { 0 };
	const char *d;
	bool file, dir;

	if (!scratch_dir(root, sizeof(root)))
		FAIL("scratch setup failed");
	d = join(root, "d");
	CHECK(mkdir(d, 0755) == 0);
	CHECK(write_file(join(d, "f"), "F\n"));
	CHECK(write_file(join(root, "plain"), "P\n"));
	CHECK(aliases_of(join(root, "plain"), &out) && out.n == 0);
	CHECK(aliases_of(d, &out) && out.n == 0);
	CHECK(link(join(d, "f"), join(root, "other")) == 0);
	file = aliases_of(join(d, "f"), &out);
	dir = aliases_of(d, &out);
	sl_strv_free(&out);
	scratch_remove(root);
	CHECK(!file);
	CHECK(!dir);
}

/* Is some link of the objects of these entries left unnamed by them (an
 * exec of it would have to be held)? */
static bool unnamed_link(const char *const *entries, size_t n)
{
	struct sl_pathset set = { 0 };
	bool aliased = true;
	int r = 0;

	for (size_t i = 0; r == 0 && i < n; i++)
		r = sl_pathset_add(&set, entries[i], SL_PATHSET_IDENTITY);
	if (r == 0)
		aliased = sl_pathset_aliased(&set, (unsigned)n);
	sl_pathset_free(&set);
	return aliased;
}

/* Every link named, as an entry or inside a denied directory: nothing
 * else can name the file; one link outside: something can. A name seen
 * twice (as an entry and inside a denied directory) counts once. */
TEST(a_deny_set_naming_every_link_leaves_none_unnamed)
{
	const char *d, *f, *g, *h;

	if (!scratch_dir(root, sizeof(root)))
		FAIL("scratch setup failed");
	d = join(root, "d");
	CHECK(mkdir(d, 0755) == 0);
	f = join(d, "f");
	g = join(d, "g");
	h = join(root, "h");
	CHECK(write_file(f, "F\n"));
	CHECK(!unnamed_link((const char *const[]){ f }, 1));
	CHECK(link(f, g) == 0);
	CHECK(unnamed_link((const char *const[]){ f }, 1));
	CHECK(!unnamed_link((const char *const[]){ f, g }, 2));
	CHECK(!unnamed_link((const char *const[]){ d }, 1));
	CHECK(!unnamed_link((const char *const[]){ f, d }, 2));
	CHECK(link(f, h) == 0);
	CHECK(unnamed_link((const char *const[]){ f, g }, 2));
	CHECK(unnamed_link((const char *const[]){ d }, 1));
	CHECK(unnamed_link((const char *const[]){ f, d, f }, 3));
	CHECK(!unnamed_link((const char *const[]){ d, h }, 2));
	scratch_remove(root);
}

/* A denied directory deeper than the scan's bounds cannot be searched for
 * the other names of its files: added as complete it is refused and
 * leaves the set as it was (a later addition still counts); added as
 * before (the build's alias search) it is kept, with what was seen. */
TEST(a_deny_set_refuses_a_directory_past_the_scan)
{
	struct sl_pathset set = { 0 };
	char *p;
	const char *d, *leaf;

	if (!scratch_dir(root, sizeof(root)))
		FAIL("scratch setup failed");
	d = join(root, "deep");
	p = malloc(strlen(d) + 3 * (SL_SCAN_MAX_DEPTH + 2) + 16);
	CHECK(p != NULL);
	strcpy(p, d);
	CHECK(mkdir(p, 0755) == 0);
	for (unsigned i = 0; i <= SL_SCAN_MAX_DEPTH; i++) {
		strcat(p, "/d");
		CHECK(mkdir(p, 0755) == 0);
	}
	strcat(p, "/leaf");
	CHECK(write_file(p, "L\n"));
	leaf = join(root, "leaf-outside");
	CHECK(link(p, leaf) == 0);
	free(p);
	CHECK_EQ_INT(sl_pathset_add(&set, d,
				    SL_PATHSET_IDENTITY | SL_PATHSET_COMPLETE),
		     -E2BIG);
	CHECK_EQ_INT((int)set.npaths, 0);
	CHECK_EQ_INT((int)set.nids, 0);
	CHECK(!sl_pathset_covers(&set, d));
	CHECK_EQ_INT(sl_pathset_add(&set, leaf, SL_PATHSET_IDENTITY), 0);
	CHECK(sl_pathset_covers(&set, leaf));
	CHECK_EQ_INT(sl_pathset_add(&set, d, SL_PATHSET_IDENTITY), 0);
	CHECK(sl_pathset_covers(&set, d));
	sl_pathset_free(&set);
	scratch_remove(root);
}

static bool kernel_mount_listed(const char *point)
{
	struct sl_strv v = { 0 };
	bool found = sl_fs_kernel_mounts_elsewhere(&v) == 0 && holds(&v, point);

	sl_strv_free(&v);
	return found;
}

/* procfs and sysfs mounted outside /proc and /sys are listed, as the
 * mount table changes between calls (the answer is kept between them);
 * /proc and /sys themselves are not. */
TEST(procfs_and_sysfs_mounted_elsewhere_are_listed_as_they_come_and_go)
{
	bool seen[8] = { false };
	const char *p, *s;
	int sys_mounted;

	if (!scratch_dir(root, sizeof(root)))
		FAIL("scratch setup failed");
	p = strdup(join(root, "p"));
	s = strdup(join(root, "s"));
	CHECK(p && s && mkdir(p, 0755) == 0 && mkdir(s, 0755) == 0);
	seen[0] = kernel_mount_listed("/proc");
	seen[1] = kernel_mount_listed(p);
	if (mount("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) <
	    0) {
		int e = errno;

		scratch_remove(root);
		SKIP("cannot mount procfs here (%s)", strerror(e));
	}
	/* every look first, the mounts gone before any check can return */
	seen[2] = kernel_mount_listed(p);
	seen[3] = kernel_mount_listed(p); /* kept */
	seen[4] = kernel_mount_listed(s);
	sys_mounted = mount("sysfs", s, "sysfs",
			    MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0;
	if (sys_mounted) {
		seen[5] = kernel_mount_listed(s);
		umount2(s, MNT_DETACH);
		seen[6] = kernel_mount_listed(s);
	}
	umount2(p, MNT_DETACH);
	seen[7] = kernel_mount_listed(p);
	scratch_remove(root);
	CHECK(!seen[0] && !seen[1]);
	CHECK(seen[2] && seen[3] && !seen[4]);
	CHECK(!sys_mounted || (seen[5] && !seen[6]));
	CHECK(!seen[7]);
	free((char *)p);
	free((char *)s);
}

/* The descriptor kept for polling: the fd of /proc/self/mountinfo among
 * ours, or -1. */
static int kept_mountinfo_fd(void)
{
	char link[64], target[256];

	for (int fd = 3; fd < 1024; fd++) {
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strstr(target, "mountinfo"))
			return fd;
	}
	return -1;
}

/* A host that closes the kept descriptor and reuses its number: the
 * answer is read again (the mount made since is listed), and the host's
 * file under that number is left open. */
TEST(a_host_reusing_the_kept_descriptor_is_noticed_and_left_alone)
{
	struct stat before, after;
	const char *p;
	bool listed;
	int fd, mine;

	if (!scratch_dir(root, sizeof(root)))
		FAIL("scratch setup failed");
	p = strdup(join(root, "p"));
	CHECK(p && mkdir(p, 0755) == 0);
	CHECK(!kernel_mount_listed(p));
	fd = kept_mountinfo_fd();
	if (fd < 0) {
		scratch_remove(root);
		SKIP("no descriptor kept here (mount table unreadable)");
	}
	mine = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK(mine >= 0 && dup2(mine, fd) == fd); /* closes the kept one */
	close(mine);
	CHECK(fstat(fd, &before) == 0);
	if (mount("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) <
	    0) {
		int e = errno;

		scratch_remove(root);
		SKIP("cannot mount procfs here (%s)", strerror(e));
	}
	listed = kernel_mount_listed(p);
	umount2(p, MNT_DETACH);
	scratch_remove(root);
	CHECK(listed);
	CHECK(fstat(fd, &after) == 0 && after.st_ino == before.st_ino &&
	      after.st_dev == before.st_dev);
	close(fd);
	free((char *)p);
}
