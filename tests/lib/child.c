#include "lib/child.h"

#include <sys/wait.h>

#include "lib/files.h"
#include "lib/scratch.h"

char ll_scratch[64];

int ll_run_child(void (*fn)(void *), void *arg)
{
	int status = -1;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

bool ll_exited_ok(int status)
{
	return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void ll_restrict(int ruleset_fd)
{
	CHILD_CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
	CHILD_CHECK(syscall(__NR_landlock_restrict_self, ruleset_fd, 0) == 0);
}

long ll_install_filter(const struct sock_fprog *prog, unsigned long flags)
{
	CHILD_CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, prog);
}

bool ll_scratch_make(void)
{
	return scratch_dir(ll_scratch, sizeof(ll_scratch));
}

const char *ll_path(const char *rel)
{
	static char bufs[8][256];
	static unsigned next;
	char *b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", ll_scratch, rel);
	return b;
}

bool ll_mkdir(const char *rel)
{
	return mkdir(ll_path(rel), 0755) == 0;
}

bool ll_write_file(const char *rel, const char *content)
{
	return write_file(ll_path(rel), content);
}

bool ll_exists(const char *rel)
{
	return path_exists(ll_path(rel));
}

void ll_scratch_remove(void)
{
	scratch_remove(ll_scratch);
	ll_scratch[0] = '\0';
}

struct sl_policy *ll_build(struct sl_policy *p)
{
	struct sl_error e = { 0 };

	if (p && sl_policy_build(p, &e) < 0) {
		fprintf(stderr, "  policy build: %s\n", e.msg ? e.msg : "?");
		sl_error_clear(&e);
		sl_policy_free(p);
		return NULL;
	}
	return p;
}
