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
 *   socket DOMAIN TYPE PROTO        socket() with these numbers: "OK" or
 *                                   the errno name
 *   socketpair DOMAIN TYPE PROTO    the same with socketpair()
 *   mptcp IP PORT                   connect an IPPROTO_MPTCP socket: "OK",
 *                                   "socket E..." or "connect E..."
 *   fallback IP PORT                what a program that prefers MPTCP does:
 *                                   MPTCP, else TCP on EPROTONOSUPPORT;
 *                                   "OK tcp" or "OK mptcp" once connected
 *   listen0                         listen() on a TCP socket never bound:
 *                                   "OK <port>" (then wait for stdin to
 *                                   close) or the errno name
 *   listenrace IP PORT N            N listen() calls on an fd a thread
 *                                   keeps swapping between a socket bound
 *                                   to IP:PORT and a fresh unbound one;
 *                                   print "autobound K", K the unbound
 *                                   sockets that got a port
 *   unixrace PATH N                 N connects to a sockaddr_un whose
 *                                   first byte a thread flips between
 *                                   '\0' (abstract) and PATH's '/';
 *                                   print "connected K"
 *   nlrace IP PORT N                fdrace with a netlink socket as the
 *                                   decoy and sendmsg; "udp-sent K"
 *   unixfdrace IP PORT N            the decoy is a connected unix
 *                                   datagram socket and a thread also
 *                                   flips msg_namelen; "udp-sent K"
 *   abstract NAME                   inside the sandbox, a child listens on
 *                                   the abstract stream socket NAME and
 *                                   binds the datagram socket NAME; the
 *                                   parent connects, exchanges a line, and
 *                                   sends two datagrams: "OK" or the
 *                                   failed step and errno name
 *   ifaces                          the interface names getifaddrs()
 *                                   reports, sorted and unique, one a line
 *   nladdr                          RTM_NEWADDR of 192.0.2.1/32 on an
 *                                   interface index that does not exist:
 *                                   the errno name the kernel (or the
 *                                   emulation) answers
 *   abssend NAME                    sendto the abstract datagram socket
 *                                   NAME: "OK" or the errno name
 *   unixpass                        over a unix stream socketpair: pass a
 *                                   pipe's write end with SCM_RIGHTS,
 *                                   write through the received fd, and
 *                                   stream 8 MiB in one blocking sendmsg
 *                                   to a thread that reads slowly; then a
 *                                   non-blocking send of 8 MiB nobody
 *                                   reads: "OK <partial>" or a failed
 *                                   step
 *   nlname                          bind a NETLINK_ROUTE socket, then print
 *                                   "OK <family> <own|other> <sender>":
 *                                   getsockname's family and whether its
 *                                   port id is this process's pid, and the
 *                                   nl_pid a link dump's reply came from
 *   nlmany N                        open N NETLINK_ROUTE sockets, print
 *                                   how many opened and the errno that
 *                                   stopped them, close them, open one
 *                                   more: "<count> <errno|-> <again>"
 *   fdheld N                        two threads each block in a sendmsg
 *                                   passing N fds on a unix socket nobody
 *                                   reads; print how the first to return
 *                                   ended ("sendmsg EAGAIN")
 *   flood IP PORT THREADS           THREADS threads each connect to
 *                                   IP:PORT and sendmsg 64 MiB (a 64 KiB
 *                                   buffer repeated by the iovec) to a
 *                                   peer that never reads; print
 *                                   "connected" per thread, then each
 *                                   thread's outcome
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define SCM_MAX_FD_PROBE 253

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

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
	struct msghdr mh = { .msg_name = &ss,
			     .msg_namelen = len,
			     .msg_iov = iov,
			     .msg_iovlen = 2 };
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
	socklen_t l1 = make_addr(a[0], a[1], &s1),
		  l2 = make_addr(a[2], a[3], &s2);
	struct iovec iov = { a[4], strlen(a[4]) };
	struct mmsghdr mm[2] = {
		{ .msg_hdr = { .msg_name = &s1,
			       .msg_namelen = l1,
			       .msg_iov = &iov,
			       .msg_iovlen = 1 } },
		{ .msg_hdr = { .msg_name = &s2,
			       .msg_namelen = l2,
			       .msg_iov = &iov,
			       .msg_iovlen = 1 } },
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
				  (void *)&((struct sockaddr_in *)ai->ai_addr)
					  ->sin_addr :
				  (void *)&((struct sockaddr_in6 *)ai->ai_addr)
					  ->sin6_addr;

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
/* When set, the racing thread also flips *race_len between 0 (with the
 * decoy race_tcp in place) and race_len_value (with race_udp). */
static volatile socklen_t *race_len;
static socklen_t race_len_value;

static void *flip_fd(void *arg)
{
	atomic_store(&race_started, true);
	while (!atomic_load(&race_stop)) {
		if (race_len)
			*race_len = 0;
		dup3(race_tcp, race_fd, O_CLOEXEC);
		for (volatile int i = 0; i < 200; i++)
			;
		if (race_len)
			*race_len = race_len_value;
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
		if (sendto(race_fd, "x", 1, MSG_DONTWAIT | MSG_NOSIGNAL,
			   (struct sockaddr *)&ss, len) == 1)
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
			    .seq = htons(1) },
		    rep = { 0 };
	struct pollfd pfd = { .events = POLLIN };
	ssize_t n;
	int r;

	memcpy(req.data, payload, sizeof(payload));
	pfd.fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC,
			v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	if (pfd.fd < 0)
		return step_failed("socket");
	if (sendto(pfd.fd, &req, sizeof(req), 0, (struct sockaddr *)&ss, len) <
	    0)
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

/* ---- protocols and sockets the network rules cannot cover -------------- */

static int op_socket(char **a)
{
	int fd = socket(atoi(a[0]), atoi(a[1]) | SOCK_CLOEXEC, atoi(a[2]));

	if (fd < 0)
		return fail();
	printf("OK\n");
	return 0;
}

static int op_socketpair(char **a)
{
	int sv[2];

	if (socketpair(atoi(a[0]), atoi(a[1]) | SOCK_CLOEXEC, atoi(a[2]), sv) <
	    0)
		return fail();
	printf("OK\n");
	return 0;
}

static int op_mptcp(char **a)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(a[0], a[1], &ss);
	int fd =
		socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);

	if (fd < 0)
		return step_failed("socket");
	if (connect(fd, (struct sockaddr *)&ss, len) < 0)
		return step_failed("connect");
	printf("OK\n");
	return 0;
}

static int op_fallback(char **a)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(a[0], a[1], &ss);
	int fd =
		socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);
	const char *used = "mptcp";

	if (fd < 0 && errno == EPROTONOSUPPORT) {
		fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		used = "tcp";
	}
	if (fd < 0)
		return step_failed("socket");
	if (connect(fd, (struct sockaddr *)&ss, len) < 0)
		return step_failed("connect");
	printf("OK %s\n", used);
	return 0;
}

/* ---- listen() on an unbound socket ------------------------------------- */

static int op_listen0(char **a)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char c;

	if (fd < 0 || listen(fd, 4) < 0)
		return fail();
	printf("OK %d\n", bound_port(fd));
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}

static int op_listenrace(char **a)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(a[0], a[1], &ss);
	int n = atoi(a[2]), autobound = 0, one = 1;
	pthread_t t;

	race_tcp = sock_for(&ss, SOCK_STREAM);
	setsockopt(race_tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (race_tcp < 0 || bind(race_tcp, (struct sockaddr *)&ss, len) < 0)
		return step_failed("bind");
	race_fd = dup(race_tcp);
	for (int i = 0; i < n; i++) {
		race_udp = sock_for(&ss, SOCK_STREAM); /* the unbound one */
		if (race_udp < 0)
			return step_failed("socket");
		atomic_store(&race_stop, false);
		atomic_store(&race_started, false);
		pthread_create(&t, NULL, flip_fd, NULL);
		while (!atomic_load(&race_started))
			;
		for (int k = 0; k < 20; k++)
			listen(race_fd, 4);
		atomic_store(&race_stop, true);
		pthread_join(t, NULL);
		if (bound_port(race_udp) > 0)
			autobound++;
		close(race_udp);
	}
	printf("autobound %d\n", autobound);
	return 0;
}

/* ---- the unix gate: abstract address turned into a pathname ------------- */

static volatile struct sockaddr_un unix_race;

static void *flip_first_byte(void *arg)
{
	atomic_store(&race_started, true);
	while (!atomic_load(&race_stop)) {
		unix_race.sun_path[0] = '/';
		for (volatile int i = 0; i < 200; i++)
			;
		unix_race.sun_path[0] = '\0';
		for (volatile int i = 0; i < 200; i++)
			;
	}
	return arg;
}

static int op_unixrace(char **a)
{
	int n = atoi(a[1]), connected = 0;
	socklen_t len;
	pthread_t t;

	if (a[0][0] != '/' || strlen(a[0]) >= sizeof(unix_race.sun_path))
		return 2;
	unix_race.sun_family = AF_UNIX;
	memcpy((void *)unix_race.sun_path, a[0], strlen(a[0]));
	unix_race.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
			  strlen(a[0]));
	pthread_create(&t, NULL, flip_first_byte, NULL);
	while (!atomic_load(&race_started))
		;
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			break;
		if (connect(fd, (const struct sockaddr *)&unix_race, len) == 0)
			connected++;
		close(fd);
	}
	atomic_store(&race_stop, true);
	pthread_join(t, NULL);
	printf("connected %d\n", connected);
	return 0;
}

/* ---- a UDP socket swapped in behind a call the supervisor let pass ------ */

/* The msghdr of the racing sends: a thread may rewrite it while the
 * kernel or the supervisor reads it. */
static struct msghdr race_mh;

/* sendmsg to IP:PORT, n times, on race_fd that another thread swaps
 * between the decoy race_tcp and the UDP socket race_udp. */
static int send_race(char **a, bool flip_name)
{
	static struct sockaddr_storage ss;
	static struct iovec iov = { "x", 1 };
	int n = atoi(a[2]), sent = 0;
	pthread_t t;

	race_len_value = make_addr(a[0], a[1], &ss);
	race_mh = (struct msghdr){ .msg_name = &ss,
				   .msg_namelen = race_len_value,
				   .msg_iov = &iov,
				   .msg_iovlen = 1 };
	if (flip_name)
		race_len = &race_mh.msg_namelen;
	race_udp = sock_for(&ss, SOCK_DGRAM);
	if (race_tcp < 0 || race_udp < 0)
		return step_failed("socket");
	race_fd = dup(race_tcp);
	pthread_create(&t, NULL, flip_fd, NULL);
	while (!atomic_load(&race_started))
		;
	for (int i = 0; i < n; i++)
		if (sendmsg(race_fd, &race_mh, MSG_DONTWAIT | MSG_NOSIGNAL) ==
		    1)
			sent++;
	atomic_store(&race_stop, true);
	pthread_join(t, NULL);
	/* The receiver counts what the UDP socket delivered; this count
	 * only says the race ran. */
	printf("udp-sent %d\n", sent);
	return 0;
}

static int op_nlrace(char **a)
{
	race_tcp = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	return send_race(a, false);
}

static int op_unixfdrace(char **a)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0)
		return step_failed("socketpair");
	race_tcp = sv[0];
	return send_race(a, true);
}

/* ---- abstract sockets among the sandbox's own processes ----------------- */

static socklen_t abstract_addr(const char *name, struct sockaddr_un *sun)
{
	size_t len = strlen(name);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (len + 1 > sizeof(sun->sun_path))
		len = sizeof(sun->sun_path) - 1;
	memcpy(sun->sun_path + 1, name, len);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
}

static int op_abstract(char **a)
{
	struct sockaddr_un sun;
	socklen_t len = abstract_addr(a[0], &sun);
	int ready[2], l, d, c, status;
	char buf[64];
	ssize_t n;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return step_failed("pipe");
	pid = fork();
	if (pid < 0)
		return step_failed("fork");
	if (pid == 0) {
		l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		d = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (l < 0 || d < 0 ||
		    bind(l, (struct sockaddr *)&sun, len) < 0 ||
		    listen(l, 4) < 0 ||
		    bind(d, (struct sockaddr *)&sun, len) < 0)
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0 || (n = read(c, buf, sizeof(buf))) <= 0 ||
		    write(c, buf, (size_t)n) != n)
			_exit(1);
		for (int i = 0; i < 2; i++) {
			n = recv(d, buf, sizeof(buf), 0);
			if (n != 4 || memcmp(buf, "dgrm", 4) != 0)
				_exit(1);
		}
		_exit(0);
	}
	close(ready[1]);
	if (read(ready[0], buf, 1) != 1)
		return step_failed("child");
	c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&sun, len) < 0)
		return step_failed("connect");
	if (write(c, "line", 4) != 4 || read(c, buf, sizeof(buf)) != 4)
		return step_failed("exchange");
	/* Twice: the second finds its way the way the first did. */
	d = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	for (int i = 0; i < 2; i++)
		if (d < 0 ||
		    sendto(d, "dgrm", 4, 0, (struct sockaddr *)&sun, len) != 4)
			return step_failed("sendto");
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		printf("child failed\n");
		return 0;
	}
	printf("OK\n");
	return 0;
}

static int op_abssend(char **a)
{
	struct sockaddr_un sun;
	socklen_t len = abstract_addr(a[0], &sun);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 ||
	    sendto(fd, "dgrm", 4, 0, (struct sockaddr *)&sun, len) < 0)
		return fail();
	printf("OK\n");
	return 0;
}

#define BULK (8u << 20)

static void *slow_reader(void *arg)
{
	int fd = *(int *)arg;
	static char buf[4096];
	size_t got = 0;
	ssize_t n;

	while (got < BULK && (n = read(fd, buf, sizeof(buf))) > 0)
		got += (size_t)n;
	return (void *)(uintptr_t)(got == BULK);
}

static int op_unixpass(char **a)
{
	int sv[2], pfd[2], recvd = -1, one = 1;
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, c = 'x', got[2] = { 0 };
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	char *big = calloc(1, BULK);
	pthread_t t;
	void *ok;
	ssize_t n;

	if (!big ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    pipe2(pfd, O_CLOEXEC) < 0)
		return step_failed("setup");
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &pfd[1], sizeof(int));
	if (sendmsg(sv[0], &mh, 0) != 1)
		return step_failed("sendmsg");
	memset(cbuf, 0, sizeof(cbuf));
	if (recvmsg(sv[1], &mh, 0) != 1 || !(cm = CMSG_FIRSTHDR(&mh)) ||
	    cm->cmsg_type != SCM_RIGHTS)
		return step_failed("recvmsg");
	memcpy(&recvd, CMSG_DATA(cm), sizeof(int));
	if (write(recvd, "p", 1) != 1 || read(pfd[0], got, 1) != 1 ||
	    got[0] != 'p')
		return step_failed("passed-fd");
	/* One blocking send of 8 MiB, more than the socket holds. */
	pthread_create(&t, NULL, slow_reader, &sv[1]);
	iov = (struct iovec){ big, BULK };
	mh = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1 };
	n = sendmsg(sv[0], &mh, MSG_NOSIGNAL);
	pthread_join(t, &ok);
	if (n != (ssize_t)BULK || !ok)
		return step_failed("bulk");
	/* Nobody reads now: a non-blocking send takes what fits. */
	ioctl(sv[0], FIONBIO, &one);
	n = sendmsg(sv[0], &mh, MSG_NOSIGNAL);
	if (n <= 0 || n >= (ssize_t)BULK)
		return step_failed("partial");
	printf("OK partial\n");
	return 0;
}

/* ---- what rtnetlink shows and lets do ------------------------------------ */

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static int op_ifaces(char **a)
{
	struct ifaddrs *ifa, *i;
	char *names[256];
	size_t n = 0;

	if (getifaddrs(&ifa) < 0)
		return fail();
	for (i = ifa; i && n < 256; i = i->ifa_next)
		names[n++] = i->ifa_name;
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (size_t k = 0; k < n; k++)
		if (k == 0 || strcmp(names[k], names[k - 1]) != 0)
			printf("%s\n", names[k]);
	freeifaddrs(ifa);
	return 0;
}

static int op_nladdr(char **a)
{
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg ifa;
		struct rtattr rta;
		uint8_t addr[4];
	} req = {
		.h = { .nlmsg_len = sizeof(req),
		       .nlmsg_type = RTM_NEWADDR,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
				      NLM_F_EXCL,
		       .nlmsg_seq = 1 },
		.ifa = { .ifa_family = AF_INET,
			 .ifa_prefixlen = 32,
			 .ifa_index = 0x7ffffff0 },
		.rta = { .rta_len = RTA_LENGTH(4), .rta_type = IFA_LOCAL },
		.addr = { 192, 0, 2, 1 },
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	char buf[4096];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	ssize_t n;

	if (fd < 0)
		return step_failed("socket");
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		return step_failed("sendto");
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return step_failed("recv");
	if (!NLMSG_OK(h, (size_t)n) || h->nlmsg_type != NLMSG_ERROR) {
		printf("no error message\n");
		return 0;
	}
	errno = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
	if (errno == 0) {
		printf("OK\n");
		return 0;
	}
	return fail();
}

static int op_nlname(char **a)
{
	struct {
		struct nlmsghdr h;
		struct rtgenmsg g;
	} req = { .h = { .nlmsg_len = sizeof(req),
			 .nlmsg_type = RTM_GETLINK,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			 .nlmsg_seq = 1 },
		  .g = { .rtgen_family = AF_UNSPEC } };
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK }, from;
	socklen_t len = sizeof(nl);
	char buf[8192];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_name = &from,
			     .msg_namelen = sizeof(from),
			     .msg_iov = &iov,
			     .msg_iovlen = 1 };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return step_failed("socket");
	if (bind(fd, (struct sockaddr *)&nl, sizeof(nl)) < 0)
		return step_failed("bind");
	if (getsockname(fd, (struct sockaddr *)&nl, &len) < 0)
		return step_failed("getsockname");
	if (connect(fd,
		    (struct sockaddr *)&(struct sockaddr_nl){
			    .nl_family = AF_NETLINK },
		    sizeof(nl)) < 0)
		return step_failed("connect");
	if (send(fd, &req, sizeof(req), 0) < 0)
		return step_failed("send");
	memset(&from, 0xff, sizeof(from));
	if (recvmsg(fd, &mh, 0) < 0)
		return step_failed("recvmsg");
	printf("OK %d %s %u\n", nl.nl_family,
	       nl.nl_pid == (uint32_t)getpid() ? "own" : "other", from.nl_pid);
	return 0;
}

static int op_nlmany(char **a)
{
	int n = atoi(a[0]), count = 0, err = 0, fds[512];

	if (n < 1 || n > 512)
		return 2;
	for (; count < n; count++) {
		fds[count] = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
				    NETLINK_ROUTE);
		if (fds[count] < 0) {
			err = errno;
			break;
		}
	}
	for (int i = 0; i < count; i++)
		close(fds[i]);
	printf("%d %s ", count, err ? strerrorname_np(err) : "-");
	/* The supervisor notices the closes as they happen: poll a while
	 * for the room to come back (bounded, not a timing assertion). */
	for (int tries = 0; tries < 1000; tries++) {
		int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
				NETLINK_ROUTE);

		if (fd >= 0) {
			printf("OK\n");
			return 0;
		}
		usleep(1000);
	}
	return fail();
}

static int held_sock = -1, held_n;
static int held_fds[SCM_MAX_FD_PROBE];
static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t held_cond = PTHREAD_COND_INITIALIZER;
static int held_done;
static char held_result[64];

static void *held_send(void *arg)
{
	char cbuf[CMSG_SPACE(sizeof(held_fds))] = { 0 }, c = 'x';
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen =
				     CMSG_SPACE(held_n * sizeof(int)) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	ssize_t n;

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(held_n * sizeof(int));
	memcpy(CMSG_DATA(cm), held_fds, held_n * sizeof(int));
	n = sendmsg(held_sock, &mh, MSG_NOSIGNAL);
	pthread_mutex_lock(&held_lock);
	if (!held_done++)
		snprintf(held_result, sizeof(held_result), "%s",
			 n < 0 ? (strerrorname_np(errno) ?
					  strerrorname_np(errno) :
					  "E?") :
				 "sent");
	pthread_cond_signal(&held_cond);
	pthread_mutex_unlock(&held_lock);
	return arg;
}

static int op_fdheld(char **a)
{
	static char fill[65536];
	int sv[2], p[2];
	pthread_t t1, t2;

	held_n = atoi(a[0]);
	if (held_n < 1 || held_n > SCM_MAX_FD_PROBE ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    pipe2(p, O_CLOEXEC) < 0)
		return step_failed("setup");
	for (int i = 0; i < held_n; i++)
		held_fds[i] = p[0];
	/* Fill the socket: the next blocking send waits. */
	while (send(sv[0], fill, sizeof(fill), MSG_DONTWAIT | MSG_NOSIGNAL) > 0)
		;
	held_sock = sv[0];
	pthread_create(&t1, NULL, held_send, NULL);
	pthread_create(&t2, NULL, held_send, NULL);
	pthread_mutex_lock(&held_lock);
	while (!held_done)
		pthread_cond_wait(&held_cond, &held_lock);
	printf("sendmsg %s\n", held_result);
	fflush(stdout);
	_exit(0);
}

/* ---- a flood of blocking sends to a peer that never reads --------------- */

static struct sockaddr_storage flood_addr;
static socklen_t flood_len;
static pthread_mutex_t flood_lock = PTHREAD_MUTEX_INITIALIZER;

#define FLOOD_CHUNK (64u << 10)
#define FLOOD_IOV 1024 /* IOV_MAX: 64 MiB in all */

static void *flood_one(void *arg)
{
	static char chunk[FLOOD_CHUNK];
	struct iovec *iov = calloc(FLOOD_IOV, sizeof(*iov));
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = FLOOD_IOV };
	int fd = sock_for(&flood_addr, SOCK_STREAM);
	ssize_t n;

	for (int i = 0; iov && i < FLOOD_IOV; i++)
		iov[i] = (struct iovec){ chunk, sizeof(chunk) };
	if (!iov || fd < 0 ||
	    connect(fd, (struct sockaddr *)&flood_addr, flood_len) < 0) {
		pthread_mutex_lock(&flood_lock);
		step_failed("connect");
		pthread_mutex_unlock(&flood_lock);
		return arg;
	}
	pthread_mutex_lock(&flood_lock);
	printf("connected\n");
	fflush(stdout);
	pthread_mutex_unlock(&flood_lock);
	n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	pthread_mutex_lock(&flood_lock);
	if (n < 0)
		step_failed("sendmsg");
	else
		printf("sent %zd\n", n);
	pthread_mutex_unlock(&flood_lock);
	return arg;
}

static int op_flood(char **a)
{
	int n = atoi(a[2]);
	pthread_t t[128];

	flood_len = make_addr(a[0], a[1], &flood_addr);
	if (n < 1 || n > 128)
		return 2;
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, flood_one, NULL);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return 0;
}

static const struct {
	const char *name;
	int nargs;
	int (*fn)(char **a);
} ops[] = {
	{ "connect", 3, op_connect },
	{ "sendto", 3, op_sendto },
	{ "sendmsg", 3, op_sendmsg },
	{ "sendmmsg", 5, op_sendmmsg },
	{ "connsend", 3, op_connsend },
	{ "bind", 3, op_bind },
	{ "serve", 2, op_serve },
	{ "request", 3, op_request },
	{ "resolve", 1, op_resolve },
	{ "unix", 1, op_unix },
	{ "race", 5, op_race },
	{ "fdrace", 3, op_fdrace },
	{ "table", 2, op_table },
	{ "slow", 4, op_slow },
	{ "ping", 1, op_ping },
	{ "socket", 3, op_socket },
	{ "socketpair", 3, op_socketpair },
	{ "mptcp", 2, op_mptcp },
	{ "fallback", 2, op_fallback },
	{ "listen0", 0, op_listen0 },
	{ "listenrace", 3, op_listenrace },
	{ "unixrace", 2, op_unixrace },
	{ "nlrace", 3, op_nlrace },
	{ "unixfdrace", 3, op_unixfdrace },
	{ "abstract", 1, op_abstract },
	{ "ifaces", 0, op_ifaces },
	{ "nladdr", 0, op_nladdr },
	{ "flood", 3, op_flood },
	{ "nlname", 0, op_nlname },
	{ "nlmany", 1, op_nlmany },
	{ "abssend", 1, op_abssend },
	{ "unixpass", 0, op_unixpass },
	{ "fdheld", 1, op_fdheld },
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
