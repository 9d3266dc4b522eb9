/*
 * What the filesystem view must keep working: O_PATH opens and their
 * uses, openat2's resolution flags as the kernel applies them, metadata
 * writes and watches inside the grants, FIFOs (whose opens wait, off the
 * supervisor's loop), listing the directories around a denied entry, a
 * denied binary's siblings, the child's own files under --user, and
 * metadata writes made with the ids and groups the child has at the time.
 */
#include "harness.h"
#include "lib/files.h"
#include "lib/fsprobe.h"
#include "lib/hostenv.h"
#include "lib/paths.h"
#include "lib/policy.h"
#include "lib/scratch.h"

static char dir[64];

/* dir/r (read grant): file "R", sub/; dir/w (write grant): file "W",
 * secret (denied), bin/ with true (allowed) and false (denied). */
static bool setup(void)
{
	const char *r, *w;

	if (!scratch_dir(dir, sizeof(dir)))
		return false;
	r = join(dir, "r");
	w = join(dir, "w");
	return mkdir(r, 0755) == 0 && mkdir(w, 0755) == 0 &&
	       mkdir(join(r, "sub"), 0755) == 0 &&
	       mkdir(join(w, "bin"), 0755) == 0 &&
	       write_file(join(r, "file"), "R\n") &&
	       write_file(join(join(r, "sub"), "inner"), "INNER\n") &&
	       write_file(join(w, "file"), "W\n") &&
	       write_file(join(w, "secret"), "SECRET\n");
}

/* fs_deny on: every open goes through the supervisor. */
static sandlock_builder_t *deny_builder(void)
{
	sandlock_builder_t *b = base_builder();

	b = sandlock_sandbox_builder_fs_read(b, join(dir, "r"));
	b = sandlock_sandbox_builder_fs_write(b, join(dir, "w"));
	return sandlock_sandbox_builder_fs_deny(b,
						join(join(dir, "w"), "secret"));
}

/* /proc granted, nothing denied: only procfs is served. */
static sandlock_builder_t *proc_builder(void)
{
	sandlock_builder_t *b = base_builder();

	b = sandlock_sandbox_builder_fs_read(b, "/proc");
	b = sandlock_sandbox_builder_fs_read(b, join(dir, "r"));
	return sandlock_sandbox_builder_fs_write(b, join(dir, "w"));
}

TEST(o_path_opens_and_their_uses)
{
	char *out;
	int pass;

	if (!setup())
		FAIL("scratch setup failed");
	for (pass = 0; pass < 2; pass++) {
		sandlock_builder_t *b = pass ? proc_builder() : deny_builder();

		out = PROBE(b, "opath_use", join(dir, "r"), "file");
		if (strcmp(out, "opath_use-fstat OK\nopath_use-openat OK R\n"
				"opath_use-fchdir OK\nopath_use-relative OK\n"))
			FAIL("pass %d: %s", pass, out);
		free(out);
	}
	scratch_remove(dir);
}

TEST(openat2_resolution_flags_as_in_the_kernel)
{
	const char *r;
	char *out;

	if (!setup())
		FAIL("scratch setup failed");
	r = join(dir, "r");
	CHECK(symlink("file", join(r, "link")) == 0);
	CHECK(symlink("/etc/hostname", join(r, "abs")) == 0);
	out = PROBE(deny_builder(), "openat2", r, "link", "no_symlinks");
	CHECK_STR(out, "openat2 ELOOP\n");
	free(out);
	out = PROBE(deny_builder(), "openat2", r, "link", "beneath");
	CHECK_STR(out, "openat2 OK R\n");
	free(out);
	out = PROBE(deny_builder(), "openat2", r, "abs", "beneath");
	CHECK_STR(out, "openat2 EXDEV\n");
	free(out);
	out = PROBE(deny_builder(), "openat2", r, "sub/../file", "beneath");
	CHECK_STR(out, "openat2 OK R\n");
	free(out);
	/* in_root: the absolute link lands under the dirfd (no such file) */
	out = PROBE(deny_builder(), "openat2", r, "abs", "in_root");
	CHECK_STR(out, "openat2 ENOENT\n");
	free(out);
	out = PROBE(deny_builder(), "openat2", r, "/proc/self/status",
		    "in_root");
	CHECK_STR(out, "openat2 ENOENT\n"); /* resolved in r: not there */
	free(out);
	out = PROBE(deny_builder(), "openat2", r, "/proc/self/status",
		    "no_magiclinks");
	CHECK_STR(out, "openat2 EACCES\n"); /* /proc is not granted */
	free(out);
	out = PROBE(deny_builder(), "openat2", join(dir, "w"), "secret",
		    "beneath");
	CHECK_STR(out, "openat2 EACCES\n");
	free(out);
	scratch_remove(dir);
}

TEST(metadata_writes_inside_a_write_grant)
{
	const char *f;
	char *out, *line;

	if (!setup())
		FAIL("scratch setup failed");
	f = join(join(dir, "w"), "file");
	/* with fs_deny, then without */
	for (int pass = 0; pass < 2; pass++) {
		out = PROBE(pass ? sandlock_sandbox_builder_fs_write(
					   base_builder(), join(dir, "w")) :
				   deny_builder(),
			    "meta", f);
		/* every call succeeds but the removals of an attribute a
		 * previous call already removed */
		for (line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
			if (!strstr(line, " OK") && !strstr(line, " ENODATA"))
				FAIL("pass %d: %s", pass, line);
		free(out);
	}
	scratch_remove(dir);
}

TEST(mode_and_owner_changes_land_on_the_file)
{
	char script[512];
	struct stat st;
	char *out;

	if (!setup())
		FAIL("scratch setup failed");
	snprintf(script, sizeof(script),
		 "chmod 0600 %s && touch -d 2001-02-03 %s && echo done",
		 join(join(dir, "w"), "file"), join(join(dir, "w"), "file"));
	out = SH(deny_builder(), script);
	CHECK_STR(out, "done\n");
	free(out);
	CHECK(stat(join(join(dir, "w"), "file"), &st) == 0);
	CHECK_EQ_INT(st.st_mode & 07777, 0600);
	CHECK(st.st_mtime > 981000000 && st.st_mtime < 981300000);
	scratch_remove(dir);
}

TEST(watches_inside_the_grants)
{
	char *out;

	if (!setup())
		FAIL("scratch setup failed");
	/* In a container (no pidfd_getfd) the supervisor cannot add a
	 * watch to the child's instance: instances are refused as on a
	 * kernel without them (docs/containers.md). */
	bool none = he_restricted();

	out = PROBE(deny_builder(), "inotify", join(dir, "r"));
	CHECK_STR(out, none ? "inotify_init ENOSYS\n" : "inotify OK\n");
	free(out);
	out = PROBE(deny_builder(), "inotify_event", join(dir, "w"));
	CHECK_STR(out, none ? "inotify_event ENOSYS\n" :
			      "inotify_event OK probe-event\n");
	free(out);
	out = PROBE(deny_builder(), "fanotify", join(dir, "r"));
	CHECK_STR(out, none ? "fanotify_init ENOSYS\n" : "fanotify OK\n");
	free(out);
	scratch_remove(dir);
}

TEST(fifo_opens_wait_for_the_other_end)
{
	char script[512];
	char *out;

	if (!setup())
		FAIL("scratch setup failed");
	/* the reader's open waits (in a worker) for the writer's */
	snprintf(script, sizeof(script),
		 "cd %s || exit 1; mkfifo f || exit 1; "
		 "(sleep 0.2; echo through > f) & cat f; wait",
		 join(dir, "w"));
	out = SH(deny_builder(), script);
	CHECK_STR(out, "through\n");
	free(out);
	scratch_remove(dir);
}

TEST(a_waiting_fifo_open_ends_with_the_run)
{
	sandlock_builder_t *b;
	sandlock_sandbox_t *sb;
	sandlock_handle_t *h;
	sandlock_result_t *r;
	char *msg = NULL;
	int err = 0;
	const char *argv[3];

	if (!setup())
		FAIL("scratch setup failed");
	CHECK(mkfifo(join(join(dir, "w"), "lonely"), 0644) == 0);
	argv[0] = helper("fs_probe");
	argv[1] = "fifo_read";
	argv[2] = join(join(dir, "w"), "lonely");
	b = deny_builder();
	sb = sandlock_sandbox_build(b, &err, &msg);
	CHECK(sb);
	h = sandlock_create_for_run(sb, NULL, argv, 3);
	CHECK(h && sandlock_start(h) == 0);
	/* nobody ever writes: the run times out, the worker is cancelled */
	r = sandlock_handle_wait_timeout(h, 1000);
	CHECK(r);
	CHECK_EQ_INT(sandlock_result_reason(r), SANDLOCK_EXIT_REASON_TIMEOUT);
	sandlock_result_free(r);
	sandlock_handle_free(h);
	sandlock_sandbox_free(sb);
	scratch_remove(dir);
}

TEST(directories_around_a_denied_entry_list_and_siblings_run)
{
	const char *w, *bin;
	char script[1024];
	char *out;

	if (!setup())
		FAIL("scratch setup failed");
	w = join(dir, "w");
	bin = join(w, "bin");
	{
		/* copies: a program is executable wherever it lies */
		char cmd[512];

		snprintf(cmd, sizeof(cmd),
			 "cp /bin/true %s/ok && cp /bin/false %s/no", bin, bin);
		CHECK(system(cmd) == 0);
	}
	{
		sandlock_builder_t *b = deny_builder();

		b = sandlock_sandbox_builder_fs_deny(b, join(bin, "no"));
		snprintf(script, sizeof(script),
			 "ls %s | wc -l; %s/ok && echo ran; %s/no; echo $?; "
			 "echo new > %s/new && cat %s/new",
			 w, bin, bin, w, w);
		out = SH(b, script);
	}
	/* w lists (bin, file, secret), the sibling runs, the denied binary
	 * does not (126: not executable), a new file can be written and
	 * read */
	CHECK_STR(out, "3\nran\n126\nnew\n");
	free(out);
	scratch_remove(dir);
}

TEST(listing_sys_around_its_sensitive_entries)
{
	sandlock_builder_t *b;
	char *out;

	b = sandlock_sandbox_builder_fs_read(base_builder(), "/sys");
	out = PROBE(b, "ls", "/sys/class");
	CHECK(strncmp(out, "ls OK ", 6) == 0);
	free(out);
	b = sandlock_sandbox_builder_fs_read(base_builder(), "/sys");
	out = PROBE(b, "ls", "/sys/class/net");
	CHECK_STR(out, "ls EACCES\n");
	free(out);
}

TEST(a_user_reads_its_own_files_through_the_supervisor)
{
	sandlock_builder_t *b;
	const char *f;
	char *out;

	if (geteuid() != 0)
		SKIP("needs root for a user namespace mapping uid 1000");
	if (!setup())
		FAIL("scratch setup failed");
	f = join(join(dir, "r"), "file");
	CHECK(chmod(f, 0600) == 0);
	b = sandlock_sandbox_builder_user(deny_builder(), 1000, 1000);
	/* the child's uid 1000 is root's outside: root's 0600 file is its */
	out = PROBE(b, "read", f);
	CHECK_STR(out, "read OK R\n");
	free(out);
	scratch_remove(dir);
}

TEST(metadata_writes_follow_the_childs_ids_and_groups_as_they_change)
{
	const char *f;
	char *out;

	if (geteuid() != 0)
		SKIP("needs root to own a file as another user");
	if (!setup())
		FAIL("scratch setup failed");
	/* writable by its group only: touching it needs the group (or the
	 * capabilities fsuid 0 brings) */
	f = join(join(dir, "w"), "group");
	CHECK(chmod(dir, 0755) == 0); /* searchable as fsuid 1000 */
	CHECK(write_file(f, "G\n"));
	CHECK(chown(f, 2000, 3000) == 0 && chmod(f, 0664) == 0);
	/* without fs_deny (groups kept, ids read per call), then with it
	 * (everything kept, every change notified) */
	for (int pass = 0; pass < 2; pass++) {
		out = PROBE(pass ? deny_builder() :
				   sandlock_sandbox_builder_fs_write(
					   base_builder(), join(dir, "w")),
			    "ids", f);
		/* Without CAP_SYS_PTRACE (a container) nobody may read the
		 * memory of a task that changed its ids until it execs: its
		 * supervised calls then fail rather than go unchecked. */
		CHECK_STR(out,
			  he_has_sys_ptrace() ?
				  "ids OK\nids EACCES\nids OK\nids EACCES\n"
				  "ids OK\n" :
				  "ids OK\nids EFAULT\nids EFAULT\n"
				  "ids EFAULT\nids EFAULT\n");
		free(out);
	}
	scratch_remove(dir);
}
