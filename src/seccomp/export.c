/*
 * libseccomp context -> BPF program in memory. libseccomp 2.5 can only
 * export to a file descriptor, so the program goes through a pipe, or a
 * memfd when the pipe cannot be trusted to hold it.
 */
#include "seccomp/plan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"

int sl_seccomp_new_ctx(scmp_filter_ctx *out, struct sl_error *e)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc;

	if (!ctx)
		return sl_err(e, ENOMEM, "seccomp_init failed");
	/* A syscall of another ABI (i386 int 0x80, x32) would bypass every
	 * rule written for the native numbers. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			      SCMP_ACT_KILL_PROCESS);
	/* The child sets NO_NEW_PRIVS itself; the attribute only matters to
	 * seccomp_load(), which we never call. */
	if (!rc)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (rc) {
		seccomp_release(ctx);
		return sl_err(e, -rc, "seccomp_attr_set: %s", strerror(-rc));
	}
	/* Binary-tree layout: the kernel runs the filter once per syscall
	 * number at install, so a short path matters. Older libseccomp
	 * lacks it and keeps its linear layout. */
	(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	*out = ctx;
	return 0;
}

/* The largest program the kernel accepts, in bytes. */
#define MAX_PROGRAM_BYTES (BPF_MAXINSNS * sizeof(struct sock_filter))

static int check_size(size_t size, struct sl_error *e)
{
	if (size == 0 || size % sizeof(struct sock_filter))
		return sl_err(e, EIO,
			      "seccomp: exported program has a bad "
			      "size (%zu bytes)",
			      size);
	if (size > MAX_PROGRAM_BYTES)
		return sl_err(e, E2BIG,
			      "seccomp: program of %zu instructions exceeds "
			      "the kernel limit of %d",
			      size / sizeof(struct sock_filter), BPF_MAXINSNS);
	return 0;
}

/*
 * Through a pipe, several times cheaper to create than a memfd (about
 * 8 against 25 us in a fresh process). libseccomp does not report a short
 * write, so the pipe must hold more than the largest acceptable program:
 * then a program that fits arrives whole, and one that does not fills the
 * pipe and is refused as too big. -EAGAIN when the pipe is too small (a
 * user over the pipe buffer limits): use the memfd.
 */
static int export_pipe(scmp_filter_ctx ctx, struct sock_fprog *out,
		       struct sl_error *e)
{
	_cleanup_(closep) int rd = -1;
	_cleanup_(closep) int wr = -1;
	_cleanup_(freep) char *buf = NULL;
	size_t cap, len = 0;
	char *fit;
	int p[2], rc;

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return -EAGAIN;
	rd = p[0];
	wr = p[1];
	rc = fcntl(wr, F_GETPIPE_SZ);
	if (rc < 0 || (size_t)rc <= MAX_PROGRAM_BYTES)
		return -EAGAIN;
	cap = (size_t)rc;
	buf = malloc(cap);
	if (!buf)
		return sl_err(e, ENOMEM, "out of memory");
	rc = seccomp_export_bpf(ctx, wr);
	if (rc == -EAGAIN)
		return -EAGAIN; /* the pipe would not take it after all */
	if (rc < 0)
		return sl_err(e, -rc, "seccomp_export_bpf: %s", strerror(-rc));
	close(TAKE_FD(wr)); /* the reads below end at EOF */
	while (len < cap) {
		ssize_t n = read(rd, buf + len, cap - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sl_err(e, errno,
				      "seccomp: reading the program: %s",
				      strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
	}
	rc = check_size(len, e);
	if (rc < 0)
		return rc;
	fit = realloc(buf, len);
	if (fit)
		buf = fit;
	out->len = (unsigned short)(len / sizeof(struct sock_filter));
	out->filter = (struct sock_filter *)TAKE_PTR(buf);
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = pread(fd, (char *)buf + off, len - off, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		off += (size_t)n;
	}
	return 0;
}

/* Through a memfd, whatever the size. */
static int export_memfd(scmp_filter_ctx ctx, struct sock_fprog *out,
			struct sl_error *e)
{
	_cleanup_(closep) int fd = -1;
	_cleanup_(freep) struct sock_filter *insns = NULL;
	struct stat st;
	size_t size;
	int rc;

	fd = memfd_create("sandlock-bpf", MFD_CLOEXEC);
	if (fd < 0)
		return sl_err(e, errno, "memfd_create: %s", strerror(errno));
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0)
		return sl_err(e, -rc, "seccomp_export_bpf: %s", strerror(-rc));
	if (fstat(fd, &st) < 0)
		return sl_err(e, errno, "fstat: %s", strerror(errno));
	size = st.st_size > 0 ? (size_t)st.st_size : 0;
	rc = check_size(size, e);
	if (rc < 0)
		return rc;
	insns = malloc(size);
	if (!insns)
		return sl_err(e, ENOMEM, "out of memory");
	rc = read_all(fd, insns, size);
	if (rc < 0)
		return sl_err(e, -rc, "seccomp: reading the program: %s",
			      strerror(-rc));
	out->len = (unsigned short)(size / sizeof(struct sock_filter));
	out->filter = TAKE_PTR(insns);
	return 0;
}

int sl_seccomp_export(scmp_filter_ctx ctx, struct sock_fprog *out,
		      struct sl_error *e)
{
	int r = export_pipe(ctx, out, e);

	return r == -EAGAIN ? export_memfd(ctx, out, e) : r;
}
