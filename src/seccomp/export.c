/*
 * libseccomp context -> BPF program in memory. libseccomp 2.5 can only
 * export to a file descriptor, so the program goes through a memfd.
 */
#include "seccomp/plan.h"

#include <errno.h>
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

int sl_seccomp_export(scmp_filter_ctx ctx, struct sock_fprog *out,
		      struct sl_error *e)
{
	_cleanup_(closep) int fd = -1;
	_cleanup_(freep) struct sock_filter *insns = NULL;
	struct stat st;
	size_t n;
	int rc;

	fd = memfd_create("sandlock-bpf", MFD_CLOEXEC);
	if (fd < 0)
		return sl_err(e, errno, "memfd_create: %s", strerror(errno));
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0)
		return sl_err(e, -rc, "seccomp_export_bpf: %s", strerror(-rc));
	if (fstat(fd, &st) < 0)
		return sl_err(e, errno, "fstat: %s", strerror(errno));
	if (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter))
		return sl_err(e, EIO, "seccomp: exported program has a bad "
				      "size (%lld bytes)",
			      (long long)st.st_size);
	n = (size_t)st.st_size / sizeof(struct sock_filter);
	if (n > BPF_MAXINSNS)
		return sl_err(e, E2BIG,
			      "seccomp: program of %zu instructions exceeds "
			      "the kernel limit of %d",
			      n, BPF_MAXINSNS);
	insns = malloc((size_t)st.st_size);
	if (!insns)
		return sl_err(e, ENOMEM, "out of memory");
	rc = read_all(fd, insns, (size_t)st.st_size);
	if (rc < 0)
		return sl_err(e, -rc, "seccomp: reading the program: %s",
			      strerror(-rc));
	out->len = (unsigned short)n;
	out->filter = TAKE_PTR(insns);
	return 0;
}
