/* The copy-on-write records a retry trusts: the PRESERVED marker and the
 * escaping of logged paths. No crash, no leak; what parses renders back to
 * what parses the same. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "cow/internal.h"
#include "fuzz_input.h"

static int dir_fd = -1;
static char dir_path[] = "/dev/shm/sl-fuzz-cowmarker-XXXXXX";

static void remove_dir(void)
{
	unlinkat(dir_fd, SL_COW_MARKER, 0);
	unlinkat(dir_fd, SL_COW_MARKER_TMP, 0);
	rmdir(dir_path);
}

static void write_marker_text(const uint8_t *data, size_t size)
{
	int fd = openat(dir_fd, SL_COW_MARKER,
			O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
}

static void same(const struct sl_cow_marker *a, const struct sl_cow_marker *b)
{
	if (strcmp(a->reason, b->reason) || strcmp(a->workdir, b->workdir) ||
	    (a->upper == NULL) != (b->upper == NULL) ||
	    (a->upper && strcmp(a->upper, b->upper)) || a->pid != b->pid ||
	    a->deleted.n != b->deleted.n)
		abort();
	for (size_t i = 0; i < a->deleted.n; i++)
		if (strcmp(a->deleted.v[i], b->deleted.v[i]))
			abort();
}

static void escape_round_trip(const char *s)
{
	for (int cr = 0; cr < 2; cr++) {
		char *esc = sl_cow_escape(s, cr), *back = NULL;

		if (!esc || sl_cow_unescape(esc, strlen(esc), &back) != 0 ||
		    strcmp(back, s) != 0)
			abort();
		free(esc);
		free(back);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sl_cow_marker m, again;
	char *s = fuzz_string(data, size), *u = NULL;

	if (dir_fd < 0) {
		if (!mkdtemp(dir_path))
			abort();
		dir_fd = open(dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir_fd < 0)
			abort();
		atexit(remove_dir);
	}
	escape_round_trip(s);
	if (sl_cow_unescape((const char *)data, size, &u) == 0)
		escape_round_trip(u);
	free(u);

	write_marker_text(data, size);
	if (sl_cow_marker_read(dir_fd, &m) == 0) {
		if (sl_cow_marker_write(dir_fd, &m) != 0 ||
		    sl_cow_marker_read(dir_fd, &again) != 0)
			abort();
		same(&m, &again);
		sl_cow_marker_free(&again);
		sl_cow_marker_free(&m);
	}
	free(s);
	return 0;
}
