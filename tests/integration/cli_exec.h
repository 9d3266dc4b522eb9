/*
 * Driving the built `sandlock` binary from the CLI tests: find it, run it
 * with a given argv, capture stdout, stderr and the exit status, and make
 * private scratch directories. Header-only because every test file is its
 * own program.
 *
 * The binary is $SANDLOCK_CLI (set by tests/run.sh), else ../../sandlock
 * next to this test binary ($BUILD/tests/integration/ -> $BUILD/sandlock).
 */
#ifndef SL_TEST_CLI_EXEC_H
#define SL_TEST_CLI_EXEC_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A run that takes longer than this is a hang: kill it and fail. */
#define CLI_EXEC_DEADLINE_MS 120000
#define CLI_MAX_ARGS 96
#define CLI_NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct cli_args {
	const char *v[CLI_MAX_ARGS + 1];
	int n;
	bool overflow;
};

struct cli_result {
	int code;      /* exit code, or -1 if killed by a signal */
	int sig;       /* terminating signal, or 0 */
	bool hung;     /* killed after CLI_EXEC_DEADLINE_MS */
	char *out;     /* captured stdout, NUL-terminated */
	char *err;     /* captured stderr, NUL-terminated */
};

/* Extra wiring of one run. */
struct cli_exec_opts {
	int pass_fd;        /* >= 0: give this fd to the CLI ... */
	int pass_fd_as;     /* ... under this number */
	const char *const *extra_env; /* NULL-terminated "K=V" additions */
};

static inline const char *cli_path(void)
{
	static char path[PATH_MAX];
	const char *env = getenv("SANDLOCK_CLI");
	ssize_t n;
	char *slash;

	if (env && *env)
		return env;
	if (path[0])
		return path;
	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0)
		return "sandlock";
	path[n] = '\0';
	slash = strrchr(path, '/');
	if (!slash || (size_t)(slash - path) + sizeof("/../../sandlock") >
			      sizeof(path))
		return "sandlock";
	strcpy(slash, "/../../sandlock");
	return path;
}

static inline void cli_args_add(struct cli_args *a, ...)
{
	va_list ap;
	const char *s;

	va_start(ap, a);
	while ((s = va_arg(ap, const char *))) {
		if (a->n >= CLI_MAX_ARGS) {
			a->overflow = true;
			break;
		}
		a->v[a->n++] = s;
	}
	va_end(ap);
	a->v[a->n] = NULL;
}

/* "-r DIR" for each system directory a dynamically linked program needs,
 * skipping those this machine does not have (a missing grant is fatal). */
static inline void cli_args_add_system(struct cli_args *a)
{
	static const char *const dirs[] = { "/usr", "/lib", "/lib64", "/bin",
					    "/sbin", "/etc" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (access(dirs[i], F_OK) == 0)
			cli_args_add(a, "-r", dirs[i], NULL);
}

static inline void cli_result_free(struct cli_result *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

struct cli_buf {
	char *data;
	size_t len, cap;
};

/* Read what is available; returns false at EOF or error. */
static inline bool cli_buf_read(struct cli_buf *b, int fd)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0)
		return false;
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 8192) + (size_t)n;
		char *d = realloc(b->data, cap);

		if (!d)
			return false;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, chunk, (size_t)n);
	b->len += (size_t)n;
	b->data[b->len] = '\0';
	return true;
}

static inline char *cli_buf_take(struct cli_buf *b)
{
	return b->data ? b->data : strdup("");
}

static inline long long cli_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the forked child: wire fds and exec the CLI. */
static inline void cli_exec_child(const char *path, const struct cli_args *a,
				  int out_w, int err_w,
				  const struct cli_exec_opts *o)
{
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	const char *argv[CLI_MAX_ARGS + 2];

	if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out_w, 1) < 0 ||
	    dup2(err_w, 2) < 0)
		_exit(126);
	if (o && o->pass_fd >= 0) {
		if (o->pass_fd == o->pass_fd_as) {
			if (fcntl(o->pass_fd, F_SETFD, 0) < 0)
				_exit(126);
		} else if (dup2(o->pass_fd, o->pass_fd_as) < 0) {
			_exit(126);
		}
	}
	if (o && o->extra_env)
		for (size_t i = 0; o->extra_env[i]; i++)
			putenv((char *)o->extra_env[i]);
	argv[0] = "sandlock";
	for (int i = 0; i <= a->n; i++)
		argv[i + 1] = a->v[i];
	execv(path, (char *const *)argv);
	_exit(126);
}

/* Run the CLI with a->v as its arguments (after the program name). */
static inline int cli_exec_with(struct cli_result *r, const struct cli_args *a,
				const struct cli_exec_opts *o)
{
	const char *path = cli_path();
	struct cli_buf out = { 0 }, err = { 0 };
	int po[2], pe[2], status = 0;
	long long deadline = cli_now_ms() + CLI_EXEC_DEADLINE_MS;
	bool out_open = true, err_open = true;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (a->overflow)
		return -E2BIG;
	if (pipe2(po, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(pe, O_CLOEXEC) < 0) {
		close(po[0]);
		close(po[1]);
		return -errno;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		cli_exec_child(path, a, po[1], pe[1], o);
	close(po[1]);
	close(pe[1]);
	if (pid < 0) {
		close(po[0]);
		close(pe[0]);
		return -errno;
	}
	while (out_open || err_open) {
		struct pollfd p[2] = { { out_open ? po[0] : -1, POLLIN, 0 },
				       { err_open ? pe[0] : -1, POLLIN, 0 } };
		long long left = deadline - cli_now_ms();
		int n;

		if (left <= 0) {
			r->hung = true;
			kill(pid, SIGKILL);
			break;
		}
		n = poll(p, 2, (int)(left > 1000 ? 1000 : left));
		if (n < 0 && errno != EINTR)
			break;
		if (n <= 0)
			continue;
		if (p[0].revents && !cli_buf_read(&out, po[0]))
			out_open = false;
		if (p[1].revents && !cli_buf_read(&err, pe[0]))
			err_open = false;
	}
	close(po[0]);
	close(pe[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	r->out = cli_buf_take(&out);
	r->err = cli_buf_take(&err);
	if (WIFEXITED(status)) {
		r->code = WEXITSTATUS(status);
	} else {
		r->code = -1;
		r->sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	}
	return 0;
}

static inline int cli_exec(struct cli_result *r, const struct cli_args *a)
{
	return cli_exec_with(r, a, NULL);
}

/* Convenience: run with a literal argument list. */
#define CLI_RUN(r, ...)                                                   \
	({                                                                \
		struct cli_args _cli_args = { .n = 0 };                   \
		cli_args_add(&_cli_args, __VA_ARGS__, NULL);              \
		cli_exec((r), &_cli_args);                                \
	})

/* Run "sandlock run <system grants> ARGS..." with extra wiring o (may be
 * NULL); ARGS hold the flags under test, "--" and the command. */
#define CLI_RUN_SANDBOXED(r, o, ...)                                      \
	({                                                                \
		struct cli_args _cli_args = { .n = 0 };                   \
		cli_args_add(&_cli_args, "run", NULL);                    \
		cli_args_add_system(&_cli_args);                          \
		cli_args_add(&_cli_args, __VA_ARGS__, NULL);              \
		cli_exec_with((r), &_cli_args, (o));                      \
	})

/* Assert the exit code, printing the CLI's stderr when it differs. */
#define CHECK_EXIT(r, expected)                                           \
	do {                                                              \
		if ((r)->hung)                                            \
			FAIL("sandlock did not finish within %d ms",      \
			     CLI_EXEC_DEADLINE_MS);                       \
		if ((r)->code != (expected))                              \
			FAIL("exit code %d (signal %d), expected %d; "    \
			     "stderr: %s", (r)->code, (r)->sig,           \
			     (expected), (r)->err);                       \
	} while (0)

/* ---- scratch directories -------------------------------------------- */

static inline int cli_rm_entry(const char *path, const struct stat *st,
			       int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* Scratch directories still present; a failed CHECK leaves its test
 * early, so whatever it did not remove is removed at exit. */
#define CLI_MAX_SCRATCH 64
static char *cli_scratch_live[CLI_MAX_SCRATCH];

static inline void cli_scratch_forget(const char *dir)
{
	for (int i = 0; i < CLI_MAX_SCRATCH; i++)
		if (cli_scratch_live[i] == dir)
			cli_scratch_live[i] = NULL;
}

__attribute__((destructor)) static inline void cli_scratch_remove_all(void)
{
	for (int i = 0; i < CLI_MAX_SCRATCH; i++) {
		if (cli_scratch_live[i])
			nftw(cli_scratch_live[i], cli_rm_entry, 16,
			     FTW_DEPTH | FTW_PHYS);
		free(cli_scratch_live[i]);
		cli_scratch_live[i] = NULL;
	}
}

/* A private directory under /tmp, removed by cli_scratch_remove. */
static inline char *cli_scratch_new(void)
{
	char *dir = strdup("/tmp/sandlock-cli-test-XXXXXX");

	if (dir && !mkdtemp(dir)) {
		free(dir);
		return NULL;
	}
	for (int i = 0; dir && i < CLI_MAX_SCRATCH; i++) {
		if (!cli_scratch_live[i]) {
			cli_scratch_live[i] = dir;
			break;
		}
	}
	return dir;
}

static inline void cli_scratch_remove(char *dir)
{
	if (dir) {
		cli_scratch_forget(dir);
		nftw(dir, cli_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	free(dir);
}

/* path = dir/name, malloc'd. */
static inline char *cli_join(const char *dir, const char *name)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return NULL;
	return p;
}

static inline bool cli_write_file(const char *path, const char *content)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(content);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, content, len) == (ssize_t)len;
	return close(fd) == 0 && ok;
}

static inline bool cli_write_file_in(const char *dir, const char *name,
				     const char *content)
{
	char *path = cli_join(dir, name);
	bool ok = path && cli_write_file(path, content);

	free(path);
	return ok;
}

/* Does dir/name hold exactly content (NULL: does it exist at all)? */
static inline bool cli_file_is(const char *dir, const char *name,
			       const char *content)
{
	char *path = cli_join(dir, name);
	char buf[4096];
	ssize_t n = -1;
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;

	free(path);
	if (fd < 0)
		return false;
	if (content)
		n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (!content)
		return true;
	if (n < 0)
		return false;
	buf[n] = '\0';
	return strcmp(buf, content) == 0;
}

/* Has dir no entry (or is it missing)? */
static inline bool cli_dir_is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool empty = true;

	if (!d)
		return errno == ENOENT;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

#endif
