/*
 * Fixtures of the copy-on-write tests: a private scratch tree holding a
 * workdir and a storage base (or a storage base on another filesystem,
 * /dev/shm, for commits by copy), files written and read back, branches
 * populated directly through the staging API as the interception would.
 */
#ifndef SL_TEST_COW_UTIL_H
#define SL_TEST_COW_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cow/cow.h"
#include "cow/internal.h"

struct cow_fx {
	char root[64];  /* /tmp/sl-cow-test-XXXXXX */
	char store[128]; /* storage base: in root, or on /dev/shm */
	char work[128]; /* root/work */
	struct sl_cow_branch *b;
};

static inline int cow_rm_entry(const char *p, const struct stat *st, int flag,
			       struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(p);
	else
		unlink(p);
	return 0;
}

static inline void cow_rmtree(const char *dir)
{
	if (dir && *dir)
		nftw(dir, cow_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* cross_fs: the storage base lives on /dev/shm (tmpfs), the workdir in
 * /tmp, so a commit copies instead of renaming. */
static inline bool cow_fx_init(struct cow_fx *f, bool cross_fs)
{
	memset(f, 0, sizeof(*f));
	strcpy(f->root, "/tmp/sl-cow-test-XXXXXX");
	if (!mkdtemp(f->root))
		return false;
	snprintf(f->work, sizeof(f->work), "%s/work", f->root);
	if (mkdir(f->work, 0755) < 0)
		return false;
	if (cross_fs) {
		strcpy(f->store, "/dev/shm/sl-cow-test-XXXXXX");
		return mkdtemp(f->store) != NULL;
	}
	snprintf(f->store, sizeof(f->store), "%s/store", f->root);
	return mkdir(f->store, 0700) == 0;
}

static inline int cow_fx_branch(struct cow_fx *f, uint64_t max_disk)
{
	struct sl_cow_config c = { f->work, f->store, max_disk };
	struct sl_error e = { 0 };
	int r = sl_cow_branch_create(&c, &f->b, &e);

	if (r < 0)
		fprintf(stderr, "  branch: %s\n", e.msg ? e.msg : "?");
	sl_error_clear(&e);
	return r;
}

static inline void cow_fx_free(struct cow_fx *f)
{
	sl_cow_branch_free(f->b);
	f->b = NULL;
	if (strncmp(f->store, "/dev/shm/", 9) == 0)
		cow_rmtree(f->store);
	cow_rmtree(f->root);
}

/* dir/rel */
static inline char *cow_path(const char *dir, const char *rel)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s", dir, rel) < 0)
		return NULL;
	return p;
}

static inline bool cow_write(const char *path, const char *content)
{
	FILE *fp = fopen(path, "we");
	bool ok;

	if (!fp)
		return false;
	ok = fputs(content, fp) >= 0;
	return fclose(fp) == 0 && ok;
}

/* Write dir/rel, creating its directories. */
static inline bool cow_put(const char *dir, const char *rel,
			   const char *content)
{
	char *p = cow_path(dir, rel);
	bool ok;

	for (char *s = p ? strchr(p + strlen(dir) + 1, '/') : NULL; s;
	     s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	ok = p && cow_write(p, content);
	free(p);
	return ok;
}

/* Content of dir/rel (malloc'd), NULL when it cannot be read. */
static inline char *cow_get(const char *dir, const char *rel)
{
	char *p = cow_path(dir, rel), *buf = NULL;
	size_t len = 0;
	FILE *fp = p ? fopen(p, "re") : NULL;

	free(p);
	if (!fp)
		return NULL;
	buf = calloc(1, 65536);
	if (buf)
		len = fread(buf, 1, 65535, fp);
	fclose(fp);
	(void)len;
	return buf;
}

static inline bool cow_has(const char *dir, const char *rel,
			   const char *content)
{
	char *got = cow_get(dir, rel);
	bool ok = got && strcmp(got, content) == 0;

	free(got);
	return ok;
}

static inline bool cow_exists(const char *dir, const char *rel)
{
	char *p = cow_path(dir, rel);
	struct stat st;
	bool ok = p && lstat(p, &st) == 0;

	free(p);
	return ok;
}

/* Stage content at rel as a write through the merged view would: copy-up,
 * then open the upper file truncated and write. */
static inline bool cow_stage(struct sl_cow_branch *b, const char *rel,
			     const char *content)
{
	const char *name;
	int parent, fd, r;
	bool ok;

	r = sl_cow_copy_up(b, rel);
	if (r < 0)
		return false;
	parent = sl_cow_upper_parent(b, rel, true, &name);
	if (parent < 0)
		return false;
	fd = openat(parent, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
					  O_CLOEXEC, 0644);
	close(parent);
	if (fd < 0)
		return false;
	ok = write(fd, content, strlen(content)) == (ssize_t)strlen(content);
	return close(fd) == 0 && ok;
}

/* Delete rel in the merged view: upper entry gone, whiteout recorded. */
static inline bool cow_delete(struct sl_cow_branch *b, const char *rel)
{
	int r = sl_cow_remove_upper(b, rel);

	if (r < 0 && r != -ENOENT)
		return false;
	return sl_cow_whiteout(b, rel) == 0;
}

static inline bool cow_dir_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	bool empty = true;

	if (!d)
		return errno == ENOENT;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

#endif
