/*
 * `sandlock run`: parse, build the policy, run the command with inherited
 * stdio, and turn its end into the tool's exit code (docs/behaviour.md 14.4).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "abi/tool.h"
#include "cli.h"
#include "dry_run.h"
#include "explain.h"
#include "forward.h"
#include "run_options.h"
#include "run_args.h"
#include "run_policy.h"
#include "sandlock_ext.h"
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
		return cli_fail("no command specified: give it after the "
				"flags, e.g. sandlock run -r /usr -- ls");
	if (a->ncmd > UINT32_MAX)
		return cli_fail("too many command arguments");
	c->argv = (const char *const *)a->cmd;
	c->argc = (unsigned)a->ncmd;
	return 0;
}

static bool has_option(const struct cli_run_args *a, int id)
{
	for (size_t i = 0; i < a->nopts; i++)
		if (a->opts[i].id == id)
			return true;
	return false;
}

/* Everything that can be refused before a policy is built. */
static int check_tool_options(const struct cli_run_args *a)
{
	struct sl_error e = { 0 };

	if (a->unsupported)
		return cli_fail("--%s is not supported yet", a->unsupported);
	/* A tool flag of a feature that is not built: refused by name. */
	if (a->dry_run && cli_opt_unsupported(cli_run_opt_spec(OPT_DRY_RUN)))
		return cli_fail("--dry-run is not supported yet");
	if (a->dry_run && !has_option(a, OPT_WORKDIR))
		return cli_fail("--dry-run requires --workdir");
	if (a->name && sl_tool_name_validate(a->name, &e) < 0) {
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
			fprintf(stderr,
				"sandlock: cannot write --status-fd: "
				"%s\n",
				strerror(n < 0 ? errno : EIO));
			return;
		}
		s += n;
		len -= (size_t)n;
	}
}

/* The extra member of the status line for a cause, or "". */
static const char *cause_json(uint32_t cause)
{
	switch (cause) {
	case SANDLOCK_EXIT_CAUSE_MEMORY_LIMIT:
		return ",\"cause\":\"memory_limit\"";
	case SANDLOCK_EXIT_CAUSE_STATUS_LOST:
		return ",\"cause\":\"status_lost\"";
	default:
		return "";
	}
}

/* One JSON line; the fd stays open (it is the caller's). */
static void write_status(int fd, const struct sl_tool_status *st)
{
	const char *cause = cause_json(st->cause);
	char line[128];
	int n;

	switch (st->reason) {
	case SANDLOCK_EXIT_REASON_EXITED:
		n = snprintf(line, sizeof(line), "{\"exit_code\":%d%s}\n",
			     st->code, cause);
		break;
	case SANDLOCK_EXIT_REASON_SIGNALED:
		n = snprintf(line, sizeof(line),
			     "{\"exit_code\":-1,\"signal\":%d%s}\n", st->signal,
			     cause);
		break;
	default:
		n = snprintf(line, sizeof(line), "{\"exit_code\":-1%s}\n",
			     cause);
		break;
	}
	if (n > 0 && (size_t)n < sizeof(line))
		write_all(fd, line, (size_t)n);
}

/* The -m value as given (the last one wins), for messages. */
static const char *memory_limit_text(const struct cli_run_args *a)
{
	const char *text = "?";

	for (size_t i = 0; i < a->nopts; i++)
		if (a->opts[i].id == OPT_MAX_MEMORY && a->opts[i].arg)
			text = a->opts[i].arg;
	return text;
}

/* Say why the sandbox was killed when the reason alone does not. */
static void report_cause(const struct cli_run_args *a,
			 const struct sl_tool_status *st)
{
	if (st->cause == SANDLOCK_EXIT_CAUSE_MEMORY_LIMIT)
		fprintf(stderr, "sandlock: killed: memory limit %s exceeded\n",
			memory_limit_text(a));
	else if (st->cause == SANDLOCK_EXIT_CAUSE_STATUS_LOST)
		fprintf(stderr, "sandlock: the sandbox's exit status was "
				"lost\n");
}

/* Forwarded signals reach every process of the sandbox through the run
 * (cli_forward_pending runs on this thread after the handler). */
static void forward_now(void *arg)
{
	int sig = cli_forward_take();

	if (sig)
		(void)sl_tool_run_signal(arg, sig);
}

static int exit_code_of(const struct sl_tool_status *st)
{
	if (st->reason == SANDLOCK_EXIT_REASON_EXITED)
		return st->code;
	return CLI_EXIT_FAILURE; /* signaled or killed */
}

/* The run and the workdir's branch, before anything runs: a bad workdir
 * or storage is a configuration error. */
static int begin_run(const struct cli_run_args *a,
		     const sandlock_sandbox_t *policy, struct sl_tool_run **t)
{
	struct sl_error e = { 0 };
	int r = 0;

	if (sl_tool_run_new(policy, a->dry_run, t, &e) < 0)
		r = cli_fail("%s", e.msg ? e.msg :
					   "cannot create the "
					   "copy-on-write branch");
	sl_error_clear(&e);
	return r;
}

static uint64_t timeout_ms(const struct cli_run_args *a)
{
	if (!a->has_timeout)
		return 0;
	if (a->timeout_secs > UINT64_MAX / 1000)
		return UINT64_MAX;
	return a->timeout_secs * 1000;
}

/* Run the command under a built policy; returns the exit code.
 *
 * A one-shot run through the tool's interface (abi/tool.h) rather than
 * sandlock_popen(): the supervisor is served inside the wait, on this
 * thread, instead of on a helper thread the tool would only wait for.
 * That saves creating and joining the thread and the wake-ups passed
 * between the two. Forwarded signals interrupt the wait's epoll_pwait
 * (the only place the run lets handlers run); the run then calls
 * forward_now on this thread. */
static int run_sandboxed(const struct cli_run_args *a,
			 const sandlock_sandbox_t *policy,
			 const struct command *c)
{
	const struct sl_tool_change *changes;
	struct sl_tool_status st;
	struct sl_tool_run *t;
	struct sl_error e = { 0 };
	long nchanges;
	bool waited;
	int code;

	if ((code = begin_run(a, policy, &t)))
		return code;
	/* Nothing buffered may be written twice or after the command's
	 * output. */
	fflush(NULL);
	cli_forward_begin();
	/* Inherited stdio: the library hands the terminal to the command
	 * when the tool has it, and takes it back when the command ends. */
	if (sl_tool_run_start(t, a->name, c->argv, c->argc, &e) < 0) {
		/* The sandbox could not be set up (missing grant, chdir,
		 * confinement): 127 as for any failure before exec
		 * (docs/behaviour.md 14.4). A step of the child that failed
		 * has said why on our shared stderr already. */
		if (!e.reported)
			fprintf(stderr, "sandlock: %s\n",
				e.msg ? e.msg : "cannot create the sandbox");
		sl_error_clear(&e);
		cli_forward_end();
		sl_tool_run_free(t);
		return 127;
	}
	/* Ctrl-Z: the sandbox stops, so do we; fg continues both. */
	sl_tool_run_set_job_control(t, true);
	sl_tool_run_set_interrupt(t, forward_now, t);
	forward_now(t); /* a signal that came during the start */

	waited = sl_tool_run_wait(t, timeout_ms(a), &st) == 0;
	if (!waited) {
		code = cli_fail("failed to wait for the sandbox");
	} else if (st.reason == SANDLOCK_EXIT_REASON_TIMEOUT) {
		fprintf(stderr, "sandlock: timeout after %" PRIu64 "s\n",
			a->timeout_secs);
		code = CLI_EXIT_TIMEOUT;
	} else {
		report_cause(a, &st);
		if (a->has_status_fd)
			write_status(a->status_fd, &st);
		code = exit_code_of(&st);
	}
	/* Kills whatever is left of the sandbox, in any group. */
	sl_tool_run_stop(t);
	cli_forward_end();
	/* Then the branch: commit, abort or keep as the outcome says (a
	 * failure is reported; a successful command whose changes could not
	 * be committed is a failure of the tool). */
	if (sl_tool_run_end(t, &e) < 0) {
		fprintf(stderr, "sandlock: %s\n",
			e.msg ? e.msg :
				"copy-on-write: the branch could not be "
				"finished");
		sl_error_clear(&e);
		if (code == 0)
			code = CLI_EXIT_FAILURE;
	}
	nchanges = sl_tool_run_changes(t, &changes);
	if (nchanges >= 0)
		cli_print_changes(stderr, changes, (size_t)nchanges);
	sl_tool_run_free(t);
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
		/* Before launching, only what one stat settles; the whole
		 * diagnosis once a start has failed (explain.h). */
		code = cli_explain_start(policy, c.argv, c.argc, false);
		if (!code) {
			code = run_sandboxed(&a, policy, &c);
			if (code == 127)
				cli_explain_start(policy, c.argv, c.argc, true);
		}
		sandlock_sandbox_free(policy);
	}
	cli_run_args_free(&a);
	return code;
}
