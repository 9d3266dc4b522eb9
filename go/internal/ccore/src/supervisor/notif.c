/*
 * Safe access to a notifying task (see notif.h).
 *
 * The pid of a notification is only meaningful while the notification is
 * pending: once the task dies its pid may be recycled. Every access is
 * therefore checked with SECCOMP_IOCTL_NOTIF_ID_VALID after it (what was
 * read came from that task, not from a successor that reused its pid),
 * and a write before it as well (it must not land in a successor).
 */
#include "supervisor/notif.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "supervisor/notif_kcompat.h"
#include "util/cleanup.h"

int sl_notif_id_valid(int listener, uint64_t id)
{
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0)
		return -ENOENT;
	return 0;
}

static int check(const struct sl_notif *n)
{
	return sl_notif_id_valid(n->listener, n->req->id);
}

/* One transfer that must move exactly len bytes. */
static int vm_xfer(const struct sl_notif *n, uint64_t addr, void *buf,
		   size_t len, bool write)
{
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr,
				.iov_len = len };
	ssize_t r;

	if (len == 0)
		return 0;
	if (write)
		r = process_vm_writev((pid_t)n->req->pid, &local, 1, &remote,
				      1, 0);
	else
		r = process_vm_readv((pid_t)n->req->pid, &local, 1, &remote,
				     1, 0);
	if (r < 0)
		return errno == ESRCH ? -ENOENT : -EFAULT;
	return (size_t)r == len ? 0 : -EFAULT;
}

/* A read needs no check before it: if the pid was recycled, what was read
 * is thrown away on the check after it. A write does (below). */
int sl_notif_read(const struct sl_notif *n, uint64_t addr, void *buf,
		  size_t len)
{
	int r = vm_xfer(n, addr, buf, len, false);

	if (r < 0)
		return r;
	return check(n);
}

int sl_notif_readv(const struct sl_notif *n, const struct iovec *local,
		   size_t nlocal, const struct iovec *remote, size_t nremote)
{
	size_t len = 0;
	ssize_t got;

	for (size_t i = 0; i < nlocal; i++)
		len += local[i].iov_len;
	if (len == 0)
		return 0;
	/* Only the check after counts: a pid can name another process
	 * only once the notifying task is dead, and then the notification
	 * is no longer valid, so whatever was read is thrown away. (Bulk
	 * payload reads skip the check before, a syscall each.) */
	got = process_vm_readv((pid_t)n->req->pid, local, nlocal, remote,
			       nremote, 0);
	if (got < 0)
		return errno == ESRCH ? -ENOENT : -EFAULT;
	if ((size_t)got != len)
		return -EFAULT;
	return check(n);
}

int sl_notif_write(const struct sl_notif *n, uint64_t addr, const void *buf,
		   size_t len)
{
	int r = check(n);

	if (r < 0)
		return r;
	r = vm_xfer(n, addr, (void *)buf, len, true);
	if (r < 0)
		return r;
	return check(n);
}

int sl_notif_read_str(const struct sl_notif *n, uint64_t addr, char *buf,
		      size_t cap, size_t *len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t got = 0;
	int r;

	if (cap == 0)
		return -ENAMETOOLONG;
	if (addr == 0)
		return -EFAULT;
	/* A page is either wholly mapped or not: reading up to the next page
	 * boundary at a time never faults on memory past the terminator. */
	while (got < cap) {
		uint64_t at = addr + got;
		size_t chunk = page - (size_t)(at % page);
		char *nul;

		if (at < addr)
			return -EFAULT; /* wrapped around the address space */
		if (chunk > cap - got)
			chunk = cap - got;
		r = vm_xfer(n, at, buf + got, chunk, false);
		if (r < 0)
			return r;
		nul = memchr(buf + got, '\0', chunk);
		if (nul) {
			r = check(n);
			if (r < 0)
				return r;
			if (len)
				*len = (size_t)(nul - buf);
			return 0;
		}
		got += chunk;
	}
	return -ENAMETOOLONG;
}

int sl_notif_pidfd(const struct sl_notif *n)
{
	pid_t tid = (pid_t)n->req->pid;
	_cleanup_(closep) int pidfd = -1;
	int r;

	/* The notifying pid is a thread id; PIDFD_THREAD names that very
	 * thread (whose fd table may be private); older kernels only accept
	 * thread-group leaders. pidfds are always close-on-exec. */
	pidfd = (int)syscall(__NR_pidfd_open, tid, PIDFD_THREAD);
	if (pidfd < 0 && errno == EINVAL)
		pidfd = (int)syscall(__NR_pidfd_open, tid, 0);
	if (pidfd < 0)
		return errno == ESRCH ? -ENOENT : -errno;
	/* Opened while the notification was pending: the pidfd names the
	 * notifying task, not a successor. */
	r = check(n);
	if (r < 0)
		return r;
	return TAKE_FD(pidfd);
}

int sl_notif_getfd(const struct sl_notif *n, int childfd)
{
	_cleanup_(closep) int pidfd = sl_notif_pidfd(n);
	int fd;

	if (pidfd < 0)
		return pidfd;
	if (childfd < 0)
		return -EBADF;
	fd = (int)syscall(__NR_pidfd_getfd, pidfd, childfd, 0);
	if (fd < 0)
		return -errno;
	return fd;
}

static void send_response(int listener, uint64_t id, int64_t val, int error,
			  uint32_t flags)
{
	struct seccomp_notif_resp resp = {
		.id = id, .val = val, .error = error, .flags = flags,
	};

	/* ENOENT: the task died or the syscall was interrupted; nothing
	 * is waiting for the answer any more. EINTR: a signal reached the
	 * thread serving a one-shot run (the CLI forwards some) while the
	 * kernel's lock was contended; the answer is still owed. */
	while (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 &&
	       errno == EINTR)
		;
}

/* Install srcfd in the child as the syscall's result; fail closed.
 *
 * Never retried: an ADDFD with SEND marks the notification answered
 * before it waits for the child, so after an interruption neither a
 * retry nor an error answer would be accepted. The supervisor's threads
 * block every signal while they answer (launch/serve.c, worker.c), so only
 * a fatal signal could interrupt it; should EINTR come anyway while the
 * notification is still pending, its task is killed rather than left
 * waiting for an answer that can no longer be given. */
static void inject_fd(int listener, uint64_t id, pid_t pid,
		      const struct sl_action *a)
{
	struct seccomp_notif_addfd add = {
		.id = id,
		.flags = SECCOMP_ADDFD_FLAG_SEND,
		.srcfd = (uint32_t)a->srcfd,
		.newfd = 0,
		.newfd_flags = a->newfd_flags,
	};

	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add) < 0) {
		if (errno != EINTR) {
			send_response(listener, id, 0, -EACCES, 0);
		} else if (pid > 0 && ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID,
					    &id) == 0) {
			int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

			if (pidfd >= 0) {
				syscall(SYS_pidfd_send_signal, pidfd, SIGKILL,
					NULL, 0);
				close(pidfd);
			}
		}
	}
	close(a->srcfd);
}

void sl_notif_respond(int listener, uint64_t id, pid_t pid,
		      const struct sl_action *a)
{
	switch (a->kind) {
	case SL_ACT_CONTINUE:
		send_response(listener, id, 0, 0,
			      SECCOMP_USER_NOTIF_FLAG_CONTINUE);
		break;
	case SL_ACT_ERRNO:
		send_response(listener, id, 0, -(a->error > 0 ? a->error : EPERM),
			      0);
		break;
	case SL_ACT_VALUE:
		send_response(listener, id, a->value, 0, 0);
		break;
	case SL_ACT_INJECT_SEND:
		inject_fd(listener, id, pid, a);
		break;
	case SL_ACT_HOLD:
		break;
	default:
		send_response(listener, id, 0, -EPERM, 0);
		break;
	}
}
