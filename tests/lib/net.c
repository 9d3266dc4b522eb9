#include "lib/net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/cli.h"
#include "lib/paths.h"
#include "lib/policy.h"
#include "lib/run.h"

char nu_probe[PATH_MAX];

bool nu_find_probe(void)
{
	const char *p;

	if (nu_probe[0])
		return true;
	p = helper_built("net_probe");
	if (!p || strlen(p) >= sizeof(nu_probe))
		return false;
	strcpy(nu_probe, p);
	return true;
}

sandlock_builder_t *nu_builder(void)
{
	sandlock_builder_t *b = lu_builder();

	if (helpers_dir())
		b = sandlock_sandbox_builder_fs_read(b, helpers_dir());
	return sandlock_sandbox_builder_env_var(b, "ASAN_OPTIONS",
						"detect_leaks=0");
}

/* argv: net_probe, then args; false when they do not fit. */
static bool probe_argv(const char **argv, size_t cap, const char *const *args,
		       unsigned *argc)
{
	*argc = 0;
	argv[(*argc)++] = nu_probe;
	while (*args && *argc + 1 < cap)
		argv[(*argc)++] = *args++;
	argv[*argc] = NULL;
	return !*args;
}

char *nu_run(const sandlock_sandbox_t *p, const char *const *args)
{
	const char *argv[16];
	unsigned argc;
	struct hrun o;
	char *out;

	probe_argv(argv, 16, args, &argc);
	hrun_with(p, argv, NULL, 0, &o);
	if (!o.ok)
		return NULL;
	if (o.reason != SANDLOCK_EXIT_REASON_EXITED || o.code != 0)
		fprintf(stderr, "  probe failed (exit %d): %s%s\n", o.code,
			o.out, o.err);
	out = o.out;
	o.out = NULL;
	hrun_free(&o);
	return out;
}

char *nu_run_bare(const char *const *args)
{
	const char *argv[16];
	unsigned argc;

	if (!probe_argv(argv, 16, args, &argc))
		return NULL;
	return run_bare(argv);
}

socklen_t nu_addr(const char *ip, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		return sizeof(*in);
	}
	inet_pton(AF_INET6, ip, &in6->sin6_addr);
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons((uint16_t)port);
	return sizeof(*in6);
}

int nu_port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	return ntohs(ss.ss_family == AF_INET ?
			     ((struct sockaddr_in *)&ss)->sin_port :
			     ((struct sockaddr_in6 *)&ss)->sin6_port);
}

int nu_socket(const char *ip, int port, int type, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len = nu_addr(ip, port, &ss);
	int fd = socket(ss.ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, backlog) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

int nu_tcp(const char *ip, int port)
{
	return nu_socket(ip, port, SOCK_STREAM, 16);
}

int nu_udp(const char *ip, int port)
{
	return nu_socket(ip, port, SOCK_DGRAM, 0);
}

bool nu_connected(int lfd)
{
	int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (c < 0)
		return false;
	close(c);
	return true;
}

const char *nu_datagram(int fd)
{
	static char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

int nu_free_port(void)
{
	int fd = nu_tcp("127.0.0.1", 0), port;

	if (fd < 0)
		return -1;
	port = nu_port_of(fd);
	close(fd);
	return port;
}

sandlock_handle_t *nu_popen(const sandlock_sandbox_t *p, int *in, int *out,
			    const char *const *args)
{
	const char *argv[16];
	unsigned argc;

	probe_argv(argv, 16, args, &argc);
	return sandlock_popen(p, NULL, argv, argc, SANDLOCK_STDIO_PIPED,
			      SANDLOCK_STDIO_PIPED, SANDLOCK_STDIO_INHERIT, in,
			      out, NULL);
}

const char *nu_line(int fd)
{
	static char buf[256];
	size_t len = 0;

	while (len + 1 < sizeof(buf)) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pf, 1, 20000) <= 0)
			break;
		n = read(fd, buf + len, 1);
		if (n <= 0)
			break;
		if (buf[len++] == '\n')
			break;
	}
	buf[len] = '\0';
	return buf;
}

bool nu_have_ipv6(void)
{
	int fd = nu_tcp("::1", 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

char *nu_fmt(const char *fmt, int a, int b)
{
	static char buf[4][128];
	static unsigned i;
	char *s = buf[i++ % 4];

	snprintf(s, sizeof(buf[0]), fmt, a, b);
	return s;
}

const char *nu_port_str(int port)
{
	static char buf[4][16];
	static unsigned i;
	char *s = buf[i++ % 4];

	snprintf(s, sizeof(buf[0]), "%d", port);
	return s;
}

bool nu_probe_says(const sandlock_sandbox_t *p, const char *want,
		   const char *const *args)
{
	char *out = nu_run(p, args);
	bool ok = out && strcmp(out, want) == 0;

	if (!ok)
		fprintf(stderr, "  net_probe %s: got \"%s\", want \"%s\"\n",
			args[0], out ? out : "(no result)", want);
	free(out);
	return ok;
}

bool nu_pair_open(struct nu_pair *p, int type)
{
	for (int tries = 0; tries < 20; tries++) {
		p->a = nu_socket("127.0.0.2", 0, type, 16);
		if (p->a < 0)
			return false;
		p->port = nu_port_of(p->a);
		p->b = nu_socket("127.0.0.3", p->port, type, 16);
		if (p->b >= 0)
			return true;
		close(p->a);
	}
	return false;
}

void nu_pair_close(struct nu_pair *p)
{
	close(p->a);
	close(p->b);
}
