/*
 * A table of per-process records keyed by pid, kept sorted so lookups are a
 * binary search. Records are fixed-size structs whose first member is the
 * pid_t key. Pointers returned stay valid until the next insert or remove.
 */
#ifndef SL_HANDLERS_PIDTAB_H
#define SL_HANDLERS_PIDTAB_H

#include <stddef.h>
#include <sys/types.h>

struct sl_pidtab {
	unsigned char *v;
	size_t n, cap, elem;
};

#define SL_PIDTAB_INIT(type)                                      \
	{                                                         \
		.v = NULL, .n = 0, .cap = 0, .elem = sizeof(type) \
	}

void *sl_pidtab_find(const struct sl_pidtab *t, pid_t pid);
/* Insert a zeroed record with the given key (or return the existing one);
 * NULL when out of memory. */
void *sl_pidtab_insert(struct sl_pidtab *t, pid_t pid);
void sl_pidtab_remove(struct sl_pidtab *t, pid_t pid);
static inline void *sl_pidtab_at(const struct sl_pidtab *t, size_t i)
{
	return t->v + i * t->elem;
}
void sl_pidtab_free(struct sl_pidtab *t);

#endif
