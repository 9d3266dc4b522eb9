#include "fs/path.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

int sl_path_normalize(const char *base, const char *path, char **out)
{
	size_t bl = path[0] == '/' ? 0 : (base ? strlen(base) : 0);
	size_t cap = bl + strlen(path) + 3;
	_cleanup_(freep) char *buf = NULL;
	const char *srcs[2] = { path[0] == '/' ? NULL : base, path };
	size_t n = 0;

	if (path[0] != '/' && (!base || base[0] != '/'))
		return -EINVAL;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	buf[n++] = '/';
	for (int s = 0; s < 2; s++) {
		const char *p = srcs[s];

		while (p && *p) {
			const char *c, *e;
			size_t len;

			while (*p == '/')
				p++;
			if (!*p)
				break;
			c = p;
			e = strchr(c, '/');
			len = e ? (size_t)(e - c) : strlen(c);
			p = c + len;
			if (len == 1 && c[0] == '.')
				continue;
			if (len == 2 && c[0] == '.' && c[1] == '.') {
				/* drop the last component; "/" stays "/" */
				while (n > 1 && buf[n - 1] != '/')
					n--;
				if (n > 1)
					n--;
				continue;
			}
			if (n > 1)
				buf[n++] = '/';
			memcpy(buf + n, c, len);
			n += len;
		}
	}
	buf[n] = '\0';
	*out = TAKE_PTR(buf);
	return 0;
}

bool sl_path_covers(const char *prefix, const char *path)
{
	size_t pl = strlen(prefix);

	if (pl == 1 && prefix[0] == '/')
		return path[0] == '/';
	return strncmp(prefix, path, pl) == 0 &&
	       (path[pl] == '\0' || path[pl] == '/');
}

void sl_path_strip_deleted(char *path)
{
	static const char deleted[] = " (deleted)";
	size_t len = strlen(path), dl = sizeof(deleted) - 1;

	if (len > dl && strcmp(path + len - dl, deleted) == 0)
		path[len - dl] = '\0';
}

void sl_path_last(const char *path, size_t *dir_len, const char **name,
		  size_t *name_len, bool *slash)
{
	size_t end = strlen(path), start;

	*slash = false;
	while (end > 0 && path[end - 1] == '/') {
		end--;
		*slash = true;
	}
	start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	*name = path + start;
	*name_len = end - start;
	/* "/name" keeps its "/", "a//name" drops the extra slashes */
	*dir_len = start;
	while (*dir_len > 1 && path[*dir_len - 1] == '/')
		(*dir_len)--;
	if (*slash && *name_len == 0 && end == 0)
		*slash = false; /* "/" or "//": the root, no component */
}

/* With what container runtimes mask by default (timers and scheduler
 * internals with kernel addresses, ACPI and SCSI controls, the RAPL
 * energy counters of /sys/devices/virtual/powercap: a power side
 * channel), and the kernel's debugging and tracing filesystems: the
 * kernel's internals (functions, addresses, every task's events) and,
 * for root, switches over the whole machine's tracing. */
static const char *const sensitive[] = {
	"/proc/kcore",		"/proc/kmsg",
	"/proc/kallsyms",	"/proc/keys",
	"/proc/key-users",	"/proc/sysrq-trigger",
	"/proc/timer_list",	"/proc/timer_stats",
	"/proc/sched_debug",	"/proc/latency_stats",
	"/proc/acpi",		"/proc/scsi",
	"/sys/class/net",	"/sys/firmware",
	"/sys/kernel/security", "/sys/devices/virtual/powercap",
	"/sys/kernel/debug",	"/sys/kernel/tracing",
};

const char *sl_path_sensitive_at(size_t i)
{
	return i < SL_ARRAY_SIZE(sensitive) ? sensitive[i] : NULL;
}

bool sl_path_sensitive_linkless(const char *s)
{
	return strcmp(s, "/sys/kernel/debug") == 0 ||
	       strcmp(s, "/sys/kernel/tracing") == 0;
}

bool sl_path_sensitive(const char *path)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(sensitive); i++)
		if (sl_path_covers(sensitive[i], path))
			return true;
	return false;
}

bool sl_path_reaches_proc(const char *path)
{
	return sl_path_covers(path, "/proc") || sl_path_covers("/proc", path);
}

bool sl_path_reaches_sensitive(const char *path)
{
	if (sl_path_covers(path, "/proc") || sl_path_covers("/proc", path))
		return true;
	for (size_t i = 0; i < SL_ARRAY_SIZE(sensitive); i++)
		if (sl_path_covers(path, sensitive[i]) ||
		    sl_path_covers(sensitive[i], path))
			return true;
	return false;
}

bool sl_path_proc_pid(const char *path, pid_t *pid)
{
	const char *p;
	long v = 0;

	if (strncmp(path, "/proc/", 6) != 0)
		return false;
	p = path + 6;
	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > 0x7fffffff)
			return false;
	}
	if (*p != '\0' && *p != '/')
		return false;
	*pid = (pid_t)v;
	return true;
}
