/* Live handles (docs/abi.md 3.15). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abi/handle.h"
#include "abi/lasterr.h"
#include "cow/cow.h"
#include "sandlock_ext.h"
#include "handlers/user.h"

int sl_abi_check_launch(const sandlock_sandbox_t *policy,
			const char *const *argv, unsigned int argc,
			struct sl_error *e)
{
	if (!sl_from_abi(policy))
		return sl_err(e, EINVAL,
			      "invalid argument: not a built policy");
	if (!argv || argc == 0)
		return sl_err(e, EINVAL, "empty command");
	return 0;
}

struct sl_run *sl_abi_run_create(const sandlock_sandbox_t *policy,
				 const char *name, const char *const *argv,
				 unsigned int argc, const uint8_t stdio[3],
				 bool start, bool own_thread, int pipe_fds[3],
				 struct sl_cow_run *cow, struct sl_error *e)
{
	return sl_abi_run_create_ext(policy, name, argv, argc, stdio, start,
				     own_thread, pipe_fds, cow, NULL, e);
}

struct sl_run *sl_abi_run_create_ext(const sandlock_sandbox_t *policy,
				     const char *name, const char *const *argv,
				     unsigned int argc, const uint8_t stdio[3],
				     bool start, bool own_thread,
				     int pipe_fds[3], struct sl_cow_run *cow,
				     const struct sl_modlist *extra,
				     struct sl_error *e)
{
	struct sl_sandbox *sb = sl_from_abi(policy);
	struct sl_run_opts o = {
		.name = name,
		.argv = argv,
		.argc = argc,
		.stdio = { stdio[0], stdio[1], stdio[2] },
		.start = start,
		.own_thread = own_thread,
		.cow = cow ? cow->branch : NULL,
		.extra = extra,
	};
	struct sl_run *r = NULL;

	if (sl_abi_check_launch(policy, argv, argc, e) < 0)
		return NULL;
	if (sl_run_create(sb, &o, &r, pipe_fds, e) < 0) {
		if (!e->code)
			sl_err(e, EIO, "cannot create the sandbox");
		return NULL;
	}
	return r;
}

sandlock_handle_t *sl_abi_handle_open(const sandlock_sandbox_t *policy,
				      const char *name, const char *const *argv,
				      unsigned int argc, const uint8_t stdio[3],
				      bool start, bool own_thread,
				      int pipe_fds[3],
				      const struct sl_modlist *extra)
{
	struct sl_error e = { 0 };
	sandlock_handle_t *h;

	if (sl_abi_check_launch(policy, argv, argc, &e) < 0) {
		sl_abi_fail_err(&e, NULL);
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		sl_abi_fail(ENOMEM, "out of memory");
		return NULL;
	}
	if (sl_abi_cow_begin(policy, false, &h->cow, &e) < 0) {
		sl_abi_fail_err(&e, NULL);
		free(h);
		return NULL;
	}
	h->run = sl_abi_run_create_ext(policy, name, argv, argc, stdio, start,
				       own_thread, pipe_fds, h->cow, extra, &e);
	if (!h->run) {
		sl_abi_fail_err(&e, NULL);
		sl_cow_run_discard(h->cow);
		free(h);
		return NULL;
	}
	return h;
}

const uint8_t sl_abi_capture_stdio[3] = { SL_STDIO_INHERIT, SL_STDIO_CAPTURE,
					  SL_STDIO_CAPTURE };

SL_EXPORT sandlock_handle_t *sandlock_create(const sandlock_sandbox_t *policy,
					     const char *name,
					     const char *const *argv,
					     unsigned int argc)
{
	sl_abi_reset();
	return sl_abi_handle_open(policy, name, argv, argc,
				  sl_abi_capture_stdio, false, true, NULL,
				  NULL);
}

/* Serviced only inside calls on the handle (the wait): no thread. */
SL_EXPORT sandlock_handle_t *
sandlock_create_for_run(const sandlock_sandbox_t *policy, const char *name,
			const char *const *argv, unsigned int argc)
{
	sl_abi_reset();
	return sl_abi_handle_open(policy, name, argv, argc,
				  sl_abi_capture_stdio, false, false, NULL,
				  NULL);
}

SL_EXPORT sandlock_handle_t *
sandlock_popen(const sandlock_sandbox_t *policy, const char *name,
	       const char *const *argv, unsigned int argc, uint32_t stdin_mode,
	       uint32_t stdout_mode, uint32_t stderr_mode, int *out_stdin_fd,
	       int *out_stdout_fd, int *out_stderr_fd)
{
	int *outs[3] = { out_stdin_fd, out_stdout_fd, out_stderr_fd };
	uint32_t modes[3] = { stdin_mode, stdout_mode, stderr_mode };
	uint8_t stdio[3];
	int fds[3] = { -1, -1, -1 };
	sandlock_handle_t *h;

	sl_abi_reset();
	for (int i = 0; i < 3; i++)
		if (outs[i])
			*outs[i] = -1;
	for (int i = 0; i < 3; i++) {
		/* The ABI's 0, 1, 2 are SL_STDIO_INHERIT, PIPED, NULL. */
		if (modes[i] > SANDLOCK_STDIO_NULL) {
			sl_abi_fail(EINVAL, "invalid stdio mode %u", modes[i]);
			return NULL;
		}
		stdio[i] = (uint8_t)modes[i];
	}
	h = sl_abi_handle_open(policy, name, argv, argc, stdio, true, true, fds,
			       NULL);
	for (int i = 0; i < 3; i++) {
		if (fds[i] < 0)
			continue;
		if (h && outs[i])
			*outs[i] = fds[i];
		else
			close(fds[i]);
	}
	return h;
}

SL_EXPORT int sandlock_start(sandlock_handle_t *h)
{
	sl_abi_reset();
	if (!h)
		return sl_abi_bad_arg("NULL handle");
	if (sl_run_start(h->run) < 0)
		return sl_abi_fail(EALREADY, "the sandbox was started already");
	return 0;
}

SL_EXPORT int32_t sandlock_handle_pid(const sandlock_handle_t *h)
{
	return h ? (int32_t)sl_run_pid(h->run) : 0;
}

/* Every process of the sandbox, whatever its group or session. */
static int signal_all(sandlock_handle_t *h, int sig)
{
	int rc;

	sl_abi_reset();
	if (!h || !h->run)
		return sl_abi_bad_arg("NULL handle");
	rc = sl_run_signal(h->run, sig);
	if (rc < 0)
		return sl_abi_fail(-rc, "cannot signal the sandbox: %s",
				   strerror(-rc));
	return 0;
}

SL_EXPORT int sandlock_handle_kill(sandlock_handle_t *h)
{
	return signal_all(h, SIGKILL);
}

SL_EXPORT int sandlock_handle_pause(sandlock_handle_t *h)
{
	return signal_all(h, SIGSTOP);
}

SL_EXPORT int sandlock_handle_resume(sandlock_handle_t *h)
{
	return signal_all(h, SIGCONT);
}

SL_EXPORT sandlock_result_t *sandlock_handle_wait_timeout(sandlock_handle_t *h,
							  uint64_t timeout_ms)
{
	struct sl_status st;
	struct sl_capture cap;
	sandlock_result_t *res;
	int rc;

	sl_abi_reset();
	if (!h) {
		sl_abi_bad_arg("NULL handle");
		return NULL;
	}
	rc = sl_run_wait(h->run, timeout_ms, &st, &cap);
	if (rc == -EBUSY) {
		sl_abi_fail(EBUSY, "another thread is already waiting on this "
				   "handle");
		return NULL;
	}
	if (rc < 0) {
		sl_abi_fail(-rc, "wait failed: %s", strerror(-rc));
		return NULL;
	}
	/* The branch's action follows the last end seen (a timeout, or the
	 * real end a later wait reports). */
	h->waited = true;
	h->status = st;
	res = sl_abi_result_new(&st, &cap);
	if (!res)
		sl_abi_fail(ENOMEM, "out of memory");
	return res;
}

SL_EXPORT sandlock_result_t *sandlock_handle_wait(sandlock_handle_t *h)
{
	return sandlock_handle_wait_timeout(h, 0);
}

SL_EXPORT char *sandlock_handle_port_mappings(const sandlock_handle_t *h)
{
	if (!h || !h->run)
		return NULL;
	return sl_run_port_mappings(h->run);
}

SL_EXPORT void sandlock_handle_free(sandlock_handle_t *h)
{
	struct sl_error e = { 0 };

	if (!h)
		return;
	sl_run_free(h->run);
	/* Only now is nothing of the run left to write into the branch. A
	 * failure to finish it is this call's only way to fail. */
	sl_abi_reset();
	if (sl_abi_cow_end(h->cow, h->waited ? &h->status : NULL, NULL, &e) < 0)
		sl_abi_fail_err(&e, NULL);
	sl_user_handlers_free(h->handlers);
	free(h);
}
