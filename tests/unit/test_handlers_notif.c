/*
 * Child-memory services (supervisor/notif.c) against a real seccomp
 * listener: a child notifies mknodat() with paths placed at page
 * boundaries, the test reads them the way handlers do; once with the
 * calls the environment allows, once as in a container that refuses
 * process_vm_readv/writev and pidfd_getfd (util/hostperm.h), which the
 * services then replace with /proc/<pid>/mem and /proc/<pid>/fd.
 */
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "supervisor/notif.h"
#include "util/hostperm.h"

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif

/* Send fd over a unix socket (the listener: pidfd_getfd may be refused
 * here). */
static int send_fd(int sock, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char byte = 'L';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_len = CMSG_LEN(sizeof(int));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;
	int fd = -1;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	return fd;
}

/* Child: notify every mknodat, make three calls, report results. */
static void child(int report, char *page)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mknodat, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 4, .filter = f };
	long ps = sysconf(_SC_PAGESIZE);
	int lfd, r[3];
	char *end = page + ps; /* the next page is unmapped */

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(10);
	lfd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			   SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (lfd < 0)
		_exit(11);
	/* ours closed: should the test die, the notifications end */
	if (send_fd(report, lfd) < 0 || close(lfd) < 0)
		_exit(12);
	/* 1: "ab" ending on the last byte of the page */
	memcpy(end - 3, "ab", 3);
	r[0] = (int)syscall(SYS_mknodat, AT_FDCWD, end - 3, 0, 0);
	/* 2: no terminator before the unmapped page */
	memset(end - 8, 'x', 8);
	r[1] = (int)syscall(SYS_mknodat, AT_FDCWD, end - 8, 0, 0);
	/* 3: the supervisor writes "OK" into our buffer */
	r[2] = (int)syscall(SYS_mknodat, AT_FDCWD, page, 0, 0);
	if (write(report, r, sizeof(r)) != sizeof(r))
		_exit(13);
	_exit(memcmp(page, "OK", 3) == 0 ? 0 : 14);
}

static int recv_one(int listener, struct seccomp_notif *req)
{
	memset(req, 0, sizeof(*req));
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req);
}

static void respond(int listener, uint64_t id, int error)
{
	struct seccomp_notif_resp resp = { .id = id, .error = -error };

	ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

static void strings_and_writes(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int rep[2], listener, status, r[3];
	struct seccomp_notif req;
	struct sl_notif n = { .req = &req };
	char buf[64];
	size_t len = 0;
	pid_t pid;

	/* Unmapped, not PROT_NONE: /proc/<pid>/mem reads through page
	 * protections (the kernel's FOLL_FORCE), the syscalls do not. */
	CHECK(map != MAP_FAILED);
	CHECK(munmap(map + ps, ps) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, rep) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		child(rep[1], map);
	close(rep[1]);
	listener = recv_fd(rep[0]);
	CHECK(listener >= 0);
	n.listener = listener;

	CHECK(recv_one(listener, &req) == 0);
	CHECK_EQ_INT(sl_notif_id_valid(listener, req.id), 0);
	CHECK_EQ_INT(sl_notif_read_str(&n, req.data.args[1], buf, sizeof(buf),
				       &len),
		     0);
	CHECK_STR(buf, "ab");
	CHECK_EQ_INT(len, 2);
	/* too small a buffer */
	CHECK_EQ_INT(sl_notif_read_str(&n, req.data.args[1], buf, 2, &len),
		     -ENAMETOOLONG);
	/* a read running into the unmapped page */
	CHECK_EQ_INT(sl_notif_read(&n, req.data.args[1], buf, 8), -EFAULT);
	/* the child's fd 1 duplicated into us (reopened: the same file) */
	{
		int fd = sl_notif_getfd(&n, 1);
		struct stat ours, theirs;

		CHECK(fd >= 0);
		CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		CHECK(fstat(fd, &ours) == 0 && fstat(1, &theirs) == 0);
		CHECK(ours.st_ino == theirs.st_ino &&
		      ours.st_dev == theirs.st_dev);
		CHECK_EQ_INT(sl_notif_fd_flags(&n, 1, fd) & O_ACCMODE,
			     fcntl(1, F_GETFL) & O_ACCMODE);
		/* flags of another file than ours do not count */
		CHECK_EQ_INT(sl_notif_fd_flags(&n, 1, rep[0]), -EBADF);
		close(fd);
		CHECK_EQ_INT(sl_notif_getfd(&n, 999), -EBADF);
	}
	respond(listener, req.id, EPERM);

	CHECK(recv_one(listener, &req) == 0);
	CHECK_EQ_INT(sl_notif_read_str(&n, req.data.args[1], buf, sizeof(buf),
				       &len),
		     -EFAULT);
	respond(listener, req.id, EFAULT);

	CHECK(recv_one(listener, &req) == 0);
	CHECK_EQ_INT(sl_notif_write(&n, req.data.args[1], "OK", 3), 0);
	respond(listener, req.id, EEXIST);
	{
		uint64_t stale = req.id;

		CHECK(read(rep[0], r, sizeof(r)) == sizeof(r));
		CHECK_EQ_INT(r[0], -1);
		CHECK(waitpid(pid, &status, 0) == pid);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		/* answered and gone: no access through a stale id */
		CHECK_EQ_INT(sl_notif_id_valid(listener, stale), -ENOENT);
		CHECK_EQ_INT(sl_notif_read(&n, req.data.args[1], buf, 1),
			     -ENOENT);
	}
	close(listener);
	close(rep[0]);
	munmap(map, ps);
}

TEST(strings_and_writes_through_a_live_notification)
{
	strings_and_writes();
}

/* As where the calls are refused: through /proc/<pid>/{mem,fd}. */
TEST(the_same_through_proc_where_the_calls_are_refused)
{
	unsigned was = sl_host_perms();

	sl_host_perms_override(was & ~(SL_HOST_VM_READ | SL_HOST_VM_WRITE |
				       SL_HOST_PIDFD_GETFD));
	strings_and_writes();
	sl_host_perms_override(was);
}
