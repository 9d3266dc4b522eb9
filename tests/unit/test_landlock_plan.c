/*
 * The Landlock plan as a pure function of (policy, host ABI): protection
 * statuses and errors (docs/behaviour.md 3.6), handled and granted rights (3.1),
 * TCP handling (3.2), scopes (3.4), and the confine field check (3.7).
 */
#include "harness.h"

#include "landlock/landlock.h"
#include "landlock/landlock_uapi.h"
#include "policy/policy.h"

#define FS_V1 ((1ULL << 13) - 1)
#define NET_BOTH \
	(LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP)
#define SCOPES (LANDLOCK_SCOPE_SIGNAL | LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET)

static struct sl_policy *policy(const char *net_allow, const char *net_deny,
				const char *allow_bind)
{
	struct sl_policy *p = sl_policy_new();
	struct sl_error e = { 0 };

	if (net_allow)
		sl_strv_push(&p->net_allow, net_allow);
	if (net_deny)
		sl_strv_push(&p->net_deny, net_deny);
	if (allow_bind)
		sl_strv_push(&p->net_allow_bind, allow_bind);
	if (sl_policy_build(p, &e) < 0) {
		fprintf(stderr, "  build: %s\n", e.msg);
		sl_error_clear(&e);
		sl_policy_free(p);
		return NULL;
	}
	return p;
}

static void degrade_all(struct sl_policy *p)
{
	for (int i = 0; i < SL_NPROT; i++)
		p->protection[i] = SL_PROT_DEGRADED;
}

TEST(status_of_each_posture)
{
	CHECK_EQ_INT(sl_protection_status(SL_PROT_STRICT, SL_PROT_NET_TCP, 4),
		     SL_PROT_STATUS_ACTIVE);
	CHECK_EQ_INT(sl_protection_status(SL_PROT_STRICT, SL_PROT_NET_TCP, 3),
		     SL_PROT_STATUS_UNAVAILABLE);
	CHECK_EQ_INT(sl_protection_status(SL_PROT_DEGRADED, SL_PROT_NET_TCP, 3),
		     SL_PROT_STATUS_DEGRADED);
	CHECK_EQ_INT(sl_protection_status(SL_PROT_DEGRADED, SL_PROT_NET_TCP, 7),
		     SL_PROT_STATUS_ACTIVE);
	CHECK_EQ_INT(sl_protection_status(SL_PROT_DISABLED, SL_PROT_NET_TCP, 7),
		     SL_PROT_STATUS_DISABLED);
	CHECK_EQ_INT(sl_protection_status(SL_PROT_DISABLED, SL_PROT_NET_TCP,
					  -1),
		     SL_PROT_STATUS_DISABLED);
	/* An unknown posture fails closed, like strict. */
	CHECK_EQ_INT(sl_protection_status(9, SL_PROT_SIGNAL_SCOPE, 5),
		     SL_PROT_STATUS_UNAVAILABLE);
	CHECK_STR(sl_prot_status_name(SL_PROT_STATUS_DEGRADED), "Degraded");
}

TEST(strict_protection_unavailable_names_it_and_both_abis)
{
	struct sl_policy *p = policy(NULL, NULL, NULL);
	struct sl_landlock_plan plan;
	struct sl_error e = { 0 };

	CHECK(p);
	CHECK_EQ_INT(sl_landlock_plan(p, 5, true, &plan, &e), -EOPNOTSUPP);
	CHECK_STR(e.msg, "protection SignalScope unavailable: requires "
			 "Landlock ABI v6, host has v5");
	sl_error_clear(&e);
	CHECK_EQ_INT(sl_landlock_plan(p, 3, true, &plan, &e), -EOPNOTSUPP);
	CHECK_STR(e.msg, "protection NetTcp unavailable: requires Landlock "
			 "ABI v4, host has v3");
	sl_error_clear(&e);
	/* confine does not handle TCP but still resolves NetTcp (3.7). */
	CHECK_EQ_INT(sl_landlock_plan(p, 3, false, &plan, &e), -EOPNOTSUPP);
	CHECK_CONTAINS(e.msg, "NetTcp");
	sl_error_clear(&e);
	CHECK_EQ_INT(sl_landlock_plan(p, -1, true, &plan, &e), -EOPNOTSUPP);
	CHECK_CONTAINS(e.msg, "Landlock unavailable");
	sl_error_clear(&e);
	sl_policy_free(p);
}

TEST(default_policy_on_recent_abis)
{
	struct sl_policy *p = policy(NULL, NULL, NULL);
	struct sl_landlock_plan plan;

	CHECK(p);
	for (int abi = 6; abi <= 8; abi++) {
		CHECK_EQ_INT(sl_landlock_plan(p, abi, true, &plan, NULL), 0);
		CHECK_EQ_INT(plan.handled_fs,
			     FS_V1 | LANDLOCK_ACCESS_FS_REFER |
				     LANDLOCK_ACCESS_FS_TRUNCATE |
				     LANDLOCK_ACCESS_FS_IOCTL_DEV);
		CHECK_EQ_INT(plan.handled_net, NET_BOTH);
		CHECK_EQ_INT(plan.scoped, SCOPES);
		CHECK_EQ_INT(plan.read_access,
			     LANDLOCK_ACCESS_FS_EXECUTE |
				     LANDLOCK_ACCESS_FS_READ_FILE |
				     LANDLOCK_ACCESS_FS_READ_DIR);
		CHECK_EQ_INT(plan.write_access, plan.handled_fs);
		for (int i = 0; i < SL_NPROT; i++)
			CHECK_EQ_INT(plan.status[i], SL_PROT_STATUS_ACTIVE);
	}
	sl_policy_free(p);
}

TEST(degraded_protections_on_old_abis)
{
	struct sl_policy *p = policy(NULL, NULL, NULL);
	struct sl_landlock_plan plan;

	CHECK(p);
	degrade_all(p);
	CHECK_EQ_INT(sl_landlock_plan(p, 1, true, &plan, NULL), 0);
	CHECK_EQ_INT(plan.handled_fs, FS_V1);
	CHECK_EQ_INT(plan.handled_net, 0);
	CHECK_EQ_INT(plan.scoped, 0);
	CHECK_EQ_INT(plan.status[SL_PROT_FS_REFER], SL_PROT_STATUS_DEGRADED);
	CHECK_EQ_INT(plan.write_access, FS_V1);

	CHECK_EQ_INT(sl_landlock_plan(p, 3, true, &plan, NULL), 0);
	CHECK_EQ_INT(plan.handled_fs, FS_V1 | LANDLOCK_ACCESS_FS_REFER |
					      LANDLOCK_ACCESS_FS_TRUNCATE);
	CHECK_EQ_INT(plan.handled_net, 0);
	CHECK_EQ_INT(plan.status[SL_PROT_NET_TCP], SL_PROT_STATUS_DEGRADED);

	CHECK_EQ_INT(sl_landlock_plan(p, 5, true, &plan, NULL), 0);
	CHECK_EQ_INT(plan.handled_net, NET_BOTH);
	CHECK(plan.handled_fs & LANDLOCK_ACCESS_FS_IOCTL_DEV);
	CHECK_EQ_INT(plan.scoped, 0);
	sl_policy_free(p);
}

TEST(disabled_protections_contribute_nothing)
{
	struct sl_policy *p = policy(NULL, NULL, NULL);
	struct sl_landlock_plan plan;

	CHECK(p);
	p->protection[SL_PROT_FS_TRUNCATE] = SL_PROT_DISABLED;
	p->protection[SL_PROT_NET_TCP] = SL_PROT_DISABLED;
	p->protection[SL_PROT_SIGNAL_SCOPE] = SL_PROT_DISABLED;
	CHECK_EQ_INT(sl_landlock_plan(p, 7, true, &plan, NULL), 0);
	CHECK(!(plan.handled_fs & LANDLOCK_ACCESS_FS_TRUNCATE));
	CHECK(!(plan.write_access & LANDLOCK_ACCESS_FS_TRUNCATE));
	CHECK_EQ_INT(plan.handled_net, 0);
	CHECK_EQ_INT(plan.scoped, LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);
	CHECK_EQ_INT(plan.status[SL_PROT_SIGNAL_SCOPE],
		     SL_PROT_STATUS_DISABLED);
	sl_policy_free(p);
}

TEST(tcp_handling_follows_the_network_rules)
{
	struct sl_policy *p;
	struct sl_landlock_plan plan;

	/* bind "*" leaves bind unhandled. */
	p = policy(NULL, NULL, "*");
	CHECK(p);
	CHECK_EQ_INT(sl_landlock_plan(p, 7, true, &plan, NULL), 0);
	CHECK_EQ_INT(plan.handled_net, LANDLOCK_ACCESS_NET_CONNECT_TCP);
	sl_policy_free(p);

	/* A TCP rule for every port of every host: connect unhandled. */
	p = policy("*", NULL, "8080");
	CHECK(p);
	CHECK_EQ_INT(sl_landlock_plan(p, 7, true, &plan, NULL), 0);
	CHECK_EQ_INT(plan.handled_net, LANDLOCK_ACCESS_NET_BIND_TCP);
	sl_policy_free(p);

	/* Ports of one host: connect stays handled (port rules). */
	p = policy("tcp://10.0.0.1:443", NULL, NULL);
	CHECK(p);
	CHECK_EQ_INT(sl_landlock_plan(p, 7, true, &plan, NULL), 0);
	CHECK_EQ_INT(plan.handled_net, NET_BOTH);
	sl_policy_free(p);

	/* A UDP wildcard says nothing about TCP. */
	p = policy("udp://*", NULL, NULL);
	CHECK(p);
	CHECK_EQ_INT(sl_landlock_plan(p, 7, true, &plan, NULL), 0);
	CHECK_EQ_INT(plan.handled_net, NET_BOTH);
	sl_policy_free(p);

	/* A deny list is default-allow: connect unhandled. */
	p = policy(NULL, "10.0.0.0/8", NULL);
	CHECK(p);
	CHECK_EQ_INT(sl_landlock_plan(p, 7, true, &plan, NULL), 0);
	CHECK_EQ_INT(plan.handled_net, LANDLOCK_ACCESS_NET_BIND_TCP);
	/* confine never handles TCP. */
	CHECK_EQ_INT(sl_landlock_plan(p, 7, false, &plan, NULL), 0);
	CHECK_EQ_INT(plan.handled_net, 0);
	sl_policy_free(p);
}

TEST(confine_check_accepts_only_the_grants)
{
	struct sl_policy *p = sl_policy_new();
	struct sl_error e = { 0 };

	sl_strv_push(&p->fs_read, "/usr");
	sl_strv_push(&p->fs_write, "/tmp");
	p->protection[SL_PROT_NET_TCP] = SL_PROT_DISABLED;
	CHECK_EQ_INT(sl_confine_check(p, &e), 0);
	/* on_error never set, or abort: accepted (docs/abi.md 3.13). */
	p->on_error_set = true;
	p->on_error = SL_BRANCH_ABORT;
	p->on_exit_set = true;
	p->on_exit = SL_BRANCH_COMMIT;
	CHECK_EQ_INT(sl_confine_check(p, &e), 0);

	p->on_error = SL_BRANCH_KEEP;
	p->on_exit = SL_BRANCH_ABORT;
	p->max_processes = 10;
	p->no_coredump = true;
	p->port_remap = true;
	sl_strv_push(&p->net_allow, "tcp://*:443");
	CHECK_EQ_INT(sl_confine_check(p, &e), -EINVAL);
	CHECK_STR(e.msg, "confine applies only fs_readable and fs_writable; "
			 "the policy also sets: net_allow, max_processes, "
			 "no_coredump, on_exit, on_error, port_remap");
	sl_error_clear(&e);
	sl_policy_free(p);
}
