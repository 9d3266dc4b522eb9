#include "lib/cow.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/files.h"
#include "lib/scratch.h"

bool cow_fx_init(struct cow_fx *f, bool cross_fs)
{
	char *store;

	memset(f, 0, sizeof(*f));
	umask(022); /* the expected modes of the tests assume it */
	if (!scratch_dir(f->root, sizeof(f->root)))
		return false;
	snprintf(f->work, sizeof(f->work), "%s/work", f->root);
	if (mkdir(f->work, 0755) < 0)
		return false;
	if (!cross_fs) {
		snprintf(f->store, sizeof(f->store), "%s/store", f->root);
		return mkdir(f->store, 0700) == 0;
	}
	store = scratch_make_in("/dev/shm");
	if (!store)
		return false;
	if ((size_t)snprintf(f->store, sizeof(f->store), "%s", store) >=
	    sizeof(f->store)) {
		scratch_remove(store);
		return false;
	}
	return true;
}

int cow_fx_branch(struct cow_fx *f, uint64_t max_disk)
{
	struct sl_cow_config c = { f->work, f->store, max_disk };
	struct sl_error e = { 0 };
	int r = sl_cow_branch_create(&c, &f->b, &e);

	if (r < 0)
		fprintf(stderr, "  branch: %s\n", e.msg ? e.msg : "?");
	sl_error_clear(&e);
	return r;
}

void cow_fx_free(struct cow_fx *f)
{
	sl_cow_branch_free(f->b);
	f->b = NULL;
	if (strncmp(f->store, "/dev/shm/", 9) == 0)
		scratch_remove(f->store);
	scratch_remove(f->root);
}

bool cow_lstat(const char *dir, const char *rel, struct stat *st)
{
	char *p = path_join(dir, rel);
	bool ok = p && lstat(p, st) == 0;

	free(p);
	return ok;
}

bool cow_unlink(const char *dir, const char *rel)
{
	char *p = path_join(dir, rel);
	bool ok = p && unlink(p) == 0;

	free(p);
	return ok;
}

bool cow_stage(struct sl_cow_branch *b, const char *rel, const char *content)
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
	fd = openat(parent, name,
		    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		    0644);
	close(parent);
	if (fd < 0)
		return false;
	ok = write(fd, content, strlen(content)) == (ssize_t)strlen(content);
	return close(fd) == 0 && ok;
}

bool cow_delete(struct sl_cow_branch *b, const char *rel)
{
	return sl_cow_remove(b, rel) == 0;
}

bool cow_scenario_lower(const char *work)
{
	return write_file_in(work, "keep.txt", "keep") &&
	       write_file_in(work, "mod.txt", "old") &&
	       write_file_in(work, "del.txt", "delete me") &&
	       write_file_in(work, "deldir/a", "a") &&
	       write_file_in(work, "deldir/sub/b", "b") &&
	       write_file_in(work, "sub/exist.txt", "exist") &&
	       write_file_in(work, "rep/inner", "inner");
}

bool cow_scenario_stage(struct sl_cow_branch *b)
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
	     cow_stage(b, "h1", "linked") && cow_delete(b, "del.txt") &&
	     cow_delete(b, "deldir") && cow_delete(b, "rep") &&
	     cow_stage(b, "rep", "now a file");
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

/* ---- Tree listings: one sorted line per entry ------------------------- */
static struct sl_strv *cow_snap_out;
static size_t cow_snap_skip;

static int cow_snap_entry(const char *p, const struct stat *st, int flag,
			  struct FTW *ftw)
{
	char line[4096], buf[256] = "";
	const char *rel = p + cow_snap_skip;
	ssize_t n;

	(void)ftw;
	(void)flag;
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
	snprintf(line, sizeof(line), "%s %o %s", rel + 1, (unsigned)st->st_mode,
		 buf);
	return sl_strv_push(cow_snap_out, line) < 0;
}

static int cow_snap_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

bool cow_snapshot(const char *dir, struct sl_strv *out)
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

const char *const cow_scenario_final[COW_SCENARIO_FINAL_N] = {
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

bool cow_scenario_committed(const char *work)
{
	struct sl_strv s;
	bool ok;

	if (!cow_snapshot(work, &s))
		return false;
	ok = s.n == COW_SCENARIO_FINAL_N;
	for (size_t i = 0; ok && i < s.n; i++)
		if (strcmp(s.v[i], cow_scenario_final[i]) != 0) {
			fprintf(stderr, "  got \"%s\", want \"%s\"\n", s.v[i],
				cow_scenario_final[i]);
			ok = false;
		}
	if (!ok && s.n != COW_SCENARIO_FINAL_N)
		for (size_t i = 0; i < s.n; i++)
			fprintf(stderr, "  have \"%s\"\n", s.v[i]);
	sl_strv_free(&s);
	return ok;
}

/* ---- The interception's fixture ----------------------------------------- */

bool cow_fixture(const char *dir)
{
	static const char *const plain[] = {
		"f_w",	   "f_rw",     "f_trunc",     "f_app",
		"f_cx",	   "f_oa2",    "f_creat",     "f_ren",
		"f_renat", "f_rnr",    "f_rwo",	      "f_link",
		"f_keep",  "f_unlink", "f_unlinkat",  "f_trunc2",
		"f_ftr",   "f_chmod",  "f_fchmodat",  "f_fchmod",
		"f_chown", "f_utimes", "f_utimensat", "f_xattr",
		"f_rmx",   "f_ioctl",
	};

	for (size_t i = 0; i < NELEM(plain); i++)
		if (!write_file_in(dir, plain[i], "F\n"))
			return false;
	return setxattr(join(dir, "f_rmx"), "user.old", "1", 1, 0) == 0 &&
	       mkdir(join(dir, "d_mv"), 0755) == 0 &&
	       write_file_in(dir, "d_mv/inner", "I\n") &&
	       mkdir(join(dir, "d_empty"), 0755) == 0 &&
	       mkdir(join(dir, "d_empty2"), 0755) == 0 &&
	       write_file_in(dir, "f_xa", "A\n") &&
	       write_file_in(dir, "f_xb", "B\n") &&
	       write_file_in(dir, "f_early", "OLD\n");
}

struct tree_text {
	char *text;
	size_t len, cap;
};

static void tree_add(struct tree_text *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void tree_add(struct tree_text *s, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
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

static void tree_entry(struct tree_text *s, const char *path, const char *rel);

static void tree_dir(struct tree_text *s, const char *path, const char *rel)
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
			tree_entry(s, p, r);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

static void tree_entry(struct tree_text *s, const char *path, const char *rel)
{
	char buf[256] = "", xl[512] = "";
	struct stat st;
	ssize_t n;

	if (lstat(path, &st) < 0) {
		tree_add(s, "%s missing\n", rel);
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
	tree_add(s,
		 "%s mode=%o uid=%u gid=%u size=%lld mtime=%lld.%ld "
		 "ino=%lu xattrs=%s [%s]\n",
		 rel, st.st_mode, st.st_uid, st.st_gid, (long long)st.st_size,
		 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
		 (unsigned long)st.st_ino, xl, buf);
	if (S_ISDIR(st.st_mode))
		tree_dir(s, path, rel);
}

char *tree_state(const char *path)
{
	struct tree_text s = { 0 };

	tree_entry(&s, path, ".");
	return s.text ? s.text : strdup("");
}
