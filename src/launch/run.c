/*
 * Lifecycle of one sandboxed process (docs/behaviour.md 12): create (prepare,
 * clone, confine, park), start, signal, free.
 */
#include "launch/run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "launch/run_impl.h"
#include "seccomp/filter.h"

extern const struct sl_handler_module sl_module_freeze;

/* "sandbox-<pid>-<n>", n counting from 1 in this process (docs/behaviour.md
 * 11.4). */
static char *auto_name(void)
{
	static atomic_uint counter;
	char *s = NULL;

	if (asprintf(&s, "sandbox-%d-%u", (int)getpid(),
		     atomic_fetch_add(&counter, 1) + 1) < 0)
		return NULL;
	return s;
}

static int resolve_name(const char *name, char **out, struct sl_error *e)
{
	int r;

	if (!name) {
		*out = auto_name();
	} else {
		r = sl_name_validate(name, e);
		if (r < 0)
			return r;
		*out = strdup(name);
	}
	return *out ? 0 : sl_err(e, ENOMEM, "out of memory");
}

static int init_sync(struct sl_run *r, struct sl_error *e)
{
	pthread_condattr_t attr;
	int rc;

	rc = pthread_mutex_init(&r->lock, NULL);
	if (rc == 0) {
		rc = pthread_mutex_init(&r->serve_lock, NULL);
		if (rc != 0)
			pthread_mutex_destroy(&r->lock);
	}
	if (rc != 0)
		return sl_err(e, rc, "pthread_mutex_init: %s", strerror(rc));
	rc = pthread_condattr_init(&attr);
	if (rc == 0) {
		/* Wait deadlines are on the monotonic clock. */
		rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		if (rc == 0)
			rc = pthread_cond_init(&r->cond, &attr);
		pthread_condattr_destroy(&attr);
	}
	if (rc != 0) {
		pthread_mutex_destroy(&r->lock);
		pthread_mutex_destroy(&r->serve_lock);
		return sl_err(e, rc, "pthread_cond_init: %s", strerror(rc));
	}
	return 0;
}

static struct sl_run *run_alloc(struct sl_sandbox *sb,
				const struct sl_run_opts *o, struct sl_error *e)
{
	struct sl_run *r = calloc(1, sizeof(*r));

	if (!r) {
		sl_err(e, ENOMEM, "out of memory");
		return NULL;
	}
	if (init_sync(r, e) < 0) {
		free(r);
		return NULL;
	}
	r->sb = sl_sandbox_ref(sb);
	r->own_thread = o->own_thread;
	r->cow = o->cow;
	r->epfd = -1;
	r->pidfd = -1;
	r->keeper.fd = -1;
	r->wake.fd = -1;
	r->launch.event_fd = -1;
	r->launch.keeper_pidfd = -1;
	r->launch.handoff = r->launch.handoff_child = -1;
	r->cap[0].src.fd = r->cap[1].src.fd = -1;
	for (int i = 0; i < 3; i++)
		r->launch.child_fd[i] = r->launch.parent_fd[i] = -1;
	return r;
}

static int check_opts(const struct sl_run_opts *o, const int pipe_fds[3],
		      struct sl_error *e)
{
	for (int i = 0; i < 3; i++) {
		if (o->stdio[i] > SL_STDIO_CAPTURE ||
		    (i == 0 && o->stdio[i] == SL_STDIO_CAPTURE))
			return sl_err(e, EINVAL,
				      "invalid stdio mode %u for fd %d",
				      o->stdio[i], i);
		if (o->stdio[i] == SL_STDIO_PIPED && !pipe_fds)
			return sl_err(
				e, EINVAL,
				"a piped stream needs somewhere to return "
				"its pipe end");
	}
	return 0;
}

/* The run's modules: the policy's and those o adds, whose syscalls then
 * need a filter of this run's own; a freezer when one of them freezes. */
static int prepare_modules(struct sl_run *r, const struct sl_run_opts *o,
			   struct sl_error *e)
{
	struct sl_launch *l = &r->launch;
	struct sl_nrset set = r->sb->notify;
	int rc = sl_modlist_copy(&r->sb->modules, &r->mods);

	for (size_t i = 0; rc >= 0 && o->extra && i < o->extra->n; i++)
		rc = sl_modlist_add(&r->mods, o->extra->v[i].m,
				    o->extra->v[i].arg, o->extra->v[i].nrs);
	if (rc < 0)
		return sl_err(e, -rc, "out of memory");
	if (o->extra && o->extra->n) {
		sl_handlers_notify_set_of(o->extra, r->sb->policy, &set);
		rc = sl_seccomp_build(r->sb->policy, &set, &l->own_prog, e);
		if (rc < 0)
			return rc;
		l->spec.prog = &l->own_prog;
		l->spec.listener = !sl_nrset_empty(&set);
	}
	if (!sl_modlist_has(&r->mods, &sl_module_freeze))
		return 0;
	l->kspec.freeze = calloc(1, sizeof(*l->kspec.freeze));
	if (!l->kspec.freeze)
		return sl_err(e, ENOMEM, "out of memory");
	rc = sl_freezer_new(l, r->epfd, &r->freezer);
	return rc < 0 ? sl_err(e, -rc, "cannot set up freezing: %s",
			       strerror(-rc)) :
			0;
}

/* Everything after the clone: the loop's sources and the supervisor. */
static int attach(struct sl_run *r, int listener, struct sl_error *e)
{
	int rc;

	r->wake.fd = r->launch.event_fd;
	r->wake.on_event = sl_run_on_wake;
	r->keeper.fd = r->launch.keeper_pidfd;
	r->keeper.on_event = sl_run_on_keeper;
	rc = sl_evsrc_add(r->epfd, &r->wake);
	if (rc >= 0)
		rc = sl_evsrc_add(r->epfd, &r->keeper);
	if (rc < 0) {
		if (listener >= 0)
			close(listener);
		return sl_err(e, rc, "epoll_ctl: %s", strerror(-rc));
	}
	if (listener >= 0) {
		struct sl_supervisor_config cfg = {
			.policy = r->sb->policy,
			.name = r->name,
			.root = r->pid,
			.root_pidfd = r->pidfd,
			.keeper = r->launch.keeper_pid,
			.listener = listener,
			.epfd = r->epfd,
			.mods = &r->mods,
			.freezer = sl_freezer_ops(r->freezer),
			.cow = r->cow,
			.built = r->launch.built,
		};

		rc = sl_supervisor_new(&cfg, &r->sv, e);
		if (rc < 0)
			return rc;
		sl_freezer_attach(r->freezer, r->sv);
	}
	/* The child may have died already: its end is then published. */
	sl_run_collect(r);
	if (r->own_thread)
		return sl_run_start_thread(r, e);
	return 0;
}

static int attach_captures(struct sl_run *r, const struct sl_run_opts *o,
			   struct sl_error *e)
{
	for (int i = 1; i < 3; i++) {
		int rc;

		if (o->stdio[i] != SL_STDIO_CAPTURE)
			continue;
		rc = sl_capsrc_open(&r->cap[i - 1], r->launch.parent_fd[i],
				    r->epfd);
		r->launch.parent_fd[i] = -1;
		if (rc < 0)
			return sl_err(e, rc, "epoll_ctl: %s", strerror(-rc));
	}
	return 0;
}

int sl_run_create(struct sl_sandbox *sb, const struct sl_run_opts *o,
		  struct sl_run **out, int pipe_fds[3], struct sl_error *e)
{
	struct sl_run *r;
	int listener = -1, rc;

	*out = NULL;
	if (pipe_fds)
		pipe_fds[0] = pipe_fds[1] = pipe_fds[2] = -1;
	rc = check_opts(o, pipe_fds, e);
	if (rc < 0)
		return rc;
	r = run_alloc(sb, o, e);
	if (!r)
		return -ENOMEM;
	rc = resolve_name(o->name, &r->name, e);
	if (rc >= 0)
		rc = sl_launch_prepare(&r->launch, sb, o, e);
	if (rc >= 0) {
		r->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (r->epfd < 0)
			rc = sl_err(e, errno, "epoll_create1: %m");
	}
	if (rc >= 0)
		rc = prepare_modules(r, o, e);
	if (rc >= 0)
		rc = attach_captures(r, o, e);
	if (rc >= 0)
		rc = sl_launch_spawn(&r->launch, &r->pid, &r->pidfd, &listener,
				     e);
	if (rc >= 0)
		rc = attach(r, listener, e);
	if (rc == -EMFILE || rc == -ENFILE)
		/* Say it plainly: a launch needs a few descriptors of the
		 * caller's (sl_run_create's documentation counts them). */
		sl_err_wrap(e, rc,
			    "not enough free file descriptors in this "
			    "process to start a sandbox");
	if (rc < 0) {
		/* A child that was created is killed and reaped here. */
		sl_run_free(r);
		return rc;
	}
	for (int i = 0; i < 3; i++)
		if (o->stdio[i] == SL_STDIO_PIPED) {
			pipe_fds[i] = r->launch.parent_fd[i];
			r->launch.parent_fd[i] = -1;
		}
	if (o->start)
		sl_run_start(r);
	*out = r;
	return 0;
}

int sl_run_start(struct sl_run *r)
{
	if (r->started)
		return -EALREADY;
	r->started = true;
	sl_launch_release_child(&r->launch);
	return 0;
}

pid_t sl_run_pid(const struct sl_run *r)
{
	return r->pid;
}

char *sl_run_port_mappings(const struct sl_run *r)
{
	return sl_supervisor_port_mappings(r->sv);
}

const char *sl_run_name(const struct sl_run *r)
{
	return r->name;
}

void sl_run_signal_locked(struct sl_run *r, int sig)
{
	if (r->sv)
		(void)sl_supervisor_signal_all(r->sv, sig);
	else if (r->pidfd >= 0)
		(void)pidfd_send_signal(r->pidfd, sig, NULL, 0);
	if (sig == SIGKILL)
		sl_launch_kill_all(&r->launch);
}

int sl_run_signal(struct sl_run *r, int sig)
{
	if (sig <= 0 || sig >= NSIG)
		return -EINVAL;
	pthread_mutex_lock(&r->serve_lock);
	sl_run_signal_locked(r, sig);
	pthread_mutex_unlock(&r->serve_lock);
	return 0;
}

void sl_run_set_job_control(struct sl_run *r, bool on)
{
	r->job_control = on;
}

void sl_run_set_interrupt(struct sl_run *r, void (*fn)(void *arg), void *arg)
{
	r->interrupt = fn;
	r->interrupt_arg = arg;
}

void sl_run_free(struct sl_run *r)
{
	if (!r)
		return;
	sl_run_stop_thread(r);
	/* Nothing of the sandbox outlives it: new processes are refused,
	 * every known one is killed through its pidfd, and the keeper kills
	 * the rest (orphans of any session) before it exits and is reaped. */
	sl_supervisor_close(r->sv);
	if (r->sv)
		(void)sl_supervisor_signal_all(r->sv, SIGKILL);
	sl_launch_end(&r->launch);
	/* The supervisor goes after the processes: a dying one may still sit
	 * in a notification, which a closed listener answers with ENOSYS. */
	sl_supervisor_free(r->sv);
	sl_freezer_free(r->freezer);
	sl_modlist_free(&r->mods);
	sl_capsrc_close(&r->cap[0]);
	sl_capsrc_close(&r->cap[1]);
	if (r->pidfd >= 0)
		close(r->pidfd);
	if (r->epfd >= 0)
		close(r->epfd);
	/* The keeper and the child ran on these stacks and read this
	 * memory; the keeper is reaped now. */
	sl_launch_free(&r->launch);
	sl_sandbox_unref(r->sb);
	free(r->name);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	pthread_mutex_destroy(&r->serve_lock);
	free(r);
}

void sl_capture_free(struct sl_capture *cap)
{
	if (!cap)
		return;
	for (int i = 0; i < 2; i++) {
		free(cap->data[i]);
		cap->data[i] = NULL;
		cap->len[i] = 0;
	}
}
