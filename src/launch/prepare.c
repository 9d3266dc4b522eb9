/*
 * Everything the child needs, computed in the parent so the child only
 * issues syscalls: stdio ends, identity maps, CPU mask, rlimits, the
 * command, and a private stack.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cow/cow.h"
#include "landlock/landlock.h"
#include "launch/launch.h"
#include "seccomp/filter.h"
#include "util/cleanup.h"
#include "util/hostperm.h"

/* The child needs little stack: raw syscalls and one small message; the
 * keeper less. */
#define CHILD_STACK_LEN (64 * 1024)
#define KEEPER_STACK_LEN (32 * 1024)
#define HELPER_STACK_LEN (16 * 1024)

/* What a sandboxed process may keep: the capability set container
 * runtimes give root by default, less CAP_MKNOD and CAP_NET_RAW. */
#define CAP_BIT(n) (UINT64_C(1) << (n))
static const uint64_t keep_caps =
	CAP_BIT(CAP_CHOWN) | CAP_BIT(CAP_DAC_OVERRIDE) | CAP_BIT(CAP_FOWNER) |
	CAP_BIT(CAP_FSETID) | CAP_BIT(CAP_KILL) | CAP_BIT(CAP_SETGID) |
	CAP_BIT(CAP_SETUID) | CAP_BIT(CAP_SETPCAP) | CAP_BIT(CAP_SETFCAP) |
	CAP_BIT(CAP_NET_BIND_SERVICE) | CAP_BIT(CAP_SYS_CHROOT) |
	CAP_BIT(CAP_AUDIT_WRITE);

static int open_null(int target, struct sl_error *e)
{
	int fd = open("/dev/null",
		      (target == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC);

	if (fd < 0)
		return sl_err(e, errno, "open /dev/null: %m");
	return fd;
}

/* Child and parent ends of one stream. Captured output is read
 * non-blocking by the supervisor loop; a caller's pipe end stays
 * blocking, like any pipe it would create itself. */
static int open_stream(struct sl_launch *l, int target, uint8_t mode,
		       struct sl_error *e)
{
	int p[2];

	switch (mode) {
	case SL_STDIO_INHERIT:
		return 0;
	case SL_STDIO_NULL:
		l->child_fd[target] = open_null(target, e);
		return l->child_fd[target] < 0 ? l->child_fd[target] : 0;
	case SL_STDIO_PIPED:
	case SL_STDIO_CAPTURE: /* stdin is never captured (sl_run_create) */
		if (pipe2(p, O_CLOEXEC) < 0)
			return sl_err(e, errno, "pipe2: %m");
		/* p[0] is the read end: the child reads stdin, we read
		 * stdout and stderr. */
		l->child_fd[target] = target == 0 ? p[0] : p[1];
		l->parent_fd[target] = target == 0 ? p[1] : p[0];
		if (mode == SL_STDIO_CAPTURE &&
		    fcntl(l->parent_fd[target], F_SETFL, O_NONBLOCK) < 0)
			return sl_err(e, errno, "fcntl(O_NONBLOCK): %m");
		return 0;
	default:
		return sl_err(e, EINVAL, "invalid stdio mode %u", mode);
	}
}

/* A user namespace only when the requested ids differ from ours
 * (docs/behaviour.md 11.3); the maps are written by the child. */
static int prepare_identity(struct sl_launch *l, const struct sl_policy *p,
			    struct sl_error *e)
{
	uid_t ruid = getuid();
	gid_t rgid = getgid();

	if (!p->has_user || (p->uid == ruid && p->gid == rgid))
		return 0;
	if (asprintf(&l->uid_map, "%u %u 1\n", p->uid, (unsigned)ruid) < 0) {
		l->uid_map = NULL;
		return sl_err(e, ENOMEM, "out of memory");
	}
	if (asprintf(&l->gid_map, "%u %u 1\n", p->gid, (unsigned)rgid) < 0) {
		l->gid_map = NULL;
		return sl_err(e, ENOMEM, "out of memory");
	}
	l->spec.uid_map = l->uid_map;
	l->spec.gid_map = l->gid_map;
	return 0;
}

/* A kernel CPU mask with exactly the listed cores (docs/behaviour.md 4.6). */
static int prepare_affinity(struct sl_launch *l, const struct sl_policy *p,
			    struct sl_error *e)
{
	uint32_t max = 0;
	size_t len;

	if (!p->has_cpu_cores || p->cpu_cores.n == 0)
		return 0;
	for (size_t i = 0; i < p->cpu_cores.n; i++)
		if (p->cpu_cores.v[i] > max)
			max = p->cpu_cores.v[i];
	len = ((size_t)max / 64 + 1) * sizeof(uint64_t);
	l->affinity = calloc(1, len);
	if (!l->affinity)
		return sl_err(e, ENOMEM, "out of memory");
	for (size_t i = 0; i < p->cpu_cores.n; i++) {
		uint32_t c = p->cpu_cores.v[i];

		l->affinity[c / 8] |= (uint8_t)(1u << (c % 8));
	}
	l->spec.affinity = l->affinity;
	l->spec.affinity_len = len;
	return 0;
}

/* min(requested, inherited soft, inherited hard) (docs/behaviour.md 4.4). */
static int prepare_nofile(struct sl_launch *l, const struct sl_policy *p,
			  struct sl_error *e)
{
	struct rlimit cur;
	uint64_t target;

	if (!p->has_max_open_files)
		return 0;
	if (getrlimit(RLIMIT_NOFILE, &cur) < 0)
		return sl_err(e, errno, "getrlimit(RLIMIT_NOFILE): %m");
	target = p->max_open_files;
	if (cur.rlim_cur < target)
		target = cur.rlim_cur;
	if (cur.rlim_max < target)
		target = cur.rlim_max;
	l->spec.set_nofile = true;
	l->spec.nofile = target;
	return 0;
}

static int map_stack(size_t len, void **out, size_t *out_len,
		     struct sl_error *e)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *s;

	*out_len = len + page;
	s = mmap(NULL, *out_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (s == MAP_FAILED)
		return sl_err(e, errno, "mmap child stack: %m");
	*out = s;
	/* A guard page below the stack turns an overflow into a fault. */
	if (mprotect(s, page, PROT_NONE) < 0)
		return sl_err(e, errno, "mprotect child stack: %m");
	return 0;
}

/* Where pidfd_getfd is refused, the child's helper thread hands the
 * listener over a socket of ours (child.h, handoff_fd) and needs a stack.
 * SOCK_SEQPACKET: the one message arrives whole or not at all. */
static int prepare_handoff(struct sl_launch *l, struct sl_sandbox *sb,
			   struct sl_error *e)
{
	int pair[2];
	int r;

	if (!sb->supervised || sl_host_allows(SL_HOST_PIDFD_GETFD))
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
		return sl_err(e, errno, "socketpair: %m");
	l->handoff = pair[0];
	l->handoff_child = l->spec.handoff_fd = pair[1];
	r = map_stack(HELPER_STACK_LEN, &l->hstack, &l->hstack_len, e);
	if (r < 0)
		return r;
	l->spec.helper_stack_top = (char *)l->hstack + l->hstack_len;
	return 0;
}

static int prepare_stack(struct sl_launch *l, struct sl_error *e)
{
	int r = map_stack(CHILD_STACK_LEN, &l->stack, &l->stack_len, e);

	if (r >= 0)
		r = map_stack(KEEPER_STACK_LEN, &l->kstack, &l->kstack_len, e);
	/* The thread pointer block points at itself, as a TCB does. */
	l->tls[0] = (uint64_t)(uintptr_t)l->tls;
	return r;
}

/* The capability sets of the child: ours (the calling thread's), or a
 * new user namespace's full set, masked by keep_caps. */
static int prepare_caps(struct sl_launch *l, struct sl_error *e)
{
	struct sl_child_caps *k = &l->spec.caps;
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3,
						0 };
	struct __user_cap_data_struct cur[2];
	bool userns = l->spec.uid_map != NULL;
	int last = 0;

	if (syscall(SYS_capget, &hdr, cur) < 0)
		return sl_err(e, errno, "capget: %m");
	while (last < 63 && prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0) >= 0)
		last++;
	/* A new user namespace starts with no ambient capability. */
	for (int cap = 0; cap <= last && !userns; cap++)
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) ==
		    1)
			k->ambient |= UINT64_C(1) << cap;
	k->drop = true;
	k->last = last;
	k->keep = keep_caps;
	for (int i = 0; i < 2; i++) {
		uint32_t keep = (uint32_t)(keep_caps >> (32 * i));
		uint32_t perm = userns ? ~0u : cur[i].permitted;
		uint32_t eff = userns ? ~0u : cur[i].effective;

		k->perm[i] = perm & keep;
		k->eff[i] = eff & keep;
		k->inh[i] = userns ? 0 : cur[i].inheritable & keep;
	}
	/* Dropping from the bounding set needs CAP_SETPCAP; a process
	 * without it has nothing to lose there (no_new_privs). */
	k->bounding = userns || (cur[0].effective & (1u << CAP_SETPCAP));
	return 0;
}

/* The terminal goes to the sandbox only when it owns all three streams
 * (docs/behaviour.md 1.2 step 2), and only from a caller in the foreground: a
 * background job never steals the terminal from its shell. */
static void prepare_tty(struct sl_launch *l, const struct sl_run_opts *o)
{
	pid_t owner;

	if (o->stdio[0] != SL_STDIO_INHERIT ||
	    o->stdio[1] != SL_STDIO_INHERIT ||
	    o->stdio[2] != SL_STDIO_INHERIT || !isatty(0))
		return;
	owner = tcgetpgrp(0);
	if (owner <= 0 || owner != getpgrp())
		return;
	l->took_tty = true;
	l->tty_owner = owner;
	l->spec.take_tty = true;
}

/* The policy's ruleset, shared by its runs; a copy-on-write run has one
 * of its own, which leaves the workdir no right to write and the storage
 * none at all, but lets the run read and execute its own upper (Landlock
 * rules name objects that exist: the branch is the run's). */
static int run_ruleset(struct sl_launch *l, struct sl_sandbox *sb,
		       const struct sl_run_opts *o, struct sl_error *e)
{
	struct sl_landlock_cow cow;
	int r;

	if (!o->cow)
		return sl_sandbox_ruleset(sb, &l->spec.ruleset_fd, &l->built,
					  e);
	cow = (struct sl_landlock_cow){
		.workdir = sl_cow_workdir(o->cow),
		.storage = sl_cow_base(o->cow),
		.upper = sl_cow_upper(o->cow),
	};
	r = sl_landlock_create_run_ruleset(sb->policy, &cow, &l->own_ruleset,
					   &l->own_built, e);
	l->built = &l->own_built;
	l->spec.ruleset_fd = l->own_ruleset;
	return r;
}

/* The child's working directory (docs/behaviour.md 11.2). */
static const char *child_cwd(const struct sl_policy *p)
{
	if (p->cwd)
		return p->cwd;
	return p->workdir;
}

int sl_launch_prepare(struct sl_launch *l, struct sl_sandbox *sb,
		      const struct sl_run_opts *o, struct sl_error *e)
{
	const struct sl_policy *p = sb->policy;
	struct sl_child_spec *c = &l->spec;
	int r;

	memset(l, 0, sizeof(*l));
	for (int i = 0; i < 3; i++) {
		l->child_fd[i] = -1;
		l->parent_fd[i] = -1;
	}
	c->status = &l->status;
	l->status.listener = -1;
	c->event_fd = -1;
	c->ruleset_fd = -1;
	c->handoff_fd = -1;
	l->handoff = l->handoff_child = -1;
	l->own_ruleset = -1;
	l->event_fd = -1;
	l->keeper_pidfd = -1;
	l->listener = -1;

	r = sl_command_prepare(&l->cmd, p, o->argv, o->argc, e);
	if (r < 0)
		return r;
	for (int i = 0; i < 3 && r >= 0; i++)
		r = open_stream(l, i, o->stdio[i], e);
	if (r >= 0)
		r = prepare_identity(l, p, e);
	if (r >= 0)
		r = prepare_affinity(l, p, e);
	if (r >= 0)
		r = prepare_nofile(l, p, e);
	if (r >= 0)
		r = run_ruleset(l, sb, o, e);
	if (r >= 0)
		r = prepare_stack(l, e);
	if (r >= 0)
		r = prepare_handoff(l, sb, e);
	if (r >= 0)
		r = prepare_caps(l, e);
	if (r >= 0) {
		l->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (l->event_fd < 0)
			r = sl_err(e, errno, "eventfd: %m");
	}
	if (r < 0)
		return r;
	prepare_tty(l, o);

	for (int i = 0; i < 3; i++)
		c->stdio_src[i] = l->child_fd[i];
	c->parent_pid = getpid();
	c->no_randomize = p->no_randomize_memory;
	c->no_huge_pages = p->no_huge_pages;
	c->no_coredump = p->no_coredump;
	c->cwd = child_cwd(p);
	c->prog = &sb->prog;
	c->listener = sb->supervised;
	c->argv = l->cmd.argv.v;
	c->envp = sl_command_envp(&l->cmd);
	c->paths = (const char *const *)l->cmd.paths.v;
	c->npaths = l->cmd.paths.n;
	c->sh_argv = l->cmd.sh_argv;
	c->errdesc = strerrordesc_np;
	return 0;
}

void sl_launch_close_child_ends(struct sl_launch *l)
{
	for (int i = 0; i < 3; i++)
		if (l->child_fd[i] >= 0) {
			close(l->child_fd[i]);
			l->child_fd[i] = -1;
		}
	/* (not spec.handoff_fd: the child reads the spec) */
	if (l->handoff_child >= 0) {
		close(l->handoff_child);
		l->handoff_child = -1;
	}
}

void sl_launch_free(struct sl_launch *l)
{
	/* Nothing may run on the stacks or read l afterwards. */
	sl_launch_end(l);
	sl_launch_close_child_ends(l);
	for (int i = 0; i < 3; i++)
		if (l->parent_fd[i] >= 0) {
			close(l->parent_fd[i]);
			l->parent_fd[i] = -1;
		}
	sl_command_free(&l->cmd);
	free(l->affinity);
	free(l->uid_map);
	free(l->gid_map);
	l->affinity = NULL;
	l->uid_map = l->gid_map = NULL;
	if (l->stack)
		munmap(l->stack, l->stack_len);
	if (l->kstack)
		munmap(l->kstack, l->kstack_len);
	if (l->hstack)
		munmap(l->hstack, l->hstack_len);
	l->stack = l->kstack = l->hstack = NULL;
	if (l->handoff >= 0)
		close(l->handoff);
	l->handoff = -1;
	if (l->event_fd >= 0)
		close(l->event_fd);
	l->event_fd = -1;
	if (l->own_ruleset >= 0)
		close(l->own_ruleset);
	l->own_ruleset = -1;
	sl_fs_built_free(&l->own_built);
	l->built = NULL;
	free(l->kspec.freeze);
	l->kspec.freeze = NULL;
	sl_seccomp_free(&l->own_prog);
}
