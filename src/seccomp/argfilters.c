/*
 * Argument filters (docs/behaviour.md 2.4, 5.4): denials decided in BPF from
 * the syscall arguments, without a round trip to the supervisor.
 *
 * Arguments declared int by the kernel (prctl option, ioctl request) are
 * compared on their low 32 bits where the comparison denies, since the
 * kernel ignores the upper half. Ranges of socket domains are compared on
 * all 64 bits: garbage in the upper half then lands in "domain >= 17", a
 * denial as well.
 */
#include "seccomp/plan.h"

#include <errno.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "util/cleanup.h"

#define LOW32 0xffffffffULL

#define CMP(a, o, x, y)                                               \
	{                                                             \
		.arg = (a), .op = (o), .datum_a = (x), .datum_b = (y) \
	}
#define LOW32_EQ(a, v) CMP(a, SCMP_CMP_MASKED_EQ, LOW32, v)

struct arg_rule {
	int nr; /* SCMP_SYS(): a negative pseudo number where absent */
	int err;
	unsigned ncmp;
	struct scmp_arg_cmp cmp[2];
};

#define RULE1(sys, e, ...)           \
	{                            \
		SCMP_SYS(sys), e, 1, \
		{                    \
			__VA_ARGS__  \
		}                    \
	}

/* Any of these flags set in clone()'s first argument. */
#define CLONE_NS_RULE(flag) \
	RULE1(clone, EPERM, CMP(0, SCMP_CMP_MASKED_EQ, flag, flag))
#define IOCTL_RULE(req) RULE1(ioctl, EPERM, LOW32_EQ(1, req))
#define PRCTL_RULE(opt) RULE1(prctl, EPERM, LOW32_EQ(0, opt))
/* Only AF_UNIX (1), AF_INET (2), AF_INET6 (10) and AF_NETLINK (16):
 * every other domain value of sys, in as few masked ranges as possible. */
#define FAMILY_RULES(sys)                                             \
	RULE1(sys, EAFNOSUPPORT, CMP(0, SCMP_CMP_EQ, 0, 0)),          \
		RULE1(sys, EAFNOSUPPORT, CMP(0, SCMP_CMP_EQ, 3, 0)),  \
		RULE1(sys, EAFNOSUPPORT,                              \
		      CMP(0, SCMP_CMP_MASKED_EQ, ~3ULL, 4)),          \
		RULE1(sys, EAFNOSUPPORT,                              \
		      CMP(0, SCMP_CMP_MASKED_EQ, ~1ULL, 8)),          \
		RULE1(sys, EAFNOSUPPORT, CMP(0, SCMP_CMP_EQ, 11, 0)), \
		RULE1(sys, EAFNOSUPPORT,                              \
		      CMP(0, SCMP_CMP_MASKED_EQ, ~3ULL, 12)),         \
		RULE1(sys, EAFNOSUPPORT,                              \
		      CMP(0, SCMP_CMP_GE, AF_NETLINK + 1, 0))

static const struct arg_rule arg_rules[] = {
	CLONE_NS_RULE(CLONE_NEWNS),
	CLONE_NS_RULE(CLONE_NEWCGROUP),
	CLONE_NS_RULE(CLONE_NEWUTS),
	CLONE_NS_RULE(CLONE_NEWIPC),
	CLONE_NS_RULE(CLONE_NEWUSER),
	CLONE_NS_RULE(CLONE_NEWPID),
	CLONE_NS_RULE(CLONE_NEWNET),

	IOCTL_RULE(0x5412), /* TIOCSTI: push input into a terminal */
	IOCTL_RULE(0x541C), /* TIOCLINUX */
	IOCTL_RULE(0x8910), /* SIOCGIFNAME: host interfaces ... */
	IOCTL_RULE(0x8912), /* SIOCGIFCONF */
	IOCTL_RULE(0x8913), /* SIOCGIFFLAGS */
	IOCTL_RULE(0x8915), /* SIOCGIFADDR */
	IOCTL_RULE(0x8917), /* SIOCGIFDSTADDR */
	IOCTL_RULE(0x8919), /* SIOCGIFBRDADDR */
	IOCTL_RULE(0x891B), /* SIOCGIFNETMASK */
	IOCTL_RULE(0x8927), /* SIOCGIFHWADDR */
	IOCTL_RULE(0x8933), /* SIOCGIFINDEX */
	IOCTL_RULE(0x8946), /* SIOCETHTOOL */
	/* Inode flags, fs-verity, encryption policies: writes to a file's
	 * metadata through a descriptor open for reading, which Landlock
	 * does not govern (and a copy-on-write workdir could not stage). */
	IOCTL_RULE(0x40086602), /* FS_IOC_SETFLAGS */
	IOCTL_RULE(0x40046602), /* FS_IOC32_SETFLAGS */
	IOCTL_RULE(0x401c5820), /* FS_IOC_FSSETXATTR */
	IOCTL_RULE(0x40087602), /* FS_IOC_SETVERSION */
	IOCTL_RULE(0x40047602), /* FS_IOC32_SETVERSION */
	IOCTL_RULE(0x40806685), /* FS_IOC_ENABLE_VERITY */
	IOCTL_RULE(0x800c6613), /* FS_IOC_SET_ENCRYPTION_POLICY */

	PRCTL_RULE(PR_SET_DUMPABLE),
	PRCTL_RULE(PR_SET_SECUREBITS),
	PRCTL_RULE(PR_SET_PTRACER),

	/* Socket families; what AF_INET and AF_INET6 may create is in
	 * inet_sockets.c. */
	FAMILY_RULES(socket),
	/* Netlink: only the routing protocol, which is virtualized. */
	{ SCMP_SYS(socket),
	  EAFNOSUPPORT,
	  2,
	  { CMP(0, SCMP_CMP_EQ, AF_NETLINK, 0),
	    CMP(2, SCMP_CMP_NE, NETLINK_ROUTE, 0) } },

	/* socketpair() creates sockets too: only AF_UNIX pairs exist (the
	 * kernel itself answers EOPNOTSUPP for AF_INET, AF_INET6 and
	 * AF_NETLINK; another family, such as AF_TIPC, would get one). */
	FAMILY_RULES(socketpair),
};

bool sl_seccomp_arg_filtered(long nr)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(arg_rules); i++)
		if (arg_rules[i].nr == nr)
			return true;
	return false;
}

bool sl_seccomp_arg_complement(long nr, struct scmp_arg_cmp *out)
{
	uint64_t bits = 0;
	int arg = -1;

	for (size_t i = 0; i < SL_ARRAY_SIZE(arg_rules); i++) {
		const struct arg_rule *r = &arg_rules[i];
		const struct scmp_arg_cmp *c = &r->cmp[0];
		uint64_t bit = c->datum_a;

		if (r->nr != nr)
			continue;
		/* Only "this one bit is set": the union of such tests has
		 * an exact complement, "none of these bits is set". */
		if (r->ncmp != 1 || c->op != SCMP_CMP_MASKED_EQ ||
		    c->datum_b != bit || bit == 0 || (bit & (bit - 1)) ||
		    (arg >= 0 && c->arg != (unsigned)arg))
			return false;
		arg = (int)c->arg;
		bits |= bit;
	}
	if (arg < 0)
		return false;
	*out = (struct scmp_arg_cmp)CMP((unsigned)arg, SCMP_CMP_MASKED_EQ, bits,
					0);
	return true;
}

int sl_seccomp_add_arg_filters(scmp_filter_ctx ctx, const struct sl_policy *p,
			       struct sl_error *e)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(arg_rules); i++) {
		const struct arg_rule *r = &arg_rules[i];
		int rc;

		/* Absent on this architecture, or denied outright anyway. */
		if (r->nr < 0 ||
		    sl_u32v_contains(&p->deny_syscalls, (uint32_t)r->nr))
			continue;
		rc = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(r->err), r->nr,
					    r->ncmp, r->cmp);
		if (rc < 0)
			return sl_err(e, -rc,
				      "seccomp: argument filter on syscall %d: "
				      "%s",
				      r->nr, strerror(-rc));
	}
	if (sl_u32v_contains(&p->deny_syscalls, (uint32_t)SCMP_SYS(socket)))
		return 0;
	return sl_seccomp_add_inet_socket_rules(ctx, p, e);
}
