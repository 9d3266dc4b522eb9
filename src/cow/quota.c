/*
 * The disk quota of a branch (docs/behaviour.md 4.5): a ledger of what the
 * upper holds (file sizes, 4096 per directory, 256 per symlink), charged
 * as entries are staged and re-measured before write-opens so that growth
 * through descriptors opened earlier counts too.
 */
#include <errno.h>

#include "cow/internal.h"

/* Uppers smaller than this are measured on every check (exact, as the
 * reference); bigger ones at most once per ten walk durations. */
#define EXACT_ENTRIES 4096
#define WALK_SHARE 10

int sl_cow_quota_reserve(struct sl_cow_branch *b, uint64_t n)
{
	int r = 0;

	if (!b->max_disk)
		return 0;
	pthread_mutex_lock(&b->lock);
	if (b->used > b->max_disk || n > b->max_disk - b->used)
		r = -ENOSPC;
	else
		b->used += n;
	pthread_mutex_unlock(&b->lock);
	return r;
}

void sl_cow_quota_release(struct sl_cow_branch *b, uint64_t n)
{
	if (!b->max_disk)
		return;
	pthread_mutex_lock(&b->lock);
	b->used = b->used > n ? b->used - n : 0;
	pthread_mutex_unlock(&b->lock);
}

uint64_t sl_cow_quota_used(struct sl_cow_branch *b)
{
	uint64_t u;

	pthread_mutex_lock(&b->lock);
	u = b->used;
	pthread_mutex_unlock(&b->lock);
	return u;
}

struct measure {
	uint64_t bytes;
	size_t entries;
};

static int add_entry(void *ctx, const char *rel, const struct stat *st)
{
	struct measure *m = ctx;

	m->entries++;
	if (S_ISDIR(st->st_mode))
		m->bytes += SL_COW_DIR_CHARGE;
	else if (S_ISLNK(st->st_mode))
		m->bytes += SL_COW_SYMLINK_CHARGE;
	else if (S_ISREG(st->st_mode))
		m->bytes += (uint64_t)st->st_size;
	return 0;
}

static int measure(const struct sl_cow_branch *b, struct measure *m)
{
	m->bytes = 0;
	m->entries = 0;
	return sl_cow_walk(b->upper_fd, "", 0, 0, 0, add_entry, m);
}

int sl_cow_measure(const struct sl_cow_branch *b, uint64_t *bytes)
{
	struct measure m;
	int r = measure(b, &m);

	*bytes = m.bytes;
	return r;
}

int sl_cow_quota_check(struct sl_cow_branch *b, bool force)
{
	struct measure m;
	uint64_t start, now;
	bool walk;
	int r = 0;

	if (!b->max_disk)
		return 0;
	start = sl_cow_now_ns();
	pthread_mutex_lock(&b->lock);
	walk = force || !b->measured || b->walk_entries < EXACT_ENTRIES ||
	       start - b->walked_at_ns >= WALK_SHARE * b->walk_ns;
	pthread_mutex_unlock(&b->lock);
	/* The walk runs unlocked: stagings go on meanwhile. */
	if (walk && (r = measure(b, &m)) < 0)
		return r == -ENOMEM ? r : -ENOSPC; /* unmeasurable: refuse */
	now = sl_cow_now_ns();
	pthread_mutex_lock(&b->lock);
	if (walk) {
		b->used = m.bytes;
		b->measured = true;
		b->walk_entries = m.entries;
		b->walk_ns = now - start;
		b->walked_at_ns = now;
	}
	if (b->used >= b->max_disk)
		r = -ENOSPC;
	pthread_mutex_unlock(&b->lock);
	return r;
}
