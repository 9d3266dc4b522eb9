/*
 * Where the programs the tests run are: the helper programs of
 * tests/helpers/, built into <build>/tests/helpers/ next to the test
 * binaries (<build>/tests/<kind>/test_x).
 */
#ifndef SL_TESTLIB_PATHS_H
#define SL_TESTLIB_PATHS_H

/* The helpers' directory (canonical), NULL when it cannot be found. */
const char *helpers_dir(void);

/* helpers_dir()/name, in a static buffer (the next call reuses it). */
char *helper(const char *name);

/* The same, or NULL (reported) when that helper is not built. */
const char *helper_built(const char *name);

#endif
