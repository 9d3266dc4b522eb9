#include "lib/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *path_join(const char *dir, const char *name)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return NULL;
	return p;
}

char *join(const char *a, const char *b)
{
	static char bufs[64][512];
	static unsigned next;
	char *p = bufs[next++ % 64], tmp[sizeof(bufs[0])];

	/* a or b may be an earlier result: formatted apart, then copied */
	snprintf(tmp, sizeof(tmp), "%s/%s", a, b);
	memcpy(p, tmp, sizeof(tmp));
	return p;
}

bool write_file(const char *path, const char *content)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(content);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, content, len) == (ssize_t)len;
	return close(fd) == 0 && ok;
}

bool write_file_in(const char *dir, const char *rel, const char *content)
{
	char *p = path_join(dir, rel);
	bool ok;

	/* the parents of rel, each made if missing */
	for (char *s = p ? strchr(p + strlen(dir) + 1, '/') : NULL; s;
	     s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	ok = p && write_file(p, content);
	free(p);
	return ok;
}

char *read_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap = 0;
	char *buf = NULL;
	ssize_t n;

	if (fd < 0)
		return NULL;
	do {
		if (len + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			char *grown = realloc(buf, ncap);

			if (!grown) {
				n = -1;
				break;
			}
			buf = grown;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n > 0)
			len += (size_t)n;
	} while (n > 0 || (n < 0 && errno == EINTR));
	close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

char *read_file_in(const char *dir, const char *rel)
{
	char *p = path_join(dir, rel), *content = p ? read_file(p) : NULL;

	free(p);
	return content;
}

bool file_has(const char *path, const char *content)
{
	char *got;
	bool ok;

	if (!content) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return false;
		close(fd);
		return true;
	}
	got = read_file(path);
	ok = got && strcmp(got, content) == 0;
	free(got);
	return ok;
}

bool file_is(const char *dir, const char *name, const char *content)
{
	char *p = path_join(dir, name);
	bool ok = p && file_has(p, content);

	free(p);
	return ok;
}

bool path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

bool exists_in(const char *dir, const char *rel)
{
	char *p = path_join(dir, rel);
	bool ok = p && path_exists(p);

	free(p);
	return ok;
}

bool dir_is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool empty = true;

	if (!d)
		return errno == ENOENT;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

bool copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;
	bool ok = true;

	if (in < 0)
		return false;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		close(in);
		return false;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		ok = ok && write(out, buf, (size_t)n) == n;
	close(in);
	return close(out) == 0 && ok && n == 0;
}

off_t size_of(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? st.st_size : -1;
}

mode_t mode_of(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}
