/*
 * Starting one sandboxed child: everything prepared in the parent
 * (prepare.c), then clone(CLONE_VM) on a private stack, the confinement
 * handshake and the go-ahead (spawn.c).
 */
#ifndef SL_LAUNCH_LAUNCH_H
#define SL_LAUNCH_LAUNCH_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "launch/child.h"
#include "launch/command.h"
#include "launch/run.h"
#include "launch/sandbox.h"
#include "util/error.h"

struct sl_launch {
	struct sl_child_spec spec;
	struct sl_child_status status;
	struct sl_command cmd;
	uint8_t *affinity;
	char *uid_map, *gid_map;
	int child_fd[3];  /* the child's stdio ends, -1 = inherit */
	int parent_fd[3]; /* our ends of piped/captured streams, -1 = none */
	void *stack;      /* the child runs here until it execs */
	size_t stack_len;
	bool took_tty;    /* the child was asked to take the terminal */
	pid_t tty_owner;  /* foreground group to give the terminal back to */
};

/* Fill l from the sandbox and the options; nothing runs yet. The
 * Landlock ruleset is created here (first launch of a policy). */
int sl_launch_prepare(struct sl_launch *l, struct sl_sandbox *sb,
		      const struct sl_run_opts *o, struct sl_error *e);

/* Clone the child and wait until it is confined (or has died, which is
 * reported from its recorded step and errno). On success the child is
 * parked before exec; *listener is its notification fd in our table, or
 * -1 when the sandbox is not supervised. */
int sl_launch_spawn(struct sl_launch *l, pid_t *pid, int *pidfd,
		    int *listener, struct sl_error *e);

/* Close our copies of the child's stdio ends (after the clone). */
void sl_launch_close_child_ends(struct sl_launch *l);

/* waitid(P_PIDFD, WEXITED | flags), retried on EINTR; si is zeroed. */
int sl_launch_waitid(int pidfd, siginfo_t *si, int flags);

/* Let a parked child exec. */
void sl_launch_release_child(struct sl_launch *l);

/* Free what prepare allocated. Only once the child is gone (reaped): it
 * runs on l->stack and reads l until it execs. */
void sl_launch_free(struct sl_launch *l);

#endif
