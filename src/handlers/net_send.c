/*
 * The send family (docs/behaviour.md 5.3 step 6, 5.6): every notified sendto,
 * sendmsg and sendmmsg is performed by the supervisor, on its duplicate
 * of the socket, with the destination and ancillary data it copied once.
 * None is left to the kernel: the kernel would read the fd number and
 * the msghdr again, after a racing thread could have swapped in another
 * socket (a UDP one, say) or written another destination. Only a sendto
 * whose address argument is NULL (a register: no destination can appear
 * later) is left to the kernel; the BPF program does not even notify it
 * (src/seccomp/notify.c).
 *
 * Destinations: on an IP socket under a destination policy, checked
 * against it; on a unix datagram socket, a pathname goes through the
 * gate (5.6) and is reached through the pinned path, an abstract name
 * through the emulated Landlock scope (net_abstract.c), which pins the
 * receiving socket. Stream and seqpacket unix sockets never send to an
 * address (the kernel refuses or ignores one), so theirs is passed as is.
 *
 * The payload is read from the child as the socket takes it (net_msg.h);
 * a blocking send the socket cannot take at once is finished from the
 * event loop (net_deferred.c), so "a blocking send of N returns N" holds
 * and the supervisor never waits. sendmmsg sends its entries one after
 * the other, each copied and checked just before it is sent.
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

/* One call of the send family in progress. */
struct sendop {
	struct sl_net_state *st;
	struct sl_net_sock s; /* the duplicate */
	int flags;
	bool mmsg;
	uint64_t vec;	     /* sendmmsg: the child's mmsghdr vector */
	uint32_t vlen, done; /* sendmmsg: entries to send, entries sent */
	bool loaded;	     /* m is the message being sent */
	struct sl_net_msg m;
	int error; /* why it stopped (-errno), 0 if it did not */
	bool held; /* answered later: charged for m.nfds */
	size_t charged;
};

/* The fds a held message keeps count against the sandbox's budget. */
static int charge(struct sendop *op)
{
	long delta = (long)op->m.nfds - (long)op->charged;
	int r;

	if (!op->held || !delta)
		return 0;
	r = sl_net_deferred_charge(&op->st->pending, delta);
	if (r == 0)
		op->charged = op->m.nfds;
	return r;
}

static void drop_message(struct sendop *op)
{
	if (op->charged)
		(void)sl_net_deferred_charge(&op->st->pending,
					     -(long)op->charged);
	op->charged = 0;
	sl_net_msg_clear(&op->m);
	op->loaded = false;
}

static void sendop_free(void *p)
{
	struct sendop *op = p;

	if (!op)
		return;
	drop_message(op);
	free(op);
}

static bool is_ip(int domain)
{
	return domain == AF_INET || domain == AF_INET6;
}

static int vet_unix(struct sl_net_state *st, const struct sl_notif *n,
		    const struct sl_net_sock *s, struct sl_net_msg *m)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)&m->addr;
	struct sockaddr_un target;
	socklen_t tlen;
	int pin = -1, r;

	/* Only a datagram socket sends to an address; a stream or
	 * seqpacket one refuses or ignores it, whatever it names. */
	if (!m->alen || s->type != SOCK_DGRAM)
		return 0;
	if (sl_unix_is_pathname(&m->addr, m->alen)) {
		r = sl_unix_gate((pid_t)n->req->pid, &st->grants, &m->addr,
				 m->alen, &pin, &target, &tlen);
		if (r < 0)
			return r;
		r = sl_net_msg_keep_pin(m, pin);
		if (r < 0)
			return r;
		memset(&m->addr, 0, sizeof(m->addr));
		memcpy(&m->addr, &target, tlen);
		m->alen = tlen;
		m->by_path = true;
		return 0;
	}
	if (m->addr.ss_family != AF_UNIX ||
	    m->alen <= offsetof(struct sockaddr_un, sun_path) ||
	    sun->sun_path[0] != '\0')
		return 0; /* not an address: the kernel refuses it */
	r = sl_net_abstract_pin(st, n, s->type, &m->addr, m->alen, &pin);
	if (r < 0)
		return r;
	return pin >= 0 ? sl_net_msg_keep_pin(m, pin) : 0;
}

static int vet_ip(struct sl_net_state *st, const struct sl_notif *n,
		  const struct sl_net_sock *s, const struct sl_net_msg *m,
		  int flags)
{
	const struct sl_net_ctx *ctx = st->ctx;

	if (!ctx->dest_policy) {
		/* Landlock governs TCP connects here; a fast-open send
		 * connects, and the supervisor is not under Landlock. */
		if (s->protocol == IPPROTO_TCP && (flags & MSG_FASTOPEN) &&
		    ctx->tcp_connect_restricted)
			return -EACCES;
		return 0;
	}
	if (!m->alen)
		return 0;
	if (!is_ip(m->addr.ss_family))
		return -EAFNOSUPPORT;
	return sl_net_check_dest(st, n, s, &m->addr, m->alen);
}

/* May this message go out, and where? 0, or -errno to refuse it. */
static int vet_message(struct sl_net_state *st, const struct sl_notif *n,
		       const struct sl_net_sock *s, struct sl_net_msg *m,
		       int flags)
{
	if (s->domain == AF_UNIX)
		return vet_unix(st, n, s, m);
	if (is_ip(s->domain))
		return vet_ip(st, n, s, m, flags);
	/* Only unix and IP sockets can be created in a sandbox; one from
	 * elsewhere is not sent on with the supervisor's privileges. */
	return -EOPNOTSUPP;
}

/* The ancillary data of a vetted message, made safe for the supervisor
 * to send. */
static int vet_control(const struct sl_notif *n, const struct sl_net_sock *s,
		       struct sl_net_msg *m)
{
	if (!m->controllen)
		return 0;
	if (s->domain == AF_UNIX)
		return sl_net_msg_translate_rights(n, m);
	return sl_net_msg_check_control(m);
}

/* Copy, check and take in the msghdr at addr; named (may be NULL)
 * receives the destination as the child named it. */
static int load_msghdr(struct sendop *op, const struct sl_notif *n,
		       uint64_t addr, struct sockaddr_storage *named,
		       socklen_t *named_len)
{
	struct msghdr mh;
	int r = sl_net_read_msghdr(n, addr, &mh);

	if (r == 0)
		r = sl_net_msg_name(n, &mh, &op->m);
	if (r == 0 && named) {
		*named = op->m.addr;
		*named_len = op->m.alen;
	}
	if (r == 0)
		r = vet_message(op->st, n, &op->s, &op->m, op->flags);
	if (r == 0)
		r = sl_net_msg_body(n, &mh, &op->m);
	if (r == 0)
		r = vet_control(n, &op->s, &op->m);
	return r;
}

/* sendmmsg: entry i is done; its msg_len goes back to the child. */
static void entry_done(struct sendop *op, const struct sl_notif *n)
{
	unsigned int len = (unsigned int)op->m.sent;

	(void)sl_notif_write(n,
			     op->vec + op->done * sizeof(struct mmsghdr) +
				     offsetof(struct mmsghdr, msg_len),
			     &len, sizeof(len));
	op->done++;
	drop_message(op);
}

/* One step of sending m: with the child's filesystem credentials when a
 * pathname socket is reached (its permissions are the child's to meet). */
static ssize_t send_step(struct sendop *op, const struct sl_notif *n,
			 uint8_t *buf)
{
	struct sl_creds_saved saved = { 0 };
	ssize_t r;

	if (op->m.by_path) {
		r = sl_net_creds_enter(n, &saved);
		if (r < 0)
			return r;
	}
	r = sl_net_msg_send(n, op->s.fd, op->s.type == SOCK_STREAM, &op->m,
			    op->flags, buf, SL_NET_CHUNK);
	if (op->m.by_path)
		(void)sl_creds_leave(&saved); /* as in connect_unix */
	return r;
}

static uint8_t *chunk_buffer(struct sl_net_state *st)
{
	if (!st->chunk)
		st->chunk = malloc(SL_NET_CHUNK);
	return st->chunk;
}

/* Send as much as the socket takes now. 1: finished (answer it), 0: some
 * went and the socket is full, -EAGAIN: nothing went. */
static int progress(struct sendop *op, const struct sl_notif *n)
{
	uint8_t *buf = chunk_buffer(op->st);
	bool moved = false;

	if (!buf) {
		op->error = -ENOMEM;
		return 1;
	}
	for (;;) {
		ssize_t r;

		if (!op->loaded) {
			if (!op->mmsg || op->done >= op->vlen)
				return 1;
			r = load_msghdr(
				op, n,
				op->vec + op->done * sizeof(struct mmsghdr),
				NULL, NULL);
			op->loaded = true;
			if (r == 0)
				r = charge(op);
			if (r < 0) {
				op->error = (int)r;
				return 1;
			}
		}
		r = send_step(op, n, buf);
		if (r == -EAGAIN)
			return moved ? 0 : -EAGAIN;
		if (r < 0) {
			op->error = (int)r;
			return 1;
		}
		moved = true;
		if (op->m.sent && op->m.nfds > op->m.npins) {
			/* The passed fds are the kernel's now. */
			sl_net_msg_sent_control(&op->m);
			(void)charge(op);
		}
		if (op->m.sent < op->m.len)
			return 0; /* a stream socket, full for now */
		if (!op->mmsg)
			return 1;
		entry_done(op, n);
	}
}

/* Broken pipe: the kernel would have raised SIGPIPE in the caller. */
static void raise_sigpipe(const struct sl_notif *n, int flags)
{
	if (!(flags & MSG_NOSIGNAL) &&
	    sl_notif_id_valid(n->listener, n->req->id) == 0)
		(void)kill((pid_t)n->req->pid, SIGPIPE);
}

static void answer(struct sendop *op, const struct sl_notif *n,
		   struct sl_action *out)
{
	bool any = !op->error || (op->mmsg ? op->done > 0 : op->m.sent > 0);

	if (any) {
		out->kind = SL_ACT_VALUE;
		out->value = op->mmsg ? (int64_t)op->done : (int64_t)op->m.sent;
		return;
	}
	if (op->error == -EPIPE)
		raise_sigpipe(n, op->flags);
	out->kind = SL_ACT_ERRNO;
	out->error = -op->error;
}

static int resume(void *p, const struct sl_notif *n, struct sl_action *out)
{
	struct sendop *op = p;
	int r = progress(op, n);

	if (r == 1)
		answer(op, n, out);
	return r;
}

/* Perform op (takes it) and answer, now or once the socket took it. A
 * policy callback approves it first (dest: the address vetted, NULL for
 * sendmmsg, whose entries are checked one by one as they go). */
static int run(struct sendop *op, const struct sl_notif *n, const void *dest,
	       socklen_t dlen, struct sl_action *out)
{
	int r;

	if (sl_supervisor_gate_first(n, dest, dlen, out)) {
		sl_net_sock_put(&op->s);
		sendop_free(op);
		return 0;
	}
	r = progress(op, n);

	if (r != 1 &&
	    ((op->flags & MSG_DONTWAIT) || sl_net_sock_nonblock(&op->s))) {
		/* The caller does not wait: what went is the answer (a
		 * partly sent entry of sendmmsg counts, as in the kernel). */
		if (op->mmsg && op->loaded && op->m.sent)
			entry_done(op, n);
		op->error = -EAGAIN;
		r = 1;
	}
	if (r != 1) {
		op->held = true;
		r = charge(op);
		if (r == 0)
			r = sl_net_defer(&op->st->pending, n, op->s.fd, resume,
					 op, sendop_free);
		if (r == 0) {
			out->kind = SL_ACT_HOLD;
			return 0;
		}
		/* Too many held already: the caller gets what went. */
		op->error = r;
	}
	answer(op, n, out);
	sl_net_sock_put(&op->s);
	sendop_free(op);
	return 0;
}

/* A message that could not be vetted or copied: a refusal by the policy
 * or the caller's own error is answered as such; anything else is a
 * supervisor failure, returned. */
static int refuse(struct sendop *op, int r, struct sl_action *out)
{
	sl_net_sock_put(&op->s);
	sendop_free(op);
	switch (-r) {
	case ECONNREFUSED:
	case EAFNOSUPPORT:
	case EOPNOTSUPP:
	case EACCES:
	case EPERM:
	case EINVAL:
	case EMSGSIZE:
	case ENOBUFS:
	case EBADF:
	case EFAULT:
		out->kind = SL_ACT_ERRNO;
		out->error = -r;
		return 0;
	default:
		return r;
	}
}

/* A fresh op on the child's socket fd. */
static int start(struct sl_net_state *st, const struct sl_notif *n, int fd,
		 int flags, struct sendop **out)
{
	struct sendop *op = calloc(1, sizeof(*op));
	int r;

	if (!op)
		return -ENOMEM;
	op->st = st;
	op->s.fd = -1;
	op->flags = flags;
	r = sl_net_sock_get(n, fd, &op->s);
	if (r < 0) {
		free(op);
		return r;
	}
	*out = op;
	return 0;
}

int sl_net_handle_sendto(struct sl_net_state *st, const struct sl_notif *n,
			 struct sl_action *out)
{
	const __u64 *a = n->req->data.args;
	struct sockaddr_storage named;
	struct sendop *op;
	int r;

	if (!a[4])
		return 0; /* no destination, and none can appear */
	if ((uint32_t)a[5] > sizeof(struct sockaddr_storage))
		return -EINVAL;
	r = start(st, n, (int)a[0], (int)a[3], &op);
	if (r < 0)
		return r;
	r = sl_net_read_sockaddr(n, a[4], (uint32_t)a[5], &op->m.addr);
	op->m.alen = (socklen_t)(uint32_t)a[5];
	named = op->m.addr;
	if (r == 0)
		r = vet_message(st, n, &op->s, &op->m, op->flags);
	if (r == 0)
		r = sl_net_msg_sendto_body(n, &op->m);
	if (r < 0)
		return refuse(op, r, out);
	op->loaded = true;
	return run(op, n, &named, op->m.alen, out);
}

int sl_net_handle_sendmsg(struct sl_net_state *st, const struct sl_notif *n,
			  struct sl_action *out)
{
	const __u64 *a = n->req->data.args;
	struct sockaddr_storage named;
	socklen_t named_len = 0;
	struct sendop *op;
	int r;

	r = start(st, n, (int)a[0], (int)a[2], &op);
	if (r < 0)
		return r;
	r = load_msghdr(op, n, a[1], &named, &named_len);
	if (r < 0)
		return refuse(op, r, out);
	op->loaded = true;
	return run(op, n, &named, named_len, out);
}

int sl_net_handle_sendmmsg(struct sl_net_state *st, const struct sl_notif *n,
			   struct sl_action *out)
{
	const __u64 *a = n->req->data.args;
	struct sendop *op;
	int r;

	r = start(st, n, (int)a[0], (int)a[3], &op);
	if (r < 0)
		return r;
	op->mmsg = true;
	op->vec = a[1];
	op->vlen = (uint32_t)a[2] > SL_NET_MAX_MMSG ? SL_NET_MAX_MMSG :
						      (uint32_t)a[2];
	return run(op, n, NULL, 0, out);
}
