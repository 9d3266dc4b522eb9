/*
 * The set of whiteouts of a branch: an open-addressing hash set of paths.
 * A run can delete tens of thousands of files (rm -rf of a tree), and every
 * lookup of the merged view asks about each ancestor of a path, so lookups
 * are O(1) and a lookup can take a prefix without copying it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cow/internal.h"

static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static struct sl_cow_wentry *slot_of(struct sl_cow_wentry *slots, size_t cap,
				     const char *path, size_t len)
{
	size_t i = (size_t)hash(path, len) & (cap - 1);

	for (;; i = (i + 1) & (cap - 1)) {
		struct sl_cow_wentry *e = &slots[i];

		if (!e->path ||
		    (strncmp(e->path, path, len) == 0 && e->path[len] == '\0'))
			return e;
	}
}

struct sl_cow_wentry *sl_cow_wset_find(const struct sl_cow_wset *s,
				       const char *path, size_t len)
{
	struct sl_cow_wentry *e;

	if (s->n == 0)
		return NULL;
	e = slot_of(s->slots, s->cap, path, len);
	return e->path ? e : NULL;
}

static int grow(struct sl_cow_wset *s)
{
	size_t ncap = s->cap ? s->cap * 2 : 64;
	struct sl_cow_wentry *ns;

	if (ncap > SIZE_MAX / sizeof(*ns))
		return -ENOMEM;
	ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	for (size_t i = 0; i < s->cap; i++) {
		struct sl_cow_wentry *e = &s->slots[i];

		if (e->path)
			*slot_of(ns, ncap, e->path, strlen(e->path)) = *e;
	}
	free(s->slots);
	s->slots = ns;
	s->cap = ncap;
	return 0;
}

/* A path already present keeps its entry; pending is or-ed in. */
int sl_cow_wset_add(struct sl_cow_wset *s, const char *path, bool pending)
{
	size_t len = strlen(path);
	struct sl_cow_wentry *e;

	/* Keep the load factor under 3/4: probes stay short. */
	if ((s->n + 1) * 4 > s->cap * 3) {
		int r = grow(s);
		if (r < 0)
			return r;
	}
	e = slot_of(s->slots, s->cap, path, len);
	if (e->path) {
		e->pending = e->pending || pending;
		return 0;
	}
	e->path = strdup(path);
	if (!e->path)
		return -ENOMEM;
	e->pending = pending;
	s->n++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int sl_cow_wset_sorted(const struct sl_cow_wset *s, bool pending_only,
		       struct sl_strv *out)
{
	for (size_t i = 0; i < s->cap; i++) {
		const struct sl_cow_wentry *e = &s->slots[i];
		int r;

		if (!e->path || (pending_only && !e->pending))
			continue;
		r = sl_strv_push(out, e->path);
		if (r < 0)
			return r;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(char *), cmp_str);
	return 0;
}

void sl_cow_wset_free(struct sl_cow_wset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i].path);
	free(s->slots);
	memset(s, 0, sizeof(*s));
}
