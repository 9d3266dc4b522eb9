/*
 * The filesystem view's costs, each against a bare run measured in the
 * same invocation:
 *
 *   1. one open (+ close) of /usr/include/stdio.h, by absolute path and
 *      relative to a directory fd, under four policies: grants only
 *      (opens stay in the kernel), a grant exposing /proc (opens on procfs
 *      are served by the supervisor, others answered CONTINUE), fs_deny
 *      (every open performed on the child's behalf), and bare;
 *   2. tar -cf /dev/null /usr/include, with the typical policy, with /proc
 *      granted as well, and with an fs_deny entry (medians of 10);
 *   3. cp -a /usr/include into a write grant (metadata gating of the
 *      chmod/chown/utimes/xattr writes cp makes; medians of 3).
 *
 * fs_bench --open-loop PATH [--tar-iters N] [--cp-iters N]
 */
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandlock.h"
#include "timing.h"

extern char **environ;

static const char *const roots[] = { "/usr", "/lib", "/lib64", "/bin",
				     "/sbin", "/etc", NULL };

enum extra { PLAIN, PROC, DENY };

static const char *const extra_name[] = {
	[PLAIN] = "grants only",
	[PROC] = "grants + /proc",
	[DENY] = "grants + fs_deny",
};

static sandlock_sandbox_t *policy(enum extra x, const char *extra_read)
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
	if (x == PROC)
		b = sandlock_sandbox_builder_fs_read(b, "/proc");
	if (x == DENY) /* a denied entry where nothing is opened */
		b = sandlock_sandbox_builder_fs_deny(b, "/etc/shadow");
	p = sandlock_sandbox_build(b, &err, &msg);
	if (!p) {
		fprintf(stderr, "fs_bench: build failed: %s\n",
			msg ? msg : "?");
		exit(1);
	}
	return p;
}

/* Run argv in p (NULL: bare); its stdout as a number, or the exit code
 * (as a negative number) when stdout is not wanted. */
static double run(const sandlock_sandbox_t *p, char *const *argv, bool out)
{
	unsigned argc = 0;
	double v = -1;

	while (argv[argc])
		argc++;
	if (!p) {
		posix_spawn_file_actions_t fa;
		int pipefd[2], st;
		pid_t pid;
		char buf[64] = { 0 };

		if (pipe(pipefd) < 0)
			return -1;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null",
						 O_WRONLY, 0);
		if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0)
			pid = -1;
		posix_spawn_file_actions_destroy(&fa);
		close(pipefd[1]);
		if (read(pipefd[0], buf, sizeof(buf) - 1) < 0)
			buf[0] = 0;
		close(pipefd[0]);
		if (pid < 0 || waitpid(pid, &st, 0) < 0)
			return -1;
		if (!out)
			return WIFEXITED(st) ? -WEXITSTATUS(st) : -128;
		return atof(buf);
	}
	{
		sandlock_handle_t *h = sandlock_create_for_run(
			p, NULL, (const char *const *)argv, argc);
		sandlock_result_t *r;
		uintptr_t len = 0;
		const uint8_t *o;

		if (!h || sandlock_start(h) != 0)
			return -1;
		r = sandlock_handle_wait_timeout(h, 0);
		sandlock_handle_free(h);
		if (!out) {
			v = -sandlock_result_exit_code(r);
		} else {
			o = sandlock_result_stdout_bytes(r, &len);
			if (o && len) {
				char buf[64] = { 0 };

				memcpy(buf, o, len < 63 ? len : 63);
				v = atof(buf);
			}
		}
		sandlock_result_free(r);
	}
	return v;
}

static void bench_opens(const char *loop, int rounds)
{
	char *copy = strdup(loop);
	sandlock_sandbox_t *p[3];
	double v[4][2][16];

	for (int x = 0; x < 3; x++)
		p[x] = policy(x, dirname(copy));
	for (int i = 0; i < rounds; i++)
		for (int rel = 0; rel < 2; rel++) {
			char *argv[] = { (char *)loop,
					 "/usr/include/stdio.h", "20000",
					 rel ? "rel" : "abs", NULL };

			v[3][rel][i] = run(NULL, argv, true);
			for (int x = 0; x < 3; x++)
				v[x][rel][i] = run(p[x], argv, true);
		}
	for (int rel = 0; rel < 2; rel++) {
		double bare = median_of(v[3][rel], rounds);

		printf("open + close, %s: bare %.2f us\n",
		       rel ? "relative to a dirfd" : "absolute path",
		       bare / 1e3);
		for (int x = 0; x < 3; x++) {
			double m = median_of(v[x][rel], rounds);

			printf("  %-18s %6.2f us, overhead %6.2f us\n",
			       extra_name[x], m / 1e3, (m - bare) / 1e3);
		}
	}
	for (int x = 0; x < 3; x++)
		sandlock_sandbox_free(p[x]);
	free(copy);
}

static void bench_tar(int iters)
{
	char *argv[] = { "/bin/tar", "-cf", "/dev/null", "/usr/include", NULL };
	sandlock_sandbox_t *p[3];
	double *v[4];

	for (int x = 0; x < 3; x++)
		p[x] = policy(x, NULL);
	for (int x = 0; x < 4; x++)
		v[x] = calloc(iters, sizeof(double));
	run(NULL, argv, false); /* warm the caches */
	for (int i = 0; i < iters; i++) {
		double t = now_us();

		run(NULL, argv, false);
		v[3][i] = now_us() - t;
		for (int x = 0; x < 3; x++) {
			t = now_us();
			if (run(p[x], argv, false) != 0) {
				fprintf(stderr, "fs_bench: tar failed\n");
				exit(1);
			}
			v[x][i] = now_us() - t;
		}
	}
	{
		double bare = median_of(v[3], iters);

		printf("tar -cf /dev/null /usr/include: bare %.1f ms\n",
		       bare / 1e3);
		for (int x = 0; x < 3; x++) {
			double m = median_of(v[x], iters);

			printf("  %-18s %6.1f ms, %.2fx bare\n", extra_name[x],
			       m / 1e3, m / bare);
		}
	}
	for (int x = 0; x < 3; x++) {
		sandlock_sandbox_free(p[x]);
		free(v[x]);
	}
	free(v[3]);
}

static int rm_entry(const char *p, const struct stat *st, int f,
		    struct FTW *w)
{
	(void)st;
	(void)f;
	(void)w;
	return remove(p);
}

static void bench_cp(int iters)
{
	char dir[] = "/tmp/sl-fsbench-XXXXXX", dst[64];
	char *argv[] = { "/bin/cp", "-a", "/usr/include", dst, NULL };
	sandlock_sandbox_t *p = policy(PLAIN, NULL);
	double *bare = calloc(iters, sizeof(double));
	double *boxed = calloc(iters, sizeof(double));

	if (!mkdtemp(dir))
		return;
	snprintf(dst, sizeof(dst), "%s/include", dir);
	for (int i = 0; i < iters; i++) {
		double t = now_us();

		if (run(NULL, argv, false) != 0)
			fprintf(stderr, "fs_bench: bare cp failed\n");
		bare[i] = now_us() - t;
		nftw(dst, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		t = now_us();
		if (run(p, argv, false) != 0)
			fprintf(stderr, "fs_bench: sandboxed cp failed\n");
		boxed[i] = now_us() - t;
		nftw(dst, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	{
		double b = median_of(bare, iters), s = median_of(boxed, iters);

		printf("cp -a /usr/include into a write grant: bare %.0f ms, "
		       "sandboxed %.0f ms, %.2fx bare\n",
		       b / 1e3, s / 1e3, s / b);
	}
	rmdir(dir);
	sandlock_sandbox_free(p);
	free(bare);
	free(boxed);
}

int main(int argc, char **argv)
{
	const char *loop = NULL;
	int tar_iters = 10, cp_iters = 3;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--open-loop") && i + 1 < argc)
			loop = argv[++i];
		else if (!strcmp(argv[i], "--tar-iters") && i + 1 < argc)
			tar_iters = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--cp-iters") && i + 1 < argc)
			cp_iters = atoi(argv[++i]);
	}
	if (tar_iters < 1)
		tar_iters = 1;
	if (cp_iters < 1)
		cp_iters = 1;
	if (loop)
		bench_opens(loop, 9);
	bench_tar(tar_iters);
	if (cp_iters)
		bench_cp(cp_iters);
	return 0;
}
