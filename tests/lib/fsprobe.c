#include "lib/fsprobe.h"

#include <stdio.h>

long race_count(const char *out, bool leaks)
{
	long d = -1, l = -1;

	if (!out || sscanf(out, "done=%ld leaked=%ld", &d, &l) != 2)
		return -1;
	return leaks ? l : d;
}
