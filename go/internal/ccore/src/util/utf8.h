/*
 * UTF-8: strict validation, and bytes to text the way the reference turns
 * captured output into a string (each maximal invalid subsequence becomes
 * one U+FFFD). Both follow Unicode table 3-7: shortest forms only, no
 * surrogates, nothing past U+10FFFF.
 */
#ifndef SL_UTIL_UTF8_H
#define SL_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool sl_utf8_valid(const char *s, size_t len);

/* A new NUL-terminated string (malloc'd); NULL when out of memory. */
char *sl_utf8_lossy(const uint8_t *s, size_t len);

#endif
