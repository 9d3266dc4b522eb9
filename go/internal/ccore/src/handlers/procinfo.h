/*
 * Small readers of /proc/<pid>/ files used by the handlers, and the pidfd
 * helpers that hold a process across them. They read the state of a task
 * at one instant; callers that act on a notifying task confirm afterwards
 * that the notification is still pending (the pid was not recycled
 * meanwhile).
 */
#ifndef SL_HANDLERS_PROCINFO_H
#define SL_HANDLERS_PROCINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Read a whole (small, procfs or sysfs) file as a NUL-terminated string;
 * the caller frees *out. */
int sl_read_file(const char *path, char **out, size_t *len);

/* Identity and credentials of a task from /proc/<tid>/status. */
struct sl_task_status {
	pid_t tgid, ppid;
	uint32_t fsuid, fsgid;
	uint32_t umask;
	uint32_t *groups; /* malloc'd */
	size_t ngroups;
};
int sl_task_status(pid_t tid, struct sl_task_status *st);
void sl_task_status_free(struct sl_task_status *st);

/* Thread-group id and parent (tgid) of a task: status lines Tgid, PPid. */
int sl_task_ids(pid_t tid, pid_t *tgid, pid_t *ppid);

/* Field idx (1-based) of /proc/<pid>/statm, in pages. */
int sl_statm_field(pid_t pid, unsigned idx, uint64_t *pages);

/* Value of "Key:" in a status-style text; NULL if absent. */
const char *sl_status_value(const char *text, const char *key);

/* pidfd_open(pid, flags): the fd (close-on-exec) or -errno. */
int sl_pidfd_open(pid_t pid, unsigned flags);
/* Has the process held by pidfd exited (a zombie counts as exited)? */
bool sl_pidfd_exited(int pidfd);

#endif
