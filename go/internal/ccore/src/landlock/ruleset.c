/* Ruleset creation and filesystem grants (behavior.md 3.1). */
#include "landlock/rules.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "landlock/landlock_uapi.h"
#include "util/cleanup.h"

/* Rights that make sense on a non-directory; directory-only rights on a
 * file rule make the kernel answer EINVAL. */
#define FS_FILE_RIGHTS                                                     \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |      \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |      \
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
		return sl_err(e, errno, "cannot grant access to '%s': %s",
			      path, strerror(errno));
	}
	if (fstat(fd, &st) < 0)
		return sl_err(e, errno, "cannot grant access to '%s': %s",
			      path, strerror(errno));

	attr.allowed_access = writable ? plan->write_access
				       : plan->read_access;
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
		     const struct sl_policy *p, const char *path,
		     bool writable, struct sl_error *e)
{
	_cleanup_(freep) char *joined = NULL;

	if (!p->chroot)
		return sl_landlock_add_path(fd, plan, path, writable, false, e);
	if (asprintf(&joined, "%s/%s", p->chroot, path) < 0)
		return sl_err(e, ENOMEM, "out of memory");
	return sl_landlock_add_path(fd, plan, joined, writable, true, e);
}

int sl_landlock_add_fs_grants(int fd, const struct sl_landlock_plan *plan,
			      const struct sl_policy *p, struct sl_error *e)
{
	int r;

	for (size_t i = 0; i < p->fs_write.n; i++)
		if ((r = add_grant(fd, plan, p, p->fs_write.v[i], true, e)))
			return r;
	for (size_t i = 0; i < p->fs_read.n; i++)
		if ((r = add_grant(fd, plan, p, p->fs_read.v[i], false, e)))
			return r;
	return 0;
}

int sl_landlock_create_ruleset(const struct sl_policy *p, int *out_fd,
			       struct sl_error *e)
{
	struct sl_landlock_plan plan;
	_cleanup_(closep) int fd = -1;
	int r;

	r = sl_landlock_plan(p, sl_landlock_abi(), true, &plan, e);
	if (!r)
		r = sl_landlock_new_ruleset(&plan, &fd, e);
	if (!r)
		r = sl_landlock_add_fs_grants(fd, &plan, p, e);
	if (!r)
		r = sl_landlock_add_gpu_grants(fd, &plan, p, e);
	if (!r)
		r = sl_landlock_add_tcp_rules(fd, &plan, p, e);
	if (r)
		return r;
	*out_fd = TAKE_FD(fd);
	return 0;
}
