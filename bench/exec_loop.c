/*
 * exec_loop N [peer]: exec itself N times in a row (one process, one exec
 * after the other), then exit 0. With "peer", first fork a child that
 * waits, idle, for the whole chain: a task that an exec decided under a
 * policy callback must freeze.
 *
 * Free of libc (x86_64): an exec of it opens nothing and runs no start-up
 * code, so the chain measures the exec itself (a static glibc program
 * spends hundreds of microseconds probing the CPU on a VM).
 */
#include <sys/syscall.h>

#if !defined(__x86_64__)
#error "exec_loop is written for x86_64"
#endif

static long sys3(long n, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

__asm__(".text\n"
	".globl _start\n"
	"_start:\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call cmain\n"
	"	hlt\n");

__attribute__((used)) void cmain(long *sp)
{
	long argc = sp[0], left = 0;
	char **argv = (char **)(sp + 1), **envp = argv + argc + 1;
	char num[24], *p = num + sizeof(num) - 1;
	char *next[3] = { 0 };

	if (argc < 2)
		sys3(SYS_exit_group, 2, 0, 0);
	for (const char *s = argv[1]; *s >= '0' && *s <= '9'; s++)
		left = left * 10 + (*s - '0');
	if (argc > 2 && argv[2][0] == 'p') {
		long c = sys3(SYS_fork, 0, 0, 0);

		if (c == 0) {
			/* leaves the captured streams alone: the run ends
			 * with the chain, which kills it */
			for (int fd = 0; fd < 3; fd++)
				sys3(SYS_close, fd, 0, 0);
			for (;;)
				sys3(SYS_pause, 0, 0, 0);
		}
	}
	if (left <= 0)
		sys3(SYS_exit_group, 0, 0, 0);
	left--;
	*p = '\0';
	do
		*--p = (char)('0' + left % 10);
	while ((left /= 10) > 0);
	next[0] = argv[0];
	next[1] = p;
	sys3(SYS_execve, (long)argv[0], (long)next, (long)envp);
	sys3(SYS_exit_group, 1, 0, 0);
}
