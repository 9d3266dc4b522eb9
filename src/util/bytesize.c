/* Byte sizes for max_memory / max_disk (docs/behaviour.md 0.1): "512M", "1g",
 * " 4096 ". Only K, M and G (powers of 1024), no fractions. */
#include "util/bytesize.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/text.h"
#include "util/cleanup.h"

#define KIB UINT64_C(1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)

static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int sl_bytesize_parse(const char *s, uint64_t *out, struct sl_error *e)
{
	const char *b, *end, *suffix;
	uint64_t scale = 1, n;

	if (!s)
		return sl_err(e, EINVAL, "empty byte size");
	sl_text_trim(s, &b, &end);
	if (b == end)
		return sl_err(e, EINVAL, "empty byte size");
	/* The suffix is every trailing letter, so "12QB" names "QB", not
	 * just its last letter. */
	suffix = end;
	while (suffix > b && is_letter(suffix[-1]))
		suffix--;
	if (suffix < end) {
		switch (end - suffix == 1 ? *suffix | 0x20 : 0) {
		case 'k':
			scale = KIB;
			break;
		case 'm':
			scale = MIB;
			break;
		case 'g':
			scale = GIB;
			break;
		default:
			return sl_err(e, EINVAL,
				      "unknown byte size suffix '%.*s' in "
				      "'%s' (use K, M or G)",
				      (int)(end - suffix), suffix, s);
		}
		end = suffix;
		sl_text_trim_range(&b, &end);
	}
	switch (sl_text_parse_u64(b, end, &n)) {
	case 0:
		break;
	case -ERANGE:
		return sl_err(e, ERANGE, "byte size out of range: '%s'", s);
	default:
		return sl_err(e, EINVAL, "invalid byte size '%s'", s);
	}
	if (n > UINT64_MAX / scale)
		return sl_err(e, ERANGE, "byte size out of range: '%s'", s);
	*out = n * scale;
	return 0;
}

char *sl_bytesize_render(uint64_t v)
{
	static const struct {
		uint64_t scale;
		char suffix;
	} units[] = { { GIB, 'G' }, { MIB, 'M' }, { KIB, 'K' } };
	char *s = NULL;

	for (size_t i = 0; v && i < SL_ARRAY_SIZE(units); i++)
		if (v % units[i].scale == 0) {
			if (asprintf(&s, "%" PRIu64 "%c", v / units[i].scale,
				     units[i].suffix) < 0)
				return NULL;
			return s;
		}
	if (asprintf(&s, "%" PRIu64, v) < 0)
		return NULL;
	return s;
}
