/*
 * Copy-on-write storage on real files: the branch layout, the storage base
 * rules and bad input (a clear error naming the value, nothing created),
 * scope, whiteouts and the merged view, copy-up of each file type, the
 * merged listing, and the quota.
 */
#include <stdint.h>
#include <sys/file.h>
#include <sys/time.h>

#include "harness.h"
#include "lib/cow.h"
#include "lib/files.h"

static int branch_in(const char *work, const char *store,
		     struct sl_cow_branch **b, struct sl_error *e)
{
	struct sl_cow_config c = { work, store, 0 };

	return sl_cow_branch_create(&c, b, e);
}

TEST(branch_layout_is_uuid_upper_and_log)
{
	struct cow_fx f;
	const char *dir, *uuid;
	struct stat st;
	char *p;

	CHECK(cow_fx_init(&f, false));
	CHECK_EQ_INT(cow_fx_branch(&f, 0), 0);
	dir = sl_cow_dir(f.b);
	CHECK(strncmp(dir, f.store, strlen(f.store)) == 0);
	uuid = dir + strlen(f.store) + 1;
	CHECK_EQ_INT(strlen(uuid), 36);
	CHECK(uuid[8] == '-' && uuid[13] == '-' && uuid[18] == '-' &&
	      uuid[23] == '-');
	CHECK(uuid[14] == '4');			 /* version 4 */
	CHECK(strchr("89ab", uuid[19]) != NULL); /* RFC 4122 variant */
	CHECK(stat(dir, &st) == 0 && (st.st_mode & 07777) == 0700);
	p = path_join(dir, "upper");
	CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK_STR(sl_cow_upper(f.b), p);
	free(p);
	p = path_join(dir, "deleted.log");
	CHECK(stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0);
	free(p);
	CHECK(!exists_in(dir, "PRESERVED"));
	CHECK_STR(sl_cow_workdir(f.b), f.work);
	cow_fx_free(&f);
}

/* Run fn with XDG_RUNTIME_DIR and TMPDIR set (NULL = unset), restored. */
static void with_env(const char *xdg, const char *tmpdir)
{
	if (xdg)
		setenv("XDG_RUNTIME_DIR", xdg, 1);
	else
		unsetenv("XDG_RUNTIME_DIR");
	if (tmpdir)
		setenv("TMPDIR", tmpdir, 1);
	else
		unsetenv("TMPDIR");
}

static char *saved_xdg, *saved_tmp;

static void save_env(void)
{
	const char *x = getenv("XDG_RUNTIME_DIR"), *t = getenv("TMPDIR");

	saved_xdg = x ? strdup(x) : NULL;
	saved_tmp = t ? strdup(t) : NULL;
}

static void restore_env(void)
{
	with_env(saved_xdg, saved_tmp);
	free(saved_xdg);
	free(saved_tmp);
	saved_xdg = saved_tmp = NULL;
}

TEST(default_base_is_xdg_then_tmp)
{
	struct cow_fx f;
	struct sl_cow_branch *b = NULL;
	char xdg[128], tmp[128], want[192];
	struct stat st;

	CHECK(cow_fx_init(&f, false));
	snprintf(xdg, sizeof(xdg), "%s/xdg", f.root);
	snprintf(tmp, sizeof(tmp), "%s/tmp", f.root);
	CHECK(mkdir(xdg, 0700) == 0 && mkdir(tmp, 0755) == 0);
	save_env();

	/* XDG set: <xdg>/sandlock-cow, created 0700. */
	with_env(xdg, tmp);
	CHECK_EQ_INT(branch_in(f.work, NULL, &b, NULL), 0);
	snprintf(want, sizeof(want), "%s/sandlock-cow", xdg);
	CHECK_STR(sl_cow_base(b), want);
	CHECK(stat(want, &st) == 0 && (st.st_mode & 07777) == 0700);
	sl_cow_abort(b, NULL);
	sl_cow_branch_free(b);

	/* An unacceptable XDG base (group bits) falls back to TMPDIR. */
	CHECK(chmod(want, 0750) == 0);
	CHECK_EQ_INT(branch_in(f.work, NULL, &b, NULL), 0);
	snprintf(want, sizeof(want), "%s/sandlock-cow-%u", tmp,
		 (unsigned)getuid());
	CHECK_STR(sl_cow_base(b), want);
	sl_cow_abort(b, NULL);
	sl_cow_branch_free(b);

	/* No XDG: the tmp base directly. */
	with_env(NULL, tmp);
	CHECK_EQ_INT(branch_in(f.work, NULL, &b, NULL), 0);
	CHECK_STR(sl_cow_base(b), want);
	sl_cow_abort(b, NULL);
	sl_cow_branch_free(b);
	restore_env();
	cow_fx_free(&f);
}

TEST(default_tmp_base_must_be_private_and_real)
{
	struct cow_fx f;
	struct sl_cow_branch *b = NULL;
	struct sl_error e = { 0 };
	char tmp[128], base[192], elsewhere[192];

	CHECK(cow_fx_init(&f, false));
	snprintf(tmp, sizeof(tmp), "%s/tmp", f.root);
	snprintf(base, sizeof(base), "%s/sandlock-cow-%u", tmp,
		 (unsigned)getuid());
	snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere", f.root);
	CHECK(mkdir(tmp, 01777) == 0 && mkdir(elsewhere, 0700) == 0);
	save_env();
	with_env(NULL, tmp);

	/* Planted by someone else as a symlink: refused, nothing created
	 * through it. */
	CHECK(symlink(elsewhere, base) == 0);
	CHECK(branch_in(f.work, NULL, &b, &e) < 0 && !b);
	CHECK_CONTAINS(e.msg, base);
	CHECK_CONTAINS(e.msg, "is a symlink");
	CHECK(dir_is_empty(elsewhere));
	sl_error_clear(&e);

	/* A real directory with group bits: refused, not "fixed". */
	CHECK(unlink(base) == 0 && mkdir(base, 0770) == 0 &&
	      chmod(base, 0770) == 0);
	CHECK(branch_in(f.work, NULL, &b, &e) < 0);
	CHECK_CONTAINS(e.msg, "must be 0700");
	CHECK(dir_is_empty(base));
	sl_error_clear(&e);
	restore_env();
	cow_fx_free(&f);
}

/* Each bad input: an error that names the value, and nothing created. */
TEST(bad_input_is_refused_by_name_and_creates_nothing)
{
	struct cow_fx f;
	struct sl_cow_branch *b = NULL;
	struct sl_error e = { 0 };
	char missing[192], file[192], inside[192], link[192], gw[192];
	char newbase[192];

	CHECK(cow_fx_init(&f, false));
	snprintf(missing, sizeof(missing), "%s/missing", f.root);
	snprintf(file, sizeof(file), "%s/file", f.root);
	snprintf(inside, sizeof(inside), "%s/inner", f.store);
	snprintf(link, sizeof(link), "%s/link", f.root);
	snprintf(gw, sizeof(gw), "%s/gw", f.root);
	snprintf(newbase, sizeof(newbase), "%s/newbase", f.root);
	CHECK(write_file(file, "x") && mkdir(inside, 0755) == 0);
	CHECK(symlink(f.store, link) == 0 && mkdir(gw, 0770) == 0 &&
	      chmod(gw, 0770) == 0);

	CHECK(branch_in(missing, newbase, &b, &e) < 0);
	CHECK_CONTAINS(e.msg, "workdir '");
	CHECK_CONTAINS(e.msg, "missing' does not exist");
	CHECK(!exists_in(f.root, "newbase"));
	sl_error_clear(&e);

	CHECK(branch_in(file, newbase, &b, &e) < 0);
	CHECK_CONTAINS(e.msg, "file' is not a directory");
	CHECK(!exists_in(f.root, "newbase"));
	sl_error_clear(&e);

	CHECK(branch_in(inside, f.store, &b, &e) < 0);
	CHECK_CONTAINS(e.msg, "inner' is inside the copy-on-write storage");
	CHECK_CONTAINS(e.msg, f.store);
	sl_error_clear(&e);
	CHECK(branch_in(f.store, f.store, &b, &e) < 0);
	CHECK_CONTAINS(e.msg, "is inside the copy-on-write storage");
	sl_error_clear(&e);
	CHECK(rmdir(inside) == 0 && dir_is_empty(f.store));

	CHECK(branch_in(f.work, link, &b, &e) < 0);
	CHECK_CONTAINS(e.msg, "storage base '");
	CHECK_CONTAINS(e.msg, "link' is a symlink");
	CHECK(dir_is_empty(f.store));
	sl_error_clear(&e);

	CHECK(branch_in(f.work, gw, &b, &e) < 0);
	CHECK_CONTAINS(e.msg, "gw' is group- or world-writable (mode 0770)");
	CHECK(dir_is_empty(gw));
	sl_error_clear(&e);

	CHECK(branch_in(f.work, file, &b, &e) < 0);
	CHECK_CONTAINS(e.msg, "file' is not a directory");
	sl_error_clear(&e);

	CHECK(branch_in(f.work, "", &b, &e) < 0);
	CHECK_CONTAINS(e.msg, "fs_storage must not be empty");
	sl_error_clear(&e);
	CHECK(!b);

	/* A missing explicit base is created, private. */
	CHECK_EQ_INT(branch_in(f.work, newbase, &b, &e), 0);
	CHECK(b && exists_in(f.root, "newbase"));
	sl_cow_abort(b, NULL);
	sl_cow_branch_free(b);
	cow_fx_free(&f);
}

TEST(scope_maps_workdir_and_upper_and_hides_storage)
{
	struct cow_fx f;
	struct sl_cow_branch *b = NULL;
	char abs[512], store[192];
	const char *rel = NULL;

	CHECK(cow_fx_init(&f, false));
	CHECK_EQ_INT(cow_fx_branch(&f, 0), 0);
	CHECK_EQ_INT(sl_cow_scope(f.b, f.work, &rel), 1);
	CHECK_STR(rel, "");
	snprintf(abs, sizeof(abs), "%s/a/b.txt", f.work);
	CHECK_EQ_INT(sl_cow_scope(f.b, abs, &rel), 1);
	CHECK_STR(rel, "a/b.txt");
	snprintf(abs, sizeof(abs), "%s/a/b.txt", sl_cow_upper(f.b));
	CHECK_EQ_INT(sl_cow_scope(f.b, abs, &rel), 1);
	CHECK_STR(rel, "a/b.txt");
	snprintf(abs, sizeof(abs), "%s-other/x", f.work);
	CHECK_EQ_INT(sl_cow_scope(f.b, abs, &rel), 0);
	snprintf(abs, sizeof(abs), "%s/../work/x", f.work);
	CHECK_EQ_INT(sl_cow_scope(f.b, abs, &rel), 0);
	snprintf(abs, sizeof(abs), "%s//x", f.work);
	CHECK_EQ_INT(sl_cow_scope(f.b, abs, &rel), 0);
	CHECK_EQ_INT(sl_cow_scope(f.b, "relative", &rel), 0);
	sl_cow_abort(f.b, NULL);

	/* Storage inside the workdir: never in scope, never deletable. */
	snprintf(store, sizeof(store), "%s/work/.cow", f.root);
	CHECK(mkdir(store, 0700) == 0);
	CHECK_EQ_INT(branch_in(f.work, store, &b, NULL), 0);
	snprintf(abs, sizeof(abs), "%s/x", store);
	CHECK_EQ_INT(sl_cow_scope(b, abs, &rel), 0);
	CHECK_EQ_INT(sl_cow_whiteout(b, ".cow"), -EBUSY);
	CHECK_EQ_INT(sl_cow_whiteout(b, ""), -EBUSY);
	CHECK(write_file_in(f.work, "seen", "1"));
	{
		struct sl_cow_dirents d;

		CHECK_EQ_INT(sl_cow_list(b, "", &d), 0);
		CHECK_EQ_INT(d.n, 1);
		CHECK_STR(d.v[0].name, "seen");
		sl_cow_dirents_free(&d);
	}
	sl_cow_abort(b, NULL);
	sl_cow_branch_free(b);
	cow_fx_free(&f);
}

TEST(whiteouts_hide_subtrees_until_recreated)
{
	struct cow_fx f;
	struct sl_cow_dirents d;
	char *log;

	CHECK(cow_fx_init(&f, false));
	CHECK(write_file_in(f.work, "keep.txt", "k") &&
	      write_file_in(f.work, "d/x", "x") &&
	      write_file_in(f.work, "d/y", "y"));
	CHECK_EQ_INT(cow_fx_branch(&f, 0), 0);
	CHECK_EQ_INT(sl_cow_resolve(f.b, "d/x", NULL), SL_COW_LOWER);
	CHECK_EQ_INT(sl_cow_resolve(f.b, "nothing", NULL), SL_COW_ABSENT);
	CHECK(!sl_cow_is_deleted(f.b, "d/x"));

	CHECK_EQ_INT(sl_cow_whiteout(f.b, "d"), 0);
	CHECK(sl_cow_is_deleted(f.b, "d"));
	CHECK(sl_cow_is_deleted(f.b, "d/x"));
	CHECK(!sl_cow_is_deleted(f.b, "keep.txt"));
	CHECK_EQ_INT(sl_cow_resolve(f.b, "d/x", NULL), SL_COW_DELETED);
	CHECK_EQ_INT(sl_cow_list(f.b, "d", &d), -ENOENT);

	/* Re-created in the upper: the directory is back, opaque. */
	CHECK_EQ_INT(sl_cow_mkdir(f.b, "d", 0755), 0);
	CHECK_EQ_INT(sl_cow_resolve(f.b, "d", NULL), SL_COW_UPPER);
	CHECK(sl_cow_is_deleted(f.b, "d/x"));
	CHECK_EQ_INT(sl_cow_list(f.b, "d", &d), 0);
	CHECK_EQ_INT(d.n, 0);
	sl_cow_dirents_free(&d);
	CHECK(cow_stage(f.b, "d/x", "new x"));
	CHECK(!sl_cow_is_deleted(f.b, "d/x"));
	CHECK_EQ_INT(sl_cow_resolve(f.b, "d/x", NULL), SL_COW_UPPER);

	/* The log: one escaped path per line. */
	CHECK_EQ_INT(sl_cow_whiteout(f.b, "we\nird\\na\rme"), 0);
	CHECK_EQ_INT(sl_cow_whiteout(f.b, "d"), 0); /* logged once */
	log = read_file_in(sl_cow_dir(f.b), "deleted.log");
	CHECK_STR(log, "d\nwe\\nird\\\\na\\rme\n");
	free(log);
	CHECK_EQ_INT(sl_cow_whiteout(f.b, "../x"), -EINVAL);
	CHECK_EQ_INT(sl_cow_whiteout(f.b, "a//b"), -EINVAL);
	sl_cow_abort(f.b, NULL);
	cow_fx_free(&f);
}

TEST(copy_up_regular_file_keeps_content_mode_times)
{
	struct cow_fx f;
	struct stat lst, ust;
	struct timeval tv[2] = { { 1000000, 0 }, { 2000000, 0 } };
	char *p;

	CHECK(cow_fx_init(&f, false));
	CHECK(write_file_in(f.work, "sub/dir/file.txt", "lower content"));
	p = path_join(f.work, "sub/dir/file.txt");
	CHECK(chmod(p, 0640) == 0 && utimes(p, tv) == 0);
	CHECK(lstat(p, &lst) == 0);
	free(p);
	CHECK_EQ_INT(cow_fx_branch(&f, 0), 0);
	CHECK_EQ_INT(sl_cow_copy_up(f.b, "sub/dir/file.txt"), SL_COW_UP_COPIED);
	CHECK_EQ_INT(sl_cow_copy_up(f.b, "sub/dir/file.txt"),
		     SL_COW_UP_PRESENT);
	CHECK(file_is(sl_cow_upper(f.b), "sub/dir/file.txt", "lower content"));
	CHECK_EQ_INT(sl_cow_upper_stat(f.b, "sub/dir/file.txt", &ust), 0);
	CHECK_EQ_INT(ust.st_mode & 07777, 0640);
	CHECK_EQ_INT(ust.st_mtim.tv_sec, lst.st_mtim.tv_sec);
	CHECK(ust.st_ino != lst.st_ino);
	/* Parents exist in the upper, as directories. */
	CHECK_EQ_INT(sl_cow_upper_stat(f.b, "sub/dir", &ust), 0);
	CHECK(S_ISDIR(ust.st_mode));
	/* Writing the copy leaves the workdir alone. */
	CHECK(cow_stage(f.b, "sub/dir/file.txt", "changed"));
	CHECK(file_is(f.work, "sub/dir/file.txt", "lower content"));
	CHECK_EQ_INT(sl_cow_resolve(f.b, "sub/dir/file.txt", NULL),
		     SL_COW_UPPER);
	/* Nothing left behind in the upper directory but the file. */
	p = path_join(sl_cow_upper(f.b), "sub/dir");
	{
		struct sl_cow_dirents d;

		CHECK_EQ_INT(sl_cow_list(f.b, "sub/dir", &d), 0);
		CHECK_EQ_INT(d.n, 1);
		CHECK(d.n == 1 && d.v[0].upper);
		sl_cow_dirents_free(&d);
	}
	free(p);
	sl_cow_abort(f.b, NULL);
	cow_fx_free(&f);
}

TEST(copy_up_other_types)
{
	struct cow_fx f;
	struct stat st;
	char target[64], *p;
	ssize_t n;

	CHECK(cow_fx_init(&f, false));
	CHECK(write_file_in(f.work, "d/inner", "i"));
	p = path_join(f.work, "d");
	CHECK(chmod(p, 0750) == 0);
	free(p);
	p = path_join(f.work, "link");
	CHECK(symlink("../nowhere/at/all", p) == 0);
	free(p);
	/* A FIFO without a writer: opening it for reading would block. */
	p = path_join(f.work, "fifo");
	CHECK(mkfifo(p, 0644) == 0);
	free(p);
	CHECK_EQ_INT(cow_fx_branch(&f, 0), 0);

	CHECK_EQ_INT(sl_cow_copy_up(f.b, "link"), SL_COW_UP_COPIED);
	CHECK_EQ_INT(sl_cow_upper_stat(f.b, "link", &st), 0);
	CHECK(S_ISLNK(st.st_mode));
	p = path_join(sl_cow_upper(f.b), "link");
	n = readlink(p, target, sizeof(target) - 1);
	free(p);
	CHECK(n > 0);
	target[n > 0 ? n : 0] = '\0';
	CHECK_STR(target, "../nowhere/at/all");

	CHECK_EQ_INT(sl_cow_copy_up(f.b, "d"), SL_COW_UP_COPIED);
	CHECK_EQ_INT(sl_cow_upper_stat(f.b, "d", &st), 0);
	CHECK(S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0750);
	CHECK(!exists_in(sl_cow_upper(f.b), "d/inner"));

	CHECK_EQ_INT(sl_cow_copy_up(f.b, "fifo"), SL_COW_UP_STUB);
	CHECK_EQ_INT(sl_cow_upper_stat(f.b, "fifo", &st), 0);
	CHECK(S_ISREG(st.st_mode) && st.st_size == 0 &&
	      (st.st_mode & 07777) == 0600);
	CHECK(sl_cow_covered(f.b, "fifo"));
	CHECK(!sl_cow_is_deleted(f.b, "fifo"));

	/* Absent, or covered by a whiteout: start empty, parents ready. */
	CHECK_EQ_INT(sl_cow_copy_up(f.b, "d/new"), SL_COW_UP_EMPTY);
	CHECK_EQ_INT(sl_cow_upper_stat(f.b, "d/new", &st), -ENOENT);
	CHECK_EQ_INT(sl_cow_mkdir(f.b, "new", 0755), 0);
	CHECK_EQ_INT(sl_cow_copy_up(f.b, "new/file"), SL_COW_UP_EMPTY);
	/* A parent the merged view lacks is never invented. */
	CHECK_EQ_INT(sl_cow_copy_up(f.b, "nope/deep/file"), -ENOENT);
	CHECK_EQ_INT(sl_cow_upper_stat(f.b, "nope", &st), -ENOENT);
	CHECK_EQ_INT(sl_cow_copy_up(f.b, "fifo/x"), -ENOTDIR);
	CHECK_EQ_INT(sl_cow_whiteout(f.b, "d/inner"), 0);
	CHECK_EQ_INT(sl_cow_copy_up(f.b, "d/inner"), SL_COW_UP_EMPTY);

	/* Devices are never staged by mknod; FIFOs are. */
	CHECK_EQ_INT(sl_cow_mknod(f.b, "dev", S_IFCHR | 0600), -EPERM);
	CHECK_EQ_INT(sl_cow_mknod(f.b, "dev", S_IFBLK | 0600), -EPERM);
	CHECK_EQ_INT(sl_cow_mknod(f.b, "p", S_IFIFO | 0600), 0);
	CHECK_EQ_INT(sl_cow_mknod(f.b, "r", S_IFREG | 0600), 0);
	CHECK_EQ_INT(sl_cow_mknod(f.b, "r", S_IFREG | 0600), -EEXIST);
	sl_cow_abort(f.b, NULL);
	cow_fx_free(&f);
}

TEST(copy_up_refuses_symlinked_components)
{
	struct cow_fx f;
	char *p, outside[128];

	CHECK(cow_fx_init(&f, false));
	snprintf(outside, sizeof(outside), "%s/outside", f.root);
	CHECK(mkdir(outside, 0755) == 0 &&
	      write_file_in(outside, "secret", "s"));
	p = path_join(f.work, "esc");
	CHECK(symlink(outside, p) == 0);
	free(p);
	CHECK_EQ_INT(cow_fx_branch(&f, 0), 0);
	/* The workdir's symlinked directory is never walked through, and
	 * the failed staging leaves the upper as it was. */
	CHECK_EQ_INT(sl_cow_copy_up(f.b, "esc/secret"), -ELOOP);
	CHECK(dir_is_empty(sl_cow_upper(f.b)));
	/* Nor an upper symlink: nothing is created outside the upper. */
	CHECK_EQ_INT(sl_cow_copy_up(f.b, "esc"), SL_COW_UP_COPIED);
	CHECK(sl_cow_mkdir(f.b, "esc/new", 0755) < 0);
	CHECK(sl_cow_copy_up(f.b, "esc/new2") < 0);
	CHECK(!exists_in(outside, "new") && !exists_in(outside, "new2"));
	CHECK_EQ_INT(sl_cow_resolve(f.b, "esc/secret", NULL), -ELOOP);
	sl_cow_abort(f.b, NULL);
	cow_fx_free(&f);
}

TEST(merged_listing_is_sorted_union_without_whiteouts)
{
	struct cow_fx f;
	struct sl_cow_dirents d;
	const char *want[] = { "a", "b", "c", "z" };

	CHECK(cow_fx_init(&f, false));
	CHECK(write_file_in(f.work, "b", "lower b") &&
	      write_file_in(f.work, "c", "c") &&
	      write_file_in(f.work, "gone", "g") &&
	      write_file_in(f.work, "z/1", "1"));
	CHECK_EQ_INT(cow_fx_branch(&f, 0), 0);
	CHECK(cow_stage(f.b, "a", "new a"));
	CHECK(cow_stage(f.b, "b", "upper b"));
	CHECK(cow_delete(f.b, "gone"));
	CHECK_EQ_INT(sl_cow_list(f.b, "", &d), 0);
	CHECK_EQ_INT(d.n, 4);
	for (size_t i = 0; i < d.n && i < 4; i++)
		CHECK_STR(d.v[i].name, want[i]);
	CHECK(d.n == 4 && d.v[0].upper && d.v[1].upper && !d.v[2].upper);
	CHECK(d.n == 4 && d.v[3].type == DT_DIR);
	sl_cow_dirents_free(&d);
	CHECK_EQ_INT(sl_cow_list(f.b, "c", &d), -ENOTDIR);
	CHECK_EQ_INT(sl_cow_list(f.b, "gone", &d), -ENOENT);
	sl_cow_abort(f.b, NULL);
	cow_fx_free(&f);
}

TEST(copy_up_tree_stages_the_merged_subtree)
{
	struct cow_fx f;

	CHECK(cow_fx_init(&f, false));
	CHECK(write_file_in(f.work, "t/a", "a") &&
	      write_file_in(f.work, "t/s/b", "b") &&
	      write_file_in(f.work, "t/s/gone", "g"));
	CHECK_EQ_INT(cow_fx_branch(&f, 0), 0);
	CHECK(cow_delete(f.b, "t/s/gone"));
	CHECK_EQ_INT(sl_cow_copy_up_tree(f.b, "t"), 0);
	CHECK(file_is(sl_cow_upper(f.b), "t/a", "a"));
	CHECK(file_is(sl_cow_upper(f.b), "t/s/b", "b"));
	CHECK(!exists_in(sl_cow_upper(f.b), "t/s/gone"));
	sl_cow_abort(f.b, NULL);
	cow_fx_free(&f);
}

TEST(quota_charges_stagings_and_measures_open_growth)
{
	struct cow_fx f;
	char big[6000];
	uint64_t m = 0;
	const char *name;
	int parent, fd;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(cow_fx_init(&f, false));
	CHECK(write_file_in(f.work, "big", big) &&
	      write_file_in(f.work, "small", "s"));
	CHECK_EQ_INT(cow_fx_branch(&f, 10000), 0);

	/* A directory costs 4096, a symlink 256, a file its size. */
	CHECK_EQ_INT(sl_cow_mkdir(f.b, "d", 0755), 0);
	CHECK_EQ_INT(sl_cow_quota_used(f.b), 4096);
	CHECK_EQ_INT(sl_cow_symlink(f.b, "target", "l"), 0);
	CHECK_EQ_INT(sl_cow_quota_used(f.b), 4096 + 256);
	CHECK_EQ_INT(sl_cow_measure(f.b, &m), 0);
	CHECK_EQ_INT(m, 4096 + 256);

	/* 5999 more would pass 10000: refused, nothing staged. */
	CHECK_EQ_INT(sl_cow_copy_up(f.b, "big"), -ENOSPC);
	CHECK(!exists_in(sl_cow_upper(f.b), "big"));
	CHECK_EQ_INT(sl_cow_quota_used(f.b), 4096 + 256);
	CHECK_EQ_INT(sl_cow_mkdir(f.b, "d2", 0755), 0);
	CHECK_EQ_INT(sl_cow_mkdir(f.b, "d3", 0755), -ENOSPC);
	CHECK(!exists_in(sl_cow_upper(f.b), "d3"));
	CHECK_EQ_INT(sl_cow_remove_upper(f.b, "d2"), 0);
	CHECK_EQ_INT(sl_cow_quota_used(f.b), 4096 + 256);

	/* Growth through an open descriptor counts at the next check. */
	CHECK_EQ_INT(sl_cow_copy_up(f.b, "small"), SL_COW_UP_COPIED);
	CHECK_EQ_INT(sl_cow_quota_check(f.b, false), 0);
	parent = sl_cow_upper_parent(f.b, "small", false, &name);
	CHECK(parent >= 0);
	fd = openat(parent, name, O_WRONLY | O_APPEND | O_CLOEXEC);
	close(parent);
	CHECK(fd >= 0);
	CHECK(write(fd, big, 5800) == 5800);
	close(fd);
	CHECK_EQ_INT(sl_cow_quota_check(f.b, false), -ENOSPC);
	CHECK_EQ_INT(sl_cow_quota_used(f.b), 4096 + 256 + 5801);
	CHECK_EQ_INT(sl_cow_quota_check(f.b, true), -ENOSPC);
	/* Removing the file frees it. */
	CHECK_EQ_INT(sl_cow_remove_upper(f.b, "small"), 0);
	CHECK_EQ_INT(sl_cow_quota_check(f.b, true), 0);
	sl_cow_abort(f.b, NULL);
	cow_fx_free(&f);
}

TEST(no_quota_means_no_limit)
{
	struct cow_fx f;

	CHECK(cow_fx_init(&f, false));
	CHECK_EQ_INT(cow_fx_branch(&f, 0), 0);
	CHECK_EQ_INT(sl_cow_quota_reserve(f.b, UINT64_MAX), 0);
	CHECK_EQ_INT(sl_cow_quota_check(f.b, true), 0);
	sl_cow_abort(f.b, NULL);
	cow_fx_free(&f);
}

/* The marker is the record a retry trusts: anything but a complete,
 * well-formed one is no marker. */
TEST(marker_is_read_strictly)
{
	static const struct {
		const char *text;
		int r;
	} cases[] = {
		{ "reason=kept\nworkdir=/w\nupper=/u\ndeleted=a\\nb\n"
		  "future=x\npid=42\n",
		  0 },
		{ "reason=kept\nworkdir=/w\npid=42", -EINVAL }, /* truncated */
		{ "reason=kept\nworkdir=/w\n", -EINVAL },	/* no pid */
		{ "reason=kept\npid=1\nworkdir=/w\n",
		  -EINVAL }, /* pid not last */
		{ "reason=gone\nworkdir=/w\npid=1\n", -EINVAL },
		{ "reason=kept\nreason=kept\nworkdir=/w\npid=1\n", -EINVAL },
		{ "reason=kept\nworkdir=\npid=1\n", -EINVAL },
		{ "reason=kept\nworkdir=/w\ndeleted=bad\\q\npid=1\n", -EINVAL },
		{ "reason=kept\nworkdir=/w\npid=-1\n", -EINVAL },
		{ "", -EINVAL },
	};
	struct cow_fx f;
	int dir;

	CHECK(cow_fx_init(&f, false));
	dir = open(f.store, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(dir >= 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sl_cow_marker m;
		int r;

		CHECK(write_file_in(f.store, "PRESERVED", cases[i].text));
		r = sl_cow_marker_read(dir, &m);
		if (r != cases[i].r)
			FAIL("case %zu: %d, expected %d", i, r, cases[i].r);
		if (r == 0) {
			CHECK_STR(m.reason, "kept");
			CHECK_STR(m.workdir, "/w");
			CHECK_STR(m.upper, "/u");
			CHECK(m.deleted.n == 1 &&
			      strcmp(m.deleted.v[0], "a\nb") == 0);
			CHECK_EQ_INT(m.pid, 42);
			sl_cow_marker_free(&m);
		}
	}
	close(dir);
	cow_fx_free(&f);
}
