/*
 * Safe access to a notifying task: every read/write of child memory is
 * bracketed by SECCOMP_IOCTL_NOTIF_ID_VALID checks, so a recycled pid is
 * never read; fds are taken with pidfd_getfd so a decision cannot be raced.
 *
 * Where the environment refuses process_vm_readv/writev or pidfd_getfd
 * (util/hostperm.h: a container without CAP_SYS_PTRACE), the same calls
 * go through /proc/<tid>/mem and /proc/<tid>/fd instead, with the same
 * checks; callers do not change.
 */
#ifndef SL_SUPERVISOR_NOTIF_H
#define SL_SUPERVISOR_NOTIF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "supervisor/dispatch.h"

/* 0 if the notification is still pending, else -ENOENT. */
int sl_notif_id_valid(int listener, uint64_t id);
/* Read exactly len bytes at addr; -EFAULT on a short read. */
int sl_notif_read(const struct sl_notif *n, uint64_t addr, void *buf,
		  size_t len);
/* Read up to len bytes at addr: a read that meets an unmapped page stops
 * there. The count read (0 only for len 0), or -errno (-EFAULT when
 * nothing could be read, -ENOENT when the notification is gone). */
ssize_t sl_notif_read_some(const struct sl_notif *n, uint64_t addr, void *buf,
			   size_t len);
/* Read a NUL-terminated string (page by page, never past the terminator)
 * into buf of capacity cap; -ENAMETOOLONG if it does not fit. */
int sl_notif_read_str(const struct sl_notif *n, uint64_t addr, char *buf,
		      size_t cap, size_t *len);
/* Fill the local buffers local[0..nlocal) exactly from the child's
 * ranges remote[0..nremote) (at most IOV_MAX each side, the same total);
 * -EFAULT on a short read. One process_vm_readv, checked after it. */
int sl_notif_readv(const struct sl_notif *n, const struct iovec *local,
		   size_t nlocal, const struct iovec *remote, size_t nremote);
int sl_notif_write(const struct sl_notif *n, uint64_t addr, const void *buf,
		   size_t len);
/* A pidfd (O_CLOEXEC) naming the notifying task itself, opened while the
 * notification is pending so it cannot name a successor of a recycled pid.
 * Returns the fd or -errno. */
int sl_notif_pidfd(const struct sl_notif *n);
/* Duplicate the child's fd into the supervisor (O_CLOEXEC). Where
 * pidfd_getfd is refused, a new O_PATH descriptor of the same object
 * (reopened through /proc/<tid>/fd): enough to identify it, to stat it,
 * to resolve from it, to act on it through its magic link; not a socket
 * or an open file to do I/O on (callers that need one are refused at
 * build in such an environment). */
int sl_notif_getfd(const struct sl_notif *n, int childfd);
/* The open flags of the child's fd (O_ACCMODE, O_PATH, ...), or -errno:
 * what sl_notif_getfd's O_PATH reopen (ours) does not carry. -EBADF when
 * childfd no longer names the file ours holds. */
int sl_notif_fd_flags(const struct sl_notif *n, int childfd, int ours);
/* Answer notification id with a (from any thread holding listener);
 * an injected fd is closed. */
/* Answer notification id of task pid (0 when unknown: an interrupted
 * injection then cannot kill it) with action a. */
void sl_notif_respond(int listener, uint64_t id, pid_t pid,
		      const struct sl_action *a);

#endif
