#include "handlers/net_msg.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "supervisor/notif.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef SCM_TXTIME
#define SCM_TXTIME 61
#endif

#define GATHER_SEGMENTS 64 /* remote ranges per process_vm_readv */

int sl_net_read_sockaddr(const struct sl_notif *n, uint64_t addr, uint64_t len,
			 struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (len > sizeof(*ss))
		return -EINVAL;
	if (len && sl_notif_read(n, addr, ss, (size_t)len) < 0)
		return sl_notif_id_valid(n->listener, n->req->id) < 0 ?
			       -ENOENT :
			       -EIO;
	return 0;
}

void sl_net_msg_clear(struct sl_net_msg *m)
{
	for (size_t i = 0; i < m->nfds; i++)
		close(m->fds[i]);
	free(m->fds);
	free(m->iov);
	free(m->control);
	memset(m, 0, sizeof(*m));
}

void sl_net_msg_sent_control(struct sl_net_msg *m)
{
	for (size_t i = m->npins; i < m->nfds; i++)
		close(m->fds[i]);
	m->nfds = m->npins;
	free(m->control);
	m->control = NULL;
	m->controllen = 0;
}

int sl_net_msg_keep_fd(struct sl_net_msg *m, int fd)
{
	int *v = reallocarray(m->fds, m->nfds + 1, sizeof(*v));

	if (!v) {
		close(fd);
		return -ENOMEM;
	}
	m->fds = v;
	m->fds[m->nfds++] = fd;
	return 0;
}

int sl_net_msg_keep_pin(struct sl_net_msg *m, int fd)
{
	int r = sl_net_msg_keep_fd(m, fd);

	if (r == 0)
		m->npins = m->nfds;
	return r;
}

int sl_net_read_msghdr(const struct sl_notif *n, uint64_t addr,
		       struct msghdr *mh)
{
	return sl_notif_read(n, addr, mh, sizeof(*mh)) < 0 ? -EFAULT : 0;
}

int sl_net_msg_name(const struct sl_notif *n, const struct msghdr *mh,
		    struct sl_net_msg *m)
{
	int r;

	m->alen = 0;
	memset(&m->addr, 0, sizeof(m->addr));
	if (!mh->msg_name || !mh->msg_namelen)
		return 0;
	r = sl_net_read_sockaddr(n, (uintptr_t)mh->msg_name, mh->msg_namelen,
				 &m->addr);
	if (r == 0)
		m->alen = mh->msg_namelen;
	return r;
}

/* Take iov[0..niov) (m->iov, malloc'd) as the payload. */
static int set_payload(struct sl_net_msg *m, struct iovec *iov, size_t niov)
{
	size_t total = 0;

	for (size_t i = 0; i < niov; i++) {
		/* As the kernel: the lengths must add up to an ssize_t. */
		if (iov[i].iov_len > (size_t)SSIZE_MAX - total) {
			free(iov);
			return -EINVAL;
		}
		total += iov[i].iov_len;
	}
	free(m->iov);
	m->iov = iov;
	m->niov = niov;
	m->len = total;
	return 0;
}

int sl_net_msg_sendto_body(const struct sl_notif *n, struct sl_net_msg *m)
{
	const __u64 *a = n->req->data.args;
	struct iovec *iov = malloc(sizeof(*iov));

	if (!iov)
		return -ENOMEM;
	iov->iov_base = (void *)(uintptr_t)a[1];
	iov->iov_len = (size_t)a[2];
	return set_payload(m, iov, 1);
}

int sl_net_msg_body(const struct sl_notif *n, const struct msghdr *mh,
		    struct sl_net_msg *m)
{
	size_t ctl = mh->msg_control ? mh->msg_controllen : 0;
	struct iovec local[2], remote[2];
	struct iovec *iov;
	size_t k = 0;

	if (mh->msg_iovlen > IOV_MAX)
		return -EMSGSIZE;
	if (ctl > SL_NET_MAX_CONTROL)
		return -ENOBUFS;
	iov = calloc(mh->msg_iovlen ? mh->msg_iovlen : 1, sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	if (ctl) {
		m->control = malloc(ctl);
		if (!m->control) {
			free(iov);
			return -ENOMEM;
		}
		m->controllen = ctl;
	}
	/* The iovec and the ancillary data in one read. */
	if (mh->msg_iovlen) {
		local[k] = (struct iovec){ iov, mh->msg_iovlen * sizeof(*iov) };
		remote[k++] = (struct iovec){ mh->msg_iov, local[0].iov_len };
	}
	if (ctl) {
		local[k] = (struct iovec){ m->control, ctl };
		remote[k++] = (struct iovec){ mh->msg_control, ctl };
	}
	if (sl_notif_readv(n, local, k, remote, k) < 0) {
		free(iov);
		return -EFAULT;
	}
	return set_payload(m, iov, mh->msg_iovlen);
}

/* Read payload bytes [off, off + len) of m into dst. */
static int gather(const struct sl_notif *n, const struct sl_net_msg *m,
		  size_t off, uint8_t *dst, size_t len)
{
	size_t i = 0;

	/* Skip to the range holding off. */
	while (i < m->niov && off >= m->iov[i].iov_len)
		off -= m->iov[i++].iov_len;
	while (len) {
		struct iovec seg[GATHER_SEGMENTS];
		size_t nseg = 0, batch = 0;
		int r;

		for (; i < m->niov && nseg < GATHER_SEGMENTS && batch < len;
		     i++, off = 0) {
			size_t take = m->iov[i].iov_len - off;

			if (!take)
				continue;
			if (take > len - batch)
				take = len - batch;
			seg[nseg].iov_base =
				(uint8_t *)m->iov[i].iov_base + off;
			seg[nseg++].iov_len = take;
			batch += take;
			if (take < m->iov[i].iov_len - off) {
				off += take; /* the range goes on */
				break;
			}
		}
		if (!batch)
			return -EFAULT; /* the ranges are shorter than m->len */
		r = sl_notif_readv(n, &(struct iovec){ dst, batch }, 1, seg,
				   nseg);
		if (r < 0)
			return r;
		dst += batch;
		len -= batch;
	}
	return 0;
}

static ssize_t send_bytes(int sock, const struct sl_net_msg *m,
			  const uint8_t *p, size_t len, int flags)
{
	struct iovec iov = { .iov_base = (void *)p, .iov_len = len };
	struct msghdr mh = {
		.msg_name = m->alen ? (void *)&m->addr : NULL,
		.msg_namelen = m->alen,
		.msg_iov = &iov,
		.msg_iovlen = 1,
		/* Ancillary data travels with the first byte only. */
		.msg_control = m->sent ? NULL : m->control,
		.msg_controllen = m->sent ? 0 : m->controllen,
	};
	ssize_t r = sendmsg(sock, &mh, flags | MSG_DONTWAIT | MSG_NOSIGNAL);

	return r < 0 ? -errno : r;
}

static ssize_t send_datagram(const struct sl_notif *n, int sock,
			     struct sl_net_msg *m, int flags, uint8_t *buf,
			     size_t cap)
{
	uint8_t *data = buf;
	int sndbuf = 0;
	socklen_t olen = sizeof(sndbuf);
	ssize_t r;

	if (m->len > cap) {
		/* More than any socket of this size takes: the kernel would
		 * refuse it, and the copy is never made. */
		if (getsockopt(sock, SOL_SOCKET, SO_SNDBUF, &sndbuf, &olen) <
			    0 ||
		    m->len > (size_t)sndbuf || m->len > SL_NET_MAX_DATAGRAM)
			return -EMSGSIZE;
		data = malloc(m->len);
		if (!data)
			return -ENOMEM;
	}
	r = gather(n, m, 0, data, m->len);
	if (r == 0)
		r = send_bytes(sock, m, data, m->len, flags);
	if (data != buf)
		free(data);
	if (r >= 0)
		m->sent = m->len;
	return r;
}

ssize_t sl_net_msg_send(const struct sl_notif *n, int sock, bool stream,
			struct sl_net_msg *m, int flags, uint8_t *buf,
			size_t cap)
{
	ssize_t total = 0;

	if (!stream || m->len == 0)
		return send_datagram(n, sock, m, flags, buf, cap);
	while (m->sent < m->len) {
		size_t chunk = m->len - m->sent;
		int f = flags;
		ssize_t r;

		if (chunk > cap) {
			chunk = cap;
			f &= ~MSG_OOB; /* urgent is the last byte of all */
		}
		r = gather(n, m, m->sent, buf, chunk);
		if (r == 0)
			r = send_bytes(sock, m, buf, chunk, f);
		if (r < 0)
			return total ? total : r;
		m->sent += (size_t)r;
		total += r;
		if ((size_t)r < chunk)
			break; /* the socket is full for now */
	}
	return total;
}

/* Control messages an unprivileged sender may attach to an IP socket. */
static bool control_allowed(int level, int type)
{
	switch (level) {
	case SOL_IP:
		return type == IP_PKTINFO || type == IP_TTL || type == IP_TOS ||
		       type == IP_RETOPTS;
	case SOL_IPV6:
		return type == IPV6_PKTINFO || type == IPV6_HOPLIMIT ||
		       type == IPV6_TCLASS || type == IPV6_DONTFRAG;
	case SOL_UDP:
		return type == UDP_SEGMENT;
	case SOL_SOCKET:
		return type == SO_TIMESTAMPING || type == SCM_TXTIME;
	default:
		return false;
	}
}

int sl_net_msg_check_control(const struct sl_net_msg *m)
{
	struct msghdr mh = { .msg_control = m->control,
			     .msg_controllen = m->controllen };

	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (!control_allowed(c->cmsg_level, c->cmsg_type))
			return -EPERM;
	return 0;
}

int sl_net_msg_translate_rights(const struct sl_notif *n, struct sl_net_msg *m)
{
	struct msghdr mh = { .msg_control = m->control,
			     .msg_controllen = m->controllen };

	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c;
	     c = CMSG_NXTHDR(&mh, c)) {
		size_t count;
		int *fdv, r;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			return -EPERM;
		if (c->cmsg_len < CMSG_LEN(0) ||
		    c->cmsg_len >
			    m->controllen - (size_t)((uint8_t *)c - m->control))
			return -EINVAL;
		count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		/* As the kernel: at most SCM_MAX_FD in one message. */
		if (count > SL_NET_MAX_FDS - m->nfds)
			return -EINVAL;
		fdv = (int *)CMSG_DATA(c);
		for (size_t i = 0; i < count; i++) {
			int child_fd, fd;

			memcpy(&child_fd, &fdv[i], sizeof(int));
			fd = sl_notif_getfd(n, child_fd);
			if (fd < 0)
				return fd == -ENOENT ? fd : -EBADF;
			memcpy(&fdv[i], &fd, sizeof(int));
			r = sl_net_msg_keep_fd(m, fd);
			if (r < 0)
				return r;
		}
	}
	return 0;
}
