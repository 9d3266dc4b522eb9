/*
 * Attempts to read a denied file inside a readable tree: racing the path
 * buffer against the supervisor's check, and reaching the file through
 * /proc magic links, new links and openat2 resolution flags.
 */
#include "harness.h"
#include "lib/files.h"
#include "lib/fsprobe.h"
#include "lib/policy.h"
#include "lib/run.h"
#include "lib/scratch.h"

static char dir[64], tree[128], secret[160], public[160];

static bool setup(void)
{
	if (!scratch_dir(dir, sizeof(dir)))
		return false;
	snprintf(tree, sizeof(tree), "%s/tree", dir);
	snprintf(secret, sizeof(secret), "%s/secret.txt", tree);
	snprintf(public, sizeof(public), "%s/public.txt", tree);
	return mkdir(tree, 0755) == 0 && write_file(secret, "SECRET\n") &&
	       write_file(public, "PUBLIC\n");
}

TEST(path_flipping_race_never_reads_the_denied_file)
{
	sandlock_builder_t *b;
	char *out = NULL;

	if (!setup())
		FAIL("scratch setup failed");
	/* control: unconfined, the race does reach the second file */
	if (!RACE_CONTROL(out, race_count(out, true) > 0, "open", public,
			  secret, "20000"))
		FAIL("control: the race was not hit: %s", out);
	free(out);
	b = base_builder();
	b = sandlock_sandbox_builder_fs_read(b, tree);
	b = sandlock_sandbox_builder_fs_deny(b, secret);
	out = RACE(b, "open", public, secret, "20000");
	if (race_count(out, true) != 0)
		FAIL("sandboxed: %s", out);
	free(out);
	scratch_remove(dir);
}

TEST(proc_magic_links_and_new_links_do_not_reach_the_denied_file)
{
	char w[128], script[4096];
	sandlock_builder_t *b;
	struct hrun o;

	if (!setup())
		FAIL("scratch setup failed");
	snprintf(w, sizeof(w), "%s/w", dir);
	CHECK(mkdir(w, 0755) == 0);
	b = base_builder();
	b = sandlock_sandbox_builder_fs_read(b, "/proc");
	b = sandlock_sandbox_builder_fs_read(b, tree);
	b = sandlock_sandbox_builder_fs_write(b, w);
	b = sandlock_sandbox_builder_fs_deny(b, secret);
	snprintf(script, sizeof(script),
		 "cat /proc/self/root%s && echo L1; "
		 "cd %s && cat /proc/self/cwd/secret.txt && echo L2; "
		 "cat /proc/$$/root%s && echo L3; "
		 "exec 3<%s; cat /proc/self/fd/3 && echo L4; exec 3<&-; "
		 "ln -s %s %s/sym && cat %s/sym && echo L5; "
		 "ln %s %s/hard && echo L6; "
		 "cat /proc/1/root%s && echo L7; "
		 "cat %s/../tree/./secret.txt && echo L8; "
		 "echo end",
		 secret, tree, secret, public, secret, w, w, secret, w, secret,
		 tree);
	{
		const char *argv[] = { "/bin/sh", "-c", script, NULL };

		hrun(b, argv, &o);
	}
	CHECK_RAN(&o);
	/* only fd 3, opened on the public file, may be read back */
	if (strcmp(o.out, "PUBLIC\nL4\nend\n") != 0)
		FAIL("stdout: %s\nstderr: %s", o.out, o.err);
	hrun_free(&o);
	scratch_remove(dir);
}
