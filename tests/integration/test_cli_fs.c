/*
 * Filesystem grants through the CLI: reads and writes outside the grants
 * fail with EACCES and leave nothing behind, -w allows writing, --fs-deny
 * carves a file out of a readable tree. Every dangerous call happens
 * inside the sandbox and aims at a private scratch directory.
 */
#include "harness.h"
#include "lib/cli.h"
#include "lib/files.h"
#include "lib/scratch.h"

/* Scratch layout: <root>/granted/{hello.txt,keep.txt,secret.txt} and
 * <root>/outside/private.txt. */
struct scratch {
	char *root, *granted, *outside;
	char *hello, *keep, *secret, *private_file;
};

static void scratch_free(struct scratch *s)
{
	free(s->granted);
	free(s->outside);
	free(s->hello);
	free(s->keep);
	free(s->secret);
	free(s->private_file);
	scratch_remove(s->root);
	memset(s, 0, sizeof(*s));
}

static bool scratch_new(struct scratch *s)
{
	memset(s, 0, sizeof(*s));
	s->root = scratch_make();
	if (!s->root)
		return false;
	s->granted = path_join(s->root, "granted");
	s->outside = path_join(s->root, "outside");
	if (!s->granted || !s->outside || mkdir(s->granted, 0755) < 0 ||
	    mkdir(s->outside, 0755) < 0)
		return false;
	s->hello = path_join(s->granted, "hello.txt");
	s->keep = path_join(s->granted, "keep.txt");
	s->secret = path_join(s->granted, "secret.txt");
	s->private_file = path_join(s->outside, "private.txt");
	return s->hello && s->keep && s->secret && s->private_file &&
	       write_file(s->hello, "hello from the scratch dir\n") &&
	       write_file(s->keep, "keep me\n") &&
	       write_file(s->secret, "top secret\n") &&
	       write_file(s->private_file, "private\n");
}

TEST(read_inside_grant_succeeds)
{
	struct scratch s;
	struct cli_result r;

	CHECK(scratch_new(&s));
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "-r", s.granted, "--", "cat",
				       s.hello),
		     0);
	scratch_free(&s);
	CHECK_EXIT(&r, 0);
	CHECK_STR(r.out, "hello from the scratch dir\n");
	cli_result_free(&r);
}

TEST(read_outside_grants_is_denied)
{
	struct scratch s;
	struct cli_result r;

	CHECK(scratch_new(&s));
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "-r", s.granted, "--", "cat",
				       s.private_file),
		     0);
	scratch_free(&s);
	CHECK_EXIT(&r, 1);
	CHECK_STR(r.out, "");
	CHECK_CONTAINS(r.err, "Permission denied");
	cli_result_free(&r);
}

TEST(listing_outside_grants_is_denied)
{
	struct scratch s;
	struct cli_result r;

	CHECK(scratch_new(&s));
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "-r", s.granted, "--", "ls",
				       s.outside),
		     0);
	scratch_free(&s);
	CHECK(r.code != 0);
	CHECK_CONTAINS(r.err, "Permission denied");
	cli_result_free(&r);
}

TEST(write_into_read_only_grant_is_denied_and_creates_nothing)
{
	struct scratch s;
	struct cli_result r;
	char *created;

	CHECK(scratch_new(&s));
	created = path_join(s.granted, "created.txt");
	CHECK(created);
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "-r", s.granted, "--", "sh",
				       "-c", "echo x > \"$1\"", "sh", created),
		     0);
	CHECK(r.code != 0);
	CHECK_CONTAINS(r.err, "Permission denied");
	CHECK(access(created, F_OK) != 0 && errno == ENOENT);
	cli_result_free(&r);

	/* Neither overwrite, nor remove, nor rename an existing file. */
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "-r", s.granted, "--", "sh",
				       "-c", "echo changed > \"$1\"", "sh",
				       s.keep),
		     0);
	CHECK(r.code != 0);
	CHECK(file_has(s.keep, "keep me\n"));
	cli_result_free(&r);
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "-r", s.granted, "--", "rm",
				       "-f", s.keep),
		     0);
	CHECK(r.code != 0);
	CHECK(file_has(s.keep, "keep me\n"));
	cli_result_free(&r);
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "-r", s.granted, "--", "mv",
				       s.keep, created),
		     0);
	CHECK(r.code != 0);
	CHECK(file_has(s.keep, "keep me\n"));
	CHECK(access(created, F_OK) != 0);
	cli_result_free(&r);
	free(created);
	scratch_free(&s);
}

TEST(write_outside_every_grant_is_denied)
{
	struct scratch s;
	struct cli_result r;
	char *created;

	CHECK(scratch_new(&s));
	created = path_join(s.outside, "created.txt");
	CHECK(created);
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "-w", s.granted, "--", "touch",
				       created),
		     0);
	CHECK(r.code != 0);
	CHECK_CONTAINS(r.err, "Permission denied");
	CHECK(access(created, F_OK) != 0);
	cli_result_free(&r);
	free(created);
	scratch_free(&s);
}

TEST(write_grant_allows_writing)
{
	struct scratch s;
	struct cli_result r;
	char *created;

	CHECK(scratch_new(&s));
	created = path_join(s.granted, "created.txt");
	CHECK(created);
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "-w", s.granted, "--", "sh",
				       "-c",
				       "echo written > \"$1\" && rm \"$2\"",
				       "sh", created, s.keep),
		     0);
	CHECK_EXIT(&r, 0);
	CHECK(file_has(created, "written\n"));
	CHECK(access(s.keep, F_OK) != 0);
	cli_result_free(&r);
	free(created);
	scratch_free(&s);
}

TEST(fs_deny_blocks_a_file_in_a_readable_tree)
{
	struct scratch s;
	struct cli_result r;

	CHECK(scratch_new(&s));
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "-r", s.granted, "--fs-deny",
				       s.secret, "--", "cat", s.secret),
		     0);
	CHECK_EXIT(&r, 1);
	CHECK_STR(r.out, "");
	CHECK_CONTAINS(r.err, "Permission denied");
	cli_result_free(&r);

	/* The rest of the tree stays readable. */
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "-r", s.granted, "--fs-deny",
				       s.secret, "--", "cat", s.hello),
		     0);
	CHECK_EXIT(&r, 0);
	CHECK_STR(r.out, "hello from the scratch dir\n");
	cli_result_free(&r);
	scratch_free(&s);
}

TEST(fs_deny_covers_a_directory_and_holds_under_write_grant)
{
	struct scratch s;
	struct cli_result r;
	char *created;

	CHECK(scratch_new(&s));
	created = path_join(s.outside, "created.txt");
	CHECK(created);
	CHECK_EQ_INT(CLI_RUN_SANDBOXED(&r, NULL, "-w", s.root, "--fs-deny",
				       s.outside, "--", "sh", "-c",
				       "cat \"$1\" || touch \"$2\"", "sh",
				       s.private_file, created),
		     0);
	CHECK(r.code != 0);
	CHECK_STR(r.out, "");
	CHECK_CONTAINS(r.err, "Permission denied");
	CHECK(access(created, F_OK) != 0);
	cli_result_free(&r);
	free(created);
	scratch_free(&s);
}
