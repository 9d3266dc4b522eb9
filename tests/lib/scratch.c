/*
 * Scratch directories: mkdtemp, and a list of the live ones so that those
 * a failed test did not remove go at exit. Only the process that made a
 * directory removes it at exit: a forked child that calls exit() leaves
 * its parent's directories alone.
 */
#include "lib/scratch.h"

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct scratch_entry {
	char *path;
	pid_t owner;
};

static pthread_mutex_t scratch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct scratch_entry *scratch_live;
static size_t scratch_n, scratch_cap;

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0; /* keep going: remove as much as possible */
}

void rmtree(const char *path)
{
	if (path && *path)
		nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static bool scratch_track(char *path)
{
	bool ok = true;

	pthread_mutex_lock(&scratch_lock);
	if (scratch_n == scratch_cap) {
		size_t cap = scratch_cap ? scratch_cap * 2 : 16;
		struct scratch_entry *v =
			realloc(scratch_live, cap * sizeof(*v));

		if (v) {
			scratch_live = v;
			scratch_cap = cap;
		} else {
			ok = false;
		}
	}
	if (ok)
		scratch_live[scratch_n++] =
			(struct scratch_entry){ path, getpid() };
	pthread_mutex_unlock(&scratch_lock);
	return ok;
}

char *scratch_make_in(const char *parent)
{
	char *dir = NULL;

	if (asprintf(&dir, "%s/sltest-XXXXXX", parent) < 0)
		return NULL;
	if (!mkdtemp(dir)) {
		fprintf(stderr, "  scratch directory in %s: %s\n", parent,
			strerror(errno));
		free(dir);
		return NULL;
	}
	if (!scratch_track(dir)) {
		rmdir(dir);
		free(dir);
		return NULL;
	}
	return dir;
}

char *scratch_make(void)
{
	return scratch_make_in("/tmp");
}

bool scratch_dir(char *buf, size_t cap)
{
	char *dir = scratch_make();

	if (!dir)
		return false;
	if ((size_t)snprintf(buf, cap, "%s", dir) >= cap) {
		scratch_remove(dir);
		return false;
	}
	return true;
}

void scratch_remove(const char *dir)
{
	char *owned = NULL;

	if (!dir || !*dir)
		return;
	pthread_mutex_lock(&scratch_lock);
	for (size_t i = 0; i < scratch_n; i++) {
		if (strcmp(scratch_live[i].path, dir) == 0) {
			owned = scratch_live[i].path;
			scratch_live[i] = scratch_live[--scratch_n];
			break;
		}
	}
	pthread_mutex_unlock(&scratch_lock);
	rmtree(dir);
	free(owned); /* last: dir may be this very string */
}

__attribute__((destructor)) static void scratch_remove_all(void)
{
	pid_t self = getpid();

	for (size_t i = 0; i < scratch_n; i++) {
		if (scratch_live[i].owner == self)
			rmtree(scratch_live[i].path);
		free(scratch_live[i].path);
	}
	free(scratch_live);
	scratch_live = NULL;
	scratch_n = scratch_cap = 0;
}
