#include "launch/throttle.h"

#include <signal.h>

#define NS_PER_MS UINT64_C(1000000)

void sl_throttle_init(struct sl_throttle *t, unsigned pct, uint64_t now_ns)
{
	t->on = pct >= 1 && pct < 100;
	t->stopped = false;
	/* integer math: run = period * pct / 100 */
	t->run_ns = SL_THROTTLE_PERIOD_MS * (uint64_t)pct / 100 * NS_PER_MS;
	t->stop_ns = SL_THROTTLE_PERIOD_MS * NS_PER_MS - t->run_ns;
	t->next_ns = now_ns + t->run_ns;
}

int sl_throttle_due(struct sl_throttle *t, uint64_t now_ns)
{
	if (!t->on || now_ns < t->next_ns)
		return 0;
	t->stopped = !t->stopped;
	/* After a long pause of the loop, restart the cycle from now rather
	 * than firing every missed toggle. */
	t->next_ns = now_ns + (t->stopped ? t->stop_ns : t->run_ns);
	return t->stopped ? SIGSTOP : SIGCONT;
}

uint64_t sl_throttle_next(const struct sl_throttle *t)
{
	return t->on ? t->next_ns : UINT64_MAX;
}

void sl_throttle_stop(struct sl_throttle *t)
{
	t->on = false;
	t->stopped = false;
}
