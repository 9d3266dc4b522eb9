/*
 * Shared helpers of the builder setters (src/abi/builder*.c). Setters
 * never fail at call time (docs/abi.md 1.3): an allocation failure is recorded
 * in the builder and reported by sandlock_sandbox_build.
 */
#ifndef SL_ABI_BUILDER_H
#define SL_ABI_BUILDER_H

#include <stdint.h>

#include "abi/objects.h"
#include "util/vec.h"

/* Record a failed allocation (r < 0) and hand the builder back. */
sandlock_builder_t *sl_builder_note(sandlock_builder_t *b, int r);

/* Append a copy of s to a list setting. */
sandlock_builder_t *sl_builder_push(sandlock_builder_t *b, struct sl_strv *list,
				    const char *s);

/* Replace a string setting with a copy of s. */
sandlock_builder_t *sl_builder_set_str(sandlock_builder_t *b, char **slot,
				       const char *s);

/* Append the decimal form of a port to a bind list (legacy setters). */
sandlock_builder_t *sl_builder_push_port(sandlock_builder_t *b,
					 struct sl_strv *list, uint16_t port);

/* Replace a u32 list with arr[0..len-1]; arr may be NULL only when len is
 * 0. Sets *has on success. */
sandlock_builder_t *sl_builder_set_u32s(sandlock_builder_t *b,
					struct sl_u32v *list, bool *has,
					const uint32_t *arr, uint32_t len);

#endif
