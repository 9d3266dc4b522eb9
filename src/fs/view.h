/*
 * Internal to the fs_denied handler (fsdeny.c, fscall.c, fsopen.c): the
 * deny and grant sets of a run, and the view of one notification.
 */
#ifndef SL_HANDLERS_FSDENY_H
#define SL_HANDLERS_FSDENY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "handlers/pathset.h"
#include "handlers/procinfo.h"
#include "handlers/resolve.h"
#include "supervisor/dispatch.h"

/* Longest path read from a child (PATH_MAX, terminator included). */
#define SL_PATH_READ_MAX 4096

struct sl_fsdeny {
	struct sl_pathset deny, read, write;
	const struct sl_supervisor *sv;
	struct stat host_root; /* the supervisor's "/" */
	bool has_host_root;
};

/* One notification's view of the calling task. */
struct sl_fs_call {
	const struct sl_notif *n;
	struct sl_fsdeny *s;
	struct sl_task_status st;
	struct sl_resolve_ctx rc;
};

/* Is pid a process of the sandbox (arg: struct sl_fsdeny)? */
bool sl_fs_in_sandbox(void *arg, pid_t pid);

/* Denied by name: fs_deny prefixes, sensitive /proc and /sys entries,
 * /proc/<pid> of foreign processes. */
bool sl_fs_path_denied(const struct sl_fsdeny *s, const char *path);
/* Denied by what fd is: its kernel path (returned in *real) or identity.
 * -EACCES when denied. */
int sl_fs_object_denied(const struct sl_fsdeny *s, int fd, char **real);
/* A name to be created in directory parentfd: its path in *full (NULL
 * when the directory has no path; the caller frees), -EACCES when the
 * directory or the new path is denied. */
int sl_fs_new_name(const struct sl_fsdeny *s, int parentfd, const char *name,
		   char **full);
/* Would Landlock's grants allow this access to real? */
bool sl_fs_granted(const struct sl_fsdeny *s, const char *real, bool write);

int sl_fs_call_begin(struct sl_fs_call *c, const struct sl_notif *n,
		     struct sl_fsdeny *s);
void sl_fs_call_end(struct sl_fs_call *c);
/* The path argument at addr (caller frees). */
int sl_fs_read_path(const struct sl_fs_call *c, uint64_t addr, char **out);
/* Where path starts: the child's root, dirfd or cwd (an O_PATH fd). */
int sl_fs_base_dir(const struct sl_fs_call *c, int dirfd, const char *path);
/* The lexically normalized absolute form of path from base. */
int sl_fs_lexical(int base, const char *path, char **out);

/* Answer an open-family notification on the child's behalf (fsopen.c). */
int sl_fs_open(struct sl_fs_call *c, const struct seccomp_data *d,
	       struct sl_action *out);

#endif
