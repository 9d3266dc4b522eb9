/* Build-time validation (docs/behaviour.md 0 items 1-12, docs/abi.md 3.13). */
#include <sys/syscall.h>

#include "harness.h"
#include "lib/rules.h"

static void push(struct sl_strv *sv, const char *s)
{
	if (sl_strv_push(sv, s) < 0)
		abort();
}

TEST(defaults_build)
{
	struct sl_policy *p = sl_policy_new();
	struct sl_error e = { 0 };

	CHECK_EQ_INT(build_policy(p, &e), 0);
	CHECK(p->built);
	CHECK(e.msg == NULL);
	CHECK(sl_u32v_contains(&p->deny_syscalls, SYS_mount));
	CHECK(sl_u32v_contains(&p->deny_syscalls, SYS_chroot));
	CHECK(sl_u32v_contains(&p->deny_syscalls, SYS_shmget));
	CHECK(!p->allow_sysv_ipc);
	CHECK_EQ_INT(p->allow_rules.n, 0);
	CHECK_EQ_INT(p->deny_rules.n, 0);
	CHECK(!p->has_allow_bind);
	sl_policy_free(p);
}

/* One invalid setting each; the message fragment docs/behaviour.md 0 quotes. */
static void set_unknown_deny(struct sl_policy *p)
{
	push(&p->extra_deny_syscalls, "getpid, nosuch ,, other_bad");
}
static void set_allow_single(struct sl_policy *p)
{
	push(&p->extra_allow_syscalls, "getpid");
}
static void set_allow_unknown(struct sl_policy *p)
{
	push(&p->extra_allow_syscalls, "sysv_ipc,nope");
}
static void set_group_both(struct sl_policy *p)
{
	push(&p->extra_allow_syscalls, "sysv_ipc");
	push(&p->extra_deny_syscalls, "sysv_ipc");
}
static void set_member_denied(struct sl_policy *p)
{
	push(&p->extra_allow_syscalls, "sysv_ipc");
	push(&p->extra_deny_syscalls, "getpid,semop");
}
static void set_disable_refer(struct sl_policy *p)
{
	p->protection[SL_PROT_FS_REFER] = SL_PROT_DISABLED;
}
static void set_bad_prot_state(struct sl_policy *p)
{
	p->protection[SL_PROT_NET_TCP] = 7;
}
static void set_cpu_0(struct sl_policy *p)
{
	p->has_max_cpu = true;
	p->max_cpu = 0;
}
static void set_cpu_101(struct sl_policy *p)
{
	p->has_max_cpu = true;
	p->max_cpu = 101;
}
static void set_open_files_0(struct sl_policy *p)
{
	p->has_max_open_files = true;
	p->max_open_files = 0;
}
static void set_ca_only(struct sl_policy *p)
{
	p->http_ca = strdup("/ca.pem");
}
static void set_key_only(struct sl_policy *p)
{
	p->http_key = strdup("/key.pem");
}
static void set_inject_without_rules(struct sl_policy *p)
{
	push(&p->http_inject_ca, "/etc/ssl/certs/ca-certificates.crt");
}
static void set_ca_out_without_ca(struct sl_policy *p)
{
	push(&p->http_allow, "GET example.com");
	p->http_ca_out = strdup("/tmp/ca-out.pem");
}
static void set_bad_http_allow(struct sl_policy *p)
{
	push(&p->http_allow, "GET");
}
static void set_bad_http_deny(struct sl_policy *p)
{
	push(&p->http_deny, "GET /admin");
}
static void set_allow_and_deny(struct sl_policy *p)
{
	push(&p->net_allow, "tcp://*:443");
	push(&p->net_deny, "10.0.0.0/8");
}
static void set_bad_net_allow(struct sl_policy *p)
{
	push(&p->net_allow, "tcp://*:443");
	push(&p->net_allow, "host:0");
}
static void set_host_in_deny(struct sl_policy *p)
{
	push(&p->net_deny, "example.com");
}
static void set_both_binds(struct sl_policy *p)
{
	push(&p->net_allow_bind, "8080");
	push(&p->net_deny_bind, "22");
}
static void set_bad_allow_bind(struct sl_policy *p)
{
	push(&p->net_allow_bind, "10-5");
}
static void set_star_deny_bind(struct sl_policy *p)
{
	push(&p->net_deny_bind, "*");
}
static void set_star_and_ports(struct sl_policy *p)
{
	push(&p->net_allow_bind, "*");
	push(&p->net_allow_bind, "80");
}
static void set_empty_workdir(struct sl_policy *p)
{
	p->workdir = strdup("");
}
static void set_empty_storage(struct sl_policy *p)
{
	p->workdir = strdup("/w");
	p->fs_storage = strdup("");
}

static const struct {
	const char *what;
	void (*set)(struct sl_policy *p);
	const char *error;
} invalid[] = {
	{ "unknown deny name", set_unknown_deny,
	  "unknown syscall or group name(s): nosuch, other_bad" },
	{ "single syscall in allow", set_allow_single,
	  "individual syscalls cannot be re-allowed: getpid" },
	{ "unknown allow group", set_allow_unknown, "known groups: sysv_ipc" },
	{ "group allowed and denied", set_group_both,
	  "syscall group 'sysv_ipc' is both allowed and denied" },
	{ "member of allowed group denied", set_member_denied,
	  "syscall 'semop' is denied but its group 'sysv_ipc' is allowed" },
	{ "disable FsRefer", set_disable_refer,
	  "protection FsRefer cannot be disabled" },
	{ "bad protection state", set_bad_prot_state, "invalid state 7" },
	{ "max_cpu 0", set_cpu_0, "max_cpu must be between 1 and 100" },
	{ "max_cpu 101", set_cpu_101, "got 101" },
	{ "max_open_files 0", set_open_files_0,
	  "max_open_files must not be 0" },
	{ "http_ca alone", set_ca_only,
	  "--http-ca and --http-key must both be provided together" },
	{ "http_key alone", set_key_only,
	  "--http-ca and --http-key must both be provided together" },
	{ "inject_ca without rules", set_inject_without_rules,
	  "--http-inject-ca requires at least one --http-allow or --http-deny rule" },
	{ "ca_out without CA", set_ca_out_without_ca,
	  "--http-ca-out requires --http-ca or --http-inject-ca" },
	{ "bad http allow", set_bad_http_allow, "invalid http rule 'GET'" },
	{ "bad http deny", set_bad_http_deny, "missing host" },
	{ "net allow and deny", set_allow_and_deny,
	  "--net-allow and --net-deny are mutually exclusive" },
	{ "bad net allow", set_bad_net_allow, "invalid network rule 'host:0'" },
	{ "host in net deny", set_host_in_deny,
	  "--net-deny does not accept host names" },
	{ "both bind lists", set_both_binds,
	  "--net-allow-bind and --net-deny-bind are mutually exclusive" },
	{ "reversed bind range", set_bad_allow_bind, "reversed range 10-5" },
	{ "star in deny bind", set_star_deny_bind,
	  "the wildcard '*' is only accepted by net_allow_bind" },
	{ "star then ports", set_star_and_ports,
	  "cannot be combined with the wildcard '*'" },
	{ "empty workdir", set_empty_workdir, "workdir: empty path" },
	{ "empty fs_storage", set_empty_storage, "fs_storage: empty path" },
};

TEST(each_invalid_setting_fails_the_build)
{
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct sl_policy *p = sl_policy_new();
		struct sl_error e = { 0 };
		int r;

		invalid[i].set(p);
		r = build_policy(p, &e);
		if (r != -EINVAL)
			FAIL("%s: build returned %d (%s)", invalid[i].what, r,
			     e.msg ? e.msg : "no message");
		if (!e.msg || !strstr(e.msg, invalid[i].error))
			FAIL("%s: message '%s' lacks '%s'", invalid[i].what,
			     e.msg ? e.msg : "(null)", invalid[i].error);
		/* A failed build leaves nothing derived behind. */
		CHECK(!p->built);
		CHECK_EQ_INT(p->deny_syscalls.n, 0);
		CHECK_EQ_INT(p->allow_rules.n, 0);
		CHECK_EQ_INT(p->deny_rules.n, 0);
		CHECK_EQ_INT(p->allow_bind.ports.n, 0);
		CHECK(!p->allow_bind.all);
		sl_error_clear(&e);
		sl_policy_free(p);
	}
}

TEST(limits_in_range_build)
{
	static const uint8_t ok[] = { 1, 50, 100 };

	for (size_t i = 0; i < sizeof(ok); i++) {
		struct sl_policy *p = sl_policy_new();

		p->has_max_cpu = true;
		p->max_cpu = ok[i];
		p->has_max_open_files = true;
		p->max_open_files = 1;
		CHECK_EQ_INT(sl_policy_build(p, NULL), 0);
		sl_policy_free(p);
	}
	/* Unset limits are not checked even though their value is 0. */
	{
		struct sl_policy *p = sl_policy_new();

		p->max_cpu = 0;
		p->max_open_files = 0;
		CHECK_EQ_INT(sl_policy_build(p, NULL), 0);
		sl_policy_free(p);
	}
}

TEST(protections_other_than_refer_may_be_disabled)
{
	struct sl_policy *p = sl_policy_new();

	p->protection[SL_PROT_FS_REFER] = SL_PROT_DEGRADED;
	for (int i = 1; i < SL_NPROT; i++)
		p->protection[i] = SL_PROT_DISABLED;
	CHECK_EQ_INT(sl_policy_build(p, NULL), 0);
	sl_policy_free(p);
}

TEST(extra_syscalls_resolve_into_the_deny_list)
{
	struct sl_policy *p = sl_policy_new();
	struct sl_u32v def = { 0 };

	push(&p->extra_deny_syscalls, " getpid ,, ");
	push(&p->extra_deny_syscalls, "uname");
	push(&p->extra_allow_syscalls, "sysv_ipc");
	CHECK_EQ_INT(sl_policy_build(p, NULL), 0);
	CHECK(p->allow_sysv_ipc);
	CHECK(sl_u32v_contains(&p->deny_syscalls, SYS_getpid));
	CHECK(sl_u32v_contains(&p->deny_syscalls, SYS_uname));
	CHECK(sl_u32v_contains(&p->deny_syscalls, SYS_mount));
	CHECK(!sl_u32v_contains(&p->deny_syscalls, SYS_shmget));
	CHECK_EQ_INT(sl_default_deny_list(true, &def), 0);
	CHECK_EQ_INT(p->deny_syscalls.n, def.n + 2);
	for (size_t i = 1; i < p->deny_syscalls.n; i++)
		CHECK(p->deny_syscalls.v[i - 1] < p->deny_syscalls.v[i]);
	sl_u32v_free(&def);
	sl_policy_free(p);
}

TEST(denying_a_group_adds_its_members)
{
	struct sl_policy *p = sl_policy_new();

	push(&p->extra_deny_syscalls, "sysv_ipc,getpid");
	CHECK_EQ_INT(sl_policy_build(p, NULL), 0);
	CHECK(!p->allow_sysv_ipc);
	CHECK(sl_u32v_contains(&p->deny_syscalls, SYS_semtimedop));
	CHECK(sl_u32v_contains(&p->deny_syscalls, SYS_getpid));
	sl_policy_free(p);
}

TEST(supported_network_settings_are_derived)
{
	struct sl_policy *p = sl_policy_new();

	push(&p->net_allow, "tcp://:443");
	push(&p->net_allow, "tcp://*:80,443");
	push(&p->net_allow_bind, "8000-8002");
	push(&p->net_allow_bind, "22");
	CHECK_EQ_INT(sl_policy_build(p, NULL), 0);
	CHECK_EQ_INT(p->allow_rules.n, 2);
	CHECK_EQ_INT(p->allow_rules.v[1].nports, 2);
	CHECK(p->has_allow_bind);
	CHECK(!p->allow_bind.all);
	CHECK_EQ_INT(p->allow_bind.ports.n, 4);
	CHECK_EQ_INT(p->allow_bind.ports.v[0], 22);
	sl_policy_free(p);

	p = sl_policy_new();
	push(&p->net_allow_bind, "*");
	CHECK_EQ_INT(sl_policy_build(p, NULL), 0);
	CHECK(p->has_allow_bind);
	CHECK(p->allow_bind.all);
	sl_policy_free(p);
}

TEST(building_twice_gives_the_same_result)
{
	struct sl_policy *p = sl_policy_new();
	size_t n;

	push(&p->net_allow, "tcp://*:443");
	push(&p->net_allow_bind, "80");
	push(&p->extra_deny_syscalls, "getpid");
	CHECK_EQ_INT(sl_policy_build(p, NULL), 0);
	n = p->deny_syscalls.n;
	CHECK_EQ_INT(sl_policy_build(p, NULL), 0);
	CHECK(p->built);
	CHECK_EQ_INT(p->deny_syscalls.n, n);
	CHECK_EQ_INT(p->allow_rules.n, 1);
	CHECK_EQ_INT(p->allow_bind.ports.n, 1);
	sl_policy_free(p);
}

TEST(validation_errors_come_before_unsupported_features)
{
	struct sl_policy *p = sl_policy_new();
	struct sl_error e = { 0 };

	p->chroot = strdup("/w"); /* unsupported */
	p->has_max_cpu = true;	  /* invalid */
	CHECK_EQ_INT(build_policy(p, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "max_cpu");
	p->max_cpu = 10;
	CHECK_EQ_INT(build_policy(p, &e), -EOPNOTSUPP);
	CHECK_STR(e.msg, "chroot is not supported yet");
	CHECK(!p->built);
	sl_error_clear(&e);
	sl_policy_free(p);
}

TEST(null_policy)
{
	struct sl_error e = { 0 };

	CHECK_EQ_INT(sl_policy_build(NULL, &e), -EINVAL);
	sl_error_clear(&e);
}
