/*
 * fs_denied (behavior.md 3.3) and the /proc, /sys denials (8.1).
 *
 * Landlock only grants, so a path denied inside a granted tree, the
 * sensitive /proc and /sys entries, and /proc/<pid> of processes outside
 * the sandbox are refused here with EACCES. The module is active when the
 * policy denies paths or grants a tree that reaches /proc or a sensitive
 * path; otherwise Landlock already refuses all of them and nothing is
 * notified.
 *
 * Opens are performed on the child's behalf (fsopen.c). Exec, link,
 * rename, unlink and truncate are checked on the path read from memory and
 * then continued: a child racing its own memory can still reach a denied
 * path with them (Landlock's grants hold in every case). Renaming or
 * removing a directory that contains a denied path is refused too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "handlers/fsdeny.h"
#include "handlers/fspath.h"
#include "handlers/opentarget.h"
#include "handlers/resolve.h"
#include "supervisor/notif.h"
#include "util/cleanup.h"

/* ---- path checks for the other calls ---------------------------------- */

enum {
	CHK_FOLLOW = 1 << 0,    /* the call follows a final symlink */
	CHK_EMPTY_OK = 1 << 1,  /* AT_EMPTY_PATH: "" names dirfd itself */
	CHK_CONTAINER = 1 << 2, /* moving path would move what it contains */
};

/* 0 when the path may be used, -EACCES when denied. */
static int check_path(struct sl_fs_call *c, int dirfd, uint64_t addr,
		      unsigned chk)
{
	_cleanup_(freep) char *path = NULL;
	_cleanup_(freep) char *lex = NULL;
	_cleanup_(freep) char *real = NULL;
	_cleanup_(closep) int base = -1;
	struct sl_resolved res;
	int r;

	r = sl_fs_read_path(c, addr, &path);
	if (r < 0)
		return r;
	if (!path[0]) {
		if (!(chk & CHK_EMPTY_OK) || dirfd == AT_FDCWD)
			return 0; /* the kernel refuses it (ENOENT) */
		base = sl_notif_getfd(c->n, dirfd);
		if (base < 0)
			return 0; /* the kernel reports EBADF */
		return sl_fs_object_denied(c->s, base, &real) < 0 ? -EACCES : 0;
	}
	base = sl_fs_base_dir(c, dirfd, path);
	if (base < 0)
		return 0;
	r = sl_fs_lexical(base, path, &lex);
	if (r < 0)
		return r;
	if (sl_fs_path_denied(c->s, lex) ||
	    ((chk & CHK_CONTAINER) && sl_pathset_inside(&c->s->deny, lex)))
		return -EACCES;
	r = sl_resolve(&c->rc, base, path, 0,
		       ((chk & CHK_FOLLOW) ? SL_RES_FOLLOW : 0) |
			       SL_RES_MISSING_OK,
		       &res);
	if (r == 0) {
		r = sl_fs_object_denied(c->s, res.fd, &real);
		if (r == 0 && (chk & CHK_CONTAINER) &&
		    sl_pathset_inside(&c->s->deny, real))
			r = -EACCES;
	} else if (r == -ENOENT && res.parentfd >= 0) {
		/* A new name: judge where it would be created. */
		_cleanup_(freep) char *full = NULL;

		r = sl_fs_new_name(c->s, res.parentfd, res.name, &full);
	} else {
		r = 0; /* unresolvable: the kernel will fail it too */
	}
	sl_resolved_clear(&res);
	return r == -EACCES ? r : (r < 0 && r != -ENOMEM ? 0 : r);
}

static int deny_if(int r, struct sl_action *out)
{
	if (r == -EACCES) {
		out->kind = SL_ACT_ERRNO;
		out->error = EACCES;
		return 0;
	}
	return r;
}

/* Two-path calls: both names are judged. */
static int check_two(struct sl_fs_call *c, int od, uint64_t op, unsigned ochk,
		     int nd, uint64_t np, unsigned nchk)
{
	int r = check_path(c, od, op, ochk);

	return r < 0 ? r : check_path(c, nd, np, nchk);
}

static int handle_other(struct sl_fs_call *c, const struct seccomp_data *d)
{
	const __u64 *a = d->args;
	const unsigned mv = CHK_CONTAINER;

	switch (d->nr) {
	case SYS_execve:
		return check_path(c, AT_FDCWD, a[0], CHK_FOLLOW);
	case SYS_execveat:
		return check_path(c, (int)a[0], a[1],
				  ((a[4] & AT_SYMLINK_NOFOLLOW) ? 0 :
								 CHK_FOLLOW) |
					  ((a[4] & AT_EMPTY_PATH) ?
						   CHK_EMPTY_OK :
						   0));
	case SYS_truncate:
		return check_path(c, AT_FDCWD, a[0], CHK_FOLLOW);
	case SYS_unlinkat:
		return check_path(c, (int)a[0], a[1], mv);
	case SYS_linkat:
		return check_two(c, (int)a[0], a[1],
				 ((a[4] & AT_SYMLINK_FOLLOW) ? CHK_FOLLOW : 0) |
					 ((a[4] & AT_EMPTY_PATH) ?
						  CHK_EMPTY_OK :
						  0),
				 (int)a[2], a[3], 0);
	case SYS_renameat2:
	case SYS_renameat:
		return check_two(c, (int)a[0], a[1], mv, (int)a[2], a[3], mv);
#ifdef SYS_unlink
	case SYS_unlink:
	case SYS_rmdir:
		return check_path(c, AT_FDCWD, a[0], mv);
	case SYS_link:
		return check_two(c, AT_FDCWD, a[0], 0, AT_FDCWD, a[1], 0);
	case SYS_rename:
		return check_two(c, AT_FDCWD, a[0], mv, AT_FDCWD, a[1], mv);
#endif
	}
	return 0;
}

static int fsdeny_handle(void *state, const struct sl_notif *n,
			 struct sl_action *out)
{
	const struct seccomp_data *d = &n->req->data;
	struct sl_fs_call c;
	int r = sl_fs_call_begin(&c, n, state);

	if (r == 0)
		r = sl_is_open_family(d->nr) ? sl_fs_open(&c, d, out) :
					       handle_other(&c, d);
	sl_fs_call_end(&c);
	return deny_if(r, out);
}

/* ---- activation -------------------------------------------------------- */

/* Does a grant reach /proc or a sensitive path (contain it or lie in
 * it)? Then Landlock lets the child there and this module must watch. */
static bool grant_reaches_sensitive(const struct sl_strv *grants)
{
	for (size_t i = 0; i < grants->n; i++) {
		struct sl_pathset one = { 0 };
		bool hit = sl_pathset_add(&one, grants->v[i], false) < 0;

		/* the grant as given and as resolved */
		for (size_t j = 0; j < one.paths.n && !hit; j++)
			hit = sl_path_reaches_sensitive(one.paths.v[j]);
		sl_pathset_free(&one);
		if (hit)
			return true; /* or cannot tell: watch */
	}
	return false;
}

static bool fsdeny_active(const struct sl_policy *p)
{
	/* Under chroot the chroot handlers match denials on virtual paths. */
	if (p->chroot)
		return false;
	return p->fs_deny.n > 0 || grant_reaches_sensitive(&p->fs_read) ||
	       grant_reaches_sensitive(&p->fs_write);
}

static void fsdeny_syscalls(const struct sl_policy *p, struct sl_nrset *set)
{
	static const int others[] = {
		SCMP_SYS(execve),   SCMP_SYS(execveat), SCMP_SYS(linkat),
		SCMP_SYS(link),	    SCMP_SYS(renameat2), SCMP_SYS(renameat),
		SCMP_SYS(rename),   SCMP_SYS(truncate), SCMP_SYS(unlinkat),
		SCMP_SYS(unlink),   SCMP_SYS(rmdir),
	};

	sl_open_family_add(set);
	if (p->fs_deny.n == 0)
		return; /* only /proc and /sys: reached by opens alone */
	for (size_t i = 0; i < SL_ARRAY_SIZE(others); i++)
		sl_nrset_add(set, others[i]);
}

static void fsdeny_fini(void *state)
{
	struct sl_fsdeny *s = state;

	if (!s)
		return;
	sl_pathset_free(&s->deny);
	sl_pathset_free(&s->read);
	sl_pathset_free(&s->write);
	free(s);
}

static int fsdeny_init(struct sl_supervisor *sv, const struct sl_policy *p,
		       void **state)
{
	struct sl_fsdeny *s = calloc(1, sizeof(*s));
	int r = 0;

	if (!s)
		return -ENOMEM;
	s->sv = sv;
	s->has_host_root = stat("/", &s->host_root) == 0;
	for (size_t i = 0; r == 0 && i < p->fs_deny.n; i++)
		r = sl_pathset_add(&s->deny, p->fs_deny.v[i], true);
	for (size_t i = 0; r == 0 && i < p->fs_read.n; i++)
		r = sl_pathset_add(&s->read, p->fs_read.v[i], false);
	for (size_t i = 0; r == 0 && i < p->fs_write.n; i++)
		r = sl_pathset_add(&s->write, p->fs_write.v[i], false);
	if (r < 0) {
		fsdeny_fini(s);
		return sl_supervisor_init_error(
			sv, r, "fs_deny: cannot prepare paths");
	}
	*state = s;
	return 0;
}

const struct sl_handler_module sl_module_fsdeny = {
	.name = "fsdeny",
	.active = fsdeny_active,
	.syscalls = fsdeny_syscalls,
	.init = fsdeny_init,
	.handle = fsdeny_handle,
	.fini = fsdeny_fini,
};

