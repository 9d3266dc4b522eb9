/*
 * IP addresses as the network policy sees them: a family plus 16 bytes,
 * IPv4-mapped IPv6 (::ffff:a.b.c.d) folded to plain IPv4 so that a rule
 * written for 10.0.0.1 also governs a dual-stack socket reaching it.
 */
#ifndef SL_NET_IP_H
#define SL_NET_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct sl_ip {
	uint8_t family;	  /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* IPv4 in the first 4 bytes, rest zero */
};

/* Longest textual form of an sl_ip, terminator included. */
#define SL_IP_STRLEN 46

/* Canonical ip and port of an IP sockaddr of len bytes. -EAFNOSUPPORT for a
 * non-IP family, -EINVAL when len is too short for the family. */
int sl_ip_from_sockaddr(const struct sockaddr *sa, socklen_t len,
			struct sl_ip *ip, uint16_t *port);
/* Build an sl_ip from raw bytes (4 or 16 of them), folding mapped IPv4. */
void sl_ip_set(struct sl_ip *ip, int family, const void *bytes);
/* Does ip lie in net/prefix (family must match)? */
bool sl_ip_in_net(const struct sl_ip *ip, int family, const uint8_t *net,
		  uint8_t prefix);
bool sl_ip_equal(const struct sl_ip *a, const struct sl_ip *b);
/* 127.0.0.0/8 or ::1. */
bool sl_ip_is_loopback(const struct sl_ip *ip);
/* inet_ntop of the canonical form into buf (SL_IP_STRLEN bytes). */
void sl_ip_format(const struct sl_ip *ip, char buf[SL_IP_STRLEN]);

/* Port of an IP sockaddr, and rewriting it in place (no family checks
 * beyond IPv4/IPv6; len is the caller's valid length). */
int sl_sockaddr_port(const struct sockaddr *sa, socklen_t len, uint16_t *port);
int sl_sockaddr_set_port(struct sockaddr *sa, socklen_t len, uint16_t port);

#endif
