/* RFC 3339 times of --time-start: no crash, no out-of-bounds read, every
 * refusal has a reason, and every accepted time is the same instant as
 * its UTC rendering (which checks the calendar arithmetic against libc's
 * gmtime). */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "fuzz_input.h"
#include "time_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	const char *why = NULL;
	uint64_t t = 0, again = 0;
	int r = cli_parse_rfc3339(text, &t, &why);

	if (r != 0 && (r != -EINVAL && r != -ERANGE))
		abort();
	if (r != 0 && (!why || !*why))
		abort();
	if (r == 0) {
		time_t tt = (time_t)t;
		struct tm tm;
		char utc[64];

		if (!gmtime_r(&tt, &tm))
			abort();
		/* An offset can push year 9999 into 10000, which has no
		 * four-digit rendering. */
		if (tm.tm_year + 1900 <= 9999) {
			snprintf(utc, sizeof(utc),
				 "%04d-%02d-%02dT%02d:%02d:%02dZ",
				 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
				 tm.tm_hour, tm.tm_min, tm.tm_sec);
			if (cli_parse_rfc3339(utc, &again, &why) != 0 ||
			    again != t)
				abort();
		}
	}
	free(text);
	return 0;
}
