/* The modules of a policy or of one run (dispatch.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/dispatch.h"

int sl_modlist_add(struct sl_modlist *l, const struct sl_handler_module *m,
		   void *arg, const struct sl_nrset *nrs)
{
	struct sl_modref *v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = (struct sl_modref){ m, arg, nrs };
	return 0;
}

int sl_modlist_copy(const struct sl_modlist *from, struct sl_modlist *to)
{
	memset(to, 0, sizeof(*to));
	if (!from->n)
		return 0;
	to->v = malloc(from->n * sizeof(*to->v));
	if (!to->v)
		return -ENOMEM;
	memcpy(to->v, from->v, from->n * sizeof(*to->v));
	to->n = from->n;
	return 0;
}

bool sl_modlist_has(const struct sl_modlist *l,
		    const struct sl_handler_module *m)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].m == m)
			return true;
	return false;
}

void sl_modlist_remove(struct sl_modlist *l, const struct sl_handler_module *m)
{
	size_t k = 0;

	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].m != m)
			l->v[k++] = l->v[i];
	l->n = k;
}

void sl_modlist_free(struct sl_modlist *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
