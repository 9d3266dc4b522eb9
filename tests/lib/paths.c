#include "lib/paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *build_dir(void)
{
	static char dir[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (dir[0])
		return dir;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	if ((size_t)snprintf(dir, sizeof(dir), "%s/../..", exe) >=
		    sizeof(dir) ||
	    !realpath(dir, exe))
		return dir[0] = '\0', NULL;
	strcpy(dir, exe);
	return dir;
}

const char *helpers_dir(void)
{
	static char dir[PATH_MAX];
	const char *build;

	if (dir[0])
		return dir;
	build = build_dir();
	if (!build ||
	    (size_t)snprintf(dir, sizeof(dir), "%s/tests/helpers", build) >=
		    sizeof(dir) ||
	    access(dir, F_OK) != 0)
		return dir[0] = '\0', NULL;
	return dir;
}

char *helper(const char *name)
{
	static char path[PATH_MAX];
	const char *d = helpers_dir();

	if (snprintf(path, sizeof(path), "%s/%s", d ? d : ".", name) >=
	    (int)sizeof(path))
		path[0] = '\0';
	return path;
}

const char *helper_built(const char *name)
{
	const char *path = helpers_dir() ? helper(name) : NULL;

	if (path && access(path, X_OK) == 0)
		return path;
	fprintf(stderr, "  helper %s is not built next to the test\n", name);
	return NULL;
}
