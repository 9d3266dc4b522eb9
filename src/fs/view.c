/*
 * The checks of the fs_denied handler and the view of one notification.
 * Membership of a pid (for /proc/<pid>) is the supervisor's answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "handlers/fsdeny.h"
#include "handlers/fspath.h"
#include "supervisor/notif.h"
#include "util/cleanup.h"

bool sl_fs_in_sandbox(void *arg, pid_t pid)
{
	const struct sl_fsdeny *s = arg;

	return sl_supervisor_is_member(s->sv, pid);
}

/* ---- checks ------------------------------------------------------------ */

bool sl_fs_path_denied(const struct sl_fsdeny *s, const char *path)
{
	pid_t pid;

	if (path[0] != '/')
		return false; /* pipe:[..], socket:[..]: no name to deny */
	if (sl_pathset_covers(&s->deny, path) || sl_path_sensitive(path))
		return true;
	return sl_path_proc_pid(path, &pid) &&
	       !sl_fs_in_sandbox((void *)s, pid);
}

/* The object of fd: its kernel path and its identity. */
int sl_fs_object_denied(const struct sl_fsdeny *s, int fd, char **real)
{
	int r = sl_fd_path(fd, real);

	if (r < 0)
		return r;
	if (sl_fs_path_denied(s, *real) || sl_pathset_holds(&s->deny, fd))
		return -EACCES;
	return 0;
}

int sl_fs_new_name(const struct sl_fsdeny *s, int parentfd, const char *name,
		   char **full)
{
	_cleanup_(freep) char *parent = NULL;
	int r = sl_fs_object_denied(s, parentfd, &parent);

	*full = NULL;
	if (r < 0 || parent[0] != '/')
		return r;
	r = sl_path_normalize(parent, name, full);
	if (r < 0)
		return r;
	return sl_fs_path_denied(s, *full) ? -EACCES : 0;
}

/* Landlock's grants, re-applied for an open performed by the supervisor.
 * Objects without a path (pipes, sockets) are not governed by Landlock. */
bool sl_fs_granted(const struct sl_fsdeny *s, const char *real,
		    bool write)
{
	if (real[0] != '/')
		return true;
	if (sl_pathset_covers(&s->write, real))
		return true;
	return !write && sl_pathset_covers(&s->read, real);
}

/* ---- per-call context ------------------------------------------------- */

int sl_fs_call_begin(struct sl_fs_call *c, const struct sl_notif *n,
		      struct sl_fsdeny *s)
{
	char path[64];
	struct stat rs;
	int r;

	memset(c, 0, sizeof(*c));
	c->n = n;
	c->s = s;
	c->rc.rootfd = -1;
	r = sl_task_status((pid_t)n->req->pid, &c->st);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "/proc/%u/root", n->req->pid);
	c->rc.rootfd = open(path, O_PATH | O_CLOEXEC);
	if (c->rc.rootfd < 0)
		return -errno;
	/* Both read from the caller, not from a successor of its pid. */
	r = sl_notif_id_valid(n->listener, n->req->id);
	if (r < 0)
		return r;
	c->rc.root_is_host = s->has_host_root &&
			     fstat(c->rc.rootfd, &rs) == 0 &&
			     rs.st_dev == s->host_root.st_dev &&
			     rs.st_ino == s->host_root.st_ino;
	c->rc.tgid = c->st.tgid;
	c->rc.tid = (pid_t)n->req->pid;
	c->rc.pid_ok = sl_fs_in_sandbox;
	c->rc.arg = s;
	return 0;
}

void sl_fs_call_end(struct sl_fs_call *c)
{
	if (c->rc.rootfd >= 0)
		close(c->rc.rootfd);
	sl_task_status_free(&c->st);
}

int sl_fs_read_path(const struct sl_fs_call *c, uint64_t addr, char **out)
{
	_cleanup_(freep) char *buf = malloc(SL_PATH_READ_MAX);
	int r;

	if (!buf)
		return -ENOMEM;
	r = sl_notif_read_str(c->n, addr, buf, SL_PATH_READ_MAX, NULL);
	if (r < 0)
		return r;
	*out = TAKE_PTR(buf);
	return 0;
}

/* The directory a relative path starts from (the child's fd or cwd). */
int sl_fs_base_dir(const struct sl_fs_call *c, int dirfd, const char *path)
{
	char link[64];
	int fd, r;

	if (path[0] == '/') {
		fd = fcntl(c->rc.rootfd, F_DUPFD_CLOEXEC, 0);
		return fd < 0 ? -errno : fd;
	}
	if (dirfd != AT_FDCWD)
		return sl_notif_getfd(c->n, dirfd);
	snprintf(link, sizeof(link), "/proc/%u/cwd", c->n->req->pid);
	fd = open(link, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = sl_notif_id_valid(c->n->listener, c->n->req->id);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* The lexical form of the path as named by the child (for the prefix
 * check before anything is touched). */
int sl_fs_lexical(int base, const char *path, char **out)
{
	_cleanup_(freep) char *bp = NULL;
	int r;

	if (path[0] == '/')
		return sl_path_normalize(NULL, path, out);
	r = sl_fd_path(base, &bp);
	if (r < 0)
		return r;
	if (bp[0] != '/')
		return sl_path_normalize("/", path, out);
	return sl_path_normalize(bp, path, out);
}

