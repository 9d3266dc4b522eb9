#include "lib/policy.h"

#include <stdio.h>
#include <sys/stat.h>

#include "lib/paths.h"

const char *const sys_dirs[] = { "/usr",   "/bin", "/sbin", "/lib",
				 "/lib64", "/etc", NULL };

bool sys_dir_present(const char *dir)
{
	struct stat st;

	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

sandlock_builder_t *grant_system(sandlock_builder_t *b)
{
	for (int i = 0; sys_dirs[i]; i++)
		if (sys_dir_present(sys_dirs[i]))
			b = sandlock_sandbox_builder_fs_read(b, sys_dirs[i]);
	return b;
}

sandlock_builder_t *lu_builder(void)
{
	sandlock_builder_t *b = grant_system(sandlock_sandbox_builder_new());

	b = sandlock_sandbox_builder_fs_read(b, "/proc");
	return sandlock_sandbox_builder_fs_read(b, "/dev");
}

sandlock_builder_t *base_builder(void)
{
	static const char *const dev[] = { "/dev/zero", "/dev/urandom" };
	sandlock_builder_t *b = grant_system(sandlock_sandbox_builder_new());
	struct stat st;

	for (size_t i = 0; i < sizeof(dev) / sizeof(dev[0]); i++)
		if (stat(dev[i], &st) == 0)
			b = sandlock_sandbox_builder_fs_read(b, dev[i]);
	b = sandlock_sandbox_builder_fs_write(b, "/dev/null");
	if (helpers_dir())
		b = sandlock_sandbox_builder_fs_read(b, helpers_dir());
	return b;
}

sandlock_sandbox_t *lu_build(sandlock_builder_t *b)
{
	char *msg = NULL;
	int err = 0;
	sandlock_sandbox_t *p = sandlock_sandbox_build(b, &err, &msg);

	if (!p)
		fprintf(stderr, "  build failed: %s\n", msg ? msg : "?");
	sandlock_string_free(msg);
	return p;
}

sandlock_sandbox_t *lu_policy(void)
{
	return lu_build(lu_builder());
}
