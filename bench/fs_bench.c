/*
 * The filesystem view's costs, each against a bare run measured in the
 * same invocation:
 *
 *   0. the kernel's floor on this machine: one openat notified to a
 *      minimal supervisor (no checks) that answers CONTINUE, waiting in
 *      SECCOMP_IOCTL_NOTIF_RECV or in epoll_wait first, or that installs
 *      a file it opened (SECCOMP_IOCTL_NOTIF_ADDFD), as every open
 *      performed on the child's behalf must;
 *   1. one open (+ close) of /usr/include/stdio.h, by absolute path and
 *      relative to a directory fd, under four policies: grants only
 *      (opens stay in the kernel), a grant exposing /proc (opens on procfs
 *      are served by the supervisor, others answered CONTINUE), fs_deny
 *      (every open performed on the child's behalf), and bare;
 *   2. one metadata write on an fd (futimens, fsetxattr: what cp -a makes
 *      on each file) inside a write grant;
 *   3. tar -cf /dev/null /usr/include, with the typical policy, with /proc
 *      granted as well, and with an fs_deny entry (medians of 10);
 *   4. cp -a /usr/include into a write grant (metadata gating of the
 *      chmod/chown/utimes/xattr writes cp makes; medians of 3).
 *
 * fs_bench [--open-loop PATH] [--tar-iters N] [--cp-iters N] (0 skips)
 * (1 and 2 need --open-loop.)
 */
#include <fcntl.h>
#include <ftw.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <libgen.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <poll.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandlock.h"
#include "floor.h"
#include "timing.h"

extern char **environ;

static const char *const roots[] = { "/usr",  "/lib", "/lib64", "/bin",
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
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY,
						 0);
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

/* ---- 0: the kernel's floor ------------------------------------------------ */

enum floor_mode {
	FLOOR_BARE,
	FLOOR_RECV,
	FLOOR_PPOLL,
	FLOOR_EPOLL,
	FLOOR_ADDFD,
	FLOOR_ADDFD_IDLE,
	FLOOR_NMODES
};

static const char *const floor_name[] = {
	[FLOOR_RECV] = "CONTINUE, waiting in RECV",
	[FLOOR_PPOLL] = "CONTINUE, waiting in ppoll",
	[FLOOR_EPOLL] = "CONTINUE, waiting in epoll",
	[FLOOR_ADDFD] = "ADDFD of a file it opened",
	[FLOOR_ADDFD_IDLE] = "... by a SCHED_IDLE thread",
};

/* The child: openat notified (unless bare), n opens; the mean in ns. */
static void floor_child(int sock, bool filter, long n)
{
	double t;
	char go;

	if (filter)
		notify_to_parent(sock, SYS_openat);
	if (read(sock, &go, 1) != 1)
		_exit(1);
	t = now_us();
	for (long i = 0; i < n; i++)
		close(openat(AT_FDCWD, "/usr/include/stdio.h",
			     O_RDONLY | O_CLOEXEC));
	t = (now_us() - t) * 1e3 / n;
	if (write(sock, &t, sizeof(t)) != sizeof(t))
		_exit(1);
	_exit(0);
}

static double floor_run(enum floor_mode mode, long n)
{
	int sv[2], l = -1, ep = -1;
	double t = -1;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(sv[1]);
		floor_child(sv[0], mode != FLOOR_BARE, n);
	}
	close(sv[0]);
	if (pid > 0 && mode != FLOOR_BARE) {
		__u64 fl = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;

		l = recv_fd(sv[1]);
		if (l >= 0)
			(void)ioctl(l, SECCOMP_IOCTL_NOTIF_SET_FLAGS, fl);
	}
	if (mode == FLOOR_EPOLL && l >= 0) {
		struct epoll_event ev = { .events = EPOLLIN };

		ep = epoll_create1(EPOLL_CLOEXEC);
		if (ep >= 0)
			epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
	}
	if (pid > 0 && write(sv[1], "g", 1) == 1 && l >= 0) {
		struct seccomp_notif req;
		struct seccomp_notif_resp resp;

		for (long i = 0; i < n; i++) {
			struct epoll_event ev;

			if (ep >= 0 && epoll_wait(ep, &ev, 1, -1) != 1)
				break;
			if (mode == FLOOR_PPOLL) {
				struct pollfd pf = { .fd = l,
						     .events = POLLIN };

				if (ppoll(&pf, 1, NULL, NULL) != 1)
					break;
			}
			memset(&req, 0, sizeof(req));
			if (ioctl(l, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
				break;
			if (mode == FLOOR_ADDFD) {
				int fd = open("/usr/include/stdio.h",
					      O_RDONLY | O_CLOEXEC);
				struct seccomp_notif_addfd a = {
					.id = req.id,
					.flags = SECCOMP_ADDFD_FLAG_SEND,
					.srcfd = (__u32)fd,
					.newfd_flags = O_CLOEXEC,
				};

				ioctl(l, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
				close(fd);
				continue;
			}
			memset(&resp, 0, sizeof(resp));
			resp.id = req.id;
			resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
			ioctl(l, SECCOMP_IOCTL_NOTIF_SEND, &resp);
		}
	}
	if (pid > 0 && read(sv[1], &t, sizeof(t)) != sizeof(t))
		t = -1;
	if (pid > 0)
		waitpid(pid, NULL, 0);
	if (ep >= 0)
		close(ep);
	if (l >= 0)
		close(l);
	close(sv[1]);
	return t;
}

/* The ADDFD floor answered by a process of the idle policy (its opener
 * child keeps the normal one): a CPU whose only runnable task is of that
 * policy counts as idle where the kernel places the child's wake-up, so
 * the child is woken on the supervisor's CPU instead of an idle one. */
static double floor_run_idle(long n)
{
	double t = -1;
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		struct sched_param sp = { 0 };
		double v = -1;

		if (sched_setscheduler(0, SCHED_IDLE | SCHED_RESET_ON_FORK,
				       &sp) == 0)
			v = floor_run(FLOOR_ADDFD, n);
		_exit(write(p[1], &v, sizeof(v)) != sizeof(v));
	}
	close(p[1]);
	if (pid > 0 && read(p[0], &t, sizeof(t)) != sizeof(t))
		t = -1;
	if (pid > 0)
		waitpid(pid, NULL, 0);
	close(p[0]);
	return t;
}

static void bench_floor(int rounds)
{
	double v[FLOOR_NMODES][16];

	for (int i = 0; i < rounds; i++)
		for (int m = 0; m < FLOOR_NMODES; m++)
			v[m][i] = m == FLOOR_ADDFD_IDLE ?
					  floor_run_idle(20000) :
					  floor_run(m, 20000);
	{
		double bare = median_of(v[FLOOR_BARE], rounds);

		printf("kernel floor, one openat notified to a supervisor that "
		       "checks nothing: bare %.2f us\n",
		       bare / 1e3);
		for (int m = FLOOR_RECV; m < FLOOR_NMODES; m++)
			printf("  %-28s overhead %6.2f us\n", floor_name[m],
			       (median_of(v[m], rounds) - bare) / 1e3);
	}
}

/* ---- 1: opens ---------------------------------------------------------------- */

static void bench_opens(const char *loop, int rounds)
{
	char *copy = strdup(loop);
	sandlock_sandbox_t *p[3];
	double v[4][2][16];

	for (int x = 0; x < 3; x++)
		p[x] = policy(x, dirname(copy));
	for (int i = 0; i < rounds; i++)
		for (int rel = 0; rel < 2; rel++) {
			char *argv[] = { (char *)loop, "/usr/include/stdio.h",
					 "20000", rel ? "rel" : "abs", NULL };

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

/* ---- 2: metadata writes ---------------------------------------------------- */

static void bench_meta(const char *loop, int rounds)
{
	char *copy = strdup(loop), file[] = "/tmp/sl-fsbench-meta-XXXXXX";
	char *argv[] = { (char *)loop, file, "10000", "meta", NULL };
	sandlock_sandbox_t *p = policy(PLAIN, dirname(copy));
	double bare[16], boxed[16];
	int fd = mkstemp(file);

	if (fd < 0)
		return;
	close(fd);
	for (int i = 0; i < rounds; i++) {
		bare[i] = run(NULL, argv, true);
		boxed[i] = run(p, argv, true);
	}
	{
		double b = median_of(bare, rounds),
		       s = median_of(boxed, rounds);

		printf("metadata write on an fd (futimens, fsetxattr) in a "
		       "write grant: bare %.2f us, sandboxed %.2f us, "
		       "overhead %.2f us\n",
		       b / 1e3, s / 1e3, (s - b) / 1e3);
	}
	unlink(file);
	sandlock_sandbox_free(p);
	free(copy);
}

/* ---- 3, 4: tar and cp ------------------------------------------------------- */

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

static int rm_entry(const char *p, const struct stat *st, int f, struct FTW *w)
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
	/* Every copy gets a destination of its own, all removed at the end:
	 * ext4 allocates inodes slowly for a while after many were deleted
	 * (it skips the recently freed ones), which a removal between two
	 * copies would charge to the next. */
	for (int i = 0; i < iters; i++) {
		double t;

		sync(); /* neither copy pays for the other's writes */
		snprintf(dst, sizeof(dst), "%s/bare%d", dir, i);
		t = now_us();
		if (run(NULL, argv, false) != 0)
			fprintf(stderr, "fs_bench: bare cp failed\n");
		bare[i] = now_us() - t;
		sync();
		snprintf(dst, sizeof(dst), "%s/boxed%d", dir, i);
		t = now_us();
		if (run(p, argv, false) != 0)
			fprintf(stderr, "fs_bench: sandboxed cp failed\n");
		boxed[i] = now_us() - t;
	}
	{
		double b = median_of(bare, iters), s = median_of(boxed, iters);

		printf("cp -a /usr/include into a write grant: bare %.0f ms, "
		       "sandboxed %.0f ms, %.2fx bare\n",
		       b / 1e3, s / 1e3, s / b);
	}
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
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
	/* 0 skips a measurement */
	bench_floor(9);
	if (loop) {
		bench_opens(loop, 9);
		bench_meta(loop, 9);
	}
	if (tar_iters > 0)
		bench_tar(tar_iters);
	if (cp_iters > 0)
		bench_cp(cp_iters);
	return 0;
}
