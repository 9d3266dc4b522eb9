/*
 * Starting the keeper and, through it, the sandboxed child; the
 * confinement handshake; the go-ahead; the end (docs/behaviour.md 1.1 steps
 * 10-11, 1.3 steps 1-5).
 *
 * The keeper and the child share our memory (clone with CLONE_VM), so
 * creating them costs the same whatever the size of the caller's heap,
 * and they read the prepared specs in place. They run on stacks of their
 * own, kept until the keeper is reaped.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch/kcompat.h"
#include "launch/launch.h"
#include "supervisor/notif_kcompat.h"
#include "util/cleanup.h"
#include "util/rawsys.h"

static void drain(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) > 0)
		;
}

/* Sleep until the keeper or the child reports (or the keeper dies, or
 * extra becomes ready). Returns the revents of extra (0 if none). */
static short wait_report(struct sl_launch *l, int extra)
{
	struct pollfd pf[3] = {
		{ .fd = l->event_fd, .events = POLLIN },
		{ .fd = l->keeper_pidfd, .events = POLLIN },
		{ .fd = extra, .events = POLLIN },
	};

	if (poll(pf, extra >= 0 ? 3 : 2, -1) < 0)
		return 0; /* EINTR: the caller looks again */
	if (pf[0].revents)
		drain(l->event_fd);
	return extra >= 0 ? pf[2].revents : 0;
}

static bool keeper_gone(const struct sl_launch *l)
{
	struct pollfd pf = { .fd = l->keeper_pidfd, .events = POLLIN };

	return poll(&pf, 1, 0) > 0;
}

/* The child died before confirming its confinement: say why. A child
 * that failed a step has written "sandlock child: <step>: <reason>" on
 * its stderr; when that is the caller's, the user has read it already. */
static int report_setup_death(struct sl_launch *l, struct sl_error *e)
{
	while (!atomic_load(&l->keeper.exited) && !keeper_gone(l))
		wait_report(l, -1);
	if (l->status.step != 0) {
		int r = sl_err(e, l->status.err ? l->status.err : EIO, "%s: %s",
			       sl_child_step_name(l->status.step),
			       strerror(l->status.err));

		if (e && l->spec.stdio_src[2] < 0)
			e->reported = true;
		return r;
	}
	if (!atomic_load(&l->keeper.exited))
		return sl_err(e, ECHILD,
			      "the sandbox's keeper process died "
			      "during setup");
	if (l->keeper.code == CLD_KILLED || l->keeper.code == CLD_DUMPED)
		return sl_err(e, ECHILD,
			      "the sandboxed process was killed by signal %d "
			      "during setup",
			      l->keeper.status);
	return sl_err(e, ECHILD,
		      "the sandboxed process exited with status %d "
		      "during setup",
		      l->keeper.status);
}

/* The listener the child's helper thread sent (child.h, handoff_fd):
 * the child announces its confinement only once it was sent. */
static int receive_listener(const struct sl_launch *l, struct sl_error *e)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	int fd = -1;

	if (recvmsg(l->handoff, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) < 0)
		return sl_err(e, errno,
			      "cannot receive the seccomp listener of "
			      "the child: %m");
	cm = CMSG_FIRSTHDR(&msg);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	if (fd < 0 || (msg.msg_flags & MSG_CTRUNC)) {
		if (fd >= 0)
			close(fd);
		return sl_err(e, EPROTO, "the child sent no seccomp listener");
	}
	return fd;
}

/* The listener lives in the child's fd table; copy it into ours: with
 * pidfd_getfd, or as the child's helper thread sent it where that is
 * refused. (Reopening /proc/<pid>/fd/<n> gives ENXIO for such a file.) */
static int take_listener(const struct sl_launch *l, int pidfd, int *out,
			 struct sl_error *e)
{
	__u64 flags = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
	int fd;

	if (l->handoff >= 0) {
		fd = receive_listener(l, e);
		if (fd < 0)
			return fd;
	} else {
		fd = pidfd_getfd(pidfd, l->status.listener, 0);
		if (fd < 0)
			return sl_err(e, errno,
				      "cannot take the seccomp listener "
				      "of the child: %m");
	}
	/* Wake the supervisor on the CPU of the notifying task: a round trip
	 * costs ten times less. Older kernels lack it; that is only slower. */
	(void)ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, flags);
	*out = fd;
	return 0;
}

static void respond(int listener, uint64_t id, uint32_t flags)
{
	struct seccomp_notif_resp resp = { .id = id, .flags = flags };

	while (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 &&
	       errno == EINTR)
		;
}

/* Receive the child's parking call (child.h, SL_PARK_CLONE_FLAGS): from
 * then on it sleeps in the kernel until start answers it. */
static int receive_park(struct sl_launch *l, pid_t child, int listener,
			struct sl_error *e)
{
	for (;;) {
		struct seccomp_notif req;
		short ev;

		if (atomic_load(&l->keeper.exited) || keeper_gone(l))
			return report_setup_death(l, e);
		ev = wait_report(l, listener);
		if (!(ev & POLLIN)) {
			if (ev & (POLLHUP | POLLERR))
				return report_setup_death(l, e);
			continue;
		}
		memset(&req, 0, sizeof(req));
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
			continue; /* EINTR, or withdrawn: look again */
		if ((pid_t)req.pid == child && req.data.nr == __NR_clone &&
		    req.data.args[0] == SL_PARK_CLONE_FLAGS) {
			l->park_id = req.id;
			l->parked = true;
			return 0;
		}
		/* Our own setup code: let it through. */
		respond(listener, req.id, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
	}
}

/* What the keeper keeps for the child: its stdio sources, the Landlock
 * ruleset, the event fd and the listener handoff's end, sorted. */
static void keeper_keep(struct sl_launch *l)
{
	struct sl_keeper_spec *k = &l->kspec;
	int fds[6] = { l->child_fd[0],	   l->child_fd[1], l->child_fd[2],
		       l->spec.ruleset_fd, l->event_fd,	   l->handoff_child };

	k->nkeep = 0;
	for (int i = 0; i < 6; i++) {
		int j = k->nkeep, dup = 0;

		if (fds[i] < 0)
			continue;
		for (int m = 0; m < k->nkeep; m++)
			dup |= k->keep[m] == fds[i];
		if (dup)
			continue;
		while (j > 0 && k->keep[j - 1] > fds[i]) {
			k->keep[j] = k->keep[j - 1];
			j--;
		}
		k->keep[j] = fds[i];
		k->nkeep++;
	}
}

static pid_t clone_keeper(struct sl_launch *l, int *err)
{
	struct sl_keeper_spec *k = &l->kspec;
	uint64_t all = ~UINT64_C(0), old = 0;
	pid_t pid;

	k->st = &l->keeper;
	k->child = &l->spec;
	k->child_stack_top = (char *)l->stack + l->stack_len;
	k->child_flags = CLONE_VM | CLONE_SETTLS | SIGCHLD;
	if (l->spec.uid_map)
		k->child_flags |= CLONE_NEWUSER;
	k->tls = l->tls;
	k->host_pid = getpid();
	k->event_fd = l->event_fd;
	l->spec.event_fd = l->event_fd;
	keeper_keep(l);
	/* Block every signal, glibc's internal ones included (hence the raw
	 * syscall): no handler of ours may run on the keeper's or the
	 * child's stack. The child restores the caller's mask before exec.
	 * Exit signal 0: no SIGCHLD, invisible to waitpid(-1). */
	sl_raw4(__NR_rt_sigprocmask, SIG_SETMASK, &all, &old,
		SL_RAW_SIGSET_SIZE);
	l->spec.sigmask = old;
	pid = clone(sl_keeper_main, (char *)l->kstack + l->kstack_len,
		    CLONE_VM | CLONE_PIDFD | CLONE_SETTLS, k, &l->keeper_pidfd,
		    l->tls, NULL);
	*err = errno;
	sl_raw4(__NR_rt_sigprocmask, SIG_SETMASK, &old, 0, SL_RAW_SIGSET_SIZE);
	if (pid < 0)
		l->keeper_pidfd = -1;
	else
		l->keeper_pid = pid;
	return pid;
}

int sl_launch_spawn(struct sl_launch *l, pid_t *pid_out, int *pidfd_out,
		    int *listener_out, struct sl_error *e)
{
	_cleanup_(closep) int pidfd = -1;
	_cleanup_(closep) int listener = -1;
	int err = 0, r;
	pid_t child;

	*listener_out = -1;
	if (clone_keeper(l, &err) < 0) {
		sl_launch_close_child_ends(l);
		return sl_err(e, err, "clone: %s", strerror(err));
	}
	/* From here on the keeper and the child read l->spec and l->kspec
	 * concurrently: they are not modified again. */
	sl_launch_close_child_ends(l);

	while (!(atomic_load(&l->status.confined) &&
		 atomic_load(&l->keeper.child) > 0)) {
		int32_t c = atomic_load(&l->keeper.child);

		if (c < 0)
			return sl_err(e, -c, "clone: %s%s", strerror(-c),
				      l->spec.uid_map ?
					      " (creating the user namespace "
					      "for the requested uid/gid)" :
					      "");
		if (atomic_load(&l->keeper.exited) || keeper_gone(l))
			return report_setup_death(l, e);
		wait_report(l, -1);
	}
	child = atomic_load(&l->keeper.child);
	pidfd = pidfd_open(child, 0);
	/* The keeper publishes the end before reaping: a pidfd opened while
	 * the child had not ended names it. */
	if (pidfd < 0 || atomic_load(&l->keeper.exited))
		return report_setup_death(l, e);

	if (l->spec.listener) {
		r = take_listener(l, pidfd, &listener, e);
		if (l->handoff >= 0) { /* used once */
			close(l->handoff);
			l->handoff = -1;
		}
		if (r >= 0)
			r = receive_park(l, child, listener, e);
		if (r < 0)
			return r;
		l->listener = listener;
	}
	*pid_out = child;
	*pidfd_out = TAKE_FD(pidfd);
	*listener_out = TAKE_FD(listener);
	return 0;
}

void sl_launch_release_child(struct sl_launch *l)
{
	if (l->parked) {
		l->parked = false;
		respond(l->listener, l->park_id, 0);
		return;
	}
	atomic_store(&l->status.go, 1);
	syscall(SYS_futex, &l->status.go, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static void command(struct sl_launch *l, enum sl_keeper_cmd cmd)
{
	if (l->keeper_pidfd < 0)
		return;
	if (atomic_load(&l->keeper.cmd) < (uint32_t)cmd)
		atomic_store(&l->keeper.cmd, cmd);
	/* Any signal of its set wakes it; it then reads cmd. */
	pidfd_send_signal(l->keeper_pidfd, SIGCHLD, NULL, 0);
}

void sl_launch_kill_all(struct sl_launch *l)
{
	command(l, SL_KEEPER_KILL);
}

void sl_launch_end(struct sl_launch *l)
{
	siginfo_t si;

	if (l->keeper_pidfd < 0)
		return;
	command(l, SL_KEEPER_EXIT);
	while (waitid(P_PIDFD, (id_t)l->keeper_pidfd, &si, WEXITED | __WALL) <
		       0 &&
	       errno == EINTR)
		;
	close(l->keeper_pidfd);
	l->keeper_pidfd = -1;
}
