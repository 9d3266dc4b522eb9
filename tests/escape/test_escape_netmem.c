/*
 * The supervisor's own memory under a flood of blocking sends: eight
 * threads each send 64 MiB (one 64 KiB buffer repeated by the iovec, so
 * the sandbox itself uses almost nothing) to a peer that never reads. The
 * supervisor performs these sends on the sandbox's behalf; what it holds
 * meanwhile must stay small, whatever the sandbox asks.
 *
 * A live handle runs the supervisor on a thread of this process, so this
 * process's resident set is what is measured.
 */
#include <sys/ioctl.h>

#include "harness.h"
#include "lib/net.h"
#include "lib/policy.h"
#include "lib/procs.h"

#define THREADS 8

static long rss_kib(void)
{
	char *text = NULL, *v;
	size_t cap = 0;
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (getline(&text, &cap, f) > 0)
		if ((v = strstr(text, "VmRSS:")))
			kib = strtol(v + 6, NULL, 10);
	free(text);
	fclose(f);
	return kib;
}

/* Every accepted connection has data waiting: each send reached the
 * supervisor and was started. */
static bool all_started(const int *conns, int n)
{
	for (int i = 0; i < n; i++) {
		int queued = 0;

		if (ioctl(conns[i], FIONREAD, &queued) < 0 || queued == 0)
			return false;
	}
	return true;
}

/* End a popen'd flood: kill it, reap it, close its pipes. */
static bool stop(sandlock_handle_t *h, int in, int out)
{
	bool killed = sandlock_handle_kill(h) == 0;

	sandlock_result_free(sandlock_handle_wait(h));
	sandlock_handle_free(h);
	close(in);
	close(out);
	return killed;
}

TEST(deferred_sends_keep_the_supervisor_small)
{
	sandlock_sandbox_t *p;
	sandlock_handle_t *h;
	int l, in = -1, out = -1, conns[THREADS], n = 0;
	char rule[64];
	long before, peak = 0;

	CHECK(nu_find_probe());
	l = nu_tcp("127.0.0.1", 0);
	CHECK(l >= 0);
	snprintf(rule, sizeof(rule), "tcp://127.0.0.1:%d", nu_port_of(l));
	p = lu_build(sandlock_sandbox_builder_net_allow(nu_builder(), rule));
	CHECK(p);
	before = rss_kib();
	h = NU_POPEN(p, &in, &out, "flood", "127.0.0.1",
		     nu_port_str(nu_port_of(l)), "8");
	CHECK(h);
	for (int i = 0; i < THREADS; i++)
		CHECK_STR(nu_line(out), "connected\n");
	for (int i = 0; i < 2000 && n < THREADS; i++) {
		int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);

		if (c >= 0)
			conns[n++] = c;
		else
			lu_sleep_ms(10);
	}
	CHECK_EQ_INT(n, THREADS);
	for (int i = 0; i < 2000 && !all_started(conns, n); i++)
		lu_sleep_ms(10);
	CHECK(all_started(conns, n));
	/* Give the supervisor time to do whatever it does with the rest
	 * (a measurement, not a timing assertion). */
	for (int i = 0; i < 50; i++) {
		long now = rss_kib();

		if (now > peak)
			peak = now;
		lu_sleep_ms(10);
	}
	fprintf(stderr, "  supervisor growth: %ld KiB\n", peak - before);
	CHECK(stop(h, in, out));
	for (int i = 0; i < n; i++)
		close(conns[i]);
	close(l);
	sandlock_sandbox_free(p);
	CHECK(peak - before < 16 * 1024);
}

/* More blocking operations than the supervisor holds: the rest are
 * answered at once instead of queued: a connect that finds no room gets
 * EAGAIN, a send what went so far ("sent N") or EAGAIN. */
TEST(held_operations_are_bounded)
{
	sandlock_sandbox_t *p;
	sandlock_handle_t *h;
	int l, in = -1, out = -1, connected = 0, failed = 0, refused = 0;
	const int threads = 80, held = 64; /* SL_NET_MAX_DEFERRED */
	char rule[64];

	CHECK(nu_find_probe());
	l = nu_socket("127.0.0.1", 0, SOCK_STREAM, 256);
	CHECK(l >= 0);
	snprintf(rule, sizeof(rule), "tcp://127.0.0.1:%d", nu_port_of(l));
	p = lu_build(sandlock_sandbox_builder_net_allow(nu_builder(), rule));
	CHECK(p);
	h = NU_POPEN(p, &in, &out, "flood", "127.0.0.1",
		     nu_port_str(nu_port_of(l)), "80");
	CHECK(h);
	while (connected + failed < threads ||
	       refused + failed < threads - held) {
		const char *line = nu_line(out);

		if (!line[0])
			break; /* nothing more came: checked below */
		if (strcmp(line, "connected\n") == 0)
			connected++;
		else if (strcmp(line, "connect EAGAIN\n") == 0)
			failed++;
		else if (strcmp(line, "sendmsg EAGAIN\n") == 0 ||
			 strncmp(line, "sent ", 5) == 0)
			refused++;
		else
			fprintf(stderr, "  probe: %s", line);
	}
	CHECK(stop(h, in, out));
	close(l);
	sandlock_sandbox_free(p);
	fprintf(stderr, "  %d connected, %d connects and %d sends refused\n",
		connected, failed, refused);
	CHECK_EQ_INT(connected + failed, threads);
	CHECK(refused + failed >= threads - held);
}

/* File descriptors passed with SCM_RIGHTS are held by the supervisor
 * while a send waits: two blocked sends of 200 fds each exceed what it
 * holds for a sandbox (256), and the one that finds no room is refused. */
TEST(held_file_descriptors_are_bounded)
{
	sandlock_sandbox_t *p;

	CHECK(nu_find_probe());
	p = lu_build(nu_builder());
	CHECK(p);
	/* The probe exits once the first send returns; the other stays
	 * held until then. */
	CHECK_PROBE(p, "sendmsg EAGAIN\n", "fdheld", "200");
	sandlock_sandbox_free(p);
}
