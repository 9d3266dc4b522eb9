#include "net/unixgate.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"

bool sl_unix_is_pathname(const struct sockaddr_storage *ss, socklen_t len)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)ss;

	return ss->ss_family == AF_UNIX &&
	       len > offsetof(struct sockaddr_un, sun_path) &&
	       sun->sun_path[0] != '\0';
}

int sl_unix_gate_grants(const struct sl_strv *fs_write, struct sl_strv *out)
{
	for (size_t i = 0; i < fs_write->n; i++) {
		char *c = realpath(fs_write->v[i], NULL);
		int r;

		if (!c)
			continue;
		r = sl_strv_push_take(out, c);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Is path at or below dir (whole components)? */
static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return strncmp(path, dir, n) == 0 &&
	       (path[n] == '\0' || path[n] == '/');
}

int sl_unix_gate(pid_t tid, const struct sl_strv *grants,
		 const struct sockaddr_storage *ss, socklen_t len, int *pin,
		 struct sockaddr_un *target, socklen_t *tlen)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)ss;
	size_t plen = len - offsetof(struct sockaddr_un, sun_path);
	char path[sizeof(sun->sun_path) + 1];
	char real[PATH_MAX], link[64];
	_cleanup_(freep) char *full = NULL;
	_cleanup_(closep) int fd = -1;
	ssize_t rl;
	bool ok = false;

	if (plen > sizeof(sun->sun_path))
		plen = sizeof(sun->sun_path);
	memcpy(path, sun->sun_path, plen);
	path[plen] = '\0';
	if (path[0] != '/')
		return -ECONNREFUSED;
	if (asprintf(&full, "/proc/%d/root%s", (int)tid, path) < 0)
		return -ENOMEM;
	fd = open(full, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -ECONNREFUSED;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	rl = readlink(link, real, sizeof(real) - 1);
	if (rl < 0 || (size_t)rl >= sizeof(real) - 1)
		return -EACCES;
	real[rl] = '\0';
	for (size_t i = 0; i < grants->n && !ok; i++)
		ok = under(real, grants->v[i]);
	if (!ok)
		return -EACCES;
	memset(target, 0, sizeof(*target));
	target->sun_family = AF_UNIX;
	snprintf(target->sun_path, sizeof(target->sun_path), "%s", link);
	*tlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
			    strlen(target->sun_path) + 1);
	*pin = TAKE_FD(fd);
	return 0;
}
