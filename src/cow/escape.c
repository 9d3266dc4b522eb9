/*
 * Escaping of paths written one per line (deleted.log, the marker): a
 * path may contain any byte but NUL, so the line separator and the escape
 * character itself are escaped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cow/internal.h"
#include "util/cleanup.h"

char *sl_cow_escape(const char *s, bool cr)
{
	size_t len = strlen(s), extra = 0;
	char *out, *o;

	for (size_t i = 0; i < len; i++)
		if (s[i] == '\\' || s[i] == '\n' || (cr && s[i] == '\r'))
			extra++;
	out = malloc(len + extra + 1);
	if (!out)
		return NULL;
	o = out;
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case '\\':
			*o++ = '\\';
			*o++ = '\\';
			break;
		case '\n':
			*o++ = '\\';
			*o++ = 'n';
			break;
		case '\r':
			if (cr) {
				*o++ = '\\';
				*o++ = 'r';
				break;
			}
			*o++ = s[i];
			break;
		default:
			*o++ = s[i];
			break;
		}
	}
	*o = '\0';
	return out;
}

int sl_cow_unescape(const char *s, size_t len, char **out)
{
	char *r = malloc(len + 1), *o = r;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\0')
			goto bad;
		if (c == '\\') {
			if (++i >= len)
				goto bad;
			switch (s[i]) {
			case '\\':
				c = '\\';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			default:
				goto bad;
			}
		}
		*o++ = c;
	}
	*o = '\0';
	*out = r;
	return 0;
bad:
	free(r);
	return -EINVAL;
}

int sl_cow_read_file(int dirfd, const char *name, size_t max, char **data,
		     size_t *len)
{
	_cleanup_(closep) int fd = -1;
	_cleanup_(freep) char *buf = NULL;
	size_t n = 0, cap = 4096;
	struct stat st;

	*data = NULL;
	*len = 0;
	fd = openat(dirfd, name,
		    O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t k;

		if (n == cap) {
			char *nb;

			if (cap >= max)
				return -EFBIG;
			cap = cap * 2 > max ? max : cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		k = read(fd, buf + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			break;
		n += (size_t)k;
	}
	buf[n] = '\0';
	*data = TAKE_PTR(buf);
	*len = n;
	return 0;
}
