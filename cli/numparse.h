/*
 * Small strict parsers for numeric command-line values that the library
 * does not parse itself (it takes them as integers).
 */
#ifndef SL_CLI_NUMPARSE_H
#define SL_CLI_NUMPARSE_H

#include <stdint.h>

#include "util/vec.h"

/* Unsigned decimal, digits only (no sign, no spaces, no base prefix).
 * -EINVAL when not a number, -ERANGE when above max. */
int cli_parse_u64(const char *s, uint64_t max, uint64_t *out);

/* "N[,N...]" of u32, appended to out. -EINVAL on an empty or bad item,
 * -ERANGE on an item above UINT32_MAX, -ENOMEM. */
int cli_parse_u32_list(const char *s, struct sl_u32v *out);

/* "UID:GID", each a u32. -EINVAL otherwise. */
int cli_parse_uid_gid(const char *s, uint32_t *uid, uint32_t *gid);

#endif
