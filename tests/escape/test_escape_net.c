/*
 * Escapes from the network policy by racing its checks: a thread of the
 * sandboxed program rewrites the destination, or swaps the socket behind
 * the fd number, between the supervisor's check and the use. The policy
 * is a deny list, so Landlock's TCP rules are out of play (the "TCP
 * wildcard" leaves CONNECT_TCP unhandled): only the supervisor stands
 * between the program and the denied address. Nothing may reach it.
 */
#include <stdbool.h>
#include "harness.h"
#include "integration/net_util.h"

#define ROUNDS "3000"

TEST(racing_the_sockaddr_of_connect)
{
	sandlock_sandbox_t *p;
	int ok, denied, port;
	char *out, ps[16];

	if (!nu_find_probe())
		FAIL("net_probe helper not built");
	ok = nu_socket("127.0.0.2", 0, SOCK_STREAM, 4096);
	CHECK(ok >= 0);
	port = nu_port_of(ok);
	denied = nu_socket("127.0.0.3", port, SOCK_STREAM, 4096);
	CHECK(denied >= 0);
	p = lu_build(sandlock_sandbox_builder_net_deny(nu_builder(),
						       "127.0.0.3"));
	CHECK(p);
	snprintf(ps, sizeof(ps), "%d", port);
	/* Control: unconfined, the race does reach the second address. */
	out = NU_RUN_BARE("race", "127.0.0.2", ps, "127.0.0.3", ps, ROUNDS);
	CHECK(NU_STARTS(out, "connected-to-second "));
	CHECK(strcmp(out, "connected-to-second 0\n") != 0);
	free(out);
	while (nu_connected(denied) || nu_connected(ok))
		;
	out = NU_RUN(p, "race", "127.0.0.2", ps, "127.0.0.3", ps, ROUNDS);
	CHECK_STR(out, "connected-to-second 0\n");
	free(out);
	CHECK(!nu_connected(denied));
	/* The race was real: the allowed side did get connections. */
	CHECK(nu_connected(ok));
	sandlock_sandbox_free(p);
	close(ok);
	close(denied);
}

TEST(swapping_a_tcp_socket_for_udp_under_the_fd)
{
	sandlock_sandbox_t *p;
	int u, port;
	char *out, ps[16];

	CHECK(nu_find_probe());
	u = nu_udp("127.0.0.3", 0);
	CHECK(u >= 0);
	port = nu_port_of(u);
	/* TCP to 127.0.0.3 is allowed, UDP to it is not. */
	p = lu_build(sandlock_sandbox_builder_net_deny(nu_builder(),
						       "udp://127.0.0.3"));
	CHECK(p);
	snprintf(ps, sizeof(ps), "%d", port);
	/* Control: unconfined, some datagrams do go out. The race is
	 * timing-dependent (under load a run may never hit it), so the
	 * control gets several runs to show it is real. */
	for (int tries = 0;; tries++) {
		bool landed;

		out = NU_RUN_BARE("fdrace", "127.0.0.3", ps, ROUNDS);
		CHECK(NU_STARTS(out, "udp-sent "));
		landed = strcmp(out, "udp-sent 0\n") != 0;
		free(out);
		if (landed)
			break;
		CHECK(tries < 10);
	}
	while (nu_datagram(u)[0])
		;
	out = NU_RUN(p, "fdrace", "127.0.0.3", ps, ROUNDS);
	CHECK_STR(out, "udp-sent 0\n");
	free(out);
	CHECK_STR(nu_datagram(u), "");
	sandlock_sandbox_free(p);
	close(u);
}
