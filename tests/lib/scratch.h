/*
 * Private scratch directories of the tests. Every dangerous call a test
 * makes aims at one of these, never at shared state. A directory is
 * removed with everything in it by scratch_remove(); whatever a test left
 * behind (a failed CHECK leaves the test early) is removed when the
 * process that made it exits.
 */
#ifndef SL_TESTLIB_SCRATCH_H
#define SL_TESTLIB_SCRATCH_H

#include <stdbool.h>
#include <stddef.h>

/* A new directory /tmp/sltest-XXXXXX; NULL on failure. The string
 * belongs to the scratch list: scratch_remove(dir) frees it. */
char *scratch_make(void);

/* The same under another parent (a tmpfs such as /dev/shm, say). */
char *scratch_make_in(const char *parent);

/* A new scratch directory, its path copied into buf. */
bool scratch_dir(char *buf, size_t cap);

/* Remove dir and everything below it (no-op for NULL or ""). When dir is
 * a scratch directory, it is forgotten and, if it is the string
 * scratch_make() returned, freed. */
void scratch_remove(const char *dir);

/* Remove path and everything below it, not following symlinks. */
void rmtree(const char *path);

#endif
