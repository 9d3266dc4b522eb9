/*
 * Policies of the tests, through the public builder: the one list of
 * system directories an ordinary dynamically linked program needs to
 * read, and the baseline builders made from it.
 */
#ifndef SL_TESTLIB_POLICY_H
#define SL_TESTLIB_POLICY_H

#include <stdbool.h>

#include "sandlock.h"

/* /usr, /bin, /sbin, /lib, /lib64, /etc; NULL-terminated. */
extern const char *const sys_dirs[];

/* Is dir one of those that this machine has (a directory, symlinks
 * followed)? A grant of a missing path fails the build. */
bool sys_dir_present(const char *dir);

/* b with read grants of the system directories present here. */
sandlock_builder_t *grant_system(sandlock_builder_t *b);

/* The system directories, /proc and /dev readable: most commands run. */
sandlock_builder_t *lu_builder(void);

/* The system directories, /dev/zero and /dev/urandom readable, /dev/null
 * writable, and the helper programs: system programs and the helpers run,
 * and nothing else is granted (no /proc). */
sandlock_builder_t *base_builder(void);

/* Build b (consumed), printing the reason on failure. */
sandlock_sandbox_t *lu_build(sandlock_builder_t *b);

/* lu_build(lu_builder()). */
sandlock_sandbox_t *lu_policy(void);

#endif
