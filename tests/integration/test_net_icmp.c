/*
 * ICMP under the destination policy (docs/behaviour.md 5.1, 5.2, 5.4): ping
 * sockets (SOCK_DGRAM + IPPROTO_ICMP/ICMPV6) are creatable only under an
 * ICMP rule (or a deny list), and an echo is sent only where an icmp://
 * rule allows it; UDP rules and ICMP rules never stand in for each other.
 *
 * Ping sockets need net.ipv4.ping_group_range to cover the caller's group,
 * which hosts often leave disabled. The host's setting is never touched:
 * each scenario runs in a child process with a network namespace of its
 * own, where loopback is brought up and the range (a per-namespace
 * setting) opened to every group. The sandboxes launched from there share
 * that namespace.
 */
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "harness.h"
#include "lib/net.h"
#include "lib/policy.h"

/* Child exit status: the namespace itself could not be created. */
#define NETNS_UNAVAILABLE 3

static const char ping_range_path[] = "/proc/sys/net/ipv4/ping_group_range";

static int loopback_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int r = -1;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	r = r < 0 ? -errno : 0;
	close(fd);
	return r;
}

static int open_ping_range(void)
{
	static const char all[] = "0 2147483647\n";
	int fd = open(ping_range_path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, all, sizeof(all) - 1);
	if (n != (ssize_t)sizeof(all) - 1) {
		int err = n < 0 ? errno : EIO;

		close(fd);
		return -err;
	}
	return close(fd) < 0 ? -errno : 0;
}

/* In the child: a private network namespace where ping sockets work.
 * Returns 0, NETNS_UNAVAILABLE, or 1 (setup failed, reason printed). */
static int enter_ping_netns(void)
{
	int r;

	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "  unshare(CLONE_NEWNET): %s\n",
			strerror(errno));
		return NETNS_UNAVAILABLE;
	}
	r = loopback_up();
	if (r < 0) {
		fprintf(stderr, "  bringing up lo: %s\n", strerror(-r));
		return 1;
	}
	r = open_ping_range();
	if (r < 0) {
		fprintf(stderr, "  writing %s: %s\n", ping_range_path,
			strerror(-r));
		return 1;
	}
	return 0;
}

/* Run body (which uses the harness's CHECK/SKIP) in a child inside the
 * namespace and carry its outcome into the calling test. */
static void in_ping_netns(void (*body)(void))
{
	pid_t pid;
	int status, r;

	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		r = enter_ping_netns();
		if (r == 0) {
			body();
			r = sl_cur_state;
		}
		fflush(NULL);
		_exit(r);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	if (!WIFEXITED(status))
		FAIL("scenario child killed by signal %d", WTERMSIG(status));
	r = WEXITSTATUS(status); /* the harness state: 0 pass, 1 fail, 2 skip */
	if (r == NETNS_UNAVAILABLE)
		SKIP("cannot create a network namespace");
	if (r == 2)
		SKIP("skipped inside the network namespace (reason above)");
	if (r != 0)
		FAIL("scenario failed inside the network namespace");
}

#define NETNS_TEST(name)                    \
	static void name##_body(void);      \
	TEST(name)                          \
	{                                   \
		in_ping_netns(name##_body); \
	}                                   \
	static void name##_body(void)

static sandlock_sandbox_t *allow(const char *spec)
{
	return lu_build(sandlock_sandbox_builder_net_allow(nu_builder(), spec));
}

/* The probe's outcome for one echo to ip under p (NULL: no sandbox). */
static char *ping(const sandlock_sandbox_t *p, const char *ip)
{
	return p ? NU_RUN(p, "ping", ip) : NU_RUN_BARE("ping", ip);
}

/* One echo to ip under p ends as expected (outputs end with a newline). */
#define CHECK_PING(p, ip, expected)                                       \
	do {                                                              \
		char *_out = ping((p), (ip));                             \
		bool _ok = _out && strcmp(_out, (expected)) == 0;         \
                                                                          \
		if (!_ok)                                                 \
			fprintf(stderr, "  ping %s: got %s  expected %s", \
				(ip), _out ? _out : "(run failed)\n",     \
				(expected));                              \
		free(_out);                                               \
		CHECK(_ok);                                               \
	} while (0)

NETNS_TEST(control_ping_without_sandbox)
{
	CHECK(nu_find_probe());
	CHECK_PING(NULL, "127.0.0.1", "OK\n");
	CHECK_PING(NULL, "127.0.0.2", "OK\n");
	if (!nu_have_ipv6())
		SKIP("no IPv6 loopback in a new network namespace");
	CHECK_PING(NULL, "::1", "OK\n");
}

NETNS_TEST(icmp_address_rule)
{
	sandlock_sandbox_t *p;
	char *out;
	int u;

	CHECK(nu_find_probe());
	p = allow("icmp://127.0.0.1");
	CHECK(p);
	CHECK_PING(p, "127.0.0.1", "OK\n");
	CHECK_PING(p, "127.0.0.2", "sendto ECONNREFUSED\n");
	/* The rule opened datagram sockets, but only for ICMP: a UDP
	 * datagram to the same address is refused and never arrives. */
	u = nu_udp("127.0.0.1", 0);
	CHECK(u >= 0);
	out = NU_RUN(p, "sendto", "127.0.0.1", nu_fmt("%d", nu_port_of(u), 0),
		     "udp");
	CHECK_STR(out, "ECONNREFUSED\n");
	free(out);
	CHECK_STR(nu_datagram(u), "");
	close(u);
	sandlock_sandbox_free(p);
}

NETNS_TEST(icmp_any_rule)
{
	sandlock_sandbox_t *p;

	CHECK(nu_find_probe());
	p = allow("icmp://*");
	CHECK(p);
	CHECK_PING(p, "127.0.0.1", "OK\n");
	CHECK_PING(p, "127.0.0.2", "OK\n");
	sandlock_sandbox_free(p);
}

NETNS_TEST(icmp_ipv6_rule)
{
	sandlock_sandbox_t *p;

	CHECK(nu_find_probe());
	if (!nu_have_ipv6())
		SKIP("no IPv6 loopback in a new network namespace");
	p = allow("icmp://::1");
	CHECK(p);
	CHECK_PING(p, "::1", "OK\n");
	/* Families never cross-match. */
	CHECK_PING(p, "127.0.0.1", "sendto ECONNREFUSED\n");
	sandlock_sandbox_free(p);
}

NETNS_TEST(icmp_deny_rule)
{
	sandlock_sandbox_t *p;

	CHECK(nu_find_probe());
	p = lu_build(sandlock_sandbox_builder_net_deny(nu_builder(),
						       "icmp://127.0.0.2"));
	CHECK(p);
	CHECK_PING(p, "127.0.0.1", "OK\n");
	CHECK_PING(p, "127.0.0.2", "sendto ECONNREFUSED\n");
	sandlock_sandbox_free(p);
}

NETNS_TEST(tcp_rule_gives_no_ping_socket)
{
	sandlock_sandbox_t *p;

	CHECK(nu_find_probe());
	p = allow("tcp://*:80");
	CHECK(p);
	CHECK_PING(p, "127.0.0.1", "socket EPERM\n");
	sandlock_sandbox_free(p);
}

NETNS_TEST(udp_rule_is_not_an_icmp_rule)
{
	static const char *const rules[] = { "udp://127.0.0.1:53",
					     "udp://127.0.0.1", "udp://*" };

	CHECK(nu_find_probe());
	/* A UDP rule opens UDP sockets, not ping sockets, even where it
	 * covers every port of the address or every destination. */
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		sandlock_sandbox_t *p = allow(rules[i]);

		CHECK(p);
		CHECK_PING(p, "127.0.0.1", "socket EPERM\n");
		sandlock_sandbox_free(p);
	}
}
