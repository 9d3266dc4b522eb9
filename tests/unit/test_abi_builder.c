/*
 * What the builder setters store (docs/abi.md 1.3): lists append, scalars
 * overwrite, env is a map, cpu_cores/gpu_devices replace, ignored inputs
 * leave the policy untouched, legacy names map onto current fields.
 * Inspects the builder's policy directly, so it links the internals.
 */
#include "harness.h"

#include "abi/objects.h"
#include "policy/callback.h"

static struct sl_policy *P(sandlock_builder_t *b)
{
	return b->policy;
}

/* Builders are consumed by a build; these tests only inspect them. */
static void discard(sandlock_builder_t *b)
{
	sandlock_sandbox_free(sandlock_sandbox_build(b, NULL, NULL));
}

TEST(new_builder_has_defaults)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_new();

	CHECK(b && P(b));
	CHECK_EQ_INT(P(b)->max_processes, 64);
	for (int i = 0; i < SL_NPROT; i++)
		CHECK_EQ_INT(P(b)->protection[i], SL_PROT_STRICT);
	CHECK(!P(b)->has_gpu_devices && !P(b)->has_cpu_cores && !P(b)->cb);
	CHECK(!b->oom);
	discard(b);
}

TEST(setters_return_the_same_builder)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_new();

	CHECK(sandlock_sandbox_builder_fs_read(b, "/usr") == b);
	CHECK(sandlock_sandbox_builder_max_memory(b, 1) == b);
	CHECK(sandlock_sandbox_builder_fs_read(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_env_var(b, NULL, "v") == b);
	CHECK(sandlock_sandbox_builder_env_var(b, "k", NULL) == b);
	CHECK(sandlock_sandbox_builder_cpu_cores(b, NULL, 3) == b);
	CHECK(sandlock_sandbox_builder_disable(b, 99) == b);
	discard(b);
}

TEST(list_settings_append)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_new();

	sandlock_sandbox_builder_fs_read(b, "/a");
	sandlock_sandbox_builder_fs_read(b, "/b");
	sandlock_sandbox_builder_fs_write(b, "/w");
	sandlock_sandbox_builder_fs_deny(b, "/d");
	sandlock_sandbox_builder_net_allow(b, ":80");
	sandlock_sandbox_builder_net_allow(b, ":443");
	sandlock_sandbox_builder_http_port(b, 80);
	sandlock_sandbox_builder_http_port(b, 8080);
	sandlock_sandbox_builder_extra_deny_syscalls(b, "mount, umount2");
	sandlock_sandbox_builder_extra_deny_syscalls(b, "bogus");
	CHECK_EQ_INT(P(b)->fs_read.n, 2);
	CHECK_STR(P(b)->fs_read.v[0], "/a");
	CHECK_STR(P(b)->fs_read.v[1], "/b");
	CHECK_STR(P(b)->fs_write.v[0], "/w");
	CHECK_STR(P(b)->fs_deny.v[0], "/d");
	CHECK_EQ_INT(P(b)->net_allow.n, 2);
	CHECK_EQ_INT(P(b)->http_ports.n, 2);
	CHECK_EQ_INT(P(b)->http_ports.v[1], 8080);
	/* raw comma lists, one entry per call: validation is the build's */
	CHECK_EQ_INT(P(b)->extra_deny_syscalls.n, 2);
	CHECK_STR(P(b)->extra_deny_syscalls.v[0], "mount, umount2");
	discard(b);
}

TEST(scalar_settings_overwrite)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_new();

	sandlock_sandbox_builder_cwd(b, "/one");
	sandlock_sandbox_builder_cwd(b, "/two");
	sandlock_sandbox_builder_max_memory(b, 10);
	sandlock_sandbox_builder_max_memory(b, 20);
	sandlock_sandbox_builder_max_cpu(b, 0);
	sandlock_sandbox_builder_max_open_files(b, 7);
	sandlock_sandbox_builder_user(b, 1, 2);
	sandlock_sandbox_builder_user(b, 3, 4);
	CHECK_STR(P(b)->cwd, "/two");
	CHECK(P(b)->has_max_memory);
	CHECK_EQ_INT(P(b)->max_memory, 20);
	CHECK(P(b)->has_max_cpu);
	CHECK_EQ_INT(P(b)->max_cpu, 0);
	CHECK(P(b)->has_max_open_files);
	CHECK_EQ_INT(P(b)->max_open_files, 7);
	CHECK(P(b)->has_user);
	CHECK_EQ_INT(P(b)->uid, 3);
	CHECK_EQ_INT(P(b)->gid, 4);
	discard(b);
}

TEST(env_is_a_map)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_new();

	sandlock_sandbox_builder_env_var(b, "A", "1");
	sandlock_sandbox_builder_env_var(b, "B", "2");
	sandlock_sandbox_builder_env_var(b, "A", "3");
	CHECK_EQ_INT(P(b)->env_keys.n, 2);
	CHECK_STR(P(b)->env_keys.v[0], "A");
	CHECK_STR(P(b)->env_values.v[0], "3");
	CHECK_STR(P(b)->env_values.v[1], "2");
	discard(b);
}

TEST(cpu_cores_and_gpu_devices_replace)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_new();
	const uint32_t first[] = { 0, 1, 2 }, second[] = { 5 };

	sandlock_sandbox_builder_cpu_cores(b, first, 3);
	sandlock_sandbox_builder_cpu_cores(b, second, 1);
	CHECK(P(b)->has_cpu_cores);
	CHECK_EQ_INT(P(b)->cpu_cores.n, 1);
	CHECK_EQ_INT(P(b)->cpu_cores.v[0], 5);
	/* NULL with a length is ignored and keeps the list */
	sandlock_sandbox_builder_cpu_cores(b, NULL, 2);
	CHECK_EQ_INT(P(b)->cpu_cores.n, 1);
	/* an empty list = no pinning, still "set" */
	sandlock_sandbox_builder_cpu_cores(b, NULL, 0);
	CHECK(P(b)->has_cpu_cores);
	CHECK_EQ_INT(P(b)->cpu_cores.n, 0);

	sandlock_sandbox_builder_gpu_devices(b, NULL, 4);
	CHECK(!P(b)->has_gpu_devices);
	sandlock_sandbox_builder_gpu_devices(b, first, 2);
	CHECK_EQ_INT(P(b)->gpu_devices.n, 2);
	/* (NULL, 0) means every GPU: set, with an empty list */
	sandlock_sandbox_builder_gpu_devices(b, NULL, 0);
	CHECK(P(b)->has_gpu_devices);
	CHECK_EQ_INT(P(b)->gpu_devices.n, 0);
	discard(b);
}

TEST(mounts_ignore_empty_and_non_utf8_paths)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_new();

	sandlock_sandbox_builder_fs_mount(b, "", "/host");
	sandlock_sandbox_builder_fs_mount(b, "/v", "");
	sandlock_sandbox_builder_fs_mount(b, "/v\xff", "/host");
	sandlock_sandbox_builder_fs_mount_ro(b, "/v", "/h\xc3\x28");
	sandlock_sandbox_builder_fs_mount(b, NULL, "/host");
	CHECK_EQ_INT(P(b)->nmounts, 0);
	sandlock_sandbox_builder_fs_mount(b, "/data", "/srv/data");
	sandlock_sandbox_builder_fs_mount_ro(b, "/etc", "/srv/etc\xc3\xa9");
	CHECK_EQ_INT(P(b)->nmounts, 2);
	CHECK_STR(P(b)->mounts[0].virtual_path, "/data");
	CHECK_STR(P(b)->mounts[0].host_path, "/srv/data");
	CHECK(!P(b)->mounts[0].read_only);
	CHECK(P(b)->mounts[1].read_only);
	discard(b);
}

TEST(protections_ignore_unknown_values)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_new();

	sandlock_sandbox_builder_allow_degraded(
		b, SANDLOCK_PROTECTION_SIGNAL_SCOPE);
	sandlock_sandbox_builder_disable(b, SANDLOCK_PROTECTION_NET_TCP);
	sandlock_sandbox_builder_disable(b, 6);
	sandlock_sandbox_builder_allow_degraded(b, UINT32_MAX);
	CHECK_EQ_INT(P(b)->protection[SL_PROT_SIGNAL_SCOPE], SL_PROT_DEGRADED);
	CHECK_EQ_INT(P(b)->protection[SL_PROT_NET_TCP], SL_PROT_DISABLED);
	CHECK_EQ_INT(P(b)->protection[SL_PROT_FS_REFER], SL_PROT_STRICT);
	/* last call wins per protection */
	sandlock_sandbox_builder_allow_degraded(b, SANDLOCK_PROTECTION_NET_TCP);
	CHECK_EQ_INT(P(b)->protection[SL_PROT_NET_TCP], SL_PROT_DEGRADED);
	discard(b);
}

TEST(branch_actions_out_of_range_mean_commit)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_new();

	CHECK(!P(b)->on_exit_set && !P(b)->on_error_set);
	sandlock_sandbox_builder_on_exit(b, SANDLOCK_BRANCH_KEEP);
	sandlock_sandbox_builder_on_error(b, 9);
	CHECK(P(b)->on_exit_set && P(b)->on_error_set);
	CHECK_EQ_INT(P(b)->on_exit, SANDLOCK_BRANCH_KEEP);
	CHECK_EQ_INT(P(b)->on_error, SANDLOCK_BRANCH_COMMIT);
	discard(b);
}

TEST(legacy_names_map_onto_current_settings)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_new();

	sandlock_sandbox_builder_net_bind_port(b, 8080);
	sandlock_sandbox_builder_net_allow_bind_port(b, 22);
	sandlock_sandbox_builder_net_deny_bind_port(b, 65535);
	sandlock_sandbox_builder_uid(b, 1234);
	CHECK_EQ_INT(P(b)->net_allow_bind.n, 2);
	CHECK_STR(P(b)->net_allow_bind.v[0], "8080");
	CHECK_STR(P(b)->net_allow_bind.v[1], "22");
	CHECK_STR(P(b)->net_deny_bind.v[0], "65535");
	CHECK(P(b)->has_user);
	CHECK_EQ_INT(P(b)->uid, 1234);
	CHECK_EQ_INT(P(b)->gid, 1234);
	CHECK(sandlock_sandbox_builder_net_bind_port(NULL, 1) == NULL);
	CHECK(sandlock_sandbox_builder_uid(NULL, 1) == NULL);
	discard(b);
}

static int drops;
static void count_drop(void *ud)
{
	drops++;
	CHECK(ud == &drops);
}
static int32_t allow_all(const sandlock_event_t *ev, sandlock_ctx_t *ctx,
			 void *ud)
{
	return 0;
}

TEST(policy_fn_replacement_drops_the_previous_callback)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_new();

	drops = 0;
	sandlock_sandbox_builder_policy_fn(b, allow_all, &drops, count_drop);
	CHECK(P(b)->cb);
	CHECK_EQ_INT(drops, 0);
	sandlock_sandbox_builder_policy_fn(b, allow_all, &drops, count_drop);
	CHECK_EQ_INT(drops, 1);
	/* a NULL callback retains nothing and keeps the current one */
	sandlock_sandbox_builder_policy_fn(b, NULL, &drops, count_drop);
	CHECK_EQ_INT(drops, 1);
	CHECK(P(b)->cb);
	discard(b);
	CHECK_EQ_INT(drops, 2);
}
