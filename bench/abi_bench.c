/*
 * Start-up and workload overhead of sandlock, measured against a bare run
 * in the same invocation. Reports medians/p90 in microseconds and ratios.
 *
 *   abi_bench [--iters N] [--cli PATH] [--notify-loop PATH]
 *
 * Measures:
 *   1. bare posix_spawn+wait of /bin/true vs the C ABI (policy built once,
 *      create_for_run + start + wait + free per iteration);
 *   2. bare /bin/true vs `sandlock run ... -- /bin/true` (the CLI);
 *   3. one notified syscall round trip (munmap under max_memory);
 *   4. C ABI spawn cost from this process with a 1 GiB heap vs small;
 *   5. a syscall-heavy workload, tar -cf /dev/null /usr/include.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandlock.h"
#include "timing.h"

extern char **environ;

struct stats {
	double median, p90;
};

static struct stats summarize(double *v, int n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return (struct stats){ v[n / 2], v[(n * 9) / 10] };
}

static int spawn_wait(char *const argv[], int quiet)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, r;

	posix_spawn_file_actions_init(&fa);
	if (quiet) {
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY,
						 0);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY,
						 0);
	}
	r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		return -r;
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static const char *const roots[] = { "/usr",  "/lib", "/lib64", "/bin",
				     "/sbin", "/etc", NULL };

static sandlock_sandbox_t *typical_policy(uint64_t max_memory,
					  const char *extra_read)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_new();
	struct stat st;
	char *msg = NULL;
	int err = 0;
	sandlock_sandbox_t *p;

	for (int i = 0; roots[i]; i++)
		if (stat(roots[i], &st) == 0)
			b = sandlock_sandbox_builder_fs_read(b, roots[i]);
	if (extra_read)
		b = sandlock_sandbox_builder_fs_read(b, extra_read);
	b = sandlock_sandbox_builder_fs_write(b, "/tmp");
	b = sandlock_sandbox_builder_fs_write(b, "/dev/null");
	if (max_memory)
		b = sandlock_sandbox_builder_max_memory(b, max_memory);
	p = sandlock_sandbox_build(b, &err, &msg);
	if (!p) {
		fprintf(stderr, "abi_bench: build failed: %s\n",
			msg ? msg : "?");
		sandlock_string_free(msg);
		exit(1);
	}
	return p;
}

static int abi_run(const sandlock_sandbox_t *p, const char *const *argv,
		   unsigned argc)
{
	sandlock_handle_t *h = sandlock_create_for_run(p, NULL, argv, argc);
	sandlock_result_t *r;
	int code;

	if (!h)
		return -1;
	if (sandlock_start(h) != 0) {
		sandlock_handle_free(h);
		return -1;
	}
	r = sandlock_handle_wait_timeout(h, 0);
	sandlock_handle_free(h);
	code = sandlock_result_exit_code(r);
	sandlock_result_free(r);
	return code;
}

static void report(const char *what, double *bare, double *boxed, int n)
{
	struct stats b = summarize(bare, n), s = summarize(boxed, n);

	printf("%-34s bare %8.0f us (p90 %8.0f)  sandboxed %8.0f us (p90 %8.0f)"
	       "  overhead %7.0f us (p90 %7.0f)  ratio %.2fx\n",
	       what, b.median, b.p90, s.median, s.p90, s.median - b.median,
	       s.p90 - b.p90, s.median / b.median);
}

/* Interleave bare and sandboxed runs so drift affects both alike. */
static void bench_startup(const sandlock_sandbox_t *p, int iters)
{
	char *const bare_argv[] = { "/bin/true", NULL };
	const char *const argv[] = { "/bin/true" };
	double *bare = calloc(iters, sizeof(double));
	double *boxed = calloc(iters, sizeof(double));

	for (int i = 0; i < 20; i++) { /* warm up */
		spawn_wait(bare_argv, 0);
		abi_run(p, argv, 1);
	}
	for (int i = 0; i < iters; i++) {
		double t0 = now_us();
		if (spawn_wait(bare_argv, 0) != 0)
			exit(1);
		double t1 = now_us();
		if (abi_run(p, argv, 1) != 0) {
			fprintf(stderr, "abi_bench: sandboxed run failed\n");
			exit(1);
		}
		double t2 = now_us();
		bare[i] = t1 - t0;
		boxed[i] = t2 - t1;
	}
	report("C ABI: /bin/true", bare, boxed, iters);
	free(bare);
	free(boxed);
}

static void bench_cli(const char *cli, int iters)
{
	char *const bare_argv[] = { "/bin/true", NULL };
	char *cli_argv[32];
	int n = 0;
	struct stat st;
	double *bare = calloc(iters, sizeof(double));
	double *boxed = calloc(iters, sizeof(double));

	cli_argv[n++] = (char *)cli;
	cli_argv[n++] = "run";
	for (int i = 0; roots[i]; i++)
		if (stat(roots[i], &st) == 0) {
			cli_argv[n++] = "-r";
			cli_argv[n++] = (char *)roots[i];
		}
	cli_argv[n++] = "-w";
	cli_argv[n++] = "/tmp";
	cli_argv[n++] = "--";
	cli_argv[n++] = "/bin/true";
	cli_argv[n] = NULL;
	for (int i = 0; i < 10; i++) {
		spawn_wait(bare_argv, 0);
		spawn_wait(cli_argv, 0);
	}
	for (int i = 0; i < iters; i++) {
		double t0 = now_us();
		spawn_wait(bare_argv, 0);
		double t1 = now_us();
		int rc = spawn_wait(cli_argv, 0);
		if (rc != 0) {
			fprintf(stderr, "abi_bench: sandlock run failed (%d)\n",
				rc);
			exit(1);
		}
		double t2 = now_us();
		bare[i] = t1 - t0;
		boxed[i] = t2 - t1;
	}
	report("CLI: sandlock run /bin/true", bare, boxed, iters);
	free(bare);
	free(boxed);
}

/* notify_loop prints "<ns per call>" for N munmap calls; under max_memory
 * munmap is a notified syscall, bare it is not. */
static double notify_ns(const sandlock_sandbox_t *p, const char *loop)
{
	const char *const argv[] = { loop, "200000" };
	sandlock_handle_t *h;
	sandlock_result_t *r;
	uintptr_t len = 0;
	const uint8_t *out;
	double v = -1;

	if (p) {
		h = sandlock_create_for_run(p, NULL, argv, 2);
		if (!h || sandlock_start(h) != 0)
			return -1;
	} else {
		FILE *f;
		char cmd[4096];
		snprintf(cmd, sizeof(cmd), "%s 200000", loop);
		f = popen(cmd, "r");
		if (!f || fscanf(f, "%lf", &v) != 1)
			v = -1;
		if (f)
			pclose(f);
		return v;
	}
	r = sandlock_handle_wait_timeout(h, 0);
	sandlock_handle_free(h);
	out = sandlock_result_stdout_bytes(r, &len);
	if (out && len) {
		char buf[64] = { 0 };
		memcpy(buf, out, len < sizeof(buf) - 1 ? len : sizeof(buf) - 1);
		v = atof(buf);
	}
	sandlock_result_free(r);
	return v;
}

static void bench_notify(const char *loop)
{
	char *copy = strdup(loop);
	const char *dir = dirname(copy);
	sandlock_sandbox_t *p = typical_policy(UINT64_C(1) << 34, dir);
	sandlock_sandbox_t *q = typical_policy(0, dir);
	double bare = notify_ns(NULL, loop);
	double plain = notify_ns(q, loop);
	double boxed = notify_ns(p, loop);

	printf("notified syscall round trip:      bare munmap %.2f us, "
	       "sandboxed not notified %.2f us, notified %.2f us, "
	       "round trip %.2f us\n",
	       bare / 1e3, plain / 1e3, boxed / 1e3, (boxed - plain) / 1e3);
	sandlock_sandbox_free(p);
	sandlock_sandbox_free(q);
	free(copy);
}

static double spawn_median(const sandlock_sandbox_t *p, int iters)
{
	const char *const argv[] = { "/bin/true" };
	double *v = calloc(iters, sizeof(double));
	double m;

	for (int i = 0; i < iters; i++) {
		double t0 = now_us();
		abi_run(p, argv, 1);
		v[i] = now_us() - t0;
	}
	m = summarize(v, iters).median;
	free(v);
	return m;
}

static void bench_big_heap(const sandlock_sandbox_t *p, int iters)
{
	size_t sz = (size_t)1 << 30;
	double small = spawn_median(p, iters), big;
	char *heap = mmap(NULL, sz, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (heap == MAP_FAILED) {
		perror("mmap 1 GiB");
		return;
	}
	for (size_t i = 0; i < sz; i += 4096) /* touch every page */
		heap[i] = 1;
	big = spawn_median(p, iters);
	printf("spawn from a 1 GiB parent:        small parent %.0f us, "
	       "1 GiB parent %.0f us, ratio %.2fx\n",
	       small, big, big / small);
	munmap(heap, sz);
}

static void bench_tar(const sandlock_sandbox_t *p, int iters)
{
	char *const bare_argv[] = { "/bin/tar", "-cf", "/dev/null",
				    "/usr/include", NULL };
	const char *const argv[] = { "/bin/tar", "-cf", "/dev/null",
				     "/usr/include" };
	double *bare = calloc(iters, sizeof(double));
	double *boxed = calloc(iters, sizeof(double));

	spawn_wait(bare_argv, 1); /* warm the page cache */
	for (int i = 0; i < iters; i++) {
		double t0 = now_us();
		spawn_wait(bare_argv, 1);
		double t1 = now_us();
		if (abi_run(p, argv, 4) != 0) {
			fprintf(stderr, "abi_bench: sandboxed tar failed\n");
			exit(1);
		}
		double t2 = now_us();
		bare[i] = t1 - t0;
		boxed[i] = t2 - t1;
	}
	struct stats b = summarize(bare, iters), s = summarize(boxed, iters);
	printf("tar -cf /dev/null /usr/include:   bare %.1f ms, sandboxed "
	       "%.1f ms, sandboxed speed %.1f%% of bare\n",
	       b.median / 1e3, s.median / 1e3, 100.0 * b.median / s.median);
	free(bare);
	free(boxed);
}

int main(int argc, char **argv)
{
	int iters = 300;
	const char *cli = NULL, *loop = NULL;
	sandlock_sandbox_t *p;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--iters") && i + 1 < argc)
			iters = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--cli") && i + 1 < argc)
			cli = argv[++i];
		else if (!strcmp(argv[i], "--notify-loop") && i + 1 < argc)
			loop = argv[++i];
	}
	if (iters < 10)
		iters = 10;
	printf("Landlock ABI %d; %d iterations per measurement\n",
	       sandlock_landlock_abi_version(), iters);
	p = typical_policy(0, NULL);
	bench_startup(p, iters);
	if (cli)
		bench_cli(cli, iters);
	if (loop)
		bench_notify(loop);
	bench_big_heap(p, iters / 3 > 10 ? iters / 3 : 10);
	bench_tar(p, 10);
	sandlock_sandbox_free(p);
	return 0;
}
