/*
 * The rules a grant becomes around the holes of a copy-on-write run
 * (fs/holes.h), on a scratch tree: root/{a, w/{x}, s/{b}, d/{w2}} with
 * the workdir root/w and the storage root/s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "fs/holes.h"
#include "lib/scratch.h"

static char root[64];

static char *at(const char *rel)
{
	static char bufs[8][160];
	static int n;
	char *p = bufs[n++ % 8];

	snprintf(p, sizeof(bufs[0]), "%s%s%s", root, *rel ? "/" : "", rel);
	return p;
}

static void tree_remove(void)
{
	scratch_remove(root);
}

static bool tree(void)
{
	FILE *f;

	if (!scratch_dir(root, sizeof(root)) || mkdir(at("w"), 0755) ||
	    mkdir(at("s"), 0700) || mkdir(at("d"), 0755) ||
	    mkdir(at("d/w2"), 0755))
		return false;
	f = fopen(at("a"), "w");
	if (f)
		fclose(f);
	f = fopen(at("w/x"), "w");
	if (f)
		fclose(f);
	f = fopen(at("s/b"), "w");
	if (f)
		fclose(f);
	return access(at("a"), F_OK) == 0;
}

struct seen {
	char text[1024];
};

static int note(void *arg, int fd, const char *path, unsigned flags)
{
	struct seen *s = arg;
	size_t n = strlen(s->text);

	(void)fd;
	snprintf(s->text + n, sizeof(s->text) - n, "%s:%s%s%s\n",
		 path + strlen(root), flags & SL_RULE_DIR ? "D" : "F",
		 flags & SL_RULE_NOLIST ? "n" : "",
		 flags & SL_RULE_READONLY ? "r" : "");
	return 0;
}

static char *expand(const char *grant, bool writable)
{
	static struct seen s;
	struct sl_fs_holes h = { 0 };

	memset(&s, 0, sizeof(s));
	if (sl_fs_holes_add_cow(&h, at("w"), at("s")) < 0 ||
	    sl_fs_holes_expand(&h, grant, writable, note, &s, NULL) < 0)
		strcpy(s.text, "(failed)");
	sl_fs_holes_free(&h);
	return s.text;
}

/* Sorted lines, so that readdir's order does not matter. */
static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *sorted(const char *text)
{
	static char out[1024];
	char copy[1024], *lines[32], *save = NULL, *l;
	size_t n = 0;

	snprintf(copy, sizeof(copy), "%s", text);
	for (l = strtok_r(copy, "\n", &save); l && n < 32;
	     l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	qsort(lines, n, sizeof(*lines), cmp);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		strncat(out, lines[i], sizeof(out) - strlen(out) - 2);
		strcat(out, "\n");
	}
	return out;
}

/* A write grant on the parent: its directory keeps only reads (nothing
 * that changes the tree, no listing above the storage), the siblings
 * their full rights, the workdir its reads, the storage nothing. */
TEST(a_parent_write_grant_is_expanded_around_the_workdir_and_storage)
{
	CHECK(tree());
	CHECK_STR(sorted(expand(root, true)), "/a:F\n/d:F\n/w:Fr\n:Dnr\n");
	tree_remove();
}

/* A grant at the workdir, or inside it, gives its reads only; a read
 * grant on the parent skips the storage and keeps the workdir whole (its
 * directory's rule is marked read-only too, which takes nothing from a
 * read grant but tells the view what it serves). */
TEST(grants_at_the_workdir_are_read_only_and_read_grants_skip_the_storage)
{
	CHECK(tree());
	CHECK_STR(sorted(expand(at("w"), true)), "/w:Fr\n");
	CHECK_STR(sorted(expand(at("w/x"), true)), "/w/x:Fr\n");
	CHECK_STR(sorted(expand(root, false)), "/a:F\n/d:F\n/w:F\n:Dnr\n");
	CHECK_STR(sorted(expand(at("d"), true)), "/d:F\n");
	tree_remove();
}
