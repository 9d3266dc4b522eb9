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
#include "launch/keeper.h"
#include "launch/run.h"
#include "launch/sandbox.h"
#include "util/error.h"

struct sl_launch {
	struct sl_child_spec spec;
	struct sl_child_status status;
	struct sl_keeper_spec kspec;
	struct sl_keeper_state keeper;
	/* The thread pointer of the keeper and of the child until it execs:
	 * never the creating thread's, which may exit meanwhile. */
	uint64_t tls[64] __attribute__((aligned(64)));
	struct sl_command cmd;
	uint8_t *affinity;
	char *uid_map, *gid_map;
	int child_fd[3];  /* the child's stdio ends, -1 = inherit */
	int parent_fd[3]; /* our ends of piped/captured streams, -1 = none */
	void *stack;	  /* the child runs here until it execs */
	size_t stack_len;
	void *kstack; /* the keeper runs here until it is reaped */
	size_t kstack_len;
	void *hstack; /* the child's handoff thread (child.h), or NULL */
	size_t hstack_len;
	int handoff;	   /* our end of the listener handoff, -1 = none */
	int handoff_child; /* the child's end until the clone, -1 = none */
	int event_fd;	   /* eventfd: the keeper and the child wake us */
	int keeper_pidfd;  /* -1 until the keeper exists, then until reaped */
	pid_t keeper_pid;
	int listener;	  /* our copy (owned by the supervisor), or -1 */
	uint64_t park_id; /* the parked child's notification */
	bool parked;	  /* park_id is to be answered at start */
	struct sock_fprog own_prog; /* this run's own filter (custom handlers) */
	bool took_tty;	 /* the child was asked to take the terminal */
	int own_ruleset; /* a copy-on-write run's own ruleset, or -1 */
	/* what the run's ruleset built around its holes (fs/holes.h): the
	 * sandbox's, or own_built with own_ruleset */
	const struct sl_fs_built *built;
	struct sl_fs_built own_built;
	pid_t tty_owner; /* foreground group to give the terminal back to */
};

/* Fill l from the sandbox and the options; nothing runs yet. The
 * Landlock ruleset is created here (first launch of a policy). */
int sl_launch_prepare(struct sl_launch *l, struct sl_sandbox *sb,
		      const struct sl_run_opts *o, struct sl_error *e);

/* Clone the keeper, which clones the child, and wait until the child is
 * confined and parked (or has died, which is reported from its recorded
 * step and errno). On success *pidfd holds the child, *listener is its
 * notification fd in our table (-1 when the sandbox is not supervised),
 * and l->event_fd wakes the caller's loop when the keeper reports. */
int sl_launch_spawn(struct sl_launch *l, pid_t *pid, int *pidfd, int *listener,
		    struct sl_error *e);

/* Close our copies of the child's stdio ends (after the clone). */
void sl_launch_close_child_ends(struct sl_launch *l);

/* Let a parked child exec. */
void sl_launch_release_child(struct sl_launch *l);

/* Ask the keeper to kill every process of the sandbox (it keeps running
 * and reports the child's end). */
void sl_launch_kill_all(struct sl_launch *l);

/* Kill every process of the sandbox, let the keeper exit and reap it.
 * Afterwards nothing runs on our stacks. Idempotent. */
void sl_launch_end(struct sl_launch *l);

/* Free what prepare allocated (ends the keeper first if needed). */
void sl_launch_free(struct sl_launch *l);

#endif
