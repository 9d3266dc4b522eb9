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
	umask(022); /* the expected modes below assume it */
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

static inline bool cow_lstat(const char *dir, const char *rel, struct stat *st)
{
	char *p = cow_path(dir, rel);
	bool ok = p && lstat(p, st) == 0;

	free(p);
	return ok;
}

static inline bool cow_unlink(const char *dir, const char *rel)
{
	char *p = cow_path(dir, rel);
	bool ok = p && unlink(p) == 0;

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

/* Delete rel in the merged view, as unlink/rmdir would. */
static inline bool cow_delete(struct sl_cow_branch *b, const char *rel)
{
	return sl_cow_remove(b, rel) == 0;
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

/* ---- A branch with every kind of change ---------------------------------
 *
 * workdir before:  keep.txt  mod.txt  del.txt  deldir/{a,sub/b}
 *                  sub/exist.txt  rep/inner
 * staged:          mod.txt changed; new.txt (0600); sub/new2.txt;
 *                  newdir/a/b.txt; emptydir/; link -> keep.txt; pipe (FIFO);
 *                  h1 and h2 (one file, two names); rep a file now;
 *                  del.txt and deldir deleted
 */
static inline bool cow_scenario_lower(const char *work)
{
	return cow_put(work, "keep.txt", "keep") &&
	       cow_put(work, "mod.txt", "old") &&
	       cow_put(work, "del.txt", "delete me") &&
	       cow_put(work, "deldir/a", "a") &&
	       cow_put(work, "deldir/sub/b", "b") &&
	       cow_put(work, "sub/exist.txt", "exist") &&
	       cow_put(work, "rep/inner", "inner");
}

static inline bool cow_scenario_stage(struct sl_cow_branch *b)
{
	const char *name;
	int parent;
	bool ok;

	ok = cow_stage(b, "mod.txt", "new content") &&
	     cow_stage(b, "new.txt", "fresh") &&
	     cow_stage(b, "sub/new2.txt", "second") &&
	     sl_cow_mkdir(b, "newdir", 0750) == 0 &&
	     sl_cow_mkdir(b, "newdir/a", 0755) == 0 &&
	     cow_stage(b, "newdir/a/b.txt", "deep") &&
	     sl_cow_mkdir(b, "emptydir", 0700) == 0 &&
	     sl_cow_symlink(b, "keep.txt", "link") == 0 &&
	     sl_cow_mknod(b, "pipe", S_IFIFO | 0640) == 0 &&
	     cow_stage(b, "h1", "linked") &&
	     cow_delete(b, "del.txt") && cow_delete(b, "deldir") &&
	     cow_delete(b, "rep") && cow_stage(b, "rep", "now a file");
	if (!ok)
		return false;
	parent = sl_cow_upper_parent(b, "h1", false, &name);
	if (parent < 0)
		return false;
	ok = linkat(parent, "h1", parent, "h2", 0) == 0 &&
	     fchmodat(parent, "new.txt", 0600, 0) == 0 &&
	     fchmodat(parent, "newdir", 0750, 0) == 0 &&
	     fchmodat(parent, "emptydir", 0700, 0) == 0;
	close(parent);
	return ok;
}

/* ---- Tree snapshots: one sorted line per entry ------------------------- */
static struct sl_strv *cow_snap_out;
static size_t cow_snap_skip;

static inline int cow_snap_entry(const char *p, const struct stat *st,
				 int flag, struct FTW *ftw)
{
	char line[4096], buf[256] = "";
	const char *rel = p + cow_snap_skip;
	ssize_t n;

	(void)ftw;
	if (!*rel)
		return 0;
	if (S_ISLNK(st->st_mode)) {
		n = readlink(p, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
	} else if (S_ISREG(st->st_mode)) {
		FILE *fp = fopen(p, "re");

		if (fp) {
			n = (ssize_t)fread(buf, 1, sizeof(buf) - 1, fp);
			buf[n > 0 ? n : 0] = '\0';
			fclose(fp);
		}
	}
	(void)flag;
	snprintf(line, sizeof(line), "%s %o %s", rel + 1,
		 (unsigned)st->st_mode, buf);
	return sl_strv_push(cow_snap_out, line) < 0;
}

static inline int cow_snap_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every entry below dir: "rel mode content-or-target", sorted. */
static inline bool cow_snapshot(const char *dir, struct sl_strv *out)
{
	memset(out, 0, sizeof(*out));
	cow_snap_out = out;
	cow_snap_skip = strlen(dir);
	if (nftw(dir, cow_snap_entry, 16, FTW_PHYS) != 0)
		return false;
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(char *), cow_snap_cmp);
	return true;
}

/* The workdir after the scenario's commit. */
static const char *const cow_scenario_final[] = {
	"emptydir 40700 ",
	"h1 100644 linked",
	"h2 100644 linked",
	"keep.txt 100644 keep",
	"link 120777 keep.txt",
	"mod.txt 100644 new content",
	"new.txt 100600 fresh",
	"newdir 40750 ",
	"newdir/a 40755 ",
	"newdir/a/b.txt 100644 deep",
	"pipe 10640 ",
	"rep 100644 now a file",
	"sub 40755 ",
	"sub/exist.txt 100644 exist",
	"sub/new2.txt 100644 second",
};

static inline bool cow_scenario_committed(const char *work)
{
	struct sl_strv s;
	bool ok;

	if (!cow_snapshot(work, &s))
		return false;
	ok = s.n == sizeof(cow_scenario_final) / sizeof(cow_scenario_final[0]);
	for (size_t i = 0; ok && i < s.n; i++)
		if (strcmp(s.v[i], cow_scenario_final[i]) != 0) {
			fprintf(stderr, "  got \"%s\", want \"%s\"\n", s.v[i],
				cow_scenario_final[i]);
			ok = false;
		}
	if (!ok && s.n != sizeof(cow_scenario_final) /
				  sizeof(cow_scenario_final[0]))
		for (size_t i = 0; i < s.n; i++)
			fprintf(stderr, "  have \"%s\"\n", s.v[i]);
	sl_strv_free(&s);
	return ok;
}
