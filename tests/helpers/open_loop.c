/*
 * open_loop FILE N: open FILE N times, read it whole each time and compare
 * with the first read; print "opens=<n> bad=<b>" (bad: an open that
 * failed, returned a descriptor below 3, or read other bytes).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((used, visibility("default"))) const char *
__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

static ssize_t slurp(const char *path, char *buf, size_t cap, int *fdout)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, got = 0;

	*fdout = fd;
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + got, cap - (size_t)got)) > 0)
		got += n;
	close(fd);
	return n < 0 ? -1 : got;
}

int main(int argc, char **argv)
{
	static char first[65536], again[65536];
	int n, bad = 0, fd;
	ssize_t len;

	if (argc != 3)
		return 2;
	n = atoi(argv[2]);
	len = slurp(argv[1], first, sizeof(first), &fd);
	if (len < 0 || fd < 3)
		bad++;
	for (int i = 1; i < n; i++) {
		ssize_t l = slurp(argv[1], again, sizeof(again), &fd);

		if (fd < 3 || l != len || memcmp(first, again, (size_t)len))
			bad++;
	}
	printf("opens=%d bad=%d\n", n, bad);
	return 0;
}
