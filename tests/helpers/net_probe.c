/*
 * net_probe OP ARGS...: one network operation inside a sandbox, printing
 * how it ended ("OK ..." or the errno name). The network tests run it
 * under a policy and compare the outcome with what the policy demands.
 *
 *   connect tcp|udp IP PORT         connect a fresh socket
 *   sendto IP PORT MSG              UDP datagram with sendto
 *   sendmsg IP PORT MSG             UDP datagram with sendmsg + msg_name
 *   sendmmsg IP PORT IP2 PORT2 MSG  two datagrams in one sendmmsg
 *   connsend IP PORT MSG            UDP connect, then send without address
 *   bind tcp|udp IP PORT            bind, print "OK <port getsockname shows>"
 *   serve IP PORT                   bind+listen, print "LISTENING <port>",
 *                                   answer one line with "echo:<line>"
 *   request IP PORT MSG             TCP connect, send MSG, print the reply
 *   table IP PORT                   bind+listen, then print the local
 *                                   port of every /proc/net/tcp line
 *   slow IP PORT IP2 PORT2          a thread connects (blocking) to the
 *                                   first, which never answers; meanwhile
 *                                   the main thread connects to the second
 *                                   and prints how that ended
 *   resolve NAME                    print every address getaddrinfo finds
 *   unix PATH                       connect an AF_UNIX stream socket
 *   race IP PORT IP2 PORT2 N        N connects while a thread flips the
 *                                   sockaddr between the two destinations;
 *                                   print "connected-to-second K"
 *   fdrace IP PORT N                N UDP sends to IP:PORT on an fd a
 *                                   thread keeps swapping between a TCP
 *                                   and a UDP socket; print "udp-sent K"
 *   ping IP                         one ICMP echo over a ping socket
 *                                   (IPPROTO_ICMP or IPPROTO_ICMPV6), the
 *                                   reply awaited up to 2 s; print "OK" or
 *                                   the failed step and errno name
 *                                   ("socket EPERM", "sendto ECONNREFUSED",
 *                                   "recv ETIMEDOUT")
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int fail(void)
{
	printf("%s\n", strerrorname_np(errno) ? strerrorname_np(errno) : "E?");
	fflush(stdout);
	return 0;
}

static socklen_t make_addr(const char *ip, const char *port,
			   struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)atoi(port));
		return sizeof(*in);
	}
	if (inet_pton(AF_INET6, ip, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)atoi(port));
		return sizeof(*in6);
	}
	fprintf(stderr, "bad address %s\n", ip);
	exit(2);
}

static int sock_for(const struct sockaddr_storage *ss, int type)
{
	return socket(ss->ss_family, type | SOCK_CLOEXEC, 0);
}

static int op_connect(char **a)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(a[1], a[2], &ss);
	int fd = sock_for(&ss, strcmp(a[0], "udp") ? SOCK_STREAM : SOCK_DGRAM);

	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0)
		return fail();
	printf("OK\n");
	return 0;
}

static int op_sendto(char **a)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(a[0], a[1], &ss);
	int fd = sock_for(&ss, SOCK_DGRAM);
	ssize_t n;

	if (fd < 0)
		return fail();
	n = sendto(fd, a[2], strlen(a[2]), 0, (struct sockaddr *)&ss, len);
	if (n < 0)
		return fail();
	printf("OK %zd\n", n);
	return 0;
}

static int op_sendmsg(char **a)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(a[0], a[1], &ss);
	struct iovec iov[2] = { { a[2], 1 }, { a[2] + 1, strlen(a[2]) - 1 } };
	struct msghdr mh = { .msg_name = &ss, .msg_namelen = len,
			     .msg_iov = iov, .msg_iovlen = 2 };
	int fd = sock_for(&ss, SOCK_DGRAM);
	ssize_t n;

	if (fd < 0)
		return fail();
	n = sendmsg(fd, &mh, 0);
	if (n < 0)
		return fail();
	printf("OK %zd\n", n);
	return 0;
}

static int op_sendmmsg(char **a)
{
	struct sockaddr_storage s1, s2;
	socklen_t l1 = make_addr(a[0], a[1], &s1), l2 = make_addr(a[2], a[3], &s2);
	struct iovec iov = { a[4], strlen(a[4]) };
	struct mmsghdr mm[2] = {
		{ .msg_hdr = { .msg_name = &s1, .msg_namelen = l1,
			       .msg_iov = &iov, .msg_iovlen = 1 } },
		{ .msg_hdr = { .msg_name = &s2, .msg_namelen = l2,
			       .msg_iov = &iov, .msg_iovlen = 1 } },
	};
	int fd = sock_for(&s1, SOCK_DGRAM);
	int n;

	if (fd < 0)
		return fail();
	n = sendmmsg(fd, mm, 2, 0);
	if (n < 0)
		return fail();
	printf("OK %d %u %u\n", n, mm[0].msg_len, n > 1 ? mm[1].msg_len : 0);
	return 0;
}

static int op_connsend(char **a)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(a[0], a[1], &ss);
	int fd = sock_for(&ss, SOCK_DGRAM);
	ssize_t n;

	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0)
		return fail();
	n = send(fd, a[2], strlen(a[2]), 0);
	if (n < 0)
		return fail();
	printf("OK %zd\n", n);
	return 0;
}

static int bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	return ntohs(ss.ss_family == AF_INET ?
			     ((struct sockaddr_in *)&ss)->sin_port :
			     ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int op_bind(char **a)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(a[1], a[2], &ss);
	int fd = sock_for(&ss, strcmp(a[0], "udp") ? SOCK_STREAM : SOCK_DGRAM);

	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0)
		return fail();
	printf("OK %d\n", bound_port(fd));
	return 0;
}

static int op_serve(char **a)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(a[0], a[1], &ss);
	int fd = sock_for(&ss, SOCK_STREAM), c, one = 1;
	char buf[256], out[300];
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    listen(fd, 4) < 0)
		return fail();
	printf("LISTENING %d\n", bound_port(fd));
	fflush(stdout);
	c = accept(fd, NULL, NULL);
	if (c < 0)
		return fail();
	n = read(c, buf, sizeof(buf) - 1);
	if (n < 0)
		return fail();
	buf[n] = '\0';
	n = snprintf(out, sizeof(out), "echo:%s", buf);
	if (write(c, out, (size_t)n) != n)
		return fail();
	close(c);
	return 0;
}

static int op_table(char **a)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(a[0], a[1], &ss);
	int fd = sock_for(&ss, SOCK_STREAM);
	char line[512];
	FILE *f;

	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    listen(fd, 4) < 0)
		return fail();
	f = fopen(ss.ss_family == AF_INET ? "/proc/net/tcp" : "/proc/net/tcp6",
		  "re");
	if (!f)
		return fail();
	printf("OK %d\n", bound_port(fd));
	while (fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		c = c ? strchr(c + 1, ':') : NULL;
		if (c)
			printf("port %ld\n", strtol(c + 1, NULL, 16));
	}
	fclose(f);
	return 0;
}

static struct sockaddr_storage slow_addr;
static socklen_t slow_len;

static void *slow_connect(void *arg)
{
	int fd = sock_for(&slow_addr, SOCK_STREAM);

	connect(fd, (struct sockaddr *)&slow_addr, slow_len);
	return arg;
}

static int op_slow(char **a)
{
	pthread_t t;

	slow_len = make_addr(a[0], a[1], &slow_addr);
	pthread_create(&t, NULL, slow_connect, NULL);
	/* Give the slow connect a head start, without relying on it: the
	 * outcome printed is the same either way. */
	usleep(100000);
	return op_connect((char *[]){ "tcp", a[2], a[3] });
}

static int op_request(char **a)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(a[0], a[1], &ss);
	int fd = sock_for(&ss, SOCK_STREAM);
	char buf[256];
	ssize_t n;

	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0)
		return fail();
	if (write(fd, a[2], strlen(a[2])) < 0)
		return fail();
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return fail();
	buf[n] = '\0';
	printf("OK %s\n", buf);
	return 0;
}

static int op_resolve(char **a)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int r = getaddrinfo(a[0], NULL, &hints, &res);

	if (r != 0) {
		printf("EAI %s\n", gai_strerror(r));
		return 0;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		char t[INET6_ADDRSTRLEN];
		void *p = ai->ai_family == AF_INET ?
				  (void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr :
				  (void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;

		printf("%s\n", inet_ntop(ai->ai_family, p, t, sizeof(t)));
	}
	freeaddrinfo(res);
	return 0;
}

static int op_unix(char **a)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", a[0]);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		return fail();
	printf("OK\n");
	return 0;
}

/* ---- races: what the supervisor checked must be what is used ---------- */

static volatile struct sockaddr_storage race_addr;
static struct sockaddr_storage race_a, race_b;
static atomic_bool race_stop, race_started;

static void *flip_addr(void *arg)
{
	/* Each destination stays in place about as long as the other, so
	 * an unchecked use lands on the second one about half the time. */
	atomic_store(&race_started, true);
	while (!atomic_load(&race_stop)) {
		memcpy((void *)&race_addr, &race_b, sizeof(race_addr));
		for (volatile int i = 0; i < 200; i++)
			;
		memcpy((void *)&race_addr, &race_a, sizeof(race_addr));
		for (volatile int i = 0; i < 200; i++)
			;
	}
	return arg;
}

static int op_race(char **a)
{
	socklen_t la = make_addr(a[0], a[1], &race_a);
	int n = atoi(a[4]), second = 0;
	pthread_t t;

	make_addr(a[2], a[3], &race_b);
	memcpy((void *)&race_addr, &race_a, sizeof(race_addr));
	pthread_create(&t, NULL, flip_addr, NULL);
	while (!atomic_load(&race_started))
		;
	for (int i = 0; i < n; i++) {
		int fd = sock_for(&race_a, SOCK_STREAM);
		struct sockaddr_storage peer;
		socklen_t pl = sizeof(peer);

		if (fd < 0)
			break;
		if (connect(fd, (const struct sockaddr *)&race_addr, la) == 0 &&
		    getpeername(fd, (struct sockaddr *)&peer, &pl) == 0 &&
		    memcmp(&((struct sockaddr_in *)&peer)->sin_addr,
			   &((struct sockaddr_in *)&race_b)->sin_addr, 4) == 0)
			second++;
		close(fd);
	}
	atomic_store(&race_stop, true);
	pthread_join(t, NULL);
	printf("connected-to-second %d\n", second);
	return 0;
}

static int race_fd = -1, race_tcp = -1, race_udp = -1;

static void *flip_fd(void *arg)
{
	atomic_store(&race_started, true);
	while (!atomic_load(&race_stop)) {
		dup3(race_tcp, race_fd, O_CLOEXEC);
		for (volatile int i = 0; i < 200; i++)
			;
		dup3(race_udp, race_fd, O_CLOEXEC);
		for (volatile int i = 0; i < 200; i++)
			;
	}
	return arg;
}

static int op_fdrace(char **a)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(a[0], a[1], &ss);
	int n = atoi(a[2]), sent = 0;
	pthread_t t;

	race_tcp = sock_for(&ss, SOCK_STREAM);
	race_udp = sock_for(&ss, SOCK_DGRAM);
	race_fd = sock_for(&ss, SOCK_STREAM);
	if (race_tcp < 0 || race_fd < 0)
		return fail();
	if (race_udp < 0) {
		/* No datagram sockets at all: nothing can be raced. */
		printf("udp-sent 0\n");
		return 0;
	}
	pthread_create(&t, NULL, flip_fd, NULL);
	while (!atomic_load(&race_started))
		;
	for (int i = 0; i < n; i++)
		if (sendto(race_fd, "x", 1, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&ss,
			   len) == 1)
			sent++;
	atomic_store(&race_stop, true);
	pthread_join(t, NULL);
	printf("udp-sent %d\n", sent);
	return 0;
}

static int step_failed(const char *step)
{
	printf("%s %s\n", step,
	       strerrorname_np(errno) ? strerrorname_np(errno) : "E?");
	return 0;
}

/* An echo request and its reply share this layout in ICMP and ICMPv6:
 * type, code, checksum, identifier, sequence, then the payload. A ping
 * socket fills in the identifier and the checksum itself. */
struct echo {
	uint8_t type, code;
	uint16_t cksum, id, seq;
	char data[8];
};

static int op_ping(char **a)
{
	static const char payload[8] = "sandlock";
	struct sockaddr_storage ss;
	socklen_t len = make_addr(a[0], "0", &ss);
	bool v6 = ss.ss_family == AF_INET6;
	struct echo req = { .type = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO,
			    .seq = htons(1) }, rep = { 0 };
	struct pollfd pfd = { .events = POLLIN };
	ssize_t n;
	int r;

	memcpy(req.data, payload, sizeof(payload));
	pfd.fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC,
			v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	if (pfd.fd < 0)
		return step_failed("socket");
	if (sendto(pfd.fd, &req, sizeof(req), 0, (struct sockaddr *)&ss,
		   len) < 0)
		return step_failed("sendto");
	do
		r = poll(&pfd, 1, 2000);
	while (r < 0 && errno == EINTR);
	if (r <= 0) {
		errno = r == 0 ? ETIMEDOUT : errno;
		return step_failed("recv");
	}
	n = recv(pfd.fd, &rep, sizeof(rep), MSG_DONTWAIT);
	if (n < 0)
		return step_failed("recv");
	if (n != (ssize_t)sizeof(rep) ||
	    rep.type != (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY) ||
	    memcmp(rep.data, payload, sizeof(payload)) != 0) {
		printf("BAD-REPLY type %u, %zd bytes\n", rep.type, n);
		return 0;
	}
	printf("OK\n");
	return 0;
}

static const struct {
	const char *name;
	int nargs;
	int (*fn)(char **a);
} ops[] = {
	{ "connect", 3, op_connect },   { "sendto", 3, op_sendto },
	{ "sendmsg", 3, op_sendmsg },   { "sendmmsg", 5, op_sendmmsg },
	{ "connsend", 3, op_connsend }, { "bind", 3, op_bind },
	{ "serve", 2, op_serve },       { "request", 3, op_request },
	{ "resolve", 1, op_resolve },   { "unix", 1, op_unix },
	{ "race", 5, op_race },         { "fdrace", 3, op_fdrace },
	{ "table", 2, op_table },       { "slow", 4, op_slow },
	{ "ping", 1, op_ping },
};

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; argc > 1 && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(argv[1], ops[i].name) == 0 &&
		    argc - 2 == ops[i].nargs)
			return ops[i].fn(argv + 2);
	fprintf(stderr, "usage: net_probe OP ARGS... (see source)\n");
	return 2;
}
