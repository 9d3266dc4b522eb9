/*
 * Escapes through network objects the rules do not describe: protocols
 * that Landlock's TCP rules do not cover (MPTCP, SCTP, UDP-Lite, a packet
 * socket behind AF_INET), a listening port that no bind grant allowed,
 * and the host's interfaces seen and changed over rtnetlink. Each attempt
 * is made by tests/helpers/net_probe inside a sandbox; a control run
 * outside shows the same call does reach what it aims at.
 */
#include <netinet/in.h>
#include <stdbool.h>

#include "harness.h"
#include "lib/net.h"
#include "lib/policy.h"

/* Connected from here to 127.0.0.1:port? */
static bool reachable(int port)
{
	struct sockaddr_storage ss;
	socklen_t len = nu_addr("127.0.0.1", port, &ss);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&ss, len) == 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

TEST(mptcp_connects_nowhere)
{
	sandlock_sandbox_t *p;
	int l;
	char *out;

	if (!nu_find_probe())
		FAIL("net_probe helper not built");
	l = nu_tcp("127.0.0.1", 0);
	CHECK(l >= 0);
	out = NU_RUN_BARE("mptcp", "127.0.0.1", nu_port_str(nu_port_of(l)));
	if (out && strcmp(out, "socket EPROTONOSUPPORT\n") == 0) {
		free(out);
		close(l);
		SKIP("the kernel has no MPTCP");
	}
	CHECK_STR(out, "OK\n");
	free(out);
	CHECK(nu_connected(l));
	/* No TCP rule at all: Landlock refuses every TCP connect, and an
	 * MPTCP socket must not be a way around it. */
	p = lu_build(nu_builder());
	CHECK(p);
	CHECK_PROBE(p, "socket EPROTONOSUPPORT\n", "mptcp", "127.0.0.1",
		    nu_port_str(nu_port_of(l)));
	CHECK(!nu_connected(l));
	sandlock_sandbox_free(p);
	close(l);
}

/* socket() and socketpair() outcomes: only TCP, UDP (and ping sockets
 * under an ICMP rule) exist on AF_INET/AF_INET6, refused as a kernel
 * without the protocol refuses them. */
TEST(only_tcp_udp_and_ping_sockets_exist)
{
	static const struct {
		const char *op, *dom, *type, *proto, *want;
	} cases[] = {
		{ "socket", "2", "1", "262", "EPROTONOSUPPORT\n" }, /* MPTCP */
		{ "socket", "10", "1", "262", "EPROTONOSUPPORT\n" },
		{ "socket", "2", "1", "132", "EPROTONOSUPPORT\n" }, /* SCTP */
		{ "socket", "2", "5", "132", "ESOCKTNOSUPPORT\n" },
		{ "socket", "2", "1", "256", "EPROTONOSUPPORT\n" }, /* SMC */
		{ "socket", "2", "2", "136",
		  "EPROTONOSUPPORT\n" }, /* UDP-Lite */
		{ "socket", "10", "2", "136", "EPROTONOSUPPORT\n" },
		{ "socket", "2", "2", "115", "EPROTONOSUPPORT\n" }, /* L2TP */
		{ "socket", "2", "10", "768",
		  "ESOCKTNOSUPPORT\n" },			  /* packet */
		{ "socket", "2", "6", "0", "ESOCKTNOSUPPORT\n" }, /* DCCP */
		{ "socket", "2", "3", "1", "EPERM\n" },		  /* raw */
		{ "socket", "2", "2", "1", "EPERM\n" }, /* ping: no ICMP rule */
		{ "socket", "10", "2", "58", "EPERM\n" },
		{ "socket", "2", "1", "0", "OK\n" },
		{ "socket", "2", "1", "6", "OK\n" },
		{ "socket", "10", "1", "6", "OK\n" },
		{ "socket", "2", "2", "0", "OK\n" },
		{ "socket", "10", "2", "17", "OK\n" },
		{ "socketpair", "1", "1", "0", "OK\n" },
		{ "socketpair", "2", "1", "0", "EOPNOTSUPP\n" },
		{ "socketpair", "16", "3", "0", "EOPNOTSUPP\n" },
		{ "socketpair", "30", "1", "0", "EAFNOSUPPORT\n" }, /* TIPC */
	};
	sandlock_sandbox_t *p;

	CHECK(nu_find_probe());
	/* A UDP rule: datagram sockets are needed. */
	p = lu_build(sandlock_sandbox_builder_net_allow(nu_builder(),
							"udp://127.0.0.1:9"));
	CHECK(p);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_PROBE(p, cases[i].want, cases[i].op, cases[i].dom,
			    cases[i].type, cases[i].proto);
	sandlock_sandbox_free(p);
}

TEST(listen_on_an_unbound_socket_gets_no_port)
{
	sandlock_sandbox_t *p;
	sandlock_handle_t *h;
	sandlock_result_t *r;
	const char *line;
	int in = -1, out = -1;

	CHECK(nu_find_probe());
	/* No bind grant: no port may listen. */
	p = lu_build(nu_builder());
	CHECK(p);
	h = NU_POPEN(p, &in, &out, "listen0");
	CHECK(h);
	line = nu_line(out);
	if (strncmp(line, "OK ", 3) == 0 && reachable(atoi(line + 3)))
		fprintf(stderr, "  port %d listens and accepts\n",
			atoi(line + 3));
	CHECK_STR(line, "EACCES\n");
	close(in);
	close(out);
	r = sandlock_handle_wait(h);
	sandlock_result_free(r);
	sandlock_handle_free(h);
	sandlock_sandbox_free(p);
}

/* The check is on the socket, not on the fd number: a thread swapping an
 * unbound socket in behind a listen() on a bound one gets it no port. */
TEST(racing_an_unbound_socket_behind_listen)
{
	sandlock_sandbox_t *p;
	int port = nu_free_port();
	char *out;

	CHECK(nu_find_probe());
	CHECK(port > 0);
	p = lu_build(sandlock_sandbox_builder_net_allow_bind(
		nu_builder(), nu_port_str(port)));
	CHECK(p);
	for (int tries = 0;; tries++) {
		out = NU_RUN_BARE("listenrace", "127.0.0.1", nu_port_str(port),
				  "100");
		CHECK(NU_STARTS(out, "autobound "));
		if (strcmp(out, "autobound 0\n") != 0) {
			free(out);
			break;
		}
		free(out);
		CHECK(tries < 10);
	}
	CHECK_PROBE(p, "autobound 0\n", "listenrace", "127.0.0.1",
		    nu_port_str(port), "100");
	sandlock_sandbox_free(p);
}

TEST(rtnetlink_shows_only_loopback)
{
	sandlock_sandbox_t *p;
	char *out;

	CHECK(nu_find_probe());
	out = NU_RUN_BARE("ifaces");
	CHECK(out && strstr(out, "lo\n"));
	if (strcmp(out, "lo\n") == 0)
		fprintf(stderr, "  (this host shows only lo: the control "
				"proves nothing)\n");
	free(out);
	p = lu_build(nu_builder());
	CHECK(p);
	CHECK_PROBE(p, "lo\n", "ifaces");
	sandlock_sandbox_free(p);
}

/* A change request naming an interface that does not exist: the kernel
 * answers ENODEV when the request reaches it (nothing changes), the
 * sandbox must refuse it without asking the kernel. */
TEST(rtnetlink_changes_are_refused)
{
	sandlock_sandbox_t *p;
	char *out;

	CHECK(nu_find_probe());
	out = NU_RUN_BARE("nladdr");
	CHECK(out && strcmp(out, "OK\n") != 0);
	free(out);
	p = lu_build(nu_builder());
	CHECK(p);
	CHECK_PROBE(p, "EPERM\n", "nladdr");
	sandlock_sandbox_free(p);
}
