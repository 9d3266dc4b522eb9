#include "numparse.h"

#include <errno.h>
#include <string.h>

#include "util/text.h"

/* Digits of [b, end) up to max: the policy parsers' integer grammar with
 * a bound. */
static int parse_digits(const char *b, const char *end, uint64_t max,
			uint64_t *out)
{
	uint64_t v;
	int r = sl_text_parse_u64(b, end, &v);

	if (r < 0)
		return r;
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int cli_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	return parse_digits(s, s + strlen(s), max, out);
}

int cli_parse_u32_list(const char *s, struct sl_u32v *out)
{
	struct sl_text_items it;
	const char *b, *end;

	sl_text_items_init(&it, s);
	while (sl_text_items_next(&it, &b, &end)) {
		uint64_t v;
		int r = parse_digits(b, end, UINT32_MAX, &v);

		if (r < 0)
			return r;
		r = sl_u32v_push(out, (uint32_t)v);
		if (r < 0)
			return r;
	}
	return 0;
}

int cli_parse_uid_gid(const char *s, uint32_t *uid, uint32_t *gid)
{
	const char *colon = strchr(s, ':');
	uint64_t u, g;

	if (!colon)
		return -EINVAL;
	if (parse_digits(s, colon, UINT32_MAX, &u) < 0 ||
	    parse_digits(colon + 1, colon + 1 + strlen(colon + 1), UINT32_MAX,
			 &g) < 0)
		return -EINVAL;
	*uid = (uint32_t)u;
	*gid = (uint32_t)g;
	return 0;
}
