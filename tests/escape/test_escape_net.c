/*
 * Escapes from the network policy by racing its checks: a thread of the
 * sandboxed program rewrites the destination, or swaps the socket behind
 * the fd number, between the supervisor's check and the use. Most
 * policies here are deny lists, so Landlock's TCP rules are out of play
 * (the "TCP wildcard" leaves CONNECT_TCP unhandled): only the supervisor
 * stands between the program and the denied address. The unix gate is
 * raced with nothing but the system trees granted. Nothing may reach what
 * the policy refuses; each race is shown to be real by a control run
 * outside any sandbox.
 */
#include <stdbool.h>
#include <sys/un.h>

#include "harness.h"
#include "lib/net.h"
#include "lib/policy.h"
#include "lib/scratch.h"

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
	p = lu_build(
		sandlock_sandbox_builder_net_deny(nu_builder(), "127.0.0.3"));
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

/* A UDP socket swapped in behind a send the supervisor checked on
 * another socket: a control run outside any sandbox delivers some
 * datagram (several runs: the race is timing-dependent, under load a run
 * may never hit it), then none may arrive from the sandbox, whose policy
 * refuses UDP to 127.0.0.3. */
static void swap_behind_a_send(const char *op)
{
	sandlock_sandbox_t *p;
	int u, port;
	char *out, ps[16];

	if (!nu_find_probe())
		FAIL("net_probe helper not built");
	u = nu_udp("127.0.0.3", 0);
	CHECK(u >= 0);
	port = nu_port_of(u);
	p = lu_build(sandlock_sandbox_builder_net_deny(nu_builder(),
						       "udp://127.0.0.3"));
	CHECK(p);
	snprintf(ps, sizeof(ps), "%d", port);
	for (int tries = 0;; tries++) {
		out = NU_RUN_BARE(op, "127.0.0.3", ps, ROUNDS);
		CHECK(NU_STARTS(out, "udp-sent "));
		free(out);
		if (nu_datagram(u)[0])
			break;
		CHECK(tries < 10);
	}
	while (nu_datagram(u)[0])
		;
	out = NU_RUN(p, op, "127.0.0.3", ps, ROUNDS);
	CHECK(NU_STARTS(out, "udp-sent "));
	free(out);
	CHECK_STR(nu_datagram(u), "");
	sandlock_sandbox_free(p);
	close(u);
}

/* A sendto on a TCP socket: TCP to 127.0.0.3 is allowed, UDP to it is
 * not. */
TEST(swapping_a_tcp_socket_for_udp_under_the_fd)
{
	swap_behind_a_send("fdrace");
}

/* A send on a netlink socket concerns no IP destination: left to the
 * kernel, it would read the fd again, and find the UDP socket. */
TEST(swapping_a_udp_socket_behind_a_netlink_send)
{
	swap_behind_a_send("nlrace");
}

/* The same behind a unix datagram send without destination, while the
 * racing thread also supplies msg_namelen. */
TEST(swapping_a_udp_socket_behind_a_unix_send)
{
	swap_behind_a_send("unixfdrace");
}

/* The unix gate decides on a pathname; an abstract address is left to
 * Landlock's scope. A thread flipping the first byte between '\0' and '/'
 * turns a checked abstract address into an ungranted pathname. */
TEST(racing_an_abstract_address_into_an_ungranted_socket)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char *dir = scratch_make(), *out;
	sandlock_sandbox_t *p;
	int l, accepted = 0;

	CHECK(nu_find_probe());
	CHECK(dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/sock", dir);
	l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	CHECK(l >= 0);
	CHECK(bind(l, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	CHECK(listen(l, 4096) == 0);
	/* Only the system trees are granted: the socket is out of reach. */
	p = lu_build(nu_builder());
	CHECK(p);
	for (int tries = 0;; tries++) {
		out = NU_RUN_BARE("unixrace", sun.sun_path, ROUNDS);
		CHECK(NU_STARTS(out, "connected "));
		if (strcmp(out, "connected 0\n") != 0) {
			free(out);
			break;
		}
		free(out);
		CHECK(tries < 10);
	}
	while (nu_connected(l))
		;
	out = NU_RUN(p, "unixrace", sun.sun_path, ROUNDS);
	CHECK_STR(out, "connected 0\n");
	free(out);
	while (nu_connected(l))
		accepted++;
	CHECK_EQ_INT(accepted, 0);
	sandlock_sandbox_free(p);
	close(l);
	scratch_remove(dir);
}
