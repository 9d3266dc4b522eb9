#include "lib/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/paths.h"
#include "lib/policy.h"

const char *cli_path(void)
{
	static char path[PATH_MAX];
	const char *env = getenv("SANDLOCK_CLI");
	const char *build;

	if (env && *env)
		return env;
	if (path[0])
		return path;
	build = build_dir();
	if (!build || (size_t)snprintf(path, sizeof(path), "%s/sandlock",
				       build) >= sizeof(path))
		return path[0] = '\0', "sandlock";
	return path;
}

void cli_args_add(struct cli_args *a, ...)
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

void cli_args_add_system(struct cli_args *a)
{
	for (int i = 0; sys_dirs[i]; i++)
		if (sys_dir_present(sys_dirs[i]))
			cli_args_add(a, "-r", sys_dirs[i], NULL);
}

void cli_result_free(struct cli_result *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

bool cli_buf_read(struct cli_buf *b, int fd)
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

char *cli_buf_take(struct cli_buf *b)
{
	return b->data ? b->data : strdup("");
}

long long cli_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the forked child: wire fds and exec. */
__attribute__((noreturn)) static void exec_child(const char *path,
						 const char *const *argv,
						 int out_w, int err_w,
						 const struct cli_exec_opts *o)
{
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

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
	execv(path, (char *const *)argv);
	_exit(126);
}

int exec_capture(const char *path, const char *const *argv,
		 const struct cli_exec_opts *o, struct cli_result *r)
{
	struct cli_buf out = { 0 }, err = { 0 };
	int po[2], pe[2], status = 0;
	long long deadline = cli_now_ms() + CLI_EXEC_DEADLINE_MS;
	bool out_open = true, err_open = true;
	pid_t pid;

	memset(r, 0, sizeof(*r));
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
		exec_child(path, argv, po[1], pe[1], o);
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

/* "sandlock" and a->v, NULL-terminated, into argv. */
static void cli_argv(const char **argv, const struct cli_args *a)
{
	argv[0] = "sandlock";
	for (int i = 0; i <= a->n; i++)
		argv[i + 1] = a->v[i];
}

void cli_exec_child(const char *path, const struct cli_args *a, int out_w,
		    int err_w, const struct cli_exec_opts *o)
{
	const char *argv[CLI_MAX_ARGS + 2];

	cli_argv(argv, a);
	exec_child(path, argv, out_w, err_w, o);
}

int cli_exec_with(struct cli_result *r, const struct cli_args *a,
		  const struct cli_exec_opts *o)
{
	const char *argv[CLI_MAX_ARGS + 2];

	if (a->overflow) {
		memset(r, 0, sizeof(*r));
		return -E2BIG;
	}
	cli_argv(argv, a);
	return exec_capture(cli_path(), argv, o, r);
}

int cli_exec(struct cli_result *r, const struct cli_args *a)
{
	return cli_exec_with(r, a, NULL);
}

char *run_bare(const char *const *argv)
{
	struct cli_result r;
	char *out;

	if (exec_capture(argv[0], argv, NULL, &r) < 0)
		return strdup("");
	if (r.err[0])
		fputs(r.err, stderr);
	out = r.out;
	r.out = NULL;
	cli_result_free(&r);
	return out;
}
