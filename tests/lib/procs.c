#include "lib/procs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *lu_proc_stat(pid_t pid, char *buf, size_t cap)
{
	char path[64];
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	/* the command name may hold anything, ")" included: the last one */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p + 2 : NULL;
}

char lu_proc_state(pid_t pid)
{
	char buf[512];
	const char *p = lu_proc_stat(pid, buf, sizeof(buf));

	return p ? p[0] : 0;
}

void lu_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

bool lu_until(bool (*pred)(pid_t), pid_t pid)
{
	for (int i = 0; i < 2000; i++) {
		if (pred(pid))
			return true;
		lu_sleep_ms(10);
	}
	return pred(pid);
}

bool lu_is_stopped(pid_t pid)
{
	return lu_proc_state(pid) == 'T';
}

bool lu_is_running(pid_t pid)
{
	char s = lu_proc_state(pid);

	return s != 0 && s != 'T' && s != 'Z';
}

bool lu_is_gone(pid_t pid)
{
	char s = lu_proc_state(pid);

	return s == 0 || s == 'Z' || s == 'X';
}
