/*
 * Child-memory services (supervisor/notif.c) against a real seccomp
 * listener: a child notifies mknodat() with paths placed at page
 * boundaries, the test reads them the way handlers do.
 */
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "supervisor/notif.h"

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif

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
	char *end = page + ps; /* the next page is PROT_NONE */

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(10);
	lfd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			   SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (lfd < 0)
		_exit(11);
	if (write(report, &lfd, sizeof(lfd)) != sizeof(lfd))
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

TEST(strings_and_writes_through_a_live_notification)
{
	long ps = sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int rep[2], lfd_child, listener, pidfd, status, r[3];
	struct seccomp_notif req;
	struct sl_notif n = { .req = &req };
	char buf[64];
	size_t len = 0;
	pid_t pid;

	CHECK(map != MAP_FAILED);
	CHECK(mprotect(map + ps, ps, PROT_NONE) == 0);
	CHECK(pipe2(rep, O_CLOEXEC) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		child(rep[1], map);
	close(rep[1]);
	CHECK(read(rep[0], &lfd_child, sizeof(lfd_child)) == sizeof(lfd_child));
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	CHECK(pidfd >= 0);
	listener = (int)syscall(SYS_pidfd_getfd, pidfd, lfd_child, 0);
	CHECK(listener >= 0);
	n.listener = listener;

	CHECK(recv_one(listener, &req) == 0);
	CHECK_EQ_INT(sl_notif_id_valid(listener, req.id), 0);
	CHECK_EQ_INT(sl_notif_read_str(&n, req.data.args[1], buf, sizeof(buf),
				       &len), 0);
	CHECK_STR(buf, "ab");
	CHECK_EQ_INT(len, 2);
	/* too small a buffer */
	CHECK_EQ_INT(sl_notif_read_str(&n, req.data.args[1], buf, 2, &len),
		     -ENAMETOOLONG);
	/* a read running into the unmapped page */
	CHECK_EQ_INT(sl_notif_read(&n, req.data.args[1], buf, 8), -EFAULT);
	/* the child's fd 1 duplicated into us */
	{
		int fd = sl_notif_getfd(&n, 1);

		CHECK(fd >= 0);
		CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		close(fd);
		CHECK_EQ_INT(sl_notif_getfd(&n, 999), -EBADF);
	}
	respond(listener, req.id, EPERM);

	CHECK(recv_one(listener, &req) == 0);
	CHECK_EQ_INT(sl_notif_read_str(&n, req.data.args[1], buf, sizeof(buf),
				       &len), -EFAULT);
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
	close(pidfd);
	close(rep[0]);
	munmap(map, 2 * ps);
}
