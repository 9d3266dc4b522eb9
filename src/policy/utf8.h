/* Strict UTF-8 validation (no overlongs, no surrogates, <= U+10FFFF). */
#ifndef SL_POLICY_UTF8_H
#define SL_POLICY_UTF8_H

#include <stdbool.h>
#include <stddef.h>

bool sl_utf8_valid(const char *s, size_t len);

#endif
