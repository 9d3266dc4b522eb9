/*
 * Files of the tests' scratch trees: paths, content written and read
 * back, existence, copies. Every function reports failure by its result
 * (false, NULL, -1) and never ends the test itself.
 */
#ifndef SL_TESTLIB_FILES_H
#define SL_TESTLIB_FILES_H

#include <stdbool.h>
#include <sys/types.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* dir "/" name, malloc'd (free it); NULL on failure. */
char *path_join(const char *dir, const char *name);

/* a "/" b in one of 64 rotating static buffers: for short-lived
 * arguments; a or b may be an earlier result. */
char *join(const char *a, const char *b);

/* Create or truncate path (0644) and write content. */
bool write_file(const char *path, const char *content);

/* The same for dir/rel, creating rel's missing parent directories. */
bool write_file_in(const char *dir, const char *rel, const char *content);

/* The whole content of path (or dir/rel), malloc'd; NULL when it cannot
 * be read. */
char *read_file(const char *path);
char *read_file_in(const char *dir, const char *rel);

/* Does path (or dir/name) hold exactly content? With content NULL: can it
 * be opened at all? */
bool file_has(const char *path, const char *content);
bool file_is(const char *dir, const char *name, const char *content);

/* Does an entry exist there (symlinks not followed)? */
bool path_exists(const char *path);
bool exists_in(const char *dir, const char *rel);

/* Has dir no entry (or is it missing)? */
bool dir_is_empty(const char *dir);

/* Copy from's content to to (created or truncated with mode). */
bool copy_file(const char *from, const char *to, mode_t mode);

/* Size and permission bits of p (symlinks followed); -1 when missing. */
off_t size_of(const char *p);
mode_t mode_of(const char *p);

#endif
