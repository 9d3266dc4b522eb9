/* sl_policy_build(): every build-time check of docs/behaviour.md 0 and docs/abi.md
 * 3.13, then the refusal of settings whose runtime does not exist yet. */
#include "policy/build.h"

#include <errno.h>
#include <stddef.h>

static int check_limits(const struct sl_policy *p, struct sl_error *e)
{
	if (p->has_max_cpu && (p->max_cpu == 0 || p->max_cpu > 100))
		return sl_err(e, EINVAL,
			      "max_cpu must be between 1 and 100 (percent), "
			      "got %u",
			      p->max_cpu);
	if (p->has_max_open_files && p->max_open_files == 0)
		return sl_err(e, EINVAL, "max_open_files must not be 0");
	return 0;
}

static int check_protections(const struct sl_policy *p, struct sl_error *e)
{
	for (uint32_t i = 0; i < SL_NPROT; i++) {
		const char *why = sl_protection_undisableable(i);

		if (why && p->protection[i] == SL_PROT_DISABLED)
			return sl_err(e, EINVAL,
				      "protection %s cannot be "
				      "disabled (%s); use allow_degraded "
				      "instead",
				      sl_protection_name(i), why);
	}
	for (uint32_t i = 0; i < SL_NPROT; i++)
		if (p->protection[i] > SL_PROT_DISABLED)
			return sl_err(e, EINVAL,
				      "invalid state %u for "
				      "protection %s",
				      p->protection[i], sl_protection_name(i));
	return 0;
}

/* An empty path would name the current directory (or nothing): refused
 * wherever a path is taken. */
static int check_paths(const struct sl_policy *p, struct sl_error *e)
{
	static const struct {
		const char *name;
		size_t off;
	} lists[] = {
		{ "fs_read", offsetof(struct sl_policy, fs_read) },
		{ "fs_write", offsetof(struct sl_policy, fs_write) },
		{ "fs_deny", offsetof(struct sl_policy, fs_deny) },
	};
	const struct {
		const char *name;
		const char *v;
	} scalars[] = {
		{ "workdir", p->workdir },
		{ "cwd", p->cwd },
		{ "chroot", p->chroot },
		{ "fs_storage", p->fs_storage },
	};

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		const struct sl_strv *l =
			(const void *)((const char *)p + lists[i].off);

		for (size_t k = 0; k < l->n; k++)
			if (!l->v[k][0])
				return sl_err(e, EINVAL, "%s: empty path",
					      lists[i].name);
	}
	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++)
		if (scalars[i].v && !scalars[i].v[0])
			return sl_err(e, EINVAL, "%s: empty path",
				      scalars[i].name);
	return 0;
}

int sl_policy_build(struct sl_policy *p, struct sl_error *e)
{
	const char *feature;
	int r;

	if (!p)
		return sl_err(e, EINVAL, "no policy");
	sl_policy_clear_derived(p);
	r = check_paths(p, e);
	if (r == 0)
		r = sl_build_syscalls(p, e);
	if (r == 0)
		r = check_protections(p, e);
	if (r == 0)
		r = check_limits(p, e);
	if (r == 0)
		r = sl_build_http(p, e);
	if (r == 0)
		r = sl_build_network(p, e);
	if (r == 0) {
		feature = sl_policy_unsupported_feature(p);
		if (feature)
			r = sl_err(e, EOPNOTSUPP, "%s is not supported yet",
				   feature);
	}
	if (r < 0) {
		sl_policy_clear_derived(p);
		return r;
	}
	p->built = true;
	return 0;
}
