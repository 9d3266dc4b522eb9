/*
 * mem_probe MODE MB: allocate inside a sandbox under max_memory and say
 * "survived" on stdout if the process was not stopped.
 *
 *   thread MB    a second thread (not the group leader) maps and touches
 *                MB MiB of anonymous memory, after a few small mappings
 *                that make its thread -> process answer cached
 *   unseen MB    maps MB MiB of /dev/zero privately writable (no
 *                MAP_ANONYMOUS: not charged, but counted in statm's data
 *                field), then asks for one anonymous page
 *   spawn MB     touches MB MiB, then runs /bin/true with posix_spawn
 *                (a child sharing its memory until it execs: vfork)
 */
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static size_t mib;

static void *touch_new(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	for (size_t i = 0; i < len; i += 4096)
		p[i] = 1;
	return p;
}

static void *thread_main(void *arg)
{
	(void)arg;
	for (int i = 0; i < 4; i++) {
		void *small = touch_new(4096);

		if (!small)
			return NULL;
		munmap(small, 4096);
	}
	return touch_new(mib << 20);
}

static int unseen(void)
{
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	void *big;

	if (fd < 0)
		return 1;
	big = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (big == MAP_FAILED || !touch_new(4096))
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t t;
	void *got = NULL;

	if (argc != 3)
		return 2;
	mib = strtoul(argv[2], NULL, 10);
	if (strcmp(argv[1], "thread") == 0) {
		if (pthread_create(&t, NULL, thread_main, NULL) != 0 ||
		    pthread_join(t, &got) != 0 || !got)
			return 1;
	} else if (strcmp(argv[1], "unseen") == 0) {
		if (unseen() != 0)
			return 1;
	} else if (strcmp(argv[1], "spawn") == 0) {
		char *const args[] = { "true", NULL };
		pid_t pid;
		int status;

		if (!touch_new(mib << 20) ||
		    posix_spawn(&pid, "/bin/true", NULL, NULL, args, environ) ||
		    waitpid(pid, &status, 0) != pid || status != 0)
			return 1;
	} else {
		return 2;
	}
	puts("survived");
	return 0;
}
