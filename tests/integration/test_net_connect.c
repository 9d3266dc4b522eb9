/*
 * Outbound destination policy (docs/behaviour.md 5.1-5.3): for each rule form a
 * connection that must succeed and one that must fail with the documented
 * errno, over TCP and UDP, IPv4 and IPv6 loopback. Listeners live in this
 * process; what reached them is checked, not only what the child says.
 */
#include <sched.h>
#include <sys/wait.h>

#include "harness.h"
#include "lib/net.h"
#include "lib/policy.h"
#include "lib/run.h"

static sandlock_sandbox_t *allow(const char *spec)
{
	return lu_build(sandlock_sandbox_builder_net_allow(nu_builder(), spec));
}

static sandlock_sandbox_t *deny(const char *spec)
{
	return lu_build(sandlock_sandbox_builder_net_deny(nu_builder(), spec));
}

TEST(tcp_ip_literal_rule)
{
	struct nu_pair pr;
	sandlock_sandbox_t *p;
	int other;

	if (!nu_find_probe())
		FAIL("net_probe helper not built");
	CHECK(nu_pair_open(&pr, SOCK_STREAM));
	other = nu_tcp("127.0.0.2", 0);
	CHECK(other >= 0);
	p = allow(nu_fmt("tcp://127.0.0.2:%d", pr.port, 0));
	CHECK(p);
	CHECK_PROBE(p, "OK\n", "connect", "tcp", "127.0.0.2",
		    nu_port_str(pr.port));
	CHECK(nu_connected(pr.a));
	CHECK_PROBE(p, "ECONNREFUSED\n", "connect", "tcp", "127.0.0.3",
		    nu_port_str(pr.port));
	CHECK(!nu_connected(pr.b));
	/* Another port of the allowed address. */
	CHECK_PROBE(p, "ECONNREFUSED\n", "connect", "tcp", "127.0.0.2",
		    nu_port_str(nu_port_of(other)));
	CHECK(!nu_connected(other));
	sandlock_sandbox_free(p);
	close(other);
	nu_pair_close(&pr);
}

TEST(tcp_any_address_port_rule)
{
	struct nu_pair pr;
	sandlock_sandbox_t *p;
	int other;

	CHECK(nu_find_probe());
	CHECK(nu_pair_open(&pr, SOCK_STREAM));
	other = nu_tcp("127.0.0.3", 0);
	CHECK(other >= 0);
	p = allow(nu_fmt(":%d", pr.port, 0));
	CHECK(p);
	CHECK_PROBE(p, "OK\n", "connect", "tcp", "127.0.0.3",
		    nu_port_str(pr.port));
	CHECK(nu_connected(pr.b));
	CHECK_PROBE(p, "ECONNREFUSED\n", "connect", "tcp", "127.0.0.3",
		    nu_port_str(nu_port_of(other)));
	CHECK(!nu_connected(other));
	sandlock_sandbox_free(p);
	close(other);
	nu_pair_close(&pr);
}

TEST(tcp_cidr_rule)
{
	struct nu_pair pr;
	sandlock_sandbox_t *p;

	CHECK(nu_find_probe());
	CHECK(nu_pair_open(&pr, SOCK_STREAM));
	/* 127.0.0.2/31 holds .2 and .3; /32 of .2 only. */
	p = allow(nu_fmt("tcp://127.0.0.2/31:%d", pr.port, 0));
	CHECK(p);
	CHECK_PROBE(p, "OK\n", "connect", "tcp", "127.0.0.3",
		    nu_port_str(pr.port));
	CHECK(nu_connected(pr.b));
	sandlock_sandbox_free(p);
	p = allow(nu_fmt("tcp://127.0.0.0/31:%d", pr.port, 0));
	CHECK(p);
	CHECK_PROBE(p, "ECONNREFUSED\n", "connect", "tcp", "127.0.0.2",
		    nu_port_str(pr.port));
	CHECK(!nu_connected(pr.a));
	sandlock_sandbox_free(p);
	nu_pair_close(&pr);
}

TEST(tcp_ipv6_loopback)
{
	sandlock_sandbox_t *p;
	int l6, port;

	CHECK(nu_find_probe());
	if (!nu_have_ipv6())
		SKIP("no IPv6 loopback on this host");
	l6 = nu_tcp("::1", 0);
	CHECK(l6 >= 0);
	port = nu_port_of(l6);
	p = allow(nu_fmt("[::1]:%d", port, 0));
	CHECK(p);
	CHECK_PROBE(p, "OK\n", "connect", "tcp", "::1", nu_port_str(port));
	CHECK(nu_connected(l6));
	sandlock_sandbox_free(p);
	/* An IPv4 rule never matches an IPv6 destination. */
	p = allow(nu_fmt("tcp://127.0.0.1:%d", port, 0));
	CHECK(p);
	CHECK_PROBE(p, "ECONNREFUSED\n", "connect", "tcp", "::1",
		    nu_port_str(port));
	CHECK(!nu_connected(l6));
	sandlock_sandbox_free(p);
	close(l6);
}

TEST(ipv4_mapped_destination_matches_ipv4_rule)
{
	struct nu_pair pr;
	sandlock_sandbox_t *p;

	CHECK(nu_find_probe());
	if (!nu_have_ipv6())
		SKIP("no IPv6 loopback on this host");
	CHECK(nu_pair_open(&pr, SOCK_STREAM));
	p = allow(nu_fmt("tcp://127.0.0.2:%d", pr.port, 0));
	CHECK(p);
	CHECK_PROBE(p, "OK\n", "connect", "tcp", "::ffff:127.0.0.2",
		    nu_port_str(pr.port));
	CHECK(nu_connected(pr.a));
	CHECK_PROBE(p, "ECONNREFUSED\n", "connect", "tcp", "::ffff:127.0.0.3",
		    nu_port_str(pr.port));
	CHECK(!nu_connected(pr.b));
	sandlock_sandbox_free(p);
	nu_pair_close(&pr);
}

TEST(udp_rule_sendto_sendmsg_sendmmsg_connect)
{
	struct nu_pair pr;
	sandlock_sandbox_t *p;
	char *out;

	CHECK(nu_find_probe());
	CHECK(nu_pair_open(&pr, SOCK_DGRAM));
	p = allow(nu_fmt("udp://127.0.0.2:%d", pr.port, 0));
	CHECK(p);
	CHECK_PROBE(p, "OK 5\n", "sendto", "127.0.0.2", nu_port_str(pr.port),
		    "hello");
	CHECK_STR(nu_datagram(pr.a), "hello");
	CHECK_PROBE(p, "ECONNREFUSED\n", "sendto", "127.0.0.3",
		    nu_port_str(pr.port), "nope");
	CHECK_PROBE(p, "OK 8\n", "sendmsg", "127.0.0.2", nu_port_str(pr.port),
		    "gathered");
	CHECK_STR(nu_datagram(pr.a), "gathered");
	CHECK_PROBE(p, "ECONNREFUSED\n", "sendmsg", "127.0.0.3",
		    nu_port_str(pr.port), "nope");
	/* sendmmsg: entries before the refused one are sent, as the kernel
	 * does when an entry fails. */
	CHECK_PROBE(p, "OK 1 5 0\n", "sendmmsg", "127.0.0.2",
		    nu_port_str(pr.port), "127.0.0.3", nu_port_str(pr.port),
		    "multi");
	CHECK_STR(nu_datagram(pr.a), "multi");
	CHECK_PROBE(p, "OK 4\n", "connsend", "127.0.0.2", nu_port_str(pr.port),
		    "conn");
	CHECK_STR(nu_datagram(pr.a), "conn");
	CHECK_PROBE(p, "ECONNREFUSED\n", "connsend", "127.0.0.3",
		    nu_port_str(pr.port), "nope");
	CHECK_STR(nu_datagram(pr.b), "");
	/* A UDP rule opens no TCP. */
	{
		int l = nu_tcp("127.0.0.2", pr.port);

		if (l >= 0) {
			out = NU_RUN(p, "connect", "tcp", "127.0.0.2",
				     nu_port_str(pr.port));
			CHECK(out && strcmp(out, "OK\n") != 0);
			free(out);
			CHECK(!nu_connected(l));
			close(l);
		}
	}
	sandlock_sandbox_free(p);
	nu_pair_close(&pr);
}

TEST(udp_ipv6)
{
	sandlock_sandbox_t *p;
	int u, port;

	CHECK(nu_find_probe());
	if (!nu_have_ipv6())
		SKIP("no IPv6 loopback on this host");
	u = nu_udp("::1", 0);
	CHECK(u >= 0);
	port = nu_port_of(u);
	p = allow(nu_fmt("udp://[::1]:%d", port, 0));
	CHECK(p);
	CHECK_PROBE(p, "OK 3\n", "sendto", "::1", nu_port_str(port), "six");
	CHECK_STR(nu_datagram(u), "six");
	sandlock_sandbox_free(p);
	p = allow(nu_fmt("udp://127.0.0.1:%d", port, 0));
	CHECK(p);
	CHECK_PROBE(p, "ECONNREFUSED\n", "sendto", "::1", nu_port_str(port),
		    "six");
	CHECK_STR(nu_datagram(u), "");
	sandlock_sandbox_free(p);
	close(u);
}

TEST(schemeless_rule_is_tcp_and_udp)
{
	struct nu_pair tcp, udp;
	sandlock_sandbox_t *p;
	int u;

	CHECK(nu_find_probe());
	CHECK(nu_pair_open(&tcp, SOCK_STREAM));
	u = nu_udp("127.0.0.2", tcp.port);
	if (u < 0) {
		CHECK(nu_pair_open(&udp, SOCK_DGRAM));
		nu_pair_close(&udp);
		SKIP("UDP port %d busy", tcp.port);
	}
	p = allow(nu_fmt("127.0.0.2:%d", tcp.port, 0));
	CHECK(p);
	CHECK_PROBE(p, "OK\n", "connect", "tcp", "127.0.0.2",
		    nu_port_str(tcp.port));
	CHECK(nu_connected(tcp.a));
	CHECK_PROBE(p, "OK 4\n", "sendto", "127.0.0.2", nu_port_str(tcp.port),
		    "both");
	CHECK_STR(nu_datagram(u), "both");
	sandlock_sandbox_free(p);
	close(u);
	nu_pair_close(&tcp);
}

TEST(hostname_is_pinned_and_served_in_etc_hosts)
{
	struct nu_pair pr;
	sandlock_sandbox_t *p;
	char *out;
	int l1;

	CHECK(nu_find_probe());
	CHECK(nu_pair_open(&pr, SOCK_STREAM));
	l1 = nu_tcp("127.0.0.1", pr.port);
	if (l1 < 0) {
		nu_pair_close(&pr);
		SKIP("port busy on 127.0.0.1");
	}
	p = allow(nu_fmt("tcp://localhost:%d", pr.port, 0));
	CHECK(p);
	CHECK_PROBE(p, "OK\n", "connect", "tcp", "127.0.0.1",
		    nu_port_str(pr.port));
	CHECK(nu_connected(l1));
	CHECK_PROBE(p, "ECONNREFUSED\n", "connect", "tcp", "127.0.0.2",
		    nu_port_str(pr.port));
	CHECK(!nu_connected(pr.a));
	/* The sandbox's resolver finds the pinned address in /etc/hosts. */
	out = NU_RUN(p, "resolve", "localhost");
	CHECK_CONTAINS(out, "127.0.0.1\n");
	free(out);
	{
		const char *argv[] = { "/bin/cat", "/etc/hosts" };
		sandlock_result_t *r = sandlock_run(p, NULL, argv, 2);
		char *txt;

		CHECK(r);
		txt = lu_out(r);
		sandlock_result_free(r);
		CHECK_CONTAINS(txt, "127.0.0.1 localhost\n::1 localhost\n");
		/* The pinned addresses follow the loopback base. */
		CHECK_CONTAINS(txt, "\n127.0.0.1 localhost\n");
		free(txt);
	}
	sandlock_sandbox_free(p);
	close(l1);
	nu_pair_close(&pr);
}

TEST(unresolvable_host_fails_the_start)
{
	pid_t pid;
	int status;

	/* In a network namespace of its own (loopback only, down) the
	 * resolver fails at once and no query leaves the machine. */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		sandlock_sandbox_t *p;
		const char *argv[] = { "/bin/true" };
		sandlock_result_t *r;

		if (unshare(CLONE_NEWNET) < 0)
			_exit(3);
		p = allow("tcp://sandlock-test-host.invalid:80");
		if (!p)
			_exit(4);
		r = sandlock_run(p, NULL, argv, 1);
		_exit(r == NULL || !sandlock_result_success(r) ? 0 : 1);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
		SKIP("cannot create a network namespace");
	CHECK(WIFEXITED(status));
	CHECK_EQ_INT(WEXITSTATUS(status), 0);
}

TEST(deny_list)
{
	struct nu_pair pr, ud;
	sandlock_sandbox_t *p;

	CHECK(nu_find_probe());
	CHECK(nu_pair_open(&pr, SOCK_STREAM));
	CHECK(nu_pair_open(&ud, SOCK_DGRAM));
	p = deny("127.0.0.3");
	CHECK(p);
	CHECK_PROBE(p, "OK\n", "connect", "tcp", "127.0.0.2",
		    nu_port_str(pr.port));
	CHECK(nu_connected(pr.a));
	CHECK_PROBE(p, "ECONNREFUSED\n", "connect", "tcp", "127.0.0.3",
		    nu_port_str(pr.port));
	CHECK(!nu_connected(pr.b));
	CHECK_PROBE(p, "OK 2\n", "sendto", "127.0.0.2", nu_port_str(ud.port),
		    "ok");
	CHECK_STR(nu_datagram(ud.a), "ok");
	CHECK_PROBE(p, "ECONNREFUSED\n", "sendto", "127.0.0.3",
		    nu_port_str(ud.port), "no");
	CHECK_STR(nu_datagram(ud.b), "");
	sandlock_sandbox_free(p);
	/* A port-only deny rule. */
	p = deny(nu_fmt("tcp://:%d", pr.port, 0));
	CHECK(p);
	CHECK_PROBE(p, "ECONNREFUSED\n", "connect", "tcp", "127.0.0.2",
		    nu_port_str(pr.port));
	CHECK(!nu_connected(pr.a));
	CHECK_PROBE(p, "OK 3\n", "sendto", "127.0.0.3", nu_port_str(ud.port),
		    "udp");
	CHECK_STR(nu_datagram(ud.b), "udp");
	sandlock_sandbox_free(p);
	nu_pair_close(&ud);
	nu_pair_close(&pr);
}

TEST(tcp_rules_give_no_udp_sockets)
{
	sandlock_sandbox_t *p;

	CHECK(nu_find_probe());
	p = allow("tcp://127.0.0.2:80");
	CHECK(p);
	CHECK_PROBE(p, "EPERM\n", "sendto", "127.0.0.2", "80", "x");
	sandlock_sandbox_free(p);
}

/* docs/decisions.md A19: a connect that never completes holds only its caller;
 * the supervisor goes on serving the sandbox. */
TEST(slow_connect_does_not_block_the_supervisor)
{
	sandlock_sandbox_t *p;
	int full, fill1, fill2, ok, port;
	struct sockaddr_storage ss;
	socklen_t len;

	CHECK(nu_find_probe());
	/* A listener whose accept queue is full: further handshakes stall. */
	full = nu_socket("127.0.0.2", 0, SOCK_STREAM, 0);
	CHECK(full >= 0);
	port = nu_port_of(full);
	len = nu_addr("127.0.0.2", port, &ss);
	fill1 = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	fill2 = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	connect(fill1, (struct sockaddr *)&ss, len);
	connect(fill2, (struct sockaddr *)&ss, len);
	ok = nu_tcp("127.0.0.3", 0);
	CHECK(ok >= 0);
	p = lu_build(sandlock_sandbox_builder_net_allow(
		sandlock_sandbox_builder_net_allow(
			nu_builder(), nu_fmt("tcp://127.0.0.2:%d", port, 0)),
		nu_fmt("tcp://127.0.0.3:%d", nu_port_of(ok), 0)));
	CHECK(p);
	CHECK_PROBE(p, "OK\n", "slow", "127.0.0.2", nu_port_str(port),
		    "127.0.0.3", nu_port_str(nu_port_of(ok)));
	CHECK(nu_connected(ok));
	sandlock_sandbox_free(p);
	close(fill1);
	close(fill2);
	close(full);
	close(ok);
}

/* A program that prefers MPTCP gets EPROTONOSUPPORT, as from a kernel
 * without it, falls back to TCP, and the TCP rule applies. */
TEST(mptcp_programs_fall_back_to_tcp)
{
	sandlock_sandbox_t *p;
	struct nu_pair s;
	char rule[64];

	CHECK(nu_find_probe());
	CHECK(nu_pair_open(&s, SOCK_STREAM));
	snprintf(rule, sizeof(rule), "tcp://127.0.0.2:%d", s.port);
	p = allow(rule);
	CHECK(p);
	CHECK_PROBE(p, "OK tcp\n", "fallback", "127.0.0.2",
		    nu_port_str(s.port));
	CHECK(nu_connected(s.a));
	CHECK_PROBE(p, "connect ECONNREFUSED\n", "fallback", "127.0.0.3",
		    nu_port_str(s.port));
	CHECK(!nu_connected(s.b));
	sandlock_sandbox_free(p);
	nu_pair_close(&s);
}
