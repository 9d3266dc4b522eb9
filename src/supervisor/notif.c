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
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "supervisor/notif_kcompat.h"
#include "util/cleanup.h"
#include "util/hostperm.h"

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

/*
 * Where process_vm_readv/writev are refused (a container without
 * CAP_SYS_PTRACE), the task's memory is reached through /proc/<tid>/mem,
 * which needs only the ordinary ptrace access check (same user, a
 * dumpable task; what the supervisor passes for its own sandbox). The
 * descriptor is opened while the notification is pending and checked
 * after the open: it then holds the notifying task's address space (the
 * task was alive from the open to the check, so its pid named it), and a
 * write through it cannot land in a successor.
 */
static int open_mem(const struct sl_notif *n, bool write)
{
	char path[40];
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/mem", n->req->pid);
	fd = open(path, (write ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH ? -ENOENT : -EFAULT;
	if (check(n) < 0) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

/* Exactly len bytes at addr through a /proc/<tid>/mem descriptor. */
static int mem_rw(int fd, uint64_t addr, void *buf, size_t len, bool write)
{
	ssize_t r;

	if (addr > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - addr)
		return -EFAULT;
	if (write)
		r = pwrite(fd, buf, len, (off_t)addr);
	else
		r = pread(fd, buf, len, (off_t)addr);
	return r >= 0 && (size_t)r == len ? 0 : -EFAULT;
}

static int mem_xfer(const struct sl_notif *n, uint64_t addr, void *buf,
		    size_t len, bool write)
{
	_cleanup_(closep) int fd = open_mem(n, write);

	if (fd < 0)
		return fd;
	return mem_rw(fd, addr, buf, len, write);
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
	if (!sl_host_allows(write ? SL_HOST_VM_WRITE : SL_HOST_VM_READ))
		return mem_xfer(n, addr, buf, len, write);
	if (write)
		r = process_vm_writev((pid_t)n->req->pid, &local, 1, &remote, 1,
				      0);
	else
		r = process_vm_readv((pid_t)n->req->pid, &local, 1, &remote, 1,
				     0);
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

ssize_t sl_notif_read_some(const struct sl_notif *n, uint64_t addr, void *buf,
			   size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t got;

	if (len == 0)
		return check(n) < 0 ? -ENOENT : 0;
	if (len > SSIZE_MAX)
		len = local.iov_len = remote.iov_len = SSIZE_MAX;
	if (!sl_host_allows(SL_HOST_VM_READ)) {
		_cleanup_(closep) int fd = open_mem(n, false);

		if (fd < 0)
			return fd;
		got = addr > (uint64_t)INT64_MAX ?
			      -1 :
			      pread(fd, buf, len, (off_t)addr);
	} else {
		got = process_vm_readv((pid_t)n->req->pid, &local, 1, &remote,
				       1, 0);
	}
	/* what was read came from the task only if it is still there */
	if (check(n) < 0)
		return -ENOENT;
	return got > 0 ? got : -EFAULT;
}

/* sl_notif_readv through /proc/<tid>/mem: one pread per piece that is
 * contiguous on both sides. */
static int mem_readv(const struct sl_notif *n, const struct iovec *local,
		     size_t nlocal, const struct iovec *remote, size_t nremote)
{
	_cleanup_(closep) int fd = open_mem(n, false);
	size_t li = 0, loff = 0;

	if (fd < 0)
		return fd;
	for (size_t ri = 0; ri < nremote; ri++) {
		uint64_t addr = (uint64_t)(uintptr_t)remote[ri].iov_base;
		size_t left = remote[ri].iov_len;

		while (left) {
			size_t chunk;
			int r;

			while (li < nlocal && loff == local[li].iov_len) {
				li++;
				loff = 0;
			}
			if (li == nlocal)
				return -EFAULT;
			chunk = local[li].iov_len - loff;
			if (chunk > left)
				chunk = left;
			r = mem_rw(fd, addr, (char *)local[li].iov_base + loff,
				   chunk, false);
			if (r < 0)
				return r;
			addr += chunk;
			left -= chunk;
			loff += chunk;
		}
	}
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
	if (!sl_host_allows(SL_HOST_VM_READ))
		return mem_readv(n, local, nlocal, remote, nremote);
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

/* Where pidfd_getfd is refused: the object behind the child's fd,
 * reopened through /proc/<tid>/fd/<fd> as O_PATH (a new descriptor of the
 * same file; the open follows the kernel's link to it, no path lookup).
 * Checked after the open, as a pidfd would be. */
static int reopen_fd(const struct sl_notif *n, int childfd)
{
	char path[48];
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/fd/%d", n->req->pid, childfd);
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		if (check(n) < 0)
			return -ENOENT;
		return err == ENOENT ? -EBADF : -err;
	}
	if (check(n) < 0) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

/* The number after "key" in an fdinfo text, or false. */
static bool fdinfo_field(const char *text, const char *key, int base,
			 unsigned long long *out)
{
	const char *at = strstr(text, key);
	char *end;

	if (!at)
		return false;
	errno = 0;
	*out = strtoull(at + strlen(key), &end, base);
	return errno == 0 && end != at + strlen(key);
}

int sl_notif_fd_flags(const struct sl_notif *n, int childfd, int ours)
{
	char path[48], buf[512];
	_cleanup_(closep) int fd = -1;
	unsigned long long flags, ino, mnt;
	struct statx sx;
	ssize_t len;

	if (childfd < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/%u/fdinfo/%d", n->req->pid,
		 childfd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (check(n) < 0)
		return -ENOENT;
	if (len < 0)
		return -EBADF;
	buf[len] = '\0';
	if (!fdinfo_field(buf, "\nflags:", 8, &flags))
		return -EBADF;
	/* The fd number may have been given another file since ours was
	 * reopened: the flags count only if they describe the same one
	 * (fdinfo names its inode and mount since Linux 5.14). */
	if (fdinfo_field(buf, "\nino:", 10, &ino) &&
	    fdinfo_field(buf, "\nmnt_id:", 10, &mnt) &&
	    (statx(ours, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &sx) <
		     0 ||
	     !(sx.stx_mask & STATX_MNT_ID) || sx.stx_ino != ino ||
	     sx.stx_mnt_id != mnt))
		return -EBADF;
	return (int)(flags & 0x7fffffff);
}

int sl_notif_getfd(const struct sl_notif *n, int childfd)
{
	_cleanup_(closep) int pidfd = -1;
	int fd;

	if (childfd < 0)
		return -EBADF;
	if (!sl_host_allows(SL_HOST_PIDFD_GETFD))
		return reopen_fd(n, childfd);
	pidfd = sl_notif_pidfd(n);
	if (pidfd < 0)
		return pidfd;
	fd = (int)syscall(__NR_pidfd_getfd, pidfd, childfd, 0);
	if (fd < 0)
		return -errno;
	return fd;
}

static void send_response(int listener, uint64_t id, int64_t val, int error,
			  uint32_t flags)
{
	struct seccomp_notif_resp resp = {
		.id = id,
		.val = val,
		.error = error,
		.flags = flags,
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
		} else if (pid > 0 &&
			   ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) ==
				   0) {
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
		send_response(listener, id, 0,
			      -(a->error > 0 ? a->error : EPERM), 0);
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
