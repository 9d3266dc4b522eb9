#include "net/msg.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "supervisor/notif.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef SCM_TXTIME
#define SCM_TXTIME 61
#endif

int sl_net_read_sockaddr(const struct sl_notif *n, uint64_t addr,
			 uint64_t len, struct sockaddr_storage *ss)
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
	free(m->data);
	free(m->control);
	memset(m, 0, sizeof(*m));
}

static int read_payload_flat(const struct sl_notif *n, uint64_t addr,
			     size_t len, struct sl_net_msg *m)
{
	if (len > SL_NET_MAX_PAYLOAD)
		return -EMSGSIZE;
	m->data = malloc(len ? len : 1);
	if (!m->data)
		return -ENOMEM;
	m->len = len;
	if (len && sl_notif_read(n, addr, m->data, len) < 0)
		return -EFAULT;
	return 0;
}

int sl_net_read_sendto_payload(const struct sl_notif *n, struct sl_net_msg *m)
{
	const __u64 *a = n->req->data.args;

	return read_payload_flat(n, a[1], (size_t)a[2], m);
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

int sl_net_read_msg_name(const struct sl_notif *n, uint64_t msghdr_addr,
			 struct sockaddr_storage *ss, socklen_t *alen)
{
	struct msghdr mh;
	int r;

	if (sl_notif_read(n, msghdr_addr, &mh, sizeof(mh)) < 0)
		return -EFAULT;
	*alen = 0;
	memset(ss, 0, sizeof(*ss));
	if (!mh.msg_name || !mh.msg_namelen)
		return 0;
	r = sl_net_read_sockaddr(n, (uintptr_t)mh.msg_name, mh.msg_namelen,
				 ss);
	if (r == 0)
		*alen = mh.msg_namelen;
	return r;
}

int sl_net_read_msghdr_payload(const struct sl_notif *n, uint64_t addr,
			       struct sl_net_msg *m)
{
	struct msghdr mh;
	struct iovec *iov = NULL;
	size_t total = 0, off = 0;

	if (sl_notif_read(n, addr, &mh, sizeof(mh)) < 0)
		return -EFAULT;
	if (mh.msg_iovlen > IOV_MAX)
		return -EMSGSIZE;
	if (mh.msg_iovlen) {
		iov = calloc(mh.msg_iovlen, sizeof(*iov));
		if (!iov)
			return -ENOMEM;
		if (sl_notif_read(n, (uintptr_t)mh.msg_iov, iov,
				  mh.msg_iovlen * sizeof(*iov)) < 0) {
			free(iov);
			return -EFAULT;
		}
	}
	for (size_t i = 0; i < mh.msg_iovlen; i++) {
		if (iov[i].iov_len > SL_NET_MAX_PAYLOAD - total) {
			free(iov);
			return -EMSGSIZE;
		}
		total += iov[i].iov_len;
	}
	m->data = malloc(total ? total : 1);
	if (!m->data) {
		free(iov);
		return -ENOMEM;
	}
	m->len = total;
	for (size_t i = 0; i < mh.msg_iovlen; i++) {
		if (iov[i].iov_len &&
		    sl_notif_read(n, (uintptr_t)iov[i].iov_base, m->data + off,
				  iov[i].iov_len) < 0) {
			free(iov);
			return -EFAULT;
		}
		off += iov[i].iov_len;
	}
	free(iov);
	if (mh.msg_control && mh.msg_controllen) {
		if (mh.msg_controllen > SL_NET_MAX_CONTROL)
			return -ENOBUFS;
		m->control = malloc(mh.msg_controllen);
		if (!m->control)
			return -ENOMEM;
		m->controllen = mh.msg_controllen;
		if (sl_notif_read(n, (uintptr_t)mh.msg_control, m->control,
				  mh.msg_controllen) < 0)
			return -EFAULT;
	}
	return 0;
}

ssize_t sl_net_msg_send(int sock, struct sl_net_msg *m, int flags)
{
	struct iovec iov = { .iov_base = m->data + m->sent,
			     .iov_len = m->len - m->sent };
	struct msghdr mh = {
		.msg_name = m->alen ? &m->addr : NULL,
		.msg_namelen = m->alen,
		.msg_iov = &iov,
		.msg_iovlen = 1,
		/* Ancillary data travels with the first byte only. */
		.msg_control = m->sent ? NULL : m->control,
		.msg_controllen = m->sent ? 0 : m->controllen,
	};
	ssize_t r;

	r = sendmsg(sock, &mh, flags | MSG_DONTWAIT | MSG_NOSIGNAL);
	if (r < 0)
		return -errno;
	m->sent += (size_t)r;
	return r;
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

	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c;
	     c = CMSG_NXTHDR(&mh, c))
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
		    c->cmsg_len > m->controllen -
					  (size_t)((uint8_t *)c - m->control))
			return -EINVAL;
		count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
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
