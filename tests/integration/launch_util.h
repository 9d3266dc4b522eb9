/*
 * Helpers for the launch and lifecycle tests: a baseline policy that lets
 * ordinary commands run (read access to the system trees), a private
 * scratch directory, and small wrappers around the result accessors.
 */
#ifndef SL_TEST_LAUNCH_UTIL_H
#define SL_TEST_LAUNCH_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sandlock.h"

static const char *const lu_system_dirs[] = { "/usr", "/bin", "/lib", "/lib64",
					      "/etc", "/proc", "/dev", NULL };

/* A builder granting read access to the system trees that exist here. */
static inline sandlock_builder_t *lu_builder(void)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_new();
	struct stat st;

	for (int i = 0; lu_system_dirs[i]; i++)
		if (lstat(lu_system_dirs[i], &st) == 0 && S_ISDIR(st.st_mode))
			b = sandlock_sandbox_builder_fs_read(b, lu_system_dirs[i]);
	return b;
}

/* Build, printing the reason on failure. */
static inline sandlock_sandbox_t *lu_build(sandlock_builder_t *b)
{
	char *msg = NULL;
	int err = 0;
	sandlock_sandbox_t *p = sandlock_sandbox_build(b, &err, &msg);

	if (!p)
		fprintf(stderr, "  build failed: %s\n", msg ? msg : "?");
	sandlock_string_free(msg);
	return p;
}

static inline sandlock_sandbox_t *lu_policy(void)
{
	return lu_build(lu_builder());
}

/* sandlock_run of an argv given inline. */
#define LU_RUN(p, ...)                                                     \
	({                                                                 \
		const char *_argv[] = { __VA_ARGS__ };                     \
		sandlock_run((p), NULL, _argv,                             \
			     (unsigned)(sizeof(_argv) / sizeof(*_argv)));  \
	})

/* Captured stdout as a string ("" when none); caller frees with free(). */
static inline char *lu_out(const sandlock_result_t *r)
{
	char *s = sandlock_result_stdout(r);
	char *copy = strdup(s ? s : "");

	sandlock_string_free(s);
	return copy;
}

static inline char *lu_err(const sandlock_result_t *r)
{
	char *s = sandlock_result_stderr(r);
	char *copy = strdup(s ? s : "");

	sandlock_string_free(s);
	return copy;
}

/* A private scratch directory under /tmp (removed by lu_rmtree). */
static inline char *lu_scratch(void)
{
	char *d = strdup("/tmp/sandlock-launch-XXXXXX");

	if (d && !mkdtemp(d)) {
		free(d);
		return NULL;
	}
	return d;
}

static inline void lu_rmtree(char *dir)
{
	char cmd[256];

	if (!dir)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "  cannot remove %s\n", dir);
	free(dir);
}

static inline bool lu_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* State letter of a process from /proc/<pid>/stat, 0 when it is gone. */
static inline char lu_proc_state(pid_t pid)
{
	char path[64], buf[512];
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

static inline void lu_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Poll (up to ~20 s, never a timing assertion) until pred(pid) holds. */
static inline bool lu_until(bool (*pred)(pid_t), pid_t pid)
{
	for (int i = 0; i < 2000; i++) {
		if (pred(pid))
			return true;
		lu_sleep_ms(10);
	}
	return pred(pid);
}

static inline bool lu_is_stopped(pid_t pid)
{
	return lu_proc_state(pid) == 'T';
}

static inline bool lu_is_running(pid_t pid)
{
	char s = lu_proc_state(pid);

	return s != 0 && s != 'T' && s != 'Z';
}

/* Gone for good: no such process, or a zombie nobody needs. */
static inline bool lu_is_gone(pid_t pid)
{
	char s = lu_proc_state(pid);

	return s == 0 || s == 'Z' || s == 'X';
}

#endif
