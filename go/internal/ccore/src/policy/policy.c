/* The policy object: defaults, release, and the environment map. */
#include "policy/policy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct sl_policy *sl_policy_new(void)
{
	struct sl_policy *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->max_processes = 64;
	for (size_t i = 0; i < SL_NPROT; i++)
		p->protection[i] = SL_PROT_STRICT;
	return p;
}

/* Everything sl_policy_build() derives; also used to rebuild from scratch. */
void sl_policy_clear_derived(struct sl_policy *p)
{
	sl_net_rules_free(&p->allow_rules);
	sl_net_rules_free(&p->deny_rules);
	sl_port_set_free(&p->allow_bind);
	sl_port_set_free(&p->deny_bind);
	sl_u32v_free(&p->deny_syscalls);
	p->has_allow_bind = false;
	p->allow_sysv_ipc = false;
	p->built = false;
}

void sl_policy_free(struct sl_policy *p)
{
	if (!p)
		return;
	sl_policy_clear_derived(p);
	sl_strv_free(&p->fs_read);
	sl_strv_free(&p->fs_write);
	sl_strv_free(&p->fs_deny);
	free(p->workdir);
	free(p->cwd);
	free(p->chroot);
	free(p->fs_storage);
	for (uint32_t i = 0; i < p->nmounts; i++) {
		free(p->mounts[i].virtual_path);
		free(p->mounts[i].host_path);
	}
	free(p->mounts);
	sl_strv_free(&p->net_allow);
	sl_strv_free(&p->net_deny);
	sl_strv_free(&p->net_allow_bind);
	sl_strv_free(&p->net_deny_bind);
	sl_strv_free(&p->http_allow);
	sl_strv_free(&p->http_deny);
	sl_strv_free(&p->http_inject_ca);
	sl_u32v_free(&p->http_ports);
	free(p->http_ca);
	free(p->http_key);
	free(p->http_ca_out);
	sl_u32v_free(&p->cpu_cores);
	sl_u32v_free(&p->gpu_devices);
	sl_strv_free(&p->extra_allow_syscalls);
	sl_strv_free(&p->extra_deny_syscalls);
	sl_strv_free(&p->env_keys);
	sl_strv_free(&p->env_values);
	sl_policy_cb_unref(p->cb);
	free(p);
}

int sl_policy_set_env(struct sl_policy *p, const char *key, const char *value)
{
	char *v;
	int r;

	if (!p || !key || !value)
		return -EINVAL;
	v = strdup(value);
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < p->env_keys.n; i++) {
		if (strcmp(p->env_keys.v[i], key) == 0) {
			free(p->env_values.v[i]);
			p->env_values.v[i] = v;
			return 0;
		}
	}
	r = sl_strv_push(&p->env_keys, key);
	if (r < 0) {
		free(v);
		return r;
	}
	r = sl_strv_push_take(&p->env_values, v);
	if (r < 0) {
		/* Keep keys and values the same length. */
		free(p->env_keys.v[--p->env_keys.n]);
		p->env_keys.v[p->env_keys.n] = NULL;
	}
	return r;
}
