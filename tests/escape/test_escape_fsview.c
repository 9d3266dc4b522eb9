/*
 * Escapes from the filesystem policy: resolution the supervisor cannot
 * follow, races between a check and the kernel's own lookup, openat2
 * resolution flags, O_PATH, metadata writes and watches outside the
 * grants, the supervisor's own privileges, and sensitive entries reached
 * under another name. Every dangerous call is made inside a sandbox on a
 * private scratch tree; the races run a second thread a bounded number of
 * times, and an unconfined control run shows that they are really hit.
 */
#include <pthread.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/statfs.h>

#include "harness.h"
#include "lib/files.h"
#include "lib/fsprobe.h"
#include "lib/hostenv.h"
#include "lib/policy.h"
#include "lib/run.h"
#include "lib/scratch.h"

static char dir[64];

static long leaked(const char *out)
{
	return race_count(out, true);
}

static long done(const char *out)
{
	return race_count(out, false);
}

/* ---- class 1: resolution the supervisor cannot follow ---------------- */

/* dir/d/{l1..l7, sub/secret}: l<i> -> "l<i+1>/././...(3.8 KB)", l7 ->
 * "sub/././...": following them leaves 7 x 3.8 KB of text still to walk
 * (the kernel keeps each link's body apart and has no such limit);
 * secret is a copy of /bin/false, denied. */
static bool long_chain(char *secret, size_t cap, char *via, size_t vcap)
{
	char d[128], pad[3900], target[4000];

	if (!scratch_dir(dir, sizeof(dir)))
		return false;
	snprintf(d, sizeof(d), "%s/d", dir);
	if (mkdir(d, 0755) < 0 || mkdir(join(d, "sub"), 0755) < 0)
		return false;
	snprintf(secret, cap, "%s/sub/secret", d);
	if (!copy_file("/bin/false", secret, 0755))
		return false;
	for (size_t i = 0; i + 2 < sizeof(pad) - 100; i += 2)
		memcpy(pad + i, "./", 3);
	for (int i = 1; i <= 7; i++) {
		char name[16], next[16];

		snprintf(name, sizeof(name), "l%d", i);
		snprintf(next, sizeof(next), "l%d", i + 1);
		snprintf(target, sizeof(target), "%s/%s", i == 7 ? "sub" : next,
			 pad);
		if (symlink(target, join(d, name)) < 0)
			return false;
	}
	snprintf(via, vcap, "/proc/self/root%s/l1/secret", d);
	return true;
}

static sandlock_builder_t *chain_builder(const char *secret)
{
	sandlock_builder_t *b = base_builder();

	b = sandlock_sandbox_builder_fs_write(b, join(dir, "d"));
	return sandlock_sandbox_builder_fs_deny(b, secret);
}

TEST(class1_long_symlink_chain_reaches_no_denied_file)
{
	char secret[256], via[256];
	off_t size;
	char *out = NULL;

	if (!long_chain(secret, sizeof(secret), via, sizeof(via)))
		FAIL("scratch setup failed");
	size = size_of(secret);
	out = PROBE(chain_builder(secret), "exec", via);
	if (strcmp(out, "exec EACCES\n") != 0)
		FAIL("exec through the chain: \"%s\"", out);
	free(out);
	out = PROBE(chain_builder(secret), "rename", via,
		    join(join(dir, "d"), "moved"));
	if (strcmp(out, "rename EACCES\n") != 0)
		FAIL("rename through the chain: \"%s\"", out);
	free(out);
	out = PROBE(chain_builder(secret), "truncate", via);
	if (strcmp(out, "truncate EACCES\n") != 0)
		FAIL("truncate through the chain: \"%s\"", out);
	free(out);
	CHECK_EQ_INT(size_of(secret), size);
	scratch_remove(dir);
}

/* ---- class 2: check-then-kernel races --------------------------------- */

/* dir/t (read grant): public "PUBLIC", secret "SECRET" (denied), fifo,
 * true and false (copies; false denied); dir/w (write grant): ok,
 * secret (denied), ro is in dir/r (read grant). */
static bool race_setup(void)
{
	const char *t, *w, *r;

	if (!scratch_dir(dir, sizeof(dir)))
		return false;
	t = join(dir, "t");
	w = join(dir, "w");
	r = join(dir, "r");
	return mkdir(t, 0755) == 0 && mkdir(w, 0755) == 0 &&
	       mkdir(r, 0755) == 0 && mkdir(join(w, "a"), 0755) == 0 &&
	       mkdir(join(w, "b"), 0755) == 0 &&
	       write_file(join(t, "public"), "PUBLIC\n") &&
	       write_file(join(t, "secret"), "SECRET\n") &&
	       mkfifo(join(t, "fifo"), 0644) == 0 &&
	       copy_file("/bin/true", join(t, "true"), 0755) &&
	       copy_file("/bin/false", join(t, "false"), 0755) &&
	       write_file(join(w, "ok"), "OK\n") &&
	       write_file(join(w, "secret"), "SECRET\n") &&
	       write_file(join(join(w, "a"), "victim"), "A\n") &&
	       write_file(join(join(w, "b"), "victim"), "B\n") &&
	       write_file(join(r, "ro"), "RO\n") &&
	       chmod(join(r, "ro"), 0644) == 0;
}

static sandlock_builder_t *race_builder(void)
{
	sandlock_builder_t *b = base_builder();
	const char *t = join(dir, "t"), *w = join(dir, "w");

	b = sandlock_sandbox_builder_fs_read(b, t);
	b = sandlock_sandbox_builder_fs_read(b, join(dir, "r"));
	b = sandlock_sandbox_builder_fs_write(b, w);
	b = sandlock_sandbox_builder_fs_deny(b, join(t, "secret"));
	b = sandlock_sandbox_builder_fs_deny(b, join(t, "false"));
	b = sandlock_sandbox_builder_fs_deny(b, join(w, "secret"));
	return sandlock_sandbox_builder_fs_deny(b,
						join(join(w, "b"), "victim"));
}

TEST(class2_fifo_swap_never_opens_the_denied_file)
{
	const char *t;
	char *out = NULL;

	if (!race_setup())
		FAIL("scratch setup failed");
	t = join(dir, "t");
	if (!RACE_CONTROL(out, leaked(out) > 0, "open", join(t, "fifo"),
			  join(t, "secret"), "2000"))
		FAIL("control: the race was not hit: %s", out);
	free(out);
	out = RACE(race_builder(), "open", join(t, "fifo"), join(t, "secret"),
		   "2000");
	if (leaked(out) != 0)
		FAIL("sandboxed: %s", out);
	free(out);
	scratch_remove(dir);
}

/* A thread flips an exec between granted and denied: the sandbox of b
 * (consumed) never runs denied, the unconfined control does (the race is
 * hit). */
static void exec_race_never_runs(sandlock_builder_t *b, const char *granted,
				 const char *denied)
{
	char *boxed = RACE(b, "exec", granted, denied, "300");
	char *out = NULL;
	bool hit = RACE_CONTROL(out, leaked(out) > 0, "exec", granted, denied,
				"300");
	bool held = leaked(boxed) == 0 && done(boxed) > 0;

	if (!hit)
		fprintf(stderr, "  control: the race was not hit: %s\n", out);
	if (!held)
		fprintf(stderr, "  sandboxed: %s\n", boxed);
	free(out);
	free(boxed);
	CHECK(hit && held);
}

TEST(class2_exec_swap_never_runs_the_denied_binary)
{
	const char *t;

	if (!race_setup())
		FAIL("scratch setup failed");
	t = join(dir, "t");
	exec_race_never_runs(race_builder(), join(t, "true"), join(t, "false"));
	scratch_remove(dir);
}

/* Another name of a denied binary (a hard link made before the run) is a
 * path Landlock grants: the supervisor denies it by identity, on a
 * sandbox held still while the exec is decided, so a thread cannot put
 * that name back after the check. */
TEST(class2_exec_of_another_name_never_runs_the_denied_binary)
{
	const char *t;

	if (!he_can_freeze())
		SKIP("ptrace refused here: such a policy is refused at build "
		     "(test_handlers_fsdeny)");
	if (!race_setup())
		FAIL("scratch setup failed");
	t = join(dir, "t");
	CHECK(link(join(t, "false"), join(t, "alias")) == 0);
	exec_race_never_runs(race_builder(), join(t, "true"), join(t, "alias"));
	scratch_remove(dir);
}

/* Every name of the denied binary denied (the second one too): the deny
 * set names all its links, so nothing is held (also where ptrace is
 * refused) and the kernel refuses both names: a thread flipping the path
 * between a granted binary and the second name never runs it. */
TEST(class2_exec_swap_to_a_denied_second_name_never_runs_it)
{
	const char *t;

	if (!race_setup())
		FAIL("scratch setup failed");
	t = join(dir, "t");
	CHECK(link(join(t, "false"), join(t, "alias")) == 0);
	exec_race_never_runs(sandlock_sandbox_builder_fs_deny(race_builder(),
							      join(t, "alias")),
			     join(t, "true"), join(t, "alias"));
	scratch_remove(dir);
}

/* A denied path that did not exist when the run's ruleset was built is no
 * hole in it: a binary the host makes there during the run is a path
 * Landlock grants, refused by the supervisor's check. A thread flipping
 * the exec between a granted binary and that path never runs it. */
struct later {
	const char *path;
	pthread_t thread;
};

static void *make_later(void *arg)
{
	struct later *l = arg;

	usleep(300 * 1000); /* the run is under way */
	return copy_file("/bin/false", l->path, 0755) ? arg : NULL;
}

TEST(class2_exec_swap_to_a_denied_path_made_during_the_run_never_runs_it)
{
	const char *argv[] = { "/bin/sh", "-c", NULL, NULL };
	struct later l;
	sandlock_sandbox_t *sb;
	char *out = NULL, *script = NULL;
	void *made = NULL;
	struct hrun o;
	const char *t;

	if (!race_setup())
		FAIL("scratch setup failed");
	t = join(dir, "t");
	l.path = strdup(join(t, "later"));
	CHECK(l.path != NULL);
	CHECK(copy_file("/bin/false", l.path, 0755));
	if (!RACE_CONTROL(out, leaked(out) > 0, "exec", join(t, "true"), l.path,
			  "300"))
		FAIL("control: the race was not hit: %s", out);
	free(out);
	CHECK(unlink(l.path) == 0);
	/* the only denial in that grant: no hole in it at all */
	sb = sandlock_sandbox_build(
		sandlock_sandbox_builder_fs_deny(
			sandlock_sandbox_builder_fs_read(base_builder(), t),
			l.path),
		NULL, NULL);
	CHECK(sb != NULL);
	CHECK(asprintf(&script,
		       "while [ ! -x %s ]; do sleep 0.05; done; exec %s exec "
		       "%s %s 300",
		       l.path, helper("fs_race"), join(t, "true"), l.path) > 0);
	argv[2] = script;
	CHECK(pthread_create(&l.thread, NULL, make_later, &l) == 0);
	hrun_with(sb, argv, NULL, 0, &o);
	pthread_join(l.thread, &made);
	CHECK(made != NULL);
	if (!o.ok)
		FAIL("sandboxed: did not run: %s",
		     o.build_err ? o.build_err : "spawn failed");
	if (he_can_freeze()) {
		if (leaked(o.out) != 0 || done(o.out) <= 0)
			FAIL("sandboxed: %s (%s)", o.out, o.err);
	} else {
		/* nothing can be held: every exec refused (EPERM) */
		CHECK(leaked(o.out) <= 0);
	}
	hrun_free(&o);
	free(script);
	free((char *)l.path);
	sandlock_sandbox_free(sb);
	scratch_remove(dir);
}

/* The exec race through a bind mount of the denied binary's directory
 * (made before the run, inside the scratch directory): the other name is
 * found in the mount table and left out of the grants (fs/aliases.h), so
 * the kernel refuses it and nothing is held, where ptrace is refused
 * too. Into leaks: what got through, or -1 when it could not run. */
static long race_bind_mount(const char *t, const char *m)
{
	char *out = NULL;
	long n;

	if (!RACE_CONTROL(out, leaked(out) > 0, "exec", join(t, "true"),
			  join(m, "false"), "300")) {
		fprintf(stderr, "  control: the race was not hit: %s\n", out);
		free(out);
		return -1;
	}
	free(out);
	out = RACE(race_builder(), "exec", join(t, "true"), join(m, "false"),
		   "300");
	n = done(out) > 0 ? leaked(out) : -1;
	if (n != 0)
		fprintf(stderr, "  sandboxed: %s\n", out);
	free(out);
	return n;
}

TEST(class2_exec_through_a_bind_mount_never_runs_the_denied_binary)
{
	const char *t, *m;
	long leaks;

	if (!race_setup())
		FAIL("scratch setup failed");
	t = join(dir, "t");
	m = join(join(dir, "r"), "m");
	CHECK(mkdir(m, 0755) == 0);
	if (mount(t, m, NULL, MS_BIND, NULL) < 0) {
		int e = errno;

		scratch_remove(dir);
		SKIP("no bind mount here (%s)", strerror(e));
	}
	leaks = race_bind_mount(t, m);
	CHECK(umount2(m, MNT_DETACH) == 0);
	scratch_remove(dir);
	if (leaks != 0)
		FAIL("the denied binary ran through the bind mount");
}

/* With another name of a denied binary every exec holds the sandbox
 * still. A task waiting in a FIFO open (performed on its behalf: it
 * sleeps in the kernel until answered and cannot be stopped before) is
 * held as it is, so the execs next to it run instead of being refused
 * when the freeze would time out. */
TEST(class2_exec_next_to_a_waiting_fifo_open_runs)
{
	const char *t, *w;
	char script[1024];
	char *out;

	if (!race_setup())
		FAIL("scratch setup failed");
	t = join(dir, "t");
	w = join(dir, "w");
	CHECK(link(join(t, "false"), join(t, "alias")) == 0);
	CHECK(mkfifo(join(w, "pipe"), 0644) == 0);
	snprintf(script, sizeof(script),
		 "cat %s/pipe & sleep 0.3; %s/true && echo ran; "
		 "timeout 20 sh -c 'echo through > %s/pipe'; wait",
		 w, t, w);
	out = SH(race_builder(), script);
	/* where ptrace is refused such a policy is refused at build
	 * (test_handlers_fsdeny checks the message) */
	CHECK_STR(out, he_can_freeze() ? "ran\nthrough\n" : "(did not run)");
	free(out);
	scratch_remove(dir);
}

TEST(class2_truncate_swap_never_truncates_the_denied_file)
{
	const char *w;
	char *out = NULL;

	if (!race_setup())
		FAIL("scratch setup failed");
	w = join(dir, "w");
	if (!RACE_CONTROL(out, size_of(join(w, "secret")) == 0, "truncate",
			  join(w, "ok"), join(w, "secret"), "2000"))
		FAIL("control: the race was not hit: %s", out);
	free(out);
	CHECK(write_file(join(w, "secret"), "SECRET\n"));
	out = RACE(race_builder(), "truncate", join(w, "ok"), join(w, "secret"),
		   "2000");
	if (size_of(join(w, "secret")) != 7 || done(out) <= 0)
		FAIL("sandboxed: %s, denied file size %ld", out,
		     (long)size_of(join(w, "secret")));
	free(out);
	scratch_remove(dir);
}

/* The same through open(O_TRUNC): under a write grant such an open is
 * left to the kernel (docs/confinement.md, "Opens left to the kernel"),
 * which must refuse the denied file whatever the racing thread swaps in. */
TEST(class2_open_truncate_swap_never_truncates_the_denied_file)
{
	const char *w;
	char *out = NULL;

	if (!race_setup())
		FAIL("scratch setup failed");
	w = join(dir, "w");
	if (!RACE_CONTROL(out, size_of(join(w, "secret")) == 0, "opentrunc",
			  join(w, "ok"), join(w, "secret"), "2000"))
		FAIL("control: the race was not hit: %s", out);
	free(out);
	CHECK(write_file(join(w, "secret"), "SECRET\n"));
	out = RACE(race_builder(), "opentrunc", join(w, "ok"),
		   join(w, "secret"), "2000");
	if (size_of(join(w, "secret")) != 7 || done(out) <= 0)
		FAIL("sandboxed: %s, denied file size %ld", out,
		     (long)size_of(join(w, "secret")));
	free(out);
	scratch_remove(dir);
}

TEST(class2_symlink_swap_never_truncates_the_denied_file)
{
	const char *w, *l;
	char *out = NULL;

	if (!race_setup())
		FAIL("scratch setup failed");
	w = join(dir, "w");
	l = join(w, "link");
	if (!RACE_CONTROL(out, size_of(join(w, "secret")) == 0, "symlink", l,
			  join(w, "ok"), join(w, "secret"), "3000"))
		FAIL("control: the race was not hit: %s", out);
	free(out);
	CHECK(write_file(join(w, "secret"), "SECRET\n"));
	out = RACE(race_builder(), "symlink", l, join(w, "ok"),
		   join(w, "secret"), "3000");
	if (size_of(join(w, "secret")) != 7)
		FAIL("sandboxed: %s, denied file size %ld", out,
		     (long)size_of(join(w, "secret")));
	free(out);
	scratch_remove(dir);
}

TEST(class2_dirfd_swap_never_removes_the_denied_file)
{
	const char *w;
	char *out = NULL;

	if (!race_setup())
		FAIL("scratch setup failed");
	w = join(dir, "w");
	if (!RACE_CONTROL(out, size_of(join(join(w, "b"), "victim")) < 0,
			  "dirfd", join(w, "a"), join(w, "b"), "victim",
			  "2000"))
		FAIL("control: the race was not hit: %s", out);
	free(out);
	CHECK(write_file(join(join(w, "b"), "victim"), "B\n"));
	out = RACE(race_builder(), "dirfd", join(w, "a"), join(w, "b"),
		   "victim", "2000");
	if (size_of(join(join(w, "b"), "victim")) != 2 || done(out) <= 0)
		FAIL("sandboxed: %s", out);
	free(out);
	scratch_remove(dir);
}

TEST(class2_metadata_swap_never_changes_a_read_only_file)
{
	const char *w, *r;
	char *out = NULL;

	if (!race_setup())
		FAIL("scratch setup failed");
	w = join(dir, "w");
	r = join(join(dir, "r"), "ro");
	if (!RACE_CONTROL(out, mode_of(r) == 0600, "chmod", join(w, "ok"), r,
			  "2000"))
		FAIL("control: the race was not hit: %s", out);
	free(out);
	CHECK(chmod(r, 0644) == 0);
	out = RACE(race_builder(), "chmod", join(w, "ok"), r, "2000");
	if (mode_of(r) != 0644 || done(out) <= 0)
		FAIL("sandboxed: %s, read-only file mode %o", out,
		     (unsigned)mode_of(r));
	free(out);
	scratch_remove(dir);
}

TEST(class2_creat_is_an_open_too)
{
	const char *w;
	char *out;

	if (!race_setup())
		FAIL("scratch setup failed");
	w = join(dir, "w");
	/* a second name for the denied file, made before the run */
	CHECK(link(join(w, "secret"), join(w, "other-name")) == 0);
	out = PROBE(race_builder(), "creat_call", join(w, "secret"));
	/* where ptrace is refused such a policy is refused at build
	 * (test_handlers_fsdeny checks the message) */
	CHECK_STR(out,
		  he_can_freeze() ? "creat_call EACCES\n" : "(did not run)");
	free(out);
	out = PROBE(race_builder(), "creat_call", join(w, "other-name"));
	CHECK_STR(out,
		  he_can_freeze() ? "creat_call EACCES\n" : "(did not run)");
	free(out);
	CHECK_EQ_INT(size_of(join(w, "secret")), 7);
	scratch_remove(dir);
}

/* ---- class 3: openat2 resolution flags --------------------------------- */

TEST(class3_openat2_resolves_from_the_dirfd)
{
	char root[128], etc[160], made[160];
	sandlock_builder_t *b;
	char *out = NULL;

	if (!scratch_dir(dir, sizeof(dir)))
		FAIL("scratch setup failed");
	snprintf(root, sizeof(root), "%s/root", dir);
	snprintf(etc, sizeof(etc), "%s/etc", root);
	snprintf(made, sizeof(made), "%s/made-in-root", root);
	CHECK(mkdir(root, 0755) == 0 && mkdir(etc, 0755) == 0);
	CHECK(write_file(join(etc, "hostname"), "INROOT\n"));
	b = sandlock_sandbox_builder_fs_write(base_builder(), root);
	b = sandlock_sandbox_builder_fs_deny(b, join(root, "nothing"));
	out = PROBE(b, "openat2", root, "/etc/hostname", "in_root");
	CHECK_STR(out, "openat2 OK INROOT\n");
	free(out);
	b = sandlock_sandbox_builder_fs_write(base_builder(), root);
	b = sandlock_sandbox_builder_fs_deny(b, join(root, "nothing"));
	out = PROBE(b, "openat2", root, "/made-in-root", "in_root,creat");
	CHECK_STR(out, "openat2 OK\n");
	free(out);
	CHECK(size_of(made) == 1 || size_of(made) == 0);
	b = sandlock_sandbox_builder_fs_write(base_builder(), root);
	b = sandlock_sandbox_builder_fs_deny(b, join(root, "nothing"));
	out = PROBE(b, "openat2", etc, "../../../etc/hostname", "beneath");
	CHECK_STR(out, "openat2 EXDEV\n");
	free(out);
	scratch_remove(dir);
}

/* ---- class 4: O_PATH ---------------------------------------------------- */

TEST(class4_o_path_opens_work_and_denied_ones_do_not)
{
	sandlock_builder_t *b;
	char *out = NULL;

	if (!race_setup())
		FAIL("scratch setup failed");
	out = PROBE(race_builder(), "opath", join(join(dir, "t"), "public"));
	CHECK_STR(out, "opath OK file\n");
	free(out);
	out = PROBE(race_builder(), "opath", join(dir, "t"));
	CHECK_STR(out, "opath OK dir\n");
	free(out);
	out = PROBE(race_builder(), "opath", join(join(dir, "t"), "secret"));
	CHECK_STR(out, "opath EACCES\n");
	free(out);
	/* a grant exposing /proc makes the supervisor serve opens too */
	b = sandlock_sandbox_builder_fs_read(base_builder(), "/proc");
	b = sandlock_sandbox_builder_fs_read(b, join(dir, "t"));
	out = PROBE(b, "opath", "/proc/self/status");
	CHECK_STR(out, "opath OK file\n");
	free(out);
	scratch_remove(dir);
}

/* ---- class 5: metadata writes outside write grants ---------------------- */

static const char *const meta_ops[] = {
	"chmod",	"fchmodat",	 "fchmodat2",  "chown",
	"lchown",	"fchownat",	 "utimensat",  "utimes",
	"setxattr",	"lsetxattr",	 "setxattrat", "removexattr",
	"lremovexattr", "removexattrat",
};
/* through an O_PATH fd (a denied file does not even give one) */
static const char *const meta_opath_ops[] = {
	"fchownat-empty",
	"fchmodat2-empty",
};
static const char *const meta_fd_ops[] = {
	"fchmod", "fchown", "futimens", "fsetxattr", "fremovexattr",
};

/* Every line of a "meta" probe names a refused call. */
static bool all_refused(const char *out, bool has_fd, char *why, size_t cap)
{
	char line[128];

	for (size_t i = 0; i < NELEM(meta_ops); i++) {
		snprintf(line, sizeof(line), "%s EACCES\n", meta_ops[i]);
		if (!strstr(out, line)) {
			snprintf(why, cap, "%s not refused", meta_ops[i]);
			return false;
		}
	}
	for (size_t i = 0; has_fd && i < NELEM(meta_fd_ops); i++) {
		snprintf(line, sizeof(line), "%s EACCES\n", meta_fd_ops[i]);
		if (!strstr(out, line)) {
			snprintf(why, cap, "%s not refused", meta_fd_ops[i]);
			return false;
		}
	}
	for (size_t i = 0; !strstr(out, "pfd ") && i < NELEM(meta_opath_ops);
	     i++) {
		snprintf(line, sizeof(line), "%s EACCES\n", meta_opath_ops[i]);
		if (!strstr(out, line)) {
			snprintf(why, cap, "%s not refused", meta_opath_ops[i]);
			return false;
		}
	}
	return true;
}

TEST(class5_metadata_writes_need_a_write_grant)
{
	char why[128];
	const char *u;
	char *out = NULL;

	if (!race_setup())
		FAIL("scratch setup failed");
	u = join(dir, "u");
	CHECK(mkdir(u, 0755) == 0 && write_file(join(u, "f"), "U\n"));
	/* read-only grant, fd variants included */
	out = PROBE(race_builder(), "meta", join(join(dir, "r"), "ro"));
	if (!all_refused(out, true, why, sizeof(why)))
		FAIL("read-only file: %s:\n%s", why, out);
	free(out);
	/* no grant at all (the fd cannot even be opened) */
	out = PROBE(race_builder(), "meta", join(u, "f"));
	if (!all_refused(out, false, why, sizeof(why)))
		FAIL("ungranted file: %s:\n%s", why, out);
	free(out);
	/* denied inside a write grant */
	out = PROBE(race_builder(), "meta", join(join(dir, "w"), "secret"));
	if (!all_refused(out, false, why, sizeof(why)))
		FAIL("denied file: %s:\n%s", why, out);
	free(out);
	/* the same without fs_deny: the gate is not tied to it */
	out = PROBE(sandlock_sandbox_builder_fs_read(base_builder(),
						     join(dir, "r")),
		    "meta", join(join(dir, "r"), "ro"));
	if (!all_refused(out, true, why, sizeof(why)))
		FAIL("read-only file, no fs_deny: %s:\n%s", why, out);
	free(out);
	scratch_remove(dir);
}

/* ---- class 6: watches outside read grants ------------------------------- */

TEST(class6_watches_need_a_read_grant)
{
	const char *u;
	char *out = NULL;

	if (!race_setup())
		FAIL("scratch setup failed");
	/* In a container (no pidfd_getfd) no watch can be made at all:
	 * the instances are refused (docs/containers.md). */
	bool none = he_restricted();

	u = join(dir, "u");
	CHECK(mkdir(u, 0755) == 0);
	out = PROBE(race_builder(), "inotify", u);
	CHECK_STR(out, none ? "inotify_init ENOSYS\n" : "inotify EACCES\n");
	free(out);
	out = PROBE(race_builder(), "inotify", join(join(dir, "t"), "secret"));
	CHECK_STR(out, none ? "inotify_init ENOSYS\n" : "inotify EACCES\n");
	free(out);
	out = PROBE(race_builder(), "fanotify", u);
	CHECK_STR(out, none ? "fanotify_init ENOSYS\n" : "fanotify EACCES\n");
	free(out);
	out = PROBE(sandlock_sandbox_builder_fs_read(base_builder(),
						     join(dir, "r")),
		    "inotify", u);
	CHECK_STR(out, none ? "inotify_init ENOSYS\n" : "inotify EACCES\n");
	free(out);
	scratch_remove(dir);
}

/* ---- class 13: the supervisor's privileges ------------------------------ */

TEST(class13_on_behalf_opens_use_the_childs_capabilities)
{
	sandlock_builder_t *b;
	const char *f;
	char *out = NULL;

	if (geteuid() != 0)
		SKIP("needs root to own a file as another user");
	if (!race_setup())
		FAIL("scratch setup failed");
	f = join(join(dir, "t"), "other");
	CHECK(write_file(f, "OTHER\n"));
	CHECK(chown(f, 2000, 2000) == 0 && chmod(f, 0600) == 0);
	/* the child's uid 1000 is root's outside its user namespace, where
	 * it holds no capability: it may not read uid 2000's 0600 file */
	b = sandlock_sandbox_builder_user(race_builder(), 1000, 1000);
	out = PROBE(b, "read", f);
	CHECK_STR(out, "read EACCES\n");
	free(out);
	scratch_remove(dir);
}

/* Metadata through an open file is changed on the child's behalf with
 * the capabilities the kernel consults for it: a root child that dropped
 * them is refused as the kernel would refuse it. */
TEST(class13_on_behalf_metadata_uses_the_childs_capabilities)
{
	static const struct {
		const char *drop, *want;
	} cases[] = {
		{ "-", "fchmod OK\nfchown OK\nfutimens OK\nfutimens_now OK\n"
		       "fsetxattr OK\n" },
		{ "fowner", "fchmod EPERM\nfchown OK\nfutimens EPERM\n"
			    "futimens_now OK\nfsetxattr OK\n" },
		{ "chown", "fchmod OK\nfchown EPERM\nfutimens OK\n"
			   "futimens_now OK\nfsetxattr OK\n" },
		{ "fowner,dac_override", "fchmod EPERM\nfchown OK\n"
					 "futimens EPERM\n"
					 "futimens_now EACCES\n"
					 "fsetxattr EACCES\n" },
	};
	const char *f;

	if (geteuid() != 0)
		SKIP("needs root to own a file as another user");
	if (!race_setup())
		FAIL("scratch setup failed");
	f = join(join(dir, "w"), "other"); /* under the write grant */
	CHECK(write_file(f, "OTHER\n"));
	CHECK(chown(f, 2000, 2000) == 0 && chmod(f, 0600) == 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = PROBE(race_builder(), "fd_meta_without",
				  cases[i].drop, f);

		CHECK_STR(out, cases[i].want);
		free(out);
	}
	scratch_remove(dir);
}

/* The kernel's switches in /proc (outside the processes' directories)
 * and /sys are written only under a grant that names them, never through
 * a broader one: a root sandbox with all of / writable cannot change a
 * sysctl or a sysfs knob. Each write puts back the value just read, so
 * even a broken sandbox changes nothing. */
TEST(class11_kernel_switches_are_written_only_where_a_grant_names_them)
{
	static const char script[] =
		"v=$(cat /proc/sys/vm/swappiness); "
		"(echo $v > /proc/sys/vm/swappiness) 2>/dev/null && echo SYSCTL; "
		"if [ -e /sys/kernel/mm/ksm/run ]; then "
		"k=$(cat /sys/kernel/mm/ksm/run); "
		"(echo $k > /sys/kernel/mm/ksm/run) 2>/dev/null && echo SYSFS; "
		"else echo SYSFS; fi; "
		"echo 0 > /proc/self/oom_score_adj && echo OWN; echo end";
	sandlock_builder_t *b;
	char *out[3];

	if (geteuid() != 0)
		SKIP("needs root: the switches are root's");
	out[0] = run_bare((const char *[]){ "/bin/sh", "-c", script, NULL });
	b = sandlock_sandbox_builder_fs_write(base_builder(), "/");
	out[1] = SH(b, script);
	/* named by grants of their own: written (its own entries need a
	 * write grant on /proc, which this one lacks) */
	b = sandlock_sandbox_builder_fs_write(base_builder(), "/proc/sys/vm");
	b = sandlock_sandbox_builder_fs_write(b, "/sys/kernel/mm");
	b = sandlock_sandbox_builder_fs_read(b, "/proc");
	out[2] = SH(b, script);
	CHECK_STR(out[0], "SYSCTL\nSYSFS\nOWN\nend\n"); /* the control */
	CHECK_STR(out[1], "OWN\nend\n");
	CHECK_STR(out[2], "SYSCTL\nSYSFS\nend\n");
	for (int i = 0; i < 3; i++)
		free(out[i]);
}

/* ---- class 20: sensitive entries under another name --------------------- */

/* procfs and sysfs mounted elsewhere inside a grant (a chroot's /proc): the
 * same sensitive entries and other processes' directories under paths
 * that name none of them. The kernel refuses them (holes) and so does the
 * supervisor; the rest of the grant stays readable and listable. */
TEST(class20_procfs_and_sysfs_mounted_elsewhere_are_refused)
{
	const char *k, *p, *sy, *comm;
	char *bare = NULL, *out[5];
	sandlock_builder_t *b;

	if (geteuid() != 0)
		SKIP("needs root to mount procfs and sysfs");
	if (!scratch_dir(dir, sizeof(dir)))
		FAIL("scratch setup failed");
	k = join(dir, "k");
	p = strdup(join(k, "p"));
	sy = strdup(join(k, "s"));
	CHECK(p && sy);
	CHECK(mkdir(k, 0755) == 0 && mkdir(p, 0755) == 0 &&
	      mkdir(sy, 0755) == 0 && write_file(join(k, "f"), "F\n"));
	if (mount("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) <
	    0) {
		scratch_remove(dir);
		SKIP("cannot mount procfs here");
	}
	if (mount("sysfs", sy, "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0) {
		umount2(p, MNT_DETACH);
		scratch_remove(dir);
		SKIP("cannot mount sysfs here");
	}
	/* every run first, the mounts gone before any check can return */
	comm = strdup(join(p, "1/comm"));
	{
		const char *argv[] = { helper("fs_probe"), "read", comm, NULL };

		bare = run_bare(argv); /* the control: init's name */
	}
	b = sandlock_sandbox_builder_fs_read(base_builder(), k);
	out[0] = PROBE(b, "read", comm);
	b = sandlock_sandbox_builder_fs_read(base_builder(), k);
	out[1] = PROBE(b, "read", join(p, "kallsyms"));
	b = sandlock_sandbox_builder_fs_read(base_builder(), k);
	out[2] = PROBE(b, "ls", join(sy, "class"));
	/* the grant itself: listed (p, s, f), its file read */
	b = sandlock_sandbox_builder_fs_read(base_builder(), k);
	out[3] = PROBE(b, "ls", k);
	b = sandlock_sandbox_builder_fs_read(base_builder(), k);
	out[4] = PROBE(b, "read", join(k, "f"));
	umount2(sy, MNT_DETACH);
	umount2(p, MNT_DETACH);
	scratch_remove(dir);
	CHECK(bare && strncmp(bare, "read OK ", 8) == 0);
	CHECK_STR(out[0], "read EACCES\n");
	CHECK_STR(out[1], "read EACCES\n");
	CHECK_STR(out[2], "ls EACCES\n");
	CHECK_STR(out[3], "ls OK 3\n");
	CHECK_STR(out[4], "read OK F\n");
	for (int i = 0; i < 5; i++)
		free(out[i]);
	free(bare);
	free((char *)comm);
	free((char *)p);
	free((char *)sy);
}

/* The kernel's debugging and tracing filesystems: their internals and
 * the machine's tracing switches, refused under a grant of all of /sys,
 * by either path; /sys/kernel itself stays listable. */
TEST(class20_debugfs_and_tracefs_are_refused)
{
	struct statfs sf;
	char *out[4];
	sandlock_builder_t *b;

	if (statfs("/sys/kernel/tracing", &sf) < 0 ||
	    (unsigned long)sf.f_type != TRACEFS_MAGIC)
		SKIP("tracefs is not mounted at /sys/kernel/tracing here");
	b = sandlock_sandbox_builder_fs_read(base_builder(), "/sys");
	out[0] = PROBE(b, "read", "/sys/kernel/tracing/tracing_on");
	b = sandlock_sandbox_builder_fs_read(base_builder(), "/sys");
	out[1] = PROBE(b, "ls", "/sys/kernel/tracing");
	b = sandlock_sandbox_builder_fs_read(base_builder(), "/sys");
	out[2] = PROBE(b, "ls", "/sys/kernel/debug");
	b = sandlock_sandbox_builder_fs_read(base_builder(), "/sys");
	out[3] = PROBE(b, "ls", "/sys/kernel");
	CHECK_STR(out[0], "read EACCES\n");
	CHECK_STR(out[1], "ls EACCES\n");
	CHECK_STR(out[2], "ls EACCES\n");
	CHECK(strncmp(out[3], "ls OK ", 6) == 0);
	for (int i = 0; i < 4; i++)
		free(out[i]);
}

TEST(class20_net_device_entries_are_denied_by_identity)
{
	sandlock_builder_t *b;
	char *out = NULL;

	b = sandlock_sandbox_builder_fs_read(base_builder(), "/sys");
	out = PROBE(b, "read", "/sys/devices/virtual/net/lo/address");
	CHECK_STR(out, "read EACCES\n");
	free(out);
	b = sandlock_sandbox_builder_fs_read(base_builder(), "/sys");
	out = PROBE(b, "read", "/sys/class/net/lo/address");
	CHECK_STR(out, "read EACCES\n");
	free(out);
	b = sandlock_sandbox_builder_fs_read(base_builder(), "/sys");
	out = PROBE(b, "read", "/sys/devices/system/cpu/online");
	CHECK(strncmp(out, "read OK ", 8) == 0);
	free(out);
}

/* ---- class 21: empty paths ----------------------------------------------- */

static char *build_error(sandlock_builder_t *b)
{
	char *msg = NULL;
	int err = 0;
	sandlock_sandbox_t *sb = sandlock_sandbox_build(b, &err, &msg);

	if (sb) {
		sandlock_sandbox_free(sb);
		return NULL;
	}
	return msg ? msg : strdup("(no message)");
}

TEST(class21_empty_paths_are_refused_at_build)
{
	char *msg;

	msg = build_error(sandlock_sandbox_builder_fs_deny(base_builder(), ""));
	CHECK(msg != NULL);
	CHECK_CONTAINS(msg, "empty path");
	free(msg);
	msg = build_error(sandlock_sandbox_builder_fs_read(base_builder(), ""));
	CHECK(msg != NULL);
	CHECK_CONTAINS(msg, "empty path");
	free(msg);
	msg = build_error(
		sandlock_sandbox_builder_fs_write(base_builder(), ""));
	CHECK(msg != NULL);
	CHECK_CONTAINS(msg, "empty path");
	free(msg);
}
