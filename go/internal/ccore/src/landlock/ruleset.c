/* Ruleset creation and filesystem grants (docs/behaviour.md 3.1). */
#include "landlock/rules.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/holes.h"
#include "landlock/landlock_uapi.h"
#include "util/cleanup.h"

/* Rights that make sense on a non-directory; directory-only rights on a
 * file rule make the kernel answer EINVAL. */
/* Bound on the rules of grants expanded around holes. */
#define SL_HOLE_RULES_MAX 16384u

#define FS_FILE_RIGHTS                                                \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE | \
	 LANDLOCK_ACCESS_FS_IOCTL_DEV)

int sl_landlock_new_ruleset(const struct sl_landlock_plan *plan, int *fd,
			    struct sl_error *e)
{
	struct sl_landlock_ruleset_attr attr = {
		.handled_access_fs = plan->handled_fs,
		.handled_access_net = plan->handled_net,
		.scoped = plan->scoped,
	};
	/* The kernel accepts the full struct on older ABIs as long as the
	 * fields it does not know are zero, which the plan guarantees. */
	long r = syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0);

	if (r < 0)
		return sl_err(e, errno, "landlock_create_ruleset: %s",
			      strerror(errno));
	*fd = (int)r;
	return 0;
}

int sl_landlock_add_path(int ruleset_fd, const struct sl_landlock_plan *plan,
			 const char *path, bool writable, bool missing_ok,
			 struct sl_error *e)
{
	_cleanup_(closep) int fd = -1;
	struct sl_landlock_path_beneath_attr attr = { 0 };
	struct stat st;

	/* O_PATH: no read permission needed, and a FIFO does not block. */
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		if (missing_ok && (errno == ENOENT || errno == ENOTDIR))
			return 0;
		return sl_err(e, errno, "cannot grant access to '%s': %s", path,
			      strerror(errno));
	}
	if (fstat(fd, &st) < 0)
		return sl_err(e, errno, "cannot grant access to '%s': %s", path,
			      strerror(errno));

	attr.allowed_access = writable ? plan->write_access : plan->read_access;
	if (!S_ISDIR(st.st_mode))
		attr.allowed_access &= FS_FILE_RIGHTS;
	if (!attr.allowed_access)
		return 0;
	attr.parent_fd = fd;
	if (syscall(__NR_landlock_add_rule, ruleset_fd,
		    LANDLOCK_RULE_PATH_BENEATH, &attr, 0) < 0)
		return sl_err(e, errno, "landlock_add_rule '%s': %s", path,
			      strerror(errno));
	return 0;
}

/* Grants are host paths, or paths inside the chroot image, where a
 * missing one is skipped (host paths are never granted under chroot). */
static int add_grant(int fd, const struct sl_landlock_plan *plan,
		     const struct sl_policy *p, const char *path, bool writable,
		     struct sl_error *e)
{
	_cleanup_(freep) char *joined = NULL;

	if (!p->chroot)
		return sl_landlock_add_path(fd, plan, path, writable, false, e);
	if (asprintf(&joined, "%s/%s", p->chroot, path) < 0)
		return sl_err(e, ENOMEM, "out of memory");
	return sl_landlock_add_path(fd, plan, joined, writable, true, e);
}

/* One rule of a grant expanded around its holes (fs/holes.h). */
struct hole_rule {
	int ruleset;
	uint64_t rights;
	uint64_t read_rights;	   /* what a read-only rule keeps */
	struct sl_fs_built *built; /* its record, or NULL */
};

static int add_hole_rule(void *arg, int fd, const char *path, unsigned flags)
{
	struct hole_rule *h = arg;
	struct sl_landlock_path_beneath_attr attr = { .parent_fd = fd };
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (h->built) {
		int r = sl_fs_built_note(h->built, &st, path, flags);

		if (r < 0)
			return r;
	}
	attr.allowed_access = h->rights;
	if (flags & SL_RULE_READONLY)
		attr.allowed_access &= h->read_rights;
	if (flags & SL_RULE_DIR)
		attr.allowed_access &= ~FS_FILE_RIGHTS;
	if (flags & SL_RULE_NOLIST)
		attr.allowed_access &= ~(uint64_t)LANDLOCK_ACCESS_FS_READ_DIR;
	if (!S_ISDIR(st.st_mode))
		attr.allowed_access &= FS_FILE_RIGHTS;
	if (!attr.allowed_access)
		return 0;
	if (syscall(__NR_landlock_add_rule, h->ruleset,
		    LANDLOCK_RULE_PATH_BENEATH, &attr, 0) < 0)
		return -errno;
	return 0;
}

/* A grant given whole, or around the holes inside it. */
static int add_grant_holes(int fd, const struct sl_landlock_plan *plan,
			   const struct sl_fs_holes *holes, const char *path,
			   bool writable, size_t *budget,
			   struct sl_fs_built *built, struct sl_error *e)
{
	_cleanup_(freep) char *real = realpath(path, NULL);
	struct hole_rule h = {
		.ruleset = fd,
		.rights = writable ? plan->write_access : plan->read_access,
		.read_rights = plan->read_access,
		.built = built,
	};
	int r;

	if (!real) /* the error of a missing grant */
		return sl_landlock_add_path(fd, plan, path, writable, false, e);
	if (sl_fs_holes_swallow(holes, real))
		return 0; /* denied as a whole, or served by the supervisor */
	r = sl_fs_holes_expand(holes, real, writable, add_hole_rule, &h,
			       budget);
	if (r == -E2BIG)
		return sl_err(e, E2BIG,
			      "cannot grant '%s' around its denied entries: "
			      "more than %u rules (deny a deeper path, or "
			      "grant a narrower one)",
			      path, SL_HOLE_RULES_MAX);
	if (r < 0)
		return sl_err(e, -r, "cannot grant access to '%s': %s", path,
			      strerror(-r));
	return 0;
}

static int add_grants(int fd, const struct sl_landlock_plan *plan,
		      const struct sl_policy *p,
		      const struct sl_fs_holes *holes,
		      struct sl_fs_built *built, struct sl_error *e)
{
	size_t budget = SL_HOLE_RULES_MAX;
	int r;

	for (int w = 1; w >= 0; w--) {
		const struct sl_strv *list = w ? &p->fs_write : &p->fs_read;

		for (size_t i = 0; i < list->n; i++) {
			r = holes && holes->n ?
				    add_grant_holes(fd, plan, holes, list->v[i],
						    w, &budget, built, e) :
				    add_grant(fd, plan, p, list->v[i], w, e);
			if (r)
				return r;
		}
	}
	return 0;
}

int sl_landlock_add_fs_grants(int fd, const struct sl_landlock_plan *plan,
			      const struct sl_policy *p, struct sl_error *e)
{
	return add_grants(fd, plan, p, NULL, NULL, e);
}

/* A copy-on-write run's own upper: the staged binaries it executes
 * through the descriptors the supervisor hands it are read and executed
 * by the kernel (nothing else of the storage is reachable). */
static int add_cow_upper(int fd, const struct sl_landlock_plan *plan,
			 const struct sl_landlock_cow *cow, struct sl_error *e)
{
	_cleanup_(closep) int dir = -1;
	struct sl_landlock_path_beneath_attr attr = {
		.allowed_access = plan->handled_fs &
				  (LANDLOCK_ACCESS_FS_READ_FILE |
				   LANDLOCK_ACCESS_FS_EXECUTE),
	};

	if (!cow->upper || !attr.allowed_access)
		return 0;
	dir = open(cow->upper, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return sl_err(e, errno,
			      "cannot open the copy-on-write upper "
			      "'%s': %s",
			      cow->upper, strerror(errno));
	attr.parent_fd = dir;
	if (syscall(__NR_landlock_add_rule, fd, LANDLOCK_RULE_PATH_BENEATH,
		    &attr, 0) < 0)
		return sl_err(e, errno, "landlock_add_rule '%s': %s",
			      cow->upper, strerror(errno));
	return 0;
}

static int add_run_grants(int fd, const struct sl_landlock_plan *plan,
			  const struct sl_policy *p,
			  const struct sl_landlock_cow *cow,
			  struct sl_fs_built *built, struct sl_error *e)
{
	struct sl_fs_holes holes;
	int r;

	/* Under chroot the grants are inside the image (no holes yet). */
	if (p->chroot)
		return add_grants(fd, plan, p, NULL, NULL, e);
	r = sl_fs_holes_of(p, &holes);
	if (r == 0 && cow)
		r = sl_fs_holes_add_cow(&holes, cow->workdir, cow->storage);
	if (r < 0) {
		sl_fs_holes_free(&holes);
		return sl_err(e, -r, "cannot prepare the filesystem grants: %s",
			      strerror(-r));
	}
	r = add_grants(fd, plan, p, &holes, built, e);
	if (built) {
		built->whole = !holes.deny_missing;
		built->aliases = built->whole && !holes.aliases_unknown;
		if (r == 0)
			r = sl_strv_copy(&built->late, &holes.missing) < 0 ?
				    sl_err(e, ENOMEM, "out of memory") :
				    0;
		sl_fs_built_done(built);
	}
	sl_fs_holes_free(&holes);
	if (r == 0 && cow)
		r = add_cow_upper(fd, plan, cow, e);
	return r;
}

int sl_landlock_add_supervised_grants(int fd,
				      const struct sl_landlock_plan *plan,
				      const struct sl_policy *p,
				      struct sl_error *e)
{
	return add_run_grants(fd, plan, p, NULL, NULL, e);
}

int sl_landlock_create_ruleset(const struct sl_policy *p, int *out_fd,
			       struct sl_error *e)
{
	return sl_landlock_create_run_ruleset(p, NULL, out_fd, NULL, e);
}

int sl_landlock_create_run_ruleset(const struct sl_policy *p,
				   const struct sl_landlock_cow *cow,
				   int *out_fd, struct sl_fs_built *built,
				   struct sl_error *e)
{
	struct sl_landlock_plan plan;
	_cleanup_(closep) int fd = -1;
	struct sl_fs_built b = { 0 };
	int r;

	r = sl_landlock_plan(p, sl_landlock_abi(), true, &plan, e);
	if (!r)
		r = sl_landlock_new_ruleset(&plan, &fd, e);
	if (!r)
		r = add_run_grants(fd, &plan, p, cow, built ? &b : NULL, e);
	if (!r)
		r = sl_landlock_add_gpu_grants(fd, &plan, p, e);
	if (!r)
		r = sl_landlock_add_tcp_rules(fd, &plan, p, e);
	if (r) {
		sl_fs_built_free(&b);
		return r;
	}
	if (built)
		*built = b;
	*out_fd = TAKE_FD(fd);
	return 0;
}
