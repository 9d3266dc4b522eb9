/*
 * Bytes to text the way the reference turns captured output into a
 * string: each maximal invalid subsequence becomes one U+FFFD.
 */
#ifndef SL_UTIL_UTF8_LOSSY_H
#define SL_UTIL_UTF8_LOSSY_H

#include <stddef.h>
#include <stdint.h>

/* A new NUL-terminated string (malloc'd); NULL when out of memory. */
char *sl_utf8_lossy(const uint8_t *s, size_t len);

#endif
