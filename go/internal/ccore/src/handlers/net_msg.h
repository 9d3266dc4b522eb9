/*
 * Outgoing messages of a child (sendto, sendmsg, sendmmsg) as the
 * supervisor sends them on its behalf.
 *
 * What decides anything is copied once and used as copied: the msghdr,
 * the destination, the ancillary data (file descriptors translated into
 * the supervisor's own references). The payload is not copied whole: it
 * is read from the child's memory, through the iovec copied once, as the
 * socket takes it -- a stream socket in chunks of a small buffer, a
 * datagram in one piece at the moment it is sent -- so a send of 64 MiB
 * to a peer that never reads holds the supervisor's memory to the chunk.
 * A racing thread may change the bytes meanwhile, as it could under the
 * kernel's own copy; no decision depends on them.
 */
#ifndef SL_HANDLERS_NET_MSG_H
#define SL_HANDLERS_NET_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "supervisor/dispatch.h"

#define SL_NET_MAX_DATAGRAM (64u << 20) /* also at most SO_SNDBUF: EMSGSIZE */
#define SL_NET_MAX_CONTROL (16u << 10)	/* per message, else ENOBUFS */
#define SL_NET_MAX_FDS 253		/* SCM_MAX_FD, else EINVAL */
#define SL_NET_CHUNK (64u << 10)	/* stream bytes read per step */

struct sl_net_msg {
	struct sockaddr_storage addr;
	socklen_t alen;	   /* 0: no destination (connected send) */
	struct iovec *iov; /* the payload, in the child */
	size_t niov;
	size_t len;	  /* payload bytes */
	uint8_t *control; /* ancillary data as checked or translated */
	size_t controllen;
	size_t sent; /* bytes already sent (stream sockets) */
	int *fds;    /* supervisor copies of passed fds and pins,
			   * closed by clear */
	size_t nfds;
	size_t npins; /* fds[0..npins) keep the destination alive */
	bool by_path; /* to a pathname socket: sent with the child's
			   * filesystem credentials (its permissions apply) */
};

/* Copy a sockaddr of len bytes from the child: -EINVAL when longer than
 * sockaddr_storage, -EIO when unreadable. */
int sl_net_read_sockaddr(const struct sl_notif *n, uint64_t addr, uint64_t len,
			 struct sockaddr_storage *ss);

/* Copy the user msghdr at addr, once: every later step uses this copy. */
int sl_net_read_msghdr(const struct sl_notif *n, uint64_t addr,
		       struct msghdr *mh);
/* The destination of mh into m (none when msg_name is NULL or empty). */
int sl_net_msg_name(const struct sl_notif *n, const struct msghdr *mh,
		    struct sl_net_msg *m);
/* The payload ranges and ancillary data of mh into m. */
int sl_net_msg_body(const struct sl_notif *n, const struct msghdr *mh,
		    struct sl_net_msg *m);
/* The payload of sendto(fd, buf, len, ...) into m. */
int sl_net_msg_sendto_body(const struct sl_notif *n, struct sl_net_msg *m);

/* Keep fd open as long as m (closed by clear). Takes fd. */
int sl_net_msg_keep_fd(struct sl_net_msg *m, int fd);
/* The same for a pin the destination names, kept until m is cleared
 * (before any passed fd is added). */
int sl_net_msg_keep_pin(struct sl_net_msg *m, int fd);

void sl_net_msg_clear(struct sl_net_msg *m);
/* The ancillary data went with the first byte: close the passed fds
 * (not the pins an address may name) and forget the control bytes. */
void sl_net_msg_sent_control(struct sl_net_msg *m);

/* Unix sockets: replace the child's fd numbers in SCM_RIGHTS by
 * supervisor duplicates of the same files (any other control message is
 * refused with -EPERM: credentials would be the supervisor's). */
int sl_net_msg_translate_rights(const struct sl_notif *n, struct sl_net_msg *m);

/* Do m's ancillary data only ask for things the child could do itself?
 * Control messages that need privileges the supervisor has and the child
 * may lack (SO_MARK, SO_PRIORITY...) are refused with -EPERM. */
int sl_net_msg_check_control(const struct sl_net_msg *m);

/* Send what remains of m on sock, reading the payload of the child of n
 * (MSG_DONTWAIT|MSG_NOSIGNAL are added). A stream socket takes it in
 * chunks through buf (cap bytes, SL_NET_CHUNK); anything else takes it
 * as one datagram, which may not exceed SO_SNDBUF (-EMSGSIZE). Returns
 * the bytes sent by this call (0 only for an empty message), -EAGAIN when
 * the socket took nothing, or -errno. */
ssize_t sl_net_msg_send(const struct sl_notif *n, int sock, bool stream,
			struct sl_net_msg *m, int flags, uint8_t *buf,
			size_t cap);

#endif
