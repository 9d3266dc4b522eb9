/* Byte sizes (max_memory, max_disk, their command-line flags). */
#ifndef SL_UTIL_BYTESIZE_H
#define SL_UTIL_BYTESIZE_H

#include <stdint.h>

#include "util/error.h"

int sl_bytesize_parse(const char *s, uint64_t *out, struct sl_error *e);
/* Largest exact G/M/K suffix, else digits; caller frees. */
char *sl_bytesize_render(uint64_t v);

#endif
