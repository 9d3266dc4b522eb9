/*
 * fs_denied inside granted trees, and the /proc denials: the denied file
 * cannot be read under any name (path, hard link, symlink), its siblings
 * can; creation honours write grants; /proc/self is the sandbox's own.
 */
#include <fcntl.h>

#include "harness.h"
#include "lib/files.h"
#include "lib/fsprobe.h"
#include "lib/hostenv.h"
#include "lib/policy.h"
#include "lib/run.h"
#include "lib/scratch.h"

static char dir[64];
static char tree[128], secret[160], public[160], sdir[160];

/* dir/tree/{public.txt,secret.txt,sdir/inner.txt} */
static bool setup(void)
{
	char p[200];

	if (!scratch_dir(dir, sizeof(dir)))
		return false;
	snprintf(tree, sizeof(tree), "%s/tree", dir);
	snprintf(secret, sizeof(secret), "%s/secret.txt", tree);
	snprintf(public, sizeof(public), "%s/public.txt", tree);
	snprintf(sdir, sizeof(sdir), "%s/sdir", tree);
	snprintf(p, sizeof(p), "%s/inner.txt", sdir);
	return mkdir(tree, 0755) == 0 && mkdir(sdir, 0755) == 0 &&
	       write_file(secret, "SECRET\n") &&
	       write_file(public, "PUBLIC\n") && write_file(p, "INNER\n");
}

static void sh(sandlock_builder_t *b, const char *script, struct hrun *o)
{
	const char *argv[] = { "/bin/sh", "-c", script, NULL };

	hrun(b, argv, o);
}

static sandlock_builder_t *deny_builder(void)
{
	sandlock_builder_t *b = base_builder();

	b = sandlock_sandbox_builder_fs_read(b, tree);
	return sandlock_sandbox_builder_fs_deny(b, secret);
}

TEST(denied_file_is_unreadable_and_sibling_readable)
{
	char script[512];
	struct hrun o;

	if (!setup())
		FAIL("scratch setup failed");
	snprintf(script, sizeof(script), "cat %s; cat %s && echo LEAK; exit 0",
		 public, secret);
	sh(deny_builder(), script, &o);
	CHECK_RAN(&o);
	CHECK_STR(o.out, "PUBLIC\n");
	CHECK_CONTAINS(o.err, "Permission denied");
	hrun_free(&o);
	scratch_remove(dir);
}

/* Where ptrace is refused, a denied file with another name is refused at
 * build, naming the entry: an exec of the other name could not be held
 * still (docs/confinement.md, "What remains"). */
static void refused_for_another_name(const struct hrun *o, const char *entry)
{
	CHECK(!o->ok);
	CHECK(o->build_err != NULL);
	CHECK_CONTAINS(o->build_err, "has another name");
	CHECK_CONTAINS(o->build_err, entry);
}

TEST(denial_survives_hard_link_and_symlink)
{
	char hl[200], sl[200], script[600];
	struct hrun o;

	if (!setup())
		FAIL("scratch setup failed");
	snprintf(hl, sizeof(hl), "%s/hardlink.txt", tree);
	snprintf(sl, sizeof(sl), "%s/symlink.txt", tree);
	CHECK(link(secret, hl) == 0);
	CHECK(symlink(secret, sl) == 0);
	snprintf(script, sizeof(script),
		 "cat %s && echo LEAK1; cat %s && echo LEAK2; echo end", hl,
		 sl);
	sh(deny_builder(), script, &o);
	if (he_can_freeze()) {
		CHECK_RAN(&o);
		CHECK_STR(o.out, "end\n");
	} else {
		refused_for_another_name(&o, secret);
	}
	hrun_free(&o);
	scratch_remove(dir);
}

TEST(denied_directory_covers_its_contents)
{
	char script[600];
	sandlock_builder_t *b;
	struct hrun o;

	if (!setup())
		FAIL("scratch setup failed");
	/* a second name for a file of the denied directory, made before */
	snprintf(script, sizeof(script), "%s/inner.txt", sdir);
	{
		char hl[200];

		snprintf(hl, sizeof(hl), "%s/elsewhere.txt", tree);
		CHECK(link(script, hl) == 0);
	}
	b = base_builder();
	b = sandlock_sandbox_builder_fs_read(b, tree);
	b = sandlock_sandbox_builder_fs_deny(b, sdir);
	snprintf(
		script, sizeof(script),
		"cat %s/inner.txt && echo LEAK; cd %s && cat ./sdir/../sdir/inner.txt"
		" && echo LEAK2; cat elsewhere.txt && echo LEAK3; cat %s",
		sdir, tree, public);
	sh(b, script, &o);
	if (he_can_freeze()) {
		CHECK_RAN(&o);
		CHECK_STR(o.out, "PUBLIC\n");
	} else {
		refused_for_another_name(&o, sdir);
	}
	hrun_free(&o);
	scratch_remove(dir);
}

/* Every name of the file denied: nothing else names it, so the kernel
 * refuses it by either name and no exec needs holding, where ptrace is
 * refused too. */
TEST(denying_every_name_of_a_file_runs_everywhere)
{
	char hl[200], script[600];
	sandlock_builder_t *b;
	struct hrun o;

	if (!setup())
		FAIL("scratch setup failed");
	snprintf(hl, sizeof(hl), "%s/second-name.txt", tree);
	CHECK(link(secret, hl) == 0);
	b = deny_builder();
	b = sandlock_sandbox_builder_fs_deny(b, hl);
	snprintf(script, sizeof(script),
		 "cat %s && echo LEAK1; cat %s && echo LEAK2; /bin/true && "
		 "echo ran",
		 secret, hl);
	sh(b, script, &o);
	CHECK_RAN(&o);
	CHECK_STR(o.out, "ran\n");
	hrun_free(&o);
	scratch_remove(dir);
}

/* A second name made after the build, before the run: the run holds every
 * exec still; where ptrace is refused it cannot, and refuses the exec
 * instead of letting a racing thread swap that name in. */
TEST(another_name_made_after_the_build_holds_or_refuses_execs)
{
	const char *argv[] = { "/bin/sh", "-c", "/bin/true; echo rc=$?", NULL };
	char hl[200];
	sandlock_sandbox_t *sb;
	struct hrun o;

	if (!setup())
		FAIL("scratch setup failed");
	sb = sandlock_sandbox_build(deny_builder(), NULL, NULL);
	CHECK(sb != NULL);
	snprintf(hl, sizeof(hl), "%s/second-name.txt", tree);
	CHECK(link(secret, hl) == 0);
	hrun_with(sb, argv, NULL, 0, &o);
	CHECK_RAN(&o);
	CHECK_STR(o.out, he_can_freeze() ? "rc=0\n" : "rc=126\n");
	hrun_free(&o);
	sandlock_sandbox_free(sb);
	scratch_remove(dir);
}

/* dir/tree/<name>: levels nested directories "d", leaf.txt at the bottom
 * with a second name dir/tree/<name>-link.txt made before any run. */
static bool nested_tree(const char *name, int levels, char *top, size_t cap,
			char *link_out, size_t lcap)
{
	char *p = malloc(strlen(tree) + strlen(name) + 3 * (size_t)levels + 16);
	size_t n;
	bool ok;

	if (!p)
		return false;
	snprintf(top, cap, "%s/%s", tree, name);
	snprintf(link_out, lcap, "%s/%s-link.txt", tree, name);
	n = (size_t)sprintf(p, "%s", top);
	ok = mkdir(p, 0755) == 0;
	for (int i = 0; ok && i < levels; i++) {
		n += (size_t)sprintf(p + n, "/d");
		ok = mkdir(p, 0755) == 0;
	}
	if (ok) {
		sprintf(p + n, "/leaf.txt");
		ok = write_file(p, "LEAF\n") && link(p, link_out) == 0;
	}
	free(p);
	return ok;
}

/* A denied directory too large to search for the other names of its files
 * is refused at build, naming it: the leaf's second name would be granted
 * (docs/confinement.md, "Other names of the files of a denied
 * directory"). A shallow one is searched: its leaf is refused by its
 * other name. */
TEST(a_denied_tree_too_large_to_search_is_refused_at_build)
{
	char deep[200], deep_link[220], flat[200], flat_link[220];
	char script[600];
	sandlock_builder_t *b;
	struct hrun o;

	if (!setup())
		FAIL("scratch setup failed");
	CHECK(nested_tree("deep", 70, deep, sizeof(deep), deep_link,
			  sizeof(deep_link)));
	CHECK(nested_tree("flat", 5, flat, sizeof(flat), flat_link,
			  sizeof(flat_link)));
	b = sandlock_sandbox_builder_fs_read(base_builder(), tree);
	b = sandlock_sandbox_builder_fs_deny(b, deep);
	snprintf(script, sizeof(script), "cat %s && echo LEAK", deep_link);
	sh(b, script, &o);
	CHECK(!o.ok);
	CHECK(o.build_err != NULL);
	CHECK_CONTAINS(o.build_err, "too large to search");
	CHECK_CONTAINS(o.build_err, deep);
	hrun_free(&o);

	b = sandlock_sandbox_builder_fs_read(base_builder(), tree);
	b = sandlock_sandbox_builder_fs_deny(b, flat);
	snprintf(script, sizeof(script), "cat %s && echo LEAK; cat %s",
		 flat_link, public);
	sh(b, script, &o);
	if (he_can_freeze()) {
		CHECK_RAN(&o);
		CHECK_STR(o.out, "PUBLIC\n");
		CHECK_CONTAINS(o.err, "Permission denied");
	} else {
		refused_for_another_name(&o, flat);
	}
	hrun_free(&o);
	scratch_remove(dir);
}

/* The same tree grown past the search's bounds after the build: the run
 * cannot tell the other names of the files past them, and refuses what it
 * decides instead of granting the leaf's second name. */
TEST(a_denied_tree_grown_past_the_search_after_the_build_fails_closed)
{
	const char *argv[] = { "/bin/sh", "-c", NULL, NULL };
	char top[200], link_name[220], script[600], p[400];
	sandlock_builder_t *b;
	sandlock_sandbox_t *sb;
	struct hrun o;
	size_t n;

	if (!setup())
		FAIL("scratch setup failed");
	snprintf(top, sizeof(top), "%s/grows", tree);
	CHECK(mkdir(top, 0755) == 0);
	b = sandlock_sandbox_builder_fs_read(base_builder(), tree);
	sb = sandlock_sandbox_build(sandlock_sandbox_builder_fs_deny(b, top),
				    NULL, NULL);
	CHECK(sb != NULL);
	/* after the build: 70 levels, a leaf with a name outside */
	n = (size_t)snprintf(p, sizeof(p), "%s", top);
	for (int i = 0; i < 70; i++) {
		n += (size_t)snprintf(p + n, sizeof(p) - n, "/d");
		CHECK(mkdir(p, 0755) == 0);
	}
	snprintf(p + n, sizeof(p) - n, "/leaf.txt");
	snprintf(link_name, sizeof(link_name), "%s/grows-link.txt", tree);
	CHECK(write_file(p, "LEAF\n") && link(p, link_name) == 0);
	snprintf(script, sizeof(script), "cat %s && echo LEAK; cat %s",
		 link_name, public);
	argv[2] = script;
	hrun_with(sb, argv, NULL, 0, &o);
	CHECK(!strstr(o.out ? o.out : "", "LEAF"));
	CHECK(!strstr(o.out ? o.out : "", "LEAK"));
	/* fails closed: what it decides is refused, the granted file too */
	CHECK(!strstr(o.out ? o.out : "", "PUBLIC"));
	hrun_free(&o);
	sandlock_sandbox_free(sb);
	scratch_remove(dir);
}

TEST(create_follows_write_grants)
{
	char w[128], r[128], script[600], made[200], refused[200];
	sandlock_builder_t *b;
	struct hrun o;
	struct stat st;

	if (!setup())
		FAIL("scratch setup failed");
	snprintf(w, sizeof(w), "%s/w", dir);
	snprintf(r, sizeof(r), "%s/r", dir);
	CHECK(mkdir(w, 0755) == 0 && mkdir(r, 0755) == 0);
	snprintf(made, sizeof(made), "%s/new.txt", w);
	snprintf(refused, sizeof(refused), "%s/new.txt", r);
	b = base_builder();
	b = sandlock_sandbox_builder_fs_write(b, w);
	b = sandlock_sandbox_builder_fs_read(b, r);
	b = sandlock_sandbox_builder_fs_deny(b, secret);
	snprintf(script, sizeof(script),
		 "umask 027; echo hello > %s || exit 3; "
		 "echo nope > %s && exit 4; exit 0",
		 made, refused);
	sh(b, script, &o);
	CHECK_RAN(&o);
	CHECK_EQ_INT(o.code, 0);
	CHECK_CONTAINS(o.err, "Permission denied");
	CHECK(stat(made, &st) == 0);
	CHECK_EQ_INT(st.st_size, 6);
	CHECK_EQ_INT(st.st_mode & 0777, 0640); /* the child's umask */
	CHECK(stat(refused, &st) < 0 && errno == ENOENT);
	hrun_free(&o);
	scratch_remove(dir);
}

/* Opens of what the ruleset gives rights to are the kernel's
 * (docs/confinement.md, "Opens left to the kernel"); what is created beside a denied entry has
 * no file right from Landlock and is served on behalf: it must open all
 * the same, as must what moves there; a new directory is listed by the
 * kernel (it inherits the right to list). */
TEST(new_entries_beside_a_denied_file_open)
{
	char w[128], script[1200];
	sandlock_builder_t *b;
	struct hrun o;

	if (!setup())
		FAIL("scratch setup failed");
	snprintf(w, sizeof(w), "%s/w", dir);
	CHECK(mkdir(w, 0755) == 0);
	CHECK(write_file(join(w, "secret"), "SECRET\n"));
	CHECK(write_file(join(w, "old"), "OLD\n"));
	b = base_builder();
	b = sandlock_sandbox_builder_fs_write(b, w);
	b = sandlock_sandbox_builder_fs_deny(b, join(w, "secret"));
	snprintf(script, sizeof(script),
		 "cd %s || exit 2; echo new > new && cat new && "
		 "mkdir d && echo inner > d/f && cat d/f && "
		 "mv new d/moved && cat d/moved && mv d/f f && cat f && "
		 "cat old && echo more >> old && cat old && ls d && "
		 "{ cat secret && echo LEAK; true; }",
		 w);
	sh(b, script, &o);
	CHECK_RAN(&o);
	CHECK_EQ_INT(o.code, 0);
	CHECK_STR(o.out, "new\ninner\nnew\ninner\nOLD\nOLD\nmore\nmoved\n");
	CHECK_CONTAINS(o.err, "Permission denied");
	hrun_free(&o);
	scratch_remove(dir);
}

/* A sandbox built once and run again: its ruleset is the first run's, so
 * a file the host made in between beside a denied one has no rule and is
 * served; a denied file the host made in between is refused. */
TEST(a_file_made_between_two_runs_of_one_sandbox_opens)
{
	const char *argv[] = { "/bin/cat", NULL, NULL };
	char late[200], *msg = NULL;
	sandlock_sandbox_t *sb;
	int err = 0;
	struct hrun o;

	if (!setup())
		FAIL("scratch setup failed");
	snprintf(late, sizeof(late), "%s/late.txt", tree);
	sb = sandlock_sandbox_build(deny_builder(), &err, &msg);
	if (!sb)
		FAIL("build: %s", msg ? msg : "?");
	argv[1] = public;
	hrun_with(sb, argv, NULL, 0, &o);
	CHECK_RAN(&o);
	CHECK_STR(o.out, "PUBLIC\n");
	hrun_free(&o);
	CHECK(write_file(late, "LATE\n"));
	argv[1] = late;
	hrun_with(sb, argv, NULL, 0, &o);
	CHECK_RAN(&o);
	CHECK_EQ_INT(o.code, 0);
	CHECK_STR(o.out, "LATE\n");
	hrun_free(&o);
	argv[1] = secret;
	hrun_with(sb, argv, NULL, 0, &o);
	CHECK_RAN(&o);
	CHECK(o.code != 0);
	CHECK_STR(o.out, "");
	hrun_free(&o);
	sandlock_sandbox_free(sb);
	scratch_remove(dir);
}

TEST(denied_file_cannot_be_removed_renamed_or_linked)
{
	char w[128], s[200], script[800];
	sandlock_builder_t *b;
	struct hrun o;
	struct stat st;

	if (!setup())
		FAIL("scratch setup failed");
	snprintf(w, sizeof(w), "%s/w", dir);
	snprintf(s, sizeof(s), "%s/s.txt", w);
	CHECK(mkdir(w, 0755) == 0 && write_file(s, "SECRET\n"));
	b = base_builder();
	b = sandlock_sandbox_builder_fs_write(b, w);
	b = sandlock_sandbox_builder_fs_deny(b, s);
	snprintf(script, sizeof(script),
		 "cd %s; rm -f s.txt && echo RM; mv s.txt t.txt && echo MV; "
		 "ln s.txt h.txt && echo LN; echo x > s.txt && echo WR; "
		 "echo end",
		 w);
	sh(b, script, &o);
	CHECK_RAN(&o);
	CHECK_STR(o.out, "end\n");
	CHECK(stat(s, &st) == 0 && st.st_size == 7);
	hrun_free(&o);
	scratch_remove(dir);
}

TEST(proc_sensitive_and_foreign_entries_are_denied)
{
	const char *script = "head -c1 /proc/kcore >/dev/null && echo KCORE; "
			     "head -c1 /proc/timer_list >/dev/null && "
			     "echo TIMERS; "
			     "ls /proc/acpi >/dev/null && echo ACPI; "
			     "cat /proc/1/environ >/dev/null && echo ENVIRON1; "
			     "cat /proc/1/status >/dev/null && echo STATUS1; "
			     "grep -q '^Name:' /proc/self/status && echo SELF; "
			     "grep -q '^Name:' /proc/$$/status && echo OWNPID; "
			     "echo end";
	sandlock_builder_t *b = base_builder();
	struct hrun o;

	b = sandlock_sandbox_builder_fs_read(b, "/proc");
	sh(b, script, &o);
	CHECK_RAN(&o);
	CHECK_STR(o.out, "SELF\nOWNPID\nend\n");
	hrun_free(&o);
}

/* /proc/self and /proc/thread-self name the child's own directories
 * (walked by the kernel as /proc/<pid>), also with ".." after them, which
 * leads to other processes' directories and their refusal. */
TEST(proc_self_and_thread_self_are_the_childs_own)
{
	const char *script =
		"read -r a b < /proc/self/stat; [ \"$a\" = $$ ] && echo SELF; "
		"read -r a b < /proc/thread-self/stat; [ \"$a\" = $$ ] && "
		"echo THREAD; "
		"read -r a b < /proc/self/task/$$/stat && [ \"$a\" = $$ ] && "
		"echo TASK; "
		"cat /proc/self/../1/status >/dev/null 2>&1 && echo UP1; "
		"cat /proc/thread-self/../../1/status >/dev/null 2>&1 && "
		"echo UP2; "
		"cat /proc/self/nonexistent 2>/dev/null || echo ENOENT; "
		"echo end";
	sandlock_builder_t *b = base_builder();
	char *out;
	struct hrun o;

	b = sandlock_sandbox_builder_fs_read(b, "/proc");
	sh(b, script, &o);
	CHECK_RAN(&o);
	CHECK_STR(o.out, "SELF\nTHREAD\nTASK\nENOENT\nend\n");
	hrun_free(&o);
	/* a walk that refuses symlinks stops at "self", as the kernel's */
	b = sandlock_sandbox_builder_fs_read(base_builder(), "/proc");
	out = PROBE(b, "openat2", "/proc", "/proc/self/status", "no_symlinks");
	CHECK_STR(out, "openat2 ELOOP\n");
	free(out);
}

TEST(dev_stdout_reaches_the_childs_own_stdout)
{
	struct hrun o;

	if (!setup())
		FAIL("scratch setup failed");
	sh(deny_builder(), "echo via-dev-stdout > /dev/stdout", &o);
	CHECK_RAN(&o);
	CHECK_EQ_INT(o.code, 0);
	CHECK_STR(o.out, "via-dev-stdout\n");
	hrun_free(&o);
	scratch_remove(dir);
}

TEST(granted_directories_open_and_list)
{
	char script[512];
	struct hrun o;

	if (!setup())
		FAIL("scratch setup failed");
	/* listing is not gated: the denied name is visible, not readable */
	snprintf(script, sizeof(script), "ls %s && cd %s && ls -d .", tree,
		 tree);
	sh(deny_builder(), script, &o);
	CHECK_RAN(&o);
	CHECK_EQ_INT(o.code, 0);
	CHECK_STR(o.out, "public.txt\nsdir\nsecret.txt\n.\n");
	hrun_free(&o);
	scratch_remove(dir);
}
