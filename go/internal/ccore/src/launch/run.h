/*
 * One live sandboxed process and its supervisor (sandlock_handle_t wraps
 * this). Internal API used by the ABI layer (the CLI reaches it through
 * abi/tool.h).
 */
#ifndef SL_LAUNCH_RUN_H
#define SL_LAUNCH_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "launch/sandbox.h"
#include "util/error.h"

enum sl_stdio_mode {
	SL_STDIO_INHERIT = 0, /* share the caller's stream */
	SL_STDIO_PIPED = 1,   /* caller receives its end of a pipe */
	SL_STDIO_NULL = 2,    /* /dev/null */
	SL_STDIO_CAPTURE = 3, /* (stdout/stderr) drained into the result */
};

struct sl_run_opts {
	const char *name;	 /* NULL = automatic sandbox-<pid>-<n> */
	const char *const *argv; /* argc entries, not NULL-terminated */
	size_t argc;
	uint8_t stdio[3]; /* enum sl_stdio_mode for fds 0, 1, 2 */
	bool start;	  /* release the child at once (popen) */
	bool own_thread;  /* live handle: supervisor on its own thread;
				  * false: serviced inside sl_run_wait */
	/* The workdir's copy-on-write branch (cow/cow.h), NULL without one:
	 * the run's writes there are staged in it. It must outlive the run
	 * (sl_run_free). */
	struct sl_cow_branch *cow;
	/* Modules this run adds to the policy's (custom handlers), their
	 * syscalls notified in this run only; may be NULL. */
	const struct sl_modlist *extra;
};

/* Exit status (reason values are SANDLOCK_EXIT_REASON_*). */
struct sl_status {
	uint32_t reason;
	int code;	/* exit code for EXITED, else -1 */
	int signal;	/* signal for SIGNALED, else -1 */
	uint32_t cause; /* SANDLOCK_EXIT_CAUSE_*: a memory-limit kill, a
			 * status that could not be obtained */
};

/* Captured output of one wait; data may be NULL when len is 0. */
struct sl_capture {
	bool captured[2]; /* [0] stdout, [1] stderr */
	uint8_t *data[2]; /* malloc'd, owned by the receiver */
	size_t len[2];
};

struct sl_run;
struct sl_cow_branch;

/* Prepare, clone and confine the child; park it before exec (or release
 * it when o->start). A run holds these of the caller's descriptors until
 * it is freed: its epoll set, an eventfd, the keeper's and the top-level
 * process's pidfds, the seccomp listener, one per captured or piped
 * stream, and one pidfd per further live process of the sandbox (forks
 * that find none free are refused). Without enough, create fails with
 * "not enough free file descriptors". pipe_fds receives the caller's ends of PIPED streams
 * (-1 otherwise; O_CLOEXEC, blocking); it may be NULL only when no stream
 * is PIPED. A child that dies while being confined makes this fail with
 * its "sandlock child: <step>: <reason>" in e. */
int sl_run_create(struct sl_sandbox *sb, const struct sl_run_opts *o,
		  struct sl_run **out, int pipe_fds[3], struct sl_error *e);
/* Release a parked child: it execs the command. -EALREADY if started. */
int sl_run_start(struct sl_run *r);
pid_t sl_run_pid(const struct sl_run *r);
/* port_remap's current virtual->real map as JSON, NULL when off, empty
 * or unsupervised; the caller frees it. Callable from any thread until
 * sl_run_free. */
char *sl_run_port_mappings(const struct sl_run *r);
/* The sandbox name (explicit or sandbox-<pid>-<n>). */
const char *sl_run_name(const struct sl_run *r);
/* Signal every process of the sandbox, whatever its session or group,
 * through pidfds (never a pid or group id that may have been reused);
 * SIGKILL also goes through the keeper, which kills what the table has
 * not seen yet. Nothing left is success. Safe to call concurrently with
 * a blocked sl_run_wait, from any thread. */
int sl_run_signal(struct sl_run *r, int sig);
/* Wait until the top-level process has exited and captured streams are
 * at EOF (timeout_ms 0 = none). On timeout the sandbox is SIGKILLed and
 * st->reason is TIMEOUT with nothing captured; a later wait reports the
 * real end. cap may be NULL. After a completed wait, another returns the
 * same status and no output. -EBUSY while another thread waits. */
int sl_run_wait(struct sl_run *r, uint64_t timeout_ms, struct sl_status *st,
		struct sl_capture *cap);
/* A terminal stop of the top-level process (Ctrl-Z) stops the caller
 * with the same signal, the terminal given back to the caller's group;
 * when the caller is continued, so is the sandbox (sandlock run). */
void sl_run_set_job_control(struct sl_run *r, bool on);
/* Called on the waiting thread after a signal interrupted a one-shot
 * wait (the caller's handlers run only then). */
void sl_run_set_interrupt(struct sl_run *r, void (*fn)(void *arg), void *arg);
/* Kill every process of the sandbox, let the keeper exit and reap it,
 * stop the supervisor, release everything. Callable from any thread, but
 * not concurrently with another call on r. */
void sl_run_free(struct sl_run *r);

void sl_capture_free(struct sl_capture *cap);

#endif
