#include "abi/unsupported.h"

#include <stdio.h>

void sl_abi_unsupported(const char *feature)
{
	fprintf(stderr, "sandlock: %s is not supported yet\n", feature);
}
