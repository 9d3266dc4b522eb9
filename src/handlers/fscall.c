/*
 * The checks of the fs_denied handler and the view of one notification.
 *
 * A pid belongs to the sandbox when its chain of parents reaches the
 * sandbox's top-level process (confirmed twice so a recycled pid in the
 * chain is noticed). A process orphaned to an outside reaper is thereby
 * treated as foreign: its /proc entries are refused (fail closed).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "handlers/fsdeny.h"
#include "handlers/fspath.h"
#include "supervisor/notif.h"
#include "util/cleanup.h"

#define SL_MAX_CHAIN 64 /* parent links followed to find the sandbox */

static bool root_alive(const struct sl_fsdeny *s)
{
	struct pollfd pf = { .fd = s->root_pidfd, .events = POLLIN };

	return s->root_pidfd >= 0 && poll(&pf, 1, 0) == 0;
}

bool sl_fs_in_sandbox(void *arg, pid_t pid)
{
	struct sl_fsdeny *s = arg;
	pid_t chain[SL_MAX_CHAIN], parent[SL_MAX_CHAIN];
	size_t n = 0;

	if (s->root <= 0)
		return false;
	for (;;) {
		pid_t tgid, ppid;

		if (sl_task_ids(pid, &tgid, &ppid) < 0)
			return false;
		if (tgid == s->root)
			break;
		if (n == SL_MAX_CHAIN || ppid <= 1)
			return false;
		chain[n] = pid;
		parent[n++] = ppid;
		pid = ppid;
	}
	/* A parent that died and whose pid was reused would have reparented
	 * its child first: an unchanged chain is a genuine one. */
	for (size_t i = 0; i < n; i++) {
		pid_t ppid;

		if (sl_task_ids(chain[i], NULL, &ppid) < 0 ||
		    ppid != parent[i])
			return false;
	}
	return root_alive(s);
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

