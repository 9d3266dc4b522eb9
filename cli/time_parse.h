/*
 * RFC 3339 timestamps for --time-start (docs/behaviour.md 7.2).
 */
#ifndef SL_CLI_TIME_PARSE_H
#define SL_CLI_TIME_PARSE_H

#include <stdint.h>

/* "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" to whole seconds since the
 * Unix epoch ('T' may also be 't' or a space, 'Z' may be 'z'; the fraction
 * is dropped). The offset is mandatory: a local time would depend on the
 * host's zone. Returns 0, or -EINVAL with *why set to a static reason,
 * or -ERANGE for a time before 1970. */
int cli_parse_rfc3339(const char *s, uint64_t *epoch, const char **why);

#endif
