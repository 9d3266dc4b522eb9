#include "handlers/opentarget.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs/decode.h"
#include "fs/path.h"
#include "supervisor/notif.h"
#include "util/cleanup.h"

void sl_open_family_add(struct sl_nrset *set)
{
	sl_nrset_add_sys(set, open);
	sl_nrset_add_sys(set, openat);
	sl_nrset_add_sys(set, openat2);
}

bool sl_is_open_family(int nr)
{
#ifdef __NR_open
	if (nr == __NR_open)
		return true;
#endif
	return nr == __NR_openat || nr == __NR_openat2;
}

/* The directory a relative path of the child starts from. */
static int base_of(const struct sl_notif *n, int dirfd, char **out)
{
	char link[64], buf[PATH_MAX];
	ssize_t len;

	if (dirfd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%u/cwd", n->req->pid);
	else
		snprintf(link, sizeof(link), "/proc/%u/fd/%d", n->req->pid,
			 dirfd);
	len = readlink(link, buf, sizeof(buf) - 1);
	if (len < 0)
		return -EBADF;
	buf[len] = '\0';
	if (sl_notif_id_valid(n->listener, n->req->id) < 0)
		return -ENOENT;
	*out = strdup(buf);
	return *out ? 0 : -ENOMEM;
}

int sl_open_target(const struct sl_notif *n, char **path, uint64_t *flags)
{
	const struct sl_fs_req *req = sl_fs_req_get(n);
	_cleanup_(freep) char *base = NULL;
	const char *raw;
	int r;

	if (!req || req->op != SL_FS_OPEN)
		return -ENOSYS;
	if (req->err < 0)
		return req->err;
	*flags = req->flags;
	raw = req->a[0].path;
	if (raw[0] != '/') {
		r = base_of(n, req->a[0].dirfd, &base);
		if (r < 0)
			return r;
	}
	return sl_path_normalize(base ? base : "/", raw, path);
}

int sl_sealed_memfd(const char *name, const void *data, size_t len)
{
	_cleanup_(closep) int fd = -1;
	const char *p = data;

	fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		len -= (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) < 0 ||
	    fcntl(fd, F_ADD_SEALS,
		  F_SEAL_SEAL | F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK) < 0)
		return -errno;
	return TAKE_FD(fd);
}

void sl_open_answer_fd(struct sl_action *out, int fd, uint64_t flags)
{
	out->kind = SL_ACT_INJECT_SEND;
	out->srcfd = fd;
	out->newfd_flags = (flags & O_CLOEXEC) ? O_CLOEXEC : 0;
}
