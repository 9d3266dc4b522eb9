/*
 * Helpers for the network tests: the net_probe helper run inside a
 * sandbox, and loopback listeners in the test process (several addresses
 * of 127.0.0.0/8, and ::1) that show whether anything reached them.
 */
#ifndef SL_TEST_NET_UTIL_H
#define SL_TEST_NET_UTIL_H

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "integration/launch_util.h"

static char nu_probe[PATH_MAX];
static char nu_helpers[PATH_MAX];

/* <build>/tests/<dir>/test_x -> <build>/tests/helpers/net_probe */
static inline bool nu_find_probe(void)
{
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (nu_probe[0])
		return true;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return false;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return false;
	*slash = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return false;
	*slash = '\0';
	if (strlen(exe) + sizeof("/helpers/net_probe") > sizeof(nu_probe))
		return false;
	strcpy(nu_helpers, exe);
	strcat(nu_helpers, "/helpers");
	strcpy(nu_probe, nu_helpers);
	strcat(nu_probe, "/net_probe");
	return access(nu_probe, X_OK) == 0;
}

/* The system trees plus the helper directory, readable. A sanitized
 * probe skips its leak check: the sandbox does not show it /proc/<pid>/task
 * of its tracer-less self the way LeakSanitizer expects. */
static inline sandlock_builder_t *nu_builder(void)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(lu_builder(),
								 nu_helpers);

	return sandlock_sandbox_builder_env_var(b, "ASAN_OPTIONS",
						"detect_leaks=0");
}

/* Run net_probe with args (NULL-terminated) under p; return its stdout
 * (caller frees), NULL if the run itself failed. */
static inline char *nu_run(const sandlock_sandbox_t *p, const char *const *args)
{
	const char *argv[16];
	unsigned argc = 0;
	sandlock_result_t *r;
	char *out;

	argv[argc++] = nu_probe;
	while (*args && argc < 15)
		argv[argc++] = *args++;
	r = sandlock_run(p, NULL, argv, argc);
	if (!r)
		return NULL;
	out = lu_out(r);
	if (!sandlock_result_success(r)) {
		char *err = lu_err(r);

		fprintf(stderr, "  probe failed (exit %d): %s%s\n",
			sandlock_result_exit_code(r), out, err);
		free(err);
	}
	sandlock_result_free(r);
	return out;
}

/* The same probe outside any sandbox (control runs); stdout, caller
 * frees. */
static inline char *nu_run_bare(const char *const *args)
{
	char cmd[1024];
	size_t len = 0;
	FILE *f;
	char *out;
	size_t cap = 4096, n;

	len += (size_t)snprintf(cmd, sizeof(cmd), "'%s'", nu_probe);
	for (; *args && len < sizeof(cmd); args++)
		len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, " '%s'",
					*args);
	if (len >= sizeof(cmd))
		return NULL;
	f = popen(cmd, "r");
	if (!f)
		return NULL;
	out = calloc(1, cap);
	n = out ? fread(out, 1, cap - 1, f) : 0;
	if (out)
		out[n] = '\0';
	pclose(f);
	return out;
}

#define NU_RUN_BARE(...) nu_run_bare((const char *const[]){ __VA_ARGS__, NULL })

#define NU_RUN(p, ...) nu_run((p), (const char *const[]){ __VA_ARGS__, NULL })

static inline socklen_t nu_addr(const char *ip, int port,
				struct sockaddr_storage *ss)
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

static inline int nu_port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	return ntohs(ss.ss_family == AF_INET ?
			     ((struct sockaddr_in *)&ss)->sin_port :
			     ((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* A non-blocking socket of type bound to ip:port (0 = any free port),
 * listening when TCP; -1 on failure. */
static inline int nu_socket(const char *ip, int port, int type, int backlog)
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

static inline int nu_tcp(const char *ip, int port)
{
	return nu_socket(ip, port, SOCK_STREAM, 16);
}

static inline int nu_udp(const char *ip, int port)
{
	return nu_socket(ip, port, SOCK_DGRAM, 0);
}

/* Did a connection reach the listener? (accepts and closes it) */
static inline bool nu_connected(int lfd)
{
	int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (c < 0)
		return false;
	close(c);
	return true;
}

/* The next datagram waiting on fd as a string ("" when none). */
static inline const char *nu_datagram(int fd)
{
	static char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* A port free on 127.0.0.1 right now. */
static inline int nu_free_port(void)
{
	int fd = nu_tcp("127.0.0.1", 0), port;

	if (fd < 0)
		return -1;
	port = nu_port_of(fd);
	close(fd);
	return port;
}

/* net_probe with args (NULL-terminated) started under p, its stdin and
 * stdout piped to *in and *out (closed by the caller; closing *in ends
 * the ops that wait on stdin). NULL on failure. */
static inline sandlock_handle_t *nu_popen(const sandlock_sandbox_t *p,
					  int *in, int *out,
					  const char *const *args)
{
	const char *argv[16];
	unsigned argc = 0;

	argv[argc++] = nu_probe;
	while (*args && argc < 15)
		argv[argc++] = *args++;
	return sandlock_popen(p, NULL, argv, argc, SANDLOCK_STDIO_PIPED,
			      SANDLOCK_STDIO_PIPED, SANDLOCK_STDIO_INHERIT, in,
			      out, NULL);
}

#define NU_POPEN(p, in, out, ...) \
	nu_popen((p), (in), (out), (const char *const[]){ __VA_ARGS__, NULL })

/* One line from fd (newline kept), waiting up to 20 s; "" on EOF or
 * when nothing came (never a timing assertion: a hung probe fails the
 * check on its output). */
static inline const char *nu_line(int fd)
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

/* Is IPv6 loopback usable here? */
static inline bool nu_have_ipv6(void)
{
	int fd = nu_tcp("::1", 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static inline char *nu_fmt(const char *fmt, int a, int b)
{
	static char buf[4][128];
	static int i;
	char *s = buf[i++ % 4];

	snprintf(s, 128, fmt, a, b);
	return s;
}

/* A port as a string; a few calls may share one argument list. */
static inline const char *nu_port_str(int port)
{
	static char buf[4][16];
	static unsigned i;
	char *s = buf[i++ % 4];

	snprintf(s, sizeof(buf[0]), "%d", port);
	return s;
}

/* Does net_probe, run with args (NULL-terminated) under p, print exactly
 * want? A mismatch is reported. */
static inline bool nu_probe_says(const sandlock_sandbox_t *p,
				 const char *want, const char *const *args)
{
	char *out = nu_run(p, args);
	bool ok = out && strcmp(out, want) == 0;

	if (!ok)
		fprintf(stderr, "  net_probe %s: got \"%s\", want \"%s\"\n",
			args[0], out ? out : "(no result)", want);
	free(out);
	return ok;
}

/* Fail the test unless net_probe prints want. */
#define CHECK_PROBE(p, want, ...) \
	CHECK(nu_probe_says((p), (want), (const char *const[]){ __VA_ARGS__, NULL }))

/* Two listeners of type on the same port, at 127.0.0.2 and 127.0.0.3. */
struct nu_pair {
	int a, b, port;
};

static inline bool nu_pair_open(struct nu_pair *p, int type)
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

static inline void nu_pair_close(struct nu_pair *p)
{
	close(p->a);
	close(p->b);
}

#define NU_STARTS(out, prefix) ((out) && strncmp((out), (prefix), strlen(prefix)) == 0)

#endif
