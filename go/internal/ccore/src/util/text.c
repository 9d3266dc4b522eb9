#include "util/text.h"

#include <errno.h>
#include <string.h>

bool sl_text_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

void sl_text_trim_range(const char **b, const char **end)
{
	while (*b < *end && sl_text_is_space(**b))
		(*b)++;
	while (*end > *b && sl_text_is_space((*end)[-1]))
		(*end)--;
}

void sl_text_trim(const char *s, const char **b, const char **end)
{
	*b = s;
	*end = s + strlen(s);
	sl_text_trim_range(b, end);
}

int sl_text_parse_u64(const char *b, const char *end, uint64_t *out)
{
	uint64_t v = 0;

	if (b == end)
		return -EINVAL;
	for (const char *p = b; p < end; p++) {
		unsigned d;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

bool sl_text_eq(const char *b, const char *end, const char *w)
{
	size_t n = strlen(w);

	return (size_t)(end - b) == n && memcmp(b, w, n) == 0;
}

void sl_text_items_init(struct sl_text_items *it, const char *s)
{
	it->next = s;
}

bool sl_text_items_next(struct sl_text_items *it, const char **b,
			const char **end)
{
	const char *comma;

	if (!it->next)
		return false;
	*b = it->next;
	comma = strchr(*b, ',');
	if (comma) {
		*end = comma;
		it->next = comma + 1;
	} else {
		*end = *b + strlen(*b);
		it->next = NULL;
	}
	return true;
}
