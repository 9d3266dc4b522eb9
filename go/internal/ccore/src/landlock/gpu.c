/*
 * GPU device grants (docs/behaviour.md 4.8). A GPU that is absent is not an
 * error: the nodes that exist are granted, the others skipped.
 */
#include "landlock/rules.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/cleanup.h"

static const char *const gpu_control_nodes[] = {
	"/dev/nvidiactl",
	"/dev/nvidia-uvm",
	"/dev/nvidia-uvm-tools",
};

static const char *const gpu_read_trees[] = {
	"/proc/driver/nvidia",
	"/sys/bus/pci/devices",
	"/sys/module/nvidia",
};

static bool is_nvidia_index_node(const char *name)
{
	const char *s = name + strlen("nvidia");

	if (strncmp(name, "nvidia", strlen("nvidia")) != 0 || !*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int grant_node(int fd, const struct sl_landlock_plan *plan,
		      const char *path, bool writable, struct sl_error *e)
{
	return sl_landlock_add_path(fd, plan, path, writable, true, e);
}

/* Every /dev/nvidia<digits> present (the "all GPUs" case). */
static int grant_all_indexed(int fd, const struct sl_landlock_plan *plan,
			     struct sl_error *e)
{
	_cleanup_(closedirp) DIR *dev = opendir("/dev");
	struct dirent *de;

	if (!dev)
		return 0;
	while ((de = readdir(dev))) {
		char path[sizeof("/dev/") + sizeof(de->d_name)];
		int r;

		if (!is_nvidia_index_node(de->d_name))
			continue;
		snprintf(path, sizeof(path), "/dev/%s", de->d_name);
		if ((r = grant_node(fd, plan, path, true, e)))
			return r;
	}
	return 0;
}

int sl_landlock_add_gpu_grants(int fd, const struct sl_landlock_plan *plan,
			       const struct sl_policy *p, struct sl_error *e)
{
	bool all;
	int r;

	if (!p->has_gpu_devices)
		return 0;
	all = p->gpu_devices.n == 0;
	for (size_t i = 0; i < SL_ARRAY_SIZE(gpu_control_nodes); i++)
		if ((r = grant_node(fd, plan, gpu_control_nodes[i], true, e)))
			return r;
	if (all) {
		if ((r = grant_all_indexed(fd, plan, e)) ||
		    (r = grant_node(fd, plan, "/dev/dri", true, e)))
			return r;
	}
	for (size_t i = 0; !all && i < p->gpu_devices.n; i++) {
		char path[sizeof("/dev/nvidia4294967295")];

		snprintf(path, sizeof(path), "/dev/nvidia%u",
			 p->gpu_devices.v[i]);
		if ((r = grant_node(fd, plan, path, true, e)))
			return r;
	}
	for (size_t i = 0; i < SL_ARRAY_SIZE(gpu_read_trees); i++)
		if ((r = grant_node(fd, plan, gpu_read_trees[i], false, e)))
			return r;
	return 0;
}
