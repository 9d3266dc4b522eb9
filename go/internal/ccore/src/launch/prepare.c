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
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "launch/launch.h"
#include "util/cleanup.h"

/* The child needs little stack: raw syscalls and one small message. */
#define CHILD_STACK_LEN (64 * 1024)

static int open_null(int target, struct sl_error *e)
{
	int fd = open("/dev/null", (target == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC);

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
 * (behavior.md 11.3); the maps are written by the child. */
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

/* A kernel CPU mask with exactly the listed cores (behavior.md 4.6). */
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

/* min(requested, inherited soft, inherited hard) (behavior.md 4.4). */
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

static int prepare_stack(struct sl_launch *l, struct sl_error *e)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *s;

	l->stack_len = CHILD_STACK_LEN + page;
	s = mmap(NULL, l->stack_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (s == MAP_FAILED)
		return sl_err(e, errno, "mmap child stack: %m");
	l->stack = s;
	/* A guard page below the stack turns an overflow into a fault. */
	if (mprotect(s, page, PROT_NONE) < 0)
		return sl_err(e, errno, "mprotect child stack: %m");
	return 0;
}

/* The terminal goes to the sandbox only when it owns all three streams
 * (behavior.md 1.2 step 2), and only from a caller in the foreground: a
 * background job never steals the terminal from its shell. */
static void prepare_tty(struct sl_launch *l, const struct sl_run_opts *o)
{
	pid_t owner;

	if (o->stdio[0] != SL_STDIO_INHERIT || o->stdio[1] != SL_STDIO_INHERIT ||
	    o->stdio[2] != SL_STDIO_INHERIT || !isatty(0))
		return;
	owner = tcgetpgrp(0);
	if (owner <= 0 || owner != getpgrp())
		return;
	l->took_tty = true;
	l->tty_owner = owner;
	l->spec.take_tty = true;
}

/* The child's working directory (behavior.md 11.2). */
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
	c->handshake_fd = -1;
	c->ruleset_fd = -1;

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
		r = sl_sandbox_ruleset(sb, &c->ruleset_fd, e);
	if (r >= 0)
		r = prepare_stack(l, e);
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
}

void sl_launch_free(struct sl_launch *l)
{
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
	l->stack = NULL;
}
