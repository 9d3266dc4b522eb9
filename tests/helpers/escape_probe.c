/*
 * escape_probe OP [ARG...]: attempts on processes, privileges and limits
 * made from inside a sandbox (tests/escape/test_escape_lifecycle.c). Each
 * prints one line: "OK" or the errno name for single calls, or the
 * counts named below; exit 0 unless the usage is wrong (2).
 *
 * Targets are harmless when the call goes through: scratch paths, scratch
 * processes the test started, a private network namespace, and calls
 * that need a capability but change nothing (settimeofday(NULL, NULL),
 * clock_adjtime setting the tick it already has).
 *
 *   mknod PATH          character device 1:11 (/dev/kmsg's numbers)
 *   rtnl_addaddr        RTM_NEWADDR 10.213.7.1/32 on lo (ifindex 1)
 *   settimeofday        settimeofday(NULL, NULL)
 *   adjtick             clock_adjtime(CLOCK_REALTIME, ADJ_TICK, same tick)
 *   prlimit_cpu PID     prlimit64(PID, RLIMIT_CPU, {1, 1})
 *   setpriority PID     setpriority(PRIO_PROCESS, PID, 19)
 *   getprio_user        getpriority(PRIO_USER, 0)
 *   setaffinity PID     sched_setaffinity(PID, our own mask)
 *   ioprio_set PID      ioprio_set(IOPRIO_WHO_PROCESS, PID, best effort 7)
 *   kcmp PID            kcmp(self, PID, KCMP_VM)
 *   robust_list PID     get_robust_list(PID)
 *   migrate_pages PID   migrate_pages(PID, all nodes -> all nodes)
 *   pidfd_open PID      pidfd_open(PID)
 *   on_child            every call above on a child of ours: one line
 *                       "<op>=<result>" per call (the control run)
 *   setsid_orphan PATH [exit]
 *                       fork; the child calls setsid() and forks a
 *                       grandchild that sleeps; the grandchild's pid is
 *                       written to PATH once it runs; then sleep, or
 *                       exit 0 with "exit"
 *   double_fork N       N times: fork a child that forks a sleeping
 *                       grandchild and exits; "alive=<k>" counts the
 *                       grandchildren that started
 *   memfd MB            memfd of MB MiB, mapped MAP_SHARED, every page
 *                       written: "survived"
 *   memfd_windows MB W  the same through W MiB windows, each unmapped
 *                       before the next is mapped: "survived"
 *   cow MB N            map and touch MB MiB, fork N children that each
 *                       write every page: "survived children=<k>"
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_BE 2
#define IOPRIO_PRIO_VALUE(c, d) (((c) << 13) | (d))
#define KCMP_VM 1

static long result(long r)
{
	if (r < 0)
		printf("%s\n",
		       strerrorname_np(errno) ? strerrorname_np(errno) : "E?");
	else
		printf("OK\n");
	return 0;
}

static const char *name_of(long r)
{
	if (r >= 0)
		return "OK";
	return strerrorname_np(errno) ? strerrorname_np(errno) : "E?";
}

static long op_rtnl_addaddr(void)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
		struct rtattr rta;
		uint8_t addr[4];
	} req;
	char buf[512];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	ssize_t n;

	if (fd < 0)
		return result(fd);
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = RTM_NEWADDR;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
			     NLM_F_EXCL;
	req.nh.nlmsg_seq = 1;
	req.ifa.ifa_family = AF_INET;
	req.ifa.ifa_prefixlen = 32;
	req.ifa.ifa_index = 1;
	req.rta.rta_type = IFA_LOCAL;
	req.rta.rta_len = RTA_LENGTH(4);
	memcpy(req.addr, (uint8_t[]){ 10, 213, 7, 1 }, 4);
	if (send(fd, &req, sizeof(req), 0) < 0)
		return result(-1);
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return result(-1);
	if ((size_t)n >= sizeof(*nh) + sizeof(struct nlmsgerr) &&
	    nh->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(nh);

		errno = -e->error;
		return result(e->error ? -1 : 0);
	}
	puts("ENOMSG");
	return 0;
}

static long op_adjtick(void)
{
	struct timex t = { .modes = 0 };

	if (adjtimex(&t) < 0)
		return result(-1);
	t.modes = ADJ_TICK; /* the tick it already has: no change */
	return result(clock_adjtime(CLOCK_REALTIME, &t));
}

static long prlimit_cpu(pid_t pid)
{
	struct rlimit one = { 1, 1 };

	return syscall(SYS_prlimit64, pid, RLIMIT_CPU, &one, NULL);
}

static long setaffinity(pid_t pid)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return -1;
	return sched_setaffinity(pid, sizeof(set), &set);
}

static long ioprio_set(pid_t pid)
{
	return syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, pid,
		       IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 7));
}

static long robust_list(pid_t pid)
{
	void *head;
	size_t len;

	return syscall(SYS_get_robust_list, pid, &head, &len);
}

static long migrate(pid_t pid)
{
	unsigned long all = ~0UL;

	return syscall(SYS_migrate_pages, pid, sizeof(all) * 8, &all, &all);
}

static long pidfd(pid_t pid)
{
	long fd = syscall(SYS_pidfd_open, pid, 0);

	if (fd >= 0)
		close((int)fd);
	return fd;
}

/* The same calls on a child of ours: all must be allowed. */
static long op_on_child(void)
{
	pid_t c = fork();

	if (c == 0) {
		pause();
		_exit(0);
	}
	if (c < 0)
		return result(-1);
	printf("prlimit_cpu=%s\n", name_of(prlimit_cpu(c)));
	printf("setpriority=%s\n", name_of(setpriority(PRIO_PROCESS, c, 19)));
	printf("setaffinity=%s\n", name_of(setaffinity(c)));
	printf("ioprio_set=%s\n", name_of(ioprio_set(c)));
	printf("kcmp=%s\n",
	       name_of(syscall(SYS_kcmp, getpid(), c, KCMP_VM, 0, 0)));
	printf("robust_list=%s\n", name_of(robust_list(c)));
	printf("pidfd_open=%s\n", name_of(pidfd(c)));
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	return 0;
}

static long op_setsid_orphan(const char *path, bool stay)
{
	int p[2];
	pid_t c;
	char buf[32];
	ssize_t n;

	if (pipe(p) < 0)
		return 1;
	c = fork();
	if (c == 0) {
		pid_t g;

		setsid();
		g = fork();
		if (g == 0) {
			int null = open("/dev/null", O_RDWR);

			/* Holds none of the run's pipes: only its own life
			 * can keep it around. */
			dup2(null, 1);
			dup2(null, 2);
			close(p[0]);
			close(p[1]);
			for (;;)
				pause();
		}
		n = snprintf(buf, sizeof(buf), "%d\n", (int)g);
		(void)!write(p[1], buf, (size_t)n);
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	if (n <= 0)
		return 1;
	buf[n] = '\0';
	waitpid(c, NULL, 0);
	{
		FILE *f = fopen(path, "w");

		if (!f || fputs(buf, f) < 0 || fclose(f) != 0)
			return 1;
	}
	puts("orphaned");
	while (stay)
		pause();
	return 0;
}

static long op_double_fork(int n)
{
	int ack[2], alive = 0;
	char c;

	if (pipe(ack) < 0)
		return 1;
	for (int i = 0; i < n; i++) {
		pid_t p = fork();

		if (p == 0) {
			pid_t g = fork();

			if (g == 0) {
				int null = open("/dev/null", O_RDWR);

				/* Not holding the run's output open. */
				dup2(null, 1);
				dup2(null, 2);
				close(ack[0]);
				(void)!write(ack[1], "x", 1);
				close(ack[1]);
				sleep(60);
				_exit(0);
			}
			_exit(0);
		}
		if (p > 0)
			waitpid(p, NULL, 0);
	}
	close(ack[1]);
	while (read(ack[0], &c, 1) == 1)
		alive++;
	printf("alive=%d\n", alive);
	return 0;
}

static void touch(char *p, size_t len)
{
	for (size_t i = 0; i < len; i += 4096)
		p[i] = 1;
}

static long op_memfd(size_t mb, size_t window)
{
	int fd = memfd_create("escape", MFD_CLOEXEC);
	size_t len = mb << 20, win = window ? window << 20 : len;

	if (fd < 0 || ftruncate(fd, (off_t)len) < 0)
		return 1;
	for (size_t off = 0; off < len; off += win) {
		char *p = mmap(NULL, win, PROT_READ | PROT_WRITE, MAP_SHARED,
			       fd, (off_t)off);

		if (p == MAP_FAILED)
			return 1;
		touch(p, win);
		munmap(p, win);
	}
	puts("survived");
	return 0;
}

static long op_cow(size_t mb, int n)
{
	size_t len = mb << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int done[2], children = 0, alive = 0;
	pid_t kids[64];
	char c;

	if (p == MAP_FAILED || pipe(done) < 0 || n > 64)
		return 1;
	touch(p, len);
	for (int i = 0; i < n; i++) {
		pid_t k = fork();

		if (k == 0) {
			close(done[0]);
			for (size_t j = 0; j < len; j += 4096)
				p[j] = 2; /* each page copied: its own memory */
			(void)!write(done[1], "x", 1);
			pause();
			_exit(0);
		}
		if (k > 0)
			kids[children++] = k;
	}
	close(done[1]);
	for (int i = 0; i < children; i++)
		if (read(done[0], &c, 1) == 1)
			alive++;
	printf("survived children=%d\n", alive);
	for (int i = 0; i < children; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";
	const char *arg = argc > 2 ? argv[2] : NULL;
	pid_t pid = arg ? (pid_t)atoi(arg) : 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(op, "mknod") && arg)
		return (int)result(mknod(arg, S_IFCHR | 0600, makedev(1, 11)));
	if (!strcmp(op, "rtnl_addaddr"))
		return (int)op_rtnl_addaddr();
	if (!strcmp(op, "settimeofday"))
		return (int)result(syscall(SYS_settimeofday, NULL, NULL));
	if (!strcmp(op, "adjtick"))
		return (int)op_adjtick();
	if (!strcmp(op, "prlimit_cpu") && pid > 0)
		return (int)result(prlimit_cpu(pid));
	if (!strcmp(op, "setpriority") && pid > 0)
		return (int)result(setpriority(PRIO_PROCESS, (id_t)pid, 19));
	if (!strcmp(op, "getprio_user")) {
		errno = 0;
		int r = getpriority(PRIO_USER, 0);

		return (int)result(r == -1 && errno ? -1 : 0);
	}
	if (!strcmp(op, "setaffinity") && pid > 0)
		return (int)result(setaffinity(pid));
	if (!strcmp(op, "ioprio_set") && pid > 0)
		return (int)result(ioprio_set(pid));
	if (!strcmp(op, "kcmp") && pid > 0)
		return (int)result(
			syscall(SYS_kcmp, getpid(), pid, KCMP_VM, 0, 0));
	if (!strcmp(op, "robust_list") && pid > 0)
		return (int)result(robust_list(pid));
	if (!strcmp(op, "migrate_pages") && pid > 0)
		return (int)result(migrate(pid));
	if (!strcmp(op, "pidfd_open") && pid > 0)
		return (int)result(pidfd(pid));
	if (!strcmp(op, "on_child"))
		return (int)op_on_child();
	if (!strcmp(op, "setsid_orphan") && arg)
		return (int)op_setsid_orphan(arg, !(argc > 3 &&
						    !strcmp(argv[3], "exit")));
	if (!strcmp(op, "double_fork") && arg)
		return (int)op_double_fork(atoi(arg));
	if (!strcmp(op, "memfd") && arg)
		return (int)op_memfd(strtoul(arg, NULL, 10), 0);
	if (!strcmp(op, "memfd_windows") && arg && argc > 3)
		return (int)op_memfd(strtoul(arg, NULL, 10),
				     strtoul(argv[3], NULL, 10));
	if (!strcmp(op, "cow") && arg && argc > 3)
		return (int)op_cow(strtoul(arg, NULL, 10), atoi(argv[3]));
	fprintf(stderr, "usage: escape_probe OP [ARG...]\n");
	return 2;
}
