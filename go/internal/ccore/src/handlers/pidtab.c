#include "handlers/pidtab.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static pid_t key_at(const struct sl_pidtab *t, size_t i)
{
	pid_t k;

	memcpy(&k, sl_pidtab_at(t, i), sizeof(k));
	return k;
}

/* Index of the first record whose key is >= pid. */
static size_t lower_bound(const struct sl_pidtab *t, pid_t pid)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (key_at(t, mid) < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void *sl_pidtab_find(const struct sl_pidtab *t, pid_t pid)
{
	size_t i = lower_bound(t, pid);

	return i < t->n && key_at(t, i) == pid ? sl_pidtab_at(t, i) : NULL;
}

void *sl_pidtab_insert(struct sl_pidtab *t, pid_t pid)
{
	size_t i = lower_bound(t, pid);
	unsigned char *rec;

	if (i < t->n && key_at(t, i) == pid)
		return sl_pidtab_at(t, i);
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;
		unsigned char *nv;

		if (ncap > SIZE_MAX / t->elem)
			return NULL;
		nv = realloc(t->v, ncap * t->elem);
		if (!nv)
			return NULL;
		t->v = nv;
		t->cap = ncap;
	}
	rec = sl_pidtab_at(t, i);
	memmove(rec + t->elem, rec, (t->n - i) * t->elem);
	memset(rec, 0, t->elem);
	memcpy(rec, &pid, sizeof(pid));
	t->n++;
	return rec;
}

void sl_pidtab_remove(struct sl_pidtab *t, pid_t pid)
{
	size_t i = lower_bound(t, pid);
	unsigned char *rec;

	if (i >= t->n || key_at(t, i) != pid)
		return;
	rec = sl_pidtab_at(t, i);
	memmove(rec, rec + t->elem, (t->n - i - 1) * t->elem);
	t->n--;
}

void sl_pidtab_free(struct sl_pidtab *t)
{
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}
