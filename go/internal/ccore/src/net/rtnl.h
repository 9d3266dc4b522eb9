/*
 * The routing netlink the sandbox sees (docs/behaviour.md 8.5): one interface,
 * the loopback, with 127.0.0.1/8 and ::1/128. Answers the requests of
 * one datagram a sandboxed program sent on its NETLINK_ROUTE socket.
 * Pure: no syscalls, so every reply is unit-tested.
 *
 *   RTM_GETLINK dump (or get of index 1 / "lo")  lo, then NLMSG_DONE
 *   RTM_GETADDR dump                             the addresses of the
 *                                                family asked (all for
 *                                                AF_UNSPEC), NLMSG_DONE
 *   any other RTM get                            EOPNOTSUPP
 *   any change (new, del, set)                   EPERM: nothing of the
 *                                                host is ever changed
 *
 * Every reply message is one datagram, multipart ones flagged
 * NLM_F_MULTI; errors carry the request header (NLM_F_CAPPED).
 */
#ifndef SL_NET_RTNL_H
#define SL_NET_RTNL_H

#include <stddef.h>
#include <stdint.h>

/* At most this many requests of one datagram are answered; the rest is
 * ignored (a program sends one at a time). It bounds the replies. */
#define SL_RTNL_MAX_REQUESTS 16
#define SL_RTNL_MAX_REPLIES (SL_RTNL_MAX_REQUESTS * 4)
#define SL_RTNL_OUT_CAP 8192

/* The replies to one datagram: datagram i is buf[off[i] .. off[i+1]). */
struct sl_rtnl_out {
	uint8_t buf[SL_RTNL_OUT_CAP];
	uint16_t off[SL_RTNL_MAX_REPLIES + 1];
	unsigned n;
};

/* Answer the requests in req (len bytes, one datagram, 4-byte aligned
 * as netlink messages are) of a socket whose port id is portid. out is
 * reset first. */
void sl_rtnl_answer(const uint8_t *req, size_t len, uint32_t portid,
		    struct sl_rtnl_out *out);

#endif
