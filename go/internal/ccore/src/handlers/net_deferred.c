#include "handlers/net_deferred.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "supervisor/evsrc.h"
#include "supervisor/notif.h"

struct sl_net_deferred {
	struct sl_evsrc src; /* src.fd is the socket */
	struct sl_net_deferred *next, **pprev;
	struct sl_net_deferred_set *set;
	struct seccomp_notif req; /* what is answered, and whose memory */
	int listener;
	bool is_connect, is_mmsg;
	struct sl_net_msg *msgs;
	uint32_t nmsgs, done;
	int flags;
};

static void op_free(struct sl_net_deferred *op)
{
	epoll_ctl(sl_supervisor_epfd(op->set->sv), EPOLL_CTL_DEL, op->src.fd,
		  NULL);
	close(op->src.fd);
	for (uint32_t i = 0; i < op->nmsgs; i++)
		sl_net_msg_clear(&op->msgs[i]);
	free(op->msgs);
	if (op->next)
		op->next->pprev = op->pprev;
	*op->pprev = op->next;
	free(op);
}

static void op_answer(struct sl_net_deferred *op, int64_t value, int error)
{
	struct sl_action a = { .kind = error ? SL_ACT_ERRNO : SL_ACT_VALUE,
			       .error = error, .value = value, .srcfd = -1 };

	sl_supervisor_respond(op->set->sv, op->req.id, &a);
	op_free(op);
}

void sl_net_mmsg_write_lens(const struct sl_notif *n, uint64_t msgvec,
			    const struct sl_net_msg *msgs, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		unsigned int len = (unsigned int)msgs[i].sent;

		(void)sl_notif_write(n, msgvec + i * sizeof(struct mmsghdr) +
						offsetof(struct mmsghdr, msg_len),
				     &len, sizeof(len));
	}
}

/* Send as much as the socket takes now. Returns 1 when finished, 0 when
 * it must wait for room, -errno on a failure before anything was sent. */
static int op_send_some(struct sl_net_deferred *op)
{
	while (op->done < op->nmsgs) {
		struct sl_net_msg *m = &op->msgs[op->done];
		ssize_t r = sl_net_msg_send(op->src.fd, m, op->flags);

		if (r == -EAGAIN)
			return 0;
		if (r < 0)
			return (int)r;
		if (m->sent < m->len)
			continue; /* stream socket: the rest goes next */
		op->done++;
		if (!op->is_mmsg)
			return 1;
	}
	return 1;
}

static void on_writable(struct sl_evsrc *src, uint32_t events)
{
	struct sl_net_deferred *op =
		sl_container_of(src, struct sl_net_deferred, src);
	struct sl_notif n = { .req = &op->req, .listener = op->listener,
			      .sv = op->set->sv };
	int r;

	if (sl_notif_id_valid(op->listener, op->req.id) < 0) {
		op_free(op); /* the caller was interrupted or died */
		return;
	}
	if (op->is_connect) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(op->src.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		op_answer(op, 0, err);
		return;
	}
	(void)events;
	r = op_send_some(op);
	if (r == 0)
		return; /* still level-triggered on EPOLLOUT */
	if (op->is_mmsg) {
		sl_net_mmsg_write_lens(&n, op->req.data.args[1], op->msgs,
				       op->done);
		if (op->done > 0)
			op_answer(op, op->done, 0);
		else
			op_answer(op, 0, -r);
		return;
	}
	if (r < 0 && op->msgs[0].sent == 0)
		op_answer(op, 0, -r);
	else
		op_answer(op, (int64_t)op->msgs[0].sent, 0);
}

static int op_start(struct sl_net_deferred_set *set, const struct sl_notif *n,
		    struct sl_net_deferred *op, int sock)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = &op->src };

	op->src.fd = sock;
	op->src.on_event = on_writable;
	op->set = set;
	op->req = *n->req;
	op->listener = n->listener;
	if (epoll_ctl(sl_supervisor_epfd(set->sv), EPOLL_CTL_ADD, sock, &ev) <
	    0)
		return -errno;
	op->next = set->head;
	op->pprev = &set->head;
	if (set->head)
		set->head->pprev = &op->next;
	set->head = op;
	return 0;
}

int sl_net_defer_connect(struct sl_net_deferred_set *set,
			 const struct sl_notif *n, int sock)
{
	struct sl_net_deferred *op = calloc(1, sizeof(*op));
	int r;

	if (!op) {
		close(sock);
		return -ENOMEM;
	}
	op->is_connect = true;
	r = op_start(set, n, op, sock);
	if (r < 0) {
		close(sock);
		free(op);
	}
	return r;
}

int sl_net_defer_send(struct sl_net_deferred_set *set,
		      const struct sl_notif *n, int sock,
		      struct sl_net_msg *msgs, uint32_t nmsgs, int flags,
		      bool is_mmsg)
{
	struct sl_net_deferred *op = calloc(1, sizeof(*op));
	int r = -ENOMEM;

	if (op) {
		op->msgs = msgs;
		op->nmsgs = nmsgs;
		op->flags = flags;
		op->is_mmsg = is_mmsg;
		r = op_start(set, n, op, sock);
		if (r == 0)
			return 0;
		free(op);
	}
	close(sock);
	for (uint32_t i = 0; i < nmsgs; i++)
		sl_net_msg_clear(&msgs[i]);
	free(msgs);
	return r;
}

void sl_net_deferred_clear(struct sl_net_deferred_set *set)
{
	while (set->head)
		op_free(set->head);
}
