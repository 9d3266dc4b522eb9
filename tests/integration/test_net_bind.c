/*
 * Bind rules and port_remap (docs/behaviour.md 5.5, 5.8): net_deny_bind refuses
 * listed TCP ports, binds done by the supervisor still honour
 * net_allow_bind (docs/decisions.md A13), and two sandboxes can bind the same
 * virtual port, each reachable through its own real port.
 */
#include "harness.h"
#include "lib/net.h"
#include "lib/policy.h"

TEST(deny_bind_refuses_listed_tcp_ports_only)
{
	sandlock_sandbox_t *p;
	int port = nu_free_port(), other = nu_free_port();
	char want[32];

	if (!nu_find_probe())
		FAIL("net_probe helper not built");
	CHECK(port > 0 && other > 0 && port != other);
	/* A UDP rule, so that the sandbox may create UDP sockets at all. */
	p = lu_build(sandlock_sandbox_builder_net_allow(
		sandlock_sandbox_builder_net_deny_bind(nu_builder(),
						       nu_port_str(port)),
		"udp://127.0.0.1:9"));
	CHECK(p);
	CHECK_PROBE(p, "EACCES\n", "bind", "tcp", "127.0.0.1",
		    nu_port_str(port));
	snprintf(want, sizeof(want), "OK %d\n", other);
	CHECK_PROBE(p, want, "bind", "tcp", "127.0.0.1", nu_port_str(other));
	/* UDP binds are never gated. */
	snprintf(want, sizeof(want), "OK %d\n", port);
	CHECK_PROBE(p, want, "bind", "udp", "127.0.0.1", nu_port_str(port));
	sandlock_sandbox_free(p);
}

TEST(onbehalf_bind_still_enforces_allow_bind)
{
	sandlock_sandbox_t *p;
	int port = nu_free_port(), other = nu_free_port();
	char want[32];

	CHECK(nu_find_probe());
	CHECK(port > 0 && other > 0 && port != other);
	p = lu_build(sandlock_sandbox_builder_port_remap(
		sandlock_sandbox_builder_net_allow_bind(nu_builder(),
							nu_port_str(port)),
		true));
	CHECK(p);
	snprintf(want, sizeof(want), "OK %d\n", port);
	CHECK_PROBE(p, want, "bind", "tcp", "127.0.0.1", nu_port_str(port));
	CHECK_PROBE(p, "EACCES\n", "bind", "tcp", "127.0.0.1",
		    nu_port_str(other));
	/* Port 0 is a port like any other: not listed, not bound. */
	CHECK_PROBE(p, "EACCES\n", "bind", "tcp", "127.0.0.1", "0");
	sandlock_sandbox_free(p);
}

/* A serving sandbox: popen'd, its "LISTENING <port>" line read. */
struct server {
	sandlock_handle_t *h;
	FILE *out;
	int seen_port;
};

static bool server_start(struct server *s, const sandlock_sandbox_t *p,
			 int port)
{
	const char *argv[] = { nu_probe, "serve", "127.0.0.1",
			       nu_port_str(port) };
	int out_fd = -1;
	char line[64];

	s->h = sandlock_popen(p, NULL, argv, 4, 0, 1, 0, NULL, &out_fd, NULL);
	if (!s->h)
		return false;
	s->out = fdopen(out_fd, "r");
	if (!s->out || !fgets(line, sizeof(line), s->out) ||
	    sscanf(line, "LISTENING %d", &s->seen_port) != 1) {
		fprintf(stderr, "  server said: %s\n", line);
		return false;
	}
	return true;
}

static void server_stop(struct server *s)
{
	sandlock_result_t *r;

	if (s->out)
		fclose(s->out);
	if (s->h) {
		sandlock_handle_kill(s->h);
		r = sandlock_handle_wait(s->h);
		sandlock_result_free(r);
		sandlock_handle_free(s->h);
	}
}

/* Send a line to 127.0.0.1:port and return the reply. */
static char *ask(int port, const char *msg)
{
	struct sockaddr_storage ss;
	socklen_t len = nu_addr("127.0.0.1", port, &ss);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	static char reply[128];
	ssize_t n;

	reply[0] = '\0';
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0 ||
	    write(fd, msg, strlen(msg)) < 0) {
		close(fd);
		return reply;
	}
	n = read(fd, reply, sizeof(reply) - 1);
	reply[n > 0 ? n : 0] = '\0';
	close(fd);
	return reply;
}

TEST(two_sandboxes_bind_the_same_virtual_port)
{
	struct server a = { 0 }, b = { 0 };
	sandlock_sandbox_t *p;
	int virt = nu_free_port(), real = 0;
	char *json, key[32];

	CHECK(nu_find_probe());
	CHECK(virt > 0);
	p = lu_build(sandlock_sandbox_builder_port_remap(
		sandlock_sandbox_builder_net_allow_bind(nu_builder(),
							nu_port_str(virt)),
		true));
	CHECK(p);
	CHECK(server_start(&a, p, virt));
	CHECK(server_start(&b, p, virt));
	/* Both believe they hold the virtual port. */
	CHECK_EQ_INT(a.seen_port, virt);
	CHECK_EQ_INT(b.seen_port, virt);
	/* The first got it for real: nothing to report. */
	CHECK(sandlock_handle_port_mappings(a.h) == NULL);
	json = sandlock_handle_port_mappings(b.h);
	CHECK(json != NULL);
	snprintf(key, sizeof(key), "{\"%d\":", virt);
	CHECK(strncmp(json, key, strlen(key)) == 0);
	real = atoi(json + strlen(key));
	CHECK(json[strlen(json) - 1] == '}');
	sandlock_string_free(json);
	CHECK(real > 0 && real != virt);
	CHECK_STR(ask(virt, "to-a"), "echo:to-a");
	CHECK_STR(ask(real, "to-b"), "echo:to-b");
	server_stop(&a);
	server_stop(&b);
	sandlock_sandbox_free(p);
}

TEST(proc_net_tcp_shows_only_own_ports)
{
	sandlock_sandbox_t *p;
	int mine, foreign;
	char *out, line[32];

	CHECK(nu_find_probe());
	/* The foreign socket first, so the free port picked next cannot be
	 * the one the kernel hands it. */
	foreign = nu_tcp("127.0.0.1", 0);
	CHECK(foreign >= 0);
	mine = nu_free_port();
	p = lu_build(sandlock_sandbox_builder_port_remap(
		sandlock_sandbox_builder_net_allow_bind(nu_builder(),
							nu_port_str(mine)),
		true));
	CHECK(p);
	out = NU_RUN(p, "table", "127.0.0.1", nu_port_str(mine));
	snprintf(line, sizeof(line), "OK %d\nport %d\n", mine, mine);
	CHECK_STR(out, line);
	free(out);
	sandlock_sandbox_free(p);
	close(foreign);
}

TEST(port_mappings_null_without_remap)
{
	sandlock_sandbox_t *p;
	const char *argv[] = { "/bin/sleep", "10" };
	sandlock_handle_t *h;
	sandlock_result_t *r;

	p = lu_policy();
	CHECK(p);
	h = sandlock_popen(p, NULL, argv, 2, 0, 2, 2, NULL, NULL, NULL);
	CHECK(h);
	CHECK(sandlock_handle_port_mappings(h) == NULL);
	CHECK(sandlock_handle_port_mappings(NULL) == NULL);
	sandlock_handle_kill(h);
	r = sandlock_handle_wait(h);
	sandlock_result_free(r);
	sandlock_handle_free(h);
	sandlock_sandbox_free(p);
}

/* listen() on an unbound TCP socket binds a port: allowed where a bind
 * to port 0 is ("*"), refused under a port list, and under a deny list
 * given a port off the list. */
static char *listen_unbound(const sandlock_sandbox_t *p)
{
	sandlock_handle_t *h;
	sandlock_result_t *r;
	int in = -1, out = -1;
	char *line;

	h = NU_POPEN(p, &in, &out, "listen0");
	if (!h)
		return NULL;
	line = strdup(nu_line(out));
	close(in);
	close(out);
	r = sandlock_handle_wait(h);
	sandlock_result_free(r);
	sandlock_handle_free(h);
	return line;
}

TEST(listen_without_bind_follows_the_bind_rules)
{
	sandlock_sandbox_t *any, *list, *deny;
	unsigned long lo = 0, hi = 0;
	char spec[64], *line;
	FILE *f;
	int port = nu_free_port();

	CHECK(nu_find_probe());
	f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");
	CHECK(f && fscanf(f, "%lu %lu", &lo, &hi) == 2);
	fclose(f);
	CHECK(hi - lo > 64);
	/* Every port of the ephemeral range but the last eight. */
	snprintf(spec, sizeof(spec), "%lu-%lu", lo, hi - 8);
	any = lu_build(
		sandlock_sandbox_builder_net_allow_bind(nu_builder(), "*"));
	list = lu_build(sandlock_sandbox_builder_net_allow_bind(
		nu_builder(), nu_port_str(port)));
	deny = lu_build(
		sandlock_sandbox_builder_net_deny_bind(nu_builder(), spec));
	CHECK(any && list && deny);
	line = listen_unbound(any);
	CHECK(line && strncmp(line, "OK ", 3) == 0 && atoi(line + 3) > 0);
	free(line);
	line = listen_unbound(list);
	CHECK_STR(line, "EACCES\n");
	free(line);
	for (int i = 0; i < 4; i++) {
		line = listen_unbound(deny);
		CHECK(line && strncmp(line, "OK ", 3) == 0);
		CHECK((unsigned long)atoi(line + 3) > hi - 8);
		free(line);
	}
	/* A bind to port 0 under the deny list gets a port off it too. */
	line = NU_RUN(deny, "bind", "tcp", "127.0.0.1", "0");
	CHECK(line && strncmp(line, "OK ", 3) == 0 &&
	      (unsigned long)atoi(line + 3) > hi - 8);
	free(line);
	/* Bound first, then listening: the usual server (serve, in the
	 * port_remap tests above, works the same without port_remap). */
	CHECK_PROBE(list, nu_fmt("OK %d\n", port, 0), "bind", "tcp",
		    "127.0.0.1", nu_port_str(port));
	sandlock_sandbox_free(any);
	sandlock_sandbox_free(list);
	sandlock_sandbox_free(deny);
}
