/*
 * fs_probe OP ARG...: perform filesystem operations and print how each
 * ended, "<op> OK" (with what was read, where there is something) or
 * "<op> <ERRNO NAME>", then exit 0 (2 on a usage error). The escape and
 * integration tests run it inside sandboxes and compare the output with
 * what the policy must allow or refuse.
 *
 *   read PATH                     open O_RDONLY, print the first line
 *   opath PATH                    open O_PATH, fstat through it
 *   creat PATH                    create (O_CREAT|O_EXCL), write "x"
 *   creat_call PATH               creat(2) (truncates), write "x"
 *   exec PATH                     execv PATH (prints only on failure)
 *   rename SRC DST | truncate PATH | unlink PATH
 *   openat2 DIR PATH FLAGS        FLAGS: comma list of in_root, beneath,
 *                                 no_symlinks, no_magiclinks, no_xdev,
 *                                 creat, opath ("-" for none)
 *   meta PATH                     every metadata write variant, one line each
 *   inotify PATH | fanotify PATH  add a watch / an inode mark
 *   inotify_event DIR             watch DIR, create DIR/probe-event in
 *                                 it, print the name the event reports
 *   ls DIR                        list DIR (entries in readdir order)
 *   opath_use DIR NAME            open DIR O_PATH, then NAME relative to
 *                                 it, fstat and fchdir through it
 *   fifo_read PATH                blocking open of a FIFO, read a line
 *   fd_meta_without CAPS PATH     open PATH, drop CAPS (comma list of
 *                                 fowner, chown, dac_override, "-" for
 *                                 none) from the effective set, then
 *                                 fchmod, fchown, futimens with times
 *                                 and with "now", fsetxattr (user.sl)
 *                                 through the fd
 *   ids PATH                      (as root) touch PATH with utimensat(NULL)
 *                                 as fsuid 0, as fsuid 1000, then with
 *                                 group 3000 added, with no group, and as
 *                                 fsuid 0 again (raw per-thread syscalls)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#ifndef SYS_setxattrat
#define SYS_setxattrat 463
#endif
#ifndef SYS_removexattrat
#define SYS_removexattrat 466
#endif

struct xattr_args_v0 {
	uint64_t value;
	uint32_t size;
	uint32_t flags;
};

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "E?";
}

static void report(const char *op, long r)
{
	if (r < 0)
		printf("%s %s\n", op, ename(errno));
	else
		printf("%s OK\n", op);
}

/* "<op> OK <first line read from fd>" (or the open's error); closes fd. */
static void print_line(const char *op, int fd)
{
	char buf[256];
	ssize_t n;

	if (fd < 0) {
		report(op, -1);
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		report(op, -1);
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	printf("%s OK %s\n", op, buf);
}

static int op_read(const char *path)
{
	print_line("read", open(path, O_RDONLY | O_CLOEXEC));
	return 0;
}

static int op_opath(const char *path)
{
	struct stat st;
	int fd = open(path, O_PATH | O_CLOEXEC);

	if (fd < 0) {
		report("opath", -1);
		return 0;
	}
	if (fstat(fd, &st) < 0) {
		report("opath-fstat", -1);
	} else {
		printf("opath OK %s\n", S_ISDIR(st.st_mode) ? "dir" :
					S_ISREG(st.st_mode) ? "file" :
							      "other");
	}
	close(fd);
	return 0;
}

static int op_creat(const char *path)
{
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);

	if (fd < 0) {
		report("creat", -1);
		return 0;
	}
	report("creat", write(fd, "x", 1) == 1 ? 0 : -1);
	close(fd);
	return 0;
}

static int op_openat2(const char *dir, const char *path, const char *flags)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC };
	char f[256];
	int dfd, fd;

	snprintf(f, sizeof(f), "%s", flags);
	for (char *t = strtok(f, ","); t; t = strtok(NULL, ",")) {
		if (!strcmp(t, "in_root"))
			how.resolve |= RESOLVE_IN_ROOT;
		else if (!strcmp(t, "beneath"))
			how.resolve |= RESOLVE_BENEATH;
		else if (!strcmp(t, "no_symlinks"))
			how.resolve |= RESOLVE_NO_SYMLINKS;
		else if (!strcmp(t, "no_magiclinks"))
			how.resolve |= RESOLVE_NO_MAGICLINKS;
		else if (!strcmp(t, "no_xdev"))
			how.resolve |= RESOLVE_NO_XDEV;
		else if (!strcmp(t, "creat")) {
			how.flags = O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC;
			how.mode = 0644;
		} else if (!strcmp(t, "opath"))
			how.flags = O_PATH | O_CLOEXEC;
		else if (strcmp(t, "-") != 0)
			return 2;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		report("openat2-dir", -1);
		return 0;
	}
	fd = (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how));
	close(dfd);
	if (fd >= 0 && (how.flags & (O_CREAT | O_PATH))) {
		report("openat2", 0);
		close(fd);
	} else {
		print_line("openat2", fd);
	}
	return 0;
}

/* Every metadata write, through the path, an fd or an O_PATH fd. The
 * values are the file's own (same owner, same mode, same times) so an
 * allowed call changes nothing but the ctime. */
static int op_meta(const char *path)
{
	struct xattr_args_v0 xa = { .value = (uintptr_t) "1", .size = 1 };
	struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT },
				  { .tv_nsec = UTIME_OMIT } };
	struct timeval tv[2];
	struct stat st;
	mode_t m;
	int fd, pfd;

	if (lstat(path, &st) < 0) {
		report("lstat", -1);
		return 0;
	}
	m = st.st_mode & 07777;
	tv[0].tv_sec = st.st_atim.tv_sec;
	tv[0].tv_usec = 0;
	tv[1].tv_sec = st.st_mtim.tv_sec;
	tv[1].tv_usec = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	pfd = open(path, O_PATH | O_CLOEXEC);
	report("chmod", chmod(path, m));
	report("fchmodat", fchmodat(AT_FDCWD, path, m, 0));
	report("fchmodat2", syscall(SYS_fchmodat2, AT_FDCWD, path, m, 0));
	report("chown", chown(path, st.st_uid, st.st_gid));
	report("lchown", lchown(path, st.st_uid, st.st_gid));
	report("fchownat", fchownat(AT_FDCWD, path, st.st_uid, st.st_gid, 0));
	report("utimensat", utimensat(AT_FDCWD, path, ts, 0));
	report("utimes", utimes(path, tv));
	report("setxattr", setxattr(path, "user.sl", "1", 1, 0));
	report("lsetxattr", lsetxattr(path, "user.sl", "1", 1, 0));
	report("setxattrat", syscall(SYS_setxattrat, AT_FDCWD, path, 0,
				     "user.sl", &xa, sizeof(xa)));
	report("removexattr", removexattr(path, "user.sl"));
	report("lremovexattr", lremovexattr(path, "user.sl"));
	report("removexattrat",
	       syscall(SYS_removexattrat, AT_FDCWD, path, 0, "user.sl"));
	if (fd < 0) {
		printf("fd %s\n", ename(errno));
	} else {
		report("fchmod", fchmod(fd, m));
		report("fchown", fchown(fd, st.st_uid, st.st_gid));
		report("futimens", futimens(fd, ts));
		report("fsetxattr", fsetxattr(fd, "user.sl", "1", 1, 0));
		report("fremovexattr", fremovexattr(fd, "user.sl"));
		close(fd);
	}
	if (pfd < 0) {
		printf("pfd %s\n", ename(errno));
	} else {
		report("fchownat-empty",
		       fchownat(pfd, "", st.st_uid, st.st_gid, AT_EMPTY_PATH));
		report("fchmodat2-empty",
		       syscall(SYS_fchmodat2, pfd, "", m, AT_EMPTY_PATH));
		close(pfd);
	}
	return 0;
}

static int op_inotify(const char *path)
{
	int fd = inotify_init1(IN_CLOEXEC);

	if (fd < 0) {
		report("inotify_init", -1);
		return 0;
	}
	report("inotify", inotify_add_watch(fd, path, IN_ALL_EVENTS));
	close(fd);
	return 0;
}

static int op_fanotify(const char *path)
{
	int fd = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_FID | FAN_CLOEXEC,
			       O_RDONLY);

	if (fd < 0) {
		report("fanotify_init", -1);
		return 0;
	}
	report("fanotify",
	       fanotify_mark(fd, FAN_MARK_ADD,
			     FAN_OPEN | FAN_CLOSE_WRITE | FAN_EVENT_ON_CHILD,
			     AT_FDCWD, path));
	close(fd);
	return 0;
}

static int op_inotify_event(const char *dir)
{
	char buf[4096] __attribute__((aligned(8)));
	char path[4096];
	int fd = inotify_init1(IN_CLOEXEC), wd, f;
	ssize_t n;

	if (fd < 0 || (wd = inotify_add_watch(fd, dir, IN_CREATE)) < 0) {
		report("inotify_event", -1);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/probe-event", dir);
	f = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (f < 0) {
		report("inotify_event-create", -1);
		return 0;
	}
	close(f);
	n = read(fd, buf, sizeof(buf));
	if (n < (ssize_t)sizeof(struct inotify_event)) {
		report("inotify_event-read", -1);
		return 0;
	}
	printf("inotify_event OK %s\n", ((struct inotify_event *)buf)->name);
	close(fd);
	return 0;
}

static int op_ls(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	long n = 0;

	if (!d) {
		report("ls", -1);
		return 0;
	}
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	printf("ls OK %ld\n", n);
	return 0;
}

static int op_opath_use(const char *dir, const char *name)
{
	struct stat st;
	int d = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC), fd;

	if (d < 0) {
		report("opath_use", -1);
		return 0;
	}
	report("opath_use-fstat", fstat(d, &st));
	print_line("opath_use-openat", openat(d, name, O_RDONLY | O_CLOEXEC));
	report("opath_use-fchdir", fchdir(d));
	fd = open(name, O_RDONLY | O_CLOEXEC);
	report("opath_use-relative", fd);
	if (fd >= 0)
		close(fd);
	close(d);
	return 0;
}

static int op_fifo_read(const char *path)
{
	print_line("fifo_read", open(path, O_RDONLY | O_CLOEXEC));
	return 0;
}

static void touch_as(const char *path)
{
	report("ids", utimensat(AT_FDCWD, path, NULL, 0));
}

static int op_ids(const char *path)
{
	gid_t g = 3000;

	touch_as(path);
	syscall(SYS_setfsuid, 1000);
	touch_as(path);
	if (syscall(SYS_setgroups, 1, &g) < 0)
		report("setgroups", -1);
	touch_as(path);
	if (syscall(SYS_setgroups, 0, NULL) < 0)
		report("setgroups", -1);
	touch_as(path);
	syscall(SYS_setfsuid, 0);
	touch_as(path);
	return 0;
}

/* Metadata changes through an open file after dropping capabilities:
 * the supervisor, acting on the fd, must count only those left. */
static int op_fd_meta_without(const char *caps, const char *path)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	struct timespec ts[2] = { { .tv_sec = 1 }, { .tv_sec = 1 } };
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0 || syscall(SYS_capget, &h, d) < 0) {
		report("setup", -1);
		return 0;
	}
	if (strstr(caps, "fowner"))
		d[0].effective &= ~(1u << CAP_FOWNER);
	if (strstr(caps, "chown"))
		d[0].effective &= ~(1u << CAP_CHOWN);
	if (strstr(caps, "dac_override"))
		d[0].effective &= ~(1u << CAP_DAC_OVERRIDE);
	if (syscall(SYS_capset, &h, d) < 0) {
		report("capset", -1);
		return 0;
	}
	report("fchmod", fchmod(fd, st.st_mode & 07777));
	report("fchown", fchown(fd, st.st_uid, st.st_gid));
	report("futimens", futimens(fd, ts));
	report("futimens_now", futimens(fd, NULL));
	report("fsetxattr", fsetxattr(fd, "user.sl", "1", 1, 0));
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";
	const char *a = argc > 2 ? argv[2] : NULL;
	const char *b = argc > 3 ? argv[3] : NULL;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!a)
		goto usage;
	if (!strcmp(op, "read"))
		return op_read(a);
	if (!strcmp(op, "opath"))
		return op_opath(a);
	if (!strcmp(op, "creat"))
		return op_creat(a);
	if (!strcmp(op, "creat_call")) {
		int fd = creat(a, 0644);

		report("creat_call", fd < 0 ? -1 : write(fd, "x", 1));
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (!strcmp(op, "exec")) {
		char *const av[] = { (char *)a, NULL };

		execv(a, av);
		report("exec", -1);
		return 0;
	}
	if (!strcmp(op, "rename") && b) {
		report("rename", rename(a, b));
		return 0;
	}
	if (!strcmp(op, "truncate")) {
		report("truncate", truncate(a, 0));
		return 0;
	}
	if (!strcmp(op, "unlink")) {
		report("unlink", unlink(a));
		return 0;
	}
	if (!strcmp(op, "openat2") && b && argc > 4)
		return op_openat2(a, b, argv[4]);
	if (!strcmp(op, "meta"))
		return op_meta(a);
	if (!strcmp(op, "inotify"))
		return op_inotify(a);
	if (!strcmp(op, "fanotify"))
		return op_fanotify(a);
	if (!strcmp(op, "fifo_read"))
		return op_fifo_read(a);
	if (!strcmp(op, "inotify_event"))
		return op_inotify_event(a);
	if (!strcmp(op, "ls"))
		return op_ls(a);
	if (!strcmp(op, "ids"))
		return op_ids(a);
	if (!strcmp(op, "fd_meta_without") && b)
		return op_fd_meta_without(a, b);
	if (!strcmp(op, "opath_use") && b)
		return op_opath_use(a, b);
usage:
	fprintf(stderr, "usage: fs_probe OP ARG... (see the source)\n");
	return 2;
}
