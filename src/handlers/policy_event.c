/* Events for the policy callback (policy.h, docs/abi.md 2.5, docs/behaviour.md 13.4). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs/kcompat.h"
#include "handlers/policy.h"
#include "handlers/procinfo.h"
#include "handlers/net_msg.h"
#include "supervisor/notif.h"
#include "supervisor/proctab.h"
#include "util/cleanup.h"

/* Longest single argument the kernel takes (MAX_ARG_STRLEN). */
#define MAX_ARG_LEN (32 * 4096)

static const struct {
	int nr;
	const char *name;
	uint8_t category;
	bool held;
} events[] = {
	{ SCMP_SYS(execve), "execve", SL_EV_PROCESS, true },
	{ SCMP_SYS(execveat), "execveat", SL_EV_PROCESS, true },
	{ SCMP_SYS(openat), "openat", SL_EV_FILE, true },
	{ SCMP_SYS(openat2), "openat", SL_EV_FILE, true },
	{ SCMP_SYS(open), "openat", SL_EV_FILE, true },
	{ SCMP_SYS(creat), "openat", SL_EV_FILE, true },
	{ SCMP_SYS(connect), "connect", SL_EV_NETWORK, true },
	{ SCMP_SYS(bind), "bind", SL_EV_NETWORK, true },
	{ SCMP_SYS(sendto), "sendto", SL_EV_NETWORK, true },
	{ SCMP_SYS(sendmsg), "sendmsg", SL_EV_NETWORK, true },
	{ SCMP_SYS(sendmmsg), "sendmmsg", SL_EV_NETWORK, true },
	{ SCMP_SYS(getsockname), "getsockname", SL_EV_NETWORK, false },
	{ SCMP_SYS(clone), "clone", SL_EV_PROCESS, false },
	{ SCMP_SYS(clone3), "clone3", SL_EV_PROCESS, false },
	{ SCMP_SYS(fork), "fork", SL_EV_PROCESS, false },
	{ SCMP_SYS(vfork), "vfork", SL_EV_PROCESS, false },
	{ SCMP_SYS(mmap), "mmap", SL_EV_MEMORY, false },
	{ SCMP_SYS(munmap), "munmap", SL_EV_MEMORY, false },
	{ SCMP_SYS(brk), "brk", SL_EV_MEMORY, false },
	{ SCMP_SYS(mremap), "mremap", SL_EV_MEMORY, false },
	{ SCMP_SYS(getrandom), "getrandom", SL_EV_FILE, false },
	{ SCMP_SYS(unlinkat), "unlinkat", SL_EV_FILE, false },
	{ SCMP_SYS(unlink), "unlinkat", SL_EV_FILE, false },
	{ SCMP_SYS(rmdir), "unlinkat", SL_EV_FILE, false },
	{ SCMP_SYS(mkdirat), "mkdirat", SL_EV_FILE, false },
	{ SCMP_SYS(mkdir), "mkdirat", SL_EV_FILE, false },
	{ SCMP_SYS(mknodat), "mknodat", SL_EV_FILE, false },
	{ SCMP_SYS(mknod), "mknodat", SL_EV_FILE, false },
	{ SCMP_SYS(renameat2), "renameat2", SL_EV_FILE, false },
	{ SCMP_SYS(renameat), "renameat2", SL_EV_FILE, false },
	{ SCMP_SYS(rename), "renameat2", SL_EV_FILE, false },
	{ SCMP_SYS(linkat), "linkat", SL_EV_FILE, false },
	{ SCMP_SYS(link), "linkat", SL_EV_FILE, false },
	{ SCMP_SYS(symlinkat), "symlinkat", SL_EV_FILE, false },
	{ SCMP_SYS(symlink), "symlinkat", SL_EV_FILE, false },
	{ SCMP_SYS(truncate), "truncate", SL_EV_FILE, false },
};

/* The syscalls a policy callback has notified (docs/behaviour.md 2.5), and
 * creat (an open by another name). */
static const int row[] = {
	SCMP_SYS(openat),  SCMP_SYS(openat2),	SCMP_SYS(open),
	SCMP_SYS(creat),   SCMP_SYS(connect),	SCMP_SYS(sendto),
	SCMP_SYS(sendmsg), SCMP_SYS(sendmmsg),	SCMP_SYS(bind),
	SCMP_SYS(execve),  SCMP_SYS(execveat),	SCMP_SYS(mkdirat),
	SCMP_SYS(mknodat), SCMP_SYS(unlinkat),	SCMP_SYS(symlinkat),
	SCMP_SYS(linkat),  SCMP_SYS(renameat2), SCMP_SYS(truncate),
	SCMP_SYS(mkdir),   SCMP_SYS(mknod),	SCMP_SYS(rmdir),
	SCMP_SYS(unlink),  SCMP_SYS(symlink),	SCMP_SYS(link),
	SCMP_SYS(rename),  SCMP_SYS(renameat),
};

void sl_pevent_syscalls(struct sl_nrset *set)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(row); i++)
		if (row[i] == SCMP_SYS(sendto)) /* a send on a connected socket
						* was decided at its connect */
			sl_nrset_add_narrow(set, row[i]);
		else
			sl_nrset_add(set, row[i]);
}

const char *sl_pevent_name(int nr, uint8_t *category)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(events); i++)
		if (events[i].nr == nr) {
			*category = events[i].category;
			return events[i].name;
		}
	*category = SL_EV_FILE;
	return "unknown";
}

bool sl_pevent_held(int nr)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(events); i++)
		if (events[i].nr == nr)
			return events[i].held;
	return false;
}

/* The parent of the notifying task's process: from its pidfd, else
 * /proc. 0 when unknown. */
static uint32_t parent_of(const struct sl_notif *n)
{
	struct sl_proctab *t = sl_supervisor_proctab(n->sv);
	struct sl_pidfd_info info = { .mask = 1 /* PIDFD_INFO_PID */ };
	pid_t tgid = 0, ppid = 0;
	int pidfd;

	if (t && sl_proctab_lookup(t, (pid_t)n->req->pid, &tgid) == 0 &&
	    (pidfd = sl_proctab_pidfd(t, tgid)) >= 0 &&
	    ioctl(pidfd, SL_PIDFD_GET_INFO, &info) == 0 && (info.mask & 1))
		return info.ppid;
	if (sl_task_ids((pid_t)n->req->pid, &tgid, &ppid) < 0)
		return 0;
	return (uint32_t)ppid;
}

/* The destination a network call names, read from the child. */
static int read_dest(const struct sl_notif *n, struct sockaddr_storage *ss,
		     socklen_t *len)
{
	const __u64 *a = n->req->data.args;
	uint64_t addr = 0, alen = 0;
	struct msghdr mh;
	int nr = n->req->data.nr;

	if (nr == SCMP_SYS(connect) || nr == SCMP_SYS(bind)) {
		addr = a[1];
		alen = (uint32_t)a[2];
	} else if (nr == SCMP_SYS(sendto)) {
		addr = a[4];
		alen = (uint32_t)a[5];
	} else if (nr == SCMP_SYS(sendmsg) || nr == SCMP_SYS(sendmmsg)) {
		/* sendmmsg: its first message's (an mmsghdr starts with
		 * one) */
		if (sl_notif_read(n, a[1], &mh, sizeof(mh)) < 0)
			return -EFAULT;
		addr = (uint64_t)(uintptr_t)mh.msg_name;
		alen = mh.msg_namelen;
	}
	if (!addr || alen == 0 || alen > sizeof(*ss))
		return -ENOENT;
	memset(ss, 0, sizeof(*ss));
	if (sl_notif_read(n, addr, ss, (size_t)alen) < 0)
		return -EFAULT;
	*len = (socklen_t)alen;
	return 0;
}

static void fill_dest(struct sl_pevent *ev, const struct sl_notif *n,
		      const void *dest, uint32_t dlen)
{
	struct sockaddr_storage ss;
	socklen_t len = (socklen_t)dlen;
	struct sl_ip ip;

	if (dest && dlen <= sizeof(ss)) {
		memset(&ss, 0, sizeof(ss));
		memcpy(&ss, dest, dlen);
	} else if (read_dest(n, &ss, &len) < 0) {
		return;
	}
	if (sl_ip_from_sockaddr((struct sockaddr *)&ss, len, &ip, &ev->port) <
	    0) {
		ev->port = 0;
		return;
	}
	sl_ip_format(&ip, ev->host);
	ev->has_host = true;
}

/* One argument at addr, into *buf (grown up to the kernel's limit). */
static int read_arg(const struct sl_notif *n, uint64_t addr, char **buf,
		    size_t *cap, size_t *len)
{
	int r = sl_notif_read_str(n, addr, *buf, *cap, len);
	char *big;

	if (r != -ENAMETOOLONG || *cap > MAX_ARG_LEN)
		return r == -ENAMETOOLONG ? -E2BIG :
					    r; /* the kernel refuses it too */
	big = malloc(MAX_ARG_LEN + 1);
	if (!big)
		return -ENOMEM;
	if (*cap > 4096)
		free(*buf);
	*buf = big;
	*cap = MAX_ARG_LEN + 1;
	r = sl_notif_read_str(n, addr, *buf, *cap, len);
	return r == -ENAMETOOLONG ? -E2BIG : r;
}

/* argv pointers from addr: up to a page boundary at a time (never past
 * the terminator into memory that may not be mapped). */
static int read_argv(struct sl_pevent *ev, const struct sl_notif *n,
		     uint64_t addr)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), total = 0;
	char small[4096], *buf = small;
	size_t cap = sizeof(small);
	int r = 0;

	ev->argv = calloc(1, sizeof(char *));
	if (!ev->argv)
		return -ENOMEM;
	while (addr) {
		uint64_t ptrs[64];
		size_t room = (page - (size_t)(addr % page)) / sizeof(uint64_t);
		size_t k = room < 64 ? room : 64;
		bool end = false;

		if (k == 0)
			k = 1;
		r = sl_notif_read(n, addr, ptrs, k * sizeof(uint64_t));
		if (r < 0)
			break;
		for (size_t i = 0; i < k && !end; i++) {
			char **v;
			size_t len;

			if (!ptrs[i]) {
				end = true;
				break;
			}
			if (ev->argc >= SL_EV_MAX_ARGC ||
			    total >= SL_EV_MAX_ARGV_BYTES) {
				r = -E2BIG;
				break;
			}
			r = read_arg(n, ptrs[i], &buf, &cap, &len);
			if (r < 0)
				break;
			total += len + 1;
			v = realloc(ev->argv, (ev->argc + 2) * sizeof(*v));
			if (!v) {
				r = -ENOMEM;
				break;
			}
			ev->argv = v;
			ev->argv[ev->argc] = strndup(buf, len);
			if (!ev->argv[ev->argc]) {
				r = -ENOMEM;
				break;
			}
			ev->argv[++ev->argc] = NULL;
		}
		if (r < 0 || end)
			break;
		addr += k * sizeof(uint64_t);
	}
	if (buf != small)
		free(buf);
	return r;
}

int sl_pevent_fill(struct sl_pevent *ev, const struct sl_notif *n,
		   const void *dest, uint32_t dlen)
{
	int nr = n->req->data.nr;

	ev->id = n->req->id;
	ev->syscall = sl_pevent_name(nr, &ev->category);
	ev->pid = n->req->pid;
	ev->ppid = parent_of(n);
	if (ev->category == SL_EV_NETWORK)
		fill_dest(ev, n, dest, dlen);
	if (nr == SCMP_SYS(execve))
		return read_argv(ev, n, n->req->data.args[1]);
	if (nr == SCMP_SYS(execveat))
		return read_argv(ev, n, n->req->data.args[2]);
	return 0;
}
