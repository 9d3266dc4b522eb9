/*
 * try_syscall OP [ARG]: perform one dangerous operation and print how it
 * ended, "OK" or the errno name (e.g. "EPERM"), then exit 0. Exit 2 on a
 * usage error. The escape tests run it inside a sandbox and compare the
 * printed name with the denial the sandbox must produce.
 *
 * Every operation is chosen so that, were it allowed, it would still do no
 * harm (invalid arguments, private scratch targets, signal 0).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef KEY_SPEC_PROCESS_KEYRING
#define KEY_SPEC_PROCESS_KEYRING -2
#endif
#ifndef KEY_SPEC_SESSION_KEYRING
#define KEY_SPEC_SESSION_KEYRING -3
#endif
#define KEYCTL_GET_KEYRING_ID 0
#define BPF_PROG_LOAD 5

static long result(long r)
{
	if (r < 0)
		printf("%s\n",
		       strerrorname_np(errno) ? strerrorname_np(errno) : "E?");
	else
		printf("OK\n");
	return 0;
}

static long fd_result(long fd)
{
	if (fd >= 0)
		close((int)fd);
	return result(fd);
}

static long op_connect_abstract(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(name);
	int fd, r;

	if (len + 1 > sizeof(sa.sun_path))
		return 2;
	memcpy(sa.sun_path + 1, name, len);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return result(fd);
	r = connect(
		fd, (struct sockaddr *)&sa,
		(socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len));
	result(r);
	close(fd);
	return 0;
}

static long op_clone_newns(void)
{
	long pid = syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, NULL, NULL, 0);

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return result(pid);
}

static long op_perf_event_open(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.disabled = 1,
	};

	return fd_result(syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));
}

static long attempt(const char *op, const char *arg);

/* _exit: a sanitizer build's leak pass at exit needs /proc, which the
 * sandbox does not grant; this program allocates nothing worth checking. */
int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	_exit((int)attempt(argc > 1 ? argv[1] : "", argc > 2 ? argv[2] : NULL));
}

static long attempt(const char *op, const char *arg)
{
	pid_t target = arg ? (pid_t)atoi(arg) : 0;

	if (!strcmp(op, "mount") && arg)
		return result(mount("none", arg, "tmpfs", 0, "size=4k"));
	if (!strcmp(op, "umount2") && arg)
		return result(umount2(arg, 0));
	if (!strcmp(op, "chroot") && arg)
		return result(chroot(arg));
	if (!strcmp(op, "unshare_user"))
		return result(unshare(CLONE_NEWUSER));
	if (!strcmp(op, "setns")) /* fd 0 is no namespace: EINVAL if allowed */
		return result(setns(0, CLONE_NEWNET));
	if (!strcmp(op, "ptrace_attach") && target > 0)
		return result(ptrace(PTRACE_ATTACH, target, NULL, NULL));
	if (!strcmp(op, "kill") && target > 0)
		return result(kill(target, 0));
	if (!strcmp(op, "bpf"))
		return result(syscall(SYS_bpf, BPF_PROG_LOAD, NULL, 0));
	if (!strcmp(op, "io_uring_setup"))
		return fd_result(syscall(SYS_io_uring_setup, 1, NULL));
	if (!strcmp(op, "keyctl"))
		return result(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID,
				      KEY_SPEC_SESSION_KEYRING, 0));
	if (!strcmp(op, "add_key"))
		return result(syscall(SYS_add_key, "user", "sandlock-escape",
				      "x", 1, KEY_SPEC_PROCESS_KEYRING));
	if (!strcmp(op, "userfaultfd"))
		return fd_result(syscall(SYS_userfaultfd, O_CLOEXEC));
	if (!strcmp(op, "perf_event_open"))
		return op_perf_event_open();
	if (!strcmp(op, "open_by_handle_at"))
		return fd_result(syscall(SYS_open_by_handle_at, AT_FDCWD, NULL,
					 O_RDONLY));
	if (!strcmp(op, "tiocsti"))
		return result(ioctl(0, TIOCSTI, "#"));
	if (!strcmp(op,
		    "kexec_load")) /* an invalid architecture: EINVAL if allowed */
		return result(
			syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0xffff0000UL));
	if (!strcmp(op, "init_module"))
		return result(syscall(SYS_init_module, NULL, 0UL, ""));
	if (!strcmp(op, "finit_module"))
		return result(syscall(SYS_finit_module, -1, "", 0));
	if (!strcmp(op, "delete_module"))
		return result(syscall(SYS_delete_module,
				      "sandlock_no_such_module", O_NONBLOCK));
	if (!strcmp(op, "connect_abstract") && arg)
		return op_connect_abstract(arg);
	if (!strcmp(op, "socket_raw"))
		return fd_result(
			socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP));
	if (!strcmp(op, "socket_packet"))
		return fd_result(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
	if (!strcmp(op, "socket_udp"))
		return fd_result(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	if (!strcmp(op, "clone_newns"))
		return op_clone_newns();
	if (!strcmp(op, "prctl_dumpable"))
		return result(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0));
	fprintf(stderr, "usage: try_syscall OP [ARG]\n");
	return 2;
}
