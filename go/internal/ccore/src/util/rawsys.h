/*
 * Raw system calls for code that runs in a child sharing the parent's
 * memory (clone with CLONE_VM) before it execs.
 *
 * Such a child also shares the parent's thread-local storage, so it must
 * not touch errno or any libc state: these wrappers issue the syscall
 * instruction directly and return the kernel's result unchanged (a
 * negative errno on failure). They are always inlined, so a caller marked
 * no_sanitize stays free of instrumentation.
 */
#ifndef SL_UTIL_RAWSYS_H
#define SL_UTIL_RAWSYS_H

#include <sys/syscall.h>

#define SL_RAW_INLINE static inline __attribute__((always_inline))

/* Code running on a borrowed thread pointer (a clone sharing our memory)
 * must not use the stack protector: its canary lives behind the thread
 * pointer. Add to the attributes of such functions. */
#if defined(__has_attribute)
#if __has_attribute(no_stack_protector)
#define SL_NO_SSP no_stack_protector,
#endif
#endif
#ifndef SL_NO_SSP
#define SL_NO_SSP
#endif

#if defined(__x86_64__)

SL_RAW_INLINE long sl_raw6(long nr, long a, long b, long c, long d, long e,
			   long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#elif defined(__aarch64__)

SL_RAW_INLINE long sl_raw6(long nr, long a, long b, long c, long d, long e,
			   long f)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;

	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}

#else
#error "sandlock: raw syscalls are implemented for x86_64 and aarch64 only"
#endif

#define sl_raw0(nr) sl_raw6((nr), 0, 0, 0, 0, 0, 0)
#define sl_raw1(nr, a) sl_raw6((nr), (long)(a), 0, 0, 0, 0, 0)
#define sl_raw2(nr, a, b) sl_raw6((nr), (long)(a), (long)(b), 0, 0, 0, 0)
#define sl_raw3(nr, a, b, c) \
	sl_raw6((nr), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sl_raw4(nr, a, b, c, d) \
	sl_raw6((nr), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define sl_raw5(nr, a, b, c, d, e) \
	sl_raw6((nr), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

/* The kernel's sigset size for rt_sig* calls (64 signals on x86_64 and
 * aarch64), not glibc's larger sigset_t. */
#define SL_RAW_SIGSET_SIZE 8

/* Leave the process (all of it: the child is a process of its own). */
SL_RAW_INLINE __attribute__((noreturn)) void sl_raw_exit(int code)
{
	for (;;)
		sl_raw1(__NR_exit_group, code);
}

#endif
