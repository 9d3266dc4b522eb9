/*
 * open_loop PATH N [rel]: opens PATH read-only and closes it N times and
 * prints the mean cost of one open + close in nanoseconds. With "rel",
 * PATH's directory is opened once and each open is relative to it
 * (openat(dirfd, name)), as tar and find do.
 *
 * open_loop PATH N meta: opens PATH for writing once, then makes N pairs
 * of the metadata writes cp -a makes on each file it copies (futimens and
 * fsetxattr on the fd) and prints the mean cost of one of them.
 */
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 10000;
	int rel = argc > 3 && strcmp(argv[3], "rel") == 0;
	char *dcopy, *bcopy;
	const char *name;
	struct timespec a, b;
	int dir = AT_FDCWD;

	if (argc < 3)
		return 2;
	if (argc > 3 && strcmp(argv[3], "meta") == 0) {
		struct timespec ts[2] = { { 1000, 0 }, { 2000, 0 } };
		int fd = open(argv[1], O_WRONLY | O_CLOEXEC);

		if (fd < 0)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (long i = 0; i < n; i++)
			if (futimens(fd, ts) < 0 ||
			    fsetxattr(fd, "user.sl-bench", "x", 1, 0) < 0)
				return 1;
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("%.1f\n",
		       ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) /
			       (2.0 * n));
		return 0;
	}
	dcopy = strdup(argv[1]);
	bcopy = strdup(argv[1]);
	name = argv[1];
	if (rel) {
		dir = open(dirname(dcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		name = basename(bcopy);
		if (dir < 0)
			return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return 1;
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f\n",
	       ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
