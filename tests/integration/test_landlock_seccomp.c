/*
 * The seccomp filter plan installed by the kernel in a forked child
 * (docs/behaviour.md 2.1, 2.4, 5.4): every dangerous call is refused with the
 * errno of docs/behaviour.md; a notification filter hands out a listener; an
 * argument denial wins over notification; foreign syscall ABIs are killed.
 */
#include "harness.h"

#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>

#include "lib/child.h"
#include "seccomp/filter.h"
#include "util/nrset.h"

#define X32_BIT 0x40000000

struct sc_case {
	struct sock_fprog prog;
	const char *scratch;
};

static bool build_program(const char *net_allow, const struct sl_nrset *set,
			  struct sock_fprog *out)
{
	struct sl_policy *p = sl_policy_new();
	struct sl_error e = { 0 };
	int r;

	if (!p)
		return false;
	if (net_allow)
		sl_strv_push(&p->net_allow, net_allow);
	p = ll_build(p);
	if (!p)
		return false;
	r = sl_seccomp_build(p, set, out, &e);
	if (r < 0)
		fprintf(stderr, "  seccomp build: %s\n", e.msg ? e.msg : "?");
	sl_error_clear(&e);
	sl_policy_free(p);
	return r == 0;
}

static void child_denials(void *arg)
{
	const struct sc_case *c = arg;
	struct perf_event_attr pe = { .size = sizeof(pe) };
	char ch = 'x';

	CHILD_CHECK(ll_install_filter(&c->prog, 0) == 0);

	/* The default deny list: EPERM, whatever the arguments. */
	CHILD_FAILS(mount("none", c->scratch, "tmpfs", 0, NULL), EPERM);
	CHILD_FAILS(umount2(c->scratch, 0), EPERM);
	CHILD_FAILS(unshare(CLONE_NEWUSER), EPERM);
	CHILD_FAILS(setns(0, 0), EPERM);
	CHILD_FAILS(syscall(SYS_bpf, 0, NULL, 0), EPERM);
	CHILD_FAILS(syscall(SYS_keyctl, 0, 0, 0, 0, 0), EPERM);
	CHILD_FAILS(syscall(SYS_add_key, "user", "k", "v", 1, 0), EPERM);
	CHILD_FAILS(syscall(SYS_userfaultfd, 0), EPERM);
	CHILD_FAILS(syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0), EPERM);
	CHILD_FAILS(syscall(SYS_open_by_handle_at, -1, NULL, 0), EPERM);
	CHILD_FAILS(syscall(SYS_io_uring_setup, 1, NULL), EPERM);
	CHILD_FAILS(syscall(SYS_kexec_load, 0, 0, NULL, 0), EPERM);
	CHILD_FAILS(syscall(SYS_init_module, NULL, 0, ""), EPERM);
	CHILD_FAILS(syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0),
		    EPERM);
	CHILD_FAILS(syscall(SYS_personality, 0xffffffff), EPERM);

	/* Argument filters. */
	CHILD_FAILS(ioctl(0, 0x5412 /* TIOCSTI */, &ch), EPERM);
	CHILD_FAILS(syscall(SYS_prctl, 4 /* PR_SET_DUMPABLE */, 0, 0, 0, 0),
		    EPERM);
	CHILD_FAILS(socket(AF_INET, SOCK_RAW, 1 /* ICMP */), EPERM);
	CHILD_FAILS(socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, 58), EPERM);
	CHILD_FAILS(socket(AF_INET, SOCK_DGRAM, 0), EPERM);
	CHILD_FAILS(socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), EPERM);
	CHILD_FAILS(socket(AF_PACKET, SOCK_RAW, 0), EAFNOSUPPORT);
	CHILD_FAILS(socket(AF_NETLINK, SOCK_RAW, 9 /* AUDIT */), EAFNOSUPPORT);
	CHILD_FAILS(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0),
		    EPERM);
	CHILD_FAILS(syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0),
		    EPERM);

	/* What stays allowed. */
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHILD_CHECK(fd >= 0);
	close(fd);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHILD_CHECK(fd >= 0);
	close(fd);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0 /* ROUTE */);
	CHILD_CHECK(fd >= 0);
	close(fd);
	CHILD_CHECK(syscall(SYS_prctl, PR_SET_NAME, "probe", 0, 0, 0) == 0);
	CHILD_CHECK(getppid() > 0);
}

TEST(dangerous_calls_are_refused)
{
	struct sc_case c = { .scratch = NULL };

	CHECK(ll_scratch_make());
	c.scratch = ll_scratch;
	CHECK(build_program(NULL, NULL, &c.prog));
	CHECK(ll_exited_ok(ll_run_child(child_denials, &c)));
	sl_seccomp_free(&c.prog);
	ll_scratch_remove();
}

static void child_udp_allowed(void *arg)
{
	const struct sc_case *c = arg;
	int fd;

	CHILD_CHECK(ll_install_filter(&c->prog, 0) == 0);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHILD_CHECK(fd >= 0);
	close(fd);
	CHILD_FAILS(socket(AF_INET, SOCK_RAW, 1), EPERM);
}

TEST(udp_rule_allows_datagram_sockets)
{
	struct sc_case c = { .scratch = NULL };

	CHECK(build_program("udp://127.0.0.1:53", NULL, &c.prog));
	CHECK(ll_exited_ok(ll_run_child(child_udp_allowed, &c)));
	sl_seccomp_free(&c.prog);
}

/*
 * With a listener: the filter is accepted with NEW_LISTENER and returns
 * the listener fd. The child then closes it: a notified syscall with no
 * listener left fails with ENOSYS, so ENOSYS proves "notified" and EPERM
 * proves "denied before notification".
 */
static void child_notify(void *arg)
{
	const struct sc_case *c = arg;
	long listener =
		ll_install_filter(&c->prog, SECCOMP_FILTER_FLAG_NEW_LISTENER);
	char ch = 'x';

	CHILD_CHECK(listener >= 0);
	CHILD_CHECK(fcntl((int)listener, F_GETFD) & FD_CLOEXEC);
	close((int)listener);

	CHILD_FAILS(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0),
		    EPERM);
	CHILD_FAILS(syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0),
		    EPERM);
	CHILD_FAILS(ioctl(0, 0x5412, &ch), EPERM);
	CHILD_FAILS(socket(AF_PACKET, SOCK_RAW, 0), EAFNOSUPPORT);
	CHILD_FAILS(socket(AF_INET, SOCK_RAW, 1), EPERM);
	CHILD_FAILS(mount("none", "/", "tmpfs", 0, NULL), EPERM);

	CHILD_FAILS(syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0), ENOSYS);
	CHILD_FAILS(ioctl(0, 0x5401 /* TCGETS */, &ch), ENOSYS);
	CHILD_FAILS(socket(AF_UNIX, SOCK_STREAM, 0), ENOSYS);
	CHILD_FAILS(syscall(SYS_openat, AT_FDCWD, "/", O_RDONLY), ENOSYS);
	/* A narrow condition: getpgid of another pid is notified, of
	 * itself not. */
	CHILD_FAILS(syscall(SYS_getpgid, 1), ENOSYS);
	CHILD_CHECK(syscall(SYS_getpgid, 0) > 0);
	CHILD_CHECK(getppid() > 0);
}

TEST(argument_denials_win_over_notification)
{
	struct sc_case c = { .scratch = NULL };
	struct sl_nrset set = { 0 };

	sl_nrset_add(&set, SYS_clone);
	sl_nrset_add(&set, SYS_ioctl);
	sl_nrset_add(&set, SYS_socket);
	sl_nrset_add(&set, SYS_openat);
	sl_nrset_add_narrow(&set, SYS_getpgid);
	CHECK(build_program(NULL, &set, &c.prog));
	CHECK(ll_exited_ok(ll_run_child(child_notify, &c)));
	sl_seccomp_free(&c.prog);
}

static void child_x32(void *arg)
{
	const struct sc_case *c = arg;

	CHILD_CHECK(ll_install_filter(&c->prog, 0) == 0);
	/* The x32 ABI shares the x86_64 audit arch: without the check, its
	 * numbers would slip past every rule written for native ones. */
	syscall(X32_BIT | SYS_getpid);
	_exit(2); /* not reached: killed by SIGSYS */
}

TEST(foreign_syscall_abi_kills_the_process)
{
	struct sc_case c = { .scratch = NULL };
	int status;

#ifndef __x86_64__
	SKIP("x32 exists only on x86_64");
#endif
	CHECK(build_program(NULL, NULL, &c.prog));
	status = ll_run_child(child_x32, &c);
	CHECK(WIFSIGNALED(status));
	CHECK_EQ_INT(WTERMSIG(status), SIGSYS);
	sl_seccomp_free(&c.prog);
}
