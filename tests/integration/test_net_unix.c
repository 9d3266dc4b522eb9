/*
 * Unix sockets under the supervisor (docs/behaviour.md 5.6, 3.4): a pathname
 * socket can be reached only under an fs_write grant (the supervisor
 * connects through the path it checked and pinned), an abstract one only
 * when the sandbox holds it, and everyday unix traffic still flows.
 */
#include <sys/un.h>

#include "harness.h"
#include "lib/net.h"
#include "lib/policy.h"
#include "lib/scratch.h"

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
	char *dir = scratch_make(), path[256];
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
	scratch_remove(dir);
}

TEST(symlink_into_a_grant_does_not_open_the_outside)
{
	char *in = scratch_make(), *outside = scratch_make(), path[256],
	     link[256];
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
	scratch_remove(in);
	scratch_remove(outside);
}

/* Abstract sockets within the sandbox: a stream connection and a
 * datagram between two of its processes (the supervisor performs both,
 * reaching only sockets the sandbox holds). */
TEST(abstract_sockets_inside_the_sandbox)
{
	sandlock_sandbox_t *p;
	char name[64];

	CHECK(nu_find_probe());
	p = lu_build(nu_builder());
	CHECK(p);
	snprintf(name, sizeof(name), "sandlock-inside-%d", (int)getpid());
	CHECK_PROBE(p, "OK\n", "abstract", name);
	/* A name nobody binds: refused as by the kernel. */
	CHECK_PROBE(p, "ECONNREFUSED\n", "abssend", name);
	sandlock_sandbox_free(p);
}

/* An abstract datagram socket outside: the Landlock scope refuses it,
 * whoever sends. */
TEST(abstract_datagram_outside_is_refused)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	sandlock_sandbox_t *p;
	char name[64], *out;
	socklen_t len;
	int d;

	CHECK(nu_find_probe());
	if (sandlock_landlock_abi_version() < 6)
		SKIP("Landlock ABI < 6: no abstract socket scoping");
	snprintf(name, sizeof(name), "sandlock-outside-%d", (int)getpid());
	memcpy(sun.sun_path + 1, name, strlen(name));
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			  strlen(name));
	d = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	CHECK(d >= 0 && bind(d, (struct sockaddr *)&sun, len) == 0);
	out = NU_RUN_BARE("abssend", name);
	CHECK_STR(out, "OK\n");
	free(out);
	CHECK_STR(nu_datagram(d), "dgrm");
	p = lu_build(nu_builder());
	CHECK(p);
	CHECK_PROBE(p, "EPERM\n", "abssend", name);
	CHECK_STR(nu_datagram(d), "");
	sandlock_sandbox_free(p);
	close(d);
}

/* Sends without destination are performed by the supervisor too: fds
 * passed with SCM_RIGHTS arrive, a blocking send larger than the socket
 * completes whole, a non-blocking one takes what fits. */
TEST(unix_stream_traffic_goes_through)
{
	sandlock_sandbox_t *p;

	CHECK(nu_find_probe());
	p = lu_build(nu_builder());
	CHECK(p);
	CHECK_PROBE(p, "OK partial\n", "unixpass");
	sandlock_sandbox_free(p);
}
