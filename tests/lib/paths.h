/*
 * Where the programs the tests run are. A test binary is
 * <build>/tests/<kind>/test_x; the helper programs of tests/helpers/ are
 * built into <build>/tests/helpers/, the CLI and the libraries into
 * <build>/.
 */
#ifndef SL_TESTLIB_PATHS_H
#define SL_TESTLIB_PATHS_H

/* <build> of this binary (canonical), NULL when it cannot be found. */
const char *build_dir(void);

/* The helpers' directory, NULL when it is not there. */
const char *helpers_dir(void);

/* helpers_dir()/name, in a static buffer (the next call reuses it). */
char *helper(const char *name);

/* The same, or NULL (reported) when that helper is not built. */
const char *helper_built(const char *name);

#endif
