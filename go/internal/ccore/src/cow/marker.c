/*
 * The PRESERVED marker and the deleted.log whiteout log (docs/behaviour.md 9.1,
 * 9.6). The marker is the record of a preserved branch and, during a
 * commit, of how far it got: it is only ever replaced whole (temporary
 * file, fsync, rename, fsync of the directory), so a crash leaves either
 * the old or the new one; one not ending in a newline is ignored.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cow/internal.h"
#include "util/cleanup.h"

/* Bounds on what is read back: far above any real record. */
#define MARKER_MAX ((size_t)256 << 20)
#define LOG_MAX ((size_t)1 << 30)

static const char *const reasons[] = { "kept", "commit-deferred",
				       "merge-interrupted" };

static int write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* key=value, escaped; nothing for an absent value. */
static int put_line(FILE *f, const char *key, const char *value)
{
	_cleanup_(freep) char *esc = NULL;

	if (!value)
		return 0;
	esc = sl_cow_escape(value, false);
	if (!esc)
		return -ENOMEM;
	return fprintf(f, "%s=%s\n", key, esc) < 0 ? -EIO : 0;
}

static int render(const struct sl_cow_marker *m, char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);
	int r;

	if (!f)
		return -ENOMEM;
	r = put_line(f, "reason", m->reason);
	if (r == 0)
		r = put_line(f, "workdir", m->workdir);
	if (r == 0)
		r = put_line(f, "upper", m->upper);
	for (size_t i = 0; r == 0 && i < m->deleted.n; i++)
		r = put_line(f, "deleted", m->deleted.v[i]);
	if (r == 0 && fprintf(f, "pid=%lld\n", m->pid) < 0)
		r = -EIO;
	if (fclose(f) != 0 && r == 0)
		r = -ENOMEM;
	if (r < 0) {
		free(*buf);
		*buf = NULL;
	}
	return r;
}

int sl_cow_marker_write(int dir_fd, const struct sl_cow_marker *m)
{
	_cleanup_(freep) char *buf = NULL;
	_cleanup_(closep) int fd = -1;
	size_t len = 0;
	int r;

	r = render(m, &buf, &len);
	if (r < 0)
		return r;
	fd = openat(dir_fd, SL_COW_MARKER_TMP,
		    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return -errno;
	r = write_all(fd, buf, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (r == 0 &&
	    renameat(dir_fd, SL_COW_MARKER_TMP, dir_fd, SL_COW_MARKER) < 0)
		r = -errno;
	if (r == 0)
		r = sl_cow_fsync_dir(dir_fd);
	if (r < 0)
		unlinkat(dir_fd, SL_COW_MARKER_TMP, 0);
	return r;
}

void sl_cow_marker_free(struct sl_cow_marker *m)
{
	free(m->reason);
	free(m->workdir);
	free(m->upper);
	sl_strv_free(&m->deleted);
	memset(m, 0, sizeof(*m));
}

static bool known_reason(const char *r)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(reasons); i++)
		if (strcmp(r, reasons[i]) == 0)
			return true;
	return false;
}

static int parse_pid(const char *s, size_t len, long long *pid)
{
	long long v = 0;

	if (len == 0 || len > 19)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	*pid = v;
	return 0;
}

/* One "key=value" line (without its newline); last = no line follows. */
static int parse_line(struct sl_cow_marker *m, const char *s, size_t len,
		      bool last)
{
	const char *eq = memchr(s, '=', len);
	size_t klen, vlen;
	char **slot = NULL;
	char *value;
	int r;

	if (!eq)
		return -EINVAL;
	klen = (size_t)(eq - s);
	vlen = len - klen - 1;
	if (klen == 3 && memcmp(s, "pid", 3) == 0)
		return last ? parse_pid(eq + 1, vlen, &m->pid) : -EINVAL;
	if (last)
		return -EINVAL; /* pid= comes last */
	if (klen == 6 && memcmp(s, "reason", 6) == 0)
		slot = &m->reason;
	else if (klen == 7 && memcmp(s, "workdir", 7) == 0)
		slot = &m->workdir;
	else if (klen == 5 && memcmp(s, "upper", 5) == 0)
		slot = &m->upper;
	else if (!(klen == 7 && memcmp(s, "deleted", 7) == 0))
		return 0; /* a key of a later version */
	r = sl_cow_unescape(eq + 1, vlen, &value);
	if (r < 0)
		return r;
	if (!slot)
		return sl_strv_push_take(&m->deleted, value);
	if (*slot) {
		free(value);
		return -EINVAL;
	}
	*slot = value;
	return 0;
}

int sl_cow_marker_read(int dir_fd, struct sl_cow_marker *m)
{
	_cleanup_(freep) char *data = NULL;
	size_t len, pos = 0;
	int r;

	memset(m, 0, sizeof(*m));
	m->pid = -1;
	r = sl_cow_read_file(dir_fd, SL_COW_MARKER, MARKER_MAX, &data, &len);
	if (r < 0)
		return r == -ENOENT ? r : -EINVAL;
	if (len == 0 || data[len - 1] != '\n')
		return -EINVAL; /* truncated */
	while (r == 0 && pos < len) {
		char *nl = memchr(data + pos, '\n', len - pos);
		size_t l = (size_t)(nl - (data + pos));

		r = parse_line(m, data + pos, l,
			       (size_t)(nl - data) + 1 == len);
		pos += l + 1;
	}
	if (r == 0 && (!m->reason || !known_reason(m->reason) || !m->workdir ||
		       !*m->workdir || m->pid < 0))
		r = -EINVAL;
	if (r < 0)
		sl_cow_marker_free(m);
	return r < 0 ? -EINVAL : 0;
}

int sl_cow_write_marker(struct sl_cow_branch *b, const char *reason)
{
	struct sl_cow_marker m = {
		.reason = (char *)reason,
		.workdir = b->workdir,
		.upper = b->upper,
		.pid = getpid(),
	};
	int r;

	pthread_mutex_lock(&b->lock);
	r = sl_cow_wset_sorted(&b->whiteouts, true, &m.deleted);
	pthread_mutex_unlock(&b->lock);
	if (r == 0)
		r = sl_cow_marker_write(b->dir_fd, &m);
	sl_strv_free(&m.deleted);
	return r;
}

int sl_cow_log_load(struct sl_cow_branch *b, bool pending)
{
	_cleanup_(freep) char *data = NULL;
	size_t len, pos = 0;
	int r;

	r = sl_cow_read_file(b->dir_fd, SL_COW_LOG, LOG_MAX, &data, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	while (pos < len) {
		char *nl = memchr(data + pos, '\n', len - pos);
		_cleanup_(freep) char *path = NULL;

		if (!nl)
			break; /* an append cut short: never completed */
		r = sl_cow_unescape(data + pos, (size_t)(nl - (data + pos)),
				    &path);
		if (r == 0 && (!*path || !sl_cow_rel_valid(path)))
			r = -EINVAL;
		if (r == 0)
			r = sl_cow_wset_add(&b->whiteouts, path, pending);
		if (r < 0)
			return r;
		pos = (size_t)(nl - data) + 1;
	}
	return 0;
}

int sl_cow_log_append(struct sl_cow_branch *b, const char *rel)
{
	_cleanup_(freep) char *esc = sl_cow_escape(rel, true);
	_cleanup_(freep) char *line = NULL;
	int n;

	if (!esc)
		return -ENOMEM;
	n = asprintf(&line, "%s\n", esc);
	if (n < 0) {
		line = NULL;
		return -ENOMEM;
	}
	/* One write on an O_APPEND file: lines never interleave. */
	return write_all(b->log_fd, line, (size_t)n);
}
