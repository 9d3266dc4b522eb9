/*
 * fs_race OP ...: race the supervisor's filesystem checks from a second
 * thread, a bounded number of times, and print what got through. Run
 * inside a sandbox by the escape tests, and outside one (the control,
 * which shows that the race is really hit).
 *
 *   open A B N        flip a path buffer between A and B; open
 *                     O_RDONLY|O_NONBLOCK and read a byte; "leaked"
 *                     counts reads of B (content starting with 'S')
 *   exec A B N        flip between A and B; vfork + execve; "leaked"
 *                     counts children that exited 1 (B is a copy of
 *                     /bin/false, A of /bin/true)
 *   truncate A B N    flip between A and B; truncate(path, 0)
 *   opentrunc A B N   flip between A and B; open O_WRONLY|O_TRUNC
 *   chmod A B N       flip between A and B; chmod(path, 0600)
 *   symlink L A B N   a thread points the symlink L at A, then at B
 *                     (symlink + rename over L); truncate(L, 0)
 *   dirfd DA DB NAME N  a thread dup2()s DA and DB in turn onto one fd
 *                     number; unlinkat(fd, NAME) (re-creating DA/NAME)
 *
 * Output: "done=<successful calls> leaked=<count>".
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PATH_CAP 512
#define RACE_FD 77

static char path[PATH_CAP];
static const char *paths[2];
static const char *link_path;
static int dir_fds[2];
static atomic_int stop, started;

static void *flip_buffer(void *arg)
{
	size_t i = 0;

	(void)arg;
	atomic_store(&started, 1);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		const char *p = paths[i++ & 1];

		memcpy(path, p, strlen(p) + 1);
	}
	return NULL;
}

static void *flip_symlink(void *arg)
{
	char tmp[PATH_CAP + 8];
	size_t i = 0;

	(void)arg;
	snprintf(tmp, sizeof(tmp), "%s.tmp", link_path);
	atomic_store(&started, 1);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		unlink(tmp);
		if (symlink(paths[i++ & 1], tmp) == 0)
			rename(tmp, link_path);
	}
	unlink(tmp);
	return NULL;
}

static void *flip_fd(void *arg)
{
	size_t i = 0;

	(void)arg;
	atomic_store(&started, 1);
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		dup2(dir_fds[i++ & 1], RACE_FD);
	return NULL;
}

static bool read_is_denied(const char *p)
{
	char c = 0;
	int fd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	bool leaked;

	if (fd < 0)
		return false;
	leaked = read(fd, &c, 1) == 1 && c == 'S';
	close(fd);
	return leaked;
}

/* vfork + execve of the path buffer (shared with the flipper); the
 * child's exit status, or -1. */
static __attribute__((noinline)) int exec_once(void)
{
	char *const av[] = { "race", NULL };
	int st;
	pid_t pid = vfork();

	if (pid == 0) {
		execv(path, av);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
	void *(*flipper)(void *) = flip_buffer;
	const char *op = argc > 1 ? argv[1] : "";
	long n, done = 0, leaks = 0;
	int nargs = 4;
	pthread_t t;

	if (!strcmp(op, "symlink") || !strcmp(op, "dirfd"))
		nargs = 5;
	if (argc != nargs + 1)
		goto usage;
	for (int i = 2; i < argc; i++)
		if (strlen(argv[i]) >= PATH_CAP)
			goto usage;
	n = atol(argv[argc - 1]);
	if (!strcmp(op, "symlink")) {
		link_path = argv[2];
		paths[0] = argv[3];
		paths[1] = argv[4];
		flipper = flip_symlink;
		/* the link exists before the first truncate: a flipper
		 * thread slow to start must not leave every call ENOENT */
		unlink(link_path);
		if (symlink(paths[0], link_path) < 0) {
			perror("fs_race: symlink");
			return 1;
		}
	} else if (!strcmp(op, "dirfd")) {
		dir_fds[0] = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		dir_fds[1] = open(argv[3], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir_fds[0] < 0 || dir_fds[1] < 0 ||
		    dup2(dir_fds[0], RACE_FD) < 0) {
			perror("fs_race: dirs");
			return 1;
		}
		flipper = flip_fd;
	} else {
		paths[0] = argv[2];
		paths[1] = argv[3];
	}
	strcpy(path, paths[0] ? paths[0] : "");
	if (pthread_create(&t, NULL, flipper, NULL) != 0)
		return 1;
	/* a flipper slow to start on a loaded machine would leave every
	 * call on the first path */
	while (!atomic_load(&started))
		sched_yield();
	for (long i = 0; i < n; i++) {
		if (!strcmp(op, "open")) {
			leaks += read_is_denied(path);
		} else if (!strcmp(op, "symlink")) {
			done += truncate(link_path, 0) == 0;
			continue;
		} else if (!strcmp(op, "exec")) {
			int st = exec_once();

			done += st >= 0 && st != 127;
			leaks += st == 1;
			continue;
		} else if (!strcmp(op, "truncate")) {
			done += truncate(path, 0) == 0;
			continue;
		} else if (!strcmp(op, "opentrunc")) {
			int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);

			done += fd >= 0;
			if (fd >= 0)
				close(fd);
			continue;
		} else if (!strcmp(op, "chmod")) {
			done += chmod(path, 0600) == 0;
			continue;
		} else if (!strcmp(op, "dirfd")) {
			if (unlinkat(RACE_FD, argv[4], 0) == 0) {
				char p[PATH_CAP * 2];
				int fd;

				done++;
				snprintf(p, sizeof(p), "%s/%s", argv[2],
					 argv[4]);
				fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC,
					  0644);
				if (fd >= 0)
					close(fd);
			}
			continue;
		} else {
			goto usage;
		}
		done++;
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	printf("done=%ld leaked=%ld\n", done, leaks);
	return 0;
usage:
	fprintf(stderr, "usage: fs_race OP ARGS... N (see the source)\n");
	return 2;
}
