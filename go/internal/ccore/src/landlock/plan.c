/*
 * The Landlock plan of a policy: protection statuses (docs/behaviour.md 3.6) and
 * the rights the ruleset handles and grants (3.1, 3.2, 3.4). Pure: a
 * function of the policy and a host ABI, so it is tested against every ABI.
 */
#include "landlock/landlock.h"

#include <errno.h>
#include <string.h>

#include "landlock/landlock_uapi.h"

#define FS_ABI1                                                           \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |     \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |     \
	 LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE | \
	 LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |     \
	 LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |     \
	 LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |   \
	 LANDLOCK_ACCESS_FS_MAKE_SYM)

#define FS_READ                                                      \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | \
	 LANDLOCK_ACCESS_FS_READ_DIR)

/* Everything a writable grant carries (intersected with the handled set). */
#define FS_WRITE                                                            \
	(FS_ABI1 | LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE | \
	 LANDLOCK_ACCESS_FS_IOCTL_DEV)

/* Landlock rights that each protection adds to the handled sets. */
static const struct {
	uint64_t fs, net, scope;
} prot_rights[SL_NPROT] = {
	[SL_PROT_FS_REFER] = { .fs = LANDLOCK_ACCESS_FS_REFER },
	[SL_PROT_FS_TRUNCATE] = { .fs = LANDLOCK_ACCESS_FS_TRUNCATE },
	[SL_PROT_NET_TCP] = { .net = LANDLOCK_ACCESS_NET_BIND_TCP |
				     LANDLOCK_ACCESS_NET_CONNECT_TCP },
	[SL_PROT_FS_IOCTL_DEV] = { .fs = LANDLOCK_ACCESS_FS_IOCTL_DEV },
	[SL_PROT_SIGNAL_SCOPE] = { .scope = LANDLOCK_SCOPE_SIGNAL },
	[SL_PROT_ABSTRACT_UNIX_SOCKET_SCOPE] = { .scope =
							 LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET },
};

enum sl_prot_status sl_protection_status(uint8_t state, uint32_t prot,
					 int host_abi)
{
	bool available = host_abi >= 1 &&
			 (uint32_t)host_abi >= sl_protection_min_abi(prot);

	if (state == SL_PROT_DISABLED)
		return SL_PROT_STATUS_DISABLED;
	if (available)
		return SL_PROT_STATUS_ACTIVE;
	/* Unknown states fail closed: treated as strict. */
	return state == SL_PROT_DEGRADED ? SL_PROT_STATUS_DEGRADED :
					   SL_PROT_STATUS_UNAVAILABLE;
}

const char *sl_prot_status_name(enum sl_prot_status s)
{
	switch (s) {
	case SL_PROT_STATUS_ACTIVE:
		return "Active";
	case SL_PROT_STATUS_DEGRADED:
		return "Degraded";
	case SL_PROT_STATUS_DISABLED:
		return "Disabled";
	case SL_PROT_STATUS_UNAVAILABLE:
		return "Unavailable";
	}
	return "Unknown";
}

/* Is p's TCP connect unrestricted by Landlock (3.2 "TCP wildcard")? A TCP
 * allow rule with every port and any target, or a deny list (whose
 * connects the supervisor performs itself, default allow). */
static bool tcp_connect_wildcard(const struct sl_policy *p)
{
	if (p->deny_rules.n > 0)
		return true;
	for (uint32_t i = 0; i < p->allow_rules.n; i++) {
		const struct sl_net_rule *r = &p->allow_rules.v[i];

		if (r->proto == SL_PROTO_TCP && r->all_ports &&
		    r->kind == SL_TARGET_ANY)
			return true;
	}
	return false;
}

static uint64_t net_handled(const struct sl_policy *p)
{
	uint64_t net = LANDLOCK_ACCESS_NET_BIND_TCP |
		       LANDLOCK_ACCESS_NET_CONNECT_TCP;

	/* Unlike the reference, net_deny_bind keeps BIND_TCP handled: the
	 * supervisor performs every IP bind of such a sandbox itself (outside
	 * this ruleset), so only a bind that reached the kernel unchecked
	 * would meet the rule, and that one should fail. */
	if (p->allow_bind.all)
		net &= ~LANDLOCK_ACCESS_NET_BIND_TCP;
	if (tcp_connect_wildcard(p))
		net &= ~LANDLOCK_ACCESS_NET_CONNECT_TCP;
	return net;
}

int sl_landlock_plan(const struct sl_policy *p, int host_abi, bool with_net,
		     struct sl_landlock_plan *out, struct sl_error *e)
{
	uint64_t fs_optional = 0, net = 0, scope = 0;

	memset(out, 0, sizeof(*out));
	out->abi = host_abi;
	if (host_abi < 1)
		return sl_err(e, EOPNOTSUPP,
			      "Landlock unavailable: the kernel does not "
			      "support it or it is disabled");

	for (uint32_t i = 0; i < SL_NPROT; i++) {
		enum sl_prot_status st =
			sl_protection_status(p->protection[i], i, host_abi);

		out->status[i] = (uint8_t)st;
		if (st == SL_PROT_STATUS_UNAVAILABLE)
			return sl_err(e, EOPNOTSUPP,
				      "protection %s unavailable: requires "
				      "Landlock ABI v%u, host has v%d",
				      sl_protection_name(i),
				      sl_protection_min_abi(i), host_abi);
		if (st != SL_PROT_STATUS_ACTIVE)
			continue;
		fs_optional |= prot_rights[i].fs;
		net |= prot_rights[i].net;
		scope |= prot_rights[i].scope;
	}

	out->handled_fs = FS_ABI1 | fs_optional;
	out->handled_net = with_net ? net & net_handled(p) : 0;
	out->scoped = scope;
	out->read_access = FS_READ & out->handled_fs;
	out->write_access = FS_WRITE & out->handled_fs;
	return 0;
}
