/* Small text helpers of the parsers (policy, command line). Ranges are
 * [b, end). */
#ifndef SL_UTIL_TEXT_H
#define SL_UTIL_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ASCII whitespace only: parsing must not depend on the locale. */
bool sl_text_is_space(char c);
/* Range of s without leading/trailing whitespace. */
void sl_text_trim(const char *s, const char **b, const char **end);
void sl_text_trim_range(const char **b, const char **end);
/* Decimal digits only (no sign, no spaces): 0, -EINVAL, or -ERANGE. */
int sl_text_parse_u64(const char *b, const char *end, uint64_t *out);
/* Does [b, end) equal the NUL-terminated word w? */
bool sl_text_eq(const char *b, const char *end, const char *w);

/* Iterate the comma-separated items of s: each call yields the next raw
 * item (untrimmed, possibly empty) and returns false when done. */
struct sl_text_items {
	const char *next; /* NULL once the last item was yielded */
};
void sl_text_items_init(struct sl_text_items *it, const char *s);
bool sl_text_items_next(struct sl_text_items *it, const char **b,
			const char **end);

#endif
