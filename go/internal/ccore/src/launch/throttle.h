/*
 * max_cpu (docs/behaviour.md 4.3): a 100 ms duty cycle on the sandbox's process
 * group, running pct ms then stopped for the rest. Pure state machine; the
 * run's loop sends the signals it asks for.
 */
#ifndef SL_LAUNCH_THROTTLE_H
#define SL_LAUNCH_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

#define SL_THROTTLE_PERIOD_MS 100

struct sl_throttle {
	bool on;
	bool stopped; /* the group is currently SIGSTOPped by us */
	uint64_t run_ns, stop_ns;
	uint64_t next_ns; /* monotonic time of the next toggle */
};

/* pct in 1..99 enables it; anything else leaves it off. */
void sl_throttle_init(struct sl_throttle *t, unsigned pct, uint64_t now_ns);
/* The signal due at now (SIGSTOP or SIGCONT), or 0; advances the cycle. */
int sl_throttle_due(struct sl_throttle *t, uint64_t now_ns);
/* When the next toggle is due; UINT64_MAX when off. */
uint64_t sl_throttle_next(const struct sl_throttle *t);
/* Signalling failed (the group is gone): stop throttling. */
void sl_throttle_stop(struct sl_throttle *t);

#endif
