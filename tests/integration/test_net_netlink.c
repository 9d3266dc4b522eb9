/*
 * rtnetlink as the sandbox sees it (docs/behaviour.md 8.5): the loopback
 * interface only, answered by the supervisor. Real tools (glibc's
 * getifaddrs, iproute2's ip) work unchanged; nothing they ask changes the
 * host. The escape side (the host's interfaces hidden, changes refused)
 * is in tests/escape/test_escape_netproto.c.
 */
#include "harness.h"
#include "lib/net.h"
#include "lib/policy.h"
#include "lib/run.h"

static const char *ip_tool(void)
{
	static const char *const paths[] = { "/usr/sbin/ip", "/sbin/ip",
					     "/usr/bin/ip", "/bin/ip" };

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

/* The output of ip with args under p; NULL when it failed. */
static char *run_ip(const sandlock_sandbox_t *p, const char *a1, const char *a2)
{
	const char *argv[] = { ip_tool(), a1, a2 };
	sandlock_result_t *r = sandlock_run(p, NULL, argv, a2 ? 3 : 2);
	char *out = NULL;

	if (r && sandlock_result_success(r))
		out = lu_out(r);
	sandlock_result_free(r);
	return out;
}

TEST(ip_shows_the_loopback_and_its_addresses)
{
	sandlock_sandbox_t *p;
	char *out;

	if (!ip_tool())
		FAIL("iproute2's ip is not installed (make deps)");
	p = lu_policy();
	CHECK(p);
	out = run_ip(p, "addr", NULL);
	CHECK(out);
	CHECK(strncmp(out, "1: lo: <LOOPBACK,UP>", 20) == 0);
	CHECK_CONTAINS(out, "link/loopback 00:00:00:00:00:00");
	CHECK_CONTAINS(out, "inet 127.0.0.1/8 scope host lo");
	CHECK_CONTAINS(out, "inet6 ::1/128 scope host");
	CHECK(!strstr(out, "\n2: "));
	free(out);
	out = run_ip(p, "-4", "addr");
	CHECK(out && !strstr(out, "inet6"));
	free(out);
	out = run_ip(p, "link", NULL);
	CHECK(out && strncmp(out, "1: lo: ", 7) == 0 && !strstr(out, "\n2: "));
	free(out);
	sandlock_sandbox_free(p);
}

TEST(getifaddrs_and_the_socket_calls_glibc_makes)
{
	sandlock_sandbox_t *p;

	CHECK(nu_find_probe());
	p = lu_build(nu_builder());
	CHECK(p);
	CHECK_PROBE(p, "lo\n", "ifaces");
	/* getsockname says netlink and this process; replies come from
	 * the kernel's port (0). */
	CHECK_PROBE(p, "OK 16 own 0\n", "nlname");
	sandlock_sandbox_free(p);
}

TEST(netlink_sockets_are_bounded_and_released)
{
	sandlock_sandbox_t *p;

	CHECK(nu_find_probe());
	p = lu_build(nu_builder());
	CHECK(p);
	CHECK_PROBE(p, "64 ENOBUFS OK\n", "nlmany", "100");
	CHECK_PROBE(p, "10 - OK\n", "nlmany", "10");
	sandlock_sandbox_free(p);
}
