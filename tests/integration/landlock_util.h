/*
 * Helpers for the Landlock and seccomp plan tests: a private scratch
 * directory, a plain forked child that confines itself with a prebuilt
 * ruleset or BPF program, and checks that report from inside the child.
 *
 * The child reports a failed check on stderr and exits 1; the test then
 * asserts that the child exited 0.
 */
#ifndef SL_TEST_LANDLOCK_UTIL_H
#define SL_TEST_LANDLOCK_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "landlock/landlock.h"
#include "policy/policy.h"

#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self 446
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif

/* Inside the child: report and leave on a failed expectation. */
#define CHILD_CHECK(c)                                                     \
	do {                                                               \
		if (!(c)) {                                                \
			fprintf(stderr, "  child %s:%d: CHECK(%s) failed " \
					"(errno %d %s)\n",                 \
				__FILE__, __LINE__, #c, errno,             \
				strerror(errno));                          \
			_exit(1);                                          \
		}                                                          \
	} while (0)

/* The call fails with exactly errno err. */
#define CHILD_FAILS(call, err)                                             \
	do {                                                               \
		errno = 0;                                                 \
		long _r = (long)(call);                                    \
		if (_r != -1 || errno != (err)) {                          \
			fprintf(stderr, "  child %s:%d: %s returned %ld "  \
					"errno %d (%s), expected %s\n",    \
				__FILE__, __LINE__, #call, _r, errno,      \
				strerror(errno), #err);                    \
			_exit(1);                                          \
		}                                                          \
	} while (0)

/* Run fn(arg) in a forked child; returns its wait status. */
static inline int ll_run_child(void (*fn)(void *), void *arg)
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

static inline bool ll_exited_ok(int status)
{
	return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* In the child: NO_NEW_PRIVS, then the ruleset, as the launcher does. */
static inline void ll_restrict(int ruleset_fd)
{
	CHILD_CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
	CHILD_CHECK(syscall(__NR_landlock_restrict_self, ruleset_fd, 0) == 0);
}

/* In the child: install prog; returns what seccomp() returned. */
static inline long ll_install_filter(const struct sock_fprog *prog,
				     unsigned long flags)
{
	CHILD_CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, prog);
}

/* ---- scratch tree ------------------------------------------------------ */
static char ll_scratch[64];

static inline bool ll_scratch_make(void)
{
	snprintf(ll_scratch, sizeof(ll_scratch), "/tmp/sl-landlock-XXXXXX");
	return mkdtemp(ll_scratch) != NULL;
}

/* "<scratch>/<rel>", in a rotating set of static buffers. */
static inline const char *ll_path(const char *rel)
{
	static char bufs[8][256];
	static unsigned next;
	char *b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", ll_scratch, rel);
	return b;
}

static inline bool ll_mkdir(const char *rel)
{
	return mkdir(ll_path(rel), 0755) == 0;
}

static inline bool ll_write_file(const char *rel, const char *content)
{
	int fd = open(ll_path(rel), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		      0644);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, content, strlen(content)) == (ssize_t)strlen(content);
	close(fd);
	return ok;
}

static inline bool ll_exists(const char *rel)
{
	struct stat st;

	return lstat(ll_path(rel), &st) == 0;
}

static int ll_rm_one(const char *path, const struct stat *st, int flag,
		     struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void ll_scratch_remove(void)
{
	if (ll_scratch[0])
		nftw(ll_scratch, ll_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	ll_scratch[0] = '\0';
}

/* A built policy (NULL and a printed reason on failure). */
static inline struct sl_policy *ll_build(struct sl_policy *p)
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

/* Skip when the kernel lacks the Landlock ABI a test needs. */
#define REQUIRE_LANDLOCK_ABI(n)                                            \
	do {                                                               \
		if (sl_landlock_abi() < (n))                               \
			SKIP("kernel Landlock ABI %d < %d",                \
			     sl_landlock_abi(), (n));                      \
	} while (0)

#endif
