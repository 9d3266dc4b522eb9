/*
 * The copy-on-write interception's fixture (tests/helpers/cow_probe.c
 * writes it in every way there is) and a snapshot of a tree to show that
 * nothing of it changed: every entry's name, type, mode, owner, size,
 * times, content, link target and user xattrs. Header-only because every
 * test file is its own program.
 */
#ifndef SL_TEST_COW_FIXTURE_H
#define SL_TEST_COW_FIXTURE_H

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

static inline bool cow_fx_put(const char *dir, const char *name,
			      const char *content)
{
	char p[1024];
	FILE *f;
	bool ok;

	if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, name) >= sizeof(p))
		return false;
	f = fopen(p, "w");
	if (!f)
		return false;
	ok = fputs(content, f) >= 0;
	return fclose(f) == 0 && ok;
}

/* The files cow_probe's "writes" and "early_fd" work on. */
static inline bool cow_fixture(const char *dir)
{
	static const char *const plain[] = {
		"f_w", "f_rw", "f_trunc", "f_app", "f_cx", "f_oa2", "f_creat",
		"f_ren", "f_renat", "f_rnr", "f_rwo", "f_link", "f_keep",
		"f_unlink", "f_unlinkat", "f_trunc2", "f_ftr", "f_chmod",
		"f_fchmodat", "f_fchmod", "f_chown", "f_utimes",
		"f_utimensat", "f_xattr", "f_rmx", "f_ioctl",
	};
	char p[512];

	if (strlen(dir) > 256)
		return false;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (!cow_fx_put(dir, plain[i], "F\n"))
			return false;
	snprintf(p, sizeof(p), "%s/f_rmx", dir);
	if (setxattr(p, "user.old", "1", 1, 0) < 0)
		return false;
	snprintf(p, sizeof(p), "%s/d_mv", dir);
	if (mkdir(p, 0755) < 0 || !cow_fx_put(p, "inner", "I\n"))
		return false;
	snprintf(p, sizeof(p), "%s/d_empty", dir);
	if (mkdir(p, 0755) < 0)
		return false;
	snprintf(p, sizeof(p), "%s/d_empty2", dir);
	if (mkdir(p, 0755) < 0)
		return false;
	return cow_fx_put(dir, "f_xa", "A\n") && cow_fx_put(dir, "f_xb", "B\n") &&
	       cow_fx_put(dir, "f_early", "OLD\n");
}

struct cow_snap {
	char *text;
	size_t len, cap;
};

static inline void snap_add(struct cow_snap *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void snap_add(struct cow_snap *s, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (s->len + (size_t)n + 1 > s->cap) {
		size_t cap = (s->cap + (size_t)n + 1) * 2;
		char *t = realloc(s->text, cap);

		if (!t)
			return;
		s->text = t;
		s->cap = cap;
	}
	memcpy(s->text + s->len, line, (size_t)n + 1);
	s->len += (size_t)n;
}

static inline void snap_entry(struct cow_snap *s, const char *path,
			      const char *rel);

static inline void snap_dir(struct cow_snap *s, const char *path,
			    const char *rel)
{
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		char p[2048], r[2048];

		if (strcmp(names[i]->d_name, ".") &&
		    strcmp(names[i]->d_name, "..") &&
		    (size_t)snprintf(p, sizeof(p), "%s/%s", path,
				     names[i]->d_name) < sizeof(p) &&
		    (size_t)snprintf(r, sizeof(r), "%s/%s", rel,
				     names[i]->d_name) < sizeof(r))
			snap_entry(s, p, r);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

static inline void snap_entry(struct cow_snap *s, const char *path,
			      const char *rel)
{
	char buf[256] = "", xl[512] = "";
	struct stat st;
	ssize_t n;

	if (lstat(path, &st) < 0) {
		snap_add(s, "%s missing\n", rel);
		return;
	}
	if (S_ISLNK(st.st_mode)) {
		n = readlink(path, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
	} else if (S_ISREG(st.st_mode)) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		if (fd >= 0)
			close(fd);
	}
	n = llistxattr(path, xl, sizeof(xl) - 1);
	for (ssize_t i = 0; i < n; i++)
		if (!xl[i])
			xl[i] = ',';
	xl[n > 0 ? n : 0] = '\0';
	snap_add(s, "%s mode=%o uid=%u gid=%u size=%lld mtime=%lld.%ld "
		    "ino=%lu xattrs=%s [%s]\n",
		 rel, st.st_mode, st.st_uid, st.st_gid, (long long)st.st_size,
		 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
		 (unsigned long)st.st_ino, xl, buf);
	if (S_ISDIR(st.st_mode))
		snap_dir(s, path, rel);
}

/* Everything of the tree at path (free the result). */
static inline char *cow_snapshot(const char *path)
{
	struct cow_snap s = { 0 };

	snap_entry(&s, path, ".");
	return s.text ? s.text : strdup("");
}

#endif
