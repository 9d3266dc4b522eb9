/*
 * Commit of copy-on-write branches against the plain tools, each pair
 * measured in the same invocation, interleaved, medians of --iters runs:
 *
 *  1. a 1 GiB file (--size-mib) committed by rename (storage and workdir on
 *     one filesystem) against rename(2) of the same file, and by copy
 *     (storage on tmpfs under /dev/shm, workdir in --dir) against cp;
 *  2. an extracted /usr/include (--tree) committed into a workdir that
 *     lacks it, into one that already has every file (each one replaced),
 *     and from tmpfs, each against `cp -a` of the same tree to the same
 *     place.
 *
 * Branches are populated directly (files written into the upper, the tree
 * extracted there with tar), as the interception of a sandbox's writes
 * would leave them. Uses the library's internal API: build with make bench.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cow/cow.h"

extern char **environ;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what)
{
	fprintf(stderr, "cow_bench: %s: %s\n", what, strerror(errno));
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

static void run(const char *const argv[])
{
	pid_t pid;
	int st;

	if (posix_spawnp(&pid, argv[0], NULL, NULL, (char *const *)argv,
			 environ) != 0)
		die(argv[0]);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		die(argv[0]);
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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static struct sl_cow_branch *branch(const char *work, const char *store)
{
	struct sl_cow_config c = { work, store, 0 };
	struct sl_cow_branch *b;
	struct sl_error e = { 0 };

	if (sl_cow_branch_create(&c, &b, &e) < 0) {
		fprintf(stderr, "cow_bench: %s\n", e.msg ? e.msg : "branch");
		exit(1);
	}
	return b;
}

static double commit_ms(struct sl_cow_branch *b)
{
	struct sl_error e = { 0 };
	double t = now_ms();

	if (sl_cow_commit(b, 5000, &e) < 0) {
		fprintf(stderr, "cow_bench: commit: %s\n", e.msg ? e.msg : "?");
		exit(1);
	}
	t = now_ms() - t;
	sl_cow_branch_free(b);
	return t;
}

/* A new file of size MiB at dir/name (not timed). */
static void write_file(const char *dir, const char *name, size_t mib)
{
	static char buf[1 << 20];
	char *p = join(dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		die(p);
	memset(buf, 'x', sizeof(buf));
	for (size_t i = 0; i < mib; i++)
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			die("write");
	close(fd);
	free(p);
}

static void report(const char *what, double bare, const char *bare_name,
		   double cow)
{
	printf("%-44s %-12s %10.2f ms   commit %10.2f ms   ratio %6.2fx\n",
	       what, bare_name, bare, cow, cow / bare);
}

struct dirs {
	char *disk; /* scratch on the workdir's filesystem */
	char *shm;  /* scratch on tmpfs */
	char *work, *store, *shm_store, *bare_src;
};

static void big_file(const struct dirs *d, size_t mib, int iters)
{
	double *bare = calloc((size_t)iters, sizeof(double));
	double *cow = calloc((size_t)iters, sizeof(double));
	char label[64];

	for (int copy = 0; copy < 2; copy++) {
		const char *store = copy ? d->shm_store : d->store;

		for (int i = 0; i < iters; i++) {
			struct sl_cow_branch *b;
			char *src, *dst;
			double t;

			/* bare: rename(2), or cp from tmpfs */
			fresh_dir(d->work);
			fresh_dir(d->bare_src);
			write_file(copy ? d->shm : d->bare_src, "big", mib);
			src = join(copy ? d->shm : d->bare_src, "big");
			dst = join(d->work, "big");
			t = now_ms();
			if (copy) {
				const char *argv[] = { "cp", src, dst, NULL };
				run(argv);
			} else if (rename(src, dst) < 0) {
				die("rename");
			}
			bare[i] = now_ms() - t;
			unlink(copy ? src : dst);
			free(src);
			free(dst);

			fresh_dir(d->work);
			b = branch(d->work, store);
			write_file(sl_cow_upper(b), "big", mib);
			cow[i] = commit_ms(b);
		}
		snprintf(label, sizeof(label), "%zu MiB file, %s", mib,
			 copy ? "copy (storage on tmpfs)" : "rename");
		report(label, median(bare, iters), copy ? "cp" : "rename(2)",
		       median(cow, iters));
	}
	fresh_dir(d->work);
	free(bare);
	free(cow);
}

/* Extract tarball into dir. */
static void extract(const char *tarball, const char *dir)
{
	const char *argv[] = { "tar", "-C", dir, "-xf", tarball, NULL };

	run(argv);
}

enum tree_case { NEW_TREE, EVERY_FILE_REPLACED, FROM_TMPFS, NCASES };

static void tree(const struct dirs *d, const char *tarball, int iters)
{
	static const char *const labels[] = {
		"tree, new in the workdir (rename)",
		"tree, every file replaced (rename)",
		"tree, new, storage on tmpfs (copy)",
	};
	double *bare = calloc((size_t)iters, sizeof(double));
	double *cow = calloc((size_t)iters, sizeof(double));

	for (int c = 0; c < NCASES; c++) {
		for (int i = 0; i < iters; i++) {
			const char *src_root = c == FROM_TMPFS ? d->shm :
								 d->bare_src;
			struct sl_cow_branch *b;
			char *src;
			double t;

			/* bare: cp -a of the same tree to the same place */
			fresh_dir(d->work);
			fresh_dir(d->bare_src);
			if (c == FROM_TMPFS)
				fresh_dir(d->shm);
			extract(tarball, src_root);
			if (c == EVERY_FILE_REPLACED)
				extract(tarball, d->work);
			src = join(src_root, "include");
			{
				char *dst = join(d->work, ".");
				const char *argv[] = { "cp", "-a", src, dst,
						       NULL };

				t = now_ms();
				run(argv);
				bare[i] = now_ms() - t;
				free(dst);
			}
			free(src);

			fresh_dir(d->work);
			if (c == EVERY_FILE_REPLACED)
				extract(tarball, d->work);
			b = branch(d->work,
				   c == FROM_TMPFS ? d->shm_store : d->store);
			extract(tarball, sl_cow_upper(b));
			cow[i] = commit_ms(b);
		}
		report(labels[c], median(bare, iters), "cp -a",
		       median(cow, iters));
	}
	fresh_dir(d->work);
	free(bare);
	free(cow);
}

static char *scratch(const char *parent)
{
	char *p = join(parent, "sl-cow-bench-XXXXXX");

	if (!mkdtemp(p))
		die(p);
	return p;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "size-mib", required_argument, NULL, 's' },
		{ "iters", required_argument, NULL, 'i' },
		{ "tree", required_argument, NULL, 't' },
		{ "dir", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tree_src = "/usr/include", *parent = "/tmp";
	size_t mib = 1024;
	int iters = 5, c;
	struct dirs d;
	char *tarball;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			mib = strtoul(optarg, NULL, 10);
			break;
		case 'i':
			iters = atoi(optarg);
			break;
		case 't':
			tree_src = optarg;
			break;
		case 'd':
			parent = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: cow_bench [--size-mib N] "
				"[--iters N] [--tree DIR] [--dir DIR]\n");
			return 2;
		}
	}
	if (iters < 1 || mib < 1)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	d.disk = scratch(parent);
	d.shm = scratch("/dev/shm");
	d.work = join(d.disk, "work");
	d.store = join(d.disk, "store");
	d.shm_store = join(d.shm, "store");
	d.bare_src = join(d.disk, "src");
	if (mkdir(d.store, 0700) < 0 || mkdir(d.shm_store, 0700) < 0)
		die("mkdir");
	/* The shm scratch holds both the bare source and the store. */
	{
		char *shm_src = join(d.shm, "src");

		free(d.shm);
		d.shm = shm_src;
		if (mkdir(d.shm, 0755) < 0)
			die("mkdir");
	}
	tarball = join(d.disk, "tree.tar");
	{
		char *parent_dir = strdup(tree_src), *slash;
		const char *argv0[] = { "tar",	 "-C", parent_dir, "-cf",
					tarball, NULL, NULL };

		slash = strrchr(parent_dir, '/');
		if (!slash || slash == parent_dir || strcmp(slash, "/include"))
			return fprintf(stderr, "cow_bench: --tree must name a "
					       "directory called include\n"),
			       2;
		*slash = '\0';
		argv0[5] = "include";
		run(argv0);
		free(parent_dir);
	}
	printf("# %d iterations each, medians; workdir under %s\n", iters,
	       parent);
	big_file(&d, mib, iters);
	tree(&d, tarball, iters);
	rmtree(d.disk);
	*strrchr(d.shm, '/') = '\0';
	rmtree(d.shm);
	return 0;
}
