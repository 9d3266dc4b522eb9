#include "numparse.h"

#include <errno.h>
#include <string.h>


/* Parse the digits of s[0..len); the shared core of every parser here. */
static int parse_digits(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		d = (unsigned)(s[i] - '0');
		if (v > (max - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int cli_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	return parse_digits(s, strlen(s), max, out);
}

int cli_parse_u32_list(const char *s, struct sl_u32v *out)
{
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		uint64_t v;
		int r = parse_digits(s, len, UINT32_MAX, &v);

		if (r < 0)
			return r;
		r = sl_u32v_push(out, (uint32_t)v);
		if (r < 0)
			return r;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

int cli_parse_uid_gid(const char *s, uint32_t *uid, uint32_t *gid)
{
	const char *colon = strchr(s, ':');
	uint64_t u, g;

	if (!colon)
		return -EINVAL;
	if (parse_digits(s, (size_t)(colon - s), UINT32_MAX, &u) < 0 ||
	    parse_digits(colon + 1, strlen(colon + 1), UINT32_MAX, &g) < 0)
		return -EINVAL;
	*uid = (uint32_t)u;
	*gid = (uint32_t)g;
	return 0;
}
