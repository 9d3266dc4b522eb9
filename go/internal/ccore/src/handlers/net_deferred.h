/*
 * Network operations the supervisor finishes later, so it never blocks on
 * the sandbox's behalf (behavior.md Appendix A 19): a blocking connect in
 * progress, or a blocking send the socket could not take at once. The
 * notification is held (SL_ACT_HOLD); the socket joins the run's epoll set
 * and, once it is writable, the operation completes and is answered.
 */
#ifndef SL_HANDLERS_NET_DEFERRED_H
#define SL_HANDLERS_NET_DEFERRED_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>

#include "net/msg.h"
#include "supervisor/dispatch.h"

struct sl_net_deferred;

struct sl_net_deferred_set {
	struct sl_supervisor *sv;
	struct sl_net_deferred *head;
};

/* sock's non-blocking connect is in progress: answer n with its outcome.
 * Takes sock (closed on failure too). */
int sl_net_defer_connect(struct sl_net_deferred_set *set,
			 const struct sl_notif *n, int sock);

/* Finish sending msgs[0..nmsgs) (taken over, with what each has sent so
 * far) on sock and answer n: with the byte count of a single message, or
 * with the number of messages for sendmmsg (is_mmsg; their msg_len is
 * written back at msgvec). Takes sock and msgs. */
int sl_net_defer_send(struct sl_net_deferred_set *set,
		      const struct sl_notif *n, int sock,
		      struct sl_net_msg *msgs, uint32_t nmsgs, int flags,
		      bool is_mmsg);

/* Write back msg_len of the first count entries of a sendmmsg vector. */
void sl_net_mmsg_write_lens(const struct sl_notif *n, uint64_t msgvec,
			    const struct sl_net_msg *msgs, uint32_t count);

/* Drop every pending operation without answering (supervisor teardown). */
void sl_net_deferred_clear(struct sl_net_deferred_set *set);

#endif
