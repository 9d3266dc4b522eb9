/*
 * The merged view a copy-on-write sandbox works in (docs/behaviour.md 9.2,
 * 9.3), on real files through `sandlock run --workdir`: listings, stat,
 * readlink, access, deletions and re-creations, renames of trees, the
 * virtual working directory, exec of staged binaries and scripts, the
 * quota, fs_deny inside the workdir, /proc, and a commit that leaves the
 * workdir as the sandbox saw it.
 */
#include <sys/mount.h>

#include "harness.h"
#include "lib/cli.h"
#include "lib/files.h"
#include "lib/paths.h"
#include "lib/scratch.h"

struct view {
	char *dir, *work, *store;
};

/* workdir: a ("A"), b ("B"), d/x ("X"), d/y ("Y"), big/ (300 files) */
static bool view_new(struct view *v)
{
	char *d, *big;

	v->dir = scratch_make();
	v->work = v->dir ? path_join(v->dir, "work") : NULL;
	v->store = v->dir ? path_join(v->dir, "store") : NULL;
	d = v->work ? path_join(v->work, "d") : NULL;
	big = v->work ? path_join(v->work, "big") : NULL;
	if (!d || !big || mkdir(v->work, 0755) < 0 || mkdir(d, 0755) < 0 ||
	    mkdir(big, 0755) < 0 || !write_file_in(v->work, "a", "A\n") ||
	    !write_file_in(v->work, "b", "B\n") ||
	    !write_file_in(d, "x", "X\n") || !write_file_in(d, "y", "Y\n")) {
		free(d);
		free(big);
		return false;
	}
	for (int i = 0; i < 300; i++) {
		char name[32];

		snprintf(name, sizeof(name), "file-%03d", i);
		if (!write_file_in(big, name, "z\n")) {
			free(d);
			free(big);
			return false;
		}
	}
	free(d);
	free(big);
	return true;
}

static void view_free(struct view *v)
{
	free(v->work);
	free(v->store);
	scratch_remove(v->dir);
}

/* Run script in the workdir (on_exit as given); its stdout in r. */
static void view_run(struct cli_result *r, const struct view *v,
		     const char *on_exit, const char *extra1,
		     const char *extra2, const char *script)
{
	struct cli_args a = { .n = 0 };

	cli_args_add(&a, "run", NULL);
	cli_args_add_system(&a);
	cli_args_add(&a, "-w", v->work, "-w", "/dev/null", "--workdir", v->work,
		     "--fs-storage", v->store, "--on-exit", on_exit, NULL);
	if (extra1)
		cli_args_add(&a, extra1, extra2, NULL);
	cli_args_add(&a, "--", "/bin/sh", "-c", script, NULL);
	if (cli_exec(r, &a) != 0)
		memset(r, 0, sizeof(*r));
}

/* want with every "WORK" replaced by the workdir's path. */
static char *expand(const char *want, const char *work)
{
	size_t cap = strlen(want) * (strlen(work) + 1) + 1;
	char *out = malloc(cap), *o = out;

	for (const char *p = want; out && *p;) {
		if (strncmp(p, "WORK", 4) == 0) {
			o = stpcpy(o, work);
			p += 4;
		} else {
			*o++ = *p++;
		}
	}
	if (out)
		*o = '\0';
	return out;
}

#define CHECK_VIEW(v, script, want)                                \
	do {                                                       \
		struct cli_result _r;                              \
		char *_want = expand((want), (v)->work);           \
		view_run(&_r, (v), "abort", NULL, NULL, (script)); \
		CHECK_EXIT(&_r, 0);                                \
		CHECK_STR(_r.out, _want);                          \
		free(_want);                                       \
		cli_result_free(&_r);                              \
	} while (0)

TEST(listings_show_the_merged_directory)
{
	struct view v;

	CHECK(view_new(&v));
	CHECK_VIEW(&v,
		   "rm a d/x; echo C > c; mkdir e; echo Z > d/z; "
		   "ls -1a; echo --; ls -1 d; echo --; ls -1a e",
		   ".\n..\nb\nbig\nc\nd\ne\n--\ny\nz\n--\n.\n..\n");
	/* a long listing read in several getdents calls */
	CHECK_VIEW(&v,
		   "rm big/file-007; echo > big/new; ls big | wc -l; "
		   "ls big | grep -c file-007; ls big | tail -1",
		   "300\n0\nnew\n");
	view_free(&v);
}

TEST(stat_access_readlink_see_the_merged_view)
{
	struct view v;

	CHECK(view_new(&v));
	CHECK_VIEW(&v,
		   "echo hello > s; stat -c %s s; test -w s && echo w; "
		   "ln -s s l; readlink l; cat l; [ -e a ] && echo a; "
		   "rm a; [ -e a ] || echo gone; test -r a || echo unread; "
		   "chmod 700 s; stat -c %a s; stat -c %a b",
		   "6\nw\ns\nhello\na\ngone\nunread\n700\n644\n");
	view_free(&v);
}

TEST(deleted_trees_recreated_are_opaque_and_moved_trees_move_whole)
{
	struct view v;

	CHECK(view_new(&v));
	CHECK_VIEW(&v,
		   "rm -r d; mkdir d; ls -a d | wc -l; cat d/x 2>&1 | "
		   "grep -c 'No such'; echo new > d/n; ls d",
		   "2\n1\nn\n");
	CHECK_VIEW(&v,
		   "mv d d2; cat d2/x d2/y; [ -e d ] || echo moved; "
		   "mv d2/x d2/y 2>&1; cat d2/y; ls d2",
		   "X\nY\nmoved\nX\ny\n");
	view_free(&v);
}

/* A directory only the upper has: chdir records it; relative paths,
 * getcwd and the child processes follow. */
TEST(a_directory_only_staged_can_be_the_working_directory)
{
	struct view v;

	CHECK(view_new(&v));
	CHECK_VIEW(&v,
		   "mkdir -p n/m && cd n/m && /bin/pwd && echo F > f && "
		   "cat f ../../a && sh -c 'cat f; /bin/pwd' && cd ../.. && "
		   "/bin/pwd && cat n/m/f && cd d && /bin/pwd && cat x",
		   "WORK/n/m\nF\nA\nF\nWORK/n/m\nWORK\nF\nWORK/d\nX\n");
	view_free(&v);
}

/* A staged binary and a staged script run; the program sees the name it
 * was run by. */
TEST(staged_binaries_and_scripts_run_with_their_own_name)
{
	struct view v;

	CHECK(view_new(&v));
	CHECK_VIEW(&v,
		   "cp /bin/sh ./mysh && ./mysh -c 'echo $0' && "
		   "printf '#!/bin/sh\\necho script \"$@\"\\n' > s.sh && "
		   "chmod +x s.sh && ./s.sh one two && mkdir bin && "
		   "mv s.sh bin/ && PATH=$PWD/bin:$PATH s.sh three",
		   "./mysh\nscript one two\nscript three\n");
	view_free(&v);
}

/* Writes past the quota fail with ENOSPC at the next write-open; reads
 * are never charged. */
TEST(quota_refuses_writes_past_it_and_never_reads)
{
	struct view v;
	struct cli_result r;

	CHECK(view_new(&v));
	view_run(&r, &v, "abort", "--max-disk", "64K",
		 "cat big/* a b > /dev/null && echo read && "
		 "yes | head -c 40000 > p && yes | head -c 40000 > q && "
		 "echo read-again && cat p > /dev/null && "
		 "(echo x > r) 2>&1 | grep -c 'No space left'; ls r 2>&1 | "
		 "grep -c 'No such'");
	CHECK_EXIT(&r, 0);
	CHECK_STR(r.out, "read\nread-again\n1\n1\n");
	cli_result_free(&r);
	view_free(&v);
}

/* Staged creations take the umask the child has at that moment: the
 * supervisor keeps it between calls and learns of every umask(). */
TEST(staged_creations_follow_each_umask_change)
{
	struct view v;

	CHECK(view_new(&v));
	CHECK_VIEW(&v,
		   "umask 077; echo > m1; echo > m2; umask 022; echo > m3; "
		   "mkdir m4; umask 027; echo > m5; echo > m6; "
		   "stat -c '%n %a' m1 m2 m3 m4 m5 m6",
		   "m1 600\nm2 600\nm3 644\nm4 755\nm5 640\nm6 640\n");
	view_free(&v);
}

/* A staged file's metadata is changed through the child's fd with the
 * capabilities the kernel consults: a root child that dropped CAP_FOWNER
 * cannot chmod a staged file it gave away, as the kernel would refuse. */
TEST(staged_metadata_through_a_descriptor_counts_the_childs_capabilities)
{
	struct view v;
	struct cli_result r;
	char script[1024];
	const char *probe = helper_built("fs_probe");

	if (geteuid() != 0)
		SKIP("needs root to give a file away");
	if (!probe)
		FAIL("fs_probe is not built");
	CHECK(view_new(&v));
	snprintf(script, sizeof(script),
		 "echo > g && chown 2000:2000 g && chmod 600 g && "
		 "%s fd_meta_without - g && %s fd_meta_without fowner g",
		 probe, probe);
	view_run(&r, &v, "abort", "-r", helpers_dir(), script);
	CHECK_EXIT(&r, 0);
	CHECK_STR(r.out, "fchmod OK\nfchown OK\nfutimens OK\n"
			 "futimens_now OK\nfsetxattr OK\n"
			 "fchmod EPERM\nfchown OK\nfutimens EPERM\n"
			 "futimens_now OK\nfsetxattr OK\n");
	cli_result_free(&r);
	view_free(&v);
}

/* procfs mounted inside the workdir (a chroot's /proc): refused whole,
 * before and after something is staged, whatever path reaches it. */
TEST(procfs_mounted_inside_the_workdir_is_refused)
{
	struct view v;
	struct cli_result r;
	char *p;
	int mounted;

	if (geteuid() != 0)
		SKIP("needs root to mount procfs");
	CHECK(view_new(&v));
	p = path_join(v.work, "p");
	CHECK(p && mkdir(p, 0755) == 0);
	mounted = mount("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			NULL) == 0;
	if (!mounted) {
		free(p);
		view_free(&v);
		SKIP("cannot mount procfs here");
	}
	view_run(&r, &v, "abort", NULL, NULL,
		 "cat p/1/comm >/dev/null 2>&1 && echo LEAK1; "
		 "echo x > staged; cat p/1/comm >/dev/null 2>&1 && echo LEAK2; "
		 "cat $PWD/p/self/status >/dev/null 2>&1 && echo LEAK3; "
		 "cat a");
	umount2(p, MNT_DETACH);
	free(p);
	view_free(&v);
	CHECK_EXIT(&r, 0);
	CHECK_STR(r.out, "A\n");
	cli_result_free(&r);
}

/* fs_deny inside the workdir holds for the workdir's files and for what
 * would be staged at a denied path. */
TEST(denials_inside_the_workdir_hold_for_staged_and_lower_files)
{
	struct view v;
	struct cli_result r;
	char *secret;

	CHECK(view_new(&v));
	secret = path_join(v.work, "a");
	view_run(&r, &v, "abort", "--fs-deny", secret,
		 "cat a 2>&1 | grep -c denied; (echo x > a) 2>&1 | "
		 "grep -c denied; mv b a 2>&1 | grep -c denied; "
		 "rm a 2>&1 | grep -c denied; cat b");
	CHECK_EXIT(&r, 0);
	CHECK_STR(r.out, "1\n1\n1\n1\nB\n");
	cli_result_free(&r);
	free(secret);
	view_free(&v);
}

/* /proc served with the workdir: a staged file reached through its
 * descriptor's magic link. */
TEST(proc_magic_links_reach_staged_files)
{
	struct view v;
	struct cli_result r;

	CHECK(view_new(&v));
	view_run(&r, &v, "abort", "-r", "/proc",
		 "echo staged > s; exec 3<s; cat /proc/self/fd/3; "
		 "grep -c '^Name' /proc/self/status");
	CHECK_EXIT(&r, 0);
	CHECK_STR(r.out, "staged\n1\n");
	cli_result_free(&r);
	view_free(&v);
}

/* After a commit the workdir is what the sandbox saw. */
TEST(commit_leaves_the_workdir_as_the_sandbox_saw_it)
{
	static const char script[] =
		"rm a big/file-001; mv d e; echo n > e/n; chmod 600 b; "
		"ln -s e/n lnk; mkdir -p m/k; echo k > m/k/f; "
		"ls -lR --time-style=+ . | sed 's/ [0-9]* [a-z]* [a-z]* / /'";
	struct view v;
	struct cli_result r, after;

	CHECK(view_new(&v));
	view_run(&r, &v, "commit", NULL, NULL, script);
	CHECK_EXIT(&r, 0);
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&after, NULL, "-r", v.work, "--cwd",
				       v.work, "--", "/bin/sh", "-c",
				       "ls -lR --time-style=+ . | "
				       "sed 's/ [0-9]* [a-z]* [a-z]* / /'"),
		     0);
	CHECK_EXIT(&after, 0);
	CHECK_STR(after.out, r.out);
	CHECK(dir_is_empty(v.store));
	cli_result_free(&r);
	cli_result_free(&after);
	view_free(&v);
}

/* A write grant on the workdir's parent: the ruleset grants around the
 * workdir, and what the sandbox creates next to it afterwards is served
 * (created, read, written, listed, renamed and removed); only executing
 * it is left out (docs/cow.md). */
TEST(next_to_the_workdir_under_a_parent_grant_files_come_and_go)
{
	struct view v;
	struct cli_result r;
	struct cli_args a = { .n = 0 };
	char script[1024];

	CHECK(view_new(&v));
	snprintf(script, sizeof(script),
		 "cd %s && echo n > new && cat new && mkdir nd && "
		 "echo f > nd/f && cat nd/f && mv nd nd2 && ls nd2 && "
		 "rm -r nd2 new && ls && echo w > work/x && cat work/x",
		 v.dir);
	cli_args_add(&a, "run", NULL);
	cli_args_add_system(&a);
	cli_args_add(&a, "-w", v.dir, "-w", "/dev/null", "--workdir", v.work,
		     "--fs-storage", v.store, "--on-exit", "abort", "--",
		     "/bin/sh", "-c", script, NULL);
	CHECK_EQ_INT(cli_exec(&r, &a), 0);
	CHECK_EXIT(&r, 0);
	CHECK_STR(r.out, "n\nf\nf\nstore\nwork\nw\n");
	CHECK(!file_is(v.work, "x", NULL));
	cli_result_free(&r);
	view_free(&v);
}
