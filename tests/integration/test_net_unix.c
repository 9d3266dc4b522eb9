/*
 * The named AF_UNIX gate (behavior.md 5.6): a pathname unix socket can be
 * reached only under an fs_write grant; the supervisor connects through
 * the path it checked and pinned.
 */
#include <sys/un.h>

#include "harness.h"
#include "integration/net_util.h"

static int unix_listener(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    listen(fd, 8) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

TEST(pathname_socket_needs_a_write_grant)
{
	char *dir = lu_scratch(), path[256];
	sandlock_sandbox_t *ro, *rw;
	int l;

	if (!nu_find_probe())
		FAIL("net_probe helper not built");
	CHECK(dir);
	snprintf(path, sizeof(path), "%s/sock", dir);
	l = unix_listener(path);
	CHECK(l >= 0);
	ro = lu_build(sandlock_sandbox_builder_fs_read(nu_builder(), dir));
	rw = lu_build(sandlock_sandbox_builder_fs_write(nu_builder(), dir));
	CHECK(ro && rw);
	CHECK_PROBE(ro, "EACCES\n", "unix", path);
	CHECK(!nu_connected(l));
	CHECK_PROBE(rw, "OK\n", "unix", path);
	CHECK(nu_connected(l));
	/* A missing socket and a relative path are refused as the
	 * reference does. */
	snprintf(path, sizeof(path), "%s/missing", dir);
	CHECK_PROBE(rw, "ECONNREFUSED\n", "unix", path);
	CHECK_PROBE(rw, "ECONNREFUSED\n", "unix", "relative.sock");
	sandlock_sandbox_free(ro);
	sandlock_sandbox_free(rw);
	close(l);
	lu_rmtree(dir);
}

TEST(symlink_into_a_grant_does_not_open_the_outside)
{
	char *in = lu_scratch(), *outside = lu_scratch(), path[256], link[256];
	sandlock_sandbox_t *p;
	int l;

	CHECK(nu_find_probe());
	CHECK(in && outside);
	snprintf(path, sizeof(path), "%s/sock", outside);
	l = unix_listener(path);
	CHECK(l >= 0);
	snprintf(link, sizeof(link), "%s/link", in);
	CHECK(symlink(path, link) == 0);
	p = lu_build(sandlock_sandbox_builder_fs_write(nu_builder(), in));
	CHECK(p);
	CHECK_PROBE(p, "EACCES\n", "unix", link);
	CHECK(!nu_connected(l));
	sandlock_sandbox_free(p);
	close(l);
	lu_rmtree(in);
	lu_rmtree(outside);
}
