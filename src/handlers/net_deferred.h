/*
 * Network operations the supervisor finishes later, so it never blocks on
 * the sandbox's behalf (docs/decisions.md A19): a blocking connect in
 * progress, or a blocking send the socket could not take at once. The
 * notification is held (SL_ACT_HOLD); the socket joins the run's epoll
 * set and, each time it may take more, the operation resumes; once it is
 * finished it is answered.
 *
 * Bounded per sandbox: at most SL_NET_MAX_DEFERRED operations held, and
 * SL_NET_MAX_DEFERRED_FDS file descriptors held by them (SCM_RIGHTS),
 * -EAGAIN beyond. With the payload read from the child as it is sent
 * (net_msg.h), what a sandbox makes its supervisor hold is small whatever
 * it sends.
 */
#ifndef SL_HANDLERS_NET_DEFERRED_H
#define SL_HANDLERS_NET_DEFERRED_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "supervisor/dispatch.h"

#define SL_NET_MAX_DEFERRED 64
#define SL_NET_MAX_DEFERRED_FDS 256

struct sl_net_deferred;

struct sl_net_deferred_set {
	struct sl_supervisor *sv;
	struct sl_net_deferred *head;
	unsigned count; /* operations held */
	size_t fds;	/* file descriptors they hold */
};

/* A held operation's step: called with the notification it answers when
 * its socket may take more. Returns 1 when finished (*out is the answer),
 * 0 after some progress, -EAGAIN when the socket took nothing. */
typedef int (*sl_net_resume_fn)(void *op, const struct sl_notif *n,
				struct sl_action *out);

/* Hold n until op is finished. sock is the socket to wait on, closed
 * with the operation; op is freed with free_op. Both are taken only on
 * success: -EAGAIN when the set is full, or -errno, leaves them to the
 * caller. */
int sl_net_defer(struct sl_net_deferred_set *set, const struct sl_notif *n,
		 int sock, sl_net_resume_fn resume, void *op,
		 void (*free_op)(void *op));

/* A held operation takes (delta > 0) or gives back (delta < 0) file
 * descriptors of the set's budget; -EAGAIN when taking would exceed it. */
int sl_net_deferred_charge(struct sl_net_deferred_set *set, long delta);

/* Could one more operation be held now? */
static inline bool sl_net_deferred_room(const struct sl_net_deferred_set *set)
{
	return set->count < SL_NET_MAX_DEFERRED;
}

/* sock's non-blocking connect is in progress: answer n with its outcome.
 * Takes sock (closed on failure too). */
int sl_net_defer_connect(struct sl_net_deferred_set *set,
			 const struct sl_notif *n, int sock);

/* Drop every pending operation without answering (supervisor teardown). */
void sl_net_deferred_clear(struct sl_net_deferred_set *set);

#endif
