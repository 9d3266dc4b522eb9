#include "forward.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>

#include "util/cleanup.h"

static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/* Lock-free atomics are async-signal-safe. The handler only records the
 * signal; cli_forward_take() consumes it on the tool's thread, which
 * forwards it through the run. */
static atomic_int pending_signal;

static void on_signal(int sig)
{
	atomic_store(&pending_signal, sig);
}

static void set_action(void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < SL_ARRAY_SIZE(forwarded_signals); i++)
		sigaction(forwarded_signals[i], &sa, NULL);
}

void cli_forward_begin(void)
{
	atomic_store(&pending_signal, 0);
	set_action(on_signal);
}

int cli_forward_take(void)
{
	return atomic_exchange(&pending_signal, 0);
}

void cli_forward_end(void)
{
	int sig;

	set_action(SIG_DFL);
	sig = atomic_exchange(&pending_signal, 0);
	if (sig)
		raise(sig);
}
