#include "fs/creds.h"

#include <errno.h>
#include <linux/capability.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs/kcompat.h"
#include "handlers/procinfo.h"
#include "supervisor/notif.h"
#include "util/cleanup.h"

/* ---- reading a task's credentials -------------------------------------- */

struct entry {
	pid_t tid, tgid;
	int pidfd;
	bool umask_known;
	struct sl_creds c;
};

static int cap_eff_of(pid_t tid, uint64_t *out);

static void entry_clear(struct entry *e)
{
	if (e->pidfd >= 0)
		close(e->pidfd);
	free(e->c.groups);
	memset(e, 0, sizeof(*e));
	e->pidfd = -1;
}

_Static_assert(sizeof(gid_t) == sizeof(uint32_t), "gid_t is 32 bits");

/* tgid, fsuid, fsgid, groups and umask from /proc/<tid>/status (ids as
 * they are in the supervisor's user namespace, which reads the file). */
static int read_status(pid_t tid, struct entry *e)
{
	struct sl_task_status st;
	int r = sl_task_status(tid, &st);

	if (r < 0)
		return r;
	e->tgid = e->c.tgid = st.tgid;
	e->c.fsuid = st.fsuid;
	e->c.fsgid = st.fsgid;
	e->c.umask = st.umask;
	e->umask_known = true;
	/* gid_t and the status' numbers are both 32 bits */
	e->c.groups = (gid_t *)st.groups;
	e->c.ngroups = st.ngroups;
	return 0;
}

static bool pidfd_dead(int pidfd)
{
	struct pollfd pf = { .fd = pidfd, .events = POLLIN };

	return pidfd < 0 || poll(&pf, 1, 0) != 0;
}

static int cap_eff_of(pid_t tid, uint64_t *out)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3,
					      tid };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return errno == ESRCH ? -ENOENT : -errno;
	*out = (uint64_t)d[0].effective | (uint64_t)d[1].effective << 32;
	return 0;
}

/* The task's fsuid and fsgid now, from its pidfd: -ENOTTY where the
 * kernel has no PIDFD_GET_INFO. */
static int ids_of(int pidfd, struct sl_creds *c)
{
	struct sl_pidfd_info i = { .mask = SL_PIDFD_INFO_CREDS };

	if (ioctl(pidfd, SL_PIDFD_GET_INFO, &i) < 0) {
		if (errno == ESRCH)
			return -ENOENT;
		return errno == EINVAL ? -ENOTTY : -errno;
	}
	if (!(i.mask & SL_PIDFD_INFO_CREDS))
		return -ENOTTY;
	c->fsuid = i.fsuid;
	c->fsgid = i.fsgid;
	return 0;
}

/* ---- the cache ----------------------------------------------------------- */

#define MAX_INFLIGHT 64
#define MAX_DIVERGED 64

struct inflight {
	pid_t tid, tgid; /* tgid: exec only */
	int pidfd;
};

struct sl_creds_cache {
	enum sl_creds_mode mode;
	bool foreign_userns;
	/* SL_CREDS_IDS: processes whose groups are read at every call */
	pid_t diverged[MAX_DIVERGED];
	size_t ndiverged;
	bool all_diverged;
	struct entry *slots; /* open addressing on tid */
	size_t cap, n;
	struct entry scratch; /* an answer not kept */
	struct inflight exec[MAX_INFLIGHT], umask[MAX_INFLIGHT];
	size_t nexec, numask;
};

int sl_creds_cache_new(enum sl_creds_mode mode, struct sl_creds_cache **out)
{
	struct sl_creds_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->mode = mode;
	c->scratch.pidfd = -1;
	*out = c;
	return 0;
}

void sl_creds_cache_foreign_userns(struct sl_creds_cache *c, bool foreign)
{
	c->foreign_userns = foreign;
}

int sl_creds_copy(const struct sl_creds *c, struct sl_creds *out)
{
	*out = *c;
	out->groups = NULL;
	if (!c->ngroups)
		return 0;
	out->groups = malloc(c->ngroups * sizeof(*c->groups));
	if (!out->groups)
		return -ENOMEM;
	memcpy(out->groups, c->groups, c->ngroups * sizeof(*c->groups));
	return 0;
}

void sl_creds_free(struct sl_creds *c)
{
	free(c->groups);
	c->groups = NULL;
	c->ngroups = 0;
}

static void inflight_drop(struct inflight *v, size_t *n, size_t i)
{
	if (v[i].pidfd >= 0)
		close(v[i].pidfd);
	v[i] = v[--*n];
}

void sl_creds_cache_free(struct sl_creds_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->cap; i++)
		if (c->slots[i].tid)
			entry_clear(&c->slots[i]);
	free(c->slots);
	entry_clear(&c->scratch);
	while (c->nexec)
		inflight_drop(c->exec, &c->nexec, 0);
	while (c->numask)
		inflight_drop(c->umask, &c->numask, 0);
	free(c);
}

static size_t find(const struct sl_creds_cache *c, pid_t tid)
{
	size_t i = (size_t)tid & (c->cap - 1);

	while (c->slots[i].tid && c->slots[i].tid != tid)
		i = (i + 1) & (c->cap - 1);
	return i;
}

/* Remove slot i, shifting back the entries that probed past it. */
static void remove_at(struct sl_creds_cache *c, size_t i)
{
	size_t j = i;

	entry_clear(&c->slots[i]);
	c->n--;
	for (;;) {
		size_t k;

		j = (j + 1) & (c->cap - 1);
		if (!c->slots[j].tid)
			return;
		k = (size_t)c->slots[j].tid & (c->cap - 1);
		/* stays if its home lies cyclically in (i, j] */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		c->slots[i] = c->slots[j];
		memset(&c->slots[j], 0, sizeof(c->slots[j]));
		c->slots[j].pidfd = -1;
		i = j;
	}
}

static void forget_tid(struct sl_creds_cache *c, pid_t tid)
{
	size_t i;

	if (!c->cap)
		return;
	i = find(c, tid);
	if (c->slots[i].tid)
		remove_at(c, i);
}

static void forget_tgid(struct sl_creds_cache *c, pid_t tgid)
{
	for (size_t i = 0; i < c->cap;) {
		if (c->slots[i].tid && c->slots[i].tgid == tgid)
			remove_at(c, i); /* may shift another entry into i */
		else
			i++;
	}
}

static int grow(struct sl_creds_cache *c)
{
	size_t old_cap = c->cap, cap = old_cap ? old_cap * 2 : 64;
	struct entry *old = c->slots;

	c->slots = calloc(cap, sizeof(*c->slots));
	if (!c->slots) {
		c->slots = old;
		return -ENOMEM;
	}
	c->cap = cap;
	for (size_t i = 0; i < cap; i++)
		c->slots[i].pidfd = -1;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].tid)
			c->slots[find(c, old[i].tid)] = old[i];
	free(old);
	return 0;
}

/* Retire the in-flight marks that are over: the task made another
 * notification (its call returned) or is gone. */
static void settle(struct inflight *v, size_t *n, pid_t tid)
{
	for (size_t i = 0; i < *n;) {
		if (v[i].tid == tid || pidfd_dead(v[i].pidfd))
			inflight_drop(v, n, i);
		else
			i++;
	}
}

static bool exec_in_flight(const struct sl_creds_cache *c, pid_t tgid)
{
	for (size_t i = 0; i < c->nexec; i++)
		if (c->exec[i].tgid == tgid)
			return true;
	return false;
}

static bool diverged(const struct sl_creds_cache *c, pid_t tgid)
{
	if (c->all_diverged)
		return true;
	for (size_t i = 0; i < c->ndiverged; i++)
		if (c->diverged[i] == tgid)
			return true;
	return false;
}

/* Not to be kept (an exec in flight, groups that may differ between the
 * process's threads). */
static bool keep_not(const struct sl_creds_cache *c, pid_t tgid)
{
	return exec_in_flight(c, tgid) ||
	       (c->mode == SL_CREDS_IDS && diverged(c, tgid));
}

/* A fresh read, confirmed to be the notifying task's. A task in a user
 * namespace of its own (foreign) holds no capability in ours. */
static int fresh(const struct sl_notif *n, bool foreign, struct entry *e)
{
	pid_t tid = (pid_t)n->req->pid;
	int r;

	entry_clear(e);
	r = read_status(tid, e);
	if (r == 0 && !foreign)
		r = cap_eff_of(tid, &e->c.cap_eff);
	if (r < 0) {
		entry_clear(e);
		return r;
	}
	e->tid = tid;
	/* opened while the notification is pending: it names the task the
	 * status and capabilities came from */
	e->pidfd = sl_notif_pidfd(n);
	if (e->pidfd < 0) {
		r = e->pidfd;
		e->pidfd = -1;
		entry_clear(e);
		return r;
	}
	return 0;
}

static struct entry *lookup(struct sl_creds_cache *c, const struct sl_notif *n,
			    int *err)
{
	pid_t tid = (pid_t)n->req->pid;
	struct entry fresh_e = { .pidfd = -1 };
	size_t i;

	if (c->nexec)
		settle(c->exec, &c->nexec, tid);
	if (c->numask)
		settle(c->umask, &c->numask, tid);
	if (c->mode == SL_CREDS_FRESH) {
		*err = fresh(n, c->foreign_userns, &c->scratch);
		return *err < 0 ? NULL : &c->scratch;
	}
	if (c->cap) {
		i = find(c, tid);
		if (c->slots[i].tid) {
			struct entry *e = &c->slots[i];

			if (!pidfd_dead(e->pidfd) && !keep_not(c, e->tgid)) {
				if (c->mode == SL_CREDS_CACHED)
					return e;
				/* the ids and capabilities of now */
				*err = ids_of(e->pidfd, &e->c);
				if (*err == 0 && !c->foreign_userns)
					*err = cap_eff_of(tid, &e->c.cap_eff);
				if (*err == 0)
					return e;
				if (*err != -ENOTTY)
					return NULL;
				c->mode = SL_CREDS_FRESH; /* an older kernel */
			}
			remove_at(c, i);
			if (c->mode == SL_CREDS_FRESH)
				return lookup(c, n, err);
		}
	}
	*err = fresh(n, c->foreign_userns, &fresh_e);
	if (*err < 0)
		return NULL;
	if (c->numask)
		fresh_e.umask_known = false;
	if (keep_not(c, fresh_e.tgid) ||
	    ((c->n + 1) * 2 > c->cap && grow(c) < 0)) {
		/* not kept: serve it once */
		entry_clear(&c->scratch);
		c->scratch = fresh_e;
		return &c->scratch;
	}
	i = find(c, tid);
	c->slots[i] = fresh_e;
	c->n++;
	return &c->slots[i];
}

int sl_creds_of(struct sl_creds_cache *c, const struct sl_notif *n,
		const struct sl_creds **out, int *pidfd)
{
	struct entry *e;
	int r;

	e = lookup(c, n, &r);
	if (!e)
		return r;
	if (c->mode == SL_CREDS_IDS) {
		e->c.umask = 0777; /* not kept: see creds.h */
	} else if (!e->umask_known) {
		struct entry again = { .pidfd = -1 };

		/* another thread's umask() may still be on its way */
		r = read_status(e->tid, &again);
		if (r == 0) {
			e->c.umask = again.c.umask;
			/* every umask() seen has returned (c->umask settled
			 * above): what was just read holds until the next */
			e->umask_known = c->numask == 0 && e != &c->scratch;
		}
		entry_clear(&again);
		if (r < 0)
			return r;
	}
	*out = &e->c;
	*pidfd = e->pidfd;
	return 0;
}

static const int invalidating[] = {
	SCMP_SYS(setuid),   SCMP_SYS(setgid),	 SCMP_SYS(setreuid),
	SCMP_SYS(setregid), SCMP_SYS(setresuid), SCMP_SYS(setresgid),
	SCMP_SYS(setfsuid), SCMP_SYS(setfsgid),	 SCMP_SYS(setgroups),
	SCMP_SYS(capset),   SCMP_SYS(umask),	 SCMP_SYS(execve),
	SCMP_SYS(execveat),
};

void sl_creds_invalidating_syscalls(struct sl_nrset *set)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(invalidating); i++)
		sl_nrset_add(set, invalidating[i]);
}

bool sl_creds_invalidating(int nr)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(invalidating); i++)
		if (invalidating[i] == nr)
			return true;
	return false;
}

static void mark(struct inflight *v, size_t *n, pid_t tid, pid_t tgid,
		 const struct sl_notif *no)
{
	if (*n == MAX_INFLIGHT)
		inflight_drop(v, n, 0); /* oldest out; see sl_creds_of */
	v[*n].tid = tid;
	v[*n].tgid = tgid;
	v[*n].pidfd = sl_notif_pidfd(no);
	if (v[*n].pidfd < 0)
		v[*n].pidfd = -1; /* already gone: settles at once */
	(*n)++;
}

void sl_creds_invalidate(struct sl_creds_cache *c, const struct sl_notif *n)
{
	pid_t tid = (pid_t)n->req->pid, tgid = 0;
	int nr = n->req->data.nr;

	if (c->mode == SL_CREDS_FRESH)
		return;
	if (c->mode == SL_CREDS_IDS) {
		size_t i = c->cap ? find(c, tid) : 0;

		if (nr != SCMP_SYS(setgroups))
			return;
		/* the threads of this process may now disagree on their
		 * groups: read them at every call from now on */
		if (c->cap && c->slots[i].tid)
			tgid = c->slots[i].tgid;
		else if (sl_task_ids(tid, &tgid, NULL) < 0)
			tgid = 0;
		if (tgid <= 0 || c->ndiverged == MAX_DIVERGED) {
			c->all_diverged = true;
			for (i = 0; i < c->cap; i++)
				if (c->slots[i].tid)
					entry_clear(&c->slots[i]);
			c->n = 0;
			return;
		}
		if (!diverged(c, tgid))
			c->diverged[c->ndiverged++] = tgid;
		forget_tgid(c, tgid);
		return;
	}
	if (nr == SCMP_SYS(umask)) {
		/* umask is shared by the threads of a CLONE_FS group: no
		 * cached umask is trusted until this call has returned */
		for (size_t i = 0; i < c->cap; i++)
			c->slots[i].umask_known = false;
		mark(c->umask, &c->numask, tid, 0, n);
		return;
	}
	if (nr == SCMP_SYS(execve) || nr == SCMP_SYS(execveat)) {
		size_t i = c->cap ? find(c, tid) : 0;

		if (c->cap && c->slots[i].tid)
			tgid = c->slots[i].tgid;
		else if (sl_task_ids(tid, &tgid, NULL) < 0)
			tgid = 0;
		if (tgid <= 0) {
			/* cannot tell the process: trust nothing cached */
			for (i = 0; i < c->cap; i++)
				if (c->slots[i].tid)
					entry_clear(&c->slots[i]);
			c->n = 0;
			return;
		}
		forget_tgid(c, tgid);
		mark(c->exec, &c->nexec, tid, tgid, n);
		return;
	}
	forget_tid(c, tid);
}

/* ---- switching a thread's credentials ------------------------------------ */

static int thread_setgroups(size_t n, const gid_t *g)
{
	return syscall(SYS_setgroups, n, g) < 0 ? -errno : 0;
}

/* The calling thread's capability sets. */
static int own_caps(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return syscall(SYS_capget, &h, d) < 0 ? -errno : 0;
}

static int set_cap_eff(uint64_t eff)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	int r = own_caps(d);

	if (r < 0)
		return r;
	d[0].effective = (uint32_t)(eff & d[0].permitted);
	d[1].effective = (uint32_t)((eff >> 32) & d[1].permitted);
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

/* setfsuid and setfsgid return the previous id, never an error: a
 * change is confirmed by reading the id back (-1 changes nothing). */
static int set_fsuid(uid_t id)
{
	syscall(SYS_setfsuid, id);
	return (uid_t)syscall(SYS_setfsuid, (uid_t)-1) == id ? 0 : -EPERM;
}

static int set_fsgid(gid_t id)
{
	syscall(SYS_setfsgid, id);
	return (gid_t)syscall(SYS_setfsgid, (gid_t)-1) == id ? 0 : -EPERM;
}

static bool same_groups(const gid_t *a, size_t na, const gid_t *b, size_t nb)
{
	return na == nb && (na == 0 || memcmp(a, b, na * sizeof(*a)) == 0);
}

/* The calling thread's own credentials, read once per thread (a few
 * syscalls) and read again when its effective ids change (the host ran
 * setuid or setgid, which libc applies to every thread). A host changing
 * only a thread's fsuid or groups by hand is not noticed: the switch then
 * compares with what it had, and a restore cannot give the thread more
 * than the kernel lets it take back. */
#define OWN_GROUPS_MAX 64

static __thread struct {
	bool valid;
	/* A restore failed: the thread holds credentials it cannot vouch
	 * for and never acts for a sandbox again. */
	bool broken;
	uid_t euid, fsuid;
	gid_t egid, fsgid;
	gid_t groups[OWN_GROUPS_MAX];
	int ngroups;
	uint64_t cap_eff;
} own;

/* Fills own; -E2BIG for a thread with too many groups to keep (the caller
 * then reads them for the one call). */
static int own_creds(void)
{
	uid_t euid = geteuid();
	gid_t egid = getegid();
	struct __user_cap_data_struct d[2];
	int n, r;

	if (own.broken)
		return -EPERM;
	if (own.valid && own.euid == euid && own.egid == egid)
		return 0;
	own.valid = false;
	/* setfs*id(-1) changes nothing and reports the current value */
	own.fsuid = (uid_t)syscall(SYS_setfsuid, (uid_t)-1);
	own.fsgid = (gid_t)syscall(SYS_setfsgid, (gid_t)-1);
	r = own_caps(d);
	if (r < 0)
		return r;
	own.cap_eff = (uint64_t)d[0].effective | (uint64_t)d[1].effective << 32;
	n = (int)syscall(SYS_getgroups, OWN_GROUPS_MAX, own.groups);
	if (n < 0)
		return errno == EINVAL ? -E2BIG : -errno;
	own.ngroups = n;
	own.euid = euid;
	own.egid = egid;
	own.valid = true;
	return 0;
}

int sl_creds_enter(const struct sl_creds *want, struct sl_creds_saved *sv)
{
	return sl_creds_enter_consulting(want, ~(uint64_t)0, sv);
}

int sl_creds_enter_consulting(const struct sl_creds *want, uint64_t consulted,
			      struct sl_creds_saved *sv)
{
	int r;

	memset(sv, 0, sizeof(*sv));
	r = own_creds();
	if (r == -E2BIG) {
		/* more groups than kept per thread: read them for this call */
		int n = (int)syscall(SYS_getgroups, 0, NULL);

		sv->heap_groups = n < 0 ? NULL :
					  calloc((size_t)n + 1, sizeof(gid_t));
		if (!sv->heap_groups)
			return n < 0 ? -errno : -ENOMEM;
		n = (int)syscall(SYS_getgroups, n, sv->heap_groups);
		if (n < 0) {
			r = -errno;
			free(sv->heap_groups);
			sv->heap_groups = NULL;
			return r;
		}
		own.ngroups = n;
		r = 0;
	}
	if (r < 0)
		return r;
	sv->old_fsuid = own.fsuid;
	sv->old_fsgid = own.fsgid;
	sv->old_groups = sv->heap_groups ? sv->heap_groups : own.groups;
	sv->old_ngroups = own.ngroups;
	sv->old_cap_eff = own.cap_eff;
	if (!same_groups(sv->old_groups, (size_t)own.ngroups, want->groups,
			 want->ngroups)) {
		r = thread_setgroups(want->ngroups, want->groups);
		if (r < 0)
			goto undo;
		sv->groups = true;
	}
	/* fsgid before fsuid; the fsuid change adjusts the effective
	 * filesystem capabilities, which are then set exactly */
	if (sv->old_fsgid != want->fsgid) {
		sv->fsgid = true;
		r = set_fsgid(want->fsgid);
		if (r < 0)
			goto undo;
	}
	if (sv->old_fsuid != want->fsuid) {
		sv->fsuid = true;
		r = set_fsuid(want->fsuid);
		if (r < 0)
			goto undo;
	}
	if (sv->fsuid || ((own.cap_eff ^ want->cap_eff) & consulted)) {
		sv->caps = true;
		r = set_cap_eff(want->cap_eff);
		if (r < 0)
			goto undo;
	}
	return 0;
undo:
	/* A failed undo leaves the thread marked: the error to report is
	 * still the one that stopped the switch. */
	(void)sl_creds_leave(sv);
	return r;
}

static int first_error(int r, int next)
{
	return r < 0 ? r : next;
}

/* In the reverse order: the capabilities first, which setgroups needs.
 * Every step is attempted and checked; the first failure is returned. */
int sl_creds_leave(struct sl_creds_saved *sv)
{
	int r = 0;

	if (sv->caps)
		r = first_error(r, set_cap_eff(sv->old_cap_eff));
	if (sv->fsuid)
		r = first_error(r, set_fsuid(sv->old_fsuid));
	if (sv->fsgid)
		r = first_error(r, set_fsgid(sv->old_fsgid));
	if (sv->groups)
		r = first_error(r, thread_setgroups((size_t)sv->old_ngroups,
						    sv->old_groups));
	if (sv->caps && sv->fsuid) /* after the fsuid fix-up */
		r = first_error(r, set_cap_eff(sv->old_cap_eff));
	free(sv->heap_groups);
	memset(sv, 0, sizeof(*sv));
	if (r < 0) {
		own.valid = false;
		own.broken = true;
	}
	return r;
}

bool sl_creds_thread_broken(void)
{
	return own.broken;
}

int sl_creds_enter_task(const struct sl_notif *n, struct sl_creds_saved *sv)
{
	struct sl_creds_cache *c;
	const struct sl_creds *want;
	struct stat ours, theirs;
	char path[64];
	int pidfd, r;

	memset(sv, 0, sizeof(*sv));
	r = sl_creds_cache_new(SL_CREDS_FRESH, &c);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "/proc/%u/ns/user", n->req->pid);
	if (stat(path, &theirs) < 0 || stat("/proc/self/ns/user", &ours) < 0) {
		r = -errno;
		goto out;
	}
	sl_creds_cache_foreign_userns(c, theirs.st_dev != ours.st_dev ||
						 theirs.st_ino != ours.st_ino);
	r = sl_creds_of(c, n, &want, &pidfd);
	if (r == 0)
		r = sl_creds_enter(want, sv);
out:
	sl_creds_cache_free(c);
	return r;
}
