#include "forward.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

#include "util/cleanup.h"

static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/* Lock-free atomics are async-signal-safe. A pending signal is consumed
 * by exactly one atomic_exchange, whichever of the handler and
 * cli_forward_to() sees the group first, so it is forwarded once. */
static atomic_int forward_pgid;
static atomic_int pending_signal;

static void forward_pending(void)
{
	pid_t pgid = atomic_load(&forward_pgid);
	int sig;

	if (pgid <= 0)
		return;
	sig = atomic_exchange(&pending_signal, 0);
	if (sig)
		kill(-pgid, sig);
}

static void on_signal(int sig)
{
	int saved = errno;

	atomic_store(&pending_signal, sig);
	forward_pending();
	errno = saved;
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
	atomic_store(&forward_pgid, 0);
	atomic_store(&pending_signal, 0);
	set_action(on_signal);
}

void cli_forward_to(pid_t pgid)
{
	if (pgid <= 0)
		return;
	atomic_store(&forward_pgid, pgid);
	forward_pending();
}

void cli_forward_end(void)
{
	int sig;

	set_action(SIG_DFL);
	atomic_store(&forward_pgid, 0);
	sig = atomic_exchange(&pending_signal, 0);
	if (sig)
		raise(sig);
}
