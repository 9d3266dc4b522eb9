/*
 * clone(CLONE_VM) launch and the confinement handshake (behavior.md 1.1
 * steps 10-11, 1.3 steps 1-5).
 *
 * The child shares our memory, so creating it costs the same whatever the
 * size of the caller's heap, and the child reads the prepared spec in
 * place. It is not a vfork: the child parks (confined, before exec) while
 * we return, so it runs on its own stack kept until the run is freed.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch/kcompat.h"
#include "launch/launch.h"
#include "util/cleanup.h"
#include "util/rawsys.h"

int sl_launch_waitid(int pidfd, siginfo_t *si, int flags)
{
	int rc;

	memset(si, 0, sizeof(*si));
	do
		rc = waitid(P_PIDFD, (id_t)pidfd, si, WEXITED | flags);
	while (rc < 0 && errno == EINTR);
	return rc;
}

/* The child died before confirming its confinement: say why. */
static int report_setup_death(const struct sl_launch *l, int pidfd,
			      struct sl_error *e)
{
	siginfo_t si;

	sl_launch_waitid(pidfd, &si, 0);
	if (l->status.step != 0)
		return sl_err(e, l->status.err ? l->status.err : EIO,
			      "sandlock child: %s: %s",
			      sl_child_step_name(l->status.step),
			      strerror(l->status.err));
	if (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED)
		return sl_err(e, ECHILD,
			      "sandlock child: killed by signal %d during setup",
			      si.si_status);
	return sl_err(e, ECHILD, "sandlock child: exited with status %d during setup",
		      si.si_status);
}

/* The listener lives in the child's fd table; copy it into ours. */
static int take_listener(const struct sl_launch *l, pid_t pid, int pidfd,
			 int *out, struct sl_error *e)
{
	int num = l->status.listener;
	int fd = pidfd_getfd(pidfd, num, 0);
	__u64 flags = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;

	if (fd < 0) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, num);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return sl_err(e, errno,
				      "cannot take the seccomp listener of the "
				      "child: %m");
	}
	/* Wake the supervisor on the CPU of the notifying task: a round trip
	 * costs ten times less. Older kernels lack it; that is only slower. */
	(void)ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, flags);
	*out = fd;
	return 0;
}

static pid_t clone_child(struct sl_launch *l, int *pidfd, int *err)
{
	uint64_t all = ~UINT64_C(0), old = 0;
	int flags = CLONE_VM | CLONE_PIDFD | SIGCHLD;
	char *top = (char *)l->stack + l->stack_len;
	pid_t pid;

	if (l->spec.uid_map)
		flags |= CLONE_NEWUSER;
	/* Block every signal, glibc's internal ones included (hence the raw
	 * syscall): no handler of ours may run on the child's stack. The
	 * child restores the caller's mask just before exec. */
	sl_raw4(__NR_rt_sigprocmask, SIG_SETMASK, &all, &old, SL_RAW_SIGSET_SIZE);
	l->spec.sigmask = old;
	pid = clone(sl_child_main, top, flags, &l->spec, pidfd);
	*err = errno;
	sl_raw4(__NR_rt_sigprocmask, SIG_SETMASK, &old, 0, SL_RAW_SIGSET_SIZE);
	return pid;
}

int sl_launch_spawn(struct sl_launch *l, pid_t *pid_out, int *pidfd_out,
		    int *listener_out, struct sl_error *e)
{
	_cleanup_(closep) int hs_r = -1;
	_cleanup_(closep) int pidfd = -1;
	int hs[2], err = 0, r;
	pid_t pid;
	ssize_t n;
	char one;

	*listener_out = -1;
	if (pipe2(hs, O_CLOEXEC) < 0)
		return sl_err(e, errno, "pipe2: %m");
	hs_r = hs[0];
	l->spec.handshake_fd = hs[1];
	pid = clone_child(l, &pidfd, &err);
	/* From here on the child reads l->spec concurrently: it is not
	 * modified again. The fd table is the child's own copy. */
	close(hs[1]);
	sl_launch_close_child_ends(l);
	if (pid < 0)
		return sl_err(e, err, "clone: %s%s", strerror(err),
			      l->spec.uid_map ? " (creating the user namespace "
						"for the requested uid/gid)"
					      : "");

	do
		n = read(hs_r, &one, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		return report_setup_death(l, pidfd, e);

	if (l->spec.listener) {
		r = take_listener(l, pid, pidfd, listener_out, e);
		if (r < 0) {
			siginfo_t si;

			pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
			sl_launch_waitid(pidfd, &si, 0);
			return r;
		}
	}
	*pid_out = pid;
	*pidfd_out = TAKE_FD(pidfd);
	return 0;
}

void sl_launch_release_child(struct sl_launch *l)
{
	atomic_store(&l->status.go, 1);
	syscall(SYS_futex, &l->status.go, FUTEX_WAKE, 1, NULL, NULL, 0);
}
