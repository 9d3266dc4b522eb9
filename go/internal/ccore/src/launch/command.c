/* argv, environment (docs/behaviour.md 11.1) and PATH search for the child. */
#include "launch/command.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

extern char **environ;

static const char *const gpu_vars[] = { "CUDA_VISIBLE_DEVICES",
					"ROCR_VISIBLE_DEVICES" };

static bool want_gpu_vars(const struct sl_policy *p)
{
	return p->has_gpu_devices && p->gpu_devices.n > 0;
}

/* Does "KEY=VALUE" have the key `key`? */
static bool entry_has_key(const char *entry, const char *key)
{
	size_t n = strlen(key);

	return strncmp(entry, key, n) == 0 && entry[n] == '=';
}

/* Is the inherited entry replaced by a variable sandlock sets? */
static bool overridden(const struct sl_policy *p, const char *entry)
{
	for (size_t i = 0; i < p->env_keys.n; i++)
		if (entry_has_key(entry, p->env_keys.v[i]))
			return true;
	if (want_gpu_vars(p))
		for (size_t i = 0; i < SL_ARRAY_SIZE(gpu_vars); i++)
			if (entry_has_key(entry, gpu_vars[i]))
				return true;
	return false;
}

static int push_var(struct sl_strv *env, const char *key, const char *value)
{
	char *s = NULL;

	if (asprintf(&s, "%s=%s", key, value) < 0)
		return -ENOMEM;
	return sl_strv_push_take(env, s);
}

static char *gpu_list(const struct sl_policy *p)
{
	size_t cap = p->gpu_devices.n * 11 + 1, len = 0;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < p->gpu_devices.n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s%u",
					i ? "," : "", p->gpu_devices.v[i]);
	return s;
}

static int build_env(struct sl_strv *env, const struct sl_policy *p)
{
	int r;

	/* clean_env keeps nothing, as the reference does: with no PATH the
	 * search falls back to the default path. */
	if (!p->clean_env && environ) {
		for (char **ep = environ; *ep; ep++) {
			if (overridden(p, *ep))
				continue;
			r = sl_strv_push(env, *ep);
			if (r < 0)
				return r;
		}
	}
	for (size_t i = 0; i < p->env_keys.n; i++) {
		r = push_var(env, p->env_keys.v[i], p->env_values.v[i]);
		if (r < 0)
			return r;
	}
	if (want_gpu_vars(p)) {
		_cleanup_(freep) char *list = gpu_list(p);

		if (!list)
			return -ENOMEM;
		for (size_t i = 0; i < SL_ARRAY_SIZE(gpu_vars); i++) {
			r = push_var(env, gpu_vars[i], list);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static const char *env_path(const struct sl_strv *env)
{
	for (size_t i = 0; i < env->n; i++)
		if (entry_has_key(env->v[i], "PATH"))
			return env->v[i] + 5;
	return SL_DEFAULT_PATH;
}

/* execvp: a name with a slash is used as is; otherwise each PATH element
 * in turn, an empty element meaning the current directory. */
static int build_paths(struct sl_strv *paths, const char *name,
		       const char *path)
{
	if (strchr(name, '/'))
		return sl_strv_push(paths, name);
	if (!*name)
		return 0; /* execvp("") fails with ENOENT */
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		size_t dlen = (size_t)(end - p);
		char *s = NULL;
		int r;

		if (dlen == 0)
			r = sl_strv_push(paths, name);
		else if (asprintf(&s, "%.*s/%s", (int)dlen, p, name) < 0)
			r = -ENOMEM;
		else
			r = sl_strv_push_take(paths, s);
		if (r < 0)
			return r;
		if (!*end)
			return 0;
		p = end;
	}
}

static int build_sh_argv(struct sl_command *c)
{
	size_t n = c->argv.n;

	/* "/bin/sh", the script, argv[1..n-1], NULL */
	c->sh_argv = calloc(n + 2, sizeof(char *));
	if (!c->sh_argv)
		return -ENOMEM;
	c->sh_argv[0] = (char *)"/bin/sh";
	for (size_t i = 1; i < n; i++)
		c->sh_argv[i + 1] = c->argv.v[i];
	return 0;
}

int sl_command_prepare(struct sl_command *c, const struct sl_policy *p,
		       const char *const *argv, size_t argc, struct sl_error *e)
{
	int r;

	memset(c, 0, sizeof(*c));
	if (!argv || argc == 0)
		return sl_err(e, EINVAL, "command must not be empty");
	for (size_t i = 0; i < argc; i++) {
		if (!argv[i])
			return sl_err(e, EINVAL, "argv[%zu] is NULL", i);
		r = sl_strv_push(&c->argv, argv[i]);
		if (r < 0)
			return sl_err(e, r, "out of memory");
	}
	r = build_env(&c->envp, p);
	if (r >= 0)
		r = build_paths(&c->paths, c->argv.v[0], env_path(&c->envp));
	if (r >= 0)
		r = build_sh_argv(c);
	if (r < 0)
		return sl_err(e, r, "out of memory");
	return 0;
}

char *const *sl_command_envp(const struct sl_command *c)
{
	static char *const empty[] = { NULL };

	return c->envp.v ? c->envp.v : empty;
}

void sl_command_free(struct sl_command *c)
{
	sl_strv_free(&c->argv);
	sl_strv_free(&c->envp);
	sl_strv_free(&c->paths);
	free(c->sh_argv);
	c->sh_argv = NULL;
}
