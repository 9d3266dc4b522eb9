/*
 * race_open ALLOWED DENIED N: one thread keeps rewriting a path buffer,
 * alternating between ALLOWED and DENIED, while the main thread opens the
 * buffer N times and reads what it got. Prints "read=<r> leaked=<l>":
 * leaked counts reads that returned DENIED's content (its first byte is
 * 'S', ALLOWED's is 'P'). A supervisor that checks a path and then lets the
 * kernel re-read it from memory would leak.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* Built with sanitizers, a helper runs in sandboxes without /proc, where
 * LeakSanitizer cannot work (nor can ASan read ASAN_OPTIONS). */
__attribute__((used, visibility("default"))) const char *
__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

#define PATH_CAP 512

static char path[PATH_CAP];
static const char *paths[2];
static atomic_int stop;

static void *flipper(void *arg)
{
	size_t i = 0;

	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		const char *p = paths[i++ & 1];

		/* volatile-free byte stores: the point is to race */
		memcpy(path, p, strlen(p) + 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	long n, reads = 0, leaks = 0;

	if (argc != 4 || strlen(argv[1]) >= PATH_CAP ||
	    strlen(argv[2]) >= PATH_CAP) {
		fprintf(stderr, "usage: race_open ALLOWED DENIED N\n");
		return 2;
	}
	paths[0] = argv[1];
	paths[1] = argv[2];
	n = atol(argv[3]);
	strcpy(path, argv[1]);
	if (pthread_create(&t, NULL, flipper, NULL) != 0)
		return 1;
	for (long i = 0; i < n; i++) {
		char c;
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			continue;
		if (read(fd, &c, 1) == 1) {
			reads++;
			if (c == 'S')
				leaks++;
		}
		close(fd);
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	printf("read=%ld leaked=%ld\n", reads, leaks);
	return 0;
}
