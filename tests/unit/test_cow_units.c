/* The pure pieces of the copy-on-write module: escaping of logged paths,
 * relative-path validation, component-wise prefixes, the whiteout set; and
 * the report of `sandlock run --dry-run`, whose printer lives in cli/ and
 * is compiled in. */
#include <limits.h>
#include <stdio.h>

#include "../../cli/dry_run.c"
#include "cow/internal.h"
#include "harness.h"

TEST(escape_round_trips_every_byte_but_nul)
{
	static const char *const cases[][3] = {
		{ "plain/path", "plain/path", "plain/path" },
		{ "a\\b", "a\\\\b", "a\\\\b" },
		{ "line\nbreak", "line\\nbreak", "line\\nbreak" },
		{ "cr\rhere", "cr\\rhere", "cr\rhere" },
		{ "\\n", "\\\\n", "\\\\n" },
		{ "", "", "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int cr = 0; cr < 2; cr++) {
			char *esc = sl_cow_escape(cases[i][0], cr);
			char *back = NULL;

			CHECK_STR(esc, cases[i][cr ? 1 : 2]);
			CHECK_EQ_INT(sl_cow_unescape(esc, strlen(esc), &back),
				     0);
			CHECK_STR(back, cases[i][0]);
			free(esc);
			free(back);
		}
	}
}

TEST(unescape_refuses_malformed_input)
{
	char *out = (char *)"stale";

	CHECK_EQ_INT(sl_cow_unescape("a\\", 2, &out), -EINVAL);
	CHECK(out == NULL);
	CHECK_EQ_INT(sl_cow_unescape("a\\tb", 4, &out), -EINVAL);
	CHECK_EQ_INT(sl_cow_unescape("a\0b", 3, &out), -EINVAL);
	CHECK_EQ_INT(sl_cow_unescape("a\nb", 3, &out), 0);
	CHECK_STR(out, "a\nb");
	free(out);
}

TEST(relative_paths_are_normalized_and_bounded)
{
	static const char *const good[] = { "",		  "a",	 "a/b",
					    "a.b/.c/..d", "...", "a b/c" };
	static const char *const bad[] = { "/a",     "a/",   "a//b",
					   ".",	     "..",   "a/./b",
					   "a/../b", "../a", "a/.." };
	char *long_path = malloc(PATH_MAX + 1);

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!sl_cow_rel_valid(good[i]))
			FAIL("'%s' refused", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sl_cow_rel_valid(bad[i]))
			FAIL("'%s' accepted", bad[i]);
	CHECK(!sl_cow_rel_valid(NULL));
	CHECK(long_path);
	memset(long_path, 'a', PATH_MAX);
	long_path[PATH_MAX] = '\0';
	CHECK(!sl_cow_rel_valid(long_path));
	free(long_path);
}

TEST(covers_is_component_wise)
{
	CHECK(sl_cow_path_covers("a", "a"));
	CHECK(sl_cow_path_covers("a", "a/b"));
	CHECK(!sl_cow_path_covers("a", "ab"));
	CHECK(!sl_cow_path_covers("a/b", "a"));
	CHECK(sl_cow_path_covers("", "anything"));
	CHECK(sl_cow_path_covers("/tmp/x", "/tmp/x/y"));
	CHECK(!sl_cow_path_covers("/tmp/x", "/tmp/xy"));
}

TEST(whiteout_set_finds_prefixes_and_sorts)
{
	struct sl_cow_wset s = { 0 };
	struct sl_strv all = { 0 }, pending = { 0 };
	char path[32];

	for (int i = 0; i < 5000; i++) {
		snprintf(path, sizeof(path), "d%04d/f", 4999 - i);
		CHECK_EQ_INT(sl_cow_wset_add(&s, path, i % 2 == 0), 0);
	}
	CHECK_EQ_INT(sl_cow_wset_add(&s, "d0002/f", true), 0); /* or-ed */
	CHECK_EQ_INT(s.n, 5000);
	CHECK(sl_cow_wset_find(&s, "d0123/f", 7) != NULL);
	CHECK(sl_cow_wset_find(&s, "d0123/f/deeper", 7) != NULL); /* prefix */
	CHECK(sl_cow_wset_find(&s, "d0123", 5) == NULL);
	CHECK(sl_cow_wset_find(&s, "d5000/f", 7) == NULL);
	CHECK_EQ_INT(sl_cow_wset_sorted(&s, false, &all), 0);
	CHECK_EQ_INT(all.n, 5000);
	CHECK(all.n == 5000 && strcmp(all.v[0], "d0000/f") == 0 &&
	      strcmp(all.v[4999], "d4999/f") == 0);
	CHECK_EQ_INT(sl_cow_wset_sorted(&s, true, &pending), 0);
	CHECK_EQ_INT(pending.n, 2501);
	sl_strv_free(&all);
	sl_strv_free(&pending);
	sl_cow_wset_free(&s);
	CHECK(sl_cow_wset_find(&s, "x", 1) == NULL);
}

static char *report(const struct sl_tool_change *v, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	cli_print_changes(f, v, n);
	fclose(f);
	return buf;
}

TEST(dry_run_report_lines)
{
	static const struct sl_tool_change v[] = {
		{ 'A', "new.txt" },
		{ 'M', "dir/mod" },
		{ 'D', "gone" },
	};
	char *out = report(NULL, 0);

	CHECK_STR(out, "sandlock: dry-run: no filesystem changes\n");
	free(out);
	out = report(v, 3);
	CHECK_STR(out, "sandlock: dry-run: filesystem changes:\n"
		       "A  new.txt\nM  dir/mod\nD  gone\n");
	free(out);
}
