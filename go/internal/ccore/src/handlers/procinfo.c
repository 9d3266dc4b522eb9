#include "handlers/procinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "supervisor/notif_kcompat.h"
#include "util/cleanup.h"

/* procfs files are generated; a status file is a few KiB, but the size is
 * not known in advance, so the buffer grows as needed (bounded). */
#define SL_PROCFILE_MAX (1u << 20)

int sl_read_file(const char *path, char **out, size_t *len)
{
	_cleanup_(closep) int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_(freep) char *buf = NULL;
	size_t cap = 4096, n = 0;

	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			char *nb;

			if (cap >= SL_PROCFILE_MAX)
				return -EFBIG;
			cap *= 2;
			nb = realloc(buf, cap);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	*out = TAKE_PTR(buf);
	return 0;
}

const char *sl_status_value(const char *text, const char *key)
{
	size_t kl = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (strncmp(p, key, kl) == 0 && p[kl] == ':') {
			p += kl + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			return p;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

static int parse_u32(const char **pp, uint32_t *out, int base)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(*pp, &end, base);
	if (end == *pp || errno || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	*pp = end;
	return 0;
}

/* The n-th (0-based) whitespace-separated number of a status value. */
static int nth_u32(const char *v, unsigned n, uint32_t *out)
{
	if (!v)
		return -EINVAL;
	for (unsigned i = 0;; i++) {
		int r;

		while (*v == ' ' || *v == '\t')
			v++;
		r = parse_u32(&v, out, 10);
		if (r < 0 || i == n)
			return r;
	}
}

static int status_text(pid_t tid, char **text)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	return sl_read_file(path, text, NULL);
}

/* The Tgid and PPid lines of a status text. */
static int parse_ids(const char *text, pid_t *tgid, pid_t *ppid)
{
	uint32_t t, p;

	if (nth_u32(sl_status_value(text, "Tgid"), 0, &t) < 0 ||
	    nth_u32(sl_status_value(text, "PPid"), 0, &p) < 0)
		return -EIO;
	if (tgid)
		*tgid = (pid_t)t;
	if (ppid)
		*ppid = (pid_t)p;
	return 0;
}

int sl_task_ids(pid_t tid, pid_t *tgid, pid_t *ppid)
{
	_cleanup_(freep) char *text = NULL;
	int r = status_text(tid, &text);

	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	return parse_ids(text, tgid, ppid);
}

int sl_task_status(pid_t tid, struct sl_task_status *st)
{
	_cleanup_(freep) char *text = NULL;
	const char *g;
	uint32_t v;
	int r = status_text(tid, &text);

	memset(st, 0, sizeof(*st));
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	if (parse_ids(text, &st->tgid, &st->ppid) < 0)
		return -EIO;
	/* Uid/Gid: real, effective, saved, filesystem. */
	if (nth_u32(sl_status_value(text, "Uid"), 3, &st->fsuid) < 0 ||
	    nth_u32(sl_status_value(text, "Gid"), 3, &st->fsgid) < 0)
		return -EIO;
	g = sl_status_value(text, "Umask");
	if (!g || parse_u32(&g, &st->umask, 8) < 0)
		st->umask = 022;
	g = sl_status_value(text, "Groups");
	while (g && *g && *g != '\n') {
		uint32_t *ng;

		while (*g == ' ' || *g == '\t')
			g++;
		if (*g == '\n' || !*g)
			break;
		if (parse_u32(&g, &v, 10) < 0)
			break;
		ng = realloc(st->groups, (st->ngroups + 1) * sizeof(*ng));
		if (!ng) {
			sl_task_status_free(st);
			return -ENOMEM;
		}
		st->groups = ng;
		st->groups[st->ngroups++] = v;
	}
	return 0;
}

void sl_task_status_free(struct sl_task_status *st)
{
	free(st->groups);
	st->groups = NULL;
	st->ngroups = 0;
}

int sl_statm_field(pid_t pid, unsigned idx, uint64_t *pages)
{
	_cleanup_(freep) char *text = NULL;
	char path[64];
	const char *p;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	r = sl_read_file(path, &text, NULL);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	p = text;
	for (unsigned i = 1;; i++) {
		char *end;
		unsigned long long v;

		errno = 0;
		v = strtoull(p, &end, 10);
		if (end == p || errno)
			return -EIO;
		if (i == idx) {
			*pages = v;
			return 0;
		}
		p = end;
	}
}

int sl_pidfd_open(pid_t pid, unsigned flags)
{
	int fd = (int)syscall(__NR_pidfd_open, pid, flags);

	return fd < 0 ? -errno : fd;
}

bool sl_pidfd_exited(int pidfd)
{
	struct pollfd pf = { .fd = pidfd, .events = POLLIN };

	return poll(&pf, 1, 0) > 0;
}
