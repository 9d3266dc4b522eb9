/*
 * argv_race MODE N: N times, exec /bin/echo with one argument that
 * another task keeps rewriting between "safe-arg" and "tok-evil" while
 * the exec is decided. Each exec'd echo prints the argument it got; the
 * test counts the "tok-evil" lines a policy callback that refuses
 * "tok-evil" let through.
 *
 *   thread  the writer is a thread of the exec'ing process
 *   proc    the writer is another process sharing the argument's memory
 *           (MAP_SHARED)
 *
 * Prints "done N" at the end (with the echo lines before it).
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((used, visibility("default"))) const char *
__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

struct shared {
	_Atomic int started;
	char arg[16];
};

static struct shared *sh;

static void flip_forever(void)
{
	atomic_store(&sh->started, 1);
	/* each value stays a while: a reader sees either, whole */
	for (unsigned long i = 0;; i++)
		memcpy((char *)sh->arg, (i >> 10) & 1 ? "tok-evil" : "safe-arg",
		       9);
}

static void *writer(void *arg)
{
	(void)arg;
	flip_forever();
	return NULL;
}

static void attempt(bool thread)
{
	char *argv[] = { "/bin/echo", sh->arg, NULL };
	pthread_t t;
	pid_t w = -1;

	memcpy(sh->arg, "safe-arg", 9);
	atomic_store(&sh->started, 0);
	if (thread) {
		if (pthread_create(&t, NULL, writer, NULL) != 0)
			_exit(3);
	} else {
		pid_t me = getpid();

		w = fork();
		if (w == 0) {
			/* gone with the exec'd program */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != me)
				_exit(0);
			flip_forever();
		}
		if (w < 0)
			_exit(3);
	}
	while (!atomic_load(&sh->started))
		sched_yield();
	execv(argv[0], argv);
	if (w > 0)
		kill(w, SIGKILL);
	_exit(0); /* refused: nothing printed */
}

int main(int argc, char **argv)
{
	bool thread;
	int n;

	if (argc != 3)
		return 2;
	thread = strcmp(argv[1], "thread") == 0;
	n = atoi(argv[2]);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	setvbuf(stdout, NULL, _IONBF, 0);
	for (int i = 0; i < n; i++) {
		pid_t c = fork();

		if (c == 0)
			attempt(thread);
		if (c < 0)
			return 1;
		while (waitpid(c, NULL, 0) < 0)
			;
		/* a writer process left behind by an exec that went */
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	printf("done %d\n", n);
	return 0;
}
