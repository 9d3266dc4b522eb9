/*
 * Path resolution as the child would see it, performed by the supervisor.
 *
 * The supervisor resolves a child's path itself so that the object it
 * checks is the object it opens (no time-of-check/time-of-use gap). Most
 * paths resolve identically in both processes, and the kernel does the walk
 * (openat2 with RESOLVE_NO_MAGICLINKS). Paths through /proc do not: there
 * "self" and "thread-self" name the resolving process, and magic links
 * (/proc/<pid>/fd/N, cwd, root, exe) jump to objects. Those are resolved
 * component by component here, substituting the child's ids for "self" and
 * following magic links only of processes of the sandbox.
 */
#ifndef SL_HANDLERS_RESOLVE_H
#define SL_HANDLERS_RESOLVE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct sl_resolve_ctx {
	int rootfd;         /* the child's root directory (O_PATH) */
	bool root_is_host;  /* same as the supervisor's: kernel fast path ok */
	pid_t tgid, tid;    /* the child, for "self" and "thread-self" */
	/* May magic links owned by this pid be followed? */
	bool (*pid_ok)(void *arg, pid_t pid);
	void *arg;
};

enum {
	SL_RES_FOLLOW = 1 << 0,     /* follow a symlink in the last component */
	SL_RES_MISSING_OK = 1 << 1, /* report a missing last component */
};

struct sl_resolved {
	int fd;         /* the object (O_PATH), or -1 */
	int parentfd;   /* missing last component: its directory, or -1 */
	char *name;     /* ... and its name (malloc'd) */
	bool trailing_slash;
};

/* Resolve path from dirfd (absolute paths from the child's root) with the
 * child's openat2 resolve flags. Returns 0 (out->fd set), -ENOENT with
 * out->parentfd/name set when SL_RES_MISSING_OK and only the last component
 * is missing, or another -errno. Release with sl_resolved_clear(). */
int sl_resolve(const struct sl_resolve_ctx *c, int dirfd, const char *path,
	       uint64_t resolve_flags, unsigned how, struct sl_resolved *out);
void sl_resolved_clear(struct sl_resolved *r);

/* The path of an open file as the kernel names it (readlink of
 * /proc/thread-self/fd/N: this thread's fd table, which a host program may
 * have unshared); the caller frees *out. */
int sl_fd_path(int fd, char **out);

#endif
