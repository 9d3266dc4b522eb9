#include "util/utf8.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Length of the sequence a lead byte starts (0 = not a lead byte) and
 * the range its second byte must be in (Unicode table 3-7). */
static size_t lead(uint8_t b, uint8_t *lo, uint8_t *hi)
{
	*lo = 0x80;
	*hi = 0xBF;
	if (b >= 0xC2 && b <= 0xDF)
		return 2;
	if (b >= 0xE0 && b <= 0xEF) {
		if (b == 0xE0)
			*lo = 0xA0;
		else if (b == 0xED)
			*hi = 0x9F;
		return 3;
	}
	if (b >= 0xF0 && b <= 0xF4) {
		if (b == 0xF0)
			*lo = 0x90;
		else if (b == 0xF4)
			*hi = 0x8F;
		return 4;
	}
	return 0;
}

/* Bytes of a valid sequence at s[0..avail), or 0 with *bad set to the
 * length of the maximal invalid subpart (at least 1). */
static size_t valid_seq(const uint8_t *s, size_t avail, size_t *bad)
{
	uint8_t lo, hi;
	size_t n = lead(s[0], &lo, &hi);

	*bad = 1;
	if (n == 0)
		return 0;
	for (size_t k = 1; k < n; k++) {
		if (k >= avail || s[k] < lo || s[k] > hi) {
			*bad = k;
			return 0;
		}
		lo = 0x80;
		hi = 0xBF;
	}
	return n;
}

bool sl_utf8_valid(const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;

	for (size_t i = 0; i < len;) {
		size_t bad,
			n = p[i] < 0x80 ? 1 : valid_seq(p + i, len - i, &bad);

		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

char *sl_utf8_lossy(const uint8_t *s, size_t len)
{
	size_t o = 0;
	char *out;

	/* worst case: every byte becomes a 3-byte replacement */
	if (len > (PTRDIFF_MAX - 1) / 3)
		return NULL;
	out = malloc(len * 3 + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		size_t bad, n;

		if (s[i] < 0x80) {
			out[o++] = (char)s[i++];
			continue;
		}
		n = valid_seq(s + i, len - i, &bad);
		if (n) {
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		} else {
			memcpy(out + o, replacement, 3);
			o += 3;
			i += bad;
		}
	}
	out[o] = '\0';
	return out;
}
