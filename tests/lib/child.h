/*
 * The Landlock and seccomp plan tests (internal API): a plain forked
 * child that confines itself with a prebuilt ruleset or BPF program, and
 * checks that report from inside the child; a scratch tree addressed by
 * relative paths.
 *
 * The child reports a failed check on stderr and exits 1; the test then
 * asserts that the child exited 0.
 */
#ifndef SL_TESTLIB_CHILD_H
#define SL_TESTLIB_CHILD_H

/* The system headers the plan tests commonly use. */
#include <errno.h>
#include <fcntl.h>
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
#include "launch/kcompat.h"
#include "policy/policy.h"

/* Inside the child: report and leave on a failed expectation. */
#define CHILD_CHECK(c)                                             \
	do {                                                       \
		if (!(c)) {                                        \
			fprintf(stderr,                            \
				"  child %s:%d: CHECK(%s) failed " \
				"(errno %d %s)\n",                 \
				__FILE__, __LINE__, #c, errno,     \
				strerror(errno));                  \
			_exit(1);                                  \
		}                                                  \
	} while (0)

/* The call fails with exactly errno err. */
#define CHILD_FAILS(call, err)                                        \
	do {                                                          \
		errno = 0;                                            \
		long _r = (long)(call);                               \
		if (_r != -1 || errno != (err)) {                     \
			fprintf(stderr,                               \
				"  child %s:%d: %s returned %ld "     \
				"errno %d (%s), expected %s\n",       \
				__FILE__, __LINE__, #call, _r, errno, \
				strerror(errno), #err);               \
			_exit(1);                                     \
		}                                                     \
	} while (0)

/* Run fn(arg) in a forked child; returns its wait status. */
int ll_run_child(void (*fn)(void *), void *arg);

bool ll_exited_ok(int status);

/* In the child: NO_NEW_PRIVS, then the ruleset, as the launcher does. */
void ll_restrict(int ruleset_fd);

/* In the child: install prog; returns what seccomp() returned. */
long ll_install_filter(const struct sock_fprog *prog, unsigned long flags);

/* ---- scratch tree ------------------------------------------------------ */
extern char ll_scratch[64];

/* A new scratch directory in ll_scratch. */
bool ll_scratch_make(void);

/* "<scratch>/<rel>", in a rotating set of static buffers. */
const char *ll_path(const char *rel);

bool ll_mkdir(const char *rel);
bool ll_write_file(const char *rel, const char *content);

/* Does rel exist (symlinks not followed)? */
bool ll_exists(const char *rel);

void ll_scratch_remove(void);

/* A built policy (NULL and a printed reason on failure; p is freed). */
struct sl_policy *ll_build(struct sl_policy *p);

/* Skip when the kernel lacks the Landlock ABI a test needs. */
#define REQUIRE_LANDLOCK_ABI(n)                                                \
	do {                                                                   \
		if (sl_landlock_abi() < (n))                                   \
			SKIP("kernel Landlock ABI %d < %d", sl_landlock_abi(), \
			     (n));                                             \
	} while (0)

#endif
