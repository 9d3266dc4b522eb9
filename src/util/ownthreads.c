#include "util/ownthreads.h"

#include <signal.h>
#include <stdatomic.h>

static pthread_rwlock_t gate = PTHREAD_RWLOCK_INITIALIZER;
static atomic_uint live;

int sl_owned_thread_create(pthread_t *t, void *(*fn)(void *), void *arg,
			   const char *name)
{
	sigset_t all, old;
	int rc;

	/* A process-wide confine in progress finishes first. */
	pthread_rwlock_rdlock(&gate);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0) {
		atomic_fetch_add(&live, 1);
		(void)pthread_setname_np(*t, name);
	}
	pthread_rwlock_unlock(&gate);
	return rc;
}

void sl_owned_thread_join(pthread_t t)
{
	pthread_join(t, NULL);
	atomic_fetch_sub(&live, 1);
}

void sl_owned_thread_detach(pthread_t t)
{
	pthread_detach(t);
}

void sl_owned_thread_gone(void)
{
	atomic_fetch_sub(&live, 1);
}

unsigned sl_owned_threads_hold(void)
{
	pthread_rwlock_wrlock(&gate);
	return atomic_load(&live);
}

void sl_owned_threads_release(void)
{
	pthread_rwlock_unlock(&gate);
}
