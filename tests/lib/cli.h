/*
 * Running programs outside any sandbox with stdout, stderr and the exit
 * status captured: the built `sandlock` binary for the CLI tests, and the
 * helpers' unconfined control runs.
 *
 * The CLI is $SANDLOCK_CLI (set by tests/run.sh), else <build>/sandlock
 * of this test binary (lib/paths.h).
 */
#ifndef SL_TESTLIB_CLI_H
#define SL_TESTLIB_CLI_H

/* The system headers the CLI tests commonly use. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
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

struct cli_args {
	const char *v[CLI_MAX_ARGS + 1];
	int n;
	bool overflow;
};

struct cli_result {
	int code;  /* exit code, or -1 if killed by a signal */
	int sig;   /* terminating signal, or 0 */
	bool hung; /* killed after CLI_EXEC_DEADLINE_MS */
	char *out; /* captured stdout, NUL-terminated */
	char *err; /* captured stderr, NUL-terminated */
};

/* Extra wiring of one run. */
struct cli_exec_opts {
	int pass_fd;	/* >= 0: give this fd to the program ... */
	int pass_fd_as; /* ... under this number */
	const char *const *extra_env; /* NULL-terminated "K=V" additions */
};

/* Run the program at path with argv (NULL-terminated, argv[0] its name),
 * stdin from /dev/null; fills r. 0, or -errno when it could not start. */
int exec_capture(const char *path, const char *const *argv,
		 const struct cli_exec_opts *o, struct cli_result *r);

void cli_result_free(struct cli_result *r);

/* A growing capture buffer: read what is available from fd (false at EOF
 * or error); take the NUL-terminated text ("" when none, free it). */
struct cli_buf {
	char *data;
	size_t len, cap;
};

bool cli_buf_read(struct cli_buf *b, int fd);
char *cli_buf_take(struct cli_buf *b);

/* argv (NULL-terminated) run directly, outside any sandbox (a control
 * run): its stdout (free it); its stderr is shown. */
char *run_bare(const char *const *argv);

long long cli_now_ms(void);

const char *cli_path(void);

/* Append the NULL-terminated arguments. */
void cli_args_add(struct cli_args *a, ...) __attribute__((sentinel));

/* "-r DIR" for each system directory (lib/policy.h) present here. */
void cli_args_add_system(struct cli_args *a);

/* In a forked child: stdin from /dev/null, stdout and stderr to out_w
 * and err_w, the wiring o (may be NULL), then exec the CLI at path with
 * a->v as its arguments. Does not return. */
void cli_exec_child(const char *path, const struct cli_args *a, int out_w,
		    int err_w, const struct cli_exec_opts *o)
	__attribute__((noreturn));

/* Run the CLI with a->v as its arguments (after the program name). */
int cli_exec_with(struct cli_result *r, const struct cli_args *a,
		  const struct cli_exec_opts *o);
int cli_exec(struct cli_result *r, const struct cli_args *a);

/* Convenience: run with a literal argument list. */
#define CLI_RUN(r, ...)                                      \
	({                                                   \
		struct cli_args _cli_args = { .n = 0 };      \
		cli_args_add(&_cli_args, __VA_ARGS__, NULL); \
		cli_exec((r), &_cli_args);                   \
	})

/* Run "sandlock run <system grants> ARGS..." with extra wiring o (may be
 * NULL); ARGS hold the flags under test, "--" and the command. */
#define CLI_RUN_SANDBOXED(r, o, ...)                         \
	({                                                   \
		struct cli_args _cli_args = { .n = 0 };      \
		cli_args_add(&_cli_args, "run", NULL);       \
		cli_args_add_system(&_cli_args);             \
		cli_args_add(&_cli_args, __VA_ARGS__, NULL); \
		cli_exec_with((r), &_cli_args, (o));         \
	})

/* Assert the exit code, printing the CLI's stderr when it differs. */
#define CHECK_EXIT(r, expected)                                          \
	do {                                                             \
		if ((r)->hung)                                           \
			FAIL("sandlock did not finish within %d ms",     \
			     CLI_EXEC_DEADLINE_MS);                      \
		if ((r)->code != (expected))                             \
			FAIL("exit code %d (signal %d), expected %d; "   \
			     "stderr: %s",                               \
			     (r)->code, (r)->sig, (expected), (r)->err); \
	} while (0)

#endif
