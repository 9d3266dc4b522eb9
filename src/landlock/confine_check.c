/*
 * What sandlock_confine accepts (docs/behaviour.md 3.7): only fs_read and
 * fs_write, plus the protection posture. Every other field that differs
 * from its default is reported, all of them in one message, before
 * anything is applied.
 */
#include "landlock/landlock.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

int sl_confine_check(const struct sl_policy *p, struct sl_error *e)
{
	/* docs/abi.md 3.13: an on_error never set is accepted, like abort (the
	 * reference required abort although the default is commit). */
	bool on_error_changed = p->on_error_set &&
				p->on_error != SL_BRANCH_ABORT;
	/* Unknown branch values behave as commit, the default. */
	bool on_exit_changed =
		p->on_exit_set &&
		(p->on_exit == SL_BRANCH_ABORT || p->on_exit == SL_BRANCH_KEEP);
	const struct {
		const char *name;
		bool set;
	} fields[] = {
		{ "fs_denied", p->fs_deny.n > 0 },
		{ "extra_deny_syscalls", p->extra_deny_syscalls.n > 0 },
		{ "net_allow", p->net_allow.n > 0 },
		{ "net_deny", p->net_deny.n > 0 },
		{ "net_allow_bind",
		  p->net_allow_bind.n > 0 || p->has_allow_bind },
		{ "net_deny_bind", p->net_deny_bind.n > 0 },
		{ "extra_allow_syscalls", p->extra_allow_syscalls.n > 0 },
		{ "http_allow", p->http_allow.n > 0 },
		{ "http_deny", p->http_deny.n > 0 },
		{ "http_ports", p->http_ports.n > 0 },
		{ "http_ca", p->http_ca != NULL },
		{ "http_key", p->http_key != NULL },
		{ "http_inject_ca", p->http_inject_ca.n > 0 },
		{ "http_ca_out", p->http_ca_out != NULL },
		{ "max_memory", p->has_max_memory },
		{ "max_processes", p->max_processes != 64 },
		{ "max_open_files", p->has_max_open_files },
		{ "max_cpu", p->has_max_cpu },
		{ "random_seed", p->has_random_seed },
		{ "time_start", p->has_time_start },
		{ "no_randomize_memory", p->no_randomize_memory },
		{ "no_huge_pages", p->no_huge_pages },
		{ "no_coredump", p->no_coredump },
		{ "deterministic_dirs", p->deterministic_dirs },
		{ "workdir", p->workdir != NULL },
		{ "cwd", p->cwd != NULL },
		{ "fs_storage", p->fs_storage != NULL },
		{ "max_disk", p->has_max_disk },
		{ "on_exit", on_exit_changed },
		{ "on_error", on_error_changed },
		{ "fs_mount", p->nmounts > 0 },
		{ "chroot", p->chroot != NULL },
		{ "clean_env", p->clean_env },
		{ "env", p->env_keys.n > 0 },
		{ "gpu_devices", p->has_gpu_devices },
		{ "cpu_cores", p->has_cpu_cores },
		{ "num_cpus", p->has_num_cpus },
		{ "port_remap", p->port_remap },
		{ "user", p->has_user },
		{ "policy_fn", p->cb != NULL },
	};
	_cleanup_(freep) char *list = NULL;
	size_t len = 0;

	for (size_t i = 0; i < SL_ARRAY_SIZE(fields); i++) {
		size_t add = strlen(fields[i].name) + 2;
		char *grown;

		if (!fields[i].set)
			continue;
		grown = realloc(list, len + add + 1);
		if (!grown)
			return sl_err(e, ENOMEM, "out of memory");
		list = grown;
		len += (size_t)sprintf(list + len, "%s%s", len ? ", " : "",
				       fields[i].name);
	}
	if (!list)
		return 0;
	return sl_err(e, EINVAL,
		      "confine applies only fs_readable and fs_writable; the "
		      "policy also sets: %s",
		      list);
}
