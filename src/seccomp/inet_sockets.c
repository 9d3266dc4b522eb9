/*
 * Which sockets AF_INET and AF_INET6 may create (docs/behaviour.md 5.4), decided
 * in BPF on socket()'s registers: nothing to race, no notification.
 *
 * An allow list, not a list of known bad protocols: TCP (SOCK_STREAM,
 * protocol 0 or IPPROTO_TCP); UDP (SOCK_DGRAM, 0 or IPPROTO_UDP) when a
 * rule needs datagram sockets; ping sockets (SOCK_DGRAM with IPPROTO_ICMP,
 * or IPPROTO_ICMPV6 on AF_INET6) only under an ICMP rule or a deny list.
 * The network rules and Landlock's TCP rights describe nothing else, so
 * everything else (MPTCP, SCTP, UDP-Lite, SMC, L2TP, DCCP, the AF_INET
 * SOCK_PACKET alias of a packet socket, protocols yet to come) is refused
 * the way a kernel without the protocol refuses it: EPROTONOSUPPORT for an
 * unknown protocol of a known type, ESOCKTNOSUPPORT for a type no
 * protocol serves, EINVAL past the last type. Programs then fall back to
 * TCP, and the kernel is never asked to load a protocol module. Raw
 * sockets, and datagram sockets the policy does not need, are refused
 * with EPERM as before.
 *
 * libseccomp cannot negate a set of values, so the complement of each
 * allowed set is spelled out: a gap [lo, hi] splits into aligned blocks
 * of 2^k values (one masked comparison each), and "above the largest
 * handled value" closes it. Comparisons are on all 64 bits where they
 * deny, so garbage in the upper half of the protocol lands in the last
 * block and is refused too; the type is compared on its low 4 bits, the
 * only ones the kernel takes as the type (the flag bits are checked by
 * the kernel itself). The rules of one syscall never overlap.
 */
#include "seccomp/plan.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#define TYPE_MASK 0xfULL /* SOCK_TYPE_MASK */
#define SOCK_MAX_TYPE 10 /* SOCK_PACKET; larger types are EINVAL */

struct emit {
	scmp_filter_ctx ctx;
	struct sl_error *e;
	uint64_t domain;
	struct scmp_arg_cmp type; /* the type this rule is about */
	unsigned ncmp;		  /* 2: domain, type; 3: and protocol */
};

static int add(struct emit *em, int err, const struct scmp_arg_cmp *proto)
{
	struct scmp_arg_cmp cmp[3] = {
		{ .arg = 0, .op = SCMP_CMP_EQ, .datum_a = em->domain },
		em->type,
	};
	unsigned n = 2;
	int rc;

	if (proto)
		cmp[n++] = *proto;
	rc = seccomp_rule_add_array(em->ctx, SCMP_ACT_ERRNO(err),
				    SCMP_SYS(socket), n, cmp);
	if (rc < 0)
		return sl_err(em->e, -rc,
			      "seccomp: socket rule for domain %llu: %s",
			      (unsigned long long)em->domain, strerror(-rc));
	return 0;
}

/* Call fn for aligned blocks covering exactly [lo, hi] of the values of
 * an argument compared under width (all ones: the whole argument). */
static int cover(uint64_t lo, uint64_t hi, uint64_t width,
		 int (*fn)(struct emit *, int, uint64_t, uint64_t),
		 struct emit *em, int err)
{
	while (lo <= hi) {
		uint64_t size = 1;
		int r;

		while (size < (1ULL << 32) && (lo & (2 * size - 1)) == 0 &&
		       lo + 2 * size - 1 <= hi)
			size *= 2;
		r = fn(em, err, width & ~(size - 1), lo);
		if (r < 0)
			return r;
		lo += size;
	}
	return 0;
}

static int type_block(struct emit *em, int err, uint64_t mask, uint64_t base)
{
	em->type = (struct scmp_arg_cmp){ .arg = 1,
					  .op = SCMP_CMP_MASKED_EQ,
					  .datum_a = mask,
					  .datum_b = base };
	return add(em, err, NULL);
}

static int proto_block(struct emit *em, int err, uint64_t mask, uint64_t base)
{
	struct scmp_arg_cmp p = { .arg = 2,
				  .op = SCMP_CMP_MASKED_EQ,
				  .datum_a = mask,
				  .datum_b = base };

	return add(em, err, &p);
}

static struct scmp_arg_cmp type_is(uint64_t type)
{
	return (struct scmp_arg_cmp){ .arg = 1,
				      .op = SCMP_CMP_MASKED_EQ,
				      .datum_a = TYPE_MASK,
				      .datum_b = type };
}

/* One protocol value and what socket() answers for it. */
struct proto {
	uint64_t value;
	int err; /* 0: allowed */
};

/* Protocols of the current type: every value listed gets its answer (the
 * list sorted), every other value EPROTONOSUPPORT. */
static int protocols(struct emit *em, const struct proto *v, size_t n)
{
	uint64_t next = 0;
	int r = 0;

	for (size_t i = 0; r == 0 && i < n; i++) {
		struct scmp_arg_cmp eq = { .arg = 2,
					   .op = SCMP_CMP_EQ,
					   .datum_a = v[i].value };

		if (v[i].value > next)
			r = cover(next, v[i].value - 1, ~0ULL, proto_block, em,
				  EPROTONOSUPPORT);
		if (r == 0 && v[i].err)
			r = add(em, v[i].err, &eq);
		next = v[i].value + 1;
	}
	if (r == 0) {
		struct scmp_arg_cmp gt = { .arg = 2,
					   .op = SCMP_CMP_GT,
					   .datum_a = next - 1 };

		r = add(em, EPROTONOSUPPORT, &gt);
	}
	return r;
}

static int family(struct emit *em, bool udp, bool ping)
{
	const uint64_t icmp = em->domain == AF_INET6 ? IPPROTO_ICMPV6 :
						       IPPROTO_ICMP;
	const struct proto stream[] = { { 0, 0 }, { IPPROTO_TCP, 0 } };
	struct proto dgram[] = {
		{ 0, udp ? 0 : EPERM },
		{ icmp, ping ? 0 : EPERM },
		{ IPPROTO_UDP, udp ? 0 : EPERM },
	};
	int r;

	if (icmp > IPPROTO_UDP) { /* keep the list sorted */
		dgram[1] = (struct proto){ IPPROTO_UDP, udp ? 0 : EPERM };
		dgram[2] = (struct proto){ icmp, ping ? 0 : EPERM };
	}
	/* Types with no protocol here, and past the last type. */
	r = type_block(em, ESOCKTNOSUPPORT, TYPE_MASK, 0);
	if (r == 0)
		r = cover(SOCK_RDM, SOCK_MAX_TYPE, TYPE_MASK, type_block, em,
			  ESOCKTNOSUPPORT);
	if (r == 0)
		r = cover(SOCK_MAX_TYPE + 1, TYPE_MASK, TYPE_MASK, type_block,
			  em, EINVAL);
	if (r == 0) {
		em->type = type_is(SOCK_RAW);
		r = add(em, EPERM, NULL);
	}
	if (r == 0) {
		em->type = type_is(SOCK_STREAM);
		r = protocols(em, stream, 2);
	}
	if (r < 0)
		return r;
	em->type = type_is(SOCK_DGRAM);
	if (!udp && !ping)
		return add(em, EPERM, NULL);
	return protocols(em, dgram, 3);
}

int sl_seccomp_add_inet_socket_rules(scmp_filter_ctx ctx,
				     const struct sl_policy *p,
				     struct sl_error *e)
{
	struct emit em = { .ctx = ctx, .e = e };
	bool udp = p->deny_rules.n > 0, ping = p->deny_rules.n > 0;
	int r;

	/* UDP sockets for UDP and ICMP rules, as the reference; ping
	 * sockets only for an ICMP rule. A deny list allows by default. */
	for (uint32_t i = 0; i < p->allow_rules.n; i++) {
		udp |= p->allow_rules.v[i].proto == SL_PROTO_UDP ||
		       p->allow_rules.v[i].proto == SL_PROTO_ICMP;
		ping |= p->allow_rules.v[i].proto == SL_PROTO_ICMP;
	}
	em.domain = AF_INET;
	r = family(&em, udp, ping);
	if (r == 0) {
		em.domain = AF_INET6;
		r = family(&em, udp, ping);
	}
	return r;
}
