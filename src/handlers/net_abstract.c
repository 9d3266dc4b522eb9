/*
 * The abstract unix socket scope, emulated where the supervisor connects
 * or sends for the child (docs/behaviour.md 3.4).
 *
 * Landlock's LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET lets a sandboxed process
 * reach only abstract sockets created inside its domain. The supervisor
 * has no domain, and it must not leave these calls to the kernel either:
 * the kernel would read the fd number and the address again, and a
 * racing thread could turn an abstract name into a pathname (into an
 * ungranted socket) or swap in another socket. So the supervisor finds
 * the socket bound to the name (sock_diag: exact name bytes, same socket
 * type, listening for stream and seqpacket), finds a process of the
 * sandbox that holds it (its /proc/<pid>/fd), and takes a reference to
 * it with pidfd_getfd. While the supervisor holds that reference the
 * socket cannot go away, so no other socket can take its name: the
 * connect or send that follows, made with the copied address, reaches
 * exactly the socket found. Only processes reachable from the sandbox's
 * top-level process through /proc/<p>/task/<t>/children count, as for
 * sl_supervisor_is_member().
 *
 * This is the scope by holder, not by creator: a socket made inside and
 * handed out only, held by no sandbox process any more, is refused
 * (Landlock would allow it); a socket made outside and handed in is
 * reachable once a sandbox process holds it (Landlock would refuse).
 * Both need a process outside to cooperate.
 *
 * A socket is identified by its cookie (SO_COOKIE, the 64-bit id
 * sock_diag reports too, never reused), its inode only locating it in
 * /proc/<pid>/fd. Finding one costs a sock_diag dump and a walk of the
 * sandbox's fd tables; the last few answers are remembered (holder and fd
 * number, the cookie checked again at each use), so a program sending
 * datagram after datagram to one name pays it once.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "handlers/network.h"
#include "handlers/procinfo.h"
#include "util/cleanup.h"

#define CACHE 16
#define MAX_PROCS 4096	    /* a sandbox's processes walked, at most */
#define TCP_LISTEN_STATE 10 /* the kernel's TCP_LISTEN, also for unix */

/* Which socket: its inode finds it in /proc/<pid>/fd, its cookie says
 * it is the one. */
struct sock_id {
	ino_t ino;
	uint64_t cookie;
};

struct entry {
	int type;
	size_t len;
	char name[sizeof(((struct sockaddr_un *)0)->sun_path)];
	pid_t pid;
	int fd;
	struct sock_id id;
};

struct sl_net_abstract {
	struct entry cache[CACHE];
	unsigned used, next;
};

void sl_net_abstract_free(struct sl_net_abstract *a)
{
	free(a);
}

/* ---- the socket bound to a name ----------------------------------------- */

static bool diag_match(const struct nlmsghdr *h, int type, const char *name,
		       size_t len, struct sock_id *id)
{
	const struct unix_diag_msg *m = NLMSG_DATA(h);
	const struct rtattr *a = (const struct rtattr *)(m + 1);
	int left = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)) || m->udiag_type != type)
		return false;
	for (; RTA_OK(a, left); a = RTA_NEXT(a, left))
		if (a->rta_type == UNIX_DIAG_NAME &&
		    (size_t)RTA_PAYLOAD(a) == len &&
		    memcmp(RTA_DATA(a), name, len) == 0) {
			id->ino = m->udiag_ino;
			id->cookie = (uint64_t)m->udiag_cookie[1] << 32 |
				     m->udiag_cookie[0];
			return true;
		}
	return false;
}

/* The socket of type bound to name (len bytes, the leading NUL
 * included), listening unless a datagram socket. -ECONNREFUSED when there
 * is none, as the kernel says. */
static int find_socket(int type, const char *name, size_t len,
		       struct sock_id *id)
{
	struct {
		struct nlmsghdr h;
		struct unix_diag_req r;
	} req = {
		.h = { .nlmsg_len = sizeof(req),
		       .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.r = { .sdiag_family = AF_UNIX,
		       .udiag_states = type == SOCK_DGRAM ?
					       ~0u :
					       1u << TCP_LISTEN_STATE,
		       .udiag_show = UDIAG_SHOW_NAME },
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	_cleanup_(closep) int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
					  NETLINK_SOCK_DIAG);
	_cleanup_(freep) uint64_t *buf = NULL;
	bool found = false;
	const size_t cap = 32768;

	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, buf, cap, 0);
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;

		if (n < 0)
			return -errno;
		for (; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return found ? 0 : -ECONNREFUSED;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -EIO;
			if (!found)
				found = diag_match(h, type, name, len, id);
		}
	}
}

/* ---- a process of the sandbox that holds it ----------------------------- */

/* Append the children of every task of pid to v. */
static int add_children(pid_t pid, pid_t *v, size_t *n, size_t cap)
{
	char path[320];
	_cleanup_(closedirp) DIR *tasks = NULL;
	struct dirent *t;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	tasks = opendir(path);
	if (!tasks)
		return 0; /* gone */
	while ((t = readdir(tasks)) && *n < cap) {
		_cleanup_(freep) char *text = NULL;
		char *p, *end;

		if (t->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/children",
			 (int)pid, t->d_name);
		if (sl_read_file(path, &text, NULL) < 0)
			continue;
		for (p = text; *n < cap; p = end) {
			long c = strtol(p, &end, 10);

			if (end == p)
				break;
			v[(*n)++] = (pid_t)c;
		}
	}
	return 0;
}

/* The fd number under which pid holds the socket inode ino, or -1. */
static int fd_of(pid_t pid, ino_t ino)
{
	char path[64], want[64], link[64];
	_cleanup_(closedirp) DIR *fds = NULL;
	struct dirent *d;
	int wlen;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	wlen = snprintf(want, sizeof(want), "socket:[%lu]", (unsigned long)ino);
	fds = opendir(path);
	if (!fds)
		return -1;
	while ((d = readdir(fds))) {
		ssize_t l;

		if (d->d_name[0] == '.')
			continue;
		l = readlinkat(dirfd(fds), d->d_name, link, sizeof(link));
		if (l == wlen && memcmp(link, want, (size_t)wlen) == 0)
			return atoi(d->d_name);
	}
	return -1;
}

/* A sandbox process holding the socket of inode ino, walking the process
 * tree from the top. -EPERM when none does (only outside processes hold
 * it). */
static int find_holder(struct sl_supervisor *sv, ino_t ino, pid_t *pid, int *fd)
{
	_cleanup_(freep) pid_t *v = malloc(MAX_PROCS * sizeof(*v));
	size_t n = 0;

	if (!v)
		return -ENOMEM;
	v[n++] = sl_supervisor_root_pid(sv);
	for (size_t i = 0; i < n; i++) {
		*fd = fd_of(v[i], ino);
		if (*fd >= 0) {
			*pid = v[i];
			return 0;
		}
		add_children(v[i], v, &n, MAX_PROCS);
	}
	return -EPERM;
}

/* A reference to the socket id that pid holds as fd, if pid is still a
 * process of the sandbox and fd still that socket. */
static int take(struct sl_supervisor *sv, pid_t pid, int fd,
		const struct sock_id *id)
{
	_cleanup_(closep) int pidfd = sl_pidfd_open(pid, 0);
	_cleanup_(closep) int sock = -1;
	uint64_t cookie = 0;
	socklen_t clen = sizeof(cookie);

	if (pidfd < 0)
		return -ESRCH;
	/* Checked after the pidfd is open: a recycled pid is noticed. */
	if (!sl_supervisor_is_member(sv, pid))
		return -ESRCH;
	sock = (int)syscall(__NR_pidfd_getfd, pidfd, fd, 0);
	if (sock < 0 ||
	    getsockopt(sock, SOL_SOCKET, SO_COOKIE, &cookie, &clen) < 0 ||
	    cookie != id->cookie)
		return -ESRCH;
	return TAKE_FD(sock);
}

static struct entry *cached(struct sl_net_abstract *a, int type,
			    const char *name, size_t len)
{
	for (unsigned i = 0; i < a->used; i++)
		if (a->cache[i].type == type && a->cache[i].len == len &&
		    memcmp(a->cache[i].name, name, len) == 0)
			return &a->cache[i];
	return NULL;
}

static void remember(struct sl_net_abstract *a, int type, const char *name,
		     size_t len, pid_t pid, int fd, const struct sock_id *id)
{
	struct entry *e = cached(a, type, name, len);

	if (!e) {
		e = &a->cache[a->next];
		a->next = (a->next + 1) % CACHE;
		if (a->used < CACHE)
			a->used++;
	}
	*e = (struct entry){
		.type = type, .len = len, .pid = pid, .fd = fd, .id = *id
	};
	memcpy(e->name, name, len);
}

int sl_net_abstract_pin(struct sl_net_state *st, const struct sl_notif *n,
			int type, const struct sockaddr_storage *ss,
			socklen_t len, int *pin)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)ss;
	size_t nlen = len - offsetof(struct sockaddr_un, sun_path);
	struct entry *e;
	struct sock_id id = { 0 };
	pid_t pid = 0;
	int fd = -1, r;

	*pin = -1;
	/* Without the scope the kernel restricts nothing either. */
	if (!st->ctx->abstract_scoped)
		return 0;
	if (nlen > sizeof(sun->sun_path))
		return -EINVAL;
	if (!st->abstract) {
		st->abstract = calloc(1, sizeof(*st->abstract));
		if (!st->abstract)
			return -ENOMEM;
	}
	e = cached(st->abstract, type, sun->sun_path, nlen);
	if (e) {
		r = take(st->sv, e->pid, e->fd, &e->id);
		if (r >= 0) {
			*pin = r;
			return 0;
		}
	}
	/* The holder may close its fd between the walk and the take: one
	 * more search, then the answer stands. */
	for (int tries = 0; tries < 2; tries++) {
		r = find_socket(type, sun->sun_path, nlen, &id);
		if (r == 0)
			r = find_holder(st->sv, id.ino, &pid, &fd);
		if (r == 0)
			r = take(st->sv, pid, fd, &id);
		if (r >= 0) {
			remember(st->abstract, type, sun->sun_path, nlen, pid,
				 fd, &id);
			*pin = r;
			return 0;
		}
		if (r != -ESRCH)
			return r;
	}
	return -EPERM;
}
