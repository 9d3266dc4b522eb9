/*
 * Syscalls that take a pid, tid or process group: they may name only the
 * sandbox's own processes (the process table's members) and groups.
 *
 * Landlock's ptrace rule already scopes the calls the kernel checks with
 * ptrace_may_access() (kcmp, get_robust_list, migrate_pages, move_pages,
 * process_madvise, pidfd_getfd) and its signal scope the signal family;
 * the escape tests verify both. The rest are checked here: the scheduler
 * family, prlimit64, setpriority/getpriority, ioprio_set/get, pidfd_open,
 * getpgid, getsid, setpgid and capget. The filter notifies them only when
 * an argument may name another process (seccomp/notify.c): pid 0,
 * PRIO_PROCESS/IOPRIO_WHO_PROCESS of 0 stay in the kernel.
 *
 *   - a pid or tid must be a member (the table looks unknown ones up by
 *     ancestry to the keeper); anything else is EPERM (ESRCH when no such
 *     task exists);
 *   - a process group must be one the sandbox created: the top-level
 *     process's, or one whose leader is a live member; 0 means the
 *     caller's own group, checked the same way;
 *   - PRIO_USER and IOPRIO_WHO_USER (every process of a user) are EPERM;
 *   - capget reads its pid from memory the caller can rewrite, so the
 *     supervisor performs it on the checked target and writes the result.
 *
 * Except capget, a checked call is continued: the kernel then resolves the
 * number again. The remaining window is pid reuse: the checked process
 * must die, be reaped (by a sandbox process or the keeper) and its number
 * be reused by an outside process between the check and the kernel's
 * lookup, microseconds later (see docs/confinement.md).
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "handlers/procinfo.h"
#include "supervisor/dispatch.h"
#include "supervisor/notif.h"
#include "supervisor/proctab.h"
#include "util/cleanup.h"

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_WHO_PGRP 2
#define IOPRIO_WHO_USER 3

struct pidargs_state {
	struct sl_supervisor *sv;
	struct sl_proctab *table;
};

static void deny(struct sl_action *out, int err)
{
	out->kind = SL_ACT_ERRNO;
	out->error = err;
}

/* EPERM for a task that exists outside the sandbox, ESRCH for none. */
static int foreign(pid_t pid)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return access(path, F_OK) == 0 ? EPERM : ESRCH;
}

/* 0 when pid (a process or thread id) is a member, else the errno. */
static int member(struct pidargs_state *s, pid_t pid)
{
	pid_t tgid;

	if (pid <= 0)
		return 0; /* the kernel's own answer (self, or EINVAL) */
	return sl_proctab_lookup(s->table, pid, &tgid) == 0 ? 0 : foreign(pid);
}

/* The process group of a task: field 5 of /proc/<tid>/stat. */
static pid_t group_of(pid_t tid)
{
	_cleanup_(freep) char *text = NULL;
	char path[48];
	const char *p;
	int pgrp = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)tid);
	if (sl_read_file(path, &text, NULL) < 0)
		return 0;
	p = strrchr(text, ')'); /* comm may contain anything */
	if (!p || sscanf(p + 1, " %*c %*d %d", &pgrp) != 1)
		return 0;
	return (pid_t)pgrp;
}

/* 0 when group g (0: the caller's) was created by the sandbox. */
static int sandbox_group(struct pidargs_state *s, const struct sl_notif *n,
			 pid_t g)
{
	pid_t tgid;

	if (g < 0)
		return 0; /* the kernel's EINVAL */
	if (g == 0)
		g = group_of((pid_t)n->req->pid);
	if (g > 0 && g == sl_supervisor_root_pid(s->sv))
		return 0;
	if (g > 0 && sl_proctab_lookup(s->table, g, &tgid) == 0 && tgid == g)
		return 0;
	return g > 0 ? foreign(g) : EPERM;
}

/* capget on the checked target, the result written to the caller. */
static int capget_for(struct pidargs_state *s, const struct sl_notif *n,
		      struct sl_action *out)
{
	const struct seccomp_data *d = &n->req->data;
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct data[2];
	size_t count;
	int r, err;

	r = sl_notif_read(n, d->args[0], &hdr, sizeof(hdr));
	if (r < 0) {
		deny(out, r == -ENOENT ? ESRCH : EFAULT);
		return 0;
	}
	if (hdr.pid < 0) {
		deny(out, EINVAL);
		return 0;
	}
	if (hdr.pid == 0) {
		hdr.pid = (int)n->req->pid;
	} else if ((err = member(s, hdr.pid))) {
		deny(out, err);
		return 0;
	}
	memset(data, 0, sizeof(data));
	r = (int)syscall(SYS_capget, &hdr, d->args[1] ? data : NULL);
	err = r < 0 ? errno : 0;
	if (err == EINVAL) {
		/* The kernel's preferred version goes back to the caller. */
		r = sl_notif_write(n, d->args[0], &hdr.version,
				   sizeof(hdr.version));
		deny(out, r < 0 ? EFAULT : EINVAL);
		return 0;
	}
	if (err) {
		deny(out, err);
		return 0;
	}
	if (d->args[1]) {
		count = hdr.version == _LINUX_CAPABILITY_VERSION_1 ? 1 : 2;
		r = sl_notif_write(n, d->args[1], data,
				   count * sizeof(data[0]));
		if (r < 0) {
			deny(out, EFAULT);
			return 0;
		}
	}
	out->kind = SL_ACT_VALUE;
	out->value = 0;
	return 0;
}

static int pidargs_handle(void *state, const struct sl_notif *n,
			  struct sl_action *out)
{
	struct pidargs_state *s = state;
	const struct seccomp_data *d = &n->req->data;
	int a0 = (int)d->args[0], a1 = (int)d->args[1];
	long nr = d->nr;
	int err = 0;

	if (nr == SYS_capget)
		return capget_for(s, n, out);
	if (nr == SYS_setpriority || nr == SYS_getpriority) {
		if (a0 == PRIO_USER)
			err = EPERM;
		else if (a0 == PRIO_PGRP)
			err = sandbox_group(s, n, a1);
		else if (a0 == PRIO_PROCESS)
			err = member(s, a1);
	} else if (nr == SYS_ioprio_set || nr == SYS_ioprio_get) {
		if (a0 == IOPRIO_WHO_USER)
			err = EPERM;
		else if (a0 == IOPRIO_WHO_PGRP)
			err = sandbox_group(s, n, a1);
		else if (a0 == IOPRIO_WHO_PROCESS)
			err = member(s, a1);
	} else if (nr == SYS_setpgid) {
		pid_t target = a0 ? a0 : (pid_t)n->req->pid;

		err = member(s, a0);
		if (!err && a1 != 0 && a1 != target)
			err = sandbox_group(s, n, a1);
	} else {
		/* prlimit64, the scheduler family, pidfd_open, getpgid,
		 * getsid: the first argument is a pid or tid. */
		err = member(s, a0);
	}
	if (err)
		deny(out, err);
	/* The answer holds only if the caller still waits for it. */
	return err ? 0 : sl_notif_id_valid(n->listener, n->req->id);
}

static bool pidargs_active(const struct sl_policy *p)
{
	(void)p;
	return true; /* the sandbox never reaches outside processes */
}

static void pidargs_syscalls(const struct sl_policy *p, struct sl_nrset *set)
{
	/* notified only when an argument may name another process
	 * (seccomp/notify.c) */
	static const int narrow[] = {
		SCMP_SYS(prlimit64),
		SCMP_SYS(setpriority),
		SCMP_SYS(getpriority),
		SCMP_SYS(ioprio_set),
		SCMP_SYS(ioprio_get),
		SCMP_SYS(sched_setaffinity),
		SCMP_SYS(sched_getaffinity),
		SCMP_SYS(sched_setparam),
		SCMP_SYS(sched_getparam),
		SCMP_SYS(sched_setscheduler),
		SCMP_SYS(sched_getscheduler),
		SCMP_SYS(sched_setattr),
		SCMP_SYS(sched_getattr),
		SCMP_SYS(sched_rr_get_interval),
		SCMP_SYS(getpgid),
		SCMP_SYS(getsid),
		SCMP_SYS(setpgid),
	};

	(void)p;
	for (size_t i = 0; i < SL_ARRAY_SIZE(narrow); i++)
		sl_nrset_add_narrow(set, narrow[i]);
	sl_nrset_add_sys(set, pidfd_open);
	sl_nrset_add_sys(set, capget);
}

static int pidargs_init(struct sl_supervisor *sv, const struct sl_policy *p,
			void **state)
{
	struct pidargs_state *s = calloc(1, sizeof(*s));

	(void)p;
	if (!s)
		return -ENOMEM;
	s->sv = sv;
	s->table = sl_supervisor_proctab(sv);
	*state = s;
	return 0;
}

static void pidargs_fini(void *state)
{
	free(state);
}

const struct sl_handler_module sl_module_pidargs = {
	.name = "pid arguments",
	.active = pidargs_active,
	.syscalls = pidargs_syscalls,
	.init = pidargs_init,
	.handle = pidargs_handle,
	.fini = pidargs_fini,
};
