/*
 * Network overhead of sandlock on loopback, against bare runs measured in
 * the same invocation:
 *
 *   1. server: a TCP request/response server inside a sandbox allowed to
 *      bind its port (net_allow_bind), driven by this process, vs the same
 *      server run bare. Reports throughput and p50/p99 request latency.
 *   2. client: a client inside a sandbox with a host rule
 *      (net_allow localhost:PORT: connects are checked and performed by
 *      the supervisor) against a server in this process, vs bare. Reports
 *      throughput, p99 latency and the cost of one connect.
 *
 *   net_bench [--requests N] [--connects N] [--size BYTES]
 *
 * The same binary is the sandboxed worker ("net_bench serve|client ...").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandlock.h"

extern char **environ;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[(int)((n - 1) * p)];
}

static int full_io(int fd, char *buf, size_t len, bool wr)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r =
			wr ? send(fd, buf + done, len - done, MSG_NOSIGNAL) :
			     recv(fd, buf + done, len - done, 0);

		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

static int tcp_socket(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port) };

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

/* Echo `size`-byte requests on every connection until the peer closes. */
static void serve_conn(int c, size_t size)
{
	char *buf = malloc(size);

	while (buf && full_io(c, buf, size, false) == 0 &&
	       full_io(c, buf, size, true) == 0)
		;
	free(buf);
	close(c);
}

/* ---- workers (run inside the sandbox, or bare) -------------------------- */

static int worker_serve(int port, size_t size)
{
	struct sockaddr_in sa = loopback(port);
	int l = tcp_socket(), one = 1, c;

	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(l, 64) < 0) {
		perror("serve");
		return 1;
	}
	printf("READY\n");
	fflush(stdout);
	while ((c = accept(l, NULL, NULL)) >= 0)
		serve_conn(c, size);
	return 0;
}

/* Connect `connects` times (timing each), then run `requests` round trips
 * on one connection; print "connect_us <median> rps <r/s> p50 <us> p99 <us>". */
static int worker_client(int port, int connects, int requests, size_t size)
{
	struct sockaddr_in sa = loopback(port);
	double *ct = calloc((size_t)connects, sizeof(double));
	double *lat = calloc((size_t)requests, sizeof(double));
	char *buf = calloc(1, size);
	double t0, total;
	int fd = -1;

	if (!ct || !lat || !buf)
		return 1;
	for (int i = 0; i < connects; i++) {
		int s = tcp_socket();

		t0 = now_us();
		if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			perror("connect");
			return 1;
		}
		ct[i] = now_us() - t0;
		if (fd < 0)
			fd = s;
		else
			close(s);
	}
	t0 = now_us();
	for (int i = 0; i < requests; i++) {
		double t = now_us();

		if (full_io(fd, buf, size, true) < 0 ||
		    full_io(fd, buf, size, false) < 0) {
			perror("request");
			return 1;
		}
		lat[i] = now_us() - t;
	}
	total = now_us() - t0;
	printf("connect_us %.2f rps %.0f p50 %.2f p99 %.2f\n",
	       pct(ct, connects, 0.5), requests / (total / 1e6),
	       pct(lat, requests, 0.5), pct(lat, requests, 0.99));
	return 0;
}

/* ---- the driver ---------------------------------------------------------- */

static char self[4096];

struct result {
	double connect_us, rps, p50, p99;
};

/* Run the worker (argv: argc entries plus a NULL) bare or sandboxed with
 * stdout piped; returns its pid or handle through the out arguments and
 * its stdout as a FILE. */
static FILE *start(const sandlock_sandbox_t *p, const char *const *argv,
		   int argc, pid_t *pid, sandlock_handle_t **h)
{
	int out = -1;

	*pid = 0;
	*h = NULL;
	if (p) {
		*h = sandlock_popen(p, NULL, argv, (unsigned)argc, 0, 1, 0,
				    NULL, &out, NULL);
		if (!*h)
			return NULL;
	} else {
		int fds[2];
		posix_spawn_file_actions_t fa;

		if (pipe(fds) < 0)
			return NULL;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
		posix_spawn_file_actions_addclose(&fa, fds[0]);
		if (posix_spawn(pid, argv[0], &fa, NULL, (char *const *)argv,
				environ) != 0)
			return NULL;
		posix_spawn_file_actions_destroy(&fa);
		close(fds[1]);
		out = fds[0];
	}
	return fdopen(out, "r");
}

static void finish(FILE *f, pid_t pid, sandlock_handle_t *h)
{
	if (f)
		fclose(f);
	if (h) {
		sandlock_handle_kill(h);
		sandlock_result_free(sandlock_handle_wait(h));
		sandlock_handle_free(h);
	} else if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

static int free_port(void)
{
	struct sockaddr_in sa = loopback(0);
	socklen_t len = sizeof(sa);
	int fd = tcp_socket(), port = -1;

	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* Scenario 1: drive a (sandboxed or bare) server from here. */
static int bench_server(const sandlock_sandbox_t *p, int port, int requests,
			size_t size, struct result *res)
{
	char ports[16], sizes[16], line[64];
	const char *argv[] = { self, "serve", ports, sizes, NULL };
	struct sockaddr_in sa = loopback(port);
	double *lat = calloc((size_t)requests, sizeof(double)), t0, total;
	char *buf = calloc(1, size);
	sandlock_handle_t *h;
	pid_t pid;
	FILE *f;
	int fd, rc = -1;

	snprintf(ports, sizeof(ports), "%d", port);
	snprintf(sizes, sizeof(sizes), "%zu", size);
	f = start(p, argv, 4, &pid, &h);
	if (!f || !fgets(line, sizeof(line), f) || strcmp(line, "READY\n") != 0)
		goto out;
	fd = tcp_socket();
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto out;
	t0 = now_us();
	for (int i = 0; i < requests; i++) {
		double t = now_us();

		if (full_io(fd, buf, size, true) < 0 ||
		    full_io(fd, buf, size, false) < 0)
			goto out;
		lat[i] = now_us() - t;
	}
	total = now_us() - t0;
	close(fd);
	res->rps = requests / (total / 1e6);
	res->p50 = pct(lat, requests, 0.5);
	res->p99 = pct(lat, requests, 0.99);
	rc = 0;
out:
	finish(f, pid, h);
	free(lat);
	free(buf);
	return rc;
}

struct server_thread {
	int l;
	size_t size;
};

static void *accept_loop(void *arg)
{
	struct server_thread *st = arg;
	int c;

	while ((c = accept(st->l, NULL, NULL)) >= 0)
		serve_conn(c, st->size);
	return NULL;
}

/* Scenario 2: a (sandboxed or bare) client against a server here. */
static int bench_client(const sandlock_sandbox_t *p, int port, int connects,
			int requests, size_t size, struct result *res)
{
	char ports[16], conns[16], reqs[16], sizes[16], line[160];
	const char *argv[] = { self, "client", ports, conns, reqs, sizes, NULL };
	sandlock_handle_t *h;
	pid_t pid;
	FILE *f;
	int rc = -1;

	snprintf(ports, sizeof(ports), "%d", port);
	snprintf(conns, sizeof(conns), "%d", connects);
	snprintf(reqs, sizeof(reqs), "%d", requests);
	snprintf(sizes, sizeof(sizes), "%zu", size);
	f = start(p, argv, 6, &pid, &h);
	if (f && fgets(line, sizeof(line), f) &&
	    sscanf(line, "connect_us %lf rps %lf p50 %lf p99 %lf",
		   &res->connect_us, &res->rps, &res->p50, &res->p99) == 4)
		rc = 0;
	/* Let the worker finish on its own before collecting it. */
	if (h) {
		sandlock_result_free(sandlock_handle_wait(h));
		sandlock_handle_free(h);
		h = NULL;
	} else if (pid > 0) {
		waitpid(pid, NULL, 0);
		pid = 0;
	}
	finish(f, pid, h);
	return rc;
}

static sandlock_builder_t *base_builder(void)
{
	static const char *const dirs[] = { "/usr",   "/bin", "/lib",
					    "/lib64", "/etc", NULL };
	sandlock_builder_t *b = sandlock_sandbox_builder_new();
	char dir[4096];
	struct stat st;

	for (int i = 0; dirs[i]; i++)
		if (lstat(dirs[i], &st) == 0 && S_ISDIR(st.st_mode))
			b = sandlock_sandbox_builder_fs_read(b, dirs[i]);
	/* <build>/bench/net_bench: the worker and the library it loads
	 * (rpath <build>) must be readable inside. */
	snprintf(dir, sizeof(dir), "%s", self);
	*strrchr(dir, '/') = '\0';
	*strrchr(dir, '/') = '\0';
	return sandlock_sandbox_builder_fs_read(b, dir);
}

static sandlock_sandbox_t *build(sandlock_builder_t *b)
{
	int err = 0;
	char *msg = NULL;
	sandlock_sandbox_t *p = sandlock_sandbox_build(b, &err, &msg);

	if (!p)
		fprintf(stderr, "net_bench: build: %s\n", msg ? msg : "?");
	sandlock_string_free(msg);
	return p;
}

int main(int argc, char **argv)
{
	int requests = 20000, connects = 200;
	size_t size = 64;
	struct result bare = { 0 }, sbx = { 0 };
	sandlock_sandbox_t *p;
	char spec[64];
	int port;

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && strcmp(argv[1], "serve") == 0)
		return worker_serve(atoi(argv[2]), (size_t)atol(argv[3]));
	if (argc == 6 && strcmp(argv[1], "client") == 0)
		return worker_client(atoi(argv[2]), atoi(argv[3]),
				     atoi(argv[4]), (size_t)atol(argv[5]));
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--requests") == 0)
			requests = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--connects") == 0)
			connects = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--size") == 0)
			size = (size_t)atol(argv[i + 1]);
	}
	if (requests < 1 || connects < 1 || size < 1) {
		fprintf(stderr,
			"usage: net_bench [--requests N] [--connects N] [--size BYTES]\n");
		return 2;
	}
	if (!realpath("/proc/self/exe", self)) {
		perror("net_bench: /proc/self/exe");
		return 1;
	}

	/* 1. server inside the sandbox, bind rule */
	port = free_port();
	snprintf(spec, sizeof(spec), "%d", port);
	p = build(
		sandlock_sandbox_builder_net_allow_bind(base_builder(), spec));
	if (!p || bench_server(NULL, port, requests, size, &bare) < 0 ||
	    bench_server(p, port, requests, size, &sbx) < 0) {
		fprintf(stderr, "net_bench: server scenario failed\n");
		return 1;
	}
	sandlock_sandbox_free(p);
	printf("server (bind rule), %d x %zu-byte requests:\n", requests, size);
	printf("  bare      %10.0f req/s  p50 %7.2f us  p99 %7.2f us\n",
	       bare.rps, bare.p50, bare.p99);
	printf("  sandboxed %10.0f req/s  p50 %7.2f us  p99 %7.2f us\n",
	       sbx.rps, sbx.p50, sbx.p99);
	printf("  throughput ratio %.3f, p99 ratio %.3f\n", sbx.rps / bare.rps,
	       sbx.p99 / bare.p99);

	/* 2. client inside the sandbox, host rule (on-behalf connects) */
	{
		struct sockaddr_in sa = loopback(0);
		socklen_t len = sizeof(sa);
		struct server_thread st = { .l = tcp_socket(), .size = size };
		pthread_t t;

		if (bind(st.l, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    listen(st.l, 256) < 0 ||
		    getsockname(st.l, (struct sockaddr *)&sa, &len) < 0) {
			perror("net_bench: listen");
			return 1;
		}
		port = ntohs(sa.sin_port);
		pthread_create(&t, NULL, accept_loop, &st);
		snprintf(spec, sizeof(spec), "tcp://localhost:%d", port);
		p = build(sandlock_sandbox_builder_net_allow(base_builder(),
							     spec));
		if (!p ||
		    bench_client(NULL, port, connects, requests, size, &bare) <
			    0 ||
		    bench_client(p, port, connects, requests, size, &sbx) < 0) {
			fprintf(stderr, "net_bench: client scenario failed\n");
			return 1;
		}
		sandlock_sandbox_free(p);
	}
	printf("client (host rule, on-behalf connect), %d connects, %d x %zu-byte requests:\n",
	       connects, requests, size);
	printf("  bare      %10.0f req/s  p50 %7.2f us  p99 %7.2f us  connect %7.2f us\n",
	       bare.rps, bare.p50, bare.p99, bare.connect_us);
	printf("  sandboxed %10.0f req/s  p50 %7.2f us  p99 %7.2f us  connect %7.2f us\n",
	       sbx.rps, sbx.p50, sbx.p99, sbx.connect_us);
	printf("  throughput ratio %.3f, p99 ratio %.3f, on-behalf connect cost %.2f us\n",
	       sbx.rps / bare.rps, sbx.p99 / bare.p99,
	       sbx.connect_us - bare.connect_us);
	return 0;
}
