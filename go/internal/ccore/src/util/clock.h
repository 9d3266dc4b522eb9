/* Monotonic time, and timerfds armed for a deadline on that clock. */
#ifndef SL_UTIL_CLOCK_H
#define SL_UTIL_CLOCK_H

#include <stdint.h>
#include <sys/timerfd.h>
#include <time.h>

static inline uint64_t sl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Arm the CLOCK_MONOTONIC timerfd fd for deadline (ns; 0 disarms): one
 * shot, at once if the deadline has passed. */
static inline void sl_timerfd_at(int fd, uint64_t deadline)
{
	struct itimerspec it = { 0 };

	it.it_value.tv_sec = (time_t)(deadline / 1000000000u);
	it.it_value.tv_nsec = (long)(deadline % 1000000000u);
	timerfd_settime(fd, deadline ? TFD_TIMER_ABSTIME : 0, &it, NULL);
}

#endif
