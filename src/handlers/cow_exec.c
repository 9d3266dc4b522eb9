/*
 * Exec of a staged binary (docs/behaviour.md 9.3): the kernel can only run a
 * file it finds, and the staged one lies in the upper, under a path the
 * child did not name. The upper file is installed in the child (without
 * O_CLOEXEC, so a script's interpreter can open it too), the child's path
 * argument is rewritten to "/proc/self/fd/N" and the call continues; the
 * run's ruleset lets the kernel read and execute that run's own upper.
 *
 * The rewrite is not a decision the kernel re-reads: whatever path a
 * racing thread puts there instead is run under Landlock as any exec is.
 * It only has to leave the program's arguments as they were: the new
 * path may be longer than the old one, so strings of argv and envp that
 * start in (or run into) the bytes rewritten are first copied below the
 * calling thread's stack pointer (unused while it waits in the call) and
 * their pointers updated; argv[0] keeps its text. A successful exec
 * discards the rest of the old image; a failed one leaves the program
 * with those bytes changed and the descriptor open, as the reference
 * does.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/ops.h"
#include "handlers/cow.h"
#include "supervisor/notif.h"
#include "util/cleanup.h"

#define SL_EXEC_MAGIC_MAX 32
#define SL_EXEC_PTR_CHUNK 256
#define SL_EXEC_PTRS_MAX (1u << 20) /* argv and envp entries read */
#define SL_EXEC_ARG_MAX (32 * 4096) /* the kernel's MAX_ARG_STRLEN */
#define SL_EXEC_RED_ZONE 1024	    /* kept free below the stack pointer */

/* Write into the child even where its pages are read-only (a path in a
 * program's constants): through /proc/<pid>/mem, as a debugger does. */
int cow_force_write(const struct sl_notif *n, uint64_t addr, const void *buf,
		    size_t len)
{
	_cleanup_(closep) int fd = -1;
	char path[64];
	ssize_t w;

	if (sl_notif_write(n, addr, buf, len) == 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%u/mem", n->req->pid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (sl_notif_id_valid(n->listener, n->req->id) < 0)
		return -ENOENT; /* the pid may name another task now */
	w = pwrite(fd, buf, len, (off_t)addr);
	return w == (ssize_t)len ? 0 : -EFAULT;
}

/* The calling thread's stack pointer, as it waits in the call. */
static int stack_pointer(const struct sl_notif *n, uint64_t *sp)
{
	char path[64], buf[512];
	unsigned long long v[9];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/syscall", n->req->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -EIO;
	buf[len] = '\0';
	if (sscanf(buf, "%lli %llx %llx %llx %llx %llx %llx %llx %llx", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]) != 9)
		return -EIO;
	if (sl_notif_id_valid(n->listener, n->req->id) < 0)
		return -ENOENT;
	*sp = v[7];
	return 0;
}

struct relocation {
	const struct sl_notif *n;
	uint64_t lo, hi; /* the bytes rewritten: [lo, hi) */
	uint64_t sp;	 /* 0 until needed */
	uint64_t below;	 /* next free byte below the stack pointer */
};

/* Length of the child's string at p (bounded), or -errno. */
static long child_strlen(const struct sl_notif *n, uint64_t p)
{
	char buf[256];

	for (long off = 0; off < SL_EXEC_ARG_MAX;) {
		size_t want = sizeof(buf) - ((p + (uint64_t)off) % sizeof(buf));
		char *z;
		int r = sl_notif_read(n, p + (uint64_t)off, buf, want);

		if (r < 0)
			return r;
		z = memchr(buf, '\0', want);
		if (z)
			return off + (z - buf);
		off += (long)want;
	}
	return -E2BIG;
}

/* Move the string at p (len bytes and its NUL) below the stack pointer;
 * its new address in *to. */
static int move_string(struct relocation *rl, uint64_t p, size_t len,
		       uint64_t *to)
{
	_cleanup_(freep) char *copy = malloc(len + 1);
	int r;

	if (!copy)
		return -ENOMEM;
	if (!rl->sp) {
		r = stack_pointer(rl->n, &rl->sp);
		if (r < 0)
			return r;
		rl->below = rl->sp - SL_EXEC_RED_ZONE;
	}
	r = sl_notif_read(rl->n, p, copy, len + 1);
	if (r < 0)
		return r;
	rl->below = (rl->below - (len + 1)) & ~(uint64_t)15;
	r = cow_force_write(rl->n, rl->below, copy, len + 1);
	*to = rl->below;
	return r;
}

/* The entries of a NULL-terminated pointer array at arr whose strings
 * touch the rewritten bytes are moved. */
static int relocate_array(struct relocation *rl, uint64_t arr)
{
	uint64_t ptrs[SL_EXEC_PTR_CHUNK];

	for (uint32_t base = 0; arr && base < SL_EXEC_PTRS_MAX;
	     base += SL_EXEC_PTR_CHUNK) {
		uint64_t at = arr + (uint64_t)base * sizeof(uint64_t);
		int r = sl_notif_read(rl->n, at, ptrs, sizeof(ptrs));

		/* a short array near the end of its mapping: read one by one */
		for (unsigned i = 0; i < SL_EXEC_PTR_CHUNK; i++) {
			uint64_t p, to;
			long len;

			if (r < 0 && sl_notif_read(rl->n, at + i * 8, &ptrs[i],
						   sizeof(ptrs[i])) < 0)
				return -EFAULT;
			p = ptrs[i];
			if (!p)
				return 0;
			if (p >= rl->hi || p + SL_EXEC_ARG_MAX < rl->lo)
				continue;
			len = child_strlen(rl->n, p);
			if (len < 0)
				return (int)len;
			if (p + (uint64_t)len < rl->lo)
				continue; /* ends before */
			r = move_string(rl, p, (size_t)len, &to);
			if (r == 0)
				r = cow_force_write(rl->n, at + i * 8, &to,
						    sizeof(to));
			if (r < 0)
				return r;
		}
	}
	return -E2BIG;
}

/* Rewrite the path at addr (which held orig) to magic. */
static int rewrite(const struct sl_fs_call *c, uint64_t addr, const char *orig,
		   const char *magic, size_t len)
{
	const __u64 *a = c->n->req->data.args;
	bool at = c->req->nr == __NR_execveat;
	size_t olen = strlen(orig);
	struct relocation rl = {
		.n = c->n,
		.lo = addr,
		.hi = addr + (len > olen ? len : olen) + 1,
	};
	int r;

	r = relocate_array(&rl, at ? a[2] : a[1]); /* argv */
	if (r == 0)
		r = relocate_array(&rl, at ? a[3] : a[2]); /* envp */
	if (r == 0)
		r = cow_force_write(c->n, addr, magic, len + 1);
	return r;
}

/* Install fd in the child (without O_CLOEXEC), return its number there. */
static int install(const struct sl_fs_call *c, int fd)
{
	struct seccomp_notif_addfd add = {
		.id = c->n->req->id,
		.srcfd = (uint32_t)fd,
	};
	int r = ioctl(c->n->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);

	return r < 0 ? -errno : r;
}

int cow_op_exec(struct sl_fs_call *c, unsigned flags, struct sl_action *out)
{
	const __u64 *a = c->n->req->data.args;
	char magic[SL_EXEC_MAGIC_MAX];
	_cleanup_(closep) int fd = -1;
	struct cow_loc l = { 0 };
	int r, n;

	(void)flags;
	if (!c->req->a[0].named)
		return 0; /* an fd: the kernel's */
	r = sl_fs_call_as_child(c);
	if (r == 0)
		r = cow_locate(c, 0, SL_RES_FOLLOW, &l);
	if (r < 0 || (!l.in && !l.foreign)) {
		cow_loc_free(&l);
		return r < 0 ? r : cow_pass(c, out);
	}
	cow_settle(c);
	r = l.err < 0 ? l.err : l.foreign || l.rel ? 0 : -EACCES;
	if (r == 0 && l.foreign)
		r = sl_fs_check(c->v, c->fddir, l.res->fd, &l.res->obj,
				SL_FS_ACC_READ, NULL);
	else if (r == 0)
		r = cow_check(c, l.rel, l.side == SL_COW_LOWER ? l.res->fd : -1,
			      &l.res->obj, SL_FS_ACC_READ, false);
	if (r == 0 && S_ISDIR(l.res->obj.mode))
		r = -EACCES;
	if (r == 0 && c->nonblock && l.res->kind == SL_FSK_SLOW)
		r = -EAGAIN;
	if (r < 0 || cow_kernel_agrees(c, &l)) {
		cow_loc_free(&l);
		return r; /* (0: the kernel runs the workdir's own binary) */
	}
	if (sl_fs_call_gate(c, out)) { /* before the rewrite */
		cow_loc_free(&l);
		return 0;
	}
	fd = sl_fs_open_object(c->fddir, l.res->fd, O_RDONLY, false);
	cow_loc_free(&l);
	if (fd < 0)
		return fd;
	n = install(c, fd);
	if (n < 0)
		return n;
	snprintf(magic, sizeof(magic), "/proc/self/fd/%d", n);
	return rewrite(c, c->req->nr == __NR_execveat ? a[1] : a[0],
		       c->req->a[0].path, magic, strlen(magic));
}
