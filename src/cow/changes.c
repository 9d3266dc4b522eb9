/* The change list of a branch (docs/behaviour.md 9.4). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cow/internal.h"

static int add_change(struct sl_cow_changes *c, char kind, const char *path)
{
	void *v = c->v;
	int r = sl_vec_reserve(&v, &c->cap, c->n + 1, sizeof(*c->v));

	c->v = v;
	if (r < 0)
		return r;
	c->v[c->n].path = strdup(path);
	if (!c->v[c->n].path)
		return -ENOMEM;
	c->v[c->n].kind = kind;
	c->n++;
	return 0;
}

/* Outstanding whiteout not re-created in the upper: a deletion to show. */
static bool shows_deleted(struct sl_cow_branch *b, const char *path)
{
	struct sl_cow_wentry *w;
	bool pending;

	pthread_mutex_lock(&b->lock);
	w = sl_cow_wset_find(&b->whiteouts, path, strlen(path));
	pending = w && w->pending;
	pthread_mutex_unlock(&b->lock);
	return pending && sl_cow_upper_stat(b, path, NULL) == -ENOENT;
}

/* A deletion below a deleted directory is part of it. */
static bool inside_shown_deletion(struct sl_cow_branch *b, const char *path)
{
	size_t len = strlen(path);
	char *prefix = strdup(path);
	bool inside = false;

	if (!prefix)
		return false;
	for (size_t i = 1; i < len && !inside; i++) {
		if (path[i] != '/')
			continue;
		prefix[i] = '\0';
		inside = shows_deleted(b, prefix);
		prefix[i] = '/';
	}
	free(prefix);
	return inside;
}

int sl_cow_changes(struct sl_cow_branch *b, struct sl_cow_changes *out)
{
	struct sl_cow_entries es;
	struct sl_strv dels = { 0 };
	int r;

	memset(out, 0, sizeof(*out));
	r = sl_cow_collect(b->upper_fd, "", 0, 0, 0, &es);
	for (size_t i = 0; r == 0 && i < es.n; i++) {
		const char *rel = es.v[i].rel;
		bool added;

		if (S_ISDIR(es.v[i].st.st_mode))
			continue;
		added = sl_cow_covered(b, rel) ||
			sl_cow_lower_stat(b, rel, NULL) < 0;
		r = add_change(out, added ? 'A' : 'M', rel);
	}
	if (r == 0) {
		sl_cow_entries_free(&es);
		pthread_mutex_lock(&b->lock);
		r = sl_cow_wset_sorted(&b->whiteouts, true, &dels);
		pthread_mutex_unlock(&b->lock);
	}
	for (size_t i = 0; r == 0 && i < dels.n; i++)
		if (shows_deleted(b, dels.v[i]) &&
		    !inside_shown_deletion(b, dels.v[i]))
			r = add_change(out, 'D', dels.v[i]);
	sl_strv_free(&dels);
	if (r < 0) {
		sl_cow_entries_free(&es);
		sl_cow_changes_free(out);
	}
	return r;
}

void sl_cow_changes_free(struct sl_cow_changes *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].path);
	free(c->v);
	memset(c, 0, sizeof(*c));
}
