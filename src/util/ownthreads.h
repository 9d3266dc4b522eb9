/*
 * Threads the library owns inside the host process (a live handle's
 * supervisor loop, workers). They block every signal, so a process-wide
 * operation that reaches threads by signal (sandlock_confine below
 * Landlock ABI 8) cannot reach them: it holds off new ones and refuses,
 * before changing anything, while any exists.
 */
#ifndef SL_UTIL_OWNTHREADS_H
#define SL_UTIL_OWNTHREADS_H

#include <pthread.h>

/* pthread_create with every signal blocked in the new thread, named
 * name (at most 15 characters) and counted. 0 or a positive error. */
int sl_owned_thread_create(pthread_t *t, void *(*fn)(void *), void *arg,
			   const char *name);
/* pthread_join, and no longer counted. */
void sl_owned_thread_join(pthread_t t);
/* Give up waiting for a thread: detached, it calls sl_owned_thread_gone()
 * as it ends, and is counted until then. */
void sl_owned_thread_detach(pthread_t t);
void sl_owned_thread_gone(void);

/* Hold off new owned threads (until release) and return how many live. */
unsigned sl_owned_threads_hold(void);
void sl_owned_threads_release(void);

#endif
