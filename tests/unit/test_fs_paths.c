/* Path arithmetic of the filesystem view. */
#include <stdlib.h>

#include "harness.h"
#include "fs/path.h"

static char *norm(const char *base, const char *path)
{
	char *out = NULL;

	if (sl_path_normalize(base, path, &out) < 0)
		return NULL;
	return out;
}

#define CHECK_NORM(base, path, want)                                           \
	do {                                                                   \
		char *_o = norm(base, path);                                   \
		int _ok = _o && strcmp(_o, want) == 0;                         \
		if (!_ok)                                                      \
			fprintf(stderr, "  got \"%s\"\n", _o ? _o : "(null)"); \
		free(_o);                                                      \
		CHECK(_ok);                                                    \
	} while (0)

TEST(normalize_absolute)
{
	CHECK_NORM(NULL, "/", "/");
	CHECK_NORM(NULL, "//etc///passwd", "/etc/passwd");
	CHECK_NORM(NULL, "/etc/./passwd/", "/etc/passwd");
	CHECK_NORM(NULL, "/a/b/../c", "/a/c");
	CHECK_NORM(NULL, "/../../etc", "/etc");
	CHECK_NORM(NULL, "/a/..", "/");
	CHECK_NORM("/ignored", "/x", "/x");
}

TEST(normalize_relative)
{
	CHECK_NORM("/home/u", "f", "/home/u/f");
	CHECK_NORM("/home/u", "../v/./f", "/home/v/f");
	CHECK_NORM("/", "../../x", "/x");
	CHECK_NORM("/home/u/", ".", "/home/u");
	char *o = NULL;
	CHECK_EQ_INT(sl_path_normalize("relative", "x", &o), -EINVAL);
	CHECK_EQ_INT(sl_path_normalize(NULL, "x", &o), -EINVAL);
}

TEST(covers_is_component_wise)
{
	CHECK(sl_path_covers("/etc/shadow", "/etc/shadow"));
	CHECK(sl_path_covers("/etc/shadow", "/etc/shadow/x"));
	CHECK(!sl_path_covers("/etc/shadow", "/etc/shadowx"));
	CHECK(!sl_path_covers("/etc/shadow", "/etc"));
	CHECK(sl_path_covers("/", "/anything"));
	CHECK(sl_path_covers("/", "/"));
	CHECK(!sl_path_covers("/", "pipe:[12]"));
}

TEST(sensitive_paths)
{
	CHECK(sl_path_sensitive("/proc/kcore"));
	CHECK(sl_path_sensitive("/proc/sysrq-trigger"));
	CHECK(sl_path_sensitive("/sys/class/net/lo/address"));
	CHECK(sl_path_sensitive("/sys/kernel/security"));
	CHECK(sl_path_sensitive("/sys/kernel/debug/tracing/trace"));
	CHECK(sl_path_sensitive("/sys/kernel/tracing/tracing_on"));
	CHECK(!sl_path_sensitive("/sys/kernel/mm"));
	CHECK(sl_path_sensitive("/proc/timer_list"));
	CHECK(sl_path_sensitive("/proc/acpi/wakeup"));
	CHECK(sl_path_sensitive("/sys/devices/virtual/powercap/intel-rapl"));
	CHECK(!sl_path_sensitive("/sys/devices/virtual/net"));
	CHECK(!sl_path_sensitive("/proc/kcorex"));
	CHECK(!sl_path_sensitive("/proc/self/status"));
	CHECK(!sl_path_sensitive("/sys/class"));
	CHECK(!sl_path_sensitive("/proc"));
}

TEST(proc_pid_paths)
{
	pid_t pid = 0;

	CHECK(sl_path_proc_pid("/proc/1", &pid));
	CHECK_EQ_INT(pid, 1);
	CHECK(sl_path_proc_pid("/proc/4242/environ", &pid));
	CHECK_EQ_INT(pid, 4242);
	CHECK(!sl_path_proc_pid("/proc/self/status", &pid));
	CHECK(!sl_path_proc_pid("/proc/12a/status", &pid));
	CHECK(!sl_path_proc_pid("/proc", &pid));
	CHECK(!sl_path_proc_pid("/proc/", &pid));
	CHECK(!sl_path_proc_pid("/procx/1", &pid));
	CHECK(!sl_path_proc_pid("/proc/99999999999", &pid));
}

TEST(grants_reaching_sensitive_paths)
{
	CHECK(sl_path_reaches_sensitive("/"));
	CHECK(sl_path_reaches_sensitive("/proc"));
	CHECK(sl_path_reaches_sensitive("/proc/1"));
	CHECK(sl_path_reaches_sensitive("/sys"));
	CHECK(sl_path_reaches_sensitive("/sys/class"));
	CHECK(sl_path_reaches_sensitive("/sys/firmware/efi"));
	CHECK(!sl_path_reaches_sensitive("/sys/class/block"));
	CHECK(!sl_path_reaches_sensitive("/usr"));
	CHECK(!sl_path_reaches_sensitive("/procfs"));
}

static bool last_is(const char *path, const char *dir, const char *name,
		    bool slash)
{
	const char *n;
	size_t dl, nl;
	bool s;

	sl_path_last(path, &dl, &n, &nl, &s);
	if (dl != strlen(dir) || strncmp(path, dir, dl) != 0 ||
	    nl != strlen(name) || strncmp(n, name, nl) != 0 || s != slash) {
		fprintf(stderr, "  %s: dir \"%.*s\" name \"%.*s\" slash %d\n",
			path, (int)dl, path, (int)nl, n, s);
		return false;
	}
	return true;
}

TEST(last_component)
{
	CHECK(last_is("name", "", "name", false));
	CHECK(last_is("/name", "/", "name", false));
	CHECK(last_is("a/b", "a", "b", false));
	CHECK(last_is("a//b", "a", "b", false));
	CHECK(last_is("a/b/", "a", "b", true));
	CHECK(last_is("/a/b//", "/a", "b", true));
	CHECK(last_is("/", "", "", false));
	CHECK(last_is("//", "", "", false));
	CHECK(last_is("a/..", "a", "..", false));
}
