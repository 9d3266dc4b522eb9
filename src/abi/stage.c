#include "abi/stage.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int sl_abi_stage_init(struct sl_abi_stage *st, const char *name,
		      const sandlock_sandbox_t *policy, const char *const *argv,
		      unsigned int argc)
{
	struct sl_sandbox *sb = sl_from_abi(policy);

	*st = (struct sl_abi_stage){ 0 };
	if (!sb || !argv || argc == 0)
		return -EINVAL;
	for (unsigned int i = 0; i < argc; i++)
		if (!argv[i])
			return -EINVAL;
	st->argv = calloc((size_t)argc + 1, sizeof(char *));
	if (!st->argv)
		return -ENOMEM;
	for (unsigned int i = 0; i < argc; i++) {
		st->argv[i] = strdup(argv[i]);
		if (!st->argv[i]) {
			sl_abi_stage_clear(st);
			return -ENOMEM;
		}
		st->argc++;
	}
	if (name) {
		st->name = strdup(name);
		if (!st->name) {
			sl_abi_stage_clear(st);
			return -ENOMEM;
		}
	}
	st->sb = sl_sandbox_ref(sb);
	return 0;
}

void sl_abi_stage_clear(struct sl_abi_stage *st)
{
	for (size_t i = 0; i < st->argc; i++)
		free(st->argv[i]);
	free(st->argv);
	free(st->name);
	if (st->sb)
		sl_sandbox_unref(st->sb);
	*st = (struct sl_abi_stage){ 0 };
}

void sl_abi_stages_add(struct sl_abi_stages *l, const char *name,
		       const sandlock_sandbox_t *policy,
		       const char *const *argv, unsigned int argc)
{
	struct sl_abi_stage st, *grown;
	int r = sl_abi_stage_init(&st, name, policy, argv, argc);

	if (r < 0) {
		if (r == -ENOMEM)
			l->oom = true;
		return;
	}
	grown = realloc(l->v, (l->n + 1) * sizeof(*grown));
	if (!grown) {
		sl_abi_stage_clear(&st);
		l->oom = true;
		return;
	}
	l->v = grown;
	l->v[l->n++] = st;
}

void sl_abi_stages_clear(struct sl_abi_stages *l)
{
	for (size_t i = 0; i < l->n; i++)
		sl_abi_stage_clear(&l->v[i]);
	free(l->v);
	*l = (struct sl_abi_stages){ 0 };
}
