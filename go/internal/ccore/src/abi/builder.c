/*
 * Builder creation, the shared setter helpers, and the filesystem and
 * copy-on-write setters. Setters only store raw input; sl_policy_build()
 * parses and validates.
 */
#include "abi/builder.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

SL_EXPORT sandlock_builder_t *sandlock_sandbox_builder_new(void)
{
	sandlock_builder_t *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->policy = sl_policy_new();
	if (!b->policy) {
		free(b);
		return NULL;
	}
	return b;
}

sandlock_builder_t *sl_builder_note(sandlock_builder_t *b, int r)
{
	if (r < 0)
		b->oom = true;
	return b;
}

sandlock_builder_t *sl_builder_push(sandlock_builder_t *b, struct sl_strv *list,
				    const char *s)
{
	return sl_builder_note(b, sl_strv_push(list, s));
}

sandlock_builder_t *sl_builder_set_str(sandlock_builder_t *b, char **slot,
				       const char *s)
{
	char *copy = strdup(s);

	if (!copy)
		return sl_builder_note(b, -ENOMEM);
	free(*slot);
	*slot = copy;
	return b;
}

sandlock_builder_t *sl_builder_push_port(sandlock_builder_t *b,
					 struct sl_strv *list, uint16_t port)
{
	char num[8];

	snprintf(num, sizeof(num), "%u", (unsigned)port);
	return sl_builder_push(b, list, num);
}

sandlock_builder_t *sl_builder_set_u32s(sandlock_builder_t *b,
					struct sl_u32v *list, bool *has,
					const uint32_t *arr, uint32_t len)
{
	struct sl_u32v fresh = { 0 };

	for (uint32_t i = 0; i < len; i++) {
		if (sl_u32v_push(&fresh, arr[i]) < 0) {
			sl_u32v_free(&fresh);
			return sl_builder_note(b, -ENOMEM);
		}
	}
	sl_u32v_free(list);
	*list = fresh;
	*has = true;
	return b;
}

/* ---- filesystem -------------------------------------------------------- */

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_fs_read(sandlock_builder_t *b, const char *path)
{
	if (!b || !path)
		return b;
	return sl_builder_push(b, &b->policy->fs_read, path);
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_fs_write(sandlock_builder_t *b, const char *path)
{
	if (!b || !path)
		return b;
	return sl_builder_push(b, &b->policy->fs_write, path);
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_fs_deny(sandlock_builder_t *b, const char *path)
{
	if (!b || !path)
		return b;
	return sl_builder_push(b, &b->policy->fs_deny, path);
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_workdir(sandlock_builder_t *b, const char *path)
{
	if (!b || !path)
		return b;
	return sl_builder_set_str(b, &b->policy->workdir, path);
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_cwd(sandlock_builder_t *b, const char *path)
{
	if (!b || !path)
		return b;
	return sl_builder_set_str(b, &b->policy->cwd, path);
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_chroot(sandlock_builder_t *b, const char *path)
{
	if (!b || !path)
		return b;
	return sl_builder_set_str(b, &b->policy->chroot, path);
}

/* An empty virtual path would match every path, and the reference rejects
 * non-UTF-8 mount paths: such calls are ignored (docs/abi.md 3.2). */
static bool mount_path_ok(const char *s)
{
	return s && s[0] != '\0' && sl_utf8_valid(s, strlen(s));
}

static sandlock_builder_t *add_mount(sandlock_builder_t *b, const char *virt,
				     const char *host, bool read_only)
{
	struct sl_policy *p;
	struct sl_mount *grown;
	char *v, *h;

	if (!b || !mount_path_ok(virt) || !mount_path_ok(host))
		return b;
	p = b->policy;
	v = strdup(virt);
	h = strdup(host);
	grown = (v && h) ?
			realloc(p->mounts, (p->nmounts + 1) * sizeof(*grown)) :
			NULL;
	if (!grown) {
		free(v);
		free(h);
		return sl_builder_note(b, -ENOMEM);
	}
	p->mounts = grown;
	p->mounts[p->nmounts++] = (struct sl_mount){
		.virtual_path = v,
		.host_path = h,
		.read_only = read_only,
	};
	return b;
}

SL_EXPORT sandlock_builder_t *sandlock_sandbox_builder_fs_mount(
	sandlock_builder_t *b, const char *virtual_path, const char *host_path)
{
	return add_mount(b, virtual_path, host_path, false);
}

SL_EXPORT sandlock_builder_t *sandlock_sandbox_builder_fs_mount_ro(
	sandlock_builder_t *b, const char *virtual_path, const char *host_path)
{
	return add_mount(b, virtual_path, host_path, true);
}

/* ---- copy-on-write ----------------------------------------------------- */

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_fs_storage(sandlock_builder_t *b, const char *path)
{
	if (!b || !path)
		return b;
	return sl_builder_set_str(b, &b->policy->fs_storage, path);
}

/* Values other than commit/abort/keep mean commit (docs/abi.md 2.3). */
static uint8_t branch_action(uint8_t action)
{
	return action <= SL_BRANCH_KEEP ? action : SL_BRANCH_COMMIT;
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_on_exit(sandlock_builder_t *b, uint8_t action)
{
	if (!b)
		return NULL;
	b->policy->on_exit = branch_action(action);
	b->policy->on_exit_set = true;
	return b;
}

SL_EXPORT sandlock_builder_t *
sandlock_sandbox_builder_on_error(sandlock_builder_t *b, uint8_t action)
{
	if (!b)
		return NULL;
	b->policy->on_error = branch_action(action);
	b->policy->on_error_set = true;
	return b;
}
