/*
 * The send family under the network policy (behavior.md 5.3 step 6).
 *
 * On an IP socket under a destination policy, a send that may name a
 * destination is checked on the address the supervisor copied and, when
 * allowed, performed by the supervisor on its duplicate of the socket with
 * the payload it copied. Only a sendto whose address argument is NULL
 * (a register: no destination can appear later) is left to the kernel;
 * the BPF program does not even notify it (src/seccomp/notify.c);
 * a sendmsg is performed on-behalf even without msg_name, since msg_name
 * lives in memory a racing thread could fill after the check.
 *
 * Unix sockets: a pathname destination goes through the gate (5.6) and is
 * sent on-behalf through the pinned path; sends without destination are
 * left to the kernel; abstract destinations are refused under a
 * destination policy (the supervisor has no Landlock scope).
 */
#include "handlers/network.h"

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "net/unixgate.h"
#include "supervisor/notif.h"
#include "util/cleanup.h"

#define SL_NET_MAX_MMSG 1024 /* UIO_MAXIOV, the kernel's own cap */

static void set_errno(struct sl_action *out, int err)
{
	out->kind = SL_ACT_ERRNO;
	out->error = err;
}

/* Where one message of the child may go. Returns 1 to send it on-behalf
 * (a pathname unix destination is replaced by the gate's pin, which m
 * keeps open), 0 when the kernel may run the call, -errno to refuse. */
static int vet_message(struct sl_net_state *st, const struct sl_notif *n,
		       const struct sl_net_sock *s, struct sl_net_msg *m)
{
	int r;

	if (s->domain == AF_UNIX) {
		struct sockaddr_un target;
		socklen_t tlen;
		int pin = -1;

		if (!m->alen)
			return 0;
		if (!sl_unix_is_pathname(&m->addr, m->alen))
			/* The supervisor has no Landlock scope: it must not
			 * reach abstract sockets for the child. */
			return st->ctx->dest_policy ? -EAFNOSUPPORT : 0;
		r = sl_unix_gate((pid_t)n->req->pid, &st->grants, &m->addr,
				 m->alen, &pin, &target, &tlen);
		if (r < 0)
			return r;
		r = sl_net_msg_keep_fd(m, pin);
		if (r < 0)
			return r;
		memset(&m->addr, 0, sizeof(m->addr));
		memcpy(&m->addr, &target, tlen);
		m->alen = tlen;
		return 1;
	}
	if ((s->domain != AF_INET && s->domain != AF_INET6) ||
	    !st->ctx->dest_policy)
		return 0;
	if (m->alen) {
		if (m->addr.ss_family != AF_INET &&
		    m->addr.ss_family != AF_INET6)
			return -EAFNOSUPPORT;
		r = sl_net_check_dest(st, s, &m->addr, m->alen);
		if (r < 0)
			return r;
	}
	/* Even a TCP send (which ignores the address) or one without
	 * msg_name: left to the kernel, the fd number and msg_name would be
	 * read again, after a racing thread could have swapped in another
	 * socket or destination. */
	return 1;
}

/* The child asked to block until everything is sent. */
static bool wants_blocking(const struct sl_net_sock *s, int flags)
{
	return !s->nonblock && !(flags & MSG_DONTWAIT);
}

/* A message that could not be vetted or copied: a refusal by the policy
 * or the caller's own error is answered as such; anything else is a
 * supervisor failure, returned. */
static int refuse_message(int r, struct sl_action *out)
{
	switch (-r) {
	case ECONNREFUSED:
	case EAFNOSUPPORT:
	case EACCES:
	case EPERM:
	case EINVAL:
	case EMSGSIZE:
	case ENOBUFS:
	case EBADF:
	case EFAULT:
		set_errno(out, -r);
		return 0;
	default:
		return r;
	}
}

/* Copy the rest of a vetted sendmsg-style message and make its ancillary
 * data safe for the supervisor to send. */
static int fill_msghdr(const struct sl_notif *n, const struct sl_net_sock *s,
		       uint64_t hdr, struct sl_net_msg *m)
{
	int r = sl_net_read_msghdr_payload(n, hdr, m);

	if (r < 0)
		return r;
	if (s->domain == AF_UNIX)
		return sl_net_msg_translate_rights(n, m);
	return sl_net_msg_check_control(m);
}

/* Broken pipe: the kernel would have raised SIGPIPE in the caller. */
static void raise_sigpipe(const struct sl_notif *n, int flags)
{
	if (!(flags & MSG_NOSIGNAL) &&
	    sl_notif_id_valid(n->listener, n->req->id) == 0)
		(void)kill((pid_t)n->req->pid, SIGPIPE);
}

/* Send one message on-behalf and answer with its byte count. Takes m. */
static int send_one(struct sl_net_state *st, const struct sl_notif *n,
		    struct sl_net_sock *s, struct sl_net_msg *m, int flags,
		    struct sl_action *out)
{
	struct sl_creds_saved saved = { 0 };
	struct sl_net_msg *moved;
	ssize_t r;

	if (s->domain == AF_UNIX) {
		r = sl_net_creds_enter(n, &saved);
		if (r < 0) {
			sl_net_msg_clear(m);
			return (int)r;
		}
	}
	r = sl_net_msg_send(s->fd, m, flags);
	sl_creds_leave(&saved);

	if (wants_blocking(s, flags) &&
	    (r == -EAGAIN || (r >= 0 && m->sent < m->len))) {
		moved = malloc(sizeof(*moved));
		if (!moved) {
			sl_net_msg_clear(m);
			return -ENOMEM;
		}
		*moved = *m;
		memset(m, 0, sizeof(*m));
		r = sl_net_defer_send(&st->pending, n, s->fd, moved, 1, flags,
				      false);
		s->fd = -1;
		if (r < 0)
			return (int)r;
		out->kind = SL_ACT_HOLD;
		return 0;
	}
	sl_net_msg_clear(m);
	if (r < 0) {
		if (r == -EPIPE)
			raise_sigpipe(n, flags);
		set_errno(out, (int)-r);
	} else {
		out->kind = SL_ACT_VALUE;
		out->value = r;
	}
	return 0;
}

int sl_net_handle_sendto(struct sl_net_state *st, const struct sl_notif *n,
			 struct sl_action *out)
{
	const __u64 *a = n->req->data.args;
	_cleanup_(sl_net_sock_put) struct sl_net_sock s = { .fd = -1 };
	struct sl_net_msg m = { 0 };
	int flags = (int)a[3];
	int r;

	if (!a[4])
		return 0; /* no destination, and none can appear */
	if ((uint32_t)a[5] > sizeof(struct sockaddr_storage))
		return -EINVAL;
	r = sl_net_sock_get(n, (int)a[0], &s);
	if (r < 0)
		return r;
	r = sl_net_read_sockaddr(n, a[4], (uint32_t)a[5], &m.addr);
	if (r < 0)
		return r;
	m.alen = (socklen_t)(uint32_t)a[5];
	r = vet_message(st, n, &s, &m);
	if (r > 0)
		r = sl_net_read_sendto_payload(n, &m);
	else if (r == 0) {
		sl_net_msg_clear(&m);
		return 0;
	}
	if (r < 0) {
		sl_net_msg_clear(&m);
		return refuse_message(r, out);
	}
	return send_one(st, n, &s, &m, flags, out);
}

int sl_net_handle_sendmsg(struct sl_net_state *st, const struct sl_notif *n,
			  struct sl_action *out)
{
	const __u64 *a = n->req->data.args;
	_cleanup_(sl_net_sock_put) struct sl_net_sock s = { .fd = -1 };
	struct sl_net_msg m = { 0 };
	int flags = (int)a[2];
	int r;

	r = sl_net_sock_get(n, (int)a[0], &s);
	if (r < 0)
		return r;
	if (s.domain != AF_UNIX && s.domain != AF_INET && s.domain != AF_INET6)
		return 0;
	r = sl_net_read_msg_name(n, a[1], &m.addr, &m.alen);
	if (r == 0)
		r = vet_message(st, n, &s, &m);
	if (r > 0)
		r = fill_msghdr(n, &s, a[1], &m);
	else if (r == 0) {
		sl_net_msg_clear(&m);
		return 0;
	}
	if (r < 0) {
		sl_net_msg_clear(&m);
		return refuse_message(r, out);
	}
	return send_one(st, n, &s, &m, flags, out);
}

static void free_msgs(struct sl_net_msg *msgs, uint32_t n)
{
	for (uint32_t i = 0; msgs && i < n; i++)
		sl_net_msg_clear(&msgs[i]);
	free(msgs);
}

/* sendmmsg: each entry is vetted; up to the first refused one they are
 * either all left to the kernel or all sent on-behalf, and the answer is
 * the number sent (or the refusal when it is the first). */
int sl_net_handle_sendmmsg(struct sl_net_state *st, const struct sl_notif *n,
			   struct sl_action *out)
{
	const __u64 *a = n->req->data.args;
	_cleanup_(sl_net_sock_put) struct sl_net_sock s = { .fd = -1 };
	uint32_t vlen = (uint32_t)a[2], limit, done;
	int flags = (int)a[3];
	struct sl_net_msg *msgs;
	bool onbehalf = false;
	int r, refused = 0;

	r = sl_net_sock_get(n, (int)a[0], &s);
	if (r < 0)
		return r;
	if (s.domain != AF_UNIX && s.domain != AF_INET && s.domain != AF_INET6)
		return 0;
	if (vlen > SL_NET_MAX_MMSG)
		vlen = SL_NET_MAX_MMSG;
	if (vlen == 0)
		return 0;
	msgs = calloc(vlen, sizeof(*msgs));
	if (!msgs)
		return -ENOMEM;
	for (limit = 0; limit < vlen; limit++) {
		uint64_t hdr = a[1] + limit * sizeof(struct mmsghdr);

		r = sl_net_read_msg_name(n, hdr, &msgs[limit].addr,
					 &msgs[limit].alen);
		if (r == 0)
			r = vet_message(st, n, &s, &msgs[limit]);
		if (r < 0) {
			refused = r;
			break;
		}
		onbehalf |= r > 0;
	}
	if (!refused && !onbehalf) {
		free_msgs(msgs, vlen);
		return 0; /* the kernel runs it */
	}
	r = 0;
	for (done = 0; done < limit; done++) {
		uint64_t hdr = a[1] + done * sizeof(struct mmsghdr);
		ssize_t sent;

		r = fill_msghdr(n, &s, hdr, &msgs[done]);
		if (r < 0)
			break;
		sent = sl_net_msg_send(s.fd, &msgs[done], flags);
		if (sent == -EAGAIN && done == 0 && wants_blocking(&s, flags)) {
			for (uint32_t i = limit; i < vlen; i++)
				sl_net_msg_clear(&msgs[i]);
			r = sl_net_defer_send(&st->pending, n, s.fd, msgs,
					      limit, flags, true);
			s.fd = -1;
			if (r < 0)
				return r;
			out->kind = SL_ACT_HOLD;
			return 0;
		}
		if (sent < 0) {
			r = (int)sent;
			if (r == -EPIPE && done == 0)
				raise_sigpipe(n, flags);
			break;
		}
	}
	sl_net_mmsg_write_lens(n, a[1], msgs, done);
	free_msgs(msgs, vlen);
	if (done > 0) {
		out->kind = SL_ACT_VALUE;
		out->value = done;
		return 0;
	}
	set_errno(out, -(r ? r : refused));
	return 0;
}
