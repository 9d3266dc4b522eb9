/*
 * handler_probe OP ARGS: syscalls for the custom-handler tests, each
 * printing how it ended on one line.
 *
 *   getpid                 "pid <getpid()>"
 *   getpgid0               "pgid <getpgid(0)>"
 *   mkdir PATH             "mkdir OK" or "mkdir <ERRNO NAME>"
 *   open PATH              read the file: "read <content>" (or the error),
 *                          then try to write to it: "write OK" or
 *                          "write <ERRNO NAME>", then "cloexec 0|1"
 *   uname                  "nodename <uname().nodename>"
 *   threads N PATH         N threads mkdir PATH.<i> at once; one line per
 *                          outcome, sorted: "<ERRNO NAME|OK> <count>"
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

__attribute__((used, visibility("default"))) const char *
__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "E?";
}

static const char *base;
static int results[512];

static void *mk(void *arg)
{
	long i = (long)arg;
	char path[4096];

	snprintf(path, sizeof(path), "%s.%ld", base, i);
	results[i] = mkdir(path, 0755) < 0 ? errno : 0;
	return NULL;
}

static int threads(int n, const char *path)
{
	pthread_t t[512];
	int seen[4096] = { 0 };

	if (n > 512)
		return 2;
	base = path;
	for (long i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, mk, (void *)i) != 0)
			return 1;
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < n; i++)
		seen[results[i] < 4096 ? results[i] : 0]++;
	for (int e = 0; e < 4096; e++)
		if (seen[e])
			printf("%s %d\n", e ? ename(e) : "OK", seen[e]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(argv[1], "getpid")) {
		printf("pid %ld\n", (long)syscall(SYS_getpid));
	} else if (!strcmp(argv[1], "getpgid0")) {
		printf("pgid %ld\n", (long)syscall(SYS_getpgid, 0));
	} else if (!strcmp(argv[1], "mkdir") && argc == 3) {
		if (mkdir(argv[2], 0755) < 0)
			printf("mkdir %s\n", ename(errno));
		else
			printf("mkdir OK\n");
	} else if (!strcmp(argv[1], "open") && argc == 3) {
		char buf[256];
		int fd = open(argv[2], O_RDWR), fl;
		ssize_t n;

		if (fd < 0) {
			printf("read %s\n", ename(errno));
			return 0;
		}
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		printf("read %s\n", n < 0 ? ename(errno) : buf);
		printf("write %s\n",
		       write(fd, "x", 1) < 0 ? ename(errno) : "OK");
		fl = fcntl(fd, F_GETFD);
		printf("cloexec %d\n", fl >= 0 && (fl & FD_CLOEXEC) ? 1 : 0);
	} else if (!strcmp(argv[1], "uname")) {
		struct utsname u;

		if (uname(&u) < 0)
			printf("uname %s\n", ename(errno));
		else
			printf("nodename %s\n", u.nodename);
	} else if (!strcmp(argv[1], "threads") && argc == 4) {
		return threads(atoi(argv[2]), argv[3]);
	} else {
		return 2;
	}
	return 0;
}
