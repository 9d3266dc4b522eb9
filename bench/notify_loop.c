/*
 * Calls munmap() on an unmapped page N times and prints the mean cost per
 * call in nanoseconds. Under a sandbox with max_memory, munmap is routed to
 * the supervisor, so the difference to an un-notified run is one
 * notification round trip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	struct timespec a, b;
	void *page =
		mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (page == MAP_FAILED || munmap(page, 4096) != 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		munmap(page, 4096);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f\n",
	       ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
