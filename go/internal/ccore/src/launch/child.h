/*
 * The sandboxed child between clone and exec.
 *
 * The parent prepares everything in a struct sl_child_spec (strings,
 * arrays, fds, the BPF program); the child, which shares the parent's
 * memory and thread-local storage, only issues raw syscalls driven by it.
 * The only memory the child writes is its struct sl_child_status (and the
 * spec's scratch argv for the /bin/sh fallback).
 */
#ifndef SL_LAUNCH_CHILD_H
#define SL_LAUNCH_CHILD_H

#include <linux/filter.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Setup steps of the child, named in its error messages. */
enum sl_child_step {
	SL_STEP_NONE = 0,
	SL_STEP_STDIO,
	SL_STEP_SETPGID,
	SL_STEP_PDEATHSIG,
	SL_STEP_PARENT_DIED,
	SL_STEP_PERSONALITY,
	SL_STEP_AFFINITY,
	SL_STEP_THP,
	SL_STEP_COREDUMP,
	SL_STEP_UID_MAP,
	SL_STEP_SETGROUPS,
	SL_STEP_GID_MAP,
	SL_STEP_CHDIR,
	SL_STEP_NO_NEW_PRIVS,
	SL_STEP_LANDLOCK,
	SL_STEP_SECCOMP,
	SL_STEP_SECCOMP_NESTED,
	SL_STEP_HANDSHAKE,
	SL_STEP_CLOSE_FDS,
	SL_STEP_NOFILE,
	SL_STEP_SIGNALS,
	SL_STEP_CAPS,
	SL_STEP_PARK,
	SL_STEP_HANDOFF,
	SL_STEP_COUNT,
};

/* The park (see sl_child_spec.listener): a notified clone() that the
 * kernel itself would refuse (CLONE_THREAD without CLONE_SIGHAND is
 * EINVAL), so it can never make a process. clone3 would do as well, but
 * container runtimes' seccomp profiles answer it ENOSYS before it can be
 * notified. */
#define SL_PARK_CLONE_FLAGS 0x00010000UL /* CLONE_THREAD */

/* sl_child_status.handoff */
enum sl_handoff_state {
	SL_HANDOFF_WAIT = 0,	  /* the listener is not installed yet */
	SL_HANDOFF_PUBLISHED = 1, /* status.listener holds it */
	SL_HANDOFF_SENT = 2,	  /* the helper sent it (or failed: err) */
};

/* Text of a step for "sandlock child: <step>: <strerror>". */
const char *sl_child_step_name(int step);

/* Written by the child, read by the parent after the handshake. */
struct sl_child_status {
	_Atomic uint32_t go; /* futex word: the parent stores 1 to release
			      * (unsupervised children park on it) */
	int32_t listener; /* seccomp listener fd number in the child, or -1 */
	int32_t step;	  /* failing enum sl_child_step, or 0 */
	int32_t err;	  /* positive errno of the failing step */
	_Atomic uint32_t confined; /* 1 once listener is published */
	_Atomic uint32_t handoff;  /* futex word, enum sl_handoff_state */
	int32_t handoff_err;	   /* positive errno of the helper's send */
};

/* Capabilities the child keeps (container runtimes' default set less
 * CAP_MKNOD and CAP_NET_RAW), computed in the parent. */
struct sl_child_caps {
	bool drop;	  /* adjust the sets at all */
	bool bounding;	  /* we may drop from the bounding set */
	int last;	  /* highest capability number of the kernel */
	uint64_t keep;	  /* bit n: capability n may stay */
	uint64_t ambient; /* bit n: n is in our ambient set now */
	uint32_t eff[2], perm[2], inh[2]; /* capset() data, 2 x 32 bits */
};

struct sl_child_spec {
	struct sl_child_status *status;
	pid_t parent_pid; /* the keeper (written by the keeper) */
	int event_fd;	  /* eventfd: one write = listener published */

	int stdio_src[3]; /* fd to install as 0/1/2, -1 = inherit */
	bool take_tty;	  /* become the terminal's foreground group */

	bool no_randomize;
	const void *affinity; /* CPU mask bytes, NULL = unchanged */
	size_t affinity_len;
	bool no_huge_pages;
	bool no_coredump;
	const char *uid_map; /* non-NULL: the child is in a new user ns */
	const char *gid_map;
	const char *cwd; /* NULL = unchanged */
	int ruleset_fd;	 /* Landlock ruleset, -1 = none */
	const struct sock_fprog *prog;
	bool listener; /* install with a notification listener; then
			      * the child parks in a notified clone (above)
			      * that the parent answers at start, so it is
			      * provably asleep when create returns */
	/* -1: the parent takes the listener with pidfd_getfd. Else (that
	 * call is refused) a unix socket: a helper thread of the child,
	 * started before the filter and so not under it, sends the listener
	 * over it; it runs on helper_stack_top's stack. */
	int handoff_fd;
	void *helper_stack_top;
	struct sl_child_caps caps;
	bool set_nofile;
	uint64_t nofile;  /* soft = hard = nofile */
	uint64_t sigmask; /* the caller's mask, restored before exec */

	char *const *argv; /* NULL-terminated */
	char *const *envp;
	const char *const *paths; /* execve candidates, in order */
	size_t npaths;
	char **sh_argv; /* {"/bin/sh", <path>, argv[1..], NULL} scratch */

	/* strerrordesc_np, resolved in the parent so the child never goes
	 * through lazy symbol binding. */
	const char *(*errdesc)(int);
};

/* Entry point for clone(): never returns. */
int sl_child_main(void *spec);

#endif
