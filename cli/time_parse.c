#include "time_parse.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* Read exactly n digits at *p. */
static bool take_digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool take_char(const char **p, const char *set)
{
	if (**p == '\0' || !strchr(set, **p))
		return false;
	(*p)++;
	return true;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int cli_parse_rfc3339(const char *s, uint64_t *epoch, const char **why)
{
	const char *p = s;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	int64_t t;

	*why = "expected YYYY-MM-DDTHH:MM:SS with Z or a +HH:MM offset";
	if (!take_digits(&p, 4, &y) || !take_char(&p, "-") ||
	    !take_digits(&p, 2, &mo) || !take_char(&p, "-") ||
	    !take_digits(&p, 2, &d) || !take_char(&p, "Tt ") ||
	    !take_digits(&p, 2, &h) || !take_char(&p, ":") ||
	    !take_digits(&p, 2, &mi) || !take_char(&p, ":") ||
	    !take_digits(&p, 2, &sec))
		return -EINVAL;
	if (take_char(&p, ".")) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (take_char(&p, "Zz")) {
		sign = 0;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if (!take_digits(&p, 2, &oh) || !take_char(&p, ":") ||
		    !take_digits(&p, 2, &om))
			return -EINVAL;
	} else {
		*why = "missing time zone offset (Z or +HH:MM)";
		return -EINVAL;
	}
	if (*p != '\0')
		return -EINVAL;

	*why = "date or time out of range";
	/* Second 60 is a leap second; like most parsers, fold it into :59. */
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
	    mi > 59 || sec > 60 || oh > 23 || om > 59)
		return -EINVAL;
	if (sec == 60)
		sec = 59;

	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	t -= sign * (oh * 3600 + om * 60);
	if (t < 0) {
		*why = "time is before 1970-01-01T00:00:00Z";
		return -ERANGE;
	}
	*epoch = (uint64_t)t;
	return 0;
}
