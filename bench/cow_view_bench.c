/*
 * The copy-on-write interception against bare runs, each pair measured in
 * the same invocation, interleaved, medians of --iters runs:
 *
 *  1. reads: `find . -type f | xargs cat` over a tree of --files files
 *     (in --dir) that the sandbox does not change: bare, in a sandbox
 *     with the tree granted (no workdir), and with the tree as workdir;
 *  2. writes: `tar -xf` of --tarball (made from /usr/include when absent)
 *     into an empty directory, bare and as the sandbox's workdir (the
 *     branch kept), then the commit of that branch against `cp -a` of the
 *     same tree into a fresh directory of the same filesystem;
 *  3. copy-up of one --size-mib file (a write-open that keeps its
 *     content), in --dir and, with --reflink-dir (a filesystem with
 *     reflinks: xfs, btrfs), there too.
 *
 * Uses the library's internal API for the commit: build with make bench.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cow/cow.h"
#include "sandlock.h"
#include "timing.h"

extern char **environ;

static void die(const char *what)
{
	fprintf(stderr, "cow_view_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int rm_entry(const char *p, const struct stat *st, int flag,
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

static void rmtree(const char *p)
{
	nftw(p, rm_entry, 32, FTW_DEPTH | FTW_PHYS);
}

static char *join(const char *a, const char *b)
{
	char *p;

	if (asprintf(&p, "%s/%s", a, b) < 0)
		die("asprintf");
	return p;
}

static void fresh_dir(const char *p)
{
	rmtree(p);
	if (mkdir(p, 0755) < 0)
		die(p);
}

/* argv bare, in dir; the wall time in ms. */
static double bare_ms(const char *dir, const char *const argv[])
{
	posix_spawn_file_actions_t fa;
	double t0 = now_us();
	pid_t pid;
	int st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addchdir_np(&fa, dir);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv,
			environ) != 0)
		die(argv[0]);
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		die(argv[0]);
	return (now_us() - t0) / 1e3;
}

/* argv in a sandbox of p (built once, output captured); wall ms. */
static double sandbox_ms(const sandlock_sandbox_t *p, const char *const argv[])
{
	unsigned argc = 0;
	double t0 = now_us();
	sandlock_result_t *r;

	while (argv[argc])
		argc++;
	r = sandlock_run(p, NULL, argv, argc);
	if (!r || !sandlock_result_success(r)) {
		uintptr_t len = 0;
		const uint8_t *e = r ? sandlock_result_stderr_bytes(r, &len) :
				       NULL;

		fprintf(stderr, "cow_view_bench: %s failed: %.*s\n", argv[0],
			(int)len, e ? (const char *)e : "");
		exit(1);
	}
	sandlock_result_free(r);
	return (now_us() - t0) / 1e3;
}

/* System directories readable, /dev/null writable, grant (writable when
 * write), and workdir (NULL: none) with its storage and action. */
static sandlock_sandbox_t *policy(const char *grant, bool write,
				  const char *workdir, const char *store,
				  uint8_t action, const char *extra_read)
{
	static const char *const ro[] = { "/usr", "/bin", "/lib", "/lib64",
					  "/etc" };
	sandlock_builder_t *b = sandlock_sandbox_builder_new();
	sandlock_sandbox_t *p;
	char *msg = NULL;
	int err = 0;

	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		if (access(ro[i], F_OK) == 0)
			b = sandlock_sandbox_builder_fs_read(b, ro[i]);
	b = sandlock_sandbox_builder_fs_write(b, "/dev/null");
	b = write ? sandlock_sandbox_builder_fs_write(b, grant) :
		    sandlock_sandbox_builder_fs_read(b, grant);
	if (extra_read)
		b = sandlock_sandbox_builder_fs_read(b, extra_read);
	if (workdir) {
		b = sandlock_sandbox_builder_workdir(b, workdir);
		b = sandlock_sandbox_builder_fs_storage(b, store);
		b = sandlock_sandbox_builder_on_exit(b, action);
	} else {
		b = sandlock_sandbox_builder_cwd(b, grant);
	}
	p = sandlock_sandbox_build(b, &err, &msg);
	if (!p) {
		fprintf(stderr, "cow_view_bench: build: %s\n", msg ? msg : "?");
		exit(1);
	}
	return p;
}

static void report(const char *what, double bare, double sandboxed)
{
	printf("%-58s bare %9.1f ms  sandboxed %9.1f ms  %5.2fx\n", what, bare,
	       sandboxed, sandboxed / bare);
}

/* ---- 1: reads of a tree nothing changes ---------------------------------- */

static void make_tree(const char *root, int files)
{
	fresh_dir(root);
	for (int i = 0; i < files; i++) {
		char d[64], f[96];
		char *dir;
		int fd;

		snprintf(d, sizeof(d), "d%03d", i / 50);
		dir = join(root, d);
		if (i % 50 == 0 && mkdir(dir, 0755) < 0)
			die(dir);
		snprintf(f, sizeof(f), "%s/f%02d.txt", dir, i % 50);
		fd = open(f, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, "some text of a file\n", 20) != 20)
			die(f);
		close(fd);
		free(dir);
	}
}

static void reads(const char *base, int files, int iters)
{
	/* The output goes to /dev/null on both sides: a sandbox's captured
	 * output would otherwise be measured against a bare run's
	 * /dev/null (a pipe wake-up per cat). */
	static const char *const cmd[] = {
		"/bin/sh", "-c", "find . -type f | xargs cat >/dev/null", NULL
	};
	char *tree = join(base, "tree"), *store = join(base, "store");
	double *b = calloc((size_t)iters, sizeof(double));
	double *g = calloc((size_t)iters, sizeof(double));
	double *c = calloc((size_t)iters, sizeof(double));
	sandlock_sandbox_t *pg, *pc;

	make_tree(tree, files);
	fresh_dir(store);
	pg = policy(tree, false, NULL, NULL, 0, NULL);
	pc = policy(tree, true, tree, store, 1 /* abort */, NULL);
	(void)bare_ms(tree, cmd); /* warm the cache */
	for (int i = 0; i < iters; i++) {
		b[i] = bare_ms(tree, cmd);
		g[i] = sandbox_ms(pg, cmd);
		c[i] = sandbox_ms(pc, cmd);
	}
	{
		char what[128];

		snprintf(what, sizeof(what),
			 "find | xargs cat, %d files, grants only", files);
		report(what, median_of(b, iters), median_of(g, iters));
		snprintf(what, sizeof(what),
			 "find | xargs cat, %d files, as the workdir", files);
		report(what, median_of(b, iters), median_of(c, iters));
	}
	sandlock_sandbox_free(pg);
	sandlock_sandbox_free(pc);
	rmtree(tree);
	rmtree(store);
	free(b);
	free(g);
	free(c);
	free(tree);
	free(store);
}

/* ---- 2: a tarball extracted, then committed ------------------------------- */

static double commit_kept(const char *store)
{
	struct sl_cow_preserved *v = NULL;
	struct sl_cow_branch *br = NULL;
	size_t n = 0;
	double t0;
	int r;

	if (sl_cow_preserved_list(store, &v, &n, NULL) < 0 || n != 1)
		die("the kept branch");
	if (sl_cow_branch_open(v[0].dir, &br, NULL) < 0)
		die("open the kept branch");
	sl_cow_preserved_free(v, n);
	t0 = now_us();
	r = sl_cow_commit(br, SL_COW_LOCK_TIMEOUT_MS, NULL);
	t0 = (now_us() - t0) / 1e3;
	sl_cow_branch_free(br);
	if (r < 0)
		die("commit");
	return t0;
}

static void writes(const char *base, const char *tarball, int iters)
{
	char *bare = join(base, "bare"), *work = join(base, "work");
	char *store = join(base, "store"), *copy = join(base, "copy");
	char *src = join(bare, "include");
	double *b = calloc((size_t)iters, sizeof(double));
	double *c = calloc((size_t)iters, sizeof(double));
	double *m = calloc((size_t)iters, sizeof(double));
	double *k = calloc((size_t)iters, sizeof(double));
	double *g = calloc((size_t)iters, sizeof(double));
	const char *tar_bare[] = {
		"/bin/tar", "-xf", tarball, "-C", bare, NULL
	};
	const char *tar_cow[] = { "/bin/tar", "-xf", tarball, "-C", work, NULL };
	const char *cp[] = { "/bin/cp", "-a", src, copy, NULL };
	sandlock_sandbox_t *p;

	for (int i = 0; i < iters; i++) {
		fresh_dir(bare);
		fresh_dir(work);
		fresh_dir(store);
		rmtree(copy);
		sync();
		b[i] = bare_ms(base, tar_bare);
		fresh_dir(bare);
		sync();
		/* the same under a plain write grant: what any sandbox with
		 * grants pays (metadata writes on behalf) */
		p = policy(bare, true, NULL, NULL, 0, tarball);
		{
			const char *tar_g[] = { "/bin/tar", "-xf", tarball,
						"-C",	    bare,  NULL };

			g[i] = sandbox_ms(p, tar_g);
		}
		sandlock_sandbox_free(p);
		sync();
		p = policy(work, true, work, store, 2 /* keep */, tarball);
		c[i] = sandbox_ms(p, tar_cow);
		sandlock_sandbox_free(p);
		sync();
		m[i] = commit_kept(store);
		sync();
		k[i] = bare_ms(base, cp);
	}
	report("tar -xf /usr/include, into a write grant", median_of(b, iters),
	       median_of(g, iters));
	report("tar -xf /usr/include, into the workdir", median_of(b, iters),
	       median_of(c, iters));
	printf("%-58s cp -a %8.1f ms  commit %12.1f ms  %5.2fx\n",
	       "commit of the extracted tree vs cp -a", median_of(k, iters),
	       median_of(m, iters), median_of(m, iters) / median_of(k, iters));
	rmtree(bare);
	rmtree(work);
	rmtree(store);
	rmtree(copy);
	free(b);
	free(c);
	free(m);
	free(k);
	free(g);
	free(bare);
	free(work);
	free(store);
	free(copy);
	free(src);
}

/* ---- 3: copy-up of a big file ------------------------------------------------ */

static void copy_up(const char *base, size_t mib, int iters)
{
	static const char *const cmd[] = { "/bin/sh", "-c", ": >> big", NULL };
	char *work = join(base, "cu-work"), *store = join(base, "cu-store");
	char *big = join(work, "big");
	double *c = calloc((size_t)iters, sizeof(double));
	const char *dd[] = { "/bin/sh", "-c", NULL, NULL };
	char ddcmd[128], what[160];
	sandlock_sandbox_t *p;

	fresh_dir(work);
	fresh_dir(store);
	snprintf(ddcmd, sizeof(ddcmd),
		 "head -c %zuM /dev/zero | tr '\\0' x > big", mib);
	dd[2] = ddcmd;
	(void)bare_ms(work, dd);
	p = policy(work, true, work, store, 1 /* abort */, NULL);
	for (int i = 0; i < iters; i++)
		c[i] = sandbox_ms(p, cmd);
	sandlock_sandbox_free(p);
	snprintf(what, sizeof(what), "copy-up of a %zu MiB file in %s", mib,
		 base);
	printf("%-58s %9.1f ms (the run, the branch thrown away)\n", what,
	       median_of(c, iters));
	rmtree(work);
	rmtree(store);
	free(c);
	free(work);
	free(store);
	free(big);
}

static char *scratch(const char *parent)
{
	char *p;

	if (asprintf(&p, "%s/cow-view-bench-XXXXXX", parent) < 0 || !mkdtemp(p))
		die("mkdtemp");
	return p;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iters", required_argument, NULL, 'i' },
		{ "files", required_argument, NULL, 'f' },
		{ "tarball", required_argument, NULL, 't' },
		{ "dir", required_argument, NULL, 'd' },
		{ "size-mib", required_argument, NULL, 's' },
		{ "reflink-dir", required_argument, NULL, 'r' },
		{ "only", required_argument, NULL, 'o' },
		{ 0 },
	};
	const char *parent = "/tmp", *tarball = NULL, *reflink = NULL;
	const char *only = "";
	int iters = 5, files = 20000, c;
	size_t mib = 1024;
	char *base, *own_tar = NULL;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			iters = atoi(optarg);
			break;
		case 'f':
			files = atoi(optarg);
			break;
		case 't':
			tarball = optarg;
			break;
		case 'd':
			parent = optarg;
			break;
		case 's':
			mib = (size_t)atol(optarg);
			break;
		case 'r':
			reflink = optarg;
			break;
		case 'o':
			only = optarg;
			break;
		default:
			fprintf(stderr, "usage: cow_view_bench [--iters N] "
					"[--files N] [--tarball T] [--dir D] "
					"[--size-mib N] [--reflink-dir D] "
					"[--only reads|writes|copyup]\n");
			return 2;
		}
	}
	if (iters < 1 || files < 1)
		return 2;
	base = scratch(parent);
	if (!*only || !strcmp(only, "reads"))
		reads(base, files, iters);
	if (!*only || !strcmp(only, "writes")) {
		if (!tarball) {
			const char *mk[] = { "/bin/tar", "-cf",	    NULL, "-C",
					     "/usr",	 "include", NULL };

			own_tar = join(base, "include.tar");
			mk[2] = own_tar;
			(void)bare_ms(base, mk);
			tarball = own_tar;
		}
		writes(base, tarball, iters);
	}
	if (!*only || !strcmp(only, "copyup")) {
		copy_up(base, mib, iters);
		if (reflink) {
			char *rb = scratch(reflink);

			copy_up(rb, mib, iters);
			rmtree(rb);
			free(rb);
		}
	}
	rmtree(base);
	free(base);
	free(own_tar);
	return 0;
}
