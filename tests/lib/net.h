/*
 * Network tests: the net_probe helper run inside a sandbox (or bare, for
 * a control run), and loopback listeners in the test process (several
 * addresses of 127.0.0.0/8, and ::1) that show whether anything reached
 * them.
 */
#ifndef SL_TESTLIB_NET_H
#define SL_TESTLIB_NET_H

/* The system headers the network tests commonly use. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandlock.h"

/* The net_probe helper's path, set by nu_find_probe(). */
extern char nu_probe[PATH_MAX];

/* Is net_probe built? Sets nu_probe. */
bool nu_find_probe(void);

/* lu_builder() plus the helpers' directory, readable. A sanitized probe
 * skips its leak check: the sandbox does not show it /proc/<pid>/task of
 * its tracer-less self the way LeakSanitizer expects. */
sandlock_builder_t *nu_builder(void);

/* Run net_probe with args (NULL-terminated) under p; its stdout (free
 * it), NULL if the run itself failed. A failing probe is reported. */
char *nu_run(const sandlock_sandbox_t *p, const char *const *args);
#define NU_RUN(p, ...) nu_run((p), (const char *const[]){ __VA_ARGS__, NULL })

/* The same probe outside any sandbox (control runs). */
char *nu_run_bare(const char *const *args);
#define NU_RUN_BARE(...) nu_run_bare((const char *const[]){ __VA_ARGS__, NULL })

/* ip:port (v4 or v6) into ss; its length. */
socklen_t nu_addr(const char *ip, int port, struct sockaddr_storage *ss);

int nu_port_of(int fd);

/* A non-blocking socket of type bound to ip:port (0 = any free port),
 * listening when TCP; -1 on failure. */
int nu_socket(const char *ip, int port, int type, int backlog);
int nu_tcp(const char *ip, int port);
int nu_udp(const char *ip, int port);

/* Did a connection reach the listener? (accepts and closes it) */
bool nu_connected(int lfd);

/* The next datagram waiting on fd as a string ("" when none). */
const char *nu_datagram(int fd);

/* A port free on 127.0.0.1 right now. */
int nu_free_port(void);

/* net_probe with args (NULL-terminated) started under p, its stdin and
 * stdout piped to *in and *out (closed by the caller; closing *in ends
 * the ops that wait on stdin). NULL on failure. */
sandlock_handle_t *nu_popen(const sandlock_sandbox_t *p, int *in, int *out,
			    const char *const *args);
#define NU_POPEN(p, in, out, ...) \
	nu_popen((p), (in), (out), (const char *const[]){ __VA_ARGS__, NULL })

/* One line from fd (newline kept), waiting up to 20 s; "" on EOF or
 * when nothing came (never a timing assertion: a hung probe fails the
 * check on its output). */
const char *nu_line(int fd);

/* Is IPv6 loopback usable here? */
bool nu_have_ipv6(void);

/* fmt with two ints, in one of 4 rotating buffers. */
char *nu_fmt(const char *fmt, int a, int b);

/* A port as a string; a few calls may share one argument list. */
const char *nu_port_str(int port);

/* Does net_probe, run with args (NULL-terminated) under p, print exactly
 * want? A mismatch is reported. */
bool nu_probe_says(const sandlock_sandbox_t *p, const char *want,
		   const char *const *args);

/* Fail the test unless net_probe prints want. */
#define CHECK_PROBE(p, want, ...)        \
	CHECK(nu_probe_says((p), (want), \
			    (const char *const[]){ __VA_ARGS__, NULL }))

/* Two listeners of type on the same port, at 127.0.0.2 and 127.0.0.3. */
struct nu_pair {
	int a, b, port;
};

bool nu_pair_open(struct nu_pair *p, int type);
void nu_pair_close(struct nu_pair *p);

#define NU_STARTS(out, prefix) \
	((out) && strncmp((out), (prefix), strlen(prefix)) == 0)

#endif
