/*
 * The child side of a launch (docs/behaviour.md 1.2), run on a private stack in
 * a process that shares the parent's memory.
 *
 * Rules for everything in this file: raw syscalls only (no errno, no libc
 * state, no locks), no sanitizer instrumentation, no aggregate copies or
 * zeroing that the compiler could turn into memcpy/memset calls, and no
 * writes to memory other than the status slot, the sh fallback scratch
 * array and the local stack.
 *
 * No hardening instrumentation either, whatever the build flags (the
 * Makefile's, a distribution compiler's defaults, cgo's): the child runs
 * on the thread pointer of the thread that called clone(), so a stack
 * protector canary would be read from that thread's TLS, memory of
 * another thread which may be exiting and releasing it (until
 * PR_SET_PDEATHSIG's kill lands), and a failed check would call into
 * libc.
 * _FORTIFY_SOURCE is dropped before any header for the same reason: its
 * checked variants report through libc. Every function here is
 * CHILD_CODE or CHILD_INLINE, which carry no_stack_protector.
 */
#undef _FORTIFY_SOURCE
#include "launch/child.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <linux/prctl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "launch/kcompat.h"
#include "launch/keeper.h"
#include "util/rawsys.h"

#define CHILD_CODE \
	__attribute__((SL_NO_SSP noinline, no_sanitize("address", "undefined")))
#define CHILD_INLINE                                          \
	static inline __attribute__((SL_NO_SSP always_inline, \
				     no_sanitize("address", "undefined")))

#define PERSONALITY_QUERY 0xffffffffUL
#define ADDR_NO_RANDOMIZE_BIT 0x0040000UL
#define KERNEL_NSIG 64

static const char *const step_names[SL_STEP_COUNT] = {
	[SL_STEP_NONE] = "setup",
	[SL_STEP_STDIO] = "stdio",
	[SL_STEP_SETPGID] = "setpgid",
	[SL_STEP_PDEATHSIG] = "prctl(PR_SET_PDEATHSIG)",
	[SL_STEP_PARENT_DIED] = "parent died before confinement",
	[SL_STEP_PERSONALITY] = "personality(ADDR_NO_RANDOMIZE)",
	[SL_STEP_AFFINITY] = "sched_setaffinity",
	[SL_STEP_THP] = "prctl(PR_SET_THP_DISABLE)",
	[SL_STEP_COREDUMP] = "setrlimit(RLIMIT_CORE)",
	[SL_STEP_UID_MAP] = "write /proc/self/uid_map (unprivileged user "
			    "namespaces restricted? e.g. "
			    "kernel.apparmor_restrict_unprivileged_userns=1)",
	[SL_STEP_SETGROUPS] = "write /proc/self/setgroups",
	[SL_STEP_GID_MAP] = "write /proc/self/gid_map (unprivileged user "
			    "namespaces restricted? e.g. "
			    "kernel.apparmor_restrict_unprivileged_userns=1)",
	[SL_STEP_CHDIR] = "chdir",
	[SL_STEP_NO_NEW_PRIVS] = "prctl(PR_SET_NO_NEW_PRIVS)",
	[SL_STEP_LANDLOCK] = "landlock_restrict_self",
	[SL_STEP_SECCOMP] = "seccomp",
	[SL_STEP_SECCOMP_NESTED] = "seccomp (a supervisor already watches "
				   "this process and the kernel allows only "
				   "one: sandlock cannot run inside another "
				   "sandlock sandbox)",
	[SL_STEP_HANDSHAKE] = "handshake",
	[SL_STEP_CLOSE_FDS] = "close_range",
	[SL_STEP_NOFILE] = "setrlimit(RLIMIT_NOFILE)",
	[SL_STEP_SIGNALS] = "signal reset",
	[SL_STEP_CAPS] = "dropping capabilities",
	[SL_STEP_PARK] = "parked: the supervisor went away",
	[SL_STEP_HANDOFF] = "handing the seccomp listener over",
};

const char *sl_child_step_name(int step)
{
	if (step < 0 || step >= SL_STEP_COUNT)
		return "setup";
	return step_names[step];
}

/* The kernel's struct sigaction (x86_64 and aarch64 both have sa_restorer). */
struct kernel_sigaction {
	unsigned long handler;
	unsigned long flags;
	unsigned long restorer;
	uint64_t mask;
};

CHILD_INLINE size_t child_strlen(const char *s)
{
	size_t n = 0;

	/* The empty asm keeps the compiler from turning the loop into a
	 * strlen() call. */
	while (s[n]) {
		__asm__("" : "+r"(n));
		n++;
	}
	return n;
}

CHILD_INLINE void child_iov(struct iovec *v, const char *s)
{
	v->iov_base = (void *)s;
	v->iov_len = child_strlen(s);
}

/* "sandlock child: <what><quoted>: <strerror>\n" on fd 2. */
static CHILD_CODE void child_report(const struct sl_child_spec *c,
				    const char *what, const char *quoted,
				    int err)
{
	struct iovec v[8];
	const char *desc = c->errdesc ? c->errdesc(err) : NULL;
	int n = 0;

	child_iov(&v[n++], "sandlock child: ");
	child_iov(&v[n++], what);
	if (quoted) {
		child_iov(&v[n++], " '");
		child_iov(&v[n++], quoted);
		child_iov(&v[n++], "'");
	}
	child_iov(&v[n++], ": ");
	child_iov(&v[n++], desc ? desc : "unknown error");
	child_iov(&v[n++], "\n");
	sl_raw3(__NR_writev, 2, v, n);
}

static CHILD_CODE __attribute__((noreturn)) void
child_fail(const struct sl_child_spec *c, int step, long ret)
{
	int err = ret < 0 ? (int)-ret : (int)ret;

	c->status->step = step;
	c->status->err = err;
	child_report(c, step_names[step], NULL, err);
	sl_raw_exit(127);
}

#define CHECK_STEP(c, step, expr)                    \
	do {                                         \
		long _r = (expr);                    \
		if (_r < 0)                          \
			child_fail((c), (step), _r); \
	} while (0)

/* Move each source above 2 first, so installing one stream can never
 * clobber the source of another; then dup onto 0..2 (which clears
 * close-on-exec on the target). A failure closes the target: fail closed. */
CHILD_INLINE void child_stdio(const struct sl_child_spec *c)
{
	int moved[3];

	for (int i = 0; i < 3; i++) {
		moved[i] = -1;
		if (c->stdio_src[i] < 0)
			continue;
		long r = sl_raw3(__NR_fcntl, c->stdio_src[i], F_DUPFD_CLOEXEC,
				 3);
		if (r < 0) {
			sl_raw1(__NR_close, i);
			child_fail(c, SL_STEP_STDIO, r);
		}
		moved[i] = (int)r;
	}
	for (int i = 0; i < 3; i++) {
		if (moved[i] < 0)
			continue;
		long r = sl_raw3(__NR_dup3, moved[i], i, 0);
		if (r < 0) {
			sl_raw1(__NR_close, i);
			child_fail(c, SL_STEP_STDIO, r);
		}
	}
}

CHILD_INLINE long child_write_file(const char *path, const char *data)
{
	long fd = sl_raw4(__NR_openat, AT_FDCWD, path, O_WRONLY | O_CLOEXEC, 0);
	size_t len = child_strlen(data);
	long r;

	if (fd < 0)
		return fd;
	r = sl_raw3(__NR_write, fd, data, len);
	sl_raw1(__NR_close, fd);
	if (r >= 0 && (size_t)r != len)
		r = -EIO;
	return r < 0 ? r : 0;
}

/* The user namespace itself comes from clone(CLONE_NEWUSER): unshare()
 * refuses a process that shares its memory. */
CHILD_INLINE void child_user_maps(const struct sl_child_spec *c)
{
	CHECK_STEP(c, SL_STEP_UID_MAP,
		   child_write_file("/proc/self/uid_map", c->uid_map));
	CHECK_STEP(c, SL_STEP_SETGROUPS,
		   child_write_file("/proc/self/setgroups", "deny\n"));
	CHECK_STEP(c, SL_STEP_GID_MAP,
		   child_write_file("/proc/self/gid_map", c->gid_map));
}

CHILD_INLINE void futex_wait(_Atomic uint32_t *word, uint32_t while_is)
{
	while (atomic_load(word) == while_is)
		sl_raw6(__NR_futex, (long)word, FUTEX_WAIT, while_is, 0, 0, 0);
}

CHILD_INLINE void futex_set(_Atomic uint32_t *word, uint32_t v)
{
	atomic_store(word, v);
	sl_raw6(__NR_futex, (long)word, FUTEX_WAKE, 1, 0, 0, 0);
}

/*
 * The helper thread of the listener handoff (sl_child_spec.handoff_fd).
 * It shares our descriptor table and is not under the filter, which
 * applies to the thread that installs it: it waits for the listener, sends
 * it (SCM_RIGHTS), reports and exits. The installing thread could not send
 * it itself: the filter may notify sendmsg, which would then wait forever
 * for a supervisor that has no listener yet.
 */
static CHILD_CODE int child_handoff_thread(void *arg)
{
	const struct sl_child_spec *c = arg;
	struct sl_child_status *st = c->status;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct cmsghdr *cm;
	struct msghdr msg;
	struct iovec iov;
	char byte = 'L';
	int fd;
	long r;

	futex_wait(&st->handoff, SL_HANDOFF_WAIT);
	fd = st->listener;
	iov.iov_base = &byte;
	iov.iov_len = 1;
	msg.msg_name = 0;
	msg.msg_namelen = 0;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	msg.msg_flags = 0;
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	*(int *)(void *)CMSG_DATA(cm) = fd; /* aligned: after a cmsghdr */
	do
		r = sl_raw3(__NR_sendmsg, c->handoff_fd, &msg, MSG_NOSIGNAL);
	while (r == -EINTR);
	st->handoff_err = r < 0 ? (int32_t)-r : 0;
	futex_set(&st->handoff, SL_HANDOFF_SENT);
	for (;;)
		sl_raw1(__NR_exit, 0); /* this thread only */
	return 0;
}

#define HELPER_CLONE_FLAGS                                                  \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
	 CLONE_SYSVSEM)

CHILD_INLINE void child_seccomp(const struct sl_child_spec *c)
{
	bool handoff = c->listener && c->handoff_fd >= 0;
	unsigned long flags = 0;
	long r;

	if (handoff)
		CHECK_STEP(c, SL_STEP_HANDOFF,
			   sl_raw_clone(HELPER_CLONE_FLAGS, c->helper_stack_top,
					0, 0, child_handoff_thread, (void *)c));
	if (c->listener)
		flags = SECCOMP_FILTER_FLAG_NEW_LISTENER |
			SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	r = sl_raw3(__NR_seccomp, SECCOMP_SET_MODE_FILTER, flags, c->prog);
	if (r == -EINVAL && c->listener) {
		/* Kernels before 5.19 lack WAIT_KILLABLE_RECV. */
		flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
		r = sl_raw3(__NR_seccomp, SECCOMP_SET_MODE_FILTER, flags,
			    c->prog);
	}
	if (r == -EBUSY)
		child_fail(c, SL_STEP_SECCOMP_NESTED, r);
	if (r < 0)
		child_fail(c, SL_STEP_SECCOMP, r);
	c->status->listener = c->listener ? (int32_t)r : -1;
	if (!handoff)
		return;
	futex_set(&c->status->handoff, SL_HANDOFF_PUBLISHED);
	futex_wait(&c->status->handoff, SL_HANDOFF_PUBLISHED);
	if (c->status->handoff_err)
		child_fail(c, SL_STEP_HANDOFF, -c->status->handoff_err);
	sl_raw1(__NR_close, c->handoff_fd);
}

/* Tell the parent the child is confined, drop the last descriptor it
 * does not need, then park until released. A supervised child parks in a
 * notified syscall the parent receives before create returns and answers
 * at start: the child is then provably asleep. */
CHILD_INLINE void child_handshake(const struct sl_child_spec *c)
{
	uint64_t one = 1;
	long r;

	atomic_store(&c->status->confined, 1);
	do
		r = sl_raw3(__NR_write, c->event_fd, &one, sizeof(one));
	while (r == -EINTR);
	if (r != sizeof(one))
		child_fail(c, SL_STEP_HANDSHAKE, r < 0 ? r : -EIO);
	sl_raw1(__NR_close, c->event_fd);
	if (c->listener) {
		r = sl_raw5(__NR_clone, SL_PARK_CLONE_FLAGS, 0, 0, 0, 0);
		if (r != 0)
			child_fail(c, SL_STEP_PARK, r < 0 ? r : -EIO);
		return;
	}
	futex_wait(&c->status->go, 0);
}

/* Close every inherited descriptor above stdio but those still needed
 * (the Landlock ruleset, the event fd, the handoff socket): a parked
 * child holds none of the host's. */
CHILD_INLINE void child_close_inherited(const struct sl_child_spec *c)
{
	int keep[3] = { c->ruleset_fd, c->event_fd, c->handoff_fd };
	unsigned next = 3;

	for (int i = 1; i < 3; i++) /* sorted */
		for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
			int t = keep[j];

			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	for (int i = 0; i < 3; i++) {
		if (keep[i] < 0 || (unsigned)keep[i] < next)
			continue;
		if ((unsigned)keep[i] > next)
			CHECK_STEP(c, SL_STEP_CLOSE_FDS,
				   sl_raw3(__NR_close_range, next,
					   (unsigned)keep[i] - 1, 0));
		next = (unsigned)keep[i] + 1;
	}
	CHECK_STEP(c, SL_STEP_CLOSE_FDS,
		   sl_raw3(__NR_close_range, next, ~0U, 0));
}

/* Keep at most the capabilities of c->caps.keep in every set, bounding
 * and ambient included. Without CAP_SETPCAP the bounding set cannot
 * shrink; no_new_privs then keeps exec from granting anything. */
CHILD_INLINE void child_caps(const struct sl_child_spec *c)
{
	const struct sl_child_caps *k = &c->caps;
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct data[2];

	if (!k->drop)
		return;
	for (int cap = 0; cap <= k->last && cap < 64; cap++) {
		if ((k->keep >> cap) & 1)
			continue;
		if (k->bounding)
			CHECK_STEP(c, SL_STEP_CAPS,
				   sl_raw5(__NR_prctl, PR_CAPBSET_DROP, cap, 0,
					   0, 0));
		/* Each change commits new credentials: only those set. */
		if ((k->ambient >> cap) & 1)
			CHECK_STEP(c, SL_STEP_CAPS,
				   sl_raw5(__NR_prctl, PR_CAP_AMBIENT,
					   PR_CAP_AMBIENT_LOWER, cap, 0, 0));
	}
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	hdr.pid = 0;
	for (int i = 0; i < 2; i++) {
		data[i].effective = k->eff[i];
		data[i].permitted = k->perm[i];
		data[i].inheritable = k->inh[i];
	}
	CHECK_STEP(c, SL_STEP_CAPS, sl_raw2(__NR_capset, &hdr, data));
}

/* Handlers of the caller must never run in the child: every caught
 * signal goes back to SIG_DFL (ignored ones stay ignored, except SIGPIPE
 * which a sandboxed program expects at its default) before the caller's
 * mask is restored. */
CHILD_INLINE void child_signals(const struct sl_child_spec *c)
{
	struct kernel_sigaction old, dfl;

	dfl.handler = (unsigned long)SIG_DFL;
	dfl.flags = 0;
	dfl.restorer = 0;
	dfl.mask = 0;
	for (int sig = 1; sig <= KERNEL_NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sl_raw4(__NR_rt_sigaction, sig, 0, &old,
			    SL_RAW_SIGSET_SIZE) < 0)
			continue;
		if (sig != SIGPIPE && (old.handler == (unsigned long)SIG_DFL ||
				       old.handler == (unsigned long)SIG_IGN))
			continue;
		CHECK_STEP(c, SL_STEP_SIGNALS,
			   sl_raw4(__NR_rt_sigaction, sig, &dfl, 0,
				   SL_RAW_SIGSET_SIZE));
	}
	CHECK_STEP(c, SL_STEP_SIGNALS,
		   sl_raw4(__NR_rt_sigprocmask, SIG_SETMASK, &c->sigmask, 0,
			   SL_RAW_SIGSET_SIZE));
}

CHILD_INLINE bool exec_keeps_searching(long r)
{
	return r == -ENOENT || r == -ENOTDIR || r == -ESTALE || r == -ENODEV ||
	       r == -ETIMEDOUT || r == -EACCES;
}

/* execvp semantics over the candidates the parent resolved from PATH:
 * a missing candidate moves on, EACCES is remembered, a file without a
 * recognised format runs through /bin/sh. */
CHILD_INLINE __attribute__((noreturn)) void
child_exec(const struct sl_child_spec *c)
{
	long r = -ENOENT;
	bool denied = false;

	for (size_t i = 0; i < c->npaths; i++) {
		r = sl_raw3(__NR_execve, c->paths[i], c->argv, c->envp);
		if (r == -ENOEXEC) {
			c->sh_argv[1] = (char *)c->paths[i];
			r = sl_raw3(__NR_execve, c->sh_argv[0], c->sh_argv,
				    c->envp);
			break;
		}
		if (r == -EACCES)
			denied = true;
		if (!exec_keeps_searching(r))
			break;
	}
	if (denied && exec_keeps_searching(r))
		r = -EACCES;
	child_report(c, "execvp", c->argv[0], (int)-r);
	sl_raw_exit(127);
}

CHILD_CODE int sl_child_main(void *arg)
{
	const struct sl_child_spec *c = arg;

	child_stdio(c);
	child_close_inherited(c);
	CHECK_STEP(c, SL_STEP_SETPGID, sl_raw2(__NR_setpgid, 0, 0));
	if (c->take_tty) {
		/* All signals are blocked, which the terminal treats like an
		 * ignored SIGTTOU: a background group may take the
		 * foreground. Best effort, as for any job-control shell. */
		int self = (int)sl_raw0(__NR_getpid);

		sl_raw3(__NR_ioctl, 0, TIOCSPGRP, &self);
	}
	CHECK_STEP(c, SL_STEP_PDEATHSIG,
		   sl_raw2(__NR_prctl, PR_SET_PDEATHSIG, SIGKILL));
	if (sl_raw0(__NR_getppid) != c->parent_pid)
		child_fail(c, SL_STEP_PARENT_DIED, -ESRCH);
	if (c->no_randomize) {
		long cur = sl_raw1(__NR_personality, PERSONALITY_QUERY);

		CHECK_STEP(c, SL_STEP_PERSONALITY, cur);
		CHECK_STEP(c, SL_STEP_PERSONALITY,
			   sl_raw1(__NR_personality,
				   (unsigned long)cur | ADDR_NO_RANDOMIZE_BIT));
	}
	if (c->affinity)
		CHECK_STEP(c, SL_STEP_AFFINITY,
			   sl_raw3(__NR_sched_setaffinity, 0, c->affinity_len,
				   c->affinity));
	if (c->no_huge_pages)
		CHECK_STEP(c, SL_STEP_THP,
			   sl_raw5(__NR_prctl, PR_SET_THP_DISABLE, 1, 0, 0, 0));
	if (c->no_coredump) {
		struct rlimit zero;

		zero.rlim_cur = 0;
		zero.rlim_max = 0;
		CHECK_STEP(c, SL_STEP_COREDUMP,
			   sl_raw4(__NR_prlimit64, 0, RLIMIT_CORE, &zero, 0));
	}
	if (c->uid_map)
		child_user_maps(c);
	if (c->cwd)
		CHECK_STEP(c, SL_STEP_CHDIR, sl_raw1(__NR_chdir, c->cwd));
	child_caps(c);
	CHECK_STEP(c, SL_STEP_NO_NEW_PRIVS,
		   sl_raw5(__NR_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	if (c->ruleset_fd >= 0) {
		CHECK_STEP(c, SL_STEP_LANDLOCK,
			   sl_raw2(__NR_landlock_restrict_self, c->ruleset_fd,
				   0));
		sl_raw1(__NR_close, c->ruleset_fd);
	}
	child_seccomp(c);
	child_handshake(c);
	CHECK_STEP(c, SL_STEP_CLOSE_FDS, sl_raw3(__NR_close_range, 3, ~0U, 0));
	if (c->set_nofile) {
		struct rlimit lim;

		lim.rlim_cur = c->nofile;
		lim.rlim_max = c->nofile;
		CHECK_STEP(c, SL_STEP_NOFILE,
			   sl_raw4(__NR_prlimit64, 0, RLIMIT_NOFILE, &lim, 0));
	}
	child_signals(c);
	child_exec(c);
}
