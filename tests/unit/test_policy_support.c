/* Settings whose runtime does not exist yet are refused by name. */
#include "harness.h"
#include "lib/rules.h"
#include "policy/callback.h"

static void push(struct sl_strv *sv, const char *s)
{
	if (sl_strv_push(sv, s) < 0)
		abort();
}

static void dummy_fn(void)
{
}

/* Every rule form of net_allow has its runtime (the network modules). */
static const char *const net_allow_forms[] = {
	":443",
	"*",
	"udp://*",
	"icmp://*",
	"tcp://example.com:443",
	"tcp://10.0.0.0/8",
	"tcp://1.2.3.4:80",
	"tcp://[::1]:22",
	"tcp://:443",
	"tcp://*:80,443",
	"tcp://*",
	"tcp://*:*",
};

TEST(every_net_allow_form_is_supported)
{
	for (size_t i = 0;
	     i < sizeof(net_allow_forms) / sizeof(net_allow_forms[0]); i++) {
		struct sl_policy *p = sl_policy_new();

		push(&p->net_allow, net_allow_forms[i]);
		CHECK(sl_policy_unsupported_feature(p) == NULL);
		CHECK_EQ_INT(sl_policy_build(p, NULL), 0);
		sl_policy_free(p);
	}
}

static void set_http_allow(struct sl_policy *p)
{
	push(&p->http_allow, "GET example.com/*");
}
static void set_http_deny(struct sl_policy *p)
{
	push(&p->http_deny, "* */admin/*");
}
static void set_http_port(struct sl_policy *p)
{
	sl_u32v_push(&p->http_ports, 8080);
}
static void set_http_ca(struct sl_policy *p)
{
	p->http_ca = strdup("/ca.pem");
	p->http_key = strdup("/key.pem");
}
static void set_http_inject(struct sl_policy *p)
{
	push(&p->http_allow, "GET example.com");
	push(&p->http_inject_ca, "/etc/ssl/certs/ca-certificates.crt");
	p->http_ca_out = strdup("/tmp/ca.pem");
}
static void set_workdir(struct sl_policy *p)
{
	p->workdir = strdup("/work");
}
static void set_fs_storage(struct sl_policy *p)
{
	p->fs_storage = strdup("/st");
}
static void set_max_disk(struct sl_policy *p)
{
	p->has_max_disk = true;
	p->max_disk = 1 << 20;
}
static void set_chroot(struct sl_policy *p)
{
	p->chroot = strdup("/rootfs");
}
static void set_mount(struct sl_policy *p)
{
	p->mounts = calloc(1, sizeof(*p->mounts));
	p->mounts[0].virtual_path = strdup("/data");
	p->mounts[0].host_path = strdup("/srv/data");
	p->nmounts = 1;
}
static void set_random_seed(struct sl_policy *p)
{
	p->has_random_seed = true;
}
static void set_time_start(struct sl_policy *p)
{
	p->has_time_start = true;
	p->time_start = 1767225600;
}
static void set_det_dirs(struct sl_policy *p)
{
	p->deterministic_dirs = true;
}
static void set_num_cpus(struct sl_policy *p)
{
	p->has_num_cpus = true;
	p->num_cpus = 2;
}
static const struct {
	void (*set)(struct sl_policy *p);
	const char *feature;
} unsupported[] = {
	{ set_http_allow, "HTTP ACL proxy" },
	{ set_http_deny, "HTTP ACL proxy" },
	{ set_http_port, "HTTP ACL proxy" },
	{ set_http_ca, "HTTP ACL proxy" },
	{ set_http_inject, "HTTP ACL proxy" },
	{ set_chroot, "chroot" },
	{ set_mount, "chroot" },
	{ set_random_seed, "random_seed" },
	{ set_time_start, "time_start" },
	{ set_det_dirs, "deterministic_dirs" },
	{ set_num_cpus, "num_cpus" },
};

TEST(each_unsupported_setting_is_named_and_refused)
{
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]);
	     i++) {
		struct sl_policy *p = sl_policy_new();
		struct sl_error e = { 0 };
		char want[128];

		unsupported[i].set(p);
		CHECK_STR(sl_policy_unsupported_feature(p),
			  unsupported[i].feature);
		snprintf(want, sizeof(want), "%s is not supported yet",
			 unsupported[i].feature);
		if (build_policy(p, &e) != -EOPNOTSUPP)
			FAIL("%s: build did not refuse (%s)",
			     unsupported[i].feature, e.msg ? e.msg : "ok");
		CHECK_STR(e.msg, want);
		CHECK(!p->built);
		sl_error_clear(&e);
		sl_policy_free(p);
	}
}

/* Everything the runtime implements today, together: builds. */
TEST(supported_settings_build)
{
	struct sl_policy *p = sl_policy_new();
	struct sl_error e = { 0 };

	push(&p->fs_read, "/usr");
	push(&p->fs_write, "/tmp");
	push(&p->fs_deny, "/etc/shadow");
	p->cwd = strdup("/tmp");
	p->clean_env = true;
	CHECK_EQ_INT(sl_policy_set_env(p, "A", "b"), 0);
	p->has_max_memory = true;
	p->max_memory = 1 << 30;
	p->max_processes = 10;
	p->has_max_open_files = true;
	p->max_open_files = 64;
	p->has_max_cpu = true;
	p->max_cpu = 50;
	p->has_cpu_cores = true;
	sl_u32v_push(&p->cpu_cores, 0);
	p->has_gpu_devices = true;
	push(&p->extra_deny_syscalls, "getpid");
	push(&p->extra_allow_syscalls, "sysv_ipc");
	p->has_user = true;
	p->uid = 1000;
	p->gid = 1000;
	p->no_coredump = p->no_randomize_memory = p->no_huge_pages = true;
	p->protection[SL_PROT_NET_TCP] = SL_PROT_DEGRADED;
	p->protection[SL_PROT_SIGNAL_SCOPE] = SL_PROT_DISABLED;
	push(&p->net_allow_bind, "8080");
	push(&p->net_allow, "tcp://*:443");
	push(&p->net_allow, "udp://127.0.0.1:53");
	p->port_remap = true;
	/* The copy-on-write workdir, its storage, quota and actions. */
	set_workdir(p);
	set_fs_storage(p);
	set_max_disk(p);
	p->on_exit_set = p->on_error_set = true;
	p->on_exit = SL_BRANCH_ABORT;
	p->on_error = SL_BRANCH_KEEP;
	CHECK(sl_policy_unsupported_feature(p) == NULL);
	if (build_policy(p, &e) != 0)
		FAIL("build failed: %s", e.msg);
	CHECK(p->built);
	sl_policy_free(p);
	p = sl_policy_new();
	push(&p->net_deny, "10.0.0.0/8");
	push(&p->net_deny_bind, "22");
	if (build_policy(p, &e) != 0)
		FAIL("build failed: %s", e.msg);
	sl_policy_free(p);
	CHECK(sl_policy_unsupported_feature(NULL) == NULL);
}

/* The flags that set an unsupported setting are named by the same table
 * (the CLI marks and refuses them); others are not. */
TEST(flags_of_unsupported_settings_are_named)
{
	static const char *const named[][2] = {
		{ "http-allow", "HTTP ACL proxy" },
		{ "http-ca-out", "HTTP ACL proxy" },
		{ "fs-mount", "chroot" },
		{ "num-cpus", "num_cpus" },
		{ "deterministic-dirs", "deterministic_dirs" },
	};
	static const char *const supported[] = {
		"fs-read",  "cpu",     "cwd",	   "max-memory", "http",
		"",	    "num",     "cpus",	   "workdir",	 "fs-storage",
		"max-disk", "on-exit", "on-error", "dry-run"
	};

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		CHECK_STR(sl_policy_setting_unsupported(named[i][0]),
			  named[i][1]);
	for (size_t i = 0; i < sizeof(supported) / sizeof(supported[0]); i++)
		CHECK(sl_policy_setting_unsupported(supported[i]) == NULL);
	CHECK(sl_policy_setting_unsupported(NULL) == NULL);
}

/* Policy callbacks run (handlers/policy.c): not refused. */
TEST(policy_callbacks_are_supported)
{
	struct sl_policy *p = sl_policy_new();

	CHECK(p);
	p->cb = sl_policy_cb_new(dummy_fn, NULL, NULL);
	CHECK(p->cb);
	CHECK(!sl_policy_unsupported_feature(p));
	sl_policy_free(p);
}
