/*
 * `sandlock run`: parse, build the policy, run the command with inherited
 * stdio, and turn its end into the tool's exit code (behavior.md 14.4).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "forward.h"
#include "policy/policy.h"
#include "run_args.h"
#include "run_policy.h"
#include "sandlock.h"
#include "util/error.h"

/* The command to run: -e wins over a trailing command (14.2). */
struct command {
	const char *const *argv;
	unsigned argc;
	const char *shell[3];
};

static int select_command(const struct cli_run_args *a, struct command *c)
{
	if (a->exec_shell) {
		c->shell[0] = "/bin/sh";
		c->shell[1] = "-c";
		c->shell[2] = a->exec_shell;
		c->argv = c->shell;
		c->argc = 3;
		return 0;
	}
	if (a->ncmd == 0)
		return cli_fail("no command specified (no trailing command and "
				"no [program].exec in profile)");
	if (a->ncmd > UINT32_MAX)
		return cli_fail("too many command arguments");
	c->argv = (const char *const *)a->cmd;
	c->argc = (unsigned)a->ncmd;
	return 0;
}

/* Everything that can be refused before a policy is built. */
static int check_tool_options(const struct cli_run_args *a)
{
	struct sl_error e = { 0 };

	if (a->unsupported)
		return cli_fail("--%s is not supported yet", a->unsupported);
	if (a->name && sl_name_validate(a->name, &e) < 0) {
		int r = cli_fail("%s", e.msg ? e.msg : "invalid sandbox name");

		sl_error_clear(&e);
		return r;
	}
	/* Refuse a bad status fd now rather than after the command ran. */
	if (a->has_status_fd && fcntl(a->status_fd, F_GETFD) < 0)
		return cli_fail("--status-fd %d: %s", a->status_fd,
				strerror(errno));
	return 0;
}

static void write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "sandlock: cannot write --status-fd: "
					"%s\n", strerror(n < 0 ? errno : EIO));
			return;
		}
		s += n;
		len -= (size_t)n;
	}
}

/* One JSON line; the fd stays open (it is the caller's). */
static void write_status(int fd, const sandlock_result_t *r)
{
	char line[64];
	int n;

	switch (sandlock_result_reason(r)) {
	case SANDLOCK_EXIT_REASON_EXITED:
		n = snprintf(line, sizeof(line), "{\"exit_code\":%d}\n",
			     sandlock_result_exit_code(r));
		break;
	case SANDLOCK_EXIT_REASON_SIGNALED:
		n = snprintf(line, sizeof(line),
			     "{\"exit_code\":-1,\"signal\":%d}\n",
			     sandlock_result_signal(r));
		break;
	default:
		n = snprintf(line, sizeof(line), "{\"exit_code\":-1}\n");
		break;
	}
	if (n > 0 && (size_t)n < sizeof(line))
		write_all(fd, line, (size_t)n);
}

static int exit_code_of(const sandlock_result_t *r)
{
	if (sandlock_result_reason(r) == SANDLOCK_EXIT_REASON_EXITED)
		return sandlock_result_exit_code(r);
	return CLI_EXIT_FAILURE; /* signaled or killed */
}

static uint64_t timeout_ms(const struct cli_run_args *a)
{
	if (!a->has_timeout)
		return 0;
	if (a->timeout_secs > UINT64_MAX / 1000)
		return UINT64_MAX;
	return a->timeout_secs * 1000;
}

/* Run the command under a built policy; returns the exit code. */
static int run_sandboxed(const struct cli_run_args *a,
			 const sandlock_sandbox_t *policy,
			 const struct command *c)
{
	sandlock_handle_t *h;
	sandlock_result_t *r;
	int code;

	/* Nothing buffered may be written twice or after the command's
	 * output. */
	fflush(NULL);
	cli_forward_begin();
	/* Inherited stdio: the library hands the terminal to the command
	 * when the tool has it, and takes it back when the command ends. */
	h = sandlock_popen(policy, a->name, c->argv, c->argc,
			   SANDLOCK_STDIO_INHERIT, SANDLOCK_STDIO_INHERIT,
			   SANDLOCK_STDIO_INHERIT, NULL, NULL, NULL);
	if (!h) {
		/* The library has said why on stderr. The sandbox could not
		 * be set up (missing grant, chdir, confinement): 127 as for
		 * any failure before exec (behavior.md 14.4). */
		cli_forward_end();
		return 127;
	}
	cli_forward_to(sandlock_handle_pid(h));
	r = sandlock_handle_wait_timeout(h, timeout_ms(a));

	if (!r) {
		code = cli_fail("failed to wait for the sandbox");
	} else if (sandlock_result_reason(r) == SANDLOCK_EXIT_REASON_TIMEOUT) {
		fprintf(stderr, "sandlock: timeout after %" PRIu64 "s\n",
			a->timeout_secs);
		code = CLI_EXIT_TIMEOUT;
	} else {
		if (a->has_status_fd)
			write_status(a->status_fd, r);
		code = exit_code_of(r);
	}
	sandlock_result_free(r);
	/* Kills and reaps whatever is left of the process group. */
	sandlock_handle_free(h);
	cli_forward_end();
	return code;
}

int cli_run_main(int argc, char **argv)
{
	struct cli_run_args a;
	struct command c = { 0 };
	sandlock_sandbox_t *policy = NULL;
	int code;

	code = cli_run_args_parse(argc, argv, &a);
	if (code == 0 && a.help) {
		cli_usage_run(stdout);
	} else if (code == 0 && !(code = check_tool_options(&a)) &&
		   !(code = select_command(&a, &c)) &&
		   !(code = cli_build_policy(&a, &policy))) {
		code = run_sandboxed(&a, policy, &c);
		sandlock_sandbox_free(policy);
	}
	cli_run_args_free(&a);
	return code;
}
