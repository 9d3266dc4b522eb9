/*
 * Pid tracking: an open-addressing table (linear probing, backward-shift
 * deletion) of watched tasks. Pids are allocated sequentially, so the pid
 * itself is a good enough hash.
 */
#include "supervisor/pidtrack.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "supervisor/evsrc.h"

/* pidfd_open() of a task that is not a thread-group leader (6.9). */
#ifndef PIDFD_THREAD
#define PIDFD_THREAD 00000200 /* O_EXCL */
#endif

struct tracked {
	struct sl_evsrc src;
	pid_t pid;
	struct sl_pidtrack *owner;
};

struct sl_pidtrack {
	int epfd;
	sl_pid_exit_fn on_exit;
	void *ctx;
	struct tracked **slots;
	size_t cap; /* power of two */
	size_t n;
};

#define INITIAL_CAP 16

static size_t slot_of(const struct sl_pidtrack *t, pid_t pid)
{
	return (size_t)pid & (t->cap - 1);
}

static size_t find(const struct sl_pidtrack *t, pid_t pid)
{
	size_t i = slot_of(t, pid);

	while (t->slots[i] && t->slots[i]->pid != pid)
		i = (i + 1) & (t->cap - 1);
	return i;
}

static int grow(struct sl_pidtrack *t)
{
	size_t old_cap = t->cap;
	struct tracked **old = t->slots;

	t->slots = calloc(old_cap * 2, sizeof(*t->slots));
	if (!t->slots) {
		t->slots = old;
		return -ENOMEM;
	}
	t->cap = old_cap * 2;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i])
			t->slots[find(t, old[i]->pid)] = old[i];
	free(old);
	return 0;
}

/* Remove slot i and pull later members of its probe run back, so that
 * lookups never stop at a hole inside a run. */
static void remove_slot(struct sl_pidtrack *t, size_t i)
{
	size_t mask = t->cap - 1, j = i;

	t->slots[i] = NULL;
	t->n--;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (!t->slots[j])
			return;
		home = slot_of(t, t->slots[j]->pid);
		/* Leave slot j where it is if its home lies cyclically in
		 * (i, j]: the hole does not interrupt its probe run. */
		if ((i < j) ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		t->slots[i] = t->slots[j];
		t->slots[j] = NULL;
		i = j;
	}
}

static void on_pid_event(struct sl_evsrc *src, uint32_t events)
{
	struct tracked *tr = sl_container_of(src, struct tracked, src);
	struct sl_pidtrack *t = tr->owner;
	pid_t pid = tr->pid;

	(void)events;
	sl_evsrc_del(t->epfd, &tr->src);
	close(tr->src.fd);
	remove_slot(t, find(t, pid));
	free(tr);
	t->on_exit(t->ctx, pid);
}

int sl_pidtrack_new(int epfd, sl_pid_exit_fn on_exit, void *ctx,
		    struct sl_pidtrack **out)
{
	struct sl_pidtrack *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->slots = calloc(INITIAL_CAP, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return -ENOMEM;
	}
	t->cap = INITIAL_CAP;
	t->epfd = epfd;
	t->on_exit = on_exit;
	t->ctx = ctx;
	*out = t;
	return 0;
}

static int open_task(pid_t pid)
{
	int fd = pidfd_open(pid, 0);

	/* A thread that is not its group's leader needs PIDFD_THREAD. */
	if (fd < 0 && (errno == ENOENT || errno == EINVAL))
		fd = pidfd_open(pid, PIDFD_THREAD);
	return fd < 0 ? -errno : fd;
}

int sl_pidtrack_add(struct sl_pidtrack *t, pid_t pid)
{
	struct tracked *tr;
	size_t i = find(t, pid);
	int r;

	if (t->slots[i])
		return 0;
	if ((t->n + 1) * 2 > t->cap) {
		r = grow(t);
		if (r < 0)
			return r;
		i = find(t, pid);
	}
	tr = calloc(1, sizeof(*tr));
	if (!tr)
		return -ENOMEM;
	r = open_task(pid);
	if (r < 0) {
		free(tr);
		return r == -ESRCH ? 0 : r;
	}
	tr->src.fd = r;
	tr->src.on_event = on_pid_event;
	tr->pid = pid;
	tr->owner = t;
	r = sl_evsrc_add(t->epfd, &tr->src);
	if (r < 0) {
		close(tr->src.fd);
		free(tr);
		return r;
	}
	t->slots[i] = tr;
	t->n++;
	return 0;
}

void sl_pidtrack_free(struct sl_pidtrack *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->cap; i++) {
		struct tracked *tr = t->slots[i];

		if (!tr)
			continue;
		sl_evsrc_del(t->epfd, &tr->src);
		close(tr->src.fd);
		free(tr);
	}
	free(t->slots);
	free(t);
}
