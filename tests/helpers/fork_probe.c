/*
 * fork_probe MODE ...: create processes or threads inside a sandbox and
 * report what the kernel and the supervisor allowed, on one line of stdout.
 *
 *   seq N       fork up to N children that stay alive; stop at the first
 *               failure: "created=<k> errno=<NAME|none>"
 *   race K M    fork K workers that each fork up to M children as fast as
 *               they can, all alive at once: "workers=<w> created=<c>"
 *   threads N   start and join N threads: "threads=<n>"
 *   clone3ns    clone3 with CLONE_NEWUSER: "OK" or the errno name
 *   cloneparent clone with CLONE_PARENT: "OK" or the errno name
 *
 * Every child waits on a pipe for the end of the experiment, so the
 * processes counted are all alive at the same time.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Built with sanitizers, a helper runs in sandboxes without /proc, where
 * LeakSanitizer cannot work (nor can ASan read ASAN_OPTIONS). */
__attribute__((used, visibility("default"))) const char *
__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

struct clone_args_v0 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
		stack_size, tls;
};

static const char *errname(int e)
{
	switch (e) {
	case 0:
		return "OK";
	case EAGAIN:
		return "EAGAIN";
	case EPERM:
		return "EPERM";
	case ENOMEM:
		return "ENOMEM";
	case ENOSYS:
		return "ENOSYS";
	case EINVAL:
		return "EINVAL";
	case EACCES:
		return "EACCES";
	default:
		return "OTHER";
	}
}

/* Block until the release pipe is closed. */
static void hold(int release_rd)
{
	char c;

	while (read(release_rd, &c, 1) < 0 && errno == EINTR)
		;
}

static void reap_all(void)
{
	while (wait(NULL) > 0 || errno == EINTR)
		;
}

static int seq(int n)
{
	int rel[2], created = 0, err = 0;

	if (pipe(rel) < 0)
		return 1;
	for (int i = 0; i < n; i++) {
		pid_t p = fork();

		if (p == 0) {
			close(rel[1]);
			hold(rel[0]);
			_exit(0);
		}
		if (p < 0) {
			err = errno;
			break;
		}
		created++;
	}
	printf("created=%d errno=%s\n", created, err ? errname(err) : "none");
	fflush(stdout);
	close(rel[1]);
	reap_all();
	return 0;
}

static int race(int k, int m)
{
	int rel[2], done[2], workers = 0, created = 0, got;

	if (pipe(rel) < 0 || pipe(done) < 0)
		return 1;
	for (int w = 0; w < k; w++) {
		int ack[2], forked = 0;
		char c;
		pid_t p;

		if (pipe(ack) < 0)
			break;
		p = fork();
		if (p < 0) {
			close(ack[0]);
			close(ack[1]);
			continue;
		}
		if (p > 0) {
			close(ack[0]);
			close(ack[1]);
			workers++;
			continue;
		}
		close(rel[1]);
		close(done[0]);
		for (int i = 0; i < m; i++) {
			pid_t q = fork();

			if (q == 0) {
				(void)!write(ack[1], "x", 1);
				hold(rel[0]);
				_exit(0);
			}
			if (q < 0)
				break;
			forked++;
		}
		/* Count only children that are running now. */
		for (int i = 0; i < forked; i++)
			if (read(ack[0], &c, 1) != 1)
				break;
		(void)!write(done[1], &forked, sizeof(forked));
		hold(rel[0]);
		reap_all();
		_exit(0);
	}
	close(done[1]);
	for (int w = 0; w < workers; w++) {
		if (read(done[0], &got, sizeof(got)) != sizeof(got))
			break;
		created += got;
	}
	printf("workers=%d created=%d\n", workers, created);
	fflush(stdout);
	close(rel[1]);
	reap_all();
	return 0;
}

static void *idle(void *arg)
{
	return arg;
}

static int threads(int n)
{
	int ok = 0;

	for (int i = 0; i < n; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, idle, NULL) == 0 &&
		    pthread_join(t, NULL) == 0)
			ok++;
	}
	printf("threads=%d\n", ok);
	return 0;
}

static int report(long r)
{
	if (r == 0)
		_exit(0); /* the child, had it been created */
	if (r > 0) {
		waitpid((pid_t)r, NULL, 0);
		puts("OK");
	} else {
		puts(errname(errno));
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "seq") == 0)
		return seq(atoi(argv[2]));
	if (argc == 4 && strcmp(argv[1], "race") == 0)
		return race(atoi(argv[2]), atoi(argv[3]));
	if (argc == 3 && strcmp(argv[1], "threads") == 0)
		return threads(atoi(argv[2]));
	if (argc == 2 && strcmp(argv[1], "clone3ns") == 0) {
		struct clone_args_v0 a = { .flags = CLONE_NEWUSER,
					   .exit_signal = SIGCHLD };

		return report(syscall(SYS_clone3, &a, sizeof(a)));
	}
	if (argc == 2 && strcmp(argv[1], "cloneparent") == 0)
		return report(
			syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0));
	fprintf(stderr, "usage: fork_probe seq N | race K M | threads N | "
			"clone3ns | cloneparent\n");
	return 2;
}
