#include "abi/unsupported.h"

#include <errno.h>

#include "abi/lasterr.h"

void sl_abi_unsupported(const char *feature)
{
	sl_abi_fail(EOPNOTSUPP, "%s is not supported yet", feature);
}
