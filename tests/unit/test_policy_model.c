/* The policy object: defaults, environment map, callback lifetime,
 * protections, release of a fully populated policy. */
#include "harness.h"
#include "policy/callback.h"
#include "policy/policy.h"

TEST(defaults)
{
	struct sl_policy *p = sl_policy_new();

	CHECK(p != NULL);
	CHECK_EQ_INT(p->max_processes, 64);
	for (int i = 0; i < SL_NPROT; i++)
		CHECK_EQ_INT(p->protection[i], SL_PROT_STRICT);
	CHECK(!p->on_exit_set && !p->on_error_set);
	CHECK(!p->has_max_memory && !p->has_max_cpu && !p->has_max_open_files);
	CHECK(!p->clean_env && !p->has_user && !p->built);
	CHECK(p->cb == NULL);
	sl_policy_free(p);
	sl_policy_free(NULL);
}

TEST(env_is_a_map_last_value_wins)
{
	struct sl_policy *p = sl_policy_new();

	CHECK_EQ_INT(sl_policy_set_env(p, "A", "1"), 0);
	CHECK_EQ_INT(sl_policy_set_env(p, "B", "2"), 0);
	CHECK_EQ_INT(sl_policy_set_env(p, "A", "3"), 0);
	CHECK_EQ_INT(sl_policy_set_env(p, "C", ""), 0);
	CHECK_EQ_INT(p->env_keys.n, 3);
	CHECK_EQ_INT(p->env_values.n, 3);
	CHECK_STR(p->env_keys.v[0], "A");
	CHECK_STR(p->env_values.v[0], "3");
	CHECK_STR(p->env_keys.v[1], "B");
	CHECK_STR(p->env_values.v[1], "2");
	CHECK_STR(p->env_values.v[2], "");
	CHECK_EQ_INT(sl_policy_set_env(p, NULL, "x"), -EINVAL);
	CHECK_EQ_INT(sl_policy_set_env(p, "x", NULL), -EINVAL);
	CHECK_EQ_INT(p->env_keys.n, 3);
	sl_policy_free(p);
}

static int drops;
static void *dropped_with;

static void count_drop(void *ud)
{
	drops++;
	dropped_with = ud;
}

static void dummy_fn(void)
{
}

TEST(callback_drop_fires_once_with_the_last_reference)
{
	int token;
	struct sl_policy_cb *cb;

	drops = 0;
	cb = sl_policy_cb_new(dummy_fn, &token, count_drop);
	CHECK(cb != NULL);
	CHECK(cb->fn == dummy_fn && cb->user_data == &token);
	CHECK(sl_policy_cb_ref(cb) == cb);
	CHECK(sl_policy_cb_ref(cb) == cb);
	sl_policy_cb_unref(cb);
	sl_policy_cb_unref(cb);
	CHECK_EQ_INT(drops, 0);
	sl_policy_cb_unref(cb);
	CHECK_EQ_INT(drops, 1);
	CHECK(dropped_with == &token);
	sl_policy_cb_unref(NULL);
	CHECK(sl_policy_cb_ref(NULL) == NULL);
	CHECK_EQ_INT(drops, 1);
}

TEST(callback_without_drop)
{
	struct sl_policy_cb *cb = sl_policy_cb_new(dummy_fn, NULL, NULL);

	CHECK(cb != NULL);
	sl_policy_cb_unref(cb);
}

TEST(policy_free_releases_its_callback_reference)
{
	struct sl_policy *p = sl_policy_new();
	struct sl_policy_cb *shared;

	drops = 0;
	p->cb = sl_policy_cb_new(dummy_fn, NULL, count_drop);
	shared = sl_policy_cb_ref(p->cb); /* another holder, e.g. a handle */
	sl_policy_free(p);
	CHECK_EQ_INT(drops, 0);
	sl_policy_cb_unref(shared);
	CHECK_EQ_INT(drops, 1);
}

TEST(protections)
{
	static const char *const names[] = {
		"FsRefer",    "FsTruncate",  "NetTcp",
		"FsIoctlDev", "SignalScope", "AbstractUnixSocketScope"
	};
	static const char *const tokens[] = {
		"fs-refer",	"fs-truncate",	"net-tcp",
		"fs-ioctl-dev", "signal-scope", "abstract-unix-socket-scope"
	};
	static const uint32_t abi[] = { 2, 3, 4, 5, 6, 6 };
	uint32_t v = 99;

	for (uint32_t i = 0; i < SL_NPROT; i++) {
		CHECK_EQ_INT(sl_protection_min_abi(i), abi[i]);
		CHECK_STR(sl_protection_name(i), names[i]);
		CHECK_STR(sl_protection_token(i), tokens[i]);
		CHECK_EQ_INT(sl_protection_parse(tokens[i], &v), 0);
		CHECK_EQ_INT(v, i);
	}
	CHECK_EQ_INT(sl_protection_min_abi(SL_NPROT), 0);
	CHECK_EQ_INT(sl_protection_min_abi(UINT32_MAX), 0);
	CHECK(sl_protection_name(6) == NULL);
	CHECK(sl_protection_token(6) == NULL);
	CHECK_EQ_INT(sl_protection_parse("NET-TCP", &v), 0);
	CHECK_EQ_INT(v, SL_PROT_NET_TCP);
	CHECK_EQ_INT(sl_protection_parse("Signal-Scope", &v), 0);
	CHECK_EQ_INT(v, SL_PROT_SIGNAL_SCOPE);
	v = 99;
	CHECK_EQ_INT(sl_protection_parse("NetTcp", &v), -EINVAL);
	CHECK_EQ_INT(sl_protection_parse("", &v), -EINVAL);
	CHECK_EQ_INT(sl_protection_parse(NULL, &v), -EINVAL);
	CHECK_EQ_INT(v, 99);
}

/* Everything a policy can own, built, then freed: ASan reports any leak. */
TEST(populated_policy_frees_everything)
{
	struct sl_policy *p = sl_policy_new();
	struct sl_error e = { 0 };

	drops = 0;
	CHECK(sl_strv_push(&p->fs_read, "/usr") == 0);
	CHECK(sl_strv_push(&p->fs_write, "/tmp") == 0);
	CHECK(sl_strv_push(&p->fs_deny, "/etc/shadow") == 0);
	p->workdir = strdup("/w");
	p->cwd = strdup("/c");
	p->chroot = strdup("/r");
	p->fs_storage = strdup("/s");
	p->mounts = calloc(1, sizeof(*p->mounts));
	p->mounts[0].virtual_path = strdup("/v");
	p->mounts[0].host_path = strdup("/h");
	p->nmounts = 1;
	CHECK(sl_strv_push(&p->net_allow, "tcp://*:443") == 0);
	CHECK(sl_strv_push(&p->net_allow_bind, "8080") == 0);
	CHECK(sl_strv_push(&p->http_allow, "GET h/*") == 0);
	CHECK(sl_strv_push(&p->http_inject_ca, "/etc/ssl/ca.pem") == 0);
	CHECK(sl_u32v_push(&p->http_ports, 80) == 0);
	p->http_ca = strdup("/ca");
	p->http_key = strdup("/key");
	p->http_ca_out = strdup("/out");
	CHECK(sl_u32v_push(&p->cpu_cores, 0) == 0);
	CHECK(sl_u32v_push(&p->gpu_devices, 0) == 0);
	CHECK(sl_strv_push(&p->extra_deny_syscalls, "getpid,sysv_ipc") == 0);
	CHECK(sl_policy_set_env(p, "K", "V") == 0);
	p->cb = sl_policy_cb_new(dummy_fn, NULL, count_drop);
	/* Validation passes; the build then refuses the unsupported features
	 * but the derived fields must still be released. */
	CHECK_EQ_INT(sl_policy_build(p, &e), -EOPNOTSUPP);
	CHECK(!p->built);
	sl_error_clear(&e);
	sl_policy_free(p);
	CHECK_EQ_INT(drops, 1);
}
