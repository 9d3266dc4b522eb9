/*
 * TCP port rules (docs/behaviour.md 3.2) and IPC scopes (3.4), enforced by the
 * kernel in a forked child confined with the ruleset built here.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "lib/child.h"

struct net_case {
	int ruleset_fd;
	uint16_t port_a, port_b; /* a is granted, b is not */
	pid_t victim;		 /* a process outside the domain */
	char abstract[64];	 /* an abstract socket name outside it */
};

static struct sockaddr_in loopback(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int tcp_bind(uint16_t port)
{
	struct sockaddr_in a = loopback(port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static int tcp_connect(uint16_t port)
{
	struct sockaddr_in a = loopback(port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int r;

	if (fd < 0)
		return -1;
	r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	if (r < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* A loopback listener on a kernel-chosen port. */
static int listener(uint16_t *port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = tcp_bind(0);

	if (fd < 0 || listen(fd, 8) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

/* Two ports free right now (bound then released). */
static bool free_ports(uint16_t *a, uint16_t *b)
{
	int fa = listener(a), fb = listener(b);
	bool ok = fa >= 0 && fb >= 0;

	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return ok;
}

/* Strict filesystem and TCP; the scopes degrade so that ABI 4 is enough. */
static struct sl_policy *tcp_policy(const char *allow_bind,
				    const char *net_allow)
{
	struct sl_policy *p = sl_policy_new();

	if (!p)
		return NULL;
	p->protection[SL_PROT_FS_IOCTL_DEV] = SL_PROT_DEGRADED;
	p->protection[SL_PROT_SIGNAL_SCOPE] = SL_PROT_DEGRADED;
	p->protection[SL_PROT_ABSTRACT_UNIX_SOCKET_SCOPE] = SL_PROT_DEGRADED;
	if (allow_bind)
		sl_strv_push(&p->net_allow_bind, allow_bind);
	if (net_allow)
		sl_strv_push(&p->net_allow, net_allow);
	return ll_build(p);
}

static int ruleset_of(struct sl_policy *p)
{
	struct sl_error e = { 0 };
	int fd = -1;

	if (!p)
		return -1;
	if (sl_landlock_create_ruleset(p, &fd, &e) < 0)
		fprintf(stderr, "  ruleset: %s\n", e.msg ? e.msg : "?");
	sl_error_clear(&e);
	sl_policy_free(p);
	return fd;
}

/* ---- bind ---------------------------------------------------------------- */
static void child_bind_list(void *arg)
{
	const struct net_case *c = arg;
	int fd;

	ll_restrict(c->ruleset_fd);
	fd = tcp_bind(c->port_a);
	CHILD_CHECK(fd >= 0);
	close(fd);
	CHILD_FAILS(tcp_bind(c->port_b), EACCES);
	/* Port 0 would let the kernel pick any port: not listed, refused. */
	CHILD_FAILS(tcp_bind(0), EACCES);
}

TEST(tcp_bind_only_to_listed_ports)
{
	struct net_case c = { .ruleset_fd = -1 };
	char spec[8];

	REQUIRE_LANDLOCK_ABI(4);
	CHECK(free_ports(&c.port_a, &c.port_b));
	snprintf(spec, sizeof(spec), "%u", c.port_a);
	c.ruleset_fd = ruleset_of(tcp_policy(spec, NULL));
	CHECK(c.ruleset_fd >= 0);
	CHECK(ll_exited_ok(ll_run_child(child_bind_list, &c)));
	close(c.ruleset_fd);
}

static void child_bind_any(void *arg)
{
	const struct net_case *c = arg;
	int fd;

	ll_restrict(c->ruleset_fd);
	fd = tcp_bind(c->port_b);
	CHILD_CHECK(fd >= 0);
	close(fd);
	fd = tcp_bind(0);
	CHILD_CHECK(fd >= 0);
	close(fd);
}

TEST(tcp_bind_star_leaves_bind_unrestricted)
{
	struct net_case c = { .ruleset_fd = -1 };

	REQUIRE_LANDLOCK_ABI(4);
	CHECK(free_ports(&c.port_a, &c.port_b));
	c.ruleset_fd = ruleset_of(tcp_policy("*", NULL));
	CHECK(c.ruleset_fd >= 0);
	CHECK(ll_exited_ok(ll_run_child(child_bind_any, &c)));
	close(c.ruleset_fd);
}

/* ---- connect ------------------------------------------------------------- */
static void child_connect_none(void *arg)
{
	const struct net_case *c = arg;

	ll_restrict(c->ruleset_fd);
	CHILD_FAILS(tcp_connect(c->port_a), EACCES);
	CHILD_FAILS(tcp_connect(c->port_b), EACCES);
}

static void child_connect_one(void *arg)
{
	const struct net_case *c = arg;
	int fd;

	ll_restrict(c->ruleset_fd);
	fd = tcp_connect(c->port_a);
	CHILD_CHECK(fd >= 0);
	close(fd);
	CHILD_FAILS(tcp_connect(c->port_b), EACCES);
}

TEST(tcp_connect_only_to_allowed_ports)
{
	struct net_case c = { .ruleset_fd = -1 };
	int la, lb;
	char spec[48];

	REQUIRE_LANDLOCK_ABI(4);
	la = listener(&c.port_a);
	lb = listener(&c.port_b);
	CHECK(la >= 0 && lb >= 0);

	/* No network rule at all: every TCP connect is refused. */
	c.ruleset_fd = ruleset_of(tcp_policy(NULL, NULL));
	CHECK(c.ruleset_fd >= 0);
	CHECK(ll_exited_ok(ll_run_child(child_connect_none, &c)));
	close(c.ruleset_fd);

	snprintf(spec, sizeof(spec), "tcp://127.0.0.1:%u", c.port_a);
	c.ruleset_fd = ruleset_of(tcp_policy(NULL, spec));
	CHECK(c.ruleset_fd >= 0);
	CHECK(ll_exited_ok(ll_run_child(child_connect_one, &c)));
	close(c.ruleset_fd);
	close(la);
	close(lb);
}

/* ---- IPC scopes ---------------------------------------------------------- */
static void child_signal_scope(void *arg)
{
	const struct net_case *c = arg;

	ll_restrict(c->ruleset_fd);
	CHILD_FAILS(kill(c->victim, 0), EPERM);
	CHILD_FAILS(kill(c->victim, SIGKILL), EPERM);
	CHILD_CHECK(kill(getpid(), 0) == 0);
}

TEST(signals_cannot_leave_the_domain)
{
	struct net_case c = { .ruleset_fd = -1 };
	int status = 0;

	REQUIRE_LANDLOCK_ABI(6);
	c.ruleset_fd = ruleset_of(ll_build(sl_policy_new()));
	CHECK(c.ruleset_fd >= 0);
	c.victim = fork();
	if (c.victim == 0) {
		pause();
		_exit(0);
	}
	CHECK(c.victim > 0);
	CHECK(ll_exited_ok(ll_run_child(child_signal_scope, &c)));
	/* The victim is still there. */
	CHECK_EQ_INT(waitpid(c.victim, &status, WNOHANG), 0);
	kill(c.victim, SIGKILL);
	waitpid(c.victim, &status, 0);
	close(c.ruleset_fd);
}

static socklen_t abstract_addr(const char *name, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path + 1, name, strlen(name));
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			   strlen(name));
}

static int abstract_listener(const char *name)
{
	struct sockaddr_un a;
	socklen_t len = abstract_addr(name, &a);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, len) < 0 ||
	    listen(fd, 4) < 0)
		return -1;
	return fd;
}

static int abstract_connect(const char *name)
{
	struct sockaddr_un a;
	socklen_t len = abstract_addr(name, &a);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, len) < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static void child_abstract_scope(void *arg)
{
	const struct net_case *c = arg;
	char inside[80];
	int l, fd;

	ll_restrict(c->ruleset_fd);
	CHILD_FAILS(abstract_connect(c->abstract), EPERM);
	/* A socket created inside the domain stays reachable. */
	snprintf(inside, sizeof(inside), "%s-inside", c->abstract);
	l = abstract_listener(inside);
	CHILD_CHECK(l >= 0);
	fd = abstract_connect(inside);
	CHILD_CHECK(fd >= 0);
	close(fd);
	close(l);
}

TEST(abstract_unix_sockets_cannot_leave_the_domain)
{
	struct net_case c = { .ruleset_fd = -1 };
	int l;

	REQUIRE_LANDLOCK_ABI(6);
	snprintf(c.abstract, sizeof(c.abstract), "sandlock-ll-test-%d",
		 (int)getpid());
	l = abstract_listener(c.abstract);
	CHECK(l >= 0);
	c.ruleset_fd = ruleset_of(ll_build(sl_policy_new()));
	CHECK(c.ruleset_fd >= 0);
	CHECK(ll_exited_ok(ll_run_child(child_abstract_scope, &c)));
	close(c.ruleset_fd);
	close(l);
}
