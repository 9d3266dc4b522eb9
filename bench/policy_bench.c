/*
 * The cost of a policy callback (issue 8), each figure against a run
 * measured in the same invocation, medians of interleaved runs:
 *
 *   policy_bench --exec-loop PATH [--iters N] [--chain N]
 *                [--only exec|peer|tar]
 *
 *   1. a held exec decided by a callback that allows: a chain of N execs
 *      of a static program inside one sandbox, with and without the
 *      callback, per exec; then the same with an idle second process in
 *      the sandbox, which every exec must freeze (seize, stop, release);
 *      and the kernel's floor: the same chain, bare and with each exec
 *      notified to a bare supervisor that answers CONTINUE at once (what
 *      any held exec pays before the supervisor does anything);
 *   2. tar -cf /dev/null /usr/include under a callback that only
 *      observes, against the same policy without it and against bare.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandlock.h"
#include "floor.h"
#include "timing.h"

extern char **environ;

static atomic_ulong events;

static int32_t allow(const sandlock_event_t *ev, sandlock_ctx_t *ctx, void *ud)
{
	(void)ev;
	(void)ctx;
	(void)ud;
	atomic_fetch_add(&events, 1);
	return 0;
}

static sandlock_sandbox_t *policy(const char *extra, bool cb)
{
	static const char *const roots[] = { "/usr",  "/lib", "/lib64", "/bin",
					     "/sbin", "/etc", NULL };
	sandlock_builder_t *b = sandlock_sandbox_builder_new();
	sandlock_sandbox_t *p;
	struct stat st;
	char *msg = NULL;

	for (int i = 0; roots[i]; i++)
		if (stat(roots[i], &st) == 0)
			b = sandlock_sandbox_builder_fs_read(b, roots[i]);
	if (extra)
		b = sandlock_sandbox_builder_fs_read(b, extra);
	b = sandlock_sandbox_builder_fs_write(b, "/dev/null");
	if (cb)
		b = sandlock_sandbox_builder_policy_fn(b, allow, NULL, NULL);
	p = sandlock_sandbox_build(b, NULL, &msg);
	if (!p) {
		fprintf(stderr, "policy_bench: build: %s\n", msg ? msg : "?");
		exit(1);
	}
	return p;
}

/* One run to completion: its wall time in microseconds. */
static double timed_run(const sandlock_sandbox_t *p, const char *const *argv,
			unsigned argc)
{
	double t0 = now_us();
	sandlock_result_t *r = sandlock_run(p, NULL, argv, argc);
	double t = now_us() - t0;

	if (!r || !sandlock_result_success(r)) {
		char *err = r ? sandlock_result_stderr(r) : NULL;

		fprintf(stderr, "policy_bench: %s failed: %s\n", argv[0],
			err ? err : "no result");
		exit(1);
	}
	sandlock_result_free(r);
	return t;
}

static double timed_bare(char *const *argv)
{
	posix_spawn_file_actions_t fa;
	double t0 = now_us();
	pid_t pid;
	int st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0 ||
	    waitpid(pid, &st, 0) < 0) {
		perror("policy_bench: spawn");
		exit(1);
	}
	posix_spawn_file_actions_destroy(&fa);
	return now_us() - t0;
}

/* The chain outside any sandbox: bare, or with every execve notified to
 * this process, which answers CONTINUE at once, waiting in ppoll like
 * the event loop (same-CPU wake-up on). Wall time in microseconds. */
static double exec_floor(const char *loop, const char *n, bool notified)
{
	int sv[2], l = -1, pidfd;
	double t0, t;
	pid_t pid;
	char go;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		char *const argv[] = { (char *)loop, (char *)n, NULL };

		close(sv[1]);
		if (notified)
			notify_to_parent(sv[0], SYS_execve);
		if (read(sv[0], &go, 1) != 1)
			_exit(1);
		execv(loop, argv);
		_exit(127);
	}
	close(sv[0]);
	pidfd = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
	if (pid > 0 && notified) {
		l = recv_fd(sv[1]);
		if (l >= 0)
			(void)ioctl(l, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
				    (__u64)SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
	}
	t0 = now_us();
	if (pid > 0 && pidfd >= 0 && write(sv[1], "g", 1) == 1)
		while (l >= 0) {
			struct pollfd pf[2] = { { .fd = l, .events = POLLIN },
						{ .fd = pidfd,
						  .events = POLLIN } };
			struct seccomp_notif req;
			struct seccomp_notif_resp resp = { 0 };

			if (ppoll(pf, 2, NULL, NULL) < 0 || pf[1].revents)
				break;
			memset(&req, 0, sizeof(req));
			if (ioctl(l, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
				continue;
			resp.id = req.id;
			resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
			(void)ioctl(l, SECCOMP_IOCTL_NOTIF_SEND, &resp);
		}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	t = now_us() - t0;
	if (l >= 0)
		close(l);
	if (pidfd >= 0)
		close(pidfd);
	close(sv[1]);
	return pid > 0 ? t : -1;
}

static void exec_chain(const char *loop, int iters, int chain, bool peer)
{
	char dir[4096], n[16];
	sandlock_sandbox_t *with, *without;
	const char *argv[] = { loop, n, "peer" };
	double *a = calloc((size_t)iters, sizeof(double));
	double *b = calloc((size_t)iters, sizeof(double));
	double ma, mb;

	snprintf(dir, sizeof(dir), "%s", loop);
	*strrchr(dir, '/') = '\0';
	with = policy(dir, true);
	without = policy(dir, false);
	snprintf(n, sizeof(n), "%d", chain);
	for (int i = 0; i < iters; i++) {
		a[i] = timed_run(with, argv, peer ? 3 : 2);
		b[i] = timed_run(without, argv, peer ? 3 : 2);
	}
	ma = median_of(a, iters);
	mb = median_of(b, iters);
	printf("held exec%-24s policy_fn %8.0f us  without %8.0f us  "
	       "added per exec %6.1f us\n",
	       peer ? ", one peer frozen" : "", ma / chain, mb / chain,
	       (ma - mb) / chain);
	if (!peer) {
		double *fb = calloc((size_t)iters, sizeof(double));
		double *fn = calloc((size_t)iters, sizeof(double));
		double mfb, mfn;

		for (int i = 0; i < iters; i++) {
			fb[i] = exec_floor(loop, n, false);
			fn[i] = exec_floor(loop, n, true);
		}
		mfb = median_of(fb, iters);
		mfn = median_of(fn, iters);
		printf("exec notified, CONTINUE at once   bare %8.0f us  "
		       "notified %8.0f us  added per exec %6.1f us (the "
		       "kernel's floor)\n",
		       mfb / chain, mfn / chain, (mfn - mfb) / chain);
		free(fb);
		free(fn);
	}
	sandlock_sandbox_free(with);
	sandlock_sandbox_free(without);
	free(a);
	free(b);
}

static void tar_ratio(int iters)
{
	char *const bare_argv[] = { "/usr/bin/tar", "-cf", "/dev/null",
				    "/usr/include", NULL };
	const char *const argv[] = { "/usr/bin/tar", "-cf", "/dev/null",
				     "/usr/include" };
	sandlock_sandbox_t *with = policy(NULL, true),
			   *without = policy(NULL, false);
	double *bare = calloc((size_t)iters, sizeof(double));
	double *a = calloc((size_t)iters, sizeof(double));
	double *b = calloc((size_t)iters, sizeof(double));
	double mbare, ma, mb;
	unsigned long ev0;

	timed_run(with, argv, 4); /* warm the caches */
	ev0 = atomic_load(&events);
	for (int i = 0; i < iters; i++) {
		bare[i] = timed_bare(bare_argv);
		a[i] = timed_run(with, argv, 4);
		b[i] = timed_run(without, argv, 4);
	}
	mbare = median_of(bare, iters);
	ma = median_of(a, iters);
	mb = median_of(b, iters);
	printf("tar -cf /dev/null /usr/include    bare %8.0f us  policy_fn "
	       "(observing) %8.0f us (%.2fx)  without %8.0f us (%.2fx)  "
	       "%lu events per run\n",
	       mbare, ma, ma / mbare, mb, mb / mbare,
	       (atomic_load(&events) - ev0) / (unsigned long)iters);
	sandlock_sandbox_free(with);
	sandlock_sandbox_free(without);
	free(bare);
	free(a);
	free(b);
}

int main(int argc, char **argv)
{
	const char *loop = NULL;
	const char *only = NULL;
	int iters = 15, chain = 200;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--exec-loop") && i + 1 < argc)
			loop = argv[++i];
		else if (!strcmp(argv[i], "--iters") && i + 1 < argc)
			iters = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--chain") && i + 1 < argc)
			chain = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else {
			fprintf(stderr, "usage: policy_bench --exec-loop PATH "
					"[--iters N] [--chain N] "
					"[--only exec|peer|tar]\n");
			return 2;
		}
	}
	if (!loop || iters < 1 || chain < 1) {
		fprintf(stderr, "policy_bench: --exec-loop PATH needed\n");
		return 2;
	}
	if (!only || !strcmp(only, "exec"))
		exec_chain(loop, iters, chain, false);
	if (!only || !strcmp(only, "peer"))
		exec_chain(loop, iters, chain, true);
	if (!only || !strcmp(only, "tar"))
		tar_ratio(iters);
	return 0;
}
