/*
 * cow_probe OP DIR ...: every way a program can write a file tree, made
 * with the raw syscalls on the fixture of tests/lib/cow.c (cow_fixture)
 * in DIR (a copy-on-write workdir), one line per call: "<call> OK" (with
 * what was read back, where there is something) or "<call> <ERRNO>".
 * Exits 0 (2 on a usage error).
 *
 *   writes DIR      each write path, then reads back what it wrote
 *   early_fd DIR    a descriptor opened before the file was copied up
 *   race_open A B N flip a path buffer between A (elsewhere) and B (in
 *                   the workdir); open(O_WRONLY|O_TRUNC) and write "R";
 *                   "done=<opens that succeeded> leaked=0"
 *   race_openat2, race_rename, race_unlink, race_mkdir, race_symlink,
 *   race_truncate, race_chmod, race_link A B N
 *                   the same flip for these calls (rename and link move
 *                   A or B to A.new / B.new; symlink creates A / B)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static char dir[512];

static const char *at(const char *name)
{
	static char bufs[8][1024];
	static int n;
	char *p = bufs[n++ % 8];

	snprintf(p, sizeof(bufs[0]), "%s/%s", dir, name);
	return p;
}

static void say(const char *call, long r)
{
	if (r < 0)
		printf("%s %s\n", call, strerrorname_np(errno));
	else
		printf("%s OK\n", call);
	fflush(stdout);
}

/* The first line of path ("" when empty), or the open's error. */
static void show(const char *call, const char *path)
{
	char buf[128] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		printf("%s %s\n", call, strerrorname_np(errno));
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	printf("%s OK %s\n", call, buf);
}

static long write_str(int fd, const char *s)
{
	long r;

	if (fd < 0)
		return -1;
	r = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(fd);
	return r;
}

static void writes(void)
{
	struct open_how how = { .flags = O_WRONLY | O_CREAT, .mode = 0644 };
	struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	struct timeval tv[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	int fd;
	long r;

	/* opens */
	say("open_wronly",
	    write_str(open(at("f_w"), O_WRONLY | O_CLOEXEC), "W"));
	say("open_rdwr", write_str(open(at("f_rw"), O_RDWR | O_CLOEXEC), "R"));
	say("open_trunc_rdonly",
	    fd = open(at("f_trunc"), O_RDONLY | O_TRUNC | O_CLOEXEC));
	if (fd >= 0)
		close(fd);
	say("open_append",
	    write_str(open(at("f_app"), O_WRONLY | O_APPEND | O_CLOEXEC), "A"));
	say("open_creat_new",
	    write_str(open(at("n_creat"),
			   O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600),
		      "C"));
	say("open_creat_existing",
	    write_str(open(at("f_cx"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600),
		      "X"));
	fd = (int)syscall(SYS_openat2, AT_FDCWD, at("f_oa2"), &how,
			  sizeof(how));
	say("openat2", write_str(fd, "2"));
	how.flags = O_WRONLY | O_CREAT | O_EXCL;
	fd = (int)syscall(SYS_openat2, AT_FDCWD, at("n_oa2"), &how,
			  sizeof(how));
	say("openat2_creat", write_str(fd, "N"));
	say("creat", write_str(creat(at("f_creat"), 0644), "c"));
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	r = write_str(fcntl(fd, F_DUPFD_CLOEXEC, 0), "T");
	if (r == 0) {
		char link[64];

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		r = linkat(AT_FDCWD, link, AT_FDCWD, at("n_tmpfile"),
			   AT_SYMLINK_FOLLOW);
	}
	if (fd >= 0)
		close(fd);
	say("o_tmpfile_linkat", r);

	/* names */
	say("rename", rename(at("f_ren"), at("n_ren")));
	say("renameat", syscall(SYS_renameat, AT_FDCWD, at("f_renat"), AT_FDCWD,
				at("n_renat")));
	say("renameat2_noreplace",
	    syscall(SYS_renameat2, AT_FDCWD, at("f_rnr"), AT_FDCWD, at("n_rnr"),
		    RENAME_NOREPLACE));
	say("renameat2_exchange",
	    syscall(SYS_renameat2, AT_FDCWD, at("f_xa"), AT_FDCWD, at("f_xb"),
		    RENAME_EXCHANGE));
	say("renameat2_whiteout",
	    syscall(SYS_renameat2, AT_FDCWD, at("f_rwo"), AT_FDCWD, at("n_rwo"),
		    RENAME_WHITEOUT));
	say("rename_dir", rename(at("d_mv"), at("n_dmv")));
	say("link", link(at("f_link"), at("n_link")));
	say("linkat",
	    linkat(AT_FDCWD, at("f_link"), AT_FDCWD, at("n_linkat"), 0));
	say("symlink_abs", symlink("/etc/hostname", at("n_sabs")));
	say("symlink_dotdot", symlink("../../../etc/hostname", at("n_sdot")));
	say("symlink_plain", symlink("f_keep", at("n_splain")));
	say("mkdir", mkdir(at("n_dir"), 0750));
	say("rmdir", rmdir(at("d_empty")));
	say("unlink", unlink(at("f_unlink")));
	say("unlinkat", unlinkat(AT_FDCWD, at("f_unlinkat"), 0));
	say("unlinkat_removedir",
	    unlinkat(AT_FDCWD, at("d_empty2"), AT_REMOVEDIR));
	say("mkfifo", mkfifo(at("n_fifo"), 0644));
	say("mknod_reg", mknod(at("n_reg"), S_IFREG | 0644, 0));
	say("mknod_chr", mknod(at("n_chr"), S_IFCHR | 0644, makedev(1, 3)));

	/* sizes */
	say("truncate", truncate(at("f_trunc2"), 1));
	fd = open(at("f_ftr"), O_RDONLY | O_CLOEXEC);
	say("ftruncate_rdonly_fd", fd < 0 ? -1 : ftruncate(fd, 0));
	if (fd >= 0)
		close(fd);

	/* metadata, by path and through a descriptor open for reading */
	say("chmod", chmod(at("f_chmod"), 0600));
	say("fchmodat", fchmodat(AT_FDCWD, at("f_fchmodat"), 0600, 0));
	fd = open(at("f_fchmod"), O_RDONLY | O_CLOEXEC);
	say("fchmod_rdonly_fd", fd < 0 ? -1 : fchmod(fd, 0600));
	say("fchown_rdonly_fd", fd < 0 ? -1 : fchown(fd, 1, 1));
	say("futimens_rdonly_fd", fd < 0 ? -1 : futimens(fd, ts));
	say("fsetxattr_rdonly_fd",
	    fd < 0 ? -1 : fsetxattr(fd, "user.t", "1", 1, 0));
	if (fd >= 0)
		close(fd);
	say("chown", chown(at("f_chown"), 1, 1));
	say("lchown", lchown(at("f_chown"), 2, 2));
	say("utimes", utimes(at("f_utimes"), tv));
	say("utimensat", utimensat(AT_FDCWD, at("f_utimensat"), ts, 0));
	say("setxattr", setxattr(at("f_xattr"), "user.t", "1", 1, 0));
	say("lsetxattr", lsetxattr(at("f_xattr"), "user.u", "2", 1, 0));
	say("removexattr", removexattr(at("f_rmx"), "user.old"));

	/* what the kernel alone would decide: refused */
	fd = open(at("f_ioctl"), O_RDONLY | O_CLOEXEC);
	{
		int flags = FS_NODUMP_FL;

		say("ioctl_setflags",
		    fd < 0 ? -1 : ioctl(fd, FS_IOC_SETFLAGS, &flags));
	}
	if (fd >= 0)
		close(fd);
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", at("n_sock"));
		say("bind_unix",
		    s < 0 ? -1 : bind(s, (struct sockaddr *)&sa, sizeof(sa)));
		if (s >= 0)
			close(s);
	}

	/* read back through the merged view */
	show("read_f_w", at("f_w"));
	show("read_f_rw", at("f_rw"));
	show("read_f_trunc", at("f_trunc"));
	show("read_f_app", at("f_app"));
	show("read_n_creat", at("n_creat"));
	show("read_n_oa2", at("n_oa2"));
	show("read_n_tmpfile", at("n_tmpfile"));
	show("read_n_ren", at("n_ren"));
	show("read_f_ren", at("f_ren"));
	show("read_f_xa", at("f_xa"));
	show("read_n_dmv", at("n_dmv/inner"));
	show("read_n_link", at("n_link"));
	show("read_n_sabs", at("n_sabs"));
	show("read_n_splain", at("n_splain"));
	show("read_f_unlink", at("f_unlink"));
	show("read_f_trunc2", at("f_trunc2"));
}

/* A descriptor opened before a copy-up keeps the workdir's file: what
 * the merged view promises (docs/cow.md). */
static void early_fd(void)
{
	char buf[16] = "";
	int early = open(at("f_early"), O_RDONLY | O_CLOEXEC);
	long r = write_str(open(at("f_early"), O_WRONLY | O_TRUNC | O_CLOEXEC),
			   "NEW\n");
	ssize_t n;

	say("early_write", r);
	n = early < 0 ? -1 : pread(early, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	printf("early_fd_reads %s\n", buf);
	show("late_open_reads", at("f_early"));
	if (early >= 0)
		close(early);
}

/* ---- races ------------------------------------------------------------------ */

#define PATH_CAP 512

static char path[PATH_CAP];
static const char *paths[2];
static atomic_int stop, started;

static void *flip(void *arg)
{
	size_t i = 0;

	(void)arg;
	atomic_store(&started, 1);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		const char *p = paths[i++ & 1];

		memcpy(path, p, strlen(p) + 1);
	}
	return NULL;
}

static long race_once(const char *op)
{
	char dst[PATH_CAP + 8];
	struct open_how how = { .flags = O_WRONLY | O_TRUNC };

	if (!strcmp(op, "race_open"))
		return write_str(open(path, O_WRONLY | O_TRUNC | O_CLOEXEC),
				 "R");
	if (!strcmp(op, "race_openat2"))
		return write_str((int)syscall(SYS_openat2, AT_FDCWD, path, &how,
					      sizeof(how)),
				 "R");
	if (!strcmp(op, "race_truncate"))
		return truncate(path, 0);
	if (!strcmp(op, "race_chmod"))
		return chmod(path, 0600);
	if (!strcmp(op, "race_unlink"))
		return unlink(path);
	if (!strcmp(op, "race_mkdir"))
		return mkdir(path, 0755);
	if (!strcmp(op, "race_symlink"))
		return symlink("x", path);
	snprintf(dst, sizeof(dst), "%s", path);
	strncat(dst, ".new", sizeof(dst) - strlen(dst) - 1);
	if (!strcmp(op, "race_rename"))
		return rename(path, dst);
	if (!strcmp(op, "race_link"))
		return link(path, dst);
	errno = EINVAL;
	return -1;
}

static int race(const char *op, const char *a, const char *b, long n)
{
	long done = 0;
	pthread_t t;

	if (strlen(a) >= PATH_CAP - 8 || strlen(b) >= PATH_CAP - 8)
		return 2;
	paths[0] = a;
	paths[1] = b;
	strcpy(path, a);
	if (pthread_create(&t, NULL, flip, NULL) != 0)
		return 1;
	/* a flipper slow to start on a loaded machine would leave every
	 * call on a */
	while (!atomic_load(&started))
		sched_yield();
	for (long i = 0; i < n; i++) {
		long r = race_once(op);

		if (r < 0 && errno == EINVAL)
			break;
		done += r == 0;
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	printf("done=%ld leaked=0\n", done);
	return 0;
}

int main(int argc, char **argv)
{
	const char *op = argc > 2 ? argv[1] : "";

	if (!strncmp(op, "race_", 5) && argc == 5)
		return race(op, argv[2], argv[3], atol(argv[4]));
	if (argc != 3 || strlen(argv[2]) >= sizeof(dir))
		goto usage;
	strcpy(dir, argv[2]);
	if (!strcmp(op, "writes"))
		writes();
	else if (!strcmp(op, "early_fd"))
		early_fd();
	else
		goto usage;
	return 0;
usage:
	fprintf(stderr, "usage: cow_probe OP DIR ... (see the source)\n");
	return 2;
}
