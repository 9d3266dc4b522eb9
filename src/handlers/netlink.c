/*
 * The `netlink` module: rtnetlink virtualized (docs/behaviour.md 8.5), so the
 * sandbox sees only the loopback interface and changes nothing.
 *
 * socket(AF_NETLINK, ..., NETLINK_ROUTE) is answered with one end of a
 * fresh socketpair(AF_UNIX, SOCK_SEQPACKET); the supervisor keeps the
 * other end in the run's epoll set and answers each request datagram
 * with the replies of net/rtnl.c. A real netlink socket never exists.
 *
 * Emulated sockets are recognised by identity, not by fd number: the
 * cookie of the child's end (SO_COOKIE, never reused), compared with the
 * object behind the fd the call names (pidfd_getfd), so a dup, a fork or
 * a swapped fd number changes nothing. Where pidfd_getfd is refused (a
 * container), the object is reopened as O_PATH, which has no cookie to
 * read: its inode is compared instead. Socket inode numbers can come
 * round again only after 2^32 sockets; a collision then makes the
 * supervisor answer a bind or connect of some other socket with success
 * without doing it, which only misleads the caller. bind, connect and getsockname on them are answered
 * here with a netlink address (port id: the creating process's tgid, or
 * what bind asked for); recvmsg needs nothing: the supervisor's end is
 * bound to an abstract unix name whose bytes, read as a sockaddr_nl,
 * say "from the kernel" (nl_pid 0), which is what glibc and iproute2
 * check the sender by. So only socket() of AF_NETLINK, bind and connect
 * with a sockaddr_nl's length, and getsockname are notified.
 *
 * Bounds: at most SL_NETLINK_MAX_SOCKETS sockets per sandbox (ENOBUFS
 * beyond), the replies of one datagram at a time per socket (the next
 * request is read once they are all delivered), so a program that sends
 * and never reads holds a few KiB of the supervisor.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "handlers/network.h"
#include "handlers/procinfo.h"
#include "net/rtnl.h"
#include "supervisor/dispatch.h"
#include "supervisor/evsrc.h"
#include "supervisor/notif.h"
#include "util/cleanup.h"

#define SL_NETLINK_MAX_SOCKETS 64
#define SL_NETLINK_MAX_REQUEST 16384

struct nl_sock {
	struct sl_evsrc src; /* the supervisor's end */
	struct nl_state *st;
	struct nl_sock *next, **pprev;
	uint64_t cookie; /* the child's end */
	dev_t dev;	 /* ... and its inode */
	ino_t ino;
	uint32_t portid, groups;
	struct sl_rtnl_out out; /* replies not yet delivered */
	unsigned sent;		/* of out.n */
};

struct nl_state {
	struct sl_supervisor *sv;
	struct nl_sock *head;
	unsigned count;
	uint64_t rx[SL_NETLINK_MAX_REQUEST / 8]; /* one request, aligned */
};

static bool netlink_active(const struct sl_policy *p)
{
	return true; /* every sandbox sees only its loopback */
}

static void netlink_syscalls(const struct sl_policy *p, struct sl_nrset *set)
{
	sl_nrset_add_narrow_sys(set, socket);
	sl_nrset_add_narrow_sys(set, bind);
	sl_nrset_add_narrow_sys(set, connect);
	sl_nrset_add_narrow_sys(set, getsockname);
}

static void sock_free(struct nl_sock *s)
{
	sl_evsrc_del(sl_supervisor_epfd(s->st->sv), &s->src);
	close(s->src.fd);
	if (s->next)
		s->next->pprev = s->pprev;
	*s->pprev = s->next;
	s->st->count--;
	free(s);
}

static int watch(struct nl_sock *s, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = &s->src };

	return epoll_ctl(sl_supervisor_epfd(s->st->sv), EPOLL_CTL_MOD,
			 s->src.fd, &ev) < 0 ?
		       -errno :
		       0;
}

/* Deliver what the child's end takes. True when everything went. */
static bool flush(struct nl_sock *s)
{
	while (s->sent < s->out.n) {
		const uint8_t *p = s->out.buf + s->out.off[s->sent];
		size_t len = s->out.off[s->sent + 1] - s->out.off[s->sent];

		if (send(s->src.fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			return false; /* full (or gone: the hang-up follows) */
		s->sent++;
	}
	return true;
}

static void on_event(struct sl_evsrc *src, uint32_t events)
{
	struct nl_sock *s = sl_container_of(src, struct nl_sock, src);
	struct nl_state *st = s->st;
	ssize_t n;

	if (events & (EPOLLHUP | EPOLLERR)) {
		sock_free(s); /* every copy of the child's end is closed */
		return;
	}
	if (!flush(s)) {
		(void)watch(s, EPOLLOUT);
		return;
	}
	if (events & EPOLLOUT)
		(void)watch(s, EPOLLIN);
	n = recv(s->src.fd, st->rx, sizeof(st->rx), MSG_DONTWAIT | MSG_TRUNC);
	if (n <= 0)
		return;
	/* A request larger than any this emulation answers is dropped, as
	 * the kernel drops what does not fit. */
	if ((size_t)n > sizeof(st->rx))
		return;
	sl_rtnl_answer((const uint8_t *)st->rx, (size_t)n, s->portid, &s->out);
	s->sent = 0;
	if (!flush(s))
		(void)watch(s, EPOLLOUT);
}

/* Bind the supervisor's end to a unique abstract name that reads, as a
 * sockaddr_nl, as the kernel's address: bytes 4-7 (nl_pid) are zero, and
 * the whole address is as long as a sockaddr_nl. */
static int bind_kernel_like(int fd)
{
	for (int tries = 0; tries < 16; tries++) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		uint8_t r[5];

		if (getrandom(r, sizeof(r), 0) != sizeof(r))
			return -EIO;
		sun.sun_path[1] = (char)r[0];	    /* nl_pad, high byte */
		memcpy(sun.sun_path + 6, r + 1, 4); /* nl_groups */
		if (bind(fd, (struct sockaddr *)&sun,
			 sizeof(struct sockaddr_nl)) == 0)
			return 0;
		if (errno != EADDRINUSE)
			return -errno;
	}
	return -EADDRINUSE;
}

static int create(struct nl_state *st, const struct sl_notif *n,
		  struct sl_action *out)
{
	const __u64 *a = n->req->data.args;
	int type = (int)a[1], pair[2] = { -1, -1 };
	struct nl_sock *s;
	socklen_t clen = sizeof(s->cookie);
	struct stat sb = { 0 };
	pid_t tgid;
	int r;

	/* As netlink_create(): raw and datagram only, known flags only. */
	if (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC | 0xf))
		return -EINVAL;
	if ((type & 0xf) != SOCK_RAW && (type & 0xf) != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (st->count >= SL_NETLINK_MAX_SOCKETS)
		return -ENOBUFS;
	r = sl_task_ids((pid_t)n->req->pid, &tgid, NULL);
	if (r < 0)
		return r;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
		free(s);
		return -errno;
	}
	s->src.fd = pair[0];
	s->src.on_event = on_event;
	s->st = st;
	s->portid = (uint32_t)tgid;
	r = bind_kernel_like(pair[0]);
	if (r == 0 && (fcntl(pair[0], F_SETFL, O_NONBLOCK) < 0 ||
		       ((type & SOCK_NONBLOCK) &&
			fcntl(pair[1], F_SETFL, O_NONBLOCK) < 0) ||
		       getsockopt(pair[1], SOL_SOCKET, SO_COOKIE, &s->cookie,
				  &clen) < 0 ||
		       fstat(pair[1], &sb) < 0))
		r = -errno;
	s->dev = sb.st_dev;
	s->ino = sb.st_ino;
	if (r == 0)
		r = sl_evsrc_add(sl_supervisor_epfd(st->sv), &s->src);
	if (r < 0) {
		close(pair[0]);
		close(pair[1]);
		free(s);
		return r;
	}
	s->next = st->head;
	s->pprev = &st->head;
	if (st->head)
		st->head->pprev = &s->next;
	st->head = s;
	st->count++;
	/* Should the child never get its end (it died, or its fd table is
	 * full), closing pair[1] hangs ours up and frees s. */
	out->kind = SL_ACT_INJECT_SEND;
	out->srcfd = pair[1];
	out->newfd_flags = (type & SOCK_CLOEXEC) ? O_CLOEXEC : 0;
	return 0;
}

/* The emulated socket behind the child's fd, or NULL. */
static struct nl_sock *lookup(struct nl_state *st, const struct sl_notif *n,
			      int childfd)
{
	_cleanup_(closep) int fd = -1;
	uint64_t cookie;
	socklen_t clen = sizeof(cookie);
	struct stat sb;

	if (!st->head)
		return NULL; /* the common case: no syscall at all */
	fd = sl_notif_getfd(n, childfd);
	if (fd < 0)
		return NULL;
	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &clen) == 0) {
		for (struct nl_sock *s = st->head; s; s = s->next)
			if (s->cookie == cookie)
				return s;
		return NULL;
	}
	/* an O_PATH reopen (no pidfd_getfd) */
	if (fstat(fd, &sb) < 0 || !S_ISSOCK(sb.st_mode))
		return NULL;
	for (struct nl_sock *s = st->head; s; s = s->next)
		if (s->ino == sb.st_ino && s->dev == sb.st_dev)
			return s;
	return NULL;
}

static void answer(struct sl_action *out, int err)
{
	out->kind = err ? SL_ACT_ERRNO : SL_ACT_VALUE;
	out->error = err;
	out->value = 0;
}

/* bind and connect with a sockaddr_nl. */
static int address(struct nl_state *st, const struct sl_notif *n,
		   struct sl_action *out)
{
	const __u64 *a = n->req->data.args;
	struct sockaddr_nl nl;
	struct nl_sock *s;

	if ((uint32_t)a[2] != sizeof(nl) || !(s = lookup(st, n, (int)a[0])))
		return 0;
	if (sl_notif_read(n, a[1], &nl, sizeof(nl)) < 0) {
		answer(out, EFAULT);
		return 0;
	}
	if (nl.nl_family != AF_NETLINK) {
		answer(out, EINVAL);
		return 0;
	}
	/* a policy callback decides before the socket changes */
	if (sl_supervisor_gate_first(n, &nl, sizeof(nl), out))
		return 0;
	if (n->req->data.nr == __NR_bind) {
		if (nl.nl_pid)
			s->portid = nl.nl_pid;
		s->groups = nl.nl_groups;
	}
	answer(out, 0);
	return 0;
}

static int local_name(struct nl_state *st, const struct sl_notif *n,
		      struct sl_action *out)
{
	const __u64 *a = n->req->data.args;
	struct nl_sock *s = lookup(st, n, (int)a[0]);
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };

	if (!s)
		return 0;
	nl.nl_pid = s->portid;
	nl.nl_groups = s->groups;
	sl_net_answer_name(n, a[1], a[2], &nl, sizeof(nl), out);
	return 0;
}

static int netlink_handle(void *state, const struct sl_notif *n,
			  struct sl_action *out)
{
	struct nl_state *st = state;
	const __u64 *a = n->req->data.args;

	switch (n->req->data.nr) {
	case __NR_socket:
		if ((int)a[0] != AF_NETLINK || (int)a[2] != NETLINK_ROUTE)
			return 0;
		return create(st, n, out);
	case __NR_bind:
	case __NR_connect:
		return address(st, n, out);
	case __NR_getsockname:
		return local_name(st, n, out);
	default:
		return 0;
	}
}

static int netlink_init(struct sl_supervisor *sv, const struct sl_policy *p,
			void **state)
{
	struct nl_state *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	st->sv = sv;
	*state = st;
	return 0;
}

static void netlink_fini(void *state)
{
	struct nl_state *st = state;

	while (st && st->head)
		sock_free(st->head);
	free(st);
}

const struct sl_handler_module sl_module_netlink = {
	.name = "netlink",
	.active = netlink_active,
	.syscalls = netlink_syscalls,
	.init = netlink_init,
	.handle = netlink_handle,
	.fini = netlink_fini,
};
