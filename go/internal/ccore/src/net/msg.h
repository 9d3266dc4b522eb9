/*
 * Outgoing messages copied out of a child (sendto, sendmsg, sendmmsg), so
 * the supervisor checks and sends exactly the bytes and the destination it
 * copied: a racing thread of the child cannot change them in between.
 */
#ifndef SL_NET_MSG_H
#define SL_NET_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "supervisor/dispatch.h"

#define SL_NET_MAX_PAYLOAD (64u << 20) /* per message, else EMSGSIZE */
#define SL_NET_MAX_CONTROL (16u << 10) /* per message, else ENOBUFS */

struct sl_net_msg {
	struct sockaddr_storage addr;
	socklen_t alen;   /* 0: no destination (connected send) */
	uint8_t *data;    /* payload, iovecs flattened */
	size_t len;
	uint8_t *control; /* ancillary data as the child wrote it */
	size_t controllen;
	size_t sent;      /* bytes already sent (stream sockets) */
	int *fds;         /* supervisor copies of passed fds, closed by clear */
	size_t nfds;
};

/* Copy a sockaddr of len bytes from the child: -EINVAL when longer than
 * sockaddr_storage, -EIO when unreadable. */
int sl_net_read_sockaddr(const struct sl_notif *n, uint64_t addr,
			 uint64_t len, struct sockaddr_storage *ss);

/* Read only the destination of a user msghdr at addr (without payload). */
int sl_net_read_msg_name(const struct sl_notif *n, uint64_t msghdr_addr,
			 struct sockaddr_storage *ss, socklen_t *alen);

/* Copy the payload of sendto(fd, buf, len, ...) into m (the destination
 * is read and vetted separately, once). */
int sl_net_read_sendto_payload(const struct sl_notif *n, struct sl_net_msg *m);
/* Copy the payload and ancillary data of a user struct msghdr at addr
 * into m (msg_name is not read again). */
int sl_net_read_msghdr_payload(const struct sl_notif *n, uint64_t addr,
			       struct sl_net_msg *m);
/* Keep fd open as long as m (closed by clear). Takes fd. */
int sl_net_msg_keep_fd(struct sl_net_msg *m, int fd);

void sl_net_msg_clear(struct sl_net_msg *m);

/* Unix sockets: replace the child's fd numbers in SCM_RIGHTS by
 * supervisor duplicates of the same files (any other control message is
 * refused with -EPERM: credentials would be the supervisor's). */
int sl_net_msg_translate_rights(const struct sl_notif *n, struct sl_net_msg *m);

/* Send what remains of m on sock (MSG_DONTWAIT|MSG_NOSIGNAL are added).
 * Returns bytes sent by this call or -errno. */
ssize_t sl_net_msg_send(int sock, struct sl_net_msg *m, int flags);

/* Do m's ancillary data only ask for things the child could do itself?
 * Control messages that need privileges the supervisor has and the child
 * may lack (SO_MARK, SO_PRIORITY...) are refused with -EPERM. */
int sl_net_msg_check_control(const struct sl_net_msg *m);

#endif
