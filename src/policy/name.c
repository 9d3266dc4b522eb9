/* Sandbox name validation (docs/behaviour.md 11.4, docs/abi.md 1.6). The name
 * becomes a directory under the runtime dir and the virtual hostname, so
 * anything that could walk out of that directory is refused. */
#include "policy/policy.h"

#include <errno.h>
#include <string.h>

#include "util/utf8.h"

#define SL_NAME_MAX 64

int sl_name_validate(const char *name, struct sl_error *e)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0)
		return sl_err(e, EINVAL, "sandbox name must not be empty");
	if (len > SL_NAME_MAX)
		return sl_err(e, EINVAL,
			      "sandbox name must be at most %d bytes",
			      SL_NAME_MAX);
	if (!sl_utf8_valid(name, len))
		return sl_err(e, EINVAL, "sandbox name must be valid UTF-8");
	if (strchr(name, '/'))
		return sl_err(e, EINVAL, "sandbox name must not contain '/'");
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return sl_err(e, EINVAL,
			      "sandbox name must not be '.' or '..'");
	return 0;
}
